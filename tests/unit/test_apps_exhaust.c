/* test_apps_exhaust.c -- apps when the freelist runs dry.
 *
 * The process may create only EXHAUST_LIMIT packets (two 203-packet
 * chunks), so a few breaths use them all up.  Then: a source makes fewer
 * frames, a tee makes fewer copies, a repeater sends fewer clones and a
 * pcap reader reads fewer records -- each counted, none lost, and each
 * resumes in order once packets come back. */
#include "apps_test.h"

#define EXHAUST_LIMIT 406

/* Give back every packet the capture apps hold (as if they had sent them
 * on), so the network can go on. */
static void release_captured(void)
{
	for (int i = 0; i < ncap; i++)
		if (cap[i].p) {
			packet_free(cap[i].p);
			cap[i].p = NULL;
		}
	ncap = 0;
}

static void in_use_is_all(void)
{
	struct freelist_stats fs;
	freelist_stats(&fs);
	assert_int_equal(fs.allocated, EXHAUST_LIMIT);
	assert_int_equal(fs.free, 0);
}

static void tee_counts_copies_it_cannot_make(void **state)
{
	struct net n = net_start(
		"app src source\n"
		"app t tee\n"
		"app a stall\n"
		"app b stall\n"
		"link src.output -> t.input\n"
		"link t.a -> a.input\n"
		"link t.b -> b.input\n");
	breathe(&n, 10);
	in_use_is_all();
	uint64_t made = counter(&n, "src", "packets");
	uint32_t in_a = link_count(link_of(&n, "t.a -> a.input"));
	uint32_t in_b = link_count(link_of(&n, "t.b -> b.input"));
	/* originals all reach the last output; copies that failed are counted */
	assert_int_equal(in_b, made);
	assert_true(counter(&n, "t", "clone_failures") > 0);
	assert_int_equal(in_a + counter(&n, "t", "clone_failures"), made);
	assert_int_equal(in_a + in_b, EXHAUST_LIMIT);
	assert_true(counter(&n, "src", "alloc_failures") > 0);
	net_end(&n);
}

static void repeater_resumes_in_order(void **state)
{
	struct net n = net_start(
		"app src source count=7\n"
		"app r repeater\n"
		"app cap capture\n"
		"link src.output -> r.input\n"
		"link r.output -> cap.input\n");
	uint64_t expect = 0;
	for (int round = 0; round < 3; round++) {
		breathe(&n, 5);
		in_use_is_all();
		assert_true(counter(&n, "r", "clone_failures") > 0);
		static struct packet *p[CAPTURE_MAX];
		int got = captured_of("cap", p, CAPTURE_MAX);
		assert_int_equal(got, EXHAUST_LIMIT - 7);   /* all but the 7 kept */
		for (int i = 0; i < got; i++, expect++)
			assert_int_equal(frame_seq(p[i]), expect % 7);
		release_captured();
	}
	assert_int_equal(counter(&n, "r", "packets"), expect);
	net_end(&n);
}

static void pcap_reader_loses_no_record(void **state)
{
	char path[] = "/tmp/kvick-test-exhaust-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	char text[512];
	snprintf(text, sizeof(text),
	         "app src source count=1000 size=80\n"
	         "app wr pcap_writer file=%s\n"
	         "link src.output -> wr.input\n", path);
	struct net w = net_start(text);
	breathe_until_idle(&w);
	net_end(&w);

	snprintf(text, sizeof(text),
	         "app rd pcap_reader file=%s\n"
	         "app cap capture\n"
	         "link rd.output -> cap.input\n", path);
	struct net n = net_start(text);
	uint64_t expect = 0;
	while (!app_done(&n, "rd")) {
		breathe(&n, 4);
		static struct packet *p[CAPTURE_MAX];
		int got = captured_of("cap", p, CAPTURE_MAX);
		assert_true(got <= EXHAUST_LIMIT);
		for (int i = 0; i < got; i++, expect++) {
			assert_int_equal(p[i]->length, 80);
			assert_int_equal(frame_seq(p[i]), expect);
		}
		release_captured();
	}
	assert_int_equal(expect, 1000);
	assert_int_equal(counter(&n, "rd", "packets"), 1000);
	assert_true(counter(&n, "rd", "alloc_failures") > 0);
	assert_int_equal(counter(&n, "rd", "errors"), 0);
	net_end(&n);
	unlink(path);
}

int main(void)
{
	freelist_set_limit(EXHAUST_LIMIT);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tee_counts_copies_it_cannot_make),
		cmocka_unit_test(repeater_resumes_in_order),
		cmocka_unit_test(pcap_reader_loses_no_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
