/* tee.c -- a copy of every packet to every output.
 *
 * The last output gets the original packet; every other output gets a
 * clone (a new packet with the same bytes).  So with N outputs a packet
 * costs N-1 copies, and with one output a tee is a plain pass-through.
 *
 * A clone can fail when the freelist is empty.  That copy is then not
 * made and counted in clone_failures: the other outputs still get theirs.
 */
#include <stdlib.h>

#include "../core/app.h"
#include "../core/log.h"

struct tee {
	struct link *input;
	struct link *outputs[APP_MAX_PORTS];
	int noutputs;
	uint64_t *packets, *clone_failures;
};

static int tee_check(struct app_check *c, const struct app_args *args)
{
	(void)args;
	if (!app_check_linked(c, NULL, true))
		return app_check_error(c, NULL, "no output is connected: a tee needs at least one");
	return 0;
}

/* At least one output is linked: tee_check() said so. */
static int tee_new(struct app *app, const struct app_args *args)
{
	struct tee *t = calloc(1, sizeof(*t));
	if (!t)
		return app_error(app, "out of memory");
	t->input = app_input(app, "input");
	for (int i = 0; i < app->nout; i++)
		if (app->out[i].link)
			t->outputs[t->noutputs++] = app->out[i].link;
	t->packets = app_counter(app, "packets");
	t->clone_failures = app_counter(app, "clone_failures");
	app->state = t;
	return 0;
}

/* Send clones of pkts[0..n) to one output. */
static void tee_copy_to(struct app *app, struct tee *t, struct link *out,
                        struct packet **pkts, uint32_t n)
{
	struct packet *copies[LINK_MAX_BATCH];
	uint32_t ncopies = 0;
	for (uint32_t k = 0; k < n; k++) {
		struct packet *c = packet_clone(pkts[k]);
		if (c) {
			copies[ncopies++] = c;
		} else {
			(*t->clone_failures)++;
			log_once(LOG_WARN, "tee %s: freelist exhausted, copies not made are counted in clone_failures",
			         app->name);
		}
	}
	link_transmit_batch(out, copies, ncopies);
}

static void tee_push(struct app *app)
{
	struct tee *t = app->state;
	if (!t->input)
		return;
	struct packet *pkts[LINK_MAX_BATCH];
	uint32_t n = link_receive_batch(t->input, pkts, LINK_MAX_BATCH);
	if (n == 0)
		return;
	*t->packets += n;
	for (int j = 0; j < t->noutputs - 1; j++)
		tee_copy_to(app, t, t->outputs[j], pkts, n);
	link_transmit_batch(t->outputs[t->noutputs - 1], pkts, n);
}

static void tee_stop(struct app *app)
{
	free(app->state);   /* holds no packets between breaths */
	app->state = NULL;
}

static const char *const tee_inputs[] = {"input", NULL};
static const char *const tee_outputs[] = {"*", NULL};
static const struct app_param tee_params[] = {{NULL}};

static const struct app_class tee_class = {
	.name = "tee",
	.help = "copies every packet from input to every output",
	.doc =
		"Ports: input; any number of outputs, any names (at least one connected).\n"
		"The last connected output gets the original packet, every other output a\n"
		"clone with identical bytes: N outputs cost N-1 copies per packet.\n"
		"Counters:\n"
		"  packets          received on input\n"
		"  clone_failures   copies not made because the freelist was empty (each is\n"
		"                   one packet one output did not get)\n",
	.inputs = tee_inputs,
	.outputs = tee_outputs,
	.params = tee_params,
	.check = tee_check,
	.new = tee_new,
	.push = tee_push,
	.stop = tee_stop,
};
KVICK_APP(tee_class);
