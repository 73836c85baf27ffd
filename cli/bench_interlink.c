/* bench_interlink.c -- `kvick bench interlink`: packets per second across
 * two worker processes over one shared-memory link, the work of Snabb's
 * interlink selftest (apps/interlink/selftest.snabb: a Source in one
 * process, a Sink in another, joined by an interlink).
 *
 *     worker w0 cpu=A                    worker w1 cpu=B
 *     source (60-byte packets) ==shared link==> sink
 *
 * It runs the topology text through the same parser and workers_run() as
 * `kvick run` (busy-waiting), so the figure is what users get.  Each packet
 * is allocated on w0, crosses the link, is freed on w1 and goes home to
 * w0's pool through the return ring.  The run checks its own work: every
 * packet received, none dropped, every pool whole at the end.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "../core/topology.h"
#include "../core/workers.h"
#include "bench.h"

static const char interlink_usage[] =
	"usage: kvick bench interlink [--packets N] [--no-hugepages] [--cpus A,B]\n"
	"  source on worker w0 -> shared link -> sink on worker w1, 60-byte packets\n"
	"  (Snabb's interlink selftest).\n"
	"  --packets N      packets to send (default 100000000)\n"
	"  --no-hugepages   packets in ordinary memory\n"
	"  --cpus A,B       the two workers' CPUs (default 0,1)\n"
	"  Last line: interlink: X Mpps (packets received per wall-clock second).\n";

int bench_interlink(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"packets", required_argument, NULL, 'n'},
		{"no-hugepages", no_argument, NULL, 'H'},
		{"cpus", required_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct bench_common b = {.name = "interlink", .usage = interlink_usage,
	                         .packets = 100000000ull, .cpu = -1};
	bool hugepages = true;
	int cpu_a = 0, cpu_b = 1;
	optind = 1;
	int c, rc;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'H') {
			hugepages = false;
		} else if (c == 'C') {
			char *end;
			cpu_a = (int)strtol(optarg, &end, 10);
			if (*end != ',' || cpu_a < 0 || (cpu_b = (int)strtol(end + 1, &end, 10)) < 0 || *end) {
				fprintf(stderr, "kvick bench interlink: --cpus wants A,B (two CPU numbers), got '%s'\n%s",
				        optarg, interlink_usage);
				return 2;
			}
		} else if ((rc = bench_common_opt(c, optarg, &b)) != 0) {
			return rc == 1 ? 0 : rc;
		}
	}
	if ((rc = bench_no_args(argc, argv, &b)) != 0)
		return rc;

	char text[512];
	snprintf(text, sizeof text,
	         "worker w0 cpu=%d\nworker w1 cpu=%d\n"
	         "app source source size=60 count=%llu @w0\n"
	         "app sink sink @w1\n"
	         "link source.output -> sink.input\n", cpu_a, cpu_b, b.packets);
	struct topology *t = topology_parse("interlink", text, NULL, stderr);
	if (!t)
		return 1;
	struct workers_result res;
	struct workers_options wo = {
		.run = {.busywait = true, .cpu = -1, .quiet = true},
		.mem = {.page_size = 2u << 20, .numa_node = -1, .hugepages = hugepages},
		.result = &res,
	};
	rc = workers_run(t, &wo);
	topology_free(t);
	if (rc)
		return 1;
	if (res.shared_rx != b.packets || res.shared_tx != b.packets || res.shared_drop || !res.conserved) {
		fprintf(stderr, "kvick bench interlink: error: sent %llu received %llu dropped %llu of %llu, "
		        "pools %s\n", (unsigned long long)res.shared_tx, (unsigned long long)res.shared_rx,
		        (unsigned long long)res.shared_drop, b.packets, res.conserved ? "whole" : "NOT whole");
		return 1;
	}
	printf("interlink: %llu packets from CPU %d to CPU %d in %.3f s (%s)\n", b.packets, cpu_a,
	       cpu_b, res.seconds, hugepages ? "hugepages" : "ordinary memory");
	printf("interlink: %.2f Mpps\n", (double)b.packets / res.seconds / 1e6);
	return 0;
}
