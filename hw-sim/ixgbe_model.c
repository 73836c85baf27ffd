/* ixgbe_model.c -- what 82599 registers do when read and written.
 *
 * The register handlers run on the driver's thread.  Plain registers are
 * stored; registers with behaviour (mode HOOK in ixgbe_regs.h) are handled
 * here: self-clearing reset and link bits, write-1-to-set/clear interrupt
 * masks, clear-on-read causes and statistics, queue enables that read back
 * only when the model thread has really started the queue.  Anything that
 * takes time is posted to the model thread (port->req) and completed in
 * model_tick() after the delays in model.h.
 */
#include <inttypes.h>
#include <string.h>

#include "model.h"

/* sim_fault_link_stuck(): resets still needed before the link trains. */
static _Atomic unsigned link_stuck[SIM_MAX_PORTS];

/* ---- reset (§4.6.3.2: CTRL.RST resets everything but PCI config) ---- */

static void reset_range(struct sim_port *p, enum sim_reg_id id)
{
	const struct sim_reg_desc *d = &sim_reg_desc[id];
	unsigned n = d->count;
	/* per-queue RX/TX registers have a second bank: 128 instances */
	if (id == REG_RDBAL || id == REG_RDBAH || id == REG_RDLEN || id == REG_RDH ||
	    id == REG_RDT || id == REG_RXDCTL || id == REG_SRRCTL || id == REG_DCA_RXCTRL)
		n = SIM_NQUEUES;
	else if (id == REG_EITR)
		n = 128;
	for (unsigned i = 0; i < n; i++)
		reg_put(p, sim_reg_word(id, i), d->reset);
}

/* The port's MAC address "from the EEPROM": 02:4b:56:00:00:0N (locally
 * administered, "KV"). */
static void load_eeprom_mac(struct sim_port *p)
{
	reg_put(p, sim_reg_word(REG_RAL, 0), 0x00564b02u);            /* 02:4b:56:00 */
	reg_put(p, sim_reg_word(REG_RAH, 0), RAH_AV | ((uint32_t)p->id << 8)); /* 00:0N */
}

void model_reset(struct sim_port *p)
{
	/* CTRL keeps reading RST=1 while a reset runs: the driver polls it */
	for (int id = 0; id < REG__COUNT; id++)
		if (id != REG_CTRL || !atomic_load(&p->in_reset))
			reset_range(p, (enum sim_reg_id)id);
	for (unsigned q = 0; q < SIM_NQUEUES; q++) {
		rxq_stop(p, q, Q_OFF);
		txq_stop(p, q, Q_OFF);
		atomic_store(&p->rxq[q].want, 0);
		atomic_store(&p->txq[q].want, 0);
	}
	p->queues_changing = 0;
	memset(p->latch_word, 0, sizeof p->latch_word);
	memset(p->latch_val, 0, sizeof p->latch_val);
	/* §8.2.3.8.9 / §8.2.3.9.13: packet buffer 0 holds the whole memory */
	reg_put(p, sim_reg_word(REG_RXPBSIZE, 0), 0x00080000);  /* 512 KB */
	reg_put(p, sim_reg_word(REG_TXPBSIZE, 0), 0x00028000);  /* 160 KB */
	reg_put(p, W(STATUS), STATUS_GIO | ((p->id & 1u) << STATUS_LAN_ID_SHIFT));
	load_eeprom_mac(p);
	rx_fifo_clear(p);
	p->link_trained = false;
	p->link_up = false;
	p->ard_at = p->dmaidone_at = p->lnkrst_at = p->an_clear_at = p->link_at = 0;
	atomic_store(&p->req, REQ_FILTER);
	stat_add(&p->st.resets, 1);
}

/* ---- link (§8.2.3.22.19 AUTOC, §8.2.3.22.20 LINKS) ---- */

static void update_links(struct sim_port *p)
{
	bool up = model_link_up(p);
	if (up == p->link_up)
		return;
	p->link_up = up;
	reg_put(p, W(LINKS), up ? (LINKS_UP | LINKS_SPEED_10G | LINKS_LINK_STATUS) : 0);
	uint32_t st = reg_get(p, W(STATUS));
	reg_put(p, W(STATUS), up ? (st | STATUS_LINKUP) : (st & ~STATUS_LINKUP));
	/* §7.3.1: a link status change sets EICR.LSC */
	atomic_fetch_or(&p->regs[W(EICR)], EICR_LSC);
}

/* ---- the model thread's timers ---- */

static void tick_requests(struct sim_port *p, uint64_t now)
{
	uint32_t req = atomic_exchange(&p->req, 0);
	if (req & REQ_RESET) {
		model_reset(p);
		reg_put(p, W(CTRL), CTRL_RST);        /* reads 1 until done */
		p->rst_done_at = now + SIM_T_RESET;
		req = atomic_exchange(&p->req, 0);    /* reset cleared everything */
	}
	if (req & REQ_LNKRST) {
		p->link_trained = false;
		p->lnkrst_at = now + SIM_T_LNKRST;
	}
	if (req & REQ_AN) {
		p->link_trained = false;
		p->an_clear_at = now + SIM_T_AN_CLEAR;
		p->link_at = now + SIM_T_LINK_UP;
	}
	if (req & REQ_QUEUE)
		p->queues_changing = 1;
	if (req & REQ_FILTER) {
		p->nmacs = 0;
		for (unsigned i = 0; i < 128; i++) {
			uint32_t rah = reg_val(p, REG_RAH, i);
			if (!(rah & RAH_AV))
				continue;
			uint32_t ral = reg_val(p, REG_RAL, i);
			p->macs[p->nmacs++] = ral | ((uint64_t)(rah & 0xFFFF) << 32);
		}
	}
}

static void tick_timers(struct sim_port *p, uint64_t now)
{
	if (p->rst_done_at && now >= p->rst_done_at) {
		p->rst_done_at = 0;
		/* writes are accepted again before RST reads 0 */
		atomic_store(&p->in_reset, false);
		atomic_fetch_and(&p->regs[W(CTRL)], ~(CTRL_RST | CTRL_LNK_RST));
		p->ard_at = now + SIM_T_ARD;
		p->dmaidone_at = now + SIM_T_DMAIDONE;
	}
	if (p->ard_at && now >= p->ard_at) {          /* §4.6.3: EEPROM auto-read done */
		p->ard_at = 0;
		atomic_fetch_or(&p->regs[W(EEC)], EEC_ARD);
	}
	if (p->dmaidone_at && now >= p->dmaidone_at) { /* §4.6.3: DMA init done */
		p->dmaidone_at = 0;
		atomic_fetch_or(&p->regs[W(RDRXCTL)], RDRXCTL_DMAIDONE);
	}
	if (p->lnkrst_at && now >= p->lnkrst_at) {
		p->lnkrst_at = 0;
		atomic_fetch_and(&p->regs[W(CTRL)], ~CTRL_LNK_RST);
	}
	if (p->an_clear_at && now >= p->an_clear_at) {
		p->an_clear_at = 0;
		atomic_fetch_and(&p->regs[W(AUTOC)], ~AUTOC_AN_RESTART);
	}
	if (p->link_at && now >= p->link_at) {
		p->link_at = 0;
		/* sim_fault_link_stuck(): AN completes, the link never trains */
		p->link_trained = atomic_load(&link_stuck[p->id]) == 0;
	}
}

/* One queue's ENABLE handshake: SIM_T_QUEUE after the driver changed
 * ENABLE, start the queue (a refused start clears the request) or stop
 * it; a faulted queue the driver disabled goes back to off.  The RX and TX
 * queues share it through their start/stop functions.  Returns 1 while a
 * change is still pending. */
static unsigned queue_transition(struct sim_port *p, unsigned q, _Atomic int *want_p, int state,
                                 uint64_t *change_at, uint64_t now,
                                 int (*start)(struct sim_port *, unsigned),
                                 void (*stop)(struct sim_port *, unsigned, int))
{
	int want = atomic_load(want_p);
	if (want != (state == Q_RUNNING) && !(want && state == Q_FAULT)) {
		if (!*change_at)
			*change_at = now + SIM_T_QUEUE;
		if (now < *change_at)
			return 1;
		*change_at = 0;
		if (!want)
			stop(p, q, Q_OFF);
		else if (start(p, q) < 0)
			atomic_store(want_p, 0);
	} else if (!want && state == Q_FAULT) {
		stop(p, q, Q_OFF);
	}
	return 0;
}

/* Bring queues to the state the driver asked for, SIM_T_QUEUE after it
 * asked (§4.6.7.1, §4.6.8.1: software polls ENABLE until it reads 1). */
static void tick_queues(struct sim_port *p, uint64_t now)
{
	unsigned changing = 0;
	for (unsigned q = 0; q < SIM_NQUEUES; q++) {
		struct sim_rxq *r = &p->rxq[q];
		struct sim_txq *t = &p->txq[q];
		changing += queue_transition(p, q, &r->want, r->state, &r->change_at, now,
		                             rxq_start, rxq_stop);
		changing += queue_transition(p, q, &t->want, t->state, &t->change_at, now,
		                             txq_start, txq_stop);
	}
	p->queues_changing = changing;
}

void model_tick(struct sim_port *p, uint64_t now)
{
	if (atomic_load_explicit(&p->req, memory_order_relaxed))
		tick_requests(p, now);
	tick_timers(p, now);
	if (p->queues_changing)
		tick_queues(p, now);
	update_links(p);
}

/* ---- statistics ---- */

void counter_add64(struct sim_port *p, uint32_t lo_word, uint64_t n)
{
	if (!n)
		return;
	uint32_t old = atomic_fetch_add_explicit(&p->regs[lo_word], (uint32_t)n, memory_order_relaxed);
	uint32_t carry = (uint32_t)(n >> 32) + ((uint64_t)old + (uint32_t)n > UINT32_MAX);
	if (carry)
		atomic_fetch_add_explicit(&p->regs[lo_word + 1], carry, memory_order_relaxed);
}

void model_flush_counters(struct sim_port *p)
{
	/* §8.2.3.23: GPRC/GORC count frames accepted into the packet buffer,
	 * octets include the FCS */
	counter_add(p, W(GPRC), p->c_gprc);
	counter_add64(p, W(GORCL), p->c_gorc);
	counter_add(p, W(TPR), p->c_tpr);
	counter_add64(p, W(TORL), p->c_tor);
	counter_add(p, W(RXNFGPC), p->c_gprc);
	counter_add64(p, W(RXNFGBCL), p->c_gorc);
	counter_add(p, W(BPRC), p->c_bprc);
	counter_add(p, W(MPRC), p->c_mprc);
	counter_add(p, sim_reg_word(REG_MPC, 0), p->c_mpc);
	counter_add(p, W(RUC), p->c_ruc);
	counter_add(p, W(ROC), p->c_roc);
	counter_add(p, W(CRCERRS), p->c_crcerrs);
	counter_add(p, W(RXDGPC), p->c_rxdgpc);
	counter_add64(p, W(RXDGBCL), p->c_rxdgbc);
	counter_add(p, W(GPTC), p->c_gptc);
	counter_add(p, W(TPT), p->c_gptc);
	counter_add64(p, W(GOTCL), p->c_gotc);
	counter_add(p, W(TXDGPC), p->c_txdgpc);
	counter_add64(p, W(TXDGBCL), p->c_txdgbc);
	p->c_gprc = p->c_gorc = p->c_tpr = p->c_tor = p->c_bprc = p->c_mprc = 0;
	p->c_mpc = p->c_ruc = p->c_roc = p->c_crcerrs = p->c_rxdgpc = p->c_rxdgbc = 0;
	p->c_gptc = p->c_gotc = p->c_txdgpc = p->c_txdgbc = 0;
}

/* Per-queue counters go to the statistics register the queue is mapped
 * to by RQSMR/TQSM (§8.2.3.23: four queues per register, 4 bits each;
 * all queues count in QPRC(0)/QPTC(0) after reset). */
static void flush_queue_counters(struct sim_port *p)
{
	/* only the queues that counted something in this pass (bit set when
	 * their first frame or drop was counted) */
	for (unsigned w = 0; w < 2; w++) {
		for (uint64_t m = p->rxq_dirty[w]; m; m &= m - 1) {
			unsigned q = w * 64 + (unsigned)__builtin_ctzll(m);
			struct sim_rxq *r = &p->rxq[q];
			unsigned s = (reg_val(p, REG_RQSMR, q / 4) >> (8 * (q % 4))) & 0xF;
			counter_add(p, sim_reg_word(REG_QPRC, s), r->pend_pkts);
			counter_add64(p, sim_reg_word(REG_QBRC_L, s), r->pend_bytes);
			counter_add(p, sim_reg_word(REG_QPRDC, s), r->pend_drops);
			r->pend_pkts = r->pend_bytes = r->pend_drops = 0;
		}
		for (uint64_t m = p->txq_dirty[w]; m; m &= m - 1) {
			unsigned q = w * 64 + (unsigned)__builtin_ctzll(m);
			struct sim_txq *t = &p->txq[q];
			unsigned s = (reg_val(p, REG_TQSM, q / 4) >> (8 * (q % 4))) & 0xF;
			counter_add(p, sim_reg_word(REG_QPTC, s), t->pend_pkts);
			counter_add64(p, sim_reg_word(REG_QBTC_L, s), t->pend_bytes);
			t->pend_pkts = t->pend_bytes = 0;
		}
		p->rxq_dirty[w] = p->txq_dirty[w] = 0;
	}
}

static void ixgbe_flush(struct sim_port *p)
{
	model_flush_counters(p);
	flush_queue_counters(p);
}

/* ---- register handlers (driver thread) ---- */

static const char *reg_name(const struct sim_reg_loc *l, char *buf, size_t n)
{
	const struct sim_reg_desc *d = &sim_reg_desc[l->id];
	if (d->count > 1 || l->inst)
		snprintf(buf, n, "%s(%u)", d->name, l->inst);
	else
		snprintf(buf, n, "%s", d->name);
	return buf;
}

/* The high halves latched by reads of the low halves (RCL), per register
 * pair; only the driver thread reads registers, so no lock. */
static uint32_t *latch_slot(struct sim_port *p, uint32_t hi_word)
{
	for (unsigned i = 0; i < SIM_NLATCH; i++) {
		if (p->latch_word[i] == hi_word || p->latch_word[i] == 0) {
			p->latch_word[i] = hi_word;
			return &p->latch_val[i];
		}
	}
	return &p->latch_val[SIM_NLATCH - 1];   /* table sized for every pair */
}

static uint32_t read_counter(struct sim_port *p, const struct sim_reg_loc *l, int mode)
{
	if (mode == M_RC)
		return atomic_exchange(&p->regs[l->word], 0);
	if (mode == M_RCL) {
		/* read low then high: the low read takes the whole 64-bit count
		 * and latches its high half for the high read */
		uint32_t lo = atomic_exchange(&p->regs[l->word], 0);
		*latch_slot(p, l->word + 1) = atomic_exchange(&p->regs[l->word + 1], 0);
		return lo;
	}
	uint32_t *slot = latch_slot(p, l->word);
	uint32_t hi = *slot;
	*slot = 0;
	return hi;
}

static uint32_t sim_read32(void *ctx, uint32_t offset)
{
	struct sim_port *p = ctx;
	struct sim_reg_loc l;
	sim_regs_lookup(offset, &l);
	if (l.id == REG__COUNT) {
		sim_violation_add(p, "read of unknown register offset 0x%05x (not in the 82599 map the model knows, §8.2.3)", offset);
		return 0;
	}
	const struct sim_reg_desc *d = &sim_reg_desc[l.id];
	switch (d->mode) {
	case M_RC: case M_RCL: case M_RCH:
		return read_counter(p, &l, d->mode);
	case M_WO:
		return 0;
	default:
		break;
	}
	switch (l.id) {
	case REG_EICR:   /* §8.2.3.5.1: clear on read */
		return atomic_exchange(&p->regs[l.word], 0);
	case REG_EIMC: case REG_EICS: case REG_EIMC_EX: case REG_EICS_EX:
		return 0;    /* write-only */
	case REG_SWSM:   /* §8.2.3.4.9: reading SMBI returns it and sets it (read-to-set) */
		return atomic_fetch_or(&p->regs[l.word], SWSM_SMBI);
	case REG_EIMS:   /* reads the current mask */
	default:
		return reg_get(p, l.word);
	}
}

/* Ring registers may not change while the queue runs (§4.6.7.1). */
static bool queue_running(struct sim_port *p, enum sim_reg_id id, unsigned q)
{
	switch (id) {
	case REG_RDBAL: case REG_RDBAH: case REG_RDLEN: case REG_SRRCTL: case REG_RDH:
		return p->rxq[q].state == Q_RUNNING || atomic_load(&p->rxq[q].want);
	case REG_TDBAL: case REG_TDBAH: case REG_TDLEN: case REG_TDH:
		return p->txq[q].state == Q_RUNNING || atomic_load(&p->txq[q].want);
	default:
		return false;
	}
}

/* A ring register (base, length, buffer size) must not change while its
 * queue is enabled (§4.6.7.1): refuse and record the write, else store it. */
static void put_unless_running(struct sim_port *p, const struct sim_reg_loc *l, uint32_t v,
                               uint32_t old)
{
	if (queue_running(p, l->id, l->inst) && v != old) {
		char nb[48];
		sim_violation_add(p, "%s changed while queue %u is enabled (§4.6.7.1)",
		                  reg_name(l, nb, sizeof nb), l->inst);
		return;
	}
	reg_put(p, l->word, v);
}

static void write_tail(struct sim_port *p, const struct sim_reg_loc *l, uint32_t v, bool rx)
{
	unsigned q = l->inst;
	uint32_t len = rx ? reg_get(p, rxq_word(REG_RDLEN, q)) : reg_get(p, txq_word(REG_TDLEN, q));
	uint32_t ndesc = len / 16;
	char nb[48];
	if (ndesc == 0 || v >= ndesc) {
		sim_violation_add(p, "%s = %u is beyond the ring (%s = %u bytes, %u descriptors); write ignored (§%s)",
		                  reg_name(l, nb, sizeof nb), v, rx ? "RDLEN" : "TDLEN", len, ndesc,
		                  rx ? "8.2.3.8.5" : "8.2.3.9.9");
		return;
	}
	/* release: the descriptors written before this tail are visible to
	 * the model thread's acquire load of the tail */
	atomic_store_explicit(&p->regs[l->word], v, memory_order_release);
}

/* ---- rules the hardware does not enforce but a driver must follow ----
 * The device would go along; the model records a violation so a driver
 * that skips the step fails its tests. */

void sim_fault_link_stuck(unsigned port, unsigned resets)
{
	if (port < SIM_MAX_PORTS)
		atomic_store(&link_stuck[port], resets);
}

/* §5.2.5.3.2 master disable: a global reset with PCIe master access still
 * enabled while a queue can move data may leave a DMA half done (Linux's
 * ixgbe: "prevent the PCI-E bus from hanging").  Returns the first queue
 * that could be in flight, or -1. */
static int queue_in_flight(struct sim_port *p)
{
	if (!(reg_get(p, W(STATUS)) & STATUS_GIO))
		return -1;
	bool rxen = reg_get(p, W(RXCTRL)) & RXCTRL_RXEN;
	for (unsigned q = 0; q < SIM_NQUEUES; q++)
		if ((rxen && (reg_val(p, REG_RXDCTL, q) & XDCTL_ENABLE)) ||
		    (reg_val(p, REG_TXDCTL, q) & XDCTL_ENABLE))
			return (int)q;
	return -1;
}

/* §10.5.4: AUTOC and AUTOC2 are shared with manageability firmware; software
 * writes them holding SW_FW_SYNC.SW_MAC_CSR_SM, taken under SWSM. */
static void check_mac_csr_owned(struct sim_port *p, const char *reg, uint32_t v)
{
	if (!(reg_get(p, W(SW_FW_SYNC)) & SW_FW_SYNC_SW_MAC_CSR_SM))
		sim_violation_add(p, "%s = 0x%08x written without the SW/FW semaphore: "
		                  "SW_FW_SYNC.SW_MAC_CSR_SM not held (§10.5.4, §8.2.3.4.11; "
		                  "manageability firmware shares %s)", reg, v, reg);
}

/* Receive turned on (RXCTRL.RXEN 0 -> 1): the settings the 82599 needs. */
static void check_rx_enable(struct sim_port *p, uint32_t v)
{
	uint32_t rdrx = reg_get(p, W(RDRXCTL));
	/* 82599 erratum (Linux's ixgbe_enable_rx_dma_82599): RXEN is set only
	 * with the RX security path stopped.  It bites when frames are already
	 * arriving; the model, like Linux, wants it every time, so every
	 * bring-up in the tests checks it. */
	if (!(reg_get(p, W(SECRXCTRL)) & SECRXCTRL_RX_DIS))
		sim_violation_add(p, "RXCTRL.RXEN set with the RX security path running: set "
		                  "SECRXCTRL.RX_DIS, wait for SECRXSTAT.SECRX_RDY, set RXEN, then clear "
		                  "RX_DIS (82599 erratum; §8.2.3.12.5)");
	/* §8.2.3.8.8: RSCACKC and FCOE_WRFIX must be set, RSCFRSTSIZE 0 (Linux:
	 * "hardware requires some bits be set by default") */
	if ((rdrx & (RDRXCTL_RSCACKC | RDRXCTL_FCOE_WRFIX)) != (RDRXCTL_RSCACKC | RDRXCTL_FCOE_WRFIX) ||
	    (rdrx & RDRXCTL_RSCFRSTSIZE))
		sim_violation_add(p, "RXCTRL.RXEN set with RDRXCTL = 0x%08x: RSCACKC (bit 25) and "
		                  "FCOE_WRFIX (bit 26) must be set and RSCFRSTSIZE (bits 21:17) clear "
		                  "(§8.2.3.8.8)", rdrx);
	(void)v;
}

static void write_hook(struct sim_port *p, const struct sim_reg_loc *l, uint32_t v)
{
	char nb[48];
	uint32_t old = reg_get(p, l->word);
	switch (l->id) {
	case REG_CTRL:
		if (v & CTRL_RST) {          /* §4.6.3.2 global reset, self-clearing */
			int q = queue_in_flight(p);
			if (q >= 0)
				sim_violation_add(p, "CTRL.RST with PCIe master access enabled (STATUS.GIO set) "
				                  "and queue %d still enabled: DMA may be in flight; set "
				                  "CTRL.GIO_MASTER_DISABLE and wait for STATUS.GIO to clear "
				                  "first (§5.2.5.3.2 master disable)", q);
			unsigned stuck = atomic_load(&link_stuck[p->id]);
			if (stuck)
				atomic_store(&link_stuck[p->id], stuck - 1);
			atomic_store(&p->in_reset, true);
			reg_put(p, l->word, v);
			atomic_fetch_or(&p->req, REQ_RESET);
			return;
		}
		if (v & CTRL_LNK_RST)        /* link reset, self-clearing */
			atomic_fetch_or(&p->req, REQ_LNKRST);
		reg_put(p, l->word, v);
		/* §5.2.5.3.2 master disable: with nothing in flight in the model,
		 * STATUS.GIO clears at once */
		if (v & CTRL_GIO_DIS)
			atomic_fetch_and(&p->regs[W(STATUS)], ~STATUS_GIO);
		else
			atomic_fetch_or(&p->regs[W(STATUS)], STATUS_GIO);
		return;
	case REG_STATUS:
		sim_violation_add(p, "write 0x%08x to read-only STATUS (§8.2.3.1.2)", v);
		return;
	case REG_EEC:                    /* PRES and ARD are read-only */
		reg_put(p, l->word, (v & ~(EEC_PRES | EEC_ARD)) | (old & (EEC_PRES | EEC_ARD)));
		return;
	case REG_EERD:                   /* §8.2.3.2.2: the model's EEPROM reads as 0 */
		reg_put(p, l->word, (v & EERD_START) ? ((v & 0xFFFC) | EERD_DONE) : v);
		return;
	case REG_EICR:                   /* write 1 to clear */
		atomic_fetch_and(&p->regs[l->word], ~v);
		return;
	case REG_EICS:                   /* write 1 to set a cause */
		atomic_fetch_or(&p->regs[W(EICR)], v);
		return;
	case REG_EIMS:                   /* §8.2.3.5.4: write 1 to set; 0 does nothing */
		atomic_fetch_or(&p->regs[l->word], v);
		return;
	case REG_EIMC:                   /* §8.2.3.5.5: write 1 to clear the mask */
		atomic_fetch_and(&p->regs[W(EIMS)], ~v);
		return;
	case REG_EIMS_EX:
		atomic_fetch_or(&p->regs[l->word], v);
		return;
	case REG_EIMC_EX:
		atomic_fetch_and(&p->regs[sim_reg_word(REG_EIMS_EX, l->inst)], ~v);
		return;
	case REG_EICS_EX:
		return;                      /* queue causes: no interrupts modelled */
	case REG_RDRXCTL:                /* DMAIDONE is read-only */
		reg_put(p, l->word, (v & ~RDRXCTL_DMAIDONE) | (old & RDRXCTL_DMAIDONE));
		return;
	case REG_SWSM:                   /* §8.2.3.4.9: no firmware here, so SWESMBI sticks */
		reg_put(p, l->word, v & (SWSM_SMBI | SWSM_SWESMBI));
		return;
	case REG_SW_FW_SYNC:             /* §10.5.4: changed only under SWSM.SWESMBI */
		if (v != old && !(reg_get(p, W(SWSM)) & SWSM_SWESMBI))
			sim_violation_add(p, "SW_FW_SYNC 0x%08x -> 0x%08x without holding SWSM.SWESMBI "
			                  "(§10.5.4: take the software/firmware semaphore first)", old, v);
		reg_put(p, l->word, v);
		return;
	case REG_RXCTRL:
		if ((v & RXCTRL_RXEN) && !(old & RXCTRL_RXEN))
			check_rx_enable(p, v);
		reg_put(p, l->word, v);
		return;
	case REG_MAXFRS:
		/* inferred, not a datasheet rule: Linux and DPDK never program
		 * less than 1518 (a full-size frame with FCS must fit) */
		if ((v >> MAXFRS_MFS_SHIFT) < 1518)
			sim_violation_add(p, "MAXFRS.MFS = %u is below 1518 (§8.2.3.22.13; a full-size frame "
			                  "with FCS must fit, whatever the MTU)", v >> MAXFRS_MFS_SHIFT);
		reg_put(p, l->word, v);
		return;
	case REG_AUTOC2:
		check_mac_csr_owned(p, "AUTOC2", v);
		reg_put(p, l->word, v);
		return;
	case REG_AUTOC:
		check_mac_csr_owned(p, "AUTOC", v);
		reg_put(p, l->word, v);
		if (v & AUTOC_AN_RESTART)    /* §4.6.4: restart link setup */
			atomic_fetch_or(&p->req, REQ_AN);
		return;
	case REG_LINKS:
		sim_violation_add(p, "write 0x%08x to read-only LINKS (§8.2.3.22.20)", v);
		return;
	case REG_RDT:
		write_tail(p, l, v, true);
		return;
	case REG_TDT:
		write_tail(p, l, v, false);
		return;
	case REG_RDH: case REG_TDH:
		if (queue_running(p, l->id, l->inst) && v != old) {
			sim_violation_add(p, "%s written (%u -> %u) while the queue is enabled; only hardware moves the head (§7.1.9, §7.2.3.3)",
			                  reg_name(l, nb, sizeof nb), old, v);
			return;
		}
		reg_put(p, l->word, v);
		return;
	case REG_RDBAL: case REG_TDBAL:
		if (v & 127)
			sim_violation_add(p, "%s = 0x%08x is not 128-byte aligned (§7.1.9, §7.2.3.3)",
			                  reg_name(l, nb, sizeof nb), v);
		/* fall through */
	case REG_RDBAH: case REG_TDBAH: case REG_SRRCTL:
		put_unless_running(p, l, v, old);
		return;
	case REG_RDLEN: case REG_TDLEN:
		if (v % 128 || v == 0)
			sim_violation_add(p, "%s = %u is not a non-zero multiple of 128 bytes (§8.2.3.8.3, §8.2.3.9.7)",
			                  reg_name(l, nb, sizeof nb), v);
		put_unless_running(p, l, v, old);
		return;
	case REG_RXDCTL: case REG_TXDCTL: {
		/* ENABLE reads back only once the model thread started the queue */
		_Atomic int *want = l->id == REG_RXDCTL ? &p->rxq[l->inst].want : &p->txq[l->inst].want;
		reg_put(p, l->word, (v & ~XDCTL_ENABLE) | (old & XDCTL_ENABLE));
		if (!!(v & XDCTL_ENABLE) != atomic_load(want)) {
			atomic_store(want, !!(v & XDCTL_ENABLE));
			atomic_fetch_or(&p->req, REQ_QUEUE);
		}
		if (l->id == REG_TXDCTL && (v & XDCTL_ENABLE) &&
		    !(reg_get(p, W(DMATXCTL)) & DMATXCTL_TE))
			sim_violation_add(p, "TXDCTL(%u).ENABLE set while DMATXCTL.TE is clear; set TE first (§4.6.8)", l->inst);
		return;
	}
	default:
		reg_put(p, l->word, v);
		return;
	}
}

static void sim_write32(void *ctx, uint32_t offset, uint32_t v)
{
	struct sim_port *p = ctx;
	struct sim_reg_loc l;
	char nb[48];
	sim_regs_lookup(offset, &l);
	if (l.id == REG__COUNT) {
		sim_violation_add(p, "write 0x%08x to unknown register offset 0x%05x (not in the 82599 map the model knows, §8.2.3)", v, offset);
		return;
	}
	if (atomic_load(&p->in_reset) && l.id != REG_CTRL) {
		sim_violation_add(p, "write to %s while CTRL.RST is in progress: lost (§4.6.3.2: wait for RST to clear)",
		                  reg_name(&l, nb, sizeof nb));
		return;
	}
	const struct sim_reg_desc *d = &sim_reg_desc[l.id];
	switch (d->mode) {
	case M_RW:
		reg_put(p, l.word, v);
		if (l.id == REG_RAL || l.id == REG_RAH)
			atomic_fetch_or(&p->req, REQ_FILTER);
		return;
	case M_RO: case M_RC: case M_RCL: case M_RCH:
		sim_violation_add(p, "write 0x%08x to read-only %s (%s)", v, reg_name(&l, nb, sizeof nb), d->section);
		return;
	default:
		write_hook(p, &l, v);
		return;
	}
}

const struct reg_ops sim_reg_ops = { .read32 = sim_read32, .write32 = sim_write32 };

/* ---- the 82599 personality ---- */

static void ixgbe_power_up(struct sim_port *p, uint64_t now)
{
	/* §4.6.3: the EEPROM auto-read and DMA init complete shortly */
	p->ard_at = now + SIM_T_ARD;
	p->dmaidone_at = now + SIM_T_DMAIDONE;
}

/* sim_fault_reset(): as if someone else set CTRL.RST (§4.6.3.2) */
static void ixgbe_fault_reset(struct sim_port *p)
{
	atomic_store(&p->in_reset, true);
	atomic_fetch_or(&p->regs[W(CTRL)], CTRL_RST);
	atomic_fetch_or(&p->req, REQ_RESET);
}

/* The station address in RAL(0)/RAH(0) (§8.2.3.7.9). */
static uint64_t ixgbe_mac(struct sim_port *p)
{
	return reg_val(p, REG_RAL, 0) | (uint64_t)(reg_val(p, REG_RAH, 0) & 0xFFFF) << 32;
}

const struct sim_personality sim_ixgbe_model = {
	.name = "82599",
	.device_id = SIM_DEVICE_82599,
	.bar_size = SIM_BAR0_SIZE,
	.reg_ops = &sim_reg_ops,
	.reset = model_reset,
	.power_up = ixgbe_power_up,
	.tick = model_tick,
	.rx_drain = rx_fifo_drain,
	.tx_poll = tx_poll,
	.flush = ixgbe_flush,
	.rx_frame = rx_frame,
	.rx_frames = rx_frames,
	.fault_reset = ixgbe_fault_reset,
	.mac = ixgbe_mac,
	.release = NULL,
};
