/* flow_key.h -- the fields of a frame a classifier matches on, extracted
 * the way Open vSwitch's flow_extract() does.
 *
 * The key is 64 bytes, eight 64-bit words, so a mask is eight words too
 * and "key AND mask" is eight ANDs (what a dpcls subtable hashes).  Every
 * byte of a key is defined: a field the frame does not have is zero, so
 * two frames of the same flow give bit-identical keys (what the exact-
 * match cache compares).
 *
 * What is extracted, as OVS does it:
 *   - dl_dst, dl_src; up to two VLAN tags (TPID 0x8100 or 0x88a8, Q-in-Q):
 *     vlan_tci is the OUTER tag's TCI with bit 12 (CFI/DEI) forced to 1 as
 *     a "tag present" flag, so VID 0 tagged and untagged differ; dl_type
 *     is the EtherType after the tags (0x05ff for an 802.3 length field);
 *   - IPv4: nw_src, nw_dst, nw_proto, once the header checks out (IHL >= 5,
 *     the header and its options and total length within the frame;
 *     otherwise the L3 fields stay zero).  A fragment sets FLOW_FRAG_ANY;
 *     a later fragment (offset != 0) also FLOW_FRAG_LATER and carries no
 *     L4 ports: they are in the first fragment only;
 *   - IPv6: addresses, then hop-by-hop, routing, destination-options,
 *     authentication and fragment headers are skipped to the L4 header.
 *     A later fragment stops there with nw_proto 44 (the fragment header),
 *     as in OVS; a truncated extension header leaves nw_proto 0;
 *   - ARP (Ethernet/IPv4): nw_proto = opcode, nw_src/nw_dst = sender and
 *     target protocol addresses;
 *   - TCP (whole header, data offset >= 5), UDP, SCTP: tp_src, tp_dst;
 *     ICMP and ICMPv6: tp_src = type, tp_dst = code.  A truncated L4
 *     header leaves the ports zero.
 * Two tags and first-fragment ports are what OVS does with
 * other_config:vlan-limit=2 and `ovs-ofctl set-frags BR nx-match` (its
 * defaults read one tag and zero the ports of every fragment);
 * tests/e2e/classifier_ovs.sh sets both and compares.
 */
#ifndef KVICK_APPS_FLOW_KEY_H
#define KVICK_APPS_FLOW_KEY_H

#include <assert.h>
#include <stdint.h>

#define FLOW_KEY_WORDS   8
#define FLOW_VLAN_CFI    0x1000u   /* in vlan_tci: a tag is present */
#define FLOW_DL_TYPE_NONE 0x05ffu  /* 802.3 frame: a length, not an EtherType */
#define FLOW_FRAG_ANY    1u        /* nw_frag: a fragment */
#define FLOW_FRAG_LATER  2u        /* nw_frag: not the first fragment */

#define ETH_TYPE_IPV4 0x0800u
#define ETH_TYPE_ARP  0x0806u
#define ETH_TYPE_IPV6 0x86ddu

struct flow_key {
	union {
		struct {
			uint8_t  dl_dst[6];
			uint8_t  dl_src[6];
			uint16_t dl_type;      /* host order, like every field below */
			uint16_t vlan_tci;     /* outer tag | FLOW_VLAN_CFI; 0: untagged */
			uint32_t nw_src;       /* IPv4 or ARP sender, host order */
			uint32_t nw_dst;
			uint8_t  ipv6_src[16]; /* network order (as in the header) */
			uint8_t  ipv6_dst[16];
			uint8_t  nw_proto;
			uint8_t  nw_frag;      /* FLOW_FRAG_* */
			uint16_t tp_src;
			uint16_t tp_dst;
			uint8_t  pad[2];       /* always zero */
		};
		uint64_t w[FLOW_KEY_WORDS];
	};
};
static_assert(sizeof(struct flow_key) == 8 * FLOW_KEY_WORDS, "a key is eight words");

/* The key of the frame data[0..len). */
void flow_key_extract(const uint8_t *data, uint32_t len, struct flow_key *k);

#endif
