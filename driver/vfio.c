/* vfio.c -- container, group, device: a PCI function in userspace (see vfio.h).
 *
 * Bring-up order (Linux Documentation/driver-api/vfio.rst, "VFIO Usage
 * Example"), each step in its own function below:
 *   1. container: open /dev/vfio/vfio, check the API version and that the
 *      type1 IOMMU backend exists;
 *   2. group: open /dev/vfio/N, check it is viable, attach it to the
 *      container; the first group also selects the IOMMU type, after which
 *      the container can report its usable IOVA ranges;
 *   3. device: get its fd from the group, reset it, map BAR0, turn on
 *      memory decoding and bus mastering in its config space;
 *   4. DMA: install the container as core/memory.h's dma_mapper.
 * Closing runs it backwards.  Errors say what is wrong and what to do.
 */
#include "vfio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "core/log.h"
#include "core/memory.h"
#include "pci.h"
#include "pci_bind.h"

#define VFIO_MAX_GROUPS 16

struct vfio_group {
	int id;       /* N of /dev/vfio/N */
	int fd;
	int refs;     /* devices open in it */
};

/* The process's one IOMMU address space. */
struct vfio_container {
	int fd;
	int refs;                 /* devices open through it */
	struct iova_space iova;
	uint64_t iommu_pgsizes;   /* bitmap of IOMMU page sizes */
	struct vfio_group groups[VFIO_MAX_GROUPS];
	struct dma_mapper mapper;
	bool mapper_installed;
};

static struct vfio_container container = {.fd = -1};

/* Per open device (struct device.priv). */
struct vfio_dev {
	struct vfio_group *group;
	int fd;
	uint64_t config_offset;   /* config-space region's offset in the device fd */
	void *bar0;
	size_t bar0_len;
	bool can_reset;
	bool master;              /* we turned bus mastering on */
};

const char *vfio_dev_dir(void)
{
	const char *d = getenv("KVICK_DEVVFIO");
	return d && *d ? d : "/dev/vfio";
}

/* ---- 1. container ------------------------------------------------------- */

static int container_open(char *err, size_t errlen)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/vfio", vfio_dev_dir());
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (e == ENOENT)
			snprintf(err, errlen, "no %s: the vfio modules are not loaded (run `modprobe "
				 "vfio-pci`), or this machine has no VFIO", path);
		else if (e == EACCES || e == EPERM)
			snprintf(err, errlen, "cannot open %s: %s (run as root, or give this user the "
				 "VFIO device files)", path, strerror(e));
		else
			snprintf(err, errlen, "cannot open %s: %s", path, strerror(e));
		return -1;
	}
	int version = ioctl(fd, VFIO_GET_API_VERSION);
	if (version != VFIO_API_VERSION) {
		snprintf(err, errlen, "%s is not a VFIO container (API version %d, want %d)", path,
			 version, VFIO_API_VERSION);
		close(fd);
		return -1;
	}
	if (ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0 &&
	    ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) <= 0) {
		snprintf(err, errlen, "VFIO has no type1 IOMMU backend: run `modprobe "
			 "vfio_iommu_type1` (it is only a soft dependency of vfio)");
		close(fd);
		return -1;
	}
	container.fd = fd;
	return 0;
}

/* Walk the capability chain of VFIO_IOMMU_GET_INFO for the usable IOVA
 * ranges.  Kernels before 5.4 have no such capability: we then assume the
 * narrowest common x86 IOMMU (39-bit addresses) minus the MSI window. */
static int container_read_iova_ranges(char *err, size_t errlen)
{
	struct vfio_iommu_type1_info *info = calloc(1, sizeof *info);
	if (!info)
		return -1;
	info->argsz = sizeof *info;
	if (ioctl(container.fd, VFIO_IOMMU_GET_INFO, info) < 0) {
		snprintf(err, errlen, "VFIO_IOMMU_GET_INFO: %s", strerror(errno));
		free(info);
		return -1;
	}
	if (info->argsz > sizeof *info) {   /* capabilities follow: fetch them too */
		uint32_t need = info->argsz;
		struct vfio_iommu_type1_info *big = realloc(info, need);
		if (!big) {
			free(info);
			return -1;
		}
		info = big;
		memset(info, 0, need);
		info->argsz = need;
		if (ioctl(container.fd, VFIO_IOMMU_GET_INFO, info) < 0) {
			snprintf(err, errlen, "VFIO_IOMMU_GET_INFO (with capabilities): %s",
				 strerror(errno));
			free(info);
			return -1;
		}
	}
	container.iommu_pgsizes = info->flags & VFIO_IOMMU_INFO_PGSIZES ? info->iova_pgsizes : 4096;

	struct iova_range ranges[IOVA_MAX_RANGES];
	int n = -1;
	uint32_t off = info->flags & VFIO_IOMMU_INFO_CAPS ? info->cap_offset : 0;
	while (off >= sizeof *info && off + sizeof(struct vfio_info_cap_header) <= info->argsz) {
		struct vfio_info_cap_header *h = (void *)((char *)info + off);
		if (h->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
			struct vfio_iommu_type1_info_cap_iova_range *c = (void *)h;
			n = 0;
			for (uint32_t i = 0; i < c->nr_iovas && n < IOVA_MAX_RANGES; i++, n++) {
				ranges[n].start = c->iova_ranges[i].start;
				ranges[n].end = c->iova_ranges[i].end;
			}
			break;
		}
		if (h->next == 0)
			break;
		off = h->next;
	}
	free(info);
	if (n < 0) {
		log_warn("vfio: the kernel reports no usable IOVA ranges (before Linux 5.4); "
			 "assuming a 39-bit IOMMU without the MSI window");
		ranges[0] = (struct iova_range){0, 0xfedfffffULL};
		ranges[1] = (struct iova_range){0xfef00000ULL, (1ULL << 39) - 1};
		n = 2;
	}
	if (n == 0) {
		snprintf(err, errlen, "the IOMMU reports no usable IOVA range");
		return -1;
	}
	iova_space_init(&container.iova, ranges, n);
	for (int i = 0; i < container.iova.nranges; i++)
		log_debug("vfio: usable IOVA range %#llx-%#llx",
			  (unsigned long long)container.iova.range[i].start,
			  (unsigned long long)container.iova.range[i].end);
	return 0;
}

/* Select the IOMMU model once the first group is attached (the kernel
 * refuses VFIO_SET_IOMMU on a container without groups). */
static int container_set_iommu(char *err, size_t errlen)
{
	if (ioctl(container.fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0 &&
	    ioctl(container.fd, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU) < 0) {
		snprintf(err, errlen, "VFIO_SET_IOMMU (type1): %s", strerror(errno));
		return -1;
	}
	return container_read_iova_ranges(err, errlen);
}

/* ---- 4. DMA mapping (the container as core/memory.h's mapper) ---------- */

static int dma_map(uint64_t iova, void *va, size_t len)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof m,
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)va,
		.iova = iova,
		.size = len,
	};
	return ioctl(container.fd, VFIO_IOMMU_MAP_DMA, &m) < 0 ? -errno : 0;
}

static int container_map(void *ctx, void *va, size_t len, uint64_t *iova)
{
	(void)ctx;
	/* Align the IOVA like the region (its page size, 2 MB by default) so
	 * the IOMMU can use large pages; smaller regions need only the
	 * IOMMU's smallest page. */
	const struct mem_config *cfg = mem_get_config();
	uint64_t align = cfg && cfg->page_size ? cfg->page_size : 2u << 20;
	uint64_t min_page = container.iommu_pgsizes & -container.iommu_pgsizes;
	while (align > len && align > min_page)
		align >>= 1;
	if (align < min_page)
		align = min_page;
	int r = iova_alloc(&container.iova, len, align, iova);
	if (r < 0) {
		log_error("vfio: no room for %zu bytes in the IOMMU's usable IOVA ranges", len);
		return r;
	}
	r = dma_map(*iova, va, len);
	if (r < 0)
		log_error("vfio: VFIO_IOMMU_MAP_DMA va %p iova %#llx len %zu: %s (pinned-memory "
			  "limit? see `ulimit -l`)", va, (unsigned long long)*iova, len, strerror(-r));
	return r;
}

static void container_unmap(void *ctx, uint64_t iova, size_t len)
{
	(void)ctx;
	struct vfio_iommu_type1_dma_unmap u = {.argsz = sizeof u, .iova = iova, .size = len};
	if (ioctl(container.fd, VFIO_IOMMU_UNMAP_DMA, &u) < 0)
		log_warn("vfio: VFIO_IOMMU_UNMAP_DMA iova %#llx: %s", (unsigned long long)iova,
			 strerror(errno));
}

int vfio_dma_map(struct device *d, void *va, size_t len, uint64_t *iova)
{
	(void)d;
	if (container.fd < 0)
		return -ENODEV;
	return container_map(NULL, va, len, iova);
}

int vfio_dma_unmap(struct device *d, uint64_t iova, size_t len)
{
	(void)d;
	if (container.fd < 0)
		return -ENODEV;
	struct vfio_iommu_type1_dma_unmap u = {.argsz = sizeof u, .iova = iova, .size = len};
	if (ioctl(container.fd, VFIO_IOMMU_UNMAP_DMA, &u) < 0)
		return -errno;
	return u.size == len ? 0 : -EIO;
}

const struct iova_space *vfio_iova_space(const struct device *d)
{
	(void)d;
	return container.fd >= 0 ? &container.iova : NULL;
}

static int container_install_mapper(char *err, size_t errlen)
{
	if (container.mapper_installed)
		return 0;
	container.mapper = (struct dma_mapper){
		.name = "vfio",
		.ctx = &container,
		.map = container_map,
		.unmap = container_unmap,
	};
	int r = mem_set_mapper(&container.mapper);
	if (r < 0) {
		snprintf(err, errlen, "cannot install the VFIO IOMMU for DMA memory: %s%s", strerror(-r),
			 r == -EBUSY ? " (another IOMMU domain, e.g. a hw-sim port, is in use in this "
				       "process)" : "");
		return -1;
	}
	container.mapper_installed = true;
	return 0;
}

static void container_put(void)
{
	if (--container.refs > 0)
		return;
	if (container.mapper_installed) {
		mem_clear_mapper(&container.mapper);
		container.mapper_installed = false;
	}
	close(container.fd);
	container.fd = -1;
}

/* ---- 2. group ---------------------------------------------------------- */

static struct vfio_group *group_find(int id)
{
	for (int i = 0; i < VFIO_MAX_GROUPS; i++)
		if (container.groups[i].refs > 0 && container.groups[i].id == id)
			return &container.groups[i];
	return NULL;
}

static struct vfio_group *group_get(const char *addr, int id, char *err, size_t errlen)
{
	struct vfio_group *g = group_find(id);
	if (g) {
		g->refs++;
		return g;
	}
	for (int i = 0; i < VFIO_MAX_GROUPS && !g; i++)
		if (container.groups[i].refs == 0)
			g = &container.groups[i];
	if (!g) {
		snprintf(err, errlen, "too many IOMMU groups open (max %d)", VFIO_MAX_GROUPS);
		return NULL;
	}
	char path[PATH_MAX], list[512];
	snprintf(path, sizeof path, "%s/%d", vfio_dev_dir(), id);
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (e == EBUSY && pci_vfio_group_users(id, list, sizeof list) > 0)
			snprintf(err, errlen, "%s is in use: %s is held open by pid %s", addr, path, list);
		else if (e == EBUSY)
			snprintf(err, errlen, "%s is in use: %s is already open (another VFIO user)", addr,
				 path);
		else if (e == ENOENT)
			snprintf(err, errlen, "no %s for %s: is it bound to vfio-pci? (`kvick bind %s`)",
				 path, addr, addr);
		else
			snprintf(err, errlen, "cannot open %s: %s", path, strerror(e));
		return NULL;
	}
	struct vfio_group_status st = {.argsz = sizeof st};
	if (ioctl(fd, VFIO_GROUP_GET_STATUS, &st) < 0 || !(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		int nb = pci_group_blockers(addr, list, sizeof list);
		snprintf(err, errlen, "IOMMU group %d of %s is not viable: every device in it must be "
			 "bound to vfio-pci or to no driver; %s%s", id, addr,
			 nb ? "still bound elsewhere: " : "see ls /sys/kernel/iommu_groups/N/devices",
			 nb ? list : "");
		close(fd);
		return NULL;
	}
	if (ioctl(fd, VFIO_GROUP_SET_CONTAINER, &container.fd) < 0) {
		snprintf(err, errlen, "VFIO_GROUP_SET_CONTAINER for group %d: %s", id, strerror(errno));
		close(fd);
		return NULL;
	}
	/* The IOMMU model is chosen once, with the first group attached.  A
	 * later group joins the same domain; type1 replays existing mappings. */
	bool first = true;
	for (int i = 0; i < VFIO_MAX_GROUPS; i++)
		if (container.groups[i].refs > 0)
			first = false;
	if (first && container_set_iommu(err, errlen) < 0) {
		ioctl(fd, VFIO_GROUP_UNSET_CONTAINER);
		close(fd);
		return NULL;
	}
	*g = (struct vfio_group){.id = id, .fd = fd, .refs = 1};
	return g;
}

static void group_put(struct vfio_group *g)
{
	if (--g->refs > 0)
		return;
	ioctl(g->fd, VFIO_GROUP_UNSET_CONTAINER);
	close(g->fd);
	g->fd = -1;
}

/* ---- 3. device --------------------------------------------------------- */

static int region_info(int fd, uint32_t index, struct vfio_region_info *ri)
{
	memset(ri, 0, sizeof *ri);
	ri->argsz = sizeof *ri;
	ri->index = index;
	return ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, ri) < 0 ? -errno : 0;
}

/* PCI Local Bus spec 3.0, 6.2.2: the Command register at config offset 4;
 * bit 1 Memory Space enables BAR decoding, bit 2 Bus Master lets the
 * device issue DMA.  vfio-pci starts with both off after a reset. */
static int set_command_bits(struct vfio_dev *v, uint16_t set, uint16_t clear)
{
	uint16_t cmd;
	if (pread(v->fd, &cmd, sizeof cmd, v->config_offset + PCI_COMMAND) != sizeof cmd)
		return -errno ? -errno : -EIO;
	cmd = (uint16_t)((cmd | set) & ~clear);
	if (pwrite(v->fd, &cmd, sizeof cmd, v->config_offset + PCI_COMMAND) != sizeof cmd)
		return -errno ? -errno : -EIO;
	return 0;
}

static int device_reset(struct vfio_dev *v)
{
	if (!v->can_reset)
		return -ENOTSUP;
	return ioctl(v->fd, VFIO_DEVICE_RESET) < 0 ? -errno : 0;
}

static int device_setup(struct vfio_dev *v, const char *addr, char *err, size_t errlen)
{
	struct vfio_device_info info = {.argsz = sizeof info};
	struct vfio_region_info ri;

	v->fd = ioctl(v->group->fd, VFIO_GROUP_GET_DEVICE_FD, addr);
	if (v->fd < 0) {
		snprintf(err, errlen, "VFIO_GROUP_GET_DEVICE_FD %s: %s", addr, strerror(errno));
		return -1;
	}
	if (ioctl(v->fd, VFIO_DEVICE_GET_INFO, &info) < 0 || !(info.flags & VFIO_DEVICE_FLAGS_PCI)) {
		snprintf(err, errlen, "%s: not a vfio-pci device", addr);
		return -1;
	}
	v->can_reset = info.flags & VFIO_DEVICE_FLAGS_RESET;
	/* Reset first, so we start from the device's power-on state whatever
	 * the previous user left behind. */
	if (v->can_reset && device_reset(v) < 0)
		log_warn("vfio: %s: VFIO_DEVICE_RESET failed: %s", addr, strerror(errno));
	else if (!v->can_reset)
		log_warn("vfio: %s has no function-level reset; starting from its current state", addr);

	if (region_info(v->fd, VFIO_PCI_CONFIG_REGION_INDEX, &ri) < 0) {
		snprintf(err, errlen, "%s: no config-space region: %s", addr, strerror(errno));
		return -1;
	}
	v->config_offset = ri.offset;

	if (region_info(v->fd, VFIO_PCI_BAR0_REGION_INDEX, &ri) < 0 || ri.size == 0) {
		snprintf(err, errlen, "%s has no BAR0", addr);
		return -1;
	}
	if (!(ri.flags & VFIO_REGION_INFO_FLAG_MMAP)) {
		snprintf(err, errlen, "%s: BAR0 cannot be mmap'ed (an I/O-port BAR?)", addr);
		return -1;
	}
	v->bar0 = mmap(NULL, ri.size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, ri.offset);
	if (v->bar0 == MAP_FAILED) {
		v->bar0 = NULL;
		snprintf(err, errlen, "%s: mmap of BAR0 (%llu bytes): %s", addr,
			 (unsigned long long)ri.size, strerror(errno));
		return -1;
	}
	v->bar0_len = ri.size;

	int r = set_command_bits(v, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 0);
	if (r < 0) {
		snprintf(err, errlen, "%s: enabling bus mastering in config space: %s", addr,
			 strerror(-r));
		return -1;
	}
	v->master = true;
	return 0;
}

/* Undo device_setup(): stop DMA, reset, unmap BAR0, close the device fd.
 * The group and container are released by the caller, in that order. */
static void device_release(struct vfio_dev *v)
{
	if (v->fd >= 0) {
		/* Stop DMA before the mappings go away: no bus mastering, then a
		 * reset so the device forgets its rings. */
		if (v->master)
			set_command_bits(v, 0, PCI_COMMAND_MASTER);
		device_reset(v);
	}
	if (v->bar0)
		munmap(v->bar0, v->bar0_len);
	if (v->fd >= 0)
		close(v->fd);
}

/* Release a device, its group and the container, last one out unmapping
 * DMA memory first: detaching the last group tears the IOMMU domain down,
 * after which VFIO_IOMMU_UNMAP_DMA would only fail. */
static void device_put(struct vfio_dev *v)
{
	device_release(v);
	if (container.refs == 1 && container.mapper_installed) {
		mem_clear_mapper(&container.mapper);
		container.mapper_installed = false;
	}
	if (v->group)
		group_put(v->group);
	free(v);
	container_put();
}

/* ---- device_ops --------------------------------------------------------- */

static int vfio_ops_reset(struct device *d)
{
	return device_reset(d->priv);
}

static void vfio_ops_close(struct device *d)
{
	if (!d->priv)
		return;
	device_put(d->priv);
	d->priv = NULL;
	d->bar0.bar = NULL;
}

static const struct device_ops vfio_ops = {
	.reset = vfio_ops_reset,
	.close = vfio_ops_close,
};

/* ---- open ---------------------------------------------------------------- */

/* Everything that can be said from sysfs before touching /dev/vfio. */
static int precheck(const char *addr, int *group, char *err, size_t errlen)
{
	char drv[64];
	if (!pci_device_exists(addr)) {
		snprintf(err, errlen, "no PCI device %s (%s/bus/pci/devices/%s is missing): `kvick pci "
			 "--all` lists the devices", addr, pci_sysfs_root(), addr);
		return -1;
	}
	*group = pci_iommu_group(addr);
	if (*group < 0)
		return 0;   /* no IOMMU: the caller decides on the fallback */
	pci_device_driver(addr, drv, sizeof drv);
	if (strcmp(drv, PCI_BIND_VFIO_DRIVER)) {
		snprintf(err, errlen, "%s is %s%s, not vfio-pci: run `kvick bind %s` first", addr,
			 *drv ? "driven by the kernel's " : "bound to no driver", drv, addr);
		return -1;
	}
	return 0;
}

/* The VFIO provider: a normalized PCI address with an IOMMU group.  With
 * no IOMMU at all it passes, and the next provider of PCI addresses
 * (driver/noiommu.c) takes the device. */
static int vfio_provider_open(const char *addr, struct device *d, char *err, size_t errlen)
{
	int group_id;
	if (precheck(addr, &group_id, err, errlen) < 0)
		return -1;
	if (group_id < 0) {
		char why[256];
		if (pci_check_iommu(why, sizeof why) == 0) {
			snprintf(err, errlen, "%s has no IOMMU group although the machine has an IOMMU: "
				 "the IOMMU does not cover it, VFIO cannot take it", addr);
			return -1;
		}
		snprintf(err, errlen, "%s: no IOMMU, so no VFIO", addr);
		return DEVICE_PASS;
	}

	struct vfio_dev *v = calloc(1, sizeof *v);
	if (!v) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	v->fd = -1;
	bool new_container = container.fd < 0;
	if (new_container && container_open(err, errlen) < 0) {
		free(v);
		return -1;
	}
	container.refs++;
	v->group = group_get(addr, group_id, err, errlen);
	if (!v->group || device_setup(v, addr, err, errlen) < 0 ||
	    container_install_mapper(err, errlen) < 0) {
		device_put(v);
		return -1;
	}

	device_init_pci(d, addr, v->bar0, v->bar0_len, &vfio_ops, v);
	log_info("vfio: %s (%04x:%04x) open: IOMMU group %d, BAR0 %zu KiB", addr, d->vendor_id,
		 d->device_id, group_id, v->bar0_len >> 10);
	return 0;
}

static const struct device_provider vfio_provider = {
	.name = "vfio", .prefix = NULL, .order = 10, .example = NULL, .open = vfio_provider_open,
};
KVICK_DEVICE_PROVIDER(vfio_provider);

int vfio_device_open(const char *pci_addr, struct device *d, char *err, size_t errlen)
{
	return device_open_pci(pci_addr, d, err, errlen);
}
