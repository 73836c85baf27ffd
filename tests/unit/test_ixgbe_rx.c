/* The 82599 driver's receive side against the model: an empty freelist
 * (frames dropped and counted, ring intact), a full RX ring (the device's
 * drop counters reach the driver's statistics), and RSS spreading flows
 * over four queues.  Frames come from the model's wire (sim_port_inject). */
#include "ixgbe_test.h"


/* Wait until the model has taken `n` frames off port's wire and either
 * DMA'd or dropped each. */
static void wait_model_rx(unsigned port, uint64_t n)
{
	struct sim_port_stats m;
	uint64_t deadline = now_ns() + 2000000000ull;
	do {
		assert_int_equal(sim_port_stats(port, &m), 0);
		if (m.wire_rx_frames >= n && m.rx_frames + m.rx_drop_nodesc + m.rx_drop_disabled +
		                                 m.rx_drop_filter + m.rx_drop_error >= n)
			return;
	} while (now_ns() < deadline);
	fail_msg("model port %u: %llu of %llu frames arrived, %llu DMA'd", port,
	         (unsigned long long)m.wire_rx_frames, (unsigned long long)n,
	         (unsigned long long)m.rx_frames);
}

static void inject_seq(unsigned port, uint64_t first, unsigned n, unsigned len)
{
	uint8_t f[9216];
	for (unsigned i = 0; i < n; i++) {
		frame_fill(f, first + i, len);
		assert_int_equal(sim_port_inject(port, f, len), 0);
	}
}

static void test_rx_freelist_empty(void **st)
{
	freelist_shutdown();
	freelist_set_limit(1024);
	struct port p;
	struct ixgbe_config c = test_config();
	c.rx_ring = c.tx_ring = 64;
	port_open(&p, "sim:0/loopback", &c);
	/* Take every packet the freelist can still make. */
	static struct packet *hog[1024];
	unsigned nhog = packet_alloc_batch(hog, 1024);
	assert_true(nhog > 0);
	assert_null(packet_alloc());

	inject_seq(0, 0, 10, 100);
	wait_model_rx(0, 10);
	struct packet *pkts[IXGBE_RX_BATCH];
	assert_int_equal(ixgbe_rx_batch(p.ix, 0, pkts, IXGBE_RX_BATCH), 0);
	struct ixgbe_stats s;
	ixgbe_stats(p.ix, &s);
	assert_int_equal(s.rx_nobuf, 10);      /* dropped and counted, not lost */
	assert_int_equal(s.rx_packets, 0);

	/* Buffers back: the ring was kept full, so traffic resumes at once. */
	packet_free_batch(hog, nhog);
	inject_seq(0, 10, 50, 200);     /* fewer than the ring holds */
	uint64_t seq = 10;
	assert_int_equal(rx_drain(p.ix, 0, 50, 2000, &seq), 50);
	port_close(&p, &s);
	assert_int_equal(s.rx_packets, 50);
	assert_int_equal(s.rx_nobuf, 10);
	assert_no_violations();
	/* Back to the default limit.  The freelist sizes its stack at the first
	 * allocation, so it must be empty and shut down before the limit grows. */
	assert_int_equal(freelist_outstanding(), 0);
	freelist_shutdown();
	freelist_set_limit(65536);
}

static void test_rx_ring_full(void **st)
{
	struct port p;
	struct ixgbe_config c = test_config();
	c.rx_ring = 64;
	port_open(&p, "sim:0/loopback", &c);
	/* 200 frames while nobody polls: 63 fit (one descriptor always stays
	 * with the driver), the rest the device drops for want of descriptors. */
	inject_seq(0, 0, 200, 64);
	wait_model_rx(0, 200);
	uint64_t seq = 0;
	unsigned got = rx_drain(p.ix, 0, 200, 300, &seq);
	assert_int_equal(got, 63);
	struct ixgbe_stats s;
	struct sim_port_stats m;
	sim_port_stats(0, &m);
	port_close(&p, &s);
	assert_int_equal(s.rx_packets, 63);
	assert_int_equal(s.qprdc + s.mpc, 200 - 63);          /* as the device counted them */
	assert_int_equal(m.rx_drop_nodesc, 200 - 63);
	assert_int_equal(s.rx_packets + s.qprdc + s.mpc, 200); /* conservation */
	assert_no_violations();
}

static void test_rss_four_queues(void **st)
{
	struct port p;
	struct ixgbe_config c = test_config();
	c.rxq = 4;
	port_open(&p, "sim:0/loopback", &c);
	enum { FLOWS = 400 };
	uint8_t f[128];
	for (unsigned i = 0; i < FLOWS; i++) {
		unsigned len = udp_frame(f, i);
		assert_int_equal(sim_port_inject(0, f, len), 0);
	}
	wait_model_rx(0, FLOWS);
	unsigned per_q[4] = { 0 }, total = 0;
	for (unsigned q = 0; q < 4; q++) {
		per_q[q] = rx_drain(p.ix, q, FLOWS, 100, NULL);
		total += per_q[q];
	}
	print_message("RSS: %u %u %u %u\n", per_q[0], per_q[1], per_q[2], per_q[3]);
	assert_int_equal(total, FLOWS);
	/* 400 distinct flows over 4 queues: each gets a fair share, far from
	 * all-in-one (a broken RETA or MRQC puts everything on queue 0). */
	for (unsigned q = 0; q < 4; q++)
		assert_true(per_q[q] >= FLOWS / 4 / 3);
	struct ixgbe_stats s;
	port_close(&p, &s);
	assert_int_equal(s.rx_packets, FLOWS);
	assert_no_violations();
}

/* Without promisc the port takes frames for its own MAC (set with mac=,
 * RAL/RAH) and broadcasts (FCTRL.BAM), and the device filters the rest. */
static void test_mac_filter(void **st)
{
	struct port p;
	struct ixgbe_config c = test_config();
	static const uint8_t mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	c.promisc = false;
	c.set_mac = true;
	memcpy(c.mac, mac, 6);
	port_open(&p, "sim:0/loopback", &c);
	uint8_t got_mac[6];
	ixgbe_mac(p.ix, got_mac);
	assert_memory_equal(got_mac, mac, 6);

	uint8_t f[128];
	frame_fill(f, 1, 100);                /* broadcast: accepted */
	assert_int_equal(sim_port_inject(0, f, 100), 0);
	frame_fill(f, 2, 100);
	memcpy(f, mac, 6);                    /* ours: accepted */
	assert_int_equal(sim_port_inject(0, f, 100), 0);
	frame_fill(f, 3, 100);
	f[0] = 0x02; f[5] = 0x99;             /* someone else's: filtered */
	assert_int_equal(sim_port_inject(0, f, 100), 0);
	wait_model_rx(0, 3);
	assert_int_equal(rx_drain(p.ix, 0, 3, 200, NULL), 2);
	struct sim_port_stats m;
	sim_port_stats(0, &m);
	assert_int_equal(m.rx_drop_filter, 1);
	port_close(&p, NULL);
	assert_no_violations();
}

int main(void)
{
	test_mem_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rx_freelist_empty, ixgbe_test_setup, ixgbe_test_teardown),
		cmocka_unit_test_setup_teardown(test_rx_ring_full, ixgbe_test_setup, ixgbe_test_teardown),
		cmocka_unit_test_setup_teardown(test_rss_four_queues, ixgbe_test_setup, ixgbe_test_teardown),
		cmocka_unit_test_setup_teardown(test_mac_filter, ixgbe_test_setup, ixgbe_test_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
