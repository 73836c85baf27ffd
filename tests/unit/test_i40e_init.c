/* The X710 driver against the X710 model: the configurations the driver
 * refuses before it touches the device. */
#include "i40e_test.h"

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

int main(void)
{
	test_mem_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bad_config, x_setup, x_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
