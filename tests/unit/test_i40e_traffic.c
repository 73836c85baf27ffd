/* Traffic through the X710 driver and model: 1,000,000 frames of 60 to
 * 9,000 bytes through a cabled pair, byte for byte and in order, with the
 * counts agreeing three ways (the driver's, the device's registers, the
 * model's); ring wrap-around on the smallest rings; a lone frame that is
 * not held back by the device's write-back batching; RSS over 4 queues. */
#include "i40e_test.h"

#define FRAMES 1000000u

#define R_GLPRT_BPTCL(p)   (0x300A00 + 8 * (p))
#define R_GLPRT_BPRCL(p)   (0x3005E0 + 8 * (p))

/* Mostly small and mid-size, one in eight jumbo (as the 82599 test). */
static unsigned mixed_len(uint64_t seq)
{
	uint32_t h = (uint32_t)(seq * 2654435761u) >> 8;
	if ((seq & 7) == 7)
		return 1500 + h % 7501;      /* jumbo: 1500..9000 */
	if (seq & 1)
		return 60 + h % 1455;        /* 60..1514 */
	return 60 + h % 200;             /* small: 60..259 */
}

static unsigned len_60(uint64_t seq) { return 60; }

static void test_million_mixed(void **st)
{
	struct xport a, b;
	struct nic_config c = x_config();
	x_open_pair(&a, "sim:0/model=x710,cable=1", &b, "sim:1/model=x710", &c);

	struct pump_result r;
	uint64_t t0 = now_ns();
	pump(a.nd, b.nd, FRAMES, mixed_len, c.rx_ring - 1, 120000, &r);
	double secs = (double)(now_ns() - t0) / 1e9;
	print_message("%llu frames, %llu bytes in %.2f s (%.2f Mpps)\n",
	              (unsigned long long)r.received, (unsigned long long)r.bytes, secs,
	              (double)r.received / secs / 1e6);
	assert_int_equal(r.sent, FRAMES);
	assert_int_equal(r.received, FRAMES);
	uint64_t want_bytes = 0;
	for (uint64_t s = 0; s < FRAMES; s++)
		want_bytes += mixed_len(s);
	assert_int_equal(r.bytes, want_bytes);

	/* the device's registers, folded by the driver and read raw here (the
	 * model started them at 0: a core reset at open) */
	struct i40e_port_counters ca, cb;
	i40e_port_counters(a.nd, &ca);
	i40e_port_counters(b.nd, &cb);
	assert_int_equal(ca.bptc, FRAMES);             /* every test frame is broadcast */
	assert_int_equal(ca.uptc + ca.mptc, 0);
	assert_int_equal(cb.bprc, FRAMES);
	assert_int_equal(cb.rdpc + cb.crcerrs, 0);
	assert_int_equal(ca.tdold, 0);
	assert_int_equal(reg_read(&a.dev.bar0, R_GLPRT_BPTCL(0)), FRAMES);
	assert_int_equal(reg_read(&b.dev.bar0, R_GLPRT_BPRCL(1)), FRAMES);
	/* octets: the device counts each frame with its 4-byte CRC */
	assert_int_equal(ca.gotc, want_bytes + 4ull * FRAMES);
	assert_int_equal(cb.gorc, want_bytes + 4ull * FRAMES);

	/* the model's */
	struct sim_port_stats ma, mb;
	assert_int_equal(sim_port_stats(0, &ma), 0);
	assert_int_equal(sim_port_stats(1, &mb), 0);
	assert_int_equal(ma.tx_frames, FRAMES);
	assert_int_equal(mb.rx_frames, FRAMES);
	assert_int_equal(mb.rx_drop_nodesc + mb.rx_drop_error + mb.rx_drop_filter, 0);

	/* the driver's */
	struct nic_stats sa, sb;
	x_close(&a, &sa);
	x_close(&b, &sb);
	assert_int_equal(sa.tx_packets, FRAMES);
	assert_int_equal(sa.tx_bytes, want_bytes);
	assert_int_equal(sa.tx_good, FRAMES);
	assert_int_equal(sb.rx_packets, FRAMES);
	assert_int_equal(sb.rx_bytes, want_bytes);
	assert_int_equal(sb.rx_good, FRAMES);
	assert_int_equal(sb.rx_badlen + sb.rx_nobuf + sb.rx_lost + sa.tx_lost + sb.missed, 0);
	assert_no_violations();
}

/* The smallest rings wrap hundreds of times. */
static void test_ring_wrap(void **st)
{
	struct xport a, b;
	struct nic_config c = x_config();
	c.rx_ring = c.tx_ring = 64;
	x_open_pair(&a, "sim:0/model=x710,cable=1", &b, "sim:1/model=x710", &c);
	struct pump_result r;
	pump(a.nd, b.nd, 20000, len_60, 63, 20000, &r);
	assert_int_equal(r.received, 20000);
	struct nic_stats sa, sb;
	x_close(&a, &sa);
	x_close(&b, &sb);
	assert_int_equal(sb.rx_packets, 20000);
	assert_int_equal(sa.tx_packets, 20000);
	assert_int_equal(sa.tx_lost + sb.rx_lost, 0);
	assert_no_violations();
}

/* Receive one frame, polling only rx_batch (never poll()): it must arrive
 * although it fills a quarter of a write-back group. */
static bool rx_one(struct xport *p, uint64_t seq, unsigned ms)
{
	struct packet *pkts[NIC_RX_BATCH];
	uint64_t deadline = now_ns() + (uint64_t)ms * 1000000;
	while (now_ns() < deadline) {
		unsigned n = DRV->rx_batch(p->nd, 0, pkts, NIC_RX_BATCH);
		if (n) {
			assert_int_equal(n, 1);
			bool ok = frame_check(packet_data(pkts[0]), seq, pkts[0]->length);
			packet_free(pkts[0]);
			return ok;
		}
	}
	return false;
}

static void test_single_frame_not_stuck(void **st)
{
	struct xport p;
	struct nic_config c = x_config();
	x_open(&p, "sim:0/model=x710,loopback", &c);
	uint8_t f[128];
	uint64_t seq = 0;
	for (int round = 0; round < 5; round++) {
		/* A whole group of 4 first: written back without the interrupt,
		 * whose cause then fires (and masks it) with nothing left to flush. */
		for (int i = 0; i < 4; i++, seq++) {
			frame_fill(f, seq, 100);
			assert_int_equal(sim_port_inject(0, f, 100), 0);
		}
		assert_int_equal(rx_drain(p.nd, 4, 200, &(uint64_t){ seq - 4 }), 4);
		drv_sleep_us(2000);
		assert_int_equal(DRV->rx_batch(p.nd, 0, (struct packet *[1]){ 0 }, 1), 0);
		/* Then one frame alone, a quarter of a group: it must come (without
		 * poll(), nothing but the interrupt's flush can release it; the
		 * model thread shares 2 CPUs with the test and other work, hence 500 ms). */
		for (int i = 0; i < 3; i++, seq++) {
			frame_fill(f, seq, 100);
			assert_int_equal(sim_port_inject(0, f, 100), 0);
			uint64_t t0 = now_ns();
			if (!rx_one(&p, seq, 500))
				fail_msg("frame %llu alone did not arrive within 500 ms", (unsigned long long)seq);
			print_message("lone frame %llu: %.0f us\n", (unsigned long long)seq,
			              (double)(now_ns() - t0) / 1e3);
		}
	}
	struct nic_stats s;
	x_close(&p, &s);
	assert_int_equal(s.rx_packets, seq);
	assert_no_violations();
}

/* 4,000 UDP flows spread over four RX queues; each gets its share. */
static void test_rss_four_queues(void **st)
{
	struct xport p;
	struct nic_config c = x_config();
	c.rxq = 4;
	x_open(&p, "sim:0/model=x710,loopback", &c);
	enum { N = 4000 };
	uint8_t f[128];
	unsigned per_q[4] = { 0 }, total = 0;
	struct packet *pkts[NIC_RX_BATCH];
	for (unsigned i = 0; i < N; i++) {
		unsigned len = udp_frame(f, i);
		assert_int_equal(sim_port_inject(0, f, len), 0);
		if (i % 256 == 255 || i == N - 1) {   /* never more than a ring's worth waiting */
			wait_model_rx(0, i + 1);
			uint64_t deadline = now_ns() + 1000000000ull;
			while (total < i + 1 && now_ns() < deadline)
				for (unsigned q = 0; q < 4; q++) {
					unsigned n = DRV->rx_batch(p.nd, q, pkts, NIC_RX_BATCH);
					per_q[q] += n;
					total += n;
					packet_free_batch(pkts, n);
				}
		}
	}
	print_message("RSS: %u %u %u %u\n", per_q[0], per_q[1], per_q[2], per_q[3]);
	assert_int_equal(total, N);
	for (unsigned q = 0; q < 4; q++)
		assert_true(per_q[q] > N / 8);     /* an even spread is N/4 each */
	for (unsigned q = 0; q < 4; q++)
		assert_int_equal(DRV->queue_stats(p.nd, q)->rx_packets, per_q[q]);
	struct nic_stats s;
	x_close(&p, &s);
	assert_int_equal(s.rx_packets, N);
	assert_no_violations();
}

int main(void)
{
	test_mem_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_single_frame_not_stuck, x_setup, x_teardown),
		cmocka_unit_test_setup_teardown(test_ring_wrap, x_setup, x_teardown),
		cmocka_unit_test_setup_teardown(test_rss_four_queues, x_setup, x_teardown),
		cmocka_unit_test_setup_teardown(test_million_mixed, x_setup, x_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
