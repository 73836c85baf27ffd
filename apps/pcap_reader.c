/* pcap_reader.c -- frames from a pcap file onto output.
 *
 * Reads a classic pcap file (microsecond or nanosecond timestamps, either
 * byte order; see pcap_format.h) or a pcapng file (pcapng_format.h) front
 * to back, up to one batch per breath and never more than the output link
 * has room for, so no frame is read only to be dropped.  Each frame's capture time (and, when the capture
 * cut it, its original length) goes with the packet, and pcap_writer
 * writes both back out.
 *
 * Bad input, decided early where possible:
 *  - a file that cannot be opened, or whose header is not a classic
 *    Ethernet pcap header or a pcapng section (with Ethernet interfaces), is
 *    refused with the topology (check()), and
 *    again by new() if it changed since: nothing starts;
 *  - a record longer than a packet holds (PACKET_MAX_FRAME; a GSO
 *    capture's 64 KB frames) is delivered cut to that length, counted as
 *    snapped, its original length kept with it; reading goes on;
 *  - a truncated or corrupt record (length over snaplen, short header,
 *    short data) is found while reading:
 *    every frame before it has been delivered, the message naming the byte
 *    offset is logged and kept for the report, `errors` counts it, and the
 *    reader is done (even with loop=true: the file is broken).
 *
 * Pacing (replay): by default frames go as fast as the output takes them.
 * rate= sends them at a rate (pps or bps, rate.h) from a token bucket that
 * starts empty and holds burst= (default 1 ms of the rate); timing=recorded
 * sends each frame when as much TSC time has passed since the first as its
 * capture time says (a loop goes on seamlessly: the first frame of a pass
 * is due when the last of the previous pass was).  A frame read but not
 * yet due is held by the reader until a later breath (stop() frees it).
 */
#include <stdlib.h>
#include <string.h>

#include "../core/app.h"
#include "../core/engine.h"
#include "../core/log.h"
#include "pcap_format.h"
#include "rate.h"

#define PCAP_BURST_S 0.001   /* default burst: 1 ms of the rate */

enum pcap_pacing { PACE_NONE, PACE_RATE, PACE_RECORDED };

struct pcap_reader {
	struct pcap_in in;
	struct link *output;
	bool loop;
	bool finished;           /* end of file (not looping) or an error */
	uint64_t pass_records;   /* records read since the last rewind */
	enum pcap_pacing pacing;
	struct rate rate;
	struct token_bucket bucket;  /* PACE_RATE */
	double ticks_per_ns;         /* PACE_RECORDED: */
	bool started, rewound;       /*   first frame seen; a pass began again */
	uint64_t ts0, tsc0;          /*   capture time and TSC of the pass's origin */
	uint64_t last_ts;            /*   capture time of the last frame sent */
	struct packet *held;         /* read, not yet due */
	uint64_t *packets, *bytes, *errors, *snapped, *loops, *alloc_failures;
};

/* The file must open and start with a pcap header now; it is opened
 * again by new() (and may have changed in between: new() says so). */
static int pcap_reader_check(struct app_check *c, const struct app_args *args)
{
	struct pcap_in in;
	int r = pcap_in_open(&in, app_arg_str(args, "file"));
	if (r < 0)
		app_check_error(c, "file", "%s", in.error);
	pcap_in_close(&in);
	if (r < 0)
		return -1;
	if (!app_check_linked(c, "output", true))
		return app_check_error(c, NULL, "port 'output' is not connected: frames would have "
		                       "nowhere to go");
	const char *timing = app_arg_str(args, "timing");
	if (strcmp(timing, "asap") && strcmp(timing, "recorded"))
		return app_check_error(c, "timing", "timing=%s: expected asap or recorded", timing);
	char err[200];
	struct rate rt;
	double burst;
	if (app_arg_isset(args, "rate")) {
		if (strcmp(timing, "recorded") == 0)
			return app_check_error(c, "rate", "rate= and timing=recorded: choose one pace");
		if (rate_parse(app_arg_str(args, "rate"), &rt, err, sizeof err) < 0)
			return app_check_error(c, "rate", "rate=: %s", err);
		if (app_arg_isset(args, "burst") &&
		    rate_parse_burst(app_arg_str(args, "burst"), rt.unit, &burst, err, sizeof err) < 0)
			return app_check_error(c, "burst", "burst=: %s", err);
	} else if (app_arg_isset(args, "burst")) {
		return app_check_error(c, "burst", "burst= goes with rate=");
	}
	return 0;
}

/* Pacing as pcap_reader_check() accepted it. */
static void pcap_reader_pacing(struct pcap_reader *r, const struct app_args *args)
{
	char err[200];
	if (app_arg_isset(args, "rate")) {
		r->pacing = PACE_RATE;
		rate_parse(app_arg_str(args, "rate"), &r->rate, err, sizeof err);
		double burst = r->rate.per_sec * PCAP_BURST_S;
		double least = r->rate.unit == RATE_PPS ? 1 : PACKET_MAX_FRAME * 8.0;
		if (burst < least)
			burst = least;
		if (app_arg_isset(args, "burst"))
			rate_parse_burst(app_arg_str(args, "burst"), r->rate.unit, &burst, err, sizeof err);
		token_bucket_init(&r->bucket, &r->rate, burst);
		r->bucket.tokens = 0;   /* start empty: no burst at start */
	} else if (strcmp(app_arg_str(args, "timing"), "recorded") == 0) {
		r->pacing = PACE_RECORDED;
		r->ticks_per_ns = (double)rate_tsc_hz() / 1e9;
	}
}

static int pcap_reader_new(struct app *app, const struct app_args *args)
{
	struct link *output = app_output(app, "output");
	struct pcap_reader *r = calloc(1, sizeof(*r));
	if (!r)
		return app_error(app, "out of memory");
	if (pcap_in_open(&r->in, app_arg_str(args, "file")) != 0) {
		app_error(app, "%s", r->in.error);
		pcap_in_close(&r->in);
		free(r);
		return -1;
	}
	r->output = output;
	r->loop = app_arg_bool(args, "loop");
	pcap_reader_pacing(r, args);
	r->packets = app_counter(app, "packets");
	r->bytes = app_counter(app, "bytes");
	r->errors = app_counter(app, "errors");
	r->snapped = app_counter(app, "snapped");
	r->loops = app_counter(app, "loops");
	r->alloc_failures = app_counter(app, "alloc_failures");
	app->state = r;
	return 0;
}

/* Read one record into p.  true: p holds a frame; false: nothing more now
 * (r->finished says whether for good). */
static bool pcap_reader_one(struct app *app, struct pcap_reader *r, struct packet *p)
{
	for (;;) {
		struct pcap_record rec;
		int got = pcap_in_next(&r->in, packet_data(p), PACKET_MAX_FRAME, &rec);
		if (got == 1) {
			p->length = (uint16_t)rec.kept;
			if (rec.has_ts)
				packet_set_timestamp(p, rec.ts_ns);
			else
				p->timestamp_ns = 0;   /* replay paces it as due at once */
			/* Cut by the capture (orig_len > incl_len) or here (a record
			 * longer than a packet holds): the wire length goes with it. */
			uint32_t wire = rec.origlen > rec.caplen ? rec.origlen : rec.caplen;
			if (wire > rec.kept) {
				p->flags |= PACKET_F_SNAPPED;
				p->orig_length = wire;
				(*r->snapped)++;
			}
			r->pass_records++;
			return true;
		}
		if (got < 0) {
			log_error("pcap_reader %s: %s", app->name, r->in.error);
			app_error(app, "%s", r->in.error);
			(*r->errors)++;
			r->finished = true;
			return false;
		}
		/* End of file.  Rewind only if the pass found something, or an
		 * empty file would spin here forever. */
		if (!r->loop || r->pass_records == 0 || pcap_in_rewind(&r->in) != 0) {
			if (r->in.failed) {
				log_error("pcap_reader %s: %s", app->name, r->in.error);
				app_error(app, "%s", r->in.error);
				(*r->errors)++;
			}
			r->finished = true;
			return false;
		}
		r->pass_records = 0;
		r->rewound = true;
		(*r->loops)++;
	}
}

/* Whether frame p may go now (and, with a rate, pay for it). */
static bool pcap_reader_due(struct pcap_reader *r, struct packet *p, uint64_t tsc)
{
	if (r->pacing == PACE_RATE) {
		double cost = r->rate.unit == RATE_PPS ? 1.0 : p->length * 8.0;
		if (r->bucket.tokens < cost)
			return false;
		r->bucket.tokens -= cost;
		return true;
	}
	if (r->pacing == PACE_NONE)
		return true;
	if (!r->started || r->rewound) {
		/* The origin: the first frame now; after a rewind, the first frame
		 * of the new pass where the last of the old one was. */
		if (r->started)
			r->tsc0 += (uint64_t)((double)(r->last_ts - r->ts0) * r->ticks_per_ns);
		else
			r->tsc0 = tsc;
		r->ts0 = p->timestamp_ns;
		r->started = true;
		r->rewound = false;
	}
	/* A capture time before the origin (files are not always in order) is due at once. */
	uint64_t after = p->timestamp_ns > r->ts0 ? p->timestamp_ns - r->ts0 : 0;
	if (tsc < r->tsc0 + (uint64_t)((double)after * r->ticks_per_ns))
		return false;
	if (p->timestamp_ns > r->last_ts || r->last_ts == 0)
		r->last_ts = p->timestamp_ns;
	return true;
}

static void pcap_reader_pull(struct app *app)
{
	struct pcap_reader *r = app->state;
	if (r->finished && !r->held)
		return;
	uint32_t want = link_nwritable(r->output);
	if (want > LINK_MAX_BATCH)
		want = LINK_MAX_BATCH;
	uint64_t tsc = r->pacing != PACE_NONE ? rdtsc() : 0;
	if (r->pacing == PACE_RATE)
		token_bucket_refill(&r->bucket, tsc);
	struct packet *pkts[LINK_MAX_BATCH];
	uint32_t n = 0;
	uint64_t bytes = 0;
	while (n < want) {
		struct packet *p = r->held;
		r->held = NULL;
		if (!p) {
			if (r->finished)
				break;
			if (!(p = packet_alloc())) {
				/* No frame is lost: the file position waits for the next breath. */
				(*r->alloc_failures)++;
				log_once(LOG_WARN, "pcap_reader %s: freelist exhausted, reading fewer frames",
				         app->name);
				break;
			}
			if (!pcap_reader_one(app, r, p)) {
				packet_free(p);
				break;
			}
		}
		if (!pcap_reader_due(r, p, tsc)) {
			r->held = p;   /* sent on a later breath */
			break;
		}
		bytes += p->length;
		pkts[n++] = p;
	}
	link_transmit_batch(r->output, pkts, n);
	*r->packets += n;
	*r->bytes += bytes;
}

static bool pcap_reader_done(struct app *app)
{
	struct pcap_reader *r = app->state;
	return r->finished && !r->held;
}

static void pcap_reader_report(struct app *app, FILE *out)
{
	struct pcap_reader *r = app->state;
	if (r && r->in.failed)
		fprintf(out, "    error: %s\n", r->in.error);
}

static void pcap_reader_stop(struct app *app)
{
	struct pcap_reader *r = app->state;
	if (!r)
		return;
	if (r->held)
		packet_free(r->held);   /* the only packet it may hold */
	pcap_in_close(&r->in);
	free(r);
	app->state = NULL;
}

static const char *const pcap_reader_inputs[] = {NULL};
static const char *const pcap_reader_outputs[] = {"output", NULL};
static const struct app_param pcap_reader_params[] = {
	{"file", PARAM_STRING, NULL, true, "pcap or pcapng file to read"},
	{"loop", PARAM_BOOL, "false", false, "start again from the first record at end of file"},
	{"rate", PARAM_STRING, NULL, false,
	 "replay at 1Mpps, 500kpps, 5Gbps, 100Mbps... (TSC-paced); unset: as fast as possible"},
	{"burst", PARAM_STRING, NULL, false,
	 "with rate=: most a late breath catches up, packets (64) or bytes (64kB); default 1 ms"},
	{"timing", PARAM_STRING, "asap", false,
	 "asap (as fast as the output takes them) or recorded (the capture's own gaps)"},
	{NULL},
};

static const struct app_class pcap_reader_class = {
	.name = "pcap_reader",
	.help = "sends the frames of a pcap file on output, with their capture times",
	.doc =
		"Ports: output (must be connected).\n"
		"Reads classic pcap files with microsecond (a1b2c3d4) or nanosecond\n"
		"(a1b23c4d) timestamps, in either byte order, link type Ethernet, and pcapng\n"
		"files (what Wireshark and dumpcap write): sections in either byte order,\n"
		"several interfaces, if_tsresol and if_tsoffset; enhanced, simple and obsolete\n"
		"packet blocks (a simple packet has no time); other blocks are stepped over.\n"
		"An interface whose link type is not Ethernet, a frame of an interface not\n"
		"described, or pcapng other than 1.x is refused, naming the block's byte\n"
		"offset. Up to 128 frames per breath, never more than the output link\n"
		"has room for. Each frame's capture time goes with the packet, and so does the\n"
		"original length of a frame the capture cut short: pcap_writer writes both\n"
		"back. A record longer than 9216 bytes (a GSO capture) is sent cut to 9216\n"
		"bytes, counted as snapped, its original length kept; reading goes on.\n"
		"Without loop the reader is done at end of file, so `kvick run` stops once\n"
		"everything is delivered.\n"
		"Replay: rate= paces frames from the TSC (a token bucket, as for generator);\n"
		"timing=recorded sends each frame once as much time has passed since the\n"
		"first as their capture times differ by (a loop continues the timeline).\n"
		"A frame read but not yet due waits in the reader.\n"
		"Errors: a file that cannot be opened, or is not a classic Ethernet pcap, is\n"
		"refused with the topology (kvick check says so too). A truncated or corrupt\n"
		"record (length over the file's snaplen, short header, short data) ends the\n"
		"reading: every frame before it is delivered, the message names the record's\n"
		"byte offset (log and report), errors counts it, and the reader is done, even\n"
		"with loop=true.\n"
		"Counters:\n"
		"  packets, bytes   frames sent (bytes as sent)\n"
		"  errors           a corrupt or truncated record ended the file\n"
		"  snapped          frames sent shorter than on the wire: cut by the capture\n"
		"                   (orig_len > incl_len) or here (over 9216 bytes)\n"
		"  loops            rewinds to the first record (loop=true)\n"
		"  alloc_failures   breaths with an empty freelist (nothing lost: reading\n"
		"                   resumes next breath)\n",
	.inputs = pcap_reader_inputs,
	.outputs = pcap_reader_outputs,
	.params = pcap_reader_params,
	.check = pcap_reader_check,
	.new = pcap_reader_new,
	.pull = pcap_reader_pull,
	.stop = pcap_reader_stop,
	.report = pcap_reader_report,
	.done = pcap_reader_done,
};
KVICK_APP(pcap_reader_class);
