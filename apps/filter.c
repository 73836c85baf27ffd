/* filter.c -- passes the frames that match a pcap-filter expression.
 *
 *            +--------+
 *   input -->| filter |--> output   frames that match
 *            |        |--> reject   frames that don't (optional port)
 *            +--------+
 *
 * The expression is the language of tcpdump (`man pcap-filter`): "tcp port
 * 80", "arp or icmp", "vlan 10 and udp", ...  libpcap compiles it once, at
 * start, into a classic BPF program for Ethernet frames; each frame then
 * runs through libpcap's BPF interpreter (bpf_filter).  A frame that does
 * not match goes to `reject` when it is linked, else it is freed and
 * counted as `rejected` -- a deliberate, counted drop.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

#include "../core/app.h"

struct filter {
	struct bpf_program prog;
	struct link *in, *out, *reject;
	uint64_t *accepted, *rejected;
};

/* Compile expr into prog; 0, or -1 with the reason in err. */
static int filter_compile(const char *expr, struct bpf_program *prog, char *err, size_t errlen)
{
	/* A "dead" handle is all pcap_compile needs: the link type (Ethernet)
	 * and a snapshot length as large as our largest frame. */
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, PACKET_MAX_FRAME);
	if (!dead) {
		snprintf(err, errlen, "libpcap could not create a compiler handle");
		return -1;
	}
	int r = pcap_compile(dead, prog, expr, 1, PCAP_NETMASK_UNKNOWN);
	if (r < 0)
		snprintf(err, errlen, "bad filter expression \"%s\": %s (see `man pcap-filter`)", expr,
		         pcap_geterr(dead));
	pcap_close(dead);
	return r < 0 ? -1 : 0;
}

static int filter_check(struct app_check *c, const struct app_args *args)
{
	struct bpf_program prog;
	char err[256];
	if (filter_compile(app_arg_str(args, "expr"), &prog, err, sizeof(err)) < 0)
		return app_check_error(c, "expr", "%s", err);
	pcap_freecode(&prog);
	if (!app_check_linked(c, "input", false) || !app_check_linked(c, "output", true))
		return app_check_error(c, NULL, "link both input and output");
	return 0;
}

/* The expression compiles and the ports are linked: filter_check(). */
static int filter_new(struct app *a, const struct app_args *args)
{
	struct filter *f = calloc(1, sizeof *f);
	if (!f)
		return app_error(a, "out of memory");
	f->in = app_input(a, "input");
	f->out = app_output(a, "output");
	f->reject = app_output(a, "reject");
	char err[256];
	if (filter_compile(app_arg_str(args, "expr"), &f->prog, err, sizeof(err)) < 0) {
		free(f);
		return app_error(a, "%s", err);   /* libpcap out of memory, say */
	}
	f->accepted = app_counter(a, "accepted");
	f->rejected = app_counter(a, "rejected");
	a->state = f;
	return 0;
}

static void filter_push(struct app *a)
{
	struct filter *f = a->state;
	struct packet *pk[LINK_MAX_BATCH], *yes[LINK_MAX_BATCH], *no[LINK_MAX_BATCH];
	uint32_t n = link_receive_batch(f->in, pk, LINK_MAX_BATCH), ny = 0, nn = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct packet *p = pk[i];
		/* bpf_filter returns the number of bytes to keep: 0 = no match. */
		if (bpf_filter(f->prog.bf_insns, packet_data(p), p->length, p->length))
			yes[ny++] = p;
		else
			no[nn++] = p;
	}
	*f->accepted += ny;
	*f->rejected += nn;
	link_transmit_batch(f->out, yes, ny);
	if (f->reject)
		link_transmit_batch(f->reject, no, nn);
	else
		packet_free_batch(no, nn);
}

static void filter_stop(struct app *a)
{
	struct filter *f = a->state;
	if (!f)
		return;
	pcap_freecode(&f->prog);
	free(f);
}

static const char *const filter_inputs[] = { "input", NULL };
static const char *const filter_outputs[] = { "output", "reject", NULL };
static const struct app_param filter_params[] = {
	{ "expr", PARAM_STRING, NULL, true,
	  "pcap-filter expression, as for tcpdump: \"tcp port 80\", \"arp or icmp\"" },
	{ NULL },
};

static const struct app_class filter_class = {
	.name = "filter",
	.help = "passes frames matching a pcap-filter (tcpdump) expression",
	.doc = "Compiled once by libpcap to classic BPF; each frame runs through bpf_filter.\n"
	       "Non-matching frames go to `reject` if linked, else are freed and counted.\n"
	       "Counters: accepted, rejected.\n"
	       "Example: app web filter expr=\"tcp port 80 or tcp port 443\"",
	.inputs = filter_inputs,
	.outputs = filter_outputs,
	.params = filter_params,
	.check = filter_check,
	.new = filter_new,
	.push = filter_push,
	.stop = filter_stop,
};
KVICK_APP(filter_class);
