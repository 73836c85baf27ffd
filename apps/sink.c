/* sink.c -- the end of the line: frees every packet it receives.
 *
 * A sink accepts any number of inputs ("*") and counts what it consumed,
 * so a test or an operator can check "everything the source sent arrived".
 * Each push empties every input link (batch by batch, at most one ring's
 * worth): a sink is the end of the line, and a fan-in before it (join) may
 * deliver several batches per breath.
 */
#include <stdlib.h>

#include "../core/app.h"

struct sink {
	uint64_t *packets, *bytes;
};

static int sink_new(struct app *app, const struct app_args *args)
{
	struct sink *s = calloc(1, sizeof(*s));
	if (!s)
		return app_error(app, "out of memory");
	s->packets = app_counter(app, "packets");
	s->bytes = app_counter(app, "bytes");
	app->state = s;
	return 0;
}

static void sink_push(struct app *app)
{
	struct sink *s = app->state;
	struct packet *pkts[LINK_MAX_BATCH];
	for (int i = 0; i < app->nin; i++) {
		if (!app->in[i].link)
			continue;
		struct link *l = app->in[i].link;
		/* Batch by batch until the link is empty, but at most one ring's
		 * worth, so a producer on another thread cannot keep us here. */
		for (uint32_t taken = 0; taken < l->size;) {
			uint32_t n = link_receive_batch(l, pkts, LINK_MAX_BATCH);
			uint64_t bytes = 0;
			for (uint32_t k = 0; k < n; k++)
				bytes += pkts[k]->length;
			packet_free_batch(pkts, n);
			*s->packets += n;
			*s->bytes += bytes;
			taken += n;
			if (n < LINK_MAX_BATCH)
				break;
		}
	}
}

static void sink_stop(struct app *app)
{
	free(app->state);   /* holds no packets between breaths */
	app->state = NULL;
}

static const char *const sink_inputs[] = {"*", NULL};
static const char *const sink_outputs[] = {NULL};
static const struct app_param sink_params[] = {{NULL}};

static const struct app_class sink_class = {
	.name = "sink",
	.help = "frees every packet it receives, counting packets and bytes",
	.doc =
		"Ports: any number of inputs, any names (input, in1, ...).\n"
		"Each breath empties every input (in batches of 128, at most one ring's worth)\n"
		"and returns the packets to the freelist.\n"
		"Counters:\n"
		"  packets, bytes   consumed, all inputs together\n",
	.inputs = sink_inputs,
	.outputs = sink_outputs,
	.params = sink_params,
	.new = sink_new,
	.push = sink_push,
	.stop = sink_stop,
};
KVICK_APP(sink_class);
