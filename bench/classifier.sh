#!/usr/bin/env bash
# classifier lookups beside DPDK's ACL library on the same 5-tuple rules and
# flows, one core each, taking turns, RUNS times; medians.
#
#   kvick      `kvick bench classifier --cpu CPU`: key extraction from 64-byte
#              TCP frames in memory + EMC/dpcls lookup, 1024 flows over N rules
#              (one dpcls subtable each), N = 1, 10, 100; EMC hits (every flow
#              cached) and EMC off (every frame a dpcls lookup)
#   test-acl   dpdk-test-acl --no-huge -l CPU -- --rulesf=rules-N.acl
#              --tracef=trace-N.acl: the same rules (ClassBench format, which
#              `kvick bench classifier --write-acl` writes) and the same 1024
#              5-tuples, already parsed; its pkt/sec line
#
# Environment: RUNS (default 3), CPU (default 1), PACKETS (default 20000000),
# KVICK_BIN.  Results: Markdown on stdout and in build/bench/classifier.md.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
CPU=${CPU:-1}
PACKETS=${PACKETS:-20000000}
KVICK=${KVICK_BIN:-$PWD/kvick}
OUT=build/bench
mkdir -p "$OUT"
[ -x "$KVICK" ] || { echo "bench: $KVICK not built; run 'make kvick'" >&2; exit 1; }
command -v dpdk-test-acl >/dev/null || { echo "bench: no dpdk-test-acl (Debian's dpdk-dev; make deps)" >&2; exit 1; }
tmp=$(mktemp -d /tmp/kvick-benchcls.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

"$KVICK" bench classifier --packets 1000 --write-acl "$tmp" >/dev/null
for n in 1 10 100; do
	: >"$tmp/kv-$n-emc-hit"; : >"$tmp/kv-$n-emc-off"; : >"$tmp/acl-$n"
done
for run in $(seq "$RUNS"); do
	"$KVICK" bench classifier --cpu "$CPU" --packets "$PACKETS" | while read -r _ n _ mode mpps _; do
		echo "$mpps" >>"$tmp/kv-$n-${mode%:}"
	done
	for n in 1 10 100; do
		# 1024 traces a pass: --iter passes make PACKETS lookups.
		dpdk-test-acl --no-huge -m 256 --no-pci -l "$CPU" --log-level=lib.eal:error -- \
			--rulesf="$tmp/rules-$n.acl" --tracef="$tmp/trace-$n.acl" --iter=$((PACKETS / 1024)) \
			--verbose=0 2>/dev/null |
			sed -n 's/.*cycles\/pkt, \([0-9.]*\) pkt\/sec.*/\1/p' | awk '{ printf "%.2f\n", $1 / 1e6 }' >>"$tmp/acl-$n"
	done
done

{
	echo "| rules (dpcls subtables) | kvick, EMC hits | kvick, EMC off (dpcls) | dpdk-test-acl |"
	echo "|---|---|---|---|"
	for n in 1 10 100; do
		echo "| $n | $(median <"$tmp/kv-$n-emc-hit") Mpps | $(median <"$tmp/kv-$n-emc-off") Mpps | $(median <"$tmp/acl-$n") Mpps |"
	done
	echo
	echo "Medians of $RUNS runs, $PACKETS lookups each, one core (CPU $CPU); $(date -u +%F)."
} | tee "$OUT/classifier.md"
