/* i40e.c -- a small physical-function driver for the Intel X710/XL710.
 *
 * Facts: the "Intel Ethernet Controller X710/XXV710/XL710 Datasheet"
 * (332464) as checked in the project's X710 reference, whose sections are
 * cited as "ref Bring-up", "ref AQ", "ref Contexts", "ref Queue enable",
 * "ref Descriptors", "ref Stats" (it gives no datasheet section numbers).
 * What it does not give -- AQ command layouts, interrupt register fields --
 * is cited by its public source: "aq_cmd.h" (DPDK base/i40e_adminq_cmd.h),
 * "regs.h" (DPDK base/i40e_register.h).  Register names are the datasheet's.
 *
 * The file reads top to bottom in bring-up order:
 *   registers and layouts     only those the driver uses
 *   reset and identity        GLGEN_RSTAT, GLNVM_ULD, PFGEN_CTRL.PFSWR, PF_FUNC_RID
 *   admin queue               send (every error names the command), events
 *   firmware conversation     version, PXE, switch, VSI, MAC, filters, link
 *   Host Memory Cache         backing pages, object bases, contexts bit by bit
 *   interrupt cause list      so RX write-backs are never held back
 *   RSS                       key, lookup table, packet types
 *   queue start and stop      QENA handshakes, TXPRE_QDIS, QTX_CTL
 *   statistics and link
 *   open, recover, close
 *   hot path                  RX and TX descriptors
 *
 * The hot path writes one tail per call (and an empty RX poll at most one
 * interrupt re-arm per 10 us: "RX write-back batching").  The device is never
 * trusted: a write-back with an impossible length or no EOP is dropped, counted.
 */
#include "i40e.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "../core/engine.h"
#include "../core/log.h"
#include "../core/memory.h"
#include "drv_util.h"

#define unlikely(x) __builtin_expect(!!(x), 0)

/* ==== Registers (ref tables; bit fields from regs.h where the ref is silent) ==== */

/* reset and identity */
#define GLGEN_RSTCTL        0x0B8180  /* Global Reset Control */
#define  GLGEN_RSTCTL_GRSTDEL_MASK 0x3Fu   /* reset delay, 100 ms units */
#define GLGEN_RSTAT         0x0B8188  /* Global Reset Status */
#define  GLGEN_RSTAT_DEVSTATE_MASK 0x3u    /* 0: no reset in progress */
#define GLNVM_ULD           0x0B6008  /* NVM Unit Load Done */
#define  GLNVM_ULD_CORE_DONE   (1u << 3)
#define  GLNVM_ULD_GLOBAL_DONE (1u << 4)
#define PFGEN_CTRL          0x092400  /* PF General Control */
#define  PFGEN_CTRL_PFSWR   (1u << 0)      /* PF software reset, self-clearing */
#define PF_FUNC_RID         0x09C000  /* PF Function Requester ID */
#define GLPCI_CAPSUP        0x0BE4A8  /* PCIe Capabilities Supported */
#define  GLPCI_CAPSUP_ARI_EN (1u << 4)     /* ARI: the function number is 8 bits */
#define PFGEN_PORTNUM       0x1C0480  /* PF's port number, bits 1:0 */
#define PFLAN_QALLOC        0x1C0400  /* PF LAN Queue Allocation */
#define  PFLAN_QALLOC_LASTQ_SHIFT 16
#define  PFLAN_QALLOC_VALID (1u << 31)
#define GLLAN_RCTL_0        0x12A500  /* LAN Receive Control: bit 0 PXE mode */

/* admin queue (send = ATQ, receive/event = ARQ) */
#define PF_ATQBAL           0x080000  /* AQ Transmit Base Address Low */
#define PF_ARQBAL           0x080080  /* AQ Receive Base Address Low */
#define PF_ATQBAH           0x080100
#define PF_ARQBAH           0x080180
#define PF_ATQLEN           0x080200  /* length bits 9:0, ENABLE bit 31 */
#define PF_ARQLEN           0x080280
#define  PF_AQLEN_ENABLE    (1u << 31)
#define  PF_AQLEN_OVFL      (1u << 29)     /* events dropped: no free descriptor */
#define PF_ATQH             0x080300  /* head, bits 9:0 */
#define PF_ARQH             0x080380
#define PF_ATQT             0x080400  /* tail */
#define PF_ARQT             0x080480
#define  PF_AQ_HT_MASK      0x3FFu

/* Host Memory Cache */
#define PFHMC_SDCMD         0x0C0000  /* Segment Descriptor Command */
#define  PFHMC_SDCMD_PMSDWR (1u << 31)     /* write the descriptor at index bits 11:0 */
#define PFHMC_SDDATALOW     0x0C0100  /* address 31:12 | BPCOUNT 11:2 | TYPE 1 | VALID 0 */
#define  PFHMC_SD_VALID     (1u << 0)
#define  PFHMC_SD_DIRECT    (1u << 1)
#define  PFHMC_SD_BPCOUNT_SHIFT 2
#define PFHMC_SDDATAHIGH    0x0C0200
#define PFHMC_ERRORINFO     0x0C0400  /* bit 31 error detected, type 11:8, object 20:16 */
#define  PFHMC_ERRORINFO_DETECTED (1u << 31)
#define PFHMC_ERRORDATA     0x0C0500
#define GLHMC_LANTXOBJSZ    0x0C2004  /* log2 of the TX context size (7 = 128 B) */
#define GLHMC_LANQMAX       0x0C2008  /* queue contexts a function may have */
#define GLHMC_LANRXOBJSZ    0x0C200C  /* log2 of the RX context size (5 = 32 B) */
#define GLHMC_LANTXBASE(pf) (0x0C6200 + 4 * (pf))   /* 512-byte units */
#define GLHMC_LANTXCNT(pf)  (0x0C6300 + 4 * (pf))
#define GLHMC_LANRXBASE(pf) (0x0C6400 + 4 * (pf))
#define GLHMC_LANRXCNT(pf)  (0x0C6500 + 4 * (pf))
#define HMC_SD_SIZE         0x200000u  /* a direct segment backs 2 MB */
#define HMC_SD_PAGES        512u       /* of 4 KB pages */
#define HMC_TXQ_SIZE        128u
#define HMC_RXQ_SIZE        32u
#define HMC_MAX_QUEUES      1536u      /* LAN queues of the whole device */
static_assert(HMC_MAX_QUEUES * (HMC_TXQ_SIZE + HMC_RXQ_SIZE) + 512 <= HMC_SD_SIZE,
              "one segment backs the contexts of every queue a PF can have");

/* queues (q relative to the PF, except where "abs") */
#define QTX_ENA(q)          (0x100000 + 4 * (q))  /* QENA_REQ bit 0, QENA_STAT bit 2 */
#define QRX_ENA(q)          (0x120000 + 4 * (q))
#define  QENA_REQ           (1u << 0)
#define  QENA_STAT          (1u << 2)
#define QTX_CTL(q)          (0x104000 + 4 * (q))  /* PFVF_Q 1:0, PF_INDX 5:2 */
#define  QTX_CTL_PF_QUEUE   2u
#define  QTX_CTL_PF_INDX_SHIFT 2
#define QTX_TAIL(q)         (0x108000 + 4 * (q))
#define QRX_TAIL(q)         (0x128000 + 4 * (q))
#define QTX_HEAD(q)         (0x0E4000 + 4 * (q))
#define GLLAN_TXPRE_QDIS(abs) (0x0E6500 + 4 * ((abs) / 128))
#define  TXPRE_QDIS_SET     (1u << 30)
#define  TXPRE_QDIS_CLEAR   (1u << 31)

/* interrupts (regs.h) */
#define PFINT_ITR0(i)       (0x038000 + 0x80 * (i)) /* vector 0 ITR i interval, 2 us units */
#define PFINT_DYN_CTL0      0x038480  /* vector 0 dynamic control */
#define  DYN_CTL0_INTENA    (1u << 0)
#define  DYN_CTL0_CLEARPBA  (1u << 1)
#define  DYN_CTL0_ITR_NONE  (3u << 3)      /* ITR_INDX 3: leave the ITR intervals alone */
#define PFINT_LNKLST0       0x038500  /* vector 0 cause list: FIRSTQ_INDX 10:0, TYPE 12:11 */
#define  LNKLST_TYPE_RX     (0u << 11)
#define QINT_RQCTL(q)       (0x03A000 + 4 * (q)) /* NEXTQ_INDX 26:16, NEXTQ_TYPE 28:27, CAUSE_ENA 30 */
#define  QINT_NEXTQ_SHIFT   16
#define  QINT_NEXTQ_NONE    0x7FFu
#define  QINT_CAUSE_ENA     (1u << 30)
#define RX_ITR_INTERVAL     5u         /* 10 us: how long a partial group of write-backs may wait */
#define RX_REARM_NS         10000u     /* empty polls re-arm the interrupt at most this often */

/* RSS */
#define PFQF_HKEY(i)        (0x244800 + 0x80 * (i))  /* 13 x 4 key bytes */
#define PFQF_HLUT(i)        (0x240000 + 0x80 * (i))  /* 128 x 4 entries of 6 bits */
#define PFQF_HENA(i)        (0x245900 + 0x80 * (i))  /* 64 packet-type bits */
#define RSS_KEY_REGS        13
#define RSS_LUT_REGS        128
/* PCTYPEs hashed: IPv4 UDP 31, TCP 33, SCTP 34, other 35, fragment 36;
 * IPv6 UDP 41, TCP 43, SCTP 44, other 45, fragment 46 (i40e_type.h). */
#define RSS_HENA            ((1ull << 31) | (1ull << 33) | (1ull << 34) | (1ull << 35) | \
                             (1ull << 36) | (1ull << 41) | (1ull << 43) | (1ull << 44) | \
                             (1ull << 45) | (1ull << 46))

/* statistics (per port p, stride 8; 48-bit ones have the high half at +4) */
#define GLPRT_GORCL(p)      (0x300000 + 8 * (p))
#define GLPRT_CRCERRS(p)    (0x300080 + 8 * (p))
#define GLPRT_UPRCL(p)      (0x3005A0 + 8 * (p))
#define GLPRT_MPRCL(p)      (0x3005C0 + 8 * (p))
#define GLPRT_BPRCL(p)      (0x3005E0 + 8 * (p))
#define GLPRT_RDPC(p)       (0x300600 + 8 * (p))
#define GLPRT_GOTCL(p)      (0x300680 + 8 * (p))
#define GLPRT_UPTCL(p)      (0x3009C0 + 8 * (p))
#define GLPRT_MPTCL(p)      (0x3009E0 + 8 * (p))
#define GLPRT_BPTCL(p)      (0x300A00 + 8 * (p))
#define GLPRT_TDOLD(p)      (0x300A20 + 8 * (p))

/* link: a port register; each PF sees its own port's copy at index 0 */
#define PRTMAC_LINKSTA      0x1E2420
#define  LINKSTA_UP         0x40000080u    /* both bits set: link up */

/* ==== Admin queue layouts (ref AQ; command bodies from aq_cmd.h) ========= */

struct aq_desc {
	uint16_t flags, opcode, datalen, retval;
	uint32_t cookie_high, cookie_low;    /* returned unchanged */
	union {
		uint8_t  b[16];
		uint16_t w[8];
		uint32_t d[4];      /* indirect commands: d[2], d[3] = buffer address */
	} p;
};
static_assert(sizeof(struct aq_desc) == 32, "an AQ descriptor is 32 bytes");

#define AQ_FLAG_DD          0x0001u
#define AQ_FLAG_ERR         0x0004u
#define AQ_FLAG_LB          0x0200u    /* buffer larger than 512 bytes */
#define AQ_FLAG_BUF         0x1000u    /* the descriptor points at a buffer */

#define AQ_RC_EEXIST        13

#define AQ_OP_GET_VERSION   0x0001     /* opcodes (aq_cmd.h) */
#define AQ_OP_QUEUE_SHUTDOWN 0x0003
#define AQ_OP_MAC_READ      0x0107
#define AQ_OP_CLEAR_PXE     0x0110
#define AQ_OP_GET_SWITCH_CONFIG 0x0200
#define AQ_OP_GET_VSI_PARAMS 0x0212
#define AQ_OP_SET_PROMISC   0x0254
#define AQ_OP_SET_MAC_CONFIG 0x0603
#define AQ_OP_RESTART_AN    0x0605
#define AQ_OP_GET_LINK      0x0607

#define AQ_ENTRIES          32         /* both queues; a power of two <= 1023 */
#define AQ_BUF_SIZE         512        /* every buffer we use fits: no LB flag */
#define AQ_TIMEOUT_MS       250        /* Linux and DPDK wait as long */

#define SW_ELEM_TYPE_VSI    19         /* get switch config: 16-byte header, then elements */
/* get VSI parameters answer (128 bytes): offsets into it */
#define VSI_QUEUE_MAPPING0  30
#define VSI_QS_HANDLE0      96
#define MAC_READ_LAN_VALID  0x10       /* MAC read answer flags */
#define PROMISC_UNICAST     0x01       /* set promiscuous flags */
#define PROMISC_MULTICAST   0x02
#define PROMISC_BROADCAST   0x04
/* get link status: command flags, answer bytes */
#define LINK_LSE_ENABLE     0x3
#define LINK_B_SPEED        3
#define LINK_B_INFO         4
#define  LINK_INFO_UP       0x01
#define  LINK_INFO_MEDIA    0x40
#define LINK_B_AN_INFO      5
#define  LINK_AN_QUALIFIED  0x80

/* ==== Descriptors (ref Descriptors): 32-byte RX (as Linux), 16-byte TX === */

union i40e_rx_desc {
	struct { uint64_t pkt_addr, hdr_addr, rsvd1, rsvd2; } read;  /* hdr_addr bit 0 overlaps DD */
	struct { uint64_t qword0, qword1, qword2, qword3; } wb;      /* qword1: status, length */
};
#define RXD_DD              (1ull << 0)
#define RXD_EOF             (1ull << 1)
#define RXD_LEN_SHIFT       38
#define RXD_LEN_MASK        0x3FFFu

union i40e_tx_desc {
	struct { uint64_t addr, cmd; } read;
	struct { uint64_t rsvd, qword1; } wb;
};
#define TXD_CMD_EOP         (1ull << 4)
#define TXD_CMD_RS          (1ull << 5)
#define TXD_CMD_ICRC        (1ull << 6)  /* insert the CRC: without it the frame is counted, never sent */
#define TXD_LEN_SHIFT       34
#define TXD_DTYPE_MASK      0xFull
#define TXD_DTYPE_DONE      0xFull       /* written back on descriptors with RS */

static_assert(sizeof(union i40e_rx_desc) == 32, "RX descriptor is 32 bytes");
static_assert(sizeof(union i40e_tx_desc) == 16, "TX descriptor is 16 bytes");

#define RX_BUF_SIZE         PACKET_MAX_FRAME   /* told to the device in 128-byte units */
static_assert(RX_BUF_SIZE % 128 == 0 && RX_BUF_SIZE / 128 < 128, "RX context dbuff is 7 bits");
static_assert(RX_BUF_SIZE <= PACKET_DMA_ROOM, "the device may write RX_BUF_SIZE bytes");
#define TX_RS_EVERY         32
#define MIN_RING            64
#define MAX_RING            4096
#define DEFAULT_RING        512
static_assert(MIN_RING % TX_RS_EVERY == 0, "RS groups tile the TX ring");

/* ==== Driver state ======================================================= */

struct i40e_rxq {
	volatile union i40e_rx_desc *ring;
	struct packet **bufs;
	uint32_t size, mask, next;   /* next: free-running */
	bool discarding;             /* inside a frame without EOP */
};

struct i40e_txq {
	volatile union i40e_tx_desc *ring;
	struct packet **bufs;
	uint32_t size, mask, next, clean;
};

struct aq_ring {
	volatile struct aq_desc *desc;
	uint8_t *bufs;               /* AQ_ENTRIES x AQ_BUF_SIZE, DMA memory */
	uint32_t next;               /* ATQ: next to use; ARQ: next to clean */
};

/* A 64-bit counter folded from a narrower register that does not clear on
 * read: the last raw value is the baseline for the next difference. */
struct fold { uint64_t sum, last; };

enum { C_GORC, C_GOTC, C_UPRC, C_MPRC, C_BPRC, C_UPTC, C_MPTC, C_BPTC,
       C_CRCERRS, C_RDPC, C_TDOLD, C_COUNT };

struct i40e_dev {
	struct device *d;
	const struct regs *r;
	struct nic_config cfg;
	struct i40e_identity id;
	uint8_t mac[6];
	struct aq_ring atq, arq;
	uint8_t *hmc;                /* the PF's context space: one 2 MB segment */
	uint32_t hmc_rx_base;        /* byte offset of RX contexts in it */
	struct i40e_rxq rxq[NIC_MAX_QUEUES];
	struct i40e_txq txq[NIC_MAX_QUEUES];
	struct nic_queue_stats qs[NIC_MAX_QUEUES];
	struct fold ctr[C_COUNT];
	uint64_t rearm_ns;           /* when PFINT_DYN_CTL0 was last re-armed */
	bool link_up, unqualified;
	unsigned speed;
	uint64_t rx_lost, tx_lost, resets, link_changes;
};

#define DEV(nd) ((struct i40e_dev *)(nd))

/* ==== Reset and identity (ref Bring-up) ================================== */

/* A global reset (CORER/GLOBR/EMPR) may be running: wait for it, as long as
 * GLGEN_RSTCTL.GRSTDEL says it may take, then for the firmware to have
 * loaded its modules, then reset our function (PFR). */
static int i40e_reset(struct i40e_dev *dev, char *err, size_t errlen)
{
	const struct regs *r = dev->r;
	unsigned grstdel = reg_read(r, GLGEN_RSTCTL) & GLGEN_RSTCTL_GRSTDEL_MASK; /* ref Bring-up: GLGEN_RSTCTL.GRSTDEL */
	unsigned wait_ms = (grstdel + 2) * 100;   /* 100 ms units, and a little more */
	if (!drv_wait_reg(r, GLGEN_RSTAT, GLGEN_RSTAT_DEVSTATE_MASK, 0, wait_ms)) /* ref Bring-up: GLGEN_RSTAT.DEVSTATE */
		return drv_fail(err, errlen, "global reset still in progress after %u ms "
		                "(GLGEN_RSTAT.DEVSTATE = %u)", wait_ms,
		                reg_read(r, GLGEN_RSTAT) & GLGEN_RSTAT_DEVSTATE_MASK); /* ref Bring-up: GLGEN_RSTAT */
	uint32_t done = GLNVM_ULD_CORE_DONE | GLNVM_ULD_GLOBAL_DONE;
	if (!drv_wait_reg(r, GLNVM_ULD, done, done, 1000))   /* ref Bring-up: GLNVM_ULD bits 3, 4 */
		return drv_fail(err, errlen, "firmware not ready after 1 s (GLNVM_ULD = 0x%08x, "
		                "CORE_DONE and GLOBAL_DONE not both set)", reg_read(r, GLNVM_ULD));
	reg_set(r, PFGEN_CTRL, PFGEN_CTRL_PFSWR);              /* ref Bring-up: PFGEN_CTRL.PFSWR */
	if (!drv_wait_reg(r, PFGEN_CTRL, PFGEN_CTRL_PFSWR, 0, 1000)) /* ref Bring-up: self-clears */
		return drv_fail(err, errlen, "PF reset: PFGEN_CTRL.PFSWR did not clear within 1 s");
	return 0;
}

/* Which PF are we, on which port, owning which queues? */
static int i40e_identify(struct i40e_dev *dev, char *err, size_t errlen)
{
	const struct regs *r = dev->r;
	uint32_t rid = reg_read(r, PF_FUNC_RID);               /* ref Bring-up: PF_FUNC_RID */
	bool ari = reg_read(r, GLPCI_CAPSUP) & GLPCI_CAPSUP_ARI_EN; /* ref Bring-up: GLPCI_CAPSUP.ARI_EN */
	dev->id.pf_id = ari ? rid & 0xFF : rid & 0x7;          /* function number: 8 bits with ARI, else 3 */
	dev->id.port = reg_read(r, PFGEN_PORTNUM) & 0x3;       /* ref Bring-up: PFGEN_PORTNUM[1:0] */
	uint32_t qalloc = reg_read(r, PFLAN_QALLOC);           /* ref Bring-up: PFLAN_QALLOC */
	if (!(qalloc & PFLAN_QALLOC_VALID))
		return drv_fail(err, errlen, "PFLAN_QALLOC = 0x%08x: the NVM gave this PF no LAN queues "
		                "(VALID clear)", qalloc);
	unsigned first = qalloc & 0x7FF, last = (qalloc >> PFLAN_QALLOC_LASTQ_SHIFT) & 0x7FF;
	if (last < first)
		return drv_fail(err, errlen, "PFLAN_QALLOC = 0x%08x: LASTQ %u below FIRSTQ %u", qalloc, last, first);
	dev->id.first_queue = first;
	dev->id.queues = last - first + 1;
	return 0;
}

/* ==== Admin queue (ref AQ) =============================================== */

static const char *aq_name(uint16_t opcode)
{
	switch (opcode) {
	case AQ_OP_GET_VERSION:       return "get version";
	case AQ_OP_QUEUE_SHUTDOWN:    return "queue shutdown";
	case AQ_OP_MAC_READ:          return "read MAC address";
	case AQ_OP_CLEAR_PXE:         return "clear PXE mode";
	case AQ_OP_GET_SWITCH_CONFIG: return "get switch config";
	case AQ_OP_GET_VSI_PARAMS:    return "get VSI parameters";
	case AQ_OP_SET_PROMISC:       return "set VSI promiscuous modes";
	case AQ_OP_SET_MAC_CONFIG:    return "set MAC config";
	case AQ_OP_RESTART_AN:        return "restart autonegotiation";
	case AQ_OP_GET_LINK:          return "get link status";
	default:                      return "unknown command";
	}
}

static const char *aq_errname(unsigned rc)
{
	static const char *const names[] = {
		"OK", "EPERM", "ENOENT", "ESRCH (unknown opcode)", "EINTR", "EIO", "ENXIO",
		"E2BIG", "EAGAIN", "ENOMEM", "EACCES", "EFAULT", "EBUSY", "EEXIST", "EINVAL",
		"ENOTTY", "ENOSPC", "ENOSYS", "ERANGE", "EFLUSHED", "BAD_ADDR", "EMODE", "EFBIG",
	};
	return rc < sizeof(names) / sizeof(names[0]) ? names[rc] : "unknown error";
}

static uint64_t aq_buf_iova(const struct aq_ring *q, unsigned i)
{
	return mem_iova(q->bufs + (size_t)i * AQ_BUF_SIZE);
}

/* Give ARQ descriptor i its buffer back, for the firmware's next event. */
static void arq_post(struct i40e_dev *dev, unsigned i)
{
	volatile struct aq_desc *d = &dev->arq.desc[i];
	uint64_t iova = aq_buf_iova(&dev->arq, i);
	memset((void *)d, 0, sizeof(*d));
	d->flags = AQ_FLAG_BUF;
	d->datalen = AQ_BUF_SIZE;
	d->p.d[2] = (uint32_t)(iova >> 32);
	d->p.d[3] = (uint32_t)iova;
}

/* Program both queues' bases and lengths and enable them.  The ARQ gets
 * every buffer but one (head == tail means empty). */
static void aq_start(struct i40e_dev *dev)
{
	const struct regs *r = dev->r;
	uint64_t atq = mem_iova((const void *)dev->atq.desc), arq = mem_iova((const void *)dev->arq.desc);
	memset((void *)dev->atq.desc, 0, AQ_ENTRIES * sizeof(struct aq_desc));
	for (unsigned i = 0; i < AQ_ENTRIES; i++)
		arq_post(dev, i);
	dev->atq.next = dev->arq.next = 0;
	reg_write(r, PF_ATQH, 0);                              /* ref AQ: PF_ATQH */
	reg_write(r, PF_ATQT, 0);                              /* ref AQ: PF_ATQT */
	reg_write(r, PF_ATQBAL, (uint32_t)atq);                /* ref AQ: PF_ATQBAL */
	reg_write(r, PF_ATQBAH, (uint32_t)(atq >> 32));        /* ref AQ: PF_ATQBAH */
	reg_write(r, PF_ATQLEN, AQ_ENTRIES | PF_AQLEN_ENABLE); /* ref AQ: PF_ATQLEN len | ENABLE */
	reg_write(r, PF_ARQH, 0);                              /* ref AQ: PF_ARQH */
	reg_write(r, PF_ARQT, 0);                              /* ref AQ: PF_ARQT */
	reg_write(r, PF_ARQBAL, (uint32_t)arq);                /* ref AQ: PF_ARQBAL */
	reg_write(r, PF_ARQBAH, (uint32_t)(arq >> 32));        /* ref AQ: PF_ARQBAH */
	reg_write(r, PF_ARQLEN, AQ_ENTRIES | PF_AQLEN_ENABLE); /* ref AQ: PF_ARQLEN len | ENABLE */
	__atomic_thread_fence(__ATOMIC_RELEASE);               /* descriptors before the tail */
	reg_write(r, PF_ARQT, AQ_ENTRIES - 1);                 /* ref AQ: PF_ARQT, buffers posted */
}

static void aq_stop(struct i40e_dev *dev)
{
	reg_write(dev->r, PF_ATQLEN, 0);                       /* ref AQ: PF_ATQLEN.ENABLE off */
	reg_write(dev->r, PF_ARQLEN, 0);                       /* ref AQ: PF_ARQLEN.ENABLE off */
}

/* Send one command and wait for the firmware's answer.  `cmd` holds the
 * opcode and parameters and gets the answer back.  An indirect command
 * gives buflen > 0: the answer's buffer is copied to buf.  Returns 0 when
 * the firmware answered OK (or with the one error code `ok_rc`, if not 0),
 * else -1 with a message naming the command in err. */
static int aq_send(struct i40e_dev *dev, struct aq_desc *cmd, void *buf, uint16_t buflen,
                   unsigned ok_rc, char *err, size_t errlen)
{
	const struct regs *r = dev->r;
	unsigned i = dev->atq.next;
	volatile struct aq_desc *d = &dev->atq.desc[i];
	uint16_t opcode = cmd->opcode;
	if (buflen) {
		uint64_t iova = aq_buf_iova(&dev->atq, i);
		cmd->flags |= AQ_FLAG_BUF | (buflen > 512 ? AQ_FLAG_LB : 0);
		cmd->datalen = buflen;
		cmd->p.d[2] = (uint32_t)(iova >> 32);
		cmd->p.d[3] = (uint32_t)iova;
		memset(dev->atq.bufs + (size_t)i * AQ_BUF_SIZE, 0, AQ_BUF_SIZE);
	}
	memcpy((void *)d, cmd, sizeof(*cmd));
	dev->atq.next = (i + 1) % AQ_ENTRIES;
	__atomic_thread_fence(__ATOMIC_RELEASE);   /* the descriptor before the tail */
	reg_write(r, PF_ATQT, dev->atq.next);                  /* ref AQ: PF_ATQT, one command */

	/* Done when the head has moved past it and DD is set (ref AQ). */
	uint64_t deadline = now_ns() + (uint64_t)AQ_TIMEOUT_MS * 1000000;
	for (;;) {
		if ((reg_read(r, PF_ATQH) & PF_AQ_HT_MASK) == dev->atq.next && /* ref AQ: PF_ATQH */
		    (d->flags & AQ_FLAG_DD))
			break;
		if (now_ns() > deadline) {
			/* The queue is stuck behind this command: start it afresh so
			 * the next command has a chance. */
			aq_stop(dev);
			aq_start(dev);
			return drv_fail(err, errlen, "admin queue: %s (0x%04x): the firmware did not "
			                "answer within %d ms", aq_name(opcode), opcode, AQ_TIMEOUT_MS);
		}
		drv_sleep_us(10);
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);   /* DD before the rest of the answer */
	memcpy(cmd, (const void *)d, sizeof(*cmd));
	if (buflen && buf)
		memcpy(buf, dev->atq.bufs + (size_t)i * AQ_BUF_SIZE, buflen);
	if (cmd->retval && cmd->retval != ok_rc)
		return drv_fail(err, errlen, "admin queue: %s (0x%04x) failed: firmware error %s (%u)",
		                aq_name(opcode), opcode, aq_errname(cmd->retval), cmd->retval);
	if (!cmd->retval && (cmd->flags & AQ_FLAG_ERR))
		return drv_fail(err, errlen, "admin queue: %s (0x%04x) failed: ERR flag set, "
		                "no error code", aq_name(opcode), opcode);
	return 0;
}

static struct aq_desc aq_cmd(uint16_t opcode)
{
	return (struct aq_desc){ .opcode = opcode };
}

static void link_from_answer(struct i40e_dev *dev, const struct aq_desc *a);

/* Handle every event the firmware posted on the ARQ since the last call;
 * link status events update the link.  Returns how many. */
static unsigned aq_events(struct i40e_dev *dev)
{
	const struct regs *r = dev->r;
	uint32_t len = reg_read(r, PF_ARQLEN);                 /* ref AQ: PF_ARQLEN (off after a reset) */
	unsigned n = 0, head = len & PF_AQLEN_ENABLE ?         /* a disabled queue holds nothing */
	                       reg_read(r, PF_ARQH) & PF_AQ_HT_MASK : dev->arq.next; /* ref AQ: PF_ARQH */
	while (dev->arq.next != head && head < AQ_ENTRIES) {
		unsigned i = dev->arq.next;
		struct aq_desc ev;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);   /* head before the event body */
		memcpy(&ev, (const void *)&dev->arq.desc[i], sizeof(ev));
		if (ev.opcode == AQ_OP_GET_LINK)
			link_from_answer(dev, &ev);
		else
			log_debug("%s: admin queue event 0x%04x (%s) ignored", dev->d->addr, ev.opcode,
			          aq_name(ev.opcode));
		arq_post(dev, i);
		dev->arq.next = (i + 1) % AQ_ENTRIES;
		n++;
	}
	if (n) {   /* tail = the last descriptor cleaned (as Linux, DPDK): one stays held back */
		__atomic_thread_fence(__ATOMIC_RELEASE);
		reg_write(r, PF_ARQT, (dev->arq.next + AQ_ENTRIES - 1) % AQ_ENTRIES); /* ref AQ: PF_ARQT */
	}
	if (unlikely(len & PF_AQLEN_OVFL)) {                   /* regs.h: PF_ARQLEN.ARQOVFL */
		log_warn("%s: the firmware found no free admin receive descriptor and dropped events "
		         "(PF_ARQLEN.ARQOVFL); link state may be stale until the next check", dev->d->addr);
		reg_write(r, PF_ARQLEN, AQ_ENTRIES | PF_AQLEN_ENABLE); /* regs.h: writing 0 clears OVFL */
	}
	return n;
}

/* ==== The firmware conversation (ref Bring-up, AQ commands in order) ===== */

static int fw_version(struct i40e_dev *dev, char *err, size_t errlen)
{
	struct aq_desc c = aq_cmd(AQ_OP_GET_VERSION);
	if (aq_send(dev, &c, NULL, 0, 0, err, errlen) < 0)
		return -1;
	/* answer: rom_ver, fw_build (u32), fw_major, fw_minor, api_major, api_minor (u16) */
	dev->id.fw_major = c.p.w[4];
	dev->id.fw_minor = c.p.w[5];
	dev->id.api_major = c.p.w[6];
	dev->id.api_minor = c.p.w[7];
	log_info("%s: X710 firmware %u.%u (build %u), admin queue API %u.%u", dev->d->addr,
	         dev->id.fw_major, dev->id.fw_minor, c.p.d[1], dev->id.api_major, dev->id.api_minor);
	if (dev->id.api_major != 1)
		return drv_fail(err, errlen, "admin queue API %u.%u: this driver speaks API 1.x only (use "
		                "firmware with API 1.x)", dev->id.api_major, dev->id.api_minor);
	return 0;
}

/* Firmware that booted the port for PXE keeps it in PXE mode (RX
 * descriptors written back differently) until told otherwise. */
static int fw_clear_pxe(struct i40e_dev *dev, char *err, size_t errlen)
{
	struct aq_desc c = aq_cmd(AQ_OP_CLEAR_PXE);
	c.p.b[0] = 0x2;                    /* rx_cnt: the value every driver sends */
	if (aq_send(dev, &c, NULL, 0, AQ_RC_EEXIST, err, errlen) < 0) /* EEXIST: already clear */
		return -1;
	reg_write(dev->r, GLLAN_RCTL_0, 1);                    /* ref Bring-up: GLLAN_RCTL_0 <- 1 */
	return 0;
}

/* The firmware made one VSI (virtual station interface) for this PF: every
 * filter and queue mapping is the VSI's, named by its SEID. */
static int fw_switch_config(struct i40e_dev *dev, char *err, size_t errlen)
{
	uint8_t buf[AQ_BUF_SIZE];
	struct aq_desc c = aq_cmd(AQ_OP_GET_SWITCH_CONFIG);      /* p.w[0] = 0: start at the first element */
	if (aq_send(dev, &c, buf, sizeof(buf), 0, err, errlen) < 0)
		return -1;
	unsigned reported = buf[0] | buf[1] << 8;
	for (unsigned i = 0; i < reported && 16 + 16 * (i + 1) <= sizeof(buf); i++) {
		const uint8_t *e = buf + 16 + 16 * i;  /* element_type, revision, seid, ... */
		if (e[0] == SW_ELEM_TYPE_VSI) {
			dev->id.vsi_seid = e[2] | e[3] << 8;
			return 0;
		}
	}
	return drv_fail(err, errlen, "admin queue: get switch config (0x%04x): no VSI among the %u "
	                "elements the firmware reported", AQ_OP_GET_SWITCH_CONFIG, reported);
}

/* Which queues the VSI starts at, and its queue set handle (TX contexts
 * must name it: rdylist). */
static int fw_vsi_params(struct i40e_dev *dev, char *err, size_t errlen)
{
	uint8_t buf[128];
	struct aq_desc c = aq_cmd(AQ_OP_GET_VSI_PARAMS);
	c.p.w[0] = (uint16_t)dev->id.vsi_seid;
	if (aq_send(dev, &c, buf, sizeof(buf), 0, err, errlen) < 0)
		return -1;
	dev->id.vsi_base_queue = (buf[VSI_QUEUE_MAPPING0] | buf[VSI_QUEUE_MAPPING0 + 1] << 8) & 0x7FF;
	dev->id.qs_handle = buf[VSI_QS_HANDLE0] | buf[VSI_QS_HANDLE0 + 1] << 8;
	if (dev->id.vsi_base_queue + dev->cfg.rxq > dev->id.queues ||
	    dev->id.vsi_base_queue + dev->cfg.txq > dev->id.queues)
		return drv_fail(err, errlen, "rxq=%u txq=%u: the VSI's queues start at %u and the PF has "
		                "only %u (PFLAN_QALLOC)", dev->cfg.rxq, dev->cfg.txq,
		                dev->id.vsi_base_queue, dev->id.queues);
	return 0;
}

static int fw_mac_read(struct i40e_dev *dev, char *err, size_t errlen)
{
	uint8_t buf[24];                   /* LAN, SAN, port, WoL addresses */
	struct aq_desc c = aq_cmd(AQ_OP_MAC_READ);
	if (aq_send(dev, &c, buf, sizeof(buf), 0, err, errlen) < 0)
		return -1;
	if (!(c.p.w[0] & MAC_READ_LAN_VALID))
		return drv_fail(err, errlen, "admin queue: read MAC address (0x%04x): the firmware has "
		                "no valid LAN address (flags 0x%04x)", AQ_OP_MAC_READ, c.p.w[0]);
	memcpy(dev->mac, buf, 6);
	return 0;
}

/* Broadcast always; every unicast and multicast too when asked. */
static int fw_promisc(struct i40e_dev *dev, char *err, size_t errlen)
{
	uint16_t all = PROMISC_UNICAST | PROMISC_MULTICAST | PROMISC_BROADCAST;
	struct aq_desc c = aq_cmd(AQ_OP_SET_PROMISC);
	c.p.w[0] = dev->cfg.promisc ? all : PROMISC_BROADCAST;  /* promiscuous_flags */
	c.p.w[1] = all;                                          /* valid_flags */
	c.p.w[2] = (uint16_t)(dev->id.vsi_seid & 0x3FF);         /* seid */
	return aq_send(dev, &c, NULL, 0, 0, err, errlen);
}

static unsigned max_frame(const struct i40e_dev *dev)
{
	return dev->cfg.mtu + 14 + 4 + 8;  /* header, CRC, two VLAN tags (as Linux allows) */
}

static int fw_mac_config(struct i40e_dev *dev, char *err, size_t errlen)
{
	struct aq_desc c = aq_cmd(AQ_OP_SET_MAC_CONFIG);
	c.p.w[0] = (uint16_t)max_frame(dev);       /* max_frame_size */
	c.p.b[2] = 0x04;                           /* params: CRC enable */
	return aq_send(dev, &c, NULL, 0, 0, err, errlen);
}

static int fw_restart_an(struct i40e_dev *dev, char *err, size_t errlen)
{
	struct aq_desc c = aq_cmd(AQ_OP_RESTART_AN);
	c.p.b[0] = 0x02 | 0x04;                    /* restart autoneg, link enable */
	return aq_send(dev, &c, NULL, 0, 0, err, errlen);
}

/* Ask for the link state and for events on every change from now on. */
static int fw_link_status(struct i40e_dev *dev, char *err, size_t errlen)
{
	struct aq_desc c = aq_cmd(AQ_OP_GET_LINK);
	c.p.w[0] = LINK_LSE_ENABLE;
	if (aq_send(dev, &c, NULL, 0, 0, err, errlen) < 0)
		return -1;
	link_from_answer(dev, &c);
	return 0;
}

static int fw_queue_shutdown(struct i40e_dev *dev, char *err, size_t errlen)
{
	struct aq_desc c = aq_cmd(AQ_OP_QUEUE_SHUTDOWN);
	c.p.d[0] = 1;                              /* driver_unloading */
	return aq_send(dev, &c, NULL, 0, 0, err, errlen);
}

/* ====================================================================
 * Host Memory Cache (ref Contexts, method 2)
 *
 * The device keeps queue contexts in "function private memory" that host
 * pages back.  The PF's space: the TX contexts of all its queues from byte
 * 0, then (512-byte aligned) the RX contexts.  Segment descriptor k backs
 * bytes [2 MB k, 2 MB (k+1)) with one direct 2 MB page; one segment holds
 * the contexts of all 1536 queues a device has, so SD 0 is all any number
 * of queue pairs needs.  The driver writes
 * a context straight into that page while the queue is disabled; the
 * device reads it when the queue is enabled.
 * ==================================================================== */

static int hmc_setup(struct i40e_dev *dev, char *err, size_t errlen)
{
	const struct regs *r = dev->r;
	unsigned txsz = reg_read(r, GLHMC_LANTXOBJSZ) & 0xF;   /* ref Contexts: GLHMC_LANTXOBJSZ */
	unsigned rxsz = reg_read(r, GLHMC_LANRXOBJSZ) & 0xF;   /* ref Contexts: GLHMC_LANRXOBJSZ */
	if ((1u << txsz) != HMC_TXQ_SIZE || (1u << rxsz) != HMC_RXQ_SIZE)
		return drv_fail(err, errlen, "HMC object sizes TX %u B, RX %u B: this driver packs contexts "
		                "of 128 and 32 bytes (GLHMC_LANTXOBJSZ, GLHMC_LANRXOBJSZ)", 1u << txsz, 1u << rxsz);
	unsigned qmax = reg_read(r, GLHMC_LANQMAX) & 0x7FF;    /* regs.h: GLHMC_LANQMAX */
	unsigned n = dev->id.queues < HMC_MAX_QUEUES ? dev->id.queues : HMC_MAX_QUEUES;
	if (qmax && n > qmax)
		n = qmax;
	uint32_t rx_base = (n * HMC_TXQ_SIZE + 511) & ~511u;
	if (!dev->hmc && !(dev->hmc = mem_alloc_dma(HMC_SD_SIZE, HMC_SD_SIZE))) /* kept across resets */
		return drv_fail(err, errlen, "cannot allocate 2 MB of DMA memory for the HMC (queue "
		                "contexts)");
	memset(dev->hmc, 0, HMC_SD_SIZE);
	dev->hmc_rx_base = rx_base;
	unsigned pf = dev->id.pf_id;
	reg_write(r, GLHMC_LANTXBASE(pf), 0);                  /* ref Contexts: GLHMC_LANTXBASE, 512 B units */
	reg_write(r, GLHMC_LANTXCNT(pf), n);                   /* ref Contexts: GLHMC_LANTXCNT */
	reg_write(r, GLHMC_LANRXBASE(pf), rx_base / 512);      /* ref Contexts: GLHMC_LANRXBASE */
	reg_write(r, GLHMC_LANRXCNT(pf), n);                   /* ref Contexts: GLHMC_LANRXCNT */
	uint64_t pa = mem_iova(dev->hmc);
	reg_write(r, PFHMC_SDDATAHIGH, (uint32_t)(pa >> 32));  /* ref Contexts: PFHMC_SDDATAHIGH */
	reg_write(r, PFHMC_SDDATALOW, ((uint32_t)pa & 0xFFFFF000u) | /* ref Contexts: PFHMC_SDDATALOW */
	          HMC_SD_PAGES << PFHMC_SD_BPCOUNT_SHIFT | PFHMC_SD_DIRECT | PFHMC_SD_VALID);
	reg_write(r, PFHMC_SDCMD, 0 | PFHMC_SDCMD_PMSDWR);     /* ref Contexts: PFHMC_SDCMD, write SD 0 */
	return 0;
}

/* Set `width` bits of a little-endian bit string from bit `lsb` on, one bit
 * at a time: the context layouts are given as (lsb, width) and cross byte
 * and word boundaries everywhere. */
static void ctx_set(uint8_t *ctx, unsigned lsb, unsigned width, uint64_t value)
{
	for (unsigned i = 0; i < width; i++) {
		unsigned bit = lsb + i;
		if ((value >> i) & 1)
			ctx[bit / 8] |= (uint8_t)(1u << (bit % 8));
		else
			ctx[bit / 8] &= (uint8_t)~(1u << (bit % 8));
	}
}

static unsigned pf_queue(const struct i40e_dev *dev, unsigned q)
{
	return dev->id.vsi_base_queue + q;
}

static void hmc_rx_context(struct i40e_dev *dev, unsigned q)
{
	uint8_t *ctx = dev->hmc + dev->hmc_rx_base + pf_queue(dev, q) * HMC_RXQ_SIZE;
	uint64_t base = mem_iova((const void *)dev->rxq[q].ring);
	memset(ctx, 0, HMC_RXQ_SIZE);
	/* left 0: head 0/13, hbuff 109/5 and hsplit_0 120/4 (no header split),
	 * dtype 114/2 (one buffer), showiv 127/1 */
	ctx_set(ctx, 32, 57, base / 128);          /* base, 128-byte units */
	ctx_set(ctx, 89, 13, dev->rxq[q].size);    /* qlen */
	ctx_set(ctx, 102, 7, RX_BUF_SIZE / 128);   /* dbuff, 128-byte units */
	ctx_set(ctx, 116, 1, 1);                   /* dsize: 32-byte descriptors */
	ctx_set(ctx, 117, 1, 1);                   /* crcstrip */
	ctx_set(ctx, 119, 1, 1);                   /* l2tsel: VLAN tag in L2TAG1 */
	ctx_set(ctx, 174, 14, max_frame(dev));     /* rxmax */
	ctx_set(ctx, 198, 3, 1);                   /* lrxqthresh (as Linux) */
	ctx_set(ctx, 201, 1, 1);                   /* prefena: "must be set to 1" */
}

static void hmc_tx_context(struct i40e_dev *dev, unsigned q)
{
	uint8_t *ctx = dev->hmc + pf_queue(dev, q) * HMC_TXQ_SIZE;
	uint64_t base = mem_iova((const void *)dev->txq[q].ring);
	memset(ctx, 0, HMC_TXQ_SIZE);
	/* left 0: head 0/13, head_wb_ena 160/1 (completion by DTYPE write-back), rdylist_act 990/1 */
	ctx_set(ctx, 30, 1, 1);                    /* new_context: load it */
	ctx_set(ctx, 32, 57, base / 128);          /* base, 128-byte units */
	ctx_set(ctx, 161, 13, dev->txq[q].size);   /* qlen */
	ctx_set(ctx, 980, 10, dev->id.qs_handle);  /* rdylist: the VSI's queue set (TC 0) */
}

/* ====================================================================
 * RX write-back batching (ref Descriptors)
 *
 * The X710 writes RX descriptors back a 4-descriptor cache line at a time,
 * unless an interrupt fires for the queue.  A lone frame would wait for
 * three more.  So every RX queue is a cause of interrupt vector 0 (its
 * "cause list": PFINT_LNKLST0 -> QINT_RQCTL(q0) -> QINT_RQCTL(q1) ...) with
 * a 10 us ITR.  Nobody takes the interrupt; it only flushes the write-back.
 * An interrupt masks itself when it fires; writing PFINT_DYN_CTL0.INTENA
 * arms it again.  It may fire for frames already written back in whole
 * groups, so "frames arrived" does not tell whether it is still armed, and
 * reading DYN_CTL0 costs more than writing it.  iPXE re-arms on every poll;
 * here rx_batch re-arms on empty polls only, at most every 10 us (a clock
 * read, no register, in between), and poll() always: none while traffic
 * flows, at most 100,000 writes a second on an idle spinning port.
 * ==================================================================== */

static inline void irq_rearm(struct i40e_dev *dev)
{
	reg_write(dev->r, PFINT_DYN_CTL0,                      /* regs.h: PFINT_DYN_CTL0 INTENA */
	          DYN_CTL0_INTENA | DYN_CTL0_CLEARPBA | DYN_CTL0_ITR_NONE);
}

static void irq_setup(struct i40e_dev *dev)
{
	const struct regs *r = dev->r;
	for (unsigned q = 0; q < dev->cfg.rxq; q++) {
		uint32_t next = q + 1 < dev->cfg.rxq ? pf_queue(dev, q + 1) : QINT_NEXTQ_NONE;
		/* ITR_INDX 0, MSIX_INDX 0, next RX queue in the list (type 0 = RX) */
		reg_write(dev->r, QINT_RQCTL(pf_queue(dev, q)),    /* regs.h: QINT_RQCTL */
		          QINT_CAUSE_ENA | next << QINT_NEXTQ_SHIFT);
	}
	reg_write(r, PFINT_ITR0(0), RX_ITR_INTERVAL);          /* regs.h: PFINT_ITR0[0], 2 us units */
	reg_write(r, PFINT_LNKLST0, pf_queue(dev, 0) | LNKLST_TYPE_RX); /* regs.h: PFINT_LNKLST0 */
	irq_rearm(dev);
}

/* ==== RSS (ref Bring-up; regs.h): hash key, lookup table, packet types ==== */

static void rss_setup(struct i40e_dev *dev)
{
	const struct regs *r = dev->r;
	uint32_t key[RSS_KEY_REGS];
	if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key))
		for (unsigned i = 0; i < RSS_KEY_REGS; i++)
			key[i] = 0x6d5a6d5au ^ (i * 0x9e3779b9u);   /* any key spreads; a random one is harder to aim at */
	for (unsigned i = 0; i < RSS_KEY_REGS; i++)
		reg_write(r, PFQF_HKEY(i), key[i]);                /* regs.h: PFQF_HKEY[i] */
	for (unsigned i = 0; i < RSS_LUT_REGS; i++) {
		uint32_t lut = 0;              /* four entries; entry n -> VSI queue n % rxq */
		for (unsigned j = 0; j < 4; j++)
			lut |= ((4 * i + j) % dev->cfg.rxq) << (8 * j);
		reg_write(r, PFQF_HLUT(i), lut);                   /* regs.h: PFQF_HLUT[i] */
	}
	reg_write(r, PFQF_HENA(0), (uint32_t)RSS_HENA);        /* regs.h: PFQF_HENA[0] */
	reg_write(r, PFQF_HENA(1), (uint32_t)(RSS_HENA >> 32)); /* regs.h: PFQF_HENA[1] */
}

/* ==== Queue start and stop (ref Queue enable) ============================ */

/* QENA handshake up: request, then wait for the status; when it does not
 * come, say what the HMC's error register knows. */
static int queue_enable(struct i40e_dev *dev, uint32_t ena, const char *name, unsigned q,
                        char *err, size_t errlen)
{
	const struct regs *r = dev->r;
	reg_set(r, ena, QENA_REQ);                             /* ref Queue enable: QxX_ENA.QENA_REQ */
	if (drv_wait_reg(r, ena, QENA_STAT, QENA_STAT, 100))   /* ref Queue enable: QENA_STAT */
		return 0;
	uint32_t info = reg_read(r, PFHMC_ERRORINFO);          /* ref Contexts: PFHMC_ERRORINFO */
	if (!(info & PFHMC_ERRORINFO_DETECTED))
		return drv_fail(err, errlen, "%s queue %u: %s_ENA.QENA_STAT did not come up within "
		                "100 ms; PFHMC_ERRORINFO reports nothing", name, q, name[0] == 'R' ? "QRX" : "QTX");
	return drv_fail(err, errlen, "%s queue %u: %s_ENA.QENA_STAT did not come up within 100 ms; "
	                "PFHMC_ERRORINFO = 0x%08x (error type %u, object type %u), PFHMC_ERRORDATA = "
	                "0x%08x", name, q, name[0] == 'R' ? "QRX" : "QTX", info, (info >> 8) & 0xF,
	                (info >> 16) & 0x1F, reg_read(r, PFHMC_ERRORDATA)); /* ref Contexts: PFHMC_ERRORDATA */
}

static int rx_start(struct i40e_dev *dev, unsigned q, char *err, size_t errlen)
{
	struct i40e_rxq *rxq = &dev->rxq[q];
	unsigned pq = pf_queue(dev, q);
	uint32_t got = packet_alloc_batch(rxq->bufs, rxq->size);
	if (got < rxq->size) {
		packet_free_batch(rxq->bufs, got);
		memset(rxq->bufs, 0, rxq->size * sizeof(rxq->bufs[0]));
		return drv_fail(err, errlen, "RX queue %u: the freelist has only %u of the %u packets "
		                "the ring needs (raise the packet limit or use a smaller rxring=)",
		                q, got, rxq->size);
	}
	for (uint32_t i = 0; i < rxq->size; i++) {
		rxq->ring[i].read.pkt_addr = packet_dma_addr(rxq->bufs[i]);
		rxq->ring[i].read.hdr_addr = 0;
	}
	rxq->next = 0;
	rxq->discarding = false;
	hmc_rx_context(dev, q);
	__atomic_thread_fence(__ATOMIC_RELEASE);   /* context and descriptors before the device looks */
	/* Tail = size - 1: head == tail means empty, one descriptor stays ours. */
	reg_write(dev->r, QRX_TAIL(pq), rxq->size - 1);             /* ref Queue enable: QRX_TAIL */
	return queue_enable(dev, QRX_ENA(pq), "RX", q, err, errlen);
}

static int tx_start(struct i40e_dev *dev, unsigned q, char *err, size_t errlen)
{
	const struct regs *r = dev->r;
	struct i40e_txq *txq = &dev->txq[q];
	unsigned pq = pf_queue(dev, q), abs = dev->id.first_queue + pq;
	txq->next = txq->clean = 0;
	memset((void *)txq->ring, 0, txq->size * sizeof(txq->ring[0]));
	hmc_tx_context(dev, q);
	__atomic_thread_fence(__ATOMIC_RELEASE);   /* the context before the device looks */
	reg_write(r, QTX_CTL(pq), QTX_CTL_PF_QUEUE |           /* ref Queue enable: QTX_CTL PF queue */
	          dev->id.pf_id << QTX_CTL_PF_INDX_SHIFT);
	reg_write(r, GLLAN_TXPRE_QDIS(abs), (abs % 128) | TXPRE_QDIS_CLEAR); /* ref Queue enable: CLEAR_QDIS */
	reg_write(r, QTX_HEAD(pq), 0);                         /* ref Queue enable: QTX_HEAD */
	reg_write(r, QTX_TAIL(pq), 0);                         /* ref Queue enable: QTX_TAIL */
	return queue_enable(dev, QTX_ENA(pq), "TX", q, err, errlen);
}

/* QENA handshake down (a TX queue: after SET_QDIS told the scheduler). */
static void queue_disable(struct i40e_dev *dev, uint32_t ena, const char *name, unsigned q)
{
	reg_clear(dev->r, ena, QENA_REQ);                      /* ref Queue enable: QxX_ENA.QENA_REQ off */
	if (!drv_wait_reg(dev->r, ena, QENA_STAT, 0, 100))     /* ref Queue enable: QENA_STAT == 0 */
		log_warn("%s: %s queue %u: QENA_STAT still set 100 ms after QENA_REQ was cleared",
		         dev->d->addr, name, q);
}

static void queues_stop(struct i40e_dev *dev)
{
	for (unsigned q = 0; q < dev->cfg.txq; q++) {
		unsigned abs = dev->id.first_queue + pf_queue(dev, q);
		reg_write(dev->r, GLLAN_TXPRE_QDIS(abs), (abs % 128) | TXPRE_QDIS_SET); /* ref Queue enable: SET_QDIS */
	}
	drv_sleep_us(400);                 /* iPXE's wait after SET_QDIS; Linux waits 10-20 us */
	for (unsigned q = 0; q < dev->cfg.txq; q++)
		queue_disable(dev, QTX_ENA(pf_queue(dev, q)), "TX", q);
	for (unsigned q = 0; q < dev->cfg.rxq; q++)
		queue_disable(dev, QRX_ENA(pf_queue(dev, q)), "RX", q);
}

/* ==== Statistics (ref Stats): not clear-on-read, folded to 64 bits ======= */

/* Port 0's register of each counter (port p: + 8p) and its width. */
static const struct { uint32_t reg; unsigned bits; } ctr_regs[C_COUNT] = {
	[C_GORC] = { GLPRT_GORCL(0), 48 }, [C_GOTC] = { GLPRT_GOTCL(0), 48 },
	[C_UPRC] = { GLPRT_UPRCL(0), 48 }, [C_MPRC] = { GLPRT_MPRCL(0), 48 },
	[C_BPRC] = { GLPRT_BPRCL(0), 48 }, [C_UPTC] = { GLPRT_UPTCL(0), 48 },
	[C_MPTC] = { GLPRT_MPTCL(0), 48 }, [C_BPTC] = { GLPRT_BPTCL(0), 48 },
	[C_CRCERRS] = { GLPRT_CRCERRS(0), 32 }, [C_RDPC] = { GLPRT_RDPC(0), 32 },
	[C_TDOLD] = { GLPRT_TDOLD(0), 32 },
};

static uint64_t ctr_read(const struct i40e_dev *dev, unsigned c)
{
	uint32_t reg = ctr_regs[c].reg + 8 * dev->id.port;
	uint64_t v = reg_read(dev->r, reg);                    /* ref Stats: GLPRT_*L (or 32-bit) */
	if (ctr_regs[c].bits == 48)
		v |= (uint64_t)(reg_read(dev->r, reg + 4) & 0xFFFF) << 32; /* ref Stats: GLPRT_*H */
	return v;
}

/* New baselines: what the registers hold now counts as zero. */
static void stats_baseline(struct i40e_dev *dev)
{
	for (unsigned c = 0; c < C_COUNT; c++)
		dev->ctr[c].last = ctr_read(dev, c);
}

static void stats_fold(struct i40e_dev *dev)
{
	for (unsigned c = 0; c < C_COUNT; c++) {
		uint64_t now = ctr_read(dev, c);
		uint64_t mask = ctr_regs[c].bits == 48 ? (1ull << 48) - 1 : 0xFFFFFFFFull;
		dev->ctr[c].sum += (now - dev->ctr[c].last) & mask;   /* wraps once at most between folds */
		dev->ctr[c].last = now;
	}
}

/* ==== Link: AQ answers and events; PRTMAC_LINKSTA as a check ============= */

/* link_speed is one bit: 2.5G, 100M, 1G, 10G, 40G, 20G, 25G, 5G from bit 0 */
static unsigned aq_speed_mbps(uint8_t code)
{
	static const unsigned mbps[8] = { 2500, 100, 1000, 10000, 40000, 20000, 25000, 5000 };
	for (unsigned i = 0; i < 8; i++)
		if (code == 1u << i)
			return mbps[i];
	return 0;
}

/* A get-link-status answer or link event (same layout). */
static void link_from_answer(struct i40e_dev *dev, const struct aq_desc *a)
{
	uint8_t info = a->p.b[LINK_B_INFO], an = a->p.b[LINK_B_AN_INFO];
	bool up = info & LINK_INFO_UP;
	if (up != dev->link_up)
		dev->link_changes++;
	dev->link_up = up;
	dev->speed = up ? aq_speed_mbps(a->p.b[LINK_B_SPEED]) : 0;
	/* The firmware disables the port for a module it does not qualify:
	 * say so once, and do not wait for a link that will not come. */
	bool unq = !up && (info & LINK_INFO_MEDIA) && !(an & LINK_AN_QUALIFIED);
	if (unq && !dev->unqualified)
		log_error("%s: the firmware disabled RX/TX on this port: the module plugged in is not "
		          "one it qualifies (get link status: media present, module not qualified). "
		          "Use a supported SFP/QSFP module.", dev->d->addr);
	dev->unqualified = unq;
}

static void link_check(struct i40e_dev *dev)
{
	aq_events(dev);
	uint32_t sta = reg_read(dev->r, PRTMAC_LINKSTA);       /* ref Stats: PRTMAC_LINKSTA (this port's copy) */
	bool mac_up = (sta & LINKSTA_UP) == LINKSTA_UP;
	if (mac_up != dev->link_up) {
		/* An event may be late or lost: ask the firmware. */
		char err[200];
		if (fw_link_status(dev, err, sizeof(err)) < 0)
			log_warn("%s: %s", dev->d->addr, err);
	}
}

/* Link comes up seconds after enable on real ports (ref: what users hit). */
static void link_wait(struct i40e_dev *dev, unsigned ms)
{
	uint64_t deadline = now_ns() + (uint64_t)ms * 1000000;
	for (unsigned i = 1; !dev->link_up && !dev->unqualified && now_ns() < deadline; i++) {
		drv_sleep_us(500);
		if (i % 200 == 0)          /* every 100 ms, in case an event was lost */
			link_check(dev);
		else
			aq_events(dev);
	}
	if (!dev->link_up)
		log_warn("%s: link still down after %u ms", dev->d->addr, ms);
}

/* ==== Open, recover, close =============================================== */

/* Everything from the reset to running queues; at open and after the
 * device was reset under us.  Rings, AQ and HMC memory are kept; every RX
 * buffer is new. */
static int i40e_bringup(struct i40e_dev *dev, char *err, size_t errlen)
{
	if (i40e_reset(dev, err, errlen) < 0 || i40e_identify(dev, err, errlen) < 0)
		return -1;
	aq_start(dev);
	if (fw_version(dev, err, errlen) < 0 || fw_clear_pxe(dev, err, errlen) < 0 ||
	    fw_switch_config(dev, err, errlen) < 0 || fw_vsi_params(dev, err, errlen) < 0 ||
	    fw_mac_read(dev, err, errlen) < 0 || fw_promisc(dev, err, errlen) < 0 ||
	    fw_mac_config(dev, err, errlen) < 0)
		return -1;
	if (hmc_setup(dev, err, errlen) < 0)
		return -1;
	irq_setup(dev);
	if (dev->cfg.rxq > 1)
		rss_setup(dev);
	stats_baseline(dev);
	for (unsigned q = 0; q < dev->cfg.rxq; q++)
		if (rx_start(dev, q, err, errlen) < 0)
			return -1;
	for (unsigned q = 0; q < dev->cfg.txq; q++)
		if (tx_start(dev, q, err, errlen) < 0)
			return -1;
	if (fw_restart_an(dev, err, errlen) < 0 || fw_link_status(dev, err, errlen) < 0)
		return -1;
	return 0;
}

static int check_config(struct nic_config *c, char *err, size_t errlen)
{
	if (c->rxq < 1 || c->rxq > NIC_MAX_QUEUES || c->txq < 1 || c->txq > NIC_MAX_QUEUES)
		return drv_fail(err, errlen, "rxq=%u txq=%u: each must be 1..%d", c->rxq, c->txq,
		                NIC_MAX_QUEUES);
	if (!c->rx_ring)
		c->rx_ring = DEFAULT_RING;
	if (!c->tx_ring)
		c->tx_ring = DEFAULT_RING;
	unsigned rings[2] = { c->rx_ring, c->tx_ring };
	for (int i = 0; i < 2; i++)
		if (rings[i] < MIN_RING || rings[i] > MAX_RING || (rings[i] & (rings[i] - 1)))
			return drv_fail(err, errlen, "%s=%u: ring sizes are powers of two from %d to %d",
			                i ? "txring" : "rxring", rings[i], MIN_RING, MAX_RING);
	if (c->mtu < 68 || c->mtu > 9000)
		return drv_fail(err, errlen, "mtu=%u: must be 68..9000", c->mtu);
	if (c->set_mac)
		return drv_fail(err, errlen, "mac=: the X710 takes a new address only through admin "
		                "queue MAC/VLAN filter commands this driver does not have; leave mac= "
		                "out (the port's own address is used) or use promisc=true");
	return 0;
}

/* The buffer tables and the driver's state (DMA memory lives as long as
 * the process: there is no mem_free). */
static void i40e_free(struct i40e_dev *dev)
{
	for (unsigned q = 0; q < NIC_MAX_QUEUES; q++) {
		free(dev->rxq[q].bufs);
		free(dev->txq[q].bufs);
	}
	free(dev);
}

/* Rings live in DMA memory for the life of the process (no mem_free);
 * bases 128-byte aligned (ref Queue enable). */
static int alloc_rings(struct i40e_dev *dev, char *err, size_t errlen)
{
	for (unsigned q = 0; q < NIC_MAX_QUEUES; q++) {
		struct i40e_rxq *rxq = &dev->rxq[q];
		struct i40e_txq *txq = &dev->txq[q];
		rxq->size = dev->cfg.rx_ring;
		txq->size = dev->cfg.tx_ring;
		rxq->mask = rxq->size - 1;
		txq->mask = txq->size - 1;
		if (q < dev->cfg.rxq && (!(rxq->ring = mem_alloc_dma(rxq->size * sizeof(rxq->ring[0]), 128)) ||
		                         !(rxq->bufs = calloc(rxq->size, sizeof(rxq->bufs[0])))))
			return drv_fail(err, errlen, "cannot allocate RX ring %u (%u descriptors)", q, rxq->size);
		if (q < dev->cfg.txq && (!(txq->ring = mem_alloc_dma(txq->size * sizeof(txq->ring[0]), 128)) ||
		                         !(txq->bufs = calloc(txq->size, sizeof(txq->bufs[0])))))
			return drv_fail(err, errlen, "cannot allocate TX ring %u (%u descriptors)", q, txq->size);
	}
	struct aq_ring *aq[2] = { &dev->atq, &dev->arq };
	for (int i = 0; i < 2; i++)
		if (!(aq[i]->desc = mem_alloc_dma(AQ_ENTRIES * sizeof(struct aq_desc), 128)) ||
		    !(aq[i]->bufs = mem_alloc_dma(AQ_ENTRIES * AQ_BUF_SIZE, 4096)))
			return drv_fail(err, errlen, "cannot allocate the admin queues in DMA memory");
	return 0;
}

/* Give every packet still in a ring back to the freelist.  The device must
 * be stopped so it cannot write into them afterwards. */
static void release_buffers(struct i40e_dev *dev)
{
	for (unsigned q = 0; q < dev->cfg.rxq; q++) {
		struct i40e_rxq *rxq = &dev->rxq[q];
		for (uint32_t i = 0; rxq->bufs && i < rxq->size; i++) {
			if (rxq->bufs[i])
				packet_free(rxq->bufs[i]);
			rxq->bufs[i] = NULL;
			rxq->ring[i].wb.qword1 = 0;   /* no DD: never counted twice */
		}
	}
	for (unsigned q = 0; q < dev->cfg.txq; q++) {
		struct i40e_txq *txq = &dev->txq[q];
		for (; txq->bufs && txq->clean != txq->next; txq->clean++) {
			uint32_t i = txq->clean & txq->mask;
			packet_free(txq->bufs[i]);
			txq->bufs[i] = NULL;
		}
	}
}

/* The device is stopped or reset: interrupts, AQ and function off, so no
 * DMA can reach the buffers we are about to free. */
static void quiesce(struct i40e_dev *dev)
{
	reg_write(dev->r, PFINT_DYN_CTL0, 0);                  /* regs.h: PFINT_DYN_CTL0, interrupt off */
	aq_stop(dev);
	reg_set(dev->r, PFGEN_CTRL, PFGEN_CTRL_PFSWR);         /* ref Bring-up: PFGEN_CTRL.PFSWR */
	drv_wait_reg(dev->r, PFGEN_CTRL, PFGEN_CTRL_PFSWR, 0, 1000); /* ref Bring-up: self-clears */
}

static struct nic_dev *i40e_open(struct device *d, const struct nic_config *cfg_in,
                                 char *err, size_t errlen)
{
	struct nic_config cfg = *cfg_in;
	if (check_config(&cfg, err, errlen) < 0)
		return NULL;
	struct i40e_dev *dev = calloc(1, sizeof(*dev));
	if (!dev)
		return drv_fail(err, errlen, "out of memory"), NULL;
	dev->d = d;
	dev->r = &d->bar0;
	dev->cfg = cfg;
	if (alloc_rings(dev, err, errlen) < 0)
		goto err_free;
	if (i40e_bringup(dev, err, errlen) < 0)
		goto err_quiesce;
	if (cfg.wait_link_ms)
		link_wait(dev, cfg.wait_link_ms);
	dev->link_changes = 0;        /* count changes from here on */
	return (struct nic_dev *)dev;

err_quiesce:
	/* A half-started device may own buffers already: stop it first. */
	quiesce(dev);
	release_buffers(dev);
err_free:
	i40e_free(dev);
	return NULL;
}

/* Received frames still in the rings (DD and EOF set, not handed over). */
static void count_rx_losses(struct i40e_dev *dev)
{
	for (unsigned q = 0; q < dev->cfg.rxq; q++) {
		struct i40e_rxq *rxq = &dev->rxq[q];
		for (uint32_t i = 0; i < rxq->size - 1; i++) {
			uint64_t w = rxq->ring[(rxq->next + i) & rxq->mask].wb.qword1;
			if (!(w & RXD_DD))
				break;
			if (w & RXD_EOF)
				dev->rx_lost++;
		}
	}
}

static unsigned tx_reclaim(struct i40e_txq *txq);

/* Frames queued but not confirmed sent: lost (some may have left). */
static void count_tx_losses(struct i40e_dev *dev)
{
	for (unsigned q = 0; q < dev->cfg.txq; q++) {
		tx_reclaim(&dev->txq[q]);
		dev->tx_lost += dev->txq[q].next - dev->txq[q].clean;
	}
}

/* Has the device lost the state we gave it?  The AQ switched off, or a
 * queue we enabled reading back stopped, means a reset. */
static bool lost_state(struct i40e_dev *dev)
{
	const struct regs *r = dev->r;
	if (!(reg_read(r, PF_ATQLEN) & PF_AQLEN_ENABLE))       /* ref AQ: PF_ATQLEN.ENABLE */
		return true;
	for (unsigned q = 0; q < dev->cfg.rxq; q++)
		if (!(reg_read(r, QRX_ENA(pf_queue(dev, q))) & QENA_STAT)) /* ref Queue enable: QRX_ENA */
			return true;
	for (unsigned q = 0; q < dev->cfg.txq; q++)
		if (!(reg_read(r, QTX_ENA(pf_queue(dev, q))) & QENA_STAT)) /* ref Queue enable: QTX_ENA */
			return true;
	return false;
}

static int recover(struct i40e_dev *dev)
{
	log_warn("%s: the device lost its configuration (reset or stopped queue); counting what "
	         "the rings held and bringing it up again", dev->d->addr);
	count_rx_losses(dev);
	count_tx_losses(dev);
	/* A reset someone else started may still run: registers written
	 * before it ends are lost, so wait for it first. */
	drv_wait_reg(dev->r, GLGEN_RSTAT, GLGEN_RSTAT_DEVSTATE_MASK, 0, 2000); /* ref Bring-up: GLGEN_RSTAT */
	drv_wait_reg(dev->r, PFGEN_CTRL, PFGEN_CTRL_PFSWR, 0, 1000);    /* ref Bring-up: PFSWR clear */
	quiesce(dev);
	release_buffers(dev);
	dev->resets++;
	char err[256];
	if (i40e_bringup(dev, err, sizeof(err)) < 0) {
		log_error("%s: bring-up after reset failed: %s", dev->d->addr, err);
		return -1;
	}
	return 0;
}

static int i40e_poll(struct nic_dev *nd)
{
	struct i40e_dev *dev = DEV(nd);
	if (lost_state(dev))
		return recover(dev);
	stats_fold(dev);
	link_check(dev);
	irq_rearm(dev);               /* cheap a few times a second; rx_batch re-arms between */
	return 0;
}

/* Wait (bounded) until the device has fetched what TX queue q holds, then
 * free what it fetched: QTX_HEAD is where it will read next. */
static void drain_tx(struct i40e_dev *dev, unsigned q)
{
	struct i40e_txq *txq = &dev->txq[q];
	uint32_t pq = pf_queue(dev, q), tail = txq->next & txq->mask;
	if (dev->link_up)
		drv_wait_reg(dev->r, QTX_HEAD(pq), 0x1FFF, tail, 100); /* ref Queue enable: QTX_HEAD reaches tail */
	tx_reclaim(txq);
	uint32_t head = reg_read(dev->r, QTX_HEAD(pq)) & 0x1FFF; /* ref Queue enable: QTX_HEAD */
	uint32_t sent = (head - txq->clean) & txq->mask;
	if (sent > txq->next - txq->clean)
		sent = 0;                  /* a head we do not believe: count everything as lost */
	for (uint32_t i = 0; i < sent; i++, txq->clean++) {
		packet_free(txq->bufs[txq->clean & txq->mask]);
		txq->bufs[txq->clean & txq->mask] = NULL;
	}
	dev->tx_lost += txq->next - txq->clean;
	/* what stays in the ring is freed by release_buffers() */
}

/* The statistics as they stand, without touching the device. */
static void report(const struct i40e_dev *dev, struct nic_stats *out)
{
	memset(out, 0, sizeof(*out));
	const struct fold *c = dev->ctr;
	out->rx_good = c[C_UPRC].sum + c[C_MPRC].sum + c[C_BPRC].sum;
	out->tx_good = c[C_UPTC].sum + c[C_MPTC].sum + c[C_BPTC].sum;
	out->rx_good_bytes = c[C_GORC].sum;
	out->tx_good_bytes = c[C_GOTC].sum;
	out->missed = c[C_RDPC].sum;
	out->crc_errors = c[C_CRCERRS].sum;
	for (unsigned q = 0; q < NIC_MAX_QUEUES; q++) {
		const struct nic_queue_stats *x = &dev->qs[q];
		out->rx_packets += x->rx_packets;
		out->rx_bytes += x->rx_bytes;
		out->tx_packets += x->tx_packets;
		out->tx_bytes += x->tx_bytes;
		out->rx_nobuf += x->rx_nobuf;
		out->rx_badlen += x->rx_badlen;
		out->tx_badlen += x->tx_badlen;
	}
	out->rx_lost = dev->rx_lost;
	out->tx_lost = dev->tx_lost;
	out->resets = dev->resets;
	out->link_changes = dev->link_changes;
}

static void i40e_close(struct nic_dev *nd, struct nic_stats *final)
{
	struct i40e_dev *dev = DEV(nd);
	if (!dev)
		return;
	char err[256];
	bool alive = !lost_state(dev);
	if (alive) {
		stats_fold(dev);
		aq_events(dev);
		for (unsigned q = 0; q < dev->cfg.txq; q++)
			drain_tx(dev, q);
		queues_stop(dev);
		count_rx_losses(dev);
		if (fw_queue_shutdown(dev, err, sizeof(err)) < 0)
			log_warn("%s: %s", dev->d->addr, err);
	} else {
		count_rx_losses(dev);
		count_tx_losses(dev);
		drv_wait_reg(dev->r, GLGEN_RSTAT, GLGEN_RSTAT_DEVSTATE_MASK, 0, 2000); /* ref Bring-up: GLGEN_RSTAT */
	}
	quiesce(dev);
	release_buffers(dev);
	if (final)
		report(dev, final);
	i40e_free(dev);
}

/* ==== Reporting ========================================================== */

static const struct nic_queue_stats *i40e_queue_stats(const struct nic_dev *nd, unsigned q)
{
	return &DEV(nd)->qs[q];
}


static void i40e_stats(struct nic_dev *nd, struct nic_stats *out)
{
	struct i40e_dev *dev = DEV(nd);
	if (!lost_state(dev))      /* after a reset the registers restarted: poll() takes new baselines */
		stats_fold(dev);
	report(dev, out);
}

void i40e_port_counters(struct nic_dev *nd, struct i40e_port_counters *out)
{
	struct i40e_dev *dev = DEV(nd);
	if (!lost_state(dev))
		stats_fold(dev);
	const struct fold *c = dev->ctr;
	*out = (struct i40e_port_counters){
		.gorc = c[C_GORC].sum, .gotc = c[C_GOTC].sum,
		.uprc = c[C_UPRC].sum, .mprc = c[C_MPRC].sum, .bprc = c[C_BPRC].sum,
		.uptc = c[C_UPTC].sum, .mptc = c[C_MPTC].sum, .bptc = c[C_BPTC].sum,
		.crcerrs = c[C_CRCERRS].sum, .rdpc = c[C_RDPC].sum, .tdold = c[C_TDOLD].sum,
	};
}

void i40e_identity(const struct nic_dev *nd, struct i40e_identity *out) { *out = DEV(nd)->id; }

static bool i40e_link(struct nic_dev *nd, unsigned *speed_mbps)
{
	struct i40e_dev *dev = DEV(nd);
	aq_events(dev);
	if (speed_mbps)
		*speed_mbps = dev->speed;
	return dev->link_up;
}

static void i40e_mac(const struct nic_dev *nd, uint8_t mac[6]) { memcpy(mac, DEV(nd)->mac, 6); }

/* ==== Hot path: receive and transmit (ref Descriptors) =================== */

static unsigned i40e_rx_batch(struct nic_dev *nd, unsigned q, struct packet **out, unsigned n)
{
	struct i40e_dev *dev = DEV(nd);
	struct i40e_rxq *rxq = &dev->rxq[q];
	struct nic_queue_stats *st = &dev->qs[q];
	uint32_t first = rxq->next & rxq->mask;
	/* A contiguous run up to the end of the ring; the next call starts at 0. */
	if (n > NIC_RX_BATCH)
		n = NIC_RX_BATCH;
	if (n > rxq->size - first)
		n = rxq->size - first;
	volatile union i40e_rx_desc *desc = rxq->ring + first;
	struct packet **bufs = rxq->bufs + first;

	/* 1. How many descriptors has the device written back? */
	unsigned ready = 0;
	while (ready < n && (desc[ready].wb.qword1 & RXD_DD))
		ready++;
	if (ready == 0) {
		uint64_t t = now_ns();   /* a partial group may wait for the interrupt */
		if (t - dev->rearm_ns >= RX_REARM_NS) {
			dev->rearm_ns = t;
			irq_rearm(dev);
		}
		return 0;
	}
	/* Acquire: the device writes the body before DD; keep our reads of
	 * length and EOF after the read of DD. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);

	/* 2. Fresh buffers in one call; a short allocation drops (counted). */
	struct packet *fresh[NIC_RX_BATCH];
	unsigned nfresh = packet_alloc_batch(fresh, ready);

	/* 3. Hand over good frames, refill every descriptor. */
	unsigned got = 0;
	uint64_t bytes = 0;
	bool discarding = rxq->discarding;
	for (unsigned i = 0; i < ready; i++) {
		uint64_t w = desc[i].wb.qword1;
		uint32_t len = (uint32_t)(w >> RXD_LEN_SHIFT) & RXD_LEN_MASK;
		struct packet *p = bufs[i];
		/* Never trust the device: length 0, longer than the buffer ((len -
		 * 1) wraps for 0), or a frame over several buffers (impossible with
		 * 9 KB buffers and rxmax) is dropped up to its EOF descriptor. */
		if (unlikely(discarding | !(w & RXD_EOF) | (len - 1 >= RX_BUF_SIZE))) {
			st->rx_badlen++;
			discarding = !(w & RXD_EOF);
		} else if (unlikely(got == nfresh)) {
			st->rx_nobuf++;
		} else {
			p->length = (uint16_t)len;
			bytes += len;
			out[got] = p;
			bufs[i] = p = fresh[got];
			got++;
		}
		desc[i].read.pkt_addr = packet_dma_addr(p);
		desc[i].read.hdr_addr = 0;     /* clears DD */
	}
	rxq->discarding = discarding;
	if (unlikely(got < nfresh))
		packet_free_batch(fresh + got, nfresh - got);
	st->rx_packets += got;
	st->rx_bytes += bytes;

	/* 4. One tail write, one behind `next`: head never meets tail on a full ring. */
	rxq->next += ready;
	__atomic_thread_fence(__ATOMIC_RELEASE);   /* descriptors before tail */
	reg_write(dev->r, QRX_TAIL(pf_queue(dev, q)), (rxq->next - 1) & rxq->mask); /* ref Queue enable: QRX_TAIL */
	return got;
}

/* RS is set on every 32nd descriptor (index % 32 == 31): the device writes
 * DTYPE 0xF back there once per 32 frames, and we free them 32 at a time. */
static unsigned tx_reclaim(struct i40e_txq *txq)
{
	unsigned freed = 0;
	while (txq->next - txq->clean >= TX_RS_EVERY) {
		uint32_t first = txq->clean & txq->mask;
		uint32_t last = first + TX_RS_EVERY - 1;
		if ((txq->ring[last].wb.qword1 & TXD_DTYPE_MASK) != TXD_DTYPE_DONE)
			break;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);   /* the device read the buffers before */
		packet_free_batch(&txq->bufs[first], TX_RS_EVERY);
		txq->clean += TX_RS_EVERY;
		freed += TX_RS_EVERY;
	}
	return freed;
}

static unsigned i40e_tx_room(struct nic_dev *nd, unsigned q)
{
	struct i40e_txq *txq = &DEV(nd)->txq[q];
	tx_reclaim(txq);
	return txq->size - 1 - (txq->next - txq->clean);   /* head == tail means empty */
}

/* Descriptors for pkts[0..n) at first.., no wrap, stopping before a frame
 * of length 0.  Returns how many; adds their bytes to *bytes. */
static unsigned tx_fill(struct i40e_txq *txq, uint32_t first, struct packet **pkts, unsigned n,
                        uint64_t *bytes)
{
	volatile union i40e_tx_desc *desc = txq->ring + first;
	struct packet **bufs = txq->bufs + first;
	uint64_t sum = 0;
	unsigned i;
	for (i = 0; i < n; i++) {
		struct packet *p = pkts[i];
		uint64_t len = p->length;
		if (unlikely(len == 0))
			break;
		bufs[i] = p;
		desc[i].read.addr = packet_dma_addr(p);
		desc[i].read.cmd = TXD_CMD_EOP | TXD_CMD_ICRC | len << TXD_LEN_SHIFT; /* DTYPE 0: data */
		sum += len;
	}
	for (uint32_t k = TX_RS_EVERY - 1 - first % TX_RS_EVERY; k < i; k += TX_RS_EVERY)
		desc[k].read.cmd |= TXD_CMD_RS;
	*bytes += sum;
	return i;
}

static unsigned i40e_tx_batch(struct nic_dev *nd, unsigned q, struct packet **pkts, unsigned n)
{
	struct i40e_dev *dev = DEV(nd);
	struct i40e_txq *txq = &dev->txq[q];
	struct nic_queue_stats *st = &dev->qs[q];
	unsigned room = i40e_tx_room(nd, q);
	if (n > room)
		n = room;
	if (n == 0)
		return 0;
	uint32_t first = txq->next & txq->mask;
	unsigned part = n < txq->size - first ? n : txq->size - first;
	uint64_t bytes = 0;
	unsigned done = tx_fill(txq, first, pkts, part, &bytes);
	if (done == part && part < n)
		done += tx_fill(txq, 0, pkts + part, n - part, &bytes);
	if (unlikely(done == 0)) {
		st->tx_badlen++;           /* an empty frame: no descriptor carries it */
		packet_free(pkts[0]);
		return 1;
	}
	txq->next += done;
	st->tx_packets += done;
	st->tx_bytes += bytes;
	__atomic_thread_fence(__ATOMIC_RELEASE);   /* descriptors before tail */
	reg_write(dev->r, QTX_TAIL(pf_queue(dev, q)), txq->next & txq->mask); /* ref Queue enable: QTX_TAIL */
	return done;
}

const struct nic_driver i40e_driver = {
	.name = "i40e",
	.family = "Intel X710/XL710",
	.max_rxq = NIC_MAX_QUEUES,
	.max_txq = NIC_MAX_QUEUES,
	.open = i40e_open,
	.close = i40e_close,
	.rx_batch = i40e_rx_batch,
	.tx_batch = i40e_tx_batch,
	.tx_room = i40e_tx_room,
	.poll = i40e_poll,
	.queue_stats = i40e_queue_stats,
	.stats = i40e_stats,
	.link = i40e_link,
	.mac = i40e_mac,
};
