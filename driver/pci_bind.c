/* pci_bind.c -- `kvick bind` / `kvick unbind`: the sysfs dance, with checks.
 *
 * The kernel interface (Documentation/ABI/testing/sysfs-bus-pci):
 *   devices/ADDR/driver_override  a driver name only that driver may take
 *                                 the device; empty clears it
 *   devices/ADDR/driver/unbind    write ADDR: the current driver lets go
 *   drivers_probe                 write ADDR: the kernel finds a driver
 *   drivers/NAME/bind             write ADDR: that driver takes it
 * driver_override (Linux 3.16+) is preferred over vfio-pci's new_id
 * because it affects only this one device, never a sibling with the same
 * IDs -- "never touch a device not named".
 */
#include "pci_bind.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pci.h"

/* Drivers that leave an IOMMU group viable for VFIO: vfio-pci itself,
 * pci-stub (claims a device and does nothing), and pcieport (bridges; it
 * declares driver_managed_dma). */
static bool driver_keeps_group_viable(const char *drv)
{
	return !*drv || !strcmp(drv, PCI_BIND_VFIO_DRIVER) || !strcmp(drv, "pci-stub") ||
	       !strcmp(drv, "pcieport");
}

static const char *run_dir(void)
{
	const char *r = getenv("KVICK_RUNDIR");
	return r && *r ? r : "/run/kvick";
}

/* ---- checks ------------------------------------------------------------ */

int pci_check_iommu(char *msg, size_t msglen)
{
	char p[PATH_MAX];
	pci_sysfs_path(p, sizeof p, "kernel/iommu_groups");
	DIR *d = opendir(p);
	int groups = 0;
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				groups++;
		closedir(d);
	}
	if (groups == 0) {
		snprintf(msg, msglen,
			 "no IOMMU: %s has no groups. Enable VT-d (Intel) or AMD-Vi in the firmware "
			 "and boot with intel_iommu=on (or amd_iommu=on) iommu=pt; without an IOMMU "
			 "kvick can only use a device through sysfs as root (see docs/vfio.md)",
			 p);
		return -1;
	}
	return 0;
}

/* Append "NAME (WHAT)" to the comma-separated list (len bytes, *used
 * filled); a list that runs out of room ends truncated. */
static void list_append(char *list, size_t len, size_t *used, const char *name, const char *what)
{
	int w = snprintf(list + *used, len - *used, "%s%s (%s)", *used ? ", " : "", name, what);
	if (w > 0 && (size_t)w < len - *used)
		*used += w;
}

int pci_group_blockers(const char *addr, char *list, size_t len)
{
	char p[PATH_MAX];
	int group = pci_iommu_group(addr), n = 0;
	size_t used = 0;
	list[0] = 0;
	if (group < 0)
		return 0;
	pci_sysfs_path(p, sizeof p, "kernel/iommu_groups/%d/devices", group);
	DIR *d = opendir(p);
	if (!d)
		return 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		char drv[64];
		if (e->d_name[0] == '.' || !strcmp(e->d_name, addr))
			continue;
		if (pci_device_driver(e->d_name, drv, sizeof drv) < 0 || driver_keeps_group_viable(drv))
			continue;
		n++;
		list_append(list, len, &used, e->d_name, drv);
	}
	closedir(d);
	return n;
}

static bool iface_is_up(const char *ifname)
{
	char p[PATH_MAX], v[32];
	pci_sysfs_path(p, sizeof p, "class/net/%s/flags", ifname);
	if (pci_sysfs_read(p, v, sizeof v) < 0)
		return false;
	return strtoul(v, NULL, 16) & IFF_UP;
}

/* The first address on ifname that carries traffic: any IPv4 address, any
 * IPv6 address but link-local (every up interface has one of those). */
static bool iface_address(const char *ifname, char *out, size_t len)
{
	struct ifaddrs *ifa, *i;
	bool found = false;
	if (getifaddrs(&ifa) < 0)
		return false;
	for (i = ifa; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr || strcmp(i->ifa_name, ifname))
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, out, len);
			found = true;
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			struct in6_addr *a6 = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
			if (IN6_IS_ADDR_LINKLOCAL(a6))
				continue;
			inet_ntop(AF_INET6, a6, out, len);
			found = true;
		}
	}
	freeifaddrs(ifa);
	return found;
}

/* Does an IPv4 route leave through ifname?  (/proc/net/route: one route a
 * line, the interface name first.) */
static bool iface_has_route(const char *ifname)
{
	FILE *f = fopen("/proc/net/route", "r");
	char line[256], name[IFNAMSIZ + 1];
	bool found = false;
	if (!f)
		return false;
	while (!found && fgets(line, sizeof line, f))
		if (sscanf(line, "%16s", name) == 1 && !strcmp(name, ifname))
			found = true;
	fclose(f);
	return found;
}

int pci_ifaces_busy(const char *addr, char *why, size_t len)
{
	char names[64], *save = NULL;
	pci_device_ifnames(addr, names, sizeof names);
	why[0] = 0;
	for (char *n = strtok_r(names, ",", &save); n; n = strtok_r(NULL, ",", &save)) {
		char a[INET6_ADDRSTRLEN];
		if (!iface_is_up(n))
			continue;
		if (iface_address(n, a, sizeof a)) {
			snprintf(why, len, "its interface %s is up with address %s", n, a);
			return 1;
		}
		if (iface_has_route(n)) {
			snprintf(why, len, "its interface %s is up with routes (ip route show dev %s)", n, n);
			return 1;
		}
	}
	return 0;
}

int pci_vfio_group_users(int group, char *list, size_t len)
{
	char want[32];
	snprintf(want, sizeof want, "/dev/vfio/%d", group);
	DIR *proc = opendir("/proc");
	struct dirent *pe;
	size_t used = 0;
	int n = 0;
	list[0] = 0;
	if (!proc)
		return 0;
	while ((pe = readdir(proc))) {
		char fddir[PATH_MAX], comm[64] = "?";
		if (pe->d_name[0] < '1' || pe->d_name[0] > '9' || atoi(pe->d_name) == getpid())
			continue;   /* not a process, or ourselves */
		snprintf(fddir, sizeof fddir, "/proc/%s/fd", pe->d_name);
		DIR *fds = opendir(fddir);
		if (!fds)
			continue;
		struct dirent *fe;
		bool holds = false;
		while (!holds && (fe = readdir(fds))) {
			char lp[PATH_MAX + 256], target[64];
			snprintf(lp, sizeof lp, "%s/%s", fddir, fe->d_name);
			ssize_t k = readlink(lp, target, sizeof target - 1);
			if (k > 0) {
				target[k] = 0;
				holds = !strcmp(target, want);
			}
		}
		closedir(fds);
		if (!holds)
			continue;
		snprintf(fddir, sizeof fddir, "/proc/%s/comm", pe->d_name);
		pci_sysfs_read(fddir, comm, sizeof comm);
		n++;
		list_append(list, len, &used, pe->d_name, comm);
	}
	closedir(proc);
	return n;
}

/* Common preconditions: the device exists and we are root. */
static int check_device_and_root(const char *addr, const char *verb, char *msg, size_t msglen)
{
	if (!pci_device_exists(addr)) {
		snprintf(msg, msglen, "no PCI device %s in %s/bus/pci/devices: `kvick pci --all` lists them",
			 addr, pci_sysfs_root());
		return -1;
	}
	if (geteuid() != 0) {
		snprintf(msg, msglen, "%s %s: not root; writing driver bindings in sysfs needs root "
			 "(run it with sudo)", verb, addr);
		return -1;
	}
	return 0;
}

static int sysfs_write_dev(const char *addr, const char *rel, const char *value, char *msg,
			   size_t msglen)
{
	char p[PATH_MAX];
	pci_sysfs_path(p, sizeof p, "bus/pci/%s", rel);
	int r = pci_sysfs_write(p, value);
	if (r < 0)
		snprintf(msg, msglen, "%s: writing '%s' to %s failed: %s", addr, value, p, strerror(-r));
	return r;
}

/* Hand the device to the kernel's driver matching: write driver_override
 * (`override`: a driver name, or "\n" to clear it), unbind the current
 * driver when there is one (`unbind`), and ask the kernel to probe again.
 * The driver bound afterwards goes to now[].  0, or -1 with msg set. */
static int reprobe(const char *addr, const char *override, bool unbind, char *now,
                   size_t nowlen, char *msg, size_t msglen)
{
	char rel[PATH_MAX];
	snprintf(rel, sizeof rel, "devices/%s/driver_override", addr);
	if (sysfs_write_dev(addr, rel, override, msg, msglen) < 0)
		return -1;
	if (unbind) {
		snprintf(rel, sizeof rel, "devices/%s/driver/unbind", addr);
		if (sysfs_write_dev(addr, rel, addr, msg, msglen) < 0)
			return -1;
	}
	if (sysfs_write_dev(addr, "drivers_probe", addr, msg, msglen) < 0)
		return -1;
	pci_device_driver(addr, now, nowlen);
	return 0;
}

/* ---- remembering the original driver ------------------------------------ */

static void saved_driver_path(const char *addr, char *p, size_t len)
{
	snprintf(p, len, "%s/%s.driver", run_dir(), addr);
}

static int save_driver(const char *addr, const char *drv, char *msg, size_t msglen)
{
	char p[PATH_MAX];
	if (mkdir(run_dir(), 0755) < 0 && errno != EEXIST) {
		snprintf(msg, msglen, "cannot create %s to remember %s's driver: %s", run_dir(), addr,
			 strerror(errno));
		return -1;
	}
	saved_driver_path(addr, p, sizeof p);
	FILE *f = fopen(p, "w");
	if (!f || fprintf(f, "%s\n", drv) < 0 || fclose(f) != 0) {
		snprintf(msg, msglen, "cannot write %s: %s", p, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- bind -------------------------------------------------------------- */

static int check_vfio_loaded(char *msg, size_t msglen)
{
	char p[PATH_MAX];
	pci_sysfs_path(p, sizeof p, "bus/pci/drivers/" PCI_BIND_VFIO_DRIVER);
	if (access(p, F_OK) != 0) {
		snprintf(msg, msglen, "the vfio-pci module is not loaded (%s is missing): "
			 "run `modprobe vfio-pci`", p);
		return -1;
	}
	pci_sysfs_path(p, sizeof p, "module/vfio_iommu_type1");
	if (access(p, F_OK) != 0) {
		snprintf(msg, msglen, "the vfio_iommu_type1 module is not loaded (%s is missing): "
			 "run `modprobe vfio_iommu_type1`", p);
		return -1;
	}
	return 0;
}

int pci_bind_vfio(const char *addr, bool force, char *msg, size_t msglen)
{
	char drv[64], why[160], blockers[512];
	if (check_device_and_root(addr, "bind", msg, msglen) < 0)
		return -1;
	pci_device_driver(addr, drv, sizeof drv);
	if (!strcmp(drv, PCI_BIND_VFIO_DRIVER)) {
		snprintf(msg, msglen, "%s is already bound to vfio-pci", addr);
		return 0;
	}
	if (pci_check_iommu(msg, msglen) < 0)
		return -1;
	int group = pci_iommu_group(addr);
	if (group < 0) {
		snprintf(msg, msglen, "%s has no IOMMU group (no %s/bus/pci/devices/%s/iommu_group): "
			 "the IOMMU does not cover it; VFIO cannot take it", addr, pci_sysfs_root(), addr);
		return -1;
	}
	if (check_vfio_loaded(msg, msglen) < 0)
		return -1;
	if (pci_ifaces_busy(addr, why, sizeof why)) {
		if (!force) {
			snprintf(msg, msglen, "refusing to take %s: %s, so it may carry this machine's "
				 "own traffic. Take the interface down (ip link set DEV down) or use --force",
				 addr, why);
			return -1;
		}
	}
	if (*drv && save_driver(addr, drv, msg, msglen) < 0)
		return -1;

	char now[64];
	if (reprobe(addr, PCI_BIND_VFIO_DRIVER, *drv != 0, now, sizeof now, msg, msglen) < 0)
		return -1;
	if (strcmp(now, PCI_BIND_VFIO_DRIVER)) {
		snprintf(msg, msglen, "%s: the kernel did not bind vfio-pci after drivers_probe "
			 "(driver now: %s); `dmesg | tail` says why", addr, *now ? now : "none");
		return -1;
	}
	int nb = pci_group_blockers(addr, blockers, sizeof blockers);
	if (nb > 0)
		snprintf(msg, msglen, "%s bound to vfio-pci (was: %s), but IOMMU group %d is not viable "
			 "until these are bound to vfio-pci too (kvick bind ADDR) or unbound: %s",
			 addr, *drv ? drv : "none", group, blockers);
	else
		snprintf(msg, msglen, "%s bound to vfio-pci (was: %s), IOMMU group %d", addr,
			 *drv ? drv : "none", group);
	return 0;
}

/* ---- unbind ------------------------------------------------------------ */

int pci_unbind_vfio(const char *addr, char *msg, size_t msglen)
{
	char drv[64], override[64] = "", orig[64] = "", p[PATH_MAX], rel[PATH_MAX], users[256];
	if (check_device_and_root(addr, "unbind", msg, msglen) < 0)
		return -1;
	pci_device_driver(addr, drv, sizeof drv);
	pci_sysfs_path(p, sizeof p, "bus/pci/devices/%s/driver_override", addr);
	pci_sysfs_read(p, override, sizeof override);
	bool bound = !strcmp(drv, PCI_BIND_VFIO_DRIVER);
	if (!bound && strcmp(override, PCI_BIND_VFIO_DRIVER)) {
		snprintf(msg, msglen, "%s is not bound to vfio-pci (driver: %s): nothing to do", addr,
			 *drv ? drv : "none");
		return 0;
	}
	int group = pci_iommu_group(addr);
	if (bound && group >= 0 && pci_vfio_group_users(group, users, sizeof users) > 0) {
		snprintf(msg, msglen, "%s is in use: /dev/vfio/%d is held open by pid %s; stop it first",
			 addr, group, users);
		return -1;
	}
	saved_driver_path(addr, p, sizeof p);
	pci_sysfs_read(p, orig, sizeof orig);

	/* A newline clears driver_override (an empty write is refused by some kernels). */
	char now[64];
	if (reprobe(addr, "\n", bound, now, sizeof now, msg, msglen) < 0)
		return -1;
	if (*orig && strcmp(now, orig)) {
		/* The probe did not pick the original driver (another one matched
		 * first, or none): ask the original one directly. */
		char dp[PATH_MAX];
		pci_sysfs_path(dp, sizeof dp, "bus/pci/drivers/%s", orig);
		if (!*now && access(dp, F_OK) == 0) {
			snprintf(rel, sizeof rel, "drivers/%s/bind", orig);
			sysfs_write_dev(addr, rel, addr, msg, msglen);
			pci_device_driver(addr, now, sizeof now);
		}
	}
	if (*orig && strcmp(now, orig)) {
		snprintf(msg, msglen, "%s released from vfio-pci, but its original driver %s did not take "
			 "it back (driver now: %s): `modprobe %s`, then `echo %s > %s/bus/pci/drivers_probe`",
			 addr, orig, *now ? now : "none", orig, addr, pci_sysfs_root());
		return -1;
	}
	saved_driver_path(addr, p, sizeof p);
	unlink(p);
	snprintf(msg, msglen, "%s released from vfio-pci; driver now: %s", addr, *now ? now : "none");
	return 0;
}
