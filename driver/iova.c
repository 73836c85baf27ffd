/* iova.c -- bump allocation of IOVAs inside usable ranges (see iova.h). */
#include "iova.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int cmp_range(const void *a, const void *b)
{
	const struct iova_range *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

void iova_space_init(struct iova_space *s, const struct iova_range *r, int n)
{
	memset(s, 0, sizeof *s);
	if (n > IOVA_MAX_RANGES)
		n = IOVA_MAX_RANGES;
	for (int i = 0; i < n; i++)
		if (r[i].end >= r[i].start)
			s->range[s->nranges++] = r[i];
	qsort(s->range, s->nranges, sizeof s->range[0], cmp_range);
	s->next = s->nranges ? s->range[0].start : 0;
}

/* First aligned address >= from inside range r with room for len, or
 * UINT64_MAX.  Written to survive ranges that end at 2^64-1. */
static uint64_t fit(const struct iova_range *r, uint64_t from, uint64_t len, uint64_t align)
{
	uint64_t a = from < r->start ? r->start : from;
	if (a < align)
		a = align;                        /* keep IOVA page 0 unmapped */
	if (a > UINT64_MAX - (align - 1))
		return UINT64_MAX;
	a = (a + align - 1) & ~(align - 1);
	if (len == 0 || a > r->end || r->end - a < len - 1)
		return UINT64_MAX;
	return a;
}

int iova_alloc(struct iova_space *s, uint64_t len, uint64_t align, uint64_t *iova)
{
	if (align == 0 || (align & (align - 1)))
		return -EINVAL;
	/* Try the current range from the cursor, then the later ones from
	 * their start.  A request that fits nowhere changes nothing, so a
	 * smaller one can still use the room left in the current range. */
	for (int i = s->cur; i < s->nranges; i++) {
		uint64_t from = i == s->cur ? s->next : s->range[i].start;
		uint64_t a = fit(&s->range[i], from, len, align);
		if (a == UINT64_MAX)
			continue;
		*iova = a;
		s->cur = i;
		s->next = a + len;
		if (s->next == 0)        /* wrapped: this range ends at 2^64-1 and is full */
			s->cur = s->nranges;
		return 0;
	}
	return -ENOSPC;
}

int iova_in_ranges(const struct iova_space *s, uint64_t iova, uint64_t len)
{
	if (len == 0 || iova > UINT64_MAX - (len - 1))
		return 0;
	for (int i = 0; i < s->nranges; i++)
		if (iova >= s->range[i].start && iova + (len - 1) <= s->range[i].end)
			return 1;
	return 0;
}
