/* bench.h -- the micro-benchmarks behind `kvick bench NAME`.
 *
 * Each benchmark parses its own options (argv[0] is its name), prints what
 * it measured, and ends with one summary line that bench/run.sh reads:
 *     basic1: X Mpps
 *     link: X cycles/packet
 *     interlink: X Mpps
 * They are measurements, not tests: docs/performance.md has the figures,
 * the machine, and the peers they are compared with.
 */
#ifndef KVICK_BENCH_H
#define KVICK_BENCH_H

int bench_basic1(int argc, char **argv);
int bench_link(int argc, char **argv);
int bench_interlink(int argc, char **argv);
int bench_ixgbe(int argc, char **argv);
int bench_i40e(int argc, char **argv);
int bench_classifier(int argc, char **argv);

/* Option parsing shared by the benchmarks (cli/bench_opts.c).  A
 * benchmark's getopt_long() loop handles its own options and hands every
 * other result to bench_common_opt(), which knows the common ones:
 * 'n' (--packets N, a positive count), 'c' (--cpu N) and 'h' (--help);
 * anything else is a usage error.  Returns 0 to go on, 1 after --help
 * (the benchmark exits 0), 2 on a usage error (message printed). */
struct bench_common {
	const char *name;            /* "basic1": messages say "kvick bench basic1: ..." */
	const char *usage;           /* printed for --help and usage errors */
	unsigned long long packets;  /* --packets N */
	int cpu;                     /* --cpu N, -1 when not given */
};
int bench_common_opt(int c, const char *arg, struct bench_common *b);

/* After the loop: 0, or 2 with a message when arguments are left over. */
int bench_no_args(int argc, char **argv, const struct bench_common *b);

#endif
