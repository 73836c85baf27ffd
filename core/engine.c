/* engine.c -- builds the app network and makes it breathe (see engine.h).
 *
 * The loop, in one picture:
 *
 *     for (;;) {
 *         for each source app:            pull()      -- inhale
 *         for each app in push order:     push()      -- exhale
 *         run due timers; maybe sleep; check the stop conditions
 *     }
 *
 * Ownership: the engine owns the apps and the links.  At the end every
 * app's stop() returns the packets it holds, then link_free() returns the
 * packets still in links, so the freelist holds every packet again.
 */
#include "engine.h"

#include <errno.h>
#include <numa.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "counters.h"
#include "log.h"
#include "memory.h"
#include "packet.h"

#define MAX_TIMERS 32
#define IDLE_SLEEP_MAX_US 100

struct engine_link {
	struct link *link;
	char spec[2 * APP_NAME_MAX + 80];   /* "a.output -> b.input" */
	uint64_t *slot[5];                  /* published counters (NULL: the other end publishes) */
	bool shared;                        /* in shared memory, between workers: not ours to free */
	bool consumer;                      /* our app receives from it: we drain it */
};

struct timer {
	uint64_t period, next;
	void (*fn)(void *);
	void *ctx;
};

struct engine {
	struct app **apps;            /* in topology order */
	int napps;
	struct app **pull_apps;       /* apps with a pull(), topology order */
	int npull;
	struct app **push_order;      /* apps with a push(), topological order */
	int npush;
	struct engine_link *links;
	int nlinks;
	bool shut;                    /* engine_shutdown() done */
	struct timer timers[MAX_TIMERS];
	int ntimers;
	volatile sig_atomic_t stop;
	uint64_t start_ns, end_ns;
	uint64_t breaths;
	uint64_t busy_ns;             /* time in breaths that moved packets */
	uint64_t live_last_ns, live_last_packets;
	bool live_tty;                /* stderr is a terminal */
	char *topology_file;
};

uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- building ---- */

static struct app *find_app(struct engine *e, const char *name)
{
	for (int i = 0; i < e->napps; i++)
		if (strcmp(e->apps[i]->name, name) == 0)
			return e->apps[i];
	return NULL;
}

/* Depth-first post-order over output links, reversed: every app comes
 * before the apps it feeds, except along links that close a cycle. */
static void visit(struct engine *e, int i, char *mark, int *order, int *n)
{
	if (mark[i])
		return;
	mark[i] = 1;
	struct app *a = e->apps[i];
	for (int o = 0; o < a->nout; o++) {
		for (int j = 0; j < e->napps; j++) {
			struct app *b = e->apps[j];
			for (int k = 0; k < b->nin; k++)
				if (b->in[k].link == a->out[o].link)
					visit(e, j, mark, order, n);
		}
	}
	order[(*n)++] = i;
}

static int compute_orders(struct engine *e)
{
	char *mark = calloc((size_t)e->napps + 1, 1);
	int *post = calloc((size_t)e->napps + 1, sizeof *post);
	e->pull_apps = calloc((size_t)e->napps + 1, sizeof *e->pull_apps);
	e->push_order = calloc((size_t)e->napps + 1, sizeof *e->push_order);
	if (!mark || !post || !e->pull_apps || !e->push_order) {
		free(mark);
		free(post);
		return -1;
	}
	int n = 0;
	/* Sources first so the order follows the packets' direction. */
	for (int i = 0; i < e->napps; i++)
		if (e->apps[i]->cls->pull)
			visit(e, i, mark, post, &n);
	for (int i = 0; i < e->napps; i++)
		visit(e, i, mark, post, &n);
	for (int i = n - 1; i >= 0; i--) {
		struct app *a = e->apps[post[i]];
		if (a->cls->push)
			e->push_order[e->npush++] = a;
	}
	for (int i = 0; i < e->napps; i++)
		if (e->apps[i]->cls->pull)
			e->pull_apps[e->npull++] = e->apps[i];
	free(mark);
	free(post);
	return 0;
}

static int add_port(struct app_port *ports, int *n, const char *name, struct link *l)
{
	if (*n == APP_MAX_PORTS)
		return -1;
	ports[*n].name = name;
	ports[*n].link = l;
	(*n)++;
	return 0;
}

static void publish_link_counters(struct engine *e)
{
	for (int i = 0; i < e->nlinks; i++) {
		struct engine_link *el = &e->links[i];
		struct link_counters c;
		if (!el->slot[0])
			continue;
		link_get_counters(el->link, &c);
		*el->slot[0] = c.txpackets;
		*el->slot[1] = c.txbytes;
		*el->slot[2] = c.txdrop;
		*el->slot[3] = c.rxpackets;
		*el->slot[4] = c.rxbytes;
	}
	counters_heartbeat();
}

static void stop_apps(struct engine *e, int upto)
{
	for (int i = upto - 1; i >= 0; i--) {
		struct app *a = e->apps[i];
		if (a->cls->stop)
			a->cls->stop(a);
	}
}

/* Whether app i of the topology runs in this engine. */
static bool in_part(const struct topology *topo, const struct engine_part *part, int i)
{
	return !part || topo->apps[i].worker == part->worker;
}

struct engine *engine_new(const struct topology *topo)
{
	return engine_new_part(topo, NULL);
}

struct engine *engine_new_part(const struct topology *topo, const struct engine_part *part)
{
	int *app_index = NULL;   /* our app i is the topology's app_index[i] */
	struct engine *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	if (!counters_path())
		counters_open(topo->file, 0);
	e->topology_file = strdup(topo->file ? topo->file : "-");
	e->apps = calloc((size_t)topo->napps + 1, sizeof *e->apps);
	e->links = calloc((size_t)topo->nlinks + 1, sizeof *e->links);
	if (!e->apps || !e->links || !e->topology_file)
		goto fail;

	app_index = calloc((size_t)topo->napps + 1, sizeof *app_index);   /* ours -> topology's */
	if (!app_index)
		goto fail;
	for (int i = 0; i < topo->napps; i++) {
		const struct topo_app *ta = &topo->apps[i];
		if (!in_part(topo, part, i))
			continue;
		app_index[e->napps] = i;
		struct app *a = calloc(1, sizeof *a);
		if (!a)
			goto fail;
		e->apps[e->napps++] = a;
		a->cls = ta->cls;
		snprintf(a->name, sizeof a->name, "%s", ta->name);
		char where[512];
		snprintf(where, sizeof where, "%s:%d", e->topology_file, ta->line);
		a->where = strdup(where);
	}

	for (int i = 0; i < topo->nlinks; i++) {
		const struct topo_link *tl = &topo->links[i];
		struct app *from = find_app(e, tl->from_app), *to = find_app(e, tl->to_app);
		struct engine_link *el = &e->links[e->nlinks];
		struct link *shared = part && part->shared ? part->shared[i] : NULL;
		if (part && !from && !to)
			continue;   /* both ends on other workers */
		if ((!from || !to) && !shared) {
			log_error("%s:%d: link names an unknown app", e->topology_file, tl->line);
			goto fail;
		}
		el->link = shared ? shared : link_new(LINK_DEFAULT_SIZE);
		if (!el->link)
			goto fail;
		el->shared = shared != NULL;
		el->consumer = to != NULL;
		e->nlinks++;
		snprintf(el->spec, sizeof el->spec, "%s.%s -> %s.%s", tl->from_app, tl->from_port,
		         tl->to_app, tl->to_port);
		static const char *const names[5] = {"txpackets", "txbytes", "txdrop", "rxpackets",
		                                     "rxbytes"};
		/* A shared link's counters are published by its consumer only, so
		 * each name is in the counter file once. */
		for (int k = 0; k < 5 && el->consumer; k++) {
			char cname[sizeof el->spec + 32]; /* counters_slot() truncates */
			snprintf(cname, sizeof cname, "link/%s/%s", el->spec, names[k]);
			el->slot[k] = counters_slot(cname);
		}
		if ((from && add_port(from->out, &from->nout, tl->from_port, el->link) < 0) ||
		    (to && add_port(to->in, &to->nin, tl->to_port, el->link) < 0)) {
			log_error("%s:%d: too many links on one app (max %d)", e->topology_file, tl->line,
			          APP_MAX_PORTS);
			goto fail;
		}
	}

	/* Links are in place: now each app may configure itself. */
	for (int i = 0; i < e->napps; i++) {
		struct app *a = e->apps[i];
		if (a->cls->new(a, topology_app_args(topo, app_index[i])) < 0) {
			fprintf(stderr, "%s: app %s (%s): error: %s\n", a->where, a->name, a->cls->name,
			        a->error[0] ? a->error : "could not start (no reason given)");
			stop_apps(e, i);
			/* The failed app released its own state, and the apps after it
			 * never started: free them all below, but stop none of them. */
			e->apps[i]->cls = NULL;
			goto fail_started;
		}
		a->error[0] = 0;   /* from now on app_error() means a runtime error */
	}
	if (compute_orders(e) < 0)
		goto fail_all_started;
	free(app_index);
	return e;

fail_all_started:
	stop_apps(e, e->napps);
	for (int i = 0; i < e->napps; i++)
		e->apps[i]->cls = NULL;
fail_started:
fail:
	free(app_index);
	for (int i = 0; i < e->napps; i++) {
		free((void *)e->apps[i]->where);
		free(e->apps[i]);
	}
	for (int i = 0; i < e->nlinks; i++)
		if (!e->links[i].shared)
			link_free(e->links[i].link);
	free(e->apps);
	free(e->links);
	free(e->pull_apps);
	free(e->push_order);
	free(e->topology_file);
	free(e);
	return NULL;
}

/* ---- running ---- */

static uint64_t link_activity(const struct engine *e)
{
	uint64_t n = 0;
	for (int i = 0; i < e->nlinks; i++)
		n += e->links[i].link->txpackets + e->links[i].link->rxpackets +
		     e->links[i].link->txdrop;
	return n;
}

uint64_t engine_breathe(struct engine *e)
{
	uint64_t before = link_activity(e);
	for (int i = 0; i < e->npull; i++)
		e->pull_apps[i]->cls->pull(e->pull_apps[i]);
	for (int i = 0; i < e->npush; i++)
		e->push_order[i]->cls->push(e->push_order[i]);
	/* Packets freed for another worker's pool go home once per breath. */
	if (__builtin_expect(freelist_stack.pending, 0))
		freelist_flush();
	e->breaths++;
	return link_activity(e) - before;
}

static void run_timers(struct engine *e, uint64_t t)
{
	for (int i = 0; i < e->ntimers; i++) {
		struct timer *tm = &e->timers[i];
		if (t >= tm->next) {
			tm->next = t + tm->period;
			tm->fn(tm->ctx);
		}
	}
}

int engine_timer_add(struct engine *e, uint64_t period_ns, void (*fn)(void *), void *ctx)
{
	if (e->ntimers == MAX_TIMERS || period_ns == 0)
		return -1;
	e->timers[e->ntimers++] = (struct timer){ period_ns, now_ns() + period_ns, fn, ctx };
	return 0;
}

bool engine_quiet(struct engine *e, bool *has_done)
{
	bool any = false;
	for (int i = 0; i < e->napps; i++) {
		struct app *a = e->apps[i];
		if (a->cls->done) {
			any = true;
			if (!a->cls->done(a))
				return false;
		}
	}
	if (has_done)
		*has_done = any;
	for (int i = 0; i < e->nlinks; i++)
		if (!link_empty(e->links[i].link))
			return false;
	return true;
}

/* True when the network has finished by itself: every finite source is
 * done and nothing is left in any link. */
static bool finished(struct engine *e)
{
	bool any = false;
	return engine_quiet(e, &any) && any;
}

static struct engine *signalled_engine;
/* SIGHUP is the operator's "re-read your configuration"; until kvick can
 * reload a running graph it is logged and ignored, never fatal (the
 * default action would kill the run without a report). */
static volatile sig_atomic_t hangups;

static void on_signal(int sig)
{
	if (sig == SIGHUP) {
		hangups++;
		return;
	}
	if (signalled_engine)
		signalled_engine->stop = 1;
}

void engine_stop(struct engine *e)
{
	e->stop = 1;
}

static void publish_timer(void *ctx)
{
	publish_link_counters(ctx);
}

static uint64_t link_tx_total(const struct engine *e)
{
	uint64_t n = 0;
	for (int i = 0; i < e->nlinks; i++)
		n += e->links[i].link->txpackets;
	return n;
}

static void live_timer(void *ctx)
{
	struct engine *e = ctx;
	uint64_t t = now_ns(), pk = link_tx_total(e);
	double dt = (double)(t - e->live_last_ns) / 1e9;
	uint64_t drops = 0;
	for (int i = 0; i < e->nlinks; i++)
		drops += e->links[i].link->txdrop;
	struct freelist_stats fs;
	freelist_stats(&fs);
	/* On a terminal the line rewrites itself; in a log, one line per second. */
	fprintf(stderr, "%s[kvick %6.1fs] all links: %8.3f Mpps, %12llu packets, %llu drops;  "
	        "packets in use %llu/%llu%s", e->live_tty ? "\r" : "",
	        (double)(t - e->start_ns) / 1e9, dt > 0 ? (double)(pk - e->live_last_packets) / dt / 1e6 : 0,
	        (unsigned long long)pk, (unsigned long long)drops,
	        (unsigned long long)(fs.allocated - fs.free), (unsigned long long)fs.allocated,
	        e->live_tty ? "   " : "\n");
	fflush(stderr);
	e->live_last_ns = t;
	e->live_last_packets = pk;
}

int engine_run(struct engine *e, const struct run_options *opt)
{
	struct run_options o = opt ? *opt : (struct run_options){ .cpu = -1 };
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term, old_hup;
	sigemptyset(&sa.sa_mask);
	signalled_engine = e;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	sig_atomic_t hangups_seen = hangups;

	e->start_ns = e->live_last_ns = now_ns();
	uint64_t deadline = o.duration > 0 ? e->start_ns + (uint64_t)(o.duration * 1e9) : UINT64_MAX;
	engine_timer_add(e, 100 * 1000000ull, publish_timer, e);
	e->live_tty = isatty(2);
	if (o.live)
		engine_timer_add(e, 1000 * 1000000ull, live_timer, e);

	unsigned sleep_us = 0;
	uint64_t t = e->start_ns, breath_start = t;
	unsigned fatal_seen = app_fatal_count();
	while (!e->stop) {
		uint64_t moved = engine_breathe(e);
		if (moved == 0 && !o.no_finish && finished(e))
			break;
		if (__builtin_expect(app_fatal_count() != fatal_seen, 0))
			break;   /* an app cannot go on (app_fatal): its error is printed below */
		/* Time is read once per breath: cheap (vDSO), and timers need it. */
		t = now_ns();
		if (moved)
			e->busy_ns += t - breath_start;
		breath_start = t;
		if (t >= deadline)
			break;
		run_timers(e, t);
		if (__builtin_expect(hangups != hangups_seen, 0)) {
			hangups_seen = hangups;
			log_warn("SIGHUP received: live reload is not implemented, so it is ignored "
			         "(the run goes on; stop it with SIGINT or SIGTERM)");
		}
		if (moved || o.busywait) {
			sleep_us = 0;
		} else {
			/* Idle: back off from 1 us to IDLE_SLEEP_MAX_US so an idle
			 * engine costs little CPU yet wakes quickly. */
			sleep_us = sleep_us ? (sleep_us * 2 > IDLE_SLEEP_MAX_US ? IDLE_SLEEP_MAX_US
			                                                         : sleep_us * 2)
			                    : 1;
			struct timespec ts = { 0, (long)sleep_us * 1000 };
			nanosleep(&ts, NULL);
			breath_start = now_ns();   /* sleeping is not busy */
		}
	}
	e->end_ns = now_ns();
	int rc = 0;
	if (o.live && e->live_tty)
		fputc('\n', stderr);
	publish_link_counters(e);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	signalled_engine = NULL;
	/* Errors apps met while running (a corrupt pcap record, ...): the run
	 * delivered what it could; the exit status says it was not clean. */
	for (int i = 0; i < e->napps; i++) {
		struct app *a = e->apps[i];
		if (a->error[0]) {
			fprintf(stderr, "%s: app %s (%s): error: %s\n", a->where, a->name, a->cls->name,
			        a->error);
			rc = -1;
		}
	}
	return rc;
}

int engine_pin_cpu(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof set, &set) < 0) {
		log_error("cannot pin to CPU %d: %s (this machine has CPUs 0-%ld)", cpu, strerror(errno),
		          sysconf(_SC_NPROCESSORS_ONLN) - 1);
		return -1;
	}
	int node = numa_available() >= 0 ? numa_node_of_cpu(cpu) : 0;
	return node < 0 ? 0 : node;
}

/* ---- inspection and reports ---- */

struct app *engine_app(struct engine *e, const char *name) { return find_app(e, name); }
int engine_napps(const struct engine *e) { return e->napps; }
struct app *engine_app_at(struct engine *e, int i) { return i >= 0 && i < e->napps ? e->apps[i] : NULL; }
int engine_nlinks(const struct engine *e) { return e->nlinks; }

void engine_stats(const struct engine *e, struct engine_stats *st)
{
	st->breaths = e->breaths;
	st->busy_ns = e->busy_ns;
	st->start_ns = e->start_ns;
	st->end_ns = e->end_ns;
	st->moved = link_activity(e);
}

struct link *engine_link_at(struct engine *e, int i, const char **spec)
{
	if (i < 0 || i >= e->nlinks)
		return NULL;
	if (spec)
		*spec = e->links[i].spec;
	return e->links[i].link;
}

static double run_seconds(const struct engine *e)
{
	uint64_t end = e->end_ns ? e->end_ns : now_ns();
	return e->start_ns ? (double)(end - e->start_ns) / 1e9 : 0.0;
}

void engine_report_link_row(FILE *out, const char *spec, const struct link *l, double secs)
{
	struct link_counters c;
	link_get_counters(l, &c);
	fprintf(out, "  %-40s tx %llu pkts %llu bytes, rx %llu pkts, txdrop %llu", spec,
	        (unsigned long long)c.txpackets, (unsigned long long)c.txbytes,
	        (unsigned long long)c.rxpackets, (unsigned long long)c.txdrop);
	if (secs > 0)
		fprintf(out, " (%.3f Mpps)", (double)c.txpackets / secs / 1e6);
	fputc('\n', out);
}

void engine_report_links(struct engine *e, FILE *out, double secs)
{
	for (int i = 0; i < e->nlinks; i++)
		if (!e->links[i].shared)
			engine_report_link_row(out, e->links[i].spec, e->links[i].link, secs);
}

void engine_report(struct engine *e, FILE *out)
{
	double secs = run_seconds(e);
	fprintf(out, "kvick report: %s, %.3f s, %llu breaths\n", e->topology_file, secs,
	        (unsigned long long)e->breaths);
	fprintf(out, "links:\n");
	engine_report_links(e, out, secs);
	fprintf(out, "apps:\n");
	engine_report_apps(e, out);
	struct freelist_stats fs;
	freelist_stats(&fs);
	fprintf(out, "packets: %llu allocated, %llu free, %llu allocation failures\n",
	        (unsigned long long)fs.allocated, (unsigned long long)fs.free,
	        (unsigned long long)fs.exhausted);
}

void engine_report_apps(struct engine *e, FILE *out)
{
	for (int i = 0; i < e->napps; i++) {
		struct app *a = e->apps[i];
		fprintf(out, "  %s (%s)", a->name, a->cls->name);
		for (int k = 0; k < a->ncounters; k++)
			fprintf(out, "%s %s=%llu", k ? "," : ":", a->counters[k].name,
			        (unsigned long long)*a->counters[k].value);
		fputc('\n', out);
		if (a->cls->report && !e->shut)
			a->cls->report(a, out);
	}
}

void engine_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void engine_json_link_row(FILE *f, const char *spec, const struct link *l, bool *first)
{
	struct link_counters c;
	link_get_counters(l, &c);
	fprintf(f, "%s\n    ", *first ? "" : ",");
	*first = false;
	engine_json_string(f, spec);
	fprintf(f, ": {\"txpackets\": %llu, \"txbytes\": %llu, \"txdrop\": %llu, "
	        "\"rxpackets\": %llu, \"rxbytes\": %llu, \"drained\": %llu}",
	        (unsigned long long)c.txpackets, (unsigned long long)c.txbytes,
	        (unsigned long long)c.txdrop, (unsigned long long)c.rxpackets,
	        (unsigned long long)c.rxbytes, (unsigned long long)l->drained);
}

void engine_json_links(struct engine *e, FILE *f, bool *first)
{
	for (int i = 0; i < e->nlinks; i++)
		if (!e->links[i].shared)
			engine_json_link_row(f, e->links[i].spec, e->links[i].link, first);
}

void engine_json_apps(struct engine *e, FILE *f, bool *first)
{
	for (int i = 0; i < e->napps; i++) {
		struct app *a = e->apps[i];
		fprintf(f, "%s\n    ", *first ? "" : ",");
		*first = false;
		engine_json_string(f, a->name);
		fprintf(f, ": {");
		for (int k = 0; k < a->ncounters; k++) {
			fprintf(f, "%s", k ? ", " : "");
			engine_json_string(f, a->counters[k].name);
			fprintf(f, ": %llu", (unsigned long long)*a->counters[k].value);
		}
		fprintf(f, "}");
	}
}

int engine_report_json(struct engine *e, const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		log_error("cannot write report %s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "{\n  \"links\": {");
	bool first = true;
	engine_json_links(e, f, &first);
	fprintf(f, "\n  },\n  \"apps\": {");
	first = true;
	engine_json_apps(e, f, &first);
	struct freelist_stats fs;
	freelist_stats(&fs);
	fprintf(f, "\n  },\n  \"packets\": {\"allocated\": %llu, \"free\": %llu, \"exhausted\": %llu},\n"
	        "  \"seconds\": %.6f\n}\n",
	        (unsigned long long)fs.allocated, (unsigned long long)fs.free,
	        (unsigned long long)fs.exhausted, run_seconds(e));
	if (fclose(f) != 0) {
		log_error("cannot write report %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int engine_shutdown(struct engine *e)
{
	if (e->shut)
		return 0;
	e->shut = true;
	/* An app can fail in stop() too (the last write of a file): such an
	 * error is printed here, and fails the run like one met running. */
	bool *had_error = calloc(e->napps ? e->napps : 1, sizeof(*had_error));
	for (int i = 0; had_error && i < e->napps; i++)
		had_error[i] = e->apps[i]->error[0] != 0;
	stop_apps(e, e->napps);
	int rc = 0;
	for (int i = 0; had_error && i < e->napps; i++) {
		struct app *a = e->apps[i];
		if (!had_error[i] && a->error[0]) {
			fprintf(stderr, "%s: app %s (%s): error: %s\n", a->where, a->name, a->cls->name,
			        a->error);
			rc = -1;
		}
	}
	free(had_error);
	/* Packets still in links go back to the freelist, counted per link
	 * (a shared link by its consumer, the side link_drain() belongs to). */
	for (int i = 0; i < e->nlinks; i++)
		if (!e->links[i].shared || e->links[i].consumer)
			link_drain(e->links[i].link);
	publish_link_counters(e);
	return rc;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	engine_shutdown(e);
	for (int i = 0; i < e->nlinks; i++)
		if (!e->links[i].shared)
			link_free(e->links[i].link);
	for (int i = 0; i < e->napps; i++) {
		free((void *)e->apps[i]->where);
		free(e->apps[i]);
	}
	free(e->apps);
	free(e->links);
	free(e->pull_apps);
	free(e->push_order);
	free(e->topology_file);
	free(e);
}
