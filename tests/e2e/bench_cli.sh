#!/usr/bin/env bash
# `kvick bench`: the benchmarks run, check their own conservation (every
# packet sent is received, none dropped or leaked -- they exit non-zero
# otherwise) and end with the summary line bench/run.sh parses.  Small
# packet counts: this checks behaviour, not speed.
set -euo pipefail
KVICK=${KVICK_BIN:-$(dirname "$0")/../../kvick}
work=$(mktemp -d /tmp/kvick-bench-cli.$$.XXXX)
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL: $*"; exit 1; }

"$KVICK" bench basic1 --packets 200000 --no-hugepages >"$work/basic1.out"
cat "$work/basic1.out"
tail -n 1 "$work/basic1.out" | grep -Eq '^basic1: [0-9]+\.[0-9]+ Mpps$' || fail "basic1 last line"
grep -q '^basic1: 200000 source packets' "$work/basic1.out" || fail "basic1 packet count"
echo "ok: basic1 moved 200000 packets through source -> tee -> sink with none lost"

"$KVICK" bench link --batch 7 --packets 100000 >"$work/link.out"
cat "$work/link.out"
tail -n 1 "$work/link.out" | grep -Eq '^link: [0-9]+\.[0-9]+ cycles/packet$' || fail "link last line"
grep -q '^link: batch 7, 100002 packets' "$work/link.out" || fail "link packet count (100000 rounded up to whole batches of 7)"
echo "ok: link moved whole batches of 7 with none lost"

for b in basic1 link; do
	"$KVICK" bench "$b" --help | grep -q "usage: kvick bench $b" || fail "$b --help"
done
rc=0; "$KVICK" bench link --batch 129 2>"$work/err" || rc=$?
[ $rc -eq 2 ] && grep -q -- '--batch must be 1..128' "$work/err" || fail "--batch 129 should be a usage error (rc $rc)"
rc=0; "$KVICK" bench nosuch 2>"$work/err" || rc=$?
[ $rc -eq 2 ] && grep -q "unknown benchmark 'nosuch'" "$work/err" || fail "unknown benchmark (rc $rc)"
echo "ok: --help, a bad --batch and an unknown benchmark answer as documented"
