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

struct freelist_stack freelist_stack;

static struct {
	uint64_t allocated;
	uint64_t limit;
	uint64_t exhausted;
	uint8_t **chunks;
	uint64_t nchunks;
} F = { .limit = DEFAULT_LIMIT };

#ifdef KVICK_TEST_BUILD
void packet_check_fail(const struct packet *p)
{
	log_error("packet %p freed twice", (const void *)p);
	abort();
}
#endif

void freelist_set_limit(uint64_t max_packets)
{
	if (max_packets < F.allocated)
		max_packets = F.allocated;
	/* The stack and the chunk list are sized for the limit when the first
	 * chunk is made: a larger limit later must grow them too. */
	if (freelist_stack.slot && max_packets > F.limit) {
		struct packet **slot = realloc(freelist_stack.slot, max_packets * sizeof *slot);
		if (!slot) {
			log_error("cannot raise the packet limit to %llu: out of memory",
			          (unsigned long long)max_packets);
			return;
		}
		freelist_stack.slot = slot;
		uint8_t **chunks = realloc(F.chunks, (max_packets / CHUNK_PACKETS + 1) * sizeof *chunks);
		if (!chunks) {
			log_error("cannot raise the packet limit to %llu: out of memory",
			          (unsigned long long)max_packets);
			return;
		}
		F.chunks = chunks;
	}
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
	if (!freelist_stack.slot) {
		freelist_stack.slot = malloc(F.limit * sizeof *freelist_stack.slot);
		F.chunks = malloc((F.limit / CHUNK_PACKETS + 1) * sizeof *F.chunks);
		if (!freelist_stack.slot || !F.chunks) {
			free(freelist_stack.slot);
			free(F.chunks);
			freelist_stack.slot = NULL;
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
		packet_mark_free(p);
		freelist_stack.slot[freelist_stack.n++] = p;
	}
	F.allocated += CHUNK_PACKETS;
	return 0;
}

int freelist_prime(void)
{
	if (F.allocated)
		return 0;
	return grow();
}

struct packet *packet_alloc_slow(void)
{
	if (grow() < 0) {
		F.exhausted++;
		log_once(LOG_WARN, "out of packets: all %llu in use (limit %llu); further "
		         "allocation failures are counted, not logged",
		         (unsigned long long)F.allocated, (unsigned long long)F.limit);
		return NULL;
	}
	return packet_alloc();
}

unsigned packet_alloc_batch(struct packet **out, unsigned n)
{
	/* Fast path: the stack holds enough, take n pointers off its top in one
	 * go; only when it runs short fall back to packet_alloc() (which grows it). */
	if (__builtin_expect(freelist_stack.n >= n, 1)) {
		struct packet **top = &freelist_stack.slot[freelist_stack.n - n];
		for (unsigned i = 0; i < n; i++) {
			struct packet *p = top[n - 1 - i];   /* LIFO order, like packet_alloc() */
			packet_mark_used(p);
			packet_reset(p);
			out[i] = p;
		}
		freelist_stack.n -= n;
		return n;
	}
	unsigned i;
	for (i = 0; i < n; i++) {
		out[i] = packet_alloc();
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
	memcpy(&freelist_stack.slot[freelist_stack.n], pkts, n * sizeof(*pkts));
	freelist_stack.n += n;
#endif
}

void freelist_stats(struct freelist_stats *out)
{
	out->allocated = F.allocated;
	out->free = freelist_stack.n;
	out->max = F.limit;
	out->exhausted = F.exhausted;
}

uint64_t freelist_outstanding(void)
{
	return F.allocated - freelist_stack.n;
}

void freelist_shutdown(void)
{
	if (freelist_outstanding())
		log_warn("%llu packets were not returned to the freelist",
		         (unsigned long long)freelist_outstanding());
	free(freelist_stack.slot);
	free(F.chunks);
	uint64_t limit = F.limit;
	F = (typeof(F)){ .limit = limit };
	freelist_stack = (struct freelist_stack){ 0 };
}
