/* pcap_reader replay: timing=recorded keeps the capture's gaps (and a loop
 * continues the timeline), rate= paces from the TSC within 1 %, a frame
 * not yet due is held and freed at stop, bad pacing values are refused. */
#include "apps_test.h"

#include "apps/rate.h"

static char tmpdir[] = "/tmp/kvick-replay-XXXXXX";

static void put32le(FILE *f, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	fwrite(b, 1, 4, f);
}

/* A nanosecond pcap file: n frames of len bytes at the given times (ns). */
static const char *pcap_file(const char *name, const uint64_t *ts_ns, int n, uint32_t len)
{
	static char path[4][160];
	static int next;
	char *p = path[next++ % 4];
	snprintf(p, 160, "%s/%s", tmpdir, name);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	put32le(f, 0xa1b23c4d);           /* nanosecond magic */
	put32le(f, 2 | 4u << 16);         /* version 2.4 */
	put32le(f, 0);
	put32le(f, 0);
	put32le(f, 65535);
	put32le(f, 1);                    /* Ethernet */
	for (int i = 0; i < n; i++) {
		uint64_t t = 1700000000000000000ull + ts_ns[i];
		put32le(f, (uint32_t)(t / 1000000000u));
		put32le(f, (uint32_t)(t % 1000000000u));
		put32le(f, len);
		put32le(f, len);
		for (uint32_t k = 0; k < len; k++)
			fputc(i, f);          /* frame i is all bytes i */
	}
	fclose(f);
	return p;
}

/* Breathe until `want` frames were captured (at most `limit_ms`); at[i] is
 * frame i's arrival in ms after the first breath. */
static void arrivals(struct net *n, int want, double *at, int limit_ms)
{
	uint64_t hz = rate_tsc_hz(), t0 = rdtsc();
	int seen = 0;
	while (seen < want) {
		engine_breathe(n->e);
		double ms = (double)(rdtsc() - t0) * 1e3 / (double)hz;
		while (seen < ncap && seen < want)
			at[seen++] = ms;
		if (ms > limit_ms)
			fail_msg("only %d of %d frames after %d ms", seen, want, limit_ms);
	}
}

static void recorded_timing_keeps_the_gaps(void **st)
{
	static const uint64_t ts[] = { 0, 50000000, 100000000, 150000000, 300000000 };
	char topo[512];
	snprintf(topo, sizeof topo, "app rd pcap_reader file=%s timing=recorded\napp cap capture\n"
	         "link rd.output -> cap.input\n", pcap_file("gaps.pcap", ts, 5, 60));
	struct net n = net_start(topo);
	double at[5];
	arrivals(&n, 5, at, 2000);
	for (int i = 0; i < 5; i++) {
		double want = (double)ts[i] / 1e6, late = at[i] - at[0] - want;
		print_message("frame %d: at %.1f ms, recorded %.1f ms\n", i, at[i] - at[0], want);
		assert_true(late > -3.0 && late < 30.0);   /* not early (but for the first frame's own lateness) */
		assert_int_equal(packet_data(cap[i].p)[0], i);
	}
	assert_true(app_done(&n, "rd"));
	net_end(&n);
}

static void recorded_timing_loops_seamlessly(void **st)
{
	static const uint64_t ts[] = { 0, 100000000 };   /* 100 ms apart */
	char topo[512];
	snprintf(topo, sizeof topo, "app rd pcap_reader file=%s timing=recorded loop=true\n"
	         "app cap capture\nlink rd.output -> cap.input\n", pcap_file("loop.pcap", ts, 2, 60));
	struct net n = net_start(topo);
	double at[5];
	arrivals(&n, 5, at, 3000);
	/* pass 2 starts where pass 1 ended: 0, 100, 100, 200, 200 ms */
	static const double want[] = { 0, 100, 100, 200, 200 };
	for (int i = 0; i < 5; i++) {
		double late = at[i] - at[0] - want[i];
		print_message("frame %d: at %.1f ms, due %.0f ms\n", i, at[i] - at[0], want[i]);
		assert_true(late > -3.0 && late < 30.0);
	}
	assert_int_equal(counter(&n, "rd", "loops"), 2);
	net_end(&n);
}

static void a_frame_not_yet_due_is_held_then_freed(void **st)
{
	static const uint64_t ts[] = { 0, 100000000000ull };   /* the second 100 s later */
	char topo[512];
	snprintf(topo, sizeof topo, "app rd pcap_reader file=%s timing=recorded\napp cap capture\n"
	         "link rd.output -> cap.input\n", pcap_file("far.pcap", ts, 2, 60));
	struct net n = net_start(topo);
	breathe(&n, 20);
	assert_int_equal(ncap, 1);
	assert_int_equal(counter(&n, "rd", "packets"), 1);
	assert_false(app_done(&n, "rd"));   /* holds frame 1: not done */
	net_end(&n);                        /* checks that stop() freed it */
}

static void rate_holds_within_one_percent(void **st)
{
	/* 64 frames a pass: a rewind per frame (a one-frame file) cost more
	 * CPU than a loaded machine gives, and the check is of the pacing */
	static const uint64_t ts[64];
	char topo[768];
	snprintf(topo, sizeof topo,
	         "app p pcap_reader file=%s loop=true rate=100kpps burst=2000\napp k1 sink\n"
	         "app b pcap_reader file=%s loop=true rate=20Mbps burst=50kB\napp k2 sink\n"
	         "link p.output -> k1.input\nlink b.output -> k2.input\n",
	         pcap_file("many60.pcap", ts, 64, 60), pcap_file("many1000.pcap", ts, 64, 1000));
	struct net n = net_start(topo);
	uint64_t hz = rate_tsc_hz(), t = rdtsc();
	while (rdtsc() - t < hz / 5)
		engine_breathe(n.e);
	uint64_t p0 = counter(&n, "p", "packets"), b0 = counter(&n, "b", "bytes"), t0 = rdtsc();
	uint64_t lost = breathe_ticks(&n, 2 * hz, hz / 50);   /* both bursts are 20 ms */
	double secs = (double)(rdtsc() - t0) / (double)hz, live = secs - (double)lost / (double)hz;
	assert_paced("pcap_reader pps", (double)(counter(&n, "p", "packets") - p0) / secs, 100000,
	             secs, live, 2000);
	assert_paced("pcap_reader bps", (double)(counter(&n, "b", "bytes") - b0) * 8 / secs, 20e6,
	             secs, live, 400000);
	net_end(&n);
}

static void bad_pacing_is_refused(void **st)
{
	static const uint64_t ts[] = { 0 };
	const char *f = pcap_file("bad.pcap", ts, 1, 60);
	static const struct { const char *extra, *want; } cases[] = {
		{ "timing=fast", "timing=fast: expected asap or recorded" },
		{ "rate=5Gbs", "rate=: rate \"5Gbs\": unknown unit \"Gbs\"" },
		{ "rate=1Mpps timing=recorded", "rate= and timing=recorded: choose one pace" },
		{ "burst=64", "burst= goes with rate=" },
		{ "rate=1Mpps burst=1kB", "burst=: burst \"1kB\": unit \"B\" does not go with a pps rate" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char topo[512];
		snprintf(topo, sizeof topo, "app rd pcap_reader file=%s %s\napp k sink\n"
		         "link rd.output -> k.input\n", f, cases[i].extra);
		char *err = test_topology_refused("test.topo", topo);
		assert_contains(err, "error: app 'rd' (class 'pcap_reader'): ");
		assert_contains(err, cases[i].want);
		free(err);
	}
}

static int cleanup(void **st)
{
	char cmd[64];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	test_mem_init();
	assert_non_null(mkdtemp(tmpdir));
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(recorded_timing_keeps_the_gaps),
		cmocka_unit_test(recorded_timing_loops_seamlessly),
		cmocka_unit_test(a_frame_not_yet_due_is_held_then_freed),
		cmocka_unit_test(rate_holds_within_one_percent),
		cmocka_unit_test(bad_pacing_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, cleanup);
}
