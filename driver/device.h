/* device.h -- a PCI function opened for a driver, real or modelled.
 *
 * device_open() takes the `pci=` value of a topology:
 *   "0000:03:00.0"  a real device: through VFIO (driver/vfio.c), or, with no
 *                   IOMMU, through sysfs resource0 + physical addresses
 *                   (root only, with a loud warning);
 *   "sim:N[/OPTS]"  port N of the hw-sim device models (hw-sim/sim.h),
 *                   e.g. "sim:0".  See docs/hw-sim.md for the options.
 * Either way the caller gets BAR0 behind struct regs, the PCI IDs, and the
 * process's IOMMU domain installed in core/memory.h, so every DMA buffer
 * already has an IOVA the device can use.
 */
#ifndef KVICK_DEVICE_H
#define KVICK_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "regs.h"

struct device;

struct device_ops {
	int  (*reset)(struct device *d);   /* function-level reset; 0 or -errno */
	void (*close)(struct device *d);   /* reset, unmap, release */
};

struct device {
	char addr[64];            /* as given: "0000:03:00.0" or "sim:0" */
	uint16_t vendor_id, device_id;
	int numa_node;            /* -1 unknown */
	struct regs bar0;
	const struct device_ops *ops;
	void *priv;               /* backend state */
	int is_model;
};

/* 0 on success; -1 with a message in err (what is wrong and what to do). */
int device_open(const char *spec, struct device *d, char *err, size_t errlen);
void device_close(struct device *d);

/* For the real-device backends (vfio.c, noiommu.c): describe the PCI
 * function at addr, BAR0 mapped at bar0 (bar0_len bytes), with its IDs and
 * NUMA node read from sysfs. */
void device_init_pci(struct device *d, const char *addr, volatile uint8_t *bar0,
                     uint64_t bar0_len, const struct device_ops *ops, void *priv);

#endif
