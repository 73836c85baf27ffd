/* pci.h -- finding PCI devices and reading what the kernel says about them.
 *
 * Discovery uses libpci (pciutils) over sysfs; the per-device facts that
 * decide whether kvick can take a device (bound kernel driver, IOMMU group,
 * NUMA node, network interfaces) come straight from sysfs.
 *
 * The sysfs root is $KVICK_SYSFS (default /sys), so unit tests run all of
 * this against a tree of real files in a temporary directory.
 *
 * Addresses are always the full "DDDD:BB:DD.F" form; pci_addr_normalize()
 * also accepts the short "BB:DD.F" (domain 0000).
 */
#ifndef KVICK_PCI_H
#define KVICK_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCI_ADDR_LEN 13      /* "0000:03:00.0" + NUL */

/* One device as `kvick pci` shows it. */
struct pci_info {
	char addr[PCI_ADDR_LEN];
	uint16_t vendor_id, device_id;
	uint32_t class_code;     /* base class << 16 | subclass << 8 | prog-if */
	char name[160];          /* from pci.ids, or "" when it is not installed */
	char driver[64];         /* bound kernel driver, "" when none */
	int iommu_group;         /* -1: no IOMMU group (no IOMMU, or not behind one) */
	int numa_node;           /* -1: unknown / single node */
	char ifnames[64];        /* kernel network interfaces, "eth0,eth1" or "" */
	const char *support;     /* NULL: not supported; else e.g. "ixgbe (82599)" */
};

#define PCI_CLASS_NETWORK 0x02   /* base class "network controller" */

/* The sysfs root in use ($KVICK_SYSFS or "/sys"). */
const char *pci_sysfs_root(void);

/* Check and canonicalize an address into out (PCI_ADDR_LEN bytes).
 * Returns 0, or -1 with a message naming the expected form. */
int pci_addr_normalize(const char *in, char *out, char *err, size_t errlen);

/* Does sysfs know this device?  (bus/pci/devices/ADDR exists.) */
bool pci_device_exists(const char *addr);

/* Name of the bound kernel driver into buf; "" if none.  0 or -1. */
int pci_device_driver(const char *addr, char *buf, size_t len);

/* IOMMU group number, or -1 when the device has none. */
int pci_iommu_group(const char *addr);

/* NUMA node of the device, or -1 when unknown. */
int pci_numa_node(const char *addr);

/* Vendor and device ID from sysfs.  0 or -1. */
int pci_read_ids(const char *addr, uint16_t *vendor, uint16_t *device);

/* Comma-separated kernel network interfaces of the device ("" if none). */
void pci_device_ifnames(const char *addr, char *buf, size_t len);

/* What kvick does with this PCI ID, from driver/nic_ids.c: "ixgbe (82599ES
 * SFP+)" for a supported device, "no: PART: WHY" for a known device it
 * refuses (a VF, a part without a driver yet), NULL for one it does not know. */
const char *pci_support(uint16_t vendor, uint16_t device);
bool pci_is_supported(uint16_t vendor, uint16_t device);

/* All devices (network ones only when network_only), sorted by address.
 * *out is malloc'ed (free() it); returns the count, or -1 with err set. */
int pci_list(bool network_only, struct pci_info **out, char *err, size_t errlen);

/* Small sysfs helpers shared by pci_bind.c, vfio.c and the tests:
 * "<root>/<rel>" into buf; read a one-line file (newline stripped);
 * write a string to a file.  0 or -errno. */
void pci_sysfs_path(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int pci_sysfs_read(const char *path, char *buf, size_t len);
int pci_sysfs_write(const char *path, const char *value);

#endif
