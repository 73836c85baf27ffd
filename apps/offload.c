/* offload.c -- software checksum and segmentation for the kernel I/O apps.
 *
 * See offload.h for why.  The rules followed here are the ones a NIC (or
 * the kernel's skb_segment()/skb_checksum_help()) follows for TSO/USO:
 *  - every segment gets a copy of the headers (Ethernet, VLAN tags, IP,
 *    TCP/UDP) and at most gso_size bytes of payload;
 *  - IPv4: total length, identification (+1 per segment) and header
 *    checksum are rewritten; IPv6: payload length;
 *  - TCP: sequence number advances by the payload before it; FIN and PSH
 *    stay only on the last segment, CWR only on the first;
 *  - UDP (USO): length per segment;
 *  - the L4 checksum is computed in full over the pseudo-header and the
 *    segment (RFC 793 / RFC 768 / RFC 8200 section 8.1).
 */
#include "offload.h"

#include <arpa/inet.h>
#include <string.h>

#include "../core/app.h"

#define ETH_HLEN      14
#define ETHERTYPE_IP  0x0800
#define ETHERTYPE_IP6 0x86DD
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88A8
#define IPPROTO_TCP_  6
#define IPPROTO_UDP_  17
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

void offload_counters_init(struct offload_counters *c, struct app *app)
{
	c->csum_filled = app_counter(app, "csum_filled");
	c->gso_frames = app_counter(app, "gso_frames");
	c->gso_segments = app_counter(app, "gso_segments");
	c->drop_toolong = app_counter(app, "drop_toolong");
	c->drop_badoffload = app_counter(app, "drop_badoffload");
	c->drop_nopacket = app_counter(app, "drop_nopacket");
	c->drops = app_counter(app, "drops");
}

/* ---- RFC 1071 checksum ---- */

/* Sum 16-bit words as the CPU loads them.  The one's-complement sum does
 * not depend on byte order as long as the result is stored back the same
 * way, so we add 64 bits at a time and fold with end-around carries.
 * Every call must start at an even offset of the checksummed area. */
uint32_t csum_add(uint32_t sum, const void *data, uint32_t len)
{
	const uint8_t *p = data;
	uint64_t acc = sum;
	while (len >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		acc += w;
		acc += (acc < w); /* end-around carry */
		p += 8;
		len -= 8;
	}
	if (len >= 4) {
		uint32_t w;
		memcpy(&w, p, 4);
		acc += w;
		acc += (acc < w);
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;
		memcpy(&w, p, 2);
		acc += w;
		acc += (acc < w);
		p += 2;
		len -= 2;
	}
	if (len) {
		uint16_t w = 0;
		memcpy(&w, p, 1); /* the odd byte is padded with a zero after it */
		acc += w;
		acc += (acc < w);
	}
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	return (uint32_t)acc;
}

uint16_t csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static inline uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return ntohs(v); }
static inline uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return ntohl(v); }
static inline void put16(uint8_t *p, uint16_t x) { x = htons(x); memcpy(p, &x, 2); }
static inline void put32(uint8_t *p, uint32_t x) { x = htonl(x); memcpy(p, &x, 4); }

int offload_csum_finish(uint8_t *frame, uint32_t len, uint32_t start, uint32_t offset)
{
	if (start >= len || offset + 2 > len - start)
		return -1;
	/* The field already holds the pseudo-header sum: summing over it
	 * gives the full checksum (what skb_checksum_help() does). */
	uint16_t v = csum_fold(csum_add(0, frame + start, len - start));
	if (v == 0 && offset == 6)
		v = 0xffff; /* UDP: 0 means "no checksum" (RFC 768) */
	memcpy(frame + start + offset, &v, 2);
	return 0;
}

/* ---- parsing ---- */

struct l3l4 {
	uint32_t l3;       /* offset of the IP header */
	uint32_t l4;       /* offset of the TCP/UDP header */
	int ipv6;
	uint8_t proto;
};

/* Offset of the IP header after the Ethernet header and any VLAN tags,
 * and its ethertype; 0 if the frame is too short. */
static uint32_t l3_offset(const uint8_t *f, uint32_t len, uint16_t *type)
{
	uint32_t off = 12;
	for (;;) {
		if (off + 2 > len)
			return 0;
		*type = get16(f + off);
		if (*type != ETHERTYPE_VLAN && *type != ETHERTYPE_QINQ)
			return off + 2;
		off += 4;
	}
}

/* IPv4/IPv6 address part of the pseudo-header, protocol and L4 length. */
static uint32_t pseudo_sum(const uint8_t *f, const struct l3l4 *h, uint32_t l4len)
{
	uint32_t sum;
	if (h->ipv6)
		sum = csum_add(0, f + h->l3 + 8, 32);   /* source + destination */
	else
		sum = csum_add(0, f + h->l3 + 12, 8);
	uint16_t w[2] = { htons(h->proto), htons((uint16_t)l4len) };
	/* For IPv6 the length is 32 bits, but ours always fits in 16. */
	return csum_add(sum, w, 4);
}

/* Full L4 checksum of the frame's TCP/UDP part, field zeroed first. */
static void l4_csum_full(uint8_t *f, uint32_t len, const struct l3l4 *h)
{
	uint32_t off = h->l4 + (h->proto == IPPROTO_TCP_ ? 16 : 6);
	memset(f + off, 0, 2);
	uint32_t sum = csum_add(pseudo_sum(f, h, len - h->l4), f + h->l4, len - h->l4);
	uint16_t v = csum_fold(sum);
	if (v == 0 && h->proto == IPPROTO_UDP_)
		v = 0xffff;
	memcpy(f + off, &v, 2);
}

static void ipv4_hdr_csum(uint8_t *ip)
{
	uint32_t ihl = (ip[0] & 0x0f) * 4u;
	memset(ip + 10, 0, 2);
	uint16_t v = csum_fold(csum_add(0, ip, ihl));
	memcpy(ip + 10, &v, 2);
}

/* ---- segmentation ---- */

static int count_drop(uint64_t *reason, const struct offload_counters *c)
{
	(*reason)++;
	(*c->drops)++;
	return 0;
}

/* Locate the IP and L4 headers of a GSO frame; -1 if it is not what the
 * gso_type says. */
static int gso_parse(const struct virtio_net_hdr *vh, const uint8_t *f, uint32_t len,
                     struct l3l4 *h)
{
	uint16_t type;
	uint8_t gso = vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	h->l3 = l3_offset(f, len, &type);
	h->l4 = vh->csum_start;
	if (!h->l3 || !(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || h->l4 <= h->l3 ||
	    h->l4 + 20 > len)
		return -1;
	if (type == ETHERTYPE_IP && (f[h->l3] >> 4) == 4)
		h->ipv6 = 0;
	else if (type == ETHERTYPE_IP6 && (f[h->l3] >> 4) == 6)
		h->ipv6 = 1;
	else
		return -1;
	if (gso == VIRTIO_NET_HDR_GSO_TCPV4 && !h->ipv6)
		h->proto = IPPROTO_TCP_;
	else if (gso == VIRTIO_NET_HDR_GSO_TCPV6 && h->ipv6)
		h->proto = IPPROTO_TCP_;
#ifdef VIRTIO_NET_HDR_GSO_UDP_L4
	else if (gso == VIRTIO_NET_HDR_GSO_UDP_L4)
		h->proto = IPPROTO_UDP_;
#endif
	else
		return -1; /* UFO (IP fragmentation) and unknown types */
	return 0;
}

/* Rewrite the headers of a segment carrying payload [off, off + seglen) of
 * the original, in frame f of hdrlen + seglen bytes.  keep: leave the L4
 * checksum partial (the pseudo-header sum, as the kernel would) for
 * whoever transmits the segment; otherwise compute it in full. */
static void fix_segment(uint8_t *f, const struct l3l4 *h, uint32_t hdrlen, uint32_t seglen,
                        uint32_t mss, uint32_t off, int last, int keep)
{
	uint32_t total = hdrlen + seglen;
	uint8_t *ip = f + h->l3;
	if (h->ipv6) {
		put16(ip + 4, (uint16_t)(total - h->l3 - 40));
	} else {
		put16(ip + 2, (uint16_t)(total - h->l3));
		put16(ip + 4, (uint16_t)(get16(ip + 4) + off / mss)); /* +1 per wire segment */
		ipv4_hdr_csum(ip);
	}
	uint8_t *l4 = f + h->l4;
	if (h->proto == IPPROTO_TCP_) {
		put32(l4 + 4, get32(l4 + 4) + off);
		if (!last)
			l4[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
		if (off > 0)
			l4[13] &= (uint8_t)~TCP_CWR;
	} else {
		put16(l4 + 4, (uint16_t)(total - h->l4));
	}
	if (keep) {
		uint16_t v = (uint16_t)~csum_fold(pseudo_sum(f, h, total - h->l4));
		memcpy(l4 + (h->proto == IPPROTO_TCP_ ? 16 : 6), &v, 2);
	} else {
		l4_csum_full(f, total, h);
	}
}

/* Offload state for a kept (still partial, maybe still GSO) packet. */
static void keep_state(struct packet *p, const struct virtio_net_hdr *vh, const struct l3l4 *h,
                       uint32_t seglen, uint32_t mss)
{
	p->flags = PACKET_F_CSUM_PARTIAL;
	p->csum_start = (uint16_t)h->l4;
	p->csum_offset = h->proto == IPPROTO_TCP_ ? 16 : 6;
	if (seglen > mss) {
		p->flags |= PACKET_F_GSO;
		p->gso_size = (uint16_t)mss;
		p->gso_type = vh->gso_type;
	}
}

/* Cut a GSO frame into packets of `unit` payload bytes each (unit = mss:
 * wire frames; a multiple of mss: smaller GSO frames, in keep mode). */
static unsigned gso_segment(const struct virtio_net_hdr *vh, const uint8_t *src, uint32_t len,
                            struct packet **out, const struct offload_counters *c, int keep)
{
	struct l3l4 h;
	if (gso_parse(vh, src, len, &h) < 0)
		return count_drop(c->drop_badoffload, c);
	uint32_t l4hlen = h.proto == IPPROTO_TCP_ ? (src[h.l4 + 12] >> 4) * 4u : 8u;
	uint32_t hdrlen = h.l4 + l4hlen;
	uint32_t mss = vh->gso_size;
	if (hdrlen > len || mss == 0 || hdrlen + mss > PACKET_MAX_FRAME)
		return count_drop(c->drop_badoffload, c);
	uint32_t payload = len - hdrlen;
	uint32_t unit = keep ? (PACKET_MAX_FRAME - hdrlen) / mss * mss : mss;
	uint32_t nseg = payload ? (payload + unit - 1) / unit : 1;
	if (nseg > OFFLOAD_MAX_SEGS)
		return count_drop(c->drop_badoffload, c);
	unsigned got = packet_alloc_batch(out, nseg);
	if (got != nseg) {
		/* all or nothing: a partial super-frame would only be retransmitted */
		packet_free_batch(out, got);
		return count_drop(c->drop_nopacket, c);
	}
	for (uint32_t i = 0; i < nseg; i++) {
		uint32_t off = i * unit;
		uint32_t seglen = payload - off < unit ? payload - off : unit;
		uint8_t *f = packet_data(out[i]);
		memcpy(f, src, hdrlen);
		memcpy(f + hdrlen, src + hdrlen + off, seglen);
		fix_segment(f, &h, hdrlen, seglen, mss, off, i == nseg - 1, keep);
		out[i]->length = (uint16_t)(hdrlen + seglen);
		if (keep)
			keep_state(out[i], vh, &h, seglen, mss);
	}
	(*c->gso_frames)++;
	*c->gso_segments += nseg;
	return nseg;
}

/* Keep mode, a GSO frame that fits a kvick packet: copied as it is, its
 * offload state moved into the packet. */
static unsigned gso_keep_whole(const struct virtio_net_hdr *vh, const uint8_t *src, uint32_t len,
                               struct packet **out, const struct offload_counters *c)
{
	struct l3l4 h;
	if (gso_parse(vh, src, len, &h) < 0 || vh->gso_size == 0)
		return count_drop(c->drop_badoffload, c);
	struct packet *p = packet_alloc();
	if (!p)
		return count_drop(c->drop_nopacket, c);
	memcpy(packet_data(p), src, len);
	p->length = (uint16_t)len;
	p->flags = PACKET_F_CSUM_PARTIAL | PACKET_F_GSO;
	p->csum_start = vh->csum_start;
	p->csum_offset = vh->csum_offset;
	p->gso_size = vh->gso_size;
	p->gso_type = vh->gso_type;
	(*c->gso_frames)++;
	(*c->gso_segments)++;
	out[0] = p;
	return 1;
}

unsigned offload_rx(const struct virtio_net_hdr *vh, const uint8_t *src, uint32_t len,
                    struct packet **out, const struct offload_counters *c, enum offload_mode mode)
{
	int keep = mode == OFFLOAD_KEEP;
	if (vh && vh->gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		if (keep && len <= PACKET_MAX_FRAME)
			return gso_keep_whole(vh, src, len, out, c);
		return gso_segment(vh, src, len, out, c, keep);
	}
	if (len > PACKET_MAX_FRAME)
		return count_drop(c->drop_toolong, c);
	struct packet *p = packet_alloc();
	if (!p)
		return count_drop(c->drop_nopacket, c);
	uint8_t *f = packet_data(p);
	memcpy(f, src, len);
	p->length = (uint16_t)len;
	if (vh && (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
		if (vh->csum_start >= len || vh->csum_offset + 2u > len - vh->csum_start) {
			packet_free(p);
			return count_drop(c->drop_badoffload, c);
		}
		if (keep) {
			p->flags = PACKET_F_CSUM_PARTIAL;
			p->csum_start = vh->csum_start;
			p->csum_offset = vh->csum_offset;
		} else {
			offload_csum_finish(f, len, vh->csum_start, vh->csum_offset);
			(*c->csum_filled)++;
		}
	}
	out[0] = p;
	return 1;
}

int offload_parse_mode(const char *s, enum offload_mode *mode)
{
	if (!s || !strcmp(s, "wire"))
		*mode = OFFLOAD_WIRE;
	else if (!strcmp(s, "keep"))
		*mode = OFFLOAD_KEEP;
	else
		return -1;
	return 0;
}

void offload_tx_hdr(const struct packet *p, struct virtio_net_hdr *vh)
{
	memset(vh, 0, sizeof *vh);
	if (p->flags & PACKET_F_CSUM_PARTIAL) {
		vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh->csum_start = p->csum_start;
		vh->csum_offset = p->csum_offset;
	}
	if (p->flags & PACKET_F_GSO) {
		vh->gso_type = p->gso_type;
		vh->gso_size = p->gso_size;
	}
}

/* ---- frames without metadata (AF_XDP) ---- */

int offload_fix_partial_csum(uint8_t *f, uint32_t len)
{
	struct l3l4 h;
	uint16_t type;
	h.l3 = l3_offset(f, len, &type);
	if (!h.l3)
		return 0;
	if (type == ETHERTYPE_IP && h.l3 + 20 <= len && (f[h.l3] >> 4) == 4) {
		const uint8_t *ip = f + h.l3;
		if (get16(ip + 6) & 0x3fff) /* a fragment: no L4 header to check */
			return 0;
		h.ipv6 = 0;
		h.proto = ip[9];
		h.l4 = h.l3 + (ip[0] & 0x0f) * 4u;
		len = h.l3 + get16(ip + 2) < len ? h.l3 + get16(ip + 2) : len; /* drop padding */
	} else if (type == ETHERTYPE_IP6 && h.l3 + 40 <= len && (f[h.l3] >> 4) == 6) {
		h.ipv6 = 1;
		h.proto = f[h.l3 + 6]; /* extension headers: left alone */
		h.l4 = h.l3 + 40;
		len = h.l3 + 40 + get16(f + h.l3 + 4) < len ? h.l3 + 40 + get16(f + h.l3 + 4) : len;
	} else {
		return 0;
	}
	uint32_t off;
	if (h.proto == IPPROTO_TCP_ && h.l4 + 20 <= len)
		off = 16;
	else if (h.proto == IPPROTO_UDP_ && h.l4 + 8 <= len)
		off = 6;
	else
		return 0;
	uint16_t field;
	memcpy(&field, f + h.l4 + off, 2);
	if (h.proto == IPPROTO_UDP_ && field == 0 && !h.ipv6)
		return 0; /* IPv4 UDP without a checksum */
	uint32_t pseudo = pseudo_sum(f, &h, len - h.l4);
	if (csum_fold(csum_add(pseudo, f + h.l4, len - h.l4)) == 0)
		return 0; /* already valid */
	/* A CHECKSUM_PARTIAL sender stores the folded, un-inverted
	 * pseudo-header sum in the field (e.g. tcp_v4_send_check()). */
	uint16_t partial = (uint16_t)~csum_fold(pseudo);
	if (field != partial)
		return 0; /* wrong for another reason: leave it for the receiver */
	l4_csum_full(f, len, &h);
	return 1;
}
