/* tx.c -- the transmit DMA of the model (§7.2).
 *
 * For each running queue, while the link is up and DMATXCTL.TE is set: read
 * the tail (acquire: the descriptors written before it are visible), then
 * walk descriptors from the head.  Advanced data descriptors (DTYP 0011b,
 * DEXT) are gathered up to the one with EOP; advanced context descriptors
 * (DTYP 0010b) are consumed (offloads are not modelled); anything else
 * (legacy descriptors, a zero length, TSE, a frame above 15.5 KB) is a
 * violation that stops the queue.  A frame whose EOP is not yet behind the
 * tail waits, as on the device.  Each buffer is read through the IOMMU; an
 * unmapped one stops the queue.  HLREG0.TXPADEN pads short frames to 60
 * bytes; without DCMD.IFCS the frame leaves without a valid FCS and the
 * receiver drops it (CRCERRS) -- the classic "nothing is received" bug.
 * Completion (§7.2.3.5): DD is written (release) into each descriptor with
 * RS, or, with head write-back (TDWBAL bit 0), the head index is written
 * to memory instead; TDH then moves.  GPTC/GOTC (+4 for the FCS) and the
 * per-queue QPTC/QBTC (through TQSM) count what left.
 * A pass over a queue hands its frames to the wire as one burst
 * (wire_tx_add/flush), so a cable's receiver takes them as one burst too.
 */
#include <string.h>

#include "model.h"

#define TX_BURST 128   /* frames per queue per iteration */

static int ring_translate(struct sim_port *p, struct sim_txq *t, unsigned q)
{
	t->iommu_gen = sim_iommu_generation();
	t->ring = sim_iommu_translate(t->ring_iova, t->ndesc * 16ull);
	if (!t->ring) {
		sim_iommu_fault(p, "TX ring of", q, t->ring_iova, t->ndesc * 16ull);
		return -1;
	}
	return 0;
}

int txq_start(struct sim_port *p, unsigned q)
{
	struct sim_txq *t = &p->txq[q];
	uint64_t base = reg_get(p, txq_word(REG_TDBAL, q)) |
	                (uint64_t)reg_get(p, txq_word(REG_TDBAH, q)) << 32;
	uint32_t len = reg_get(p, txq_word(REG_TDLEN, q));
	const char *why = NULL;
	if (base == 0 || len == 0)
		why = "TDBAL/TDBAH/TDLEN not programmed before TXDCTL.ENABLE (§4.6.8.1)";
	else if (base & 127)
		why = "ring base (TDBAL) not 128-byte aligned (§7.2.3.3)";
	else if (len % 128)
		why = "TDLEN not a multiple of 128 bytes (§8.2.3.9.7)";
	if (why) {
		sim_violation_add(p, "TXDCTL(%u).ENABLE refused: %s", q, why);
		return -1;
	}
	t->ring_iova = base;
	t->ndesc = len / 16;
	if (ring_translate(p, t, q) < 0)
		return -1;
	t->head = reg_get(p, txq_word(REG_TDH, q));
	if (t->head >= t->ndesc) {
		sim_violation_add(p, "TXDCTL(%u).ENABLE refused: TDH = %u is beyond the ring", q, t->head);
		return -1;
	}
	t->state = Q_RUNNING;
	qmask_set(p->txq_running, q);
	atomic_fetch_or(&p->regs[txq_word(REG_TXDCTL, q)], XDCTL_ENABLE);
	return 0;
}

void txq_stop(struct sim_port *p, unsigned q, int state)
{
	struct sim_txq *t = &p->txq[q];
	t->state = state;   /* the ring pointer stays for completions in flight */
	t->change_at = 0;
	qmask_clear(p->txq_running, q);
	atomic_fetch_and(&p->regs[txq_word(REG_TXDCTL, q)], ~XDCTL_ENABLE);
}

static void tx_fail(struct sim_port *p, unsigned q, unsigned idx, const char *why, uint32_t cmd)
{
	sim_violation_add(p, "TX queue %u descriptor %u: %s (cmd_type_len 0x%08x); queue stopped (§7.2.3.2.4)",
	                  q, idx, why, cmd);
	txq_stop(p, q, Q_FAULT);
}

struct seg { uint64_t addr; uint32_t len; };

/* Gather one frame starting at t->head.  Returns the number of
 * descriptors it uses, 0 if its EOP is not yet behind the tail, -1 on a
 * violation (queue stopped).  data and len describe the frame. */
static int tx_gather(struct sim_port *p, unsigned q, struct sim_txq *t, uint32_t tail,
                     const uint8_t **data, uint32_t *len, uint32_t *first_cmd)
{
	struct seg segs[64];
	unsigned nseg = 0, used = 0;
	uint32_t total = 0;
	/* The common case first: one advanced data descriptor with EOP, no
	 * TSE, a length of 1..15.5 KB -- the same checks as the loop below,
	 * in one test. */
	{
		const uint8_t *desc = t->ring + (size_t)t->head * 16;
		uint64_t addr;
		uint32_t cmd;
		memcpy(&addr, desc, 8);
		memcpy(&cmd, desc + 8, 4);
		const uint32_t mask = TXD_DCMD_DEXT | TXD_DTYP_MASK | TXD_DCMD_EOP | TXD_DCMD_TSE;
		uint32_t l = cmd & 0xFFFF;
		if ((cmd & mask) == (TXD_DCMD_DEXT | TXD_DTYP_DATA | TXD_DCMD_EOP) &&
		    l != 0 && l <= SIM_TX_MAX_FRAME) {
			*first_cmd = cmd;
			*data = sim_iommu_translate(addr, l);
			if (!*data) {
				sim_iommu_fault(p, "TX buffer of", q, addr, l);
				txq_stop(p, q, Q_FAULT);
				return -1;
			}
			*len = l;
			return 1;
		}
	}
	for (uint32_t i = t->head; i != tail; i = i + 1 == t->ndesc ? 0 : i + 1) {
		const uint8_t *desc = t->ring + (size_t)i * 16;
		uint64_t addr;
		uint32_t cmd;
		memcpy(&addr, desc, 8);
		memcpy(&cmd, desc + 8, 4);
		used++;
		if (!(cmd & TXD_DCMD_DEXT) || ((cmd & TXD_DTYP_MASK) != TXD_DTYP_DATA &&
		                               (cmd & TXD_DTYP_MASK) != TXD_DTYP_CTXT))
			return tx_fail(p, q, i, "not an advanced data or context descriptor (DEXT, DTYP 0011b)", cmd), -1;
		if ((cmd & TXD_DTYP_MASK) == TXD_DTYP_CTXT)
			continue;                 /* offload context: nothing to send */
		if (cmd & TXD_DCMD_TSE)
			return tx_fail(p, q, i, "TSE (segmentation offload) is not modelled", cmd), -1;
		uint32_t l = cmd & 0xFFFF;
		if (l == 0)
			return tx_fail(p, q, i, "data descriptor with length 0", cmd), -1;
		if (nseg == 64)
			return tx_fail(p, q, i, "frame spread over more than 64 descriptors", cmd), -1;
		if (nseg == 0)
			*first_cmd = cmd;
		segs[nseg++] = (struct seg){ addr, l };
		total += l;
		if (total > SIM_TX_MAX_FRAME)
			return tx_fail(p, q, i, "frame longer than 15.5 KB", cmd), -1;
		if (cmd & TXD_DCMD_EOP)
			goto complete;
	}
	return 0;
complete:
	if (nseg == 1) {
		*data = sim_iommu_translate(segs[0].addr, segs[0].len);
		if (!*data)
			goto fault;
	} else {
		uint32_t off = 0;
		for (unsigned s = 0; s < nseg; s++) {
			const uint8_t *src = sim_iommu_translate(segs[s].addr, segs[s].len);
			if (!src)
				goto fault;
			memcpy(p->txbuf + off, src, segs[s].len);
			off += segs[s].len;
		}
		*data = p->txbuf;
	}
	*len = total;
	return (int)used;
fault:
	for (unsigned s = 0; s < nseg; s++)
		if (!sim_iommu_translate(segs[s].addr, segs[s].len)) {
			sim_iommu_fault(p, "TX buffer of", q, segs[s].addr, segs[s].len);
			break;
		}
	txq_stop(p, q, Q_FAULT);
	return -1;
}

/* §7.2.3.5: DD into descriptors with RS, or the head into memory. */
static void tx_complete(struct sim_port *p, unsigned q, struct sim_txq *t, uint32_t from, uint32_t to)
{
	uint32_t wbal = reg_get(p, txq_word(REG_TDWBAL, q));
	if (!(wbal & TDWBAL_HEAD_WB_EN)) {
		for (uint32_t i = from; i != to; i = i + 1 == t->ndesc ? 0 : i + 1) {
			uint8_t *desc = t->ring + (size_t)i * 16;
			uint32_t cmd;
			memcpy(&cmd, desc + 8, 4);
			if (cmd & TXD_DCMD_RS)
				atomic_store_explicit((_Atomic uint32_t *)(desc + 12), TXD_STAT_DD,
				                      memory_order_release);
		}
	}
	atomic_store_explicit(&p->regs[txq_word(REG_TDH, q)], to, memory_order_release);
	if (wbal & TDWBAL_HEAD_WB_EN) {
		uint64_t iova = (wbal & ~3u) | (uint64_t)reg_get(p, txq_word(REG_TDWBAH, q)) << 32;
		_Atomic uint32_t *hw = sim_iommu_translate(iova, 4);
		if (!hw) {
			sim_iommu_fault(p, "TX head write-back of", q, iova, 4);
			txq_stop(p, q, Q_FAULT);
			return;
		}
		atomic_store_explicit(hw, to, memory_order_release);
	}
}

static unsigned tx_queue(struct sim_port *p, unsigned q, struct sim_txq *t)
{
	if (t->iommu_gen != sim_iommu_generation() && ring_translate(p, t, q) < 0) {
		txq_stop(p, q, Q_FAULT);
		return 0;
	}
	uint32_t tail = atomic_load_explicit(&p->regs[txq_word(REG_TDT, q)], memory_order_acquire);
	uint32_t start = t->head;
	bool pad = reg_get(p, W(HLREG0)) & HLREG0_TXPADEN;
	unsigned sent = 0;
	struct wire_burst b;
	b.n = 0;
	while (sent < TX_BURST && t->head != tail && t->state == Q_RUNNING && wire_tx_ready(p)) {
		const uint8_t *data;
		uint32_t len, cmd = 0;
		int used = tx_gather(p, q, t, tail, &data, &len, &cmd);
		if (used <= 0)
			break;
		if (len < 60 && pad) {           /* §8.2.3.22.8 TXPADEN */
			if (data != p->txbuf)
				memcpy(p->txbuf, data, len);
			memset(p->txbuf + len, 0, 60 - len);
			data = p->txbuf;
			len = 60;
		}
		t->head += (uint32_t)used;       /* used < ndesc: one wrap at most */
		if (t->head >= t->ndesc)
			t->head -= t->ndesc;
		p->c_gptc++;
		p->c_gotc += len + 4;
		p->c_txdgpc++;
		p->c_txdgbc += len;
		if (!t->pend_pkts++)
			qmask_set(p->txq_dirty, q);
		t->pend_bytes += len;
		stat_add(&p->st.tx_frames, 1);
		stat_add(&p->st.tx_bytes, len);
		unsigned flags = (cmd & TXD_DCMD_IFCS) ? 0 : SIM_F_BAD_FCS;
		if (data == p->txbuf) {          /* staged: on the wire before txbuf is reused */
			wire_tx_flush(p, &b);
			wire_tx(p, data, len, flags);
		} else {
			wire_tx_add(p, &b, data, len, flags);
		}
		sent++;
	}
	wire_tx_flush(p, &b);                /* before DD: the frames have left */
	if (t->head != start && t->ring)
		tx_complete(p, q, t, start, t->head);
	return sent;
}

unsigned tx_poll(struct sim_port *p)
{
	if (!p->link_up || !(reg_get(p, W(DMATXCTL)) & DMATXCTL_TE))
		return 0;      /* §7.2: nothing leaves without link and TE */
	uint64_t until = atomic_load_explicit(&p->stall_until, memory_order_relaxed);
	if (until && sim_now() < until)
		return 0;
	unsigned n = 0;
	for (unsigned w = 0; w < 2; w++) {
		/* a queue stopped by tx_queue() clears its bit; work on a copy */
		for (uint64_t m = p->txq_running[w]; m; m &= m - 1) {
			unsigned q = w * 64 + (unsigned)__builtin_ctzll(m);
			n += tx_queue(p, q, &p->txq[q]);
		}
	}
	return n;
}
