/* rx.c -- the receive side of the model: MAC checks, filters, the packet
 * buffer, and the RX DMA that walks the descriptor rings.
 *
 * A frame from the wire (§7.1):
 *   1. MAC: RXCTRL.RXEN must be set; a bad FCS (sent without IFCS) counts
 *      CRCERRS, a runt RUC, a frame longer than the limit ROC (1518 bytes
 *      with FCS, or MAXFRS.MFS when HLREG0.JUMBOEN is set, §8.2.3.22.13);
 *   2. L2 filter (§7.1.1.1): unicast to a RAL/RAH entry with AV or
 *      FCTRL.UPE; broadcast with FCTRL.BAM; multicast by MTA or FCTRL.MPE;
 *   3. accepted frames count GPRC/GORC and enter the RX packet buffer
 *      (RXPBSIZE(0) bytes).  When the buffer is empty and a descriptor is
 *      free the model DMAs at once (the buffer is then only bookkeeping);
 *   4. the queue is chosen by RSS (rss.c) or is queue 0;
 *   5. no free descriptor: with SRRCTL.DROP_EN the frame is dropped and
 *      counted in QPRDC; without it, it waits in the packet buffer
 *      (blocking those behind it, as the hardware does); a full packet
 *      buffer drops and counts MPC (§8.2.3.23).
 * A frame longer than the queue's buffer (SRRCTL.BSIZEPACKET) spans
 * several descriptors, EOP on the last (§7.1.6): the model needs all of
 * them free at once.
 *
 * The write-back (advanced format, §7.1.6.2): dword 0 packet type and RSS
 * type, dword 1 RSS hash, dword 3 packet length (bytes 12-13) and VLAN,
 * and dword 2 -- status DD|EOP -- last, with release ordering.
 */
#include <string.h>

#include "model.h"

/* ---- queues (§4.6.7.1) ---- */

static int ring_translate(struct sim_port *p, struct sim_rxq *r, unsigned q)
{
	r->iommu_gen = sim_iommu_generation();
	r->ring = sim_iommu_translate(r->ring_iova, r->ndesc * 16ull);
	if (!r->ring) {
		sim_iommu_fault(p, "RX ring of", q, r->ring_iova, r->ndesc * 16ull);
		return -1;
	}
	return 0;
}

int rxq_start(struct sim_port *p, unsigned q)
{
	struct sim_rxq *r = &p->rxq[q];
	uint64_t base = reg_get(p, rxq_word(REG_RDBAL, q)) |
	                (uint64_t)reg_get(p, rxq_word(REG_RDBAH, q)) << 32;
	uint32_t len = reg_get(p, rxq_word(REG_RDLEN, q));
	uint32_t srrctl = reg_get(p, rxq_word(REG_SRRCTL, q));
	uint32_t hl = reg_get(p, W(HLREG0)), rdrx = reg_get(p, W(RDRXCTL));
	const char *why = NULL;
	if (base == 0 || len == 0)
		why = "RDBAL/RDBAH/RDLEN not programmed before RXDCTL.ENABLE (§4.6.7.1)";
	else if (base & 127)
		why = "ring base (RDBAL) not 128-byte aligned (§7.1.9)";
	else if (len % 128)
		why = "RDLEN not a multiple of 128 bytes (§8.2.3.8.3)";
	else if ((srrctl & SRRCTL_BSIZEPKT_MASK) == 0)
		why = "SRRCTL.BSIZEPACKET is 0: no room for a frame (§8.2.3.8.7)";
	else if ((srrctl & SRRCTL_DESCTYPE_MASK) != SRRCTL_DESCTYPE_ADV_ONEBUF)
		why = "SRRCTL.DESCTYPE is not 001b (advanced, one buffer), the only format the model implements (§8.2.3.8.7)";
	else if (!!(hl & HLREG0_RXCRCSTRP) != !!(rdrx & RDRXCTL_CRCSTRIP))
		why = "HLREG0.RXCRCSTRP and RDRXCTL.CRCSTRIP differ; they must be set the same (§8.2.3.8.8)";
	else if (!(rdrx & RDRXCTL_DMAIDONE))
		why = "queue enabled before RDRXCTL.DMAIDONE was set after reset (§4.6.3)";
	if (why) {
		sim_violation_add(p, "RXDCTL(%u).ENABLE refused: %s", q, why);
		return -1;
	}
	r->ring_iova = base;
	r->ndesc = len / 16;
	if (ring_translate(p, r, q) < 0)
		return -1;
	r->head = reg_get(p, rxq_word(REG_RDH, q));
	if (r->head >= r->ndesc) {
		sim_violation_add(p, "RXDCTL(%u).ENABLE refused: RDH = %u is beyond the ring (%u descriptors)",
		                  q, r->head, r->ndesc);
		return -1;
	}
	r->bufsize = (srrctl & SRRCTL_BSIZEPKT_MASK) * 1024;
	r->avail = 0;
	r->drop_en = !!(srrctl & SRRCTL_DROP_EN);
	r->state = Q_RUNNING;
	atomic_fetch_or(&p->regs[rxq_word(REG_RXDCTL, q)], XDCTL_ENABLE);
	return 0;
}

void rxq_stop(struct sim_port *p, unsigned q, int state)
{
	struct sim_rxq *r = &p->rxq[q];
	r->state = state;
	r->change_at = 0;
	r->avail = 0;
	atomic_fetch_and(&p->regs[rxq_word(REG_RXDCTL, q)], ~XDCTL_ENABLE);
}

/* ---- the DMA of one frame into queue q ---- */

enum { RQ_OK, RQ_NODESC, RQ_DISABLED, RQ_FAULT };

/* Free descriptors: those between the model's head and the tail it last
 * loaded.  RDT is loaded again (acquire: the descriptors written before it
 * are visible) only when that count is short of what a frame needs, so a
 * burst costs one tail load -- as the device fetches descriptors ahead in
 * bursts rather than per frame (§7.1.3.1). */
static unsigned rx_free(struct sim_port *p, unsigned q, struct sim_rxq *r, unsigned need)
{
	if (r->avail >= need)
		return r->avail;
	uint32_t tail = atomic_load_explicit(&p->regs[rxq_word(REG_RDT, q)], memory_order_acquire);
	r->avail = tail >= r->head ? tail - r->head : tail + r->ndesc - r->head;
	return r->avail;
}

static unsigned take_fault(_Atomic unsigned *n)
{
	unsigned v = atomic_load_explicit(n, memory_order_relaxed);
	while (v && !atomic_compare_exchange_weak(n, &v, v - 1))
		;
	return v;
}

static int rx_dma(struct sim_port *p, unsigned q, struct sim_rxq *r, const uint8_t *d,
                  uint32_t len, uint32_t hash, uint32_t info)
{
	if (r->iommu_gen != sim_iommu_generation() && ring_translate(p, r, q) < 0) {
		rxq_stop(p, q, Q_FAULT);
		return RQ_FAULT;
	}
	bool bad_len = take_fault(&p->fault_bad_len) > 0;
	bool no_eop = take_fault(&p->fault_no_eop) > 0;
	uint32_t head = r->head, off = 0;
	bool last;
	do {
		uint8_t *desc = r->ring + (size_t)head * 16;
		uint64_t buf, hdr;
		memcpy(&buf, desc, 8);
		memcpy(&hdr, desc + 8, 8);
		if (hdr & 1)
			sim_violation_add(p, "RX queue %u descriptor %u given to hardware with bit 0 of the header address (DD) set: stale write-back not cleared (§7.1.6.1)", q, head);
		uint32_t chunk = len - off < r->bufsize ? len - off : r->bufsize;
		uint8_t *dst = sim_iommu_translate(buf, chunk);
		if (!dst) {
			sim_iommu_fault(p, "RX buffer of", q, buf, chunk);
			rxq_stop(p, q, Q_FAULT);
			return RQ_FAULT;
		}
		memcpy(dst, d + off, chunk);
		off += chunk;
		last = off == len;
		uint32_t *w = (uint32_t *)desc;
		w[0] = info;
		w[1] = hash;
		w[3] = bad_len ? (r->bufsize + 512) & 0xFFFF : chunk;   /* PKT_LEN, VLAN 0 */
		uint32_t status = RXD_STAT_DD | (last && !no_eop ? RXD_STAT_EOP : 0);
		/* DD last: the driver that sees DD must see the data and length */
		atomic_store_explicit((_Atomic uint32_t *)&w[2], status, memory_order_release);
		head = head + 1 == r->ndesc ? 0 : head + 1;
		r->avail--;
	} while (!last);
	r->head = head;
	atomic_store_explicit(&p->regs[rxq_word(REG_RDH, q)], head, memory_order_release);
	if (!r->pend_pkts++)
		qmask_set(p->rxq_dirty, q);
	r->pend_bytes += len;
	p->c_rxdgpc++;
	p->c_rxdgbc += len;
	stat_add(&p->st.rx_frames, 1);
	stat_add(&p->st.rx_bytes, len);
	return RQ_OK;
}

/* Where a frame goes: its queue (RSS or 0) and the write-back's RSS hash
 * and packet type -- computed once per frame. */
struct rx_class { unsigned q; uint32_t hash, info; };

#define INFO_LATER UINT32_MAX   /* packet type not parsed yet */

static void rx_classify(struct sim_port *p, const uint8_t *d, uint32_t len, struct rx_class *c)
{
	if ((reg_get(p, W(MRQC)) & MRQC_MRQE_MASK) == 0) {
		/* no RSS: queue 0; the packet type is parsed only if the frame
		 * is DMA'd (a frame about to be dropped or held is not parsed) */
		c->q = 0;
		c->hash = 0;
		c->info = INFO_LATER;
		return;
	}
	c->q = rss_queue(p, d, len, &c->hash, &c->info);
}

/* DMA a classified frame; probe only checks that it would fit. */
static int rx_to_queue(struct sim_port *p, const uint8_t *d, uint32_t len, const struct rx_class *c, bool probe)
{
	unsigned q = c->q;
	struct sim_rxq *r = &p->rxq[q];
	if (r->state != Q_RUNNING)
		return RQ_DISABLED;
	/* CRC not stripped (HLREG0.RXCRCSTRP clear): the FCS is delivered */
	uint32_t dlen = len;
	if (!(reg_get(p, W(HLREG0)) & HLREG0_RXCRCSTRP)) {
		if (!probe && d != p->rxbuf)
			memcpy(p->rxbuf, d, len);
		uint32_t fcs = sim_crc32(d, len);
		if (!probe) {
			memcpy(p->rxbuf + len, &fcs, 4);
			d = p->rxbuf;
		}
		dlen = len + 4;
	}
	unsigned need = dlen <= r->bufsize ? 1 : (dlen + r->bufsize - 1) / r->bufsize;
	if (rx_free(p, q, r, need) < need)
		return RQ_NODESC;
	if (probe)
		return RQ_OK;
	uint32_t info = c->info == INFO_LATER ? rss_packet_type(d, len) : c->info;
	return rx_dma(p, q, r, d, dlen, c->hash, info);
}

/* ---- the RX packet buffer ---- */

static uint64_t fifo_cap(struct sim_port *p)
{
	return reg_val(p, REG_RXPBSIZE, 0) & 0x000FFC00;   /* SIZE, in KB units */
}

static bool stalled(struct sim_port *p)
{
	uint64_t until = atomic_load_explicit(&p->stall_until, memory_order_relaxed);
	return until && sim_now() < until;
}

/* Count the drop of a frame that had been accepted into the packet buffer
 * and could not be placed: queue without descriptors and DROP_EN (QPRDC),
 * disabled queue, or IOMMU fault. */
static void drop_at_queue(struct sim_port *p, unsigned q, int why)
{
	if (why == RQ_NODESC) {
		p->rxq[q].pend_drops++;
		qmask_set(p->rxq_dirty, q);
		stat_add(&p->st.rx_drop_nodesc, 1);
	} else if (why == RQ_DISABLED) {
		stat_add(&p->st.rx_drop_disabled, 1);
	}
	/* RQ_FAULT: already counted as an IOMMU fault */
}

unsigned rx_fifo_drain(struct sim_port *p)
{
	unsigned moved = 0;
	struct rxfifo_hdr *h;
	if (stalled(p))
		return 0;
	while ((h = rxfifo_peek(p))) {
		struct rx_class c;
		rx_classify(p, (const uint8_t *)(h + 1), h->len, &c);
		unsigned q = c.q;
		int rc = rx_to_queue(p, (const uint8_t *)(h + 1), h->len, &c, false);
		if (rc == RQ_NODESC && !p->rxq[q].drop_en)
			break;                         /* head of line waits */
		if (rc != RQ_OK)
			drop_at_queue(p, q, rc);
		rxfifo_pop(p, h);
		moved++;
	}
	return moved;
}

/* ---- a frame from the wire ---- */

enum { ACCEPT, DROP_ERROR, DROP_FILTER };

/* What the MAC checks against, loaded once per frame or per burst. */
struct mac_cfg { uint32_t limit, fctrl; };

static void mac_cfg_load(struct sim_port *p, struct mac_cfg *m)
{
	uint32_t hl = reg_get(p, W(HLREG0));
	m->limit = (hl & HLREG0_JUMBOEN) ? reg_get(p, W(MAXFRS)) >> MAXFRS_MFS_SHIFT : 1518;
	m->fctrl = reg_get(p, W(FCTRL));
}

static int mac_check_cfg(struct sim_port *p, const struct mac_cfg *m, const uint8_t *d, uint32_t len, unsigned flags)
{
	uint32_t limit = m->limit;
	if (flags & SIM_F_BAD_FCS)
		return p->c_crcerrs++, DROP_ERROR;
	if (len + 4 < 64)
		return p->c_ruc++, DROP_ERROR;
	if (len + 4 > limit)
		return p->c_roc++, DROP_ERROR;
	uint32_t fctrl = m->fctrl;
	if (d[0] & 1) {
		bool bcast = (d[0] & d[1] & d[2] & d[3] & d[4] & d[5]) == 0xFF;
		if (bcast)
			return (fctrl & (FCTRL_BAM | FCTRL_MPE)) ? ACCEPT : DROP_FILTER;
		if (fctrl & FCTRL_MPE)
			return ACCEPT;
		/* §7.1.1.1.2: MTA indexed by DA bits 47:36 (MCSTCTRL.MO = 0) */
		unsigned idx = ((d[4] >> 4) | ((unsigned)d[5] << 4)) & 0xFFF;
		bool mfe = reg_get(p, W(MCSTCTRL)) & (1u << 2);
		return (mfe && (reg_val(p, REG_MTA, idx >> 5) >> (idx & 31) & 1)) ? ACCEPT : DROP_FILTER;
	}
	if (fctrl & FCTRL_UPE)
		return ACCEPT;
	uint64_t da = 0;
	memcpy(&da, d, 6);
	for (unsigned i = 0; i < p->nmacs; i++)
		if (p->macs[i] == da)
			return ACCEPT;
	return DROP_FILTER;
}

static int mac_check(struct sim_port *p, const uint8_t *d, uint32_t len, unsigned flags)
{
	struct mac_cfg m;
	mac_cfg_load(p, &m);
	return mac_check_cfg(p, &m, d, len, flags);
}

static void count_accepted(struct sim_port *p, const uint8_t *d, uint32_t len)
{
	p->c_gprc++;
	p->c_gorc += len + 4;                  /* octets include the FCS */
	if (d[0] & 1) {
		if ((d[0] & d[1] & d[2] & d[3] & d[4] & d[5]) == 0xFF)
			p->c_bprc++;
		else
			p->c_mprc++;
	}
}

int rx_frame(struct sim_port *p, const uint8_t *d, uint32_t len, unsigned flags, bool lossless)
{
	bool on = p->link_up && !atomic_load_explicit(&p->in_reset, memory_order_relaxed) &&
	          (atomic_load_explicit(&p->regs[W(RXCTRL)], memory_order_acquire) & RXCTRL_RXEN);
	if (!on) {
		if (lossless)
			return RX_BUSY;
		stat_add(&p->st.wire_rx_frames, 1);
		stat_add(&p->st.rx_drop_disabled, 1);
		return RX_DROPPED;
	}
	int verdict = mac_check(p, d, len, flags);
	struct rx_class c;
	if (verdict == ACCEPT)
		rx_classify(p, d, len, &c);
	if (verdict == ACCEPT && lossless) {
		/* a lossless source waits for room: the DMA is tried once, and
		 * a frame it cannot place now (no descriptor, queue off) has
		 * changed nothing and is offered again later */
		if (p->fifo.frames || stalled(p))
			return RX_BUSY;
		int rc = rx_to_queue(p, d, len, &c, false);
		if (rc == RQ_NODESC || rc == RQ_DISABLED)
			return RX_BUSY;
		stat_add(&p->st.wire_rx_frames, 1);
		p->c_tpr++;
		p->c_tor += len + 4;
		count_accepted(p, d, len);
		return rc == RQ_OK ? RX_TAKEN : RX_DROPPED;   /* RQ_FAULT: counted as an IOMMU fault */
	}
	stat_add(&p->st.wire_rx_frames, 1);
	p->c_tpr++;
	p->c_tor += len + 4;
	if (verdict != ACCEPT) {
		stat_add(verdict == DROP_ERROR ? &p->st.rx_drop_error : &p->st.rx_drop_filter, 1);
		return RX_DROPPED;
	}
	count_accepted(p, d, len);
	if (!p->fifo.frames && !stalled(p)) {
		int rc = rx_to_queue(p, d, len, &c, false);
		if (rc == RQ_OK)
			return RX_TAKEN;
		if (rc != RQ_NODESC || p->rxq[c.q].drop_en) {
			drop_at_queue(p, c.q, rc);
			return RX_DROPPED;
		}
	}
	if (rxfifo_push(p, d, len, fifo_cap(p)))
		return RX_TAKEN;
	p->c_mpc++;                            /* §8.2.3.23: packet buffer full */
	stat_add(&p->st.rx_drop_nodesc, 1);
	return RX_DROPPED;
}

/* A burst from a link partner (a cable peer's or this port's own TX pass),
 * lossy.  What is the same for the whole burst is looked at once: the
 * port on (link, reset, RXEN), the packet buffer empty and the DMA not
 * stalled, the MAC limit and FCTRL; each frame is then filtered,
 * classified and DMA'd as rx_frame() would.  Once a frame has to wait in
 * the packet buffer the rest of the burst goes through rx_frame(), behind
 * it, in order. */
void rx_frames(struct sim_port *p, const struct wire_frame *f, unsigned n)
{
	unsigned i = 0;
	bool on = p->link_up && !atomic_load_explicit(&p->in_reset, memory_order_relaxed) &&
	          (atomic_load_explicit(&p->regs[W(RXCTRL)], memory_order_acquire) & RXCTRL_RXEN);
	if (on && !p->fifo.frames && !stalled(p)) {
		struct mac_cfg m;
		mac_cfg_load(p, &m);
		for (; i < n && !p->fifo.frames; i++) {
			const uint8_t *d = f[i].d;
			uint32_t len = f[i].len;
			int verdict = mac_check_cfg(p, &m, d, len, f[i].flags);
			p->c_tpr++;
			p->c_tor += len + 4;
			if (verdict != ACCEPT) {
				stat_add(verdict == DROP_ERROR ? &p->st.rx_drop_error : &p->st.rx_drop_filter, 1);
				continue;
			}
			count_accepted(p, d, len);
			struct rx_class c;
			rx_classify(p, d, len, &c);
			int rc = rx_to_queue(p, d, len, &c, false);
			if (rc == RQ_OK)
				continue;
			if (rc != RQ_NODESC || p->rxq[c.q].drop_en) {
				drop_at_queue(p, c.q, rc);
				continue;
			}
			if (!rxfifo_push(p, d, len, fifo_cap(p))) {
				p->c_mpc++;                /* §8.2.3.23: packet buffer full */
				stat_add(&p->st.rx_drop_nodesc, 1);
			}
		}
		stat_add(&p->st.wire_rx_frames, i);
	}
	for (; i < n; i++)
		rx_frame(p, f[i].d, f[i].len, f[i].flags, false);
}
