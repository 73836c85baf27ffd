/* igb.c -- a small driver for the Intel 82576 and I350 1 GbE controllers.
 *
 * Written against the "Intel 82576EB Gigabit Ethernet Controller
 * Datasheet", revision 2.63; every "§" below is a section of that document.
 * The I350 ("Intel Ethernet Controller I350 Datasheet", revision 2.x) keeps
 * every register used here at the same offset with the same bits; the two
 * places where it needs more are marked "I350".
 *
 * The file reads top to bottom in bring-up order, like driver/ixgbe.c:
 *   registers and descriptors   the few the driver uses, by datasheet name
 *   PHY access                  MDIC
 *   reset and link              §4.5.3 initialization sequence, §4.5.7 link
 *   statistics                  §8.19
 *   receive init                §4.5.9
 *   transmit init               §4.5.10
 *   open, recover, close
 *   hot path                    §7.1.5, §7.2.2 advanced descriptors
 *
 * What differs from the 82599 (docs/driver-igb.md has the walk):
 *   - the MAC has an internal copper PHY reached through MDIC; after a
 *     software reset the driver restarts auto-negotiation there and sets
 *     CTRL.SLU, where the 82599 programs AUTOC;
 *   - receive is enabled by RCTL (filters, CRC strip and long packets live
 *     there too), transmit by TCTL -- there is no RXCTRL/DMATXCTL/HLREG0;
 *   - queue registers live at 0xC000 (RX) and 0xE000 (TX), 0x40 apart;
 *   - SRRCTL.Drop_En is bit 31 (bit 28 on the 82599).
 *
 * The end of the file fills `igb_driver`, the driver interface of
 * driver/nic.h; the bring-up waits, the link wait and the split octet
 * counters are driver/drv_util.h, shared with driver/ixgbe.c.
 *
 * The hot path (igb_rx_batch, igb_tx_batch) writes one tail register per
 * call and learns everything else from the descriptors; its loops are
 * driver/adv_ring.c, shared with the 82599 driver.  The device is never
 * trusted: a write-back with an impossible length or a frame spread
 * over several descriptors is dropped and counted.
 */
#include "igb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/log.h"
#include "../core/memory.h"
#include "adv_ring.h"
#include "drv_util.h"

/* ====================================================================
 * Registers (chapter 8), only those this driver uses
 * ==================================================================== */

#define CTRL            0x00000  /* Device Control */
#define  CTRL_SLU       (1u << 6)   /* Set Link Up: MAC follows the PHY's link */
#define  CTRL_FRCSPD    (1u << 11)  /* Force Speed */
#define  CTRL_FRCDPX    (1u << 12)  /* Force Duplex */
#define  CTRL_RST       (1u << 26)  /* Device Reset, self-clearing */
#define STATUS          0x00008  /* Device Status */
#define  STATUS_LU      (1u << 1)   /* Link Up */
#define  STATUS_SPEED_SHIFT 6       /* 2 bits: 00 10, 01 100, 1x 1000 Mb/s */
#define  STATUS_PF_RST_DONE (1u << 21) /* I350: reset done */
#define EEC             0x00010  /* EEPROM/Flash Control (EECD in Linux) */
#define  EEC_AUTO_RD    (1u << 9)   /* EEPROM Auto Read Done */
#define MDIC            0x00020  /* MDI Control: the PHY's registers */
#define  MDIC_REG_SHIFT 16
#define  MDIC_PHY_SHIFT 21
#define  MDIC_OP_WRITE  (1u << 26)
#define  MDIC_OP_READ   (2u << 26)
#define  MDIC_READY     (1u << 28)
#define  MDIC_ERROR     (1u << 30)
#define MDICNFG         0x00E04  /* I350: MDI Configuration (internal/external PHY) */
#define ICR             0x000C0  /* Interrupt Cause Read (clear on read) */
#define IMC             0x000D8  /* Interrupt Mask Clear (write 1 to mask) */
#define RCTL            0x00100  /* Receive Control */
#define  RCTL_EN        (1u << 1)   /* receiver enable */
#define  RCTL_UPE       (1u << 3)   /* unicast promiscuous */
#define  RCTL_MPE       (1u << 4)   /* multicast promiscuous */
#define  RCTL_LPE       (1u << 5)   /* long packets, up to RLPML */
#define  RCTL_BAM       (1u << 15)  /* accept broadcast */
#define  RCTL_SECRC     (1u << 26)  /* strip the Ethernet CRC */
#define TCTL            0x00400  /* Transmit Control */
#define  TCTL_EN        (1u << 1)   /* transmitter enable */
#define  TCTL_PSP       (1u << 3)   /* pad short packets to 64 bytes */
#define  TCTL_RTLC      (1u << 24)  /* re-transmit on late collision */
#define EICR            0x01580  /* Extended Interrupt Cause (clear on read) */
#define EIMC            0x01528  /* Extended Interrupt Mask Clear */
#define CRCERRS         0x04000  /* CRC Error Count */
#define MPC             0x04010  /* Missed Packets Count */
#define GPRC            0x04074  /* Good Packets Received Count */
#define GPTC            0x04080  /* Good Packets Transmitted Count */
#define GORCL           0x04088  /* Good Octets Received Count Low (read before GORCH) */
#define GORCH           0x0408C  /* Good Octets Received Count High */
#define GOTCL           0x04090  /* Good Octets Transmitted Count Low */
#define GOTCH           0x04094  /* Good Octets Transmitted Count High */
#define RNBC            0x040A0  /* Receive No Buffers Count */
#define RXCSUM          0x05000  /* Receive Checksum Control */
#define RLPML           0x05004  /* Receive Long Packet Maximum Length */
#define RAL0            0x05400  /* Receive Address Low [0] */
#define RAH0            0x05404  /* Receive Address High [0] */
#define  RAH_AV         (1u << 31)  /* address valid */

/* Queue 0's registers.  The 82576 also answers at the 82575's old offsets
 * (0x2800/0x3800) for queues 0..3; the 0xC000/0xE000 blocks serve all 16. */
#define RDBAL           0x0C000  /* Receive Descriptor Base Address Low */
#define RDBAH           0x0C004  /* Receive Descriptor Base Address High */
#define RDLEN           0x0C008  /* Receive Descriptor Ring Length (bytes) */
#define SRRCTL          0x0C00C  /* Split and Replication Receive Control */
#define  SRRCTL_BSIZEPACKET_SHIFT 0       /* packet buffer size, 1 KB units */
#define  SRRCTL_DESCTYPE_ADV_ONEBUF (1u << 25) /* DESCTYPE = 001b */
#define  SRRCTL_DROP_EN (1u << 31)  /* drop when no descriptor instead of stalling */
#define RDH             0x0C010  /* Receive Descriptor Head */
#define RDT             0x0C018  /* Receive Descriptor Tail */
#define RXDCTL          0x0C028  /* Receive Descriptor Control */
#define  RXDCTL_PTHRESH_SHIFT 0
#define  RXDCTL_HTHRESH_SHIFT 8
#define  RXDCTL_WTHRESH_SHIFT 16
#define  RXDCTL_ENABLE  (1u << 25)
#define RQDPC           0x0C030  /* Receive Queue Drop Packet Count */
#define TDBAL           0x0E000  /* Transmit Descriptor Base Address Low */
#define TDBAH           0x0E004  /* Transmit Descriptor Base Address High */
#define TDLEN           0x0E008  /* Transmit Descriptor Ring Length (bytes) */
#define TDH             0x0E010  /* Transmit Descriptor Head */
#define TDT             0x0E018  /* Transmit Descriptor Tail */
#define TXDCTL          0x0E028  /* Transmit Descriptor Control */
#define  TXDCTL_PTHRESH_SHIFT 0
#define  TXDCTL_HTHRESH_SHIFT 8
#define  TXDCTL_WTHRESH_SHIFT 16
#define  TXDCTL_ENABLE  (1u << 25)

/* The internal PHY: address 1 on the MDIO bus, IEEE 802.3 clause 22. */
#define PHY_ADDR        1
#define PHY_BMCR        0           /* Basic Mode Control */
#define  BMCR_ANRESTART (1u << 9)   /* restart auto-negotiation, self-clearing */
#define  BMCR_ANENABLE  (1u << 12)  /* auto-negotiation enable */

/* ====================================================================
 * Descriptors: the advanced formats (§7.1.5 receive, §7.2.2.3 transmit)
 * are the 82599's; they and the hot path over them live in
 * driver/adv_ring.h, shared with driver/ixgbe.c.
 * ==================================================================== */

static_assert(IGB_MIN_RING >= ADV_MIN_RING, "the shared ring code's smallest ring");

/* ====================================================================
 * Driver state
 * ==================================================================== */

struct igb_dev {
	struct device *d;
	const struct regs *r;
	struct igb_config cfg;
	bool i350;
	struct adv_rxq rxq;
	struct adv_txq txq;
	struct nic_queue_stats ring_st;  /* the hot path's counters, exact at any time */
	struct igb_stats st;            /* its ring fields are copied from ring_st */
	uint8_t mac[6];
	bool link_up;
	unsigned speed;
};

/* The I350 needs two more steps than the 82576 (marked "I350" below). */
static const uint16_t igb_i350_ids[] = { 0x1521 };

static bool id_in(uint16_t id, const uint16_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* The copper ports, as driver/nic_ids.c lists them (fiber/SerDes variants
 * need PCS link setup, not MDIC, and are refused there). */
bool igb_supports(uint16_t vendor_id, uint16_t device_id)
{
	const struct nic_pci_id *id = nic_find(vendor_id, device_id);
	return id && id->drv == &igb_driver;
}

/* ====================================================================
 * PHY access (§8.2.4 MDIC).  Setup helpers (drv_fail, drv_wait_reg) are
 * driver/drv_util.h, shared with the 82599 driver.
 * ==================================================================== */

/* One PHY register access through MDIC (§8.2.4): write the command, wait
 * for READY, check ERROR.  Returns the 16-bit value, or -1. */
static int igb_mdic(struct igb_dev *dev, uint32_t op, unsigned reg, uint16_t data)
{
	const struct regs *r = dev->r;
	reg_write(r, MDIC, op | (uint32_t)PHY_ADDR << MDIC_PHY_SHIFT |  /* §8.2.4 MDIC */
	                       (uint32_t)reg << MDIC_REG_SHIFT | data);
	if (!drv_wait_reg(r, MDIC, MDIC_READY, MDIC_READY, 10))        /* §8.2.4 MDIC.R */
		return -1;
	uint32_t mdic = reg_read(r, MDIC);                             /* §8.2.4 MDIC */
	if (mdic & MDIC_ERROR)
		return -1;
	return (int)(mdic & 0xFFFF);
}

/* ====================================================================
 * Reset and link (§4.5.3, §4.5.7)
 * ==================================================================== */

/* §4.5.4: interrupts stay masked -- kvick polls. */
static void igb_mask_interrupts(struct igb_dev *dev)
{
	reg_write(dev->r, IMC, 0xFFFFFFFFu);   /* §8.8 IMC: mask every legacy cause */
	reg_write(dev->r, EIMC, 0xFFFFFFFFu);  /* §8.8 EIMC: mask every extended cause */
	(void)reg_read(dev->r, ICR);           /* §8.8 ICR: clear on read */
	(void)reg_read(dev->r, EICR);          /* §8.8 EICR: clear on read */
}

/* §4.5.5 software reset (CTRL.RST), then the "wait for" steps. */
static int igb_reset(struct igb_dev *dev, char *err, size_t errlen)
{
	const struct regs *r = dev->r;
	igb_mask_interrupts(dev);
	reg_set(r, CTRL, CTRL_RST);                              /* §8.2.1 CTRL.RST */
	/* No register access during the first milliseconds of a reset; 10 ms
	 * covers both the 82576 and the I350. */
	drv_sleep_us(10000);
	if (!drv_wait_reg(r, CTRL, CTRL_RST, 0, 1000))            /* §8.2.1: self-clears */
		return drv_fail(err, errlen, "CTRL.RST did not self-clear within 1 s (§4.5.5)");
	igb_mask_interrupts(dev);   /* §4.5.4: the reset unmasked them again */
	/* §8.4.1 EEC.AUTO_RD: the MAC address and defaults are loaded from the
	 * NVM.  A port without NVM never sets it (QEMU's model does not); like
	 * Linux's igb we go on -- the MAC check in igb_setup_mac() catches a
	 * port that really has no address. */
	if (!drv_wait_reg(r, EEC, EEC_AUTO_RD, EEC_AUTO_RD, 10))  /* §8.4.1 EEC.AUTO_RD */
		log_once(LOG_WARN, "igb: %s: EEC.AUTO_RD not set 10 ms after reset (no NVM?); continuing",
		         dev->d->addr);
	/* I350 datasheet §8.2.2 STATUS.PF_RST_DONE: the reset is over */
	if (dev->i350 && !drv_wait_reg(r, STATUS, STATUS_PF_RST_DONE, STATUS_PF_RST_DONE, 1000))
		return drv_fail(err, errlen, "I350: STATUS.PF_RST_DONE not set within 1 s of reset");
	return 0;
}

/* §4.5.7 copper link: the MAC takes speed and duplex from its PHY
 * (CTRL.SLU, nothing forced), and the PHY auto-negotiates.  A software
 * reset may leave the PHY's negotiation undone, so restart it when the
 * link is not up yet (restarting a link that is up would drop it). */
static void igb_link_setup(struct igb_dev *dev)
{
	const struct regs *r = dev->r;
	if (dev->i350)
		reg_write(r, MDICNFG, 0);         /* I350 §8.2.5 MDICNFG: internal PHY */
	uint32_t ctrl = reg_read(r, CTRL);                        /* §8.2.1 CTRL */
	ctrl |= CTRL_SLU;
	ctrl &= ~(CTRL_FRCSPD | CTRL_FRCDPX);
	reg_write(r, CTRL, ctrl);                                 /* §8.2.1: SLU, no forcing */
	if (reg_read(r, STATUS) & STATUS_LU)                      /* §8.2.2 STATUS.LU */
		return;
	int bmcr = igb_mdic(dev, MDIC_OP_READ, PHY_BMCR, 0);
	if (bmcr < 0 || igb_mdic(dev, MDIC_OP_WRITE, PHY_BMCR,
	                         (uint16_t)(bmcr | BMCR_ANENABLE | BMCR_ANRESTART)) < 0)
		log_warn("igb: %s: the PHY did not answer on MDIC (§8.2.4); the link may stay down",
		         dev->d->addr);
}

/* §8.2.2 STATUS: link up/down and speed. */
static void igb_read_link(struct igb_dev *dev)
{
	static const unsigned speeds[4] = { 10, 100, 1000, 1000 };
	uint32_t status = reg_read(dev->r, STATUS);               /* §8.2.2 STATUS */
	bool up = (status & STATUS_LU) != 0;
	if (up != dev->link_up)
		dev->st.link_changes++;
	dev->link_up = up;
	dev->speed = up ? speeds[(status >> STATUS_SPEED_SHIFT) & 3] : 0;
}

static void igb_wait_link(struct igb_dev *dev)
{
	drv_wait_link(dev->r, STATUS, STATUS_LU, dev->cfg.wait_link_ms, "igb", /* §8.2.2 STATUS.LU */
	              dev->d->addr, "the cable and the peer");
	igb_read_link(dev);
}

/* ====================================================================
 * Statistics (§8.19): clear-on-read registers folded into 64-bit
 * software counters.
 * ==================================================================== */

static void igb_stats_fold(struct igb_dev *dev)
{
	const struct regs *r = dev->r;
	struct igb_stats *st = &dev->st;
	st->crcerrs += reg_read(r, CRCERRS);                      /* §8.19 CRCERRS */
	st->mpc += reg_read(r, MPC);                              /* §8.19 MPC */
	st->gprc += reg_read(r, GPRC);                            /* §8.19 GPRC */
	st->gptc += reg_read(r, GPTC);                            /* §8.19 GPTC */
	st->gorc += drv_read_split(r, GORCL, GORCH, 0xFFFFFFFFu); /* §8.19 GORCL/GORCH */
	st->gotc += drv_read_split(r, GOTCL, GOTCH, 0xFFFFFFFFu); /* §8.19 GOTCL/GOTCH */
	st->rnbc += reg_read(r, RNBC);                            /* §8.19 RNBC */
	st->rqdpc += reg_read(r, RQDPC);                          /* §8.10 RQDPC[0] */
}

/* The driver's own counters, kept by the shared ring code in ring_st. */
static void igb_stats_ring(struct igb_dev *dev)
{
	const struct nic_queue_stats *rs = &dev->ring_st;
	struct igb_stats *st = &dev->st;
	st->rx_packets = rs->rx_packets;
	st->rx_bytes = rs->rx_bytes;
	st->rx_nobuf = rs->rx_nobuf;
	st->rx_badlen = rs->rx_badlen;
	st->tx_packets = rs->tx_packets;
	st->tx_bytes = rs->tx_bytes;
	st->tx_badlen = rs->tx_badlen;
}

/* §4.5.8: the registers clear on read, so one read zeroes them; what they
 * held before the bring-up is not ours to count. */
static void igb_stats_discard(struct igb_dev *dev)
{
	struct igb_stats keep = dev->st;
	igb_stats_fold(dev);
	dev->st = keep;
}

/* ====================================================================
 * Receive init (§4.5.9)
 * ==================================================================== */

static int igb_init_rx(struct igb_dev *dev, char *err, size_t errlen)
{
	const struct regs *r = dev->r;
	struct adv_rxq *rxq = &dev->rxq;
	unsigned max_frame = dev->cfg.mtu + 14 + 4 + 4;   /* header, one VLAN tag, FCS */

	reg_clear(r, RCTL, RCTL_EN);                              /* §8.10 RCTL: receiver off */
	/* The ring is programmed only while its queue is disabled (§8.10 RDBAL
	 * note); the device may have left it enabled (queue 0 is, after reset). */
	reg_clear(r, RXDCTL, RXDCTL_ENABLE);                      /* §8.10 RXDCTL.ENABLE off */
	if (!drv_wait_reg(r, RXDCTL, RXDCTL_ENABLE, 0, 1000))     /* §4.5.9: read back 0 */
		return drv_fail(err, errlen, "RXDCTL.ENABLE did not read back 0 within 1 s (§4.5.9)");

	reg_write(r, RXCSUM, 0);                                  /* §8.10 RXCSUM: no offloads */
	reg_write(r, RLPML, max_frame);                           /* §8.10 RLPML: longest frame */
	uint64_t ring_iova = mem_iova((const void *)rxq->ring);
	reg_write(r, SRRCTL, SRRCTL_DESCTYPE_ADV_ONEBUF | SRRCTL_DROP_EN | /* §8.10 SRRCTL */
	                     (ADV_RX_BUF_SIZE / 1024) << SRRCTL_BSIZEPACKET_SHIFT);
	reg_write(r, RDBAL, (uint32_t)ring_iova);                 /* §8.10 RDBAL */
	reg_write(r, RDBAH, (uint32_t)(ring_iova >> 32));         /* §8.10 RDBAH */
	reg_write(r, RDLEN, rxq->size * sizeof(union adv_rx_desc)); /* §8.10 RDLEN */
	reg_write(r, RDH, 0);                                     /* §8.10 RDH */
	reg_write(r, RDT, 0);                                     /* §8.10 RDT: empty for now */

	/* Accept broadcast (ARP needs it), strip the CRC so lengths are frame
	 * lengths, long packets only when the MTU asks for them. */
	uint32_t rctl = reg_read(r, RCTL);                        /* §8.10 RCTL */
	rctl |= RCTL_BAM | RCTL_SECRC;
	rctl &= ~(RCTL_UPE | RCTL_MPE | RCTL_LPE);
	if (dev->cfg.promisc)
		rctl |= RCTL_UPE | RCTL_MPE;
	if (max_frame > 1522)
		rctl |= RCTL_LPE;
	reg_write(r, RCTL, rctl);                                 /* §8.10 RCTL: filters */
	return 0;
}

/* §4.5.9 last steps: buffers into the ring, queue on (read back), receiver
 * on, tail. */
static int igb_start_rx(struct igb_dev *dev, char *err, size_t errlen)
{
	const struct regs *r = dev->r;
	struct adv_rxq *rxq = &dev->rxq;
	uint32_t got = adv_rxq_fill(rxq);   /* a fresh buffer in every descriptor */
	if (got < rxq->size)
		return drv_fail(err, errlen, "the freelist has only %u of the %u packets the RX ring "
		                "needs (raise the packet limit or use a smaller rxring=)", got, rxq->size);
	/* Prefetch when 8 descriptors are free and 8 are in the host; write
	 * each one back as soon as it is done (WTHRESH = 1): we poll, there
	 * is no interrupt to batch for. */
	reg_write(r, RXDCTL, 8u << RXDCTL_PTHRESH_SHIFT | 8u << RXDCTL_HTHRESH_SHIFT | /* §8.10 */
	                     1u << RXDCTL_WTHRESH_SHIFT | RXDCTL_ENABLE);
	if (!drv_wait_reg(r, RXDCTL, RXDCTL_ENABLE, RXDCTL_ENABLE, 1000)) /* §4.5.9: read back 1 */
		return drv_fail(err, errlen, "RXDCTL.ENABLE did not read back 1 within 1 s (§4.5.9)");
	reg_set(r, RCTL, RCTL_EN);                                /* §8.10 RCTL.EN: receiver on */
	/* The descriptors are in memory before the device can see them through
	 * the tail (RDH was set to 0 with the queue still disabled). */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	/* RDT = size - 1, not size: head == tail means "empty" to the device,
	 * so one descriptor always stays with the driver. */
	reg_write(r, RDT, rxq->size - 1);                         /* §8.10 RDT */
	return 0;
}

/* ====================================================================
 * Transmit init (§4.5.10)
 * ==================================================================== */

static int igb_init_tx(struct igb_dev *dev, char *err, size_t errlen)
{
	const struct regs *r = dev->r;
	struct adv_txq *txq = &dev->txq;
	reg_clear(r, TXDCTL, TXDCTL_ENABLE);                      /* §8.12 TXDCTL.ENABLE off */
	if (!drv_wait_reg(r, TXDCTL, TXDCTL_ENABLE, 0, 1000))     /* §4.5.10: read back 0 */
		return drv_fail(err, errlen, "TXDCTL.ENABLE did not read back 0 within 1 s (§4.5.10)");
	uint64_t ring_iova = mem_iova((const void *)txq->ring);
	reg_write(r, TDBAL, (uint32_t)ring_iova);                 /* §8.12 TDBAL */
	reg_write(r, TDBAH, (uint32_t)(ring_iova >> 32));         /* §8.12 TDBAH */
	reg_write(r, TDLEN, txq->size * sizeof(union adv_tx_desc)); /* §8.12 TDLEN */
	reg_write(r, TDH, 0);                                     /* §8.12 TDH */
	reg_write(r, TDT, 0);                                     /* §8.12 TDT */
	adv_txq_reset(txq);
	/* Prefetch when 8 descriptors are free and 1 is waiting; WTHRESH = 1
	 * writes DD back as soon as an RS descriptor is done -- we set RS on
	 * every 32nd descriptor only and wait for exactly that DD. */
	reg_write(r, TXDCTL, 8u << TXDCTL_PTHRESH_SHIFT | 1u << TXDCTL_HTHRESH_SHIFT | /* §8.12 */
	                     1u << TXDCTL_WTHRESH_SHIFT | TXDCTL_ENABLE);
	if (!drv_wait_reg(r, TXDCTL, TXDCTL_ENABLE, TXDCTL_ENABLE, 1000)) /* §4.5.10: read back 1 */
		return drv_fail(err, errlen, "TXDCTL.ENABLE did not read back 1 within 1 s (§4.5.10)");
	uint32_t tctl = reg_read(r, TCTL);                        /* §8.12 TCTL */
	reg_write(r, TCTL, tctl | TCTL_EN | TCTL_PSP | TCTL_RTLC); /* §8.12: transmitter on, pad */
	return 0;
}

/* ====================================================================
 * MAC address (§8.10 RAL/RAH)
 * ==================================================================== */

static int igb_setup_mac(struct igb_dev *dev, char *err, size_t errlen)
{
	const struct regs *r = dev->r;
	const uint8_t *m = dev->cfg.mac;
	if (dev->cfg.set_mac) {
		/* Low first, then high with AV: the entry is never half valid. */
		reg_write(r, RAL0, m[0] | m[1] << 8 | m[2] << 16 | (uint32_t)m[3] << 24); /* §8.10 RAL */
		reg_write(r, RAH0, m[4] | m[5] << 8 | RAH_AV);        /* §8.10 RAH */
	}
	uint32_t ral = reg_read(r, RAL0);                         /* §8.10 RAL[0] */
	uint32_t rah = reg_read(r, RAH0);                         /* §8.10 RAH[0] */
	for (int i = 0; i < 4; i++)
		dev->mac[i] = (uint8_t)(ral >> (8 * i));
	dev->mac[4] = (uint8_t)rah;
	dev->mac[5] = (uint8_t)(rah >> 8);
	if (!(rah & RAH_AV) || (ral == 0 && (rah & 0xFFFF) == 0))
		return drv_fail(err, errlen, "the port has no MAC address in RAL0/RAH0 (no NVM?): give "
		                "one with mac=");
	return 0;
}

/* ====================================================================
 * Open, recover, close
 * ==================================================================== */

/* Everything from reset to running queues; used at open and after the
 * device was reset under us.  The rings' memory is kept; buffers are new. */
static int igb_bringup(struct igb_dev *dev, char *err, size_t errlen)
{
	if (igb_reset(dev, err, errlen) < 0)
		return -1;
	igb_link_setup(dev);
	igb_stats_discard(dev);
	if (igb_setup_mac(dev, err, errlen) < 0)
		return -1;
	if (igb_init_rx(dev, err, errlen) < 0 || igb_init_tx(dev, err, errlen) < 0)
		return -1;
	return igb_start_rx(dev, err, errlen);
}

static int check_config(const struct igb_config *c, char *err, size_t errlen)
{
	if (c->rxq > 1 || c->txq > 1)   /* 0 is taken as 1: this driver's only choice */
		return drv_fail(err, errlen, "rxq=%u txq=%u: the igb driver (82576/I350) uses one "
		                "queue each way", c->rxq, c->txq);
	unsigned rings[2] = { c->rx_ring, c->tx_ring };
	for (int i = 0; i < 2; i++)
		if (rings[i] < IGB_MIN_RING || rings[i] > IGB_MAX_RING || (rings[i] & (rings[i] - 1)))
			return drv_fail(err, errlen, "%s=%u: ring sizes are powers of two from %d to %d",
			                i ? "txring" : "rxring", rings[i], IGB_MIN_RING, IGB_MAX_RING);
	if (c->mtu < 68 || c->mtu > IGB_MAX_MTU)
		return drv_fail(err, errlen, "mtu=%u: must be 68..%d", c->mtu, IGB_MAX_MTU);
	return 0;
}

/* Stop the device so it can no longer touch our memory. */
static void igb_hard_stop(struct igb_dev *dev)
{
	igb_mask_interrupts(dev);
	reg_set(dev->r, CTRL, CTRL_RST);                          /* §8.2.1 CTRL.RST */
	drv_sleep_us(10000);
	drv_wait_reg(dev->r, CTRL, CTRL_RST, 0, 1000);            /* §8.2.1: self-clears */
}

static void igb_release_buffers(struct igb_dev *dev);
static void igb_free_rings(struct igb_dev *dev);

struct igb_dev *igb_open(struct device *d, const struct igb_config *given,
                         char *err, size_t errlen)
{
	struct igb_config c = *given, *cfg = &c;
	if (!c.rx_ring)
		c.rx_ring = IGB_DEFAULT_RING;
	if (!c.tx_ring)
		c.tx_ring = IGB_DEFAULT_RING;
	if (check_config(cfg, err, errlen) < 0)
		return NULL;
	struct igb_dev *dev = calloc(1, sizeof(*dev));
	if (!dev) {
		drv_fail(err, errlen, "out of memory");
		return NULL;
	}
	dev->d = d;
	dev->r = &d->bar0;
	dev->cfg = *cfg;
	dev->i350 = id_in(d->device_id, igb_i350_ids, sizeof(igb_i350_ids) / sizeof(igb_i350_ids[0]));
	/* Rings live in DMA memory for the life of the process (there is no
	 * mem_free); adv_*q_alloc() aligns their bases to 128 bytes. */
	if (adv_rxq_alloc(&dev->rxq, cfg->rx_ring) < 0 || adv_txq_alloc(&dev->txq, cfg->tx_ring) < 0) {
		drv_fail(err, errlen, "cannot allocate the rings (%u RX, %u TX descriptors) in DMA memory",
		         cfg->rx_ring, cfg->tx_ring);
		goto err_free;
	}
	if (igb_bringup(dev, err, errlen) < 0)
		goto err_stop;
	if (cfg->wait_link_ms)
		igb_wait_link(dev);
	else
		igb_read_link(dev);
	dev->st.link_changes = 0;   /* count changes from here on */
	return dev;

err_stop:
	/* A half-started device may own buffers: stop it before freeing them. */
	igb_hard_stop(dev);
	igb_release_buffers(dev);
err_free:
	igb_free_rings(dev);
	free(dev);
	return NULL;
}

/* Give every packet still in a ring back to the freelist.  The device must
 * be stopped (reset) so it cannot write into them afterwards. */
static void igb_release_buffers(struct igb_dev *dev)
{
	adv_rxq_release(&dev->rxq);
	adv_txq_release(&dev->txq);
}

static void igb_free_rings(struct igb_dev *dev)
{
	adv_rxq_free(&dev->rxq);
	adv_txq_free(&dev->txq);
}

/* Frames the RX ring holds (DD set, not yet handed over) that a reset or
 * close will lose. */
static void igb_count_rx_losses(struct igb_dev *dev)
{
	dev->st.rx_lost += adv_rx_pending(&dev->rxq);
}

/* Queued frames the device did not confirm sent (DD) before it lost its
 * state: counted as lost (some may have left the wire; we cannot know). */
static void igb_count_tx_losses(struct igb_dev *dev)
{
	adv_tx_reclaim(&dev->txq);
	dev->st.tx_lost += dev->txq.next - dev->txq.clean;
}

/* Has the device lost the state we gave it?  A receiver or queue we
 * enabled that reads back disabled means a reset; the way on is a fresh
 * bring-up. */
static bool igb_lost_state(struct igb_dev *dev)
{
	return !(reg_read(dev->r, RCTL) & RCTL_EN) ||             /* §8.10 RCTL.EN */
	       !(reg_read(dev->r, RXDCTL) & RXDCTL_ENABLE) ||     /* §8.10 RXDCTL.ENABLE */
	       !(reg_read(dev->r, TXDCTL) & TXDCTL_ENABLE);       /* §8.12 TXDCTL.ENABLE */
}

static int igb_recover(struct igb_dev *dev)
{
	char err[256];
	log_warn("igb: %s: the device lost its configuration (reset); counting what the rings "
	         "held and bringing it up again", dev->d->addr);
	igb_count_rx_losses(dev);
	igb_count_tx_losses(dev);
	igb_hard_stop(dev);         /* before freeing: no DMA into freed buffers */
	igb_release_buffers(dev);
	dev->st.resets++;
	if (igb_bringup(dev, err, sizeof(err)) < 0) {
		log_error("igb: %s: bring-up after reset failed: %s", dev->d->addr, err);
		return -1;
	}
	return 0;
}

int igb_poll(struct igb_dev *dev)
{
	igb_stats_fold(dev);
	igb_read_link(dev);
	if (igb_lost_state(dev))
		return igb_recover(dev);
	return 0;
}

/* Wait (bounded) until the device has sent what the TX ring holds. */
static void igb_drain_tx(struct igb_dev *dev)
{
	struct adv_txq *txq = &dev->txq;
	uint32_t tdt = txq->next & txq->mask;
	if (dev->link_up)
		drv_wait_reg(dev->r, TDH, 0xFFFF, tdt, 100);          /* §8.12 TDH reaches TDT */
	/* Descriptors before TDH were fetched and sent: give them back. */
	uint32_t tdh = reg_read(dev->r, TDH);                     /* §8.12 TDH */
	dev->st.tx_lost += adv_tx_free_to_head(txq, tdh);
}

void igb_close(struct igb_dev *dev, struct igb_stats *final)
{
	if (!dev)
		return;
	const struct regs *r = dev->r;
	igb_stats_fold(dev);
	igb_read_link(dev);
	if (!igb_lost_state(dev))
		igb_drain_tx(dev);
	else
		igb_count_tx_losses(dev);
	igb_count_rx_losses(dev);
	reg_clear(r, RCTL, RCTL_EN);                              /* §8.10 RCTL.EN: receiver off */
	reg_clear(r, RXDCTL, RXDCTL_ENABLE);                      /* §8.10 RXDCTL.ENABLE off */
	reg_clear(r, TXDCTL, TXDCTL_ENABLE);                      /* §8.12 TXDCTL.ENABLE off */
	reg_clear(r, TCTL, TCTL_EN);                              /* §8.12 TCTL.EN: transmitter off */
	igb_hard_stop(dev);
	igb_release_buffers(dev);
	igb_stats_ring(dev);
	if (final)
		*final = dev->st;
	igb_free_rings(dev);
	free(dev);
}

const struct nic_queue_stats *igb_queue_counters(const struct igb_dev *dev)
{
	return &dev->ring_st;
}

void igb_stats(struct igb_dev *dev, struct igb_stats *out)
{
	igb_stats_fold(dev);
	igb_stats_ring(dev);
	*out = dev->st;
}

bool igb_link_up(struct igb_dev *dev, unsigned *speed_mbps)
{
	igb_read_link(dev);
	if (speed_mbps)
		*speed_mbps = dev->speed;
	return dev->link_up;
}

void igb_mac(const struct igb_dev *dev, uint8_t mac[6]) { memcpy(mac, dev->mac, 6); }

/* ====================================================================
 * Hot path: receive (§7.1.5) and transmit (§7.2.2) over advanced
 * descriptors.  The loops are driver/adv_ring.c, shared with the 82599
 * driver (82599 §7.1.6, §7.2.3.2.4: the same formats); here they get this
 * port's tail registers.
 * ==================================================================== */

unsigned igb_rx_batch(struct igb_dev *dev, struct packet **out, unsigned n)
{
	return adv_rx_batch(&dev->rxq, dev->r, RDT, &dev->ring_st, out, n);   /* §8.10 RDT */
}

unsigned igb_tx_batch(struct igb_dev *dev, struct packet **pkts, unsigned n)
{
	return adv_tx_batch(&dev->txq, dev->r, TDT, &dev->ring_st, pkts, n);  /* §8.12 TDT */
}

unsigned igb_tx_reclaim(struct igb_dev *dev)
{
	return adv_tx_reclaim(&dev->txq);
}

unsigned igb_tx_room(struct igb_dev *dev)
{
	return adv_tx_room(&dev->txq);
}

/* ====================================================================
 * The driver interface (driver/nic.h): one queue pair, so q is always 0
 * (the app asks for no more: max_rxq = max_txq = 1).
 * ==================================================================== */

static struct igb_dev *ig(struct nic_dev *dev) { return (struct igb_dev *)dev; }
static const struct igb_dev *cig(const struct nic_dev *dev) { return (const struct igb_dev *)dev; }

static void to_nic_stats(const struct igb_stats *st, struct nic_stats *out)
{
	*out = (struct nic_stats){
		.rx_good = st->gprc, .tx_good = st->gptc,
		.rx_good_bytes = st->gorc, .tx_good_bytes = st->gotc,
		.missed = st->mpc, .rx_nodesc = st->rqdpc, .rx_nodesc_q = { st->rqdpc },
		.crc_errors = st->crcerrs,
		.rx_packets = st->rx_packets, .rx_bytes = st->rx_bytes,
		.tx_packets = st->tx_packets, .tx_bytes = st->tx_bytes,
		.rx_nobuf = st->rx_nobuf, .rx_badlen = st->rx_badlen, .tx_badlen = st->tx_badlen,
		.rx_lost = st->rx_lost, .tx_lost = st->tx_lost,
		.resets = st->resets, .link_changes = st->link_changes,
	};
}

static struct nic_dev *igb_nic_open(struct device *d, const struct nic_config *cfg, char *err,
                               size_t errlen)
{
	return (struct nic_dev *)igb_open(d, cfg, err, errlen);
}

static void igb_nic_close(struct nic_dev *dev, struct nic_stats *final)
{
	struct igb_stats st;
	igb_close(ig(dev), &st);
	if (final)
		to_nic_stats(&st, final);
}

static unsigned igb_nic_rx_batch(struct nic_dev *dev, unsigned q, struct packet **out, unsigned n)
{
	return igb_rx_batch(ig(dev), out, n);
}

static unsigned igb_nic_tx_batch(struct nic_dev *dev, unsigned q, struct packet **pkts, unsigned n)
{
	return igb_tx_batch(ig(dev), pkts, n);
}

static unsigned igb_nic_tx_room(struct nic_dev *dev, unsigned q) { return igb_tx_room(ig(dev)); }
static int igb_nic_poll(struct nic_dev *dev) { return igb_poll(ig(dev)); }

static const struct nic_queue_stats *igb_nic_queue_stats(const struct nic_dev *dev, unsigned q)
{
	return igb_queue_counters(cig(dev));
}

static void igb_nic_stats(struct nic_dev *dev, struct nic_stats *out)
{
	struct igb_stats st;
	igb_stats(ig(dev), &st);
	to_nic_stats(&st, out);
}

static bool igb_nic_link(struct nic_dev *dev, unsigned *speed) { return igb_link_up(ig(dev), speed); }
static void igb_nic_mac(const struct nic_dev *dev, uint8_t mac[6]) { igb_mac(cig(dev), mac); }

const struct nic_driver igb_driver = {
	.name = "igb",
	.family = "Intel 82576/I350",
	.max_rxq = 1,
	.max_txq = 1,
	.open = igb_nic_open,
	.close = igb_nic_close,
	.rx_batch = igb_nic_rx_batch,
	.tx_batch = igb_nic_tx_batch,
	.tx_room = igb_nic_tx_room,
	.poll = igb_nic_poll,
	.queue_stats = igb_nic_queue_stats,
	.stats = igb_nic_stats,
	.link = igb_nic_link,
	.mac = igb_nic_mac,
};
