/* link.c -- the out-of-line parts of a link (see link.h for the contract). */
#include "link.h"

#include <stdlib.h>
#include <string.h>

size_t link_bytes(uint32_t size)
{
	size_t bytes = sizeof(struct link) + size * sizeof(struct packet *);
	return (bytes + 63) & ~(size_t)63;
}

struct link *link_init_at(void *mem, uint32_t size)
{
	if (size < 2 || (size & (size - 1)) || ((uintptr_t)mem & 63))
		return NULL;
	struct link *l = mem;
	memset(l, 0, link_bytes(size));
	l->size = size;
	l->mask = size - 1;
	return l;
}

struct link *link_new(uint32_t size)
{
	if (size < 2 || (size & (size - 1)))
		return NULL;
	struct link *l = aligned_alloc(64, link_bytes(size));
	return l ? link_init_at(l, size) : NULL;
}

void link_free(struct link *l)
{
	if (!l)
		return;
	link_drain(l);   /* a link never leaks */
	free(l);
}

/* Copy n packet pointers and return the sum of their lengths (txbytes).
 * One contiguous run of the ring at a time: no index masking per packet,
 * and local pointers the compiler need not reload after each store (the
 * build uses -fno-strict-aliasing). */
static inline uint64_t copy_counting(struct packet **restrict dst,
                                     struct packet *const *restrict src, uint32_t n)
{
	uint64_t bytes = 0;
#pragma GCC unroll 4
	for (uint32_t i = 0; i < n; i++) {
		struct packet *p = src[i];
		dst[i] = p;
		bytes += p->length;
	}
	return bytes;
}

/* The consumer's copy: pointers only, no packet is touched. */
static inline void copy_pointers(struct packet **restrict dst, struct packet *const *restrict src,
                                 uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		dst[i] = src[i];
}

uint32_t link_transmit_batch(struct link *l, struct packet **pkts, uint32_t n)
{
	uint32_t room = link_nwritable(l);
	if (room < n) {
		l->read_cache = __atomic_load_n(&l->read, __ATOMIC_ACQUIRE);
		room = l->size - (l->write - l->read_cache);
	}
	uint32_t k = n < room ? n : room;
	uint32_t w = l->write, at = w & l->mask;
	/* Up to the end of the ring, then from its start. */
	uint32_t first = l->size - at < k ? l->size - at : k;
	uint64_t bytes = copy_counting(&l->ring[at], pkts, first);
	bytes += copy_counting(&l->ring[0], pkts + first, k - first);
	l->txpackets += k;
	l->txbytes += bytes;
	__atomic_store_n(&l->write, w + k, __ATOMIC_RELEASE);
	/* What does not fit is dropped and counted, never left dangling. */
	for (uint32_t i = k; i < n; i++)
		packet_free(pkts[i]);
	l->txdrop += n - k;
	return k;
}

uint32_t link_receive_batch(struct link *l, struct packet **out, uint32_t max)
{
	uint32_t avail = l->write_cache - l->read;
	if (avail < max) {
		l->write_cache = __atomic_load_n(&l->write, __ATOMIC_ACQUIRE);
		avail = l->write_cache - l->read;
	}
	uint32_t k = max < avail ? max : avail;
	uint32_t r = l->read, at = r & l->mask;
	uint32_t first = l->size - at < k ? l->size - at : k;
	copy_pointers(out, &l->ring[at], first);
	copy_pointers(out + first, &l->ring[0], k - first);
	l->rxpackets += k;
	__atomic_store_n(&l->read, r + k, __ATOMIC_RELEASE);
	return k;
}

uint32_t link_drain(struct link *l)
{
	uint32_t n = 0;
	while (l->read != l->write) {
		struct packet *p = l->ring[l->read & l->mask];
		l->drained_bytes += p->length;
		packet_free(p);
		__atomic_store_n(&l->read, l->read + 1, __ATOMIC_RELEASE);
		n++;
	}
	l->drained += n;
	return n;
}

void link_get_counters(const struct link *l, struct link_counters *c)
{
	c->txpackets = l->txpackets;
	c->txbytes = l->txbytes;
	c->txdrop = l->txdrop;
	c->rxpackets = l->rxpackets;
	uint64_t in_ring = 0;
	for (uint32_t i = l->read; i != l->write; i++)
		in_ring += l->ring[i & l->mask]->length;
	c->rxbytes = l->txbytes - in_ring - l->drained_bytes;
}
