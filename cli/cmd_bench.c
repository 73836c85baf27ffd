/* cmd_bench.c -- `kvick bench NAME [options]`: run one micro-benchmark. */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "command.h"

KVICK_COMMAND(bench, "bench basic1|link|interlink|ixgbe|i40e|classifier [options]",
              "run a micro-benchmark (see docs/performance.md)");

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} benches[] = {
	{"basic1", bench_basic1, "source -> tee -> sink, 60-byte packets (Snabb's snabbmark basic1)"},
	{"link", bench_link, "enqueue+dequeue batches on one link, cycles per packet"},
	{"interlink", bench_interlink, "source -> sink on two worker processes over a shared link, Mpps"},
	{"ixgbe", bench_ixgbe, "82599 driver forwarding between two model ports, cycles per packet"},
	{"classifier", bench_classifier, "classifier lookups (EMC, dpcls) with 1, 10, 100 subtables, Mpps"},
	{"i40e", bench_i40e, "X710 driver forwarding between two X710 model ports, cycles per packet"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: kvick bench NAME [options]   (kvick bench NAME --help)\n");
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++)
		fprintf(out, "  %-10s %s\n", benches[i].name, benches[i].help);
}

int cmd_bench(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++)
		if (!strcmp(argv[1], benches[i].name))
			return benches[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "kvick bench: unknown benchmark '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
