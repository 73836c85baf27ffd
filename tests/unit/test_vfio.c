/* VFIO open: every error this machine (no IOMMU, no /dev/vfio) can reach,
 * against a fake sysfs of real files; and the IOVA allocator that keeps
 * IOVAs inside the IOMMU's usable ranges.  The success path runs in a QEMU
 * guest with a real IOMMU: tests/vm/. */
#include "testlib.h"

#include <errno.h>
#include <sys/wait.h>

#include "driver/iova.h"
#include "driver/vfio.h"
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

static int open_err(const char *addr, char *err, size_t len)
{
	struct device d;
	memset(&d, 0, sizeof d);
	err[0] = 0;
	int r = vfio_device_open(addr, &d, err, len);
	assert_null(d.priv);   /* nothing half-open is handed back */
	return r;
}

static void test_bad_address(void **st)
{
	char err[512];
	assert_int_equal(open_err("0000:03:00", err, sizeof err), -1);
	assert_non_null(strstr(err, "'0000:03:00' is not a PCI address"));
	assert_int_equal(open_err("sim:0", err, sizeof err), -1);
	assert_non_null(strstr(err, "expected DDDD:BB:DD.F"));
	assert_int_equal(open_err("0000:07:00.0", err, sizeof err), -1);
	assert_non_null(strstr(err, "no PCI device 0000:07:00.0"));
	assert_non_null(strstr(err, "kvick pci"));
}

static void test_not_bound_to_vfio(void **st)
{
	char err[512];
	assert_int_equal(open_err("0000:03:00.0", err, sizeof err), -1);
	assert_non_null(strstr(err, "driven by the kernel's ixgbe, not vfio-pci"));
	assert_non_null(strstr(err, "kvick bind 0000:03:00.0"));
	assert_int_equal(open_err("00:1f.0", err, sizeof err), -1);   /* short form works */
	assert_non_null(strstr(err, "0000:00:1f.0 is bound to no driver, not vfio-pci"));
}

static void test_no_dev_vfio(void **st)
{
	struct fixture *fx = *st;
	char err[512];
	fx_set_driver(fx, "0000:04:00.0", "vfio-pci");
	/* $KVICK_DEVVFIO points at an empty directory. */
	assert_int_equal(open_err("0000:04:00.0", err, sizeof err), -1);
	assert_non_null(strstr(err, "/dev-vfio/vfio: the vfio modules are not loaded"));
	assert_non_null(strstr(err, "modprobe vfio-pci"));
	/* This machine's real /dev/vfio: it has none, and the error must say so. */
	if (access("/dev/vfio/vfio", F_OK) == 0)
		skip();
	unsetenv("KVICK_DEVVFIO");
	assert_int_equal(open_err("0000:04:00.0", err, sizeof err), -1);
	assert_non_null(strstr(err, "no /dev/vfio/vfio"));
}

static void test_not_a_container(void **st)
{
	struct fixture *fx = *st;
	char err[512], rel[64];
	fx_set_driver(fx, "0000:04:00.0", "vfio-pci");
	snprintf(rel, sizeof rel, "vfio");
	fx_write(fx->dev, rel, "not a character device\n");
	assert_int_equal(open_err("0000:04:00.0", err, sizeof err), -1);
	assert_non_null(strstr(err, "is not a VFIO container"));
}

/* No IOMMU at all: the sysfs fallback is root-only and takes only a device
 * that no kernel driver holds. */
static void test_no_iommu_fallback_refusals(void **st)
{
	struct fixture *fx = *st;
	char err[512], cmd[1024];
	snprintf(cmd, sizeof cmd, "rm -r '%s/kernel/iommu_groups' %s/bus/pci/devices/*/iommu_group",
		 fx->root, fx->root);
	assert_int_equal(system(cmd), 0);
	if (geteuid() != 0)
		skip();
	assert_int_equal(open_err("0000:03:00.0", err, sizeof err), -1);
	assert_non_null(strstr(err, "no IOMMU, and the kernel's ixgbe driver holds the device"));
	assert_non_null(strstr(err, "driver/unbind"));
	/* Its interface is up with an address: refused, and no advice to unbind it. */
	assert_int_equal(open_err("0000:04:00.0", err, sizeof err), -1);
	assert_non_null(strstr(err, "no IOMMU, and its interface lo is up with address 127.0.0.1"));
	assert_null(strstr(err, "unbind"));

	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	if (pid == 0) {
		char e[512];
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(3);
		int r = open_err("0000:00:1f.0", e, sizeof e);
		if (write(fds[1], e, strlen(e) + 1) < 0)
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
	assert_non_null(strstr(msg, "has no IOMMU (so no VFIO); the fallback through sysfs needs root"));
}

static void test_dma_map_without_container(void **st)
{
	uint64_t iova;
	char page[64];
	assert_int_equal(vfio_dma_map(NULL, page, sizeof page, &iova), -ENODEV);
	assert_int_equal(vfio_dma_unmap(NULL, 0x200000, 4096), -ENODEV);
	assert_null(vfio_iova_space(NULL));
}

/* ---- IOVA allocation ----------------------------------------------------- */

#define MB2 (2ull << 20)

/* What QEMU's intel-iommu with 39 address bits reports: everything below
 * 2^39 except the x86 MSI window. */
static const struct iova_range q35_39bit[] = {
	{0, 0xfedfffffull},
	{0xfef00000ull, (1ull << 39) - 1},
};

static void test_iova_first_and_aligned(void **st)
{
	struct iova_space s;
	uint64_t a, b, c;
	iova_space_init(&s, q35_39bit, 2);
	assert_int_equal(iova_alloc(&s, MB2, MB2, &a), 0);
	assert_int_equal(a, MB2);   /* IOVA 0..2 MB stays unmapped */
	assert_int_equal(iova_alloc(&s, 4096, 4096, &b), 0);
	assert_int_equal(b, 2 * MB2);
	assert_int_equal(iova_alloc(&s, MB2, MB2, &c), 0);
	assert_int_equal(c, 3 * MB2);   /* aligned up past the 4 KiB one */
	assert_int_equal(iova_alloc(&s, 4096, 3, &c), -EINVAL);
}

static void test_iova_skips_msi_window(void **st)
{
	struct iova_space s;
	uint64_t a;
	iova_space_init(&s, q35_39bit, 2);
	/* Eat the first range up to just below the MSI window. */
	assert_int_equal(iova_alloc(&s, 0xfec00000ull - MB2, MB2, &a), 0);
	assert_int_equal(a, MB2);
	/* 4 MB does not fit in the 2 MB left below 0xfee00000: next range,
	 * aligned up (0xfef00000 is not 2 MB aligned). */
	assert_int_equal(iova_alloc(&s, 2 * MB2, MB2, &a), 0);
	assert_int_equal(a, 0xff000000ull);
	assert_true(iova_in_ranges(&s, a, 2 * MB2));
	assert_false(iova_in_ranges(&s, 0xfee00000ull, 4096));
	assert_false(iova_in_ranges(&s, (1ull << 39) - 4096, 8192));
}

static void test_iova_exhaustion_and_top(void **st)
{
	struct iova_space s;
	uint64_t a;
	const struct iova_range small[] = {{0x100000, 0x4fffff}};
	iova_space_init(&s, small, 1);
	assert_int_equal(iova_alloc(&s, MB2, MB2, &a), 0);
	assert_int_equal(a, MB2);
	assert_int_equal(iova_alloc(&s, MB2, MB2, &a), -ENOSPC);   /* 4 MB + 2 MB > 0x4fffff */
	assert_int_equal(iova_alloc(&s, 4096, 4096, &a), 0);
	assert_int_equal(a, 2 * MB2);

	/* A range that ends at 2^64-1 must not overflow. */
	const struct iova_range top[] = {{UINT64_MAX - 4 * MB2 + 1, UINT64_MAX}};
	iova_space_init(&s, top, 1);
	assert_int_equal(iova_alloc(&s, 4 * MB2, MB2, &a), 0);
	assert_int_equal(a, UINT64_MAX - 4 * MB2 + 1);
	assert_int_equal(iova_alloc(&s, 4096, 4096, &a), -ENOSPC);
	assert_true(iova_in_ranges(&s, UINT64_MAX - 4095, 4096));
	assert_false(iova_in_ranges(&s, UINT64_MAX - 4095, 8192));

	iova_space_init(&s, NULL, 0);
	assert_int_equal(iova_alloc(&s, 4096, 4096, &a), -ENOSPC);
}

static void test_iova_unsorted_ranges(void **st)
{
	struct iova_space s;
	uint64_t a;
	const struct iova_range r[] = {{0x80000000ull, 0xffffffffull}, {0x1000, 0x3fffff}, {5, 4}};
	iova_space_init(&s, r, 3);
	assert_int_equal(s.nranges, 2);   /* the empty one is dropped */
	assert_int_equal(iova_alloc(&s, MB2, MB2, &a), 0);
	assert_int_equal(a, MB2);
	assert_int_equal(iova_alloc(&s, MB2, MB2, &a), 0);
	assert_int_equal(a, 0x80000000ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bad_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_bound_to_vfio, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_dev_vfio, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_container, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_iommu_fallback_refusals, setup, teardown),
		cmocka_unit_test(test_dma_map_without_container),
		cmocka_unit_test(test_iova_first_and_aligned),
		cmocka_unit_test(test_iova_skips_msi_window),
		cmocka_unit_test(test_iova_exhaustion_and_top),
		cmocka_unit_test(test_iova_unsorted_ranges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
