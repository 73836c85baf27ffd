/* igb.h -- driver for the Intel 82576 and I350 1 GbE controllers (igb family).
 *
 * Applications use it through `igb_driver`, its struct nic_driver
 * (driver/nic.h), which driver/nic_ids.c names for the copper ports' PCI
 * IDs.  The direct calls below are the same functions, for the driver's
 * white-box test (tests/unit/test_igb.c).  Life of a port:
 *   igb_open()      reset, PHY/link, RX/TX init, queue started with its ring
 *                   full of buffers from the freelist;
 *   igb_rx_batch()  / igb_tx_batch()  the hot path, one tail write per call;
 *   igb_poll()      housekeeping a few times a second: fold the clear-on-read
 *                   statistics in, follow the link, and bring the device
 *                   back if it was reset under us;
 *   igb_close()     disable the queues, reset the device, give every packet
 *                   in the rings back to the freelist.
 *
 * One receive and one transmit queue: the port is 1 Gb/s, which one core
 * keeps up with; RSS and VMDq are not used.
 *
 * Threading: a port is driven by one thread.  Each ring is a single-
 * producer/single-consumer ring shared with the device: the driver produces
 * RX buffers and TX frames (it writes the tail registers), the device
 * consumes them (it moves the head) and says so with the DD bit.
 *
 * Packets: a packet handed to igb_tx_batch() belongs to the ring until the
 * device reports it sent; packets igb_rx_batch() returns belong to the
 * caller.  Every frame the driver refuses is counted in struct igb_stats.
 */
#ifndef KVICK_IGB_H
#define KVICK_IGB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/packet.h"
#include "adv_ring.h"
#include "device.h"
#include "nic.h"

#define IGB_MIN_RING     64
#define IGB_MAX_RING     4096
#define IGB_DEFAULT_RING 512   /* rx_ring/tx_ring 0 */
#define IGB_RX_BATCH     ADV_RX_BATCH  /* descriptors examined per igb_rx_batch() (128) */
#define IGB_MAX_MTU      9000

/* Is this PCI ID an 82576 or I350 copper port this driver drives?  (Its
 * row in driver/nic_ids.c names igb_driver.) */
bool igb_supports(uint16_t vendor_id, uint16_t device_id);

/* The 82576/I350 behind the one driver interface (driver/nic.h). */
extern const struct nic_driver igb_driver;

/* The configuration is struct nic_config (driver/nic.h); the old name
 * stays for the driver's test.  Here: rxq, txq 1 (0 is taken as 1); rings
 * a power of two, 64..4096 (0: 512); mtu 68..9000, above 1500 turns on
 * RCTL.LPE; set_mac programs RAL0/RAH0. */
#define igb_config nic_config

/* 64-bit statistics.  The device's counters (clear on read) are folded in
 * by igb_poll()/igb_stats(); the driver's own are exact at any time. */
struct igb_stats {
	/* the device's (statistics registers) */
	uint64_t gprc, gptc;       /* good packets received / transmitted */
	uint64_t gorc, gotc;       /* good octets received / transmitted */
	uint64_t mpc;              /* missed: RX packet buffer full (MPC) */
	uint64_t rnbc;             /* RX frames that found no free descriptor (RNBC) */
	uint64_t rqdpc;            /* of those, dropped by the queue (RQDPC, Drop_En) */
	uint64_t crcerrs;          /* frames with a bad FCS (CRCERRS) */
	/* the driver's */
	uint64_t rx_packets, rx_bytes;  /* handed to the caller */
	uint64_t tx_packets, tx_bytes;  /* accepted into the TX ring */
	uint64_t rx_nobuf;         /* frames dropped: no fresh buffer to refill with */
	uint64_t rx_badlen;        /* descriptors dropped: length 0, > buffer, or no EOP */
	uint64_t tx_badlen;        /* frames of length 0: freed, never sent */
	uint64_t rx_lost;          /* frames received but still in the ring at a reset or close */
	uint64_t tx_lost;          /* frames queued but not confirmed sent at a reset or close */
	uint64_t resets;           /* device resets noticed and recovered from */
	uint64_t link_changes;
};

struct igb_dev;

/* Bring the port up.  Returns NULL with the reason in err. */
struct igb_dev *igb_open(struct device *d, const struct igb_config *cfg,
                         char *err, size_t errlen);

/* Let TX drain (bounded), disable the queues, reset the device, free every
 * packet in the rings.  Frames still in a ring are counted (rx_lost /
 * tx_lost) in the final statistics, copied to *final if not NULL.  Does not
 * close the struct device. */
void igb_close(struct igb_dev *dev, struct igb_stats *final);

/* Receive up to n (<= IGB_RX_BATCH) frames into out[].  Returns how many;
 * the caller owns them. */
unsigned igb_rx_batch(struct igb_dev *dev, struct packet **out, unsigned n);

/* Queue up to n frames for transmission.  Returns how many the ring took
 * (from the front of pkts[]); the caller still owns the rest.  Taken means
 * queued -- or, for a frame of length 0 (no valid descriptor carries it),
 * freed and counted in tx_badlen. */
unsigned igb_tx_batch(struct igb_dev *dev, struct packet **pkts, unsigned n);

/* Give back TX buffers the device has sent; returns packets freed. */
unsigned igb_tx_reclaim(struct igb_dev *dev);

/* Free TX descriptors after reclaiming: how many frames the next
 * igb_tx_batch() takes for sure. */
unsigned igb_tx_room(struct igb_dev *dev);

/* Housekeeping (statistics, link, recovery after a reset under us).
 * Returns 0, or -1 when the device could not be brought back (logged). */
int igb_poll(struct igb_dev *dev);

/* The driver's live counters (driver/adv_ring.h), without touching the
 * device: cheap enough to read after every batch. */
const struct nic_queue_stats *igb_queue_counters(const struct igb_dev *dev);

/* A consistent copy of the statistics (folds the registers in first). */
void igb_stats(struct igb_dev *dev, struct igb_stats *out);

/* Link state from STATUS; speed in Mb/s (0 when down). */
bool igb_link_up(struct igb_dev *dev, unsigned *speed_mbps);
void igb_mac(const struct igb_dev *dev, uint8_t mac[6]);

#endif
