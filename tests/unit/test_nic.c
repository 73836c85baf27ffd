/* The driver interface's two tables: PCI IDs -> drivers (nic_find, the
 * rows `kvick pci` shows) and `pci=` prefixes -> device providers
 * (device_open's dispatch).  A provider registered here, in the test, is
 * found like the built-in ones; the intel app refuses the devices it opens
 * with the table's reason, knowing no driver by name. */
#include "testlib.h"

#include <stdio.h>
#include <unistd.h>

#include "core/engine.h"
#include "core/topology.h"
#include "driver/device.h"
#include "driver/igb.h"
#include "driver/ixgbe.h"
#include "driver/i40e.h"
#include "driver/nic.h"
#include "driver/pci.h"

/* ---- nic_find ---- */

static void test_known_ids(void **st)
{
	const struct nic_pci_id *id = nic_find(0x8086, 0x10FB);
	assert_non_null(id);
	assert_ptr_equal(id->drv, &ixgbe_driver);
	assert_non_null(strstr(id->name, "82599"));
	assert_string_equal(id->drv->name, "ixgbe");
	assert_int_equal(id->drv->max_rxq, 16);

	id = nic_find(0x8086, 0x1521);
	assert_non_null(id);
	assert_ptr_equal(id->drv, &igb_driver);
	assert_int_equal(id->drv->max_rxq, 1);
	assert_non_null(strstr(pci_support(0x8086, 0x1521), "igb (I350"));
}

static void test_refused_ids(void **st)
{
	/* Virtual functions: known, refused, told to use the PF. */
	const uint16_t vfs[] = { 0x154C, 0x1889, 0x10ED, 0x1520, 0x10CA };
	for (size_t i = 0; i < sizeof(vfs) / sizeof(vfs[0]); i++) {
		const struct nic_pci_id *id = nic_find(0x8086, vfs[i]);
		assert_non_null(id);
		assert_null(id->drv);
		assert_non_null(strstr(id->why, "this is a virtual function: bind the PF instead"));
		assert_false(pci_is_supported(0x8086, vfs[i]));
	}
	/* Parts whose link setup the 82599 driver does not do. */
	const uint16_t other_media[] = { 0x1528, 0x155C, 0x10F7, 0x1514, 0x1517, 0x10F9, 0x151C };
	for (size_t i = 0; i < sizeof(other_media) / sizeof(other_media[0]); i++) {
		const struct nic_pci_id *id = nic_find(0x8086, other_media[i]);
		assert_non_null(id);
		assert_null(id->drv);
		assert_non_null(strstr(id->why, "SFP+"));
	}
	/* The X710 family's PFs run driver/i40e.c; the X722 is refused. */
	const uint16_t x710[] = { 0x1572, 0x1580, 0x1581, 0x1583, 0x1584, 0x158A, 0x158B, 0x15FF };
	for (size_t i = 0; i < sizeof(x710) / sizeof(x710[0]); i++) {
		const struct nic_pci_id *id = nic_find(0x8086, x710[i]);
		assert_non_null(id);
		assert_ptr_equal(id->drv, &i40e_driver);
		assert_true(pci_is_supported(0x8086, x710[i]));
	}
	const struct nic_pci_id *id = nic_find(0x8086, 0x37D0);
	assert_non_null(id);
	assert_null(id->drv);
	assert_non_null(strstr(id->why, "X722"));
}

static void test_unknown_ids(void **st)
{
	assert_null(nic_find(0x8086, 0x0001));
	assert_null(nic_find(0x1234, 0x10FB));   /* the right device ID from another vendor */
	assert_null(pci_support(0x1af4, 0x1041));
}

/* Every row is either driven (no reason) or refused (a reason); no ID twice. */
static void test_table_consistent(void **st)
{
	size_t n;
	const struct nic_pci_id *ids = nic_ids(&n);
	assert_true(n > 30);
	for (size_t i = 0; i < n; i++) {
		assert_true(ids[i].name && *ids[i].name);
		assert_true((ids[i].drv != NULL) != (ids[i].why != NULL));
		assert_ptr_equal(nic_find(ids[i].vendor, ids[i].device), &ids[i]);
	}
}

/* ---- device providers ---- */

static char last_spec[64];

/* "kvtest:VVVV:DDDD": a device with those PCI IDs and no registers. */
static int kvtest_open(const char *spec, struct device *d, char *err, size_t errlen)
{
	unsigned v, dev;
	snprintf(last_spec, sizeof(last_spec), "%s", spec);
	if (sscanf(spec, "kvtest:%x:%x", &v, &dev) != 2) {
		snprintf(err, errlen, "'%s': kvtest:VVVV:DDDD", spec);
		return -1;
	}
	d->vendor_id = (uint16_t)v;
	d->device_id = (uint16_t)dev;
	return 0;
}

static const struct device_provider kvtest_provider = {
	.name = "kvtest", .prefix = "kvtest:", .example = "a test device such as kvtest:8086:10fb",
	.open = kvtest_open,
};
KVICK_DEVICE_PROVIDER(kvtest_provider);

static void test_providers_registered(void **st)
{
	size_t n;
	const struct device_provider *const *p = device_providers(&n);
	bool vfio = false, noiommu = false, sim = false, kvtest = false;
	for (size_t i = 0; i < n; i++) {
		vfio |= !strcmp(p[i]->name, "vfio") && !p[i]->prefix;
		noiommu |= !strcmp(p[i]->name, "noiommu") && !p[i]->prefix;
		sim |= !strcmp(p[i]->name, "sim") && !strcmp(p[i]->prefix, "sim");
		kvtest |= p[i] == &kvtest_provider;
	}
	assert_true(vfio && noiommu && sim && kvtest);
}

static void test_dispatch_by_prefix(void **st)
{
	struct device d;
	char err[512];
	assert_int_equal(device_open("kvtest:8086:154c", &d, err, sizeof(err)), 0);
	assert_string_equal(last_spec, "kvtest:8086:154c");   /* the whole spec */
	assert_int_equal(d.device_id, 0x154C);
	assert_string_equal(d.addr, "kvtest:8086:154c");
	device_close(&d);
	/* The provider's own refusal comes back as it is. */
	assert_int_equal(device_open("kvtest:zz", &d, err, sizeof(err)), -1);
	assert_string_equal(err, "'kvtest:zz': kvtest:VVVV:DDDD");
}

static void test_unknown_prefix(void **st)
{
	struct device d;
	char err[512];
	assert_int_equal(device_open("xyz:0", &d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'xyz:0': no device provider takes 'xyz:' in this build"));
	/* ... and it lists what would work, from the providers themselves. */
	assert_non_null(strstr(err, "0000:03:00.0"));
	assert_non_null(strstr(err, "a model port such as sim:0"));
	assert_non_null(strstr(err, "kvtest:8086:10fb"));
	/* A string that is no address and has no prefix: pci.c's message, plus
	 * the other choices. */
	assert_int_equal(device_open("eth0", &d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a PCI address"));
	assert_non_null(strstr(err, "sim:0"));
	/* Hex before the colon is a PCI address, not a prefix. */
	assert_int_equal(device_open("00ab:03:00", &d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a PCI address"));
}

/* ---- the intel app refuses with the table's reason ---- */

static const char *start_error(const char *topo, char *buf, size_t len)
{
	fflush(stderr);
	FILE *tmp = tmpfile();
	assert_non_null(tmp);
	int saved = dup(2);
	dup2(fileno(tmp), 2);
	struct topology *t = topology_parse("nic.topo", topo, NULL, stderr);
	assert_non_null(t);
	assert_null(engine_new(t));
	topology_free(t);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	size_t got = fread(buf, 1, len - 1, tmp);
	buf[got] = 0;
	fclose(tmp);
	return buf;
}

static void test_intel_app_refuses(void **st)
{
	char out[2048];
	start_error("app nic intel pci=kvtest:8086:154c\n", out, sizeof(out));
	assert_non_null(strstr(out, "8086:154c is an Intel X710 VF: this is a virtual function: "
	                            "bind the PF instead"));
	start_error("app nic intel pci=kvtest:8086:1528\n", out, sizeof(out));
	assert_non_null(strstr(out, "X540"));
	start_error("app nic intel pci=kvtest:1af4:1041\n", out, sizeof(out));
	assert_non_null(strstr(out, "1af4:1041 is not a NIC kvick drives"));
	/* A known driver, asked for more queues than it has. */
	start_error("app nic intel pci=kvtest:8086:1521 rxq=2\n", out, sizeof(out));
	assert_non_null(strstr(out, "rxq=2 txq=1: the igb driver (Intel 82576/I350) uses at most 1 RX"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_ids),
		cmocka_unit_test(test_refused_ids),
		cmocka_unit_test(test_unknown_ids),
		cmocka_unit_test(test_table_consistent),
		cmocka_unit_test(test_providers_registered),
		cmocka_unit_test(test_dispatch_by_prefix),
		cmocka_unit_test(test_unknown_prefix),
		cmocka_unit_test(test_intel_app_refuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
