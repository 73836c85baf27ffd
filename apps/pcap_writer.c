/* pcap_writer.c -- frames from input into a pcap file.
 *
 * Writes a classic pcap file (link type Ethernet) that tcpdump, tshark and
 * libpcap read.  A frame's time is its capture time when it has one
 * (PACKET_F_TIMESTAMP, 0 included) and the wall clock at writing
 * otherwise; a snapped frame's record keeps its original length.  So
 * pcap_reader -> pcap_writer copies a file exactly: frames, times to the
 * file's precision, original lengths.
 *
 * Records are buffered and written in large chunks; the buffer is also
 * written whenever a breath brings nothing, so a quiet run's file is up to
 * date, and at stop.  A write error (disk full, ...) cuts the file back
 * to its last whole record (pcap_format.c), is logged once naming the
 * file and errno, and stops the run (app_fatal: exit status 1); the
 * records it lost, and frames that still arrive, count in write_errors.
 * A short file beats a file with holes or half a record.
 */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../core/app.h"
#include "../core/log.h"
#include "pcap_format.h"

struct pcap_writer {
	struct pcap_out out;
	struct link *input;
	bool dirty;              /* records in the buffer since the last flush */
	bool reported;           /* the write error has been reported */
	uint64_t *packets, *bytes, *write_errors;
};

/* The file is created by new(), not here (check creates nothing): what
 * can be told now is whether its folder is there and writable, and that
 * the name is not a folder. */
static int pcap_writer_check(struct app_check *c, const struct app_args *args)
{
	const char *file = app_arg_str(args, "file");
	if (!*file)
		return app_check_error(c, "file", "file= is empty");
	struct stat st;
	if (stat(file, &st) == 0 && S_ISDIR(st.st_mode))
		return app_check_error(c, "file", "%s is a directory", file);
	char *copy = strdup(file);
	if (!copy)
		return app_check_error(c, "file", "out of memory");
	const char *dir = dirname(copy);
	int r = 0;
	if (stat(dir, &st) != 0)
		r = app_check_error(c, "file", "cannot create %s: folder %s: %s", file, dir,
		                    strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		r = app_check_error(c, "file", "cannot create %s: %s is not a folder", file, dir);
	else if (access(dir, W_OK | X_OK) != 0)
		r = app_check_error(c, "file", "cannot create %s: folder %s: %s", file, dir,
		                    strerror(errno));
	free(copy);
	return r;
}

static int pcap_writer_new(struct app *app, const struct app_args *args)
{
	struct pcap_writer *w = calloc(1, sizeof(*w));
	if (!w)
		return app_error(app, "out of memory");
	char err[PCAP_ERROR_MAX];
	if (pcap_out_open(&w->out, app_arg_str(args, "file"), app_arg_bool(args, "nsec"),
	                  err, sizeof(err)) != 0) {
		pcap_out_close(&w->out);
		free(w);
		return app_error(app, "%s", err);
	}
	w->input = app_input(app, "input");
	w->packets = app_counter(app, "packets");
	w->bytes = app_counter(app, "bytes");
	w->write_errors = app_counter(app, "write_errors");
	app->state = w;
	return 0;
}

static uint64_t wall_clock_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The counters say what the file holds (or its buffer will); after a
 * write error, say once what happened and stop the run: every later frame
 * would be lost too. */
static void pcap_writer_account(struct app *app, struct pcap_writer *w)
{
	*w->packets = w->out.records;
	*w->bytes = w->out.bytes;
	*w->write_errors = w->out.lost;
	if (!w->out.failed || w->reported)
		return;
	w->reported = true;
	const char *why = strerror(w->out.err);
	log_error("pcap_writer %s: writing %s failed: %s (errno %d); the file keeps its first "
	          "%llu records, whole; stopping the run", app->name, w->out.path, why, w->out.err,
	          (unsigned long long)w->out.records);
	app_fatal(app, "writing %s failed: %s (errno %d): the file keeps its first %llu records, "
	          "whole; frames not written are counted in write_errors", w->out.path, why,
	          w->out.err, (unsigned long long)w->out.records);
}

static void pcap_writer_push(struct app *app)
{
	struct pcap_writer *w = app->state;
	if (!w->input)
		return;
	struct packet *pkts[LINK_MAX_BATCH];
	uint32_t n = link_receive_batch(w->input, pkts, LINK_MAX_BATCH);
	if (n == 0) {
		if (w->dirty)
			pcap_out_flush(&w->out);
		w->dirty = false;
		pcap_writer_account(app, w);
		return;
	}
	uint64_t now = 0;
	for (uint32_t k = 0; k < n; k++) {
		struct packet *p = pkts[k];
		uint64_t ts = p->timestamp_ns;
		if (!(p->flags & PACKET_F_TIMESTAMP))
			ts = now ? now : (now = wall_clock_ns());
		pcap_out_write(&w->out, packet_data(p), p->length, packet_wire_length(p), ts);
	}
	packet_free_batch(pkts, n);
	w->dirty = true;
	pcap_writer_account(app, w);
}

static void pcap_writer_stop(struct app *app)
{
	struct pcap_writer *w = app->state;
	if (!w)
		return;
	/* (path is freed by close: the message is made first) */
	pcap_out_flush(&w->out);
	pcap_writer_account(app, w);
	bool failed_before = w->out.failed;
	char *path = strdup(w->out.path ? w->out.path : "?");
	pcap_out_close(&w->out);
	if (w->out.failed && !failed_before) {
		log_error("pcap_writer %s: closing %s failed: %s", app->name, path ? path : "?",
		          strerror(w->out.err));
		app_error(app, "closing %s failed: %s (errno %d): its last records may be lost",
		          path ? path : "?", strerror(w->out.err), w->out.err);
	}
	free(path);
	free(w);
	app->state = NULL;
}

static const char *const pcap_writer_inputs[] = {"input", NULL};
static const char *const pcap_writer_outputs[] = {NULL};
static const struct app_param pcap_writer_params[] = {
	{"file", PARAM_STRING, NULL, true, "pcap file to create (an existing file is replaced)"},
	{"nsec", PARAM_BOOL, "false", false,
	 "nanosecond timestamps (magic a1b23c4d) instead of microseconds"},
	{NULL},
};

static const struct app_class pcap_writer_class = {
	.name = "pcap_writer",
	.help = "writes the frames received on input to a pcap file",
	.doc =
		"Ports: input.\n"
		"Writes a classic pcap file, link type Ethernet, snaplen 65535, readable by\n"
		"tcpdump, tshark and libpcap. A record's time is the frame's capture time when\n"
		"it has one (frames from pcap_reader and rawsock; 0 is a time too) and the\n"
		"wall clock otherwise; a snapped frame keeps its original length (orig_len),\n"
		"so pcap_reader -> pcap_writer copies a classic pcap exactly. Records are buffered; the buffer is written when full,\n"
		"whenever a breath brings no packets, and at stop, which closes the file. A\n"
		"file whose folder is missing or not writable is refused with the topology\n"
		"(kvick check says so too); one that still cannot be created fails at start.\n"
		"A failed write (disk full) cuts the file back to its last whole record,\n"
		"logs the file name and errno, and stops the run with exit status 1.\n"
		"Counters:\n"
		"  packets, bytes   records in the file (or in its buffer, to be written)\n"
		"  write_errors     frames received but not in the file (a failed write, and\n"
		"                   every frame after it: the file never has holes)\n",
	.inputs = pcap_writer_inputs,
	.outputs = pcap_writer_outputs,
	.params = pcap_writer_params,
	.check = pcap_writer_check,
	.new = pcap_writer_new,
	.push = pcap_writer_push,
	.stop = pcap_writer_stop,
};
KVICK_APP(pcap_writer_class);
