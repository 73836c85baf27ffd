/* nic.h -- the one interface every NIC driver implements.
 *
 * The `intel` app (apps/intel.c) drives a port through this table and knows
 * no driver by name.  A driver (ixgbe.c, igb.c, i40e.c) fills one
 * `struct nic_driver`; driver/nic_ids.c maps PCI IDs to drivers.  Adding a
 * NIC means one driver file and its lines in that table.
 *
 * Life of a port:
 *   nic_find(vendor, device)   which driver (or why none) for this PCI ID;
 *   drv->open(d, cfg)          bring-up, queues started with full RX rings;
 *   drv->rx_batch / tx_batch   the hot path: one tail write per call;
 *   drv->tx_room               how many frames the next tx_batch takes;
 *   drv->poll                  housekeeping a few times a second (statistics
 *                              folded to 64 bits, link, recovery);
 *   drv->stats / link / mac    what the app reports;
 *   drv->close(dev, final)     queues stopped, device quiesced, every packet
 *                              in the rings back on the freelist and counted.
 *
 * Threading: a port's queues are driven from one thread.  Ownership: a
 * packet given to tx_batch belongs to the ring until the device reports it
 * sent; packets from rx_batch belong to the caller.  Nothing is dropped
 * silently: every frame a driver refuses is counted in nic_queue_stats or
 * nic_stats.
 */
#ifndef KVICK_NIC_H
#define KVICK_NIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/packet.h"
#include "device.h"

#define NIC_MAX_QUEUES 16      /* queue pairs a port can use through the app */
#define NIC_RX_BATCH   128     /* most frames one rx_batch() call returns */

/* What the app asks of a port; belongs to no one driver.  A driver refuses
 * (open fails, with the reason) what its device cannot do. */
struct nic_config {
	unsigned rxq, txq;         /* queues, 1..NIC_MAX_QUEUES (RSS when rxq > 1) */
	unsigned rx_ring, tx_ring; /* descriptors per ring; 0: the driver's default */
	unsigned mtu;              /* largest IP packet, 68..9000 */
	bool promisc;              /* accept every unicast and multicast frame */
	bool set_mac;              /* program mac[] as the port's address */
	uint8_t mac[6];
	unsigned wait_link_ms;     /* 0: don't wait for the link at open */
};

/* The driver's own counters for one queue pair, exact at any time and
 * cheap to read (no register access). */
struct nic_queue_stats {
	uint64_t rx_packets, rx_bytes;  /* handed to the caller */
	uint64_t rx_nobuf;    /* frames dropped: no fresh buffer to refill with */
	uint64_t rx_badlen;   /* descriptors dropped: impossible length, or part of a frame without EOP */
	uint64_t tx_packets, tx_bytes;  /* accepted into the TX ring */
	uint64_t tx_badlen;   /* frames of length 0 taken, freed and counted, never sent */
};

/* A port's statistics, 64-bit whatever width the device's registers have. */
struct nic_stats {
	/* the device's counters, folded in by poll()/stats() */
	uint64_t rx_good, tx_good;           /* good frames received / transmitted */
	uint64_t rx_good_bytes, tx_good_bytes;
	uint64_t missed;                     /* no room in the device's RX packet buffer */
	uint64_t rx_nodesc;                  /* dropped: no free RX descriptor, whole port */
	uint64_t rx_nodesc_q[NIC_MAX_QUEUES];/* the same per queue, where the device counts it (else 0) */
	uint64_t crc_errors;
	/* the driver's: sums over the queues of nic_queue_stats */
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
	uint64_t rx_nobuf, rx_badlen, tx_badlen;
	/* the port's life */
	uint64_t rx_lost;      /* frames received but still in a ring at a reset or close */
	uint64_t tx_lost;      /* frames queued but not confirmed sent at a reset or close */
	uint64_t resets;       /* device resets noticed and recovered from */
	uint64_t link_changes;
};

struct nic_dev;   /* a driver's own state; each driver defines it */

struct nic_driver {
	const char *name;          /* "ixgbe", "igb", "i40e" */
	const char *family;        /* for messages: "Intel 82599" */
	unsigned max_rxq, max_txq; /* queues the driver can use, <= NIC_MAX_QUEUES */
	struct nic_dev *(*open)(struct device *d, const struct nic_config *cfg,
	                        char *err, size_t errlen);
	void (*close)(struct nic_dev *dev, struct nic_stats *final);
	unsigned (*rx_batch)(struct nic_dev *dev, unsigned q, struct packet **out, unsigned n);
	unsigned (*tx_batch)(struct nic_dev *dev, unsigned q, struct packet **pkts, unsigned n);
	unsigned (*tx_room)(struct nic_dev *dev, unsigned q);
	int (*poll)(struct nic_dev *dev);     /* 0, or -1: the device could not be brought back */
	const struct nic_queue_stats *(*queue_stats)(const struct nic_dev *dev, unsigned q);
	void (*stats)(struct nic_dev *dev, struct nic_stats *out);
	bool (*link)(struct nic_dev *dev, unsigned *speed_mbps);
	void (*mac)(const struct nic_dev *dev, uint8_t mac[6]);
};

/* One row of the PCI ID table (driver/nic_ids.c). */
struct nic_pci_id {
	uint16_t vendor, device;
	const char *name;              /* "82599ES SFP+" */
	const struct nic_driver *drv;  /* NULL: known, but refused -- see why */
	const char *why;               /* the refusal, saying what to do instead */
};

/* The row for this PCI ID, or NULL for a device kvick does not know. */
const struct nic_pci_id *nic_find(uint16_t vendor, uint16_t device);
/* Every row, for `kvick pci` and the docs; *n gets the count. */
const struct nic_pci_id *nic_ids(size_t *n);

#endif
