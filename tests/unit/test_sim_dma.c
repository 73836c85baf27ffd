/* test_sim_dma.c -- the model's DMA engine, programmed by hand: frames
 * through loopback and a cable arrive byte-exact, rings wrap, frames
 * larger than a buffer span descriptors with EOP on the last, RX
 * exhaustion is counted in QPRDC (DROP_EN) or MPC (packet buffer full),
 * RSS spreads flows over 4 queues with the hash in the write-back. */
#include "sim_test.h"
#include <stdlib.h>

#include "hw-sim/model.h"

/* Toeplitz by its definition: for every set input bit i (most significant
 * first), XOR the 32 key bits starting at bit i. */
static uint32_t rss_toeplitz_ref(const uint8_t key[40], const uint8_t *in, unsigned n)
{
	uint32_t h = 0;
	for (unsigned i = 0; i < n * 8; i++) {
		if (!(in[i / 8] & (0x80 >> (i % 8))))
			continue;
		uint32_t w = 0;
		for (unsigned k = 0; k < 32; k++) {
			unsigned b = i + k;
			w = w << 1 | (b < 320 ? (key[b / 8] >> (7 - b % 8)) & 1 : 0);
		}
		h ^= w;
	}
	return h;
}

static const uint8_t MAC1[6] = { 0x02, 0x4b, 0x56, 0x00, 0x00, 0x01 };  /* sim:1's MAC */

/* Send `count` frames of sizes from `sizes` (cycled) on a's queue 0 and
 * check each arrives byte-exact, in order, on b's queue 0. */
static void pump(struct tport *a, struct tport *b, unsigned count, const uint16_t *sizes, unsigned nsizes,
                 const uint8_t dst[6])
{
	static uint8_t f[32][9216], got[9216 + 4];
	unsigned sent = 0, recv = 0;
	uint64_t deadline = t_now_ms() + 20000;
	while (recv < count && t_now_ms() < deadline) {
		t_tx_reclaim(a, 0);
		unsigned space = (rd(a, TDH(0)) + a->tx[0].n - rd(a, TDT(0)) - 1) % a->tx[0].n;
		unsigned burst = 0;
		const uint8_t *d[32];
		uint16_t len[32];
		while (burst < 32 && burst < space && sent < count && sent - recv < 200) {
			len[burst] = t_frame(f[sent % 32], dst, sizes[sent % nsizes], sent, (uint16_t)sent);
			d[burst] = f[sent % 32];
			burst++;
			sent++;
		}
		if (burst)
			t_tx_send(a, 0, burst, d, len);
		int n;
		for (;;) {
			/* write-back dword 0 (§7.1.6.2), read once DD is seen and before
			 * the descriptor is given back: without RSS, RSS type 0 and
			 * packet type IPv4 + UDP */
			volatile uint8_t *desc = b->rx[0].ring + 16 * b->rx[0].next;
			if (!(__atomic_load_n((volatile uint32_t *)(desc + 8), __ATOMIC_ACQUIRE) & 1))
				break;
			uint32_t wb_info = *(volatile uint32_t *)desc;
			n = t_rx_take(b, 0, got, NULL);
			assert_true(n > 0);
			assert_int_equal(wb_info, (1u << 4) | (1u << 9));
			uint8_t want[9216];
			t_frame(want, dst, sizes[recv % nsizes], recv, (uint16_t)recv);
			assert_int_equal(n, sizes[recv % nsizes]);
			assert_memory_equal(got, want, (size_t)n);
			recv++;
		}
	}
	assert_int_equal(recv, count);
}

static void loopback_byte_exact_with_ring_wrap(void **state)
{
	struct tport t;
	t_open(&t, "sim:0/loopback");
	t_init(&t, false);
	t_wait_link(&t);
	t_rx_queue(&t, 0, 64, 2, false);
	t_tx_queue(&t, 0, 32);
	static const uint16_t sizes[] = { 60, 61, 64, 128, 777, 1514 };
	/* 1000 frames through 64/32-entry rings: each wraps many times */
	pump(&t, &t, 1000, sizes, 6, BCAST);
	struct sim_port_stats st;
	sim_port_stats(0, &st);
	assert_int_equal(st.tx_frames, 1000);
	assert_int_equal(st.rx_frames, 1000);
	assert_int_equal(st.rx_drop_nodesc + st.rx_drop_error + st.rx_drop_filter, 0);
	assert_int_equal(sim_violation_count(), 0);
	t_close(&t);
}

static void cable_both_directions_jumbo(void **state)
{
	struct tport a, b;
	t_open(&a, "sim:0/cable=1");
	t_open(&b, "sim:1");
	struct tport *ps[2] = { &a, &b };
	for (int i = 0; i < 2; i++) {
		t_init(ps[i], false);
		wr(ps[i], HLREG0, rd(ps[i], HLREG0) | 4u);           /* JUMBOEN */
		wr(ps[i], MAXFRS, 9220u << 16);
		t_rx_queue(ps[i], 0, 256, 10, false);                 /* 10 KB buffers */
		t_tx_queue(ps[i], 0, 256);
	}
	t_wait_link(&a);
	t_wait_link(&b);
	static const uint16_t sizes[] = { 60, 1514, 9000, 333, 4096, 9216 };
	static const uint8_t MAC0[6] = { 0x02, 0x4b, 0x56, 0x00, 0x00, 0x00 };
	pump(&a, &b, 600, sizes, 6, MAC1);
	pump(&b, &a, 600, sizes, 6, MAC0);
	struct sim_port_stats s0, s1;
	sim_port_stats(0, &s0);
	sim_port_stats(1, &s1);
	assert_int_equal(s0.tx_frames, 600);
	assert_int_equal(s1.rx_frames, 600);
	assert_int_equal(s1.tx_frames, 600);
	assert_int_equal(s0.rx_frames, 600);
	usleep(2000);
	assert_int_equal(rd(&b, GPRC), 600);
	assert_int_equal(rd(&a, GPTC), 600);
	assert_int_equal(sim_violation_count(), 0);
	t_close(&a);
	t_close(&b);
}

static void jumbo_without_jumboen_is_oversize(void **state)
{
	struct tport t;
	t_open(&t, "sim:0/loopback");
	t_init(&t, true);
	t_wait_link(&t);
	t_rx_queue(&t, 0, 64, 10, false);
	t_tx_queue(&t, 0, 64);
	static uint8_t f[3000];
	const uint8_t *d[1] = { f };
	uint16_t len[1] = { t_frame(f, BCAST, 2000, 0, 0) };
	t_tx_send(&t, 0, 1, d, len);
	struct sim_port_stats st;
	assert_true(WAIT_FOR(sim_port_stats(0, &st) == 0 && st.rx_drop_error == 1, 100));
	usleep(2000);
	assert_int_equal(rd(&t, ROC), 1);
	assert_int_equal(st.rx_frames, 0);
	t_close(&t);
}

static void frame_spans_descriptors(void **state)
{
	struct tport t;
	t_open(&t, "sim:0/loopback");
	t_init(&t, true);
	wr(&t, HLREG0, rd(&t, HLREG0) | 4u);
	wr(&t, MAXFRS, 9220u << 16);
	t_wait_link(&t);
	t_rx_queue(&t, 0, 64, 2, false);                          /* 2 KB buffers */
	t_tx_queue(&t, 0, 64);
	static uint8_t f[5000], got[3][2048];
	const uint8_t *d[1] = { f };
	uint16_t len[1] = { t_frame(f, BCAST, 5000, 9, 9) };
	t_tx_send(&t, 0, 1, d, len);
	uint32_t st[3];
	int n[3];
	for (int i = 0; i < 3; i++) {
		assert_true(WAIT_FOR((n[i] = t_rx_take(&t, 0, got[i], &st[i])) > 0, 100));
	}
	assert_int_equal(n[0], 2048);
	assert_int_equal(n[1], 2048);
	assert_int_equal(n[2], 5000 - 4096);
	assert_int_equal(st[0] & 3, 1);                           /* DD, no EOP */
	assert_int_equal(st[1] & 3, 1);
	assert_int_equal(st[2] & 3, 3);                           /* DD|EOP */
	assert_memory_equal(got[0], f, 2048);
	assert_memory_equal(got[1], f + 2048, 2048);
	assert_memory_equal(got[2], f + 4096, 5000 - 4096);
	t_close(&t);
}

/* No free descriptor: DROP_EN drops at once into QPRDC; without DROP_EN the
 * frames wait in the packet buffer and are delivered when descriptors come
 * back; a full packet buffer counts MPC. */
static void rx_exhaustion_counted(void **state)
{
	struct tport t;
	t_open(&t, "sim:0/loopback");
	t_init(&t, true);
	t_wait_link(&t);
	t_rx_queue(&t, 0, 32, 2, true);                   /* 31 usable descriptors */
	uint8_t f[64];
	t_frame(f, BCAST, 64, 0, 0);
	for (int i = 0; i < 50; i++)
		assert_int_equal(sim_port_inject(0, f, 64), 0);
	struct sim_port_stats st;
	assert_true(WAIT_FOR(sim_port_stats(0, &st) == 0 && st.wire_rx_frames == 50, 200));
	assert_int_equal(st.rx_frames, 31);
	assert_int_equal(st.rx_drop_nodesc, 19);
	usleep(2000);
	assert_int_equal(rd(&t, QPRDC(0)), 19);
	assert_int_equal(rd(&t, MPC0), 0);
	assert_int_equal(rd(&t, GPRC), 50);               /* all reached the packet buffer */

	/* queue 1 without DROP_EN: shrink the packet buffer to 1 KB */
	t_close(&t);
	sim_shutdown();
	t_open(&t, "sim:0/loopback");
	t_init(&t, true);
	t_wait_link(&t);
	wr(&t, 0x03C00, 1024);                            /* RXPBSIZE(0) = 1 KB */
	t_rx_queue(&t, 0, 32, 2, false);
	for (int i = 0; i < 60; i++)
		assert_int_equal(sim_port_inject(0, f, 64), 0);
	assert_true(WAIT_FOR(sim_port_stats(0, &st) == 0 && st.wire_rx_frames == 60, 200));
	/* 31 DMA'd, 1 KB / 72 bytes per buffered frame = 14 wait, 15 missed */
	assert_int_equal(st.rx_frames, 31);
	assert_int_equal(st.rx_drop_nodesc, 15);
	usleep(2000);
	assert_int_equal(rd(&t, MPC0), 15);
	assert_int_equal(rd(&t, QPRDC(0)), 0);
	/* give descriptors back: the waiting frames arrive, in order */
	unsigned got = 0;
	assert_true(WAIT_FOR((got += t_rx_take(&t, 0, NULL, NULL) > 0) == 45, 500));
	sim_port_stats(0, &st);
	assert_int_equal(st.rx_frames, 45);
	t_close(&t);
}

static void rss_spreads_over_four_queues(void **state)
{
	struct tport t;
	t_open(&t, "sim:0/loopback");
	t_init(&t, true);
	t_wait_link(&t);
	static const uint8_t key[40] = {
		0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
		0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
		0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa };
	for (int i = 0; i < 10; i++)
		wr(&t, RSSRK(i), (uint32_t)key[4 * i] | key[4 * i + 1] << 8 | key[4 * i + 2] << 16 | (uint32_t)key[4 * i + 3] << 24);
	for (int i = 0; i < 32; i++)
		wr(&t, RETA(i), 0x03020100);                   /* entries 0,1,2,3,... */
	wr(&t, MRQC, 0x1 | (1u << 17) | (1u << 22));      /* RSS; IPv4, UDP/IPv4 */
	for (unsigned q = 0; q < 4; q++)
		t_rx_queue(&t, q, 256, 2, false);
	/* §8.2.3.23: queue q counts in QPRC(q) (RQSMR(0): 4 queues, 8 bits each) */
	wr(&t, RQSMR(0), 0x03020100);
	uint8_t f[80];
	for (unsigned i = 0; i < 400; i++) {
		t_frame(f, BCAST, 80, i, (uint16_t)(1000 + i));
		assert_int_equal(sim_port_inject(0, f, 80), 0);
	}
	struct sim_port_stats st;
	assert_true(WAIT_FOR(sim_port_stats(0, &st) == 0 && st.rx_frames == 400, 500));
	unsigned per[4] = { 0 }, total = 0;
	for (unsigned q = 0; q < 4; q++) {
		uint8_t got[128];
		int n;
		for (;;) {
			uint32_t wb_hash = *(volatile uint32_t *)(t.rx[q].ring + 16 * t.rx[q].next + 4);
			uint32_t wb_info = *(volatile uint32_t *)(t.rx[q].ring + 16 * t.rx[q].next);
			if ((n = t_rx_take(&t, q, got, NULL)) <= 0)
				break;
			/* recompute the hash the way the datasheet describes it */
			uint8_t in[12];
			memcpy(in, got + 26, 8);
			memcpy(in + 8, got + 34, 4);
			uint32_t h = rss_toeplitz_ref(key, in, 12);
			assert_int_equal(h & 3, q);
			assert_int_equal(wb_hash, h);
			assert_int_equal(wb_info & 0xF, 7);             /* RSS type UDP/IPv4 */
			assert_int_equal(wb_info & ((1u << 4) | (1u << 9)), (1u << 4) | (1u << 9));
			per[q]++;
			total++;
		}
	}
	assert_int_equal(total, 400);
	/* each queue's own counter (clear on read: accumulate until the model's
	 * end-of-pass flush has landed, then compare) */
	unsigned qprc[4] = { 0 };
	uint64_t end = t_now_ms() + 1000;
	do {
		for (unsigned q = 0; q < 4; q++)
			qprc[q] += rd(&t, QPRC(q));
	} while (qprc[0] + qprc[1] + qprc[2] + qprc[3] < 400 && t_now_ms() < end && !usleep(1000));
	for (unsigned q = 0; q < 4; q++) {
		assert_true(per[q] > 50);                      /* spread, not all on one */
		assert_int_equal(qprc[q], per[q]);
	}
	t_close(&t);
}

/* The Microsoft RSS verification vector (the datasheet's example key). */
static void toeplitz_known_vector(void **state)
{
	static const uint8_t key[40] = {
		0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
		0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
		0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa };
	/* src 66.9.149.187:2794, dst 161.142.100.80:1766 */
	static const uint8_t in[12] = { 66, 9, 149, 187, 161, 142, 100, 80, 0x0a, 0xea, 0x06, 0xe6 };
	assert_int_equal(rss_toeplitz(key, in, 8), 0x323e8fc2);
	assert_int_equal(rss_toeplitz(key, in, 12), 0x51ccc178);
	assert_int_equal(rss_toeplitz_ref(key, in, 12), 0x51ccc178);
}

int main(void)
{
	log_set_level(getenv("SIM_VERBOSE") ? LOG_DEBUG : LOG_ERROR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(toeplitz_known_vector),
		cmocka_unit_test_teardown(loopback_byte_exact_with_ring_wrap, t_teardown),
		cmocka_unit_test_teardown(cable_both_directions_jumbo, t_teardown),
		cmocka_unit_test_teardown(jumbo_without_jumboen_is_oversize, t_teardown),
		cmocka_unit_test_teardown(frame_spans_descriptors, t_teardown),
		cmocka_unit_test_teardown(rx_exhaustion_counted, t_teardown),
		cmocka_unit_test_teardown(rss_spreads_over_four_queues, t_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
