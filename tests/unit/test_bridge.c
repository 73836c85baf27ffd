/* bridge: learning, forwarding to one port, flooding the unknown and
 * broadcasts, filtering on the receiving port, ageing, moves, a full table,
 * and conservation (every frame delivered or counted). */
#include "testlib.h"

#include <unistd.h>

#include "core/app.h"
#include "core/engine.h"
#include "core/packet.h"
#include "core/topology.h"

/* Three ports; each port's input is fed by a join we push into by hand and
 * each port's output goes to a sink whose link we read before it runs. */
struct rig { struct topology *t; struct engine *e; struct app *br; struct link *in[3], *out[3]; };

static void rig_up(struct rig *g, const char *params)
{
	char text[1024];
	snprintf(text, sizeof text,
	         "app br bridge %s\n"
	         "app i0 join\napp i1 join\napp i2 join\napp o0 sink\napp o1 sink\napp o2 sink\n"
	         "link i0.output -> br.p0\nlink i1.output -> br.p1\nlink i2.output -> br.p2\n"
	         "link br.p0 -> o0.input\nlink br.p1 -> o1.input\nlink br.p2 -> o2.input\n",
	         params);
	g->t = topology_parse("bridge.topo", text, NULL, stderr);
	assert_non_null(g->t);
	g->e = engine_new(g->t);
	assert_non_null(g->e);
	g->br = engine_app(g->e, "br");
	for (int i = 0; i < 3; i++) {
		g->in[i] = engine_link_at(g->e, i, NULL);
		g->out[i] = engine_link_at(g->e, 3 + i, NULL);
	}
}

static void rig_down(struct rig *g)
{
	engine_free(g->e);
	topology_free(g->t);
	assert_int_equal(freelist_outstanding(), 0);
}

/* A frame from host `src` to host `dst` (hosts are 02:00:00:00:00:NN;
 * dst 0xff is broadcast), 100 bytes, tagged with `tag`. */
static void send(struct rig *g, int port, int src, int dst, uint8_t tag)
{
	struct packet *p = packet_alloc();
	uint8_t *f = packet_data(p);
	memset(f, 0, 100);
	if (dst == 0xff)
		memset(f, 0xff, 6);
	else
		f[0] = 2, f[5] = (uint8_t)dst;
	f[6] = 2;
	f[11] = (uint8_t)src;
	f[12] = 0x88; f[13] = 0xb5;
	f[14] = tag;
	p->length = 100;
	link_transmit(g->in[port], p);
}

/* Take every frame waiting on port's output; returns how many, and checks
 * each carries `tag`. */
static int take(struct rig *g, int port, uint8_t tag)
{
	int n = 0;
	struct packet *p;
	while ((p = link_receive(g->out[port]))) {
		assert_int_equal(packet_data(p)[14], tag);
		packet_free(p);
		n++;
	}
	return n;
}

static void push(struct rig *g) { g->br->cls->push(g->br); }

static void test_learn_and_forward(void **st)
{
	struct rig g;
	rig_up(&g, "");
	/* Host 1 on p0 talks to unknown host 2: flooded to p1 and p2 only. */
	send(&g, 0, 1, 2, 10);
	push(&g);
	assert_int_equal(take(&g, 0, 10), 0);
	assert_int_equal(take(&g, 1, 10), 1);
	assert_int_equal(take(&g, 2, 10), 1);
	/* Host 2 answers from p1: host 1 is known, so only p0 gets it. */
	send(&g, 1, 2, 1, 11);
	push(&g);
	assert_int_equal(take(&g, 0, 11), 1);
	assert_int_equal(take(&g, 1, 11) + take(&g, 2, 11), 0);
	/* Now both are known: host 1 -> host 2 goes to p1 only. */
	send(&g, 0, 1, 2, 12);
	push(&g);
	assert_int_equal(take(&g, 1, 12), 1);
	assert_int_equal(take(&g, 0, 12) + take(&g, 2, 12), 0);
	/* A broadcast is always flooded. */
	send(&g, 2, 3, 0xff, 13);
	push(&g);
	assert_int_equal(take(&g, 0, 13), 1);
	assert_int_equal(take(&g, 1, 13), 1);
	assert_int_equal(take(&g, 2, 13), 0);
	/* A frame for a host on its own segment is filtered. */
	send(&g, 0, 4, 1, 14);
	push(&g);
	assert_int_equal(take(&g, 0, 14) + take(&g, 1, 14) + take(&g, 2, 14), 0);
	assert_int_equal(test_counter(g.br, "learned"), 4);     /* hosts 1, 2, 3, 4 */
	assert_int_equal(test_counter(g.br, "forwarded"), 2);
	assert_int_equal(test_counter(g.br, "flooded"), 2);
	assert_int_equal(test_counter(g.br, "filtered"), 1);
	rig_down(&g);
}

static void test_move_and_ageing(void **st)
{
	struct rig g;
	rig_up(&g, "timeout=0.2");
	send(&g, 0, 1, 0xff, 1);       /* host 1 learned on p0 */
	push(&g);
	take(&g, 1, 1);
	take(&g, 2, 1);
	send(&g, 2, 1, 0xff, 2);       /* host 1 moved to p2 */
	push(&g);
	take(&g, 0, 2);
	take(&g, 1, 2);
	send(&g, 1, 5, 1, 3);          /* goes to p2 now, not p0 */
	push(&g);
	assert_int_equal(take(&g, 2, 3), 1);
	assert_int_equal(take(&g, 0, 3), 0);
	usleep(300 * 1000);            /* host 1 expires */
	send(&g, 1, 5, 1, 4);
	push(&g);
	assert_int_equal(take(&g, 0, 4), 1);   /* unknown again: flooded */
	assert_int_equal(take(&g, 2, 4), 1);
	rig_down(&g);
}

static void test_table_full_still_delivers(void **st)
{
	struct rig g;
	rig_up(&g, "mac_table_size=16");
	for (int h = 1; h <= 20; h++)
		send(&g, 0, h, 0xff, 7);
	push(&g);
	assert_int_equal(test_counter(g.br, "learned"), 16);
	assert_int_equal(test_counter(g.br, "table_full"), 4);
	assert_int_equal(take(&g, 1, 7), 20);   /* nothing lost for it */
	assert_int_equal(take(&g, 2, 7), 20);
	/* Host 20 was not learned: frames to it are flooded, still delivered. */
	send(&g, 1, 30, 20, 8);
	push(&g);
	assert_int_equal(take(&g, 0, 8) + take(&g, 2, 8), 2);
	rig_down(&g);
}

/* Many frames between many hosts: every frame sent is delivered to exactly
 * the ports the rules say, or counted. */
static void test_conservation(void **st)
{
	struct rig g;
	rig_up(&g, "");
	uint64_t sent = 0, expected_out = 0, got = 0;
	int where[16];
	for (int h = 0; h < 16; h++)
		where[h] = -1;
	unsigned seed = 7;
	for (int round = 0; round < 200; round++) {
		for (int k = 0; k < 20; k++) {
			seed = seed * 1103515245 + 12345;
			int src = 1 + (int)(seed >> 16) % 15, dst = 1 + (int)(seed >> 8) % 15;
			int port = (src - 1) % 3;   /* each host lives on one port */
			where[src] = port;         /* the bridge learns before it looks up */
			int known = where[dst];
			send(&g, port, src, dst, 0);
			push(&g);   /* one at a time: the bridge takes ports in turn within a push */
			sent++;
			if (known < 0)
				expected_out += 2;      /* flooded to the two other ports */
			else if (known != port)
				expected_out += 1;
		}
		for (int p = 0; p < 3; p++)
			got += (uint64_t)take(&g, p, 0);
	}
	assert_int_equal(got, expected_out);
	assert_int_equal(test_counter(g.br, "forwarded") + test_counter(g.br, "flooded") + test_counter(g.br, "filtered"), sent);
	rig_down(&g);
}

static void test_bad_params(void **st)
{
	char *err = test_topology_refused("bridge.topo",
		"app br bridge mac_table_size=1000\napp s sink\nlink br.p0 -> s.input\n");
	assert_string_equal(err,
		"bridge.topo:1:30: error: app 'br' (class 'bridge'): mac_table_size=1000: must be a "
		"power of two from 16 to 16777216\n"
		"    app br bridge mac_table_size=1000\n"
		"                                 ^~~~\n");
	free(err);
	err = test_topology_refused("bridge.topo",
		"app br bridge timeout=-1\napp s sink\nlink br.p0 -> s.input\n");
	assert_non_null(strstr(err, "bridge.topo:1:23: error: app 'br' (class 'bridge'): timeout=-1: "
	                            "must be more than 0 seconds\n"));
	free(err);
}

int main(void)
{
	test_mem_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_learn_and_forward),
		cmocka_unit_test(test_move_and_ageing),
		cmocka_unit_test(test_table_full_still_delivers),
		cmocka_unit_test(test_conservation),
		cmocka_unit_test(test_bad_params),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
