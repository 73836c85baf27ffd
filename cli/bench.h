/* bench.h -- the micro-benchmarks behind `kvick bench NAME`.
 *
 * Each benchmark parses its own options (argv[0] is its name), prints what
 * it measured, and ends with one summary line that bench/run.sh reads:
 *     basic1: X Mpps
 *     link: X cycles/packet
 * They are measurements, not tests: docs/performance.md has the figures,
 * the machine, and the peers they are compared with.
 */
#ifndef KVICK_BENCH_H
#define KVICK_BENCH_H

int bench_basic1(int argc, char **argv);
int bench_link(int argc, char **argv);
int bench_ixgbe(int argc, char **argv);

#endif
