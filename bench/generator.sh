#!/usr/bin/env bash
# generator -> sink at 64 bytes beside DPDK's testpmd txonly on a net_null
# port, in the same run, taking turns; then rate_limiter: throughput on one
# core, and its rate over 10 s.
#
#   generator    kvick run: `generator size=64` (no rate: flat out, UDP over
#                IPv4, flows varying) -> sink, --cpu CPU, DURATION seconds;
#                Mpps = sink packets / run seconds (the report's figures)
#   testpmd      dpdk-testpmd --no-huge --vdev net_null0 -l PEER-CPU,CPU --
#                -i --forward-mode=txonly --txpkts=64: "start", then Tx-pps of
#                `show port stats 0` over DURATION seconds (testpmd divides the
#                packets between two calls by the TSC time between them)
#   rl_through   generator -> rate_limiter rate=1000Mpps (never limits) -> sink:
#                Mpps through the limiter, engine on one core
#   rl_accuracy  generator -> rate_limiter rate=5Mpps burst=50000 -> sink, 10 s:
#                forwarded / seconds against the setting
#
# Environment: RUNS (default 5), DURATION (default 5), CPU (default 1),
# KVICK_BIN.  Results: Markdown on stdout and in build/bench/generator.md.
# testpmd comes from Debian's dpdk-dev (scripts/deps.sh installs it; this
# script installs it when missing and it runs as root).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
DURATION=${DURATION:-5}
CPU=${CPU:-1}
PEER=$(( CPU == 0 ? 1 : 0 ))
KVICK=${KVICK_BIN:-$PWD/kvick}
OUT=build/bench
mkdir -p "$OUT"
[ -x "$KVICK" ] || { echo "bench: $KVICK not built; run 'make kvick'" >&2; exit 1; }
bash scripts/hugepages.sh 1024 >/dev/null 2>&1 || true   # DMA memory for the packets
if ! command -v dpdk-testpmd >/dev/null && [ "$(id -u)" = 0 ]; then
	echo "bench: installing dpdk-dev for dpdk-testpmd" >&2
	apt-get install -y -q dpdk-dev >&2
fi
have_dpdk=0; command -v dpdk-testpmd >/dev/null && have_dpdk=1

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
list() { tr '\n' ' ' | sed 's/ $//'; }

# kvick_mpps TOPO-TEXT APP COUNTER SECONDS LOG: runs it, prints APP.COUNTER / seconds in Mpps
kvick_mpps() {
	printf '%s\n' "$1" >"$OUT/gen.topo"
	"$KVICK" run "$OUT/gen.topo" --duration "$4" --cpu "$CPU" --busywait --quiet \
		--report-json "$OUT/gen.json" >"$5" 2>&1 || { tail -5 "$5" >&2; return 1; }
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("%.3f" % (r["apps"][sys.argv[2]][sys.argv[3]] / r["seconds"] / 1e6))' \
		"$OUT/gen.json" "$2" "$3"
}

testpmd_mpps() { # log
	{ sleep 3; echo start; sleep 1; echo "show port stats 0"; sleep "$DURATION"
	  echo "show port stats 0"; echo stop; echo quit; } |
		timeout $((DURATION + 30)) dpdk-testpmd --no-huge -m 1024 --no-pci --no-shconf \
			--vdev net_null0 -l "$PEER,$CPU" --main-lcore "$PEER" --log-level=lib.eal:error -- \
			-i --forward-mode=txonly --txpkts=64 --nb-cores=1 >"$1" 2>&1 ||
		{ echo "bench: dpdk-testpmd failed, see $1" >&2; return 1; }
	awk '/Tx-pps:/ { v = $2 } END { if (v == "") exit 1; printf "%.3f\n", v / 1e6 }' "$1"
}

GEN='app g generator size=64
app k sink
link g.output -> k.input'
load=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
k=""; d=""; rl=""
for i in $(seq 1 "$RUNS"); do
	echo "bench: run $i of $RUNS" >&2
	k+=$(kvick_mpps "$GEN" k packets "$DURATION" "$OUT/gen.$i.log")$'\n'
	[ $have_dpdk = 0 ] || d+=$(testpmd_mpps "$OUT/testpmd.$i.log")$'\n'
	rl+=$(kvick_mpps 'app g generator size=64
app r rate_limiter rate=1000Mpps
app k sink
link g.output -> r.input
link r.output -> k.input' r forwarded "$DURATION" "$OUT/rl.$i.log")$'\n'
done
k=${k%$'\n'}; d=${d%$'\n'}; rl=${rl%$'\n'}
acc=$(kvick_mpps 'app g generator size=64
app r rate_limiter rate=5Mpps burst=50000
app k sink
link g.output -> r.input
link r.output -> k.input' r forwarded 10 "$OUT/rl-acc.log")
km=$(median <<<"$k"); rlm=$(median <<<"$rl")
if [ $have_dpdk = 1 ]; then dm=$(median <<<"$d"); dver=$(dpkg-query -W -f='${Version}' dpdk-dev 2>/dev/null || echo "?")
else d="(not installed)"; dm="-"; dver="-"; fi
{
	echo "## generator and rate_limiter"
	echo
	echo "- machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), Linux $(uname -r)"
	echo "- started $started, load average $load; $RUNS runs of ${DURATION} s, kvick and testpmd in turn, CPU $CPU"
	echo
	echo "| | command | Mpps, each run | median |"
	echo "|---|---|---|---|"
	echo "| kvick generator -> sink, 64 B | \`kvick run\` \`generator size=64\` -> \`sink\`, \`--cpu $CPU --busywait\` | $(list <<<"$k") | **$km** |"
	echo "| DPDK $dver testpmd txonly, 64 B | \`dpdk-testpmd --no-huge --vdev net_null0 -- --forward-mode=txonly --txpkts=64\` | $(list <<<"$d") | **$dm** |"
	echo "| kvick generator -> rate_limiter -> sink | \`rate_limiter rate=1000Mpps\` (never limits) | $(list <<<"$rl") | **$rlm** |"
	echo
	echo "rate_limiter rate=5Mpps burst=50000, fed flat out, over 10 s: **$acc Mpps** forwarded"
} | tee "$OUT/generator.md"
