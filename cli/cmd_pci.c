/* cmd_pci.c -- `kvick pci`, `kvick bind`, `kvick unbind`.
 *
 * The work is in driver/pci.c (discovery) and driver/pci_bind.c (the
 * sysfs binding dance and its checks); this file parses arguments and
 * prints.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/command.h"
#include "driver/pci.h"
#include "driver/pci_bind.h"

KVICK_COMMAND(pci, "pci [--all]",
	      "list network PCI devices: driver, IOMMU group, NUMA node, kvick support");
KVICK_COMMAND(bind, "bind ADDR [--force]", "hand a PCI device to vfio-pci so kvick can drive it");
KVICK_COMMAND(unbind, "unbind ADDR", "give a PCI device back from vfio-pci to its kernel driver");

static bool is_help(const char *a)
{
	return !strcmp(a, "--help") || !strcmp(a, "-h");
}

static void print_device(const struct pci_info *p)
{
	char group[16], node[16];
	snprintf(group, sizeof group, "%d", p->iommu_group);
	snprintf(node, sizeof node, "%d", p->numa_node);
	printf("%-12s  %04x:%04x  %-10s  %-5s  %-4s  %-30s  %-10s  %s\n", p->addr, p->vendor_id,
	       p->device_id, *p->driver ? p->driver : "-", p->iommu_group >= 0 ? group : "-",
	       p->numa_node >= 0 ? node : "-", p->support ? p->support : "no",
	       *p->ifnames ? p->ifnames : "-", *p->name ? p->name : "");
}

int cmd_pci(int argc, char **argv)
{
	bool all = false;
	for (int i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			printf("usage: kvick pci [--all]\n\n"
			       "Lists network-class PCI devices (every device with --all): address,\n"
			       "vendor:device ID, bound kernel driver, IOMMU group, NUMA node, what\n"
			       "kvick can drive, kernel network interfaces, and the name from pci.ids\n"
			       "(IDs only when /usr/share/misc/pci.ids is not installed).\n"
			       "  --all   list every PCI device, not only network controllers\n"
			       "The sysfs root is $KVICK_SYSFS (default /sys).\n");
			return 0;
		} else if (!strcmp(argv[i], "--all")) {
			all = true;
		} else {
			fprintf(stderr, "kvick pci: unknown argument '%s'\nusage: kvick pci [--all]\n",
				argv[i]);
			return 2;
		}
	}
	char err[512];
	struct pci_info *list;
	int n = pci_list(!all, &list, err, sizeof err);
	if (n < 0) {
		fprintf(stderr, "kvick pci: %s\n", err);
		return 1;
	}
	printf("%-12s  %-9s  %-10s  %-5s  %-4s  %-30s  %-10s  %s\n", "ADDRESS", "VEND:DEV", "DRIVER",
	       "GROUP", "NUMA", "KVICK", "IFACES", "NAME");
	for (int i = 0; i < n; i++)
		print_device(&list[i]);
	if (n == 0)
		printf("(no %sPCI devices in %s/bus/pci/devices)\n", all ? "" : "network ",
		       pci_sysfs_root());
	free(list);
	return 0;
}

/* Shared argument handling for bind/unbind: one address, optional --force. */
static int parse_addr_args(int argc, char **argv, bool allow_force, const char *usage,
			   const char *help, char *addr, bool *force)
{
	const char *given = NULL;
	*force = false;
	for (int i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			printf("usage: kvick %s\n\n%s", usage, help);
			return 0;
		} else if (allow_force && !strcmp(argv[i], "--force")) {
			*force = true;
		} else if (argv[i][0] == '-' || given) {
			fprintf(stderr, "kvick %s: unexpected argument '%s'\nusage: kvick %s\n", argv[0],
				argv[i], usage);
			return 2;
		} else {
			given = argv[i];
		}
	}
	if (!given) {
		fprintf(stderr, "kvick %s: which device? usage: kvick %s\n", argv[0], usage);
		return 2;
	}
	char err[256];
	if (pci_addr_normalize(given, addr, err, sizeof err) < 0) {
		fprintf(stderr, "kvick %s: %s\n", argv[0], err);
		return 2;
	}
	return -1;   /* go on */
}

int cmd_bind(int argc, char **argv)
{
	static const char help[] =
		"Hands the device at ADDR to vfio-pci: remembers its kernel driver (in\n"
		"/run/kvick, $KVICK_RUNDIR), sets driver_override, unbinds it and asks the\n"
		"kernel to probe again.  Only ADDR is touched.  Needs root, an IOMMU and the\n"
		"vfio-pci module.  Refuses a device whose network interface is up with\n"
		"addresses or routes (it may carry this machine's traffic) unless:\n"
		"  --force   take it anyway\n"
		"`kvick unbind ADDR` gives it back.\n";
	char addr[PCI_ADDR_LEN], msg[1024];
	bool force;
	int r = parse_addr_args(argc, argv, true, "bind ADDR [--force]", help, addr, &force);
	if (r >= 0)
		return r;
	if (pci_bind_vfio(addr, force, msg, sizeof msg) < 0) {
		fprintf(stderr, "kvick bind: %s\n", msg);
		return 1;
	}
	printf("%s\n", msg);
	return 0;
}

int cmd_unbind(int argc, char **argv)
{
	static const char help[] =
		"Gives the device at ADDR back from vfio-pci: clears driver_override,\n"
		"unbinds it from vfio-pci and lets its original kernel driver (the one\n"
		"`kvick bind` remembered) take it again.  Only ADDR is touched.  Refuses\n"
		"while a process holds its VFIO group open.\n";
	char addr[PCI_ADDR_LEN], msg[1024];
	bool force;
	int r = parse_addr_args(argc, argv, false, "unbind ADDR", help, addr, &force);
	if (r >= 0)
		return r;
	if (pci_unbind_vfio(addr, msg, sizeof msg) < 0) {
		fprintf(stderr, "kvick unbind: %s\n", msg);
		return 1;
	}
	printf("%s\n", msg);
	return 0;
}
