/* The 82599 driver against the hw-sim model: device_open() errors, the
 * §4.6 bring-up as the registers show it afterwards, a loopback round trip
 * byte for byte, configuration errors, and ring wrap-around. */
#include "ixgbe_test.h"

/* Register offsets read back here (§8.2.3). */
#define RXCTRL_REG    0x03000
#define RXDCTL0_REG   0x01028
#define TXDCTL0_REG   0x06028
#define SRRCTL0_REG   0x02100
#define HLREG0_REG    0x04240
#define MAXFRS_REG    0x04268
#define FCTRL_REG     0x05080
#define DMATXCTL_REG  0x04A80
#define RDLEN0_REG    0x01008

static void test_device_open_errors(void **st)
{
	struct device d;
	char err[256];
	assert_int_equal(device_open("", &d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "0000:03:00.0"));
	assert_int_equal(device_open("eth0", &d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a PCI address"));
	assert_int_equal(device_open("0000:03:40.0", &d, err, sizeof(err)), -1); /* device > 0x1f */
	assert_non_null(strstr(err, "not a PCI address"));
	assert_int_equal(device_open("sim0", &d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "sim:N"));
	assert_int_equal(device_open("sim:99", &d, err, sizeof(err)), -1);
	assert_true(strlen(err) > 0);
	/* A well-formed address reaches the VFIO backend, which cannot open it
	 * on this machine: the error must say why, whatever it is. */
	assert_int_equal(device_open("0000:03:00.0", &d, err, sizeof(err)), -1);
	assert_true(strlen(err) > 10);
}

static void test_bad_config(void **st)
{
	struct device d;
	char err[256];
	assert_int_equal(device_open("sim:0/loopback", &d, err, sizeof(err)), 0);
	struct ixgbe_config c = test_config();
	c.rx_ring = 100;
	assert_null(ixgbe_open(&d, &c, err, sizeof(err)));
	assert_non_null(strstr(err, "rxring=100"));
	c = test_config();
	c.mtu = 9001;
	assert_null(ixgbe_open(&d, &c, err, sizeof(err)));
	assert_non_null(strstr(err, "mtu=9001"));
	c = test_config();
	c.rxq = 17;
	assert_null(ixgbe_open(&d, &c, err, sizeof(err)));
	assert_non_null(strstr(err, "rxq=17"));
	device_close(&d);
	assert_int_equal(freelist_outstanding(), 0);
}

static void test_init_and_queue_start(void **st)
{
	struct port p;
	struct ixgbe_config c = test_config();
	port_open(&p, "sim:0/loopback", &c);
	const struct regs *r = &p.dev.bar0;
	assert_true(reg_read(r, RXCTRL_REG) & 1);                    /* RXEN */
	assert_true(reg_read(r, RXDCTL0_REG) & (1u << 25));          /* queue enabled */
	assert_true(reg_read(r, TXDCTL0_REG) & (1u << 25));
	assert_true(reg_read(r, DMATXCTL_REG) & 1);                  /* TE */
	uint32_t srrctl = reg_read(r, SRRCTL0_REG);
	assert_int_equal(srrctl & 0x1F, PACKET_MAX_FRAME / 1024);     /* BSIZEPACKET */
	assert_int_equal((srrctl >> 25) & 7, 1);                      /* advanced, one buffer */
	assert_true(srrctl & (1u << 28));                             /* DROP_EN */
	assert_true(reg_read(r, HLREG0_REG) & (1u << 2));             /* JUMBOEN for mtu 9000 */
	assert_int_equal(reg_read(r, MAXFRS_REG) >> 16, 9000 + 18);
	assert_int_equal(reg_read(r, FCTRL_REG) & 0x700, 0x700);      /* BAM|UPE|MPE */
	assert_int_equal(reg_read(r, RDLEN0_REG), 512 * 16);
	unsigned speed;
	assert_true(ixgbe_link_up(p.ix, &speed));
	assert_int_equal(speed, 10000);
	uint8_t mac[6], zero[6] = { 0 };
	ixgbe_mac(p.ix, mac);
	assert_memory_not_equal(mac, zero, 6);
	assert_no_violations();

	/* 1000 frames of growing sizes around the ring and back, exactly. */
	uint64_t rxseq = 0;
	unsigned got = 0;
	for (unsigned i = 0; i < 1000; i += 100) {
		for (unsigned k = 0; k < 100; k++)
			assert_int_equal(tx_frames(p.ix, i + k, 1, 60 + (i + k) * 8, 1000), 1);
		got += rx_drain(p.ix, 0, 100, 2000, &rxseq);
	}
	assert_int_equal(got, 1000);
	struct ixgbe_stats s;
	port_close(&p, &s);
	assert_int_equal(s.rx_packets, 1000);
	assert_int_equal(s.tx_packets, 1000);
	assert_int_equal(s.rx_badlen + s.rx_nobuf + s.qprdc + s.mpc, 0);
	assert_int_equal(s.gprc, 1000);
	assert_int_equal(s.gptc, 1000);
	assert_no_violations();
}

static void test_mtu_1500_no_jumbo(void **st)
{
	struct port p;
	struct ixgbe_config c = test_config();
	c.mtu = 1500;
	port_open(&p, "sim:0/loopback", &c);
	assert_false(reg_read(&p.dev.bar0, HLREG0_REG) & (1u << 2));
	assert_int_equal(reg_read(&p.dev.bar0, MAXFRS_REG) >> 16, 1518);
	port_close(&p, NULL);
	assert_no_violations();
}

/* Small rings (64) and odd batches (7): head and tail wrap many times. */
static void test_ring_wrap(void **st)
{
	struct port a, b;
	struct ixgbe_config c = test_config();
	c.rx_ring = c.tx_ring = 64;
	port_open_pair(&a, "sim:0/cable=1", &b, "sim:1/cable=0", &c);
	uint64_t rxseq = 0;
	unsigned got = 0;
	for (unsigned seq = 0; seq < 2000; seq += 7) {
		unsigned k = 2000 - seq < 7 ? 2000 - seq : 7;
		assert_int_equal(tx_frames(a.ix, seq, k, 64 + seq % 1400, 1000), k);
		got += rx_drain(b.ix, 0, k, 2000, &rxseq);
	}
	assert_int_equal(got, 2000);
	struct ixgbe_stats sa, sb;
	port_close(&a, &sa);
	port_close(&b, &sb);
	assert_int_equal(sa.tx_packets, 2000);
	assert_int_equal(sb.rx_packets, 2000);
	assert_int_equal(sa.tx_lost + sb.rx_lost, 0);
	assert_no_violations();
}

/* An empty frame cannot be described to the device (DTALEN 0): the driver
 * takes it, frees it and counts it, and the queue keeps running. */
static void test_tx_empty_frame(void **st)
{
	struct port p;
	struct ixgbe_config c = test_config();
	port_open(&p, "sim:0/loopback", &c);
	struct packet *pkts[3] = { frame_packet(0, 100), packet_alloc(), frame_packet(1, 100) };
	pkts[1]->length = 0;
	assert_int_equal(ixgbe_tx_batch(p.ix, 0, pkts, 3), 1);       /* up to the bad one */
	assert_int_equal(ixgbe_tx_batch(p.ix, 0, pkts + 1, 2), 1);   /* the bad one: taken */
	assert_int_equal(ixgbe_tx_batch(p.ix, 0, pkts + 2, 1), 1);
	uint64_t seq = 0;
	assert_int_equal(rx_drain(p.ix, 0, 2, 1000, &seq), 2);
	struct ixgbe_stats s;
	ixgbe_stats(p.ix, &s);
	assert_int_equal(s.tx_badlen, 1);
	assert_int_equal(s.tx_packets, 2);
	assert_int_equal(s.resets, 0);
	port_close(&p, NULL);
	assert_no_violations();
}

int main(void)
{
	test_mem_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_device_open_errors, ixgbe_test_setup, ixgbe_test_teardown),
		cmocka_unit_test_setup_teardown(test_bad_config, ixgbe_test_setup, ixgbe_test_teardown),
		cmocka_unit_test_setup_teardown(test_init_and_queue_start, ixgbe_test_setup, ixgbe_test_teardown),
		cmocka_unit_test_setup_teardown(test_mtu_1500_no_jumbo, ixgbe_test_setup, ixgbe_test_teardown),
		cmocka_unit_test_setup_teardown(test_ring_wrap, ixgbe_test_setup, ixgbe_test_teardown),
		cmocka_unit_test_setup_teardown(test_tx_empty_frame, ixgbe_test_setup, ixgbe_test_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
