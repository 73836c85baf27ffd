/* bench_opts.c -- the options every `kvick bench NAME` takes; see bench.h. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

int bench_common_opt(int c, const char *arg, struct bench_common *b)
{
	char *end;
	switch (c) {
	case 'n':
		b->packets = strtoull(arg, &end, 10);
		if (*end || b->packets == 0) {
			fprintf(stderr, "kvick bench %s: --packets must be a positive number, not '%s'\n",
			        b->name, arg);
			return 2;
		}
		return 0;
	case 'c':
		b->cpu = atoi(arg);
		return 0;
	case 'h':
		fputs(b->usage, stdout);
		return 1;
	default:
		fputs(b->usage, stderr);
		return 2;
	}
}

int bench_no_args(int argc, char **argv, const struct bench_common *b)
{
	if (optind >= argc)
		return 0;
	fprintf(stderr, "kvick bench %s: unexpected argument '%s'\n", b->name, argv[optind]);
	fputs(b->usage, stderr);
	return 2;
}
