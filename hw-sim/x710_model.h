/* x710_model.h -- state shared by the files of the X710 personality (not
 * public): x710_model.c (registers, resets, link, interrupts, queue
 * enable), x710_aq.c (the admin-queue firmware), x710_hmc.c (contexts),
 * x710_rx.c / x710_tx.c (the data path).
 *
 * Threads as for the 82599 (model.h): register handlers run on the
 * driver's thread and post REQ_* bits; the model thread owns the rest.
 */
#ifndef KVICK_SIM_X710_MODEL_H
#define KVICK_SIM_X710_MODEL_H

#include "model.h"
#include "x710_regs.h"

#define X710_NQ        64      /* LAN queues per PF (PFLAN_QALLOC) */
#define X710_HMC_SDS   32      /* segment descriptors per PF (GLHMC_SDPART) */
#define X710_SD_BYTES  (2u << 20)  /* a direct segment descriptor backs 2 MiB */
#define X710_MAX_FRAME 9728u   /* largest frame the MAC takes (set MAC config) */
#define X710_RX_PB_BYTES (512u * 1024u)  /* RX packet buffer of a port (inferred) */

/* Timings (ns): not zero, so a driver that does not wait fails. */
#define X710_T_CORER    1000000ull   /* GLGEN_RSTAT.DEVSTATE != 0 after a core reset */
#define X710_T_ULD      2000000ull   /* GLNVM_ULD CORE_DONE|GLOBAL_DONE after that */
#define X710_T_PFR      1000000ull   /* PFGEN_CTRL.PFSWR self-clears */
#define X710_T_AQ       20000ull     /* an admin command completes after the tail write */
#define X710_T_LINK_UP  5000000ull   /* link after firmware ready or restart AN */
#define X710_T_QUEUE    50000ull     /* QENA_STAT follows QENA_REQ */

/* requests (p->req) besides the common REQ_QUEUE */
#define REQ_X_PFR    0x100   /* PF reset (PFSWR, FLR) */
#define REQ_X_CORER  0x200   /* core reset (GLGEN_RTRIG.CORER, sim_fault_reset) */
#define REQ_X_AQ     0x400   /* ATQT or ARQT written */

/* The firmware's identity answers (get version). */
#define X710_FW_MAJOR  8
#define X710_FW_MINOR  3
#define X710_FW_BUILD  0x0000C0DE
#define X710_API_MAJOR 1
#define X710_API_MINOR 9

/* Switch elements the firmware reports (get switch config). */
#define X710_SEID_MAC(port) (2u + (port))
#define X710_SEID_PF(pf)    (16u + (pf))
#define X710_SEID_VSI(pf)   (390u + (pf))
#define X710_QS_HANDLE(pf)  (0x08u + 0x10u * (pf))

struct x710_aq_err { uint16_t opcode, retval; unsigned n; };

/* One queue's context as the model read it from the HMC. */
struct x710_rxctx {
	uint64_t base;             /* ring address (IOVA) */
	uint32_t head, qlen, dbuff, hbuff, dtype, dsize, crcstrip, l2tsel, hsplit_0, showiv, rxmax;
};
struct x710_txctx {
	uint64_t base, head_wb_addr;
	uint32_t head, new_context, head_wb_ena, qlen, rdylist, rdylist_act;
};

struct x710 {
	_Atomic uint32_t *regs;    /* x710_reg_slots words */
	unsigned pf, port;         /* PF_FUNC_RID function, PFGEN_PORTNUM */
	unsigned firstq, nq;       /* absolute first queue, count */
	uint64_t mac;              /* the LAN address, byte 0 in bits 7:0 */
	/* resets */
	uint64_t corer_done_at, uld_at, pfr_done_at, link_at;
	bool fw_ready;             /* GLNVM_ULD done since the last core reset */
	bool link_enabled;         /* restart AN with LINK_ENABLE (or firmware boot) */
	/* admin queue firmware (x710_aq.c) */
	uint64_t aq_due;           /* when the command at ATQH completes (0: not started) */
	bool aq_skip;              /* the command at aq_skip_idx is being ignored */
	uint32_t aq_skip_idx;
	bool aq_bad_told[2];       /* [ARQ, ATQ]: the misprogrammed-queue violation was recorded */
	bool pxe_cleared, lse, unloading, crc_en;
	uint8_t promisc;           /* I40E-style flags: unicast 1, multicast 2, broadcast 4 */
	uint16_t max_frame;
	bool event_link;           /* link state as last posted (or read by get link status) */
	uint64_t arq_overflows;
	/* faults */
	_Atomic unsigned fault_aq_timeout, fault_hmc;
	_Atomic uint32_t fault_api;   /* sim_fault_aq_api(): bit 31 | major << 16 | minor */
	pthread_mutex_t fault_lock;
	struct x710_aq_err aq_err[8];
	/* HMC segment descriptors: SDDATALOW | SDDATAHIGH << 32, written by
	 * the driver thread (PFHMC_SDCMD), read at queue start */
	_Atomic uint64_t sd[X710_HMC_SDS];
	/* queues (the common p->rxq/p->txq hold ring state) */
	struct x710_rxctx rxc[X710_NQ];
	struct x710_txctx txc[X710_NQ];
	bool qdis[X710_NQ];
	/* REQ was cleared since the queue faulted: a new REQ is a new try
	 * even if the model thread never saw REQ at 0 */
	_Atomic bool rx_retry[X710_NQ], tx_retry[X710_NQ];        /* GLLAN_TXPRE_QDIS.SET_QDIS without CLEAR_QDIS */
	uint32_t rx_held[X710_NQ]; /* RX descriptors done but not yet written back */
	uint32_t rx_held_from[X710_NQ];
	bool rx_cause[X710_NQ];    /* a frame arrived since vector 0 last fired */
	uint64_t itr_last;         /* when vector 0 last fired */
	/* counters of this pass, flushed to the GLPRT registers */
	uint64_t c_gorc, c_uprc, c_mprc, c_bprc, c_crcerrs, c_rdpc, c_ruc, c_roc;
	uint64_t c_gotc, c_uptc, c_mptc, c_bptc, c_tdold;
};

static inline uint32_t xslot(enum x710_reg_id id, unsigned inst)
{
	return x710_reg_desc[id].slot + inst;
}
static inline uint32_t xget(struct sim_port *p, enum x710_reg_id id, unsigned inst)
{
	return atomic_load_explicit(&p->x7->regs[xslot(id, inst)], memory_order_relaxed);
}
static inline void xput(struct sim_port *p, enum x710_reg_id id, unsigned inst, uint32_t v)
{
	atomic_store_explicit(&p->x7->regs[xslot(id, inst)], v, memory_order_relaxed);
}
static inline _Atomic uint32_t *xreg(struct sim_port *p, enum x710_reg_id id, unsigned inst)
{
	return &p->x7->regs[xslot(id, inst)];
}

/* x710_model.c */
void x710_restart_an(struct sim_port *p, bool link_enable, uint64_t now);
void x710_link_event(struct sim_port *p);          /* post to the ARQ if enabled */
void x710_hmc_error(struct sim_port *p, unsigned type, unsigned obj, uint32_t data);
/* x710_aq.c */
void x710_aq_poll(struct sim_port *p, uint64_t now);
int  x710_arq_post(struct sim_port *p, uint16_t opcode, const uint8_t params[16]);
void x710_link_params(struct sim_port *p, uint8_t params[16]);
/* x710_hmc.c: queue q's context from the HMC (0, or -1: PFHMC_ERRORINFO set) */
int  x710_rx_context(struct sim_port *p, unsigned q, struct x710_rxctx *c);
int  x710_tx_context(struct sim_port *p, unsigned q, struct x710_txctx *c);
/* x710_rx.c / x710_tx.c: queues and the data path */
int  x710_rxq_start(struct sim_port *p, unsigned q);
void x710_rxq_stop(struct sim_port *p, unsigned q, int state);
int  x710_txq_start(struct sim_port *p, unsigned q);
void x710_txq_stop(struct sim_port *p, unsigned q, int state);
int  x710_rx_frame(struct sim_port *p, const uint8_t *d, uint32_t len, unsigned flags, bool lossless);
unsigned x710_rx_drain(struct sim_port *p);
unsigned x710_tx_poll(struct sim_port *p);
void x710_irq_poll(struct sim_port *p, uint64_t now);

#endif
