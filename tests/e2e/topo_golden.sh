#!/usr/bin/env bash
# Golden topology tests: run every tests/topo/*.topo with `kvick run` (in
# name order: a later file may read what an earlier one wrote under ${TMP})
# and check its --report-json against the file's "# expect:" lines, plus
# conservation (no leak; per link tx = rx + drained) -- see
# tests/topo/check_report.py.  A "# run: ARGS" line adds options (a
# repeater never ends by itself, so it says "# run: --duration 0.3").
set -euo pipefail
cd "$(dirname "$0")/../.."
KVICK=${KVICK_BIN:-$PWD/kvick}
[ -x "$KVICK" ] || { echo "no kvick binary at $KVICK (make kvick)"; exit 1; }
tmp=$(mktemp -d /tmp/kvick-golden.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

failed=0
for topo in tests/topo/*.topo; do
	name=$(basename "$topo" .topo)
	args=$(sed -n 's/^#[[:space:]]*run:[[:space:]]*//p' "$topo" | head -1)
	# a safety cap on finite runs (they end by themselves well before it)
	[[ "$args" == *--duration* ]] || args="$args --duration 20"
	vars=()
	grep -q '${TMP}' "$topo" && vars=(TMP="$tmp")
	echo "== $name"
	# shellcheck disable=SC2086  # the run: line is a list of options
	if ! timeout 60 "$KVICK" run "$topo" "${vars[@]}" $args \
	        --report-json "$tmp/$name.json" >"$tmp/$name.log" 2>&1; then
		echo "FAIL: kvick run $topo exited non-zero:"; tail -20 "$tmp/$name.log"
		failed=1
		continue
	fi
	python3 tests/topo/check_report.py "$tmp/$name.json" "$topo" || failed=1
done
[ $failed -eq 0 ] && echo "topo_golden: all checks passed"
exit $failed
