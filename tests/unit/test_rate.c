/* rate: the shared rate/size parser, and rate_limiter -- exact token
 * accounting on fixed frames, then the rate a source flooding it gets
 * through, measured with the TSC over 2 s. */
#include "apps_test.h"

#include "apps/rate.h"

static void parses_rates_with_units(void **st)
{
	struct rate r;
	char err[200];
	static const struct { const char *text; double v; enum rate_unit u; } ok[] = {
		{ "1Mpps", 1e6, RATE_PPS },   { "500kpps", 5e5, RATE_PPS }, { "5Gbps", 5e9, RATE_BPS },
		{ "100Mbps", 1e8, RATE_BPS }, { "1.5Mpps", 1.5e6, RATE_PPS }, { "64pps", 64, RATE_PPS },
		{ "9600bps", 9600, RATE_BPS }, { "10Kpps", 1e4, RATE_PPS },
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		assert_int_equal(rate_parse(ok[i].text, &r, err, sizeof err), 0);
		assert_true(r.per_sec == ok[i].v);
		assert_int_equal(r.unit, ok[i].u);
	}
	assert_int_equal(rate_parse("5Gbs", &r, err, sizeof err), -1);
	assert_contains(err, "unknown unit \"Gbs\"");
	assert_contains(err, "1Mpps, 500kpps, 5Gbps, 100Mbps");
	assert_int_equal(rate_parse("1M", &r, err, sizeof err), -1);
	assert_contains(err, "rate \"1M\": unknown unit \"M\"");
	assert_int_equal(rate_parse("fast", &r, err, sizeof err), -1);
	assert_contains(err, "rate \"fast\": no number");
	assert_int_equal(rate_parse("-1Mpps", &r, err, sizeof err), -1);
	assert_int_equal(rate_parse("0pps", &r, err, sizeof err), -1);
	assert_contains(err, "more than 0");
	assert_int_equal(rate_parse("1Mpps ", &r, err, sizeof err), -1);
	assert_contains(err, "unknown unit \"Mpps \"");
	char buf[32];
	rate_parse("1.5Mpps", &r, err, sizeof err);
	rate_format(&r, buf, sizeof buf);
	assert_string_equal(buf, "1.50 Mpps");
}

static void parses_bursts(void **st)
{
	double b;
	char err[200];
	assert_int_equal(rate_parse_burst("64", RATE_PPS, &b, err, sizeof err), 0);
	assert_true(b == 64);
	assert_int_equal(rate_parse_burst("2kp", RATE_PPS, &b, err, sizeof err), 0);
	assert_true(b == 2000);
	assert_int_equal(rate_parse_burst("1500", RATE_BPS, &b, err, sizeof err), 0);
	assert_true(b == 12000);
	assert_int_equal(rate_parse_burst("64kB", RATE_BPS, &b, err, sizeof err), 0);
	assert_true(b == 512000);
	assert_int_equal(rate_parse_burst("64p", RATE_BPS, &b, err, sizeof err), -1);
	assert_contains(err, "unit \"p\" does not go with a bps rate");
	assert_int_equal(rate_parse_burst("0", RATE_PPS, &b, err, sizeof err), -1);
	assert_int_equal(rate_parse_burst("lots", RATE_PPS, &b, err, sizeof err), -1);
	assert_contains(err, "burst \"lots\"");
}

static void tsc_hz_is_plausible(void **st)
{
	uint64_t hz = rate_tsc_hz();
	assert_true(hz > 500000000ull && hz < 10000000000ull);
	uint64_t n0 = now_ns(), c0 = rdtsc();
	usleep(50000);
	double secs = (double)(rdtsc() - c0) / (double)hz, wall = (double)(now_ns() - n0) / 1e9;
	assert_true(secs > wall * 0.99 && secs < wall * 1.01);
}

static struct packet *frame_of(uint16_t len)
{
	struct packet *p = packet_alloc();
	memset(packet_data(p), 0, len);
	p->length = len;
	return p;
}

/* Rates so low that no token arrives during the test: only burst counts. */
static void bucket_accounting_is_exact(void **st)
{
	struct net n = net_start(
		"app in join\napp p rate_limiter rate=1pps burst=5\napp out capture\n"
		"app in2 join\napp b rate_limiter rate=1bps burst=1000B\napp out2 capture\n"
		"link in.output -> p.input\nlink p.output -> out.input\n"
		"link in2.output -> b.input\nlink b.output -> out2.input\n");
	for (int i = 0; i < 10; i++)
		link_transmit(link_of(&n, "in.output -> p.input"), frame_of(60));
	/* 8000 bits: three 300-byte frames (7200), not a fourth, then 100 bytes (800). */
	struct link *l2 = link_of(&n, "in2.output -> b.input");
	for (int i = 0; i < 4; i++)
		link_transmit(l2, frame_of(300));
	link_transmit(l2, frame_of(100));
	link_transmit(l2, frame_of(60));
	breathe_until_idle(&n);
	assert_int_equal(counter(&n, "p", "received"), 10);
	assert_int_equal(counter(&n, "p", "forwarded"), 5);
	assert_int_equal(counter(&n, "p", "dropped"), 5);
	struct packet *got[8];
	assert_int_equal(captured_of("out", got, 8), 5);
	assert_int_equal(counter(&n, "b", "received"), 6);
	assert_int_equal(counter(&n, "b", "forwarded"), 4);
	assert_int_equal(counter(&n, "b", "dropped"), 2);
	assert_int_equal(captured_of("out2", got, 8), 4);
	assert_int_equal(got[3]->length, 100);
	char *rep = app_report_text(&n, "b");
	assert_contains(rep, "rate 1.00 bps, burst 8000 bits");
	free(rep);
	net_end(&n);
}

/* Flooded by a source, each limiter passes its rate: measured after a
 * warm-up, from the TSC, over 2 s; and every frame is accounted for. */
static void rate_holds_within_one_percent(void **st)
{
	struct net n = net_start(
		"app s1 source size=60\napp p rate_limiter rate=200kpps burst=4000\napp k1 sink\n"
		"app s2 source size=500\napp b rate_limiter rate=40Mbps burst=100kB\napp k2 sink\n"
		"link s1.output -> p.input\nlink p.output -> k1.input\n"
		"link s2.output -> b.input\nlink b.output -> k2.input\n");
	uint64_t hz = rate_tsc_hz();
	uint64_t t = rdtsc();
	while (rdtsc() - t < hz / 4)   /* warm-up: the bucket drains to ~0 */
		engine_breathe(n.e);
	uint64_t p0 = counter(&n, "p", "forwarded"), b0 = counter(&n, "b", "forwarded");
	uint64_t t0 = rdtsc();
	uint64_t lost = breathe_ticks(&n, 2 * hz, hz / 50);   /* both bursts are 20 ms */
	double secs = (double)(rdtsc() - t0) / (double)hz, live = secs - (double)lost / (double)hz;
	assert_paced("rate_limiter pps", (double)(counter(&n, "p", "forwarded") - p0) / secs, 200000,
	             secs, live, 4000);
	assert_paced("rate_limiter bps", (double)(counter(&n, "b", "forwarded") - b0) * 500 * 8 / secs,
	             40e6, secs, live, 800000);
	/* The source really flooded it (else the test proves nothing). */
	assert_true(counter(&n, "p", "dropped") > counter(&n, "p", "forwarded"));
	engine_shutdown(n.e);   /* what the sinks have not taken is drained */
	for (int i = 0; i < 2; i++) {
		const char *rl = i ? "b" : "p", *k = i ? "k2" : "k1";
		const char *spec = i ? "b.output -> k2.input" : "p.output -> k1.input";
		struct link *l = link_of(&n, spec);
		struct link_counters c;
		link_get_counters(l, &c);
		assert_int_equal(counter(&n, rl, "received"),
		                 counter(&n, rl, "forwarded") + counter(&n, rl, "dropped"));
		assert_int_equal(counter(&n, rl, "forwarded"), c.txpackets + c.txdrop);
		assert_int_equal(c.txpackets, counter(&n, k, "packets") + l->drained);
	}
	net_end(&n);
}

static void bad_rate_is_refused_with_its_text(void **st)
{
	/* refused while the file is read (kvick check too), at the value */
	char *err = test_topology_refused("test.topo",
		"app in join\napp p rate_limiter rate=5Gbs\napp out sink\n"
		"link in.output -> p.input\nlink p.output -> out.input\n");
	assert_contains(err, "test.topo:2:25: error: app 'p' (class 'rate_limiter'): rate=: rate "
	                "\"5Gbs\": unknown unit \"Gbs\"");
	free(err);
	err = test_topology_refused("test.topo",
		"app in join\napp p rate_limiter rate=1Mpps burst=10kB\napp out sink\n"
		"link in.output -> p.input\nlink p.output -> out.input\n");
	assert_contains(err, "test.topo:2:37: error: app 'p' (class 'rate_limiter'): burst=: burst "
	                "\"10kB\": unit \"B\" does not go with a pps rate");
	free(err);
}

int main(void)
{
	test_mem_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_rates_with_units),
		cmocka_unit_test(parses_bursts),
		cmocka_unit_test(tsc_hz_is_plausible),
		cmocka_unit_test(bucket_accounting_is_exact),
		cmocka_unit_test(rate_holds_within_one_percent),
		cmocka_unit_test(bad_rate_is_refused_with_its_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
