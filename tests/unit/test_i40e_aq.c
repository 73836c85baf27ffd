/* The X710 driver's admin queue against the model's firmware faults: every
 * command the driver sends, answered with an error code, gives a message
 * naming the command and the code; a firmware that does not answer gives a
 * message naming the command; clear PXE answered EEXIST is fine; a bad
 * queue context (HMC) stops open with what PFHMC_ERRORINFO says. */
#include "i40e_test.h"

#define RC_EPERM  1
#define RC_ENOENT 2
#define RC_EBUSY  12
#define RC_EEXIST 13
#define RC_EINVAL 14

/* Open port 0 with a fault armed between device_open and the driver's
 * open; returns the driver (NULL on failure, message in err). */
static struct nic_dev *open_faulted(struct xport *p, void (*arm)(unsigned arg), unsigned arg,
                                    char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	if (device_open("sim:0/model=x710,loopback", &p->dev, err, errlen) < 0)
		fail_msg("device_open: %s", err);
	arm(arg);
	struct nic_config c = x_config();
	c.wait_link_ms = 0;
	p->nd = DRV->open(&p->dev, &c, err, errlen);
	return p->nd;
}

static uint16_t err_opcode;
static uint16_t err_rc;
static void arm_aq_error(unsigned n) { sim_fault_aq_error(0, err_opcode, err_rc, n); }
static void arm_aq_timeout(unsigned n) { sim_fault_aq_timeout(0, n); }
static void arm_hmc(unsigned n) { sim_fault_hmc_context(0, n); }
static void arm_api(unsigned v) { sim_fault_aq_api(0, (uint16_t)(v >> 16), (uint16_t)v); }

static void expect_in(const char *text, const char *want)
{
	if (!strstr(text, want))
		fail_msg("\"%s\" does not contain \"%s\"", text, want);
}

/* Each command of the bring-up, answered with an error: open fails and
 * says which command and which code. */
static void test_aq_error_each_command(void **st)
{
	static const struct { uint16_t op; const char *name; uint16_t rc; const char *code; } cmds[] = {
		{ 0x0001, "get version (0x0001)", RC_EPERM, "EPERM (1)" },
		{ 0x0110, "clear PXE mode (0x0110)", RC_EINVAL, "EINVAL (14)" },
		{ 0x0200, "get switch config (0x0200)", RC_ENOENT, "ENOENT (2)" },
		{ 0x0212, "get VSI parameters (0x0212)", RC_ENOENT, "ENOENT (2)" },
		{ 0x0107, "read MAC address (0x0107)", RC_EPERM, "EPERM (1)" },
		{ 0x0254, "set VSI promiscuous modes (0x0254)", RC_EBUSY, "EBUSY (12)" },
		{ 0x0603, "set MAC config (0x0603)", RC_EINVAL, "EINVAL (14)" },
		{ 0x0605, "restart autonegotiation (0x0605)", RC_EBUSY, "EBUSY (12)" },
		{ 0x0607, "get link status (0x0607)", RC_EPERM, "EPERM (1)" },
	};
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		struct xport p;
		char err[512];
		err_opcode = cmds[i].op;
		err_rc = cmds[i].rc;
		assert_null(open_faulted(&p, arm_aq_error, 1, err, sizeof(err)));
		print_message("%s\n", err);
		expect_in(err, cmds[i].name);
		expect_in(err, cmds[i].code);
		device_close(&p.dev);
		sim_shutdown();
	}
}

/* Clear PXE mode on a port that is not in PXE mode answers EEXIST: fine. */
static void test_clear_pxe_eexist(void **st)
{
	struct xport p;
	char err[512];
	err_opcode = 0x0110;
	err_rc = RC_EEXIST;
	if (!open_faulted(&p, arm_aq_error, 1, err, sizeof(err)))
		fail_msg("open failed on EEXIST from clear PXE mode: %s", err);
	x_close(&p, NULL);
	assert_no_violations();
}

/* The firmware does not answer the first command. */
static void test_aq_timeout_at_open(void **st)
{
	struct xport p;
	char err[512];
	uint64_t t0 = now_ns();
	assert_null(open_faulted(&p, arm_aq_timeout, 1, err, sizeof(err)));
	print_message("%s\n", err);
	expect_in(err, "get version (0x0001)");
	expect_in(err, "did not answer within 250 ms");
	assert_true(now_ns() - t0 < 2000000000ull);    /* bounded, not hung */
	device_close(&p.dev);
	/* the next open works */
	struct nic_config c = x_config();
	c.wait_link_ms = 0;
	x_open(&p, "sim:0/model=x710,loopback", &c);
	x_close(&p, NULL);
}

/* At close: the queue shutdown command fails (error, then no answer);
 * close still returns every packet, and says which command failed. */
static void test_aq_faults_at_close(void **st)
{
	for (int timeout = 0; timeout < 2; timeout++) {
		struct xport p;
		struct nic_config c = x_config();
		c.wait_link_ms = 0;
		x_open(&p, "sim:0/model=x710,loopback", &c);
		if (timeout)
			sim_fault_aq_timeout(0, 1);
		else
			sim_fault_aq_error(0, 0x0003, RC_EPERM, 1);
		log_capture_begin();
		struct nic_stats s;
		x_close(&p, &s);
		const char *log = log_capture_end();
		expect_in(log, "queue shutdown (0x0003)");
		expect_in(log, timeout ? "did not answer" : "EPERM (1)");
		assert_int_equal(s.rx_lost + s.tx_lost, 0);
		sim_shutdown();
		assert_int_equal(freelist_outstanding(), 0);
	}
}

/* A firmware whose admin queue API is not 1.x is refused at open, saying
 * which version it has; another 1.x minor is accepted. */
static void test_api_major_refused(void **st)
{
	struct xport p;
	char err[512];
	assert_null(open_faulted(&p, arm_api, 2u << 16 | 3, err, sizeof(err)));
	print_message("%s\n", err);
	expect_in(err, "admin queue API 2.3");
	expect_in(err, "API 1.x only");
	device_close(&p.dev);
	sim_shutdown();
	assert_int_equal(freelist_outstanding(), 0);
	if (!open_faulted(&p, arm_api, 1u << 16 | 99, err, sizeof(err)))
		fail_msg("open refused a firmware with API 1.99: %s", err);
	x_close(&p, NULL);
	assert_no_violations();
}

/* A queue context the device cannot use: the queue does not start, open
 * says so with the HMC's error register. */
static void test_hmc_context_fault(void **st)
{
	struct xport p;
	char err[512];
	assert_null(open_faulted(&p, arm_hmc, 1, err, sizeof(err)));
	print_message("%s\n", err);
	expect_in(err, "QENA_STAT did not come up");
	expect_in(err, "PFHMC_ERRORINFO = 0x8");
	device_close(&p.dev);
	assert_int_equal(freelist_outstanding(), 0);
}

int main(void)
{
	test_mem_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_aq_error_each_command, x_setup, x_teardown),
		cmocka_unit_test_setup_teardown(test_clear_pxe_eexist, x_setup, x_teardown),
		cmocka_unit_test_setup_teardown(test_aq_timeout_at_open, x_setup, x_teardown),
		cmocka_unit_test_setup_teardown(test_aq_faults_at_close, x_setup, x_teardown),
		cmocka_unit_test_setup_teardown(test_hmc_context_fault, x_setup, x_teardown),
		cmocka_unit_test_setup_teardown(test_api_major_refused, x_setup, x_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
