#!/usr/bin/env bash
# Worker processes: `worker NAME cpu=N` and `@NAME` (docs/topology.md#workers).
#  - check and graph know workers;
#  - source @w0 -> sink @w1 moves exactly N packets over a shared link, and
#    every packet is back in its pool at exit;
#  - packets allocated on one worker and freed on another go home (a tee on
#    w1 cloning for sinks on w0 and on main);
#  - SIGINT with traffic in flight: a clean stop, every packet accounted for;
#  - kill -9 of a worker during traffic: the run ends within a second, exit 1,
#    the report names the worker, how it died and its apps; no worker process
#    is left and no /dev/shm file.
set -euo pipefail
cd "$(dirname "$0")/../.."
KVICK=${KVICK_BIN:-$PWD/kvick}
[ -x "$KVICK" ] || { echo "no kvick binary at $KVICK (make kvick)"; exit 1; }
tmp=$(mktemp -d /tmp/kvick-workers.$$.XXXXXX)
sup=
# a run still going when the script stops early (a failed check) is stopped too
trap '[ -n "$sup" ] && kill -INT "$sup" 2>/dev/null && wait "$sup" 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; failed=1; }
failed=0
OPTS="--no-hugepages --worker-packets 2048"

# json FILE EXPR: a Python expression over the report `r`
json() { python3 -c "import json,sys; r=json.load(open('$1')); print($2)"; }
expect() { # what, got, want
	if [ "$2" != "$3" ]; then fail "$1: got '$2', want '$3'"; else echo "ok: $1 = $3"; fi
}
no_leftovers() { # supervisor pid, its workers' pids (taken while it ran)
	local sup=$1; shift
	[ -e "/dev/shm/kvick.$sup" ] && fail "/dev/shm/kvick.$sup left behind"
	[ $# -gt 0 ] || fail "no worker pids of $sup were seen"
	for p in "$@"; do
		kill -0 "$p" 2>/dev/null && fail "worker $p of $sup is still running"
	done
	echo "ok: no /dev/shm file and no worker left of $sup (workers $*)"
}

cat >"$tmp/two.topo" <<'T'
worker w0 cpu=0
worker w1 cpu=1
app src source size=60 count=${N} @w0
app snk sink @w1
link src.output -> snk.input
T

# ---- check and graph ----
out=$("$KVICK" check "$tmp/two.topo" N=5)
expect "check" "$out" "$tmp/two.topo: ok (2 apps, 1 link, 2 workers, 1 shared link)"
"$KVICK" graph "$tmp/two.topo" N=5 >"$tmp/g.dot"
grep -q 'subgraph "cluster_w0"' "$tmp/g.dot" && grep -q 'subgraph "cluster_w1"' "$tmp/g.dot" ||
	fail "graph has no cluster per worker"
printf 'worker w0 cpu=0\napp a source @w9\napp b sink @w0\nlink a.output -> b.input\n' >"$tmp/bad.topo"
set +e
"$KVICK" run "$tmp/bad.topo" $OPTS 2>"$tmp/bad.err"; rc=$?
set -e
expect "run refuses an unknown worker (exit)" "$rc" 1
expect "its message" "$(head -1 "$tmp/bad.err")" \
	"$tmp/bad.topo:2:14: error: unknown worker 'w9' (did you mean 'w0'?); declared workers: w0"

# ---- N packets across two workers, exact conservation ----
N=200000
"$KVICK" run "$tmp/two.topo" N=$N $OPTS --report-json "$tmp/two.json" >"$tmp/two.out"
expect "sink packets" "$(json "$tmp/two.json" "r['apps']['snk']['packets']")" $N
expect "shared link tx/rx/drop" \
	"$(json "$tmp/two.json" "'%d %d %d' % tuple(r['links']['src.output -> snk.input'][k] for k in ('txpackets','rxpackets','txdrop'))")" \
	"$N $N 0"
expect "every packet back (free == allocated)" \
	"$(json "$tmp/two.json" "r['packets']['free'] == r['packets']['allocated'] > 0")" True
expect "workers section" \
	"$(json "$tmp/two.json" "' '.join('%s:%d:%s' % (k, v['cpu'], v['apps']) for k, v in sorted(r['workers'].items()))")" \
	"w0:0:['src'] w1:1:['snk']"
expect "worker pids and breaths" \
	"$(json "$tmp/two.json" "all(v['pid'] > 0 and v['breaths'] > 0 and 0 <= v['busy'] <= 1 for v in r['workers'].values())")" True
grep -q "^  w1 .*apps snk (sink)$" "$tmp/two.out" || fail "text report has no row for w1"

# ---- packets freed on the other worker go home ----
cat >"$tmp/tee.topo" <<'T'
worker w0 cpu=0
worker w1 cpu=1
app src source count=100000 @w0
app t tee @w1
app back sink @w0
app here sink
link src.output -> t.input
link t.a -> back.input
link t.b -> here.input
T
"$KVICK" run "$tmp/tee.topo" $OPTS --report-json "$tmp/tee.json" >/dev/null
# (the tee does not wait for room: a copy that finds its link full is a
# counted txdrop, so each copy is either received or counted)
expect "tee: each copy received or counted as a drop" \
	"$(json "$tmp/tee.json" "(r['apps']['back']['packets'] + r['links']['t.a -> back.input']['txdrop'], r['apps']['here']['packets'] + r['links']['t.b -> here.input']['txdrop'])")" "(100000, 100000)"
expect "tee: the copies sent crossed (w1 -> w0, w1 -> main)" \
	"$(json "$tmp/tee.json" "r['apps']['back']['packets'] > 0 and r['apps']['here']['packets'] > 0")" True
expect "tee: every packet back in its pool" \
	"$(json "$tmp/tee.json" "r['packets']['free'] == r['packets']['allocated'] and r['packets']['pools_unknown'] == 0")" True
expect "tee: three workers (main holds 'here')" "$(json "$tmp/tee.json" "sorted(r['workers'])")" "['main', 'w0', 'w1']"

# ---- SIGINT with traffic in flight ----
sed 's/ count=\${N}//' "$tmp/two.topo" >"$tmp/endless.topo"
"$KVICK" run "$tmp/endless.topo" $OPTS --report-json "$tmp/int.json" >"$tmp/int.out" 2>"$tmp/int.err" &
sup=$!
sleep 1.5
kids=$(pgrep -P $sup)
kill -INT $sup
set +e; wait $sup; rc=$?; set -e
expect "SIGINT: exit" "$rc" 0
expect "SIGINT: every packet back" "$(json "$tmp/int.json" "r['packets']['free'] == r['packets']['allocated']")" True
expect "SIGINT: sent = received + drained" \
	"$(json "$tmp/int.json" "(lambda l: l['txpackets'] == l['rxpackets'] + l['drained'] and l['txpackets'] > 0)(r['links']['src.output -> snk.input'])")" True
# shellcheck disable=SC2086
no_leftovers $sup $kids

# ---- a full shared link: its consumer is stopped (SIGSTOP) for half a second ----
# The tee does not wait for room, so its copies to the stopped worker find
# the shared link full: each one is a counted txdrop, and at the end every
# packet is still accounted for.
cat >"$tmp/full.topo" <<'T'
worker w0 cpu=0
worker w1 cpu=1
app src source @w0
app t tee @w0
app far sink @w1
app near sink @w0
link src.output -> t.input
link t.a -> far.input
link t.b -> near.input
T
"$KVICK" run "$tmp/full.topo" $OPTS --report-json "$tmp/full.json" >"$tmp/full.out" 2>&1 &
sup=$!
sleep 1
far=$(pgrep -P $sup -x "kvick:w1")
kids=$(pgrep -P $sup)
kill -STOP "$far"; sleep 0.5; kill -CONT "$far"; sleep 0.3
kill -INT $sup
set +e; wait $sup; rc=$?; set -e
expect "full link: exit" "$rc" 0
expect "full link: copies to the stopped worker dropped, and counted" \
	"$(json "$tmp/full.json" "r['links']['t.a -> far.input']['txdrop'] > 0")" True
expect "full link: tx = rx + drained, rx = what the far sink got" \
	"$(json "$tmp/full.json" "(lambda l: l['txpackets'] == l['rxpackets'] + l['drained'] and l['rxpackets'] == r['apps']['far']['packets'])(r['links']['t.a -> far.input'])")" True
expect "full link: every tee copy sent or dropped" \
	"$(json "$tmp/full.json" "(lambda l: l['txpackets'] + l['txdrop'] == r['apps']['t']['packets'])(r['links']['t.a -> far.input'])")" True
expect "full link: every packet back" "$(json "$tmp/full.json" "r['packets']['free'] == r['packets']['allocated']")" True
# shellcheck disable=SC2086
no_leftovers $sup $kids

# ---- kill -9 of a worker during traffic ----
"$KVICK" run "$tmp/endless.topo" $OPTS --report-json "$tmp/kill.json" >"$tmp/kill.out" 2>"$tmp/kill.err" &
sup=$!
sleep 1.5
victim=$(pgrep -P $sup -x "kvick:w1")
kids=$(pgrep -P $sup)
t0=$(date +%s%N)
kill -KILL "$victim"
set +e; wait $sup; rc=$?; set -e
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
expect "kill -9: exit" "$rc" 1
[ $ms -le 1000 ] && echo "ok: run ended ${ms} ms after the kill" || fail "run took ${ms} ms to end after the kill"
grep -q "error: worker w1 (pid $victim, cpu 1) killed by signal 9 (Killed); its apps: snk (sink)" "$tmp/kill.err" ||
	{ fail "stderr does not name the dead worker"; cat "$tmp/kill.err"; }
expect "kill -9: JSON says w1 died" "$(json "$tmp/kill.json" "(r['workers']['w1']['died'], r['workers']['w0']['died'])")" "(True, False)"
# shellcheck disable=SC2086
no_leftovers $sup $kids

# ---- every golden topology on workers: its apps spread over w0, w1, main ----
# Each passes tests/topo/check_report.py: conservation (no leak, per link
# tx = rx + drained) and its "# expect:" lines -- except tee_split_join's
# "nothing dropped": a tee does not wait for room, and across workers its
# copies can find a link full (counted txdrop, which its last expect line
# still balances), so there only conservation and that line are required.
for topo in tests/topo/*.topo; do
	name=$(basename "$topo" .topo)
	args=$(sed -n 's/^#[[:space:]]*run:[[:space:]]*//p' "$topo" | head -1)
	[[ "$args" == *--duration* ]] || args="$args --duration 20"
	{ printf 'worker w0 cpu=0\nworker w1 cpu=1\n'
	  awk '/^app /{ sub(/[ \t]+$/, ""); k = n++ % 3; print $0 (k == 0 ? " @w0" : k == 1 ? " @w1" : ""); next } { print }' "$topo"
	} >"$tmp/g_$name.topo"
	# shellcheck disable=SC2086
	if ! timeout 60 "$KVICK" run "$tmp/g_$name.topo" TMP="$tmp" $args $OPTS \
	        --report-json "$tmp/g_$name.json" >"$tmp/g_$name.log" 2>&1; then
		fail "golden $name on workers exited non-zero"; tail -5 "$tmp/g_$name.log"; continue
	fi
	python3 tests/topo/check_report.py "$tmp/g_$name.json" "$tmp/g_$name.topo" >"$tmp/g_$name.check" 2>&1 || true
	if [ "$name" = tee_split_join ]; then
		bad=$(grep -E '^FAIL: (no leak|link |app.*s1.*s3.*total_txdrop)' "$tmp/g_$name.check" || true)
	else
		bad=$(grep '^FAIL' "$tmp/g_$name.check" || true)
	fi
	[ -z "$bad" ] && echo "ok: golden $name on workers" || fail "golden $name on workers: $bad"
done

# ---- the example ----
"$KVICK" run examples/two-workers.topo COUNT=50000 $OPTS --quiet --report-json "$tmp/ex.json"
expect "examples/two-workers.topo: the sink got every frame" "$(json "$tmp/ex.json" "r['apps']['sink']['packets']")" 50000

# ---- the benchmark checks its own work ----
out=$("$KVICK" bench interlink --packets 300000 --no-hugepages | tail -1)
[[ "$out" =~ ^interlink:\ [0-9]+\.[0-9]+\ Mpps$ ]] && echo "ok: $out" || fail "bench interlink: '$out'"

[ $failed -eq 0 ] && echo "all worker tests passed"
exit $failed
