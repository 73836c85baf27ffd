/* vfio.h -- opening a PCI function through VFIO (Linux's userspace driver API).
 *
 * Three kinds of file descriptor, from the kernel's vfio.rst:
 *   container  /dev/vfio/vfio: one IOMMU address space (one per process
 *              here; every device kvick opens shares it, so one set of
 *              DMA mappings serves all of them);
 *   group      /dev/vfio/N: the smallest set of devices the IOMMU can
 *              isolate; attached to the container; must be "viable" (every
 *              device in it bound to vfio-pci or to no driver);
 *   device     from the group by PCI address: regions (BARs, config
 *              space) and reset.
 * The container's DMA mappings are installed as core/memory.h's dma_mapper,
 * so every DMA region -- also regions created later -- is mapped with
 * VFIO_IOMMU_MAP_DMA at an IOVA chosen inside the IOMMU's usable ranges
 * (driver/iova.h), never assumed equal to the virtual address.
 *
 * VFIO registers itself as the first device provider of PCI addresses
 * (driver/device.h).  With no IOMMU at all it passes the device on, and
 * the next provider, sysfs resource0 and physical addresses
 * (driver/noiommu.c), takes it: root only, with a loud warning.
 * See docs/vfio.md.
 */
#ifndef KVICK_VFIO_H
#define KVICK_VFIO_H

#include <stddef.h>
#include <stdint.h>

#include "device.h"
#include "iova.h"

/* Open pci_addr ("0000:03:00.0"): container, group, device, reset, BAR0
 * mapped into d->bar0, bus mastering on, DMA memory mapped.  0, or -1 with
 * what is wrong and what to do in err.  d->ops->close() releases it.  The
 * same as device_open_pci(): without an IOMMU, the no-IOMMU provider. */
int vfio_device_open(const char *pci_addr, struct device *d, char *err, size_t errlen);

/* Map [va, va+len) (page-aligned) into the IOMMU at a fresh IOVA from the
 * usable ranges / unmap it again.  For memory outside core/memory.c (the
 * edu self-test's scratch page).  0 or -errno. */
int vfio_dma_map(struct device *d, void *va, size_t len, uint64_t *iova);
int vfio_dma_unmap(struct device *d, uint64_t iova, size_t len);

/* The usable IOVA ranges the IOMMU reported (for reports and tests). */
const struct iova_space *vfio_iova_space(const struct device *d);

/* Where the VFIO character devices live: $KVICK_DEVVFIO or /dev/vfio
 * (tests point it at a directory without a container). */
const char *vfio_dev_dir(void);

#endif
