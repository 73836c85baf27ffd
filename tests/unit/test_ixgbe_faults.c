/* The 82599 driver survives the model's faults and counts what they cost:
 * link down/up, write-backs with a bad length or without EOP, a stalled DMA
 * engine (TX ring full), and a device reset in the middle of traffic (on
 * the receiving and on the transmitting port). */
#include "ixgbe_test.h"

static unsigned len_300(uint64_t seq) { return 300; }

static void open_pair(struct port *a, struct port *b, unsigned rx_ring)
{
	struct ixgbe_config c = test_config();
	c.rx_ring = rx_ring;
	port_open_pair(a, "sim:0/cable=1", b, "sim:1/cable=0", &c);
}

static bool wait_link(struct ixgbe_dev *ix, bool up, unsigned ms)
{
	uint64_t deadline = now_ns() + (uint64_t)ms * 1000000;
	do {
		if (ixgbe_link_up(ix, NULL) == up)
			return true;
	} while (now_ns() < deadline);
	return false;
}

/* The model resets asynchronously (as a device would): poll the driver, as
 * the intel app does every 100 ms, until it has noticed and recovered. */
static void poll_until_recovered(struct ixgbe_dev *ix)
{
	struct ixgbe_stats s;
	uint64_t deadline = now_ns() + 2000000000ull;
	do {
		assert_int_equal(ixgbe_poll(ix), 0);
		ixgbe_stats(ix, &s);
	} while (s.resets == 0 && now_ns() < deadline);
	assert_int_equal(s.resets, 1);
}

static void wait_model_rx_frames(unsigned port, uint64_t n)
{
	struct sim_port_stats m;
	uint64_t deadline = now_ns() + 2000000000ull;
	do
		sim_port_stats(port, &m);
	while (m.rx_frames < n && now_ns() < deadline);
	assert_int_equal(m.rx_frames, n);
}

static void test_link_down_up(void **st)
{
	struct port a, b;
	open_pair(&a, &b, 512);
	assert_true(wait_link(a.ix, true, 1000));
	sim_fault_link(0, false);
	assert_true(wait_link(a.ix, false, 1000));
	assert_true(wait_link(b.ix, false, 1000));   /* the cable's other end too */
	ixgbe_poll(a.ix);                            /* no reset: nothing to recover */
	sim_fault_link(0, true);
	assert_true(wait_link(a.ix, true, 2000));
	assert_true(wait_link(b.ix, true, 2000));
	struct pump_result r;
	pump(a.ix, b.ix, 1000, len_300, 500, 5000, &r);
	assert_int_equal(r.received, 1000);
	struct ixgbe_stats sa, sb;
	port_close(&a, &sa);
	port_close(&b, &sb);
	assert_true(sa.link_changes >= 2);
	assert_int_equal(sa.resets + sb.resets, 0);
	assert_no_violations();
}

/* Frames the device describes impossibly are dropped and counted; the
 * others around them arrive intact. */
static void check_bad_writebacks(bool no_eop)
{
	struct port a, b;
	open_pair(&a, &b, 512);
	if (no_eop)
		sim_fault_rx_no_eop(1, 3);
	else
		sim_fault_rx_bad_length(1, 5);
	assert_int_equal(tx_frames(a.ix, 0, 100, 200, 1000), 100);
	wait_model_rx_frames(1, 100);
	struct packet *pkts[IXGBE_RX_BATCH];
	unsigned got = 0, n;
	while ((n = ixgbe_rx_batch(b.ix, 0, pkts, IXGBE_RX_BATCH)) > 0) {
		for (unsigned i = 0; i < n; i++) {
			uint64_t seq;
			memcpy(&seq, packet_data(pkts[i]) + 14, 8);
			assert_int_equal(pkts[i]->length, 200);
			assert_true(frame_check(packet_data(pkts[i]), seq, 200));
		}
		packet_free_batch(pkts, n);
		got += n;
	}
	struct ixgbe_stats sa, sb;
	port_close(&a, &sa);
	port_close(&b, &sb);
	/* The model drops EOP from the next 3 write-backs in a row: to the
	 * driver that is one frame over 4 descriptors (the 4th has EOP), all
	 * dropped.  rx_badlen counts every descriptor dropped. */
	print_message("received %u, rx_badlen %llu\n", got, (unsigned long long)sb.rx_badlen);
	assert_int_equal(got + sb.rx_badlen, 100);
	assert_int_equal(sb.rx_badlen, no_eop ? 4 : 5);
	assert_int_equal(sb.rx_packets, got);
	assert_no_violations();
}

static void test_rx_bad_length(void **st) { check_bad_writebacks(false); }
static void test_rx_no_eop(void **st) { check_bad_writebacks(true); }

/* A stalled DMA engine: the TX ring fills, tx_batch takes no more (the
 * caller keeps the rest); after the stall everything drains in order. */
static void test_dma_stall(void **st)
{
	struct port a, b;
	open_pair(&a, &b, 1024);
	sim_fault_stall(0, 300);
	unsigned took = tx_frames(a.ix, 0, 2000, 300, 100);
	assert_true(took <= 511);        /* TX ring of 512: at most 511 in flight */
	assert_true(took >= 480);        /* and nearly all of it used */
	/* After the stall the rest goes through, in order. */
	uint64_t seq = 0;
	unsigned got = rx_drain(b.ix, 0, took, 2000, &seq);
	assert_int_equal(got, took);
	assert_int_equal(tx_frames(a.ix, took, 500, 300, 1000), 500);
	assert_int_equal(rx_drain(b.ix, 0, 500, 2000, &seq), 500);
	struct ixgbe_stats sa, sb;
	port_close(&a, &sa);
	port_close(&b, &sb);
	assert_int_equal(sb.rx_packets, took + 500);
	assert_int_equal(sa.tx_lost + sb.qprdc + sb.mpc, 0);
	assert_no_violations();
}

/* Reset of the receiving port while 300 frames wait in its ring: they are
 * counted as lost, the driver brings the port back, traffic resumes. */
static void test_reset_receiver(void **st)
{
	struct port a, b;
	open_pair(&a, &b, 1024);
	assert_int_equal(tx_frames(a.ix, 0, 300, 300, 1000), 300);
	wait_model_rx_frames(1, 300);
	sim_fault_reset(1);
	poll_until_recovered(b.ix);              /* notices, counts, re-inits */
	struct ixgbe_stats sb;
	ixgbe_stats(b.ix, &sb);
	assert_int_equal(sb.resets, 1);
	assert_int_equal(sb.rx_lost, 300);
	assert_true(wait_link(b.ix, true, 2000));
	assert_true(wait_link(a.ix, true, 2000));
	struct pump_result r;
	pump(a.ix, b.ix, 500, len_300, 500, 5000, &r);
	assert_int_equal(r.received, 500);
	assert_int_equal(ixgbe_poll(b.ix), 0);   /* nothing more to recover */
	struct ixgbe_stats sa;
	port_close(&a, &sa);
	port_close(&b, &sb);
	assert_int_equal(sb.resets, 1);
	assert_int_equal(sb.rx_packets + sb.rx_lost, 800);
	assert_no_violations();
}

/* Reset of the transmitting port while its DMA is stalled (frames sit in
 * the TX ring): they are counted as tx_lost and freed, nothing leaks. */
static void test_reset_transmitter(void **st)
{
	struct port a, b;
	open_pair(&a, &b, 1024);
	sim_fault_stall(0, 200);
	unsigned took = tx_frames(a.ix, 0, 400, 300, 50);
	assert_true(took > 0);
	sim_fault_reset(0);
	poll_until_recovered(a.ix);
	struct ixgbe_stats sa;
	ixgbe_stats(a.ix, &sa);
	assert_int_equal(sa.resets, 1);
	/* Sent before the reset, or counted lost: never both, never neither. */
	struct sim_port_stats ma;
	sim_port_stats(0, &ma);
	print_message("queued %u, model sent %llu, tx_lost %llu\n", took,
	              (unsigned long long)ma.tx_frames, (unsigned long long)sa.tx_lost);
	assert_int_equal(sa.tx_lost, took - ma.tx_frames);
	/* The port works again. */
	assert_true(wait_link(a.ix, true, 2000));
	uint64_t drained = rx_drain(b.ix, 0, (unsigned)ma.tx_frames, 500, NULL);
	assert_int_equal(drained, ma.tx_frames);
	struct pump_result r;
	pump(a.ix, b.ix, 500, len_300, 500, 5000, &r);
	assert_int_equal(r.received, 500);
	struct ixgbe_stats sb;
	port_close(&a, &sa);
	port_close(&b, &sb);
	assert_no_violations();
}

int main(void)
{
	test_mem_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_link_down_up, ixgbe_test_setup, ixgbe_test_teardown),
		cmocka_unit_test_setup_teardown(test_rx_bad_length, ixgbe_test_setup, ixgbe_test_teardown),
		cmocka_unit_test_setup_teardown(test_rx_no_eop, ixgbe_test_setup, ixgbe_test_teardown),
		cmocka_unit_test_setup_teardown(test_dma_stall, ixgbe_test_setup, ixgbe_test_teardown),
		cmocka_unit_test_setup_teardown(test_reset_receiver, ixgbe_test_setup, ixgbe_test_teardown),
		cmocka_unit_test_setup_teardown(test_reset_transmitter, ixgbe_test_setup, ixgbe_test_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
