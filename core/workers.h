/* workers.h -- one topology on several worker processes.
 *
 * A topology with `worker NAME cpu=N` lines (topology.h) is run by
 * workers_run(): the process that calls it becomes the supervisor, which
 * runs no app of its own.  Before forking it maps, shared with every
 * worker at the same address,
 *   - the packet pools (core/packet.h "worker pools"): one per worker, on
 *     its CPU's NUMA node, with the return rings between them;
 *   - every link whose ends are on different workers: the same SPSC ring
 *     as any link (links/link.h), placed in that memory;
 *   - a control block: the run's phase, and one status area per worker
 *     (state, breaths, busy time, its part of the report).
 * Then it forks one process per worker (plus "main" for the apps without
 * `@WORKER`, if any), each pinned to its CPU, and watches them:
 *
 *   RUN    workers breathe; the supervisor polls every millisecond for a
 *          worker that died, SIGINT/SIGTERM, --duration, a worker that
 *          stopped by itself (an app's fatal error), or the end: every
 *          finite source done and every link empty on two fresh looks;
 *   STOP   workers stop breathing, write their report rows, and wait;
 *   DRAIN  once none breathes any more: apps stop, links are drained by
 *          their consumers, packets go home, workers exit.
 * A worker that does not answer within a second is killed.  Every child is
 * reaped.  The merged report names a worker that died, how, and its apps;
 * the exit status is then 1.
 */
#ifndef KVICK_WORKERS_H
#define KVICK_WORKERS_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "memory.h"
#include "topology.h"

#define WORKERS_DEFAULT_PACKETS 8192u   /* per worker */

/* What a run measured, for `kvick bench interlink`. */
struct workers_result {
	double seconds;                       /* from "go" to the stop */
	uint64_t shared_tx, shared_rx, shared_drop;   /* summed over shared links */
	bool conserved;                       /* every pool counted and whole */
};

struct workers_options {
	struct run_options run;   /* duration, busywait, report_json, quiet */
	struct mem_config mem;    /* hugepages or not, page size */
	uint64_t packets;         /* per worker's pool; 0: WORKERS_DEFAULT_PACKETS */
	struct workers_result *result;   /* filled at the end when not NULL */
};

/* Run t (t->nworkers > 0) to its end; the exit status for `kvick run`:
 * 0 clean, 1 a worker died or failed, or an app met an error. */
int workers_run(const struct topology *t, const struct workers_options *o);

#endif
