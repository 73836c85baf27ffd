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

struct freelist_stack freelist_stack = { .own_len = UINTPTR_MAX };

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

static uint64_t pools_collect(void);

struct packet *packet_alloc_slow(void)
{
	if (pools_collect() == 0 && grow() < 0) {
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
	if (pools_collect() && freelist_stack.n >= n)
		return packet_alloc_batch(out, n);
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
	 * pointers onto the stack; a packet of another worker's pool goes home. */
	struct packet **top = &freelist_stack.slot[freelist_stack.n];
	unsigned k = 0;
	for (unsigned i = 0; i < n; i++) {
		if (__builtin_expect(packet_is_own(pkts[i]), 1))
			top[k++] = pkts[i];
		else
			packet_free_foreign(pkts[i]);
	}
	freelist_stack.n += k;
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
	freelist_stack = (struct freelist_stack){ .own_len = UINTPTR_MAX };
}

/* ---- worker pools (see packet.h) ---- */

#define POOLS_MAX     64
#define RETURN_BATCH  32u   /* returns published together: one index store */

struct return_ring {
	_Alignas(64) uint32_t write;   /* the freeing worker's */
	_Alignas(64) uint32_t read;    /* the owner's */
};

struct freelist_pools {
	int nworkers;
	uint32_t ring_size;            /* a power of two >= packets */
	uint64_t packets;              /* per pool */
	uint64_t nchunks;              /* per pool */
	struct { uintptr_t base, len; } pool[POOLS_MAX];
	struct {                       /* written by worker w as it ends */
		uint64_t free, exhausted;
		int left;
	} final[POOLS_MAX];
	_Alignas(64) struct return_ring ring[];   /* [from * nworkers + to], then the slots */
};

/* This process as a worker. */
static struct {
	struct freelist_pools *P;
	int self;
	uint32_t pend[POOLS_MAX];      /* per owner: slots written, not published */
} W = { .self = -1 };

static uint32_t ring_size_for(uint64_t packets)
{
	uint32_t n = 2;
	while (n < packets)
		n <<= 1;
	return n;
}

static uint64_t chunks_for(uint64_t packets)
{
	return (packets + CHUNK_PACKETS - 1) / CHUNK_PACKETS;
}

static struct packet **ring_slots(struct freelist_pools *P, int from, int to)
{
	uint8_t *base = (uint8_t *)&P->ring[P->nworkers * P->nworkers];
	return (struct packet **)base + (size_t)(from * P->nworkers + to) * P->ring_size;
}

size_t freelist_pools_bytes(int nworkers, uint64_t packets_each)
{
	uint64_t packets = chunks_for(packets_each) * CHUNK_PACKETS;
	size_t n = (size_t)nworkers * (size_t)nworkers;
	return sizeof(struct freelist_pools) + n * sizeof(struct return_ring) +
	       n * ring_size_for(packets) * sizeof(struct packet *);
}

int freelist_pools_create(struct freelist_pools *P, int nworkers, uint64_t packets_each,
                          const int *nodes)
{
	if (nworkers < 1 || nworkers > POOLS_MAX) {
		log_error("at most %d workers", POOLS_MAX);
		return -1;
	}
	uint64_t nchunks = chunks_for(packets_each);
	P->nworkers = nworkers;
	P->nchunks = nchunks;
	P->packets = nchunks * CHUNK_PACKETS;
	P->ring_size = ring_size_for(P->packets);
	for (int w = 0; w < nworkers; w++) {
		uint8_t *base = mem_alloc_pool(nchunks * CHUNK_BYTES, nodes ? nodes[w] : -1, true);
		if (!base)
			return -1;
		P->pool[w].base = (uintptr_t)base;
		P->pool[w].len = nchunks * CHUNK_BYTES;
		for (uint64_t c = 0; c < nchunks; c++)
			for (unsigned i = 0; i < CHUNK_PACKETS; i++) {
				struct packet *p = (struct packet *)(base + c * CHUNK_BYTES + (size_t)i * PACKET_STRIDE);
				p->iova = mem_iova(p->data);
				packet_mark_free(p);
			}
	}
	return 0;
}

int freelist_pools_join(struct freelist_pools *P, int w)
{
	if (F.allocated || freelist_stack.slot) {
		log_error("a worker's freelist must start empty");
		return -1;
	}
	freelist_stack.slot = malloc(P->packets * sizeof *freelist_stack.slot);
	F.chunks = malloc(P->nchunks * sizeof *F.chunks);
	if (!freelist_stack.slot || !F.chunks)
		return -1;
	uint8_t *base = (uint8_t *)P->pool[w].base;
	for (uint64_t c = 0; c < P->nchunks; c++) {
		F.chunks[F.nchunks++] = base + c * CHUNK_BYTES;
		for (unsigned i = 0; i < CHUNK_PACKETS; i++)
			freelist_stack.slot[freelist_stack.n++] =
				(struct packet *)(base + c * CHUNK_BYTES + (size_t)i * PACKET_STRIDE);
	}
	F.allocated = F.limit = P->packets;   /* never grows: the pool is what every worker maps */
	freelist_stack.own_base = P->pool[w].base;
	freelist_stack.own_len = P->pool[w].len;
	mem_on_remap(refresh_iovas, NULL);
	W.P = P;
	W.self = w;
	return 0;
}

static void publish_returns(int owner)
{
	struct return_ring *r = &W.P->ring[W.self * W.P->nworkers + owner];
	__atomic_store_n(&r->write, r->write + W.pend[owner], __ATOMIC_RELEASE);
	W.pend[owner] = 0;
}

void packet_free_foreign(struct packet *p)
{
	struct freelist_pools *P = W.P;
	int owner = -1;
	for (int w = 0; P && w < P->nworkers && owner < 0; w++)
		if ((uintptr_t)p - P->pool[w].base < P->pool[w].len)
			owner = w;
	if (owner < 0) {
		/* Not in any pool: cannot happen unless memory is corrupt. */
		log_once(LOG_ERROR, "packet %p belongs to no worker's pool: not freed", (void *)p);
		return;
	}
	/* The ring is as large as the owner's pool, so it is never full. */
	struct return_ring *r = &P->ring[W.self * P->nworkers + owner];
	ring_slots(P, W.self, owner)[(r->write + W.pend[owner]) & (P->ring_size - 1)] = p;
	if (++W.pend[owner] >= RETURN_BATCH)
		publish_returns(owner);
	else
		freelist_stack.pending = 1;
}

void freelist_flush(void)
{
	for (int o = 0; W.P && o < W.P->nworkers; o++)
		if (W.pend[o])
			publish_returns(o);
	freelist_stack.pending = 0;
}

/* The owner takes back what other workers returned; how many. */
static uint64_t pools_collect(void)
{
	struct freelist_pools *P = W.P;
	if (!P)
		return 0;
	uint64_t got = 0;
	for (int f = 0; f < P->nworkers; f++) {
		if (f == W.self)
			continue;
		struct return_ring *r = &P->ring[f * P->nworkers + W.self];
		uint32_t w = __atomic_load_n(&r->write, __ATOMIC_ACQUIRE), rd = r->read;
		struct packet **slots = ring_slots(P, f, W.self);
		for (; rd != w; rd++, got++)
			freelist_stack.slot[freelist_stack.n++] = slots[rd & (P->ring_size - 1)];
		__atomic_store_n(&r->read, rd, __ATOMIC_RELEASE);
	}
	return got;
}

void freelist_pools_leave(void)
{
	if (!W.P)
		return;
	pools_collect();
	freelist_flush();
	W.P->final[W.self].free = freelist_stack.n;
	W.P->final[W.self].exhausted = F.exhausted;
	__atomic_store_n(&W.P->final[W.self].left, 1, __ATOMIC_RELEASE);
}

void freelist_pools_census(const struct freelist_pools *P, struct pools_census *c)
{
	*c = (struct pools_census){ 0 };
	for (int o = 0; o < P->nworkers; o++) {
		c->allocated += P->packets;
		if (!P->final[o].left) {
			c->unknown++;
			continue;
		}
		c->free += P->final[o].free;
		c->exhausted += P->final[o].exhausted;
		for (int f = 0; f < P->nworkers; f++) {
			const struct return_ring *r = &P->ring[f * P->nworkers + o];
			uint32_t n = r->write - r->read;
			c->free += n;
			c->in_rings += n;
		}
	}
}
