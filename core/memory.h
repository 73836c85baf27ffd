/* memory.h -- DMA memory: hugepages, NUMA placement, and IOVAs.
 *
 * All memory a device may touch (packet buffers, descriptor rings) comes
 * from here.  It is carved out of "regions": one mmap of hugepages (2 MB by
 * default, 1 GB on request), pinned (mlock), on the chosen NUMA node.
 *
 * Every region has an I/O virtual address (IOVA) per page: the address a
 * device must use.  Who decides it:
 *   - no mapper installed, IOVA mode "physical": the physical address of
 *     each hugepage, read once from /proc/self/pagemap (root only; without
 *     CAP_SYS_ADMIN the kernel returns PFN 0 since Linux 4.2).
 *   - a mapper installed (VFIO container, or the hw-sim IOMMU): the mapper
 *     picks an IOVA range inside the IOMMU's usable ranges and maps the
 *     region there.  Regions created later are mapped the moment they are
 *     created, so a device can always reach every buffer.
 * mem_iova() answers "IOVA of this address" in O(1): a hash of the
 * hugepage number.  Packets cache their IOVA (struct packet.iova).
 *
 * With --no-hugepages (mem_config.hugepages = false) regions are ordinary
 * anonymous memory, 2 MB-aligned so layouts stay the same.  Ordinary pages
 * are not physically contiguous, so there are no physical IOVAs
 * (mem_iova() answers MEM_IOVA_INVALID) -- but an IOMMU mapper still gives
 * every region a contiguous IOVA range, so the hw-sim models and VFIO work.
 */
#ifndef KVICK_MEMORY_H
#define KVICK_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEM_IOVA_INVALID UINT64_MAX

struct mem_config {
	size_t page_size;   /* 2 MB (default when 0) or 1 GB */
	int    numa_node;   /* -1: local node of the calling thread */
	bool   hugepages;   /* false: ordinary memory (no physical IOVAs) */
};

/* Set up the allocator.  Idempotent for the same config; returns 0 or
 * -1 with the reason logged (e.g. no hugepages: names the sysctl and the
 * number of pages needed).  Called lazily with defaults by the first
 * allocation if nobody called it. */
int mem_init(const struct mem_config *cfg);
const struct mem_config *mem_get_config(void);

/* Allocate size bytes of DMA memory aligned to align (a power of two, at
 * most the page size).  size <= page size: never crosses a page boundary,
 * so its IOVA range is contiguous.  Returns NULL on failure (logged).
 * Memory is zeroed.  There is no free: DMA memory lives until
 * mem_shutdown(), like a NIC's rings. */
void *mem_alloc_dma(size_t size, size_t align);

/* A whole new region of `len` bytes (rounded up to whole pages) for a
 * packet pool, on `numa_node` (-1: local).  Only each page is contiguous
 * in IOVA space (the pool carves packets that never cross a page).
 * `shared`: mapped MAP_SHARED, so processes forked afterwards see it at the
 * same address (core/workers.h).  NULL on failure (logged). */
void *mem_alloc_pool(size_t len, int numa_node, bool shared);

/* In a child after fork(): never carve what the parent or a sibling
 * carves (later allocations start a region of the child's own). */
void mem_after_fork(void);

/* IOVA of any address inside DMA memory, or MEM_IOVA_INVALID. */
uint64_t mem_iova(const void *va);

/* An IOMMU domain that must see every region: a VFIO container or the
 * hw-sim IOMMU.  map() chooses an IOVA for [va, va+len) (len is a whole
 * number of pages, va page-aligned), maps it, and stores it in *iova.
 * Returns 0 or -errno. */
struct dma_mapper {
	const char *name;
	void *ctx;
	int  (*map)(void *ctx, void *va, size_t len, uint64_t *iova);
	void (*unmap)(void *ctx, uint64_t iova, size_t len);
};

/* Install the process's IOMMU domain.  Maps every existing region now and
 * every later region when it is created, and refreshes cached packet
 * IOVAs.  Only one domain per process: a second, different mapper is
 * refused (-EBUSY).  mem_clear_mapper() unmaps everything and goes back to
 * physical mode. */
int mem_set_mapper(const struct dma_mapper *m);
void mem_clear_mapper(const struct dma_mapper *m);

/* Called after IOVAs change (mapper set/cleared).  Used by the freelist to
 * refresh packet.iova.  At most a few listeners. */
void mem_on_remap(void (*fn)(void *ctx), void *ctx);

/* Visit every region: fn(ctx, va, len) -- for listeners and tests. */
void mem_for_each_region(void (*fn)(void *ctx, void *va, size_t len), void *ctx);

/* Release everything (tests; the process exit does it anyway). */
void mem_shutdown(void);

/* Physical address of va through /proc/self/pagemap, or MEM_IOVA_INVALID
 * (not root, page not present, ...). Exposed for the VFIO no-IOMMU path. */
uint64_t mem_virt_to_phys(const void *va);

#endif
