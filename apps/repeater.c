/* repeater.c -- replays what it received on input, on output, forever.
 *
 * Every packet that arrives on input is kept (in arrival order) and becomes
 * part of the sequence; each breath the repeater sends clones of the
 * sequence, continuing where the previous breath stopped and wrapping to
 * the start, as many as the output link has room for (at most one batch).
 * This turns a short pcap file or a counted source into endless traffic.
 *
 * The kept packets are the repeater's own: stop() gives them back.  So the
 * store cannot eat the whole freelist, it holds at most `limit` packets;
 * later arrivals are freed and counted in over_limit.
 */
#include <stdlib.h>

#include "../core/app.h"
#include "../core/log.h"

struct repeater {
	struct link *input, *output;
	struct packet **store;
	uint32_t nstored, capacity, limit;
	uint32_t index;          /* next stored packet to send */
	uint64_t *stored, *packets, *over_limit, *clone_failures;
};

static int repeater_check(struct app_check *c, const struct app_args *args)
{
	int64_t limit = app_arg_int(args, "limit");
	if (limit < 1 || limit > 1000000)
		return app_check_error(c, "limit", "limit=%lld is out of range: 1..1000000 packets",
		                       (long long)limit);
	if (!app_check_linked(c, "output", true))
		return app_check_error(c, NULL, "port 'output' is not connected: a repeater needs one");
	return 0;
}

/* Values and ports are as repeater_check() accepted them. */
static int repeater_new(struct app *app, const struct app_args *args)
{
	int64_t limit = app_arg_int(args, "limit");
	struct link *output = app_output(app, "output");
	struct repeater *r = calloc(1, sizeof(*r));
	if (!r)
		return app_error(app, "out of memory");
	r->input = app_input(app, "input");
	r->output = output;
	r->limit = (uint32_t)limit;
	r->stored = app_counter(app, "stored");
	r->packets = app_counter(app, "packets");
	r->over_limit = app_counter(app, "over_limit");
	r->clone_failures = app_counter(app, "clone_failures");
	app->state = r;
	return 0;
}

/* Keep one arriving packet; false if there was no room (caller frees). */
static bool repeater_keep(struct repeater *r, struct packet *p)
{
	if (r->nstored == r->limit)
		return false;
	if (r->nstored == r->capacity) {
		uint32_t cap = r->capacity ? r->capacity * 2 : 64;
		if (cap > r->limit)
			cap = r->limit;
		struct packet **bigger = realloc(r->store, cap * sizeof(*bigger));
		if (!bigger)
			return false;
		r->store = bigger;
		r->capacity = cap;
	}
	r->store[r->nstored++] = p;
	return true;
}

static void repeater_collect(struct app *app, struct repeater *r)
{
	struct packet *pkts[LINK_MAX_BATCH];
	uint32_t n = link_receive_batch(r->input, pkts, LINK_MAX_BATCH);
	for (uint32_t k = 0; k < n; k++) {
		if (repeater_keep(r, pkts[k])) {
			(*r->stored)++;
		} else {
			packet_free(pkts[k]);
			(*r->over_limit)++;
			log_once(LOG_WARN, "repeater %s: store full (limit %u), extra packets dropped and counted in over_limit",
			         app->name, r->limit);
		}
	}
}

static void repeater_push(struct app *app)
{
	struct repeater *r = app->state;
	if (r->input)
		repeater_collect(app, r);
	if (r->nstored == 0)
		return;
	uint32_t room = link_nwritable(r->output);
	if (room > LINK_MAX_BATCH)
		room = LINK_MAX_BATCH;
	struct packet *out[LINK_MAX_BATCH];
	uint32_t n = 0;
	for (uint32_t k = 0; k < room; k++) {
		struct packet *c = packet_clone(r->store[r->index]);
		if (!c) {
			/* Try the same packet again next breath: the sequence keeps its order. */
			(*r->clone_failures)++;
			break;
		}
		out[n++] = c;
		if (++r->index == r->nstored)
			r->index = 0;
	}
	link_transmit_batch(r->output, out, n);
	*r->packets += n;
}

static void repeater_stop(struct app *app)
{
	struct repeater *r = app->state;
	if (!r)
		return;
	packet_free_batch(r->store, r->nstored);
	free(r->store);
	free(r);
	app->state = NULL;
}

static const char *const repeater_inputs[] = {"input", NULL};
static const char *const repeater_outputs[] = {"output", NULL};
static const struct app_param repeater_params[] = {
	{"limit", PARAM_INT, "16384", false,
	 "most packets kept for replay (1..1000000); later arrivals are dropped"},
	{NULL},
};

static const struct app_class repeater_class = {
	.name = "repeater",
	.help = "replays the packets received on input on output, forever",
	.doc =
		"Ports: input, output (must be connected).\n"
		"Keeps every packet received on input, in order, and each breath sends clones\n"
		"of that sequence on output, as many as the link has room for (at most 128),\n"
		"wrapping to the start. New arrivals join the end of the sequence. Never\n"
		"done: end the run with --duration. stop() returns the kept packets to the\n"
		"freelist.\n"
		"Counters:\n"
		"  stored           packets kept\n"
		"  packets          clones sent\n"
		"  over_limit       arrivals dropped because `limit` packets are kept already\n"
		"  clone_failures   breaths cut short by an empty freelist (nothing lost: the\n"
		"                   sequence resumes in order)\n",
	.inputs = repeater_inputs,
	.outputs = repeater_outputs,
	.params = repeater_params,
	.check = repeater_check,
	.new = repeater_new,
	.push = repeater_push,
	.stop = repeater_stop,
};
KVICK_APP(repeater_class);
