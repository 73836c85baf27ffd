/* virtq.c -- split virtqueues over guest memory: the device's half of
 * virtio 1.1 section 2.6, with every guest-written value checked (see
 * virtq.h for the rules).
 *
 * Data path in one sentence per direction:
 *   dequeue (guest transmit): take a head from the available ring, walk
 *     its chain (device-readable descriptors only), skip the virtio-net
 *     header, copy the frame into a kvick packet, give the chain back
 *     with length 0;
 *   enqueue (guest receive): take heads from the available ring, write
 *     the header and the frame into their device-writable descriptors
 *     (with VIRTIO_NET_F_MRG_RXBUF a frame may fill several chains; the
 *     header's num_buffers says how many), give each chain back with the
 *     bytes written.
 * The used index is published once per batch; the guest is interrupted
 * only if it asked (flags or used_event).
 */
#include "virtq.h"

#include <linux/virtio_net.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int fail(struct virtq *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct virtq *q, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(q->broken, sizeof q->broken, fmt, ap);
	va_end(ap);
	q->ready = false;
	return -1;
}

/* ---- guest memory ---- */

uint8_t *vhost_mem_gpa(const struct vhost_mem *m, uint64_t gpa, uint32_t len, uint32_t *avail)
{
	for (unsigned i = 0; i < m->n; i++) {
		const struct vhost_region *r = &m->r[i];
		if (gpa < r->gpa || gpa - r->gpa >= r->size)
			continue;
		uint64_t off = gpa - r->gpa, left = r->size - off;
		*avail = left < len ? (uint32_t)left : len;
		return r->host + off;
	}
	return NULL;
}

uint8_t *vhost_mem_uva(const struct vhost_mem *m, uint64_t uva, uint64_t len)
{
	for (unsigned i = 0; i < m->n; i++) {
		const struct vhost_region *r = &m->r[i];
		if (uva < r->uva || uva - r->uva >= r->size)
			continue;
		uint64_t off = uva - r->uva;
		return len <= r->size - off ? r->host + off : NULL;
	}
	return NULL;
}

/* ---- ring areas ---- */

/* used_event lives after the available ring, avail_event after the used
 * ring (virtio 1.1 2.6.7.1 and 2.6.8). */
static volatile uint16_t *used_event(const struct virtq *q) { return &q->avail->ring[q->num]; }
static volatile uint16_t *avail_event(const struct virtq *q)
{
	return (volatile uint16_t *)&q->used->ring[q->num];
}

/* We poll, so the guest's kicks are wasted VM exits: ask for none.
 * Without EVENT_IDX that is VRING_USED_F_NO_NOTIFY; with it, the guest
 * kicks when its index passes avail_event, and one behind what we have
 * taken is a value it can only pass after 65,536 more entries, more than
 * any ring holds. */
static void suppress_kicks(struct virtq *q)
{
	if (q->event_idx)
		*avail_event(q) = (uint16_t)(q->last_avail - 1);
	else
		((volatile struct vring_used *)q->used)->flags = VRING_USED_F_NO_NOTIFY;
}

int virtq_start(struct virtq *q, uint64_t desc_uva, uint64_t avail_uva, uint64_t used_uva)
{
	q->ready = false;
	q->broken[0] = 0;
	if (q->num == 0 || q->num > VIRTQ_MAX_SIZE || (q->num & (q->num - 1)))
		return fail(q, "ring size %u is not a power of two up to %u", q->num, VIRTQ_MAX_SIZE);
	/* Sizes and alignments: virtio 1.1 2.6 table "Virtqueue Part". */
	uint64_t n = q->num;
	q->desc = (struct vring_desc *)vhost_mem_uva(q->mem, desc_uva, 16 * n);
	q->avail = (struct vring_avail *)vhost_mem_uva(q->mem, avail_uva, 6 + 2 * n);
	q->used = (struct vring_used *)vhost_mem_uva(q->mem, used_uva, 6 + 8 * n);
	if (!q->desc || !q->avail || !q->used)
		return fail(q, "ring address outside the memory table (descriptors 0x%llx, "
		            "available 0x%llx, used 0x%llx, %u entries)", (unsigned long long)desc_uva,
		            (unsigned long long)avail_uva, (unsigned long long)used_uva, q->num);
	if ((desc_uva & 15) || (avail_uva & 1) || (used_uva & 3))
		return fail(q, "misaligned ring (descriptors 0x%llx: 16, available 0x%llx: 2, "
		            "used 0x%llx: 4)", (unsigned long long)desc_uva,
		            (unsigned long long)avail_uva, (unsigned long long)used_uva);
	q->used_idx = q->signalled_used = q->last_avail;
	suppress_kicks(q);
	q->ready = true;
	return 0;
}

/* ---- walking a descriptor chain ---- */

struct cursor {
	struct virtq *q;
	uint16_t head;
	unsigned seen;        /* descriptors loaded: more than num means a loop */
	bool write;           /* the chain must be device-writable (receive) */
	uint64_t addr;        /* what is left of the current descriptor */
	uint32_t len;
	uint16_t flags, next;
};

/* Read descriptor i once (the guest may change it under us) and check it. */
static int cursor_load(struct cursor *c, uint16_t i)
{
	struct virtq *q = c->q;
	if (i >= q->num)
		return fail(q, "chain from head %u: descriptor index %u beyond the ring (%u)",
		            c->head, i, q->num);
	if (++c->seen > q->num)
		return fail(q, "chain from head %u is longer than the ring (%u descriptors): a loop",
		            c->head, q->num);
	const volatile struct vring_desc *d = &q->desc[i];
	c->addr = d->addr;
	c->len = d->len;
	c->flags = d->flags;
	c->next = d->next;
	if (c->flags & VRING_DESC_F_INDIRECT)
		return fail(q, "descriptor %u is indirect (VIRTIO_RING_F_INDIRECT_DESC was not "
		            "offered)", i);
	if (!!(c->flags & VRING_DESC_F_WRITE) != c->write)
		return fail(q, "descriptor %u is device-%s in a %s chain", i,
		            c->write ? "readable" : "writable", c->write ? "receive" : "transmit");
	return 0;
}

static int cursor_start(struct cursor *c, struct virtq *q, uint16_t head, bool write)
{
	*c = (struct cursor){ .q = q, .head = head, .write = write };
	return cursor_load(c, head);
}

/* The next piece of the chain in our memory: up to max bytes at *ptr,
 * length *got.  1, 0 at the end of the chain, -1 on a ring error. */
static int cursor_next(struct cursor *c, uint32_t max, uint8_t **ptr, uint32_t *got)
{
	while (c->len == 0) {
		if (!(c->flags & VRING_DESC_F_NEXT))
			return 0;
		if (cursor_load(c, c->next) < 0)
			return -1;
	}
	uint32_t want = c->len < max ? c->len : max;
	*ptr = vhost_mem_gpa(c->q->mem, c->addr, want, got);
	if (!*ptr)
		return fail(c->q, "chain from head %u: address 0x%llx (%u bytes) outside guest memory",
		            c->head, (unsigned long long)c->addr, c->len);
	c->addr += *got;
	c->len -= *got;
	return 1;
}

/* The head at available-ring slot `slot`, read once and checked. */
static int avail_head(struct virtq *q, uint16_t slot, uint16_t *head)
{
	*head = ((volatile uint16_t *)q->avail->ring)[slot & (q->num - 1)];
	if (*head >= q->num)
		return fail(q, "available ring slot %u holds head %u, beyond the ring (%u)",
		            slot & (q->num - 1), *head, q->num);
	return 0;
}

/* The guest's available index, checked: at most num entries ahead of us. */
static int avail_pending(struct virtq *q, uint16_t *avail_idx)
{
	/* Acquire: the ring entries and descriptors the guest wrote before
	 * publishing this index are read after it. */
	*avail_idx = __atomic_load_n(&q->avail->idx, __ATOMIC_ACQUIRE);
	uint16_t pending = (uint16_t)(*avail_idx - q->last_avail);
	if (pending > q->num)
		return fail(q, "available index %u is %u entries ahead of ours (%u); the ring "
		            "holds %u", *avail_idx, pending, q->last_avail, q->num);
	return pending;
}

static void put_used(struct virtq *q, uint16_t head, uint32_t len)
{
	struct vring_used_elem *e = &q->used->ring[q->used_idx & (q->num - 1)];
	e->id = head;
	e->len = len;
	q->used_idx++;
}

/* Publish the used entries of this batch, then interrupt the guest if it
 * wants to hear about them. */
static void publish(struct virtq *q)
{
	if (q->used_idx == q->signalled_used)
		return;
	/* Release: used entries and buffer contents before the index. */
	__atomic_store_n(&q->used->idx, q->used_idx, __ATOMIC_RELEASE);
	if (q->event_idx)
		suppress_kicks(q);
	/* The guest writes its flags/used_event and then reads used->idx; we
	 * wrote used->idx and now read its flags: store then load of another
	 * location, which the CPU may reorder -- a full fence keeps us from
	 * missing an interrupt it asked for (virtio 1.1 2.6.10.1). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	uint16_t old = q->signalled_used, now = q->used_idx;
	q->signalled_used = now;
	bool want;
	if (q->event_idx)
		want = vring_need_event(*used_event(q), now, old);
	else
		want = !(((volatile struct vring_avail *)q->avail)->flags & VRING_AVAIL_F_NO_INTERRUPT);
	if (want && q->callfd >= 0) {
		uint64_t one = 1;
		if (write(q->callfd, &one, sizeof one) == (ssize_t)sizeof one)
			(*q->c.notifies)++;
	}
}

/* ---- guest transmit -> kvick ---- */

/* Copy the chain at head into p, without the virtio-net header.
 * 1: frame in p; 0: frame dropped (counted); -1: ring error. */
static int chain_to_packet(struct virtq *q, uint16_t head, struct packet *p)
{
	struct cursor c;
	if (cursor_start(&c, q, head, false) < 0)
		return -1;
	uint8_t *dst = packet_data(p), *src;
	uint32_t skip = q->hdr_len, got;
	uint64_t total = 0;
	int r;
	while ((r = cursor_next(&c, UINT32_MAX, &src, &got)) > 0) {
		uint32_t s = skip < got ? skip : got;
		skip -= s;
		src += s;
		got -= s;
		if (total + got <= PACKET_MAX_FRAME)
			memcpy(dst + total, src, got);
		total += got;
	}
	if (r < 0)
		return -1;
	if (skip) {
		(*q->c.drop_short)++;
		return 0;
	}
	if (total > PACKET_MAX_FRAME) {
		(*q->c.drop_toolong)++;
		return 0;
	}
	p->length = (uint16_t)total;
	return 1;
}

unsigned virtq_dequeue(struct virtq *q, struct packet **out, unsigned max)
{
	uint16_t avail_idx;
	int pending = q->ready ? avail_pending(q, &avail_idx) : -1;
	if (pending <= 0)
		return 0;
	unsigned n = 0, todo = (unsigned)pending < max ? (unsigned)pending : max;
	for (unsigned k = 0; k < todo; k++) {
		uint16_t head;
		if (avail_head(q, q->last_avail, &head) < 0)
			break;
		/* No packet: the chain stays in the ring for a later breath
		 * (the freelist counts its exhaustion). */
		struct packet *p = packet_alloc();
		if (!p)
			break;
		int r = chain_to_packet(q, head, p);
		if (r < 0) {
			packet_free(p);
			break;
		}
		q->last_avail++;
		put_used(q, head, 0);
		if (r > 0)
			out[n++] = p;
		else
			packet_free(p);
	}
	publish(q);
	return n;
}

/* ---- kvick -> guest receive ---- */

/* Write p into as many chains as it needs (one without MRG_RXBUF).
 * 1: delivered; 2: dropped, too big for the guest's buffers (counted);
 * 0: not enough buffers on offer now; -1: ring error.  On anything but
 * 1 no chain is consumed. */
static int packet_to_guest(struct virtq *q, struct packet *p, uint16_t avail_idx)
{
	uint16_t start_avail = q->last_avail, start_used = q->used_idx;
	const uint8_t *src = packet_data(p);
	uint32_t left = p->length;
	uint8_t *hdr = NULL;
	uint16_t nbufs = 0;
	int r = 1;
	while (r == 1 && (!hdr || left)) {
		if (hdr && !q->mrg_rxbuf) {
			r = 2;   /* one chain, and the frame did not fit in it */
			break;
		}
		if (q->last_avail == avail_idx) {
			/* Every buffer of the ring on offer and still too small:
			 * waiting cannot help. */
			r = (uint16_t)(avail_idx - start_avail) == q->num ? 2 : 0;
			break;
		}
		uint16_t head;
		struct cursor c;
		uint8_t *dst;
		uint32_t got, written = 0;
		if (avail_head(q, q->last_avail, &head) < 0 || cursor_start(&c, q, head, true) < 0) {
			r = -1;
			break;
		}
		if (!hdr) {
			if (cursor_next(&c, q->hdr_len, &hdr, &got) <= 0 || got < q->hdr_len) {
				r = q->ready ? fail(q, "receive chain from head %u: first descriptor holds "
				                    "less than the %u-byte virtio-net header", head,
				                    q->hdr_len) : -1;
				break;
			}
			written = q->hdr_len;
		}
		int k;
		while (left && (k = cursor_next(&c, left, &dst, &got)) > 0) {
			memcpy(dst, src, got);
			src += got;
			left -= got;
			written += got;
		}
		if (!q->ready) {
			r = -1;
			break;
		}
		q->last_avail++;
		put_used(q, head, written);
		nbufs++;
	}
	if (r != 1) {
		q->last_avail = start_avail;
		q->used_idx = start_used;
		if (r == 2)
			(*q->c.drop_toobig)++;
		return r;
	}
	struct virtio_net_hdr_mrg_rxbuf h = { .num_buffers = nbufs };
	memcpy(hdr, &h, q->hdr_len);   /* 10 bytes without num_buffers */
	return 1;
}

unsigned virtq_enqueue(struct virtq *q, struct packet **pkts, unsigned n, uint64_t *bytes)
{
	uint16_t avail_idx;
	int pending = q->ready ? avail_pending(q, &avail_idx) : -1;
	if (pending <= 0)
		return 0;
	unsigned i;
	for (i = 0; i < n; i++) {
		int r = packet_to_guest(q, pkts[i], avail_idx);
		if (r <= 0)
			break;
		if (r == 1)
			*bytes += pkts[i]->length;
	}
	publish(q);
	return i;
}
