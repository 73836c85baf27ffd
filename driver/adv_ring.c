/* adv_ring.c -- advanced descriptor rings, shared by ixgbe and igb.
 *
 * The descriptor formats are the 82599's §7.1.6 / §7.2.3.2.4 and the
 * 82576's §7.1.5 / §7.2.2.3 (the same layouts and bits); adv_ring.h says
 * what is shared and what stays in the drivers.  The only register this
 * file touches is the tail its caller names, once per batch.
 *
 * The device is never trusted: a write-back with an impossible length or a
 * frame spread over several descriptors is dropped and counted.
 */
#include "adv_ring.h"

#include <stdlib.h>
#include <string.h>

#include "../core/memory.h"

#define unlikely(x) __builtin_expect(!!(x), 0)

/* ====================================================================
 * Setup and teardown
 * ==================================================================== */

int adv_rxq_alloc(struct adv_rxq *rxq, uint32_t size)
{
	rxq->size = size;
	rxq->mask = size - 1;
	rxq->ring = mem_alloc_dma(size * sizeof(union adv_rx_desc), 128);
	rxq->bufs = calloc(size, sizeof(rxq->bufs[0]));
	return rxq->ring && rxq->bufs ? 0 : -1;
}

int adv_txq_alloc(struct adv_txq *txq, uint32_t size)
{
	txq->size = size;
	txq->mask = size - 1;
	txq->ring = mem_alloc_dma(size * sizeof(union adv_tx_desc), 128);
	txq->bufs = calloc(size, sizeof(txq->bufs[0]));
	return txq->ring && txq->bufs ? 0 : -1;
}

void adv_rxq_free(struct adv_rxq *rxq)
{
	free(rxq->bufs);
	rxq->bufs = NULL;
}

void adv_txq_free(struct adv_txq *txq)
{
	free(txq->bufs);
	txq->bufs = NULL;
}

uint32_t adv_rxq_fill(struct adv_rxq *rxq)
{
	uint32_t got = packet_alloc_batch(rxq->bufs, rxq->size);
	if (got < rxq->size) {
		packet_free_batch(rxq->bufs, got);
		memset(rxq->bufs, 0, rxq->size * sizeof(rxq->bufs[0]));
		return got;
	}
	for (uint32_t i = 0; i < rxq->size; i++) {
		rxq->ring[i].read.pkt_addr = packet_dma_addr(rxq->bufs[i]);
		rxq->ring[i].read.hdr_addr = 0;
	}
	rxq->next = 0;
	rxq->discarding = false;
	return got;
}

void adv_txq_reset(struct adv_txq *txq)
{
	txq->next = txq->clean = 0;
}

uint64_t adv_rx_pending(const struct adv_rxq *rxq)
{
	uint64_t frames = 0;
	for (uint32_t i = 0; i < rxq->size - 1; i++) {
		uint32_t status = rxq->ring[(rxq->next + i) & rxq->mask].wb.status_error;
		if (!(status & ADV_RXD_STAT_DD))
			break;
		if (status & ADV_RXD_STAT_EOP)
			frames++;
	}
	return frames;
}

uint32_t adv_tx_free_to_head(struct adv_txq *txq, uint32_t head)
{
	uint32_t sent = (head - txq->clean) & txq->mask;
	if (sent > txq->next - txq->clean)
		sent = 0;        /* a head we do not believe: count everything as lost */
	for (uint32_t i = 0; i < sent; i++, txq->clean++) {
		packet_free(txq->bufs[txq->clean & txq->mask]);
		txq->bufs[txq->clean & txq->mask] = NULL;
	}
	return txq->next - txq->clean;
}

void adv_rxq_release(struct adv_rxq *rxq)
{
	for (uint32_t i = 0; rxq->bufs && i < rxq->size; i++)
		if (rxq->bufs[i]) {
			packet_free(rxq->bufs[i]);
			rxq->bufs[i] = NULL;
		}
}

void adv_txq_release(struct adv_txq *txq)
{
	for (; txq->bufs && txq->clean != txq->next; txq->clean++) {
		uint32_t i = txq->clean & txq->mask;
		packet_free(txq->bufs[i]);
		txq->bufs[i] = NULL;
	}
}

/* ====================================================================
 * Receive (82599 §7.1.6, 82576 §7.1.5)
 * ==================================================================== */

unsigned adv_rx_batch(struct adv_rxq *rxq, const struct regs *r, uint32_t rdt,
                      struct nic_queue_stats *st, struct packet **out, unsigned n)
{
	uint32_t first = rxq->next & rxq->mask;
	/* One call looks at a contiguous run of descriptors and stops at the
	 * end of the ring: plain indexes in the loops, and the next call
	 * starts at descriptor 0.  (A ring holds at least 64 descriptors.) */
	if (n > ADV_RX_BATCH)
		n = ADV_RX_BATCH;
	if (n > rxq->size - first)
		n = rxq->size - first;
	volatile union adv_rx_desc *desc = rxq->ring + first;
	struct packet **bufs = rxq->bufs + first;

	/* 1. How many descriptors has the device finished? */
	unsigned ready = 0;
	while (ready < n && (desc[ready].wb.status_error & ADV_RXD_STAT_DD))
		ready++;
	if (ready == 0)
		return 0;
	/* Acquire: the device writes the write-back body before DD (release);
	 * this keeps our loads of length and EOP below after the loads of DD. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);

	/* 2. Fresh buffers for the descriptors we take, in one call.  Short
	 * allocation is not fatal: those frames are dropped (rx_nobuf) and their
	 * buffers go straight back, so the ring never runs dry. */
	struct packet *fresh[ADV_RX_BATCH];
	unsigned nfresh = packet_alloc_batch(fresh, ready);

	/* 3. Hand over good frames, refill each descriptor. */
	unsigned got = 0;
	uint64_t bytes = 0;
	bool discarding = rxq->discarding;
	for (unsigned i = 0; i < ready; i++) {
		uint32_t status = desc[i].wb.status_error;
		uint32_t len = desc[i].wb.length;
		struct packet *p = bufs[i];
		/* Never trust the device: an empty frame, one longer than the
		 * buffer ((len - 1) wraps for 0), or one spread over several
		 * buffers (impossible with our 9 KB buffers and the drivers' frame
		 * limits) is dropped whole, up to and including the descriptor with
		 * EOP.  Counted per descriptor: each carried (part of) a frame we
		 * could not accept. */
		if (unlikely(discarding | !(status & ADV_RXD_STAT_EOP) |
		             (len - 1 >= ADV_RX_BUF_SIZE))) {
			st->rx_badlen++;
			discarding = !(status & ADV_RXD_STAT_EOP);
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
		desc[i].read.hdr_addr = 0;   /* clears DD for the next round */
	}
	rxq->discarding = discarding;
	if (unlikely(got < nfresh))
		packet_free_batch(fresh + got, nfresh - got);
	st->rx_packets += got;
	st->rx_bytes += bytes;

	/* 4. Give the refilled descriptors back: one tail write.  Tail stays one
	 * behind `next` so head never catches up with it on a full ring. */
	rxq->next += ready;
	__atomic_thread_fence(__ATOMIC_RELEASE);   /* descriptors before tail */
	reg_write(r, rdt, (rxq->next - 1) & rxq->mask); /* 82599 §8.2.3.8.5 / 82576 §8.10 RDT */
	return got;
}

/* ====================================================================
 * Transmit (82599 §7.2.3, 82576 §7.2.2)
 * ==================================================================== */

/* RS is set on every ADV_TX_RS_EVERY-th descriptor (index % 32 == 31), so
 * the device writes DD back once per 32 frames and we free them 32 at a
 * time.  `clean` therefore always sits on a multiple of 32. */
unsigned adv_tx_reclaim(struct adv_txq *txq)
{
	unsigned freed = 0;
	while (txq->next - txq->clean >= ADV_TX_RS_EVERY) {
		uint32_t first = txq->clean & txq->mask;
		uint32_t last = first + ADV_TX_RS_EVERY - 1;
		if (!(txq->ring[last].wb.status & ADV_TXD_STAT_DD))
			break;
		/* Acquire: the device read the buffers before it wrote DD. */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		packet_free_batch(&txq->bufs[first], ADV_TX_RS_EVERY);
		txq->clean += ADV_TX_RS_EVERY;
		freed += ADV_TX_RS_EVERY;
	}
	return freed;
}

/* At most size - 1 in flight: head == tail means "empty" to the device. */
unsigned adv_tx_room(struct adv_txq *txq)
{
	adv_tx_reclaim(txq);
	return txq->size - 1 - (txq->next - txq->clean);
}

/* Write descriptors for pkts[0..n) at ring positions first..first+n-1
 * (contiguous, no wrap), stopping before a frame of length 0 (DTALEN 0 is
 * not a valid descriptor).  Returns how many were written and adds their
 * bytes to *bytes. */
static unsigned tx_fill(struct adv_txq *txq, uint32_t first, struct packet **pkts, unsigned n,
                        uint64_t *bytes)
{
	volatile union adv_tx_desc *desc = txq->ring + first;
	struct packet **bufs = txq->bufs + first;
	uint64_t sum = 0;
	unsigned i;
	for (i = 0; i < n; i++) {
		struct packet *p = pkts[i];
		uint32_t len = p->length;
		if (unlikely(len == 0))
			break;
		bufs[i] = p;
		desc[i].read.buffer_addr = packet_dma_addr(p);
		desc[i].read.cmd_type_len = ADV_TXD_DTYP_DATA | ADV_TXD_CMD_DEXT | ADV_TXD_CMD_IFCS |
		                            ADV_TXD_CMD_EOP | len;
		desc[i].read.olinfo_status = len << ADV_TXD_PAYLEN_SHIFT;
		sum += len;
	}
	/* RS on the descriptors at index 31, 63, ... of this run (see
	 * adv_tx_reclaim): one loop step per 32 frames, not a test per frame. */
	for (uint32_t k = ADV_TX_RS_EVERY - 1 - first % ADV_TX_RS_EVERY; k < i;
	     k += ADV_TX_RS_EVERY)
		desc[k].read.cmd_type_len |= ADV_TXD_CMD_RS;
	*bytes += sum;
	return i;
}

unsigned adv_tx_batch(struct adv_txq *txq, const struct regs *r, uint32_t tdt,
                      struct nic_queue_stats *st, struct packet **pkts, unsigned n)
{
	uint32_t room = adv_tx_room(txq);
	if (n > room)
		n = room;
	if (n == 0)
		return 0;
	/* Up to the end of the ring, then (if the batch wraps) from index 0. */
	uint32_t first = txq->next & txq->mask;
	unsigned part = n < txq->size - first ? n : txq->size - first;
	uint64_t bytes = 0;
	unsigned done = tx_fill(txq, first, pkts, part, &bytes);
	if (done == part && part < n)
		done += tx_fill(txq, 0, pkts + part, n - part, &bytes);
	if (unlikely(done == 0)) {
		/* pkts[0] is an empty frame: no descriptor can carry it.  Take it,
		 * free it and count it; the caller goes on with the next. */
		st->tx_badlen++;
		packet_free(pkts[0]);
		return 1;
	}
	txq->next += done;
	st->tx_packets += done;
	st->tx_bytes += bytes;
	__atomic_thread_fence(__ATOMIC_RELEASE);   /* descriptors before tail */
	reg_write(r, tdt, txq->next & txq->mask);  /* 82599 §8.2.3.9.9 / 82576 §8.12 TDT */
	return done;
}
