/* Engine: push order, cycles, finishing by itself, duration, failures in
 * new(), shutdown returning every packet, reports.  The app classes here
 * are test-only (names start with "t_") so the engine is tested apart from
 * the real apps. */
#include "testlib.h"

#include <stdlib.h>
#include <unistd.h>

#include "core/app.h"
#include "core/engine.h"
#include "core/packet.h"
#include "core/topology.h"

/* ---- test-only classes ---- */

struct t_src { uint64_t count, sent, per_breath; uint64_t *c_sent; struct link *out; };

static int t_src_new(struct app *a, const struct app_args *args)
{
	struct t_src *s = calloc(1, sizeof *s);
	s->count = (uint64_t)app_arg_int(args, "count");
	s->per_breath = (uint64_t)app_arg_int(args, "burst");
	s->c_sent = app_counter(a, "sent");
	s->out = app_output(a, "output");
	a->state = s;
	return 0;
}
static void t_src_pull(struct app *a)
{
	struct t_src *s = a->state;
	for (uint64_t i = 0; i < s->per_breath && s->sent < s->count; i++) {
		struct packet *p = packet_alloc();
		if (!p)
			return;
		p->length = 60;
		memcpy(packet_data(p), &s->sent, 8);
		s->sent++;
		(*s->c_sent)++;
		link_transmit(s->out, p);
	}
}
static bool t_src_done(struct app *a) { struct t_src *s = a->state; return s->sent == s->count; }
static void t_src_stop(struct app *a) { free(a->state); }
static const struct app_param t_src_params[] = {
	{ "count", PARAM_INT, "100", false, "packets to send" },
	{ "burst", PARAM_INT, "10", false, "packets per breath" },
	{ NULL },
};
static const char *const no_ports[] = { NULL };
static const char *const in_port[] = { "input", NULL };
static const char *const out_port[] = { "output", NULL };
static const struct app_class t_src = {
	.name = "t_src", .help = "test source", .inputs = no_ports, .outputs = out_port,
	.params = t_src_params, .new = t_src_new, .pull = t_src_pull, .stop = t_src_stop,
	.done = t_src_done,
};
KVICK_APP(t_src);

/* Forwards input to output; records the breath number it last saw
 * packets in, to check push order. */
static uint64_t breath_counter;
struct t_fwd { uint64_t seen_in_breath; uint64_t *c_fwd; };
static int t_fwd_new(struct app *a, const struct app_args *args)
{
	struct t_fwd *f = calloc(1, sizeof *f);
	f->c_fwd = app_counter(a, "forwarded");
	a->state = f;
	return 0;
}
static void t_fwd_push(struct app *a)
{
	struct t_fwd *f = a->state;
	struct link *in = app_input(a, "input"), *out = app_output(a, "output");
	struct packet *pk[LINK_MAX_BATCH];
	uint32_t n = link_receive_batch(in, pk, LINK_MAX_BATCH);
	if (n)
		f->seen_in_breath = breath_counter;
	*f->c_fwd += n;
	link_transmit_batch(out, pk, n);
}
static void t_fwd_stop(struct app *a) { free(a->state); }
static const struct app_param no_params[] = { { NULL } };
static const struct app_class t_fwd = {
	.name = "t_fwd", .help = "test forwarder", .inputs = in_port, .outputs = out_port,
	.params = no_params, .new = t_fwd_new, .push = t_fwd_push, .stop = t_fwd_stop,
};
KVICK_APP(t_fwd);

/* Keeps every packet it receives until stop(): shutdown must get them back. */
struct t_hold { struct packet *held[4096]; int n; };
static int t_hold_new(struct app *a, const struct app_args *args)
{
	a->state = calloc(1, sizeof(struct t_hold));
	return 0;
}
static void t_hold_push(struct app *a)
{
	struct t_hold *h = a->state;
	struct packet *p;
	for (int i = 0; i < a->nin; i++)   /* any port names */
		while (h->n < 4096 && (p = link_receive(a->in[i].link)))
			h->held[h->n++] = p;
}
static void t_hold_stop(struct app *a)
{
	struct t_hold *h = a->state;
	packet_free_batch(h->held, (unsigned)h->n);
	free(h);
}
static const char *const any_port[] = { "*", NULL };
static const struct app_class t_hold = {
	.name = "t_hold", .help = "test holder", .inputs = any_port, .outputs = no_ports,
	.params = no_params, .new = t_hold_new, .push = t_hold_push, .stop = t_hold_stop,
};
KVICK_APP(t_hold);

static int t_fail_new(struct app *a, const struct app_args *args)
{
	return app_error(a, "cannot open %s", "/nonexistent/device");
}
static const struct app_class t_fail = {
	.name = "t_fail", .help = "fails in new()", .inputs = any_port, .outputs = any_port,
	.params = no_params, .new = t_fail_new,
};
KVICK_APP(t_fail);

/* ---- helpers ---- */

static struct topology *parse(const char *text)
{
	struct topology *t = topology_parse("test.topo", text, NULL, stderr);
	assert_non_null(t);
	return t;
}

/* ---- tests ---- */

/* A chain written in reverse order still moves a packet from source to the
 * last app within one breath: push order follows the links. */
static void test_push_order_one_breath(void **st)
{
	struct topology *t = parse(
		"app z t_hold\n"
		"app c t_fwd\n"
		"app b t_fwd\n"
		"app a t_fwd\n"
		"app s t_src count=5 burst=5\n"
		"link s.output -> a.input\n"
		"link a.output -> b.input\n"
		"link b.output -> c.input\n"
		"link c.output -> z.in\n");
	struct engine *e = engine_new(t);
	assert_non_null(e);
	breath_counter = 1;
	engine_breathe(e);
	struct t_hold *h = engine_app(e, "z")->state;
	assert_int_equal(h->n, 5);
	engine_free(e);
	topology_free(t);
	assert_int_equal(freelist_outstanding(), 0);
}

/* A cycle (a -> b -> a) is legal: the engine runs it without looping
 * forever inside a breath. */
static void test_cycle(void **st)
{
	/* A port the class lacks is refused by the checker. */
	FILE *devnull = fopen("/dev/null", "w");
	struct topology *bad = topology_parse("test.topo",
		"app a t_fwd\napp b t_fwd\nlink a.output -> b.input\nlink b.output -> a.nope\n",
		NULL, devnull);
	fclose(devnull);
	assert_null(bad);
	struct topology *t = parse(
		"app a t_fwd\n"
		"app b t_fwd\n"
		"link a.output -> b.input\n"
		"link b.output -> a.input\n");
	struct engine *e = engine_new(t);
	assert_non_null(e);
	/* Put packets into the cycle by hand; they go round and round. */
	const char *spec;
	struct link *ab = engine_link_at(e, 0, &spec);
	assert_string_equal(spec, "a.output -> b.input");
	for (int i = 0; i < 3; i++) {
		struct packet *p = packet_alloc();
		p->length = 64;
		link_transmit(ab, p);
	}
	for (int i = 0; i < 10; i++)
		assert_int_equal(engine_breathe(e) > 0, 1);
	assert_int_equal(freelist_outstanding(), 3);
	engine_free(e);   /* drains the cycle */
	topology_free(t);
	assert_int_equal(freelist_outstanding(), 0);
}

/* A finite source: the run ends by itself, every packet accounted for. */
static void test_finishes_by_itself(void **st)
{
	struct topology *t = parse(
		"app s t_src count=3000 burst=128\n"
		"app f t_fwd\n"
		"app h t_hold\n"
		"link s.output -> f.input\n"
		"link f.output -> h.input\n");
	struct engine *e = engine_new(t);
	struct run_options o = { .duration = 30, .cpu = -1 };
	uint64_t t0 = now_ns();
	assert_int_equal(engine_run(e, &o), 0);
	assert_true(now_ns() - t0 < 20ull * 1000000000ull);   /* did not wait for the duration */
	struct app *s = engine_app(e, "s"), *f = engine_app(e, "f");
	struct t_hold *h = engine_app(e, "h")->state;
	/* Conservation: sent = forwarded + drops = held + drops. */
	const char *spec;
	struct link *fh = engine_link_at(e, 1, &spec);
	assert_int_equal(test_counter(s, "sent"), 3000);
	assert_int_equal(test_counter(f, "forwarded") + engine_link_at(e, 0, NULL)->txdrop, 3000);
	assert_int_equal(h->n, 3000);   /* bursts of 128 never overflow a link */
	assert_int_equal(test_counter(f, "forwarded"), fh->txpackets + fh->txdrop);
	uint64_t in_link = fh->txpackets - fh->rxpackets;
	assert_int_equal(test_counter(f, "forwarded"), (uint64_t)h->n + fh->txdrop + in_link);
	assert_int_equal(in_link, 0);   /* finished means links are empty */
	engine_free(e);
	topology_free(t);
	assert_int_equal(freelist_outstanding(), 0);
}

static void test_duration(void **st)
{
	struct topology *t = parse(
		"app s t_src count=1000000000000 burst=1\n"
		"app f t_fwd\n"
		"app h t_hold\n"
		"link s.output -> f.input\n"
		"link f.output -> h.input\n");
	struct engine *e = engine_new(t);
	struct run_options o = { .duration = 0.3, .cpu = -1 };
	uint64_t t0 = now_ns();
	engine_run(e, &o);
	uint64_t dt = now_ns() - t0;
	assert_true(dt >= 300000000ull && dt < 3000000000ull);
	engine_free(e);
	topology_free(t);
	assert_int_equal(freelist_outstanding(), 0);
}

/* new() fails: message with file:line, app and class; nothing leaks. */
static void test_new_failure(void **st)
{
	struct topology *t = parse(
		"app s t_src\n"
		"app h t_hold\n"
		"app x t_fail\n"
		"link s.output -> h.input\n");
	char path[] = "/tmp/kvick-test-engineXXXXXX";
	int fd = mkstemp(path);
	int saved = dup(2);
	dup2(fd, 2);
	struct engine *e = engine_new(t);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	assert_null(e);
	char buf[512] = {0};
	assert_true(pread(fd, buf, sizeof buf - 1, 0) > 0);
	close(fd);
	unlink(path);
	assert_string_equal(buf, "test.topo:3: app x (t_fail): error: cannot open /nonexistent/device\n");
	topology_free(t);
	assert_int_equal(freelist_outstanding(), 0);
}

/* Shutdown: packets in links and in apps' hands return; links count them. */
static void test_shutdown_and_json(void **st)
{
	struct topology *t = parse(
		"app s t_src count=50 burst=50\n"
		"app h t_hold\n"
		"link s.output -> h.input\n");
	struct engine *e = engine_new(t);
	struct app *s = engine_app(e, "s");
	s->cls->pull(s);                 /* 50 packets now sit in the link */
	assert_int_equal(freelist_outstanding(), 50);
	engine_shutdown(e);
	assert_int_equal(freelist_outstanding(), 0);
	char path[] = "/tmp/kvick-test-jsonXXXXXX";
	close(mkstemp(path));
	assert_int_equal(engine_report_json(e, path), 0);
	FILE *f = fopen(path, "r");
	char buf[4096] = {0};
	assert_true(fread(buf, 1, sizeof buf - 1, f) > 0);
	fclose(f);
	unlink(path);
	assert_non_null(strstr(buf, "\"s.output -> h.input\": {\"txpackets\": 50, \"txbytes\": 3000, "
	                            "\"txdrop\": 0, \"rxpackets\": 0, \"rxbytes\": 0, \"drained\": 50}"));
	assert_non_null(strstr(buf, "\"s\": {\"sent\": 50}"));
	struct freelist_stats fs;
	freelist_stats(&fs);
	char want[128];
	snprintf(want, sizeof want, "\"packets\": {\"allocated\": %llu, \"free\": %llu",
	         (unsigned long long)fs.allocated, (unsigned long long)fs.allocated);
	assert_non_null(strstr(buf, want));
	engine_free(e);
	topology_free(t);
}

/* Keeps the first `keep` packets it receives even past stop() (a leak, on
 * purpose), frees the rest: the report must show exactly those missing. */
#define LEAK_KEEP 37
static struct packet *leaked[LEAK_KEEP];
static int nleaked;
static void t_leak_push(struct app *a)
{
	struct packet *p;
	while ((p = link_receive(app_input(a, "input"))) != NULL) {
		if (nleaked < LEAK_KEEP)
			leaked[nleaked++] = p;
		else
			packet_free(p);
	}
}
static int t_leak_new(struct app *a, const struct app_args *args) { return 0; }
static const struct app_class t_leak = {
	.name = "t_leak", .help = "test: keeps 37 packets for ever", .inputs = in_port,
	.outputs = no_ports, .params = no_params, .new = t_leak_new, .push = t_leak_push,
};
KVICK_APP(t_leak);

/* The leak figures must come from the freelist, not from the engine's idea
 * of what it handed out: 37 packets kept means 37 fewer free. */
static void test_report_shows_a_leak(void **state)
{
	struct topology *t = topology_parse("test.topo",
		"app s t_src count=100 burst=100\napp l t_leak\nlink s.output -> l.input\n", NULL, stderr);
	struct engine *e = engine_new(t);
	assert_non_null(e);
	engine_breathe(e);
	engine_breathe(e);
	assert_int_equal(nleaked, LEAK_KEEP);
	engine_shutdown(e);
	char path[] = "/tmp/kvick-test-leakXXXXXX";
	close(mkstemp(path));
	assert_int_equal(engine_report_json(e, path), 0);
	FILE *f = fopen(path, "r");
	char buf[4096] = {0};
	assert_true(fread(buf, 1, sizeof buf - 1, f) > 0);
	fclose(f);
	unlink(path);
	unsigned long long allocated = 0, free_ = 0;
	const char *at = strstr(buf, "\"packets\": {\"allocated\": ");
	assert_non_null(at);
	assert_int_equal(sscanf(at, "\"packets\": {\"allocated\": %llu, \"free\": %llu", &allocated,
	                        &free_), 2);
	assert_true(allocated >= 100);
	assert_int_equal(allocated - free_, LEAK_KEEP);
	engine_free(e);
	topology_free(t);
	packet_free_batch(leaked, LEAK_KEEP);   /* so later tests start clean */
	assert_int_equal(freelist_outstanding(), 0);
}

int main(void)
{
	test_mem_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_order_one_breath),
		cmocka_unit_test(test_cycle),
		cmocka_unit_test(test_finishes_by_itself),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_new_failure),
		cmocka_unit_test(test_shutdown_and_json),
		cmocka_unit_test(test_report_shows_a_leak),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
