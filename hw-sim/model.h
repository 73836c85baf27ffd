/* model.h -- state shared by the files of the device models (not public).
 *
 * The common layer (sim.c, wire*.c, iommu.c, the port table and the model
 * thread) drives a port through its personality (struct sim_personality):
 * the 82599 (ixgbe_model.c, rx.c, rss.c, tx.c) or the X710 (x710_*.c).
 *
 * Who touches what:
 *  - the driver thread calls the register handlers (ixgbe_model.c); they
 *    store register words with atomics and post requests (reset, queue
 *    enable, link restart) in port->req for the model thread;
 *  - the model thread (sim.c) owns everything else: queue state, ring
 *    heads, the RX packet buffer, the wires.  It runs each iteration with
 *    sim_lock held, so control calls (wiring, open, close) that take
 *    sim_lock see the model between two iterations.
 * Register words the thread reads on the fast path (RDT, TDT, RXCTRL) are
 * loaded with acquire so the descriptor contents the driver wrote before
 * its tail write are visible; write-backs end with a release store of the
 * status word so the driver sees the data before DD.
 */
#ifndef KVICK_SIM_MODEL_H
#define KVICK_SIM_MODEL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ixgbe_regs.h"
#include "sim.h"

#define SIM_NQUEUES      128
#define SIM_RXFIFO_BYTES (512u * 1024u)   /* RXPBSIZE(0) reset value, §8.2.3.8.9 */
#define SIM_TX_MAX_FRAME 15872u           /* 15.5 KB jumbo limit of the 82599 */
#define SIM_FRAME_MAX    16384u           /* largest frame a wire carries */

/* Timings (ns).  Real hardware takes longer; what matters is that they are
 * not zero, so a driver that does not wait for them fails. */
#define SIM_T_RESET      1000000ull  /* CTRL.RST self-clears (§4.6.3.2) */
#define SIM_T_ARD        2000000ull  /* EEC.ARD after reset (§4.6.3) */
#define SIM_T_DMAIDONE   2000000ull  /* RDRXCTL.DMAIDONE after reset */
#define SIM_T_LNKRST     100000ull   /* CTRL.LNK_RST self-clears */
#define SIM_T_AN_CLEAR   100000ull   /* AUTOC.RESTART_AN self-clears */
#define SIM_T_LINK_UP    5000000ull  /* LINKS.LINK_UP after AN restart */
#define SIM_T_QUEUE      50000ull    /* RXDCTL/TXDCTL.ENABLE reads back */

/* Frame flags on the wire. */
#define SIM_F_BAD_FCS  0x1   /* sent without IFCS: the receiver sees a bad CRC */

enum sim_qstate { Q_OFF, Q_RUNNING, Q_FAULT };

struct sim_rxq {
	_Atomic int want;          /* ENABLE as last written by the driver */
	int state;                 /* enum sim_qstate (model thread) */
	uint64_t change_at;        /* when a requested change takes effect */
	uint8_t *ring;             /* host address of the ring (via IOMMU) */
	uint64_t ring_iova;
	uint32_t ndesc, head;
	uint32_t bufsize;          /* SRRCTL.BSIZEPACKET in bytes */
	uint32_t avail;            /* free descriptors as of the last RDT load */
	bool drop_en;
	unsigned iommu_gen;        /* IOMMU generation the ring was translated in */
	uint64_t pend_pkts, pend_bytes, pend_drops; /* counters to flush */
};

struct sim_txq {
	_Atomic int want;
	int state;
	uint64_t change_at;
	uint8_t *ring;
	uint64_t ring_iova;
	uint32_t ndesc, head;
	unsigned iommu_gen;
	uint64_t pend_pkts, pend_bytes;
};

enum sim_wire_kind { W_NONE, W_LOOPBACK, W_CABLE, W_PCAP, W_GEN, W_TAP, W_CAPTURE };

struct sim_capture {       /* frames for the test harness */
	pthread_mutex_t lock;
	unsigned head, tail;   /* free-running */
	struct { uint32_t len; uint8_t *data; } slot[1024];
};

struct sim_inject {        /* frames from the test harness */
	pthread_mutex_t lock;
	unsigned head;
	_Atomic unsigned tail;
	struct { uint32_t len; uint8_t *data; } slot[4096];
};

struct sim_wire {
	int kind;
	unsigned peer;             /* W_CABLE */
	_Atomic bool admin_up;     /* sim_fault_link() */
	FILE *pcap_in, *pcap_out;  /* W_PCAP */
	bool pcap_in_nsec, pcap_in_swap, pcap_in_done;
	uint64_t pcap_in_records;
	struct sim_gen_config gen; /* W_GEN */
	uint64_t gen_sent, gen_next_ns;
	int tap_fd;                /* W_TAP */
	uint64_t gen_key;          /* the MAC and size gen's template was built for (0: none) */
	uint32_t gen_sum;          /* its IPv4 header sum without the varying word */
	uint32_t pending_len;      /* a frame read from a source, not yet taken */
	uint8_t *pending;          /* SIM_FRAME_MAX bytes */
	struct sim_capture *cap;   /* W_CAPTURE */
};

/* The RX packet buffer (§7.1.1, RXPBSIZE): frames from the wire wait here
 * when their queue has no free descriptor and SRRCTL.DROP_EN is clear. */
struct sim_rxfifo {
	uint8_t *mem;              /* SIM_RXFIFO_BYTES */
	uint64_t head, tail;       /* byte positions, free-running */
	uint64_t frames;
};

struct sim_stats {             /* written by one thread each: relaxed */
	_Atomic uint64_t wire_rx_frames, rx_frames, rx_bytes, tx_frames, tx_bytes;
	_Atomic uint64_t rx_drop_nodesc, rx_drop_disabled, rx_drop_filter;
	_Atomic uint64_t rx_drop_error, tx_drop_link, iommu_faults, violations;
	_Atomic uint64_t resets;
};

/* Requests from the register handlers to the model thread. */
#define REQ_RESET   0x1
#define REQ_LNKRST  0x2
#define REQ_AN      0x4
#define REQ_QUEUE   0x8
#define REQ_FILTER  0x10

enum { RX_TAKEN, RX_DROPPED, RX_BUSY };

/* A burst of frames on its way over a wire (wire.c): what one TX pass of
 * a port hands to the wire at once, so the receiving port looks at what
 * is the same for every frame (link, RXEN, packet buffer, MAC limits and
 * filter controls) once per burst, not once per frame.  d points at the
 * frame where it lies (the sender's TX buffer, which the driver may not
 * reuse before the pass's completion), len is without FCS. */
struct wire_frame { const uint8_t *d; uint32_t len; unsigned flags; };
#define WIRE_BURST 128
struct wire_burst { unsigned n; struct wire_frame f[WIRE_BURST]; };

struct sim_port;
struct x710;                  /* the X710 personality's state (x710_model.h) */

/* A device personality: what the common layer calls on a port.  Every
 * hook runs on the model thread with sim_lock held, except reg_ops (the
 * driver's thread) and the fault hooks (any thread). */
struct sim_personality {
	const char *name;                          /* the model= value */
	uint16_t device_id;
	uint32_t bar_size;
	const struct reg_ops *reg_ops;
	void (*reset)(struct sim_port *p);         /* registers to power-on values */
	void (*power_up)(struct sim_port *p, uint64_t now); /* opened: boot timers start */
	void (*tick)(struct sim_port *p, uint64_t now);     /* timers and requests */
	unsigned (*rx_drain)(struct sim_port *p);  /* held RX frames into the rings */
	unsigned (*tx_poll)(struct sim_port *p);   /* TX rings onto the wire */
	void (*flush)(struct sim_port *p);         /* batched register counters */
	/* a frame from the wire (len without FCS); RX_TAKEN/DROPPED/BUSY */
	int (*rx_frame)(struct sim_port *p, const uint8_t *d, uint32_t len, unsigned flags, bool lossless);
	/* optional: a burst of frames from a link partner (lossy), in order;
	 * NULL: rx_frame per frame */
	void (*rx_frames)(struct sim_port *p, const struct wire_frame *f, unsigned n);
	void (*fault_reset)(struct sim_port *p);   /* sim_fault_reset() */
	uint64_t (*mac)(struct sim_port *p);       /* station address, byte 0 in bits 7:0 */
	void (*release)(struct sim_port *p);       /* free the personality's state */
};
extern const struct sim_personality sim_ixgbe_model, sim_x710_model;

struct sim_port {
	unsigned id;
	const struct sim_personality *pers;
	struct x710 *x7;           /* allocated when the port first becomes an X710 */
	bool open;                 /* a driver holds it (sim_lock) */
	struct device *dev;
	_Atomic uint32_t regs[SIM_REG_WORDS];
	_Atomic uint32_t req;      /* REQ_* */
	_Atomic bool in_reset;     /* CTRL.RST in progress: writes are lost */
	uint64_t rst_done_at, ard_at, dmaidone_at, lnkrst_at, an_clear_at, link_at;
	bool link_trained;         /* AN restarted and completed since reset */
	bool link_up;              /* as reported in LINKS */
	struct sim_rxq rxq[SIM_NQUEUES];
	struct sim_txq txq[SIM_NQUEUES];
	unsigned queues_changing;  /* queues whose want != state */
	/* Bit q set: TX queue q is running / RX or TX queue q has counters
	 * to flush -- so a pass visits only those queues, not all 128. */
	uint64_t txq_running[2], rxq_dirty[2], txq_dirty[2];
	uint64_t macs[128];        /* unicast filter: RAL/RAH with AV */
	unsigned nmacs;
	struct sim_wire wire;
	struct sim_inject *inject;
	struct sim_rxfifo fifo;
	_Atomic unsigned fault_bad_len, fault_no_eop;
	_Atomic uint64_t stall_until;
	uint8_t *txbuf;            /* gather buffer, SIM_FRAME_MAX */
	uint8_t *rxbuf;            /* frame + FCS staging, SIM_FRAME_MAX + 4 */
	struct sim_stats st;
#define SIM_NLATCH 48
	uint32_t latch_word[SIM_NLATCH], latch_val[SIM_NLATCH]; /* RCL -> RCH */
	/* register counters accumulated during an iteration, flushed after */
	uint64_t c_gprc, c_gorc, c_tpr, c_tor, c_bprc, c_mprc, c_mpc, c_ruc, c_roc;
	uint64_t c_crcerrs, c_gptc, c_gotc, c_rxdgpc, c_rxdgbc, c_txdgpc, c_txdgbc;
	/* pace= (pace.c): bits per second the port's wire carries, 0 = as
	 * fast as the model goes; per direction (PACE_TX, PACE_RX): until
	 * when (ps on sim_now()'s clock) the wire is busy with the frames
	 * already sent, and whether it had frames to send in this / the
	 * last iteration of the model thread (bit 0 TX, bit 1 RX) */
	uint64_t pace_bps, pace_ps[2];
	unsigned pace_active, pace_backlog;
};

extern pthread_mutex_t sim_lock;
extern struct sim_port *sim_ports[SIM_MAX_PORTS];

/* ---- helpers ---- */
uint64_t sim_now(void);

static inline uint32_t reg_get(struct sim_port *p, uint32_t word)
{
	return atomic_load_explicit(&p->regs[word], memory_order_relaxed);
}
static inline void reg_put(struct sim_port *p, uint32_t word, uint32_t v)
{
	atomic_store_explicit(&p->regs[word], v, memory_order_relaxed);
}
static inline uint32_t reg_val(struct sim_port *p, enum sim_reg_id id, unsigned inst)
{
	return reg_get(p, sim_reg_word(id, inst));
}
/* Fixed words of single-instance registers: constants. */
#define W(name) (REG_OFF_##name / 4)
/* Queue registers: queue q's word (0..63 primary bank, 64..127 second). */
static inline uint32_t rxq_word(enum sim_reg_id id, unsigned q)
{
	uint32_t off = sim_reg_desc[id].offset;
	return (q < 64 ? off + 0x40 * q : off - 0x01000 + 0x0D000 + 0x40 * (q - 64)) / 4;
}
static inline uint32_t txq_word(enum sim_reg_id id, unsigned q)
{
	return (sim_reg_desc[id].offset + 0x40 * q) / 4;
}

static inline void qmask_set(uint64_t m[2], unsigned q)   { m[q >> 6] |= 1ull << (q & 63); }
static inline void qmask_clear(uint64_t m[2], unsigned q) { m[q >> 6] &= ~(1ull << (q & 63)); }

static inline void stat_add(_Atomic uint64_t *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
	                      memory_order_relaxed);
}
/* Add to a clear-on-read register counter (the driver may read-clear it
 * concurrently, so this is a real read-modify-write). */
static inline void counter_add(struct sim_port *p, uint32_t word, uint64_t n)
{
	if (n)
		atomic_fetch_add_explicit(&p->regs[word], (uint32_t)n, memory_order_relaxed);
}
/* 64-bit counters kept as a low/high register pair. */
void counter_add64(struct sim_port *p, uint32_t lo_word, uint64_t n);

/* ---- violations and faults (sim.c) ---- */
void sim_violation_add(struct sim_port *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A frame from the wire into a port, whatever its personality. */
static inline int sim_rx_frame(struct sim_port *p, const uint8_t *d, uint32_t len, unsigned flags, bool lossless)
{
	return p->pers->rx_frame(p, d, len, flags, lossless);
}

/* The physical link is up when the wire is plugged and up, this port has
 * trained, and for a cable, the peer too (ixgbe_model.c; both models). */
bool model_link_up(struct sim_port *p);

/* ---- ixgbe_model.c ---- */
extern const struct reg_ops sim_reg_ops;
void model_reset(struct sim_port *p);          /* registers to reset values */
void model_tick(struct sim_port *p, uint64_t now);
void model_flush_counters(struct sim_port *p);

/* ---- iommu.c ---- */
struct dma_mapper;
extern const struct dma_mapper sim_iommu_mapper;   /* tests map/unmap through it */
int  sim_iommu_install(char *err, size_t errlen);
void sim_iommu_uninstall(void);
extern _Atomic unsigned sim_iommu_gen;   /* bumped by every unmap */
static inline unsigned sim_iommu_generation(void)
{
	return atomic_load_explicit(&sim_iommu_gen, memory_order_acquire);
}
/* The IOTLB (iommu.c): a direct-mapped cache of translations, per thread,
 * keyed by 2 MiB IOVA page (every mapping starts on a 2 MiB IOVA boundary,
 * so a page belongs to at most one mapping) and tagged with the generation
 * it was filled in, so an unmap invalidates every entry at once. */
#define IOTLB_PAGE_SHIFT 21
#define IOTLB_ENTRIES    256
struct iotlb_entry {
	uint64_t page;       /* iova >> IOTLB_PAGE_SHIFT */
	uint64_t end;        /* IOVA just past the mapping */
	intptr_t delta;      /* va - iova */
	unsigned gen;        /* 0: empty (generations start at 1) */
};
extern __thread struct iotlb_entry sim_iotlb[IOTLB_ENTRIES];
/* Walk the mappings (and fill the IOTLB entry) when the IOTLB misses. */
void *sim_iommu_translate_slow(uint64_t iova, uint64_t len, unsigned gen);
/* Host address of [iova, iova+len) if one live mapping covers it, else NULL. */
static inline void *sim_iommu_translate(uint64_t iova, uint64_t len)
{
	/* the generation is loaded before the entry: an unmap that completed
	 * before this call has bumped it, so its entries cannot match */
	unsigned gen = sim_iommu_generation();
	uint64_t page = iova >> IOTLB_PAGE_SHIFT;
	const struct iotlb_entry *e = &sim_iotlb[page % IOTLB_ENTRIES];
	if (e->page == page && e->gen == gen && iova < e->end && len <= e->end - iova)
		return (uint8_t *)(uintptr_t)((intptr_t)iova + e->delta);
	return sim_iommu_translate_slow(iova, len, gen);
}
void sim_iommu_fault(struct sim_port *p, const char *what, unsigned q, uint64_t iova, uint64_t len);

/* ---- rx.c ---- */
/* A frame arrives from the wire (len without FCS).  lossless: return
 * RX_BUSY instead of dropping for lack of room (pcap/generator sources). */
int  rx_frame(struct sim_port *p, const uint8_t *data, uint32_t len, unsigned flags, bool lossless);
void rx_frames(struct sim_port *p, const struct wire_frame *f, unsigned n);
unsigned rx_fifo_drain(struct sim_port *p);

/* ---- rxfifo.c: the RX packet buffer (both models) ---- */
struct rxfifo_hdr { uint32_t len, flags; };   /* followed by len bytes */
bool rxfifo_push(struct sim_port *p, const uint8_t *d, uint32_t len, uint64_t cap);
struct rxfifo_hdr *rxfifo_peek(struct sim_port *p);   /* oldest frame, or NULL */
void rxfifo_pop(struct sim_port *p, struct rxfifo_hdr *h);
void rx_fifo_clear(struct sim_port *p);       /* empty it; its frames count as lost */
int  rxq_start(struct sim_port *p, unsigned q);   /* 0 or -1 (violation recorded) */
void rxq_stop(struct sim_port *p, unsigned q, int state);

/* ---- rss.c ---- */
/* Queue for a frame per MRQC/RETA; fills the write-back's RSS hash and
 * packet-type dword. */
unsigned rss_queue(struct sim_port *p, const uint8_t *d, uint32_t len, uint32_t *hash, uint32_t *pkt_info);
uint32_t rss_toeplitz(const uint8_t key[40], const uint8_t *in, unsigned n);
/* The packet-type bits of write-back dword 0 alone (what rss_queue() puts
 * in *pkt_info when RSS is off). */
uint32_t rss_packet_type(const uint8_t *d, uint32_t len);

/* ---- tx.c ---- */
unsigned tx_poll(struct sim_port *p);
int  txq_start(struct sim_port *p, unsigned q);
void txq_stop(struct sim_port *p, unsigned q, int state);

/* ---- wire*.c ---- */
bool wire_connected(struct sim_port *p);        /* physical link possible */
void wire_tx(struct sim_port *p, const uint8_t *data, uint32_t len, unsigned flags);
/* The burst form of wire_tx: add a frame (its wire time is charged now,
 * for pace), and hand the burst over (at the latest when it is full; the
 * caller flushes before its TX completion, and before it reuses a staging
 * buffer a queued frame points into). */
void wire_tx_add(struct sim_port *p, struct wire_burst *b, const uint8_t *d, uint32_t len, unsigned flags);
void wire_tx_flush(struct sim_port *p, struct wire_burst *b);
unsigned wire_poll(struct sim_port *p, uint64_t now);   /* sources -> RX */
void wire_unplug(struct sim_port *p);          /* sim_lock held */
int  wire_pcap_open(struct sim_port *p, const char *in, const char *out, char *err, size_t errlen);
void wire_pcap_close(struct sim_port *p);
void wire_pcap_write(struct sim_port *p, const uint8_t *d, uint32_t len);
int  wire_pcap_read(struct sim_port *p);       /* 1 frame pending, 0 eof, -1 error */
int  wire_tap_open(const char *ifname, char *err, size_t errlen);
unsigned wire_gen_poll(struct sim_port *p, uint64_t now);
unsigned wire_tap_poll(struct sim_port *p);
void wire_tap_write(struct sim_port *p, const uint8_t *d, uint32_t len);

/* ---- pace.c: a port's wire at its link speed (the pace option) ---- */
/* The time of the model thread's current iteration (ns, sim_now()). */
extern uint64_t sim_pace_now;
/* The earliest time a paced port that had to wait may go on (ns; 0:
 * none): the model thread sleeps no longer than that. */
extern uint64_t sim_pace_wake;
/* Parse a pace= value ("10g", "1g", "100m"; NULL: the 10 Gb/s the models
 * report) into bits per second; 0 if not one of them. */
uint64_t pace_parse(const char *val);
enum { PACE_TX, PACE_RX };
/* True while the frames already on direction dir of the wire take it. */
bool pace_busy(struct sim_port *p, unsigned dir);
/* A frame of len bytes (without FCS) took the wire: direction dir is busy
 * for its wire time more, (len + 4 FCS + 20 preamble/SFD/IFG) * 8 bits. */
void pace_account(struct sim_port *p, unsigned dir, uint32_t len);
static inline void pace_charge(struct sim_port *p, unsigned dir, uint32_t len)
{
	if (p->pace_bps)                 /* an unpaced port pays one test */
		pace_account(p, dir, len);
}
/* After each port's turn in an iteration (the model thread). */
static inline void pace_end_iteration(struct sim_port *p)
{
	p->pace_backlog = p->pace_active;
	p->pace_active = 0;
}
/* For the TX loops of the personalities: may the port send a frame now? */
static inline bool wire_tx_ready(struct sim_port *p)
{
	return !p->pace_bps || !pace_busy(p, PACE_TX);
}
/* A frame from a wire source (generator, pcap, TAP, harness) into the
 * port's RX, its wire time charged to the RX direction. */
static inline int wire_rx(struct sim_port *p, const uint8_t *d, uint32_t len, unsigned flags, bool lossless)
{
	int rc = sim_rx_frame(p, d, len, flags, lossless);
	if (rc != RX_BUSY)
		pace_charge(p, PACE_RX, len);
	return rc;
}
static inline bool wire_rx_ready(struct sim_port *p)
{
	return !p->pace_bps || !pace_busy(p, PACE_RX);
}

/* Ethernet CRC-32 (the FCS), for frames delivered without CRC strip. */
uint32_t sim_crc32(const uint8_t *d, uint32_t len);

#endif
