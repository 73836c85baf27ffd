/* rss.c -- receive-side scaling as the 82599 does it (§7.1.2.8).
 *
 * With MRQC.MRQE = 0001b (RSS only) the model parses the frame (one VLAN
 * tag allowed), picks the hash function by MRQC's field enables in the
 * datasheet's priority (TCP, then UDP, then plain IP), computes the
 * Toeplitz hash over source/destination address (+ ports) with the 40-byte
 * key of RSSRK(0..9) (key byte 0 is RSSRK(0) bits 7:0), and takes the
 * queue from the redirection table: entry (hash & 0x7F) of RETA, four
 * 8-bit entries per register, of which bits 3:0 are the queue (RSS spreads
 * over at most 16 queues on the 82599).  Frames without a hashable header
 * go to queue 0 with RSS type 0.  Other MRQE modes (DCB, VMDq) are not
 * modelled: they are reported once and use queue 0.
 *
 * Write-back dword 0 (§7.1.6.2): RSS type in bits 3:0, packet type in
 * bits 16:4 (IPv4 bit 4, IPv6 bit 6, TCP bit 8, UDP bit 9).
 */
#include <string.h>

#include "model.h"

enum { RSS_NONE = 0, RSS_TCP4 = 1, RSS_IPV4 = 2, RSS_TCP6 = 3, RSS_IPV6 = 5,
       RSS_UDP4 = 7, RSS_UDP6 = 8 };
#define PT_IPV4 (1u << 4)
#define PT_IPV6 (1u << 6)
#define PT_TCP  (1u << 8)
#define PT_UDP  (1u << 9)

uint32_t rss_toeplitz(const uint8_t key[40], const uint8_t *in, unsigned n)
{
	/* the 32-bit window of the key slides one bit per input bit */
	uint32_t hash = 0;
	uint32_t window = (uint32_t)key[0] << 24 | key[1] << 16 | key[2] << 8 | key[3];
	for (unsigned i = 0; i < n; i++) {
		uint8_t next = i + 4 < 40 ? key[i + 4] : 0;
		for (int b = 7; b >= 0; b--) {
			if (in[i] & (1u << b))
				hash ^= window;
			window = window << 1 | ((next >> b) & 1);
		}
	}
	return hash;
}

/* Where the headers are: found once per frame for the packet type; the
 * hash input is copied out of the frame only when RSS needs it. */
struct hdrs {
	uint32_t ip, l4;  /* offsets of the IP and L4 headers */
	bool v6;
	int l4proto;      /* 6 TCP, 17 UDP, 0 none (or fragment, or too short) */
};

static bool parse(const uint8_t *d, uint32_t len, struct hdrs *h)
{
	uint32_t off = 12;
	uint16_t et = (uint16_t)(d[off] << 8 | d[off + 1]);
	if (et == 0x8100 && len >= 18) {
		off += 4;
		et = (uint16_t)(d[off] << 8 | d[off + 1]);
	}
	off += 2;
	const uint8_t *ip = d + off;
	h->ip = off;
	if (et == 0x0800 && len >= off + 20 && (ip[0] >> 4) == 4) {
		bool frag = ((ip[6] & 0x3F) | ip[7]) != 0;   /* MF or offset */
		h->v6 = false;
		h->l4proto = frag ? 0 : ip[9];
		h->l4 = off + (ip[0] & 0xF) * 4u;
	} else if (et == 0x86DD && len >= off + 40 && (ip[0] >> 4) == 6) {
		h->v6 = true;
		h->l4proto = ip[6];                 /* no extension headers parsed */
		h->l4 = off + 40;
	} else {
		return false;
	}
	if ((h->l4proto != 6 && h->l4proto != 17) || len < h->l4 + 4)
		h->l4proto = 0;
	return true;
}

uint32_t rss_packet_type(const uint8_t *d, uint32_t len)
{
	struct hdrs h;
	if (len < 14 || !parse(d, len, &h))
		return 0;
	return (h.v6 ? PT_IPV6 : PT_IPV4) | (h.l4proto == 6 ? PT_TCP : h.l4proto == 17 ? PT_UDP : 0);
}

unsigned rss_queue(struct sim_port *p, const uint8_t *d, uint32_t len, uint32_t *hash, uint32_t *info)
{
	uint32_t mrqc = reg_get(p, W(MRQC));
	*hash = 0;
	*info = 0;
	struct hdrs h;
	bool ok = len >= 14 && parse(d, len, &h);
	if (ok)
		*info = (h.v6 ? PT_IPV6 : PT_IPV4) | (h.l4proto == 6 ? PT_TCP : h.l4proto == 17 ? PT_UDP : 0);
	if ((mrqc & MRQC_MRQE_MASK) != MRQC_RSSEN) {
		if (mrqc & MRQC_MRQE_MASK) {
			static _Atomic bool told;
			if (!atomic_exchange(&told, true))
				sim_violation_add(p, "MRQC.MRQE = %u (DCB/VMDq) is not modelled; frames go to queue 0 (§8.2.3.7.12)",
				                  mrqc & MRQC_MRQE_MASK);
		}
		return 0;
	}
	if (!ok)
		return 0;
	unsigned type = RSS_NONE, n = 0;
	if (!h.v6) {
		if (h.l4proto == 6 && (mrqc & MRQC_F_TCP4))       type = RSS_TCP4, n = 12;
		else if (h.l4proto == 17 && (mrqc & MRQC_F_UDP4)) type = RSS_UDP4, n = 12;
		else if (mrqc & MRQC_F_IPV4)                      type = RSS_IPV4, n = 8;
	} else {
		if (h.l4proto == 6 && (mrqc & MRQC_F_TCP6))       type = RSS_TCP6, n = 36;
		else if (h.l4proto == 17 && (mrqc & MRQC_F_UDP6)) type = RSS_UDP6, n = 36;
		else if (mrqc & MRQC_F_IPV6)                      type = RSS_IPV6, n = 32;
	}
	if (type == RSS_NONE)
		return 0;
	/* hash input: source and destination address, then the ports */
	uint8_t in[36];
	unsigned alen = h.v6 ? 16 : 4;
	memcpy(in, d + h.ip + (h.v6 ? 8 : 12), 2 * alen);
	if (n > 2 * alen)
		memcpy(in + 2 * alen, d + h.l4, 4);
	uint8_t key[40];
	for (unsigned i = 0; i < 10; i++) {
		uint32_t k = reg_val(p, REG_RSSRK, i);
		key[4 * i] = (uint8_t)k;
		key[4 * i + 1] = (uint8_t)(k >> 8);
		key[4 * i + 2] = (uint8_t)(k >> 16);
		key[4 * i + 3] = (uint8_t)(k >> 24);
	}
	uint32_t hv = rss_toeplitz(key, in, n);
	unsigned e = hv & 0x7F;
	uint32_t reta = reg_val(p, REG_RETA, e / 4);
	*hash = hv;
	*info |= type;
	return (reta >> (8 * (e % 4))) & 0xF;
}
