/* noiommu.c -- sysfs resource0 + physical DMA addresses (see noiommu.h). */
#include "noiommu.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/pci_regs.h>

#include "core/log.h"
#include "core/memory.h"
#include "pci.h"
#include "pci_bind.h"

struct noiommu_dev {
	int config_fd;   /* sysfs "config": the device's config space as a file */
	void *bar0;
	size_t bar0_len;
};

/* PCI Local Bus spec 3.0, 6.2.2: Command register, bit 1 Memory Space,
 * bit 2 Bus Master. */
static int command_bits(int fd, uint16_t set, uint16_t clear)
{
	uint16_t cmd;
	if (pread(fd, &cmd, sizeof cmd, PCI_COMMAND) != sizeof cmd)
		return -1;
	cmd = (uint16_t)((cmd | set) & ~clear);
	return pwrite(fd, &cmd, sizeof cmd, PCI_COMMAND) == sizeof cmd ? 0 : -1;
}

static int noiommu_reset(struct device *d)
{
	char p[PATH_MAX];
	pci_sysfs_path(p, sizeof p, "bus/pci/devices/%s/reset", d->addr);
	return pci_sysfs_write(p, "1");
}

static void noiommu_close(struct device *d)
{
	struct noiommu_dev *n = d->priv;
	if (!n)
		return;
	command_bits(n->config_fd, 0, PCI_COMMAND_MASTER);   /* stop DMA first */
	noiommu_reset(d);
	munmap(n->bar0, n->bar0_len);
	close(n->config_fd);
	free(n);
	d->priv = NULL;
	d->bar0.bar = NULL;
}

static const struct device_ops noiommu_ops = {
	.reset = noiommu_reset,
	.close = noiommu_close,
};

/* DMA needs physical addresses: root (pagemap hides PFNs otherwise) and
 * hugepages (a buffer must be physically contiguous). */
static int check_physical_mode(char *err, size_t errlen)
{
	void *probe = mem_alloc_dma(64, 64);
	if (!probe || mem_iova(probe) == MEM_IOVA_INVALID) {
		snprintf(err, errlen, "without an IOMMU kvick needs physical addresses of its DMA "
			 "memory: run as root with hugepages (see the message above)");
		return -1;
	}
	return 0;
}

int noiommu_device_open(const char *addr, struct device *d, char *err, size_t errlen)
{
	char p[PATH_MAX], drv[64];
	if (geteuid() != 0) {
		snprintf(err, errlen, "%s: this machine has no IOMMU (so no VFIO); the fallback through "
			 "sysfs needs root", addr);
		return -1;
	}
	char why[160];
	if (pci_ifaces_busy(addr, why, sizeof why)) {
		snprintf(err, errlen, "%s: no IOMMU, and %s: it may carry this machine's own traffic; "
			 "kvick will not take it", addr, why);
		return -1;
	}
	pci_device_driver(addr, drv, sizeof drv);
	if (*drv) {
		snprintf(err, errlen, "%s: no IOMMU, and the kernel's %s driver holds the device; "
			 "without an IOMMU kvick takes only a device with no driver: "
			 "echo %s > %s/bus/pci/devices/%s/driver/unbind", addr, drv, addr,
			 pci_sysfs_root(), addr);
		return -1;
	}
	if (check_physical_mode(err, errlen) < 0)
		return -1;

	struct noiommu_dev *n = calloc(1, sizeof *n);
	if (!n)
		return snprintf(err, errlen, "out of memory"), -1;
	pci_sysfs_path(p, sizeof p, "bus/pci/devices/%s/config", addr);
	n->config_fd = open(p, O_RDWR | O_CLOEXEC);
	pci_sysfs_path(p, sizeof p, "bus/pci/devices/%s/resource0", addr);
	int bar_fd = open(p, O_RDWR | O_SYNC | O_CLOEXEC);
	struct stat st;
	if (n->config_fd < 0 || bar_fd < 0 || fstat(bar_fd, &st) < 0 || st.st_size == 0) {
		snprintf(err, errlen, "%s: cannot open its sysfs config/resource0: %s", addr,
			 strerror(errno));
		goto fail;
	}
	n->bar0_len = st.st_size;
	n->bar0 = mmap(NULL, n->bar0_len, PROT_READ | PROT_WRITE, MAP_SHARED, bar_fd, 0);
	close(bar_fd);
	bar_fd = -1;
	if (n->bar0 == MAP_FAILED) {
		snprintf(err, errlen, "%s: mmap of resource0: %s", addr, strerror(errno));
		goto fail;
	}
	if (command_bits(n->config_fd, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 0) < 0) {
		snprintf(err, errlen, "%s: enabling bus mastering through sysfs config: %s", addr,
			 strerror(errno));
		munmap(n->bar0, n->bar0_len);
		goto fail;
	}
	log_warn("**************************************************************************");
	log_warn("%s: NO IOMMU. kvick drives it through sysfs with PHYSICAL addresses.", addr);
	log_warn("Nothing stops this device (or a kvick bug) from writing anywhere in RAM.");
	log_warn("Enable VT-d/AMD-Vi and use VFIO for anything but a test machine.");
	log_warn("**************************************************************************");

	device_init_pci(d, addr, n->bar0, n->bar0_len, &noiommu_ops, n);
	return 0;
fail:
	if (bar_fd >= 0)
		close(bar_fd);
	if (n->config_fd >= 0)
		close(n->config_fd);
	free(n);
	return -1;
}

/* Registered after VFIO (order 20): it sees only devices VFIO passed on,
 * i.e. machines with no IOMMU at all. */
static const struct device_provider noiommu_provider = {
	.name = "noiommu", .prefix = NULL, .order = 20, .example = NULL,
	.open = noiommu_device_open,
};
KVICK_DEVICE_PROVIDER(noiommu_provider);
