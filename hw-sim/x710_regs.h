/* x710_regs.h -- the X710 register map of the model, declared as data.
 *
 * One line per register:
 *   R(NAME, offset, stride, count, mode, reset domain, reset value, "what")
 * Offsets, field positions and reset domains follow the X710/XL710
 * datasheet's register chapter as transcribed in shared/reference/x710.md
 * and checked against the public i40e_register.h (facts only).  The
 * reference gives no section numbers, so the model cites the datasheet by
 * chapter and register name ("datasheet: Admin Queue, PF_ATQLEN").
 * Anything not declared here is unknown to the model: touching it is a
 * strictness violation.
 *
 * Modes:
 *   RW    plain storage
 *   RO    read-only: writes are refused (violation)
 *   CNT   a statistics counter: read-only, NOT clear-on-read (the 700
 *         series keeps counting; drivers keep a baseline)
 *   HOOK  behaviour in x710_model.c
 * Reset domains:
 *   PFR   back to the reset value on a PF reset (PFGEN_CTRL.PFSWR, FLR)
 *         and on a core reset
 *   CORE  only on a core reset (GLGEN_RTRIG.CORER, sim_fault_reset) or
 *         power-up: the global (GL*) and port (PRT*) registers
 * The PF's admin queue registers are EMPR-domain on the device; the
 * firmware disables a PF's queues on its PF reset, which the model shows
 * by treating them as PFR.
 */
#ifndef KVICK_SIM_X710_REGS_H
#define KVICK_SIM_X710_REGS_H

#include <stdint.h>

enum x710_mode { XM_RW, XM_RO, XM_CNT, XM_HOOK };
enum x710_domain { XD_PFR, XD_CORE };

#define X710_NQ_REGS 1536   /* per-queue register instances (the device's LAN queues) */

#define X710_REGS(R) \
	/* reset, firmware and identity (datasheet: Reset; PCIe) */ \
	R(GLGEN_RSTCTL,   0x0B8180, 0,     1,    XM_RW,   XD_CORE, 0x00000008, "Reset Control (GRSTDEL)") \
	R(GLGEN_RSTAT,    0x0B8188, 0,     1,    XM_RO,   XD_CORE, 0x00000000, "Reset Status (DEVSTATE)") \
	R(GLGEN_RTRIG,    0x0B8190, 0,     1,    XM_HOOK, XD_CORE, 0x00000000, "Reset Trigger (CORER)") \
	R(GLNVM_ULD,      0x0B6008, 0,     1,    XM_RO,   XD_CORE, 0x00000000, "NVM Upload Done") \
	R(PFGEN_CTRL,     0x092400, 0,     1,    XM_HOOK, XD_PFR,  0x00000000, "PF Control (PFSWR)") \
	R(PF_FUNC_RID,    0x09C000, 0,     1,    XM_RO,   XD_CORE, 0x00000000, "PF Function Requester ID") \
	R(GLPCI_CAPSUP,   0x0BE4A8, 0,     1,    XM_RO,   XD_CORE, 0x00000000, "PCIe Capabilities Support (ARI_EN)") \
	R(PFGEN_PORTNUM,  0x1C0480, 0,     1,    XM_RO,   XD_CORE, 0x00000000, "PF Port Number") \
	R(PFLAN_QALLOC,   0x1C0400, 0,     1,    XM_RO,   XD_CORE, 0x00000000, "PF Queue Allocation") \
	R(GLLAN_RCTL_0,   0x12A500, 0,     1,    XM_RW,   XD_CORE, 0x00000000, "LAN Receive Control (PXE mode)") \
	/* admin queue (datasheet: Admin Queue) */ \
	R(PF_ATQBAL,      0x080000, 0,     1,    XM_HOOK, XD_PFR,  0x00000000, "Admin Send Queue Base Low") \
	R(PF_ARQBAL,      0x080080, 0,     1,    XM_HOOK, XD_PFR,  0x00000000, "Admin Receive Queue Base Low") \
	R(PF_ATQBAH,      0x080100, 0,     1,    XM_HOOK, XD_PFR,  0x00000000, "Admin Send Queue Base High") \
	R(PF_ARQBAH,      0x080180, 0,     1,    XM_HOOK, XD_PFR,  0x00000000, "Admin Receive Queue Base High") \
	R(PF_ATQLEN,      0x080200, 0,     1,    XM_HOOK, XD_PFR,  0x00000000, "Admin Send Queue Length") \
	R(PF_ARQLEN,      0x080280, 0,     1,    XM_HOOK, XD_PFR,  0x00000000, "Admin Receive Queue Length") \
	R(PF_ATQH,        0x080300, 0,     1,    XM_HOOK, XD_PFR,  0x00000000, "Admin Send Queue Head") \
	R(PF_ARQH,        0x080380, 0,     1,    XM_HOOK, XD_PFR,  0x00000000, "Admin Receive Queue Head") \
	R(PF_ATQT,        0x080400, 0,     1,    XM_HOOK, XD_PFR,  0x00000000, "Admin Send Queue Tail") \
	R(PF_ARQT,        0x080480, 0,     1,    XM_HOOK, XD_PFR,  0x00000000, "Admin Receive Queue Tail") \
	/* host memory cache (datasheet: HMC) */ \
	R(PFHMC_SDCMD,    0x0C0000, 0,     1,    XM_HOOK, XD_PFR,  0x00000000, "HMC Segment Descriptor Command") \
	R(PFHMC_SDDATALOW,0x0C0100, 0,     1,    XM_RW,   XD_PFR,  0x00000000, "HMC Segment Descriptor Data Low") \
	R(PFHMC_SDDATAHIGH,0x0C0200,0,     1,    XM_RW,   XD_PFR,  0x00000000, "HMC Segment Descriptor Data High") \
	R(PFHMC_PDINV,    0x0C0300, 0,     1,    XM_RW,   XD_PFR,  0x00000000, "HMC Page Descriptor Invalidate") \
	R(PFHMC_ERRORINFO,0x0C0400, 0,     1,    XM_HOOK, XD_PFR,  0x00000000, "HMC Error Information") \
	R(PFHMC_ERRORDATA,0x0C0500, 0,     1,    XM_RO,   XD_PFR,  0x00000000, "HMC Error Data") \
	R(GLHMC_SDPART,   0x0C0800, 4,     16,   XM_RO,   XD_CORE, 0x00000000, "HMC SD Partition") \
	R(GLHMC_LANTXOBJSZ,0x0C2004,0,     1,    XM_RO,   XD_CORE, 0x00000007, "HMC LAN TX Object Size (2^7 = 128 B)") \
	R(GLHMC_LANQMAX,  0x0C2008, 0,     1,    XM_RO,   XD_CORE, 0x00000600, "HMC LAN Queue Max (1536)") \
	R(GLHMC_LANRXOBJSZ,0x0C200C,0,     1,    XM_RO,   XD_CORE, 0x00000005, "HMC LAN RX Object Size (2^5 = 32 B)") \
	R(GLHMC_FCOEDDPOBJSZ,0x0C2010,0,   1,    XM_RO,   XD_CORE, 0x00000006, "HMC FCoE DDP Object Size") \
	R(GLHMC_FCOEMAX,  0x0C2014, 0,     1,    XM_RO,   XD_CORE, 0x00000000, "HMC FCoE Max") \
	R(GLHMC_FCOEFOBJSZ,0x0C2018,0,     1,    XM_RO,   XD_CORE, 0x00000006, "HMC FCoE Filter Object Size") \
	R(GLHMC_FCOEFMAX, 0x0C20D0, 0,     1,    XM_RO,   XD_CORE, 0x00000000, "HMC FCoE Filter Max") \
	R(GLHMC_LANTXBASE,0x0C6200, 4,     16,   XM_RW,   XD_CORE, 0x00000000, "HMC LAN TX Object Base (512 B units)") \
	R(GLHMC_LANTXCNT, 0x0C6300, 4,     16,   XM_RW,   XD_CORE, 0x00000000, "HMC LAN TX Object Count") \
	R(GLHMC_LANRXBASE,0x0C6400, 4,     16,   XM_RW,   XD_CORE, 0x00000000, "HMC LAN RX Object Base (512 B units)") \
	R(GLHMC_LANRXCNT, 0x0C6500, 4,     16,   XM_RW,   XD_CORE, 0x00000000, "HMC LAN RX Object Count") \
	R(GLHMC_FCOEDDPBASE,0x0C6600,4,    16,   XM_RW,   XD_CORE, 0x00000000, "HMC FCoE DDP Base") \
	R(GLHMC_FCOEDDPCNT,0x0C6700,4,     16,   XM_RW,   XD_CORE, 0x00000000, "HMC FCoE DDP Count") \
	R(GLHMC_FCOEFBASE,0x0C6800, 4,     16,   XM_RW,   XD_CORE, 0x00000000, "HMC FCoE Filter Base") \
	R(GLHMC_FCOEFCNT, 0x0C6900, 4,     16,   XM_RW,   XD_CORE, 0x00000000, "HMC FCoE Filter Count") \
	/* LAN queues (datasheet: Transmit/Receive queue enable) */ \
	R(QTX_ENA,        0x100000, 4,     X710_NQ_REGS, XM_HOOK, XD_PFR,  0x00000000, "Transmit Queue Enable") \
	R(QTX_CTL,        0x104000, 4,     X710_NQ_REGS, XM_HOOK, XD_CORE, 0x00000000, "Transmit Queue Control") \
	R(QTX_TAIL,       0x108000, 4,     X710_NQ_REGS, XM_HOOK, XD_PFR,  0x00000000, "Transmit Queue Tail") \
	R(QTX_HEAD,       0x0E4000, 4,     X710_NQ_REGS, XM_HOOK, XD_CORE, 0x00000000, "Transmit Queue Head") \
	R(GLLAN_TXPRE_QDIS,0x0E6500,4,     12,   XM_HOOK, XD_CORE, 0x00000000, "Transmit Pre-queue Disable") \
	R(QRX_ENA,        0x120000, 4,     X710_NQ_REGS, XM_HOOK, XD_PFR,  0x00000000, "Receive Queue Enable") \
	R(QRX_TAIL,       0x128000, 4,     X710_NQ_REGS, XM_HOOK, XD_CORE, 0x00000000, "Receive Queue Tail") \
	/* interrupts (datasheet: Interrupts) */ \
	R(PFINT_ITRN,     0x030000, 4,     1536, XM_RW,   XD_PFR,  0x00000000, "PF Interrupt Throttling N (3 x 512)") \
	R(PFINT_DYN_CTLN, 0x034800, 4,     512,  XM_RW,   XD_PFR,  0x00000000, "PF Interrupt Dynamic Control N") \
	R(PFINT_LNKLSTN,  0x035000, 4,     512,  XM_RW,   XD_PFR,  0x000007FF, "PF Interrupt Linked List N") \
	R(PFINT_ITR0,     0x038000, 0x80,  3,    XM_RW,   XD_PFR,  0x00000000, "PF Interrupt Throttling 0 (2 us units)") \
	R(PFINT_STAT_CTL0,0x038400, 0,     1,    XM_RW,   XD_CORE, 0x00000000, "PF Interrupt Status Control 0") \
	R(PFINT_DYN_CTL0, 0x038480, 0,     1,    XM_HOOK, XD_PFR,  0x00000000, "PF Interrupt Dynamic Control 0") \
	R(PFINT_LNKLST0,  0x038500, 0,     1,    XM_RW,   XD_PFR,  0x000007FF, "PF Interrupt Linked List 0") \
	R(PFINT_ICR0,     0x038780, 0,     1,    XM_HOOK, XD_CORE, 0x00000000, "PF Interrupt Cause 0 (clear on read)") \
	R(PFINT_ICR0_ENA, 0x038800, 0,     1,    XM_RW,   XD_CORE, 0x00000000, "PF Interrupt Cause 0 Enable") \
	R(QINT_RQCTL,     0x03A000, 4,     X710_NQ_REGS, XM_RW, XD_CORE, 0x00000000, "Receive Queue Interrupt Cause Control") \
	R(QINT_TQCTL,     0x03C000, 4,     X710_NQ_REGS, XM_RW, XD_CORE, 0x00000000, "Transmit Queue Interrupt Cause Control") \
	R(GLINT_CTL,      0x03F800, 0,     1,    XM_RW,   XD_CORE, 0x00000000, "Global Interrupt Control (DIS_AUTOMASK)") \
	/* receive filters and RSS (datasheet: Receive-side scaling) */ \
	R(PFQF_HLUT,      0x240000, 0x80,  128,  XM_RW,   XD_CORE, 0x00000000, "PF RSS Lookup Table (4 x 6-bit entries)") \
	R(PFQF_HKEY,      0x244800, 0x80,  13,   XM_RW,   XD_CORE, 0x00000000, "PF RSS Hash Key") \
	R(PFQF_HENA,      0x245900, 0x80,  2,    XM_RW,   XD_CORE, 0x00000000, "PF RSS Hash Enable (per packet type)") \
	R(PFQF_CTL_0,     0x1C0AC0, 0,     1,    XM_RW,   XD_CORE, 0x00000000, "PF Queue Filter Control 0 (HASHLUTSIZE)") \
	/* port MAC (datasheet: MAC) -- a PF sees its own port at index 0 */ \
	R(PRTGL_SAL,      0x1E2120, 0,     1,    XM_RW,   XD_CORE, 0x00000000, "Port Station Address Low") \
	R(PRTGL_SAH,      0x1E2140, 0,     1,    XM_RW,   XD_CORE, 0x00000000, "Port Station Address High, MFS") \
	R(PRTMAC_LINKSTA, 0x1E2420, 0,     1,    XM_RO,   XD_CORE, 0x00000000, "MAC Link Status") \
	R(PRTMAC_MACC,    0x1E24E0, 0,     1,    XM_RO,   XD_CORE, 0x00000000, "MAC Control") \
	/* port statistics (datasheet: Statistics), per port p at +8p */ \
	R(GLPRT_GORCL,    0x300000, 8,     4,    XM_CNT,  XD_CORE, 0, "Good Octets Received (low 32 of 48)") \
	R(GLPRT_GORCH,    0x300004, 8,     4,    XM_CNT,  XD_CORE, 0, "Good Octets Received (high 16 of 48)") \
	R(GLPRT_MLFC,     0x300020, 8,     4,    XM_CNT,  XD_CORE, 0, "MAC Local Fault Count") \
	R(GLPRT_MRFC,     0x300040, 8,     4,    XM_CNT,  XD_CORE, 0, "MAC Remote Fault Count") \
	R(GLPRT_CRCERRS,  0x300080, 8,     4,    XM_CNT,  XD_CORE, 0, "CRC Error Count (32 bit)") \
	R(GLPRT_RLEC,     0x3000A0, 8,     4,    XM_CNT,  XD_CORE, 0, "Receive Length Error Count") \
	R(GLPRT_ILLERRC,  0x3000E0, 8,     4,    XM_CNT,  XD_CORE, 0, "Illegal Byte Error Count") \
	R(GLPRT_RUC,      0x300100, 8,     4,    XM_CNT,  XD_CORE, 0, "Receive Undersize Count") \
	R(GLPRT_ROC,      0x300120, 8,     4,    XM_CNT,  XD_CORE, 0, "Receive Oversize Count") \
	R(GLPRT_UPRCL,    0x3005A0, 8,     4,    XM_CNT,  XD_CORE, 0, "Unicast Packets Received (low)") \
	R(GLPRT_UPRCH,    0x3005A4, 8,     4,    XM_CNT,  XD_CORE, 0, "Unicast Packets Received (high 16)") \
	R(GLPRT_MPRCL,    0x3005C0, 8,     4,    XM_CNT,  XD_CORE, 0, "Multicast Packets Received (low)") \
	R(GLPRT_MPRCH,    0x3005C4, 8,     4,    XM_CNT,  XD_CORE, 0, "Multicast Packets Received (high 16)") \
	R(GLPRT_BPRCL,    0x3005E0, 8,     4,    XM_CNT,  XD_CORE, 0, "Broadcast Packets Received (low)") \
	R(GLPRT_BPRCH,    0x3005E4, 8,     4,    XM_CNT,  XD_CORE, 0, "Broadcast Packets Received (high 16)") \
	R(GLPRT_RDPC,     0x300600, 8,     4,    XM_CNT,  XD_CORE, 0, "Receive Discard Packet Count (32 bit)") \
	R(GLPRT_GOTCL,    0x300680, 8,     4,    XM_CNT,  XD_CORE, 0, "Good Octets Transmitted (low)") \
	R(GLPRT_GOTCH,    0x300684, 8,     4,    XM_CNT,  XD_CORE, 0, "Good Octets Transmitted (high 16)") \
	R(GLPRT_UPTCL,    0x3009C0, 8,     4,    XM_CNT,  XD_CORE, 0, "Unicast Packets Transmitted (low)") \
	R(GLPRT_UPTCH,    0x3009C4, 8,     4,    XM_CNT,  XD_CORE, 0, "Unicast Packets Transmitted (high 16)") \
	R(GLPRT_MPTCL,    0x3009E0, 8,     4,    XM_CNT,  XD_CORE, 0, "Multicast Packets Transmitted (low)") \
	R(GLPRT_MPTCH,    0x3009E4, 8,     4,    XM_CNT,  XD_CORE, 0, "Multicast Packets Transmitted (high 16)") \
	R(GLPRT_BPTCL,    0x300A00, 8,     4,    XM_CNT,  XD_CORE, 0, "Broadcast Packets Transmitted (low)") \
	R(GLPRT_BPTCH,    0x300A04, 8,     4,    XM_CNT,  XD_CORE, 0, "Broadcast Packets Transmitted (high 16)") \
	R(GLPRT_TDOLD,    0x300A20, 8,     4,    XM_CNT,  XD_CORE, 0, "Transmit Dropped Link Down (32 bit)")

#define X710_REG_ID(name, off, stride, count, mode, dom, reset, what) X_##name,
enum x710_reg_id { X710_REGS(X710_REG_ID) X__COUNT };
#undef X710_REG_ID
#define X710_REG_OFF(name, off, stride, count, mode, dom, reset, what) XO_##name = off,
enum x710_reg_off { X710_REGS(X710_REG_OFF) };
#undef X710_REG_OFF

struct x710_reg_desc {
	const char *name, *what;
	uint32_t offset, stride, count;
	uint8_t mode, domain;
	uint32_t reset;
	uint32_t slot;          /* first storage word of this register */
};
extern const struct x710_reg_desc *const x710_reg_desc;  /* [X__COUNT], slots set by x710_regs_init() */
extern uint32_t x710_reg_slots;      /* storage words per port (all instances) */

/* Where an offset is: register id (X__COUNT if unknown) and instance. */
struct x710_loc { uint16_t id, inst; };
void x710_regs_init(void);
struct x710_loc x710_regs_lookup(uint32_t offset);

/* ---- fields ---- */
/* GLGEN_RSTAT */
#define RSTAT_DEVSTATE_MASK   0x3u
#define RSTAT_RESET_TYPE_SHIFT 2
#define RSTAT_CORERCNT_SHIFT  4
/* GLGEN_RTRIG */
#define RTRIG_CORER           (1u << 0)
#define RTRIG_GLOBR           (1u << 1)
/* GLNVM_ULD */
#define ULD_CORE_DONE         (1u << 3)
#define ULD_GLOBAL_DONE       (1u << 4)
/* PFGEN_CTRL */
#define PFGEN_CTRL_PFSWR      (1u << 0)
/* PFLAN_QALLOC */
#define QALLOC_LASTQ_SHIFT    16
#define QALLOC_VALID          (1u << 31)
/* PF_ATQLEN / PF_ARQLEN */
#define AQLEN_LEN_MASK        0x3FFu
#define AQLEN_VFE             (1u << 28)
#define AQLEN_OVFL            (1u << 29)
#define AQLEN_CRIT            (1u << 30)
#define AQLEN_ENABLE          (1u << 31)
#define AQ_HT_MASK            0x3FFu
/* PFHMC_SDCMD / SDDATALOW */
#define SDCMD_IDX_MASK        0xFFFu
#define SDCMD_PARTSEL         (1u << 15)
#define SDCMD_WR              (1u << 31)
#define SDDATALOW_VALID       (1u << 0)
#define SDDATALOW_TYPE_DIRECT (1u << 1)
#define SDDATALOW_BPCOUNT_SHIFT 2
#define SDDATALOW_BPCOUNT_MASK (0x3FFu << 2)
#define SDDATALOW_ADDR_MASK   0xFFFFF000u
/* PFHMC_ERRORINFO */
#define ERRORINFO_TYPE_SHIFT  8
#define ERRORINFO_OBJ_SHIFT   16
#define ERRORINFO_DETECTED    (1u << 31)
/* QTX_CTL */
#define QTX_CTL_PFVF_Q_MASK   0x3u
#define QTX_CTL_PF_QUEUE      0x2u
#define QTX_CTL_PF_INDX_SHIFT 2
#define QTX_CTL_PF_INDX_MASK  (0xFu << 2)
/* GLLAN_TXPRE_QDIS */
#define QDIS_QINDX_MASK       0x7FFu
#define QDIS_SET              (1u << 30)
#define QDIS_CLEAR            (1u << 31)
/* QTX_ENA / QRX_ENA */
#define QENA_REQ              (1u << 0)
#define QENA_FAST_QDIS        (1u << 1)
#define QENA_STAT             (1u << 2)
/* PFINT_DYN_CTL0 */
#define DYN_CTL0_INTENA       (1u << 0)
#define DYN_CTL0_CLEARPBA     (1u << 1)
#define DYN_CTL0_SWINT_TRIG   (1u << 2)
#define DYN_CTL0_ITR_INDX_SHIFT 3
#define DYN_CTL0_INTENA_MSK   (1u << 31)
/* PFINT_LNKLST0, QINT_RQCTL / QINT_TQCTL */
#define LNKLST_INDX_MASK      0x7FFu
#define LNKLST_END            0x7FFu
#define LNKLST_TYPE_SHIFT     11
#define QINT_ITR_INDX_SHIFT   11
#define QINT_NEXTQ_INDX_SHIFT 16
#define QINT_NEXTQ_TYPE_SHIFT 27
#define QINT_CAUSE_ENA        (1u << 30)
#define QTYPE_RX              0
#define QTYPE_TX              1
/* PFINT_ICR0 */
#define ICR0_INTEVENT         (1u << 0)
#define ICR0_QUEUE_0          (1u << 1)
#define ICR0_LINK_STAT_CHANGE (1u << 25)
#define ICR0_HMC_ERR          (1u << 26)
#define ICR0_ADMINQ           (1u << 30)
/* GLINT_CTL */
#define GLINT_DIS_AUTOMASK_PF0 (1u << 0)
/* GLPCI_CAPSUP */
#define CAPSUP_ARI_EN         (1u << 4)
/* PFQF_CTL_0 */
#define PFQF_CTL_0_HASHLUTSIZE (1u << 16)
/* PRTMAC_LINKSTA: up when (v & 0x40000080) == 0x40000080, speed 29:27 */
#define LINKSTA_UP_BITS       0x40000080u
#define LINKSTA_SPEED_SHIFT   27
#define LINKSTA_SPEED_10G     2u

#endif
