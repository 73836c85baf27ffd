/* bench_classifier.c -- `kvick bench classifier`: frames per second through
 * the classifier's lookup (flow key extraction, then EMC, dpcls or the
 * slow path: apps/flow_cache.h) on one core, with 1, 10 and 100 dpcls
 * subtables, once with every frame an EMC hit and once with the EMC off
 * (every frame a dpcls lookup, the busiest subtable first).
 *
 * The rules are 5-tuple rules, so `dpdk-test-acl` can classify the same
 * traffic (bench/classifier.sh runs both): rule j matches TCP from
 * 10.0.j/256.j%256 (exact) to 10.0.0.0/(8 + j%25), destination port
 * 0..(65535 >> j/25).  The slow path compares the source address of every
 * rule before j, so the megaflow for rule j's frames has the mask
 * {EtherType, protocol, source /32, destination /(8 + j%25), port bits}:
 * one subtable per rule.  The frames: 1024 flows (source port 1024..),
 * spread evenly over the rules, shuffled, 64-byte TCP.
 *
 * Like dpdk-test-acl, this measures classification of frames in memory:
 * no links, no NIC.  Each lookup's rule is checked against the one the
 * flow was built for before timing starts.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../apps/flow_cache.h"
#include "../core/engine.h"
#include "bench.h"

#define CB_FLOWS 1024
#define CB_FRAME 64

static const char cls_usage[] =
	"usage: kvick bench classifier [--packets N] [--subtables N] [--write-acl DIR] [--cpu N]\n"
	"  Frames per second through the classifier lookup (key extraction + EMC/dpcls),\n"
	"  one core, 1024 TCP flows over N 5-tuple rules, one dpcls subtable per rule.\n"
	"  --packets N      lookups per case (default 20000000)\n"
	"  --subtables N    1..100 (default: 1, 10 and 100 in turn)\n"
	"  --write-acl DIR  also write DIR/rules-N.{ovs,acl} and DIR/trace-N.acl: the same\n"
	"                   rules and flows for ovs-ofctl and dpdk-test-acl (bench/classifier.sh)\n"
	"  --cpu N          pin to CPU N\n"
	"  Lines: classifier: N subtables, emc-hit|emc-off: X Mpps\n";

struct cb_case {
	struct flow_rules rules;
	uint8_t frames[CB_FLOWS][CB_FRAME];
	int want[CB_FLOWS];      /* the rule line each flow was built for */
};

static unsigned cb_prefix(int j) { return 8 + (unsigned)(j % 25); }
static unsigned cb_port_max(int j) { return 65535u >> (j / 25); }

static int cb_rules(struct cb_case *c, int n, FILE *ovs, FILE *acl)
{
	size_t size = (size_t)n * 128 + 1;
	char *text = calloc(1, size);
	if (!text)
		return -1;
	size_t len = 0;
	for (int j = 0; j < n; j++) {
		unsigned p = cb_prefix(j), pm = cb_port_max(j);
		char port[32] = "";
		if (pm != 65535)   /* ports 0..pm: the top bits zero */
			snprintf(port, sizeof port, ",tp_dst=0/0x%04x", ~pm & 0xffffu);
		len += (size_t)snprintf(text + len, size - len,
		                        "tcp,nw_src=10.0.%d.%d,nw_dst=10.0.0.0/%u%s,actions=output:1\n",
		                        j / 256, j % 256, p, port);
		if (acl)
			fprintf(acl, "@10.0.%d.%d/32\t10.0.0.0/%u\t0 : 65535\t0 : %u\t6/0xff\n", j / 256, j % 256, p, pm);
	}
	if (ovs)
		fputs(text, ovs);
	int rc = flow_rules_parse("bench.rules", text, &c->rules, stderr);
	free(text);
	return rc;
}

static void cb_frame(uint8_t *f, int j, unsigned sport)
{
	static const uint8_t head[14] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00 };
	memset(f, 0, CB_FRAME);
	memcpy(f, head, 14);
	uint8_t *ip = f + 14, *tcp = ip + 20;
	ip[0] = 0x45;
	ip[3] = CB_FRAME - 14;      /* total length (the FCS is not in memory) */
	ip[8] = 64;
	ip[9] = 6;
	ip[12] = 10; ip[13] = 0; ip[14] = (uint8_t)(j / 256); ip[15] = (uint8_t)(j % 256);
	ip[16] = 10;
	tcp[0] = (uint8_t)(sport >> 8); tcp[1] = (uint8_t)sport;
	tcp[3] = 80;
	tcp[12] = 0x50;
}

static int cb_build(struct cb_case *c, int n, const char *dir)
{
	FILE *ovs = NULL, *acl = NULL, *trace = NULL;
	char path[512];
	if (dir) {
		snprintf(path, sizeof path, "%s/rules-%d.ovs", dir, n);
		ovs = fopen(path, "w");
		snprintf(path, sizeof path, "%s/rules-%d.acl", dir, n);
		acl = fopen(path, "w");
		snprintf(path, sizeof path, "%s/trace-%d.acl", dir, n);
		trace = fopen(path, "w");
		if (!ovs || !acl || !trace) {
			fprintf(stderr, "kvick bench classifier: cannot write in %s\n", dir);
			return -1;
		}
	}
	int rc = cb_rules(c, n, ovs, acl);
	uint32_t seed = 1;
	int order[CB_FLOWS];
	for (int i = 0; i < CB_FLOWS; i++)
		order[i] = i;
	for (int i = CB_FLOWS - 1; i > 0; i--) {   /* Fisher-Yates */
		seed = seed * 1103515245u + 12345u;
		int k = (int)((seed >> 8) % (uint32_t)(i + 1)), t = order[i];
		order[i] = order[k];
		order[k] = t;
	}
	for (int i = 0; i < CB_FLOWS; i++) {
		int flow = order[i], j = flow % n;
		cb_frame(c->frames[i], j, 1024u + (unsigned)flow);
		c->want[i] = j + 1;
		if (trace)
			fprintf(trace, "0x0a00%02x%02x\t0x0a000000\t%u\t80\t6\n", j / 256, j % 256,
			        1024u + (unsigned)flow);
	}
	if (ovs)
		fclose(ovs);
	if (acl)
		fclose(acl);
	if (trace)
		fclose(trace);
	return rc;
}

/* Classify every frame once, checking each rule; then time `packets`
 * lookups.  Returns Mpps, or -1 on a wrong answer. */
static double cb_run(struct cb_case *c, uint32_t emc_inv_prob, unsigned long long packets, int *nsub)
{
	struct flow_cache fc;
	if (flow_cache_init(&fc, &c->rules, emc_inv_prob, 65536))
		return -1;
	enum flow_tier tier;
	struct flow_key k;
	for (int pass = 0; pass < 2; pass++) {   /* the second pass: from the caches */
		for (int i = 0; i < CB_FLOWS; i++) {
			flow_key_extract(c->frames[i], CB_FRAME, &k);
			int r = flow_cache_lookup(&fc, &k, now_ns(), &tier);
			if (r < 0 || c->rules.rule[r].line != c->want[i]) {
				fprintf(stderr, "kvick bench classifier: flow %d took line %d, not %d\n", i,
				        r < 0 ? 0 : c->rules.rule[r].line, c->want[i]);
				flow_cache_free(&fc);
				return -1;
			}
		}
	}
	*nsub = fc.nsub;
	uint64_t sum = 0, t0 = now_ns(), now = t0;
	for (unsigned long long i = 0; i < packets; i++) {
		if ((i & 1023) == 0)
			now = now_ns();
		const uint8_t *f = c->frames[i & (CB_FLOWS - 1)];
		flow_key_extract(f, CB_FRAME, &k);
		sum += (uint64_t)flow_cache_lookup(&fc, &k, now, &tier) + tier;
	}
	uint64_t ns = now_ns() - t0;
	flow_cache_free(&fc);
	__asm__ volatile("" : : "r"(sum));   /* keep the loop's result alive */
	return (double)packets / (double)ns * 1e3;
}

int bench_classifier(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"packets", required_argument, NULL, 'n'},
		{"subtables", required_argument, NULL, 's'},
		{"write-acl", required_argument, NULL, 'w'},
		{"cpu", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct bench_common b = {.name = "classifier", .usage = cls_usage, .packets = 20000000ull, .cpu = -1};
	const char *dir = NULL;
	int only = 0, c, rc;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 's') {
			only = atoi(optarg);
			if (only < 1 || only > 100) {
				fprintf(stderr, "kvick bench classifier: --subtables %s: expected 1..100\n", optarg);
				return 2;
			}
		} else if (c == 'w') {
			dir = optarg;
		} else if ((rc = bench_common_opt(c, optarg, &b)) != 0) {
			return rc == 1 ? 0 : rc;
		}
	}
	if ((rc = bench_no_args(argc, argv, &b)) != 0)
		return rc;
	if (b.cpu >= 0 && engine_pin_cpu(b.cpu) < 0)
		return 1;
	const int sizes[] = {1, 10, 100};
	struct cb_case *cs = malloc(sizeof *cs);
	if (!cs)
		return 1;
	int status = 0;
	for (int s = 0; s < 3 && status == 0; s++) {
		int n = only ? only : sizes[s];
		if (only && s > 0)
			break;
		memset(cs, 0, sizeof *cs);
		if (cb_build(cs, n, dir)) {
			status = 1;
			break;
		}
		for (int emc = 1; emc >= 0 && status == 0; emc--) {
			int nsub = 0;
			double mpps = cb_run(cs, emc ? 1 : 0, b.packets, &nsub);
			if (mpps < 0)
				status = 1;
			else
				printf("classifier: %d subtables, %s: %.2f Mpps\n", nsub, emc ? "emc-hit" : "emc-off", mpps);
			fflush(stdout);
		}
		flow_rules_free(&cs->rules);
	}
	free(cs);
	return status;
}
