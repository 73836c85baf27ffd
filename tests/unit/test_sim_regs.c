/* test_sim_regs.c -- the 82599 model's register file, programmed by hand:
 * reset values and self-clearing bits, EEC.ARD / RDRXCTL.DMAIDONE after
 * reset, link up only after AN restart and only with a wire, EIMS/EIMC/
 * EICR, clear-on-read statistics, aliases, enable read-back. */
#include "sim_test.h"
#include <stdlib.h>

static void reset_restores_values_and_self_clears(void **state)
{
	struct tport t;
	t_open(&t, "sim:0/loopback");
	wr(&t, FCTRL, 0x700);
	wr(&t, SRRCTL(3), 0x02000005);
	assert_int_equal(rd(&t, FCTRL), 0x700);
	wr(&t, CTRL, 1u << 26);
	/* While RST reads 1 after the reset took effect (FCTRL back to 0),
	 * EEC.ARD and RDRXCTL.DMAIDONE read 0: read them between the two. */
	bool seen = false;
	uint64_t end = t_now_ms() + 100;
	while (!seen && t_now_ms() < end && (rd(&t, CTRL) & (1u << 26))) {
		uint32_t fctrl = rd(&t, FCTRL), eec = rd(&t, EEC), rdrx = rd(&t, RDRXCTL);
		if (fctrl == 0 && (rd(&t, CTRL) & (1u << 26))) {
			assert_int_equal(eec & (1u << 9), 0);
			assert_int_equal(rdrx & (1u << 3), 0);
			seen = true;
		}
	}
	/* (a test thread descheduled for the whole 1 ms window sees nothing) */
	if (!seen)
		print_message("note: reset window not observed (scheduling); skipped\n");
	assert_true(wait_reg(&t, CTRL, 1u << 26, 0, 100));
	assert_int_equal(rd(&t, FCTRL), 0);              /* reset value */
	assert_int_equal(rd(&t, SRRCTL(3)), 0x402);      /* 2 KB buffers, 256 B header */
	assert_int_equal(rd(&t, MAXFRS) >> 16, 1518);
	assert_int_equal(rd(&t, 0x03C00), 0x80000);      /* RXPBSIZE(0) 512 KB */
	assert_int_equal(rd(&t, 0x0CC00), 0x28000);      /* TXPBSIZE(0) 160 KB */
	/* EEC.ARD and DMAIDONE come some time after RST clears */
	assert_true(wait_reg(&t, EEC, 1u << 9, 1u << 9, 100));
	assert_true(wait_reg(&t, RDRXCTL, 1u << 3, 1u << 3, 100));
	/* the MAC address is loaded into RAL(0)/RAH(0) with AV */
	assert_int_equal(rd(&t, RAL0), 0x00564b02);
	assert_int_equal(rd(&t, RAH0), 0x80000000u);
	assert_int_equal(rd(&t, 0x05404), 0x80000000u);  /* 82598 alias of RAH(0) */
	/* DMAIDONE and ARD are read-only */
	wr(&t, RDRXCTL, 0);
	assert_int_equal(rd(&t, RDRXCTL) & (1u << 3), 1u << 3);
	t_close(&t);
}

static void write_during_reset_is_lost_and_reported(void **state)
{
	struct tport t;
	t_open(&t, "sim:0");
	wr(&t, CTRL, 1u << 26);
	wr(&t, FCTRL, 0x400);                           /* too early */
	assert_true(sim_violation_find("while CTRL.RST is in progress"));
	assert_true(wait_reg(&t, CTRL, 1u << 26, 0, 100));
	assert_int_equal(rd(&t, FCTRL), 0);
	t_close(&t);
}

static void link_needs_an_restart_and_a_wire(void **state)
{
	struct tport a, b;
	t_open(&a, "sim:0");                             /* no wire */
	t_reset(&a);
	wr(&a, AUTOC, (3u << 13) | (1u << 12));
	/* RESTART_AN self-clears */
	assert_true(wait_reg(&a, AUTOC, 1u << 12, 0, 100));
	usleep(20000);
	assert_int_equal(rd(&a, LINKS) & (1u << 30), 0);  /* nothing plugged */
	t_close(&a);

	t_open(&a, "sim:0/cable=1");
	t_open(&b, "sim:1");
	t_reset(&a);
	t_reset(&b);
	wr(&a, AUTOC, (3u << 13) | (1u << 12));
	usleep(20000);
	/* the peer has not trained: no link on either end */
	assert_int_equal(rd(&a, LINKS) & (1u << 30), 0);
	wr(&b, EICR, 0xFFFFFFFF);
	(void)rd(&b, EICR);
	wr(&b, AUTOC, (3u << 13) | (1u << 12));
	assert_int_equal(rd(&b, LINKS) & (1u << 30), 0); /* not at once */
	t_wait_link(&a);
	t_wait_link(&b);
	assert_int_equal(rd(&a, LINKS) & (3u << 28), 3u << 28);   /* 10 Gb/s */
	assert_int_equal(rd(&a, STATUS) & (1u << 7), 1u << 7);
	/* the link change set EICR.LSC, and EICR clears on read */
	assert_int_equal(rd(&b, EICR) & (1u << 20), 1u << 20);
	assert_int_equal(rd(&b, EICR), 0);
	/* a reset takes the link down until AN is restarted */
	t_reset(&a);
	assert_true(wait_reg(&b, LINKS, 1u << 30, 0, 100));
	t_close(&a);
	t_close(&b);
}

static void interrupt_mask_semantics(void **state)
{
	struct tport t;
	t_open(&t, "sim:0");
	t_reset(&t);
	wr(&t, EIMS, 0x5);
	wr(&t, EIMS, 0x0);                               /* writing 0 does nothing */
	assert_int_equal(rd(&t, EIMS), 0x5);
	wr(&t, EIMS, 0x30);
	assert_int_equal(rd(&t, EIMS), 0x35);
	wr(&t, EIMC, 0x11);                              /* write 1 to clear */
	assert_int_equal(rd(&t, EIMS), 0x24);
	assert_int_equal(rd(&t, EIMC), 0);               /* write-only */
	wr(&t, EICS, 0x3);                               /* set causes */
	assert_int_equal(rd(&t, EICR), 0x3);
	assert_int_equal(rd(&t, EICR), 0);               /* clear on read */
	wr(&t, EICS, 0x6);
	wr(&t, EICR, 0x2);                               /* write 1 to clear */
	assert_int_equal(rd(&t, EICR), 0x4);
	t_close(&t);
}

static void unknown_and_read_only_registers(void **state)
{
	struct tport t;
	t_open(&t, "sim:0");
	assert_int_equal(rd(&t, 0x00F00), 0);
	assert_true(sim_violation_find("read of unknown register offset 0x00f00"));
	wr(&t, 0x1FFFC, 1);
	assert_true(sim_violation_find("write 0x00000001 to unknown register offset 0x1fffc"));
	wr(&t, LINKS, 0x40000000);
	assert_true(sim_violation_find("read-only LINKS"));
	wr(&t, GPRC, 5);
	assert_true(sim_violation_find("read-only GPRC"));
	rd(&t, 0x00002);                                  /* unaligned */
	assert_true(sim_violation_find("offset 0x00002"));
	struct sim_port_stats st;
	assert_int_equal(sim_port_stats(0, &st), 0);
	assert_int_equal(st.violations, 5);
	assert_int_equal(sim_violation_count(), 5);
	t_close(&t);
}

static void aliases_share_storage(void **state)
{
	struct tport t;
	t_open(&t, "sim:0");
	t_reset(&t);
	wr(&t, 0x0210C, 0x02000004);                     /* SRRCTL(3) at the 82598 address */
	assert_int_equal(rd(&t, SRRCTL(3)), 0x02000004);
	wr(&t, 0x05C00 + 8, 0x03020100);                 /* RETA(2) alias */
	assert_int_equal(rd(&t, RETA(2)), 0x03020100);
	wr(&t, 0x05818, 0x00330001);                     /* MRQC alias */
	assert_int_equal(rd(&t, MRQC), 0x00330001);
	wr(&t, 0x0D000 + 0x40 * 6, 0x1000);              /* RDBAL(70) */
	assert_int_equal(rd(&t, 0x0D000 + 0x40 * 6), 0x1000);
	assert_int_equal(rd(&t, RDBAL(6)), 0);
	assert_int_equal(sim_violation_count(), 0);
	t_close(&t);
}

/* Statistics clear on read; 64-bit octet counters read low then high. */
static void statistics_clear_on_read(void **state)
{
	struct tport t;
	t_open(&t, "sim:0/loopback");
	t_init(&t, false);
	t_wait_link(&t);
	t_rx_queue(&t, 0, 64, 2, false);
	t_tx_queue(&t, 0, 64);
	uint8_t f[3][100];
	const uint8_t *d[3] = { f[0], f[1], f[2] };
	uint16_t len[3];
	for (int i = 0; i < 3; i++)
		len[i] = t_frame(f[i], BCAST, 100, (uint32_t)i, 1000);
	t_tx_send(&t, 0, 3, d, len);
	assert_true(WAIT_FOR(t_tx_reclaim(&t, 0) == 0 && rd(&t, TDH(0)) == 3, 100));
	struct sim_port_stats st;
	assert_true(WAIT_FOR(sim_port_stats(0, &st) == 0 && st.rx_frames == 3, 100));
	usleep(2000);                                    /* counters flush after the batch */
	assert_int_equal(rd(&t, GPTC), 3);
	assert_int_equal(rd(&t, GPTC), 0);
	assert_int_equal(rd(&t, GPRC), 3);
	assert_int_equal(rd(&t, GPRC), 0);
	assert_int_equal(rd(&t, GORCL), 3 * 104);        /* with FCS */
	assert_int_equal(rd(&t, GORCH), 0);
	assert_int_equal(rd(&t, GORCL), 0);
	assert_int_equal(rd(&t, GOTCL), 3 * 104);
	assert_int_equal(rd(&t, GOTCH), 0);
	assert_int_equal(rd(&t, QPRC(0)), 3);
	assert_int_equal(rd(&t, QPTC(0)), 3);
	assert_int_equal(rd(&t, 0x06030), 0);            /* QPTC(0) alias, cleared */
	for (int i = 0; i < 3; i++) {
		uint8_t buf[200];
		assert_int_equal(t_rx_take(&t, 0, buf, NULL), 100);
		assert_memory_equal(buf, f[i], 100);
	}
	t_close(&t);
}

static void queue_enable_reads_back_after_a_delay(void **state)
{
	struct tport t;
	t_open(&t, "sim:0");
	t_init(&t, false);
	void *ring = mem_alloc_dma(512 * 16, 128);
	uint64_t iova = mem_iova(ring);
	wr(&t, TDBAL(5), (uint32_t)iova);
	wr(&t, TDBAH(5), (uint32_t)(iova >> 32));
	wr(&t, TDLEN(5), 512 * 16);
	wr(&t, TXDCTL(5), ENABLE | 0x20);
	assert_int_equal(rd(&t, TXDCTL(5)), 0x20);       /* not yet */
	assert_true(wait_reg(&t, TXDCTL(5), ENABLE, ENABLE, 100));
	assert_int_equal(rd(&t, TXDCTL(5)), ENABLE | 0x20);
	wr(&t, TXDCTL(5), 0x20);
	assert_true(wait_reg(&t, TXDCTL(5), ENABLE, 0, 100));
	assert_int_equal(sim_violation_count(), 0);
	t_close(&t);
}

int main(void)
{
	log_set_level(getenv("SIM_VERBOSE") ? LOG_DEBUG : LOG_ERROR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(reset_restores_values_and_self_clears, t_teardown),
		cmocka_unit_test_teardown(write_during_reset_is_lost_and_reported, t_teardown),
		cmocka_unit_test_teardown(link_needs_an_restart_and_a_wire, t_teardown),
		cmocka_unit_test_teardown(interrupt_mask_semantics, t_teardown),
		cmocka_unit_test_teardown(unknown_and_read_only_registers, t_teardown),
		cmocka_unit_test_teardown(aliases_share_storage, t_teardown),
		cmocka_unit_test_teardown(statistics_clear_on_read, t_teardown),
		cmocka_unit_test_teardown(queue_enable_reads_back_after_a_delay, t_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
