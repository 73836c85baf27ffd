/* The X710 driver survives the model's faults and counts what they cost:
 * link down and up (admin queue link events), write-backs with an
 * impossible length or without EOP, a stalled DMA engine (TX ring full),
 * and a core reset in the middle of traffic on the receiving and on the
 * transmitting port. */
#include "i40e_test.h"

static unsigned len_300(uint64_t seq) { return 300; }

static void open_pair(struct xport *a, struct xport *b, unsigned ring)
{
	struct nic_config c = x_config();
	c.rx_ring = c.tx_ring = ring;
	x_open_pair(a, "sim:0/model=x710,cable=1", b, "sim:1/model=x710", &c);
}

/* The model resets asynchronously: poll, as the intel app does, until the
 * driver has noticed and recovered. */
static void poll_until_recovered(struct xport *p)
{
	struct nic_stats s;
	uint64_t deadline = now_ns() + 3000000000ull;
	do {
		assert_int_equal(DRV->poll(p->nd), 0);
		DRV->stats(p->nd, &s);
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
	struct xport a, b;
	open_pair(&a, &b, 512);
	sim_fault_link(0, false);
	assert_true(x_wait_link(&a, false, 1000));     /* from the firmware's link event */
	assert_true(x_wait_link(&b, false, 1000));     /* the cable's other end too */
	assert_int_equal(DRV->poll(a.nd), 0);          /* no reset: nothing to recover */
	sim_fault_link(0, true);
	assert_true(x_wait_link(&a, true, 2000));
	assert_true(x_wait_link(&b, true, 2000));
	unsigned speed = 0;
	assert_true(DRV->link(a.nd, &speed));
	assert_int_equal(speed, 10000);
	struct pump_result r;
	pump(a.nd, b.nd, 1000, len_300, 500, 5000, &r);
	assert_int_equal(r.received, 1000);
	struct nic_stats sa, sb;
	x_close(&a, &sa);
	x_close(&b, &sb);
	assert_true(sa.link_changes >= 2);
	assert_int_equal(sa.resets + sb.resets, 0);
	assert_no_violations();
}

/* More link changes than the admin receive queue holds, with nobody
 * reading it: the firmware drops events (PF_ARQLEN.ARQOVFL); the driver says
 * so, clears it, and poll() gets the link right from PRTMAC_LINKSTA. */
static void test_arq_overflow(void **st)
{
	struct xport a, b;
	open_pair(&a, &b, 512);
	for (int i = 0; i < 40; i++) {           /* 80 events for 31 free descriptors */
		sim_fault_link(0, false);
		drv_sleep_us(2000);
		sim_fault_link(0, true);
		drv_sleep_us(2000);
	}
	drv_sleep_us(20000);                     /* the link ends up */
	log_capture_begin();
	DRV->link(a.nd, NULL);                   /* the 31 events kept; the rest were dropped */
	const char *log = log_capture_end();
	assert_non_null(strstr(log, "PF_ARQLEN.ARQOVFL"));
	uint64_t deadline = now_ns() + 1000000000ull;
	while (!DRV->link(a.nd, NULL) && now_ns() < deadline)
		assert_int_equal(DRV->poll(a.nd), 0);
	assert_true(DRV->link(a.nd, NULL));      /* if stale, poll() saw PRTMAC_LINKSTA disagree and asked */
	x_close(&a, NULL);
	x_close(&b, NULL);
	assert_no_violations();
}

/* Frames the device describes impossibly are dropped and counted; the
 * others around them arrive intact. */
static void check_bad_writebacks(bool no_eop)
{
	struct xport a, b;
	open_pair(&a, &b, 512);
	if (no_eop)
		sim_fault_rx_no_eop(1, 3);
	else
		sim_fault_rx_bad_length(1, 5);
	assert_int_equal(tx_frames(a.nd, 0, 100, 200, 1000), 100);
	wait_model_rx_frames(1, 100);
	struct packet *pkts[NIC_RX_BATCH];
	unsigned got = 0;
	uint64_t deadline = now_ns() + 1000000000ull;
	while (now_ns() < deadline) {
		unsigned n = DRV->rx_batch(b.nd, 0, pkts, NIC_RX_BATCH);
		for (unsigned i = 0; i < n; i++) {
			uint64_t seq;
			memcpy(&seq, packet_data(pkts[i]) + 14, 8);
			assert_int_equal(pkts[i]->length, 200);
			assert_true(frame_check(packet_data(pkts[i]), seq, 200));
		}
		packet_free_batch(pkts, n);
		got += n;
		if (got + DRV->queue_stats(b.nd, 0)->rx_badlen >= 100)
			break;
	}
	struct nic_stats sa, sb;
	x_close(&a, &sa);
	x_close(&b, &sb);
	/* Three write-backs in a row without EOP: to the driver one frame over
	 * four descriptors (the 4th has EOP), all dropped; rx_badlen counts
	 * every descriptor dropped. */
	print_message("received %u, rx_badlen %llu\n", got, (unsigned long long)sb.rx_badlen);
	assert_int_equal(got + sb.rx_badlen, 100);
	assert_int_equal(sb.rx_badlen, no_eop ? 4 : 5);
	assert_int_equal(sb.rx_packets, got);
	assert_no_violations();
}

static void test_rx_bad_length(void **st) { check_bad_writebacks(false); }
static void test_rx_no_eop(void **st) { check_bad_writebacks(true); }

/* A stalled DMA engine: the TX ring fills, tx_batch takes no more; after
 * the stall everything drains in order. */
static void test_dma_stall(void **st)
{
	struct xport a, b;
	open_pair(&a, &b, 1024);
	sim_fault_stall(0, 300);
	unsigned took = tx_frames(a.nd, 0, 2000, 300, 100);
	assert_true(took <= 1023);
	assert_true(took >= 990);
	uint64_t seq = 0;
	assert_int_equal(rx_drain(b.nd, took, 2000, &seq), took);
	assert_int_equal(tx_frames(a.nd, took, 500, 300, 1000), 500);
	assert_int_equal(rx_drain(b.nd, 500, 2000, &seq), 500);
	struct nic_stats sa, sb;
	x_close(&a, &sa);
	x_close(&b, &sb);
	assert_int_equal(sb.rx_packets, took + 500);
	assert_int_equal(sa.tx_lost + sb.missed, 0);
	assert_no_violations();
}

/* A reset of the receiving port while 300 frames wait in its ring: they
 * are counted lost, the driver brings the port back, traffic resumes. */
static void test_reset_receiver(void **st)
{
	struct xport a, b;
	open_pair(&a, &b, 1024);
	assert_int_equal(tx_frames(a.nd, 0, 300, 300, 1000), 300);
	wait_model_rx_frames(1, 300);
	sim_fault_reset(1);
	poll_until_recovered(&b);
	struct nic_stats sb;
	DRV->stats(b.nd, &sb);
	assert_int_equal(sb.rx_lost, 300);
	assert_true(x_wait_link(&b, true, 3000));
	assert_true(x_wait_link(&a, true, 3000));
	struct pump_result r;
	pump(a.nd, b.nd, 500, len_300, 500, 5000, &r);
	assert_int_equal(r.received, 500);
	assert_int_equal(DRV->poll(b.nd), 0);
	struct nic_stats sa;
	x_close(&a, &sa);
	x_close(&b, &sb);
	assert_int_equal(sb.resets, 1);
	assert_int_equal(sb.rx_packets + sb.rx_lost, 800);
	assert_no_violations();
}

/* A reset of the transmitting port while its DMA is stalled: the queued
 * frames are sent before the reset or counted tx_lost, never both. */
static void test_reset_transmitter(void **st)
{
	struct xport a, b;
	open_pair(&a, &b, 1024);
	sim_fault_stall(0, 200);
	unsigned took = tx_frames(a.nd, 0, 400, 300, 50);
	assert_true(took > 0);
	sim_fault_reset(0);
	poll_until_recovered(&a);
	struct nic_stats sa;
	DRV->stats(a.nd, &sa);
	struct sim_port_stats ma;
	sim_port_stats(0, &ma);
	print_message("queued %u, model sent %llu, tx_lost %llu\n", took,
	              (unsigned long long)ma.tx_frames, (unsigned long long)sa.tx_lost);
	assert_int_equal(sa.tx_lost, took - ma.tx_frames);
	assert_true(x_wait_link(&a, true, 3000));
	assert_true(x_wait_link(&b, true, 3000));
	assert_int_equal(rx_drain(b.nd, (unsigned)ma.tx_frames, 500, NULL), ma.tx_frames);
	struct pump_result r;
	pump(a.nd, b.nd, 500, len_300, 500, 5000, &r);
	assert_int_equal(r.received, 500);
	struct nic_stats sb;
	x_close(&a, &sa);
	x_close(&b, &sb);
	assert_no_violations();
}

int main(void)
{
	test_mem_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_link_down_up, x_setup, x_teardown),
		cmocka_unit_test_setup_teardown(test_arq_overflow, x_setup, x_teardown),
		cmocka_unit_test_setup_teardown(test_rx_bad_length, x_setup, x_teardown),
		cmocka_unit_test_setup_teardown(test_rx_no_eop, x_setup, x_teardown),
		cmocka_unit_test_setup_teardown(test_dma_stall, x_setup, x_teardown),
		cmocka_unit_test_setup_teardown(test_reset_receiver, x_setup, x_teardown),
		cmocka_unit_test_setup_teardown(test_reset_transmitter, x_setup, x_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
