/* bench_basic1.c -- `kvick bench basic1`: the engine's per-packet cost,
 * the same work as Snabb's `snabbmark basic1`.
 *
 *     source --> tee ==output1==> sink.input1
 *                    ==output2==> sink.input2
 *
 * As in Snabb, one sink app drains two inputs (the two "sinks" of the
 * benchmark's description are its two input ports).  The source makes
 * 60-byte packets, the tee sends each packet to one output and a copy to
 * the other, the sink frees them.  Per source packet: two allocations, two 60-byte copies, three link
 * hops, two frees.  The figure is source packets per second, as in Snabb.
 * The network is built from topology text through the same parser and
 * engine as `kvick run`, so it measures what users run.
 *
 * The run checks its own work: both sinks must have received every source
 * packet, nothing dropped, and every packet back on the freelist.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/engine.h"
#include "../core/memory.h"
#include "../core/packet.h"
#include "../core/topology.h"
#include "bench.h"

static const char basic1_usage[] =
	"usage: kvick bench basic1 [--packets N] [--no-hugepages] [--cpu N]\n"
	"  source -> tee -> sink (two inputs), 60-byte packets: Snabb's snabbmark basic1.\n"
	"  --packets N      source packets to send (default 100000000)\n"
	"  --no-hugepages   packets in ordinary memory\n"
	"  --cpu N          pin to CPU N\n"
	"  Last line: basic1: X Mpps (source packets per wall-clock second, as Snabb\n"
	"  reports); the line before also gives packets per CPU-second of the engine\n"
	"  thread, the fairer figure on a busy machine.\n";

struct basic1_opts {
	struct bench_common b;     /* --packets, --cpu, --help */
	bool hugepages;
};

static int parse_basic1_opts(int argc, char **argv, struct basic1_opts *o)
{
	static const struct option longopts[] = {
		{"packets", required_argument, NULL, 'n'},
		{"no-hugepages", no_argument, NULL, 'H'},
		{"cpu", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	*o = (struct basic1_opts){
		.b = {.name = "basic1", .usage = basic1_usage, .packets = 100000000ull, .cpu = -1},
		.hugepages = true,
	};
	optind = 1;
	int c, rc;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'H')
			o->hugepages = false;
		else if ((rc = bench_common_opt(c, optarg, &o->b)) != 0)
			return rc;
	}
	return bench_no_args(argc, argv, &o->b);
}

/* CPU time of the calling thread: on a busy machine the wall clock also
 * counts time other processes had the CPU, this does not. */
static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Counters of the link whose spec is `spec`; false if there is none. */
static bool find_link(struct engine *e, const char *spec, struct link_counters *c)
{
	for (int i = 0; i < engine_nlinks(e); i++) {
		const char *s;
		struct link *l = engine_link_at(e, i, &s);
		if (!strcmp(s, spec)) {
			link_get_counters(l, c);
			return true;
		}
	}
	return false;
}

/* Every source packet reached both sink inputs, nothing was dropped. */
static bool basic1_conserved(struct engine *e, unsigned long long n)
{
	static const char *const specs[] = {
		"source.output -> tee.input", "tee.output1 -> sink.input1",
		"tee.output2 -> sink.input2",
	};
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		struct link_counters c;
		if (!find_link(e, specs[i], &c)) {
			fprintf(stderr, "kvick bench basic1: error: no link '%s'\n", specs[i]);
			return false;
		}
		if (c.txpackets != n || c.rxpackets != n || c.txdrop != 0) {
			fprintf(stderr, "kvick bench basic1: error: link '%s' moved tx %llu rx %llu "
			        "drop %llu packets, expected %llu\n", specs[i],
			        (unsigned long long)c.txpackets, (unsigned long long)c.rxpackets,
			        (unsigned long long)c.txdrop, n);
			return false;
		}
	}
	return true;
}

int bench_basic1(int argc, char **argv)
{
	struct basic1_opts o;
	int rc = parse_basic1_opts(argc, argv, &o);
	if (rc)
		return rc == 1 ? 0 : rc;
	int node = -1;
	if (o.b.cpu >= 0 && (node = engine_pin_cpu(o.b.cpu)) < 0)
		return 1;
	struct mem_config mc = {.numa_node = node, .hugepages = o.hugepages};
	if (mem_init(&mc) < 0)
		return 1;

	char text[512];
	snprintf(text, sizeof(text),
	         "app source source size=60 count=%llu\n"
	         "app tee tee\n"
	         "app sink sink\n"
	         "link source.output -> tee.input\n"
	         "link tee.output1 -> sink.input1\n"
	         "link tee.output2 -> sink.input2\n", o.b.packets);
	struct topology *t = topology_parse("basic1", text, NULL, stderr);
	if (!t)
		return 1;
	struct engine *e = engine_new(t);
	if (!e) {
		topology_free(t);
		return 1;
	}
	/* Busy-wait: never sleep, the network always has work until done. */
	struct run_options ro = {.busywait = true, .cpu = -1, .quiet = true};
	uint64_t t0 = now_ns(), cpu0 = thread_cpu_ns();
	rc = engine_run(e, &ro);
	uint64_t t1 = now_ns(), cpu1 = thread_cpu_ns();

	bool ok = rc == 0 && basic1_conserved(e, o.b.packets);
	engine_free(e);
	topology_free(t);
	if (ok && freelist_outstanding() != 0) {
		fprintf(stderr, "kvick bench basic1: error: %llu packets not returned to the freelist\n",
		        (unsigned long long)freelist_outstanding());
		ok = false;
	}
	if (!ok)
		return 1;
	double secs = (t1 - t0) / 1e9, cpu = (cpu1 - cpu0) / 1e9;
	printf("basic1: %llu source packets in %.3f s (%s); engine thread CPU time %.3f s "
	       "= %.2f Mpps per CPU-second\n", o.b.packets, secs,
	       o.hugepages ? "hugepages" : "ordinary memory", cpu, o.b.packets / cpu / 1e6);
	printf("basic1: %.2f Mpps\n", o.b.packets / secs / 1e6);
	return 0;
}
