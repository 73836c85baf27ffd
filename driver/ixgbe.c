/* ixgbe.c -- a small driver for the Intel 82599 10 GbE controller.
 *
 * Written against the "Intel 82599 10 GbE Controller Datasheet", revision
 * 3.3; every "§" below is a section of that document.
 *
 * The file reads top to bottom in bring-up order:
 *   registers and descriptors   the few the driver uses, by datasheet name
 *   reset and link              §4.6.3, §4.6.4
 *   statistics                  §4.6.5, §8.2.3.23
 *   receive init                §4.6.7 (+ RSS, §7.1.2.8)
 *   transmit init               §4.6.8
 *   queue start                 §4.6.7.1, §4.6.8.1
 *   open, recover, close
 *   hot path                    §7.1.6, §7.2.3 descriptors
 * Setup errors, sleeps, register polling, the link wait and the split
 * octet counters use driver/drv_util.h, shared with driver/igb.c; the end
 * of the file fills `ixgbe_driver`, the driver interface of driver/nic.h.
 *
 * The hot path (ixgbe_rx_batch, ixgbe_tx_batch) touches registers only to
 * write one tail per call; everything else it learns from the descriptors
 * in memory.  Its loops are driver/adv_ring.c, shared with the igb driver:
 * the 82576/I350 uses the same advanced descriptors.  The device is never
 * trusted: a write-back with an impossible length or a frame spread over
 * several descriptors is dropped and counted.
 */
#include "ixgbe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "../core/log.h"
#include "../core/memory.h"
#include "adv_ring.h"
#include "drv_util.h"

/* ====================================================================
 * Registers (§8.2.3), only those this driver uses
 * ==================================================================== */

#define CTRL            0x00000  /* Device Control */
#define  CTRL_GIO_MASTER_DISABLE (1u << 2) /* PCIe Master Disable */
#define  CTRL_LNK_RST   (1u << 3)   /* Link Reset */
#define  CTRL_RST       (1u << 26)  /* Device (global) Reset, self-clearing */
#define STATUS          0x00008  /* Device Status */
#define  STATUS_GIO_MASTER_ENABLE (1u << 19) /* PCIe Master Enable Status: requests may be pending */
#define CTRL_EXT        0x00018  /* Extended Device Control */
#define  CTRL_EXT_NS_DIS (1u << 16) /* No Snoop Disable */
#define EICR            0x00800  /* Extended Interrupt Cause (clear on read) */
#define EIMC            0x00888  /* Extended Interrupt Mask Clear (write 1 to mask) */
#define  EIMC_ALL       0x7FFFFFFFu
#define EEC             0x10010  /* EEPROM/Flash Control */
#define  EEC_ARD        (1u << 9)   /* EEPROM Auto Read Done */
#define SWSM            0x10140  /* Software Semaphore */
#define  SWSM_SMBI      (1u << 0)   /* software semaphore: a read that returns 0 takes it */
#define  SWSM_SWESMBI   (1u << 1)   /* software/firmware semaphore */
#define SW_FW_SYNC      0x10160  /* Software-Firmware Synchronization */
#define  SW_FW_SYNC_SW_MAC_CSR_SM (1u << 3)  /* software owns the shared MAC CSRs */
#define  SW_FW_SYNC_FW_MAC_CSR_SM (1u << 8)  /* firmware owns them */

/* RX queue registers (§8.2.3.8): queue q < 64 at 0x01000 + 0x40 q, queues
 * 64..127 in a second bank at 0x0D000 + 0x40 (q - 64), same layout.  The
 * driver uses at most IXGBE_MAX_QUEUES (16) today; the formulas are right
 * for all 128. */
#define RXQ_REG(q, off) ((q) < 64 ? 0x01000u + 0x40u * (q) + (off) \
                                  : 0x0D000u + 0x40u * ((q) - 64) + (off))
#define RDBAL(q)        RXQ_REG(q, 0x00)   /* Receive Descriptor Base Address Low */
#define RDBAH(q)        RXQ_REG(q, 0x04)   /* Receive Descriptor Base Address High */
#define RDLEN(q)        RXQ_REG(q, 0x08)   /* Receive Descriptor Length (bytes) */
#define RDH(q)          RXQ_REG(q, 0x10)   /* Receive Descriptor Head */
#define RDT(q)          RXQ_REG(q, 0x18)   /* Receive Descriptor Tail */
#define RXDCTL(q)       RXQ_REG(q, 0x28)   /* Receive Descriptor Control */
#define  RXDCTL_ENABLE  (1u << 25)
#define QPRDC(q)        (0x01430 + 0x40 * (q)) /* Queue Packets Received Drop Count (q < 16) */
#define SRRCTL(q)       RXQ_REG(q, 0x14)   /* Split Receive Control (the 82598-compatible
                                              alias 0x02100 + 4q covers only q < 16) */
#define  SRRCTL_BSIZEPACKET_SHIFT 0         /* packet buffer size, 1 KB units */
#define  SRRCTL_DESCTYPE_ADV_ONEBUF (1u << 25) /* DESCTYPE = 001b */
#define  SRRCTL_DROP_EN (1u << 28)  /* drop when no descriptor instead of stalling */
#define DCA_RXCTRL(q)   RXQ_REG(q, 0x0C)   /* Rx DCA Control (alias 0x02200 + 4q for q < 16) */
/* Bit 12 has no name in the datasheet: reserved, 1 after reset, and §4.6.7
 * asks software to clear it (ixy calls it "probably a broken feature"). */
#define  DCA_RXCTRL_RSVD12_MUST_CLEAR (1u << 12)
#define RDRXCTL         0x02F00  /* Receive DMA Control */
#define  RDRXCTL_CRCSTRIP (1u << 1)
#define  RDRXCTL_DMAIDONE (1u << 3) /* DMA Init Done */
#define  RDRXCTL_RSCFRSTSIZE (0x1Fu << 17) /* RSC first-segment size: must be 0 */
#define  RDRXCTL_RSCACKC (1u << 25) /* no RSC on ACKs: must be set */
#define  RDRXCTL_FCOE_WRFIX (1u << 26) /* FCoE write fix: must be set */
#define RXCTRL          0x03000  /* Receive Control */
#define  RXCTRL_RXEN    (1u << 0)
#define RXPBSIZE(i)     (0x03C00 + 4 * (i)) /* Receive Packet Buffer Size */
#define MPC(i)          (0x03FA0 + 4 * (i)) /* Missed Packets Count (per packet buffer) */
#define GPRC            0x04074  /* Good Packets Received Count */
#define GPTC            0x04080  /* Good Packets Transmitted Count */
#define GORCL           0x04088  /* Good Octets Received Count Low (read before GORCH) */
#define GORCH           0x0408C  /* Good Octets Received Count High (bits 35:32) */
#define GOTCL           0x04090  /* Good Octets Transmitted Count Low */
#define GOTCH           0x04094  /* Good Octets Transmitted Count High */
#define HLREG0          0x04240  /* MAC Core Control 0 */
#define  HLREG0_TXCRCEN (1u << 0)   /* append CRC on transmit */
#define  HLREG0_RXCRCSTRP (1u << 1) /* strip CRC on receive */
#define  HLREG0_JUMBOEN (1u << 2)   /* accept frames up to MAXFRS.MFS */
#define  HLREG0_TXPADEN (1u << 10)  /* pad short frames to 64 bytes */
#define MAXFRS          0x04268  /* Max Frame Size */
#define  MAXFRS_MFS_SHIFT 16
#define AUTOC           0x042A0  /* Auto-Negotiation Control */
#define  AUTOC_10G_PMA_PMD_MASK (3u << 7)  /* 10G parallel PMA/PMD: 00 = XAUI */
#define  AUTOC_RESTART_AN (1u << 12)       /* self-clearing */
#define  AUTOC_LMS_MASK (7u << 13)         /* Link Mode Select */
#define  AUTOC_LMS_10G_SERIAL (3u << 13)
#define LINKS           0x042A4  /* Link Status */
#define  LINKS_UP       (1u << 30)
#define  LINKS_SPEED_SHIFT 28        /* 2 bits: 11 10G, 10 1G, 01 100M */
#define RTTDCS          0x04900  /* DCB Transmit Descriptor Plane Control and Status */
#define  RTTDCS_ARBDIS  (1u << 6)   /* descriptor arbiter disable */
#define DMATXCTL        0x04A80  /* DMA Tx Control */
#define  DMATXCTL_TE    (1u << 0)   /* transmit enable */
#define FCTRL           0x05080  /* Filter Control */
#define  FCTRL_MPE      (1u << 8)   /* multicast promiscuous */
#define  FCTRL_UPE      (1u << 9)   /* unicast promiscuous */
#define  FCTRL_BAM      (1u << 10)  /* accept broadcast */
#define TDBAL(q)        (0x06000 + 0x40 * (q)) /* Transmit Descriptor Base Address Low */
#define TDBAH(q)        (0x06004 + 0x40 * (q)) /* Transmit Descriptor Base Address High */
#define TDLEN(q)        (0x06008 + 0x40 * (q)) /* Transmit Descriptor Length (bytes) */
#define TDH(q)          (0x06010 + 0x40 * (q)) /* Transmit Descriptor Head */
#define TDT(q)          (0x06018 + 0x40 * (q)) /* Transmit Descriptor Tail */
#define TXDCTL(q)       (0x06028 + 0x40 * (q)) /* Transmit Descriptor Control */
#define  TXDCTL_PTHRESH_SHIFT 0      /* prefetch threshold [6:0] */
#define  TXDCTL_HTHRESH_SHIFT 8      /* host threshold [14:8] */
#define  TXDCTL_WTHRESH_SHIFT 16     /* write-back threshold [22:16] */
#define  TXDCTL_ENABLE  (1u << 25)
#define DTXMXSZRQ       0x08100  /* DMA Tx TCP Max Allow Size Requests */
#define SECRXCTRL       0x08D00  /* Security Rx Control */
#define  SECRXCTRL_RX_DIS (1u << 1) /* stop the RX security (data) path */
#define SECRXSTAT       0x08D04  /* Security Rx Status */
#define  SECRXSTAT_SECRX_RDY (1u << 0) /* the RX security path is stopped and empty */
#define RAL(i)          (0x0A200 + 8 * (i)) /* Receive Address Low */
#define RAH(i)          (0x0A204 + 8 * (i)) /* Receive Address High */
#define  RAH_AV         (1u << 31)  /* address valid */
#define TXPBSIZE(i)     (0x0CC00 + 4 * (i)) /* Transmit Packet Buffer Size */
/* RSS: the 82599 datasheet's addresses (§8.2.3.7.12-14).  Linux's ixgbe
 * and DPDK write the 82598-compatible aliases (RETA 0x05C00, RSSRK 0x05C80,
 * MRQC 0x05818), which the 82599 decodes to the same registers. */
#define RETA(i)         (0x0EB00 + 4 * (i)) /* Redirection Table (32 regs, 4 entries each) */
#define RSSRK(i)        (0x0EB80 + 4 * (i)) /* RSS Random Key (10 regs) */
#define MRQC            0x0EC80  /* Multiple Receive Queues Command */
#define  MRQC_MRQE_RSS  0x1u         /* MRQE = 0001b: RSS only */
#define  MRQC_RSS_FIELDS ((1u << 16) | (1u << 17) | (1u << 20) | (1u << 21) | \
                          (1u << 22) | (1u << 23)) /* TCP/IPv4, IPv4, IPv6, TCP/IPv6, UDP/IPv4, UDP/IPv6 */

/* ====================================================================
 * Descriptors: the advanced formats (§7.1.6 receive, §7.2.3.2.4 transmit),
 * which the 82576/I350 shares, and the hot path over them live in
 * driver/adv_ring.h; this file names the registers and brings them up.
 * ==================================================================== */

static_assert(IXGBE_MIN_RING >= ADV_MIN_RING, "the shared ring code's smallest ring");
static_assert(RDBAL(63) == 0x01FC0 && RDBAL(64) == 0x0D000 && RXDCTL(127) == 0x0DFE8 &&
              SRRCTL(70) == 0x0D194 && TDT(127) == 0x07FD8,
              "per-queue registers of queues 64..127 (§8.2.3.8, §8.2.3.9)");
static_assert(IXGBE_MAX_QUEUES <= 16, "QPRDC exists for queues 0..15 only");

/* ====================================================================
 * Driver state
 * ==================================================================== */

struct ixgbe_dev {
	struct device *d;
	const struct regs *r;
	struct ixgbe_config cfg;
	struct adv_rxq rxq[IXGBE_MAX_QUEUES];
	struct adv_txq txq[IXGBE_MAX_QUEUES];
	struct ixgbe_stats st;
	uint8_t mac[6];
	bool link_up;
	unsigned speed;
};

/* ====================================================================
 * Reset and link (§4.6.3, §4.6.4)
 * ==================================================================== */

/* §4.6.3.1: interrupts stay masked -- kvick polls. */
static void ixgbe_mask_interrupts(struct ixgbe_dev *dev)
{
	reg_write(dev->r, EIMC, EIMC_ALL);   /* §8.2.3.5.5 EIMC: mask every cause */
	(void)reg_read(dev->r, EICR);        /* §8.2.3.5.1 EICR: clear on read */
}

/* §5.2.5.3.2 master disable: stop the device starting PCIe requests and
 * wait (100 us steps, up to 80 ms as Linux does) until none is pending, so
 * a reset cannot cut a DMA in half -- Linux's ixgbe: "prevent the PCI-E bus
 * from hanging".  Returns whether the device said it was quiet. */
static bool ixgbe_master_disable(struct ixgbe_dev *dev)
{
	const struct regs *r = dev->r;
	reg_set(r, CTRL, CTRL_GIO_MASTER_DISABLE);              /* §8.2.3.1.1 CTRL.GIO_MASTER_DISABLE */
	for (unsigned i = 0; i < 800; i++) {
		if (!(reg_read(r, STATUS) & STATUS_GIO_MASTER_ENABLE)) /* §8.2.3.1.2 STATUS bit 19 */
			return true;
		drv_sleep_us(100);
	}
	return false;
}

/* §4.6.3.2 global reset after master disable.  If requests stay pending
 * (the specification update's "master disable flow": flow control or a
 * link down can hold them), reset twice, more than 1 us apart, as Intel
 * recommends.  Returns whether CTRL.RST self-cleared. */
static bool ixgbe_global_reset(struct ixgbe_dev *dev)
{
	const struct regs *r = dev->r;
	bool quiet = ixgbe_master_disable(dev);
	if (!quiet)
		log_warn("%s: STATUS.GIO_MASTER_ENABLE still set 80 ms after master disable "
		         "(§5.2.5.3.2); resetting twice", dev->d->addr);
	for (int i = quiet ? 1 : 2; i > 0; i--) {
		if (!drv_set_self_clear(r, CTRL, CTRL_RST | CTRL_LNK_RST, 1000)) /* §8.2.3.1.1 CTRL: reset, self-clears */
			return false;
		drv_sleep_us(10);
	}
	return true;
}

/* §4.6.3.2 global reset, then the §4.6.3 "wait for" steps. */
static int ixgbe_reset(struct ixgbe_dev *dev, char *err, size_t errlen)
{
	const struct regs *r = dev->r;
	ixgbe_mask_interrupts(dev);
	if (!ixgbe_global_reset(dev))
		return drv_fail(err, errlen, "CTRL.RST did not self-clear within 1 s (§4.6.3.2)");
	drv_sleep_us(10000);      /* §4.6.3.2: wait 10 ms after the reset completes */
	ixgbe_mask_interrupts(dev); /* §4.6.3.2: the reset unmasked them again */
	if (!drv_wait_reg(r, EEC, EEC_ARD, EEC_ARD, 1000))   /* §8.2.3.2.1 EEC.ARD */
		return drv_fail(err, errlen, "EEPROM auto-read (EEC.ARD) not done within 1 s (§4.6.3)");
	if (!drv_wait_reg(r, RDRXCTL, RDRXCTL_DMAIDONE, RDRXCTL_DMAIDONE, 1000)) /* §8.2.3.8.8 */
		return drv_fail(err, errlen, "DMA init (RDRXCTL.DMAIDONE) not done within 1 s (§4.6.3)");
	return 0;
}

/* §10.5.4 software/firmware synchronization, step 1: the SWSM
 * semaphores.  SMBI is taken by a read that returns 0 (the read sets it);
 * SWESMBI by setting it and reading it back set (firmware may hold it). */
static bool ixgbe_swsm_take(struct ixgbe_dev *dev)
{
	const struct regs *r = dev->r;
	if (!drv_wait_reg(r, SWSM, SWSM_SMBI, 0, 100))         /* §8.2.3.4.9 SWSM.SMBI: read-to-set */
		return false;
	for (unsigned i = 0; i < 1000; i++) {
		reg_set(r, SWSM, SWSM_SWESMBI);                    /* §8.2.3.4.9 SWSM.SWESMBI */
		if (reg_read(r, SWSM) & SWSM_SWESMBI)              /* §8.2.3.4.9: ours if it reads 1 */
			return true;
		drv_sleep_us(50);
	}
	reg_clear(r, SWSM, SWSM_SMBI);                         /* §8.2.3.4.9: give SMBI back */
	return false;
}

static void ixgbe_swsm_give(struct ixgbe_dev *dev)
{
	reg_clear(dev->r, SWSM, SWSM_SWESMBI | SWSM_SMBI);     /* §8.2.3.4.9: release both */
}

/* §10.5.4: own (take) or give back the shared MAC CSRs (AUTOC, AUTOC2)
 * through SW_FW_SYNC, changed only under the SWSM semaphore.  Firmware
 * holding them: retry for up to 1 s (Linux waits as long). */
static bool ixgbe_mac_csr(struct ixgbe_dev *dev, bool take)
{
	const struct regs *r = dev->r;
	for (unsigned tries = 0; tries < 200; tries++) {
		if (!ixgbe_swsm_take(dev))
			return false;
		uint32_t sync = reg_read(r, SW_FW_SYNC);           /* §8.2.3.4.11 SW_FW_SYNC */
		bool fw_holds = sync & SW_FW_SYNC_FW_MAC_CSR_SM;
		if (!take)
			reg_write(r, SW_FW_SYNC, sync & ~SW_FW_SYNC_SW_MAC_CSR_SM); /* §8.2.3.4.11: give back */
		else if (!fw_holds)
			reg_write(r, SW_FW_SYNC, sync | SW_FW_SYNC_SW_MAC_CSR_SM);  /* §8.2.3.4.11: take */
		ixgbe_swsm_give(dev);
		if (!take || !fw_holds)
			return true;
		drv_sleep_us(5000);
	}
	return false;
}

/* §4.6.4: 10 Gb/s serial link (SFP+), then restart auto-negotiation.
 * AUTOC is shared with manageability firmware: written only while holding
 * the MAC CSR semaphore (§10.5.4; Linux's prot_autoc_write_82599).  AUTOC2
 * stays as the EEPROM loaded it (its 10G serial PMA/PMD field selects SFI
 * on the SFP+ parts nic_ids.c accepts), as Linux leaves it for them. */
static int ixgbe_link_setup(struct ixgbe_dev *dev, char *err, size_t errlen)
{
	if (!ixgbe_mac_csr(dev, true))
		return drv_fail(err, errlen, "could not take the SW/FW semaphore for AUTOC within 1 s "
		                "(SWSM.SMBI/SWESMBI or SW_FW_SYNC.SW_MAC_CSR_SM held, §10.5.4): "
		                "is the port's manageability firmware stuck?");
	uint32_t autoc = reg_read(dev->r, AUTOC);             /* §8.2.3.22.19 AUTOC */
	autoc &= ~(AUTOC_LMS_MASK | AUTOC_10G_PMA_PMD_MASK);
	autoc |= AUTOC_LMS_10G_SERIAL;
	reg_write(dev->r, AUTOC, autoc);                      /* §8.2.3.22.19: link mode */
	reg_write(dev->r, AUTOC, autoc | AUTOC_RESTART_AN);   /* §8.2.3.22.19: restart AN */
	ixgbe_mac_csr(dev, false);
	return 0;
}

/* §8.2.3.22.20 LINKS: up/down and speed. */
static void ixgbe_read_link(struct ixgbe_dev *dev)
{
	static const unsigned speeds[4] = { 0, 100, 1000, 10000 };
	uint32_t links = reg_read(dev->r, LINKS);              /* §8.2.3.22.20 LINKS */
	bool up = (links & LINKS_UP) != 0;
	if (up != dev->link_up)
		dev->st.link_changes++;
	dev->link_up = up;
	dev->speed = up ? speeds[(links >> LINKS_SPEED_SHIFT) & 3] : 0;
}

static void ixgbe_wait_link(struct ixgbe_dev *dev)
{
	drv_wait_link(dev->r, LINKS, LINKS_UP, dev->cfg.wait_link_ms, "ixgbe", /* §8.2.3.22.20 LINKS */
	              dev->d->addr, "the cable/SFP+ and the peer");
	ixgbe_read_link(dev);
}

/* ====================================================================
 * Statistics (§4.6.5, §8.2.3.23): clear-on-read registers folded into
 * 64-bit software counters.
 * ==================================================================== */

static void ixgbe_stats_fold(struct ixgbe_dev *dev)
{
	const struct regs *r = dev->r;
	struct ixgbe_stats *st = &dev->st;
	st->gprc += reg_read(r, GPRC);                         /* §8.2.3.23.18 GPRC */
	st->gptc += reg_read(r, GPTC);                         /* §8.2.3.23.22 GPTC */
	st->gorc += drv_read_split(r, GORCL, GORCH, 0xF);      /* §8.2.3.23.23-24 GORCL/GORCH: 36 bits */
	st->gotc += drv_read_split(r, GOTCL, GOTCH, 0xF);      /* §8.2.3.23.25-26 GOTCL/GOTCH: 36 bits */
	for (unsigned i = 0; i < 8; i++)
		st->mpc += reg_read(r, MPC(i));                    /* §8.2.3.23 MPC[0..7] */
	for (unsigned q = 0; q < dev->cfg.rxq; q++) {
		uint32_t qprdc = reg_read(r, QPRDC(q));            /* §8.2.3.23.72 QPRDC[q] */
		st->qprdc_q[q] += qprdc;
		st->qprdc += qprdc;
	}
}

/* The driver's totals: the sum of its per-queue counters. */
static void ixgbe_stats_sum(struct ixgbe_dev *dev)
{
	struct ixgbe_stats *st = &dev->st;
	struct nic_queue_stats sum;
	drv_sum_queues(&sum, st->q, IXGBE_MAX_QUEUES);
	st->rx_packets = sum.rx_packets;
	st->rx_bytes = sum.rx_bytes;
	st->rx_nobuf = sum.rx_nobuf;
	st->rx_badlen = sum.rx_badlen;
	st->tx_packets = sum.tx_packets;
	st->tx_bytes = sum.tx_bytes;
	st->tx_badlen = sum.tx_badlen;
}

/* §4.6.5: the registers are clear-on-read, so one read zeroes them; what
 * they held before the bring-up is not ours to count: read them once and
 * throw the values away (the software totals are kept). */
static void ixgbe_stats_discard(struct ixgbe_dev *dev)
{
	struct ixgbe_stats keep = dev->st;
	ixgbe_stats_fold(dev);
	dev->st = keep;
}

/* ====================================================================
 * Receive init (§4.6.7)
 * ==================================================================== */

/* Receiver on.  An 82599 erratum (Linux's ixgbe_enable_rx_dma_82599):
 * RXEN must be set with the RX security path stopped -- set
 * SECRXCTRL.RX_DIS, wait for SECRXSTAT.SECRX_RDY, set RXEN, clear RX_DIS.
 * It matters after a recovery, when frames are already arriving. */
static void ixgbe_enable_rx(struct ixgbe_dev *dev)
{
	const struct regs *r = dev->r;
	reg_set(r, SECRXCTRL, SECRXCTRL_RX_DIS);               /* §8.2.3.12.5 SECRXCTRL.RX_DIS */
	if (!drv_wait_reg(r, SECRXSTAT, SECRXSTAT_SECRX_RDY, SECRXSTAT_SECRX_RDY, 40)) /* §8.2.3.12.6 */
		log_warn("%s: SECRXSTAT.SECRX_RDY not set 40 ms after SECRXCTRL.RX_DIS (§8.2.3.12.6); "
		         "enabling receive anyway", dev->d->addr);
	reg_set(r, RXCTRL, RXCTRL_RXEN);                       /* §8.2.3.8.10: receiver on */
	reg_clear(r, SECRXCTRL, SECRXCTRL_RX_DIS);             /* §8.2.3.12.5: security path on */
}

/* §7.1.2.8 RSS: hash the flow, look the queue up in a 128-entry table. */
static void ixgbe_init_rss(struct ixgbe_dev *dev)
{
	const struct regs *r = dev->r;
	uint32_t key[10];
	if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key))
		for (unsigned i = 0; i < 10; i++)   /* no entropy: any key spreads flows */
			key[i] = 0x6d5a6d5a ^ (i * 0x9e3779b9u);
	for (unsigned i = 0; i < 10; i++)
		reg_write(r, RSSRK(i), key[i]);                    /* §8.2.3.7.14 RSSRK */
	for (unsigned i = 0; i < 32; i++) {
		uint32_t reta = 0;   /* four 8-bit entries; entry n -> queue n % rxq */
		for (unsigned j = 0; j < 4; j++)
			reta |= ((4 * i + j) % dev->cfg.rxq) << (8 * j);
		reg_write(r, RETA(i), reta);                       /* §8.2.3.7.13 RETA */
	}
	reg_write(r, MRQC, MRQC_MRQE_RSS | MRQC_RSS_FIELDS);  /* §8.2.3.7.12 MRQC */
}

/* Per queue: §4.6.7 steps for one ring (buffer size, base, length). */
static void ixgbe_init_rx_queue(struct ixgbe_dev *dev, unsigned q)
{
	const struct regs *r = dev->r;
	struct adv_rxq *rxq = &dev->rxq[q];
	uint64_t ring_iova = mem_iova((const void *)rxq->ring);
	uint32_t srrctl = SRRCTL_DESCTYPE_ADV_ONEBUF | SRRCTL_DROP_EN |
	                  (ADV_RX_BUF_SIZE / 1024) << SRRCTL_BSIZEPACKET_SHIFT;
	reg_write(r, SRRCTL(q), srrctl);                       /* §8.2.3.8.7 SRRCTL */
	reg_write(r, RDBAL(q), (uint32_t)ring_iova);           /* §8.2.3.8.1 RDBAL */
	reg_write(r, RDBAH(q), (uint32_t)(ring_iova >> 32));   /* §8.2.3.8.2 RDBAH */
	reg_write(r, RDLEN(q), rxq->size * sizeof(union adv_rx_desc)); /* §8.2.3.8.3 RDLEN */
	reg_write(r, RDH(q), 0);                               /* §8.2.3.8.4 RDH */
	reg_write(r, RDT(q), 0);                               /* §8.2.3.8.5 RDT: empty for now */
	reg_clear(r, DCA_RXCTRL(q), DCA_RXCTRL_RSVD12_MUST_CLEAR);         /* §4.6.7, §8.2.3.11.1 */
}

static void ixgbe_init_rx(struct ixgbe_dev *dev)
{
	const struct regs *r = dev->r;
	/* Ethernet header + FCS; never below 1518, the size of a full frame
	 * (as Linux and DPDK program it; the model refuses less) */
	unsigned max_frame = dev->cfg.mtu + 14 + 4;
	if (max_frame < 1518)
		max_frame = 1518;

	reg_clear(r, RXCTRL, RXCTRL_RXEN);                     /* §8.2.3.8.10: receiver off */
	/* No DCB: packet buffer 0 gets all 128 KB, the other seven none (§4.6.7). */
	reg_write(r, RXPBSIZE(0), 128u << 10);                 /* §8.2.3.8.9 RXPBSIZE[0] */
	for (unsigned i = 1; i < 8; i++)
		reg_write(r, RXPBSIZE(i), 0);                      /* §8.2.3.8.9 RXPBSIZE[1..7] */

	uint32_t hlreg0 = reg_read(r, HLREG0);                 /* §8.2.3.22.8 HLREG0 */
	hlreg0 |= HLREG0_RXCRCSTRP;
	if (max_frame > 1518)
		hlreg0 |= HLREG0_JUMBOEN;
	else
		hlreg0 &= ~HLREG0_JUMBOEN;
	reg_write(r, HLREG0, hlreg0);                          /* §8.2.3.22.8: strip CRC, jumbo */
	reg_write(r, MAXFRS, max_frame << MAXFRS_MFS_SHIFT);   /* §8.2.3.22.13 MAXFRS.MFS */
	/* §8.2.3.8.8: CRCSTRIP must match HLREG0.RXCRCSTRP; RSCACKC and
	 * FCOE_WRFIX must be set and RSCFRSTSIZE 0 (Linux: "hardware requires
	 * some bits be set by default") */
	uint32_t rdrxctl = reg_read(r, RDRXCTL);               /* §8.2.3.8.8 RDRXCTL */
	rdrxctl &= ~RDRXCTL_RSCFRSTSIZE;
	rdrxctl |= RDRXCTL_CRCSTRIP | RDRXCTL_RSCACKC | RDRXCTL_FCOE_WRFIX;
	reg_write(r, RDRXCTL, rdrxctl);                        /* §8.2.3.8.8 */

	uint32_t fctrl = reg_read(r, FCTRL) | FCTRL_BAM;       /* §8.2.3.7.1 FCTRL */
	if (dev->cfg.promisc)
		fctrl |= FCTRL_MPE | FCTRL_UPE;
	reg_write(r, FCTRL, fctrl);                            /* §8.2.3.7.1: filters */

	if (dev->cfg.rxq > 1)
		ixgbe_init_rss(dev);
	for (unsigned q = 0; q < dev->cfg.rxq; q++)
		ixgbe_init_rx_queue(dev, q);

	reg_set(r, CTRL_EXT, CTRL_EXT_NS_DIS);                 /* §8.2.3.1.3: snooped DMA */
	ixgbe_enable_rx(dev);
}

/* ====================================================================
 * Transmit init (§4.6.8)
 * ==================================================================== */

static void ixgbe_init_tx_queue(struct ixgbe_dev *dev, unsigned q)
{
	const struct regs *r = dev->r;
	struct adv_txq *txq = &dev->txq[q];
	uint64_t ring_iova = mem_iova((const void *)txq->ring);
	reg_write(r, TDBAL(q), (uint32_t)ring_iova);           /* §8.2.3.9.5 TDBAL */
	reg_write(r, TDBAH(q), (uint32_t)(ring_iova >> 32));   /* §8.2.3.9.6 TDBAH */
	reg_write(r, TDLEN(q), txq->size * sizeof(union adv_tx_desc)); /* §8.2.3.9.7 TDLEN */
	/* §7.2.3.4.1: prefetch when 32 descriptors are free to fetch and at
	 * least 1 is waiting (one queue cannot reach line rate without it);
	 * WTHRESH = 0 so DD is written back as soon as an RS descriptor is done
	 * -- required because we set RS only on every 32nd descriptor. */
	uint32_t txdctl = 32u << TXDCTL_PTHRESH_SHIFT | 1u << TXDCTL_HTHRESH_SHIFT |
	                  0u << TXDCTL_WTHRESH_SHIFT;
	reg_write(r, TXDCTL(q), txdctl);                       /* §8.2.3.9.10 TXDCTL */
}

static void ixgbe_init_tx(struct ixgbe_dev *dev)
{
	const struct regs *r = dev->r;
	reg_set(r, HLREG0, HLREG0_TXCRCEN | HLREG0_TXPADEN);   /* §8.2.3.22.8: CRC, padding */
	reg_set(r, RTTDCS, RTTDCS_ARBDIS);                     /* §8.2.3.10.2: arbiter off while we program */
	reg_write(r, TXPBSIZE(0), 40u << 10);                  /* §8.2.3.9.13 TXPBSIZE[0]: 40 KB */
	for (unsigned i = 1; i < 8; i++)
		reg_write(r, TXPBSIZE(i), 0);                      /* §8.2.3.9.13 TXPBSIZE[1..7] */
	reg_write(r, DTXMXSZRQ, 0xFFFF);                       /* §8.2.3.9.3: no request size limit */
	reg_clear(r, RTTDCS, RTTDCS_ARBDIS);                   /* §8.2.3.10.2: arbiter on */
	for (unsigned q = 0; q < dev->cfg.txq; q++)
		ixgbe_init_tx_queue(dev, q);
	reg_set(r, DMATXCTL, DMATXCTL_TE);                     /* §8.2.3.9.2: transmit on */
}

/* ====================================================================
 * Queue start (§4.6.7.1, §4.6.8.1)
 * ==================================================================== */

static int ixgbe_start_rx_queue(struct ixgbe_dev *dev, unsigned q, char *err, size_t errlen)
{
	const struct regs *r = dev->r;
	struct adv_rxq *rxq = &dev->rxq[q];
	uint32_t got = adv_rxq_fill(rxq);   /* a fresh buffer in every descriptor */
	if (got < rxq->size)
		return drv_fail(err, errlen, "RX queue %u: the freelist has only %u of the %u packets "
		                "the ring needs (raise the packet limit or use a smaller rxring=)",
		                q, got, rxq->size);
	if (!drv_enable_wait(r, RXDCTL(q), RXDCTL_ENABLE, 1000)) /* §8.2.3.8.6 RXDCTL.ENABLE, §4.6.7.1: read back */
		return drv_fail(err, errlen, "RX queue %u: RXDCTL.ENABLE did not read back 1 within 1 s "
		                "(§4.6.7.1)", q);
	/* The descriptors are written before the device can see them through
	 * the tail below (RDH was set to 0 with the queue still disabled). */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	/* RDT = size - 1, not size: head == tail means "empty" to the device,
	 * so one descriptor always stays with the driver. */
	reg_write(r, RDT(q), rxq->size - 1);                   /* §8.2.3.8.5 RDT */
	return 0;
}

static int ixgbe_start_tx_queue(struct ixgbe_dev *dev, unsigned q, char *err, size_t errlen)
{
	const struct regs *r = dev->r;
	adv_txq_reset(&dev->txq[q]);
	reg_write(r, TDH(q), 0);                               /* §8.2.3.9.8 TDH */
	reg_write(r, TDT(q), 0);                               /* §8.2.3.9.9 TDT */
	if (!drv_enable_wait(r, TXDCTL(q), TXDCTL_ENABLE, 1000)) /* §8.2.3.9.10 TXDCTL.ENABLE, §4.6.8.1: read back */
		return drv_fail(err, errlen, "TX queue %u: TXDCTL.ENABLE did not read back 1 within 1 s "
		                "(§4.6.8.1)", q);
	return 0;
}

/* ====================================================================
 * MAC address (§8.2.3.7.9, §8.2.3.7.10)
 * ==================================================================== */

static void ixgbe_setup_mac(struct ixgbe_dev *dev)
{
	const struct regs *r = dev->r;
	const uint8_t *m = dev->cfg.mac;
	if (dev->cfg.set_mac) {
		reg_write(r, RAL(0), m[0] | m[1] << 8 | m[2] << 16 | (uint32_t)m[3] << 24); /* §8.2.3.7.9 RAL */
		reg_write(r, RAH(0), m[4] | m[5] << 8 | RAH_AV);   /* §8.2.3.7.10 RAH */
	}
	uint32_t ral = reg_read(r, RAL(0));                    /* §8.2.3.7.9 RAL[0] */
	uint32_t rah = reg_read(r, RAH(0));                    /* §8.2.3.7.10 RAH[0] */
	for (int i = 0; i < 4; i++)
		dev->mac[i] = (uint8_t)(ral >> (8 * i));
	dev->mac[4] = (uint8_t)rah;
	dev->mac[5] = (uint8_t)(rah >> 8);
}

/* ====================================================================
 * Open, recover, close
 * ==================================================================== */

/* Everything after the reset up to running queues; used at open and after
 * the device was reset under us.  The rings' memory is kept; every buffer
 * is new. */
static int ixgbe_configure(struct ixgbe_dev *dev, char *err, size_t errlen)
{
	if (ixgbe_link_setup(dev, err, errlen) < 0)
		return -1;
	ixgbe_stats_discard(dev);
	ixgbe_setup_mac(dev);
	ixgbe_init_rx(dev);
	ixgbe_init_tx(dev);
	for (unsigned q = 0; q < dev->cfg.rxq; q++)
		if (ixgbe_start_rx_queue(dev, q, err, errlen) < 0)
			return -1;
	for (unsigned q = 0; q < dev->cfg.txq; q++)
		if (ixgbe_start_tx_queue(dev, q, err, errlen) < 0)
			return -1;
	return 0;
}

static int check_config(const struct ixgbe_config *c, char *err, size_t errlen)
{
	if (c->rxq < 1 || c->rxq > IXGBE_MAX_QUEUES || c->txq < 1 || c->txq > IXGBE_MAX_QUEUES)
		return drv_fail(err, errlen, "rxq=%u txq=%u: each must be 1..%d", c->rxq, c->txq,
		                IXGBE_MAX_QUEUES);
	unsigned rings[2] = { c->rx_ring, c->tx_ring };
	for (int i = 0; i < 2; i++)
		if (rings[i] < IXGBE_MIN_RING || rings[i] > IXGBE_MAX_RING || (rings[i] & (rings[i] - 1)))
			return drv_fail(err, errlen, "%s=%u: ring sizes are powers of two from %d to %d",
			                i ? "txring" : "rxring", rings[i], IXGBE_MIN_RING, IXGBE_MAX_RING);
	if (c->mtu < 68 || c->mtu > IXGBE_MAX_MTU)
		return drv_fail(err, errlen, "mtu=%u: must be 68..%d", c->mtu, IXGBE_MAX_MTU);
	return 0;
}

static void ixgbe_free_rings(struct ixgbe_dev *dev);
static void ixgbe_release_buffers(struct ixgbe_dev *dev);
static void ixgbe_count_rx_losses(struct ixgbe_dev *dev);

struct ixgbe_dev *ixgbe_open(struct device *d, const struct ixgbe_config *given,
                             char *err, size_t errlen)
{
	struct ixgbe_config c = *given, *cfg = &c;
	if (!c.rx_ring)
		c.rx_ring = IXGBE_DEFAULT_RING;
	if (!c.tx_ring)
		c.tx_ring = IXGBE_DEFAULT_RING;
	if (check_config(cfg, err, errlen) < 0)
		return NULL;
	struct ixgbe_dev *dev = calloc(1, sizeof(*dev));
	if (!dev) {
		drv_fail(err, errlen, "out of memory");
		return NULL;
	}
	dev->d = d;
	dev->r = &d->bar0;
	dev->cfg = *cfg;
	/* Rings live in DMA memory for the life of the process (there is no
	 * mem_free); adv_*q_alloc() aligns their bases to 128 bytes. */
	for (unsigned q = 0; q < cfg->rxq; q++) {
		if (adv_rxq_alloc(&dev->rxq[q], cfg->rx_ring) < 0) {
			drv_fail(err, errlen, "cannot allocate RX ring %u (%u descriptors) in DMA memory", q,
			         cfg->rx_ring);
			goto err_free;
		}
	}
	for (unsigned q = 0; q < cfg->txq; q++) {
		if (adv_txq_alloc(&dev->txq[q], cfg->tx_ring) < 0) {
			drv_fail(err, errlen, "cannot allocate TX ring %u (%u descriptors) in DMA memory", q,
			         cfg->tx_ring);
			goto err_free;
		}
	}
	if (ixgbe_reset(dev, err, errlen) < 0 || ixgbe_configure(dev, err, errlen) < 0)
		goto err_reset;
	if (cfg->wait_link_ms) {
		drv_wait_reg(dev->r, LINKS, LINKS_UP, LINKS_UP, cfg->wait_link_ms); /* §8.2.3.22.20 */
		ixgbe_read_link(dev);
		if (!dev->link_up) {
			/* Snabb's intel_mp: "82599 devices sometimes just don't come
			 * up" -- one more reset and bring-up, then wait once more. */
			log_info("%s: link down after %u ms; resetting once more", d->addr,
			         cfg->wait_link_ms);
			ixgbe_count_rx_losses(dev);
			if (ixgbe_reset(dev, err, errlen) < 0)
				goto err_reset;
			ixgbe_release_buffers(dev);   /* the device is stopped: safe */
			if (ixgbe_configure(dev, err, errlen) < 0)
				goto err_reset;
			ixgbe_wait_link(dev);
		}
	} else {
		ixgbe_read_link(dev);
	}
	dev->st.link_changes = 0;   /* count changes from here on */
	return dev;

err_reset:
	/* A half-started device may still own buffers: stop it first. */
	ixgbe_mask_interrupts(dev);
	ixgbe_global_reset(dev);   /* master disable, then §8.2.3.1.1 CTRL.RST */
err_free:
	ixgbe_free_rings(dev);
	free(dev);
	return NULL;
}

/* Give every packet still in a ring back to the freelist.  The device must
 * be stopped (reset) so it cannot write into them afterwards. */
static void ixgbe_release_buffers(struct ixgbe_dev *dev)
{
	for (unsigned q = 0; q < dev->cfg.rxq; q++)
		adv_rxq_release(&dev->rxq[q]);
	for (unsigned q = 0; q < dev->cfg.txq; q++)
		adv_txq_release(&dev->txq[q]);
}

static void ixgbe_free_rings(struct ixgbe_dev *dev)
{
	for (unsigned q = 0; q < IXGBE_MAX_QUEUES; q++) {
		adv_rxq_free(&dev->rxq[q]);
		adv_txq_free(&dev->txq[q]);
	}
}

/* Count received frames the rings still hold (DD set, not yet handed
 * over) that will be lost because the device is reset or the port closed. */
static void ixgbe_count_rx_losses(struct ixgbe_dev *dev)
{
	for (unsigned q = 0; q < dev->cfg.rxq; q++)
		dev->st.rx_lost += adv_rx_pending(&dev->rxq[q]);
}

/* Queued frames the device did not confirm sent (DD) before it lost its
 * state: counted as lost (some may have left the wire; we cannot know). */
static void ixgbe_count_tx_losses(struct ixgbe_dev *dev)
{
	for (unsigned q = 0; q < dev->cfg.txq; q++) {
		adv_tx_reclaim(&dev->txq[q]);
		dev->st.tx_lost += dev->txq[q].next - dev->txq[q].clean;
	}
}

/* Has the device lost the state we gave it?  A queue we enabled that
 * reads back disabled means a reset (or a queue the device stopped after a
 * fault); either way the only way on is a fresh bring-up. */
static bool ixgbe_lost_state(struct ixgbe_dev *dev)
{
	if (!(reg_read(dev->r, RXCTRL) & RXCTRL_RXEN))         /* §8.2.3.8.10 RXCTRL.RXEN */
		return true;
	for (unsigned q = 0; q < dev->cfg.rxq; q++)
		if (!(reg_read(dev->r, RXDCTL(q)) & RXDCTL_ENABLE)) /* §8.2.3.8.6 RXDCTL.ENABLE */
			return true;
	for (unsigned q = 0; q < dev->cfg.txq; q++)
		if (!(reg_read(dev->r, TXDCTL(q)) & TXDCTL_ENABLE)) /* §8.2.3.9.10 TXDCTL.ENABLE */
			return true;
	return false;
}

static int ixgbe_recover(struct ixgbe_dev *dev)
{
	log_warn("%s: the device lost its configuration (reset or stopped queue); "
	         "counting what the rings held and bringing it up again", dev->d->addr);
	ixgbe_count_rx_losses(dev);
	ixgbe_count_tx_losses(dev);
	/* A reset someone else started may still be running: registers written
	 * before CTRL.RST clears are lost (§4.6.3.2), so wait for it first. */
	drv_wait_reg(dev->r, CTRL, CTRL_RST | CTRL_LNK_RST, 0, 1000); /* §8.2.3.1.1: self-clears */
	/* Then reset it ourselves, so the device cannot write into buffers we
	 * free, whatever state it was left in. */
	char err[256];
	if (ixgbe_reset(dev, err, sizeof(err)) < 0) {
		log_error("%s: reset during recovery failed: %s", dev->d->addr, err);
		return -1;
	}
	ixgbe_release_buffers(dev);
	dev->st.resets++;
	if (ixgbe_configure(dev, err, sizeof(err)) < 0) {
		log_error("%s: bring-up after reset failed: %s", dev->d->addr, err);
		return -1;
	}
	return 0;
}

int ixgbe_poll(struct ixgbe_dev *dev)
{
	ixgbe_stats_fold(dev);
	ixgbe_read_link(dev);
	if (ixgbe_lost_state(dev))
		return ixgbe_recover(dev);
	return 0;
}

/* Wait (bounded) until the device has sent what TX queue q holds. */
static void ixgbe_drain_tx(struct ixgbe_dev *dev, unsigned q)
{
	struct adv_txq *txq = &dev->txq[q];
	uint32_t tdt = txq->next & txq->mask;
	if (dev->link_up)
		drv_wait_reg(dev->r, TDH(q), 0xFFFF, tdt, 100);    /* §8.2.3.9.8 TDH reaches TDT */
	/* Descriptors before TDH were fetched and sent: give them back. */
	uint32_t tdh = reg_read(dev->r, TDH(q));              /* §8.2.3.9.8 TDH */
	dev->st.tx_lost += adv_tx_free_to_head(txq, tdh);
}

void ixgbe_close(struct ixgbe_dev *dev, struct ixgbe_stats *final)
{
	if (!dev)
		return;
	const struct regs *r = dev->r;
	ixgbe_stats_fold(dev);
	ixgbe_read_link(dev);
	if (!ixgbe_lost_state(dev))
		for (unsigned q = 0; q < dev->cfg.txq; q++)
			ixgbe_drain_tx(dev, q);
	else
		ixgbe_count_tx_losses(dev);
	ixgbe_count_rx_losses(dev);
	/* §4.6.7.1/§4.6.8.1: disable the queues, then the whole device. */
	for (unsigned q = 0; q < dev->cfg.rxq; q++)
		reg_clear(r, RXDCTL(q), RXDCTL_ENABLE);            /* §8.2.3.8.6 RXDCTL.ENABLE off */
	for (unsigned q = 0; q < dev->cfg.txq; q++)
		reg_clear(r, TXDCTL(q), TXDCTL_ENABLE);            /* §8.2.3.9.10 TXDCTL.ENABLE off */
	reg_clear(r, RXCTRL, RXCTRL_RXEN);                     /* §8.2.3.8.10: receiver off */
	ixgbe_mask_interrupts(dev);
	ixgbe_global_reset(dev);   /* master disable, then §8.2.3.1.1 CTRL.RST */
	ixgbe_release_buffers(dev);
	ixgbe_stats_sum(dev);
	if (final)
		*final = dev->st;
	ixgbe_free_rings(dev);
	free(dev);
}

const struct nic_queue_stats *ixgbe_queue_counters(const struct ixgbe_dev *dev, unsigned q)
{
	return &dev->st.q[q];
}

void ixgbe_stats(struct ixgbe_dev *dev, struct ixgbe_stats *out)
{
	ixgbe_stats_fold(dev);
	ixgbe_stats_sum(dev);
	*out = dev->st;
}

bool ixgbe_link_up(struct ixgbe_dev *dev, unsigned *speed_mbps)
{
	ixgbe_read_link(dev);
	if (speed_mbps)
		*speed_mbps = dev->speed;
	return dev->link_up;
}

void ixgbe_mac(const struct ixgbe_dev *dev, uint8_t mac[6]) { memcpy(mac, dev->mac, 6); }
unsigned ixgbe_rx_queues(const struct ixgbe_dev *dev) { return dev->cfg.rxq; }
unsigned ixgbe_tx_queues(const struct ixgbe_dev *dev) { return dev->cfg.txq; }

/* ====================================================================
 * Hot path: receive (§7.1.6) and transmit (§7.2.3) over advanced
 * descriptors.  The loops are driver/adv_ring.c, shared with the igb
 * driver (82576 §7.1.5, §7.2.2.3: the same formats); here each gets its
 * queue's tail register.
 * ==================================================================== */

unsigned ixgbe_rx_batch(struct ixgbe_dev *dev, unsigned q, struct packet **out, unsigned n)
{
	return adv_rx_batch(&dev->rxq[q], dev->r, RDT(q), &dev->st.q[q], out, n); /* §8.2.3.8.5 RDT */
}

unsigned ixgbe_tx_batch(struct ixgbe_dev *dev, unsigned q, struct packet **pkts, unsigned n)
{
	return adv_tx_batch(&dev->txq[q], dev->r, TDT(q), &dev->st.q[q], pkts, n); /* §8.2.3.9.9 TDT */
}

unsigned ixgbe_tx_reclaim(struct ixgbe_dev *dev, unsigned q)
{
	return adv_tx_reclaim(&dev->txq[q]);
}

unsigned ixgbe_tx_room(struct ixgbe_dev *dev, unsigned q)
{
	return adv_tx_room(&dev->txq[q]);
}

/* ====================================================================
 * The driver interface (driver/nic.h).  The hot-path entries are the
 * functions above; the compiler inlines them here, so a batch costs one
 * indirect call.
 * ==================================================================== */

static struct ixgbe_dev *ix(struct nic_dev *dev) { return (struct ixgbe_dev *)dev; }
static const struct ixgbe_dev *cix(const struct nic_dev *dev) { return (const struct ixgbe_dev *)dev; }

/* The device's counters under the interface's names, and the driver's. */
static void to_nic_stats(const struct ixgbe_stats *st, struct nic_stats *out)
{
	*out = (struct nic_stats){
		.rx_good = st->gprc, .tx_good = st->gptc,
		.rx_good_bytes = st->gorc, .tx_good_bytes = st->gotc,
		.missed = st->mpc, .rx_nodesc = st->qprdc,
		.crc_errors = 0,   /* CRCERRS is not folded by this driver */
		.rx_packets = st->rx_packets, .rx_bytes = st->rx_bytes,
		.tx_packets = st->tx_packets, .tx_bytes = st->tx_bytes,
		.rx_nobuf = st->rx_nobuf, .rx_badlen = st->rx_badlen, .tx_badlen = st->tx_badlen,
		.rx_lost = st->rx_lost, .tx_lost = st->tx_lost,
		.resets = st->resets, .link_changes = st->link_changes,
	};
	for (unsigned q = 0; q < IXGBE_MAX_QUEUES; q++)
		out->rx_nodesc_q[q] = st->qprdc_q[q];
}

static struct nic_dev *ixgbe_nic_open(struct device *d, const struct nic_config *cfg, char *err,
                               size_t errlen)
{
	return (struct nic_dev *)ixgbe_open(d, cfg, err, errlen);
}

static void ixgbe_nic_close(struct nic_dev *dev, struct nic_stats *final)
{
	struct ixgbe_stats st;
	ixgbe_close(ix(dev), &st);
	if (final)
		to_nic_stats(&st, final);
}

static unsigned ixgbe_nic_rx_batch(struct nic_dev *dev, unsigned q, struct packet **out, unsigned n)
{
	return ixgbe_rx_batch(ix(dev), q, out, n);
}

static unsigned ixgbe_nic_tx_batch(struct nic_dev *dev, unsigned q, struct packet **pkts, unsigned n)
{
	return ixgbe_tx_batch(ix(dev), q, pkts, n);
}

static unsigned ixgbe_nic_tx_room(struct nic_dev *dev, unsigned q) { return ixgbe_tx_room(ix(dev), q); }
static int ixgbe_nic_poll(struct nic_dev *dev) { return ixgbe_poll(ix(dev)); }

static const struct nic_queue_stats *ixgbe_nic_queue_stats(const struct nic_dev *dev, unsigned q)
{
	return ixgbe_queue_counters(cix(dev), q);
}

static void ixgbe_nic_stats(struct nic_dev *dev, struct nic_stats *out)
{
	struct ixgbe_stats st;
	ixgbe_stats(ix(dev), &st);
	to_nic_stats(&st, out);
}

static bool ixgbe_nic_link(struct nic_dev *dev, unsigned *speed) { return ixgbe_link_up(ix(dev), speed); }
static void ixgbe_nic_mac(const struct nic_dev *dev, uint8_t mac[6]) { ixgbe_mac(cix(dev), mac); }

const struct nic_driver ixgbe_driver = {
	.name = "ixgbe",
	.family = "Intel 82599",
	.max_rxq = IXGBE_MAX_QUEUES,
	.max_txq = IXGBE_MAX_QUEUES,
	.open = ixgbe_nic_open,
	.close = ixgbe_nic_close,
	.rx_batch = ixgbe_nic_rx_batch,
	.tx_batch = ixgbe_nic_tx_batch,
	.tx_room = ixgbe_nic_tx_room,
	.poll = ixgbe_nic_poll,
	.queue_stats = ixgbe_nic_queue_stats,
	.stats = ixgbe_nic_stats,
	.link = ixgbe_nic_link,
	.mac = ixgbe_nic_mac,
};
