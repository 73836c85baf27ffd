/* PCI discovery (libpci over a fake sysfs of real files), address parsing,
 * and `kvick bind`/`unbind`: what they write, and every refusal. */
#include "testlib.h"

#include <sys/wait.h>

#include "driver/pci.h"
#include "driver/pci_bind.h"
#include "sysfs_fixture.h"

static int setup(void **st)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	fx_create(fx);
	*st = fx;
	return 0;
}

static int teardown(void **st)
{
	fx_destroy(*st);
	free(*st);
	return 0;
}

static void test_addr_normalize(void **st)
{
	char out[PCI_ADDR_LEN], err[256];
	assert_int_equal(pci_addr_normalize("0000:03:00.0", out, err, sizeof err), 0);
	assert_string_equal(out, "0000:03:00.0");
	assert_int_equal(pci_addr_normalize("03:1f.7", out, err, sizeof err), 0);
	assert_string_equal(out, "0000:03:1f.7");
	assert_int_equal(pci_addr_normalize("0001:AB:0c.1", out, err, sizeof err), 0);
	assert_string_equal(out, "0001:ab:0c.1");
	const char *bad[] = {"", "03:00", "0000:03:00.8", "0000:03:20.0", "zz:00.0", "0000:03:00.0x",
			     "+3:00.0", "0000:3:00.0", "eth0", "sim:0"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(pci_addr_normalize(bad[i], out, err, sizeof err), -1);
		assert_non_null(strstr(err, "is not a PCI address: expected DDDD:BB:DD.F"));
	}
}

static void test_sysfs_facts(void **st)
{
	char drv[64], ifs[64];
	uint16_t v, d;
	assert_true(pci_device_exists("0000:03:00.0"));
	assert_false(pci_device_exists("0000:05:00.0"));
	assert_int_equal(pci_device_driver("0000:03:00.0", drv, sizeof drv), 0);
	assert_string_equal(drv, "ixgbe");
	assert_int_equal(pci_device_driver("0000:00:1f.0", drv, sizeof drv), 0);
	assert_string_equal(drv, "");
	assert_int_equal(pci_iommu_group("0000:04:00.0"), 8);
	assert_int_equal(pci_numa_node("0000:03:00.0"), 0);
	assert_int_equal(pci_numa_node("0000:00:1f.0"), -1);
	assert_int_equal(pci_read_ids("0000:04:00.0", &v, &d), 0);
	assert_int_equal(v, 0x8086);
	assert_int_equal(d, 0x1572);
	pci_device_ifnames("0000:03:00.0", ifs, sizeof ifs);
	assert_string_equal(ifs, "eth9");
	assert_true(pci_is_supported(0x8086, 0x10fb));
	assert_true(pci_is_supported(0x8086, 0x1572));    /* X710 SFP+: driver/i40e.c */
	assert_string_equal(pci_support(0x8086, 0x1572), "i40e (X710 SFP+)");
	assert_null(pci_support(0x1af4, 0x1041));
}

static void test_list_network(void **st)
{
	struct pci_info *l;
	char err[256];
	int n = pci_list(true, &l, err, sizeof err);
	assert_int_equal(n, 3);   /* the ISA bridge is not a network device */
	assert_string_equal(l[0].addr, "0000:03:00.0");
	assert_string_equal(l[1].addr, "0000:03:00.1");
	assert_string_equal(l[2].addr, "0000:04:00.0");
	assert_int_equal(l[0].vendor_id, 0x8086);
	assert_int_equal(l[0].device_id, 0x10fb);
	assert_int_equal(l[0].class_code >> 16, PCI_CLASS_NETWORK);
	assert_string_equal(l[0].driver, "ixgbe");
	assert_int_equal(l[0].iommu_group, 7);
	assert_int_equal(l[0].numa_node, 0);
	assert_string_equal(l[0].ifnames, "eth9");
	assert_non_null(l[0].support);
	assert_non_null(strstr(l[0].support, "82599"));
	assert_string_equal(l[2].driver, "i40e");
	assert_string_equal(l[2].support, "i40e (X710 SFP+)");
	if (access("/usr/share/misc/pci.ids", R_OK) == 0)
		assert_non_null(strstr(l[0].name, "Intel"));
	else
		assert_string_equal(l[0].name, "");
	free(l);

	n = pci_list(false, &l, err, sizeof err);
	assert_int_equal(n, 4);
	assert_string_equal(l[0].addr, "0000:00:1f.0");
	assert_string_equal(l[0].driver, "");
	assert_null(l[0].support);
	free(l);
}

static void test_group_blockers_and_busy(void **st)
{
	char list[256], why[160];
	assert_int_equal(pci_group_blockers("0000:03:00.0", list, sizeof list), 1);
	assert_string_equal(list, "0000:03:00.1 (ixgbe)");
	assert_int_equal(pci_group_blockers("0000:04:00.0", list, sizeof list), 0);
	/* eth9 is down: not busy.  "lo" is the real loopback, up with 127.0.0.1. */
	assert_int_equal(pci_ifaces_busy("0000:03:00.0", why, sizeof why), 0);
	assert_int_equal(pci_ifaces_busy("0000:04:00.0", why, sizeof why), 1);
	assert_non_null(strstr(why, "interface lo is up with address 127.0.0.1"));
}

static void test_bind_writes_only_the_named_device(void **st)
{
	struct fixture *fx = *st;
	char msg[1024], buf[128];
	if (geteuid() != 0)
		skip();
	/* The fake tree has no kernel behind it, so the driver link does not
	 * move: bind must do every write and then say the kernel did not bind. */
	assert_int_equal(pci_bind_vfio("0000:03:00.0", false, msg, sizeof msg), -1);
	assert_non_null(strstr(msg, "the kernel did not bind vfio-pci after drivers_probe (driver now: ixgbe)"));
	fx_read(fx->root, "bus/pci/devices/0000:03:00.0/driver_override", buf, sizeof buf);
	assert_string_equal(buf, "vfio-pci");
	fx_read(fx->root, "bus/pci/drivers/ixgbe/unbind", buf, sizeof buf);
	assert_string_equal(buf, "0000:03:00.0");
	fx_read(fx->root, "bus/pci/drivers_probe", buf, sizeof buf);
	assert_string_equal(buf, "0000:03:00.0");
	fx_read(fx->run, "0000:03:00.0.driver", buf, sizeof buf);
	assert_string_equal(buf, "ixgbe\n");
	/* The sibling in the same group and driver was not touched. */
	fx_read(fx->root, "bus/pci/devices/0000:03:00.1/driver_override", buf, sizeof buf);
	assert_string_equal(buf, "(null)\n");
}

static void test_bind_already_bound_and_group_report(void **st)
{
	struct fixture *fx = *st;
	char msg[1024];
	if (geteuid() != 0)
		skip();
	fx_set_driver(fx, "0000:03:00.0", "vfio-pci");
	assert_int_equal(pci_bind_vfio("0000:03:00.0", false, msg, sizeof msg), 0);
	assert_string_equal(msg, "0000:03:00.0 is already bound to vfio-pci");
}

static void test_bind_refusals(void **st)
{
	struct fixture *fx = *st;
	char msg[1024], buf[64], p[1024];
	if (geteuid() != 0)
		skip();
	assert_int_equal(pci_bind_vfio("0000:05:00.0", false, msg, sizeof msg), -1);
	assert_non_null(strstr(msg, "no PCI device 0000:05:00.0"));

	/* Interface up with an address: refused, nothing written; --force takes it. */
	assert_int_equal(pci_bind_vfio("0000:04:00.0", false, msg, sizeof msg), -1);
	assert_non_null(strstr(msg, "refusing to take 0000:04:00.0: its interface lo is up with address"));
	assert_non_null(strstr(msg, "--force"));
	fx_read(fx->root, "bus/pci/devices/0000:04:00.0/driver_override", buf, sizeof buf);
	assert_string_equal(buf, "(null)\n");
	pci_bind_vfio("0000:04:00.0", true, msg, sizeof msg);
	fx_read(fx->root, "bus/pci/devices/0000:04:00.0/driver_override", buf, sizeof buf);
	assert_string_equal(buf, "vfio-pci");

	/* vfio_iommu_type1, then vfio-pci missing. */
	snprintf(p, sizeof p, "%s/module/vfio_iommu_type1", fx->root);
	rmdir(p);
	assert_int_equal(pci_bind_vfio("0000:03:00.0", false, msg, sizeof msg), -1);
	assert_non_null(strstr(msg, "run `modprobe vfio_iommu_type1`"));
	snprintf(p, sizeof p, "rm -r '%s/bus/pci/drivers/vfio-pci'", fx->root);
	assert_int_equal(system(p), 0);
	assert_int_equal(pci_bind_vfio("0000:03:00.0", false, msg, sizeof msg), -1);
	assert_non_null(strstr(msg, "the vfio-pci module is not loaded"));
	assert_non_null(strstr(msg, "modprobe vfio-pci"));

	/* No IOMMU at all: no groups. */
	snprintf(p, sizeof p, "rm -r '%s/kernel/iommu_groups'; mkdir '%s/kernel/iommu_groups'", fx->root,
		 fx->root);
	assert_int_equal(system(p), 0);
	assert_int_equal(pci_bind_vfio("0000:03:00.0", false, msg, sizeof msg), -1);
	assert_non_null(strstr(msg, "no IOMMU"));
	assert_non_null(strstr(msg, "intel_iommu=on"));
	fx_read(fx->root, "bus/pci/devices/0000:03:00.0/driver_override", buf, sizeof buf);
	assert_string_equal(buf, "(null)\n");
}

/* Run pci_bind_vfio() as an unprivileged user in a child; the message comes
 * back through a pipe. */
static void test_bind_not_root(void **st)
{
	int fds[2];
	if (geteuid() != 0)
		skip();
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	if (pid == 0) {
		char msg[512];
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(3);
		int r = pci_bind_vfio("0000:03:00.0", false, msg, sizeof msg);
		if (write(fds[1], msg, strlen(msg) + 1) < 0)
			_exit(4);
		_exit(r == -1 ? 0 : 1);
	}
	close(fds[1]);
	char msg[512] = "";
	ssize_t n = read(fds[0], msg, sizeof msg - 1);
	close(fds[0]);
	int status;
	waitpid(pid, &status, 0);
	assert_true(n > 0);
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_non_null(strstr(msg, "bind 0000:03:00.0: not root"));
}

static void test_unbind(void **st)
{
	struct fixture *fx = *st;
	char msg[1024], buf[128];
	if (geteuid() != 0)
		skip();
	/* Not bound to vfio-pci: nothing to do, nothing written. */
	assert_int_equal(pci_unbind_vfio("0000:03:00.1", msg, sizeof msg), 0);
	assert_non_null(strstr(msg, "not bound to vfio-pci (driver: ixgbe): nothing to do"));
	fx_read(fx->root, "bus/pci/drivers_probe", buf, sizeof buf);
	assert_string_equal(buf, "");

	/* Bound to vfio-pci, bind remembered ixgbe: clear the override,
	 * unbind from vfio-pci, probe.  The fake kernel leaves the link on
	 * vfio-pci, so unbind says the original driver did not take it back. */
	fx_set_driver(fx, "0000:03:00.0", "vfio-pci");
	fx_write(fx->root, "bus/pci/devices/0000:03:00.0/driver_override", "vfio-pci\n");
	mkdir(fx->run, 0755);
	fx_write(fx->run, "0000:03:00.0.driver", "ixgbe\n");
	assert_int_equal(pci_unbind_vfio("0000:03:00.0", msg, sizeof msg), -1);
	assert_non_null(strstr(msg, "its original driver ixgbe did not take it back (driver now: vfio-pci)"));
	fx_read(fx->root, "bus/pci/devices/0000:03:00.0/driver_override", buf, sizeof buf);
	assert_string_equal(buf, "\n");
	fx_read(fx->root, "bus/pci/drivers/vfio-pci/unbind", buf, sizeof buf);
	assert_string_equal(buf, "0000:03:00.0");
	fx_read(fx->root, "bus/pci/drivers_probe", buf, sizeof buf);
	assert_string_equal(buf, "0000:03:00.0");

	/* Probe left it without a driver: unbind asks ixgbe directly. */
	char p[512];
	snprintf(p, sizeof p, "%s/bus/pci/devices/0000:03:00.0/driver", fx->root);
	fx_set_driver(fx, "0000:03:00.0", "vfio-pci");
	fx_write(fx->root, "bus/pci/devices/0000:03:00.0/driver_override", "vfio-pci\n");
	fx_write(fx->root, "bus/pci/drivers/vfio-pci/unbind", "");
	/* A driver link pointing at a missing directory reads as "none" after unbind
	 * only in a real kernel; here we remove it to model "no driver took it". */
	unlink(p);
	assert_int_equal(pci_unbind_vfio("0000:03:00.0", msg, sizeof msg), -1);
	fx_read(fx->root, "bus/pci/drivers/ixgbe/bind", buf, sizeof buf);
	assert_string_equal(buf, "0000:03:00.0");
	assert_non_null(strstr(msg, "`modprobe ixgbe`"));
}

static void test_no_iommu_check(void **st)
{
	struct fixture *fx = *st;
	char msg[512], p[512];
	assert_int_equal(pci_check_iommu(msg, sizeof msg), 0);
	snprintf(p, sizeof p, "rm -r '%s/kernel/iommu_groups'", fx->root);
	assert_int_equal(system(p), 0);
	assert_int_equal(pci_check_iommu(msg, sizeof msg), -1);
	assert_non_null(strstr(msg, "no IOMMU"));
	assert_non_null(strstr(msg, "has no groups"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_normalize),
		cmocka_unit_test_setup_teardown(test_sysfs_facts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_network, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_blockers_and_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_writes_only_the_named_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_already_bound_and_group_report, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_not_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unbind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_iommu_check, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
