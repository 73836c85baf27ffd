/* stamp.h -- the 16 bytes a generator writes at the start of each frame's
 * L4 payload, and where the latency app finds them again.
 *
 *     payload[0..7]   sequence number, big-endian (0, 1, 2, ... per generator)
 *     payload[8..15]  TSC when the frame was made, big-endian
 *
 * Finding the payload is a parse, not a fixed offset: Ethernet, up to two
 * VLAN tags (0x8100 / 0x88a8), IPv4 (any IHL) or IPv6 (no extension
 * headers: the generator writes none), then UDP (8 bytes) or TCP (its data
 * offset).  So a frame that was tagged or untagged on the way, or a stream
 * from another generator with other headers, is still read right.
 */
#ifndef KVICK_APPS_STAMP_H
#define KVICK_APPS_STAMP_H

#include <stdint.h>
#include <string.h>

#define STAMP_LEN 16u

static inline uint64_t stamp_get64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return __builtin_bswap64(v);
}

static inline void stamp_put64(uint8_t *p, uint64_t v)
{
	v = __builtin_bswap64(v);
	memcpy(p, &v, 8);
}

/* Offset of the stamp in frame f of len bytes, or -1 when the frame is not
 * UDP/TCP over IPv4/IPv6 with room for a stamp. */
static inline int stamp_offset(const uint8_t *f, uint32_t len)
{
	uint32_t o = 12;
	for (int tags = 0; tags < 2 && o + 4 <= len; tags++) {
		uint16_t t = (uint16_t)(f[o] << 8 | f[o + 1]);
		if (t != 0x8100 && t != 0x88a8)
			break;
		o += 4;
	}
	if (o + 2 > len)
		return -1;
	uint16_t type = (uint16_t)(f[o] << 8 | f[o + 1]);
	o += 2;
	uint8_t proto;
	if (type == 0x0800) {
		if (o + 20 > len || (f[o] >> 4) != 4)
			return -1;
		proto = f[o + 9];
		o += (uint32_t)(f[o] & 0x0f) * 4;
	} else if (type == 0x86dd) {
		if (o + 40 > len)
			return -1;
		proto = f[o + 6];
		o += 40;
	} else {
		return -1;
	}
	if (proto == 17)
		o += 8;
	else if (proto == 6 && o + 20 <= len)
		o += (uint32_t)(f[o + 12] >> 4) * 4;
	else
		return -1;
	return o + STAMP_LEN <= len ? (int)o : -1;
}

#endif
