/* packet.h -- one buffer per packet, and the freelist that owns free ones.
 *
 * Invariants (the rest of kvick relies on them):
 *  - A packet is always in exactly one place: the freelist, a link slot,
 *    an app's hands, or a NIC descriptor.  Whoever holds it must pass it on
 *    or give it back with packet_free().  Nothing is ever dropped silently:
 *    a holder that throws a packet away counts why.
 *  - One buffer per packet, no chaining.  The frame starts at
 *    data + headroom and is `length` bytes long.  Headers can be prepended
 *    (packet_prepend) or stripped (packet_shift) without touching the payload.
 *  - Every packet lives in DMA memory (core/memory.h) and never crosses a
 *    hugepage boundary, so `iova` (cached at creation, refreshed when an
 *    IOMMU mapping is installed) is valid for the whole buffer.
 *
 * The freelist is a per-process stack with no locks: allocation and free
 * are a load, a store and a counter update.  Running out is not a crash:
 * packet_alloc() returns NULL, the event is counted and logged once.
 */
#ifndef KVICK_PACKET_H
#define KVICK_PACKET_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PACKET_SIZE       10240u /* whole struct: header + data */
#define PACKET_HEADER     64u    /* one cache line of metadata */
#define PACKET_DATA_SIZE  (PACKET_SIZE - PACKET_HEADER)
#define PACKET_HEADROOM   256u   /* default room for prepending headers */
/* Largest frame we accept: 9,000-byte MTU + Ethernet, two VLAN tags, FCS,
 * rounded to 9 KiB so a NIC can be told "buffers are 9 KiB" (82599
 * SRRCTL.BSIZEPACKET counts in 1 KiB units, §8.2.3.8.7). */
#define PACKET_MAX_FRAME  9216u
/* Room a NIC may write into at the default headroom. */
#define PACKET_DMA_ROOM   (PACKET_DATA_SIZE - PACKET_HEADROOM)

struct packet {
	uint64_t iova;       /* IOVA of data[0]; see packet_dma_addr() */
	uint16_t length;     /* frame length in bytes */
	uint16_t headroom;   /* frame starts at data + headroom */
	uint16_t flags;      /* PACKET_F_* */
	uint16_t csum_start; /* offload metadata (kernel I/O apps), see flags */
	uint16_t csum_offset;
	uint16_t gso_size;
	uint8_t  gso_type;
	uint8_t  pad0[3];
	uint64_t timestamp_ns; /* with PACKET_F_TIMESTAMP: capture time (0 is a time) */
	uint32_t orig_length;  /* with PACKET_F_SNAPPED: length on the wire (> length) */
	uint8_t  pad1[PACKET_HEADER - 36];
	uint8_t  data[PACKET_DATA_SIZE];
};

/* Offload state carried with a frame received from the kernel: the
 * checksum at csum_start+csum_offset is not yet computed, and/or the frame
 * is a GSO super-frame to be segmented in gso_size pieces. */
#define PACKET_F_CSUM_PARTIAL 0x1
#define PACKET_F_GSO          0x2
/* timestamp_ns holds the frame's capture time (a pcap record's, the
 * kernel's); without it the time is unknown, so 0 can be a real time. */
#define PACKET_F_TIMESTAMP    0x4
/* The frame was cut short (a pcap record with incl_len < orig_len, or one
 * longer than PACKET_MAX_FRAME): orig_length says how long it was. */
#define PACKET_F_SNAPPED      0x8

static_assert(sizeof(struct packet) == PACKET_SIZE, "packet is PACKET_SIZE bytes");
static_assert(offsetof(struct packet, data) == PACKET_HEADER, "metadata is one cache line");
static_assert(PACKET_HEADROOM + PACKET_MAX_FRAME <= PACKET_DATA_SIZE, "jumbo frame fits");
static_assert(PACKET_SIZE % 64 == 0, "packets are cache-line aligned");

static inline uint8_t *packet_data(struct packet *p) { return p->data + p->headroom; }

/* The frame's length on the wire: orig_length for a snapped frame. */
static inline uint32_t packet_wire_length(const struct packet *p)
{
	return (p->flags & PACKET_F_SNAPPED) ? p->orig_length : p->length;
}

static inline void packet_set_timestamp(struct packet *p, uint64_t ns)
{
	p->timestamp_ns = ns;
	p->flags |= PACKET_F_TIMESTAMP;
}

/* Bus address a device should DMA the frame to/from. */
static inline uint64_t packet_dma_addr(const struct packet *p) { return p->iova + p->headroom; }

/* Make room for n more bytes in front of the frame.  Returns the new
 * start, or NULL (nothing changed) if the headroom is too small. */
static inline uint8_t *packet_prepend(struct packet *p, uint16_t n)
{
	if (n > p->headroom)
		return NULL;
	p->headroom -= n;
	p->length += n;
	if (p->flags & PACKET_F_SNAPPED)
		p->orig_length += n;   /* the frame on the wire grew too */
	return packet_data(p);
}

/* Strip n bytes from the front of the frame (n <= length). */
static inline void packet_shift(struct packet *p, uint16_t n)
{
	assert(n <= p->length);
	p->headroom += n;
	p->length -= n;
	if (p->flags & PACKET_F_SNAPPED)
		p->orig_length -= n;
}

/* Reset a packet to "empty, default headroom, no offload state": the 24
 * bytes from length to timestamp_ns in three 8-byte stores. */
static inline void packet_reset(struct packet *p)
{
	static_assert(offsetof(struct packet, timestamp_ns) + 8 - offsetof(struct packet, length) == 24,
	              "metadata between iova and pad1 is 24 bytes");
	static const struct {
		uint16_t length, headroom, flags, csum_start, csum_offset, gso_size;
		uint8_t gso_type, pad0[3];
		uint64_t timestamp_ns;
	} fresh = { 0, PACKET_HEADROOM, 0, 0, 0, 0, 0, { 0 }, 0 };
	static_assert(sizeof fresh == 24, "template matches the metadata");
#ifdef KVICK_TEST_BUILD
	uint8_t mark = p->pad0[0];   /* the freelist's mark survives a reset */
	memcpy(&p->length, &fresh, 24);
	p->pad0[0] = mark;
#else
	memcpy(&p->length, &fresh, 24);
#endif
}

/* ---- freelist ---- */

struct freelist_stats {
	uint64_t allocated;  /* packets created so far (all in DMA memory) */
	uint64_t free;       /* packets on the freelist now */
	uint64_t max;        /* limit on packets created */
	uint64_t exhausted;  /* times packet_alloc() found nothing */
};

/* Set the most packets the process may create (default 65536); packets are
 * created on demand, one 2 MB chunk (203 packets) at a time. */
void freelist_set_limit(uint64_t max_packets);

/* Create the first chunk now, so a run that could never get a packet
 * (no hugepages reserved) fails at start, not by waiting forever.
 * 0, or -1 (the reason is logged). */
int freelist_prime(void);

/* The stack itself, public only for the inline fast paths below: a pop or
 * a push each.  Everything else lives in packet.c. */
struct freelist_stack {
	struct packet **slot;
	uint64_t n;          /* packets on the stack */
	/* The packets this process owns: [own_base, own_base + own_len).  One
	 * process: everything.  A worker (core/workers.h): its own pool; a
	 * packet of another worker's pool goes home (packet_free_foreign). */
	uintptr_t own_base, own_len;
	unsigned pending;    /* returns written but not yet published */
};
extern struct freelist_stack freelist_stack;

static inline int packet_is_own(const struct packet *p)
{
	return (uintptr_t)p - freelist_stack.own_base < freelist_stack.own_len;
}

/* Out of line: a packet of another worker's pool is put in the return ring
 * to its owner (published in batches; freelist_flush() publishes the rest). */
void packet_free_foreign(struct packet *p);
void freelist_flush(void);

/* Out of line: grow the pool by a chunk, or count the exhaustion. */
struct packet *packet_alloc_slow(void);

/* The test build marks free packets, so a double free or a use of a
 * free packet aborts the test at once (packet.c: packet_check_fail). */
#ifdef KVICK_TEST_BUILD
#define PACKET_FREE_MARK 0xF5
void packet_check_fail(const struct packet *p);
static inline void packet_mark_free(struct packet *p)
{
	if (p->pad0[0] == PACKET_FREE_MARK)
		packet_check_fail(p);
	p->pad0[0] = PACKET_FREE_MARK;
}
static inline void packet_mark_used(struct packet *p) { p->pad0[0] = 0; }
#else
static inline void packet_mark_free(struct packet *p) { (void)p; }
static inline void packet_mark_used(struct packet *p) { (void)p; }
#endif

/* A fresh packet (length 0, default headroom), or NULL when exhausted:
 * the caller counts its own drop. */
static inline struct packet *packet_alloc(void)
{
	if (__builtin_expect(freelist_stack.n == 0, 0))
		return packet_alloc_slow();
	struct packet *p = freelist_stack.slot[--freelist_stack.n];
	packet_mark_used(p);
	packet_reset(p);
	return p;
}

static inline void packet_free(struct packet *p)
{
	packet_mark_free(p);
	if (__builtin_expect(!packet_is_own(p), 0)) {
		packet_free_foreign(p);
		return;
	}
	freelist_stack.slot[freelist_stack.n++] = p;
}

/* Allocate up to n packets into out[]; returns how many (short when
 * exhausted).  Free n packets. */
unsigned packet_alloc_batch(struct packet **out, unsigned n);
void packet_free_batch(struct packet **pkts, unsigned n);

/* Copy a frame of len bytes in 64-byte steps: a short frame costs a few
 * inline vector moves instead of a library call.  It may read and write up
 * to 63 bytes past len, so both buffers need that much slack: packet data
 * areas have it whenever headroom + len + 64 <= PACKET_DATA_SIZE. */
#define PACKET_COPY_SLACK 64u
static inline void packet_copy_frame(uint8_t *dst, const uint8_t *src, uint32_t len)
{
	uint32_t off = 0;
	do {
		__builtin_memcpy(dst + off, src + off, 64);
		off += 64;
	} while (off < len);
}

/* A new packet holding a copy of p's frame and metadata (NULL when
 * exhausted). */
static inline struct packet *packet_clone(const struct packet *p)
{
	struct packet *c = packet_alloc();
	if (!c)
		return NULL;
	/* Everything from length to timestamp_ns in one 24-byte move (the
	 * clone keeps its own iova). */
	static_assert(offsetof(struct packet, timestamp_ns) + 8 - offsetof(struct packet, length) == 24,
	              "clone copies the metadata between iova and pad1");
	memcpy(&c->length, &p->length, 24);
	c->orig_length = p->orig_length;   /* meaningful with PACKET_F_SNAPPED */
	uint32_t len = c->length, room = c->headroom;
	if (room + len + PACKET_COPY_SLACK <= PACKET_DATA_SIZE)
		packet_copy_frame(c->data + room, p->data + room, len);
	else
		memcpy(c->data + room, p->data + room, len);
	return c;
}

void freelist_stats(struct freelist_stats *out);
/* Number of packets created that are not on the freelist (for leak checks). */
uint64_t freelist_outstanding(void);
/* Release all packet memory (only when no packet is outstanding). */
void freelist_shutdown(void);

/* ---- worker pools (core/workers.h) ----
 *
 * With workers, each worker process owns one pool of packets in memory
 * every worker maps at the same address (created before the fork).  Its
 * freelist is its own, lock-free, exactly as above.  A packet freed on
 * another worker goes into a single-producer single-consumer return ring
 * from that worker to the owner (one per ordered pair, each as large as a
 * pool, so it never fills); the owner takes its packets back when its
 * stack runs empty.  A pool never grows after the fork. */
struct freelist_pools;
/* Bytes of shared memory freelist_pools_create() needs for the rings. */
size_t freelist_pools_bytes(int nworkers, uint64_t packets_each);
/* Before forking: `nworkers` pools of at least `packets_each` packets, pool
 * i on NUMA node nodes[i] (-1: any), all in shared memory; the return
 * rings in `mem` (shared, freelist_pools_bytes() long).  0 or -1 (logged). */
int freelist_pools_create(struct freelist_pools *mem, int nworkers, uint64_t packets_each,
                          const int *nodes);
/* In worker `w` after the fork: its pool becomes this process's freelist. */
int freelist_pools_join(struct freelist_pools *pools, int w);
/* In the worker at its end: take back returned packets, publish pending
 * returns and record this worker's count (for freelist_pools_census). */
void freelist_pools_leave(void);
/* After every worker has ended (supervisor): packets per pool, free ones
 * (on a freelist or in a return ring home), and exhaustion counts.
 * left[w] false: worker w never recorded its count (it died). */
struct pools_census {
	uint64_t allocated, free, exhausted;
	uint64_t in_rings;     /* of free: still in return rings */
	int unknown;           /* pools whose worker died: not counted */
};
void freelist_pools_census(const struct freelist_pools *pools, struct pools_census *c);

#endif
