/* flow_key.c -- flow key extraction (see flow_key.h for what and why).
 *
 * One pass from the Ethernet header inwards; each layer is parsed only
 * when the whole of its header is in the frame, otherwise the fields of
 * that layer and those below it stay zero (the key was zeroed first).
 */
#include <string.h>

#include "flow_key.h"

#define IPPROTO_HOPOPTS_  0
#define IPPROTO_ICMP_     1
#define IPPROTO_TCP_      6
#define IPPROTO_UDP_      17
#define IPPROTO_ROUTING_  43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_AH_       51
#define IPPROTO_ICMPV6_   58
#define IPPROTO_DSTOPTS_  60
#define IPPROTO_SCTP_     132

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* L4 ports from the header at p (n bytes left in the frame). */
static void parse_l4(const uint8_t *p, uint32_t n, struct flow_key *k)
{
	switch (k->nw_proto) {
	case IPPROTO_TCP_:
		/* The data offset counts 32-bit words; less than 5 is no TCP header. */
		if (n >= 20 && (p[12] >> 4) >= 5 && (uint32_t)(p[12] >> 4) * 4 <= n) {
			k->tp_src = rd16(p);
			k->tp_dst = rd16(p + 2);
		}
		break;
	case IPPROTO_UDP_:
		if (n >= 8) {
			k->tp_src = rd16(p);
			k->tp_dst = rd16(p + 2);
		}
		break;
	case IPPROTO_SCTP_:
		if (n >= 12) {
			k->tp_src = rd16(p);
			k->tp_dst = rd16(p + 2);
		}
		break;
	case IPPROTO_ICMP_:
	case IPPROTO_ICMPV6_:
		if (n >= 4) {       /* type, code, checksum */
			k->tp_src = p[0];
			k->tp_dst = p[1];
		}
		break;
	}
}

/* RFC 791: IHL in 32-bit words, total length covers header and payload
 * (what follows it in the frame is Ethernet padding). */
static void parse_ipv4(const uint8_t *p, uint32_t n, struct flow_key *k)
{
	if (n < 20 || (p[0] >> 4) != 4)
		return;
	uint32_t ihl = (uint32_t)(p[0] & 0x0f) * 4, tot = rd16(p + 2);
	if (ihl < 20 || ihl > n || tot < ihl || tot > n)
		return;
	k->nw_src = rd32(p + 12);
	k->nw_dst = rd32(p + 16);
	k->nw_proto = p[9];
	uint16_t frag = rd16(p + 6);   /* flags(3) offset(13) */
	if (frag & 0x3fff) {           /* MF set or a non-zero offset */
		k->nw_frag = FLOW_FRAG_ANY;
		if (frag & 0x1fff)
			k->nw_frag |= FLOW_FRAG_LATER;
	}
	if (!(k->nw_frag & FLOW_FRAG_LATER))
		parse_l4(p + ihl, tot - ihl, k);
}

/* RFC 8200 section 4: extension headers before the upper-layer header.
 * Returns the offset of the L4 header, or -1 when a header is truncated.
 * *proto ends as the upper-layer protocol. */
static int skip_ipv6_ext(const uint8_t *p, uint32_t n, uint8_t *proto, uint8_t *frag)
{
	uint32_t off = 0;
	for (;;) {
		uint8_t nh = *proto;
		if (nh == IPPROTO_HOPOPTS_ || nh == IPPROTO_ROUTING_ || nh == IPPROTO_DSTOPTS_ ||
		    nh == IPPROTO_AH_) {
			if (n - off < 8)
				return -1;
			/* Hdr Ext Len: 8-byte units after the first 8; AH: 4-byte units minus 2. */
			uint32_t len = nh == IPPROTO_AH_ ? ((uint32_t)p[off + 1] + 2) * 4
			                                 : ((uint32_t)p[off + 1] + 1) * 8;
			if (n - off < len)
				return -1;
			*proto = p[off];
			off += len;
		} else if (nh == IPPROTO_FRAGMENT_) {
			if (n - off < 8)
				return -1;
			uint16_t offlg = rd16(p + off + 2);  /* offset(13) res(2) M(1) */
			*proto = p[off];
			off += 8;
			if (offlg) {
				*frag = FLOW_FRAG_ANY;
				if (offlg & 0xfff8) {
					/* A later fragment: no L4 header here.  OVS keeps
					 * nw_proto = the fragment header's number. */
					*frag |= FLOW_FRAG_LATER;
					*proto = IPPROTO_FRAGMENT_;
					return (int)off;
				}
			}
		} else {
			return (int)off;
		}
	}
}

static void parse_ipv6(const uint8_t *p, uint32_t n, struct flow_key *k)
{
	if (n < 40 || (p[0] >> 4) != 6)
		return;
	uint32_t plen = rd16(p + 4);
	if (plen > n - 40)
		return;
	memcpy(k->ipv6_src, p + 8, 16);
	memcpy(k->ipv6_dst, p + 24, 16);
	uint8_t proto = p[6], frag = 0;
	int off = skip_ipv6_ext(p + 40, plen, &proto, &frag);
	if (off < 0)
		return;   /* OVS: addresses kept, protocol unknown */
	k->nw_proto = proto;
	k->nw_frag = frag;
	if (!(frag & FLOW_FRAG_LATER))
		parse_l4(p + 40 + off, plen - (uint32_t)off, k);
}

/* RFC 826, Ethernet hardware and IPv4 protocol addresses only. */
static void parse_arp(const uint8_t *p, uint32_t n, struct flow_key *k)
{
	if (n < 28 || rd16(p) != 1 || rd16(p + 2) != ETH_TYPE_IPV4 || p[4] != 6 || p[5] != 4)
		return;
	uint16_t op = rd16(p + 6);
	if (op <= 0xff)
		k->nw_proto = (uint8_t)op;
	k->nw_src = rd32(p + 14);
	k->nw_dst = rd32(p + 24);
}

void flow_key_extract(const uint8_t *data, uint32_t len, struct flow_key *k)
{
	memset(k, 0, sizeof *k);
	if (len < 14)
		return;
	memcpy(k->dl_dst, data, 6);
	memcpy(k->dl_src, data + 6, 6);
	uint32_t off = 12;
	uint16_t type = rd16(data + off);
	/* IEEE 802.1Q / 802.1ad: up to two tags, the outer one is the key's. */
	for (int tags = 0; tags < 2 && (type == 0x8100 || type == 0x88a8); tags++) {
		if (len - off < 8)
			return;   /* a tag with no EtherType after it */
		if (tags == 0)
			k->vlan_tci = rd16(data + off + 2) | FLOW_VLAN_CFI;
		off += 4;
		type = rd16(data + off);
	}
	off += 2;
	if (type < 0x0600) {
		/* 802.3 length: OVS reads an LLC/SNAP header for its EtherType. */
		const uint8_t *s = data + off;
		if (len - off >= 8 && s[0] == 0xaa && s[1] == 0xaa && s[2] == 0x03 && !s[3] && !s[4] &&
		    !s[5] && rd16(s + 6) >= 0x0600) {
			type = rd16(s + 6);
			off += 8;
		} else {
			k->dl_type = FLOW_DL_TYPE_NONE;
			return;
		}
	}
	k->dl_type = type;
	if (type == ETH_TYPE_IPV4)
		parse_ipv4(data + off, len - off, k);
	else if (type == ETH_TYPE_IPV6)
		parse_ipv6(data + off, len - off, k);
	else if (type == ETH_TYPE_ARP)
		parse_arp(data + off, len - off, k);
}
