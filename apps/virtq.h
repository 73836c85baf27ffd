/* virtq.h -- a guest's memory and its split virtqueues, seen from the
 * device side (the vhost_user app is the virtio-net "device").
 *
 * Guest memory arrives as up to VHOST_MAX_REGIONS regions (vhost-user
 * SET_MEM_TABLE), each a file descriptor we map.  A region has three
 * addresses: the guest-physical one (what descriptors hold), the
 * frontend's own virtual one (what SET_VRING_ADDR holds: QEMU's address
 * of the ring) and ours (where we mapped it).
 *
 * A split virtqueue (virtio 1.1 section 2.6) is three areas in guest
 * memory: the descriptor table, the available ring (the driver -- the
 * guest -- offers chains of descriptors) and the used ring (we give
 * them back).  Our indexes are free-running 16-bit counters, masked by
 * num - 1 (num is a power of two).
 *
 * The guest is untrusted and runs concurrently.  Every index read from
 * guest memory is read once into a local and checked (an available index
 * more than num ahead of ours, a head or next index >= num, a chain
 * longer than num descriptors -- a loop --, an address outside the memory
 * table, the wrong direction flag, an indirect descriptor we never
 * offered).  The first such error stops the queue: q->broken says why,
 * nothing more is read from or written to that ring until it is set up
 * again.  A bad *frame* (too long, shorter than its header) is not a ring
 * error: the chain is given back unused and the frame counted as dropped.
 *
 * Single-threaded: one app's engine thread calls everything here.
 */
#ifndef KVICK_APPS_VIRTQ_H
#define KVICK_APPS_VIRTQ_H

#include <linux/virtio_ring.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/packet.h"

#define VHOST_MAX_REGIONS 8
#define VIRTQ_MAX_SIZE    32768u   /* largest split ring (virtio 1.1 2.6) */

struct vhost_region {
	uint64_t gpa;      /* guest-physical start */
	uint64_t size;     /* bytes */
	uint64_t uva;      /* the frontend's virtual address of gpa */
	uint8_t *host;     /* our address of gpa */
	void *map;         /* the whole mmap (from file offset 0), for munmap */
	size_t map_len;
};

struct vhost_mem {
	unsigned n;
	struct vhost_region r[VHOST_MAX_REGIONS];
};

/* Our address of guest-physical gpa and, in *avail, how many of the len
 * bytes from there lie in the same region (a buffer may straddle two
 * adjacent regions: the caller goes on at gpa + *avail).  NULL if gpa is
 * in no region. */
uint8_t *vhost_mem_gpa(const struct vhost_mem *m, uint64_t gpa, uint32_t len, uint32_t *avail);

/* Our address of the frontend's virtual address [uva, uva + len), which
 * must lie in one region (rings do); NULL otherwise. */
uint8_t *vhost_mem_uva(const struct vhost_mem *m, uint64_t uva, uint64_t len);

/* Drops counted by the data path (pointers into the app's counters). */
struct virtq_counters {
	uint64_t *drop_toolong;   /* guest frame > PACKET_MAX_FRAME */
	uint64_t *drop_short;     /* guest chain shorter than the virtio-net header */
	uint64_t *drop_toobig;    /* kvick frame larger than the guest's buffers */
	uint64_t *notifies;       /* interrupts sent (call eventfd written) */
};

struct virtq {
	/* set up by the caller before virtq_start() */
	uint16_t num;          /* ring size, a power of two <= VIRTQ_MAX_SIZE */
	uint16_t last_avail;   /* next available entry we take (SET_VRING_BASE) */
	uint32_t hdr_len;      /* virtio-net header: 12 (VERSION_1/MRG_RXBUF) or 10 */
	bool mrg_rxbuf;        /* VIRTIO_NET_F_MRG_RXBUF: a frame may use several chains */
	bool event_idx;        /* VIRTIO_RING_F_EVENT_IDX */
	int callfd;            /* eventfd to interrupt the guest; -1: never */
	const struct vhost_mem *mem;
	struct virtq_counters c;
	/* ours */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t used_idx;        /* next used entry we fill */
	uint16_t signalled_used;  /* used_idx when we last decided to notify */
	bool ready;               /* started, not broken */
	char broken[160];         /* "" or why the queue stopped */
};

/* Translate the three ring areas (frontend virtual addresses, as in
 * SET_VRING_ADDR) and start the queue.  0, or -1 with q->broken set. */
int virtq_start(struct virtq *q, uint64_t desc_uva, uint64_t avail_uva, uint64_t used_uva);

/* Guest transmit queue -> kvick: up to max frames into new packets out[].
 * Returns how many.  Each chain taken is given back (used ring) at once;
 * the used index is published once per call, then the guest is notified
 * if it asked to be. */
unsigned virtq_dequeue(struct virtq *q, struct packet **out, unsigned max);

/* kvick -> guest receive queue: copies pkts[0..n) into the guest's
 * buffers, in order, stopping at the first that does not fit the buffers
 * on offer now.  Returns how many were delivered or dropped (counted in
 * drop_toobig: larger than the guest could ever take); the caller frees
 * those and keeps the rest for later.  *bytes gets the bytes delivered. */
unsigned virtq_enqueue(struct virtq *q, struct packet **pkts, unsigned n, uint64_t *bytes);

#endif
