/* What real 82599s need and a kind model would let pass: each rule is
 * first broken on purpose with raw register writes (the model must record
 * a violation naming the step), then the driver is shown to follow it.
 *   - AUTOC written under the SW/FW semaphore (SWSM, SW_FW_SYNC; §10.5.4)
 *   - master disable before a global reset with queues running (§5.2.5.3.2)
 *   - RXEN set with the RX security path stopped (82599 erratum)
 *   - RDRXCTL's required bits (§8.2.3.8.8), MAXFRS.MFS >= 1518
 *   - a link that does not come up gets one more reset (Snabb) */
#include "ixgbe_test.h"

#define CTRL       0x00000
#define STATUS     0x00008
#define RDRXCTL    0x02F00
#define RXCTRL     0x03000
#define MAXFRS     0x04268
#define AUTOC      0x042A0
#define AUTOC2     0x042A8
#define SECRXCTRL  0x08D00
#define SWSM       0x10140
#define SW_FW_SYNC 0x10160
#define RXDCTL0    0x01028

static const struct regs *open_raw(struct device *d, const char *spec)
{
	char err[256];
	if (device_open(spec, d, err, sizeof(err)) < 0)
		fail_msg("device_open(%s): %s", spec, err);
	return &d->bar0;
}

static bool wait_bits(const struct regs *r, uint32_t reg, uint32_t mask, uint32_t want)
{
	uint64_t end = now_ns() + 2000000000ull;
	while ((reg_read(r, reg) & mask) != want)
		if (now_ns() > end)
			return false;
	return true;
}

/* §8.2.3.4.9: SMBI is read-to-set; SW_FW_SYNC changes need SWESMBI; AUTOC
 * and AUTOC2 writes need SW_FW_SYNC.SW_MAC_CSR_SM. */
static void test_autoc_needs_the_semaphore(void **st)
{
	struct device d;
	const struct regs *r = open_raw(&d, "sim:0");
	assert_true(wait_bits(r, RDRXCTL, 1u << 3, 1u << 3));   /* power-up done */
	reg_write(r, AUTOC, 0x00006000);
	assert_true(sim_violation_find("AUTOC = 0x00006000 written without the SW/FW semaphore"));
	reg_write(r, AUTOC2, 0);
	assert_true(sim_violation_find("AUTOC2 = 0x00000000 written without the SW/FW semaphore"));
	reg_write(r, SW_FW_SYNC, 1u << 3);
	assert_true(sim_violation_find("SW_FW_SYNC 0x00000000 -> 0x00000008 without holding SWSM.SWESMBI"));
	reg_write(r, SW_FW_SYNC, 0);
	sim_violations_clear();
	/* the datasheet's way: SMBI by a read, SWESMBI by a write read back */
	assert_int_equal(reg_read(r, SWSM) & 1u, 0);   /* this read takes SMBI... */
	assert_int_equal(reg_read(r, SWSM) & 1u, 1u);  /* ...so the next one sees it taken */
	reg_write(r, SWSM, 3u);
	assert_int_equal(reg_read(r, SWSM) & 2u, 2u);
	reg_write(r, SW_FW_SYNC, 1u << 3);
	reg_write(r, SWSM, 0);
	reg_write(r, AUTOC, 0x00006000);
	assert_no_violations();
	device_close(&d);
}

/* §5.2.5.3.2: CTRL.RST with a queue enabled and master access on. */
static void test_reset_needs_master_disable(void **st)
{
	struct port p;
	struct ixgbe_config c = test_config();
	port_open(&p, "sim:0/loopback", &c);
	assert_no_violations();
	const struct regs *r = &p.dev.bar0;
	assert_true(reg_read(r, RXDCTL0) & (1u << 25));
	reg_write(r, CTRL, 1u << 26);                   /* a reset the wrong way */
	assert_true(sim_violation_find("CTRL.RST with PCIe master access enabled (STATUS.GIO set) "
	                               "and queue 0 still enabled"));
	sim_violations_clear();
	/* the driver notices the reset, recovers (master disable first) and
	 * closes the same way: no violation */
	assert_true(wait_bits(r, CTRL, 1u << 26, 0));
	assert_int_equal(ixgbe_poll(p.ix), 0);
	struct ixgbe_stats s;
	ixgbe_stats(p.ix, &s);
	assert_int_equal(s.resets, 1);
	assert_true(reg_read(r, RXDCTL0) & (1u << 25));
	ixgbe_close(p.ix, NULL);
	assert_no_violations();
	/* close's reset cleared CTRL.GIO_MASTER_DISABLE again: master access back on */
	assert_true(reg_read(r, STATUS) & (1u << 19));
	device_close(&p.dev);
}

/* The RX enable erratum and RDRXCTL's bits, broken by hand. */
static void test_rx_enable_rules(void **st)
{
	struct device d;
	const struct regs *r = open_raw(&d, "sim:0");
	assert_true(wait_bits(r, RDRXCTL, 1u << 3, 1u << 3));
	reg_write(r, RXCTRL, 1);
	assert_true(sim_violation_find("RXCTRL.RXEN set with the RX security path running"));
	assert_true(sim_violation_find("RXCTRL.RXEN set with RDRXCTL = 0x00000008: RSCACKC (bit 25) "
	                               "and FCOE_WRFIX (bit 26) must be set"));
	reg_write(r, RXCTRL, 0);
	sim_violations_clear();
	reg_write(r, RDRXCTL, (1u << 25) | (1u << 26) | 2u);
	reg_write(r, SECRXCTRL, 2u);
	reg_write(r, RXCTRL, 1);
	reg_write(r, SECRXCTRL, 0);
	assert_no_violations();
	reg_write(r, MAXFRS, 1018u << 16);
	assert_true(sim_violation_find("MAXFRS.MFS = 1018 is below 1518"));
	sim_violations_clear();
	device_close(&d);
}

/* The driver's bring-up follows all of them, also with a small MTU. */
static void test_driver_bring_up(void **st)
{
	struct port p;
	struct ixgbe_config c = test_config();
	c.mtu = 1000;
	port_open(&p, "sim:0/loopback", &c);
	const struct regs *r = &p.dev.bar0;
	assert_int_equal(reg_read(r, MAXFRS) >> 16, 1518);
	uint32_t rdrx = reg_read(r, RDRXCTL);
	assert_int_equal(rdrx & ((1u << 25) | (1u << 26) | (0x1Fu << 17) | 2u),
	                 (1u << 25) | (1u << 26) | 2u);
	assert_int_equal(reg_read(r, SW_FW_SYNC) & (1u << 3), 0);   /* given back */
	assert_int_equal(reg_read(r, SECRXCTRL) & 2u, 0);           /* security path on again */
	assert_int_equal(reg_read(r, AUTOC) & (7u << 13), 3u << 13);  /* 10G serial */
	assert_true(ixgbe_link_up(p.ix, NULL));
	ixgbe_close(p.ix, NULL);
	device_close(&p.dev);
	assert_no_violations();
}

/* "82599 devices sometimes just don't come up": the model's link stays
 * down until one more reset; the driver resets once more and gets it. */
static void test_link_gets_one_more_reset(void **st)
{
	struct port p;
	struct ixgbe_config c = test_config();
	c.wait_link_ms = 300;
	sim_fault_link_stuck(0, 2);   /* the open's reset, and one more */
	struct sim_port_stats after;
	port_open(&p, "sim:0/loopback", &c);
	assert_true(ixgbe_link_up(p.ix, NULL));
	sim_port_stats(0, &after);
	assert_int_equal(after.resets, 2);   /* the bring-up's reset and the retry's */
	struct ixgbe_stats s;
	ixgbe_stats(p.ix, &s);
	assert_int_equal(s.resets, 0);     /* not a recovery: part of the bring-up */
	ixgbe_close(p.ix, NULL);
	device_close(&p.dev);
	assert_no_violations();
}

/* ... and does it only once: a link that stays down is reported, not
 * reset forever. */
static void test_link_down_after_the_retry(void **st)
{
	struct port p;
	struct ixgbe_config c = test_config();
	c.wait_link_ms = 100;
	sim_fault_link_stuck(0, 5);
	port_open(&p, "sim:0/loopback", &c);
	assert_false(ixgbe_link_up(p.ix, NULL));
	struct sim_port_stats s;
	sim_port_stats(0, &s);
	assert_int_equal(s.resets, 2);       /* one retry, not more */
	sim_fault_link_stuck(0, 0);
	ixgbe_close(p.ix, NULL);
	device_close(&p.dev);
	assert_no_violations();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_autoc_needs_the_semaphore, ixgbe_test_setup, ixgbe_test_teardown),
		cmocka_unit_test_setup_teardown(test_reset_needs_master_disable, ixgbe_test_setup, ixgbe_test_teardown),
		cmocka_unit_test_setup_teardown(test_rx_enable_rules, ixgbe_test_setup, ixgbe_test_teardown),
		cmocka_unit_test_setup_teardown(test_driver_bring_up, ixgbe_test_setup, ixgbe_test_teardown),
		cmocka_unit_test_setup_teardown(test_link_gets_one_more_reset, ixgbe_test_setup, ixgbe_test_teardown),
		cmocka_unit_test_setup_teardown(test_link_down_after_the_retry, ixgbe_test_setup, ixgbe_test_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
