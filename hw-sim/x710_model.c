/* x710_model.c -- the X710 personality: what its registers do, its
 * resets, its link, and its queue-enable handshake.
 *
 * A model port N is one PF of an X710 (device 0x1572, X710 for 10GbE
 * SFP+): PF N % 4 on port N % 4, PCI function N % 4 of bus 3 + N / 4, ARI
 * off, so pf_id = PF_FUNC_RID bits 2:0.  It owns LAN queues
 * 64 * pf .. 64 * pf + 63 (PFLAN_QALLOC).  BAR0 is 8 MiB; its registers
 * (x710_regs.h) are stored sparsely.
 *
 * Resets (datasheet: Reset):
 *   power-up / core reset (GLGEN_RTRIG.CORER, sim_fault_reset): every
 *     register to its reset value, queues off, the admin queue disabled,
 *     the link down; GLGEN_RSTAT.DEVSTATE reads 1 for X710_T_CORER, then 0;
 *     X710_T_ULD later the firmware is up (GLNVM_ULD CORE_DONE|GLOBAL_DONE)
 *     and X710_T_LINK_UP after that the firmware has the link up again;
 *   PF reset (PFGEN_CTRL.PFSWR, or a PCIe FLR through the device's reset
 *     op): the PF-domain registers to reset values, queues off, the PF's
 *     admin queue and HMC segment descriptors cleared; PFSWR reads 1 for
 *     X710_T_PFR.  The port's link is not touched.
 *   While either runs, register writes are lost (a violation).
 * Anything that takes time is posted to the model thread (p->req) and
 * completed in x710_tick().
 */
#include <stdlib.h>
#include <string.h>

#include "x710_model.h"

/* ---- resets ---- */

static void reset_registers(struct sim_port *p, bool core)
{
	for (unsigned id = 0; id < X__COUNT; id++) {
		const struct x710_reg_desc *d = &x710_reg_desc[id];
		if (!core && d->domain != XD_PFR)
			continue;
		if (id == X_PFGEN_CTRL && atomic_load(&p->in_reset))
			continue;                     /* PFSWR reads 1 until done */
		if (id == X_GLGEN_RSTAT && core)
			continue;                     /* DEVSTATE reads 1 until done (core_reset) */
		for (unsigned i = 0; i < d->count; i++)
			xput(p, (enum x710_reg_id)id, i, d->reset);
	}
}

/* Registers whose reset value depends on the port: identity, MAC. */
static void load_identity(struct sim_port *p)
{
	struct x710 *x = p->x7;
	/* PCIe: function pf of device 0 on bus 3 + N/4 (ARI off) */
	xput(p, X_PF_FUNC_RID, 0, (3u + p->id / 4) << 8 | x->pf);
	xput(p, X_PFGEN_PORTNUM, 0, x->port);
	xput(p, X_PFLAN_QALLOC, 0, x->firstq | (x->firstq + x->nq - 1) << QALLOC_LASTQ_SHIFT | QALLOC_VALID);
	for (unsigned f = 0; f < 4; f++)      /* SD partitions: 32 per PF */
		xput(p, X_GLHMC_SDPART, f, (f * X710_HMC_SDS) | X710_HMC_SDS << 16);
	/* the port's address "from the NVM": 02:4b:56:00:01:0N ("KV", X710) */
	x->mac = 0x00564b02ull | (0x01ull << 32) | ((uint64_t)p->id << 40);
	xput(p, X_PRTGL_SAL, 0, (uint32_t)x->mac);
	xput(p, X_PRTGL_SAH, 0, (uint32_t)(x->mac >> 32) | X710_MAX_FRAME << 16);
}

static void queues_off(struct sim_port *p)
{
	struct x710 *x = p->x7;
	for (unsigned q = 0; q < SIM_NQUEUES; q++) {
		if (q < X710_NQ) {
			x->rx_held[q] = 0;            /* a reset writes nothing back */
			x710_rxq_stop(p, q, Q_OFF);
			x710_txq_stop(p, q, Q_OFF);
			x->qdis[q] = false;
			x->rx_held[q] = 0;
			atomic_store(&x->rx_retry[q], false);
			atomic_store(&x->tx_retry[q], false);
		}
		atomic_store(&p->rxq[q].want, 0);
		atomic_store(&p->txq[q].want, 0);
	}
	p->queues_changing = 0;
}

/* The PF's part: queues, admin queue, HMC descriptors, interrupts. */
static void pf_reset(struct sim_port *p)
{
	struct x710 *x = p->x7;
	queues_off(p);
	rx_fifo_clear(p);                     /* frames waiting are lost (counted) */
	reset_registers(p, false);
	for (unsigned i = 0; i < X710_HMC_SDS; i++)
		atomic_store(&x->sd[i], 0);
	x->aq_due = 0;
	x->aq_skip = false;
	x->aq_bad_told[0] = x->aq_bad_told[1] = false;
	x->lse = false;
	x->unloading = false;
	x->itr_last = 0;
	stat_add(&p->st.resets, 1);
}

static void core_reset(struct sim_port *p)
{
	struct x710 *x = p->x7;
	pf_reset(p);
	reset_registers(p, true);
	load_identity(p);
	x->pxe_cleared = false;
	x->promisc = 0;
	x->max_frame = X710_MAX_FRAME;
	x->crc_en = true;
	x->fw_ready = false;
	x->link_enabled = true;               /* the firmware brings the link up by itself */
	x->corer_done_at = x->uld_at = x->pfr_done_at = x->link_at = 0;
	x->event_link = false;
	p->link_trained = false;
	p->link_up = false;
	x->c_gorc = x->c_uprc = x->c_mprc = x->c_bprc = x->c_crcerrs = x->c_rdpc = 0;
	x->c_ruc = x->c_roc = x->c_gotc = x->c_uptc = x->c_mptc = x->c_bptc = x->c_tdold = 0;
	/* DEVSTATE shows the reset until the model thread ends it */
	xput(p, X_GLGEN_RSTAT, 0, 1u | 1u << RSTAT_RESET_TYPE_SHIFT);
}

static struct x710 *state(struct sim_port *p)
{
	if (!p->x7) {
		x710_regs_init();
		struct x710 *x = calloc(1, sizeof *x);
		if (!x)
			abort();                      /* a few KB at port creation */
		x->regs = calloc(x710_reg_slots, sizeof *x->regs);
		if (!x->regs)
			abort();
		pthread_mutex_init(&x->fault_lock, NULL);
		p->x7 = x;
	}
	p->x7->pf = p->id & 3;
	p->x7->port = p->id & 3;
	p->x7->firstq = X710_NQ * p->x7->pf;
	p->x7->nq = X710_NQ;
	return p->x7;
}

/* Power-on values (port creation, open, close). */
static void x710_reset(struct sim_port *p)
{
	state(p);
	core_reset(p);
	atomic_store(&p->req, 0);
}

static void x710_power_up(struct sim_port *p, uint64_t now)
{
	p->x7->corer_done_at = now + X710_T_CORER;
}

static void x710_release(struct sim_port *p)
{
	if (!p->x7)
		return;
	pthread_mutex_destroy(&p->x7->fault_lock);
	free(p->x7->regs);
	free(p->x7);
	p->x7 = NULL;
}

/* ---- link ---- */

/* PRTMAC_LINKSTA, PFINT_ICR0.LINK_STAT_CHANGE and the ARQ event follow
 * the physical link (wire, training, peer). */
static void update_link(struct sim_port *p, uint64_t now)
{
	struct x710 *x = p->x7;
	if (x->link_at && now >= x->link_at) {
		x->link_at = 0;
		p->link_trained = true;
	}
	bool up = model_link_up(p);
	if (up == p->link_up)
		return;
	p->link_up = up;
	xput(p, X_PRTMAC_LINKSTA, 0, up ? LINKSTA_UP_BITS | LINKSTA_SPEED_10G << LINKSTA_SPEED_SHIFT : 0);
	atomic_fetch_or(xreg(p, X_PFINT_ICR0, 0), ICR0_LINK_STAT_CHANGE);
	x710_link_event(p);
}

/* Restart autonegotiation (admin command 0x0605): the link drops; with
 * LINK_ENABLE it trains again after X710_T_LINK_UP, without it stays down. */
void x710_restart_an(struct sim_port *p, bool enable, uint64_t now)
{
	struct x710 *x = p->x7;
	p->link_trained = false;
	x->link_enabled = enable;
	x->link_at = enable ? now + X710_T_LINK_UP : 0;
}

/* ---- HMC errors (datasheet: HMC, PFHMC_ERRORINFO) ---- */

void x710_hmc_error(struct sim_port *p, unsigned type, unsigned obj, uint32_t data)
{
	xput(p, X_PFHMC_ERRORINFO, 0, ERRORINFO_DETECTED | type << ERRORINFO_TYPE_SHIFT |
	     obj << ERRORINFO_OBJ_SHIFT | p->x7->pf);
	xput(p, X_PFHMC_ERRORDATA, 0, data);
	atomic_fetch_or(xreg(p, X_PFINT_ICR0, 0), ICR0_HMC_ERR);
}

/* ---- queue enable handshake (QENA_REQ -> QENA_STAT) ---- */

static unsigned queue_step(struct sim_port *p, unsigned q, bool rx, uint64_t now)
{
	struct sim_rxq *r = &p->rxq[q];
	struct sim_txq *t = &p->txq[q];
	_Atomic int *want_p = rx ? &r->want : &t->want;
	int state_ = rx ? r->state : t->state;
	uint64_t *change_at = rx ? &r->change_at : &t->change_at;
	int want = atomic_load(want_p);
	_Atomic bool *retry = rx ? &p->x7->rx_retry[q] : &p->x7->tx_retry[q];
	if (want && state_ == Q_FAULT && atomic_exchange(retry, false)) {
		rx ? x710_rxq_stop(p, q, Q_OFF) : x710_txq_stop(p, q, Q_OFF);
		state_ = Q_OFF;
	}
	if (want == (state_ == Q_RUNNING) || (want && state_ == Q_FAULT)) {
		if (!want && state_ == Q_FAULT)
			rx ? x710_rxq_stop(p, q, Q_OFF) : x710_txq_stop(p, q, Q_OFF);
		return 0;
	}
	if (!*change_at)
		*change_at = now + X710_T_QUEUE;
	if (now < *change_at)
		return 1;
	*change_at = 0;
	if (!want)
		rx ? x710_rxq_stop(p, q, Q_OFF) : x710_txq_stop(p, q, Q_OFF);
	else if ((rx ? x710_rxq_start(p, q) : x710_txq_start(p, q)) < 0)
		/* refused: REQ stays as written, STAT never sets; the driver
		 * must clear REQ to try again */
		rx ? x710_rxq_stop(p, q, Q_FAULT) : x710_txq_stop(p, q, Q_FAULT);
	return 0;
}

static void tick_queues(struct sim_port *p, uint64_t now)
{
	unsigned changing = 0;
	for (unsigned q = 0; q < X710_NQ; q++) {
		changing += queue_step(p, q, true, now);
		changing += queue_step(p, q, false, now);
	}
	p->queues_changing = changing;
}

/* ---- the model thread ---- */

static void x710_tick(struct sim_port *p, uint64_t now)
{
	struct x710 *x = p->x7;
	uint32_t req = atomic_load_explicit(&p->req, memory_order_relaxed) ? atomic_exchange(&p->req, 0) : 0;
	if (req & REQ_X_CORER) {
		core_reset(p);
		x->corer_done_at = now + X710_T_CORER;
		req = atomic_exchange(&p->req, 0) & ~(REQ_X_CORER | REQ_RESET | REQ_X_PFR);
	}
	if (req & (REQ_X_PFR | REQ_RESET)) {
		pf_reset(p);
		xput(p, X_PFGEN_CTRL, 0, PFGEN_CTRL_PFSWR);    /* reads 1 until done */
		x->pfr_done_at = now + X710_T_PFR;
		req = atomic_exchange(&p->req, 0) & ~(REQ_X_PFR | REQ_RESET);
	}
	if (req & REQ_QUEUE)
		p->queues_changing = 1;
	if (x->corer_done_at && now >= x->corer_done_at) {
		x->corer_done_at = 0;
		uint32_t st = xget(p, X_GLGEN_RSTAT, 0);
		/* device active; the core reset count (bits 5:4) moves on */
		/* writes are taken again before DEVSTATE says so: a driver
		 * that saw DEVSTATE 0 may write at once */
		atomic_store(&p->in_reset, false);
		xput(p, X_GLGEN_RSTAT, 0, (st & ~RSTAT_DEVSTATE_MASK & ~(3u << RSTAT_CORERCNT_SHIFT)) |
		     (((st >> RSTAT_CORERCNT_SHIFT) + 1) & 3) << RSTAT_CORERCNT_SHIFT);
		x->uld_at = now + X710_T_ULD;
	}
	if (x->uld_at && now >= x->uld_at) {
		x->uld_at = 0;
		x->fw_ready = true;
		atomic_fetch_or(xreg(p, X_GLNVM_ULD, 0), ULD_CORE_DONE | ULD_GLOBAL_DONE);
		if (x->link_enabled)
			x->link_at = now + X710_T_LINK_UP;
	}
	if (x->pfr_done_at && now >= x->pfr_done_at) {
		x->pfr_done_at = 0;
		atomic_store(&p->in_reset, false);
		atomic_fetch_and(xreg(p, X_PFGEN_CTRL, 0), ~PFGEN_CTRL_PFSWR);
	}
	if (x->fw_ready && !atomic_load(&p->in_reset))
		x710_aq_poll(p, now);
	if (p->queues_changing)
		tick_queues(p, now);
	update_link(p, now);
	x710_irq_poll(p, now);
}

/* ---- statistics (datasheet: Statistics; not clear-on-read) ---- */

/* A 48-bit counter kept as L (bits 31:0) and H (bits 15:0 = bits 47:32). */
static void cnt48_add(struct sim_port *p, enum x710_reg_id lo, unsigned port, uint64_t n)
{
	if (!n)
		return;
	uint64_t v = xget(p, lo, port) | (uint64_t)(xget(p, (enum x710_reg_id)(lo + 1), port) & 0xFFFF) << 32;
	v = (v + n) & ((1ull << 48) - 1);
	xput(p, (enum x710_reg_id)(lo + 1), port, (uint32_t)(v >> 32));
	xput(p, lo, port, (uint32_t)v);
}

static void cnt32_add(struct sim_port *p, enum x710_reg_id id, unsigned port, uint64_t n)
{
	if (n)
		xput(p, id, port, xget(p, id, port) + (uint32_t)n);
}

static void x710_flush(struct sim_port *p)
{
	struct x710 *x = p->x7;
	unsigned n = x->port;
	cnt48_add(p, X_GLPRT_GORCL, n, x->c_gorc);
	cnt48_add(p, X_GLPRT_UPRCL, n, x->c_uprc);
	cnt48_add(p, X_GLPRT_MPRCL, n, x->c_mprc);
	cnt48_add(p, X_GLPRT_BPRCL, n, x->c_bprc);
	cnt48_add(p, X_GLPRT_GOTCL, n, x->c_gotc);
	cnt48_add(p, X_GLPRT_UPTCL, n, x->c_uptc);
	cnt48_add(p, X_GLPRT_MPTCL, n, x->c_mptc);
	cnt48_add(p, X_GLPRT_BPTCL, n, x->c_bptc);
	cnt32_add(p, X_GLPRT_CRCERRS, n, x->c_crcerrs);
	cnt32_add(p, X_GLPRT_RDPC, n, x->c_rdpc);
	cnt32_add(p, X_GLPRT_RUC, n, x->c_ruc);
	cnt32_add(p, X_GLPRT_ROC, n, x->c_roc);
	cnt32_add(p, X_GLPRT_TDOLD, n, x->c_tdold);
	x->c_gorc = x->c_uprc = x->c_mprc = x->c_bprc = x->c_crcerrs = x->c_rdpc = 0;
	x->c_ruc = x->c_roc = x->c_gotc = x->c_uptc = x->c_mptc = x->c_bptc = x->c_tdold = 0;
}

/* ---- register handlers (driver thread) ---- */

/* A core reset starts now (any thread, even during a DMA stall): before
 * any write is refused, DEVSTATE shows it, the firmware is down and both
 * admin queues read disabled (PF_ATQLEN/PF_ARQLEN.ENABLE clear), as on
 * hardware; the model thread does the rest (queues, rings, registers). */
static void core_reset_begin(struct sim_port *p)
{
	atomic_store(xreg(p, X_GLGEN_RSTAT, 0), 1u | 1u << RSTAT_RESET_TYPE_SHIFT);
	atomic_fetch_and(xreg(p, X_GLNVM_ULD, 0), ~(ULD_CORE_DONE | ULD_GLOBAL_DONE));
	atomic_fetch_and(xreg(p, X_PF_ATQLEN, 0), ~AQLEN_ENABLE);
	atomic_fetch_and(xreg(p, X_PF_ARQLEN, 0), ~AQLEN_ENABLE);
	atomic_store(&p->in_reset, true);
	atomic_fetch_or(&p->req, REQ_X_CORER);
}

static const char *rname(struct x710_loc l, char *buf, size_t n)
{
	const struct x710_reg_desc *d = &x710_reg_desc[l.id];
	if (d->count > 1)
		snprintf(buf, n, "%s(%u)", d->name, l.inst);
	else
		snprintf(buf, n, "%s", d->name);
	return buf;
}

static uint32_t x710_read32(void *ctx, uint32_t off)
{
	struct sim_port *p = ctx;
	struct x710_loc l = x710_regs_lookup(off);
	if (l.id == X__COUNT) {
		sim_violation_add(p, "read of unknown register offset 0x%06x (not in the X710 map the model knows; datasheet: register chapter)", off);
		return 0;
	}
	if (l.id == X_PFINT_ICR0)             /* clear on read */
		return atomic_exchange(xreg(p, X_PFINT_ICR0, 0), 0);
	return xget(p, (enum x710_reg_id)l.id, l.inst);
}

/* Is PF queue q (relative) valid for this PF (PFLAN_QALLOC)? */
static bool pf_queue(struct sim_port *p, struct x710_loc l, uint32_t v)
{
	char nb[48];
	if (l.inst < p->x7->nq)
		return true;
	sim_violation_add(p, "write 0x%08x to %s: queue %u is beyond the PF's %u queues (PFLAN_QALLOC); ignored",
	                  v, rname(l, nb, sizeof nb), l.inst, p->x7->nq);
	return false;
}

/* An admin queue register (datasheet: Admin Queue). */
static void write_aq(struct sim_port *p, struct x710_loc l, uint32_t v)
{
	char nb[48];
	bool send = l.id == X_PF_ATQBAL || l.id == X_PF_ATQBAH || l.id == X_PF_ATQLEN ||
	            l.id == X_PF_ATQH || l.id == X_PF_ATQT;
	uint32_t len = xget(p, send ? X_PF_ATQLEN : X_PF_ARQLEN, 0);
	bool on = len & AQLEN_ENABLE;
	uint32_t n = len & AQLEN_LEN_MASK;
	const char *q = send ? "ATQ" : "ARQ";
	switch (l.id) {
	case X_PF_ATQLEN: case X_PF_ARQLEN:
		if ((v & AQLEN_ENABLE) && (v & AQLEN_LEN_MASK) == 0) {
			sim_violation_add(p, "%s = 0x%08x enables the %s with length 0 (datasheet: Admin Queue); ignored",
			                  rname(l, nb, sizeof nb), v, q);
			return;
		}
		/* VFE/OVFL/CRIT are status bits the firmware sets: writing 0 clears them */
		xput(p, (enum x710_reg_id)l.id, 0, v & (AQLEN_ENABLE | AQLEN_LEN_MASK));
		p->x7->aq_bad_told[send] = false;
		if (send)
			p->x7->aq_skip = false;
		return;
	case X_PF_ATQH: case X_PF_ARQH:
		if (on && (v & AQ_HT_MASK) != xget(p, (enum x710_reg_id)l.id, 0)) {
			sim_violation_add(p, "%s written (%u) while the %s is enabled; only the firmware moves the head (datasheet: Admin Queue); ignored",
			                  rname(l, nb, sizeof nb), v, q);
			return;
		}
		xput(p, (enum x710_reg_id)l.id, 0, v & AQ_HT_MASK);
		return;
	case X_PF_ATQT: case X_PF_ARQT:
		if (on && (v & AQ_HT_MASK) >= n) {
			sim_violation_add(p, "%s = %u is beyond the %s (%u descriptors); ignored (datasheet: Admin Queue)",
			                  rname(l, nb, sizeof nb), v, q, n);
			return;
		}
		if (!on && v && send) {
			sim_violation_add(p, "%s = %u written while the %s is disabled (PF_ATQLEN.ENABLE clear); the firmware does not look (datasheet: Admin Queue)",
			                  rname(l, nb, sizeof nb), v, q);
		}
		/* release: the descriptors written before the tail are visible */
		atomic_store_explicit(xreg(p, (enum x710_reg_id)l.id, 0), v & AQ_HT_MASK, memory_order_release);
		atomic_fetch_or(&p->req, REQ_X_AQ);
		return;
	default:   /* base addresses: used when the firmware next reads the queue */
		xput(p, (enum x710_reg_id)l.id, 0, v);
		return;
	}
}

static void write_qena(struct sim_port *p, struct x710_loc l, uint32_t v, bool rx)
{
	unsigned q = l.inst;
	if (!pf_queue(p, l, v))
		return;
	_Atomic int *want = rx ? &p->rxq[q].want : &p->txq[q].want;
	_Atomic uint32_t *r = xreg(p, (enum x710_reg_id)l.id, q);
	/* QENA_STAT is the hardware's: keep it */
	atomic_store(r, (v & (QENA_REQ | QENA_FAST_QDIS)) | (atomic_load(r) & QENA_STAT));
	bool on = v & QENA_REQ;
	if (!on)
		atomic_store(rx ? &p->x7->rx_retry[q] : &p->x7->tx_retry[q], true);
	if (on != !!atomic_load(want)) {
		if (!rx && !on && !p->x7->qdis[q])
			sim_violation_add(p, "QTX_ENA(%u).QENA_REQ cleared without GLLAN_TXPRE_QDIS.SET_QDIS first (datasheet: Transmit queue disable); queue stops anyway", q);
		atomic_store(want, on);
	}
	atomic_fetch_or(&p->req, REQ_QUEUE);
}

static void write_txpre_qdis(struct sim_port *p, struct x710_loc l, uint32_t v)
{
	struct x710 *x = p->x7;
	unsigned idx = v & QDIS_QINDX_MASK;
	/* QINDX is abs % 128 (Linux, DPDK) or the full absolute queue (iPXE) */
	unsigned abs = idx < 128 ? l.inst * 128 + idx : idx;
	if (abs / 128 != l.inst || abs < x->firstq || abs >= x->firstq + x->nq) {
		sim_violation_add(p, "GLLAN_TXPRE_QDIS(%u) = 0x%08x names absolute queue %u, not one of the PF's %u..%u (datasheet: Transmit queue disable); ignored",
		                  l.inst, v, abs, x->firstq, x->firstq + x->nq - 1);
		return;
	}
	if ((v & QDIS_SET) && (v & QDIS_CLEAR)) {
		sim_violation_add(p, "GLLAN_TXPRE_QDIS(%u) = 0x%08x sets both SET_QDIS and CLEAR_QDIS; ignored", l.inst, v);
		return;
	}
	if (v & QDIS_SET)
		x->qdis[abs - x->firstq] = true;
	if (v & QDIS_CLEAR)
		x->qdis[abs - x->firstq] = false;
	xput(p, X_GLLAN_TXPRE_QDIS, l.inst, v & QDIS_QINDX_MASK);
}

static bool tx_running(struct sim_port *p, unsigned q)
{
	return p->txq[q].state == Q_RUNNING || atomic_load(&p->txq[q].want);
}

static void write_tail(struct sim_port *p, struct x710_loc l, uint32_t v, bool rx)
{
	char nb[48];
	unsigned q = l.inst;
	if (!pf_queue(p, l, v))
		return;
	/* a running queue knows its ring length (from its context) */
	struct sim_rxq *r = &p->rxq[q];
	struct sim_txq *t = &p->txq[q];
	uint32_t n = rx ? (r->state == Q_RUNNING ? r->ndesc : 0) : (t->state == Q_RUNNING ? t->ndesc : 0);
	if (n && v >= n) {
		sim_violation_add(p, "%s = %u is beyond the ring (%u descriptors, qlen of the queue context); ignored",
		                  rname(l, nb, sizeof nb), v, n);
		return;
	}
	atomic_store_explicit(xreg(p, (enum x710_reg_id)l.id, q), v, memory_order_release);
}

static void write_dyn_ctl0(struct sim_port *p, uint32_t v)
{
	_Atomic uint32_t *r = xreg(p, X_PFINT_DYN_CTL0, 0);
	uint32_t old = atomic_load(r);
	/* INTENA_MSK set: this write leaves INTENA alone */
	uint32_t intena = (v & DYN_CTL0_INTENA_MSK) ? (old & DYN_CTL0_INTENA) : (v & DYN_CTL0_INTENA);
	/* ITR_INDX 3 means "no ITR update"; otherwise INTERVAL goes to that ITR */
	unsigned itr = (v >> DYN_CTL0_ITR_INDX_SHIFT) & 3;
	if (itr < 3)
		xput(p, X_PFINT_ITR0, itr, (v >> 5) & 0xFFF);
	atomic_store(r, (v & ~(DYN_CTL0_INTENA | DYN_CTL0_CLEARPBA | DYN_CTL0_SWINT_TRIG | DYN_CTL0_INTENA_MSK)) | intena |
	             (v & DYN_CTL0_SWINT_TRIG));
}

static void write_hook(struct sim_port *p, struct x710_loc l, uint32_t v)
{
	char nb[48];
	switch (l.id) {
	case X_GLGEN_RTRIG:
		if (v & (RTRIG_CORER | RTRIG_GLOBR))     /* a core (or global) reset */
			core_reset_begin(p);
		return;
	case X_PFGEN_CTRL:
		if (v & PFGEN_CTRL_PFSWR) {
			xput(p, X_PFGEN_CTRL, 0, PFGEN_CTRL_PFSWR);    /* shown before writes are refused */
			atomic_store(&p->in_reset, true);
			atomic_fetch_or(&p->req, REQ_X_PFR);
		}
		return;
	case X_PF_ATQBAL: case X_PF_ATQBAH: case X_PF_ATQLEN: case X_PF_ATQH: case X_PF_ATQT:
	case X_PF_ARQBAL: case X_PF_ARQBAH: case X_PF_ARQLEN: case X_PF_ARQH: case X_PF_ARQT:
		write_aq(p, l, v);
		return;
	case X_PFHMC_SDCMD: {
		unsigned idx = v & SDCMD_IDX_MASK;
		xput(p, X_PFHMC_SDCMD, 0, v);
		if (!(v & SDCMD_WR))
			return;
		if (idx >= X710_HMC_SDS) {
			sim_violation_add(p, "PFHMC_SDCMD = 0x%08x: segment descriptor %u beyond the PF's %u (GLHMC_SDPART); ignored (datasheet: HMC)",
			                  v, idx, X710_HMC_SDS);
			x710_hmc_error(p, 1, 0, idx);
			return;
		}
		uint64_t sd = xget(p, X_PFHMC_SDDATALOW, 0) | (uint64_t)xget(p, X_PFHMC_SDDATAHIGH, 0) << 32;
		atomic_store(&p->x7->sd[idx], sd);
		return;
	}
	case X_PFHMC_ERRORINFO:               /* the driver clears it by writing 0 */
		xput(p, X_PFHMC_ERRORINFO, 0, v);
		return;
	case X_QTX_ENA:
		write_qena(p, l, v, false);
		return;
	case X_QRX_ENA:
		write_qena(p, l, v, true);
		return;
	case X_QTX_CTL:
		if (!pf_queue(p, l, v))
			return;
		if (tx_running(p, l.inst) && v != xget(p, X_QTX_CTL, l.inst)) {
			sim_violation_add(p, "QTX_CTL(%u) changed while the queue is enabled; ignored", l.inst);
			return;
		}
		xput(p, X_QTX_CTL, l.inst, v);
		return;
	case X_QTX_HEAD:
		if (!pf_queue(p, l, v))
			return;
		if (tx_running(p, l.inst) && v != xget(p, X_QTX_HEAD, l.inst)) {
			sim_violation_add(p, "QTX_HEAD(%u) written while the queue is enabled; only hardware moves the head; ignored", l.inst);
			return;
		}
		xput(p, X_QTX_HEAD, l.inst, v);
		return;
	case X_GLLAN_TXPRE_QDIS:
		write_txpre_qdis(p, l, v);
		return;
	case X_QTX_TAIL:
		write_tail(p, l, v, false);
		return;
	case X_QRX_TAIL:
		write_tail(p, l, v, true);
		return;
	case X_PFINT_DYN_CTL0:
		write_dyn_ctl0(p, v);
		return;
	case X_PFINT_ICR0:
		sim_violation_add(p, "write 0x%08x to PFINT_ICR0: it is read-only, cleared by reading (datasheet: Interrupts)", v);
		return;
	default:
		sim_violation_add(p, "write 0x%08x to %s: no behaviour modelled", v, rname(l, nb, sizeof nb));
		return;
	}
}

static void x710_write32(void *ctx, uint32_t off, uint32_t v)
{
	struct sim_port *p = ctx;
	char nb[48];
	struct x710_loc l = x710_regs_lookup(off);
	if (l.id == X__COUNT) {
		sim_violation_add(p, "write 0x%08x to unknown register offset 0x%06x (not in the X710 map the model knows; datasheet: register chapter)", v, off);
		return;
	}
	if (atomic_load(&p->in_reset)) {
		sim_violation_add(p, "write to %s while a reset is in progress (PFGEN_CTRL.PFSWR or GLGEN_RSTAT.DEVSTATE): lost (datasheet: Reset; wait for it)",
		                  rname(l, nb, sizeof nb));
		return;
	}
	const struct x710_reg_desc *d = &x710_reg_desc[l.id];
	switch (d->mode) {
	case XM_RW:
		xput(p, (enum x710_reg_id)l.id, l.inst, v);
		return;
	case XM_RO: case XM_CNT:
		sim_violation_add(p, "write 0x%08x to read-only %s (%s)", v, rname(l, nb, sizeof nb), d->what);
		return;
	default:
		write_hook(p, l, v);
		return;
	}
}

static const struct reg_ops x710_reg_ops = { .read32 = x710_read32, .write32 = x710_write32 };

/* ---- the personality ---- */

static void x710_fault_reset(struct sim_port *p)
{
	core_reset_begin(p);
}

static uint64_t x710_mac(struct sim_port *p)
{
	return p->x7->mac;
}

const struct sim_personality sim_x710_model = {
	.name = "x710",
	.device_id = SIM_DEVICE_X710,
	.bar_size = SIM_BAR0_SIZE_X710,
	.reg_ops = &x710_reg_ops,
	.reset = x710_reset,
	.power_up = x710_power_up,
	.tick = x710_tick,
	.rx_drain = x710_rx_drain,
	.tx_poll = x710_tx_poll,
	.flush = x710_flush,
	.rx_frame = x710_rx_frame,
	.fault_reset = x710_fault_reset,
	.mac = x710_mac,
	.release = x710_release,
};

/* ---- X710 faults (sim.h) ---- */

static struct sim_port *x710_port(unsigned port)
{
	struct sim_port *p = port < SIM_MAX_PORTS ? sim_ports[port] : NULL;
	return p && p->pers == &sim_x710_model ? p : NULL;
}

void sim_fault_aq_timeout(unsigned port, unsigned n)
{
	struct sim_port *p = x710_port(port);
	if (p)
		atomic_fetch_add(&p->x7->fault_aq_timeout, n);
}

void sim_fault_aq_error(unsigned port, uint16_t opcode, uint16_t retval, unsigned n)
{
	struct sim_port *p = x710_port(port);
	if (!p)
		return;
	struct x710 *x = p->x7;
	pthread_mutex_lock(&x->fault_lock);
	struct x710_aq_err *slot = NULL;
	for (unsigned i = 0; i < 8 && !slot; i++)
		if (x->aq_err[i].n && x->aq_err[i].opcode == opcode)
			slot = &x->aq_err[i];
	for (unsigned i = 0; i < 8 && !slot; i++)
		if (!x->aq_err[i].n)
			slot = &x->aq_err[i];
	if (slot)
		*slot = (struct x710_aq_err){ opcode, retval, n };
	pthread_mutex_unlock(&x->fault_lock);
}

void sim_fault_aq_api(unsigned port, uint16_t major, uint16_t minor)
{
	struct sim_port *p = x710_port(port);
	if (p)
		atomic_store(&p->x7->fault_api, 0x80000000u | (uint32_t)(major & 0x7FFF) << 16 | minor);
}

void sim_fault_hmc_context(unsigned port, unsigned n)
{
	struct sim_port *p = x710_port(port);
	if (p)
		atomic_fetch_add(&p->x7->fault_hmc, n);
}
