/* vlan: vlan_tag, vlan_untag and vlan_mux on exact frames -- every byte of
 * what leaves is checked against a frame written out by hand. */
#include "apps_test.h"

static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };

/* dst, src, [tags...], EtherType 0x0800, then bytes 0, 1, 2, ... up to len. */
static int build(uint8_t *f, int len, const uint16_t *tags, int ntags)
{
	memcpy(f, macs, 12);
	int o = 12;
	for (int i = 0; i < 2 * ntags; i++, o += 2) {
		f[o] = (uint8_t)(tags[i] >> 8);
		f[o + 1] = (uint8_t)tags[i];
	}
	f[o] = 0x08;
	f[o + 1] = 0x00;
	for (int i = o + 2; i < len; i++)
		f[i] = (uint8_t)(i - o - 2);
	return len;
}

/* A packet: 60 bytes of payload-side frame plus 4 bytes per tag. */
static struct packet *pkt(const uint16_t *tags, int ntags)
{
	struct packet *p = packet_alloc();
	p->length = (uint16_t)build(packet_data(p), 60 + 4 * ntags, tags, ntags);
	return p;
}

static void assert_frame(struct packet *p, const uint16_t *tags, int ntags)
{
	uint8_t want[128];
	int len = build(want, 60 + 4 * ntags, tags, ntags);
	assert_int_equal(p->length, len);
	assert_memory_equal(packet_data(p), want, len);
}

#define TAGS(...) ((const uint16_t[]){ __VA_ARGS__ })

static void tag_pushes_exact_tags(void **st)
{
	struct net n = net_start(
		"app i join\napp q vlan_tag vid=100 pcp=5\napp o capture\n"
		"app i2 join\napp s vlan_tag vid=20 tpid=0x88a8\napp o2 capture\n"
		"link i.output -> q.input\nlink q.output -> o.input\n"
		"link i2.output -> s.input\nlink s.output -> o2.input\n");
	link_transmit(link_of(&n, "i.output -> q.input"), pkt(NULL, 0));
	struct packet *shortp = packet_alloc();
	shortp->length = 10;
	link_transmit(link_of(&n, "i.output -> q.input"), shortp);
	link_transmit(link_of(&n, "i2.output -> s.input"), pkt(TAGS(0x8100, 0x0064), 1));
	breathe_until_idle(&n);
	struct packet *got[4];
	assert_int_equal(captured_of("o", got, 4), 1);
	/* 0x8100, PCP 5 DEI 0 VID 100 = 0xa064 */
	assert_frame(got[0], TAGS(0x8100, 0xa064), 1);
	assert_int_equal(counter(&n, "q", "tagged"), 1);
	assert_int_equal(counter(&n, "q", "dropped"), 1);
	assert_int_equal(captured_of("o2", got, 4), 1);
	assert_frame(got[0], TAGS(0x88a8, 0x0014, 0x8100, 0x0064), 2);   /* Q-in-Q */
	net_end(&n);
}

static void untag_pops_or_drops_or_passes(void **st)
{
	struct net n = net_start(
		"app i join\napp u vlan_untag vid=100\napp o capture\n"
		"app i2 join\napp p vlan_untag tpid=0x88a8 mismatch=pass\napp o2 capture\n"
		"link i.output -> u.input\nlink u.output -> o.input\n"
		"link i2.output -> p.input\nlink p.output -> o2.input\n");
	struct link *l = link_of(&n, "i.output -> u.input"), *l2 = link_of(&n, "i2.output -> p.input");
	link_transmit(l, pkt(TAGS(0x8100, 0xa064), 1));          /* VID 100, PCP 5: popped */
	link_transmit(l, pkt(TAGS(0x8100, 0x00c8), 1));          /* VID 200: dropped */
	link_transmit(l, pkt(NULL, 0));                           /* untagged: dropped */
	link_transmit(l, pkt(TAGS(0x88a8, 0x0064), 1));          /* other TPID: dropped */
	link_transmit(l2, pkt(TAGS(0x88a8, 0x0014, 0x8100, 0x0064), 2)); /* outer popped */
	link_transmit(l2, pkt(TAGS(0x8100, 0x0064), 1));         /* passed as it is */
	link_transmit(l2, pkt(NULL, 0));                          /* passed */
	breathe_until_idle(&n);
	struct packet *got[4];
	assert_int_equal(captured_of("o", got, 4), 1);
	assert_frame(got[0], NULL, 0);
	assert_int_equal(counter(&n, "u", "untagged"), 1);
	assert_int_equal(counter(&n, "u", "dropped"), 3);
	assert_int_equal(counter(&n, "u", "passed"), 0);
	assert_int_equal(captured_of("o2", got, 4), 3);
	assert_frame(got[0], TAGS(0x8100, 0x0064), 1);
	assert_frame(got[1], TAGS(0x8100, 0x0064), 1);
	assert_frame(got[2], NULL, 0);
	assert_int_equal(counter(&n, "p", "untagged"), 1);
	assert_int_equal(counter(&n, "p", "passed"), 2);
	assert_int_equal(counter(&n, "p", "dropped"), 0);
	net_end(&n);
}

static void mux_demuxes_the_trunk_and_tags_toward_it(void **st)
{
	struct net n = net_start(
		"app t join\napp m vlan_mux\napp out capture\napp v10 join\napp nat join\n"
		"link t.output -> m.trunk\nlink m.trunk -> out.trunk\n"
		"link m.vlan10 -> out.vlan10\nlink m.vlan20 -> out.vlan20\nlink m.native -> out.native\n"
		"link v10.output -> m.vlan10\nlink nat.output -> m.native\n");
	struct link *t = link_of(&n, "t.output -> m.trunk");
	link_transmit(t, pkt(TAGS(0x8100, 0x000a), 1));   /* VID 10 -> vlan10, popped */
	link_transmit(t, pkt(TAGS(0x8100, 0x6014), 1));   /* VID 20 PCP 3 -> vlan20 */
	link_transmit(t, pkt(TAGS(0x8100, 0x001e), 1));   /* VID 30: unknown */
	link_transmit(t, pkt(NULL, 0));                    /* untagged -> native */
	link_transmit(t, pkt(TAGS(0x8100, 0xe000), 1));   /* priority tag -> native, popped */
	link_transmit(t, pkt(TAGS(0x88a8, 0x000a), 1));   /* other TPID -> native, as is */
	link_transmit(link_of(&n, "v10.output -> m.vlan10"), pkt(NULL, 0));
	link_transmit(link_of(&n, "nat.output -> m.native"), pkt(TAGS(0x88a8, 0x0005), 1));
	breathe_until_idle(&n);
	/* capture takes its inputs in link order: trunk, vlan10, vlan20, native;
	 * each in arrival order. */
	assert_int_equal(ncap, 7);
	assert_string_equal(cap[0].port, "trunk");  assert_frame(cap[0].p, TAGS(0x8100, 0x000a), 1);
	assert_string_equal(cap[1].port, "trunk");  assert_frame(cap[1].p, TAGS(0x88a8, 0x0005), 1);
	assert_string_equal(cap[2].port, "vlan10"); assert_frame(cap[2].p, NULL, 0);
	assert_string_equal(cap[3].port, "vlan20"); assert_frame(cap[3].p, NULL, 0);
	assert_string_equal(cap[4].port, "native"); assert_frame(cap[4].p, NULL, 0);
	assert_string_equal(cap[5].port, "native"); assert_frame(cap[5].p, NULL, 0);
	assert_string_equal(cap[6].port, "native"); assert_frame(cap[6].p, TAGS(0x88a8, 0x000a), 1);
	assert_int_equal(counter(&n, "m", "from_trunk"), 6);
	assert_int_equal(counter(&n, "m", "to_trunk"), 2);
	assert_int_equal(counter(&n, "m", "unknown_vlan"), 1);
	assert_int_equal(counter(&n, "m", "no_native"), 0);
	assert_int_equal(counter(&n, "m", "dropped"), 0);
	net_end(&n);
}

static void mux_8021ad_and_no_native(void **st)
{
	struct net n = net_start(
		"app t join\napp m vlan_mux tpid=0x88a8\napp out capture\napp v join\n"
		"link t.output -> m.trunk\nlink m.trunk -> out.trunk\nlink m.vlan4094 -> out.v\n"
		"link v.output -> m.vlan4094\n");
	struct link *t = link_of(&n, "t.output -> m.trunk");
	link_transmit(t, pkt(TAGS(0x88a8, 0x0ffe, 0x8100, 0x0007), 2));  /* S-VID 4094 */
	link_transmit(t, pkt(TAGS(0x8100, 0x0ffe), 1));   /* C-tag only: native, not linked */
	link_transmit(t, pkt(TAGS(0x88a8, 0x0000), 1));   /* priority tag: native, not linked */
	link_transmit(link_of(&n, "v.output -> m.vlan4094"), pkt(TAGS(0x8100, 0x0007), 1));
	breathe_until_idle(&n);
	assert_int_equal(ncap, 2);
	assert_string_equal(cap[0].port, "trunk");
	assert_frame(cap[0].p, TAGS(0x88a8, 0x0ffe, 0x8100, 0x0007), 2);
	assert_string_equal(cap[1].port, "v");
	assert_frame(cap[1].p, TAGS(0x8100, 0x0007), 1);
	assert_int_equal(counter(&n, "m", "no_native"), 2);
	net_end(&n);
}

static void bad_parameters_and_ports_are_named(void **st)
{
	static const struct { const char *topo, *want; } cases[] = {
		{ "app i join\napp q vlan_tag vid=4095\napp o sink\nlink i.output -> q.input\nlink q.output -> o.input\n",
		  "test.topo:2:20: error: app 'q' (class 'vlan_tag'): vid=4095: a VLAN ID is 0..4094" },
		{ "app i join\napp q vlan_tag vid=1 pcp=8\napp o sink\nlink i.output -> q.input\nlink q.output -> o.input\n",
		  "pcp=8: a priority is 0..7" },
		{ "app i join\napp q vlan_tag vid=1 tpid=0x9100\napp o sink\nlink i.output -> q.input\nlink q.output -> o.input\n",
		  "tpid=0x9100: must be 0x8100 (802.1Q) or 0x88a8 (802.1ad)" },
		{ "app i join\napp q vlan_untag mismatch=keep\napp o sink\nlink i.output -> q.input\nlink q.output -> o.input\n",
		  "test.topo:2:27: error: app 'q' (class 'vlan_untag'): mismatch=keep: must be drop or pass" },
		{ "app i join\napp m vlan_mux\napp o sink\nlink i.output -> m.trunk\nlink m.vlan0 -> o.input\n",
		  "test.topo:2:5: error: app 'm' (class 'vlan_mux'): port 'vlan0': a vlan_mux port is trunk, native or vlanN" },
		{ "app i join\napp m vlan_mux\napp o sink\nlink i.output -> m.trunk\nlink m.vlan4095 -> o.input\n",
		  "port 'vlan4095'" },
		{ "app i join\napp m vlan_mux\napp o sink\nlink i.output -> m.vlan10\nlink m.native -> o.input\n",
		  "port 'trunk' is not linked" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		/* refused while the file is read: kvick check says the same */
		char *err = test_topology_refused("test.topo", cases[i].topo);
		assert_contains(err, cases[i].want);
		free(err);
	}
}

int main(void)
{
	test_mem_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tag_pushes_exact_tags),
		cmocka_unit_test(untag_pops_or_drops_or_passes),
		cmocka_unit_test(mux_demuxes_the_trunk_and_tags_toward_it),
		cmocka_unit_test(mux_8021ad_and_no_native),
		cmocka_unit_test(bad_parameters_and_ports_are_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
