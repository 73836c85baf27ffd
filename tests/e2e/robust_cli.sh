#!/usr/bin/env bash
# What an operator meets in the first week, each checked for the exact
# outcome:
#   - no hugepages to be had: one error line, exit 1, at once (it used to
#     wait forever, printing the error thousands of times a second);
#   - SIGHUP: logged and ignored, the run goes on and stops cleanly later;
#   - /dev/shm/kvick.PID: created 0600; a file of a dead process is removed
#     when the next run starts, and `kvick top` does not offer it.
set -euo pipefail
cd "$(dirname "$0")/../.."
KVICK=${KVICK_BIN:-$PWD/kvick}
[ -x "$KVICK" ] || { echo "no kvick binary at $KVICK (make kvick)"; exit 1; }
tmp=$(mktemp -d /tmp/kvick-robust.$$.XXXXXX)
bg=""
cleanup() { [ -n "$bg" ] && kill "$bg" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }

# ---- no hugepages ----
# 1 GB pages stand in for "none reserved" without touching the 2 MB pool
# other tests use.
g1=/sys/kernel/mm/hugepages/hugepages-1048576kB
if [ -d $g1 ] && [ "$(cat $g1/free_hugepages)" = 0 ]; then
	rc=0; timeout 20 "$KVICK" run examples/hello.topo --hugepage-size 1G >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ $rc -eq 1 ] || { cat "$tmp/err" | head -5; fail "no hugepages: exit $rc, expected 1 (124 = hung)"; }
	n=$(grep -c . "$tmp/err")
	[ "$n" -eq 1 ] || { head -5 "$tmp/err"; fail "no hugepages: $n lines on stderr, expected 1"; }
	grep -q "error: cannot get 1 free 1 GB hugepage(s) (0 free)" "$tmp/err" || { cat "$tmp/err"; fail "no hugepages: message"; }
	ok "no hugepages: one error line, exit 1 at start"
else
	echo "skip: no hugepages check ($g1 missing or has free pages)"
fi

# ---- SIGHUP, and the counters file of a live run ----
cat >"$tmp/slow.topo" <<'T'
app s source size=60
app k sink
link s.output -> k.input
T
"$KVICK" run "$tmp/slow.topo" --no-hugepages --duration 3 >"$tmp/out" 2>"$tmp/err" &
bg=$!
for _ in $(seq 100); do [ -e /dev/shm/kvick.$bg ] && break; sleep 0.05; done
[ -e /dev/shm/kvick.$bg ] || fail "no /dev/shm/kvick.$bg while running"
mode=$(stat -c %a /dev/shm/kvick.$bg)
[ "$mode" = 600 ] || fail "/dev/shm/kvick.$bg has mode $mode, expected 600"
ok "counters file is mode 600"
kill -HUP $bg
sleep 0.3
kill -0 $bg 2>/dev/null || fail "SIGHUP killed kvick"
rc=0; wait $bg || rc=$?; bg=""
[ $rc -eq 0 ] || { cat "$tmp/err"; fail "run after SIGHUP exited $rc, expected 0"; }
grep -q "SIGHUP received: live reload is not implemented, so it is ignored" "$tmp/err" ||
	{ cat "$tmp/err"; fail "SIGHUP not logged"; }
grep -q "^link " "$tmp/out" || grep -q "s.output" "$tmp/out" || { cat "$tmp/out"; fail "no final report after SIGHUP"; }
ok "SIGHUP logged and ignored; the run ended with its report, exit 0"

# ---- a stale file of a dead process ----
# A PID that is surely not running: a child that has exited.
sh -c 'exit 0' & dead=$!; wait $dead
[ -e /proc/$dead ] && fail "pid $dead still exists"
stale=/dev/shm/kvick.$dead
cp /dev/null "$stale"; head -c 4096 /dev/zero >"$stale"
rc=0; "$KVICK" top --once >"$tmp/out" 2>"$tmp/err" || rc=$?
grep -q "kvick.$dead\|^ *$dead " "$tmp/out" "$tmp/err" && fail "kvick top offers dead pid $dead"
"$KVICK" run "$tmp/slow.topo" --no-hugepages --duration 0.2 >/dev/null 2>"$tmp/err" ||
	{ cat "$tmp/err"; fail "short run failed"; }
[ -e "$stale" ] && { rm -f "$stale"; fail "$stale of a dead process is still there after a run"; }
ok "counters file of dead pid $dead removed at start; top ignores it"
