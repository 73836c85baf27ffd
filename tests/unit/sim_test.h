/* sim_test.h -- programming the 82599 model by hand, for the hw-sim tests.
 *
 * No driver here: each helper is the datasheet step it names, written
 * with reg_read/reg_write on the model's BAR0, so the tests check the
 * model itself.  Rings and buffers come from core/memory.h and
 * core/packet.h, mapped by the sim IOMMU.
 */
#ifndef KVICK_SIM_TEST_H
#define KVICK_SIM_TEST_H

#include "testlib.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/memory.h"
#include "core/packet.h"
#include "driver/device.h"
#include "hw-sim/sim.h"

/* offsets (§8.2.3) */
#define CTRL      0x00000
#define STATUS    0x00008
#define EEC       0x10010
#define EICR      0x00800
#define EICS      0x00808
#define EIMS      0x00880
#define EIMC      0x00888
#define RDBAL(q)  (0x01000 + 0x40 * (q))
#define RDBAH(q)  (0x01004 + 0x40 * (q))
#define RDLEN(q)  (0x01008 + 0x40 * (q))
#define RDH(q)    (0x01010 + 0x40 * (q))
#define SRRCTL(q) (0x01014 + 0x40 * (q))
#define RDT(q)    (0x01018 + 0x40 * (q))
#define RXDCTL(q) (0x01028 + 0x40 * (q))
#define QPRC(i)   (0x01030 + 0x40 * (i))
#define QPRDC(i)  (0x01430 + 0x40 * (i))
#define RQSMR(i)  (0x02300 + 4 * (i))
#define RDRXCTL   0x02F00
#define RXCTRL    0x03000
#define MPC0      0x03FA0
#define GPRC      0x04074
#define GPTC      0x04080
#define GORCL     0x04088
#define GORCH     0x0408C
#define GOTCL     0x04090
#define GOTCH     0x04094
#define CRCERRS   0x04000
#define RUC       0x040A4
#define ROC       0x040AC
#define HLREG0    0x04240
#define MAXFRS    0x04268
#define SWSM      0x10140
#define SW_FW_SYNC 0x10160
#define SECRXCTRL 0x08D00
#define SECRXSTAT 0x08D04
#define AUTOC     0x042A0
#define LINKS     0x042A4
#define DMATXCTL  0x04A80
#define FCTRL     0x05080
#define RAL0      0x0A200
#define RAH0      0x0A204
#define TDBAL(q)  (0x06000 + 0x40 * (q))
#define TDBAH(q)  (0x06004 + 0x40 * (q))
#define TDLEN(q)  (0x06008 + 0x40 * (q))
#define TDH(q)    (0x06010 + 0x40 * (q))
#define TDT(q)    (0x06018 + 0x40 * (q))
#define TXDCTL(q) (0x06028 + 0x40 * (q))
#define TDWBAL(q) (0x06038 + 0x40 * (q))
#define QPTC(i)   (0x08680 + 4 * (i))
#define MRQC      0x0EC80
#define RETA(i)   (0x0EB00 + 4 * (i))
#define RSSRK(i)  (0x0EB80 + 4 * (i))

#define ENABLE    (1u << 25)

struct tq {                    /* one RX or TX ring programmed by a test */
	volatile uint8_t *ring;
	unsigned n;
	struct packet *pkt[4096];
	unsigned next;             /* next descriptor the test looks at */
};

struct tport {
	struct device dev;
	struct tq rx[8], tx[8];
};

static inline uint32_t rd(struct tport *t, uint32_t off) { return reg_read(&t->dev.bar0, off); }
static inline void wr(struct tport *t, uint32_t off, uint32_t v) { reg_write(&t->dev.bar0, off, v); }

static inline uint64_t t_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Poll off until (value & mask) == want, up to ms; true when it did. */
/* Waits are budgets for the model thread to get scheduled, not timing
 * claims: on a loaded 2-CPU machine under ASan a thread can be off the CPU
 * for tens of milliseconds, so every budget is stretched by T_SLACK.  (No
 * test waits for something *not* to happen, so this costs nothing when
 * the tests pass.) */
#define T_SLACK 20

static inline bool wait_reg(struct tport *t, uint32_t off, uint32_t mask, uint32_t want, unsigned ms)
{
	uint64_t end = t_now_ms() + (uint64_t)ms * T_SLACK;
	do {
		if ((rd(t, off) & mask) == want)
			return true;
		usleep(50);
	} while (t_now_ms() < end);
	return false;
}

/* Wait until cond (an expression, evaluated once per try) holds, up to ms. */
#define WAIT_FOR(cond, ms) ({                                       \
	uint64_t end_ = t_now_ms() + (uint64_t)(ms) * T_SLACK;          \
	bool ok_;                                                       \
	while (!(ok_ = (cond)) && t_now_ms() < end_)                    \
		usleep(50);                                                 \
	ok_; })

static inline void t_open(struct tport *t, const char *spec)
{
	char err[256];
	memset(t, 0, sizeof *t);
	int rc = sim_device_open(spec, &t->dev, err, sizeof err);
	if (rc)
		print_error("sim_device_open(%s): %s\n", spec, err);
	assert_int_equal(rc, 0);
}

/* §4.6.3: master disable, reset, wait for RST to clear, EEPROM and DMA init done. */
static inline void t_reset(struct tport *t)
{
	wr(t, EIMC, 0x7FFFFFFF);
	wr(t, CTRL, rd(t, CTRL) | (1u << 2));                     /* §5.2.5.3.2 master disable */
	assert_true(wait_reg(t, STATUS, 1u << 19, 0, 100));      /* STATUS.GIO clear */
	wr(t, CTRL, (1u << 26) | (1u << 3));
	assert_true(wait_reg(t, CTRL, (1u << 26) | (1u << 3), 0, 100));
	wr(t, EIMC, 0x7FFFFFFF);
	assert_true(wait_reg(t, EEC, 1u << 9, 1u << 9, 100));
	assert_true(wait_reg(t, RDRXCTL, 1u << 3, 1u << 3, 100));
}

/* §10.5.4: AUTOC written holding SW_FW_SYNC.SW_MAC_CSR_SM, taken and
 * given back under SWSM (SMBI read-to-set, then SWESMBI). */
static inline void t_swsm(struct tport *t, bool take)
{
	if (take) {
		assert_true(wait_reg(t, SWSM, 1u, 0, 100));          /* SMBI: the read takes it */
		wr(t, SWSM, 1u | 2u);                                 /* SWESMBI */
		assert_true(rd(t, SWSM) & 2u);
	} else {
		wr(t, SWSM, 0);
	}
}

static inline void t_autoc(struct tport *t, uint32_t autoc)
{
	t_swsm(t, true);
	wr(t, SW_FW_SYNC, rd(t, SW_FW_SYNC) | (1u << 3));        /* SW_MAC_CSR_SM */
	t_swsm(t, false);
	wr(t, AUTOC, autoc);
	t_swsm(t, true);
	wr(t, SW_FW_SYNC, rd(t, SW_FW_SYNC) & ~(1u << 3));
	t_swsm(t, false);
}

/* §4.6.4 link setup, §4.6.7/4.6.8 global RX/TX set-up. */
static inline void t_init(struct tport *t, bool promisc)
{
	t_reset(t);
	t_autoc(t, (rd(t, AUTOC) & ~(7u << 13)) | (3u << 13) | (1u << 12));
	wr(t, HLREG0, rd(t, HLREG0) | 1u | 2u | (1u << 10));     /* TXCRCEN RXCRCSTRP TXPADEN */
	/* CRCSTRIP, and RSCACKC + FCOE_WRFIX, which §8.2.3.8.8 requires */
	wr(t, RDRXCTL, rd(t, RDRXCTL) | 2u | (1u << 25) | (1u << 26));
	wr(t, FCTRL, (1u << 10) | (promisc ? (1u << 8) | (1u << 9) : 0));
	wr(t, DMATXCTL, 1u);                                       /* TE */
}

static inline void t_wait_link(struct tport *t)
{
	assert_true(wait_reg(t, LINKS, 1u << 30, 1u << 30, 200));
}

static inline void t_fill_rx(struct tport *t, unsigned q, unsigned i)
{
	struct tq *r = &t->rx[q];
	struct packet *p = packet_alloc();
	assert_non_null(p);
	r->pkt[i] = p;
	volatile uint64_t *d = (volatile uint64_t *)(r->ring + 16 * i);
	d[0] = packet_dma_addr(p);
	d[1] = 0;
}

/* §4.6.7.1: ring, SRRCTL (advanced one buffer), enable, poll, RDT. */
static inline void t_rx_queue(struct tport *t, unsigned q, unsigned n, unsigned bsize_kb, bool drop_en)
{
	struct tq *r = &t->rx[q];
	r->n = n;
	r->next = 0;
	r->ring = mem_alloc_dma(n * 16, 128);
	assert_non_null(r->ring);
	for (unsigned i = 0; i < n; i++)
		t_fill_rx(t, q, i);
	uint64_t iova = mem_iova((void *)r->ring);
	wr(t, RDBAL(q), (uint32_t)iova);
	wr(t, RDBAH(q), (uint32_t)(iova >> 32));
	wr(t, RDLEN(q), n * 16);
	wr(t, SRRCTL(q), bsize_kb | (1u << 25) | (drop_en ? 1u << 28 : 0));
	wr(t, RDH(q), 0);
	wr(t, RXDCTL(q), ENABLE);
	assert_true(wait_reg(t, RXDCTL(q), ENABLE, ENABLE, 100));
	wr(t, RDT(q), n - 1);
	if (!(rd(t, RXCTRL) & 1u)) {   /* 82599 erratum: RXEN with the RX security path stopped */
		wr(t, SECRXCTRL, 2u);                                  /* RX_DIS */
		assert_true(wait_reg(t, SECRXSTAT, 1u, 1u, 100));     /* SECRX_RDY */
		wr(t, RXCTRL, 1);
		wr(t, SECRXCTRL, 0);
	}
}

/* §4.6.8.1 */
static inline void t_tx_queue(struct tport *t, unsigned q, unsigned n)
{
	struct tq *x = &t->tx[q];
	x->n = n;
	x->next = 0;
	x->ring = mem_alloc_dma(n * 16, 128);
	assert_non_null(x->ring);
	uint64_t iova = mem_iova((void *)x->ring);
	wr(t, TDBAL(q), (uint32_t)iova);
	wr(t, TDBAH(q), (uint32_t)(iova >> 32));
	wr(t, TDLEN(q), n * 16);
	wr(t, TDH(q), 0);
	wr(t, TDT(q), 0);
	wr(t, TXDCTL(q), ENABLE);
	assert_true(wait_reg(t, TXDCTL(q), ENABLE, ENABLE, 100));
}

#define TXCMD (0x3u << 20 | 1u << 24 | 1u << 25 | 1u << 27 | 1u << 29) /* DATA EOP IFCS RS DEXT */

/* Put one packet in TX descriptor `at` (no tail write). */
static inline void t_tx_desc(struct tport *t, unsigned q, unsigned at, struct packet *p, uint32_t cmd)
{
	struct tq *x = &t->tx[q];
	volatile uint64_t *d = (volatile uint64_t *)(x->ring + 16 * at);
	x->pkt[at] = p;
	d[0] = packet_dma_addr(p);
	d[1] = (uint64_t)(cmd | p->length) | ((uint64_t)p->length << 46);
}

/* Send frames (copies of data[i], len[i]) on queue q, one tail write. */
static inline void t_tx_send(struct tport *t, unsigned q, unsigned count, const uint8_t *const *data, const uint16_t *len)
{
	struct tq *x = &t->tx[q];
	unsigned tail = rd(t, TDT(q));
	for (unsigned i = 0; i < count; i++) {
		struct packet *p = packet_alloc();
		assert_non_null(p);
		memcpy(packet_data(p), data[i], len[i]);
		p->length = len[i];
		if (x->pkt[tail])
			packet_free(x->pkt[tail]);
		t_tx_desc(t, q, tail, p, TXCMD);
		tail = (tail + 1) % x->n;
	}
	wr(t, TDT(q), tail);
}

/* Reclaim TX buffers whose descriptors have DD; returns how many. */
static inline unsigned t_tx_reclaim(struct tport *t, unsigned q)
{
	struct tq *x = &t->tx[q];
	unsigned n = 0;
	while (x->pkt[x->next]) {
		volatile uint32_t *st = (volatile uint32_t *)(x->ring + 16 * x->next + 12);
		if (!(__atomic_load_n(st, __ATOMIC_ACQUIRE) & 1))
			break;
		packet_free(x->pkt[x->next]);
		x->pkt[x->next] = NULL;
		x->next = (x->next + 1) % x->n;
		n++;
	}
	return n;
}

/* Next received frame of queue q: copies it to buf, returns its length
 * (0 if none yet), gives the descriptor back with a fresh packet. */
static inline int t_rx_take(struct tport *t, unsigned q, uint8_t *buf, uint32_t *status_out)
{
	struct tq *r = &t->rx[q];
	volatile uint8_t *d = r->ring + 16 * r->next;
	uint32_t status = __atomic_load_n((volatile uint32_t *)(d + 8), __ATOMIC_ACQUIRE);
	if (!(status & 1))
		return 0;
	uint16_t len = *(volatile uint16_t *)(d + 12);
	if (status_out)
		*status_out = status;
	if (buf)
		memcpy(buf, packet_data(r->pkt[r->next]), len);
	packet_free(r->pkt[r->next]);
	t_fill_rx(t, q, r->next);
	wr(t, RDT(q), r->next);
	r->next = (r->next + 1) % r->n;
	return len;
}

static inline void t_free_queues(struct tport *t)
{
	for (unsigned q = 0; q < 8; q++) {
		for (unsigned i = 0; i < 4096; i++) {
			if (t->rx[q].pkt[i])
				packet_free(t->rx[q].pkt[i]);
			if (t->tx[q].pkt[i])
				packet_free(t->tx[q].pkt[i]);
			t->rx[q].pkt[i] = t->tx[q].pkt[i] = NULL;
		}
	}
}

/* Close the port (stops the model when the last one closes), free the
 * packets the rings held, and check nothing leaked. */
static inline void t_close(struct tport *t)
{
	t->dev.ops->close(&t->dev);
	t_free_queues(t);
}

/* A test frame: to dst, from 02:00:00:00:00:01, IPv4/UDP with the given
 * ports, seq in the payload, len bytes. */
static inline uint16_t t_frame(uint8_t *f, const uint8_t dst[6], uint16_t len, uint32_t seq, uint16_t sport)
{
	memset(f, 0, len);
	memcpy(f, dst, 6);
	memcpy(f + 6, "\x02\x00\x00\x00\x00\x01", 6);
	f[12] = 0x08;
	f[14] = 0x45;
	f[16] = (uint8_t)((len - 14) >> 8);
	f[17] = (uint8_t)(len - 14);
	f[23] = 17;
	f[26] = 10; f[27] = 0; f[28] = (uint8_t)(seq >> 8); f[29] = (uint8_t)seq;
	f[30] = 10; f[31] = 1; f[32] = 0; f[33] = 1;
	f[34] = (uint8_t)(sport >> 8); f[35] = (uint8_t)sport;
	f[36] = 0x30; f[37] = 0x39;
	for (uint16_t i = 42; i < len; i++)
		f[i] = (uint8_t)(seq * 7 + i);
	if (len >= 46)
		memcpy(f + 42, &seq, 4);
	return len;
}

static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* Every test ends with this: model stopped, no packet outstanding. */
static inline int t_teardown(void **state)
{
	(void)state;
	sim_shutdown();
	assert_int_equal(freelist_outstanding(), 0);
	return 0;
}

#endif
