/* frames.h -- numbered test frames whose every byte can be checked, a UDP
 * frame per flow, and the model's violation list, for the driver tests
 * against the hw-sim models (ixgbe_test.h, i40e_test.h). */
#ifndef KVICK_FRAMES_H
#define KVICK_FRAMES_H

/* (included after testlib.h, which brings cmocka) */
#include <arpa/inet.h>
#include <string.h>

#include "core/packet.h"
#include "hw-sim/sim.h"

/* Frame `seq` of length len: broadcast destination, a fixed source, an
 * experimental EtherType, the sequence number, then bytes from a fixed
 * pseudo-random pattern starting at an offset that depends on seq. */
#define TEST_PATTERN_SIZE (9216 + 256)
static uint8_t test_pattern[TEST_PATTERN_SIZE];

static inline void test_pattern_init(void)
{
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < sizeof(test_pattern); i++) {
		x ^= x << 13; x ^= x >> 17; x ^= x << 5;
		test_pattern[i] = (uint8_t)x;
	}
}

#define TEST_HDR 22   /* 14 Ethernet + 8 sequence */

static inline void frame_fill(uint8_t *f, uint64_t seq, unsigned len)
{
	static const uint8_t hdr[14] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	                                 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x88, 0xb5 };
	memcpy(f, hdr, 14);
	memcpy(f + 14, &seq, 8);
	memcpy(f + TEST_HDR, test_pattern + (seq & 255), len - TEST_HDR);
}

/* True when f is exactly frame seq of length len. */
static inline bool frame_check(const uint8_t *f, uint64_t seq, unsigned len)
{
	uint64_t s;
	memcpy(&s, f + 14, 8);
	return s == seq && memcmp(f + TEST_HDR, test_pattern + (seq & 255), len - TEST_HDR) == 0;
}

/* An Ethernet/IPv4/UDP frame of flow i (source address and port vary). */
static inline unsigned udp_frame(uint8_t *f, unsigned i)
{
	static const uint8_t eth[14] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	                                 0x02, 0, 0, 0, 0, 2, 0x08, 0x00 };
	unsigned len = 14 + 20 + 8 + 32;
	memset(f, 0, len);
	memcpy(f, eth, 14);
	uint8_t *ip = f + 14;
	ip[0] = 0x45;
	uint16_t tot = htons(20 + 8 + 32);
	memcpy(ip + 2, &tot, 2);
	ip[8] = 64;
	ip[9] = 17;
	uint8_t src[4] = { 10, 0, (uint8_t)(i >> 8), (uint8_t)i }, dst[4] = { 10, 1, 0, 1 };
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	uint32_t sum = 0;
	for (int k = 0; k < 20; k += 2)
		sum += (uint32_t)ip[k] << 8 | ip[k + 1];
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	uint16_t csum = htons((uint16_t)~sum);
	memcpy(ip + 10, &csum, 2);
	uint8_t *udp = ip + 20;
	uint16_t sport = htons((uint16_t)(1024 + i * 7)), dport = htons(9), ulen = htons(8 + 32);
	memcpy(udp, &sport, 2);
	memcpy(udp + 2, &dport, 2);
	memcpy(udp + 4, &ulen, 2);
	return len;
}

static inline void assert_no_violations(void)
{
	for (unsigned i = 0; i < sim_violation_count(); i++)
		print_message("model violation: %s\n", sim_violation(i));
	assert_int_equal(sim_violation_count(), 0);
}

#endif
