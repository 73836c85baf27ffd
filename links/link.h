/* link.h -- a single-producer single-consumer ring of packet pointers.
 *
 * Contract:
 *  - Exactly one producer (the app whose output port it is) calls
 *    link_transmit*, and exactly one consumer calls link_receive*.  They may
 *    run on different threads; no locks are needed because each index is
 *    written by one side only.
 *  - `write` and `read` are free-running 32-bit counters; the slot is
 *    index & (size - 1).  The ring holds at most `size` packets
 *    (write - read <= size), so no slot is wasted.
 *  - The producer's and the consumer's fields live on separate cache lines,
 *    so the two sides do not bounce a line on every packet.
 *  - Transmitting to a full link frees the packet and counts txdrop:
 *    the packet is accounted for, never lost silently.
 *  - Byte counters: the producer sums txbytes as it enqueues (it has just
 *    touched the packets).  The consumer does not read every packet's
 *    length just to count: rxbytes is derived when counters are read, as
 *    txbytes minus the bytes still in the ring and the bytes drained at
 *    shutdown.  So link_get_counters() must run on the consumer's thread or
 *    while the link is quiet (the engine reads all links from its own
 *    thread, which runs both ends).
 *
 * Ordering: the producer fills a slot, then publishes `write` with release
 * semantics; the consumer reads `write` with acquire semantics before it
 * reads the slot.  On x86 both are plain moves; the annotations keep the
 * compiler (and weaker CPUs) honest.
 */
#ifndef KVICK_LINK_H
#define KVICK_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/packet.h"

#define LINK_DEFAULT_SIZE 1024u
#define LINK_MAX_BATCH    128u   /* the engine's array size */

struct link_counters {
	uint64_t txpackets, txbytes, txdrop, rxpackets, rxbytes;
};

struct link {
	/* consumer side */
	_Alignas(64) uint32_t read;
	uint32_t write_cache;      /* consumer's last view of write */
	uint64_t rxpackets;
	uint64_t drained, drained_bytes; /* freed by link_drain(), not received */
	/* producer side */
	_Alignas(64) uint32_t write;
	uint32_t read_cache;       /* producer's last view of read */
	uint64_t txpackets, txbytes, txdrop;
	/* read-only after creation */
	_Alignas(64) uint32_t size;  /* a power of two */
	uint32_t mask;
	struct packet *ring[];       /* size slots */
};

/* A new empty link with `size` slots (a power of two, >= 2), in ordinary
 * memory; NULL on a bad size or no memory.  link_free() frees any packets
 * still inside it (they are counted as freed, never leaked). */
struct link *link_new(uint32_t size);
void link_free(struct link *l);

/* The same link in memory the caller provides (64-byte aligned,
 * link_bytes(size) long): a shared-memory link between workers is this,
 * in memory both processes map (core/workers.h).  Never link_free() it. */
size_t link_bytes(uint32_t size);
struct link *link_init_at(void *mem, uint32_t size);

static inline uint32_t link_count(const struct link *l)
{
	return __atomic_load_n(&l->write, __ATOMIC_ACQUIRE) -
	       __atomic_load_n(&l->read, __ATOMIC_ACQUIRE);
}
static inline bool link_empty(const struct link *l) { return link_count(l) == 0; }
static inline bool link_full(const struct link *l) { return link_count(l) == l->size; }

/* Producer: free slots as far as the producer can tell right now. */
static inline uint32_t link_nwritable(struct link *l)
{
	uint32_t room = l->size - (l->write - l->read_cache);
	if (room == 0) {
		l->read_cache = __atomic_load_n(&l->read, __ATOMIC_ACQUIRE);
		room = l->size - (l->write - l->read_cache);
	}
	return room;
}

/* Consumer: packets waiting, as far as the consumer can tell right now. */
static inline uint32_t link_nreadable(struct link *l)
{
	uint32_t avail = l->write_cache - l->read;
	if (avail == 0) {
		l->write_cache = __atomic_load_n(&l->write, __ATOMIC_ACQUIRE);
		avail = l->write_cache - l->read;
	}
	return avail;
}

/* Enqueue one packet; a full link frees it and counts txdrop. */
static inline void link_transmit(struct link *l, struct packet *p)
{
	if (link_nwritable(l) == 0) {
		l->txdrop++;
		packet_free(p);
		return;
	}
	l->ring[l->write & l->mask] = p;
	l->txpackets++;
	l->txbytes += p->length;
	__atomic_store_n(&l->write, l->write + 1, __ATOMIC_RELEASE);
}

/* Dequeue one packet, or NULL when empty. */
static inline struct packet *link_receive(struct link *l)
{
	if (link_nreadable(l) == 0)
		return NULL;
	struct packet *p = l->ring[l->read & l->mask];
	l->rxpackets++;
	__atomic_store_n(&l->read, l->read + 1, __ATOMIC_RELEASE);
	return p;
}

/* Enqueue n packets with one index update; those that do not fit are
 * freed and counted as txdrop.  Returns how many were enqueued. */
uint32_t link_transmit_batch(struct link *l, struct packet **pkts, uint32_t n);

/* Dequeue up to max packets into out[] with one index update. */
uint32_t link_receive_batch(struct link *l, struct packet **out, uint32_t max);

/* Free every packet still in the link, counting them (and their bytes) as
 * drained: used at shutdown.  Consumer side.  Returns how many. */
uint32_t link_drain(struct link *l);

/* txpackets, txbytes, txdrop, rxpackets; rxbytes derived (see above). */
void link_get_counters(const struct link *l, struct link_counters *c);

#endif
