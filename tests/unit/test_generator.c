/* generator and latency: exact frame fields, checksums recomputed here
 * from scratch, flows and sizes per packet, pacing measured with the TSC,
 * and the latency app's loss / reordering / histogram counts. */
#include "apps_test.h"

#include "apps/rate.h"

static unsigned get16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }
static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* RFC 1071, the plain way: big-endian 16-bit words, end-around carry. */
static uint32_t sum16(uint32_t s, const uint8_t *p, unsigned len)
{
	for (unsigned i = 0; i + 1 < len; i += 2)
		s += get16(p + i);
	if (len & 1)
		s += (unsigned)p[len - 1] << 8;
	return s;
}
static unsigned fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* Checks every checksum of a frame; l3 is the IP header's offset. */
static void assert_checksums(struct packet *p, unsigned l3)
{
	const uint8_t *f = packet_data(p);
	bool v6 = (f[l3] >> 4) == 6;
	unsigned l4 = l3 + (v6 ? 40 : 20), proto = v6 ? f[l3 + 6] : f[l3 + 9];
	unsigned l4len = p->length - l4;
	uint32_t s;
	if (v6) {
		assert_int_equal(get16(f + l3 + 4), l4len);
		s = sum16(0, f + l3 + 8, 32);
	} else {
		assert_int_equal(fold(sum16(0, f + l3, 20)), 0xffff);   /* header checksum */
		assert_int_equal(get16(f + l3 + 2), p->length - l3);
		s = sum16(0, f + l3 + 12, 8);
	}
	s += proto + l4len;
	s = sum16(s, f + l4, l4len);
	assert_int_equal(fold(s), 0xffff);
	if (proto == 17)
		assert_int_equal(get16(f + l4 + 4), l4len);
}

static void default_frames_are_udp_ipv4_with_varying_flows(void **st)
{
	struct net n = net_start("app g generator count=3\napp c capture\nlink g.output -> c.input\n");
	breathe_until_idle(&n);
	assert_true(app_done(&n, "g"));
	struct packet *got[4];
	assert_int_equal(captured_of("c", got, 4), 3);
	static const uint8_t head[] = {
		2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00,          /* Ethernet */
		0x45, 0, 0, 46, 0, 0, 0x40, 0, 64, 17, 0xff, 0xff,        /* IPv4 (csum checked below) */
		10, 0, 0, 1, 10, 1, 0, 1,
	};
	for (int i = 0; i < 3; i++) {
		uint8_t *f = packet_data(got[i]);
		assert_int_equal(got[i]->length, 60);   /* size=64 with FCS */
		f[24] = f[25] = 0xff;                   /* IPv4 checksum: checked below */
		assert_memory_equal(f, head, sizeof head);
		f[24] = f[25] = 0;
		assert_int_equal(get16(f + 34), 1024 + i);   /* source port: next each frame */
		assert_int_equal(get16(f + 36), 5001);
		assert_int_equal(get64(f + 42), i);          /* sequence number */
		assert_true(get64(f + 50) != 0);             /* TSC */
		for (int k = 58; k < 60; k++)
			assert_int_equal(f[k], 0);
	}
	/* put the checksum back as it was computed: rebuild from a fresh run */
	net_end(&n);
	n = net_start("app g generator count=300 size=64-1518 src_port=7-9\napp c capture\n"
	              "link g.output -> c.input\n");
	breathe_until_idle(&n);
	struct packet *all[300];
	assert_int_equal(captured_of("c", all, 300), 300);
	unsigned lo = 9999, hi = 0;
	for (int i = 0; i < 300; i++) {
		assert_checksums(all[i], 14);
		assert_int_equal(get16(packet_data(all[i]) + 34), 7 + i % 3);   /* wraps */
		lo = all[i]->length < lo ? all[i]->length : lo;
		hi = all[i]->length > hi ? all[i]->length : hi;
	}
	assert_true(lo >= 60 && hi <= 1514 && lo < 200 && hi > 1300);
	net_end(&n);
}

static void tcp_ipv6_vlan_frames(void **st)
{
	struct net n = net_start(
		"app g generator count=4 proto=tcp ipv6=true vlan=7 pcp=3 size=128 "
		"src_ip=fd00::1-fd00::3 dst_ip=fd00:1::9 dst_port=80-81\n"
		"app c capture\nlink g.output -> c.input\n");
	breathe_until_idle(&n);
	struct packet *got[4];
	assert_int_equal(captured_of("c", got, 4), 4);
	for (int i = 0; i < 4; i++) {
		const uint8_t *f = packet_data(got[i]);
		assert_int_equal(got[i]->length, 124);
		assert_int_equal(get16(f + 12), 0x8100);
		assert_int_equal(get16(f + 14), 3 << 13 | 7);
		assert_int_equal(get16(f + 16), 0x86dd);
		assert_int_equal(f[18], 0x60);
		assert_int_equal(f[24], 6);                       /* next header TCP */
		static const uint8_t fd00[8] = { 0xfd, 0 };
		assert_memory_equal(f + 26, fd00, 8);
		assert_int_equal(get64(f + 34), 1 + i % 3);       /* fd00::1, ::2, ::3, ::1 */
		assert_int_equal(get16(f + 42), 0xfd00);
		assert_int_equal(get16(f + 44), 1);
		assert_int_equal(get64(f + 50), 9);
		assert_int_equal(get16(f + 60), 80 + i % 2);      /* TCP destination port */
		assert_int_equal(f[70], 5 << 4);                  /* data offset */
		assert_int_equal(get64(f + 78), i);               /* stamp after 20-byte TCP */
		assert_checksums(got[i], 18);
	}
	net_end(&n);
}

static void imix_is_seven_four_one(void **st)
{
	struct net n = net_start("app g generator count=1200 size=imix\napp c capture\n"
	                         "link g.output -> c.input\n");
	breathe_until_idle(&n);
	struct packet *all[1200];
	assert_int_equal(captured_of("c", all, 1200), 1200);
	int n60 = 0, n590 = 0, n1514 = 0;
	for (int i = 0; i < 1200; i++) {
		n60 += all[i]->length == 60;
		n590 += all[i]->length == 590;
		n1514 += all[i]->length == 1514;
	}
	assert_int_equal(n60, 700);
	assert_int_equal(n590, 400);
	assert_int_equal(n1514, 100);
	assert_int_equal(counter(&n, "g", "bytes"), 700 * 60 + 400 * 590 + 100 * 1514);
	net_end(&n);
}

/* Paced generators, measured after a warm-up over 2 s of TSC time (a burst
 * of 20 ms bounds what a late breath can skew: 1 %). */
static void paced_rates_hold_within_one_percent(void **st)
{
	struct net n = net_start(
		"app p generator rate=150kpps burst=3000\napp k1 sink\n"
		"app b generator rate=40Mbps size=1004 burst=100kB\napp k2 sink\n"
		"link p.output -> k1.input\nlink b.output -> k2.input\n");
	uint64_t hz = rate_tsc_hz(), t = rdtsc();
	while (rdtsc() - t < hz / 5)
		engine_breathe(n.e);
	uint64_t p0 = counter(&n, "p", "packets"), b0 = counter(&n, "b", "bytes");
	uint64_t t0 = rdtsc();
	uint64_t lost = breathe_ticks(&n, 2 * hz, hz / 50);   /* both bursts are 20 ms */
	double secs = (double)(rdtsc() - t0) / (double)hz, live = secs - (double)lost / (double)hz;
	assert_paced("generator pps", (double)(counter(&n, "p", "packets") - p0) / secs, 150000, secs,
	             live, 3000);
	assert_paced("generator bps", (double)(counter(&n, "b", "bytes") - b0) * 8 / secs, 40e6, secs,
	             live, 800000);
	net_end(&n);
}

static void latency_counts_loss_reordering_and_latency(void **st)
{
	/* 10 stamped frames, captured, then replayed with #3 lost and #5/#6
	 * swapped, plus one frame without a stamp. */
	struct net n = net_start("app g generator count=10\napp c capture\napp j join\napp l latency\n"
	                         "link g.output -> c.input\nlink j.output -> l.input\n");
	breathe_until_idle(&n);
	struct packet *copy[10];
	assert_int_equal(captured_of("c", copy, 10), 10);
	for (int i = 0; i < ncap; i++)
		cap[i].p = NULL;   /* the test holds them now */
	struct link *in = link_of(&n, "j.output -> l.input");
	static const int order[] = { 0, 1, 2, 4, 6, 5, 7, 8, 9 };
	for (int i = 0; i < 9; i++)
		link_transmit(in, copy[order[i]]);
	packet_free(copy[3]);
	struct packet *arp = packet_alloc();
	memset(packet_data(arp), 0, 60);
	packet_data(arp)[12] = 0x08;
	packet_data(arp)[13] = 0x06;
	arp->length = 60;
	link_transmit(in, arp);
	usleep(2000);   /* every frame is now at least 2 ms old */
	breathe_until_idle(&n);
	assert_int_equal(counter(&n, "l", "packets"), 10);
	assert_int_equal(counter(&n, "l", "unstamped"), 1);
	assert_int_equal(counter(&n, "l", "seen"), 9);
	assert_int_equal(counter(&n, "l", "lost"), 1);
	assert_int_equal(counter(&n, "l", "reordered"), 1);
	assert_true(counter(&n, "l", "latency_min_ns") >= 2000000);
	assert_true(counter(&n, "l", "latency_max_ns") < 1000000000);
	uint64_t in_buckets = 0;
	static const char *const names[] = { "lat_lt_1us", "lat_lt_2048us", "lat_lt_4096us", "lat_lt_8192us",
	                                     "lat_lt_16384us", "lat_lt_32768us", "lat_lt_65536us",
	                                     "lat_ge_65536us" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		in_buckets += counter(&n, "l", names[i]);
	assert_int_equal(counter(&n, "l", "lat_lt_1us"), 0);
	assert_int_equal(in_buckets, 9);
	char *rep = app_report_text(&n, "l");
	assert_contains(rep, "lost 1, reordered 1");
	free(rep);
	net_end(&n);
}

static void generator_into_latency_loses_nothing(void **st)
{
	struct net n = net_start("app g generator count=5000 size=imix proto=tcp\napp l latency\n"
	                         "link g.output -> l.input\n");
	breathe_until_idle(&n);
	assert_int_equal(counter(&n, "l", "seen"), 5000);
	assert_int_equal(counter(&n, "l", "lost"), 0);
	assert_int_equal(counter(&n, "l", "reordered"), 0);
	assert_int_equal(counter(&n, "l", "unstamped"), 0);
	net_end(&n);
}

/* Refused while the file is read (kvick check too), pointing at the value. */
static void bad_parameters_are_named(void **st)
{
	static const struct { const char *params, *at, *want; } cases[] = {
		{ "size=50", "size", "size=50: frames are 62..9216 bytes with FCS here" },
		{ "size=big", "size", "size=big: expected a size (64), a range (64-1518) or imix" },
		{ "proto=sctp", "proto", "proto=sctp: must be udp or tcp" },
		{ "src_ip=10.0.0.9-10.0.0.1", "src_ip", "src_ip=10.0.0.9-10.0.0.1: the range ends before it starts" },
		{ "dst_ip=fd00::1", "dst_ip", "dst_ip=fd00::1: expected an IPv4 address or a range" },
		{ "ipv6=true src_ip=fd00::1-fd01::1", "src_ip", "src_ip=fd00::1-fd01::1: an IPv6 range may vary the low 64 bits only" },
		{ "dst_port=70000", "dst_port", "dst_port=70000: expected a port or a range of ports in 0..65535" },
		{ "rate=fast", "rate", "rate=: rate \"fast\": no number at the start" },
		{ "rate=1Mpps burst=2kB", "burst", "burst=: burst \"2kB\": unit \"B\" does not go with a pps rate" },
		{ "vlan=4095", "vlan", "vlan=4095: a VLAN ID is 0..4094" },
		{ "proto=tcp ipv6=true size=64", "size", "size=64: frames are 94..9216" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char topo[256], want[256], key[32];
		snprintf(topo, sizeof topo, "app g generator %s\napp k sink\nlink g.output -> k.input\n",
		         cases[i].params);
		snprintf(key, sizeof key, "%s=", cases[i].at);
		int col = (int)(strstr(topo, key) - topo) + (int)strlen(key) + 1;
		snprintf(want, sizeof want, "test.topo:1:%d: error: app 'g' (class 'generator'): %s", col,
		         cases[i].want);
		char *err = test_topology_refused("test.topo", topo);
		assert_contains(err, want);
		free(err);
	}
	char *err = test_topology_refused("test.topo", "app g generator\n");
	assert_contains(err, "test.topo:1:5: error: app 'g' (class 'generator'): port 'output' is not linked");
	free(err);
}

int main(void)
{
	test_mem_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_frames_are_udp_ipv4_with_varying_flows),
		cmocka_unit_test(tcp_ipv6_vlan_frames),
		cmocka_unit_test(imix_is_seven_four_one),
		cmocka_unit_test(paced_rates_hold_within_one_percent),
		cmocka_unit_test(latency_counts_loss_reordering_and_latency),
		cmocka_unit_test(generator_into_latency_loses_nothing),
		cmocka_unit_test(bad_parameters_are_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
