/* pci_bind.h -- handing a PCI device to vfio-pci and giving it back.
 *
 * bind:   remember the current kernel driver (in $KVICK_RUNDIR, default
 *         /run/kvick), set driver_override to vfio-pci, unbind the current
 *         driver, ask the kernel to probe again (drivers_probe).
 * unbind: clear driver_override, unbind from vfio-pci, probe again so the
 *         original driver (the remembered one, or whatever matches) takes it.
 *
 * Both refuse with a message saying exactly what is wrong: not root, no
 * IOMMU, vfio-pci not loaded, the device's network interface is up with
 * addresses or routes (it may carry this machine's own traffic: --force
 * overrides, like dpdk-devbind), the device is in use by a VFIO user.
 * Only the named device is ever written to.
 *
 * All paths are under pci_sysfs_root() ($KVICK_SYSFS), so the logic runs
 * against a tree of real files in unit tests.
 */
#ifndef KVICK_PCI_BIND_H
#define KVICK_PCI_BIND_H

#include <stdbool.h>
#include <stddef.h>

#define PCI_BIND_VFIO_DRIVER "vfio-pci"

/* 0: done (msg says what happened, e.g. "already bound");
 * -1: refused or failed (msg says why and what to do). */
int pci_bind_vfio(const char *addr, bool force, char *msg, size_t msglen);
int pci_unbind_vfio(const char *addr, char *msg, size_t msglen);

/* Is there an IOMMU at all?  0, or -1 with the reason and the fix in msg. */
int pci_check_iommu(char *msg, size_t msglen);

/* Other devices in addr's IOMMU group that stop the group from being
 * viable for VFIO (bound to a driver other than vfio-pci, pci-stub or
 * pcieport), as "0000:03:00.1 (ixgbe), ..." in list.  Returns how many. */
int pci_group_blockers(const char *addr, char *list, size_t len);

/* Why the device's kernel interfaces must not be taken ("eth0 is up with
 * address 10.0.0.1"), or 0 when none is up with an address or route. */
int pci_ifaces_busy(const char *addr, char *why, size_t len);

/* Other processes holding /dev/vfio/GROUP open, as "1234 (kvick), ...";
 * returns how many. */
int pci_vfio_group_users(int group, char *list, size_t len);

#endif
