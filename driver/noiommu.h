/* noiommu.h -- a PCI device without an IOMMU: sysfs BAR + physical addresses.
 *
 * When the machine has no IOMMU at all, VFIO cannot take a device (Debian's
 * kernels are built without VFIO's unsafe no-IOMMU mode).  As root, kvick
 * can still drive it the way early userspace drivers did: BAR0 through
 * sysfs resource0, bus mastering through sysfs config, and DMA addresses
 * that are physical addresses (core/memory.c's physical mode: pagemap,
 * hugepages so a buffer never straddles two physical pages).  Nothing then
 * stops the device from writing anywhere in RAM, so this path warns loudly.
 */
#ifndef KVICK_NOIOMMU_H
#define KVICK_NOIOMMU_H

#include <stddef.h>

#include "device.h"

/* addr is normalized and exists in sysfs.  0, or -1 with err set. */
int noiommu_device_open(const char *addr, struct device *d, char *err, size_t errlen);

#endif
