/* arp_icmp: answers ARP and ping for its address, byte for byte; passes or
 * ignores the rest; counts malformed requests by reason. */
#include "testlib.h"

#include <arpa/inet.h>

#include "core/app.h"
#include "core/engine.h"
#include "core/packet.h"
#include "core/topology.h"

static const uint8_t our_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t our_ip[4] = { 10, 9, 0, 1 };
static const uint8_t peer_ip[4] = { 10, 9, 0, 2 };

struct rig { struct topology *t; struct engine *e; struct app *r; struct link *in, *out, *pass; };

static void rig_up(struct rig *g, bool with_pass)
{
	g->t = topology_parse("arp.topo", with_pass ?
		"app src join\napp r arp_icmp ip=10.9.0.1 mac=02:00:00:00:00:01\n"
		"app dst sink\napp other sink\n"
		"link src.output -> r.input\nlink r.output -> dst.input\nlink r.pass -> other.input\n" :
		"app src join\napp r arp_icmp ip=10.9.0.1 mac=02:00:00:00:00:01\napp dst sink\n"
		"link src.output -> r.input\nlink r.output -> dst.input\n", NULL, stderr);
	assert_non_null(g->t);
	g->e = engine_new(g->t);
	assert_non_null(g->e);
	g->r = engine_app(g->e, "r");
	g->in = engine_link_at(g->e, 0, NULL);
	g->out = engine_link_at(g->e, 1, NULL);
	g->pass = with_pass ? engine_link_at(g->e, 2, NULL) : NULL;
}

static void rig_down(struct rig *g)
{
	engine_free(g->e);
	topology_free(g->t);
	assert_int_equal(freelist_outstanding(), 0);
}

static struct packet *frame(const uint8_t *bytes, size_t len)
{
	struct packet *p = packet_alloc();
	memcpy(packet_data(p), bytes, len);
	p->length = (uint16_t)len;
	return p;
}

static size_t arp_request(uint8_t *f, const uint8_t target_ip[4])
{
	memset(f, 0xff, 6);
	memcpy(f + 6, peer_mac, 6);
	f[12] = 0x08; f[13] = 0x06;
	uint8_t *a = f + 14;
	a[0] = 0; a[1] = 1; a[2] = 0x08; a[3] = 0; a[4] = 6; a[5] = 4; a[6] = 0; a[7] = 1;
	memcpy(a + 8, peer_mac, 6);
	memcpy(a + 14, peer_ip, 4);
	memset(a + 18, 0, 6);
	memcpy(a + 24, target_ip, 4);
	memset(f + 42, 0, 18);  /* Ethernet padding to 60 bytes */
	return 60;
}

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static size_t echo_request(uint8_t *f, size_t payload)
{
	memcpy(f, our_mac, 6);
	memcpy(f + 6, peer_mac, 6);
	f[12] = 0x08; f[13] = 0x00;
	uint8_t *ip = f + 14, *icmp = ip + 20;
	size_t total = 20 + 8 + payload;
	memset(ip, 0, 20);
	ip[0] = 0x45; ip[2] = (uint8_t)(total >> 8); ip[3] = (uint8_t)total;
	ip[4] = 0x12; ip[5] = 0x34; ip[8] = 17; ip[9] = 1;
	memcpy(ip + 12, peer_ip, 4);
	memcpy(ip + 16, our_ip, 4);
	uint16_t c = csum(ip, 20); ip[10] = (uint8_t)(c >> 8); ip[11] = (uint8_t)c;
	icmp[0] = 8; icmp[1] = 0; icmp[2] = icmp[3] = 0;
	icmp[4] = 0xbe; icmp[5] = 0xef; icmp[6] = 0; icmp[7] = 7;
	for (size_t i = 0; i < payload; i++)
		icmp[8 + i] = (uint8_t)(i * 7);
	c = csum(icmp, 8 + payload); icmp[2] = (uint8_t)(c >> 8); icmp[3] = (uint8_t)c;
	return 14 + total;
}

static void test_arp_reply(void **st)
{
	struct rig g;
	rig_up(&g, false);
	uint8_t f[64];
	size_t n = arp_request(f, our_ip);
	link_transmit(g.in, frame(f, n));
	g.r->cls->push(g.r);
	struct packet *p = link_receive(g.out);
	assert_non_null(p);
	uint8_t *r = packet_data(p);
	assert_memory_equal(r, peer_mac, 6);          /* to the asker */
	assert_memory_equal(r + 6, our_mac, 6);
	assert_int_equal(r[14 + 7], 2);               /* op = reply */
	assert_memory_equal(r + 14 + 8, our_mac, 6);  /* sender hw = us */
	assert_memory_equal(r + 14 + 14, our_ip, 4);
	assert_memory_equal(r + 14 + 18, peer_mac, 6);
	assert_memory_equal(r + 14 + 24, peer_ip, 4);
	packet_free(p);
	assert_int_equal(test_counter(g.r, "arp_replies"), 1);
	/* A request for someone else is ignored (no pass port linked). */
	n = arp_request(f, peer_ip);
	link_transmit(g.in, frame(f, n));
	g.r->cls->push(g.r);
	assert_true(link_empty(g.out));
	assert_int_equal(test_counter(g.r, "ignored"), 1);
	rig_down(&g);
}

static void test_echo_reply(void **st)
{
	struct rig g;
	rig_up(&g, true);
	uint8_t f[1600];
	for (size_t payload = 0; payload < 1400; payload += 233) {  /* odd and even lengths */
		size_t n = echo_request(f, payload);
		link_transmit(g.in, frame(f, n));
		g.r->cls->push(g.r);
		struct packet *p = link_receive(g.out);
		assert_non_null(p);
		uint8_t *r = packet_data(p), *ip = r + 14, *icmp = ip + 20;
		assert_int_equal(p->length, n);
		assert_memory_equal(r, peer_mac, 6);
		assert_memory_equal(ip + 12, our_ip, 4);
		assert_memory_equal(ip + 16, peer_ip, 4);
		assert_int_equal(icmp[0], 0);
		assert_int_equal(csum(ip, 20), 0);               /* valid checksums */
		assert_int_equal(csum(icmp, 8 + payload), 0);
		assert_memory_equal(icmp + 4, f + 14 + 20 + 4, 4 + payload); /* id, seq, data kept */
		packet_free(p);
	}
	/* Bad checksum: counted, passed on, not answered. */
	size_t n = echo_request(f, 10);
	f[14 + 20 + 8] ^= 1;
	link_transmit(g.in, frame(f, n));
	/* Truncated IP header: malformed. */
	link_transmit(g.in, frame(f, 20));
	/* Not IP or ARP (IPv6 ethertype): passed on. */
	uint8_t v6[60] = {0};
	v6[12] = 0x86; v6[13] = 0xdd;
	link_transmit(g.in, frame(v6, 60));
	g.r->cls->push(g.r);
	assert_true(link_empty(g.out));
	assert_int_equal(link_count(g.pass), 3);
	assert_int_equal(test_counter(g.r, "bad_checksum"), 1);
	assert_int_equal(test_counter(g.r, "malformed"), 1);
	assert_int_equal(test_counter(g.r, "echo_replies"), 7);   /* payloads 0, 233, ..., 1398 */
	rig_down(&g);
}

static void test_requires_output(void **st)
{
	char *err = test_topology_refused("arp.topo",
		"app src join\napp r arp_icmp ip=10.9.0.1 mac=02:00:00:00:00:01\nlink src.output -> r.input\n");
	assert_string_equal(err,
		"arp.topo:2:5: error: app 'r' (class 'arp_icmp'): link both input and output: requests "
		"come in on input, replies leave on output\n"
		"    app r arp_icmp ip=10.9.0.1 mac=02:00:00:00:00:01\n"
		"        ^\n");
	free(err);
	err = test_topology_refused("arp.topo",
		"app src join\napp r arp_icmp ip=10.9.0.1 mac=03:00:00:00:00:01\napp k sink\n"
		"link src.output -> r.input\nlink r.output -> k.input\n");
	assert_string_equal(err,
		"arp.topo:2:32: error: app 'r' (class 'arp_icmp'): mac must be a unicast address "
		"(lowest bit of the first byte clear)\n"
		"    app r arp_icmp ip=10.9.0.1 mac=03:00:00:00:00:01\n"
		"                                   ^~~~~~~~~~~~~~~~~\n");
	free(err);
}

int main(void)
{
	test_mem_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arp_reply),
		cmocka_unit_test(test_echo_reply),
		cmocka_unit_test(test_requires_output),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
