/* test_offload.c -- software checksum and GSO segmentation (apps/offload.c).
 *
 * Frames are built here byte by byte; results are checked against a plain
 * 16-bit-at-a-time RFC 1071 checksum written independently of offload.c.
 */
#include "testlib.h"

#include <arpa/inet.h>
#include <string.h>

#include "apps/offload.h"
#include "core/packet.h"

static uint64_t c_csum, c_gso, c_seg, c_long, c_bad, c_nopkt, c_drops;
static const struct offload_counters C = {
	&c_csum, &c_gso, &c_seg, &c_long, &c_bad, &c_nopkt, &c_drops,
};

static int setup(void **state)
{
	(void)state;
	test_mem_init();
	c_csum = c_gso = c_seg = c_long = c_bad = c_nopkt = c_drops = 0;
	return 0;
}

/* RFC 1071, the slow obvious way: big-endian 16-bit words. */
static uint16_t ref_sum(const uint8_t *p, size_t n, uint32_t acc)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

/* 0 when the L4 checksum of frame (IPv4 or IPv6 at 14, L4 at l4) verifies. */
static uint16_t l4_verify(const uint8_t *f, size_t len, size_t l4, int v6, uint8_t proto)
{
	uint32_t acc = 0;
	if (v6)
		acc = ref_sum(f + 22, 32, 0);
	else
		acc = ref_sum(f + 26, 8, 0);
	acc += proto + (uint32_t)(len - l4);
	return (uint16_t)~ref_sum(f + l4, len - l4, acc);
}

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }

/* Ethernet + IPv4/IPv6 + TCP (20 bytes) + payload of byte i = i & 0xff.
 * The TCP checksum field holds the pseudo-header sum, as the kernel
 * leaves it for CHECKSUM_PARTIAL. */
static size_t build_tcp(uint8_t *f, int v6, size_t payload, uint8_t flags)
{
	memset(f, 0, 14 + 40 + 20 + payload);
	f[12] = v6 ? 0x86 : 0x08; f[13] = v6 ? 0xdd : 0x00;
	size_t l3 = 14, l4 = v6 ? 54 : 34, len = l4 + 20 + payload;
	if (v6) {
		f[l3] = 0x60;
		f[l3 + 4] = (uint8_t)((20 + payload) >> 8); f[l3 + 5] = (uint8_t)(20 + payload);
		f[l3 + 6] = 6; f[l3 + 7] = 64;
		for (int i = 0; i < 32; i++) f[l3 + 8 + i] = (uint8_t)(0x20 + i);
	} else {
		f[l3] = 0x45;
		f[l3 + 2] = (uint8_t)((len - l3) >> 8); f[l3 + 3] = (uint8_t)(len - l3);
		f[l3 + 4] = 0x12; f[l3 + 5] = 0x34;  /* id */
		f[l3 + 8] = 64; f[l3 + 9] = 6;
		uint8_t addrs[8] = { 10, 0, 0, 1, 10, 0, 0, 2 };
		memcpy(f + l3 + 12, addrs, 8);
	}
	uint8_t *t = f + l4;
	t[0] = 0x30; t[1] = 0x39; t[2] = 0x14; t[3] = 0x51;
	t[4] = 0x01; t[5] = 0x02; t[6] = 0x03; t[7] = 0x04;   /* seq */
	t[12] = 0x50; t[13] = flags; t[14] = 0xff; t[15] = 0xff;
	for (size_t i = 0; i < payload; i++)
		f[l4 + 20 + i] = (uint8_t)i;
	/* pseudo-header sum, not inverted, in the field */
	uint32_t acc = v6 ? ref_sum(f + 22, 32, 0) : ref_sum(f + 26, 8, 0);
	uint16_t ps = ref_sum(NULL, 0, acc + 6 + (uint32_t)(len - l4));
	t[16] = (uint8_t)(ps >> 8); t[17] = (uint8_t)ps;
	return len;
}

static void check_segments(int v6)
{
	static uint8_t f[14 + 40 + 20 + 4000];
	const size_t mss = 1448, payload = 4000;
	size_t len = build_tcp(f, v6, payload, 0x18 | 0x01 | 0x80); /* ACK PSH FIN CWR */
	size_t l4 = v6 ? 54 : 34;
	struct virtio_net_hdr vh = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4,
		.hdr_len = (uint16_t)(l4 + 20), .gso_size = mss,
		.csum_start = (uint16_t)l4, .csum_offset = 16,
	};
	struct packet *out[OFFLOAD_MAX_SEGS];
	unsigned n = offload_rx(&vh, f, (uint32_t)len, out, &C, OFFLOAD_WIRE);
	assert_int_equal(n, 3);
	assert_int_equal(c_gso, 1);
	assert_int_equal(c_seg, 3);
	size_t off = 0;
	for (unsigned i = 0; i < n; i++) {
		uint8_t *s = packet_data(out[i]);
		size_t seg = i < 2 ? mss : payload - 2 * mss;
		assert_int_equal(out[i]->length, l4 + 20 + seg);
		assert_memory_equal(s + l4 + 20, f + l4 + 20 + off, seg);
		assert_int_equal(be32(s + l4 + 4), 0x01020304u + off);
		uint8_t fl = s[l4 + 13];
		assert_int_equal(!!(fl & 0x01), i == 2);   /* FIN last only */
		assert_int_equal(!!(fl & 0x08), i == 2);   /* PSH last only */
		assert_int_equal(!!(fl & 0x80), i == 0);   /* CWR first only */
		assert_int_equal(l4_verify(s, out[i]->length, l4, v6, 6), 0);
		if (v6) {
			assert_int_equal(be16(s + 18), 20 + seg);
		} else {
			assert_int_equal(be16(s + 16), out[i]->length - 14);
			assert_int_equal(be16(s + 18), 0x1234 + i);
			assert_int_equal(ref_sum(s + 14, 20, 0), 0xffff); /* header checksum */
		}
		off += seg;
		packet_free(out[i]);
	}
	assert_int_equal(freelist_outstanding(), 0);
}

static void tcp4_gso_is_segmented(void **state) { (void)state; check_segments(0); }
static void tcp6_gso_is_segmented(void **state) { (void)state; check_segments(1); }

static void partial_checksum_is_finished(void **state)
{
	(void)state;
	static uint8_t f[2000];
	size_t len = build_tcp(f, 0, 999, 0x10);  /* odd payload length */
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
	                             .csum_start = 34, .csum_offset = 16 };
	struct packet *out[1];
	assert_int_equal(offload_rx(&vh, f, (uint32_t)len, out, &C, OFFLOAD_WIRE), 1);
	assert_int_equal(c_csum, 1);
	assert_int_equal(l4_verify(packet_data(out[0]), len, 34, 0, 6), 0);
	/* The same frame without metadata (AF_XDP): recognised and fixed once. */
	assert_int_equal(offload_fix_partial_csum(f, (uint32_t)len), 1);
	assert_int_equal(l4_verify(f, len, 34, 0, 6), 0);
	assert_memory_equal(f, packet_data(out[0]), len);
	assert_int_equal(offload_fix_partial_csum(f, (uint32_t)len), 0); /* valid now */
	f[100] ^= 0xff; /* corrupt: not a partial sum either, left alone */
	assert_int_equal(offload_fix_partial_csum(f, (uint32_t)len), 0);
	assert_int_not_equal(l4_verify(f, len, 34, 0, 6), 0);
	packet_free(out[0]);
}

static void plain_frame_is_copied(void **state)
{
	(void)state;
	static uint8_t f[1514];
	for (size_t i = 0; i < sizeof f; i++)
		f[i] = (uint8_t)(i * 7);
	struct virtio_net_hdr vh = { 0 };
	struct packet *out[1];
	assert_int_equal(offload_rx(&vh, f, sizeof f, out, &C, OFFLOAD_WIRE), 1);
	assert_int_equal(out[0]->length, sizeof f);
	assert_memory_equal(packet_data(out[0]), f, sizeof f);
	assert_int_equal(c_csum + c_gso + c_drops, 0);
	packet_free(out[0]);
}

static void bad_input_is_counted(void **state)
{
	(void)state;
	static uint8_t f[PACKET_MAX_FRAME + 1];
	struct packet *out[OFFLOAD_MAX_SEGS];
	/* a plain frame too big for a kvick packet */
	assert_int_equal(offload_rx(NULL, f, sizeof f, out, &C, OFFLOAD_WIRE), 0);
	assert_int_equal(c_long, 1);
	/* GSO type that does not match the frame (TCPv6 on an IPv4 frame) */
	size_t len = build_tcp(f, 0, 3000, 0x10);
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
	                             .gso_type = VIRTIO_NET_HDR_GSO_TCPV6, .gso_size = 1448,
	                             .csum_start = 34, .csum_offset = 16 };
	assert_int_equal(offload_rx(&vh, f, (uint32_t)len, out, &C, OFFLOAD_WIRE), 0);
	/* UFO (IP fragmentation) is not supported */
	vh.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	assert_int_equal(offload_rx(&vh, f, (uint32_t)len, out, &C, OFFLOAD_WIRE), 0);
	/* gso_size 0 */
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh.gso_size = 0;
	assert_int_equal(offload_rx(&vh, f, (uint32_t)len, out, &C, OFFLOAD_WIRE), 0);
	/* checksum offset beyond the frame */
	struct virtio_net_hdr cs = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
	                             .csum_start = 60, .csum_offset = 16 };
	assert_int_equal(offload_rx(&cs, f, 70, out, &C, OFFLOAD_WIRE), 0);
	assert_int_equal(c_bad, 4);
	assert_int_equal(c_drops, 5);
	assert_int_equal(freelist_outstanding(), 0);
}

/* offload=keep: a GSO frame that fits stays whole, its state in the packet. */
static void keep_mode_carries_state(void **state)
{
	(void)state;
	static uint8_t f[14 + 40 + 20 + 20000];
	size_t len = build_tcp(f, 0, 4000, 0x18);
	struct virtio_net_hdr vh = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
		.gso_size = 1448, .csum_start = 34, .csum_offset = 16,
	};
	struct packet *out[OFFLOAD_MAX_SEGS];
	assert_int_equal(offload_rx(&vh, f, (uint32_t)len, out, &C, OFFLOAD_KEEP), 1);
	assert_int_equal(out[0]->length, len);
	assert_memory_equal(packet_data(out[0]), f, len);
	assert_int_equal(out[0]->flags, PACKET_F_CSUM_PARTIAL | PACKET_F_GSO);
	assert_int_equal(out[0]->gso_size, 1448);
	assert_int_equal(out[0]->gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	struct virtio_net_hdr back;
	offload_tx_hdr(out[0], &back);  /* what goes back to the kernel */
	assert_int_equal(back.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(back.csum_start, 34);
	assert_int_equal(back.csum_offset, 16);
	assert_int_equal(back.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(back.gso_size, 1448);
	packet_free(out[0]);
	assert_int_equal(c_csum, 0);

	/* Too big for a packet: cut into GSO frames of 6 x 1448 payload bytes. */
	len = build_tcp(f, 0, 20000, 0x18 | 0x01);
	unsigned n = offload_rx(&vh, f, (uint32_t)len, out, &C, OFFLOAD_KEEP);
	assert_int_equal(n, 3);
	const uint32_t unit = 6 * 1448;
	for (unsigned i = 0; i < n; i++) {
		uint8_t *s = packet_data(out[i]);
		uint32_t seg = i < 2 ? unit : 20000 - 2 * unit;
		assert_int_equal(out[i]->length, 54 + seg);
		assert_true(out[i]->length <= PACKET_MAX_FRAME);
		assert_int_equal(out[i]->flags, PACKET_F_CSUM_PARTIAL | PACKET_F_GSO);
		assert_int_equal(out[i]->gso_size, 1448);
		assert_int_equal(be32(s + 38), 0x01020304u + i * unit);
		assert_int_equal(be16(s + 18), 0x1234 + i * 6);   /* id of its first wire segment */
		assert_int_equal(!!(s[47] & 0x01), i == 2);       /* FIN on the last only */
		assert_memory_equal(s + 54, f + 54 + i * unit, seg);
		/* the field holds the pseudo-header sum: finishing it verifies */
		assert_int_equal(offload_csum_finish(s, out[i]->length, 34, 16), 0);
		assert_int_equal(l4_verify(s, out[i]->length, 34, 0, 6), 0);
		packet_free(out[i]);
	}
	/* A plain checksum-partial frame keeps its state too. */
	len = build_tcp(f, 1, 100, 0x10);
	struct virtio_net_hdr cs = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
	                             .csum_start = 54, .csum_offset = 16 };
	assert_int_equal(offload_rx(&cs, f, (uint32_t)len, out, &C, OFFLOAD_KEEP), 1);
	assert_int_equal(out[0]->flags, PACKET_F_CSUM_PARTIAL);
	assert_int_equal(out[0]->csum_start, 54);
	assert_int_equal(c_csum, 0);
	packet_free(out[0]);
	assert_int_equal(freelist_outstanding(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(tcp4_gso_is_segmented, setup),
		cmocka_unit_test_setup(tcp6_gso_is_segmented, setup),
		cmocka_unit_test_setup(partial_checksum_is_finished, setup),
		cmocka_unit_test_setup(plain_frame_is_copied, setup),
		cmocka_unit_test_setup(bad_input_is_counted, setup),
		cmocka_unit_test_setup(keep_mode_carries_state, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
