/* test_apps_basic.c -- source, sink, tee, join, split and repeater, each
 * driven through the engine on a small topology.  Every test checks values
 * (counts, bytes, order, frame contents) and conservation: what sources
 * made = what arrived + what sits in links + counted drops, and no packet
 * is outstanding after engine_free. */
#include "apps_test.h"

/* ---- source ---- */

static void source_counted_into_sink(void **state)
{
	struct net n = net_start(
		"app src source count=300 size=100\n"
		"app snk sink\n"
		"link src.output -> snk.input\n");
	breathe(&n, 1);
	/* One breath makes one batch: the source never exceeds LINK_MAX_BATCH. */
	assert_int_equal(counter(&n, "src", "packets"), LINK_MAX_BATCH);
	assert_false(app_done(&n, "src"));
	breathe_until_idle(&n);
	assert_true(app_done(&n, "src"));
	assert_int_equal(counter(&n, "src", "packets"), 300);
	assert_int_equal(counter(&n, "src", "bytes"), 300 * 100);
	assert_int_equal(counter(&n, "snk", "packets"), 300);
	assert_int_equal(counter(&n, "snk", "bytes"), 300 * 100);
	struct link_counters c;
	link_get_counters(link_of(&n, "src.output -> snk.input"), &c);
	assert_int_equal(c.txpackets, 300);
	assert_int_equal(c.rxpackets, 300);
	assert_int_equal(c.txdrop, 0);
	net_end(&n);
}

static void source_frame_contents(void **state)
{
	struct net n = net_start(
		"app src source count=3 dst=0a:0b:0c:0d:0e:0f src=02:11:22:33:44:55\n"
		"app cap capture\n"
		"link src.output -> cap.input\n");
	breathe_until_idle(&n);
	struct packet *p[8];
	assert_int_equal(captured_of("cap", p, 8), 3);
	static const uint8_t hdr[14] = {0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	                                0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 0x88, 0xb5};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(p[i]->length, 60);
		assert_memory_equal(packet_data(p[i]), hdr, sizeof(hdr));
		assert_int_equal(frame_seq(p[i]), i);
		for (int b = 22; b < 60; b++)
			assert_int_equal(packet_data(p[i])[b], 0);
	}
	net_end(&n);
}

static void source_unbounded_fills_only_free_room(void **state)
{
	/* Nobody drains the link: the source stops at its size and the
	 * link never drops, since a source only makes what fits. */
	struct net n = net_start(
		"app src source size=9216\n"
		"app st stall\n"
		"link src.output -> st.input\n");
	breathe(&n, 20);
	assert_false(app_done(&n, "src"));
	struct link *l = link_of(&n, "src.output -> st.input");
	assert_int_equal(counter(&n, "src", "packets"), LINK_DEFAULT_SIZE);
	assert_int_equal(counter(&n, "src", "bytes"), (uint64_t)LINK_DEFAULT_SIZE * 9216);
	assert_int_equal(link_count(l), LINK_DEFAULT_SIZE);
	struct link_counters c;
	link_get_counters(l, &c);
	assert_int_equal(c.txdrop, 0);
	net_end(&n);   /* the 1024 packets in the link go back to the freelist */
}

static void source_count_zero_is_done_at_once(void **state)
{
	struct net n = net_start(
		"app src source count=0\n"
		"app snk sink\n"
		"link src.output -> snk.input\n");
	assert_true(app_done(&n, "src"));
	breathe(&n, 3);
	assert_int_equal(counter(&n, "src", "packets"), 0);
	net_end(&n);
}

static void source_bad_size_is_an_error(void **state)
{
	char *err = test_topology_refused("test.topo",
		"app src source size=59\napp snk sink\nlink src.output -> snk.input\n");
	assert_contains(err, "test.topo:1:21: error: app 'src' (class 'source'): size=59 is out of "
	                "range: a frame is 60..9216 bytes\n");
	free(err);
	err = test_topology_refused("test.topo",
		"app src source size=9217\napp snk sink\nlink src.output -> snk.input\n");
	assert_contains(err, "test.topo:1:21: error: app 'src' (class 'source'): size=9217 is out of "
	                "range: a frame is 60..9216 bytes\n");
	free(err);
	err = test_topology_refused("test.topo",
		"app src source count=-1\napp snk sink\nlink src.output -> snk.input\n");
	assert_contains(err, "test.topo:1:22: error: app 'src' (class 'source'): count=-1: must be 0 or more");
	free(err);
}

static void source_without_output_is_an_error(void **state)
{
	char *err = test_topology_refused("test.topo", "app src source count=5\n");
	assert_contains(err, "test.topo:1:5: error: app 'src' (class 'source'): port 'output' is not "
	                "connected");
	free(err);
}

/* ---- sink ---- */

static void sink_counts_all_inputs(void **state)
{
	struct net n = net_start(
		"app a source count=200 size=60\n"
		"app b source count=70 size=1000\n"
		"app snk sink\n"
		"link a.output -> snk.in1\n"
		"link b.output -> snk.in2\n");
	breathe_until_idle(&n);
	assert_int_equal(counter(&n, "snk", "packets"), 270);
	assert_int_equal(counter(&n, "snk", "bytes"), 200 * 60 + 70 * 1000);
	assert_true(app_done(&n, "a"));
	assert_true(app_done(&n, "b"));
	net_end(&n);
}

/* ---- tee ---- */

static void tee_copies_to_every_output(void **state)
{
	struct net n = net_start(
		"app src source count=10 size=64\n"
		"app t tee\n"
		"app c1 capture\n"
		"app c2 capture\n"
		"app c3 capture\n"
		"link src.output -> t.input\n"
		"link t.a -> c1.input\n"
		"link t.b -> c2.input\n"
		"link t.c -> c3.input\n");
	breathe_until_idle(&n);
	assert_int_equal(counter(&n, "t", "packets"), 10);
	assert_int_equal(counter(&n, "t", "clone_failures"), 0);
	struct packet *p1[16], *p2[16], *p3[16];
	assert_int_equal(captured_of("c1", p1, 16), 10);
	assert_int_equal(captured_of("c2", p2, 16), 10);
	assert_int_equal(captured_of("c3", p3, 16), 10);
	for (int i = 0; i < 10; i++) {
		/* three distinct packets with identical bytes, in order */
		assert_ptr_not_equal(p1[i], p2[i]);
		assert_ptr_not_equal(p1[i], p3[i]);
		assert_ptr_not_equal(p2[i], p3[i]);
		assert_int_equal(p1[i]->length, 64);
		assert_int_equal(p2[i]->length, 64);
		assert_int_equal(p3[i]->length, 64);
		assert_memory_equal(packet_data(p1[i]), packet_data(p2[i]), 64);
		assert_memory_equal(packet_data(p1[i]), packet_data(p3[i]), 64);
		assert_int_equal(frame_seq(p1[i]), i);
	}
	/* a copy is its own buffer: changing one leaves the others alone */
	packet_data(p1[0])[20] ^= 0xff;
	assert_int_not_equal(packet_data(p1[0])[20], packet_data(p2[0])[20]);
	net_end(&n);
}

static void tee_conservation_through_sinks(void **state)
{
	struct net n = net_start(
		"app src source count=1000\n"
		"app t tee\n"
		"app s1 sink\n"
		"app s2 sink\n"
		"link src.output -> t.input\n"
		"link t.output1 -> s1.input\n"
		"link t.output2 -> s2.input\n");
	breathe_until_idle(&n);
	assert_int_equal(counter(&n, "src", "packets"), 1000);
	/* each source packet reaches both sinks: copies = packets - failures */
	assert_int_equal(counter(&n, "s1", "packets") + counter(&n, "s2", "packets") +
	                 counter(&n, "t", "clone_failures"), 2 * 1000);
	assert_int_equal(counter(&n, "s2", "packets"), 1000);
	net_end(&n);
}

/* ---- join ---- */

static void join_merges_inputs(void **state)
{
	struct net n = net_start(
		"app a source count=300 size=60\n"
		"app b source count=50 size=100\n"
		"app j join\n"
		"app snk sink\n"
		"link a.output -> j.in1\n"
		"link b.output -> j.in2\n"
		"link j.output -> snk.input\n");
	breathe_until_idle(&n);
	assert_int_equal(counter(&n, "j", "packets"), 350);
	assert_int_equal(counter(&n, "snk", "packets"), 350);
	assert_int_equal(counter(&n, "snk", "bytes"), 300 * 60 + 50 * 100);
	net_end(&n);
}

static void join_full_output_backpressure(void **state)
{
	/* Two sources feed a join whose output nobody drains.  The join takes
	 * only what its output has room for; the rest waits in its input
	 * links, and the sources make only what fits.  Nothing is dropped:
	 * every packet made is in one of the three links. */
	struct net n = net_start(
		"app a source count=2000\n"
		"app b source count=2000\n"
		"app j join\n"
		"app st stall\n"
		"link a.output -> j.in1\n"
		"link b.output -> j.in2\n"
		"link j.output -> st.input\n");
	breathe_until_idle(&n);
	struct link *out = link_of(&n, "j.output -> st.input");
	struct link *in1 = link_of(&n, "a.output -> j.in1"), *in2 = link_of(&n, "b.output -> j.in2");
	uint64_t made = counter(&n, "a", "packets") + counter(&n, "b", "packets");
	assert_int_equal(link_count(out), LINK_DEFAULT_SIZE);
	assert_int_equal(counter(&n, "j", "packets"), LINK_DEFAULT_SIZE);
	assert_int_equal(link_count(in1), LINK_DEFAULT_SIZE);
	assert_int_equal(link_count(in2), LINK_DEFAULT_SIZE);
	assert_int_equal(made, 3 * LINK_DEFAULT_SIZE);
	assert_int_equal(out->txdrop + in1->txdrop + in2->txdrop, 0);
	assert_int_equal(freelist_outstanding(), made);
	net_end(&n);
}

/* ---- split ---- */

static void split_round_robin(void **state)
{
	struct net n = net_start(
		"app src source count=300\n"
		"app sp split\n"
		"app c1 capture\n"
		"app c2 capture\n"
		"app c3 capture\n"
		"link src.output -> sp.input\n"
		"link sp.x -> c1.input\n"
		"link sp.y -> c2.input\n"
		"link sp.z -> c3.input\n");
	breathe_until_idle(&n);
	assert_int_equal(counter(&n, "sp", "packets"), 300);
	const char *names[3] = {"c1", "c2", "c3"};
	for (int o = 0; o < 3; o++) {
		struct packet *p[128];
		/* 300 packets over 3 outputs, across 3 source batches (128+128+44) */
		assert_int_equal(captured_of(names[o], p, 128), 100);
		for (int i = 0; i < 100; i++)
			assert_int_equal(frame_seq(p[i]), (uint64_t)(3 * i + o));
	}
	net_end(&n);
}

/* ---- repeater ---- */

static void repeater_repeats_in_order(void **state)
{
	struct net n = net_start(
		"app src source count=5\n"
		"app r repeater\n"
		"app cap capture\n"
		"link src.output -> r.input\n"
		"link r.output -> cap.input\n");
	breathe(&n, 10);
	assert_int_equal(counter(&n, "r", "stored"), 5);
	uint64_t sent = counter(&n, "r", "packets");
	/* 10 breaths, a batch each; never more than a batch per breath */
	assert_true(sent >= 9 * LINK_MAX_BATCH && sent <= 10 * LINK_MAX_BATCH);
	static struct packet *p[CAPTURE_MAX];
	int got = captured_of("cap", p, CAPTURE_MAX);
	assert_int_equal(got, sent);
	for (int i = 0; i < got; i++) {
		assert_int_equal(frame_seq(p[i]), (uint64_t)(i % 5));
		assert_int_equal(p[i]->length, 60);
	}
	/* the source is done; the repeater holds 5 originals; stop returns them */
	assert_true(app_done(&n, "src"));
	net_end(&n);
}

static void repeater_limit_counts_extra(void **state)
{
	struct net n = net_start(
		"app src source count=7\n"
		"app r repeater limit=3\n"
		"app cap capture\n"
		"link src.output -> r.input\n"
		"link r.output -> cap.input\n");
	breathe(&n, 2);
	assert_int_equal(counter(&n, "r", "stored"), 3);
	assert_int_equal(counter(&n, "r", "over_limit"), 4);
	static struct packet *p[CAPTURE_MAX];
	int got = captured_of("cap", p, CAPTURE_MAX);
	assert_true(got >= (int)LINK_MAX_BATCH);
	for (int i = 0; i < got; i++)
		assert_int_equal(frame_seq(p[i]), (uint64_t)(i % 3));
	net_end(&n);
}

static void repeater_feeds_sink_until_stopped(void **state)
{
	struct net n = net_start(
		"app src source count=200 size=128\n"
		"app r repeater\n"
		"app snk sink\n"
		"link src.output -> r.input\n"
		"link r.output -> snk.input\n");
	breathe(&n, 50);
	assert_int_equal(counter(&n, "r", "stored"), 200);
	assert_int_equal(counter(&n, "snk", "packets") + link_count(link_of(&n, "r.output -> snk.input")),
	                 counter(&n, "r", "packets"));
	assert_int_equal(counter(&n, "snk", "bytes"), counter(&n, "snk", "packets") * 128);
	net_end(&n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(source_counted_into_sink),
		cmocka_unit_test(source_frame_contents),
		cmocka_unit_test(source_unbounded_fills_only_free_room),
		cmocka_unit_test(source_count_zero_is_done_at_once),
		cmocka_unit_test(source_bad_size_is_an_error),
		cmocka_unit_test(source_without_output_is_an_error),
		cmocka_unit_test(sink_counts_all_inputs),
		cmocka_unit_test(tee_copies_to_every_output),
		cmocka_unit_test(tee_conservation_through_sinks),
		cmocka_unit_test(join_merges_inputs),
		cmocka_unit_test(join_full_output_backpressure),
		cmocka_unit_test(split_round_robin),
		cmocka_unit_test(repeater_repeats_in_order),
		cmocka_unit_test(repeater_limit_counts_extra),
		cmocka_unit_test(repeater_feeds_sink_until_stopped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
