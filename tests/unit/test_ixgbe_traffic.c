/* 1,000,000 frames of mixed sizes (60 to 9,000 bytes) through a cabled
 * pair of model ports, sim:0 -> sim:1, with the real driver on both ends:
 * every frame arrives byte for byte and in order, and the counts agree
 * three ways -- the test's, the driver's, and the model's. */
#include "ixgbe_test.h"

#define FRAMES 1000000u

/* Sizes spread over 60..9000: mostly small and mid-size, one in eight
 * jumbo, so the mix is realistic and the run stays short. */
static unsigned mixed_len(uint64_t seq)
{
	uint32_t h = (uint32_t)(seq * 2654435761u) >> 8;
	if ((seq & 7) == 7)
		return 1500 + h % 7501;      /* jumbo: 1500..9000 */
	if (seq & 1)
		return 60 + h % 1455;        /* 60..1514 */
	return 60 + h % 200;             /* small: 60..259 */
}

static void test_million_mixed(void **st)
{
	struct port a, b;
	struct ixgbe_config c = test_config();
	port_open_pair(&a, "sim:0/cable=1", &b, "sim:1/cable=0", &c);
	assert_true(ixgbe_link_up(a.ix, NULL));
	assert_true(ixgbe_link_up(b.ix, NULL));

	struct pump_result r;
	uint64_t t0 = now_ns();
	pump(a.ix, b.ix, FRAMES, mixed_len, c.rx_ring - 1, 120000, &r);
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

	struct sim_port_stats ma, mb;
	assert_int_equal(sim_port_stats(0, &ma), 0);
	assert_int_equal(sim_port_stats(1, &mb), 0);
	struct ixgbe_stats sa, sb;
	port_close(&a, &sa);
	port_close(&b, &sb);
	/* kvick's side */
	assert_int_equal(sa.tx_packets, FRAMES);
	assert_int_equal(sa.tx_bytes, want_bytes);
	assert_int_equal(sb.rx_packets, FRAMES);
	assert_int_equal(sb.rx_bytes, want_bytes);
	assert_int_equal(sb.rx_badlen + sb.rx_nobuf + sb.rx_lost + sa.tx_lost, 0);
	/* the device's own counters, read through the driver */
	assert_int_equal(sa.gptc, FRAMES);
	assert_int_equal(sb.gprc, FRAMES);
	assert_int_equal(sb.qprdc + sb.mpc, 0);
	/* the model's */
	assert_int_equal(ma.tx_frames, FRAMES);
	assert_int_equal(mb.wire_rx_frames, FRAMES);
	assert_int_equal(mb.rx_frames, FRAMES);
	assert_int_equal(mb.rx_drop_nodesc + mb.rx_drop_disabled + mb.rx_drop_filter +
	                 mb.rx_drop_error, 0);
	assert_int_equal(ma.iommu_faults + mb.iommu_faults, 0);
	assert_no_violations();
}

int main(void)
{
	test_mem_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_million_mixed, ixgbe_test_setup, ixgbe_test_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
