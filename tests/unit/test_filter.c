/* filter: tcpdump expressions select frames; the rest go to reject or are
 * counted; a bad expression is refused at start with libpcap's reason. */
#include "testlib.h"

#include <stdlib.h>
#include <unistd.h>

#include "core/app.h"
#include "core/engine.h"
#include "core/packet.h"
#include "core/topology.h"

static struct packet *frame(uint16_t ethertype, uint8_t ipproto, uint16_t dport)
{
	struct packet *p = packet_alloc();
	uint8_t *f = packet_data(p);
	memset(f, 0, 60);
	memset(f, 0xff, 6);
	f[6] = 2;
	f[12] = (uint8_t)(ethertype >> 8);
	f[13] = (uint8_t)ethertype;
	if (ethertype == 0x0800) {
		uint8_t *ip = f + 14;
		ip[0] = 0x45; ip[3] = 40; ip[8] = 64; ip[9] = ipproto;
		ip[12] = 10; ip[15] = 1; ip[16] = 10; ip[19] = 2;
		ip[20 + 2] = (uint8_t)(dport >> 8);   /* TCP/UDP destination port */
		ip[20 + 3] = (uint8_t)dport;
	}
	p->length = 60;
	return p;
}

static void run_case(const char *expr, bool with_reject, int want_yes, int want_no)
{
	char text[512];
	snprintf(text, sizeof text,
	         "app src join\napp f filter expr=\"%s\"\napp yes sink\napp no sink\n"
	         "link src.output -> f.input\nlink f.output -> yes.input\n%s",
	         expr, with_reject ? "link f.reject -> no.input\n" : "");
	struct topology *t = topology_parse("filter.topo", text, NULL, stderr);
	assert_non_null(t);
	struct engine *e = engine_new(t);
	assert_non_null(e);
	struct link *in = engine_link_at(e, 0, NULL);
	link_transmit(in, frame(0x0806, 0, 0));     /* ARP */
	link_transmit(in, frame(0x0800, 6, 80));    /* TCP to port 80 */
	link_transmit(in, frame(0x0800, 6, 22));    /* TCP to port 22 */
	link_transmit(in, frame(0x0800, 17, 53));   /* UDP to port 53 */
	link_transmit(in, frame(0x86dd, 0, 0));     /* IPv6 */
	struct app *f = engine_app(e, "f");
	f->cls->push(f);
	struct link *out = engine_link_at(e, 1, NULL);
	assert_int_equal(link_count(out), want_yes);
	assert_int_equal(test_counter(f, "accepted"), want_yes);
	assert_int_equal(test_counter(f, "rejected"), want_no);
	if (with_reject)
		assert_int_equal(link_count(engine_link_at(e, 2, NULL)), want_no);
	engine_free(e);
	topology_free(t);
	assert_int_equal(freelist_outstanding(), 0);
}

static void test_expressions(void **st)
{
	run_case("tcp port 80", true, 1, 4);
	run_case("arp or udp", true, 2, 3);
	run_case("ip", false, 3, 2);
	run_case("not ip6", false, 4, 1);
	run_case("tcp and not port 22", true, 1, 4);
}

static void test_bad_expression(void **st)
{
	char *err = test_topology_refused("filter.topo",
		"app src join\napp f filter expr=\"tcp prot 80\"\napp yes sink\n"
		"link src.output -> f.input\nlink f.output -> yes.input\n");
	/* the caret is under the value as written, quotes included */
	assert_non_null(strstr(err, "filter.topo:2:19: error: app 'f' (class 'filter'): bad filter "
	                            "expression \"tcp prot 80\": "));
	assert_non_null(strstr(err, "(see `man pcap-filter`)\n"
	                            "    app f filter expr=\"tcp prot 80\"\n"
	                            "                      ^~~~~~~~~~~~~\n"));
	free(err);
}

int main(void)
{
	test_mem_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expressions),
		cmocka_unit_test(test_bad_expression),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
