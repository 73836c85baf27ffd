/* x710_tx.c -- the X710's transmit side (datasheet: Transmit).
 *
 * Queue start (QTX_ENA.QENA_REQ, X710_T_QUEUE later): QTX_CTL must say
 * "PF queue" (PFVF_Q = 2) of this PF (PF_INDX = pf_id); the queue must not
 * be pre-disabled (GLLAN_TXPRE_QDIS.SET_QDIS without CLEAR_QDIS); its TX
 * context is read from the HMC (x710_hmc.c) and checked: base set, qlen a
 * multiple of 32 in 64..8160, new_context 1, rdylist equal to the VSI's
 * qs_handle[0] (get VSI parameters), head and QTX_TAIL inside the ring.
 *
 * Descriptors (16 bytes): qword0 the buffer address; qword1 DTYPE 3:0
 * (0 data, 1 context -- consumed, offloads not modelled), CMD 13:4 (EOP
 * bit 4, RS bit 5, ICRC bit 6), OFFSET 33:16, buffer size 47:34, L2TAG1
 * 63:48.  A frame is gathered to EOP.  Without ICRC the frame is counted
 * (GLPRT_GOTC/UPTC..) but not sent, as the device does.  Short frames are
 * padded to 60 bytes (inferred).  With the link down, frames are dropped
 * and counted in GLPRT_TDOLD.
 * Completion: a descriptor with RS gets DTYPE 0xF written back (release),
 * or, with head_wb_ena in the context, the head index is written to
 * head_wb_addr instead; QTX_HEAD follows.
 */
#include <string.h>

#include "x710_model.h"

#define TX_BURST 128
#define TXD_DTYPE_MASK 0xFull
#define TXD_DTYPE_CTX  0x1ull
#define TXD_DTYPE_DONE 0xFull
#define TXD_EOP  (1ull << 4)
#define TXD_RS   (1ull << 5)
#define TXD_ICRC (1ull << 6)
#define TXD_SIZE_SHIFT 34
#define TXD_SIZE_MASK  0x3FFFull

static int refuse(struct sim_port *p, unsigned q, const char *why)
{
	sim_violation_add(p, "QTX_ENA(%u).QENA_REQ refused: %s; QENA_STAT stays 0", q, why);
	return -1;
}

int x710_txq_start(struct sim_port *p, unsigned q)
{
	struct x710 *x = p->x7;
	struct x710_txctx *c = &x->txc[q];
	struct sim_txq *t = &p->txq[q];
	uint32_t ctl = xget(p, X_QTX_CTL, q);
	if ((ctl & QTX_CTL_PFVF_Q_MASK) != QTX_CTL_PF_QUEUE ||
	    ((ctl & QTX_CTL_PF_INDX_MASK) >> QTX_CTL_PF_INDX_SHIFT) != x->pf)
		return refuse(p, q, "QTX_CTL does not say PF queue (PFVF_Q = 2) of this PF (PF_INDX = pf_id)");
	if (x->qdis[q])
		return refuse(p, q, "the queue is pre-disabled (GLLAN_TXPRE_QDIS.SET_QDIS); write CLEAR_QDIS first");
	if (x710_tx_context(p, q, c) < 0)
		return -1;
	if (c->base == 0)
		return refuse(p, q, "TX context base is 0");
	if (c->qlen < 64 || c->qlen > 8160 || c->qlen % 32)
		return refuse(p, q, "TX context qlen is not a multiple of 32 in 64..8160");
	if (!c->new_context)
		return refuse(p, q, "TX context new_context is 0 (a queue being enabled needs 1)");
	if (c->rdylist != X710_QS_HANDLE(x->pf))
		return refuse(p, q, "TX context rdylist is not the VSI's qs_handle[0] (get VSI parameters)");
	if (c->head >= c->qlen)
		return refuse(p, q, "TX context head is beyond the ring");
	if (xget(p, X_QTX_TAIL, q) >= c->qlen)
		return refuse(p, q, "QTX_TAIL is beyond the ring");
	if (c->head_wb_ena && (c->head_wb_addr & 3))
		return refuse(p, q, "TX context head_wb_addr is not 4-byte aligned");
	t->ring_iova = c->base;
	t->ndesc = c->qlen;
	t->iommu_gen = sim_iommu_generation();
	t->ring = sim_iommu_translate(t->ring_iova, t->ndesc * 16ull);
	if (!t->ring) {
		sim_iommu_fault(p, "TX ring of", q, t->ring_iova, t->ndesc * 16ull);
		return -1;
	}
	t->head = c->head;
	xput(p, X_QTX_HEAD, q, t->head);
	t->state = Q_RUNNING;
	qmask_set(p->txq_running, q);
	atomic_fetch_or(xreg(p, X_QTX_ENA, q), QENA_STAT);
	return 0;
}

void x710_txq_stop(struct sim_port *p, unsigned q, int state)
{
	struct sim_txq *t = &p->txq[q];
	t->state = state;
	t->change_at = 0;
	qmask_clear(p->txq_running, q);
	atomic_fetch_and(xreg(p, X_QTX_ENA, q), ~QENA_STAT);
}

static void tx_fail(struct sim_port *p, unsigned q, unsigned i, const char *why, uint64_t qw1)
{
	sim_violation_add(p, "TX queue %u descriptor %u: %s (qword1 0x%016llx); queue stopped",
	                  q, i, why, (unsigned long long)qw1);
	x710_txq_stop(p, q, Q_FAULT);
}

/* Gather one frame at t->head into p->txbuf.  Returns descriptors used,
 * 0 if its EOP is not yet behind the tail, -1 on a violation or fault. */
static int gather(struct sim_port *p, unsigned q, struct sim_txq *t, uint32_t tail, uint32_t *len, uint64_t *cmd)
{
	unsigned used = 0;
	uint32_t total = 0;
	for (uint32_t i = t->head; i != tail; i = i + 1 == t->ndesc ? 0 : i + 1) {
		const uint8_t *desc = t->ring + (size_t)i * 16;
		uint64_t addr, qw1;
		memcpy(&addr, desc, 8);
		memcpy(&qw1, desc + 8, 8);
		used++;
		uint64_t dtype = qw1 & TXD_DTYPE_MASK;
		if (dtype == TXD_DTYPE_CTX)
			continue;                        /* offload context: nothing to send */
		if (dtype != 0)
			return tx_fail(p, q, i, dtype == TXD_DTYPE_DONE ? "DTYPE 0xF (a completed descriptor given back unchanged)"
			                                             : "not a data or context descriptor", qw1), -1;
		uint32_t l = (uint32_t)((qw1 >> TXD_SIZE_SHIFT) & TXD_SIZE_MASK);
		if (l == 0)
			return tx_fail(p, q, i, "data descriptor with buffer size 0", qw1), -1;
		if (total + l > X710_MAX_FRAME)
			return tx_fail(p, q, i, "frame longer than 9728 bytes", qw1), -1;
		const uint8_t *src = sim_iommu_translate(addr, l);
		if (!src) {
			sim_iommu_fault(p, "TX buffer of", q, addr, l);
			x710_txq_stop(p, q, Q_FAULT);
			return -1;
		}
		memcpy(p->txbuf + total, src, l);
		total += l;
		if (qw1 & TXD_EOP) {
			*len = total;
			*cmd = qw1;
			return (int)used;
		}
	}
	return 0;
}

static void complete(struct sim_port *p, unsigned q, struct sim_txq *t, uint32_t from, uint32_t to)
{
	struct x710_txctx *c = &p->x7->txc[q];
	if (!c->head_wb_ena) {
		for (uint32_t i = from; i != to; i = i + 1 == t->ndesc ? 0 : i + 1) {
			_Atomic uint64_t *qw1 = (_Atomic uint64_t *)(t->ring + (size_t)i * 16 + 8);
			uint64_t v = atomic_load_explicit(qw1, memory_order_relaxed);
			if (v & TXD_RS)
				atomic_store_explicit(qw1, v | TXD_DTYPE_DONE, memory_order_release);
		}
	}
	xput(p, X_QTX_HEAD, q, to);
	if (c->head_wb_ena) {
		_Atomic uint32_t *hw = sim_iommu_translate(c->head_wb_addr, 4);
		if (!hw) {
			sim_iommu_fault(p, "TX head write-back of", q, c->head_wb_addr, 4);
			x710_txq_stop(p, q, Q_FAULT);
			return;
		}
		atomic_store_explicit(hw, to, memory_order_release);
	}
}

static unsigned tx_queue(struct sim_port *p, unsigned q, struct sim_txq *t)
{
	struct x710 *x = p->x7;
	if (t->iommu_gen != sim_iommu_generation() || !t->ring) {
		t->iommu_gen = sim_iommu_generation();
		t->ring = sim_iommu_translate(t->ring_iova, t->ndesc * 16ull);
		if (!t->ring) {
			sim_iommu_fault(p, "TX ring of", q, t->ring_iova, t->ndesc * 16ull);
			x710_txq_stop(p, q, Q_FAULT);
			return 0;
		}
	}
	uint32_t tail = atomic_load_explicit(xreg(p, X_QTX_TAIL, q), memory_order_acquire);
	if (tail >= t->ndesc)
		return 0;
	uint32_t start = t->head;
	unsigned sent = 0;
	while (sent < TX_BURST && t->head != tail && t->state == Q_RUNNING && wire_tx_ready(p)) {
		uint32_t len = 0;
		uint64_t cmd = 0;
		int used = gather(p, q, t, tail, &len, &cmd);
		if (used <= 0)
			break;
		t->head += (uint32_t)used;
		if (t->head >= t->ndesc)
			t->head -= t->ndesc;
		if (len < 60) {
			memset(p->txbuf + len, 0, 60 - len);
			len = 60;
		}
		sent++;
		if (!p->link_up) {                     /* dropped: link down */
			x->c_tdold++;
			stat_add(&p->st.tx_drop_link, 1);
			continue;
		}
		const uint8_t *d = p->txbuf;
		bool mc = d[0] & 1, bc = mc && (d[0] & d[1] & d[2] & d[3] & d[4] & d[5]) == 0xFF;
		x->c_gotc += len + 4;
		if (bc) x->c_bptc++;
		else if (mc) x->c_mptc++;
		else x->c_uptc++;
		if (!(cmd & TXD_ICRC)) {               /* counted, never on the wire */
			stat_add(&p->st.tx_drop_link, 1);
			continue;
		}
		stat_add(&p->st.tx_frames, 1);
		stat_add(&p->st.tx_bytes, len);
		wire_tx(p, d, len, 0);
	}
	if (t->head != start && t->ring && t->state == Q_RUNNING)
		complete(p, q, t, start, t->head);
	return sent;
}

unsigned x710_tx_poll(struct sim_port *p)
{
	uint64_t until = atomic_load_explicit(&p->stall_until, memory_order_relaxed);
	if (until && sim_now() < until)
		return 0;
	unsigned n = 0;
	for (unsigned w = 0; w < 2; w++)
		for (uint64_t m = p->txq_running[w]; m; m &= m - 1) {
			unsigned q = w * 64 + (unsigned)__builtin_ctzll(m);
			n += tx_queue(p, q, &p->txq[q]);
		}
	return n;
}
