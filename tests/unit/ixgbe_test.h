/* ixgbe_test.h -- helpers shared by the tests/unit/test_ixgbe_*.c programs:
 * open a model port with the real driver, build numbered frames whose
 * bytes can be checked exactly, and move frames between two ports. */
#ifndef KVICK_IXGBE_TEST_H
#define KVICK_IXGBE_TEST_H

#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/packet.h"
#include "driver/device.h"
#include "driver/ixgbe.h"
#include "hw-sim/sim.h"
#include "frames.h"

struct port {
	struct device dev;
	struct ixgbe_dev *ix;
};

static inline struct ixgbe_config test_config(void)
{
	struct ixgbe_config c = {
		.rxq = 1, .txq = 1, .rx_ring = 512, .tx_ring = 512, .mtu = 9000,
		.promisc = true, .wait_link_ms = 1000,
	};
	return c;
}

static inline void port_open(struct port *p, const char *spec, const struct ixgbe_config *c)
{
	char err[256];
	memset(p, 0, sizeof(*p));
	if (device_open(spec, &p->dev, err, sizeof(err)) < 0)
		fail_msg("device_open(%s): %s", spec, err);
	p->ix = ixgbe_open(&p->dev, c, err, sizeof(err));
	if (!p->ix)
		fail_msg("ixgbe_open(%s): %s", spec, err);
}

/* Two ports cabled together: the first one's link can only come up once
 * the second is set up too, so wait for it after both are open. */
static inline void port_open_pair(struct port *a, const char *spec_a, struct port *b,
                                  const char *spec_b, const struct ixgbe_config *c)
{
	struct ixgbe_config first = *c;
	first.wait_link_ms = 0;
	port_open(a, spec_a, &first);
	port_open(b, spec_b, c);
	uint64_t deadline = now_ns() + 2000000000ull;
	while (!ixgbe_link_up(a->ix, NULL) && now_ns() < deadline)
		;
	assert_true(ixgbe_link_up(a->ix, NULL));
}

static inline void port_close(struct port *p, struct ixgbe_stats *final)
{
	ixgbe_close(p->ix, final);
	device_close(&p->dev);
	p->ix = NULL;
}

static inline struct packet *frame_packet(uint64_t seq, unsigned len)
{
	struct packet *p = packet_alloc();
	assert_non_null(p);
	p->length = (uint16_t)len;
	frame_fill(packet_data(p), seq, len);
	return p;
}

/* Poll rx until `want` frames arrived or timeout_ms passed; frees them and
 * returns how many came.  Checks each against the expected sequence when
 * check_seq is not NULL (advancing it). */
static inline unsigned rx_drain(struct ixgbe_dev *ix, unsigned q, unsigned want,
                                unsigned timeout_ms, uint64_t *check_seq)
{
	struct packet *pkts[IXGBE_RX_BATCH];
	unsigned got = 0;
	uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000;
	while (got < want && now_ns() < deadline) {
		unsigned n = ixgbe_rx_batch(ix, q, pkts, IXGBE_RX_BATCH);
		for (unsigned i = 0; i < n; i++) {
			if (check_seq) {
				uint64_t s;
				memcpy(&s, packet_data(pkts[i]) + 14, 8);
				if (!frame_check(packet_data(pkts[i]), *check_seq, pkts[i]->length))
					fail_msg("frame %llu: wrong bytes (seq field %llu, length %u)",
					         (unsigned long long)*check_seq, (unsigned long long)s,
					         pkts[i]->length);
				(*check_seq)++;
			}
		}
		packet_free_batch(pkts, n);
		got += n;
		if (n == 0)
			ixgbe_tx_reclaim(ix, 0);
	}
	return got;
}

/* Send n frames (seq first_seq.., length len) on tx queue 0, retrying while
 * the ring is full; returns how many the ring accepted (all, unless the
 * ring stays full for timeout_ms). */
static inline unsigned tx_frames(struct ixgbe_dev *ix, uint64_t first_seq, unsigned n,
                                 unsigned len, unsigned timeout_ms)
{
	unsigned sent = 0;
	uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000;
	while (sent < n && now_ns() < deadline) {
		struct packet *pkts[32];
		unsigned k = n - sent < 32 ? n - sent : 32;
		for (unsigned i = 0; i < k; i++)
			pkts[i] = frame_packet(first_seq + sent + i, len);
		unsigned took = ixgbe_tx_batch(ix, 0, pkts, k);
		packet_free_batch(pkts + took, k - took);
		sent += took;
	}
	return sent;
}

/* Move n numbered frames from tx (queue 0) to rx (queue 0), at most
 * max_inflight between them so the RX ring never overflows, checking every
 * received frame byte for byte and in order.  len_of(seq) gives each
 * frame's length.  Stops after timeout_ms; returns frames received. */
struct pump_result { uint64_t sent, received, bytes; };
static inline void pump(struct ixgbe_dev *tx, struct ixgbe_dev *rx, uint64_t n,
                        unsigned (*len_of)(uint64_t), unsigned max_inflight,
                        unsigned timeout_ms, struct pump_result *res)
{
	struct packet *pkts[IXGBE_RX_BATCH];
	uint64_t seq_tx = 0, seq_rx = 0, bytes = 0;
	uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000;
	unsigned spins = 0;
	while (seq_rx < n) {
		if ((++spins & 1023) == 0 && now_ns() > deadline)
			break;
		uint64_t inflight = seq_tx - seq_rx;
		if (seq_tx < n && inflight < max_inflight) {
			unsigned k = 32;
			if (k > n - seq_tx)
				k = (unsigned)(n - seq_tx);
			if (k > max_inflight - inflight)
				k = (unsigned)(max_inflight - inflight);
			unsigned got = packet_alloc_batch(pkts, k);
			assert_int_equal(got, k);
			for (unsigned i = 0; i < k; i++) {
				unsigned len = len_of(seq_tx + i);
				pkts[i]->length = (uint16_t)len;
				frame_fill(packet_data(pkts[i]), seq_tx + i, len);
			}
			unsigned took = ixgbe_tx_batch(tx, 0, pkts, k);
			packet_free_batch(pkts + took, k - took);
			seq_tx += took;
		}
		unsigned m = ixgbe_rx_batch(rx, 0, pkts, IXGBE_RX_BATCH);
		for (unsigned i = 0; i < m; i++) {
			struct packet *p = pkts[i];
			if (p->length != len_of(seq_rx) || !frame_check(packet_data(p), seq_rx, p->length))
				fail_msg("frame %llu: length %u (want %u) or bytes differ",
				         (unsigned long long)seq_rx, p->length, len_of(seq_rx));
			bytes += p->length;
			seq_rx++;
		}
		packet_free_batch(pkts, m);
	}
	res->sent = seq_tx;
	res->received = seq_rx;
	res->bytes = bytes;
}

/* cmocka setup/teardown: memory, pattern, and a clean model per test. */
static inline int ixgbe_test_setup(void **st)
{
	test_pattern_init();
	sim_violations_clear();
	return 0;
}

static inline int ixgbe_test_teardown(void **st)
{
	sim_shutdown();
	assert_int_equal(freelist_outstanding(), 0);
	return 0;
}

#endif
