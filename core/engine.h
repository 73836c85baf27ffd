/* engine.h -- builds an app network from a topology and makes it breathe.
 *
 * A breath: pull() every source app, then push() every app in topological
 * order (an order that follows links forward; links closing a cycle, such as
 * bridge -> nic -> bridge, are followed on the next breath).  Timers run
 * between breaths.  When a breath moved nothing the engine sleeps a little
 * (growing up to 100 us) unless busy-waiting was requested.
 *
 * A run ends on (a) --duration, (b) SIGINT/SIGTERM, (c) every app that has
 * a done() hook returning true with every link empty (so a pcap file can
 * be processed and the process exit), (d) engine_stop(), or (e) an app's
 * app_fatal() (a disk full under a pcap_writer).  Then every
 * app's stop() is called, links are drained into the freelist, and a
 * report is printed.
 */
#ifndef KVICK_ENGINE_H
#define KVICK_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "app.h"
#include "topology.h"

struct link;

struct engine;

struct run_options {
	double duration;          /* seconds; <= 0: until done or signalled */
	bool busywait;            /* never sleep when idle */
	int cpu;                  /* pin the engine thread; -1: don't */
	bool live;                /* print a live counter line once a second */
	const char *report_json;  /* write the JSON report here at exit */
	bool quiet;               /* no final text report */
	bool no_finish;           /* the end of the run is decided outside (a worker's
	                             supervisor): never stop just because every finite
	                             source is done and the links are empty */
};

/* Create apps and links for a checked topology (see topology.h); calls
 * every app's new().  On failure prints "FILE:LINE: app NAME (CLASS):
 * error: ..." to stderr, releases what was created, returns NULL. */
struct engine *engine_new(const struct topology *topo);

/* One worker's share of a topology (core/workers.h): the apps placed on
 * `worker` (-1: the apps without '@'); links whose other end is elsewhere
 * use shared[i] (for topology link i: a ring in shared memory) instead of
 * a ring of their own.  A shared link is drained by its consumer's engine,
 * published in `kvick top` by its consumer's, reported by neither (the
 * supervisor reports it, engine_report_link_row). */
struct engine_part {
	int worker;
	struct link *const *shared;
};
struct engine *engine_new_part(const struct topology *topo, const struct engine_part *part);

/* Every app with a done() hook is done and every link is empty; *has_done:
 * whether any app has such a hook. */
bool engine_quiet(struct engine *e, bool *has_done);

struct engine_stats {
	uint64_t breaths, busy_ns, start_ns, end_ns;
	uint64_t moved;        /* packets moved over links so far (tx + rx + txdrop) */
};
void engine_stats(const struct engine *e, struct engine_stats *st);

/* Run until one of the stop conditions above; returns 0 or -1. */
int engine_run(struct engine *e, const struct run_options *opt);

/* One breath (tests drive the engine with this); returns packets moved
 * over links during the breath. */
uint64_t engine_breathe(struct engine *e);

/* Ask the running engine to stop after the current breath (async-signal-safe). */
void engine_stop(struct engine *e);

/* Stop every app (each returns the packets it holds) and return the
 * packets left in links to the freelist, counting them per link as
 * "drained".  Counters stay readable, so reports can follow; app report()
 * hooks are no longer called.  Idempotent.  Returns -1 when an app met an
 * error while stopping (printed, like engine_run's), else 0.  The CLI's order is:
 * engine_run, engine_report (text), engine_shutdown, engine_report_json --
 * so the JSON shows the freelist holding every packet again. */
int engine_shutdown(struct engine *e);

/* engine_shutdown() if not done, then free apps and links. */
void engine_free(struct engine *e);

/* Pin the calling thread to `cpu`; returns that CPU's NUMA node (for
 * mem_config.numa_node) or -1 with the reason logged. */
int engine_pin_cpu(int cpu);

/* Call fn(ctx) every period_ns nanoseconds from the engine loop. */
int engine_timer_add(struct engine *e, uint64_t period_ns, void (*fn)(void *ctx), void *ctx);

/* Inspection, for reports and tests. */
struct app *engine_app(struct engine *e, const char *name);
int engine_napps(const struct engine *e);
struct app *engine_app_at(struct engine *e, int i);
int engine_nlinks(const struct engine *e);
struct link *engine_link_at(struct engine *e, int i, const char **spec /* "a.out -> b.in" */);

/* Reports: text to out, JSON to path (the CLI contract of `kvick run`). */
void engine_report(struct engine *e, FILE *out);
int engine_report_json(struct engine *e, const char *path);
/* Their pieces, for the report a supervisor merges from its workers: the
 * rows of the links (shared ones excepted) and of the apps; one link's row;
 * JSON members (`first`: no comma before the first). */
void engine_report_links(struct engine *e, FILE *out, double secs);
void engine_report_apps(struct engine *e, FILE *out);
void engine_report_link_row(FILE *out, const char *spec, const struct link *l, double secs);
void engine_json_links(struct engine *e, FILE *f, bool *first);
void engine_json_apps(struct engine *e, FILE *f, bool *first);
void engine_json_link_row(FILE *f, const char *spec, const struct link *l, bool *first);
void engine_json_string(FILE *f, const char *s);

/* Monotonic nanoseconds (CLOCK_MONOTONIC) and a cheap cycle counter. */
uint64_t now_ns(void);
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#endif
