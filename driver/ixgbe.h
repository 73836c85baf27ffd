/* ixgbe.h -- driver for the Intel 82599 10 GbE controller (ixgbe family).
 *
 * Applications use it through `ixgbe_driver`, its struct nic_driver
 * (driver/nic.h), which driver/nic_ids.c names for the 82599's PCI IDs.
 * The direct calls below are the same functions; the driver's white-box
 * tests (tests/unit/test_ixgbe_*) and `kvick bench ixgbe` use them, and
 * struct ixgbe_stats gives the device's counters by their datasheet names.
 *
 * Life of a port:
 *   ixgbe_open()      datasheet §4.6 bring-up: reset, link setup, RX/TX
 *                     init, queues started with their rings full of
 *                     buffers from the freelist;
 *   ixgbe_rx_batch()  / ixgbe_tx_batch()  the hot path, one tail write
 *                     per call (see below);
 *   ixgbe_poll()      housekeeping a few times a second: accumulate the
 *                     clear-on-read statistics, follow the link, notice a
 *                     device that was reset under us and bring it back;
 *   ixgbe_close()     disable queues, reset the device, give every packet
 *                     in the rings back to the freelist.
 *
 * Threading: a port is driven by one thread.  Each queue is a
 * single-producer/single-consumer ring shared with the device: the driver
 * produces RX buffers and TX frames (it writes the tail registers), the
 * device consumes them (it moves the head) and reports completion with the
 * DD bit in the descriptor.
 *
 * Packets: every packet handed to ixgbe_tx_batch() is owned by the ring
 * until the device reports it sent; ixgbe_rx_batch() hands over packets the
 * caller then owns.  Nothing is ever dropped silently: every frame the
 * driver refuses is counted in struct ixgbe_stats.
 */
#ifndef KVICK_IXGBE_H
#define KVICK_IXGBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/packet.h"
#include "adv_ring.h"
#include "device.h"
#include "nic.h"

#define IXGBE_MAX_QUEUES   16    /* RSS spreads over at most 16 queues (§7.1.2.8) */
#define IXGBE_MIN_RING     64
#define IXGBE_MAX_RING     4096
#define IXGBE_DEFAULT_RING 512   /* rx_ring/tx_ring 0 */
#define IXGBE_RX_BATCH     ADV_RX_BATCH    /* descriptors examined per ixgbe_rx_batch() (128) */
#define IXGBE_MAX_MTU      9000

static_assert(IXGBE_MAX_QUEUES <= NIC_MAX_QUEUES, "nic.h's queue arrays hold every queue");

/* The 82599 behind the one driver interface (driver/nic.h). */
extern const struct nic_driver ixgbe_driver;

/* The configuration is struct nic_config (driver/nic.h), which belongs to
 * no one driver; the old name stays for the driver's own tests.  Here:
 * rxq, txq 1..IXGBE_MAX_QUEUES; rings a power of two, 64..4096 (0: 512);
 * mtu 68..9000, above 1500 turns on jumbo frames (HLREG0.JUMBOEN). */
#define ixgbe_config nic_config

/* Accumulated 64-bit statistics.  The device's own counters (clear on read,
 * 32 or 36 bits wide) are folded in by ixgbe_poll()/ixgbe_stats(); the
 * driver's own counters are exact at any time. */
struct ixgbe_stats {
	/* the device's (§8.2.3.23) */
	uint64_t gprc, gptc;        /* good packets received / transmitted */
	uint64_t gorc, gotc;        /* good octets received / transmitted (with FCS) */
	uint64_t mpc;               /* missed: no room in the RX packet buffer (MPC) */
	uint64_t qprdc;             /* dropped: no free RX descriptor (QPRDC, all queues) */
	uint64_t qprdc_q[IXGBE_MAX_QUEUES];
	/* the driver's */
	uint64_t rx_packets, rx_bytes;      /* handed to the caller */
	uint64_t tx_packets, tx_bytes;      /* accepted into a TX ring */
	uint64_t tx_badlen;         /* frames of length 0: freed, never sent */
	uint64_t rx_nobuf;          /* frames dropped: no fresh buffer to refill with */
	uint64_t rx_badlen;         /* descriptors dropped: length 0, > buffer, or part of a frame without EOP */
	struct nic_queue_stats q[IXGBE_MAX_QUEUES];   /* per queue pair; the fields above sum them */
	uint64_t rx_lost;           /* frames received but still in the ring at a reset or close */
	uint64_t tx_lost;           /* frames queued but not confirmed sent at a reset or close */
	uint64_t resets;            /* device resets noticed and recovered from */
	uint64_t link_changes;
};

struct ixgbe_dev;

/* Bring the port up (§4.6).  Returns NULL with the reason in err. */
struct ixgbe_dev *ixgbe_open(struct device *d, const struct ixgbe_config *cfg,
                             char *err, size_t errlen);

/* Let TX drain (bounded), disable the queues, reset the device, free every
 * packet in the rings.  Frames still in a ring are counted (rx_lost /
 * tx_lost) in the final statistics, copied to *final if not NULL.  Does not
 * close the struct device. */
void ixgbe_close(struct ixgbe_dev *dev, struct ixgbe_stats *final);

/* Receive up to n (<= IXGBE_RX_BATCH) frames from RX queue q into out[].
 * Returns how many; the caller owns them. */
unsigned ixgbe_rx_batch(struct ixgbe_dev *dev, unsigned q, struct packet **out, unsigned n);

/* Queue up to n frames on TX queue q.  Returns how many it took from the
 * front of pkts[]; the caller still owns the rest.  Taken means queued for
 * sending -- or, for a frame of length 0 (no valid descriptor can carry
 * it), freed and counted in tx_badlen.  Frames longer than the link's MTU
 * are the caller's problem (the far end will drop them). */
unsigned ixgbe_tx_batch(struct ixgbe_dev *dev, unsigned q, struct packet **pkts, unsigned n);

/* Give back TX buffers the device has sent; returns packets freed. */
unsigned ixgbe_tx_reclaim(struct ixgbe_dev *dev, unsigned q);

/* Free TX descriptors on queue q after reclaiming: how many frames the
 * next ixgbe_tx_batch() will take for sure. */
unsigned ixgbe_tx_room(struct ixgbe_dev *dev, unsigned q);

/* Housekeeping: fold the statistics registers in, follow the link, and if
 * the device was reset (a queue we enabled reads back disabled) count what
 * the rings held and re-run the bring-up.  Returns 0, or -1 when the
 * device could not be brought back (logged). */
int ixgbe_poll(struct ixgbe_dev *dev);

/* The live counters of queue pair q (driver/adv_ring.h), without touching
 * the device: cheap enough to read after every batch. */
const struct nic_queue_stats *ixgbe_queue_counters(const struct ixgbe_dev *dev, unsigned q);

/* A consistent copy of the statistics (folds the registers in first, sums
 * the queues). */
void ixgbe_stats(struct ixgbe_dev *dev, struct ixgbe_stats *out);

/* Link state from LINKS (§8.2.3.22.20); speed in Mb/s (0 when down). */
bool ixgbe_link_up(struct ixgbe_dev *dev, unsigned *speed_mbps);
void ixgbe_mac(const struct ixgbe_dev *dev, uint8_t mac[6]);
unsigned ixgbe_rx_queues(const struct ixgbe_dev *dev);
unsigned ixgbe_tx_queues(const struct ixgbe_dev *dev);

#endif
