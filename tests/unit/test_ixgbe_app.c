/* The `intel` app in a real engine on the model:
 *   src (source) -> nic0 (intel sim:0) ==cable== nic1 (intel sim:1) -> snk
 * Every frame the source made is accounted for -- delivered to the sink,
 * dropped with a reason, or drained from a link at shutdown -- using the
 * apps' own counters and the model's.  Plus: a bad pci= stops the start. */
#include "ixgbe_test.h"

#include "core/topology.h"

static uint64_t counter(struct engine *e, const char *app, const char *name)
{
	struct app *a = engine_app(e, app);
	assert_non_null(a);
	for (int k = 0; k < a->ncounters; k++)
		if (!strcmp(a->counters[k].name, name))
			return *a->counters[k].value;
	fail_msg("app %s has no counter %s", app, name);
	return 0;
}

static uint64_t link_drained_and_dropped(struct engine *e)
{
	uint64_t n = 0;
	for (int i = 0; i < engine_nlinks(e); i++) {
		struct link_counters c;
		link_get_counters(engine_link_at(e, i, NULL), &c);
		n += c.txdrop;
	}
	return n;
}

#define FRAMES 20000

static void test_app_forwarding(void **st)
{
	const char *text =
		"app src  source size=1000 count=20000\n"
		"app nic0 intel  pci=sim:0/cable=1 promisc=true wait_link=0\n"
		"app nic1 intel  pci=sim:1/cable=0 promisc=true\n"
		"app snk  sink\n"
		"link src.output -> nic0.input\n"
		"link nic1.output -> snk.input\n";
	struct topology *t = topology_parse("intel.topo", text, NULL, stderr);
	assert_non_null(t);
	struct engine *e = engine_new(t);
	assert_non_null(e);
	assert_int_equal(counter(e, "nic1", "link"), 1);   /* nic1 waited for it */
	assert_int_equal(counter(e, "nic1", "speed_mbps"), 10000);
	/* Breathe until the source is done and nothing has moved for a while
	 * (every frame delivered or dropped; the model is idle). */
	uint64_t deadline = now_ns() + 20000000000ull;
	unsigned idle = 0;
	while (now_ns() < deadline && idle < 20000) {
		uint64_t moved = engine_breathe(e);
		idle = (moved == 0 && counter(e, "src", "packets") == FRAMES) ? idle + 1 : 0;
	}
	/* The report reads the link again and shows it with the counters. */
	char report[8192] = "";
	FILE *f = fmemopen(report, sizeof(report) - 1, "w");
	engine_report(e, f);
	fclose(f);
	print_message("%s", report);
	assert_int_equal(counter(e, "nic0", "link"), 1);
	assert_non_null(strstr(report, "sim:0/cable=1: link up 10000 Mb/s"));
	assert_non_null(strstr(report, "sim:1/cable=0: link up 10000 Mb/s"));
	struct sim_port_stats m0, m1;
	engine_shutdown(e);   /* every app stopped: the counters are final */
	sim_port_stats(0, &m0);
	sim_port_stats(1, &m1);
	uint64_t src = counter(e, "src", "packets");
	uint64_t tx = counter(e, "nic0", "txpackets"), ringfull = counter(e, "nic0", "txdrop_ringfull");
	uint64_t rx = counter(e, "nic1", "rxpackets"), snk = counter(e, "snk", "packets");
	uint64_t rxdrops = counter(e, "nic1", "rxdrop_nodesc") + counter(e, "nic1", "missed") +
	                   counter(e, "nic1", "rxdrop_nobuf") + counter(e, "nic1", "rxdrop_badlen") +
	                   counter(e, "nic1", "rx_lost");
	print_message("src %llu nic0 tx %llu ringfull %llu | nic1 rx %llu drops %llu | sink %llu\n",
	              (unsigned long long)src, (unsigned long long)tx, (unsigned long long)ringfull,
	              (unsigned long long)rx, (unsigned long long)rxdrops, (unsigned long long)snk);
	assert_int_equal(src, FRAMES);
	assert_int_equal(link_drained_and_dropped(e), 0);
	/* Nothing is in a link after the run (the loop waited for the sink). */
	assert_int_equal(tx + ringfull, src);
	assert_int_equal(m0.tx_frames + counter(e, "nic0", "tx_lost"), tx);
	assert_int_equal(m1.wire_rx_frames, m0.tx_frames);
	assert_int_equal(rx + rxdrops, m1.wire_rx_frames);
	assert_int_equal(snk, rx);
	assert_true(snk > FRAMES / 2);   /* and most of it really went through */
	assert_int_equal(counter(e, "nic0", "resets") + counter(e, "nic1", "resets"), 0);
	engine_free(e);
	topology_free(t);
	assert_no_violations();
}

static void test_app_bad_pci(void **st)
{
	/* Refused while the file is read (kvick check too), each with its
	 * own message pointing at the value. */
	static const struct { const char *text, *error; } bad[] = {
		{"app nic intel pci=eth0\n",
		 "bad.topo:1:19: error: app 'nic' (class 'intel'): 'eth0' is not a PCI address"},
		{"app nic intel pci=sim0\n",
		 "bad.topo:1:19: error: app 'nic' (class 'intel'): 'sim0': a model port is written sim:N"},
		{"app nic intel pci=sim:0 rxring=100\n",
		 "bad.topo:1:32: error: app 'nic' (class 'intel'): rxring=100: must be a power of two, 64..4096\n"},
		{"app nic intel pci=sim:0 mtu=9500\n",
		 "bad.topo:1:29: error: app 'nic' (class 'intel'): mtu=9500: must be 68..9000\n"},
		{"app a intel pci=sim:0/loopback rxq=2 txq=2 queue=2\n",
		 "bad.topo:1:50: error: app 'a' (class 'intel'): queue=2: the port is set up with 2 RX and "
		 "2 TX queues (rxq=, txq=): queue is 0..1\n"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *err = test_topology_refused("bad.topo", bad[i].text);
		if (!strstr(err, bad[i].error))
			fail_msg("%s: expected\n%s\ngot\n%s", bad[i].text, bad[i].error, err);
		free(err);
	}
	assert_int_equal(freelist_outstanding(), 0);
}

/* Two intel apps share one port, one queue pair each (queue=0, queue=1):
 * RSS spreads 400 flows over both, and each app delivers its queue's
 * frames; together they account for every frame. */
static void test_app_shared_port(void **st)
{
	const char *text =
		"app q0 intel pci=sim:0/loopback promisc=true rxq=2 txq=2 queue=0\n"
		"app q1 intel pci=sim:0/loopback promisc=true rxq=2 txq=2 queue=1\n"
		"app s0 sink\n"
		"app s1 sink\n"
		"link q0.output -> s0.input\n"
		"link q1.output -> s1.input\n";
	struct topology *t = topology_parse("shared.topo", text, NULL, stderr);
	assert_non_null(t);
	struct engine *e = engine_new(t);
	assert_non_null(e);
	enum { FLOWS = 400 };
	uint8_t f[128];
	for (unsigned i = 0; i < FLOWS; i++) {
		unsigned len = udp_frame(f, i);
		assert_int_equal(sim_port_inject(0, f, len), 0);
	}
	uint64_t deadline = now_ns() + 5000000000ull;
	while (now_ns() < deadline &&
	       counter(e, "s0", "packets") + counter(e, "s1", "packets") < FLOWS)
		engine_breathe(e);
	uint64_t a = counter(e, "s0", "packets"), b = counter(e, "s1", "packets");
	print_message("queue 0: %llu, queue 1: %llu\n", (unsigned long long)a,
	              (unsigned long long)b);
	assert_int_equal(a + b, FLOWS);
	assert_true(a > FLOWS / 4 && b > FLOWS / 4);
	assert_int_equal(counter(e, "q0", "rxpackets"), a);   /* per queue */
	assert_int_equal(counter(e, "q1", "rxpackets"), b);
	engine_free(e);
	topology_free(t);
	assert_no_violations();
}

static void test_app_shared_port_errors(void **st)
{
	const char *bad[] = {
		/* the same queue twice */
		"app a intel pci=sim:0/loopback rxq=2 txq=2 queue=1\n"
		"app b intel pci=sim:0/loopback rxq=2 txq=2 queue=1\n",
		/* one app takes every queue, another wants one */
		"app a intel pci=sim:0/loopback rxq=2 txq=2\n"
		"app b intel pci=sim:0/loopback rxq=2 txq=2 queue=0\n",
		/* different settings for one port */
		"app a intel pci=sim:0/loopback rxq=2 txq=2 queue=0\n"
		"app b intel pci=sim:0/loopback rxq=4 txq=2 queue=1\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct topology *t = topology_parse("bad.topo", bad[i], NULL, stderr);
		assert_non_null(t);
		assert_null(engine_new(t));
		topology_free(t);
	}
	assert_int_equal(freelist_outstanding(), 0);
}

int main(void)
{
	test_mem_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_app_forwarding, ixgbe_test_setup, ixgbe_test_teardown),
		cmocka_unit_test_setup_teardown(test_app_bad_pci, ixgbe_test_setup, ixgbe_test_teardown),
		cmocka_unit_test_setup_teardown(test_app_shared_port, ixgbe_test_setup, ixgbe_test_teardown),
		cmocka_unit_test_setup_teardown(test_app_shared_port_errors, ixgbe_test_setup, ixgbe_test_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
