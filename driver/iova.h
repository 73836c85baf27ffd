/* iova.h -- choosing I/O virtual addresses inside an IOMMU's usable ranges.
 *
 * An IOMMU does not accept every IOVA: its address width (39 bits on many
 * client platforms, 48 on servers) and reserved windows (the MSI doorbell
 * at 0xfee00000 on x86) leave a few usable ranges, which VFIO reports
 * (VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE).  So kvick never assumes
 * IOVA = virtual address: it hands out IOVAs from those ranges with a bump
 * allocator.  DMA memory is never freed before shutdown (core/memory.h), so
 * a bump allocator that never reuses space is all we need.
 *
 * The first `align` bytes of IOVA space are never handed out: a driver bug
 * that programs IOVA 0 then faults instead of reaching real memory.
 */
#ifndef KVICK_IOVA_H
#define KVICK_IOVA_H

#include <stdint.h>

#define IOVA_MAX_RANGES 16

struct iova_range {
	uint64_t start, end;   /* inclusive, as VFIO reports them */
};

struct iova_space {
	struct iova_range range[IOVA_MAX_RANGES];
	int nranges;
	int cur;               /* range we are allocating from */
	uint64_t next;         /* first free IOVA in range[cur] */
};

/* Ranges are copied (at most IOVA_MAX_RANGES, sorted by start). */
void iova_space_init(struct iova_space *s, const struct iova_range *r, int n);

/* Find len bytes aligned to align (a power of two) inside one usable range.
 * 0 and *iova set, or -ENOSPC when no range has room. */
int iova_alloc(struct iova_space *s, uint64_t len, uint64_t align, uint64_t *iova);

/* Is [iova, iova+len) inside one usable range? */
int iova_in_ranges(const struct iova_space *s, uint64_t iova, uint64_t len);

#endif
