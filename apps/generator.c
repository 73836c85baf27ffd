/* generator.c -- synthetic UDP or TCP flows over IPv4 or IPv6, paced or
 * flat out (the job of Snabb's packetblaster synth).
 *
 *   +-----------+
 *   | generator |--> output
 *   +-----------+
 *
 * Every frame: Ethernet (optionally one 802.1Q tag), IPv4 or IPv6, UDP or
 * TCP, then the 16-byte stamp of stamp.h (sequence number, TSC), then
 * zeros.  Checksums are valid: the IPv4 header checksum and the UDP/TCP
 * checksum are computed for every frame (the zeros after the stamp add
 * nothing to a ones'-complement sum, so only headers and stamp are summed).
 *
 * Flows vary per packet: each of src_ip, dst_ip, src_port, dst_port is a
 * range, and every frame takes the next value of each (wrapping at the
 * end of its range on its own), so frame k has src_port lo + k mod n, and
 * so on.  IPv6 ranges vary the low 64 bits.
 *
 * Sizes are on-the-wire Ethernet sizes *with* the 4-byte FCS the NIC
 * appends (RFC 2544's convention): size=64 makes 60-byte packets, the
 * frame of 14.88 Mpps on 10 GbE.  size= is one size, a range "64-1518"
 * (uniform, from a fixed-seed xorshift), or "imix": 64, 594 and 1518 in
 * the ratio 7:4:1, in a fixed order of twelve (the 64 raised to the
 * smallest frame the headers and stamp allow: 98 for TCP over IPv6 with
 * a tag).
 *
 * rate= paces from the TSC with a token bucket (rate.h; bits counted as
 * rate.h says, without FCS) that starts empty and holds at most burst=
 * (default 1 ms of the rate): a late breath catches up that much, no
 * more -- a process descheduled for longer loses the difference.  Without rate= every breath
 * makes as many frames as the output has room for, up to 128.  The TSC
 * in the stamp is read once per breath: frames of one batch share it.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/app.h"
#include "../core/engine.h"
#include "../core/log.h"
#include "offload.h"
#include "rate.h"
#include "stamp.h"
#include "vlan.h"

#define GEN_FCS        4u
#define GEN_IMIX_N     12u
#define GEN_BURST_S    0.001

enum gen_size_mode { GEN_FIXED, GEN_RANGE, GEN_IMIX };

/* A range of values base .. base + n - 1; i is the next offset. */
struct gen_range {
	uint64_t base, n, i;
};

struct generator {
	struct link *out;
	bool v6, tcp;
	uint16_t l3, l4, pay;        /* offsets of IP, L4 header, stamp */
	struct gen_range sip, dip, sport, dport;
	enum gen_size_mode size_mode;
	uint16_t len_lo, len_hi;     /* packet lengths (size - FCS) */
	uint16_t pending_len;        /* next frame's length (0: not drawn) */
	uint32_t imix_i;
	uint16_t imix_small;         /* IMIX's "64", raised if the headers need more */
	uint64_t rng;
	bool paced, bits;
	struct rate rate;
	struct token_bucket bucket;
	bool bounded;
	uint64_t remaining, seq;
	uint64_t *packets, *bytes, *alloc_failures;
	uint8_t frame[PACKET_MAX_FRAME + PACKET_COPY_SLACK];   /* template */
};

static const uint16_t gen_imix[GEN_IMIX_N] = {
	64, 594, 64, 64, 1518, 64, 594, 64, 64, 594, 64, 594,
};

static inline void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }

static inline uint64_t gen_next(struct gen_range *r)
{
	uint64_t v = r->base + r->i;
	if (++r->i == r->n)
		r->i = 0;
	return v;
}

/* ---- parameters ---- */

/* A refusal from check() at parameter `param` (NULL: the app line).  new()
 * parses the same values again with c == NULL: check() has passed them,
 * so nothing can fail there. */
static int gen_err(struct app_check *c, const char *param, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int gen_err(struct app_check *c, const char *param, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return c ? app_check_error(c, param, "%s", msg) : -1;
}

/* "A" or "A-B" split into two strings (b = a when there is no dash). */
static int gen_split(const char *text, char *a, char *b, size_t len)
{
	const char *dash = strchr(text, '-');
	size_t na = dash ? (size_t)(dash - text) : strlen(text);
	if (na == 0 || na >= len || (dash && strlen(dash + 1) >= len))
		return -1;
	memcpy(a, text, na);
	a[na] = 0;
	strcpy(b, dash ? dash + 1 : a);
	return 0;
}

/* A decimal number, all of s. */
static int gen_number(const char *s, int64_t *out)
{
	char *end;
	if (*s < '0' || *s > '9')
		return -1;
	long long v = strtoll(s, &end, 10);
	*out = v;
	return *end ? -1 : 0;
}

static int gen_port_range(struct app_check *c, const char *name, const char *text,
                          struct gen_range *r)
{
	char a[16], b[16];
	int64_t lo, hi;
	if (gen_split(text, a, b, sizeof a) < 0 || gen_number(a, &lo) < 0 ||
	    gen_number(b, &hi) < 0 || lo < 0 || hi > 65535 || hi < lo)
		return gen_err(c, name, "%s=%s: expected a port or a range of ports in 0..65535 "
		               "(5001, 1024-65535)", name, text);
	*r = (struct gen_range){ (uint64_t)lo, (uint64_t)(hi - lo + 1), 0 };
	return 0;
}

/* IPv4: the address as a number.  IPv6: the low 64 bits vary, the high 64
 * bits are written into the template at hi6. */
static int gen_ip_range(struct app_check *c, const char *name, const char *text, bool v6,
                        struct gen_range *r, uint8_t *hi6)
{
	char a[64], b[64];
	uint8_t x[16], y[16];
	int af = v6 ? AF_INET6 : AF_INET;
	if (gen_split(text, a, b, sizeof a) < 0 || inet_pton(af, a, x) != 1 || inet_pton(af, b, y) != 1)
		return gen_err(c, name, "%s=%s: expected an %s address or a range (%s)", name, text,
		               v6 ? "IPv6" : "IPv4",
		               v6 ? "fd00::1, fd00::1-fd00::ff; ipv6=true" : "10.0.0.1, 10.0.0.1-10.0.0.254");
	uint64_t lo, hi;
	if (v6) {
		if (memcmp(x, y, 8))
			return gen_err(c, name, "%s=%s: an IPv6 range may vary the low 64 bits only", name, text);
		memcpy(hi6, x, 8);
		lo = stamp_get64(x + 8);
		hi = stamp_get64(y + 8);
	} else {
		lo = (uint64_t)x[0] << 24 | x[1] << 16 | x[2] << 8 | x[3];
		hi = (uint64_t)y[0] << 24 | y[1] << 16 | y[2] << 8 | y[3];
	}
	if (hi < lo || hi - lo == UINT64_MAX)
		return gen_err(c, name, "%s=%s: the range ends before it starts", name, text);
	*r = (struct gen_range){ lo, hi - lo + 1, 0 };
	return 0;
}

static int gen_sizes(struct app_check *c, struct generator *g, const char *text, unsigned min)
{
	char a[16], b[16];
	int64_t lo, hi;
	if (strcmp(text, "imix") == 0) {
		/* IMIX's 64 is raised to the smallest frame these headers allow. */
		g->size_mode = GEN_IMIX;
		g->imix_small = (uint16_t)((min > 64 ? min : 64) - GEN_FCS);
		lo = min;
		hi = 1518;
	} else if (gen_split(text, a, b, sizeof a) < 0 || gen_number(a, &lo) < 0 ||
	           gen_number(b, &hi) < 0 || hi < lo) {
		return gen_err(c, "size", "size=%s: expected a size (64), a range (64-1518) or imix", text);
	} else {
		g->size_mode = lo == hi ? GEN_FIXED : GEN_RANGE;
	}
	if (lo < min || hi > PACKET_MAX_FRAME)
		return gen_err(c, "size", "size=%s: frames are %u..%u bytes with FCS here (the headers "
		               "and the 16-byte stamp need %u)", text, min, PACKET_MAX_FRAME, min);
	g->len_lo = (uint16_t)(lo - GEN_FCS);
	g->len_hi = (uint16_t)(hi - GEN_FCS);
	return 0;
}

/* The constant part of every frame: MACs, tag, EtherType, IP and L4
 * fields that never change. */
static void gen_template(struct generator *g, const uint8_t dst[6], const uint8_t src[6],
                         bool vlan, uint16_t tci)
{
	uint8_t *f = g->frame;
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	if (vlan) {
		put16(f + 12, VLAN_TPID_8021Q);
		put16(f + 14, tci);
	}
	put16(f + g->l3 - 2, g->v6 ? 0x86dd : 0x0800);
	uint8_t *ip = f + g->l3, proto = g->tcp ? 6 : 17;
	if (g->v6) {
		ip[0] = 0x60;            /* version 6, traffic class 0, flow label 0 */
		ip[6] = proto;           /* next header */
		ip[7] = 64;              /* hop limit */
	} else {
		ip[0] = 0x45;            /* version 4, IHL 5 */
		put16(ip + 6, 0x4000);   /* DF, no fragments */
		ip[8] = 64;              /* TTL */
		ip[9] = proto;
	}
	if (g->tcp) {
		uint8_t *t = f + g->l4;
		t[12] = 5 << 4;          /* data offset: 20 bytes, no options */
		t[13] = 0x18;            /* PSH, ACK */
		put16(t + 14, 65535);    /* window */
	}
}

/* Every value into g (and its template); 0, or -1 after gen_err(c, ...). */
static int gen_parse(struct app_check *c, struct generator *g, const struct app_args *args)
{
	const char *proto = app_arg_str(args, "proto");
	if (strcmp(proto, "udp") && strcmp(proto, "tcp"))
		return gen_err(c, "proto", "proto=%s: must be udp or tcp", proto);
	g->tcp = proto[0] == 't';
	g->v6 = app_arg_bool(args, "ipv6");
	bool vlan = app_arg_isset(args, "vlan");
	int64_t vid = app_arg_int(args, "vlan"), pcp = app_arg_int(args, "pcp");
	if (vlan && (vid < 0 || vid > VLAN_VID_MAX))
		return gen_err(c, "vlan", "vlan=%lld: a VLAN ID is 0..%u", (long long)vid, VLAN_VID_MAX);
	if (pcp < 0 || pcp > 7)
		return gen_err(c, "pcp", "pcp=%lld: a priority is 0..7", (long long)pcp);
	g->l3 = vlan ? 18 : 14;
	g->l4 = g->l3 + (g->v6 ? 40 : 20);
	g->pay = g->l4 + (g->tcp ? 20 : 8);

	const char *sip = app_arg_str(args, "src_ip"), *dip = app_arg_str(args, "dst_ip");
	if (!sip)
		sip = g->v6 ? "fd00::1" : "10.0.0.1";
	if (!dip)
		dip = g->v6 ? "fd00:1::1" : "10.1.0.1";
	uint8_t *ip = g->frame + g->l3;
	if (gen_ip_range(c, "src_ip", sip, g->v6, &g->sip, ip + 8) < 0 ||
	    gen_ip_range(c, "dst_ip", dip, g->v6, &g->dip, ip + 24) < 0 ||
	    gen_port_range(c, "src_port", app_arg_str(args, "src_port"), &g->sport) < 0 ||
	    gen_port_range(c, "dst_port", app_arg_str(args, "dst_port"), &g->dport) < 0 ||
	    gen_sizes(c, g, app_arg_str(args, "size"), g->pay + STAMP_LEN + GEN_FCS) < 0)
		return -1;
	if (app_arg_isset(args, "rate")) {
		char err[200];
		if (rate_parse(app_arg_str(args, "rate"), &g->rate, err, sizeof err) < 0)
			return gen_err(c, "rate", "rate=: %s", err);
		g->paced = true;
		g->bits = g->rate.unit == RATE_BPS;
		double burst = g->rate.per_sec * GEN_BURST_S;
		double least = g->bits ? PACKET_MAX_FRAME * 8.0 : 1;
		if (burst < least)
			burst = least;
		if (app_arg_isset(args, "burst") &&
		    rate_parse_burst(app_arg_str(args, "burst"), g->rate.unit, &burst, err, sizeof err) < 0)
			return gen_err(c, "burst", "burst=: %s", err);
		g->bucket.burst = burst;
	}
	int64_t count = app_arg_int(args, "count");
	if (app_arg_isset(args, "count") && count < 0)
		return gen_err(c, "count", "count=%lld: must be 0 or more (unset: no limit)", (long long)count);
	g->bounded = app_arg_isset(args, "count");
	g->remaining = (uint64_t)count;
	uint8_t dst[6], src[6];
	app_arg_mac(args, "dst_mac", dst);
	app_arg_mac(args, "src_mac", src);
	gen_template(g, dst, src, vlan, VLAN_TCI(pcp, vid));
	return 0;
}

static int gen_check(struct app_check *c, const struct app_args *args)
{
	if (!app_check_linked(c, "output", true))
		return app_check_error(c, NULL, "port 'output' is not linked: the frames would have "
		                       "nowhere to go");
	struct generator *g = calloc(1, sizeof *g);
	if (!g)
		return app_check_error(c, NULL, "out of memory");
	int rc = gen_parse(c, g, args);
	free(g);
	return rc;
}

/* Values and ports are as gen_check() accepted them. */
static int gen_new(struct app *app, const struct app_args *args)
{
	struct generator *g = calloc(1, sizeof *g);
	if (!g)
		return app_error(app, "out of memory");
	gen_parse(NULL, g, args);
	g->out = app_output(app, "output");
	if (g->paced) {
		token_bucket_init(&g->bucket, &g->rate, g->bucket.burst);
		g->bucket.tokens = 0;   /* start empty: no burst at start */
	}
	g->rng = 0x9e3779b97f4a7c15ull;
	g->packets = app_counter(app, "packets");
	g->bytes = app_counter(app, "bytes");
	g->alloc_failures = app_counter(app, "alloc_failures");
	app->state = g;
	return 0;
}

/* ---- the hot path ---- */

static inline uint16_t gen_len(struct generator *g)
{
	switch (g->size_mode) {
	case GEN_FIXED:
		return g->len_lo;
	case GEN_IMIX: {
		uint16_t s = gen_imix[g->imix_i];
		g->imix_i = g->imix_i + 1 == GEN_IMIX_N ? 0 : g->imix_i + 1;
		return s == 64 ? g->imix_small : (uint16_t)(s - GEN_FCS);
	}
	default:
		g->rng ^= g->rng << 13;  /* xorshift64 */
		g->rng ^= g->rng >> 7;
		g->rng ^= g->rng << 17;
		return (uint16_t)(g->len_lo + g->rng % (uint32_t)(g->len_hi - g->len_lo + 1));
	}
}

/* One frame of len bytes: the template, then this frame's fields. */
static void gen_fill(struct generator *g, struct packet *p, uint16_t len, uint64_t tsc)
{
	uint8_t *f = packet_data(p), *ip = f + g->l3, *l4 = f + g->l4;
	packet_copy_frame(f, g->frame, len);
	p->length = len;
	uint16_t l4len = (uint16_t)(len - g->l4);
	uint32_t sum;
	if (g->v6) {
		put16(ip + 4, l4len);                       /* payload length */
		stamp_put64(ip + 16, gen_next(&g->sip));    /* low 64 bits of src */
		stamp_put64(ip + 32, gen_next(&g->dip));
		sum = csum_add(0, ip + 8, 32);
	} else {
		put16(ip + 2, (uint16_t)(len - g->l3));     /* total length */
		put32(ip + 12, (uint32_t)gen_next(&g->sip));
		put32(ip + 16, (uint32_t)gen_next(&g->dip));
		uint16_t c = csum_fold(csum_add(0, ip, 20));
		memcpy(ip + 10, &c, 2);                     /* already in wire order */
		sum = csum_add(0, ip + 12, 8);
	}
	put16(l4, (uint16_t)gen_next(&g->sport));
	put16(l4 + 2, (uint16_t)gen_next(&g->dport));
	uint16_t csum_at;
	if (g->tcp) {
		put32(l4 + 4, (uint32_t)g->seq);            /* TCP sequence number */
		csum_at = 16;
	} else {
		put16(l4 + 4, l4len);
		csum_at = 6;
	}
	stamp_put64(f + g->pay, g->seq++);
	stamp_put64(f + g->pay + 8, tsc);
	/* Pseudo-header (addresses summed above, protocol, L4 length), the L4
	 * header (its checksum field still 0 from the template) and the stamp. */
	uint8_t ph[4] = { 0, g->tcp ? 6 : 17, (uint8_t)(l4len >> 8), (uint8_t)l4len };
	sum = csum_add(sum, ph, 4);
	sum = csum_add(sum, l4, (uint32_t)(g->pay - g->l4) + STAMP_LEN);
	uint16_t c = csum_fold(sum);
	if (!g->tcp && c == 0)
		c = 0xffff;                                 /* UDP: 0 means "no checksum" */
	memcpy(l4 + csum_at, &c, 2);
}

static void gen_pull(struct app *app)
{
	struct generator *g = app->state;
	uint32_t want = link_nwritable(g->out);
	if (want > LINK_MAX_BATCH)
		want = LINK_MAX_BATCH;
	if (g->bounded && want > g->remaining)
		want = (uint32_t)g->remaining;
	uint64_t tsc = rdtsc();
	if (g->paced) {
		token_bucket_refill(&g->bucket, tsc);
		if (!g->bits && want > g->bucket.tokens)
			want = (uint32_t)g->bucket.tokens;
	}
	if (want == 0)
		return;
	struct packet *pk[LINK_MAX_BATCH];
	uint32_t n = packet_alloc_batch(pk, want), made = 0;
	if (n < want) {
		(*g->alloc_failures)++;   /* fewer frames this breath, none lost */
		log_once(LOG_WARN, "generator %s: freelist exhausted, sending fewer frames", app->name);
	}
	uint64_t bytes = 0;
	for (; made < n; made++) {
		if (!g->pending_len)
			g->pending_len = gen_len(g);
		uint16_t len = g->pending_len;
		if (g->bits) {
			if (g->bucket.tokens < len * 8.0)
				break;
			g->bucket.tokens -= len * 8.0;
		}
		g->pending_len = 0;
		gen_fill(g, pk[made], len, tsc);
		bytes += len;
	}
	packet_free_batch(pk + made, n - made);   /* allocated, not afforded */
	if (g->paced && !g->bits)
		g->bucket.tokens -= made;
	link_transmit_batch(g->out, pk, made);
	*g->packets += made;
	*g->bytes += bytes;
	if (g->bounded)
		g->remaining -= made;
}

static bool gen_done(struct app *app)
{
	struct generator *g = app->state;
	return g->bounded && g->remaining == 0;
}

static void gen_report(struct app *app, FILE *out)
{
	struct generator *g = app->state;
	char r[32] = "as fast as possible";
	if (g->paced)
		rate_format(&g->rate, r, sizeof r);
	fprintf(out, "  %s over IPv%d, %s, rate %s\n", g->tcp ? "TCP" : "UDP", g->v6 ? 6 : 4,
	        g->size_mode == GEN_IMIX ? "imix" : g->size_mode == GEN_RANGE ? "size range" : "fixed size", r);
}

static void gen_stop(struct app *app)
{
	free(app->state);   /* holds no packets between breaths */
	app->state = NULL;
}

static const char *const gen_outputs[] = { "output", NULL };
static const char *const gen_inputs[] = { NULL };
static const struct app_param gen_params[] = {
	{ "size", PARAM_STRING, "64", false,
	  "frame size with FCS: 64, a range 64-1518 (uniform), or imix (64/594/1518, 7:4:1; "
	  "64 raised to the smallest the headers allow)" },
	{ "proto", PARAM_STRING, "udp", false, "udp or tcp" },
	{ "ipv6", PARAM_BOOL, "false", false, "IPv6 instead of IPv4" },
	{ "src_ip", PARAM_STRING, NULL, false,
	  "source address or range (10.0.0.1-10.0.0.254); default 10.0.0.1, fd00::1 with ipv6" },
	{ "dst_ip", PARAM_STRING, NULL, false,
	  "destination address or range; default 10.1.0.1, fd00:1::1 with ipv6" },
	{ "src_port", PARAM_STRING, "1024-65535", false, "source port or range" },
	{ "dst_port", PARAM_STRING, "5001", false, "destination port or range" },
	{ "src_mac", PARAM_MAC, "02:00:00:00:00:01", false, "source MAC address" },
	{ "dst_mac", PARAM_MAC, "02:00:00:00:00:02", false, "destination MAC address" },
	{ "vlan", PARAM_INT, NULL, false, "push an 802.1Q tag with this VLAN ID; unset: untagged" },
	{ "pcp", PARAM_INT, "0", false, "priority of the VLAN tag, 0..7" },
	{ "rate", PARAM_STRING, NULL, false,
	  "pace to 1Mpps, 500kpps, 5Gbps, 100Mbps...; unset: as fast as possible" },
	{ "burst", PARAM_STRING, NULL, false,
	  "most a late breath may catch up: packets (64) for a pps rate, bytes (64kB) for bps; "
	  "default 1 ms of the rate" },
	{ "count", PARAM_INT, NULL, false, "frames to send, then stop (done); unset: no limit" },
	{ NULL },
};

static const struct app_class generator_class = {
	.name = "generator",
	.help = "UDP/TCP over IPv4/IPv6 flows with valid checksums, paced or flat out",
	.doc =
		"Ports: output (must be connected).\n"
		"Each frame: Ethernet [802.1Q tag] IPv4|IPv6 UDP|TCP, then a 16-byte stamp\n"
		"(sequence number from 0 and the TSC at which it was made, both big-endian;\n"
		"the latency app reads it), then zeros.  IPv4 and L4 checksums are valid.\n"
		"Each frame takes the next value of every range (src_ip, dst_ip, src_port,\n"
		"dst_port), each wrapping on its own: flows vary per packet.\n"
		"size= counts the 4-byte FCS (size=64: 60-byte packets).  rate= counts bits\n"
		"without FCS, preamble or gap, and is paced from the TSC (a late breath\n"
		"catches up at most burst=, default 1 ms of the rate).  Without rate=: up to\n"
		"128 frames per breath, never more than the output has room for.  With count=\n"
		"the generator is finite (done).\n"
		"Counters:\n"
		"  packets, bytes   frames sent (bytes without FCS)\n"
		"  alloc_failures   breaths in which the freelist had fewer packets than\n"
		"                   wanted (fewer frames made, none lost)\n"
		"Example: app g generator size=imix rate=1Gbps dst_ip=10.1.0.1-10.1.0.100\n",
	.inputs = gen_inputs,
	.outputs = gen_outputs,
	.params = gen_params,
	.check = gen_check,
	.new = gen_new,
	.pull = gen_pull,
	.report = gen_report,
	.stop = gen_stop,
	.done = gen_done,
};
KVICK_APP(generator_class);
