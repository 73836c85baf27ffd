/* bench_link.c -- `kvick bench link`: the cost of moving a packet through
 * one link, in TSC cycles.
 *
 * One thread enqueues a batch of N packets with link_transmit_batch() and
 * dequeues them with link_receive_batch(), many times over: the same work
 * as DPDK's ring_perf_autotest "SP/SC bulk" test on a single lcore, which
 * bench/run.sh runs beside it.  A kvick link does a little more than a DPDK
 * ring: it also counts packets and bytes on both sides, so it reads each
 * packet's length (the packets stay in L1, as DPDK's dummy pointers do).
 *
 * The figure is cycles per packet for one enqueue plus one dequeue.  The
 * run checks its own work: every batch must come back whole, and the
 * counters must show every packet sent and received with no drop.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "../core/engine.h"
#include "../core/memory.h"
#include "../core/packet.h"
#include "../links/link.h"
#include "bench.h"

static const char link_usage[] =
	"usage: kvick bench link [--batch N] [--packets N] [--cpu N]\n"
	"  Enqueue and dequeue batches of N packets on one link (size 1024).\n"
	"  --batch N     packets per batch, 1..128 (default 32)\n"
	"  --packets N   packets to move in total (default 268435456)\n"
	"  --cpu N       pin to CPU N first\n"
	"  Last line: link: X cycles/packet (enqueue + dequeue, TSC cycles)\n";

struct link_opts {
	struct bench_common b;     /* --packets, --cpu, --help */
	unsigned batch;
};

/* --batch N: 0, or 2 with a message. */
static int parse_batch(const char *arg, unsigned *batch)
{
	char *end;
	*batch = strtoul(arg, &end, 10);
	if (*end || *batch < 1 || *batch > LINK_MAX_BATCH) {
		fprintf(stderr, "kvick bench link: --batch must be 1..%u, not '%s'\n",
		        LINK_MAX_BATCH, arg);
		return 2;
	}
	return 0;
}

static int parse_link_opts(int argc, char **argv, struct link_opts *o)
{
	static const struct option longopts[] = {
		{"batch", required_argument, NULL, 'b'},
		{"packets", required_argument, NULL, 'n'},
		{"cpu", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	*o = (struct link_opts){
		.b = {.name = "link", .usage = link_usage, .packets = 1ull << 28, .cpu = -1},
		.batch = 32,
	};
	optind = 1;
	int c, rc;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		rc = c == 'b' ? parse_batch(optarg, &o->batch) : bench_common_opt(c, optarg, &o->b);
		if (rc)
			return rc;
	}
	return bench_no_args(argc, argv, &o->b);
}

/* The timed loop: enqueue a batch, dequeue it, `rounds` times.  Returns
 * the number of packets that did not come back (0 when all is well). */
static unsigned long long move_batches(struct link *l, struct packet **pkts,
                                       unsigned batch, unsigned long long rounds)
{
	unsigned long long lost = 0;
	for (unsigned long long i = 0; i < rounds; i++) {
		link_transmit_batch(l, pkts, batch);
		lost += batch - link_receive_batch(l, pkts, batch);
	}
	return lost;
}

int bench_link(int argc, char **argv)
{
	struct link_opts o;
	int rc = parse_link_opts(argc, argv, &o);
	if (rc)
		return rc == 1 ? 0 : rc;
	if (o.b.cpu >= 0 && engine_pin_cpu(o.b.cpu) < 0)
		return 1;
	/* The link never touches DMA: ordinary memory keeps this benchmark
	 * independent of hugepage availability. */
	struct mem_config mc = {.numa_node = -1, .hugepages = false};
	if (mem_init(&mc) < 0)
		return 1;

	struct packet *pkts[LINK_MAX_BATCH];
	struct link *l = link_new(LINK_DEFAULT_SIZE);
	if (!l || packet_alloc_batch(pkts, o.batch) != o.batch) {
		fprintf(stderr, "kvick bench link: out of memory\n");
		return 1;
	}
	for (unsigned i = 0; i < o.batch; i++)
		pkts[i]->length = 60;

	unsigned long long rounds = (o.b.packets + o.batch - 1) / o.batch;
	unsigned long long lost = move_batches(l, pkts, o.batch, rounds / 16 + 1); /* warm-up */
	struct link_counters before, after;
	link_get_counters(l, &before);
	uint64_t t0 = now_ns(), c0 = rdtsc();
	lost += move_batches(l, pkts, o.batch, rounds);
	uint64_t c1 = rdtsc(), t1 = now_ns();
	link_get_counters(l, &after);

	unsigned long long moved = rounds * o.batch;
	int ok = lost == 0 && after.txdrop == 0 &&
	         after.txpackets - before.txpackets == moved &&
	         after.rxpackets - before.rxpackets == moved &&
	         after.rxbytes - before.rxbytes == moved * 60;
	packet_free_batch(pkts, o.batch);
	link_free(l);
	if (!ok || freelist_outstanding() != 0) {
		fprintf(stderr, "kvick bench link: error: packets went missing (lost %llu, txdrop %llu, "
		        "outstanding %llu)\n", lost, (unsigned long long)after.txdrop,
		        (unsigned long long)freelist_outstanding());
		return 1;
	}
	double secs = (t1 - t0) / 1e9;
	printf("link: batch %u, %llu packets in %.3f s (%.1f Mpps), TSC %.2f GHz\n",
	       o.batch, moved, secs, moved / secs / 1e6, (c1 - c0) / (double)(t1 - t0));
	printf("link: %.2f cycles/packet\n", (double)(c1 - c0) / moved);
	return 0;
}
