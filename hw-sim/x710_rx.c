/* x710_rx.c -- the X710's receive side: MAC checks, the VSI's filter, RSS,
 * the RX DMA with 32-byte descriptors, write-back batching and the
 * interrupt that flushes it (datasheet: Receive; Interrupts).
 *
 * A frame from the wire:
 *   1. link up and no reset running; a bad FCS counts GLPRT_CRCERRS, a runt
 *      GLPRT_RUC, a frame longer than the MAC's max frame (set MAC config,
 *      9728 after reset) GLPRT_ROC;
 *   2. the VSI's filter: unicast to the port's address or with unicast
 *      promiscuous, multicast / broadcast only with their promiscuous flags
 *      (set VSI promiscuous, admin command 0x0254);
 *   3. accepted: GLPRT_GORC (+4 for the FCS) and UPRC/MPRC/BPRC count it;
 *   4. the queue: RSS when PFQF_HENA enables the frame's packet classifier
 *      type (PCTYPE: IPv4 UDP 31, TCP 33, other 35, fragment 36; IPv6 41,
 *      43, 45, 46): Toeplitz over the addresses (and ports for TCP/UDP)
 *      with the key in PFQF_HKEY, queue = PFQF_HLUT entry (hash mod 128,
 *      or 512 with PFQF_CTL_0.HASHLUTSIZE); otherwise queue 0;
 *   5. no free descriptor (from the head to QRX_TAIL), or the DMA stalled
 *      (sim_fault_stall): the frame waits in the RX packet buffer
 *      (X710_RX_PB_BYTES, inferred), blocking those behind it; a full
 *      buffer, or a queue not enabled, drops it: GLPRT_RDPC.
 * Descriptors (32 bytes, read format): packet buffer address, header
 * buffer address (bit 0 overlaps DD: must be 0).  A frame longer than the
 * context's dbuff spans descriptors, EOF on the last.  Write-back: qword0
 * bits 63:32 the RSS hash; qword1 status DD bit 0, EOF bit 1, FLTSTAT 13:12
 * (3 = RSS hash valid), error 26:19, packet type 37:30, packet buffer
 * length 51:38.
 *
 * Write-back batching: the device writes descriptors back a cache line
 * (four 32-byte descriptors) at a time.  The model writes a descriptor's
 * data and write-back at once but sets DD only when all four descriptors
 * of its group are done -- unless an interrupt fires for the queue: the
 * queue is in vector 0's cause list (PFINT_LNKLST0 FIRSTQ_INDX/TYPE,
 * chained by QINT_RQCTL/QINT_TQCTL NEXTQ_INDX/NEXTQ_TYPE, with
 * QINT_RQCTL.CAUSE_ENA), PFINT_DYN_CTL0.INTENA is set, a frame arrived
 * since the last interrupt, and the ITR interval (PFINT_ITR0 of the
 * queue's ITR_INDX, 2 us units; index 3 = none) has passed since the last
 * one.  Firing sets DD on every held descriptor of the queues in the list
 * and clears INTENA (auto-mask, unless GLINT_CTL.DIS_AUTOMASK_PF0), so a
 * driver that polls re-arms by writing PFINT_DYN_CTL0 with INTENA.  A
 * software interrupt (DYN_CTL0.SWINT_TRIG with INTENA) fires too.
 */
#include <string.h>

#include "x710_model.h"

#define RXD_DD       (1ull << 0)
#define RXD_EOF      (1ull << 1)
#define RXD_FLTSTAT_RSS (3ull << 12)
#define RXD_PTYPE_SHIFT 30
#define RXD_LEN_SHIFT   38

/* ---- queues ---- */

static int refuse(struct sim_port *p, unsigned q, const char *why)
{
	sim_violation_add(p, "QRX_ENA(%u).QENA_REQ refused: %s; QENA_STAT stays 0", q, why);
	return -1;
}

int x710_rxq_start(struct sim_port *p, unsigned q)
{
	struct x710 *x = p->x7;
	struct x710_rxctx *c = &x->rxc[q];
	struct sim_rxq *r = &p->rxq[q];
	if (x710_rx_context(p, q, c) < 0)
		return -1;
	if (c->base == 0)
		return refuse(p, q, "RX context base is 0");
	if (c->qlen < 64 || c->qlen > 8160 || c->qlen % 32)
		return refuse(p, q, "RX context qlen is not a multiple of 32 in 64..8160 (datasheet: receive queue context)");
	if (c->dbuff == 0)
		return refuse(p, q, "RX context dbuff is 0: no room for a frame");
	if (c->dtype != 0 || c->hsplit_0 != 0)
		return refuse(p, q, "RX context dtype/hsplit_0 ask for header split, which the model does not implement (one buffer only)");
	if (c->dsize != 1)
		return refuse(p, q, "RX context dsize is 0 (16-byte descriptors); the model implements 32-byte descriptors");
	if (c->rxmax < 64)
		return refuse(p, q, "RX context rxmax is below 64 bytes");
	if (c->head >= c->qlen)
		return refuse(p, q, "RX context head is beyond the ring");
	uint32_t tail = xget(p, X_QRX_TAIL, q);
	if (tail >= c->qlen)
		return refuse(p, q, "QRX_TAIL is beyond the ring (qlen of the context)");
	r->ring_iova = c->base;
	r->ndesc = c->qlen;
	r->iommu_gen = sim_iommu_generation();
	r->ring = sim_iommu_translate(r->ring_iova, r->ndesc * 32ull);
	if (!r->ring) {
		sim_iommu_fault(p, "RX ring of", q, r->ring_iova, r->ndesc * 32ull);
		return -1;
	}
	r->head = c->head;
	r->bufsize = c->dbuff;
	r->avail = 0;
	x->rx_held[q] = 0;
	x->rx_held_from[q] = r->head;
	r->state = Q_RUNNING;
	atomic_fetch_or(xreg(p, X_QRX_ENA, q), QENA_STAT);
	return 0;
}

static void wb_release(struct sim_port *p, unsigned q, bool all);

/* The ring is still reachable through the IOMMU (re-translated after an
 * unmap somewhere); a write-back outside the data path checks first. */
static bool ring_mapped(struct sim_rxq *r)
{
	if (r->iommu_gen != sim_iommu_generation()) {
		r->iommu_gen = sim_iommu_generation();
		r->ring = sim_iommu_translate(r->ring_iova, r->ndesc * 32ull);
	}
	return r->ring != NULL;
}

void x710_rxq_stop(struct sim_port *p, unsigned q, int state)
{
	struct sim_rxq *r = &p->rxq[q];
	/* a disable writes back what it holds, if the ring is still mapped */
	if (r->state == Q_RUNNING && state == Q_OFF && p->x7->rx_held[q] && ring_mapped(r))
		wb_release(p, q, true);
	p->x7->rx_held[q] = 0;
	r->state = state;
	r->change_at = 0;
	r->avail = 0;
	atomic_fetch_and(xreg(p, X_QRX_ENA, q), ~QENA_STAT);
}

/* ---- write-back batching ---- */

/* Set DD on held descriptors: all of them, or those whose group of four
 * is complete (the head has left it). */
static void wb_release(struct sim_port *p, unsigned q, bool all)
{
	struct x710 *x = p->x7;
	struct sim_rxq *r = &p->rxq[q];
	while (x->rx_held[q]) {
		unsigned i = x->rx_held_from[q];
		if (!all && (i & ~3u) == (r->head & ~3u))
			break;
		_Atomic uint64_t *qw1 = (_Atomic uint64_t *)(r->ring + (size_t)i * 32 + 8);
		atomic_store_explicit(qw1, atomic_load_explicit(qw1, memory_order_relaxed) | RXD_DD,
		                      memory_order_release);
		x->rx_held_from[q] = i + 1 == r->ndesc ? 0 : i + 1;
		x->rx_held[q]--;
	}
}

/* ---- interrupts: vector 0 ---- */

void x710_irq_poll(struct sim_port *p, uint64_t now)
{
	struct x710 *x = p->x7;
	_Atomic uint32_t *dyn = xreg(p, X_PFINT_DYN_CTL0, 0);
	uint32_t d = atomic_load(dyn);
	if (!(d & DYN_CTL0_INTENA))
		return;
	bool swint = d & DYN_CTL0_SWINT_TRIG;
	/* walk the cause list; fire if a cause is pending and its ITR passed */
	bool fire = swint;
	uint32_t l = xget(p, X_PFINT_LNKLST0, 0);
	unsigned idx = l & LNKLST_INDX_MASK, type = (l >> LNKLST_TYPE_SHIFT) & 3;
	unsigned listed[2 * X710_NQ], n = 0;
	for (unsigned steps = 0; idx != LNKLST_END && steps < 2 * X710_NQ && idx < X710_NQ; steps++) {
		uint32_t ctl = xget(p, type == QTYPE_RX ? X_QINT_RQCTL : X_QINT_TQCTL, idx);
		if (type == QTYPE_RX && (ctl & QINT_CAUSE_ENA)) {
			listed[n++] = idx;
			if (x->rx_cause[idx]) {                 /* a frame arrived: cause pending */
				unsigned itr = (ctl >> QINT_ITR_INDX_SHIFT) & 3;
				uint64_t interval = itr < 3 ? (uint64_t)xget(p, X_PFINT_ITR0, itr) * 2000 : 0;
				if (!x->itr_last || now >= x->itr_last + interval)
					fire = true;
			}
		}
		idx = (ctl >> QINT_NEXTQ_INDX_SHIFT) & LNKLST_INDX_MASK;
		type = (ctl >> QINT_NEXTQ_TYPE_SHIFT) & 3;
	}
	if (!fire)
		return;
	for (unsigned i = 0; i < n; i++) {
		unsigned q = listed[i];
		if (p->rxq[q].state == Q_RUNNING && ring_mapped(&p->rxq[q]))
			wb_release(p, q, true);
		x->rx_cause[q] = false;
	}
	x->itr_last = now;
	atomic_fetch_or(xreg(p, X_PFINT_ICR0, 0), ICR0_INTEVENT);
	uint32_t clear = DYN_CTL0_SWINT_TRIG |
	                 ((xget(p, X_GLINT_CTL, 0) & GLINT_DIS_AUTOMASK_PF0) ? 0 : DYN_CTL0_INTENA);
	atomic_fetch_and(dyn, ~clear);
}

/* ---- classification ---- */

struct rx_class {
	unsigned q;
	uint32_t hash, ptype;
	bool hashed;
};

static void classify(struct sim_port *p, const uint8_t *d, uint32_t len, struct rx_class *c)
{
	memset(c, 0, sizeof *c);
	uint32_t off = 12;
	uint16_t et = (uint16_t)(d[off] << 8 | d[off + 1]);
	if (et == 0x8100 && len >= 18) {
		off += 4;
		et = (uint16_t)(d[off] << 8 | d[off + 1]);
	}
	off += 2;
	const uint8_t *ip = d + off;
	int pctype = 63;                          /* L2 payload */
	uint8_t in[36];
	unsigned n = 0;
	c->ptype = et == 0x0806 ? 11 : 1;         /* ARP, or L2 */
	if (et == 0x0800 && len >= off + 20 && (ip[0] >> 4) == 4) {
		bool frag = ((ip[6] & 0x3F) | ip[7]) != 0;
		uint32_t l4 = off + (ip[0] & 0xFu) * 4;
		int proto = ip[9];
		bool ports = !frag && (proto == 6 || proto == 17) && len >= l4 + 4;
		pctype = frag ? 36 : ports ? (proto == 6 ? 33 : 31) : 35;
		c->ptype = frag ? 22 : ports ? (proto == 6 ? 26 : 24) : proto == 1 ? 28 : 23;
		memcpy(in, ip + 12, 8);
		n = 8;
		if (ports) {
			memcpy(in + 8, d + l4, 4);
			n = 12;
		}
	} else if (et == 0x86DD && len >= off + 40 && (ip[0] >> 4) == 6) {
		int proto = ip[6];
		bool frag = proto == 44;
		uint32_t l4 = off + 40;
		bool ports = (proto == 6 || proto == 17) && len >= l4 + 4;
		pctype = frag ? 46 : ports ? (proto == 6 ? 43 : 41) : 45;
		c->ptype = frag ? 88 : ports ? (proto == 6 ? 92 : 90) : proto == 58 ? 94 : 89;
		memcpy(in, ip + 8, 32);
		n = 32;
		if (ports) {
			memcpy(in + 32, d + l4, 4);
			n = 36;
		}
	}
	uint64_t hena = xget(p, X_PFQF_HENA, 0) | (uint64_t)xget(p, X_PFQF_HENA, 1) << 32;
	if (!n || !(hena >> pctype & 1))
		return;                               /* no RSS for this type: queue 0 */
	uint8_t key[40];
	for (unsigned i = 0; i < 10; i++) {
		uint32_t k = xget(p, X_PFQF_HKEY, i);
		key[4 * i] = (uint8_t)k;
		key[4 * i + 1] = (uint8_t)(k >> 8);
		key[4 * i + 2] = (uint8_t)(k >> 16);
		key[4 * i + 3] = (uint8_t)(k >> 24);
	}
	c->hash = rss_toeplitz(key, in, n);
	c->hashed = true;
	unsigned size = (xget(p, X_PFQF_CTL_0, 0) & PFQF_CTL_0_HASHLUTSIZE) ? 512 : 128;
	unsigned e = c->hash & (size - 1);
	c->q = (xget(p, X_PFQF_HLUT, e / 4) >> (8 * (e % 4))) & 0x3F;
}

/* ---- the DMA ---- */

static unsigned take_fault(_Atomic unsigned *n)
{
	unsigned v = atomic_load_explicit(n, memory_order_relaxed);
	while (v && !atomic_compare_exchange_weak(n, &v, v - 1))
		;
	return v;
}

static unsigned rx_free(struct sim_port *p, unsigned q, struct sim_rxq *r, unsigned need)
{
	if (r->avail >= need)
		return r->avail;
	uint32_t tail = atomic_load_explicit(xreg(p, X_QRX_TAIL, q), memory_order_acquire);
	if (tail >= r->ndesc)
		tail = r->head;
	r->avail = tail >= r->head ? tail - r->head : tail + r->ndesc - r->head;
	return r->avail;
}

enum { RQ_OK, RQ_NODESC, RQ_DISABLED, RQ_FAULT };

static int rx_dma(struct sim_port *p, unsigned q, const uint8_t *d, uint32_t len, const struct rx_class *c, bool probe)
{
	struct x710 *x = p->x7;
	struct sim_rxq *r = &p->rxq[q];
	if (q >= x->nq || r->state != Q_RUNNING)
		return RQ_DISABLED;
	uint32_t dlen = len;
	const uint8_t *src = d;
	if (!x->rxc[q].crcstrip) {                /* the FCS is delivered too */
		if (!probe) {
			memcpy(p->rxbuf, d, len);
			uint32_t fcs = sim_crc32(d, len);
			memcpy(p->rxbuf + len, &fcs, 4);
			src = p->rxbuf;
		}
		dlen = len + 4;
	}
	unsigned need = (dlen + r->bufsize - 1) / r->bufsize;
	if (rx_free(p, q, r, need) < need)
		return RQ_NODESC;
	if (probe)
		return RQ_OK;
	if (!ring_mapped(r)) {
		sim_iommu_fault(p, "RX ring of", q, r->ring_iova, r->ndesc * 32ull);
		x710_rxq_stop(p, q, Q_FAULT);
		return RQ_FAULT;
	}
	bool bad_len = take_fault(&p->fault_bad_len) > 0;
	bool no_eop = take_fault(&p->fault_no_eop) > 0;
	uint32_t head = r->head, off = 0;
	bool last;
	do {
		uint8_t *desc = r->ring + (size_t)head * 32;
		uint64_t buf, hdr;
		memcpy(&buf, desc, 8);
		memcpy(&hdr, desc + 8, 8);
		if (hdr & 1)
			sim_violation_add(p, "RX queue %u descriptor %u given to hardware with bit 0 of the header address (DD) set: stale write-back not cleared", q, head);
		uint32_t chunk = dlen - off < r->bufsize ? dlen - off : r->bufsize;
		uint8_t *dst = sim_iommu_translate(buf, chunk);
		if (!dst) {
			sim_iommu_fault(p, "RX buffer of", q, buf, chunk);
			x710_rxq_stop(p, q, Q_FAULT);
			return RQ_FAULT;
		}
		memcpy(dst, src + off, chunk);
		off += chunk;
		last = off == dlen;
		uint32_t wlen = bad_len ? (r->bufsize + 512) & 0x3FFF : chunk;
		uint64_t qw0 = c->hashed ? (uint64_t)c->hash << 32 : 0;
		uint64_t qw1 = (last && !no_eop ? RXD_EOF : 0) | (c->hashed ? RXD_FLTSTAT_RSS : 0) |
		               (uint64_t)c->ptype << RXD_PTYPE_SHIFT | (uint64_t)wlen << RXD_LEN_SHIFT;
		memcpy(desc, &qw0, 8);
		memset(desc + 16, 0, 16);
		/* held: the write-back is in place, DD comes with its group */
		atomic_store_explicit((_Atomic uint64_t *)(desc + 8), qw1, memory_order_relaxed);
		if (!x->rx_held[q])
			x->rx_held_from[q] = head;
		x->rx_held[q]++;
		head = head + 1 == r->ndesc ? 0 : head + 1;
		r->avail--;
	} while (!last);
	r->head = head;
	wb_release(p, q, false);
	x->rx_cause[q] = true;                    /* the queue's interrupt cause */
	stat_add(&p->st.rx_frames, 1);
	stat_add(&p->st.rx_bytes, dlen);
	return RQ_OK;
}

/* ---- a frame from the wire ---- */

static bool stalled(struct sim_port *p)
{
	uint64_t until = atomic_load_explicit(&p->stall_until, memory_order_relaxed);
	return until && sim_now() < until;
}

int x710_rx_frame(struct sim_port *p, const uint8_t *d, uint32_t len, unsigned flags, bool lossless)
{
	struct x710 *x = p->x7;
	bool on = p->link_up && !atomic_load_explicit(&p->in_reset, memory_order_relaxed);
	if (!on) {
		if (lossless)
			return RX_BUSY;
		stat_add(&p->st.wire_rx_frames, 1);
		stat_add(&p->st.rx_drop_disabled, 1);
		return RX_DROPPED;
	}
	/* MAC */
	int err = (flags & SIM_F_BAD_FCS) ? 1 : len + 4 < 64 ? 2 : len + 4 > x->max_frame ? 3 : 0;
	/* VSI filter */
	bool mc = d[0] & 1, bc = mc && (d[0] & d[1] & d[2] & d[3] & d[4] & d[5]) == 0xFF;
	uint64_t da = 0;
	memcpy(&da, d, 6);
	bool pass = bc ? (x->promisc & 0x04) : mc ? (x->promisc & 0x02) : (da == x->mac || (x->promisc & 0x01));
	struct rx_class c;
	if (!err && pass)
		classify(p, d, len, &c);
	if (lossless && !err && pass && (p->fifo.frames || stalled(p) || rx_dma(p, c.q, d, len, &c, true) != RQ_OK))
		return RX_BUSY;                       /* a paced source waits for room */
	stat_add(&p->st.wire_rx_frames, 1);
	if (err) {
		if (err == 1) x->c_crcerrs++;
		else if (err == 2) x->c_ruc++;
		else x->c_roc++;
		stat_add(&p->st.rx_drop_error, 1);
		return RX_DROPPED;
	}
	if (!pass) {
		stat_add(&p->st.rx_drop_filter, 1);
		return RX_DROPPED;
	}
	x->c_gorc += len + 4;
	if (bc) x->c_bprc++;
	else if (mc) x->c_mprc++;
	else x->c_uprc++;
	if (!p->fifo.frames && !stalled(p)) {
		int rc = rx_dma(p, c.q, d, len, &c, false);
		if (rc == RQ_OK)
			return RX_TAKEN;
		if (rc != RQ_NODESC) {
			if (rc == RQ_DISABLED) {
				x->c_rdpc++;
				stat_add(&p->st.rx_drop_disabled, 1);
			}
			return RX_DROPPED;            /* RQ_FAULT: counted as an IOMMU fault */
		}
	}
	if (rxfifo_push(p, d, len, X710_RX_PB_BYTES))
		return RX_TAKEN;
	x->c_rdpc++;                              /* the packet buffer is full */
	stat_add(&p->st.rx_drop_nodesc, 1);
	return RX_DROPPED;
}

/* Frames waiting in the packet buffer go to their queues, in order. */
unsigned x710_rx_drain(struct sim_port *p)
{
	struct x710 *x = p->x7;
	unsigned moved = 0;
	struct rxfifo_hdr *h;
	if (stalled(p))
		return 0;
	while ((h = rxfifo_peek(p))) {
		const uint8_t *d = (const uint8_t *)(h + 1);
		struct rx_class c;
		classify(p, d, h->len, &c);
		int rc = rx_dma(p, c.q, d, h->len, &c, false);
		if (rc == RQ_NODESC)
			break;                            /* head of line waits */
		if (rc == RQ_DISABLED) {
			x->c_rdpc++;
			stat_add(&p->st.rx_drop_disabled, 1);
		}
		rxfifo_pop(p, h);
		moved++;
	}
	return moved;
}
