/* adv_ring.h -- advanced descriptor rings, shared by ixgbe and igb.
 *
 * The 82599 and the 82576/I350 use the same 16-byte "advanced" receive and
 * transmit descriptors:
 *   receive   82599 datasheet §7.1.6   = 82576 datasheet §7.1.5
 *   transmit  82599 datasheet §7.2.3.2.4 = 82576 datasheet §7.2.2.3
 * so the part of the driver that only talks to descriptors is one piece of
 * code: the RX batch loop, the TX batch loop, the TX reclaim, and giving
 * the in-ring buffers back at close.  Everything that touches a register
 * other than a tail stays in driver/ixgbe.c and driver/igb.c (offsets,
 * bring-up, statistics, recovery); the hot path gets the `struct regs` and
 * the tail register's offset from its caller.
 *
 * Contract: one ring is a single-producer/single-consumer queue shared with
 * the device.  The driver (one thread) produces -- RX buffers, TX frames --
 * and moves the tail; the device consumes, moves the head, and reports
 * completion with DD in the descriptor.  Sizes are powers of two, at least
 * ADV_MIN_RING; `next` and `clean` are free-running counters, masked to
 * index the ring.  Nothing is dropped silently: every frame refused is
 * counted in struct nic_queue_stats.
 */
#ifndef KVICK_ADV_RING_H
#define KVICK_ADV_RING_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>

#include "../core/packet.h"
#include "nic.h"
#include "regs.h"

#define ADV_MIN_RING     64    /* smallest ring the drivers accept */
#define ADV_RX_BATCH     128   /* descriptors examined per adv_rx_batch() */
#define ADV_TX_RS_EVERY  32    /* RS (report status) on every 32nd TX descriptor */

/* The RX buffer size told to the device (SRRCTL.BSIZEPACKET, 1 KB units, on
 * both devices).  It must never exceed the room a packet has at its default
 * headroom, or a long frame would be written past the end of the buffer. */
#define ADV_RX_BUF_SIZE  PACKET_MAX_FRAME
static_assert(ADV_RX_BUF_SIZE % 1024 == 0, "BSIZEPACKET counts whole KB");
static_assert(ADV_RX_BUF_SIZE <= PACKET_DMA_ROOM, "the device may write ADV_RX_BUF_SIZE bytes");
static_assert(ADV_MIN_RING % ADV_TX_RS_EVERY == 0, "RS groups tile the TX ring");

/* ---- descriptors (16 bytes, little-endian, shared with the device) ---- */

/* Advanced receive descriptor: the driver writes the read format, the
 * device overwrites it with the write-back format. */
union adv_rx_desc {
	struct {
		uint64_t pkt_addr;   /* packet buffer IOVA */
		uint64_t hdr_addr;   /* header buffer; 0 -- bit 0 becomes DD */
	} read;
	struct {
		uint32_t info;       /* packet type, RSS type */
		uint32_t rss_hash;   /* (82576: or IP id + checksum) */
		uint32_t status_error; /* STATUS [19:0], ERRORS [31:20] */
		uint16_t length;     /* bytes written to this buffer */
		uint16_t vlan;
	} wb;
};
#define ADV_RXD_STAT_DD  (1u << 0)  /* descriptor done */
#define ADV_RXD_STAT_EOP (1u << 1)  /* end of packet */

/* Advanced transmit data descriptor, and its write-back. */
union adv_tx_desc {
	struct {
		uint64_t buffer_addr;
		uint32_t cmd_type_len; /* DTALEN [15:0], DTYP [23:20], DCMD [31:24] */
		uint32_t olinfo_status;/* PAYLEN [31:14] */
	} read;
	struct {
		uint64_t rsvd;
		uint32_t nxtseq_seed;
		uint32_t status;       /* STA: bit 0 DD */
	} wb;
};
#define ADV_TXD_DTYP_DATA (3u << 20)  /* advanced data descriptor */
#define ADV_TXD_CMD_EOP  (1u << 24)   /* end of packet */
#define ADV_TXD_CMD_IFCS (1u << 25)   /* insert FCS: without it nothing valid leaves */
#define ADV_TXD_CMD_RS   (1u << 27)   /* report status: write DD back */
#define ADV_TXD_CMD_DEXT (1u << 29)   /* advanced descriptor format */
#define ADV_TXD_PAYLEN_SHIFT 14
#define ADV_TXD_STAT_DD  (1u << 0)

static_assert(sizeof(union adv_rx_desc) == 16, "RX descriptor is 16 bytes");
static_assert(sizeof(union adv_tx_desc) == 16, "TX descriptor is 16 bytes");

/* ---- ring state ---- */

/* The driver's own counters for one ring pair, exact at any time, are
 * struct nic_queue_stats (driver/nic.h): the hot path counts into them. */

struct adv_rxq {
	volatile union adv_rx_desc *ring;
	struct packet **bufs;      /* bufs[i]: the packet descriptor i points at */
	uint32_t size, mask;
	uint32_t next;             /* next descriptor to look at (free-running) */
	bool discarding;           /* inside a bad multi-descriptor frame */
};

struct adv_txq {
	volatile union adv_tx_desc *ring;
	struct packet **bufs;      /* bufs[i]: the packet descriptor i sends */
	uint32_t size, mask;
	uint32_t next;             /* next free descriptor (free-running) */
	uint32_t clean;            /* oldest descriptor not yet given back */
};

/* ---- setup and teardown ---- */

/* Allocate a ring of `size` descriptors in DMA memory (128-byte aligned,
 * the rule for ring bases on both devices) and its buffer table.  Returns 0,
 * or -1 with nothing to undo but adv_*q_free(). */
int adv_rxq_alloc(struct adv_rxq *rxq, uint32_t size);
int adv_txq_alloc(struct adv_txq *txq, uint32_t size);
/* Free the buffer tables (the descriptor memory lives as long as the
 * process: there is no mem_free).  Safe on a ring never allocated. */
void adv_rxq_free(struct adv_rxq *rxq);
void adv_txq_free(struct adv_txq *txq);

/* Give every descriptor a fresh packet (read format, header address 0,
 * which also clears DD) and start at descriptor 0.  Returns how many
 * packets the freelist had: on a short freelist (< size) nothing is kept. */
uint32_t adv_rxq_fill(struct adv_rxq *rxq);
/* An empty TX ring. */
void adv_txq_reset(struct adv_txq *txq);

/* Received frames the ring holds (DD and EOP set, not yet handed over):
 * what a reset or close loses. */
uint64_t adv_rx_pending(const struct adv_rxq *rxq);
/* The device says it has fetched everything before `head` (TDH): free those
 * buffers.  A head outside what is in flight is not believed.  Returns how
 * many frames stay unconfirmed. */
uint32_t adv_tx_free_to_head(struct adv_txq *txq, uint32_t head);
/* Give every packet still in a ring back to the freelist.  The device must
 * be stopped (reset) so it cannot write into them afterwards. */
void adv_rxq_release(struct adv_rxq *rxq);
void adv_txq_release(struct adv_txq *txq);

/* ---- the hot path ---- */

/* Receive up to n (<= ADV_RX_BATCH) frames into out[], refill their
 * descriptors, and write the tail register `rdt` once.  Returns how many;
 * the caller owns them. */
unsigned adv_rx_batch(struct adv_rxq *rxq, const struct regs *r, uint32_t rdt,
                      struct nic_queue_stats *st, struct packet **out, unsigned n);

/* Queue up to n frames, one data descriptor each, and write the tail
 * register `tdt` once.  Returns how many it took from the front of pkts[];
 * the caller still owns the rest.  A frame of length 0 (no valid descriptor
 * carries it) is taken, freed and counted in tx_badlen. */
unsigned adv_tx_batch(struct adv_txq *txq, const struct regs *r, uint32_t tdt,
                      struct nic_queue_stats *st, struct packet **pkts, unsigned n);

/* Give back TX buffers the device has sent; returns packets freed. */
unsigned adv_tx_reclaim(struct adv_txq *txq);

/* Free TX descriptors after reclaiming: how many frames the next
 * adv_tx_batch() takes for sure. */
unsigned adv_tx_room(struct adv_txq *txq);

#endif
