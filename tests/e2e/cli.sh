#!/usr/bin/env bash
# The kvick command line: every command's --help, dispatch and exit codes,
# `check` on the real examples and on broken copies (exact error lines),
# `graph` (structure, and `dot -Tsvg` when graphviz is installed), `apps`,
# `run` (exit codes, SIGINT, --report-json) and `top --once` against a
# running `kvick run` whose counters must grow between two snapshots.
set -euo pipefail
cd "$(dirname "$0")/../.."
KVICK=${KVICK_BIN:-$PWD/kvick}
[ -x "$KVICK" ] || { echo "no kvick binary at $KVICK (make kvick)"; exit 1; }
tmp=$(mktemp -d /tmp/kvick-cli.$$.XXXXXX)
bg_pid=""
cleanup() {
	[ -n "$bg_pid" ] && kill "$bg_pid" 2>/dev/null && wait "$bg_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }

# expect CODE CMD... : run CMD, stdout/stderr to $tmp/out and $tmp/err
expect() {
	local want=$1; shift
	local rc=0
	timeout 30 "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ "$rc" -eq "$want" ] || { cat "$tmp/out" "$tmp/err"; fail "'$*' exited $rc, expected $want"; }
}
has() { grep -qF -- "$2" "$tmp/$1" || { cat "$tmp/$1"; fail "$1 of the last command lacks: $2"; }; }

# ---- dispatch, help, version ----
expect 0 "$KVICK" help;       has out "usage: kvick COMMAND"
expect 0 "$KVICK" --help;     has out "usage: kvick COMMAND"
expect 2 "$KVICK";            has err "usage: kvick COMMAND"
expect 0 "$KVICK" version;    has out "kvick "
expect 2 "$KVICK" rn x.topo;  has err "unknown command 'rn'; did you mean 'run'?"; has err "commands:"
ok "help, version, unknown command (exit 2, suggests 'run')"

commands=$("$KVICK" help | sed -n 's/^  \([a-z]*\) .*/\1/p')
for c in check graph run apps top help version; do
	grep -qx "$c" <<<"$commands" || fail "'kvick help' does not list $c"
done
for c in $commands; do
	expect 0 "$KVICK" "$c" --help
	has out "usage: kvick $c"
	expect 0 "$KVICK" help "$c"
	has out "usage: kvick $c"
done
ok "--help on every command ($(echo $commands))"

# ---- check on the real examples ----
# Each ${VAR} without a default gets a placeholder the classes accept
# (check runs each class's own checks): NIC* a model port, IN an empty
# pcap file, OUT and FILE a file in $tmp, anything else 1 (a valid string,
# int and bool).  Where a variable feeds a mac or ipv4 parameter, "bad
# value '1'" is the only error allowed.
# an empty classic pcap: magic a1b2c3d4 (little-endian), 2.4, snaplen 65535, Ethernet
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\0\0\0\0\0\0\0\0\xff\xff\0\0\x01\0\0\0' >"$tmp/empty.pcap"
placeholder() {
	case "$1" in
		NIC*) echo "sim:0" ;;
		IN) echo "$tmp/empty.pcap" ;;
		OUT|FILE) echo "$tmp/out.pcap" ;;
		*) echo 1 ;;
	esac
}
n=0
for f in examples/*.topo; do
	vars=()
	for v in $(grep -o '\${[A-Za-z_][A-Za-z0-9_]*}' "$f" | tr -d '${}' | sort -u); do
		vars+=("$v=$(placeholder "$v")")
	done
	rc=0
	"$KVICK" check "$f" "${vars[@]}" >"$tmp/out" 2>"$tmp/err" || rc=$?
	if [ $rc -eq 0 ]; then
		has out "$f: ok ("
		expect 0 "$KVICK" graph "$f" "${vars[@]}"
		has out "digraph"
	elif [ $rc -ne 1 ] || grep ': error: ' "$tmp/err" | grep -vq ": error: bad value '1' for parameter"; then
		cat "$tmp/err"; fail "kvick check $f ${vars[*]} exited $rc"
	fi
	n=$((n + 1))
done
[ $n -gt 0 ] || fail "no examples/*.topo to check"
ok "check and graph accept all $n examples/*.topo"

# ---- check on broken copies: exact messages ----
cat > "$tmp/good.topo" <<'TOPO'
# a counted source through a tee into two sinks
app src source size=${SIZE:-60} count=1000
app t   tee
app s1  sink
app s2  sink
link src.output -> t.input
link t.a -> s1.input
link t.b -> s2.input
TOPO
expect 0 "$KVICK" check "$tmp/good.topo";  has out "good.topo: ok (4 apps, 3 links)"

sed 's/app t   tee/app t   tea/' "$tmp/good.topo" > "$tmp/bad1.topo"
expect 1 "$KVICK" check "$tmp/bad1.topo"
has err "$tmp/bad1.topo:3:9: error: unknown app class 'tea' (did you mean 'tee'?); known classes: "
has err "    app t   tea"
grep -qx '            ^~~' "$tmp/err" || { cat "$tmp/err"; fail "no caret under 'tea'"; }
[ ! -s "$tmp/out" ] || fail "check printed to stdout on error"
ok "check: unknown class -> exit 1, file:line:col, suggestion, caret"

sed 's/count=1000/count=many/; s/link t.b -> s2.input/link t.b -> s1.input/' "$tmp/good.topo" > "$tmp/bad2.topo"
expect 1 "$KVICK" check "$tmp/bad2.topo"
has err "bad2.topo:2:39: error: bad value 'many' for parameter 'count' (int): expected an integer"
has err "bad2.topo:8:13: error: input port 's1.input' is already linked at $tmp/bad2.topo:7 (from t.a)"
has err "bad2.topo:5:5: warning: app 's2' has no links"
[ "$(grep -c ': error: ' "$tmp/err")" -eq 2 ] || { cat "$tmp/err"; fail "expected exactly 2 errors"; }
ok "check: every error reported, in line order, plus the warning"

expect 1 "$KVICK" check examples/pcap_copy.topo
has err "variable 'IN' is not set; set it on the command line (kvick run examples/pcap_copy.topo IN=...)"
expect 1 "$KVICK" check "$tmp/nonexistent.topo"
has err "nonexistent.topo: error: cannot read: No such file or directory"
expect 2 "$KVICK" check "$tmp/good.topo" notavar
expect 2 "$KVICK" check
ok "check: unset variable, missing file (exit 1), usage errors (exit 2)"

# ---- graph ----
expect 0 "$KVICK" graph "$tmp/good.topo" SIZE=100
cp "$tmp/out" "$tmp/good.dot"
[ "$(head -1 "$tmp/good.dot")" = "digraph \"$tmp/good.topo\" {" ] || fail "graph: bad first line"
[ "$(grep -c ' \[label=".*\\n(' "$tmp/good.dot")" -eq 4 ] || fail "graph: expected 4 app nodes"
[ "$(grep -c '" -> "' "$tmp/good.dot")" -eq 3 ] || fail "graph: expected 3 edges"
has out '"src" [label="src\n(source)\nsize=100\ncount=1000"];'
has out '"t" -> "s1" [label="a -> input"];'
[ "$(tail -1 "$tmp/good.dot")" = "}" ] || fail "graph: not closed"
if command -v dot >/dev/null; then
	dot -Tsvg "$tmp/good.dot" > "$tmp/good.svg" || fail "dot rejected the graph"
	grep -q '<svg' "$tmp/good.svg" || fail "dot made no svg"
	ok "graph: 4 nodes, 3 edges, and dot -Tsvg renders it"
else
	ok "graph: 4 nodes, 3 edges, balanced (graphviz not installed: dot not run)"
fi
expect 1 "$KVICK" graph "$tmp/bad1.topo"
[ ! -s "$tmp/out" ] || fail "graph printed a graph for a broken file"

# ---- apps ----
expect 0 "$KVICK" apps
for c in source sink tee join split repeater pcap_reader pcap_writer; do
	grep -q "^$c " "$tmp/out" || fail "kvick apps does not list $c"
done
expect 0 "$KVICK" apps source
has out "source -- "; has out "parameters:"; has out "size"; has out "outputs: output"
expect 1 "$KVICK" apps sorce;  has err "unknown app class 'sorce' (did you mean 'source'?)"
expect 0 "$KVICK" apps --markdown
has out "# App reference"; has out "## pcap_reader"; has out "| parameter | type | default | required | meaning |"
ok "apps: list, one class, unknown class (exit 1), --markdown"

# ---- run: exit codes ----
expect 2 "$KVICK" run "$tmp/good.topo" --duration soon
expect 2 "$KVICK" run "$tmp/good.topo" --hugepage-size 4M
expect 2 "$KVICK" run "$tmp/good.topo" --bogus
expect 1 "$KVICK" run "$tmp/bad1.topo"
has err "unknown app class 'tea'"
printf 'app rd pcap_reader file=%s/missing.pcap\napp s sink\nlink rd.output -> s.input\n' "$tmp" \
	> "$tmp/nofile.topo"
expect 1 "$KVICK" run "$tmp/nofile.topo" --no-hugepages
has err "$tmp/nofile.topo:1:25: error: app 'rd' (class 'pcap_reader'): cannot open $tmp/missing.pcap"
# what only the start can find (no such interface) names the app's line
printf 'app s source count=1\napp r rawsock ifname=kvnone0\nlink s.output -> r.input\n' >"$tmp/noif.topo"
expect 0 "$KVICK" check "$tmp/noif.topo"
expect 1 "$KVICK" run "$tmp/noif.topo" --no-hugepages
has err "$tmp/noif.topo:2: app r (rawsock): error: interface kvnone0 does not exist"
expect 0 "$KVICK" run "$tmp/good.topo" SIZE=100 --no-hugepages --report-json "$tmp/r.json"
has out "kvick report:"
grep -q '"s1": {"packets": 1000' "$tmp/r.json" || { cat "$tmp/r.json"; fail "report JSON lacks s1's 1000 packets"; }
expect 0 "$KVICK" run "$tmp/good.topo" --no-hugepages --quiet
[ ! -s "$tmp/out" ] || fail "--quiet still printed a report"
ok "run: usage errors exit 2, topology or app error exits 1, a finite run exits 0 with its report"

# ---- the same parsing under AddressSanitizer/UBSan ----
# exitcode=23: a leak or memory error must not pass for the expected 1.
ASAN_KVICK=${KVICK_ASAN_BIN:-$PWD/build/asan/kvick}
if [ -x "$ASAN_KVICK" ]; then
	export ASAN_OPTIONS=detect_leaks=1:exitcode=23
	expect 0 "$ASAN_KVICK" check "$tmp/good.topo"
	expect 1 "$ASAN_KVICK" check "$tmp/bad1.topo"
	expect 1 "$ASAN_KVICK" check "$tmp/bad2.topo"
	expect 1 "$ASAN_KVICK" check examples/pcap_copy.topo
	expect 0 "$ASAN_KVICK" graph "$tmp/good.topo"
	expect 0 "$ASAN_KVICK" apps --markdown
	ok "check, graph and apps are clean under ASan/UBSan (no leak, no UB)"
	unset ASAN_OPTIONS
fi

# ---- run until SIGINT, and top --once on it ----
cat > "$tmp/forever.topo" <<'TOPO'
app src source
app snk sink
link src.output -> snk.input
TOPO
"$KVICK" run "$tmp/forever.topo" --no-hugepages --duration 20 >"$tmp/run.out" 2>"$tmp/run.err" &
bg_pid=$!
for _ in $(seq 50); do
	[ -e "/dev/shm/kvick.$bg_pid" ] && break
	sleep 0.1
done
[ -e "/dev/shm/kvick.$bg_pid" ] || fail "kvick run published no /dev/shm/kvick.$bg_pid"
packets() { # the value of app/src/packets in a `top --once` snapshot
	"$KVICK" top "$bg_pid" --once --interval 0.2 > "$tmp/top.out"
	grep -q 'PER SECOND' "$tmp/top.out" || fail "top: no table header"
	awk '$1 == "app/src/packets" { print $2 }' "$tmp/top.out"
}
p1=$(packets); p2=$(packets)
[ -n "$p1" ] && [ -n "$p2" ] || { cat "$tmp/top.out"; fail "top shows no app/src/packets"; }
[ "$p1" -gt 0 ] && [ "$p2" -gt "$p1" ] || fail "top: counters did not increase ($p1 then $p2)"
grep -q 'app/snk/packets' "$tmp/top.out" || fail "top: no sink counter"
ok "top --once: app/src/packets grew from $p1 to $p2"
expect 2 "$KVICK" top notapid

run_pid=$bg_pid
kill -INT "$run_pid"
rc=0; wait "$run_pid" || rc=$?
bg_pid=""
[ $rc -eq 0 ] || { cat "$tmp/run.err"; fail "kvick run exited $rc after SIGINT"; }
grep -q "kvick report:" "$tmp/run.out" || fail "no report after SIGINT"
[ ! -e "/dev/shm/kvick.$run_pid" ] || fail "counter file /dev/shm/kvick.$run_pid left behind"
ok "run: SIGINT stops it cleanly (exit 0, report, counter file removed)"

echo "cli: all checks passed"
