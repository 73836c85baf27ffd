/* pcap_reader.c -- frames from a pcap file onto output.
 *
 * Reads a classic pcap file (microsecond or nanosecond timestamps, either
 * byte order; see pcap_format.h) front to back, up to one batch per breath
 * and never more than the output link has room for, so no frame is read
 * only to be dropped.  Each frame's capture time goes to
 * packet->timestamp_ns, which pcap_writer writes back out.
 *
 * Bad input, decided early where possible:
 *  - a file that cannot be opened, or whose header is not a classic
 *    Ethernet pcap header, is refused with the topology (check()), and
 *    again by new() if it changed since: nothing starts;
 *  - a truncated or corrupt record (length over snaplen or over
 *    PACKET_MAX_FRAME, short header, short data) is found while reading:
 *    every frame before it has been delivered, the message naming the byte
 *    offset is logged and kept for the report, `errors` counts it, and the
 *    reader is done (even with loop=true: the file is broken).
 */
#include <stdlib.h>

#include "../core/app.h"
#include "../core/log.h"
#include "pcap_format.h"

struct pcap_reader {
	struct pcap_in in;
	struct link *output;
	bool loop;
	bool finished;           /* end of file (not looping) or an error */
	uint64_t pass_records;   /* records read since the last rewind */
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
	return 0;
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
			p->length = (uint16_t)rec.caplen;
			p->timestamp_ns = rec.ts_ns;
			if (rec.origlen > rec.caplen)
				(*r->snapped)++;   /* the capture kept only part of it */
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
		(*r->loops)++;
	}
}

static void pcap_reader_pull(struct app *app)
{
	struct pcap_reader *r = app->state;
	if (r->finished)
		return;
	uint32_t want = link_nwritable(r->output);
	if (want > LINK_MAX_BATCH)
		want = LINK_MAX_BATCH;
	struct packet *pkts[LINK_MAX_BATCH];
	uint32_t have = packet_alloc_batch(pkts, want);
	if (have < want) {
		/* No frame is lost: the file position waits for the next breath. */
		(*r->alloc_failures)++;
		log_once(LOG_WARN, "pcap_reader %s: freelist exhausted, reading fewer frames", app->name);
	}
	uint32_t n = 0;
	uint64_t bytes = 0;
	while (n < have && pcap_reader_one(app, r, pkts[n])) {
		bytes += pkts[n]->length;
		n++;
	}
	packet_free_batch(pkts + n, have - n);  /* allocated but not needed */
	link_transmit_batch(r->output, pkts, n);
	*r->packets += n;
	*r->bytes += bytes;
}

static bool pcap_reader_done(struct app *app)
{
	struct pcap_reader *r = app->state;
	return r->finished;
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
	pcap_in_close(&r->in);   /* holds no packets between breaths */
	free(r);
	app->state = NULL;
}

static const char *const pcap_reader_inputs[] = {NULL};
static const char *const pcap_reader_outputs[] = {"output", NULL};
static const struct app_param pcap_reader_params[] = {
	{"file", PARAM_STRING, NULL, true, "pcap file to read (classic pcap, not pcapng)"},
	{"loop", PARAM_BOOL, "false", false, "start again from the first record at end of file"},
	{NULL},
};

static const struct app_class pcap_reader_class = {
	.name = "pcap_reader",
	.help = "sends the frames of a pcap file on output, with their capture times",
	.doc =
		"Ports: output (must be connected).\n"
		"Reads classic pcap files with microsecond (a1b2c3d4) or nanosecond\n"
		"(a1b23c4d) timestamps, in either byte order, link type Ethernet (pcapng is\n"
		"not supported). Up to 128 frames per breath, never more than the output link\n"
		"has room for. Each frame's capture time goes into the packet's timestamp.\n"
		"Without loop the reader is done at end of file, so `kvick run` stops once\n"
		"everything is delivered.\n"
		"Errors: a file that cannot be opened, or is not a classic Ethernet pcap,\n"
		"is refused with the topology (kvick check says so too). A truncated or corrupt record (length over the file's\n"
		"snaplen or over 9216 bytes, short header, short data) ends the reading:\n"
		"every frame before it is delivered, the message names the record's byte\n"
		"offset (log and report), errors counts it, and the reader is done, even with\n"
		"loop=true.\n"
		"Counters:\n"
		"  packets, bytes   frames sent\n"
		"  errors           a corrupt or truncated record ended the file\n"
		"  snapped          frames the capture cut short (orig_len > incl_len), sent\n"
		"                   as captured\n"
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
