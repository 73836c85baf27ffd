/* test_sim_faults.c -- fault injection and the other wires: link down and
 * up, a write-back with a bad length or no EOP, a stalled DMA engine, a
 * reset in the middle of traffic, pcap in/out, the generator, the capture
 * wire, and errors in the spec syntax. */
#include "sim_test.h"
#include <stdio.h>
#include <stdlib.h>

static void up(struct tport *t, const char *spec, unsigned rxn)
{
	t_open(t, spec);
	t_init(t, true);
	t_wait_link(t);
	t_rx_queue(t, 0, rxn, 2, false);
	t_tx_queue(t, 0, 64);
}

static void send_n(struct tport *t, unsigned n, uint16_t size)
{
	uint8_t f[16][2048];
	const uint8_t *d[16];
	uint16_t len[16];
	for (unsigned i = 0; i < n; i++) {
		len[i] = t_frame(f[i], BCAST, size, i, (uint16_t)i);
		d[i] = f[i];
	}
	t_tx_send(t, 0, n, d, len);
}

static void link_down_stalls_tx_until_up(void **state)
{
	struct tport t;
	up(&t, "sim:0/loopback", 64);
	sim_fault_link(0, false);
	assert_true(wait_reg(&t, LINKS, 1u << 30, 0, 100));
	send_n(&t, 4, 100);
	usleep(10000);
	assert_int_equal(rd(&t, TDH(0)), 0);          /* nothing leaves without link */
	struct sim_port_stats st;
	sim_port_stats(0, &st);
	assert_false(st.link_up);
	assert_int_equal(st.tx_frames, 0);
	/* frames arriving while the link is down are lost on the wire */
	uint8_t f[64];
	t_frame(f, BCAST, 64, 0, 0);
	sim_port_inject(0, f, 64);
	assert_true(WAIT_FOR(sim_port_stats(0, &st) == 0 && st.rx_drop_disabled == 1, 100));
	sim_fault_link(0, true);
	t_wait_link(&t);
	assert_true(wait_reg(&t, TDH(0), 0xFFFF, 4, 100));
	assert_true(WAIT_FOR(sim_port_stats(0, &st) == 0 && st.rx_frames == 4, 100));
	t_close(&t);
}

static void bad_length_and_missing_eop(void **state)
{
	struct tport t;
	up(&t, "sim:0/loopback", 64);
	sim_fault_rx_bad_length(0, 1);
	sim_fault_rx_no_eop(0, 1);
	send_n(&t, 3, 100);
	uint32_t st[3];
	int n[3];
	for (int i = 0; i < 3; i++)
		assert_true(WAIT_FOR((n[i] = t_rx_take(&t, 0, NULL, &st[i])) > 0, 100));
	/* the first write-back claims more than the 2 KB buffer and has no EOP */
	assert_int_equal(n[0], 2048 + 512);
	assert_int_equal(st[0] & 3, 1);
	assert_int_equal(n[1], 100);
	assert_int_equal(st[1] & 3, 3);
	assert_int_equal(n[2], 100);
	t_close(&t);
}

static void stalled_dma_then_packet_buffer_overflow(void **state)
{
	struct tport t;
	up(&t, "sim:0/loopback", 64);
	sim_fault_stall(0, 50);
	uint8_t f[1500];
	t_frame(f, BCAST, 1500, 0, 0);
	for (int i = 0; i < 400; i++)                  /* 400 x 1.5 KB > 512 KB */
		assert_int_equal(sim_port_inject(0, f, 1500), 0);
	struct sim_port_stats st;
	assert_true(WAIT_FOR(sim_port_stats(0, &st) == 0 && st.wire_rx_frames == 400, 200));
	assert_int_equal(st.rx_frames, 0);              /* stalled: nothing DMA'd yet */
	/* 512 KB / 1512 bytes per buffered frame = 346 fit, 54 missed */
	assert_int_equal(st.rx_drop_nodesc, 54);
	usleep(2000);
	assert_int_equal(rd(&t, MPC0), 54);
	/* after the stall the buffered frames reach the ring (63 descriptors) */
	assert_true(WAIT_FOR(sim_port_stats(0, &st) == 0 && st.rx_frames == 63, 200));
	unsigned got = 0;
	assert_true(WAIT_FOR((got += t_rx_take(&t, 0, NULL, NULL) > 0) == 346, 2000));
	sim_port_stats(0, &st);
	assert_int_equal(st.rx_frames + st.rx_drop_nodesc, 400);
	t_close(&t);
}

static void reset_in_the_middle_of_traffic(void **state)
{
	struct tport t;
	up(&t, "sim:0/loopback", 64);
	struct sim_port_stats st;
	sim_port_stats(0, &st);
	uint64_t resets = st.resets;
	send_n(&t, 8, 200);
	assert_true(WAIT_FOR(sim_port_stats(0, &st) == 0 && st.rx_frames == 8, 100));
	sim_fault_reset(0);
	/* the driver sees RST, then everything at its reset value */
	assert_true(wait_reg(&t, CTRL, 1u << 26, 0, 100));
	sim_port_stats(0, &st);
	assert_int_equal(st.resets, resets + 1);
	assert_int_equal(rd(&t, RXDCTL(0)) & ENABLE, 0);
	assert_int_equal(rd(&t, TXDCTL(0)) & ENABLE, 0);
	assert_int_equal(rd(&t, RXCTRL), 0);
	assert_int_equal(rd(&t, RDLEN(0)), 0);
	assert_int_equal(rd(&t, LINKS) & (1u << 30), 0);
	/* frames arriving now are dropped and counted */
	uint8_t f[64];
	t_frame(f, BCAST, 64, 0, 0);
	sim_port_inject(0, f, 64);
	uint64_t dis = st.rx_drop_disabled;
	assert_true(WAIT_FOR(sim_port_stats(0, &st) == 0 && st.rx_drop_disabled == dis + 1, 100));
	/* and a full re-init works again */
	t_free_queues(&t);
	t_init(&t, true);
	t_wait_link(&t);
	t_rx_queue(&t, 0, 64, 2, false);
	t_tx_queue(&t, 0, 64);
	send_n(&t, 3, 100);
	assert_true(WAIT_FOR(sim_port_stats(0, &st) == 0 && st.rx_frames == 11, 100));
	t_close(&t);
}

static void pcap_in_and_out(void **state)
{
	char in[64], out[64];
	snprintf(in, sizeof in, "/tmp/kvick-sim-in-%d.pcap", getpid());
	snprintf(out, sizeof out, "/tmp/kvick-sim-out-%d.pcap", getpid());
	FILE *fp = fopen(in, "wb");
	uint32_t hdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };
	fwrite(hdr, sizeof hdr, 1, fp);
	uint8_t f[300];
	for (uint32_t i = 0; i < 200; i++) {          /* more than the ring holds */
		uint16_t len = (uint16_t)(60 + i);
		t_frame(f, BCAST, len, i, 7);
		uint32_t rec[4] = { i, 0, len, len };
		fwrite(rec, sizeof rec, 1, fp);
		fwrite(f, len, 1, fp);
	}
	fclose(fp);
	char spec[200];
	snprintf(spec, sizeof spec, "sim:2/pcap-in=%s,pcap-out=%s", in, out);
	struct tport t;
	up(&t, spec, 32);
	/* pcap-in is lossless: all 200 arrive although the ring has 31 slots;
	 * the test sends each one back out, into pcap-out */
	unsigned got = 0;
	uint64_t end = t_now_ms() + 3000;
	while (got < 200 && t_now_ms() < end) {
		uint8_t buf[400];
		int n = t_rx_take(&t, 0, buf, NULL);
		if (n <= 0) {
			usleep(100);
			continue;
		}
		t_frame(f, BCAST, (uint16_t)(60 + got), got, 7);
		assert_int_equal(n, 60 + got);
		assert_memory_equal(buf, f, (size_t)n);
		const uint8_t *d[1] = { buf };
		uint16_t len[1] = { (uint16_t)n };
		while (((rd(&t, TDT(0)) + 1) % 64) == rd(&t, TDH(0)))
			usleep(50);
		t_tx_reclaim(&t, 0);
		t_tx_send(&t, 0, 1, d, len);
		got++;
	}
	assert_int_equal(got, 200);
	struct sim_port_stats st;
	assert_true(WAIT_FOR(sim_port_stats(2, &st) == 0 && st.tx_frames == 200, 500));
	assert_int_equal(st.rx_drop_nodesc, 0);
	t_close(&t);                                   /* flushes pcap-out */
	fp = fopen(out, "rb");
	assert_non_null(fp);
	assert_int_equal(fread(hdr, sizeof hdr, 1, fp), 1);
	assert_int_equal(hdr[0], 0xa1b2c3d4);
	for (uint32_t i = 0; i < 200; i++) {
		uint32_t rec[4];
		uint8_t buf[400];
		assert_int_equal(fread(rec, sizeof rec, 1, fp), 1);
		assert_int_equal(rec[2], 60 + i);
		assert_int_equal(fread(buf, rec[2], 1, fp), 1);
		t_frame(f, BCAST, (uint16_t)(60 + i), i, 7);
		assert_memory_equal(buf, f, rec[2]);
	}
	fclose(fp);
	unlink(in);
	unlink(out);
}

static void generator_count_arrives_whole(void **state)
{
	struct tport t;
	up(&t, "sim:3/gen=1000:128", 64);
	unsigned got = 0;
	uint64_t end = t_now_ms() + 3000;
	while (got < 1000 && t_now_ms() < end) {
		uint8_t buf[200];
		int n = t_rx_take(&t, 0, buf, NULL);
		if (n <= 0) {
			usleep(50);
			continue;
		}
		assert_int_equal(n, 128);
		uint64_t seq;
		memcpy(&seq, buf + 42, 8);
		assert_int_equal(seq, got);
		assert_memory_equal(buf, "\x02\x4b\x56\x00\x00\x03", 6);   /* to sim:3's MAC */
		/* the frame's IPv4 header checksum is right (the generator
		 * updates it per frame), its source address and UDP port vary */
		uint32_t sum = 0;
		for (int i = 0; i < 20; i += 2)
			sum += (uint32_t)(buf[14 + i] << 8 | buf[14 + i + 1]);
		while (sum >> 16)
			sum = (sum & 0xFFFF) + (sum >> 16);
		assert_int_equal(sum, 0xFFFF);
		assert_int_equal(buf[28] << 8 | buf[29], got & 0xFFFF);
		assert_int_equal(buf[34] << 8 | buf[35], 1024 + got % 4096);
		got++;
	}
	assert_int_equal(got, 1000);
	usleep(5000);
	assert_int_equal(t_rx_take(&t, 0, NULL, NULL), 0);             /* and no more */
	t_close(&t);
}

static void capture_wire_and_missing_ifcs(void **state)
{
	struct tport t;
	t_open(&t, "sim:0");
	assert_int_equal(sim_port_wire_capture(0), 0);
	t_init(&t, false);
	t_wait_link(&t);
	t_tx_queue(&t, 0, 64);
	uint8_t f[100], got[200];
	t_frame(f, BCAST, 100, 5, 5);
	const uint8_t *d[1] = { f };
	uint16_t len[1] = { 100 };
	t_tx_send(&t, 0, 1, d, len);
	int n = 0;
	assert_true(WAIT_FOR((n = sim_port_capture_take(0, got, sizeof got)) > 0, 100));
	assert_int_equal(n, 100);
	assert_memory_equal(got, f, 100);
	/* a frame sent without DCMD.IFCS has no valid FCS: nobody gets it */
	struct packet *p = packet_alloc();
	memcpy(packet_data(p), f, 100);
	p->length = 100;
	t_tx_desc(&t, 0, 1, p, TXCMD & ~(1u << 25));
	wr(&t, TDT(0), 2);
	struct sim_port_stats st;
	assert_true(WAIT_FOR(sim_port_stats(0, &st) == 0 && st.tx_drop_link == 1, 100));
	assert_int_equal(sim_port_capture_take(0, got, sizeof got), 0);
	t_close(&t);
}

static void missing_ifcs_over_a_cable_counts_crcerrs(void **state)
{
	struct tport a, b;
	t_open(&a, "sim:0/cable=1");
	t_open(&b, "sim:1");
	t_init(&a, true);
	t_init(&b, true);
	t_wait_link(&a);
	t_tx_queue(&a, 0, 64);
	t_rx_queue(&b, 0, 64, 2, false);
	struct packet *p = packet_alloc();
	t_frame(packet_data(p), BCAST, 100, 1, 1);
	p->length = 100;
	t_tx_desc(&a, 0, 0, p, TXCMD & ~(1u << 25));
	wr(&a, TDT(0), 1);
	struct sim_port_stats st;
	assert_true(WAIT_FOR(sim_port_stats(1, &st) == 0 && st.rx_drop_error == 1, 100));
	usleep(2000);
	assert_int_equal(rd(&b, CRCERRS), 1);
	assert_int_equal(st.rx_frames, 0);
	t_close(&a);
	t_close(&b);
}

static void spec_errors(void **state)
{
	struct device d;
	char err[256];
	assert_int_equal(sim_device_open("sim:9", &d, err, sizeof err), -1);
	assert_non_null(strstr(err, "port must be 0..7"));
	assert_int_equal(sim_device_open("sim:0/cable=0", &d, err, sizeof err), -1);
	assert_non_null(strstr(err, "cable=0: expected another port number"));
	assert_int_equal(sim_device_open("sim:0/wormhole", &d, err, sizeof err), -1);
	assert_non_null(strstr(err, "unknown option 'wormhole'"));
	assert_int_equal(sim_device_open("sim:0/gen=10:20", &d, err, sizeof err), -1);
	assert_non_null(strstr(err, "SIZE 60..9216"));
	assert_int_equal(sim_device_open("sim:0/pcap-in=/nonexistent/x.pcap", &d, err, sizeof err), -1);
	assert_non_null(strstr(err, "No such file"));
	struct tport t;
	t_open(&t, "sim:0");
	assert_int_equal(t.dev.vendor_id, 0x8086);
	assert_int_equal(t.dev.device_id, 0x10FB);
	assert_int_equal(t.dev.is_model, 1);
	assert_int_equal(sim_device_open("sim:0", &d, err, sizeof err), -1);
	assert_non_null(strstr(err, "already open"));
	t_close(&t);
}

int main(void)
{
	log_set_level(getenv("SIM_VERBOSE") ? LOG_DEBUG : LOG_ERROR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(link_down_stalls_tx_until_up, t_teardown),
		cmocka_unit_test_teardown(bad_length_and_missing_eop, t_teardown),
		cmocka_unit_test_teardown(stalled_dma_then_packet_buffer_overflow, t_teardown),
		cmocka_unit_test_teardown(reset_in_the_middle_of_traffic, t_teardown),
		cmocka_unit_test_teardown(pcap_in_and_out, t_teardown),
		cmocka_unit_test_teardown(generator_count_arrives_whole, t_teardown),
		cmocka_unit_test_teardown(capture_wire_and_missing_ifcs, t_teardown),
		cmocka_unit_test_teardown(missing_ifcs_over_a_cable_counts_crcerrs, t_teardown),
		cmocka_unit_test_teardown(spec_errors, t_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
