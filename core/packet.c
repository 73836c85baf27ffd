/* packet.c -- the freelist: a per-process stack of free packets.
 *
 * Packets are created on demand, one 2 MB chunk (203 packets) at a time,
 * from DMA memory, so none crosses a hugepage boundary and each has an IOVA.
 * The stack is an array of pointers sized for the limit; alloc and free are
 * a push or a pop.  Only the engine thread allocates and frees (the device
 * models' threads copy into buffers the driver gave them; they never own a
 * packet).
 *
 * In the test build every packet carries an "on the freelist" mark so a
 * double free or a use of a free packet aborts the test at once.
 */
#include "packet.h"

#include <stdlib.h>

#include "log.h"
#include "memory.h"

#define CHUNK_BYTES   (2u << 20)
/* Packets are carved one cache line apart more than their size.  A packet
 * is 10240 bytes = 160 lines, a multiple of 32: laid back to back, every
 * packet header falls in one of only 2 of an L1 cache's 64 sets, so the 16
 * ways of those two sets are all a batch of 32 headers gets, and a batch
 * evicts itself (link batches read each header's length).  An odd stride
 * (161 lines) spreads headers over every set, as DPDK's mempool pads its
 * objects.  Costs one packet per 2 MB chunk (203 instead of 204). */
#define PACKET_STRIDE (PACKET_SIZE + 64u)
#define CHUNK_PACKETS (CHUNK_BYTES / PACKET_STRIDE)
#define DEFAULT_LIMIT 65536u

static struct {
	struct packet **stack;
	uint64_t nfree;
	uint64_t allocated;
	uint64_t limit;
	uint64_t exhausted;
	uint8_t **chunks;
	uint64_t nchunks;
} F = { .limit = DEFAULT_LIMIT };

#ifdef KVICK_TEST_BUILD
#define MARK_FREE(p)   ((p)->pad0[0] = 0xF5)
#define MARK_USED(p)   ((p)->pad0[0] = 0)
#define CHECK_USED(p)                                                          \
	do {                                                                       \
		if ((p)->pad0[0] == 0xF5) {                                            \
			log_error("packet %p freed twice", (void *)(p));                   \
			abort();                                                           \
		}                                                                      \
	} while (0)
#else
#define MARK_FREE(p)   ((void)0)
#define MARK_USED(p)   ((void)0)
#define CHECK_USED(p)  ((void)0)
#endif

void freelist_set_limit(uint64_t max_packets)
{
	if (max_packets < F.allocated)
		max_packets = F.allocated;
	F.limit = max_packets;
}

/* IOVAs change when an IOMMU domain is installed: refresh the cache. */
static void refresh_iovas(void *ctx)
{
	(void)ctx;
	for (uint64_t c = 0; c < F.nchunks; c++)
		for (unsigned i = 0; i < CHUNK_PACKETS; i++) {
			struct packet *p = (struct packet *)(F.chunks[c] + (size_t)i * PACKET_STRIDE);
			p->iova = mem_iova(p->data);
		}
}

static int grow(void)
{
	if (F.allocated + CHUNK_PACKETS > F.limit)
		return -1;
	if (!F.stack) {
		F.stack = malloc(F.limit * sizeof *F.stack);
		F.chunks = malloc((F.limit / CHUNK_PACKETS + 1) * sizeof *F.chunks);
		if (!F.stack || !F.chunks) {
			free(F.stack);
			free(F.chunks);
			F.stack = NULL;
			F.chunks = NULL;
			return -1;
		}
		mem_on_remap(refresh_iovas, NULL);
	}
	uint8_t *chunk = mem_alloc_dma(CHUNK_BYTES, CHUNK_BYTES);
	if (!chunk)
		return -1;
	F.chunks[F.nchunks++] = chunk;
	for (unsigned i = 0; i < CHUNK_PACKETS; i++) {
		struct packet *p = (struct packet *)(chunk + (size_t)i * PACKET_STRIDE);
		p->iova = mem_iova(p->data);
		MARK_FREE(p);
		F.stack[F.nfree++] = p;
	}
	F.allocated += CHUNK_PACKETS;
	return 0;
}

static inline struct packet *pop(void)
{
	if (__builtin_expect(F.nfree == 0, 0) && grow() < 0) {
		F.exhausted++;
		log_once(LOG_WARN, "out of packets: all %llu in use (limit %llu); further "
		         "allocation failures are counted, not logged",
		         (unsigned long long)F.allocated, (unsigned long long)F.limit);
		return NULL;
	}
	struct packet *p = F.stack[--F.nfree];
	MARK_USED(p);
	packet_reset(p);
	return p;
}

struct packet *packet_alloc(void)
{
	return pop();
}

void packet_free(struct packet *p)
{
	CHECK_USED(p);
	MARK_FREE(p);
	F.stack[F.nfree++] = p;
}

unsigned packet_alloc_batch(struct packet **out, unsigned n)
{
	/* Fast path: the stack holds enough, take n pointers off its top in one
	 * go; only when it runs short fall back to pop() (which grows it). */
	if (__builtin_expect(F.nfree >= n, 1)) {
		struct packet **top = &F.stack[F.nfree - n];
		for (unsigned i = 0; i < n; i++) {
			struct packet *p = top[n - 1 - i];   /* LIFO order, like pop() */
			MARK_USED(p);
			packet_reset(p);
			out[i] = p;
		}
		F.nfree -= n;
		return n;
	}
	unsigned i;
	for (i = 0; i < n; i++) {
		out[i] = pop();
		if (!out[i])
			break;
	}
	return i;
}

void packet_free_batch(struct packet **pkts, unsigned n)
{
#ifdef KVICK_TEST_BUILD
	for (unsigned i = 0; i < n; i++)
		packet_free(pkts[i]);
#else
	/* Without the test build's double-free marks, freeing is pushing the
	 * pointers: one copy onto the stack. */
	memcpy(&F.stack[F.nfree], pkts, n * sizeof(*pkts));
	F.nfree += n;
#endif
}

/* Copy len bytes in 32-byte steps: a short frame (the common case) costs
 * two or three inline vector moves instead of a library call.  It reads and
 * writes up to 31 bytes past the frame; the caller checks both buffers have
 * that much room left before PACKET_DATA_SIZE. */
static inline void copy_frame(uint8_t *dst, const uint8_t *src, uint16_t len)
{
	for (uint32_t off = 0; off < len; off += 32)
		__builtin_memcpy(dst + off, src + off, 32);
}

struct packet *packet_clone(const struct packet *p)
{
	struct packet *c = pop();
	if (!c)
		return NULL;
	/* Everything from length to timestamp_ns in one 24-byte move (the
	 * clone keeps its own iova). */
	static_assert(offsetof(struct packet, timestamp_ns) + 8 - offsetof(struct packet, length) == 24,
	              "clone copies the metadata between iova and pad1");
	memcpy(&c->length, &p->length, 24);
	uint16_t len = c->length, room = c->headroom;
	if (room + len + 32u <= PACKET_DATA_SIZE)
		copy_frame(c->data + room, p->data + room, len);
	else
		memcpy(c->data + room, p->data + room, len);
	return c;
}

void freelist_stats(struct freelist_stats *out)
{
	out->allocated = F.allocated;
	out->free = F.nfree;
	out->max = F.limit;
	out->exhausted = F.exhausted;
}

uint64_t freelist_outstanding(void)
{
	return F.allocated - F.nfree;
}

void freelist_shutdown(void)
{
	if (freelist_outstanding())
		log_warn("%llu packets were not returned to the freelist",
		         (unsigned long long)freelist_outstanding());
	free(F.stack);
	free(F.chunks);
	uint64_t limit = F.limit;
	F = (typeof(F)){ .limit = limit };
}
