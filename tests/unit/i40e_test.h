/* i40e_test.h -- helpers shared by the tests/unit/test_i40e_*.c programs:
 * open an X710 model port with the real driver (through the nic_driver
 * table, as the intel app does), move numbered frames between two ports and
 * check them byte for byte, and catch the driver's log lines.
 * The frame helpers are those of the 82599 tests (ixgbe_test.h). */
#ifndef KVICK_I40E_TEST_H
#define KVICK_I40E_TEST_H

#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/engine.h"
#include "core/packet.h"
#include "driver/device.h"
#include "driver/drv_util.h"
#include "driver/i40e.h"
#include "hw-sim/sim.h"
#include "frames.h"

#define DRV (&i40e_driver)

struct xport {
	struct device dev;
	struct nic_dev *nd;
};

static inline struct nic_config x_config(void)
{
	struct nic_config c = {
		.rxq = 1, .txq = 1, .rx_ring = 512, .tx_ring = 512, .mtu = 9000,
		.promisc = true, .wait_link_ms = 1000,
	};
	return c;
}

/* Open; returns NULL and the driver's message in err when open fails. */
static inline struct nic_dev *x_try_open(struct xport *p, const char *spec,
                                         const struct nic_config *c, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	if (device_open(spec, &p->dev, err, errlen) < 0)
		fail_msg("device_open(%s): %s", spec, err);
	assert_int_equal(p->dev.device_id, 0x1572);
	p->nd = DRV->open(&p->dev, c, err, errlen);
	return p->nd;
}

static inline void x_open(struct xport *p, const char *spec, const struct nic_config *c)
{
	char err[512];
	if (!x_try_open(p, spec, c, err, sizeof(err)))
		fail_msg("i40e open(%s): %s", spec, err);
}

static inline bool x_link(struct xport *p)
{
	return DRV->link(p->nd, NULL);
}

static inline bool x_wait_link(struct xport *p, bool up, unsigned ms)
{
	uint64_t deadline = now_ns() + (uint64_t)ms * 1000000;
	do {
		if (x_link(p) == up)
			return true;
		drv_sleep_us(100);
	} while (now_ns() < deadline);
	return false;
}

/* Two cabled ports: the first one's link comes up once the second is set
 * up too, so wait for it after both are open. */
static inline void x_open_pair(struct xport *a, const char *spec_a, struct xport *b,
                               const char *spec_b, const struct nic_config *c)
{
	struct nic_config first = *c;
	first.wait_link_ms = 0;
	x_open(a, spec_a, &first);
	x_open(b, spec_b, c);
	bool up_a = x_wait_link(a, true, 2000), up_b = x_wait_link(b, true, 2000);
	if (!up_a || !up_b) {
		struct sim_port_stats ma, mb;
		sim_port_stats(0, &ma);
		sim_port_stats(1, &mb);
		fail_msg("link: driver a %d b %d, model a %d b %d", up_a, up_b, ma.link_up, mb.link_up);
	}
}

static inline void x_close(struct xport *p, struct nic_stats *final)
{
	DRV->close(p->nd, final);
	device_close(&p->dev);
	p->nd = NULL;
}

/* Move n numbered frames from tx (queue 0) to rx (queue 0), at most
 * max_inflight between them, checking every frame byte for byte and in
 * order; len_of(seq) gives each frame's length.  Polls both drivers every
 * 4096 rounds, as the intel app's housekeeping would. */
struct pump_result { uint64_t sent, received, bytes; };
static inline void pump(struct nic_dev *tx, struct nic_dev *rx, uint64_t n,
                        unsigned (*len_of)(uint64_t), unsigned max_inflight,
                        unsigned timeout_ms, struct pump_result *res)
{
	struct packet *pkts[NIC_RX_BATCH];
	uint64_t seq_tx = 0, seq_rx = 0, bytes = 0;
	uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000;
	unsigned spins = 0;
	while (seq_rx < n) {
		if ((++spins & 4095) == 0) {
			if (now_ns() > deadline)
				break;
			assert_int_equal(DRV->poll(tx), 0);
			assert_int_equal(DRV->poll(rx), 0);
		}
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
			unsigned took = DRV->tx_batch(tx, 0, pkts, k);
			packet_free_batch(pkts + took, k - took);
			seq_tx += took;
		}
		unsigned m = DRV->rx_batch(rx, 0, pkts, NIC_RX_BATCH);
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

/* Wait until the model has taken n frames off port's wire and DMA'd or
 * dropped each. */
static inline void wait_model_rx(unsigned port, uint64_t n)
{
	struct sim_port_stats m;
	uint64_t deadline = now_ns() + 2000000000ull;
	do {
		assert_int_equal(sim_port_stats(port, &m), 0);
		if (m.wire_rx_frames >= n && m.rx_frames + m.rx_drop_nodesc + m.rx_drop_disabled +
		                                 m.rx_drop_filter + m.rx_drop_error >= n)
			return;
	} while (now_ns() < deadline);
	fail_msg("model port %u: %llu of %llu frames arrived, %llu DMA'd", port,
	         (unsigned long long)m.wire_rx_frames, (unsigned long long)n,
	         (unsigned long long)m.rx_frames);
}

/* Send n frames (seq first_seq.., length len) on TX queue 0, retrying
 * while the ring is full; returns how many the ring took. */
static inline unsigned tx_frames(struct nic_dev *nd, uint64_t first_seq, unsigned n,
                                 unsigned len, unsigned timeout_ms)
{
	unsigned sent = 0;
	uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000;
	while (sent < n && now_ns() < deadline) {
		struct packet *pkts[32];
		unsigned k = n - sent < 32 ? n - sent : 32;
		unsigned got = packet_alloc_batch(pkts, k);
		assert_int_equal(got, k);
		for (unsigned i = 0; i < k; i++) {
			pkts[i]->length = (uint16_t)len;
			frame_fill(packet_data(pkts[i]), first_seq + sent + i, len);
		}
		unsigned took = DRV->tx_batch(nd, 0, pkts, k);
		packet_free_batch(pkts + took, k - took);
		sent += took;
	}
	return sent;
}

/* Receive on queue 0 until want frames came or timeout_ms passed; frees
 * them, checking each against *check_seq (advanced) when not NULL. */
static inline unsigned rx_drain(struct nic_dev *nd, unsigned want, unsigned timeout_ms,
                                uint64_t *check_seq)
{
	struct packet *pkts[NIC_RX_BATCH];
	unsigned got = 0;
	uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000;
	while (got < want && now_ns() < deadline) {
		unsigned n = DRV->rx_batch(nd, 0, pkts, NIC_RX_BATCH);
		for (unsigned i = 0; check_seq && i < n; i++, (*check_seq)++)
			if (!frame_check(packet_data(pkts[i]), *check_seq, pkts[i]->length))
				fail_msg("frame %llu: wrong bytes", (unsigned long long)*check_seq);
		packet_free_batch(pkts, n);
		got += n;
	}
	return got;
}

/* ---- the driver's log lines (stderr) ---- */

static char log_path[64];
static int log_saved_fd = -1;

static inline void log_capture_begin(void)
{
	fflush(stderr);
	snprintf(log_path, sizeof(log_path), "/tmp/kvick-i40e-test.%d.log", (int)getpid());
	FILE *f = fopen(log_path, "w");
	assert_non_null(f);
	log_saved_fd = dup(2);
	dup2(fileno(f), 2);
	fclose(f);
}

/* Stop capturing; returns what was logged (static buffer), and echoes it. */
static inline const char *log_capture_end(void)
{
	static char buf[16384];
	fflush(stderr);
	dup2(log_saved_fd, 2);
	close(log_saved_fd);
	FILE *f = fopen(log_path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	unlink(log_path);
	fputs(buf, stderr);
	return buf;
}

/* As assert_no_violations() (frames.h), but violations containing `known`
 * are only printed: for the model's reset window, where it refuses writes
 * "while a reset is in progress" before any register (GLGEN_RSTAT.DEVSTATE,
 * PFGEN_CTRL.PFSWR) shows that reset -- a window no driver can see. */
static inline void assert_no_violations_except(const char *known)
{
	unsigned other = 0;
	for (unsigned i = 0; i < sim_violation_count(); i++) {
		print_message("model violation: %s\n", sim_violation(i));
		other += strstr(sim_violation(i), known) == NULL;
	}
	assert_int_equal(other, 0);
}

static inline int x_setup(void **st)
{
	test_pattern_init();
	sim_violations_clear();
	return 0;
}

static inline int x_teardown(void **st)
{
	sim_shutdown();
	assert_int_equal(freelist_outstanding(), 0);
	return 0;
}

#endif
