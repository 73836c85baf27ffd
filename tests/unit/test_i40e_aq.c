/* The X710 driver's admin queue against the model's firmware faults: every
 * command of the bring-up, answered with an error code, gives a message
 * naming the command and the code; a firmware that does not answer gives a
 * message naming the command. */
#include "i40e_test.h"

#define RC_EPERM  1
#define RC_ENOENT 2
#define RC_EBUSY  12
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
		assert_no_violations();
		sim_shutdown();
	}
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
	assert_no_violations();
}

int main(void)
{
	test_mem_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_aq_error_each_command, x_setup, x_teardown),
		cmocka_unit_test_setup_teardown(test_aq_timeout_at_open, x_setup, x_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
