/* memory.c -- DMA memory: hugepage regions, NUMA placement, IOVA registry.
 *
 * Design (see memory.h for the contract):
 *   - A region is one mmap of whole pages (2 MB or 1 GB hugepages, or
 *     ordinary memory in 2 MB-aligned chunks).  Allocations are carved from
 *     the newest region with a bump pointer; nothing is ever freed before
 *     mem_shutdown(), which suits rings and packet pools that live as long
 *     as the process.
 *   - The registry maps every 2 MB "granule" of every region to the IOVA of
 *     its first byte.  mem_iova() is one hash lookup: O(1).  2 MB granules
 *     also cover 1 GB pages (512 entries each) so lookups need not know the
 *     page size.
 *   - IOVAs come from the installed dma_mapper (an IOMMU domain), or, with
 *     none, from /proc/self/pagemap (physical addresses, root only).
 */
#include "memory.h"

#include <errno.h>
#include <fcntl.h>
#include <numa.h>
#include <numaif.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"

#define GRANULE_SHIFT 21
#define GRANULE       (1ull << GRANULE_SHIFT)
#define MB2           (2ull << 20)
#define GB1           (1ull << 30)
#define MAX_REGIONS   1024
#define MAX_LISTENERS 8

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif

struct region {
	uint8_t *va;
	size_t len;        /* whole pages */
	size_t used;       /* bump pointer */
	uint64_t map_iova; /* IOVA given by the mapper, MEM_IOVA_INVALID if none */
	void *unmap_base;  /* what to munmap (ordinary memory is over-allocated to align) */
	size_t unmap_len;
};

struct granule_entry {
	uint64_t key;      /* va >> GRANULE_SHIFT, 0 = empty slot */
	uint64_t iova;     /* IOVA of the granule's first byte */
};

static struct {
	bool initialised;
	struct mem_config cfg;
	struct region regions[MAX_REGIONS];
	int nregions;
	struct granule_entry *table;  /* open addressing, power-of-two size */
	size_t table_size, table_used;
	const struct dma_mapper *mapper;
	struct { void (*fn)(void *); void *ctx; } listeners[MAX_LISTENERS];
	int nlisteners;
	int pagemap_fd;  /* -1 until first use; -2 after a failure */
} M = { .pagemap_fd = -1 };

/* ---- the granule registry ---- */

static size_t table_slot(uint64_t key, size_t size)
{
	/* Fibonacci hashing: granule numbers are consecutive, spread them. */
	return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 20) & (size - 1);
}

static int table_grow(void)
{
	size_t nsize = M.table_size ? M.table_size * 2 : 1024;
	struct granule_entry *nt = calloc(nsize, sizeof *nt);
	if (!nt)
		return -1;
	for (size_t i = 0; i < M.table_size; i++) {
		if (!M.table[i].key)
			continue;
		size_t s = table_slot(M.table[i].key, nsize);
		while (nt[s].key)
			s = (s + 1) & (nsize - 1);
		nt[s] = M.table[i];
	}
	free(M.table);
	M.table = nt;
	M.table_size = nsize;
	return 0;
}

static int table_set(uint64_t key, uint64_t iova)
{
	if ((M.table_used + 1) * 2 > M.table_size && table_grow() < 0)
		return -1;
	size_t s = table_slot(key, M.table_size);
	while (M.table[s].key && M.table[s].key != key)
		s = (s + 1) & (M.table_size - 1);
	if (!M.table[s].key)
		M.table_used++;
	M.table[s].key = key;
	M.table[s].iova = iova;
	return 0;
}

uint64_t mem_iova(const void *va)
{
	uint64_t key = (uintptr_t)va >> GRANULE_SHIFT;
	if (!M.table_size || !key)
		return MEM_IOVA_INVALID;
	size_t s = table_slot(key, M.table_size);
	while (M.table[s].key) {
		if (M.table[s].key == key) {
			uint64_t base = M.table[s].iova;
			if (base == MEM_IOVA_INVALID)
				return MEM_IOVA_INVALID;
			return base + ((uintptr_t)va & (GRANULE - 1));
		}
		s = (s + 1) & (M.table_size - 1);
	}
	return MEM_IOVA_INVALID;
}

/* ---- physical addresses ---- */

uint64_t mem_virt_to_phys(const void *va)
{
	if (M.pagemap_fd == -2)
		return MEM_IOVA_INVALID;
	if (M.pagemap_fd < 0) {
		M.pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
		if (M.pagemap_fd < 0) {
			M.pagemap_fd = -2;
			return MEM_IOVA_INVALID;
		}
	}
	long psize = sysconf(_SC_PAGESIZE);
	uint64_t entry;
	off_t off = (off_t)((uintptr_t)va / (uintptr_t)psize) * 8;
	if (pread(M.pagemap_fd, &entry, 8, off) != 8)
		return MEM_IOVA_INVALID;
	/* Bit 63: present; bits 0-54: page frame number.  Without
	 * CAP_SYS_ADMIN the kernel reports PFN 0 (Linux >= 4.2). */
	uint64_t pfn = entry & ((1ull << 55) - 1);
	if (!(entry >> 63) || pfn == 0)
		return MEM_IOVA_INVALID;
	return pfn * (uint64_t)psize + ((uintptr_t)va % (uintptr_t)psize);
}

/* Fill the registry for one region from its IOVA source. */
static int region_register(struct region *r)
{
	for (size_t off = 0; off < r->len; off += GRANULE) {
		uint64_t iova;
		if (r->map_iova != MEM_IOVA_INVALID)
			iova = r->map_iova + off;
		else if (M.cfg.hugepages)
			iova = mem_virt_to_phys(r->va + off); /* one lookup per granule */
		else
			iova = MEM_IOVA_INVALID; /* ordinary pages are not contiguous */
		if (table_set((uintptr_t)(r->va + off) >> GRANULE_SHIFT, iova) < 0)
			return -1;
	}
	return 0;
}

static int region_map(struct region *r)
{
	if (!M.mapper)
		return 0;
	uint64_t iova;
	int rc = M.mapper->map(M.mapper->ctx, r->va, r->len, &iova);
	if (rc < 0) {
		log_error("cannot map %zu bytes of DMA memory in %s: %s", r->len,
		          M.mapper->name, strerror(-rc));
		return -1;
	}
	r->map_iova = iova;
	return 0;
}

static void notify_listeners(void)
{
	for (int i = 0; i < M.nlisteners; i++)
		M.listeners[i].fn(M.listeners[i].ctx);
}

/* ---- set-up ---- */

static long hugepages_free(size_t page_size)
{
	char path[128];
	snprintf(path, sizeof path, "/sys/kernel/mm/hugepages/hugepages-%zukB/free_hugepages",
	         page_size >> 10);
	FILE *f = fopen(path, "r");
	long n = -1;
	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

int mem_init(const struct mem_config *cfg)
{
	struct mem_config c = cfg ? *cfg : (struct mem_config){ .numa_node = -1, .hugepages = true };
	if (!c.page_size)
		c.page_size = MB2;
	if (c.page_size != MB2 && c.page_size != GB1) {
		log_error("hugepage size must be 2M or 1G");
		return -1;
	}
	if (M.initialised) {
		if (M.cfg.page_size == c.page_size && M.cfg.hugepages == c.hugepages &&
		    M.cfg.numa_node == c.numa_node)
			return 0;
		if (M.nregions == 0) {
			M.cfg = c;
			return 0;
		}
		log_error("DMA memory is already in use with another configuration");
		return -1;
	}
	if (c.hugepages && hugepages_free(c.page_size) < 0) {
		log_error("this kernel has no %s hugepages (no /sys/kernel/mm/hugepages/hugepages-%zukB); "
		          "use --hugepage-size 2M or --no-hugepages", c.page_size == GB1 ? "1 GB" : "2 MB",
		          c.page_size >> 10);
		return -1;
	}
	M.cfg = c;
	M.initialised = true;
	return 0;
}

const struct mem_config *mem_get_config(void)
{
	if (!M.initialised)
		mem_init(NULL);
	return &M.cfg;
}

/* Said once per process: a pool that cannot grow is retried on every
 * allocation, and the callers count those failures. */
static void explain_no_hugepages(size_t npages)
{
	static bool said;
	if (said)
		return;
	said = true;
	size_t sz = M.cfg.page_size;
	long free_now = hugepages_free(sz);
	if (sz == GB1)
		log_error("cannot get %zu free 1 GB hugepage(s) (%ld free). Reserve them with: "
		          "echo %zu > /sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages "
		          "(or boot with hugepagesz=1G hugepages=%zu), or run with --no-hugepages",
		          npages, free_now, npages, npages);
	else
		log_error("cannot get %zu free 2 MB hugepage(s) (%ld free). Reserve more with: "
		          "sysctl -w vm.nr_hugepages=N (N = pages in use + %zu; e.g. "
		          "sysctl -w vm.nr_hugepages=1024 for 2 GB), or run with --no-hugepages",
		          npages, free_now, npages);
}

/* Map `len` bytes (whole pages) of fresh memory on NUMA node `node` (-1:
 * the local one).  `shared`: MAP_SHARED, so processes forked later see the
 * same pages at the same address (worker packet pools, core/workers.h). */
static int region_new_on(size_t len, int node, bool shared)
{
	if (M.nregions == MAX_REGIONS) {
		log_error("too many DMA memory regions (%d)", MAX_REGIONS);
		return -1;
	}
	struct region *r = &M.regions[M.nregions];
	memset(r, 0, sizeof *r);
	r->map_iova = MEM_IOVA_INVALID;
	if (M.cfg.hugepages) {
		int flags = (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS | MAP_HUGETLB;
		flags |= (M.cfg.page_size == GB1 ? 30 : 21) << MAP_HUGE_SHIFT;
		void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, -1, 0);
		if (p == MAP_FAILED) {
			explain_no_hugepages(len / M.cfg.page_size);
			return -1;
		}
		r->va = p;
		r->unmap_base = p;
		r->unmap_len = len;
	} else {
		/* Over-allocate so the region starts on a 2 MB boundary, keeping
		 * the same layout rules as hugepages. */
		size_t alen = len + MB2;
		uint8_t *p = mmap(NULL, alen, PROT_READ | PROT_WRITE,
		                  (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			log_error("cannot allocate %zu bytes of memory: %s", len, strerror(errno));
			return -1;
		}
		r->unmap_base = p;
		r->unmap_len = alen;
		r->va = (uint8_t *)(((uintptr_t)p + MB2 - 1) & ~(uintptr_t)(MB2 - 1));
	}
	r->len = len;
	/* Place the pages on the chosen node before first touch. */
	if (node >= 0 && numa_available() >= 0) {
		unsigned long mask = 1ul << node;
		if (mbind(r->va, len, MPOL_BIND, &mask, sizeof(mask) * 8, 0) < 0)
			log_warn("cannot bind DMA memory to NUMA node %d: %s", node, strerror(errno));
	}
	/* Touch and pin: a device must never see a page move or vanish.  A
	 * failing mlock (RLIMIT_MEMLOCK) is only a warning: hugepages are not
	 * swapped anyway, and VFIO pins what it maps. */
	memset(r->va, 0, len);
	if (mlock(r->va, len) < 0)
		log_once(LOG_WARN, "cannot lock DMA memory (%s); raise RLIMIT_MEMLOCK (ulimit -l)",
		         strerror(errno));
	if (region_map(r) < 0 || region_register(r) < 0) {
		munmap(r->unmap_base, r->unmap_len);
		return -1;
	}
	M.nregions++;
	return 0;
}

static int region_new(size_t len)
{
	return region_new_on(len, M.cfg.numa_node, false);
}

void *mem_alloc_pool(size_t len, int numa_node, bool shared)
{
	if (!M.initialised && mem_init(NULL) < 0)
		return NULL;
	size_t page = M.cfg.page_size;
	len = (len + page - 1) & ~(page - 1);
	if (len == 0 || region_new_on(len, numa_node, shared) < 0)
		return NULL;
	struct region *r = &M.regions[M.nregions - 1];
	r->used = r->len;   /* all the caller's: mem_alloc_dma never carves it */
	return r->va;
}

void mem_after_fork(void)
{
	/* The newest region may be a shared one, or one the parent still
	 * carves: a child must never bump-allocate where its parent or a
	 * sibling does. */
	for (int i = 0; i < M.nregions; i++)
		M.regions[i].used = M.regions[i].len;
}

void *mem_alloc_dma(size_t size, size_t align)
{
	if (!M.initialised && mem_init(NULL) < 0)
		return NULL;
	if (align == 0)
		align = 64;
	if (align & (align - 1) || align > M.cfg.page_size) {
		log_error("DMA alignment %zu is not a power of two up to the page size", align);
		return NULL;
	}
	if (size == 0)
		size = 1;
	size_t page = M.cfg.page_size;
	if (M.nregions) {
		struct region *r = &M.regions[M.nregions - 1];
		size_t off = (r->used + align - 1) & ~(align - 1);
		/* A small allocation must not cross a page boundary: its IOVA range
		 * would not be contiguous in physical mode. */
		if (size <= page && off / page != (off + size - 1) / page)
			off = (off + page - 1) & ~(page - 1);
		if (off + size <= r->len) {
			r->used = off + size;
			return r->va + off;
		}
	}
	size_t len = (size + page - 1) & ~(page - 1);
	if (len > page && !M.mapper && M.cfg.hugepages) {
		log_error("a %zu-byte DMA buffer spans several hugepages: physical addresses are not "
		          "contiguous without an IOMMU", size);
		return NULL;
	}
	if (region_new(len) < 0)
		return NULL;
	struct region *r = &M.regions[M.nregions - 1];
	r->used = size;
	return r->va;
}

/* ---- IOMMU domains ---- */

int mem_set_mapper(const struct dma_mapper *m)
{
	if (M.mapper == m)
		return 0;
	if (M.mapper) {
		log_error("DMA memory is already mapped by %s; cannot also use %s in one process",
		          M.mapper->name, m->name);
		return -EBUSY;
	}
	M.mapper = m;
	for (int i = 0; i < M.nregions; i++) {
		if (region_map(&M.regions[i]) < 0 || region_register(&M.regions[i]) < 0) {
			mem_clear_mapper(m);
			return -EIO;
		}
	}
	notify_listeners();
	return 0;
}

void mem_clear_mapper(const struct dma_mapper *m)
{
	if (!M.mapper || M.mapper != m)
		return;
	for (int i = 0; i < M.nregions; i++) {
		struct region *r = &M.regions[i];
		if (r->map_iova != MEM_IOVA_INVALID && m->unmap)
			m->unmap(m->ctx, r->map_iova, r->len);
		r->map_iova = MEM_IOVA_INVALID;
	}
	M.mapper = NULL;
	for (int i = 0; i < M.nregions; i++)
		region_register(&M.regions[i]);
	notify_listeners();
}

void mem_on_remap(void (*fn)(void *), void *ctx)
{
	for (int i = 0; i < M.nlisteners; i++)
		if (M.listeners[i].fn == fn && M.listeners[i].ctx == ctx)
			return;
	if (M.nlisteners == MAX_LISTENERS) {
		log_error("too many DMA remap listeners");
		return;
	}
	M.listeners[M.nlisteners].fn = fn;
	M.listeners[M.nlisteners].ctx = ctx;
	M.nlisteners++;
}

void mem_for_each_region(void (*fn)(void *, void *, size_t), void *ctx)
{
	for (int i = 0; i < M.nregions; i++)
		fn(ctx, M.regions[i].va, M.regions[i].len);
}

void mem_shutdown(void)
{
	if (M.mapper)
		mem_clear_mapper(M.mapper);
	for (int i = 0; i < M.nregions; i++)
		munmap(M.regions[i].unmap_base, M.regions[i].unmap_len);
	free(M.table);
	if (M.pagemap_fd >= 0)
		close(M.pagemap_fd);
	memset(&M, 0, sizeof M);
	M.pagemap_fd = -1;
}
