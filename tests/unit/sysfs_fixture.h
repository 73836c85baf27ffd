/* sysfs_fixture.h -- a fake sysfs made of real files in a temp directory.
 *
 * kvick reads sysfs through $KVICK_SYSFS, so the PCI discovery, bind and
 * VFIO pre-checks run unchanged against this tree.  It holds what the
 * kernel would show for:
 *   0000:03:00.0  82599 (8086:10fb), driver ixgbe, IOMMU group 7, node 0,
 *                 interface eth9 (down)
 *   0000:03:00.1  82599, driver ixgbe, IOMMU group 7 too (blocks viability)
 *   0000:04:00.0  X710 (8086:1572), driver i40e, group 8, interface "lo"
 *                 (the real loopback: up, with 127.0.0.1)
 *   0000:00:1f.0  an ISA bridge (not network), no driver, group 9
 * plus drivers/{ixgbe,i40e,vfio-pci}, drivers_probe, kernel/iommu_groups
 * and module/vfio_iommu_type1.  Writes the code makes (driver_override,
 * unbind, drivers_probe) land in plain files the tests read back.
 */
#ifndef KVICK_SYSFS_FIXTURE_H
#define KVICK_SYSFS_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fixture {
	char root[256];   /* the fake /sys */
	char run[300];    /* $KVICK_RUNDIR */
	char dev[300];    /* $KVICK_DEVVFIO */
};

static void fx_mkdirs(const char *root, const char *rel)
{
	char p[1024];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	for (char *s = p + strlen(root) + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			mkdir(p, 0755);
			*s = '/';
		}
	mkdir(p, 0755);
}

static void fx_write(const char *root, const char *rel, const char *text)
{
	char p[1024];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	FILE *f = fopen(p, "w");
	if (!f) {
		perror(p);
		abort();
	}
	fputs(text, f);
	fclose(f);
}

static __attribute__((unused)) void fx_read(const char *root, const char *rel, char *buf, size_t len)
{
	char p[1024];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	FILE *f = fopen(p, "r");
	buf[0] = 0;
	if (f) {
		size_t n = fread(buf, 1, len - 1, f);
		buf[n] = 0;
		fclose(f);
	}
}

static void fx_link(const char *root, const char *target, const char *rel)
{
	char p[1024];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	unlink(p);
	if (symlink(target, p) < 0) {
		perror(p);
		abort();
	}
}

/* One PCI function: IDs, class, config space header, and the files libpci reads. */
static void fx_device(const char *root, const char *addr, unsigned vendor, unsigned device,
		      unsigned class_code, const char *driver, int group)
{
	char rel[512], v[64];
	snprintf(rel, sizeof rel, "bus/pci/devices/%s", addr);
	fx_mkdirs(root, rel);
#define F(name, ...) do { snprintf(v, sizeof v, __VA_ARGS__); \
		snprintf(rel, sizeof rel, "bus/pci/devices/%s/%s", addr, name); fx_write(root, rel, v); } while (0)
	F("vendor", "0x%04x\n", vendor);
	F("device", "0x%04x\n", device);
	F("class", "0x%06x\n", class_code);
	F("irq", "0\n");
	F("numa_node", "%d\n", group == 9 ? -1 : 0);
	F("driver_override", "(null)\n");
	F("resource", "0x0000000000000000 0x0000000000000000 0x0000000000000000\n");
#undef F
	/* 64-byte config header: IDs at 0, class code at 9..11. */
	unsigned char cfg[64] = {0};
	cfg[0] = vendor & 0xff; cfg[1] = vendor >> 8;
	cfg[2] = device & 0xff; cfg[3] = device >> 8;
	cfg[9] = class_code & 0xff; cfg[10] = (class_code >> 8) & 0xff; cfg[11] = class_code >> 16;
	char p[1024];
	snprintf(p, sizeof p, "%s/bus/pci/devices/%s/config", root, addr);
	FILE *f = fopen(p, "w");
	fwrite(cfg, 1, sizeof cfg, f);
	fclose(f);
	if (driver) {
		snprintf(rel, sizeof rel, "bus/pci/devices/%s/driver", addr);
		snprintf(v, sizeof v, "../../drivers/%s", driver);
		fx_link(root, v, rel);
	}
	if (group >= 0) {
		snprintf(rel, sizeof rel, "kernel/iommu_groups/%d/devices/%s", group, addr);
		fx_mkdirs(root, rel);
		snprintf(rel, sizeof rel, "bus/pci/devices/%s/iommu_group", addr);
		snprintf(v, sizeof v, "../../../../kernel/iommu_groups/%d", group);
		fx_link(root, v, rel);
	}
}

static void fx_set_driver(const struct fixture *fx, const char *addr, const char *driver)
{
	char rel[256], v[128];
	snprintf(rel, sizeof rel, "bus/pci/devices/%s/driver", addr);
	snprintf(v, sizeof v, "../../drivers/%s", driver);
	fx_link(fx->root, v, rel);
}

static void fx_create(struct fixture *fx)
{
	snprintf(fx->root, sizeof fx->root, "%s/kvick-sysfs.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(fx->root))
		abort();
	chmod(fx->root, 0755);   /* readable by the unprivileged child of the not-root tests */
	snprintf(fx->run, sizeof fx->run, "%s/run", fx->root);
	snprintf(fx->dev, sizeof fx->dev, "%s/dev-vfio", fx->root);
	mkdir(fx->dev, 0755);
	const char *drivers[] = {"ixgbe", "i40e", "vfio-pci"};
	for (int i = 0; i < 3; i++) {
		char rel[128];
		snprintf(rel, sizeof rel, "bus/pci/drivers/%s", drivers[i]);
		fx_mkdirs(fx->root, rel);
		snprintf(rel, sizeof rel, "bus/pci/drivers/%s/unbind", drivers[i]);
		fx_write(fx->root, rel, "");
		snprintf(rel, sizeof rel, "bus/pci/drivers/%s/bind", drivers[i]);
		fx_write(fx->root, rel, "");
	}
	fx_write(fx->root, "bus/pci/drivers_probe", "");
	fx_mkdirs(fx->root, "module/vfio_iommu_type1");
	fx_device(fx->root, "0000:03:00.0", 0x8086, 0x10fb, 0x020000, "ixgbe", 7);
	fx_device(fx->root, "0000:03:00.1", 0x8086, 0x10fb, 0x020000, "ixgbe", 7);
	fx_device(fx->root, "0000:04:00.0", 0x8086, 0x1572, 0x020000, "i40e", 8);
	fx_device(fx->root, "0000:00:1f.0", 0x8086, 0x2918, 0x060100, NULL, 9);
	fx_mkdirs(fx->root, "bus/pci/devices/0000:03:00.0/net/eth9");
	fx_mkdirs(fx->root, "class/net/eth9");
	fx_write(fx->root, "class/net/eth9/flags", "0x1002\n");   /* broadcast|multicast, not up */
	fx_mkdirs(fx->root, "bus/pci/devices/0000:04:00.0/net/lo");
	fx_mkdirs(fx->root, "class/net/lo");
	fx_write(fx->root, "class/net/lo/flags", "0x9\n");        /* up|loopback */
	setenv("KVICK_SYSFS", fx->root, 1);
	setenv("KVICK_RUNDIR", fx->run, 1);
	setenv("KVICK_DEVVFIO", fx->dev, 1);
}

static void fx_destroy(struct fixture *fx)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->root);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", fx->root);
	unsetenv("KVICK_SYSFS");
	unsetenv("KVICK_RUNDIR");
	unsetenv("KVICK_DEVVFIO");
}

#endif
