/* join.c -- many inputs merged onto one output.
 *
 * Each push takes up to one batch from each input in turn and passes it
 * on unchanged, so inputs share the output fairly, one batch each.
 *
 * Fan-in needs backpressure: n inputs can deliver n batches per breath
 * while the app after us takes one.  So join takes from an input only what
 * the output link has room for; the rest waits in the input link (where
 * the upstream app sees a full link) instead of being dropped here.
 */
#include <stdlib.h>

#include "../core/app.h"

struct join {
	struct link *output;
	uint64_t *packets;
};

static int join_check(struct app_check *c, const struct app_args *args)
{
	(void)args;
	if (!app_check_linked(c, "output", true))
		return app_check_error(c, NULL, "port 'output' is not connected: packets would have "
		                       "nowhere to go");
	return 0;
}

static int join_new(struct app *app, const struct app_args *args)
{
	struct link *output = app_output(app, "output");
	struct join *j = calloc(1, sizeof(*j));
	if (!j)
		return app_error(app, "out of memory");
	j->output = output;
	j->packets = app_counter(app, "packets");
	app->state = j;
	return 0;
}

static void join_push(struct app *app)
{
	struct join *j = app->state;
	struct packet *pkts[LINK_MAX_BATCH];
	for (int i = 0; i < app->nin; i++) {
		if (!app->in[i].link)
			continue;
		uint32_t room = link_nwritable(j->output);
		if (room == 0)
			break;
		uint32_t n = link_receive_batch(app->in[i].link, pkts,
		                                room < LINK_MAX_BATCH ? room : LINK_MAX_BATCH);
		link_transmit_batch(j->output, pkts, n);
		*j->packets += n;
	}
}

static void join_stop(struct app *app)
{
	free(app->state);   /* holds no packets between breaths */
	app->state = NULL;
}

static const char *const join_inputs[] = {"*", NULL};
static const char *const join_outputs[] = {"output", NULL};
static const struct app_param join_params[] = {{NULL}};

static const struct app_class join_class = {
	.name = "join",
	.help = "merges any number of inputs onto output",
	.doc =
		"Ports: any number of inputs, any names; output (must be connected).\n"
		"Each breath forwards up to 128 packets from each input, inputs in the order\n"
		"they were linked, but never more than the output link has room for: the\n"
		"rest waits in the input links (backpressure), so join itself drops nothing.\n"
		"Counters:\n"
		"  packets          forwarded, all inputs together\n",
	.inputs = join_inputs,
	.outputs = join_outputs,
	.params = join_params,
	.check = join_check,
	.new = join_new,
	.push = join_push,
	.stop = join_stop,
};
KVICK_APP(join_class);
