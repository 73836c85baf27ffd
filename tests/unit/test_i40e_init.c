/* The X710 driver against the X710 model: what the registers and the
 * firmware's answers show after open (identity, admin queue, HMC, queue
 * enable, interrupt cause list, RSS), what close leaves behind, and the
 * configurations the driver refuses.  Offsets are written out here from
 * reference/x710.md, independently of driver/i40e.c. */
#include "i40e_test.h"

#define R_PF_ATQLEN        0x080200
#define R_PF_ARQLEN        0x080280
#define R_PF_ATQH          0x080300
#define R_PF_ATQT          0x080400
#define R_PF_ARQT          0x080480
#define R_GLLAN_RCTL_0     0x12A500
#define R_GLHMC_LANTXBASE(pf) (0x0C6200 + 4 * (pf))
#define R_GLHMC_LANTXCNT(pf)  (0x0C6300 + 4 * (pf))
#define R_GLHMC_LANRXBASE(pf) (0x0C6400 + 4 * (pf))
#define R_GLHMC_LANRXCNT(pf)  (0x0C6500 + 4 * (pf))
#define R_PFHMC_SDDATALOW  0x0C0100
#define R_PFHMC_ERRORINFO  0x0C0400
#define R_QTX_ENA(q)       (0x100000 + 4 * (q))
#define R_QRX_ENA(q)       (0x120000 + 4 * (q))
#define R_QTX_CTL(q)       (0x104000 + 4 * (q))
#define R_QINT_RQCTL(q)    (0x03A000 + 4 * (q))
#define R_PFINT_LNKLST0    0x038500
#define R_PFINT_ITR0_0     0x038000
#define R_PFINT_DYN_CTL0   0x038480
#define R_PFQF_HLUT(i)     (0x240000 + 0x80 * (i))
#define R_PFQF_HENA(i)     (0x245900 + 0x80 * (i))
#define R_PFQF_HKEY(i)     (0x244800 + 0x80 * (i))

static uint32_t rd(struct xport *p, uint32_t off) { return reg_read(&p->dev.bar0, off); }

static void check_port(const char *spec, unsigned pf)
{
	struct xport p;
	struct nic_config c = x_config();
	c.rxq = c.txq = 4;
	c.wait_link_ms = 0;
	x_open(&p, spec, &c);

	struct i40e_identity id;
	i40e_identity(p.nd, &id);
	assert_int_equal(id.pf_id, pf);
	assert_int_equal(id.port, pf);
	assert_int_equal(id.first_queue, 64 * pf);     /* the model gives each PF 64 queues */
	assert_int_equal(id.queues, 64);
	assert_int_equal(id.api_major, 1);
	assert_true(id.fw_major > 0);
	assert_int_not_equal(id.vsi_seid, 0);

	uint8_t mac[6];
	DRV->mac(p.nd, mac);
	assert_int_equal(mac[0], 0x02);                /* a locally administered address */
	assert_int_equal(mac[5], pf);

	/* admin queue: 32 entries each, enabled; every command answered */
	assert_int_equal(rd(&p, R_PF_ATQLEN), 32u | 1u << 31);
	assert_int_equal(rd(&p, R_PF_ARQLEN), 32u | 1u << 31);
	assert_int_equal(rd(&p, R_PF_ATQH), rd(&p, R_PF_ATQT));
	assert_int_equal(rd(&p, R_GLLAN_RCTL_0), 1);   /* PXE mode cleared */

	/* HMC: TX contexts from 0, RX contexts after 64 x 128 bytes; one segment */
	assert_int_equal(rd(&p, R_GLHMC_LANTXBASE(pf)), 0);
	assert_int_equal(rd(&p, R_GLHMC_LANTXCNT(pf)), 64);
	assert_int_equal(rd(&p, R_GLHMC_LANRXBASE(pf)), 64 * 128 / 512);
	assert_int_equal(rd(&p, R_GLHMC_LANRXCNT(pf)), 64);
	uint32_t sd = rd(&p, R_PFHMC_SDDATALOW);
	assert_int_equal(sd & 0xFFF, 512u << 2 | 1u << 1 | 1u);   /* 512 pages, direct, valid */
	assert_int_equal(rd(&p, R_PFHMC_ERRORINFO), 0);

	unsigned base = id.vsi_base_queue;
	for (unsigned q = 0; q < 4; q++) {
		assert_int_equal(rd(&p, R_QRX_ENA(base + q)), 1u | 1u << 2);  /* REQ and STAT */
		assert_int_equal(rd(&p, R_QTX_ENA(base + q)), 1u | 1u << 2);
		assert_int_equal(rd(&p, R_QTX_CTL(base + q)), 2u | pf << 2);  /* a PF queue of this PF */
		/* the cause list of vector 0: q -> q+1 -> ... -> end (0x7FF) */
		uint32_t next = q < 3 ? base + q + 1 : 0x7FF;
		assert_int_equal(rd(&p, R_QINT_RQCTL(base + q)), 1u << 30 | next << 16);
	}
	assert_int_equal(rd(&p, R_PFINT_LNKLST0), base);       /* first cause: RX queue 0 */
	assert_int_equal(rd(&p, R_PFINT_ITR0_0), 5);           /* 10 us */
	assert_int_equal(rd(&p, R_PFINT_DYN_CTL0) & 1, 1);     /* INTENA */

	/* RSS: entry n -> queue n % 4, IPv4/IPv6 UDP/TCP/SCTP/other/fragments */
	assert_int_equal(rd(&p, R_PFQF_HLUT(0)), 0x03020100);
	assert_int_equal(rd(&p, R_PFQF_HLUT(127)), 0x03020100);
	assert_int_equal(rd(&p, R_PFQF_HENA(0)), 0x80000000);
	assert_int_equal(rd(&p, R_PFQF_HENA(1)), 0x00007A1E);
	uint32_t key_or = 0;
	for (unsigned i = 0; i < 13; i++)
		key_or |= rd(&p, R_PFQF_HKEY(i));
	assert_int_not_equal(key_or, 0);

	/* no cable: the link is down */
	unsigned speed = 1;
	assert_false(DRV->link(p.nd, &speed));
	assert_int_equal(speed, 0);

	struct nic_stats s;
	x_close(&p, &s);
	assert_int_equal(s.rx_lost + s.tx_lost, 0);
	assert_no_violations();
}

static void test_init_pf0(void **st) { check_port("sim:0/model=x710", 0); }
static void test_init_pf1(void **st) { check_port("sim:1/model=x710", 1); }

/* After close: queues handshaken off, admin queue disabled. */
static void test_close_state(void **st)
{
	struct xport p;
	struct nic_config c = x_config();
	c.wait_link_ms = 0;
	x_open(&p, "sim:0/model=x710", &c);
	struct i40e_identity id;
	i40e_identity(p.nd, &id);
	DRV->close(p.nd, NULL);
	assert_int_equal(rd(&p, R_QRX_ENA(id.vsi_base_queue)) & 5, 0);
	assert_int_equal(rd(&p, R_QTX_ENA(id.vsi_base_queue)) & 5, 0);
	assert_int_equal(rd(&p, R_PF_ATQLEN) & (1u << 31), 0);
	device_close(&p.dev);
	assert_no_violations();
}

static void expect_refused(struct nic_config c, const char *what)
{
	struct xport p;
	char err[512];
	assert_null(x_try_open(&p, "sim:0/model=x710", &c, err, sizeof(err)));
	if (!strstr(err, what))
		fail_msg("error \"%s\" does not mention \"%s\"", err, what);
	device_close(&p.dev);
}

static void test_bad_config(void **st)
{
	struct nic_config c = x_config();
	c.rxq = 0;
	expect_refused(c, "rxq=0");
	c = x_config();
	c.txq = 17;
	expect_refused(c, "txq=17");
	c = x_config();
	c.rx_ring = 100;
	expect_refused(c, "rxring=100");
	c = x_config();
	c.tx_ring = 8192;
	expect_refused(c, "txring=8192");
	c = x_config();
	c.mtu = 9001;
	expect_refused(c, "mtu=9001");
	c = x_config();
	c.set_mac = true;
	expect_refused(c, "mac=");
	assert_no_violations();
}

/* Ring size 0 means the driver's default (512). */
static void test_default_rings(void **st)
{
	struct xport p;
	struct nic_config c = x_config();
	c.rx_ring = c.tx_ring = 0;
	c.wait_link_ms = 0;
	x_open(&p, "sim:0/model=x710", &c);
	assert_int_equal(DRV->tx_room(p.nd, 0), 511);
	x_close(&p, NULL);
	assert_no_violations();
}

int main(void)
{
	test_mem_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_pf0, x_setup, x_teardown),
		cmocka_unit_test_setup_teardown(test_init_pf1, x_setup, x_teardown),
		cmocka_unit_test_setup_teardown(test_close_state, x_setup, x_teardown),
		cmocka_unit_test_setup_teardown(test_bad_config, x_setup, x_teardown),
		cmocka_unit_test_setup_teardown(test_default_rings, x_setup, x_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
