/* x710_aq.c -- the X710's firmware as the driver sees it: the admin queue.
 *
 * Send queue (ATQ, datasheet: Admin Queue): the driver writes 32-byte
 * descriptors at PF_ATQT and advances the tail.  X710_T_AQ after it sees a
 * new command, the firmware DMA-reads the descriptor at PF_ATQH (and its
 * indirect buffer, when BUF is set) through the IOMMU, executes it, writes
 * the response buffer, then the descriptor (retval, response parameters,
 * flags DD|CMP, |ERR when retval != 0 -- the flags word last, release), and
 * advances PF_ATQH.  One command per X710_T_AQ: a driver that does not poll
 * for the head (or DD) reads a stale descriptor.
 *
 * Descriptor (little-endian): flags u16 @0, opcode @2, datalen @4, retval
 * @6, cookie high @8, cookie low @12 (returned unchanged), params @16..31;
 * for indirect commands params @24/@28 are the buffer address high/low.
 * Formats of each command's parameters and buffer are those of the public
 * i40e_adminq_cmd.h (facts only).
 *
 * Receive queue (ARQ): the driver hands descriptors with buffers to the
 * firmware by advancing PF_ARQT; an event is written into the descriptor
 * at PF_ARQH (overwriting its parameters, which held the buffer address)
 * and PF_ARQH advances; with no free descriptor the event is lost and
 * PF_ARQLEN.ARQOVFL set.  The firmware posts link-status-change events
 * (opcode 0x0607, the get-link-status response format) when the driver
 * enabled them with get link status (command flags 3).
 *
 * Return codes: an unknown opcode ESRCH (3), bad parameters EINVAL (14), a
 * buffer too small for the answer ENOMEM (9, with datalen = the size
 * needed), clear PXE when already clear EEXIST (13).
 */
#include <string.h>

#include "x710_model.h"

enum { AQ_FLAG_DD = 0x1, AQ_FLAG_CMP = 0x2, AQ_FLAG_ERR = 0x4, AQ_FLAG_LB = 0x200,
       AQ_FLAG_RD = 0x400, AQ_FLAG_BUF = 0x1000 };
enum { RC_OK = 0, RC_ESRCH = 3, RC_ENOMEM = 9, RC_EEXIST = 13, RC_EINVAL = 14 };
enum { OPC_GET_VERSION = 0x0001, OPC_DRIVER_VERSION = 0x0002, OPC_QUEUE_SHUTDOWN = 0x0003,
       OPC_MAC_READ = 0x0107, OPC_CLEAR_PXE = 0x0110, OPC_GET_SWITCH_CONFIG = 0x0200,
       OPC_GET_VSI_PARAMS = 0x0212, OPC_SET_VSI_PROMISC = 0x0254, OPC_SET_MAC_CONFIG = 0x0603,
       OPC_RESTART_AN = 0x0605, OPC_GET_LINK_STATUS = 0x0607 };

static uint16_t get16(const uint8_t *b, unsigned o) { return (uint16_t)(b[o] | b[o + 1] << 8); }
static uint32_t get32(const uint8_t *b, unsigned o) { return get16(b, o) | (uint32_t)get16(b, o + 2) << 16; }
static void put16(uint8_t *b, unsigned o, uint16_t v) { b[o] = (uint8_t)v; b[o + 1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *b, unsigned o, uint32_t v) { put16(b, o, (uint16_t)v); put16(b, o + 2, (uint16_t)(v >> 16)); }

/* One command being executed. */
struct cmd {
	uint8_t d[32];             /* the descriptor (response built in place) */
	uint8_t *buf;              /* host address of the indirect buffer, or NULL */
	uint16_t buflen;           /* the buffer's size (datalen as the driver gave it) */
	uint16_t resplen;          /* bytes of response in buf */
};

/* ---- the link status answer (also the ARQ event's parameters) ---- */

void x710_link_params(struct sim_port *p, uint8_t prm[16])
{
	struct x710 *x = p->x7;
	bool up = p->link_up;
	memset(prm, 0, 16);
	put16(prm, 0, x->lse ? 0x1 : 0);                /* LSE is enabled */
	prm[2] = 0x14;                                  /* phy type 10GBASE-SR */
	prm[3] = up ? 0x08 : 0;                         /* link speed 10G */
	prm[4] = (up ? 0x01 | 0x20 : 0) |               /* link up (function, port) */
	         (wire_connected(p) ? 0x40 : 0);        /* media available */
	prm[5] = (up ? 0x01 : 0) | 0x80;                /* AN completed, qualified module */
	put16(prm, 8, x->max_frame);
	prm[10] = x->crc_en ? 0x04 : 0;                 /* CRC enabled */
}

/* ---- commands ---- */

static int need_buf(struct cmd *c, uint16_t size)
{
	if (!c->buf)
		return RC_EINVAL;
	if (c->buflen < size) {
		put16(c->d, 4, size);                        /* datalen: the size needed */
		return RC_ENOMEM;
	}
	return RC_OK;
}

static int cmd_get_version(struct sim_port *p, struct cmd *c)
{
	uint8_t *r = c->d + 16;
	uint32_t api = atomic_load(&p->x7->fault_api);  /* sim_fault_aq_api() */
	put32(r, 0, 0x00000001);                        /* ROM (option ROM) version */
	put32(r, 4, X710_FW_BUILD);
	put16(r, 8, X710_FW_MAJOR);
	put16(r, 10, X710_FW_MINOR);
	put16(r, 12, api ? (uint16_t)(api >> 16 & 0x7FFF) : X710_API_MAJOR);
	put16(r, 14, api ? (uint16_t)api : X710_API_MINOR);
	return RC_OK;
}

static int cmd_mac_read(struct sim_port *p, struct cmd *c)
{
	int rc = need_buf(c, 24);
	if (rc)
		return rc;
	uint8_t mac[6];
	for (unsigned i = 0; i < 6; i++)
		mac[i] = (uint8_t)(p->x7->mac >> (8 * i));
	memset(c->buf, 0, 24);
	memcpy(c->buf + 0, mac, 6);                     /* pf_lan_mac */
	memcpy(c->buf + 12, mac, 6);                    /* port_mac */
	c->resplen = 24;
	put16(c->d, 16, 0x10 | 0x40);                   /* LAN and port address valid */
	return RC_OK;
}

static int cmd_clear_pxe(struct sim_port *p, struct cmd *c)
{
	if (c->d[16] != 0x2)                            /* rx_cnt: the magic 2 */
		return RC_EINVAL;
	if (p->x7->pxe_cleared)
		return RC_EEXIST;
	p->x7->pxe_cleared = true;
	return RC_OK;
}

static void sw_element(uint8_t *e, uint8_t type, uint16_t seid, uint16_t up, uint16_t down)
{
	memset(e, 0, 16);
	e[0] = type;
	e[1] = 1;                                       /* revision */
	put16(e, 2, seid);
	put16(e, 4, up);
	put16(e, 6, down);
	e[11] = 1;                                      /* connection type: regular */
}

static int cmd_get_switch_config(struct sim_port *p, struct cmd *c)
{
	struct x710 *x = p->x7;
	if (get16(c->d, 16) != 0)                       /* start SEID: one page, from 0 */
		return RC_EINVAL;
	int rc = need_buf(c, 16 + 3 * 16);
	if (rc)
		return rc;
	memset(c->buf, 0, 16);
	put16(c->buf, 0, 3);                            /* num_reported */
	put16(c->buf, 2, 3);                            /* num_total */
	sw_element(c->buf + 16, 1, (uint16_t)X710_SEID_MAC(x->port), 0, (uint16_t)X710_SEID_VSI(x->pf));
	sw_element(c->buf + 32, 2, (uint16_t)X710_SEID_PF(x->pf), 0, 0);
	sw_element(c->buf + 48, 19, (uint16_t)X710_SEID_VSI(x->pf), (uint16_t)X710_SEID_MAC(x->port),
	           (uint16_t)X710_SEID_PF(x->pf));
	c->resplen = 64;
	put16(c->d, 16, 0);                             /* next SEID: 0, all reported */
	return RC_OK;
}

static unsigned log2u(unsigned n)
{
	unsigned l = 0;
	while ((1u << (l + 1)) <= n)
		l++;
	return l;
}

static int cmd_get_vsi_params(struct sim_port *p, struct cmd *c)
{
	struct x710 *x = p->x7;
	if (get16(c->d, 16) != X710_SEID_VSI(x->pf))
		return RC_EINVAL;
	int rc = need_buf(c, 128);
	if (rc)
		return rc;
	uint8_t *v = c->buf;
	memset(v, 0, 128);
	put16(v, 0, 0x0001 | 0x0040);                   /* valid: switch, queue map */
	put16(v, 28, 0);                                /* mapping flags: contiguous */
	put16(v, 30, 0);                                /* queue_mapping[0]: PF queue 0 */
	for (unsigned i = 1; i < 16; i++)
		put16(v, 30 + 2 * i, 0);
	put16(v, 62, (uint16_t)(0 | log2u(x->nq) << 9));  /* tc_mapping[0]: offset 0, 2^n queues */
	put16(v, 96, (uint16_t)X710_QS_HANDLE(x->pf));     /* qs_handle[0] */
	for (unsigned i = 1; i < 8; i++)
		put16(v, 96 + 2 * i, 0xFFFF);                   /* other TCs: invalid */
	put16(v, 112, (uint16_t)x->pf);                 /* stat_counter_idx */
	c->resplen = 128;
	uint8_t *r = c->d + 16;
	put16(r, 0, (uint16_t)X710_SEID_VSI(x->pf));    /* seid */
	put16(r, 2, (uint16_t)x->pf);                   /* vsi_number */
	put16(r, 4, 1);                                 /* vsi_used */
	put16(r, 6, 383);                               /* vsi_free */
	return RC_OK;
}

static int cmd_set_vsi_promisc(struct sim_port *p, struct cmd *c)
{
	struct x710 *x = p->x7;
	uint16_t flags = get16(c->d, 16), valid = get16(c->d, 18), seid = get16(c->d, 20) & 0x3FF;
	if (seid != X710_SEID_VSI(x->pf))
		return RC_EINVAL;
	const uint16_t known = 0x01 | 0x02 | 0x04 | 0x08 | 0x10 | 0x8000;
	if ((valid | flags) & ~known)
		return RC_EINVAL;
	x->promisc = (uint8_t)((x->promisc & ~valid) | (flags & valid));
	return RC_OK;
}

static int cmd_set_mac_config(struct sim_port *p, struct cmd *c)
{
	uint16_t mfs = get16(c->d, 16);
	if (mfs < 64 || mfs > X710_MAX_FRAME)
		return RC_EINVAL;
	p->x7->max_frame = mfs;
	p->x7->crc_en = c->d[18] & 0x04;
	return RC_OK;
}

static int cmd_restart_an(struct sim_port *p, struct cmd *c, uint64_t now)
{
	uint8_t cmd = c->d[16];
	if (!(cmd & 0x02))                              /* RESTART_AN must be set */
		return RC_EINVAL;
	x710_restart_an(p, cmd & 0x04, now);
	return RC_OK;
}

static int cmd_get_link_status(struct sim_port *p, struct cmd *c)
{
	struct x710 *x = p->x7;
	switch (get16(c->d, 16) & 0x3) {
	case 0x3: x->lse = true; break;                 /* enable link status events */
	case 0x2: x->lse = false; break;
	default: break;
	}
	x710_link_params(p, c->d + 16);
	x->event_link = p->link_up;
	return RC_OK;
}

static int execute(struct sim_port *p, struct cmd *c, uint64_t now)
{
	uint16_t opcode = get16(c->d, 2);
	struct x710 *x = p->x7;
	/* sim_fault_aq_error(): the next n commands with this opcode fail */
	pthread_mutex_lock(&x->fault_lock);
	for (unsigned i = 0; i < 8; i++) {
		if (x->aq_err[i].n && x->aq_err[i].opcode == opcode) {
			x->aq_err[i].n--;
			uint16_t rc = x->aq_err[i].retval;
			pthread_mutex_unlock(&x->fault_lock);
			return rc;
		}
	}
	pthread_mutex_unlock(&x->fault_lock);
	switch (opcode) {
	case OPC_GET_VERSION:       return cmd_get_version(p, c);
	case OPC_DRIVER_VERSION:    return RC_OK;   /* the driver's version string: noted */
	case OPC_QUEUE_SHUTDOWN:
		x->unloading = c->d[16] & 0x1;
		x->lse = false;                         /* no more events for this driver */
		return RC_OK;
	case OPC_MAC_READ:          return cmd_mac_read(p, c);
	case OPC_CLEAR_PXE:         return cmd_clear_pxe(p, c);
	case OPC_GET_SWITCH_CONFIG: return cmd_get_switch_config(p, c);
	case OPC_GET_VSI_PARAMS:    return cmd_get_vsi_params(p, c);
	case OPC_SET_VSI_PROMISC:   return cmd_set_vsi_promisc(p, c);
	case OPC_SET_MAC_CONFIG:    return cmd_set_mac_config(p, c);
	case OPC_RESTART_AN:        return cmd_restart_an(p, c, now);
	case OPC_GET_LINK_STATUS:   return cmd_get_link_status(p, c);
	default:                    return RC_ESRCH;
	}
}

/* ---- the send queue ---- */

/* The ring of a queue (ATQ or ARQ), or NULL when it cannot be used:
 * disabled, misprogrammed (violation, recorded once per enable), or not
 * mapped (IOMMU fault). */
static uint8_t *aq_ring(struct sim_port *p, bool send, uint32_t *n)
{
	struct x710 *x = p->x7;
	uint32_t len = xget(p, send ? X_PF_ATQLEN : X_PF_ARQLEN, 0);
	*n = len & AQLEN_LEN_MASK;
	if (!(len & AQLEN_ENABLE) || !*n)
		return NULL;
	uint64_t base = xget(p, send ? X_PF_ATQBAL : X_PF_ARQBAL, 0) |
	                (uint64_t)xget(p, send ? X_PF_ATQBAH : X_PF_ARQBAH, 0) << 32;
	const char *q = send ? "ATQ" : "ARQ";
	if (base == 0 || (base & 63)) {
		if (!x->aq_bad_told[send]) {
			sim_violation_add(p, "admin %s enabled with base 0x%llx (PF_%sBAL/BAH): %s; the firmware cannot use it (datasheet: Admin Queue, 64-byte aligned base, inferred)",
			                  q, (unsigned long long)base, q, base ? "not 64-byte aligned" : "zero");
			x->aq_bad_told[send] = true;
		}
		return NULL;
	}
	uint8_t *ring = sim_iommu_translate(base, *n * 32ull);
	if (!ring && !x->aq_bad_told[send]) {
		sim_iommu_fault(p, send ? "admin send queue ring of" : "admin receive queue ring of", 0, base, *n * 32ull);
		x->aq_bad_told[send] = true;
	}
	return ring;
}

/* Execute the command at ATQH and write its completion back. */
static void aq_complete(struct sim_port *p, uint8_t *desc, uint64_t now)
{
	struct cmd c;
	memset(&c, 0, sizeof c);
	memcpy(c.d, desc, 32);
	uint16_t flags = get16(c.d, 0);
	c.buflen = get16(c.d, 4);
	int rc = RC_OK;
	if (flags & AQ_FLAG_BUF) {
		uint64_t addr = (uint64_t)get32(c.d, 24) << 32 | get32(c.d, 28);
		if (c.buflen > 512 && !(flags & AQ_FLAG_LB)) {
			rc = RC_EINVAL;                 /* LB must be set for a buffer > 512 B */
		} else if (c.buflen == 0 || !(c.buf = sim_iommu_translate(addr, c.buflen))) {
			sim_iommu_fault(p, "admin command buffer of", 0, addr, c.buflen);
			rc = RC_EINVAL;
		}
	}
	if (rc == RC_OK)
		rc = execute(p, &c, now);
	if (c.buf && !(flags & AQ_FLAG_RD) && rc == RC_OK)
		put16(c.d, 4, c.resplen);
	put16(c.d, 6, (uint16_t)rc);
	flags |= AQ_FLAG_DD | AQ_FLAG_CMP | (rc ? AQ_FLAG_ERR : 0);
	/* everything but the flags, then the flags (release): DD means done */
	memcpy(desc + 2, c.d + 2, 30);
	atomic_store_explicit((_Atomic uint16_t *)desc, flags, memory_order_release);
}

static void atq_poll(struct sim_port *p, uint64_t now)
{
	struct x710 *x = p->x7;
	uint32_t n;
	uint32_t head = xget(p, X_PF_ATQH, 0);
	uint32_t tail = atomic_load_explicit(xreg(p, X_PF_ATQT, 0), memory_order_acquire);
	if (head == tail) {
		x->aq_due = 0;
		return;
	}
	uint8_t *ring = aq_ring(p, true, &n);
	if (!ring || head >= n)
		return;
	/* sim_fault_aq_timeout(): an ignored command gets no answer and the
	 * head stays on it; a later command (the tail moved on) makes the
	 * firmware skip it, unanswered */
	if (x->aq_skip && x->aq_skip_idx == head) {
		if ((head + 1) % n == tail)
			return;
		x->aq_skip = false;
		head = (head + 1) % n;
		xput(p, X_PF_ATQH, 0, head);
		x->aq_due = 0;
		return;
	}
	if (!x->aq_due)
		x->aq_due = now + X710_T_AQ;
	if (now < x->aq_due)
		return;
	x->aq_due = 0;
	unsigned ign = atomic_load(&x->fault_aq_timeout);
	while (ign && !atomic_compare_exchange_weak(&x->fault_aq_timeout, &ign, ign - 1))
		;
	if (ign) {
		x->aq_skip = true;
		x->aq_skip_idx = head;
		return;
	}
	aq_complete(p, ring + (size_t)head * 32, now);
	atomic_store_explicit(xreg(p, X_PF_ATQH, 0), (head + 1) % n, memory_order_release);
	atomic_fetch_or(xreg(p, X_PFINT_ICR0, 0), ICR0_ADMINQ);
}

void x710_aq_poll(struct sim_port *p, uint64_t now)
{
	atq_poll(p, now);
}

/* ---- the receive queue: events ---- */

int x710_arq_post(struct sim_port *p, uint16_t opcode, const uint8_t params[16])
{
	struct x710 *x = p->x7;
	uint32_t n;
	uint8_t *ring = aq_ring(p, false, &n);
	if (!ring)
		return -1;
	uint32_t head = xget(p, X_PF_ARQH, 0);
	uint32_t tail = atomic_load_explicit(xreg(p, X_PF_ARQT, 0), memory_order_acquire);
	if (head >= n || head == tail) {                 /* no descriptor given to the firmware */
		x->arq_overflows++;
		atomic_fetch_or(xreg(p, X_PF_ARQLEN, 0), AQLEN_OVFL);
		return -1;
	}
	uint8_t *desc = ring + (size_t)head * 32;
	uint8_t d[32];
	memset(d, 0, sizeof d);
	put16(d, 2, opcode);
	put16(d, 4, 0);                                  /* no buffer data */
	memcpy(d + 16, params, 16);
	memcpy(desc + 2, d + 2, 30);
	atomic_store_explicit((_Atomic uint16_t *)desc, (uint16_t)(AQ_FLAG_DD | AQ_FLAG_CMP), memory_order_release);
	atomic_store_explicit(xreg(p, X_PF_ARQH, 0), (head + 1) % n, memory_order_release);
	atomic_fetch_or(xreg(p, X_PFINT_ICR0, 0), ICR0_ADMINQ);
	return 0;
}

/* A link change: an event (0x0607) if the driver enabled them. */
void x710_link_event(struct sim_port *p)
{
	struct x710 *x = p->x7;
	if (!x->lse || x->event_link == p->link_up)
		return;
	uint8_t prm[16];
	x710_link_params(p, prm);
	if (x710_arq_post(p, OPC_GET_LINK_STATUS, prm) == 0)
		x->event_link = p->link_up;
}
