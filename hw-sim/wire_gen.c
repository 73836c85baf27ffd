/* wire_gen.c -- a traffic generator as the link partner of a port.
 *
 * Frames are Ethernet/IPv4/UDP, addressed to the port's own MAC (RAL(0)/
 * RAH(0), so they pass the unicast filter), from 02:4b:56:ff:ff:ff, with
 * the UDP source port and source address varying per frame (so RSS spreads
 * them over queues) and the frame number in the first 8 payload bytes.
 * rate_pps = 0: lossless, a frame is offered only when its RX queue has a
 * free descriptor (the count arrives whole); rate_pps > 0: frames are sent
 * on schedule like a real link partner, and those that find no room are
 * dropped and counted by the port (QPRDC / MPC).
 */
#include <string.h>

#include "model.h"

/* The parts of a frame that are the same for every frame: addresses,
 * types, lengths.  Built once per (MAC, size); gen_stamp() fills in the
 * rest per frame, so a frame costs a few stores, not a rebuild. */
static void gen_template(uint8_t *f, uint32_t ral, uint32_t rah, uint16_t size)
{
	memset(f, 0, size);
	memcpy(f, &ral, 4);
	f[4] = (uint8_t)rah;
	f[5] = (uint8_t)(rah >> 8);
	memcpy(f + 6, "\x02\x4b\x56\xff\xff\xff", 6);
	f[12] = 0x08;                                  /* IPv4 */
	uint8_t *ip = f + 14;
	uint16_t iplen = (uint16_t)(size - 14);
	ip[0] = 0x45;
	ip[2] = (uint8_t)(iplen >> 8);
	ip[3] = (uint8_t)iplen;
	ip[8] = 64;
	ip[9] = 17;                                    /* UDP */
	ip[12] = 10; ip[13] = 0;
	ip[16] = 10; ip[17] = 1; ip[18] = 0; ip[19] = 1;
	uint8_t *udp = ip + 20;
	uint16_t ulen = (uint16_t)(iplen - 20);
	udp[2] = 0x12; udp[3] = 0x34;
	udp[4] = (uint8_t)(ulen >> 8); udp[5] = (uint8_t)ulen;
}

/* One's-complement sum of the template's IPv4 header (checksum and the
 * varying source address bytes 14..15 still zero). */
static uint32_t gen_header_sum(const uint8_t *f)
{
	const uint8_t *ip = f + 14;
	uint32_t sum = 0;
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	return sum;
}

/* Frame number seq: source address 10.0.x.y, UDP source port, the number
 * in the payload, and the IPv4 header checksum: the template's sum plus
 * the one word that changed (RFC 1071). */
static void gen_stamp(uint8_t *f, uint16_t size, uint64_t seq, uint32_t base_sum)
{
	uint8_t *ip = f + 14, *udp = ip + 20;
	ip[14] = (uint8_t)(seq >> 8);
	ip[15] = (uint8_t)seq;
	uint32_t sum = base_sum + (uint16_t)seq;
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	ip[10] = (uint8_t)(~sum >> 8);
	ip[11] = (uint8_t)~sum;
	uint16_t sport = (uint16_t)(1024 + (seq & 4095));
	udp[0] = (uint8_t)(sport >> 8); udp[1] = (uint8_t)sport;
	if (size >= 14 + 20 + 8 + 8)
		memcpy(udp + 8, &seq, 8);
}

unsigned wire_gen_poll(struct sim_port *p, uint64_t now)
{
	struct sim_wire *w = &p->wire;
	unsigned n = 0;
	/* the destination is the port's own MAC as the device holds it now
	 * (82599: RAL(0)/RAH(0); X710: the firmware's LAN address) */
	uint64_t mac = p->pers->mac(p);
	uint32_t ral = (uint32_t)mac, rah = (uint32_t)(mac >> 32);
	uint64_t key = ((uint64_t)(rah & 0xFFFF) << 32 | ral) ^ ((uint64_t)w->gen.size << 48) ^ (1ull << 63);
	if (w->gen_key != key) {
		w->pending_len = 0;
		gen_template(w->pending, ral, rah, w->gen.size);
		w->gen_sum = gen_header_sum(w->pending);
		w->gen_key = key;
	}
	while (n < 64 && (w->gen.count == 0 || w->gen_sent < w->gen.count) && wire_rx_ready(p)) {
		if (w->gen.rate_pps) {
			if (!w->gen_next_ns)
				w->gen_next_ns = now;
			if (now < w->gen_next_ns)
				break;
		}
		if (!w->pending_len) {
			gen_stamp(w->pending, w->gen.size, w->gen_sent, w->gen_sum);
			w->pending_len = w->gen.size;
		}
		int rc = wire_rx(p, w->pending, w->pending_len, 0, w->gen.rate_pps == 0);
		if (rc == RX_BUSY)
			break;
		w->pending_len = 0;
		w->gen_sent++;
		n++;
		if (w->gen.rate_pps)
			w->gen_next_ns += 1000000000ull / w->gen.rate_pps;
	}
	return n;
}
