/* test_x710_model.c -- the X710 personality of hw-sim, driven by hand:
 * raw register writes and hand-built admin-queue descriptors, no driver.
 * Reset values and reset timing, identity, strictness, every firmware
 * command's answer and return codes, the timeout and error faults, link
 * events on the receive queue; HMC contexts and their errors, the QENA
 * handshake, frames out and in through raw descriptors, RX write-back
 * batching and the interrupt that flushes it, ICRC, RSS, statistics, a
 * reset in the middle of traffic. */
#include "sim_test.h"
#include <stdlib.h>

/* offsets (x710_regs.h; datasheet register chapter) */
#define GLGEN_RSTAT     0x0B8188
#define GLNVM_ULD       0x0B6008
#define PFGEN_CTRL      0x092400
#define PF_FUNC_RID     0x09C000
#define PFGEN_PORTNUM   0x1C0480
#define PFLAN_QALLOC    0x1C0400
#define GLHMC_LANTXOBJSZ 0x0C2004
#define GLHMC_LANRXOBJSZ 0x0C200C
#define PF_ATQBAL 0x80000
#define PF_ATQBAH 0x80100
#define PF_ATQLEN 0x80200
#define PF_ATQH   0x80300
#define PF_ATQT   0x80400
#define PF_ARQBAL 0x80080
#define PF_ARQBAH 0x80180
#define PF_ARQLEN 0x80280
#define PF_ARQH   0x80380
#define PF_ARQT   0x80480
#define PRTMAC_LINKSTA 0x1E2420
#define GLPRT_GORCL0   0x300000
#define PFINT_ICR0     0x038780
#define AQ_ENABLE (1u << 31)

#define NATQ 16
#define NARQ 4

struct xport {
	struct device dev;
	volatile uint8_t *atq, *arq;
	uint8_t *buf[NATQ], *ebuf[NARQ];
	unsigned next;             /* next ATQ descriptor to use */
};

static uint32_t xr(struct xport *x, uint32_t off) { return reg_read(&x->dev.bar0, off); }
static void xw(struct xport *x, uint32_t off, uint32_t v) { reg_write(&x->dev.bar0, off, v); }

static bool xwait(struct xport *x, uint32_t off, uint32_t mask, uint32_t want, unsigned ms)
{
	uint64_t end = t_now_ms() + (uint64_t)ms * T_SLACK;
	do {
		if ((xr(x, off) & mask) == want)
			return true;
		usleep(50);
	} while (t_now_ms() < end);
	return false;
}

static void x_open(struct xport *x, const char *spec)
{
	char err[256];
	memset(x, 0, sizeof *x);
	int rc = sim_device_open(spec, &x->dev, err, sizeof err);
	if (rc)
		print_error("sim_device_open(%s): %s\n", spec, err);
	assert_int_equal(rc, 0);
}

/* Wait for the device to leave reset and the firmware to be up. */
static void x_wait_ready(struct xport *x)
{
	assert_true(xwait(x, GLGEN_RSTAT, 3, 0, 100));
	assert_true(xwait(x, GLNVM_ULD, 0x18, 0x18, 100));
}

/* The admin queues, set up in Linux's order (length and ENABLE before the
 * base address: the firmware reads the base only when it needs the queue). */
static void x_aq_init(struct xport *x)
{
	x->atq = mem_alloc_dma(NATQ * 32, 4096);
	x->arq = mem_alloc_dma(NARQ * 32, 4096);
	assert_non_null(x->atq);
	assert_non_null(x->arq);
	memset((void *)x->atq, 0, NATQ * 32);
	for (unsigned i = 0; i < NATQ; i++) {
		x->buf[i] = mem_alloc_dma(4096, 4096);
		assert_non_null(x->buf[i]);
	}
	for (unsigned i = 0; i < NARQ; i++) {
		x->ebuf[i] = mem_alloc_dma(4096, 4096);
		assert_non_null(x->ebuf[i]);
		volatile uint8_t *d = x->arq + 32 * i;
		memset((void *)d, 0, 32);
		*(volatile uint16_t *)d = 0x1000 | 0x200;          /* BUF | LB */
		*(volatile uint16_t *)(d + 4) = 4096;
		uint64_t a = mem_iova(x->ebuf[i]);
		*(volatile uint32_t *)(d + 24) = (uint32_t)(a >> 32);
		*(volatile uint32_t *)(d + 28) = (uint32_t)a;
	}
	uint64_t a = mem_iova((void *)x->atq), b = mem_iova((void *)x->arq);
	xw(x, PF_ATQH, 0);
	xw(x, PF_ATQT, 0);
	xw(x, PF_ATQLEN, NATQ | AQ_ENABLE);
	xw(x, PF_ATQBAL, (uint32_t)a);
	xw(x, PF_ATQBAH, (uint32_t)(a >> 32));
	xw(x, PF_ARQH, 0);
	xw(x, PF_ARQT, 0);
	xw(x, PF_ARQLEN, NARQ | AQ_ENABLE);
	xw(x, PF_ARQBAL, (uint32_t)b);
	xw(x, PF_ARQBAH, (uint32_t)(b >> 32));
	xw(x, PF_ARQT, NARQ - 1);                              /* all but one to the firmware */
	x->next = 0;
}

static void x_close(struct xport *x)
{
	x->dev.ops->close(&x->dev);
}

/* A command: descriptor i of the ATQ as the driver builds it. */
struct aq {
	uint16_t flags, opcode, datalen, retval;
	uint32_t cookie_hi, cookie_lo;
	uint8_t params[16];
	uint8_t *buf;
	uint64_t us;               /* how long the firmware took */
};

static void put_desc(volatile uint8_t *d, const struct aq *c, uint64_t bufaddr)
{
	uint8_t b[32];
	memset(b, 0, sizeof b);
	memcpy(b + 0, &c->flags, 2);
	memcpy(b + 2, &c->opcode, 2);
	memcpy(b + 4, &c->datalen, 2);
	memcpy(b + 8, &c->cookie_hi, 4);
	memcpy(b + 12, &c->cookie_lo, 4);
	memcpy(b + 16, c->params, 16);
	if (c->flags & 0x1000) {
		uint32_t hi = (uint32_t)(bufaddr >> 32), lo = (uint32_t)bufaddr;
		memcpy(b + 24, &hi, 4);
		memcpy(b + 28, &lo, 4);
	}
	for (unsigned i = 0; i < 32; i++)
		d[i] = b[i];
}

static void get_desc(volatile uint8_t *d, struct aq *c)
{
	uint8_t b[32];
	for (unsigned i = 0; i < 32; i++)
		b[i] = d[i];
	memcpy(&c->flags, b, 2);
	memcpy(&c->opcode, b + 2, 2);
	memcpy(&c->datalen, b + 4, 2);
	memcpy(&c->retval, b + 6, 2);
	memcpy(&c->cookie_hi, b + 8, 4);
	memcpy(&c->cookie_lo, b + 12, 4);
	memcpy(c->params, b + 16, 16);
}

/* Post c (with a buffer of c->datalen bytes when BUF is set), wait for
 * the head to pass it; c gets the answer.  Returns false on no answer. */
static bool x_cmd(struct xport *x, struct aq *c, unsigned wait_ms)
{
	unsigned i = x->next;
	volatile uint8_t *d = x->atq + 32 * i;
	uint64_t a = mem_iova(x->buf[i]);
	put_desc(d, c, a);
	x->next = (i + 1) % NATQ;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	xw(x, PF_ATQT, x->next);
	bool ok = xwait(x, PF_ATQH, 0x3FF, x->next, wait_ms);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	c->us = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000 + (uint64_t)(t1.tv_nsec - t0.tv_nsec) / 1000;
	get_desc(d, c);
	c->buf = x->buf[i];
	return ok;
}

static struct aq direct(uint16_t opcode)
{
	struct aq c;
	memset(&c, 0, sizeof c);
	c.opcode = opcode;
	c.cookie_hi = 0xC0FFEE00u | opcode;
	c.cookie_lo = 0x12345678u;
	return c;
}

static struct aq indirect(uint16_t opcode, uint16_t len)
{
	struct aq c = direct(opcode);
	c.flags = 0x1000 | (len > 512 ? 0x200 : 0);
	c.datalen = len;
	return c;
}

static uint16_t le16(const uint8_t *b) { return (uint16_t)(b[0] | b[1] << 8); }

/* ---- tests ---- */

static void identity_reset_values_and_timing(void **state)
{
	(void)state;
	struct xport x;
	x_open(&x, "sim:1/model=x710");
	assert_int_equal(x.dev.device_id, 0x1572);
	assert_int_equal(x.dev.vendor_id, 0x8086);
	assert_int_equal(x.dev.bar0.size, 8u << 20);
	/* the device comes out of reset, then the firmware, after delays */
	assert_true(xwait(&x, GLGEN_RSTAT, 3, 0, 100));
	assert_true(xwait(&x, GLNVM_ULD, 0x18, 0x18, 100));
	assert_int_equal(xr(&x, PF_FUNC_RID) & 7, 1);           /* pf_id (ARI off) */
	assert_int_equal(xr(&x, 0x0BE4A8) & (1u << 4), 0);       /* GLPCI_CAPSUP.ARI_EN */
	assert_int_equal(xr(&x, PFGEN_PORTNUM) & 3, 1);
	uint32_t qa = xr(&x, PFLAN_QALLOC);
	assert_int_equal(qa & 0x7FF, 64);                        /* FIRSTQ */
	assert_int_equal((qa >> 16) & 0x7FF, 127);               /* LASTQ */
	assert_true(qa & (1u << 31));
	assert_int_equal(xr(&x, GLHMC_LANTXOBJSZ), 7);
	assert_int_equal(xr(&x, GLHMC_LANRXOBJSZ), 5);
	assert_int_equal(xr(&x, 0x0C2008), 1536);                /* GLHMC_LANQMAX */
	assert_int_equal(xr(&x, PF_ATQLEN), 0);
	assert_int_equal(xr(&x, 0x038500), 0x7FF);               /* PFINT_LNKLST0: end of list */
	/* PFSWR self-clears after a delay; writes while it runs are lost */
	xw(&x, 0x038000, 5);                                     /* PFINT_ITR0(0): PF domain */
	xw(&x, 0x0C6200 + 4, 7);                                 /* GLHMC_LANTXBASE(1): core domain */
	xw(&x, PFGEN_CTRL, 1);
	assert_true(xr(&x, PFGEN_CTRL) & 1);
	xw(&x, 0x038000, 9);
	assert_true(sim_violation_find("while a reset is in progress"));
	assert_true(xwait(&x, PFGEN_CTRL, 1, 0, 100));
	assert_int_equal(xr(&x, 0x038000), 0);                   /* back to its reset value */
	assert_int_equal(xr(&x, 0x0C6200 + 4), 7);               /* a PF reset keeps it */
	x_close(&x);
}

static void strict_registers(void **state)
{
	(void)state;
	struct xport x;
	x_open(&x, "sim:0/model=x710");
	x_wait_ready(&x);
	sim_violations_clear();
	xr(&x, 0x012344);
	assert_true(sim_violation_find("read of unknown register offset 0x012344"));
	xw(&x, 0x7FFFFC, 1);
	assert_true(sim_violation_find("unknown register offset 0x7ffffc"));
	xw(&x, GLNVM_ULD, 0);
	assert_true(sim_violation_find("read-only GLNVM_ULD"));
	xw(&x, GLPRT_GORCL0, 0);
	assert_true(sim_violation_find("read-only GLPRT_GORCL(0)"));
	xw(&x, PF_ATQLEN, AQ_ENABLE);                            /* length 0 */
	assert_true(sim_violation_find("with length 0"));
	assert_int_equal(xr(&x, PF_ATQLEN), 0);
	xw(&x, PF_ATQLEN, 8 | AQ_ENABLE);
	xw(&x, PF_ATQT, 8);                                      /* beyond the 8-entry ring */
	assert_true(sim_violation_find("PF_ATQT = 8 is beyond the ATQ"));
	xw(&x, PF_ATQT, 1);                                      /* base still 0 */
	assert_true(WAIT_FOR(sim_violation_find("admin ATQ enabled with base 0x0"), 100));
	assert_int_equal(xr(&x, PF_ATQH), 0);                    /* nothing executed */
	xw(&x, PF_ATQH, 3);
	assert_true(sim_violation_find("only the firmware moves the head"));
	xw(&x, 0x100000 + 4 * 64, 1);                            /* QTX_ENA(64): not the PF's */
	assert_true(sim_violation_find("beyond the PF's 64 queues"));
	xw(&x, PFINT_ICR0, 1);
	assert_true(sim_violation_find("PFINT_ICR0"));
	x_close(&x);
}

static void firmware_answers_every_command(void **state)
{
	(void)state;
	struct xport x;
	x_open(&x, "sim:2/model=x710,loopback");
	x_wait_ready(&x);
	x_aq_init(&x);

	/* 0x0001 get version: API 1.x, the firmware version; cookies back */
	struct aq c = direct(0x0001);
	assert_true(x_cmd(&x, &c, 100));
	assert_int_equal(c.flags & 0x7, 0x3);                    /* DD | CMP, no ERR */
	assert_int_equal(c.retval, 0);
	assert_int_equal(c.cookie_hi, 0xC0FFEE01u);
	assert_int_equal(c.cookie_lo, 0x12345678u);
	assert_int_equal(le16(c.params + 12), 1);                /* api major */
	assert_int_equal(le16(c.params + 14), 9);                /* api minor */
	assert_int_equal(le16(c.params + 8), 8);                 /* fw major */
	assert_int_equal(le16(c.params + 10), 3);                /* fw minor */
	assert_true(c.us >= 20);                                 /* not at once */
	assert_true(xr(&x, PFINT_ICR0) & (1u << 30));            /* ADMINQ cause */

	/* 0x0002 driver version (a string buffer to the firmware) */
	c = indirect(0x0002, 16);
	c.flags |= 0x400;                                        /* RD */
	assert_true(x_cmd(&x, &c, 100));
	assert_int_equal(c.retval, 0);

	/* 0x0110 clear PXE: params byte 0 must be 2; the second time EEXIST */
	c = direct(0x0110);
	c.params[0] = 1;
	assert_true(x_cmd(&x, &c, 100));
	assert_int_equal(c.retval, 14);                          /* EINVAL */
	assert_int_equal(c.flags & 0x4, 0x4);                    /* ERR */
	c = direct(0x0110);
	c.params[0] = 2;
	assert_true(x_cmd(&x, &c, 100));
	assert_int_equal(c.retval, 0);
	c = direct(0x0110);
	c.params[0] = 2;
	assert_true(x_cmd(&x, &c, 100));
	assert_int_equal(c.retval, 13);                          /* EEXIST */

	/* 0x0200 get switch config: a too-small buffer is ENOMEM with the size
	 * needed; then one VSI element (type 19) with its SEID */
	c = indirect(0x0200, 32);
	assert_true(x_cmd(&x, &c, 100));
	assert_int_equal(c.retval, 9);
	assert_int_equal(c.datalen, 64);
	c = indirect(0x0200, 512);
	assert_true(x_cmd(&x, &c, 100));
	assert_int_equal(c.retval, 0);
	assert_int_equal(c.datalen, 64);
	unsigned nrep = le16(c.buf), nvsi = 0;
	uint16_t vsi_seid = 0;
	assert_int_equal(nrep, 3);
	for (unsigned i = 0; i < nrep; i++) {
		const uint8_t *e = c.buf + 16 + 16 * i;
		if (e[0] == 19) {
			nvsi++;
			vsi_seid = le16(e + 2);
		}
	}
	assert_int_equal(nvsi, 1);
	assert_int_equal(vsi_seid, 392);                         /* 390 + pf 2 */

	/* 0x0212 get VSI parameters: queue mapping and qs_handle */
	c = indirect(0x0212, 128);
	c.params[0] = (uint8_t)vsi_seid;
	c.params[1] = (uint8_t)(vsi_seid >> 8);
	assert_true(x_cmd(&x, &c, 100));
	assert_int_equal(c.retval, 0);
	assert_int_equal(le16(c.params), vsi_seid);
	assert_int_equal(le16(c.buf + 30), 0);                   /* queue_mapping[0] */
	assert_int_equal(le16(c.buf + 62) >> 9, 6);              /* tc0: 2^6 queues */
	assert_int_equal(le16(c.buf + 96), 0x08 + 0x10 * 2);     /* qs_handle[0] */
	c = indirect(0x0212, 128);                               /* a SEID that is no VSI */
	c.params[0] = 5;
	assert_true(x_cmd(&x, &c, 100));
	assert_int_equal(c.retval, 14);

	/* 0x0107 read MAC: LAN address valid */
	c = indirect(0x0107, 24);
	assert_true(x_cmd(&x, &c, 100));
	assert_int_equal(c.retval, 0);
	assert_true(le16(c.params) & 0x10);
	assert_memory_equal(c.buf, "\x02\x4b\x56\x00\x01\x02", 6);
	c = direct(0x0107);                                      /* no buffer */
	assert_true(x_cmd(&x, &c, 100));
	assert_int_equal(c.retval, 14);

	/* 0x0254 set VSI promiscuous */
	c = direct(0x0254);
	c.params[0] = 0x07; c.params[2] = 0x07;
	c.params[4] = (uint8_t)vsi_seid; c.params[5] = (uint8_t)(vsi_seid >> 8);
	assert_true(x_cmd(&x, &c, 100));
	assert_int_equal(c.retval, 0);

	/* 0x0603 set MAC config: max frame, CRC; an impossible size is EINVAL */
	c = direct(0x0603);
	c.params[0] = 0x00; c.params[1] = 0x26;                  /* 9728 */
	c.params[2] = 0x04;
	assert_true(x_cmd(&x, &c, 100));
	assert_int_equal(c.retval, 0);
	c = direct(0x0603);
	c.params[0] = 0xFF; c.params[1] = 0xFF;
	assert_true(x_cmd(&x, &c, 100));
	assert_int_equal(c.retval, 14);

	/* 0x0605 restart AN with link enable; 0x0607 link status: up at 10G */
	c = direct(0x0605);
	c.params[0] = 0x02 | 0x04;
	assert_true(x_cmd(&x, &c, 100));
	assert_int_equal(c.retval, 0);
	assert_true(xwait(&x, PRTMAC_LINKSTA, 0x40000080, 0x40000080, 200));
	assert_int_equal((xr(&x, PRTMAC_LINKSTA) >> 27) & 7, 2);
	c = direct(0x0607);
	assert_true(x_cmd(&x, &c, 100));
	assert_int_equal(c.retval, 0);
	assert_int_equal(c.params[3], 0x08);                     /* 10G */
	assert_int_equal(c.params[4] & 1, 1);                    /* up */
	assert_int_equal(le16(c.params + 8), 9728);
	assert_int_equal(c.params[10] & 0x04, 0x04);

	/* unknown opcode: ESRCH; 0x0003 queue shutdown */
	c = direct(0x0999);
	assert_true(x_cmd(&x, &c, 100));
	assert_int_equal(c.retval, 3);
	assert_int_equal(c.flags & 0x4, 0x4);
	c = direct(0x0003);
	c.params[0] = 1;
	assert_true(x_cmd(&x, &c, 100));
	assert_int_equal(c.retval, 0);
	assert_int_equal(sim_violation_count(), 0);
	x_close(&x);
}

static void timeout_and_error_faults(void **state)
{
	(void)state;
	struct xport x;
	x_open(&x, "sim:0/model=x710");
	x_wait_ready(&x);
	x_aq_init(&x);
	/* an ignored command: no DD, the head stays */
	sim_fault_aq_timeout(0, 1);
	struct aq c = direct(0x0001);
	assert_false(x_cmd(&x, &c, 2));
	assert_int_equal(c.flags & 1, 0);
	assert_int_equal(xr(&x, PF_ATQH), 0);
	/* the next command is answered; the ignored one stays unanswered */
	c = direct(0x0001);
	assert_true(x_cmd(&x, &c, 100));
	assert_int_equal(c.flags & 1, 1);
	assert_int_equal(*(volatile uint16_t *)x.atq & 1, 0);
	/* an error reply: the next get version answers EBUSY with ERR, once */
	sim_fault_aq_error(0, 0x0001, 12, 1);
	c = direct(0x0001);
	assert_true(x_cmd(&x, &c, 100));
	assert_int_equal(c.retval, 12);
	assert_int_equal(c.flags & 0x7, 0x7);
	c = direct(0x0001);
	assert_true(x_cmd(&x, &c, 100));
	assert_int_equal(c.retval, 0);
	/* a core reset disables the admin queue and resets the registers */
	sim_fault_reset(0);
	x_wait_ready(&x);
	assert_int_equal(xr(&x, PF_ATQLEN), 0);
	assert_int_equal(xr(&x, PF_ATQH), 0);
	x_close(&x);
}

static void link_events_on_the_receive_queue(void **state)
{
	(void)state;
	struct xport x;
	x_open(&x, "sim:3/model=x710,loopback");
	x_wait_ready(&x);
	x_aq_init(&x);
	struct aq c = direct(0x0607);
	c.params[0] = 0x3;                                       /* enable link events */
	assert_true(x_cmd(&x, &c, 100));
	assert_int_equal(le16(c.params) & 1, 1);                 /* LSE is enabled */
	/* the firmware brings the link up by itself: an event, unless the
	 * link was up before events were enabled */
	assert_true(xwait(&x, PRTMAC_LINKSTA, 0x40000080, 0x40000080, 200));
	WAIT_FOR(xr(&x, PF_ARQH) == 1, 5);    /* the event follows LINKSTA */
	unsigned h = xr(&x, PF_ARQH);
	assert_true(h <= 1);
	struct aq e;
	if (h == 1) {
		get_desc(x.arq, &e);
		assert_int_equal(e.opcode, 0x0607);
		assert_int_equal(e.flags & 0x3, 0x3);
		assert_int_equal(e.params[4] & 1, 1);
	}
	/* pull the cable: a link-down event */
	sim_fault_link(3, false);
	assert_true(xwait(&x, PF_ARQH, 0x3FF, h + 1, 200));
	get_desc(x.arq + 32 * h, &e);
	assert_int_equal(e.opcode, 0x0607);
	assert_int_equal(e.params[4] & 1, 0);
	assert_int_equal(e.datalen, 0);
	assert_int_equal(xr(&x, PRTMAC_LINKSTA) & 0x40000080, 0);
	/* flap until the three descriptors given to the firmware are used;
	 * the next change finds none (ARQOVFL) */
	bool up = true;
	while (xr(&x, PF_ARQH) < 3) {
		unsigned before = xr(&x, PF_ARQH);
		sim_fault_link(3, up);
		assert_true(xwait(&x, PF_ARQH, 0x3FF, before + 1, 200));
		up = !up;
	}
	assert_int_equal(xr(&x, PF_ARQLEN) & (1u << 29), 0);
	sim_fault_link(3, up);
	assert_true(xwait(&x, PF_ARQLEN, 1u << 29, 1u << 29, 200));
	assert_int_equal(xr(&x, PF_ARQH), 3);
	x_close(&x);
}

/* ---- step 2: HMC, queues, data path ---- */

#define QTX_ENA(q)   (0x100000 + 4 * (q))
#define QTX_CTL(q)   (0x104000 + 4 * (q))
#define QTX_TAIL(q)  (0x108000 + 4 * (q))
#define QTX_HEAD(q)  (0x0E4000 + 4 * (q))
#define QRX_ENA(q)   (0x120000 + 4 * (q))
#define QRX_TAIL(q)  (0x128000 + 4 * (q))
#define TXPRE_QDIS(n) (0x0E6500 + 4 * (n))
#define PFHMC_SDCMD  0x0C0000
#define PFHMC_SDLOW  0x0C0100
#define PFHMC_SDHIGH 0x0C0200
#define PFHMC_ERRORINFO 0x0C0400
#define LANTXBASE(f) (0x0C6200 + 4 * (f))
#define LANTXCNT(f)  (0x0C6300 + 4 * (f))
#define LANRXBASE(f) (0x0C6400 + 4 * (f))
#define LANRXCNT(f)  (0x0C6500 + 4 * (f))
#define PFINT_DYN_CTL0 0x038480
#define PFINT_LNKLST0  0x038500
#define PFINT_ITR0(i)  (0x038000 + 0x80 * (i))
#define QINT_RQCTL(q)  (0x03A000 + 4 * (q))
#define PFQF_HLUT(i)   (0x240000 + 0x80 * (i))
#define PFQF_HKEY(i)   (0x244800 + 0x80 * (i))
#define PFQF_HENA(i)   (0x245900 + 0x80 * (i))
#define PFQF_CTL_0     0x1C0AC0
#define GLPRT(base, port) ((base) + 8 * (port))
#define P_GORCL 0x300000
#define P_GOTCL 0x300680
#define P_UPRCL 0x3005A0
#define P_UPTCL 0x3009C0
#define RDPC  0x300600
#define NQ    4
#define NDESC 64

struct dq {
	volatile uint8_t *ring;
	uint8_t *bufs;             /* NDESC x 2 KB */
	unsigned next;
};

struct xdev {
	struct xport x;
	unsigned pf;
	uint8_t *hmc;              /* 2 MiB backing the PF's contexts */
	struct dq rx[NQ], tx[NQ];
	uint32_t *headwb;
};

static void set_bits(uint8_t *b, unsigned lsb, unsigned width, uint64_t v)
{
	for (unsigned i = 0; i < width; i++) {
		unsigned bit = lsb + i;
		if ((v >> i) & 1)
			b[bit / 8] |= (uint8_t)(1u << (bit % 8));
		else
			b[bit / 8] &= (uint8_t)~(1u << (bit % 8));
	}
}

/* One direct segment descriptor (SD 0) and the LAN object bases. */
static void hmc_init(struct xdev *d, unsigned ntx, unsigned nrx)
{
	d->hmc = mem_alloc_dma(2u << 20, 2u << 20);
	assert_non_null(d->hmc);
	memset(d->hmc, 0, 2u << 20);
	uint64_t a = mem_iova(d->hmc);
	xw(&d->x, PFHMC_SDHIGH, (uint32_t)(a >> 32));
	xw(&d->x, PFHMC_SDLOW, ((uint32_t)a & 0xFFFFF000u) | 512u << 2 | 1u << 1 | 1u);
	xw(&d->x, PFHMC_SDCMD, 0 | 1u << 31);
	xw(&d->x, LANTXBASE(d->pf), 0);
	xw(&d->x, LANTXCNT(d->pf), ntx);
	xw(&d->x, LANRXBASE(d->pf), (ntx * 128 + 511) / 512);
	xw(&d->x, LANRXCNT(d->pf), nrx);
}

static uint8_t *rx_ctx(struct xdev *d, unsigned q)
{
	return d->hmc + ((xr(&d->x, LANRXBASE(d->pf)) * 512u) + q * 32u);
}
static uint8_t *tx_ctx(struct xdev *d, unsigned q)
{
	return d->hmc + xr(&d->x, LANTXBASE(d->pf)) * 512u + q * 128u;
}

static void rx_fill(struct dq *r, unsigned i)
{
	volatile uint64_t *dd = (volatile uint64_t *)(r->ring + 32 * i);
	dd[0] = mem_iova(r->bufs + 2048 * i);
	dd[1] = 0;
	dd[2] = dd[3] = 0;
}

/* Write queue q's RX context, tail, then QRX_ENA; returns how long
 * QENA_STAT took (us), or 0 if it never set. */
static uint64_t rx_queue(struct xdev *d, unsigned q, bool crcstrip)
{
	struct dq *r = &d->rx[q];
	r->ring = mem_alloc_dma(NDESC * 32, 128);
	r->bufs = mem_alloc_dma(NDESC * 2048, 4096);
	assert_non_null(r->ring);
	assert_non_null(r->bufs);
	for (unsigned i = 0; i < NDESC; i++)
		rx_fill(r, i);
	r->next = 0;
	uint8_t *c = rx_ctx(d, q);
	memset(c, 0, 32);
	set_bits(c, 32, 57, mem_iova((void *)r->ring) / 128);
	set_bits(c, 89, 13, NDESC);
	set_bits(c, 102, 7, 2048 / 128);
	set_bits(c, 116, 1, 1);                    /* 32-byte descriptors */
	set_bits(c, 117, 1, crcstrip);
	set_bits(c, 174, 14, 9728);
	set_bits(c, 201, 1, 1);
	xw(&d->x, QRX_TAIL(q), NDESC - 1);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	xw(&d->x, QRX_ENA(q), 1);
	if (!xwait(&d->x, QRX_ENA(q), 4, 4, 50))
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000 + (uint64_t)(t1.tv_nsec - t0.tv_nsec) / 1000 + 1;
}

/* Enable TX queue q; returns how long QENA_STAT took (us), or 0 when it
 * did not set (with expect_ok false: does not wait for it). */
static uint64_t tx_queue_x(struct xdev *d, unsigned q, uint16_t rdylist, bool head_wb, bool expect_ok)
{
	struct dq *t = &d->tx[q];
	t->ring = mem_alloc_dma(NDESC * 16, 128);
	t->bufs = mem_alloc_dma(NDESC * 2048, 4096);
	assert_non_null(t->ring);
	assert_non_null(t->bufs);
	memset((void *)t->ring, 0, NDESC * 16);
	t->next = 0;
	uint8_t *c = tx_ctx(d, q);
	memset(c, 0, 128);
	set_bits(c, 30, 1, 1);                     /* new_context */
	set_bits(c, 32, 57, mem_iova((void *)t->ring) / 128);
	set_bits(c, 161, 13, NDESC);
	if (head_wb) {
		d->headwb = mem_alloc_dma(64, 64);
		*d->headwb = 0xFFFF;
		set_bits(c, 160, 1, 1);
		set_bits(c, 192, 64, mem_iova(d->headwb));
	}
	set_bits(c, 980, 10, rdylist);
	unsigned abs = 64 * d->pf + q;
	xw(&d->x, QTX_CTL(q), 2 | d->pf << 2);
	xw(&d->x, TXPRE_QDIS(abs / 128), (abs % 128) | 1u << 31);
	xw(&d->x, QTX_HEAD(q), 0);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	xw(&d->x, QTX_ENA(q), 1);
	if (!expect_ok || !xwait(&d->x, QTX_ENA(q), 4, 4, 50))
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000 + (uint64_t)(t1.tv_nsec - t0.tv_nsec) / 1000 + 1;
}

static uint64_t tx_queue(struct xdev *d, unsigned q, uint16_t rdylist, bool head_wb)
{
	return tx_queue_x(d, q, rdylist, head_wb, true);
}

#define TXD_EOP  (1ull << 4)
#define TXD_RS   (1ull << 5)
#define TXD_ICRC (1ull << 6)

static void tx_send(struct xdev *d, unsigned q, const uint8_t *f, uint16_t len, uint64_t cmd)
{
	struct dq *t = &d->tx[q];
	unsigned i = t->next;
	memcpy(t->bufs + 2048 * i, f, len);
	volatile uint64_t *dd = (volatile uint64_t *)(t->ring + 16 * i);
	dd[0] = mem_iova(t->bufs + 2048 * i);
	dd[1] = cmd | (uint64_t)len << 34;
	t->next = (i + 1) % NDESC;
	xw(&d->x, QTX_TAIL(q), t->next);
}

static uint64_t rx_qw1(struct dq *r, unsigned i)
{
	return __atomic_load_n((volatile uint64_t *)(r->ring + 32 * i + 8), __ATOMIC_ACQUIRE);
}

/* Open an X710 port, wait for firmware and link (loopback wire), HMC. */
static void xdev_open(struct xdev *d, unsigned port, const char *wire)
{
	char spec[64];
	memset(d, 0, sizeof *d);
	snprintf(spec, sizeof spec, "sim:%u/model=x710%s%s", port, wire ? "," : "", wire ? wire : "");
	x_open(&d->x, spec);
	d->pf = port & 3;
	x_wait_ready(&d->x);
	hmc_init(d, NQ, NQ);
}

static void hmc_errors_and_qena_timing(void **state)
{
	(void)state;
	struct xdev d;
	memset(&d, 0, sizeof d);
	x_open(&d.x, "sim:0/model=x710");
	d.pf = 0;
	x_wait_ready(&d.x);
	/* no segment descriptor: the RX queue does not start */
	xw(&d.x, LANRXCNT(0), 4);
	xw(&d.x, QRX_ENA(0), 1);
	assert_true(xwait(&d.x, PFHMC_ERRORINFO, 1u << 31, 1u << 31, 100));
	assert_int_equal(xr(&d.x, QRX_ENA(0)) & 4, 0);
	assert_int_equal((xr(&d.x, PFHMC_ERRORINFO) >> 16) & 0xF, 2);   /* object RX */
	assert_true(sim_violation_find("which is not valid"));
	xw(&d.x, QRX_ENA(0), 0);
	xw(&d.x, PFHMC_ERRORINFO, 0);
	/* backed: starts, after a delay (QENA_STAT follows QENA_REQ) */
	hmc_init(&d, NQ, NQ);
	uint64_t us = rx_queue(&d, 0, true);
	assert_true(us >= 50);
	/* a queue beyond LANRXCNT: error type 3 */
	xw(&d.x, QRX_ENA(5), 1);
	assert_true(xwait(&d.x, PFHMC_ERRORINFO, 0xF00, 0x300, 100));
	assert_int_equal(xr(&d.x, QRX_ENA(5)) & 4, 0);
	xw(&d.x, QRX_ENA(5), 0);
	/* the injected fault: the context is invalid once */
	sim_violations_clear();
	xw(&d.x, PFHMC_ERRORINFO, 0);
	sim_fault_hmc_context(0, 1);
	tx_queue_x(&d, 1, 0x08, false, false);
	assert_true(xwait(&d.x, PFHMC_ERRORINFO, 0xF00, 0x500, 100));
	assert_int_equal(xr(&d.x, QTX_ENA(1)) & 4, 0);                  /* never sets */
	xw(&d.x, QTX_ENA(1), 0);
	/* the TX context's rdylist must be the VSI's qs_handle */
	tx_queue_x(&d, 1, 0x33, false, false);
	assert_true(WAIT_FOR(sim_violation_find("rdylist is not the VSI's qs_handle"), 100));
	assert_int_equal(xr(&d.x, QTX_ENA(1)) & 4, 0);
	xw(&d.x, QTX_ENA(1), 0);
	assert_true(tx_queue(&d, 1, 0x08, false) >= 50);
	/* disable handshake: SET_QDIS, clear REQ, STAT goes to 0 */
	xw(&d.x, TXPRE_QDIS(0), 1 | 1u << 30);
	xw(&d.x, QTX_ENA(1), 0);
	assert_true(xwait(&d.x, QTX_ENA(1), 4, 0, 50));
	/* a tail beyond the running RX ring is refused */
	xw(&d.x, QRX_TAIL(0), NDESC);
	assert_true(sim_violation_find("QRX_TAIL(0) = 64 is beyond the ring"));
	x_close(&d.x);
}

static void frame_out_and_in_with_write_back_batching(void **state)
{
	(void)state;
	struct xdev d;
	xdev_open(&d, 1, "loopback");
	assert_true(rx_queue(&d, 0, true) > 0);
	assert_true(tx_queue(&d, 0, 0x18, false) > 0);   /* qs_handle of pf 1 */
	assert_true(xwait(&d.x, PRTMAC_LINKSTA, 0x40000080, 0x40000080, 200));
	const uint8_t mac[6] = { 0x02, 0x4b, 0x56, 0x00, 0x01, 0x01 };
	uint8_t f[1514];
	uint16_t len = t_frame(f, mac, 300, 1, 1000);
	/* one frame out: DTYPE 0xF on the RS descriptor; back in on queue 0,
	 * its data and write-back in place but DD held (1 of a group of 4) */
	tx_send(&d, 0, f, len, TXD_EOP | TXD_RS | TXD_ICRC);
	volatile uint64_t *td = (volatile uint64_t *)d.tx[0].ring;
	assert_true(WAIT_FOR((td[1] & 0xF) == 0xF, 100));
	assert_true(WAIT_FOR(((rx_qw1(&d.rx[0], 0) >> 38) & 0x3FFF) == len, 100));
	usleep(5000);
	assert_int_equal(rx_qw1(&d.rx[0], 0) & 1, 0);
	assert_memory_equal(d.rx[0].bufs, f, len);
	/* three more complete the group: all four get DD */
	for (unsigned i = 2; i <= 4; i++) {
		t_frame(f, mac, 300, i, 1000);
		tx_send(&d, 0, f, len, TXD_EOP | TXD_RS | TXD_ICRC);
	}
	assert_true(WAIT_FOR((rx_qw1(&d.rx[0], 3) & 1) == 1, 100));
	for (unsigned i = 0; i < 4; i++) {
		uint64_t qw1 = rx_qw1(&d.rx[0], i);
		assert_int_equal(qw1 & 3, 3);                     /* DD EOF */
		assert_int_equal((qw1 >> 30) & 0xFF, 24);         /* IPv4 UDP */
		assert_int_equal((qw1 >> 38) & 0x3FFF, len);
	}
	/* the queue in vector 0's cause list, INTENA set: the next frame is
	 * written back at once, and INTENA clears (auto-mask) */
	xw(&d.x, QINT_RQCTL(0), 1u << 30 | 0x7FFu << 16 | 3u << 11);
	xw(&d.x, PFINT_LNKLST0, 0);
	xw(&d.x, PFINT_DYN_CTL0, 1 | 3u << 3);
	/* the four frames above left the queue's cause pending: it fires at once */
	assert_true(xwait(&d.x, PFINT_DYN_CTL0, 1, 0, 100));
	xw(&d.x, PFINT_DYN_CTL0, 1 | 3u << 3);                   /* re-arm */
	t_frame(f, mac, 300, 5, 1000);
	tx_send(&d, 0, f, len, TXD_EOP | TXD_RS | TXD_ICRC);
	assert_true(WAIT_FOR((rx_qw1(&d.rx[0], 4) & 1) == 1, 100));
	assert_int_equal(xr(&d.x, PFINT_DYN_CTL0) & 1, 0);
	/* not re-armed: the next frame is held; re-arming flushes it */
	t_frame(f, mac, 300, 6, 1000);
	tx_send(&d, 0, f, len, TXD_EOP | TXD_RS | TXD_ICRC);
	assert_true(WAIT_FOR(((rx_qw1(&d.rx[0], 5) >> 38) & 0x3FFF) == len, 100));
	usleep(5000);
	assert_int_equal(rx_qw1(&d.rx[0], 5) & 1, 0);
	xw(&d.x, PFINT_DYN_CTL0, 1 | 3u << 3);
	assert_true(WAIT_FOR((rx_qw1(&d.rx[0], 5) & 1) == 1, 100));
	assert_memory_equal(d.rx[0].bufs + 5 * 2048, f, len);
	/* without ICRC: counted (GOTC, UPTC), completed, never on the wire */
	struct sim_port_stats st0, st1;
	sim_port_stats(1, &st0);
	uint32_t uptc0 = xr(&d.x, GLPRT(P_UPTCL, 1));
	tx_send(&d, 0, f, len, TXD_EOP | TXD_RS);
	assert_true(WAIT_FOR((td[2 * 6 + 1] & 0xF) == 0xF, 100));
	assert_true(WAIT_FOR(xr(&d.x, GLPRT(P_UPTCL, 1)) == uptc0 + 1, 100));
	usleep(2000);
	sim_port_stats(1, &st1);
	assert_int_equal(st1.wire_rx_frames, st0.wire_rx_frames);
	assert_int_equal(st1.tx_frames, st0.tx_frames);
	/* port statistics: 7 frames sent, 6 received, octets with the FCS */
	assert_true(WAIT_FOR(xr(&d.x, GLPRT(P_GORCL, 1)) == 6u * (len + 4), 100));
	assert_int_equal(xr(&d.x, GLPRT(P_GOTCL, 1)), 7 * (len + 4));
	assert_int_equal(xr(&d.x, GLPRT(P_UPRCL, 1)), 6);
	assert_int_equal(xr(&d.x, GLPRT(P_UPRCL, 1)), 6);          /* not clear-on-read */
	assert_int_equal(st1.rx_frames, 6);
	assert_int_equal(sim_violation_count(), 0);
	x_close(&d.x);
}

static void rss_spreads_over_four_queues(void **state)
{
	(void)state;
	struct xdev d;
	xdev_open(&d, 2, "loopback");
	for (unsigned q = 0; q < NQ; q++)
		assert_true(rx_queue(&d, q, true) > 0);
	static const uint8_t key[40] = {
		0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
		0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
		0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa };
	for (unsigned i = 0; i < 10; i++)
		xw(&d.x, PFQF_HKEY(i), (uint32_t)key[4 * i] | key[4 * i + 1] << 8 | key[4 * i + 2] << 16 | (uint32_t)key[4 * i + 3] << 24);
	xw(&d.x, PFQF_CTL_0, 1u << 16);                          /* 512-entry LUT */
	for (unsigned i = 0; i < 128; i++)
		xw(&d.x, PFQF_HLUT(i), 0x03020100);
	xw(&d.x, PFQF_HENA(0), 1u << 31);                        /* IPv4 UDP */
	/* every frame completes its own group only with an interrupt: arm
	 * vector 0 for all four queues, ITR 0 = at once */
	xw(&d.x, PFINT_LNKLST0, 0);
	for (unsigned q = 0; q < NQ; q++)
		xw(&d.x, QINT_RQCTL(q), 1u << 30 | (q + 1 < NQ ? q + 1 : 0x7FFu) << 16 | 0u << 11);
	xw(&d.x, PFINT_ITR0(0), 0);
	assert_true(xwait(&d.x, PRTMAC_LINKSTA, 0x40000080, 0x40000080, 200));
	const uint8_t mac[6] = { 0x02, 0x4b, 0x56, 0x00, 0x01, 0x02 };
	unsigned got[NQ] = { 0 }, total = 0;
	for (unsigned i = 0; i < 32; i++) {
		uint8_t f[128];
		uint16_t len = t_frame(f, mac, 100, i, (uint16_t)(1000 + 17 * i));
		xw(&d.x, PFINT_DYN_CTL0, 1 | 3u << 3);                   /* re-arm */
		assert_int_equal(sim_port_inject(2, f, len), 0);
		bool seen = WAIT_FOR(({
			bool any = false;
			for (unsigned q = 0; q < NQ && !any; q++)
				any = rx_qw1(&d.rx[q], d.rx[q].next) & 1;
			any; }), 100);
		assert_true(seen);
		for (unsigned q = 0; q < NQ; q++) {
			struct dq *r = &d.rx[q];
			uint64_t qw1 = rx_qw1(r, r->next);
			if (!(qw1 & 1))
				continue;
			uint32_t hash = (uint32_t)(*(volatile uint64_t *)(r->ring + 32 * r->next) >> 32);
			assert_int_equal((qw1 >> 12) & 3, 3);                /* FLTSTAT: RSS hash */
			assert_int_equal(hash % 4, q);                       /* LUT entry (hash % 512) % 4 */
			assert_memory_equal(r->bufs + 2048 * r->next, f, len);
			r->next++;
			got[q]++;
			total++;
		}
	}
	assert_int_equal(total, 32);
	for (unsigned q = 0; q < NQ; q++)
		assert_true(got[q] > 0);
	assert_int_equal(sim_violation_count(), 0);
	x_close(&d.x);
}

static void reset_mid_traffic_and_stats(void **state)
{
	(void)state;
	struct xdev d;
	xdev_open(&d, 0, "loopback");
	assert_true(rx_queue(&d, 0, true) > 0);
	assert_true(tx_queue(&d, 0, 0x08, true) > 0);
	assert_true(xwait(&d.x, PRTMAC_LINKSTA, 0x40000080, 0x40000080, 200));
	const uint8_t mac[6] = { 0x02, 0x4b, 0x56, 0x00, 0x01, 0x00 };
	uint8_t f[128];
	uint16_t len = t_frame(f, mac, 64, 1, 1);
	for (unsigned i = 0; i < 8; i++)
		tx_send(&d, 0, f, len, TXD_EOP | TXD_ICRC);
	/* head write-back instead of DTYPE 0xF */
	assert_true(WAIT_FOR(__atomic_load_n(d.headwb, __ATOMIC_ACQUIRE) == 8, 100));
	assert_int_equal(*(volatile uint64_t *)(d.tx[0].ring + 8) & 0xF, 0);
	assert_true(WAIT_FOR((rx_qw1(&d.rx[0], 7) & 1) == 1, 100));
	struct sim_port_stats st;
	assert_int_equal(sim_port_stats(0, &st), 0);
	assert_int_equal(st.rx_frames, 8);
	assert_int_equal(st.tx_frames, 8);
	assert_true(st.link_up);
	/* a core reset in the middle: queues off, registers back */
	sim_fault_reset(0);
	x_wait_ready(&d.x);
	assert_int_equal(xr(&d.x, QRX_ENA(0)), 0);
	assert_int_equal(xr(&d.x, QTX_ENA(0)), 0);
	assert_int_equal(xr(&d.x, GLPRT(P_GORCL, 0)), 0);
	assert_int_equal(xr(&d.x, LANTXCNT(0)), 0);
	assert_int_equal(sim_port_stats(0, &st), 0);
	assert_true(st.resets >= 1);
	x_close(&d.x);
}

/* Arm vector 0 for RX queue 0 with no ITR: every frame is written back. */
static void arm_vector0(struct xdev *d)
{
	xw(&d->x, QINT_RQCTL(0), 1u << 30 | 0x7FFu << 16 | 3u << 11);
	xw(&d->x, PFINT_LNKLST0, 0);
	xw(&d->x, 0x03F800, 1);                                  /* GLINT_CTL: no auto-mask */
	xw(&d->x, PFINT_DYN_CTL0, 1 | 3u << 3);
}

static void jumbo_and_common_faults(void **state)
{
	(void)state;
	struct xdev d;
	xdev_open(&d, 3, "loopback");
	assert_true(rx_queue(&d, 0, true) > 0);
	assert_true(tx_queue(&d, 0, 0x08 + 0x10 * 3, false) > 0);
	assert_true(xwait(&d.x, PRTMAC_LINKSTA, 0x40000080, 0x40000080, 200));
	arm_vector0(&d);
	const uint8_t mac[6] = { 0x02, 0x4b, 0x56, 0x00, 0x01, 0x03 };
	static uint8_t f[9000];
	/* a 5000-byte frame from three TX descriptors arrives in three RX
	 * descriptors (dbuff 2 KB), EOF on the last */
	uint16_t len = t_frame(f, mac, 5000, 7, 2000);
	struct dq *t = &d.tx[0];
	for (unsigned k = 0; k < 3; k++) {
		uint16_t part = k < 2 ? 2000 : 1000;
		memcpy(t->bufs + 2048 * k, f + 2000 * k, part);
		volatile uint64_t *dd = (volatile uint64_t *)(t->ring + 16 * k);
		dd[0] = mem_iova(t->bufs + 2048 * k);
		dd[1] = (k == 2 ? TXD_EOP | TXD_RS : 0) | TXD_ICRC | (uint64_t)part << 34;
	}
	t->next = 3;
	xw(&d.x, QTX_TAIL(0), 3);
	assert_true(WAIT_FOR((rx_qw1(&d.rx[0], 2) & 1) == 1, 100));
	for (unsigned k = 0; k < 3; k++) {
		uint64_t qw1 = rx_qw1(&d.rx[0], k);
		assert_int_equal(qw1 & 1, 1);
		assert_int_equal((qw1 >> 1) & 1, k == 2);            /* EOF on the last */
		assert_int_equal((qw1 >> 38) & 0x3FFF, k < 2 ? 2048u : 5000u - 4096u);
	}
	assert_memory_equal(d.rx[0].bufs, f, 2048);
	assert_memory_equal(d.rx[0].bufs + 2048, f + 2048, 2048);
	assert_memory_equal(d.rx[0].bufs + 4096, f + 4096, 5000 - 4096);
	d.rx[0].next = 3;
	/* sim_fault_rx_bad_length: a length beyond the buffer;
	 * sim_fault_rx_no_eop: DD without EOF */
	len = t_frame(f, mac, 200, 8, 2000);
	sim_fault_rx_bad_length(3, 1);
	tx_send(&d, 0, f, len, TXD_EOP | TXD_RS | TXD_ICRC);
	assert_true(WAIT_FOR((rx_qw1(&d.rx[0], 3) & 1) == 1, 100));
	assert_true(((rx_qw1(&d.rx[0], 3) >> 38) & 0x3FFF) > 2048);
	sim_fault_rx_no_eop(3, 1);
	tx_send(&d, 0, f, len, TXD_EOP | TXD_RS | TXD_ICRC);
	assert_true(WAIT_FOR((rx_qw1(&d.rx[0], 4) & 1) == 1, 100));
	assert_int_equal(rx_qw1(&d.rx[0], 4) & 2, 0);
	/* sim_fault_stall: nothing moves for the stall, then it does */
	sim_fault_stall(3, 30);
	uint64_t t0 = t_now_ms();
	tx_send(&d, 0, f, len, TXD_EOP | TXD_RS | TXD_ICRC);
	assert_true(WAIT_FOR((rx_qw1(&d.rx[0], 5) & 1) == 1, 200));
	assert_true(t_now_ms() - t0 >= 25);
	/* an unmapped TX buffer: an IOMMU fault, the queue stops */
	uint64_t faults = sim_iommu_faults();
	volatile uint64_t *dd = (volatile uint64_t *)(t->ring + 16 * t->next);
	dd[0] = 0x10000;                                       /* never mapped */
	dd[1] = TXD_EOP | TXD_RS | TXD_ICRC | (uint64_t)64 << 34;
	t->next++;
	xw(&d.x, QTX_TAIL(0), t->next);
	assert_true(xwait(&d.x, QTX_ENA(0), 4, 0, 100));
	assert_int_equal(sim_iommu_faults(), faults + 1);
	assert_true(sim_violation_find("IOMMU fault: TX buffer of queue 0"));
	x_close(&d.x);
}

static void packet_buffer_holds_frames_without_descriptors(void **state)
{
	(void)state;
	struct xdev d;
	xdev_open(&d, 1, "loopback");
	assert_true(rx_queue(&d, 0, true) > 0);
	assert_true(xwait(&d.x, PRTMAC_LINKSTA, 0x40000080, 0x40000080, 200));
	arm_vector0(&d);
	xw(&d.x, QRX_TAIL(0), 0);                                /* no free descriptor */
	const uint8_t mac[6] = { 0x02, 0x4b, 0x56, 0x00, 0x01, 0x01 };
	uint8_t f[256];
	for (unsigned i = 0; i < 6; i++) {
		uint16_t len = t_frame(f, mac, 200, i, 3000);
		assert_int_equal(sim_port_inject(1, f, len), 0);
	}
	struct sim_port_stats st;
	assert_true(WAIT_FOR(sim_port_stats(1, &st) == 0 && st.wire_rx_frames == 6, 100));
	usleep(2000);
	assert_int_equal(rx_qw1(&d.rx[0], 0) & 1, 0);            /* waiting in the buffer */
	xw(&d.x, QRX_TAIL(0), 10);                               /* descriptors: they arrive */
	assert_true(WAIT_FOR((rx_qw1(&d.rx[0], 5) & 1) == 1, 100));
	for (unsigned i = 0; i < 6; i++) {
		uint16_t len = t_frame(f, mac, 200, i, 3000);
		assert_memory_equal(d.rx[0].bufs + 2048 * i, f, len);
	}
	assert_int_equal(xr(&d.x, GLPRT(0x300600, 1)), 0);       /* RDPC */
	assert_int_equal(sim_port_stats(1, &st), 0);
	assert_int_equal(st.rx_frames, 6);
	assert_int_equal(st.rx_drop_nodesc, 0);
	x_close(&d.x);
}

static void fcs_delivery_qdis_forms_and_flr(void **state)
{
	(void)state;
	struct xdev d;
	xdev_open(&d, 2, "loopback");
	/* crcstrip 0: the FCS is delivered, the length counts it */
	assert_true(rx_queue(&d, 0, false) > 0);
	/* GLLAN_TXPRE_QDIS takes abs % 128 (Linux) or the absolute index
	 * (iPXE): PF 2's queue 1 is absolute 129, register 1 */
	xw(&d.x, TXPRE_QDIS(1), 129 | 1u << 30);                 /* SET, full index */
	xw(&d.x, QTX_CTL(1), 2 | 2u << 2);
	xw(&d.x, QTX_ENA(1), 1);
	assert_true(WAIT_FOR(sim_violation_find("pre-disabled"), 100));
	xw(&d.x, QTX_ENA(1), 0);
	assert_true(tx_queue(&d, 1, 0x08 + 0x10 * 2, false) > 0);  /* CLEAR with abs % 128 */
	xw(&d.x, TXPRE_QDIS(0), 129 | 1u << 31);                 /* another register's queue */
	assert_true(sim_violation_find("names absolute queue 129"));
	assert_true(xwait(&d.x, PRTMAC_LINKSTA, 0x40000080, 0x40000080, 200));
	arm_vector0(&d);
	const uint8_t mac[6] = { 0x02, 0x4b, 0x56, 0x00, 0x01, 0x02 };
	uint8_t f[128];
	uint16_t len = t_frame(f, mac, 100, 1, 1);
	tx_send(&d, 1, f, len, TXD_EOP | TXD_RS | TXD_ICRC);
	assert_true(WAIT_FOR((rx_qw1(&d.rx[0], 0) & 1) == 1, 100));
	assert_int_equal((rx_qw1(&d.rx[0], 0) >> 38) & 0x3FFF, len + 4u);
	assert_memory_equal(d.rx[0].bufs, f, len);
	/* a function-level reset is a PF reset: queues off, the admin queue
	 * off, the HMC object bases (core domain) kept */
	xw(&d.x, PF_ATQLEN, 8 | AQ_ENABLE);
	assert_int_equal(d.x.dev.ops->reset(&d.x.dev), 0);
	assert_int_equal(xr(&d.x, QRX_ENA(0)), 0);
	assert_int_equal(xr(&d.x, QTX_ENA(1)), 0);
	assert_int_equal(xr(&d.x, PF_ATQLEN), 0);
	assert_int_equal(xr(&d.x, LANTXCNT(2)), NQ);
	x_close(&d.x);
}

static int x_teardown(void **state)
{
	(void)state;
	sim_shutdown();
	return 0;
}

int main(void)
{
	log_set_level(getenv("SIM_VERBOSE") ? LOG_DEBUG : LOG_ERROR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(identity_reset_values_and_timing, x_teardown),
		cmocka_unit_test_teardown(strict_registers, x_teardown),
		cmocka_unit_test_teardown(firmware_answers_every_command, x_teardown),
		cmocka_unit_test_teardown(timeout_and_error_faults, x_teardown),
		cmocka_unit_test_teardown(link_events_on_the_receive_queue, x_teardown),
		cmocka_unit_test_teardown(hmc_errors_and_qena_timing, x_teardown),
		cmocka_unit_test_teardown(frame_out_and_in_with_write_back_batching, x_teardown),
		cmocka_unit_test_teardown(rss_spreads_over_four_queues, x_teardown),
		cmocka_unit_test_teardown(reset_mid_traffic_and_stats, x_teardown),
		cmocka_unit_test_teardown(jumbo_and_common_faults, x_teardown),
		cmocka_unit_test_teardown(packet_buffer_holds_frames_without_descriptors, x_teardown),
		cmocka_unit_test_teardown(fcs_delivery_qdis_forms_and_flr, x_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
