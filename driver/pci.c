/* pci.c -- PCI discovery with libpci, and the sysfs facts around it.
 *
 * libpci scans the bus and names devices (pci.ids, when installed: no
 * network look-ups, ever).  Which kernel driver holds a device, its IOMMU
 * group and NUMA node are read from sysfs directly, the same files the
 * kernel documents in Documentation/ABI/testing/sysfs-bus-pci.
 */
#include "pci.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pci/pci.h>

#include "core/log.h"
#include "nic.h"

#define PCI_IDS_FILE "/usr/share/misc/pci.ids"

/* ---- sysfs helpers ---------------------------------------------------- */

const char *pci_sysfs_root(void)
{
	const char *r = getenv("KVICK_SYSFS");
	return r && *r ? r : "/sys";
}

void pci_sysfs_path(char *buf, size_t len, const char *fmt, ...)
{
	int n = snprintf(buf, len, "%s/", pci_sysfs_root());
	va_list ap;
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < len)
		vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

int pci_sysfs_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, len - 1);
	int e = errno;
	close(fd);
	if (n < 0)
		return -e;
	buf[n] = 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return 0;
}

int pci_sysfs_write(const char *path, const char *value)
{
	/* O_TRUNC matters only for the file-based test trees; sysfs ignores it. */
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t len = strlen(value);
	ssize_t n = write(fd, value, len);
	int e = errno;
	close(fd);
	if (n < 0)
		return -e;
	return (size_t)n == len ? 0 : -EIO;
}

/* ---- addresses and per-device facts ------------------------------------ */

int pci_addr_normalize(const char *in, char *out, char *err, size_t errlen)
{
	unsigned dom = 0, bus, dev, fn;
	int used = 0;
	if (!in || !*in)
		goto bad;
	if (sscanf(in, "%4x:%2x:%2x.%1u%n", &dom, &bus, &dev, &fn, &used) == 4 && in[used] == 0 &&
	    strlen(in) == 12)
		;
	else if (dom = 0, sscanf(in, "%2x:%2x.%1u%n", &bus, &dev, &fn, &used) == 3 && in[used] == 0 &&
		 strlen(in) == 7)
		;
	else
		goto bad;
	for (const char *p = in; *p; p++)   /* sscanf %x also takes "+", " ", "0x" */
		if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
			goto bad;
	if (dev > 0x1f || fn > 7)
		goto bad;
	snprintf(out, PCI_ADDR_LEN, "%04x:%02x:%02x.%u", dom, bus, dev, fn);
	return 0;
bad:
	snprintf(err, errlen,
		 "'%s' is not a PCI address: expected DDDD:BB:DD.F (domain:bus:device.function, "
		 "hex, device <= 1f, function <= 7), e.g. 0000:03:00.0; `kvick pci` lists them",
		 in ? in : "(null)");
	return -1;
}

bool pci_device_exists(const char *addr)
{
	char p[PATH_MAX];
	pci_sysfs_path(p, sizeof p, "bus/pci/devices/%s", addr);
	return access(p, F_OK) == 0;
}

/* The last path component of a sysfs symlink (driver, iommu_group). */
static int link_basename(const char *path, char *buf, size_t len)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof target - 1);
	if (n < 0)
		return -errno;
	target[n] = 0;
	const char *slash = strrchr(target, '/');
	snprintf(buf, len, "%s", slash ? slash + 1 : target);
	return 0;
}

int pci_device_driver(const char *addr, char *buf, size_t len)
{
	char p[PATH_MAX];
	pci_sysfs_path(p, sizeof p, "bus/pci/devices/%s/driver", addr);
	buf[0] = 0;
	int r = link_basename(p, buf, len);
	return r == 0 || r == -ENOENT ? 0 : -1;
}

int pci_iommu_group(const char *addr)
{
	char p[PATH_MAX], name[64];
	pci_sysfs_path(p, sizeof p, "bus/pci/devices/%s/iommu_group", addr);
	if (link_basename(p, name, sizeof name) < 0)
		return -1;
	char *end;
	long g = strtol(name, &end, 10);
	return *end == 0 && g >= 0 ? (int)g : -1;
}

int pci_numa_node(const char *addr)
{
	char p[PATH_MAX], v[32];
	pci_sysfs_path(p, sizeof p, "bus/pci/devices/%s/numa_node", addr);
	if (pci_sysfs_read(p, v, sizeof v) < 0)
		return -1;
	return atoi(v);   /* the kernel writes -1 for "no node" */
}

static int read_hex_file(const char *addr, const char *file, unsigned long *v)
{
	char p[PATH_MAX], s[32], *end;
	pci_sysfs_path(p, sizeof p, "bus/pci/devices/%s/%s", addr, file);
	if (pci_sysfs_read(p, s, sizeof s) < 0)
		return -1;
	*v = strtoul(s, &end, 16);
	return end == s ? -1 : 0;
}

int pci_read_ids(const char *addr, uint16_t *vendor, uint16_t *device)
{
	unsigned long v, d;
	if (read_hex_file(addr, "vendor", &v) < 0 || read_hex_file(addr, "device", &d) < 0)
		return -1;
	*vendor = (uint16_t)v;
	*device = (uint16_t)d;
	return 0;
}

/* Append the entries of directory path to buf as "a,b". */
static void append_dir_entries(const char *path, char *buf, size_t len)
{
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *e;
	size_t used = strlen(buf);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		int n = snprintf(buf + used, len - used, "%s%s", used ? "," : "", e->d_name);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += n;
	}
	closedir(d);
}

/* Interfaces live in DEVICE/net/, or one level down for devices whose
 * network driver sits on another bus (virtio: DEVICE/virtio0/net/). */
void pci_device_ifnames(const char *addr, char *buf, size_t len)
{
	char p[PATH_MAX];
	buf[0] = 0;
	pci_sysfs_path(p, sizeof p, "bus/pci/devices/%s/net", addr);
	if (access(p, F_OK) == 0) {
		append_dir_entries(p, buf, len);
		return;
	}
	pci_sysfs_path(p, sizeof p, "bus/pci/devices/%s", addr);
	DIR *d = opendir(p);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		char sub[PATH_MAX + 300];
		if (strncmp(e->d_name, "virtio", 6))
			continue;
		snprintf(sub, sizeof sub, "%s/%s/net", p, e->d_name);
		append_dir_entries(sub, buf, len);
	}
	closedir(d);
}

/* ---- what kvick can drive ---------------------------------------------- */

/* The KVICK column: the driver and part for a row of driver/nic_ids.c
 * that has one ("ixgbe (82599ES SFP+)"), else the part and why it is
 * refused.  One string per row, made on first use. */
const char *pci_support(uint16_t vendor, uint16_t device)
{
	static char text[128][160];
	size_t n;
	const struct nic_pci_id *all = nic_ids(&n);
	const struct nic_pci_id *id = nic_find(vendor, device);
	if (!id)
		return NULL;
	size_t i = (size_t)(id - all);
	if (i >= sizeof text / sizeof text[0])
		return id->name;
	if (!text[i][0]) {
		if (id->drv)
			snprintf(text[i], sizeof text[i], "%s (%s)", id->drv->name, id->name);
		else
			snprintf(text[i], sizeof text[i], "no: %s: %s", id->name, id->why);
	}
	return text[i];
}

bool pci_is_supported(uint16_t vendor, uint16_t device)
{
	const struct nic_pci_id *id = nic_find(vendor, device);
	return id && id->drv;
}

/* ---- listing with libpci ----------------------------------------------- */

/* libpci reports fatal errors through a callback that must not return
 * (its default calls exit()).  We jump back to pci_list() instead, so a
 * broken sysfs entry becomes an error message, not a dead process. */
static jmp_buf list_jmp;
static char list_err[256];

static void libpci_error(char *msg, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void libpci_error(char *msg, ...)
{
	va_list ap;
	va_start(ap, msg);
	vsnprintf(list_err, sizeof list_err, msg, ap);
	va_end(ap);
	longjmp(list_jmp, 1);
}

static void libpci_warning(char *msg, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, msg);
	vsnprintf(buf, sizeof buf, msg, ap);
	va_end(ap);
	log_debug("libpci: %s", buf);
}

static void libpci_debug(char *msg, ...)
{
	(void)msg;
}

static int cmp_addr(const void *a, const void *b)
{
	return strcmp(((const struct pci_info *)a)->addr, ((const struct pci_info *)b)->addr);
}

static void fill_from_sysfs(struct pci_info *pi)
{
	pci_device_driver(pi->addr, pi->driver, sizeof pi->driver);
	pi->iommu_group = pci_iommu_group(pi->addr);
	pi->numa_node = pci_numa_node(pi->addr);
	pci_device_ifnames(pi->addr, pi->ifnames, sizeof pi->ifnames);
	pi->support = pci_support(pi->vendor_id, pi->device_id);
}

static void fill_name(struct pci_access *pacc, struct pci_info *pi, bool have_ids)
{
	pi->name[0] = 0;
	if (!have_ids)
		return;
	char vname[80], dname[128];
	const char *v = pci_lookup_name(pacc, vname, sizeof vname,
					PCI_LOOKUP_VENDOR | PCI_LOOKUP_NO_NUMBERS, pi->vendor_id);
	const char *d = pci_lookup_name(pacc, dname, sizeof dname,
					PCI_LOOKUP_DEVICE | PCI_LOOKUP_NO_NUMBERS,
					pi->vendor_id, pi->device_id);
	snprintf(pi->name, sizeof pi->name, "%s%s%s", v ? v : "", v && d ? " " : "", d ? d : "");
}

int pci_list(bool network_only, struct pci_info **out, char *err, size_t errlen)
{
	static char sysfs_bus[PATH_MAX];
	static char ids_file[] = PCI_IDS_FILE;
	struct pci_info *volatile list = NULL;   /* volatile: survives the longjmp */
	volatile int n = 0;
	struct pci_access *volatile pacc = pci_alloc();

	*out = NULL;
	pacc->error = libpci_error;
	pacc->warning = libpci_warning;
	pacc->debug = libpci_debug;
	if (setjmp(list_jmp)) {
		snprintf(err, errlen, "libpci: %s (sysfs root %s)", list_err, pci_sysfs_root());
		free(list);
		pci_cleanup(pacc);
		return -1;
	}
	/* Always the sysfs method, rooted where $KVICK_SYSFS says. */
	pacc->method = PCI_ACCESS_SYS_BUS_PCI;
	pci_sysfs_path(sysfs_bus, sizeof sysfs_bus, "bus/pci");
	pci_set_param(pacc, "sysfs.path", sysfs_bus);
	bool have_ids = access(PCI_IDS_FILE, R_OK) == 0;
	pacc->id_file_name = ids_file;
	pacc->id_lookup_mode = PCI_LOOKUP_NO_HWDB;   /* local file only, never DNS */
	pci_init(pacc);
	pci_scan_bus(pacc);

	size_t cap = 0;
	for (struct pci_dev *dev = pacc->devices; dev; dev = dev->next) {
		pci_fill_info(dev, PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CLASS_EXT);
		if (network_only && (dev->device_class >> 8) != PCI_CLASS_NETWORK)
			continue;
		if ((size_t)n == cap) {
			cap = cap ? cap * 2 : 16;
			struct pci_info *nl = realloc(list, cap * sizeof *list);
			if (!nl) {
				snprintf(err, errlen, "out of memory listing PCI devices");
				free(list);
				pci_cleanup(pacc);
				return -1;
			}
			list = nl;
		}
		struct pci_info *pi = &list[n++];
		memset(pi, 0, sizeof *pi);
		snprintf(pi->addr, sizeof pi->addr, "%04x:%02x:%02x.%u", (unsigned)dev->domain & 0xffff,
			 dev->bus, dev->dev & 0x1fu, dev->func & 7u);
		pi->vendor_id = dev->vendor_id;
		pi->device_id = dev->device_id;
		pi->class_code = (uint32_t)dev->device_class << 8 | dev->prog_if;
		fill_name(pacc, pi, have_ids);
		fill_from_sysfs(pi);
	}
	pci_cleanup(pacc);
	if (n > 1)
		qsort(list, n, sizeof *list, cmp_addr);
	*out = list;
	return n;
}
