/* arp_icmp.c -- answers ARP requests and ICMP echo requests for one
 * IPv4 address, so a host can `ping` kvick on any port.
 *
 *            +-----------+
 *   input -->| arp_icmp  |--> output   replies (to send back on the port)
 *            |           |--> pass     everything else (optional port)
 *            +-----------+
 *
 * A frame is answered in place: the request's own buffer becomes the
 * reply, so answering costs no allocation and no copy.  Frames that are
 * not for us go to `pass` when it is linked, else they are freed and
 * counted as `ignored`.  Malformed requests (truncated headers, a bad IP
 * header length or checksum) are counted by reason and freed.
 *
 * Only untagged Ethernet II frames are handled (put a vlan app in front
 * for tagged ones).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "../core/app.h"

#define ETH_HLEN      14
#define ETH_P_IPV4    0x0800
#define ETH_P_ARP     0x0806
#define ARP_LEN       28
#define ARP_OP_REQ    1
#define ARP_OP_REPLY  2
#define IP_PROTO_ICMP 1
#define ICMP_ECHO_REQ 8
#define ICMP_ECHO_REP 0

struct arp_icmp {
	uint8_t mac[6];
	uint8_t ip[4];
	struct link *in, *out, *pass;
	uint64_t *arp_replies, *echo_replies, *ignored, *malformed, *bad_checksum;
};

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

/* RFC 1071 Internet checksum of len bytes (len even for IP headers; odd
 * lengths pad with a zero byte, as ICMP needs). */
static uint16_t inet_checksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	for (; len > 1; p += 2, len -= 2)
		sum += get16(p);
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Reply to "who has our IP?" by turning the request around. */
static bool answer_arp(struct arp_icmp *s, struct packet *p)
{
	uint8_t *eth = packet_data(p), *arp = eth + ETH_HLEN;
	if (p->length < ETH_HLEN + ARP_LEN) {
		(*s->malformed)++;
		return false;
	}
	/* Ethernet hardware (1), IPv4 protocol, 6- and 4-byte addresses. */
	if (get16(arp) != 1 || get16(arp + 2) != ETH_P_IPV4 || arp[4] != 6 || arp[5] != 4) {
		(*s->malformed)++;
		return false;
	}
	if (get16(arp + 6) != ARP_OP_REQ || memcmp(arp + 24, s->ip, 4) != 0)
		return false;
	uint8_t sha[6], spa[4];
	memcpy(sha, arp + 8, 6);
	memcpy(spa, arp + 14, 4);
	put16(arp + 6, ARP_OP_REPLY);
	memcpy(arp + 8, s->mac, 6);     /* sender: us */
	memcpy(arp + 14, s->ip, 4);
	memcpy(arp + 18, sha, 6);       /* target: the asker */
	memcpy(arp + 24, spa, 4);
	memcpy(eth, sha, 6);
	memcpy(eth + 6, s->mac, 6);
	(*s->arp_replies)++;
	return true;
}

/* Reply to an ICMP echo request addressed to our IP. */
static bool answer_icmp(struct arp_icmp *s, struct packet *p)
{
	uint8_t *eth = packet_data(p), *ip = eth + ETH_HLEN;
	if (p->length < ETH_HLEN + 20) {
		(*s->malformed)++;
		return false;
	}
	unsigned ihl = (ip[0] & 0x0f) * 4u, total = get16(ip + 2);
	if ((ip[0] >> 4) != 4 || ihl < 20 || total < ihl || ETH_HLEN + total > p->length) {
		(*s->malformed)++;
		return false;
	}
	if (memcmp(ip + 16, s->ip, 4) != 0 || ip[9] != IP_PROTO_ICMP)
		return false;
	/* Fragments are not reassembled: not ours to answer. */
	if ((get16(ip + 6) & 0x3fff) != 0)
		return false;
	uint8_t *icmp = ip + ihl;
	size_t icmp_len = total - ihl;
	if (icmp_len < 8) {
		(*s->malformed)++;
		return false;
	}
	if (icmp[0] != ICMP_ECHO_REQ)
		return false;
	if (inet_checksum(ip, ihl) != 0 || inet_checksum(icmp, icmp_len) != 0) {
		(*s->bad_checksum)++;
		return false;
	}
	/* Turn it around: swap addresses, type 0, fresh TTL, new checksums.
	 * Trailing Ethernet padding beyond the IP total length is dropped. */
	memcpy(eth, eth + 6, 6);
	memcpy(eth + 6, s->mac, 6);
	memcpy(ip + 16, ip + 12, 4);
	memcpy(ip + 12, s->ip, 4);
	ip[8] = 64;
	put16(ip + 10, 0);
	put16(ip + 10, inet_checksum(ip, ihl));
	icmp[0] = ICMP_ECHO_REP;
	put16(icmp + 2, 0);
	put16(icmp + 2, inet_checksum(icmp, icmp_len));
	p->length = (uint16_t)(ETH_HLEN + total);
	(*s->echo_replies)++;
	return true;
}

static void arp_icmp_push(struct app *a)
{
	struct arp_icmp *s = a->state;
	struct packet *pk[LINK_MAX_BATCH], *reply[LINK_MAX_BATCH], *other[LINK_MAX_BATCH];
	uint32_t n = link_receive_batch(s->in, pk, LINK_MAX_BATCH), nr = 0, no = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct packet *p = pk[i];
		bool answered = false;
		if (p->length >= ETH_HLEN) {
			uint16_t type = get16(packet_data(p) + 12);
			if (type == ETH_P_ARP)
				answered = answer_arp(s, p);
			else if (type == ETH_P_IPV4)
				answered = answer_icmp(s, p);
		} else {
			(*s->malformed)++;
		}
		if (answered)
			reply[nr++] = p;
		else
			other[no++] = p;
	}
	link_transmit_batch(s->out, reply, nr);
	if (s->pass) {
		link_transmit_batch(s->pass, other, no);
	} else {
		*s->ignored += no;
		packet_free_batch(other, no);
	}
}

static int arp_icmp_check(struct app_check *c, const struct app_args *args)
{
	uint8_t mac[6];
	app_arg_mac(args, "mac", mac);
	if (mac[0] & 1)
		return app_check_error(c, "mac", "mac must be a unicast address (lowest bit of the "
		                       "first byte clear)");
	if (!app_check_linked(c, "input", false) || !app_check_linked(c, "output", true))
		return app_check_error(c, NULL, "link both input and output: requests come in on "
		                       "input, replies leave on output");
	return 0;
}

/* Values and ports are as arp_icmp_check() accepted them. */
static int arp_icmp_new(struct app *a, const struct app_args *args)
{
	struct arp_icmp *s = calloc(1, sizeof *s);
	if (!s)
		return app_error(a, "out of memory");
	a->state = s;
	app_arg_mac(args, "mac", s->mac);
	app_arg_ipv4(args, "ip", s->ip);
	s->in = app_input(a, "input");
	s->out = app_output(a, "output");
	s->pass = app_output(a, "pass");
	s->arp_replies = app_counter(a, "arp_replies");
	s->echo_replies = app_counter(a, "echo_replies");
	s->ignored = app_counter(a, "ignored");
	s->malformed = app_counter(a, "malformed");
	s->bad_checksum = app_counter(a, "bad_checksum");
	return 0;
}

static void arp_icmp_stop(struct app *a)
{
	free(a->state);
}

static const char *const arp_icmp_inputs[] = { "input", NULL };
static const char *const arp_icmp_outputs[] = { "output", "pass", NULL };
static const struct app_param arp_icmp_params[] = {
	{ "ip", PARAM_IPV4, NULL, true, "IPv4 address to answer for" },
	{ "mac", PARAM_MAC, NULL, true, "our MAC address (source of replies)" },
	{ NULL },
};

static const struct app_class arp_icmp_class = {
	.name = "arp_icmp",
	.help = "answer ARP requests and ICMP echo (ping) for one IPv4 address",
	.doc = "Replies are built in place in the request's buffer and sent on `output`.\n"
	       "Frames not for us go to `pass` if linked, else are counted as `ignored`.\n"
	       "Counters: arp_replies, echo_replies, ignored, malformed, bad_checksum.\n"
	       "Untagged Ethernet II only; IPv4 fragments are not answered.",
	.inputs = arp_icmp_inputs,
	.outputs = arp_icmp_outputs,
	.params = arp_icmp_params,
	.check = arp_icmp_check,
	.new = arp_icmp_new,
	.push = arp_icmp_push,
	.stop = arp_icmp_stop,
};
KVICK_APP(arp_icmp_class);
