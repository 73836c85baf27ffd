/* run.c -- `kvick run FILE [VAR=VALUE ...] [options]`: check a topology,
 * build it, make it breathe until it is done, and report.
 *
 *   parse (nothing started on error) -> CPU and memory set-up -> engine_new
 *   (every app's new(); on failure everything created is released) ->
 *   engine_run (until --duration, SIGINT/SIGTERM, or every finite source
 *   is done) -> reports -> engine_free.
 *
 * Exit status: 0 ran and stopped cleanly, 1 topology or app error, 2 usage.
 */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "command.h"
#include "../core/counters.h"
#include "../core/engine.h"
#include "../core/memory.h"
#include "../core/packet.h"
#include "../core/workers.h"

KVICK_COMMAND(run, "run FILE [VAR=VALUE ...] [options]", "run a topology");

static const char options[] =
	"NAME=VALUE sets ${NAME} in FILE.\n"
	"\n"
	"options:\n"
	"  --duration SECONDS     stop after this long (default: run until every\n"
	"                         finite source is done, or SIGINT/SIGTERM)\n"
	"  --report-json PATH     write the final counters as JSON to PATH\n"
	"  --cpu N                pin the engine to CPU N (memory on its NUMA node)\n"
	"  --busywait             poll without sleeping when idle\n"
	"  --no-hugepages         ordinary memory (apps that need no DMA only)\n"
	"  --hugepage-size 2M|1G  hugepage size for DMA memory (default 2M)\n"
	"  --numa N               DMA memory on NUMA node N\n"
	"  --live                 print a counter line once a second\n"
	"  --quiet                no final text report\n"
	"  --worker-packets N     with `worker` lines: packets in each worker's pool\n"
	"                         (default 8192; pools are made before the workers start)\n"
	"\n"
	"With `worker NAME cpu=N` lines, each worker is a process pinned to its CPU;\n"
	"apps without @WORKER run on one more, \"main\" (pinned with --cpu).  The\n"
	"report merges them and names a worker that died; --live prints the shared\n"
	"links' rate and each worker's busy share.\n"
	"\n"
	"While it runs, `kvick top` shows its counters.\n"
	"exit status: 0 done, 1 topology or app error or a worker died, 2 usage error\n";

struct run_args {
	const char *file;
	struct cli_vars vars;
	struct run_options opt;
	struct mem_config mem;
	uint64_t worker_packets;
};

/* Flags without a value; returns 1 if argv[i] was one. */
static int run_flag(const char *arg, struct run_args *a)
{
	if (!strcmp(arg, "--busywait"))
		a->opt.busywait = true;
	else if (!strcmp(arg, "--no-hugepages"))
		a->mem.hugepages = false;
	else if (!strcmp(arg, "--quiet"))
		a->opt.quiet = true;
	else if (!strcmp(arg, "--live"))
		a->opt.live = true;
	else
		return 0;
	return 1;
}

/* Options with a value; returns 1 matched, 0 not one of them, -1 error
 * (already reported). */
static int run_valued(int argc, char **argv, int *i, struct run_args *a)
{
	static const char *const names[] = {
		"--duration", "--report-json", "--cpu", "--numa", "--hugepage-size", "--worker-packets",
	};
	const char *name = NULL, *v = NULL, *bad = NULL;
	for (unsigned k = 0; k < sizeof(names) / sizeof(names[0]) && !name; k++) {
		int r = cli_option_value(argc, argv, i, "run", names[k], &v);
		if (r < 0)
			return -1;
		if (r > 0)
			name = names[k];
	}
	if (!name)
		return 0;
	long n = 0;
	if (!strcmp(name, "--duration")) {
		if (cli_parse_double(v, &a->opt.duration) || a->opt.duration <= 0)
			bad = "seconds > 0";
	} else if (!strcmp(name, "--report-json")) {
		a->opt.report_json = v;
	} else if (!strcmp(name, "--cpu")) {
		if (cli_parse_int(v, &n) || n < 0 || n >= CPU_SETSIZE)
			bad = "a CPU number";
		a->opt.cpu = (int)n;
	} else if (!strcmp(name, "--worker-packets")) {
		if (cli_parse_int(v, &n) || n < 1 || n > (1l << 24))
			bad = "a number of packets (1..16777216)";
		a->worker_packets = (uint64_t)n;
	} else if (!strcmp(name, "--numa")) {
		if (cli_parse_int(v, &n) || n < 0)
			bad = "a NUMA node number";
		a->mem.numa_node = (int)n;
	} else if (!strcasecmp(v, "2M")) {          /* --hugepage-size */
		a->mem.page_size = 2u << 20;
	} else if (!strcasecmp(v, "1G")) {
		a->mem.page_size = 1u << 30;
	} else {
		bad = "2M or 1G";
	}
	if (bad) {
		cli_usage_error("run", "%s wants %s, got '%s'", name, bad, v);
		return -1;
	}
	return 1;
}

static int run_parse_args(int argc, char **argv, struct run_args *a)
{
	*a = (struct run_args){
		.opt = {.cpu = -1},
		.mem = {.page_size = 2u << 20, .numa_node = -1, .hugepages = true},
	};
	for (int i = 1; i < argc; i++) {
		int r;
		if (run_flag(argv[i], a))
			continue;
		if ((r = run_valued(argc, argv, &i, a)) < 0)
			return -1;
		if (r > 0)
			continue;
		if (argv[i][0] == '-' && argv[i][1]) {
			cli_usage_error("run", "unknown option '%s'", argv[i]);
			return -1;
		}
		if (!a->file)
			a->file = argv[i];
		else if (!cli_is_var(argv[i])) {
			cli_usage_error("run", "unexpected argument '%s' (variables are NAME=VALUE)", argv[i]);
			return -1;
		} else if (cli_vars_add(&a->vars, "run", argv[i])) {
			return -1;
		}
	}
	if (!a->file) {
		cli_usage_error("run", "which topology file?");
		return -1;
	}
	return 0;
}

/* The order matters:
 *  - pin first, so memory is allocated on the engine's NUMA node;
 *  - publish the counter file before engine_new, so the apps' counters
 *    land in the file `kvick top` reads;
 *  - text report while apps can still add their report() lines, then
 *    engine_shutdown (apps give back their packets, links are drained),
 *    then the JSON, which thus shows the freelist holding every packet.
 * engine_run itself turns SIGINT/SIGTERM into engine_stop(). */
static int run_topology(struct run_args *a, struct topology *t)
{
	if (a->opt.cpu >= 0) {
		int node = engine_pin_cpu(a->opt.cpu);
		if (node < 0)
			return 1;
		if (a->mem.numa_node < 0)
			a->mem.numa_node = node;
	}
	if (mem_init(&a->mem))
		return 1;       /* the reason (e.g. which sysctl to set) is logged */
	if (freelist_prime())
		return 1;       /* no memory for even one chunk of packets: logged once */
	counters_open(t->file, 1);   /* on failure: a warning, and the run goes on */
	struct engine *e = engine_new(t);
	if (!e) {
		counters_close();
		return 1;       /* engine_new printed which app failed and why */
	}
	int rc = engine_run(e, &a->opt);
	if (!a->opt.quiet)
		engine_report(e, stdout);
	if (engine_shutdown(e) < 0)
		rc = -1;
	if (a->opt.report_json && engine_report_json(e, a->opt.report_json))
		rc = -1;
	engine_free(e);
	counters_close();
	return rc ? 1 : 0;
}

int cmd_run(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		cli_print_help("run", options, stdout);
		return 0;
	}
	/* Until engine_run installs its handler (which logs it), a SIGHUP must
	 * not kill a run that is starting up or writing its report. */
	signal(SIGHUP, SIG_IGN);
	struct run_args a;
	if (run_parse_args(argc, argv, &a)) {
		cli_vars_free(&a.vars);
		return 2;
	}
	struct topology *t = topology_parse(a.file, NULL, cli_vars_view(&a.vars), stderr);
	int rc = 1;
	if (t && t->nworkers) {
		struct workers_options wo = { .run = a.opt, .mem = a.mem, .packets = a.worker_packets };
		rc = workers_run(t, &wo);
	} else if (t) {
		rc = run_topology(&a, t);
	}
	topology_free(t);
	cli_vars_free(&a.vars);
	return rc;
}
