/* split.c -- packets from input dealt round-robin over the outputs.
 *
 * Packet k (counting from 0 over the app's life) goes to output
 * k mod N, outputs in the order they were linked.  The turn carries over
 * from one batch to the next, so the deal stays even at any batch size.
 */
#include <stdlib.h>

#include "../core/app.h"

struct split {
	struct link *input;
	struct link *outputs[APP_MAX_PORTS];
	int noutputs;
	int next;                /* output that gets the next packet */
	uint64_t *packets;
};

static int split_check(struct app_check *c, const struct app_args *args)
{
	(void)args;
	if (!app_check_linked(c, NULL, true))
		return app_check_error(c, NULL, "no output is connected: a split needs at least one");
	return 0;
}

/* At least one output is linked: split_check() said so. */
static int split_new(struct app *app, const struct app_args *args)
{
	struct split *s = calloc(1, sizeof(*s));
	if (!s)
		return app_error(app, "out of memory");
	s->input = app_input(app, "input");
	for (int i = 0; i < app->nout; i++)
		if (app->out[i].link)
			s->outputs[s->noutputs++] = app->out[i].link;
	s->packets = app_counter(app, "packets");
	app->state = s;
	return 0;
}

static void split_push(struct app *app)
{
	struct split *s = app->state;
	if (!s->input)
		return;
	struct packet *pkts[LINK_MAX_BATCH];
	uint32_t n = link_receive_batch(s->input, pkts, LINK_MAX_BATCH);
	for (uint32_t k = 0; k < n; k++) {
		link_transmit(s->outputs[s->next], pkts[k]);
		if (++s->next == s->noutputs)
			s->next = 0;
	}
	*s->packets += n;
}

static void split_stop(struct app *app)
{
	free(app->state);   /* holds no packets between breaths */
	app->state = NULL;
}

static const char *const split_inputs[] = {"input", NULL};
static const char *const split_outputs[] = {"*", NULL};
static const struct app_param split_params[] = {{NULL}};

static const struct app_class split_class = {
	.name = "split",
	.help = "deals packets from input round-robin over the outputs",
	.doc =
		"Ports: input; any number of outputs, any names (at least one connected).\n"
		"Packet k goes to output k mod N, outputs in the order they were linked; the\n"
		"turn carries over from breath to breath. A full output link drops and counts\n"
		"in its txdrop.\n"
		"Counters:\n"
		"  packets          received and passed on\n",
	.inputs = split_inputs,
	.outputs = split_outputs,
	.params = split_params,
	.check = split_check,
	.new = split_new,
	.push = split_push,
	.stop = split_stop,
};
KVICK_APP(split_class);
