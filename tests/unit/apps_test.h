/* apps_test.h -- helpers shared by the app unit tests (test_apps_*.c).
 *
 * Tests drive real apps through the real engine: a topology given as text,
 * engine_new, engine_breathe, engine_free.  Two small test-only app
 * classes make what happened visible:
 *
 *   capture  keeps every packet it receives (any inputs), in arrival order,
 *            with the port it came in on, so a test can look at the bytes;
 *            stop() frees them.  Beyond CAPTURE_MAX it frees and counts.
 *   stall    any inputs, never takes anything: its links fill up, so a
 *            test can watch link drops being counted.
 *
 * Include it from exactly one test file per binary (it defines statics).
 */
#ifndef KVICK_APPS_TEST_H
#define KVICK_APPS_TEST_H

#include "testlib.h"

#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../core/app.h"
#include "../../core/engine.h"
#include "../../core/packet.h"
#include "../../core/topology.h"

/* ---- the capture app ---- */

#define CAPTURE_MAX 4096

struct captured {
	struct packet *p;
	const char *app;         /* capture app name */
	const char *port;        /* input port name */
};

static struct captured cap[CAPTURE_MAX];
static int ncap;

static inline int capture_new(struct app *app, const struct app_args *args)
{
	app->state = app_counter(app, "overflow");
	return 0;
}

static inline void capture_push(struct app *app)
{
	for (int i = 0; i < app->nin; i++) {
		struct packet *p;
		while (app->in[i].link && (p = link_receive(app->in[i].link))) {
			if (ncap < CAPTURE_MAX) {
				cap[ncap++] = (struct captured){p, app->name, app->in[i].name};
			} else {
				packet_free(p);
				(*(uint64_t *)app->state)++;
			}
		}
	}
}

static inline void capture_stop(struct app *app)
{
	for (int i = 0; i < ncap; i++)
		if (cap[i].p && cap[i].app == app->name) {
			packet_free(cap[i].p);
			cap[i].p = NULL;
		}
}

static const char *const any_port[] = {"*", NULL};
static const char *const no_port[] = {NULL};
static const struct app_param no_params[] = {{NULL}};

static const struct app_class capture_class = {
	.name = "capture", .help = "test: keeps what it receives",
	.inputs = any_port, .outputs = no_port, .params = no_params,
	.new = capture_new, .push = capture_push, .stop = capture_stop,
};
KVICK_APP(capture_class);

static inline int stall_new(struct app *app, const struct app_args *args) { return 0; }

static const struct app_class stall_class = {
	.name = "stall", .help = "test: never takes anything",
	.inputs = any_port, .outputs = no_port, .params = no_params,
	.new = stall_new,
};
KVICK_APP(stall_class);

/* Captured packets of one capture app, in order: out[] gets up to max. */
static inline int captured_of(const char *app, struct packet **out, int max)
{
	int n = 0;
	for (int i = 0; i < ncap && n < max; i++)
		if (cap[i].p && strcmp(cap[i].app, app) == 0)
			out[n++] = cap[i].p;
	return n;
}

/* The sequence number a source wrote at byte 14 (big-endian). */
static inline uint64_t frame_seq(struct packet *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | packet_data(p)[14 + i];
	return v;
}

/* ---- a topology under test ---- */

struct net {
	struct topology *topo;
	struct engine *e;
};

static inline struct net net_start(const char *text)
{
	struct topo_vars vars = {0};
	struct net n = {0};
	ncap = 0;
	n.topo = topology_parse("test.topo", text, &vars, stderr);
	assert_non_null(n.topo);
	n.e = engine_new(n.topo);
	assert_non_null(n.e);
	return n;
}

/* Stop everything and check nothing leaked. */
static inline void net_end(struct net *n)
{
	engine_free(n->e);
	topology_free(n->topo);
	ncap = 0;
	assert_int_equal(freelist_outstanding(), 0);
}

static inline void breathe(struct net *n, int times)
{
	for (int i = 0; i < times; i++)
		engine_breathe(n->e);
}

/* Breathe until a breath moves nothing (bounded). */
static inline void breathe_until_idle(struct net *n)
{
	for (int i = 0; i < 100000; i++)
		if (engine_breathe(n->e) == 0)
			return;
	fail_msg("network never went idle");
}

/* Breathe for `ticks` TSC ticks, for rate tests.  Returns the ticks a paced
 * app whose bucket holds `burst_ticks` of its rate may have lost: the part
 * of each breath beyond burst_ticks (the process was descheduled; a bucket
 * fills only up to burst), or, if more, the share of the window this thread
 * was not on a CPU (CLOCK_THREAD_CPUTIME_ID against CLOCK_MONOTONIC): on a
 * loaded machine many short gaps, none beyond the burst, add up to a
 * starved thread that cannot move its frames.  On a quiet machine both are
 * ~0 and the test is as strict as the 1 % says. */
static inline uint64_t breathe_ticks(struct net *n, uint64_t ticks, uint64_t burst_ticks)
{
	struct timespec w0, c0, w1, c1;
	clock_gettime(CLOCK_MONOTONIC, &w0);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	uint64_t start = rdtsc(), prev = start, lost = 0;
	for (;;) {
		engine_breathe(n->e);
		uint64_t now = rdtsc();
		if (now - prev > burst_ticks)
			lost += now - prev - burst_ticks;
		prev = now;
		if (now - start >= ticks)
			break;
	}
	clock_gettime(CLOCK_MONOTONIC, &w1);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	double wall = (double)(w1.tv_sec - w0.tv_sec) * 1e9 + (double)(w1.tv_nsec - w0.tv_nsec);
	double cpu = (double)(c1.tv_sec - c0.tv_sec) * 1e9 + (double)(c1.tv_nsec - c0.tv_nsec);
	if (wall > 0 && cpu < wall) {
		uint64_t off = (uint64_t)((1.0 - cpu / wall) * (double)(prev - start));
		if (off > lost)
			lost = off;
	}
	return lost;
}

/* A paced rate over secs seconds, of which live were not lost to
 * descheduling (breathe_ticks): within 1 % of set, allowing burst more
 * (what a bucket may release at once) and nothing for the lost time. */
static inline void assert_paced(const char *what, double got, double set, double secs, double live,
                                double burst)
{
	print_message("%s: %.0f per s (set %.0f) over %.2f s, %.3f s lost to descheduling (beyond the burst, or off-CPU)\n",
	              what, got, set, secs, secs - live);
	if (got > set * 1.01 + burst / secs || got < set * (live / secs) * 0.99)
		fail_msg("%s: %.0f per s is not within 1 %% of %.0f", what, got, set);
}

static inline uint64_t counter(struct net *n, const char *app_name, const char *name)
{
	struct app *a = engine_app(n->e, app_name);
	if (!a)
		fail_msg("no app %s", app_name);
	for (int i = 0; i < a->ncounters; i++)
		if (strcmp(a->counters[i].name, name) == 0)
			return *a->counters[i].value;
	fail_msg("app %s has no counter %s", app_name, name);
	return 0;
}

static inline struct link *link_of(struct net *n, const char *spec)
{
	for (int i = 0; i < engine_nlinks(n->e); i++) {
		const char *s;
		struct link *l = engine_link_at(n->e, i, &s);
		if (strcmp(s, spec) == 0)
			return l;
	}
	fail_msg("no link %s", spec);
	return NULL;
}

static inline bool app_done(struct net *n, const char *app_name)
{
	struct app *a = engine_app(n->e, app_name);
	assert_non_null(a);
	assert_non_null(a->cls->done);
	return a->cls->done(a);
}

/* Text an app's report() prints. */
static inline char *app_report_text(struct net *n, const char *app_name)
{
	struct app *a = engine_app(n->e, app_name);
	assert_non_null(a);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (a->cls->report)
		a->cls->report(a, f);
	fclose(f);
	return buf;
}

/* engine_new on a topology that must fail; returns what went to stderr. */
static inline char *net_start_fails(const char *text)
{
	struct topo_vars vars = {0};
	struct topology *t = topology_parse("test.topo", text, &vars, stderr);
	assert_non_null(t);
	fflush(stderr);
	int saved = dup(2);
	FILE *tmp = tmpfile();
	dup2(fileno(tmp), 2);
	struct engine *e = engine_new(t);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	assert_null(e);
	topology_free(t);
	fseek(tmp, 0, SEEK_END);
	long len = ftell(tmp);
	rewind(tmp);
	char *buf = calloc(1, (size_t)len + 1);
	assert_int_equal(fread(buf, 1, (size_t)len, tmp), (size_t)len);
	fclose(tmp);
	fputs(buf, stderr);     /* keep it in the test log */
	assert_int_equal(freelist_outstanding(), 0);
	return buf;
}

#define assert_contains(hay, needle)                                           \
	do {                                                                       \
		if (!strstr((hay), (needle)))                                          \
			fail_msg("expected \"%s\" in:\n%s", (needle), (hay));              \
	} while (0)

#endif
