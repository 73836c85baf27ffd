/* vlan.h -- IEEE 802.1Q tags, as vlan_tag, vlan_untag and vlan_mux use them.
 *
 * A tag is 4 bytes between the source MAC and the EtherType:
 *
 *     dst(6) src(6) | TPID(2) TCI(2) | EtherType(2) payload...
 *
 * TPID 0x8100 is an 802.1Q customer tag, 0x88a8 an 802.1ad service tag
 * (the outer tag of Q-in-Q).  TCI = PCP(3 bits, priority) DEI(1) VID(12).
 * VID 0 means "priority tag, no VLAN"; 4095 is reserved.
 *
 * Pushing moves the 12 MAC bytes 4 bytes to the front (into the packet's
 * headroom) and writes the tag in the gap; popping moves them back.  The
 * payload is never touched.
 */
#ifndef KVICK_APPS_VLAN_H
#define KVICK_APPS_VLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../core/packet.h"

#define VLAN_TPID_8021Q   0x8100u
#define VLAN_TPID_8021AD  0x88a8u
#define VLAN_TAG_LEN      4u
#define VLAN_MAC_LEN      12u     /* dst + src */
#define VLAN_VID_MAX      4094u   /* 4095 is reserved */
#define VLAN_VID(tci)     ((tci) & 0x0fffu)
#define VLAN_TCI(pcp, vid) ((uint16_t)((pcp) << 13 | (vid)))

static inline bool vlan_tpid_valid(int64_t tpid)
{
	return tpid == VLAN_TPID_8021Q || tpid == VLAN_TPID_8021AD;
}

/* The TPID at bytes 12-13 (0 when the frame is too short for a tag). */
static inline uint16_t vlan_tpid(struct packet *p)
{
	if (p->length < VLAN_MAC_LEN + VLAN_TAG_LEN + 2)
		return 0;
	const uint8_t *d = packet_data(p);
	return (uint16_t)(d[12] << 8 | d[13]);
}

static inline uint16_t vlan_tci(struct packet *p)
{
	const uint8_t *d = packet_data(p);
	return (uint16_t)(d[14] << 8 | d[15]);
}

/* Insert a tag; false (frame unchanged) if the frame has no Ethernet
 * header or the headroom is used up. */
static inline bool vlan_push(struct packet *p, uint16_t tpid, uint16_t tci)
{
	if (p->length < VLAN_MAC_LEN + 2 || p->length + VLAN_TAG_LEN > PACKET_MAX_FRAME)
		return false;
	uint8_t *d = packet_prepend(p, VLAN_TAG_LEN);
	if (!d)
		return false;
	memmove(d, d + VLAN_TAG_LEN, VLAN_MAC_LEN);
	d[12] = (uint8_t)(tpid >> 8);
	d[13] = (uint8_t)tpid;
	d[14] = (uint8_t)(tci >> 8);
	d[15] = (uint8_t)tci;
	return true;
}

/* Remove the outer tag (the caller checked vlan_tpid()). */
static inline void vlan_pop(struct packet *p)
{
	uint8_t *d = packet_data(p);
	memmove(d + VLAN_TAG_LEN, d, VLAN_MAC_LEN);
	packet_shift(p, VLAN_TAG_LEN);
}

#endif
