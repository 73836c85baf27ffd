#!/usr/bin/env bash
# kvick's benchmarks beside their peers, in the same run (called by
# `make bench`).  Each figure is the median of RUNS runs (default 5); kvick
# and its peer take turns, run by run, so both see the same load.
#
#   basic1  kvick bench basic1   vs  Snabb's `snabbmark basic1`   (Mpps, higher is better)
#   link    kvick bench link     vs  DPDK's dpdk-test ring_perf_autotest,
#                                    SP/SC bulk of 32 on one lcore (cycles per
#                                    packet for enqueue+dequeue, lower is better)
#
# Environment:
#   SNABB=PATH      the snabb binary (src/snabb of a Snabb checkout built with
#                   `make`); default /var/cache/kvick/peers/snabb/src/snabb.
#                   Snabb is never part of this repository: build it outside.
#   RUNS=N          runs per figure (default 5)
#   PACKETS=N       basic1 packets per run, for kvick and Snabb alike (default 50000000)
#   CPU=N           pin every benchmark to this CPU (default 0; DPDK's main lcore)
#   KVICK_BIN=PATH  the kvick binary (default ./kvick)
# Results: a Markdown summary on stdout and in build/bench/results.md; raw
# output of every run in build/bench/.  docs/performance.md explains them.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
PACKETS=${PACKETS:-50000000}
CPU=${CPU:-0}
KVICK=${KVICK_BIN:-$PWD/kvick}
SNABB=${SNABB:-/var/cache/kvick/peers/snabb/src/snabb}
OUT=build/bench
mkdir -p "$OUT"

[ -x "$KVICK" ] || { echo "bench: $KVICK not built; run 'make kvick'" >&2; exit 1; }

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
list() { tr '\n' ' ' | sed 's/ $//'; }
col() { awk -v c="$1" '{ print $c }'; }
# Packets per CPU-second, in millions, from "figure cpu_seconds" lines.
cpu_mpps() { awk -v n="$1" '{ printf "%.2f\n", n / $2 / 1e6 }'; }

# once LOG REGEX COMMAND...: runs COMMAND once with its output in LOG and
# prints the figure the sed REGEX extracts and the CPU seconds (user + sys)
# the process used.
once() {
	local log=$1 regex=$2; shift 2
	local v t
	t=$( { TIMEFORMAT='%U %S'; time "$@" >"$log" 2>&1 </dev/null; } 2>&1 ) ||
		{ echo "bench: '$*' failed, see $log" >&2; tail -n 5 "$log" >&2; return 1; }
	v=$(sed -n "$regex" "$log" | tail -n 1)
	[ -n "$v" ] || { echo "bench: no figure in $log" >&2; return 1; }
	echo "$v $(awk '{ print $1 + $2 }' <<<"$t")"
}

# DPDK 22.11 prints, for the single-lcore bulk test, cycles per enqueue+
# dequeue *of the whole bulk* (later releases print cycles per element).
# Tell which by comparing with the single-element figure: per element, a
# bulk of 32 is always cheaper than a single element; per bulk, dearer.
dpdk_figure() { # log -> cycles per element, SP/SC bulk 32
	awk '
		/^### Testing bulk enq\/deq/ { inbulk = 1; next }
		/^###/ { inbulk = 0 }
		/^legacy APIs: SP\/SC: single:/ && single == "" { single = $NF }
		inbulk && /^legacy APIs: SP\/SC: bulk \(size: 32\):/ && bulk == "" { bulk = $NF }
		END {
			if (single == "" || bulk == "") exit 1
			printf "%.2f\n", (bulk + 0 > single + 0) ? bulk / 32 : bulk
		}' "$1"
}
dpdk_once() { # log
	DPDK_TEST=ring_perf_autotest dpdk-test --no-huge -m 256 --no-pci --no-shconf \
		-l "$CPU-$((CPU + 1))" --log-level=lib.eal:error >"$1" 2>&1 </dev/null ||
		{ echo "bench: dpdk-test failed, see $1" >&2; return 1; }
	dpdk_figure "$1" || { echo "bench: no SP/SC bulk 32 figure in $1" >&2; return 1; }
}

have_snabb=0; [ -x "$SNABB" ] && have_snabb=1
have_dpdk=0; command -v dpdk-test >/dev/null && have_dpdk=1
if [ $have_snabb = 0 ]; then
	echo "bench: no Snabb at $SNABB: basic1 runs without its peer." >&2
	echo "       To compare: clone the public snabbco/snabb repository outside this tree," >&2
	echo "       run 'make' in it (about 30 s), and pass SNABB=/path/to/snabb/src/snabb." >&2
fi
[ $have_dpdk = 1 ] || echo "bench: dpdk-test not found (Debian package dpdk-dev; 'make deps' installs it)" >&2

load=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')

# ---- the runs, kvick and peer in turn ----
k_basic1=""; s_basic1=""; k_link=""; d_link=""
for i in $(seq 1 "$RUNS"); do
	echo "bench: run $i of $RUNS: basic1 ($PACKETS packets) and link (bulk 32)" >&2
	k_basic1+=$(once "$OUT/kvick-basic1.$i.log" 's/^basic1: \([0-9.]*\) Mpps$/\1/p' \
		"$KVICK" bench basic1 --packets "$PACKETS" --cpu "$CPU")$'\n'
	[ $have_snabb = 0 ] || s_basic1+=$(once "$OUT/snabb-basic1.$i.log" 's/.*(rate: \([0-9.]*\) Mpps).*/\1/p' \
		taskset -c "$CPU" "$SNABB" snabbmark basic1 "$PACKETS")$'\n'
	k_link+=$(once "$OUT/kvick-link.$i.log" 's/^link: \([0-9.]*\) cycles\/packet$/\1/p' \
		"$KVICK" bench link --batch 32 --cpu "$CPU" | col 1)$'\n'
	[ $have_dpdk = 0 ] || d_link+=$(dpdk_once "$OUT/dpdk-ring.$i.log")$'\n'
done
k_basic1=${k_basic1%$'\n'}; s_basic1=${s_basic1%$'\n'}; k_link=${k_link%$'\n'}; d_link=${d_link%$'\n'}

# ---- figures ----
k_b=$(col 1 <<<"$k_basic1" | median)
k_bc=$(cpu_mpps "$PACKETS" <<<"$k_basic1" | median)
k_l=$(median <<<"$k_link")
if [ $have_snabb = 1 ]; then
	s_b=$(col 1 <<<"$s_basic1" | median)
	s_bc=$(cpu_mpps "$PACKETS" <<<"$s_basic1" | median)
	s_rev=$(cd "$(dirname "$SNABB")/.." && git log -1 --format='%h %cd' --date=short 2>/dev/null || echo "unknown revision")
	r_b=$(ratio "$k_b" "$s_b"); r_bc=$(ratio "$k_bc" "$s_bc")
else
	s_basic1="(not-run) -"; s_b="-"; s_bc="-"; s_rev="not available"; r_b="-"; r_bc="-"
fi
if [ $have_dpdk = 1 ]; then
	d_l=$(median <<<"$d_link")
	d_ver=$(dpkg-query -W -f='${Version}' dpdk-dev 2>/dev/null || echo "?")
	r_l=$(ratio "$k_l" "$d_l")
else
	d_link="(not-run)"; d_l="-"; d_ver="not installed"; r_l="-"
fi

results=$OUT/results.md
{
	echo "## Results"
	echo
	echo "- machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), Linux $(uname -r)"
	echo "- $("$KVICK" version 2>/dev/null | head -n 1), started $started, medians of $RUNS runs taken in turn with the peer, pinned to CPU $CPU"
	echo "- load average at the start: $load (other work on the machine lowers wall-clock figures; per-CPU-second figures much less)"
	echo
	echo "### basic1 (Mpps, higher is better; target kvick >= 2.5 x Snabb)"
	echo
	echo "| | command | wall-clock Mpps, each run | median | Mpps per CPU-second, median |"
	echo "|---|---|---|---|---|"
	echo "| kvick | \`kvick bench basic1 --packets $PACKETS --cpu $CPU\` | $(col 1 <<<"$k_basic1" | list) | **$k_b** | **$k_bc** |"
	echo "| Snabb ($s_rev) | \`taskset -c $CPU snabb snabbmark basic1 $PACKETS\` | $(col 1 <<<"$s_basic1" | list) | **$s_b** | **$s_bc** |"
	echo
	echo "kvick / Snabb = **$r_b** (wall clock), **$r_bc** (per CPU-second)"
	echo
	echo "### link (cycles per packet, enqueue + dequeue, bulk 32; lower is better; target kvick <= DPDK)"
	echo
	echo "| | command | each run | median |"
	echo "|---|---|---|---|"
	echo "| kvick | \`kvick bench link --batch 32 --cpu $CPU\` | $(list <<<"$k_link") | **$k_l** |"
	echo "| DPDK $d_ver | \`DPDK_TEST=ring_perf_autotest dpdk-test --no-huge -l $CPU-$((CPU + 1))\`, \"SP/SC: bulk (size: 32)\" / 32 | $(list <<<"$d_link") | **$d_l** |"
	echo
	echo "kvick / DPDK = **$r_l**"
} >"$results"
cat "$results"
