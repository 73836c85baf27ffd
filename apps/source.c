/* source.c -- synthetic Ethernet frames, as many as the output can take.
 *
 * Every frame is `size` bytes: destination MAC, source MAC, EtherType
 * 0x88B5 (IEEE 802 "local experimental", so no real stack will act on it),
 * then an 8-byte big-endian sequence number (0, 1, 2, ...) and zeros.  The
 * sequence number lets tests and readers check order and loss downstream.
 *
 * pull() makes at most LINK_MAX_BATCH frames per breath, and no more than
 * the output link has room for: a source should not manufacture packets
 * only to have the link drop them.  With count= set, the source stops after
 * that many frames and reports done(), so `kvick run` can end by itself.
 */
#include <stdlib.h>
#include <string.h>

#include "../core/app.h"
#include "../core/log.h"

#define SOURCE_MIN_SIZE    60u   /* Ethernet minimum without FCS */
#define SOURCE_ETHERTYPE   0x88b5u
#define SOURCE_SEQ_OFFSET  14u   /* right after the Ethernet header */

struct source {
	struct link *output;
	uint16_t size;
	bool bounded;            /* count= was given */
	uint64_t remaining;      /* frames still to send when bounded */
	uint64_t seq;            /* next sequence number */
	uint64_t *packets, *bytes, *alloc_failures;
	uint8_t frame[];         /* the frame with sequence number 0: a template
	                          * (+ PACKET_COPY_SLACK bytes for packet_copy_frame) */
};

static int source_check(struct app_check *c, const struct app_args *args)
{
	int64_t size = app_arg_int(args, "size");
	if (size < SOURCE_MIN_SIZE || size > PACKET_MAX_FRAME)
		return app_check_error(c, "size", "size=%lld is out of range: a frame is %u..%u bytes",
		                       (long long)size, SOURCE_MIN_SIZE, PACKET_MAX_FRAME);
	int64_t count = app_arg_int(args, "count");
	if (app_arg_isset(args, "count") && count < 0)
		return app_check_error(c, "count", "count=%lld: must be 0 or more (leave it unset for "
		                       "no limit)", (long long)count);
	if (!app_check_linked(c, "output", true))
		return app_check_error(c, NULL, "port 'output' is not connected: the frames would have "
		                       "nowhere to go");
	return 0;
}

/* Values and ports are as source_check() accepted them. */
static int source_new(struct app *app, const struct app_args *args)
{
	int64_t size = app_arg_int(args, "size");
	int64_t count = app_arg_int(args, "count");
	struct link *output = app_output(app, "output");
	struct source *s = calloc(1, sizeof(*s) + (size_t)size + PACKET_COPY_SLACK);
	if (!s)
		return app_error(app, "out of memory");
	s->output = output;
	s->size = (uint16_t)size;
	s->bounded = app_arg_isset(args, "count");
	s->remaining = (uint64_t)count;
	app_arg_mac(args, "dst", s->frame);
	app_arg_mac(args, "src", s->frame + 6);
	s->frame[12] = SOURCE_ETHERTYPE >> 8;
	s->frame[13] = SOURCE_ETHERTYPE & 0xff;
	s->packets = app_counter(app, "packets");
	s->bytes = app_counter(app, "bytes");
	s->alloc_failures = app_counter(app, "alloc_failures");
	app->state = s;
	return 0;
}

/* Write one whole frame (the packet may hold bytes from an earlier life):
 * the template, then this frame's sequence number. */
static void source_fill(struct source *s, struct packet *p)
{
	uint8_t *d = packet_data(p);
	packet_copy_frame(d, s->frame, s->size);   /* the template has the slack */
	uint64_t seq_be = __builtin_bswap64(s->seq++);   /* big-endian, like a network field */
	memcpy(d + SOURCE_SEQ_OFFSET, &seq_be, sizeof(seq_be));
	p->length = s->size;
}

static void source_pull(struct app *app)
{
	struct source *s = app->state;
	uint32_t want = link_nwritable(s->output);
	if (want > LINK_MAX_BATCH)
		want = LINK_MAX_BATCH;
	if (s->bounded && want > s->remaining)
		want = (uint32_t)s->remaining;
	if (want == 0)
		return;

	struct packet *pkts[LINK_MAX_BATCH];
	uint32_t n = packet_alloc_batch(pkts, want);
	if (n < want) {
		/* Nothing is lost: we simply make fewer frames this breath. */
		(*s->alloc_failures)++;
		log_once(LOG_WARN, "source %s: freelist exhausted, sending fewer frames", app->name);
	}
	for (uint32_t i = 0; i < n; i++)
		source_fill(s, pkts[i]);
	link_transmit_batch(s->output, pkts, n);
	*s->packets += n;
	*s->bytes += (uint64_t)n * s->size;
	if (s->bounded)
		s->remaining -= n;
}

static bool source_done(struct app *app)
{
	struct source *s = app->state;
	return s->bounded && s->remaining == 0;
}

static void source_stop(struct app *app)
{
	free(app->state);   /* a source holds no packets between breaths */
	app->state = NULL;
}

static const char *const source_outputs[] = {"output", NULL};
static const char *const source_inputs[] = {NULL};

static const struct app_param source_params[] = {
	{"size", PARAM_INT, "60", false,
	 "frame length in bytes without FCS, 60..9216"},
	{"count", PARAM_INT, NULL, false,
	 "frames to send, then stop (done); unset: no limit"},
	{"dst", PARAM_MAC, "02:00:00:00:00:02", false, "destination MAC address"},
	{"src", PARAM_MAC, "02:00:00:00:00:01", false, "source MAC address"},
	{NULL},
};

static const struct app_class source_class = {
	.name = "source",
	.help = "synthetic Ethernet frames of a fixed size, optionally a fixed count",
	.doc =
		"Ports: output (must be connected).\n"
		"Each frame: dst MAC, src MAC, EtherType 0x88B5 (IEEE local experimental), an\n"
		"8-byte big-endian sequence number starting at 0, then zeros up to size\n"
		"bytes.\n"
		"Each breath makes up to 128 frames, never more than the output link has room\n"
		"for, so the source itself never causes a link drop. With count= the source\n"
		"is finite: after count frames it is done, and `kvick run` stops by itself\n"
		"once every link is empty.\n"
		"Counters:\n"
		"  packets, bytes   frames sent\n"
		"  alloc_failures   breaths in which the freelist had fewer packets than\n"
		"                   wanted (fewer frames made, none lost)\n",
	.inputs = source_inputs,
	.outputs = source_outputs,
	.params = source_params,
	.check = source_check,
	.new = source_new,
	.pull = source_pull,
	.stop = source_stop,
	.done = source_done,
};
KVICK_APP(source_class);
