/* edu.h -- QEMU's "edu" teaching device as a DMA test partner for VFIO.
 *
 * QEMU's edu (vendor 0x1234, device 0x11e8; docs/specs/edu.rst in QEMU) is
 * a tiny PCI device with a 4 KiB buffer and a DMA engine.  kvick uses it to
 * prove its VFIO and DMA-memory code in a real kernel with a real (emulated)
 * IOMMU: the device copies kvick's hugepage memory in and out, and a copy
 * to an IOVA that is no longer mapped must be blocked.  tests/vm/ runs it.
 */
#ifndef KVICK_EDU_H
#define KVICK_EDU_H

#define EDU_VENDOR_ID 0x1234
#define EDU_DEVICE_ID 0x11e8

/* Open addr through VFIO and run every check; prints one "ok"/"FAIL" line
 * per check to stdout.  Returns the number of failed checks (0 = pass),
 * or -1 when the device could not be opened at all (message on stderr). */
int edu_selftest(const char *addr);

#endif
