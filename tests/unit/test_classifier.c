/* classifier: flow keys extracted as OVS does, the rule file parser and
 * its messages, and the three lookup tiers checked against a brute-force
 * reference written here (random rules with masks on every field and
 * overlapping priorities; random frames with VLAN tags, IPv4 options,
 * fragments, IPv6 extension headers and truncated headers); then the app
 * through the engine (ports, miss, counters). */
#include "apps_test.h"

#include <arpa/inet.h>

#include "../../apps/flow_cache.h"
#include "../../apps/flow_key.h"
#include "../../apps/flow_rules.h"

/* ------------------------------------------------------ frame builder */

struct fb {
	uint8_t b[256];
	int n;
};

static void put8(struct fb *f, unsigned v) { f->b[f->n++] = (uint8_t)v; }
static void put16(struct fb *f, unsigned v) { put8(f, v >> 8); put8(f, v); }
static void put32(struct fb *f, uint32_t v) { put16(f, v >> 16); put16(f, v); }
static void putn(struct fb *f, const uint8_t *p, int n) { memcpy(f->b + f->n, p, n); f->n += n; }
static void zeros(struct fb *f, int n) { memset(f->b + f->n, 0, n); f->n += n; }

static void eth(struct fb *f, const uint8_t dst[6], const uint8_t src[6])
{
	f->n = 0;
	putn(f, dst, 6);
	putn(f, src, 6);
}

/* L4 header for proto: TCP (20 bytes), UDP (8), ICMP (8), other (8 zeros). */
static void l4(struct fb *f, int proto, unsigned sport, unsigned dport)
{
	if (proto == 6) {
		put16(f, sport); put16(f, dport); zeros(f, 8); put8(f, 0x50); zeros(f, 7);
	} else if (proto == 17) {
		put16(f, sport); put16(f, dport); put16(f, 8); put16(f, 0);
	} else if (proto == 1 || proto == 58) {
		put8(f, sport); put8(f, dport); zeros(f, 6);
	} else {
		zeros(f, 8);
	}
}

static void ipv4(struct fb *f, uint32_t src, uint32_t dst, int proto, int opt_words,
                 unsigned frag, int l4len)
{
	int ihl = 5 + opt_words;
	put8(f, 0x40 | ihl); put8(f, 0); put16(f, ihl * 4 + l4len);
	put16(f, 1); put16(f, frag); put8(f, 64); put8(f, proto); put16(f, 0);
	put32(f, src); put32(f, dst);
	for (int i = 0; i < opt_words; i++)
		put32(f, 0x01010101);   /* NOPs */
}

static int l4len(int proto) { return proto == 6 ? 20 : 8; }

/* ----------------------------------------------------- key extraction */

static const uint8_t MAC_A[6] = { 2, 0, 0, 0, 0, 0xa }, MAC_B[6] = { 2, 0, 0, 0, 0, 0xb };

static void test_key_vlan_ipv4(void **st)
{
	struct fb f;
	struct flow_key k;
	eth(&f, MAC_A, MAC_B);
	put16(&f, 0x88a8); put16(&f, 0x2064);   /* outer: PCP 1, VID 100 */
	put16(&f, 0x8100); put16(&f, 0x00c8);   /* inner: VID 200 */
	put16(&f, 0x0800);
	ipv4(&f, 0x0a000001, 0x0a000002, 6, 2, 0, 20);
	l4(&f, 6, 1234, 80);
	flow_key_extract(f.b, f.n, &k);
	assert_memory_equal(k.dl_dst, MAC_A, 6);
	assert_int_equal(k.vlan_tci, 0x2064 | FLOW_VLAN_CFI);
	assert_int_equal(k.dl_type, 0x0800);
	assert_int_equal(k.nw_src, 0x0a000001);
	assert_int_equal(k.nw_proto, 6);
	assert_int_equal(k.tp_src, 1234);
	assert_int_equal(k.tp_dst, 80);
	assert_int_equal(k.nw_frag, 0);

	/* Cut inside the TCP header: ports stay 0, L3 is kept. */
	flow_key_extract(f.b, f.n - 1, &k);
	assert_int_equal(k.nw_src, 0);   /* total length now beyond the frame */
	eth(&f, MAC_A, MAC_B);
	put16(&f, 0x0800);
	ipv4(&f, 1, 2, 6, 0, 0, 10);
	l4(&f, 6, 1, 2);
	flow_key_extract(f.b, 14 + 30, &k);
	assert_int_equal(k.nw_dst, 2);
	assert_int_equal(k.nw_proto, 6);
	assert_int_equal(k.tp_src, 0);

	/* First fragment: ports; a later one: none. */
	eth(&f, MAC_A, MAC_B);
	put16(&f, 0x0800);
	ipv4(&f, 1, 2, 17, 0, 0x2000, 8);
	l4(&f, 17, 53, 99);
	flow_key_extract(f.b, f.n, &k);
	assert_int_equal(k.nw_frag, FLOW_FRAG_ANY);
	assert_int_equal(k.tp_src, 53);
	eth(&f, MAC_A, MAC_B);
	put16(&f, 0x0800);
	ipv4(&f, 1, 2, 17, 0, 0x0010, 8);
	l4(&f, 17, 53, 99);
	flow_key_extract(f.b, f.n, &k);
	assert_int_equal(k.nw_frag, FLOW_FRAG_ANY | FLOW_FRAG_LATER);
	assert_int_equal(k.nw_proto, 17);
	assert_int_equal(k.tp_src, 0);
	assert_int_equal(k.tp_dst, 0);

	/* An IHL under 5 is no IPv4 header. */
	f.b[14] = 0x44;
	flow_key_extract(f.b, f.n, &k);
	assert_int_equal(k.dl_type, 0x0800);
	assert_int_equal(k.nw_src, 0);
	assert_int_equal(k.nw_proto, 0);
}

static void test_key_ipv6_ext(void **st)
{
	struct fb f;
	struct flow_key k;
	uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, b6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	for (int later = 0; later < 2; later++) {
		eth(&f, MAC_A, MAC_B);
		put16(&f, 0x86dd);
		put32(&f, 0x60000000); put16(&f, 8 + 16 + 8 + 8); put8(&f, 0); put8(&f, 64);
		putn(&f, a6, 16); putn(&f, b6, 16);
		put8(&f, 60); put8(&f, 0); zeros(&f, 6);                 /* hop-by-hop -> dstopts */
		put8(&f, 44); put8(&f, 1); zeros(&f, 14);                /* dstopts (16) -> frag */
		put8(&f, 17); put8(&f, 0); put16(&f, later ? 0x0100 : 0x0001); put32(&f, 7); /* frag */
		l4(&f, 17, 546, 547);
		flow_key_extract(f.b, f.n, &k);
		assert_int_equal(k.dl_type, 0x86dd);
		assert_memory_equal(k.ipv6_src, a6, 16);
		assert_memory_equal(k.ipv6_dst, b6, 16);
		assert_int_equal(k.nw_frag, later ? FLOW_FRAG_ANY | FLOW_FRAG_LATER : FLOW_FRAG_ANY);
		assert_int_equal(k.nw_proto, later ? 44 : 17);
		assert_int_equal(k.tp_src, later ? 0 : 546);
		assert_int_equal(k.tp_dst, later ? 0 : 547);
	}
	/* Truncated inside the destination options: addresses, no protocol. */
	f.b[18] = 0; f.b[19] = 12;   /* payload length 12 */
	flow_key_extract(f.b, 14 + 40 + 12, &k);
	assert_memory_equal(k.ipv6_src, a6, 16);
	assert_int_equal(k.nw_proto, 0);
	assert_int_equal(k.tp_src, 0);
}

static void test_key_arp_and_short(void **st)
{
	struct fb f;
	struct flow_key k;
	eth(&f, MAC_A, MAC_B);
	put16(&f, 0x0806);
	put16(&f, 1); put16(&f, 0x0800); put8(&f, 6); put8(&f, 4); put16(&f, 2);
	putn(&f, MAC_B, 6); put32(&f, 0xc0a80001); zeros(&f, 6); put32(&f, 0xc0a80002);
	flow_key_extract(f.b, f.n, &k);
	assert_int_equal(k.dl_type, 0x0806);
	assert_int_equal(k.nw_proto, 2);
	assert_int_equal(k.nw_src, 0xc0a80001);
	assert_int_equal(k.nw_dst, 0xc0a80002);
	flow_key_extract(f.b, 13, &k);          /* no EtherType: nothing */
	struct flow_key zero = { 0 };
	assert_memory_equal(&k, &zero, sizeof k);
	f.b[12] = 0; f.b[13] = 46;              /* 802.3 length, no SNAP */
	flow_key_extract(f.b, f.n, &k);
	assert_int_equal(k.dl_type, FLOW_DL_TYPE_NONE);
}

/* ---------------------------------------------------------- the parser */

static char *parse_msgs(const char *text, struct flow_rules *r, int want_rc)
{
	char *out = NULL;
	size_t size = 0;
	FILE *m = open_memstream(&out, &size);
	assert_int_equal(flow_rules_parse("t.rules", text, r, m), want_rc);
	fclose(m);
	return out;
}

static void test_rules_parse(void **st)
{
	struct flow_rules r;
	char *msg = parse_msgs("# comment\n\n"
	                       "priority=5,tcp,nw_src=10.1.0.0/16,tp_dst=0x50/0xfff0,actions=output:web,output:2\n"
	                       "udp6 ipv6_dst=2001:db8::/32 actions=3\n"
	                       "priority=7,dl_vlan=0xffff,dl_src=02:00:00:00:00:00/ff:00:00:00:00:00,actions=drop\n"
	                       "priority=6,arp,nw_dst=192.168.0.0/255.255.0.0,actions=\n",
	                       &r, 0);
	assert_string_equal(msg, "");
	free(msg);
	assert_int_equal(r.n, 4);
	/* precedence: line 4 (the default, 32768), 5 (7), 6 (6), 3 (5) */
	assert_int_equal(r.rule[0].line, 4);
	assert_int_equal(r.rule[3].line, 3);
	const struct flow_rule *t = &r.rule[3];
	assert_int_equal(t->priority, 5);
	assert_int_equal(t->value.dl_type, 0x0800);
	assert_int_equal(t->value.nw_proto, 6);
	assert_int_equal(t->mask.nw_src, 0xffff0000);
	assert_int_equal(t->value.tp_dst, 0x50);
	assert_int_equal(t->mask.tp_dst, 0xfff0);
	assert_int_equal(t->nout, 2);
	assert_string_equal(r.ports[t->out[0]], "web");
	assert_string_equal(r.ports[t->out[1]], "2");
	assert_int_equal(r.rule[0].mask.ipv6_dst[3], 0xff);
	assert_int_equal(r.rule[0].mask.ipv6_dst[4], 0);
	assert_string_equal(r.ports[r.rule[0].out[0]], "3");
	assert_int_equal(r.rule[1].mask.vlan_tci, 0xffff);
	assert_int_equal(r.rule[1].value.vlan_tci, 0);
	assert_int_equal(r.rule[1].mask.dl_src[0], 0xff);
	assert_int_equal(r.rule[1].nout, 0);
	assert_int_equal(r.rule[2].mask.nw_dst, 0xffff0000);
	assert_int_equal(r.rule[0].priority, FLOW_RULES_DEFAULT_PRIORITY);
	assert_int_equal(r.nwarnings, 0);
	flow_rules_free(&r);
}

static void test_rules_errors(void **st)
{
	struct flow_rules r;
	char *msg = parse_msgs("ip,nw_srcc=1.2.3.4,actions=drop\n"
	                       "tcp,tp_dst=70000,actions=drop\n"
	                       "\ttp_dst=80,actions=output:1\n"
	                       "ip,actions=output:miss\n"
	                       "ipv6,nw_src=1.2.3.4,actions=drop\n"
	                       "tcp,udp,actions=drop\n"
	                       "ip\n",
	                       &r, -1);
	assert_string_equal(msg,
		"t.rules:1:4: error: unknown field 'nw_srcc' (did you mean 'nw_src'?)\n"
		"    ip,nw_srcc=1.2.3.4,actions=drop\n"
		"       ^~~~~~~\n"
		"t.rules:2:12: error: tp_dst=70000: expected a port 0..65535, optionally /MASK\n"
		"    tcp,tp_dst=70000,actions=drop\n"
		"               ^~~~~\n"
		"t.rules:3:2: error: tp_dst needs tcp, udp or sctp (or tcp6, udp6, sctp6) before it can match\n"
		"    \ttp_dst=80,actions=output:1\n"
		"    \t^~~~~~~~~\n"
		"t.rules:4:12: error: 'output:miss': port 'miss' is the classifier's own (frames no rule matches)\n"
		"    ip,actions=output:miss\n"
		"               ^~~~~~~~~~~\n"
		"t.rules:5:6: error: nw_src needs ip or arp (dl_type=0x0800 or 0x0806) before it can match\n"
		"    ipv6,nw_src=1.2.3.4,actions=drop\n"
		"         ^~~~~~~~~~~~~~\n"
		"t.rules:6:5: error: 'udp' contradicts the protocol 6 set at column 1\n"
		"    tcp,udp,actions=drop\n"
		"        ^~~\n"
		"t.rules:7:3: error: no actions=: end the line with actions=output:PORT or actions=drop\n"
		"    ip\n"
		"      ^\n");
	assert_int_equal(r.nerrors, 7);
	assert_int_equal(r.n, 0);
	free(msg);

	msg = parse_msgs("priority=9,ip,actions=drop\npriority=9,tcp,actions=drop\n"
	                 "priority=9,udp,actions=drop\npriority=8,ip,actions=drop\n", &r, 0);
	assert_string_equal(msg,
		"t.rules:2:1: warning: overlaps line 1 at the same priority 9: line 1 wins for frames "
		"both match (OVS leaves the order undefined)\n"
		"    priority=9,tcp,actions=drop\n"
		"    ^~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
		"t.rules:3:1: warning: overlaps line 1 at the same priority 9: line 1 wins for frames "
		"both match (OVS leaves the order undefined)\n"
		"    priority=9,udp,actions=drop\n"
		"    ^~~~~~~~~~~~~~~~~~~~~~~~~~~\n");
	assert_int_equal(r.nwarnings, 2);   /* tcp and udp do not overlap; priority 8 is apart */
	free(msg);
	flow_rules_free(&r);
}

/* -------------------------------------------- the brute-force reference */

static uint32_t rnd_state = 12345;
static uint32_t rnd(uint32_t n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) % n;
}

/* Field by field, written apart from flow_rule_match(). */
static bool ref_match(const struct flow_rule *r, const struct flow_key *k)
{
	const struct flow_key *m = &r->mask, *v = &r->value;
	for (int i = 0; i < 6; i++)
		if ((k->dl_src[i] & m->dl_src[i]) != v->dl_src[i] || (k->dl_dst[i] & m->dl_dst[i]) != v->dl_dst[i])
			return false;
	for (int i = 0; i < 16; i++)
		if ((k->ipv6_src[i] & m->ipv6_src[i]) != v->ipv6_src[i] ||
		    (k->ipv6_dst[i] & m->ipv6_dst[i]) != v->ipv6_dst[i])
			return false;
	return (k->dl_type & m->dl_type) == v->dl_type && (k->vlan_tci & m->vlan_tci) == v->vlan_tci &&
	       (k->nw_src & m->nw_src) == v->nw_src && (k->nw_dst & m->nw_dst) == v->nw_dst &&
	       (k->nw_proto & m->nw_proto) == v->nw_proto && (k->tp_src & m->tp_src) == v->tp_src &&
	       (k->tp_dst & m->tp_dst) == v->tp_dst && (k->nw_frag & m->nw_frag) == v->nw_frag;
}

/* The line of the winning rule (0: none): highest priority, then the earliest line. */
static int ref_decide(const struct flow_rules *r, const struct flow_key *k)
{
	int best = -1;
	for (int i = 0; i < r->n; i++) {
		if (!ref_match(&r->rule[i], k))
			continue;
		if (best < 0 || r->rule[i].priority > r->rule[best].priority ||
		    (r->rule[i].priority == r->rule[best].priority && r->rule[i].line < r->rule[best].line))
			best = i;
	}
	return best < 0 ? 0 : r->rule[best].line;
}

static const char *const macs[] = { "02:00:00:00:00:01", "02:00:00:00:00:02", "04:00:00:00:01:01" };
static const unsigned ports[] = { 53, 80, 443, 8080, 0 };
static const unsigned vids[] = { 10, 20, 4095 };

static void rand_ipv4(char *s, size_t n, bool masked)
{
	int len = snprintf(s, n, "10.%u.%u.%u", rnd(2), rnd(3), rnd(4));
	if (masked && rnd(3) == 0)
		snprintf(s + len, n - len, "/%u", 8 + rnd(25));
	else if (masked && rnd(3) == 0)
		snprintf(s + len, n - len, "/255.%u.0.255", rnd(2) ? 255 : 254);
}

static void rand_ipv6(char *s, size_t n)
{
	int len = snprintf(s, n, "2001:db8:%x::%x", rnd(2), rnd(3));
	if (rnd(2))
		snprintf(s + len, n - len, "/%u", 16 + rnd(113));
}

/* A random rule line: a protocol, then some fields its prerequisites allow. */
static void rand_rule(char *line, size_t n)
{
	static const char *const protos[] = { "", "ip", "ipv6", "arp", "tcp", "udp", "icmp",
	                                      "tcp6", "udp6", "icmp6", "dl_type=0x0800" };
	const char *proto = protos[rnd(11)];
	bool v4 = !strcmp(proto, "ip") || !strcmp(proto, "tcp") || !strcmp(proto, "udp") ||
	          !strcmp(proto, "icmp") || !strcmp(proto, "arp") || !strncmp(proto, "dl_type", 7);
	bool v6 = strstr(proto, "6") && strcmp(proto, "ip") != 0;
	bool ports_ok = !strcmp(proto, "tcp") || !strcmp(proto, "udp") || !strcmp(proto, "tcp6") ||
	                !strcmp(proto, "udp6");
	int len = snprintf(line, n, "priority=%u,%s", rnd(4) * 10, proto);
	char buf[64];
#define ADD(...) len += snprintf(line + len, n - len, "," __VA_ARGS__)
	if (rnd(5) == 0)
		ADD("dl_src=%s%s", macs[rnd(3)], rnd(2) ? "/ff:ff:ff:ff:ff:00" : "");
	if (rnd(6) == 0)
		ADD("dl_dst=%s", macs[rnd(3)]);
	if (rnd(5) == 0) {
		unsigned v = vids[rnd(3)];
		ADD("dl_vlan=%u", v == 4095 ? 0xffff : v);
	}
	if (v4 && rnd(2)) {
		rand_ipv4(buf, sizeof buf, true);
		ADD("nw_src=%s", buf);
	}
	if (v4 && rnd(2)) {
		rand_ipv4(buf, sizeof buf, true);
		ADD("nw_dst=%s", buf);
	}
	if (v6 && rnd(2)) {
		rand_ipv6(buf, sizeof buf);
		ADD("ipv6_src=%s", buf);
	}
	if (v6 && rnd(2)) {
		rand_ipv6(buf, sizeof buf);
		ADD("ipv6_dst=%s", buf);
	}
	if ((!strcmp(proto, "ip") || !strcmp(proto, "ipv6")) && rnd(3) == 0)
		ADD("nw_proto=%u", rnd(2) ? 6 : 44);
	if (ports_ok && rnd(2))
		ADD("tp_src=%u%s", ports[rnd(5)], rnd(3) == 0 ? "/0xff00" : "");
	if (ports_ok && rnd(2))
		ADD("tp_dst=%u%s", ports[rnd(5)], rnd(3) == 0 ? "/0xfff0" : "");
	if (rnd(4) == 0)
		ADD("actions=drop");
	else
		ADD("actions=output:%u", 1 + rnd(3));
#undef ADD
	if (line[len - 1] == ',')
		line[len - 1] = 0;
}

/* A random frame: 0-2 tags; IPv4 (options, fragments), IPv6 (extension
 * headers, fragments), ARP or other; sometimes cut short. */
static void rand_frame(struct fb *f)
{
	eth(f, (const uint8_t[]){ 2, 0, 0, 0, 0, 1 + rnd(2) }, (const uint8_t[]){ rnd(2) ? 2 : 4, 0, 0, 0, rnd(2), 1 + rnd(2) });
	for (int t = rnd(3); t > 0; t--) {
		put16(f, rnd(2) ? 0x8100 : 0x88a8);
		put16(f, rnd(8) << 13 | (rnd(3) ? vids[rnd(2)] : 0));
	}
	int kind = rnd(5), protos[] = { 6, 17, 1, 58, 47 };
	int proto = protos[rnd(5)];
	unsigned sp = ports[rnd(5)] + rnd(2) * rnd(16), dp = ports[rnd(5)];
	if (kind <= 1) {
		put16(f, 0x0800);
		unsigned frag = rnd(3) == 0 ? (rnd(2) ? 0x2000 : 0x0020 | rnd(2) << 13) : 0;
		uint32_t src = 0x0a000000 | rnd(2) << 16 | rnd(3) << 8 | rnd(4);
		uint32_t dst = 0x0a000000 | rnd(2) << 16 | rnd(3) << 8 | rnd(4);
		ipv4(f, src, dst, proto, rnd(3), frag, l4len(proto));
		l4(f, proto, sp, dp);
	} else if (kind == 2) {
		put16(f, 0x86dd);
		uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, rnd(2), [15] = rnd(3) };
		uint8_t b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, rnd(2), [15] = rnd(3) };
		int hop = rnd(2), fr = rnd(3) == 0;
		put32(f, 0x60000000);
		put16(f, hop * 8 + fr * 8 + l4len(proto));
		put8(f, hop ? 0 : fr ? 44 : proto);
		put8(f, 64);
		putn(f, a, 16);
		putn(f, b, 16);
		if (hop) {
			put8(f, fr ? 44 : proto); zeros(f, 7);
		}
		if (fr) {
			put8(f, proto); put8(f, 0); put16(f, rnd(2) ? 0x0001 : 0x0100); put32(f, 1);
		}
		l4(f, proto, sp, dp);
	} else if (kind == 3) {
		put16(f, 0x0806);
		put16(f, 1); put16(f, 0x0800); put8(f, 6); put8(f, 4); put16(f, 1 + rnd(2));
		zeros(f, 6); put32(f, 0x0a000000 | rnd(4)); zeros(f, 6); put32(f, 0x0a000000 | rnd(4));
	} else {
		put16(f, rnd(2) ? 0x88cc : 0x0040);
		zeros(f, 30);
	}
	if (rnd(6) == 0)
		f->n = 12 + (int)rnd((uint32_t)f->n - 11);   /* truncated somewhere */
}

/* Every frame's rule equals the reference's, whichever tier answers, and
 * every installed megaflow is right for every key it covers. */
static void test_differential(void **st)
{
	uint64_t frames = 0, tiers[3] = { 0 }, flows = 0, subs = 0;
	for (int round = 0; round < 40; round++) {
		char text[64 * 160] = "";
		int nrules = 1 + (int)rnd(60), len = 0;
		for (int i = 0; i < nrules; i++) {
			rand_rule(text + len, sizeof text - len - 2);
			len += (int)strlen(text + len);
			text[len++] = '\n';
			text[len] = 0;
		}
		struct flow_rules r;
		FILE *quiet = fopen("/dev/null", "w");
		int rc = flow_rules_parse("rand.rules", text, &r, quiet);
		fclose(quiet);
		if (rc != 0)
			fail_msg("random rules refused:\n%s", text);
		assert_int_equal(r.n, nrules);
		struct flow_cache c;
		assert_int_equal(flow_cache_init(&c, &r, round % 3 == 0 ? 1 : 100, 4096), 0);
		struct flow_key keys[300];
		for (int i = 0; i < 300; i++) {
			struct fb f;
			rand_frame(&f);
			flow_key_extract(f.b, f.n, &keys[i]);
		}
		/* Each key a few times, so EMC and dpcls answer too. */
		for (int i = 0; i < 1500; i++) {
			const struct flow_key *k = &keys[i < 300 ? (uint32_t)i : rnd(300)];
			enum flow_tier tier;
			int got = flow_cache_lookup(&c, k, (uint64_t)i * 1000000, &tier);
			int want = ref_decide(&r, k);
			if ((got < 0 ? 0 : r.rule[got].line) != want)
				fail_msg("round %d frame %d: line %d, reference line %d", round, i,
				         got < 0 ? 0 : r.rule[got].line, want);
			tiers[tier]++;
			frames++;
		}
		/* Megaflows: any key that agrees on the mask bits takes its rule;
		 * overlapping megaflows agree. */
		for (uint32_t m = 0; m < c.nflows; m++) {
			const struct megaflow *mf = &c.flows[m];
			const struct flow_key *mask = &c.sub[mf->subtable].mask;
			for (int t = 0; t < 20; t++) {
				struct flow_key k = keys[rnd(300)];
				for (int w = 0; w < FLOW_KEY_WORDS; w++)
					k.w[w] = (k.w[w] & ~mask->w[w]) | mf->key.w[w];
				int want = ref_decide(&r, &k);
				assert_int_equal(mf->rule < 0 ? 0 : r.rule[mf->rule].line, want);
			}
			for (uint32_t o = m + 1; o < c.nflows; o++) {
				const struct megaflow *of = &c.flows[o];
				const struct flow_key *om = &c.sub[of->subtable].mask;
				bool overlap = true;
				for (int w = 0; w < FLOW_KEY_WORDS; w++)
					overlap &= ((mf->key.w[w] ^ of->key.w[w]) & mask->w[w] & om->w[w]) == 0;
				if (overlap)
					assert_int_equal(mf->rule, of->rule);
			}
		}
		flows += c.nflows;
		subs += (uint64_t)c.nsub;
		flow_cache_free(&c);
		flow_rules_free(&r);
	}
	print_message("%llu frames: emc %llu, dpcls %llu, upcalls %llu; %llu megaflows in %llu subtables\n",
	              (unsigned long long)frames, (unsigned long long)tiers[0],
	              (unsigned long long)tiers[1], (unsigned long long)tiers[2],
	              (unsigned long long)flows, (unsigned long long)subs);
	/* Every tier took part. */
	assert_true(tiers[0] > 1000 && tiers[1] > 1000 && tiers[2] > 1000);
}

/* A megaflow matches only what the decision looked at: a rule on nw_dst
 * alone gives megaflows that ignore the ports. */
static void test_megaflow_mask(void **st)
{
	struct flow_rules r;
	char *msg = parse_msgs("priority=10,ip,nw_dst=10.0.0.0/8,actions=output:a\n", &r, 0);
	free(msg);
	struct flow_cache c;
	assert_int_equal(flow_cache_init(&c, &r, 0, 64), 0);
	struct fb f;
	struct flow_key k;
	enum flow_tier tier;
	for (unsigned port = 1; port <= 50; port++) {
		eth(&f, MAC_A, MAC_B);
		put16(&f, 0x0800);
		ipv4(&f, 0xc0a80000 | port, 0x0a000001 + port, 17, 0, 0, 8);
		l4(&f, 17, port, port);
		flow_key_extract(f.b, f.n, &k);
		assert_int_equal(flow_cache_lookup(&c, &k, 0, &tier), 0);
		assert_int_equal(tier, port == 1 ? FLOW_TIER_UPCALL : FLOW_TIER_DPCLS);
	}
	assert_int_equal(c.nflows, 1);
	assert_int_equal(c.sub[0].mask.dl_type, 0xffff);
	assert_int_equal(c.sub[0].mask.nw_dst, 0xff000000);
	assert_int_equal(c.sub[0].mask.tp_dst, 0);
	assert_int_equal(c.sub[0].mask.nw_src, 0);
	flow_cache_free(&c);
	flow_rules_free(&r);
}

/* ------------------------------------------------------ the app itself */

static struct packet *frame_of(const struct fb *f)
{
	struct packet *p = packet_alloc();
	assert_non_null(p);
	memcpy(packet_data(p), f->b, f->n);
	p->length = (uint16_t)(f->n < 60 ? 60 : (uint16_t)f->n);
	if (f->n < 60)
		memset(packet_data(p) + f->n, 0, 60 - f->n);
	return p;
}

static void udp_frame(struct fb *f, uint32_t dst, unsigned dport)
{
	eth(f, MAC_A, MAC_B);
	put16(f, 0x0800);
	ipv4(f, 0x0a000001, dst, 17, 0, 0, 8);
	l4(f, 17, 1000, dport);
}

static void run_app(bool with_miss)
{
	char path[] = "/tmp/kvick-cls-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *rules = "priority=100,udp,tp_dst=53,actions=output:dns\n"
	                    "priority=50,ip,nw_dst=10.9.0.0/16,actions=output:dns,output:2\n"
	                    "priority=10,udp,tp_dst=9,actions=drop\n";
	assert_int_equal(write(fd, rules, strlen(rules)), (ssize_t)strlen(rules));
	close(fd);
	char topo[512];
	snprintf(topo, sizeof topo,
	         "app src join\napp c classifier rules=%s emc_insert_inv_prob=1\n"
	         "app a capture\napp b capture\napp m capture\n"
	         "link src.output -> c.input\nlink c.dns -> a.input\nlink c.2 -> b.input\n%s",
	         path, with_miss ? "link c.miss -> m.input\n" : "");
	struct net n = net_start(topo);
	struct link *in = link_of(&n, "src.output -> c.input");
	struct fb f;
	for (int i = 0; i < 3; i++) {
		udp_frame(&f, 0x0a010101, 53);   /* rule 1 */
		link_transmit(in, frame_of(&f));
		udp_frame(&f, 0x0a090001, 54);   /* rule 2: two copies */
		link_transmit(in, frame_of(&f));
		udp_frame(&f, 0x0a010101, 9);    /* rule 3: drop */
		link_transmit(in, frame_of(&f));
		udp_frame(&f, 0x0a010101, 99);   /* no rule */
		link_transmit(in, frame_of(&f));
	}
	breathe_until_idle(&n);
	struct packet *got[16];
	assert_int_equal(captured_of("a", got, 16), 6);
	assert_int_equal(captured_of("b", got, 16), 3);
	assert_int_equal(captured_of("m", got, 16), with_miss ? 3 : 0);
	assert_int_equal(counter(&n, "c", "received"), 12);
	assert_int_equal(counter(&n, "c", "upcalls"), 4);
	/* insert probability 1: the second and third of each flow hit the EMC */
	assert_int_equal(counter(&n, "c", "emc_hits"), 8);
	assert_int_equal(counter(&n, "c", "dpcls_hits"), 0);
	assert_int_equal(counter(&n, "c", "megaflows"), 4);
	assert_int_equal(counter(&n, "c", "no_match"), 3);
	assert_int_equal(counter(&n, "c", "no_match_dropped"), with_miss ? 0 : 3);
	assert_int_equal(counter(&n, "c", "drop_rule"), 3);
	assert_int_equal(counter(&n, "c", "line1_packets"), 3);
	assert_int_equal(counter(&n, "c", "line2_packets"), 3);
	assert_int_equal(counter(&n, "c", "line2_bytes"), 3 * 60);
	assert_int_equal(counter(&n, "c", "line3_packets"), 3);
	net_end(&n);
	unlink(path);
}

static void test_app(void **st)
{
	run_app(true);
	run_app(false);
}

static void test_app_refused(void **st)
{
	char path[] = "/tmp/kvick-cls-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *rules = "ip,actions=output:web\n";
	assert_int_equal(write(fd, rules, strlen(rules)), (ssize_t)strlen(rules));
	close(fd);
	char topo[512], want[512];
	snprintf(topo, sizeof topo, "app src join\napp c classifier rules=%s\napp k sink\n"
	         "link src.output -> c.input\nlink c.wbe -> k.input\n", path);
	char *err = test_topology_refused("c.topo", topo);
	snprintf(want, sizeof want, "c.topo:2:5: error: app 'c' (class 'classifier'): %s sends to port "
	         "'web' (actions=output:web) but that output is not linked", path);
	if (!strstr(err, want))
		fail_msg("got: %s", err);
	free(err);
	unlink(path);
}

int main(void)
{
	test_mem_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_vlan_ipv4),
		cmocka_unit_test(test_key_ipv6_ext),
		cmocka_unit_test(test_key_arp_and_short),
		cmocka_unit_test(test_rules_parse),
		cmocka_unit_test(test_rules_errors),
		cmocka_unit_test(test_differential),
		cmocka_unit_test(test_megaflow_mask),
		cmocka_unit_test(test_app),
		cmocka_unit_test(test_app_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
