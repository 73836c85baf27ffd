/* iommu.c -- the model's IOMMU: the only way the DMA engine reaches memory.
 *
 * Installed as the process's dma_mapper (core/memory.h), it sees every DMA
 * region the driver's process creates and gives it an IOVA.  IOVAs are
 * deliberately NOT the virtual addresses: they start at 0x100000000 (4 GiB)
 * and grow, inside a 39-bit address width like a common Intel IOMMU, so a
 * driver that writes a virtual address into a descriptor faults instead of
 * working by accident.
 *
 * Translation: the table is append-only (a fixed array whose count is
 * published with release); unmapping marks an entry dead and bumps the
 * generation, so the model thread can translate without a lock and re-check
 * cached ring translations when the generation moves.  A small IOTLB
 * (below) keeps recent translations so a frame's buffers cost a table
 * lookup, not a walk of every mapping.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/memory.h"
#include "model.h"

#define IOMMU_MAX       4096
#define IOMMU_BASE      0x100000000ull        /* first IOVA handed out */
#define IOMMU_LIMIT     (1ull << 39)          /* 39-bit IOVA width */

struct iommu_map {
	uint64_t iova, len;
	uint8_t *va;
	_Atomic bool live;
};

static struct iommu_map maps[IOMMU_MAX];
static _Atomic unsigned nmaps;
_Atomic unsigned sim_iommu_gen = 1;
static uint64_t next_iova = IOMMU_BASE;
static pthread_mutex_t map_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic uint64_t faults;
static bool installed;

static int iommu_map(void *ctx, void *va, size_t len, uint64_t *iova)
{
	(void)ctx;
	pthread_mutex_lock(&map_lock);
	unsigned n = atomic_load(&nmaps);
	/* keep IOVAs aligned like the region (2 MB or 1 GB pages); the IOTLB
	 * relies on every mapping starting on a 2 MiB boundary */
	uint64_t align = len >= (1ull << 30) ? (1ull << 30) : (2ull << 20);
	uint64_t at = (next_iova + align - 1) & ~(align - 1);
	if (n == IOMMU_MAX || at + len > IOMMU_LIMIT) {
		pthread_mutex_unlock(&map_lock);
		log_error("sim IOMMU: cannot map %zu more bytes (%u mappings, IOVA space 39 bits)", len, n);
		return -ENOSPC;
	}
	maps[n].iova = at;
	maps[n].len = len;
	maps[n].va = va;
	atomic_store(&maps[n].live, true);
	next_iova = at + len;
	atomic_store_explicit(&nmaps, n + 1, memory_order_release);
	pthread_mutex_unlock(&map_lock);
	*iova = at;
	return 0;
}

static void iommu_unmap(void *ctx, uint64_t iova, size_t len)
{
	(void)ctx;
	pthread_mutex_lock(&map_lock);
	unsigned n = atomic_load(&nmaps);
	for (unsigned i = 0; i < n; i++)
		if (maps[i].iova == iova && maps[i].len == len)
			atomic_store(&maps[i].live, false);
	atomic_fetch_add(&sim_iommu_gen, 1);
	pthread_mutex_unlock(&map_lock);
}

const struct dma_mapper sim_iommu_mapper = {
	.name = "hw-sim IOMMU",
	.ctx = NULL,
	.map = iommu_map,
	.unmap = iommu_unmap,
};

int sim_iommu_install(char *err, size_t errlen)
{
	if (installed)
		return 0;
	int rc = mem_set_mapper(&sim_iommu_mapper);
	if (rc < 0) {
		snprintf(err, errlen, "cannot install the hw-sim IOMMU as the DMA mapper (%s)%s",
		         strerror(-rc), rc == -EBUSY ? ": another IOMMU domain (VFIO?) is in use" : "");
		return -1;
	}
	installed = true;
	return 0;
}

void sim_iommu_uninstall(void)
{
	if (!installed)
		return;
	mem_clear_mapper(&sim_iommu_mapper);
	installed = false;
	pthread_mutex_lock(&map_lock);
	unsigned n = atomic_load(&nmaps);
	for (unsigned i = 0; i < n; i++)
		atomic_store(&maps[i].live, false);
	atomic_store(&nmaps, 0);
	next_iova = IOMMU_BASE;
	atomic_store(&faults, 0);
	atomic_fetch_add(&sim_iommu_gen, 1);
	pthread_mutex_unlock(&map_lock);
}


/* The IOTLB: a small direct-mapped cache of translations, per thread (the
 * model thread is the one that translates per frame).  Key: the 2 MiB IOVA
 * page.  Every mapping starts on a 2 MiB IOVA boundary (iommu_map), so a
 * page belongs to at most one mapping, and an entry can keep that
 * mapping's end and its IOVA->VA offset: a range that starts in the page
 * hits if it ends inside the mapping.  Entries are tagged with the
 * generation they were filled in; unmapping bumps the generation, so a
 * removed mapping can never be reached through a stale entry (a real
 * IOMMU's invalidation).  Mapping a new region needs no invalidation: it
 * changes no existing translation. */
__thread struct iotlb_entry sim_iotlb[IOTLB_ENTRIES];

void *sim_iommu_translate_slow(uint64_t iova, uint64_t len, unsigned gen)
{
	unsigned n = atomic_load_explicit(&nmaps, memory_order_acquire);
	for (unsigned i = 0; i < n; i++) {
		struct iommu_map *m = &maps[i];
		if (iova >= m->iova && iova - m->iova + len <= m->len &&
		    atomic_load_explicit(&m->live, memory_order_relaxed)) {
			struct iotlb_entry *e = &sim_iotlb[(iova >> IOTLB_PAGE_SHIFT) % IOTLB_ENTRIES];
			e->page = iova >> IOTLB_PAGE_SHIFT;
			e->end = m->iova + m->len;
			e->delta = (intptr_t)m->va - (intptr_t)m->iova;
			e->gen = gen;
			return m->va + (iova - m->iova);
		}
	}
	return NULL;
}

/* A DMA the IOMMU refused: what a real IOMMU reports (DMAR fault) plus
 * the queue that did it.  The caller stops the queue. */
void sim_iommu_fault(struct sim_port *p, const char *what, unsigned q, uint64_t iova, uint64_t len)
{
	atomic_fetch_add(&faults, 1);
	stat_add(&p->st.iommu_faults, 1);
	sim_violation_add(p, "IOMMU fault: %s queue %u DMA to IOVA 0x%llx (+%llu bytes) is not mapped; queue stopped",
	                  what, q, (unsigned long long)iova, (unsigned long long)len);
}

uint64_t sim_iommu_faults(void)
{
	return atomic_load(&faults);
}
