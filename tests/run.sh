#!/usr/bin/env bash
# Runs every test and ends with one line: "N passed, N failed".
#
#   tests/run.sh            unit tests (cmocka, ASan/UBSan build), then every
#                           tests/e2e/*.sh script (kernel and model end-to-end)
#   tests/run.sh --unit     unit tests only
#   tests/run.sh PATTERN    only tests whose name contains PATTERN
#
# A unit test binary passes when it exits 0 (cmocka prints its own
# per-binary summary).  An e2e script passes on exit 0 and fails otherwise;
# each prints what it checked.
set -u
cd "$(dirname "$0")/.."
only_unit=0; pattern=""
for a in "$@"; do
	case "$a" in
		--unit) only_unit=1 ;;
		-h|--help) sed -n '2,12p' "$0"; exit 0 ;;
		*) pattern="$a" ;;
	esac
done

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export KVICK_BIN=${KVICK_BIN:-$PWD/kvick}
export KVICK_ASAN_BIN=${KVICK_ASAN_BIN:-$PWD/build/asan/kvick}
export KVICK_ROOT=$PWD

# Tests that use DMA memory need hugepages: reserve them when we can (as
# root); when we cannot, those tests report it themselves.
bash scripts/hugepages.sh 1024 || true

passed=0; failed=0; failures=()
logdir=build/test-logs; mkdir -p "$logdir"

run_one() { # name, command...
	local name=$1; shift
	local log="$logdir/${name//\//_}.log"
	local t0=$SECONDS
	if "$@" >"$log" 2>&1; then
		passed=$((passed + 1)); echo "PASS  $name ($((SECONDS - t0))s)"
	else
		failed=$((failed + 1)); failures+=("$name"); echo "FAIL  $name ($((SECONDS - t0))s) -- last lines of $log:"
		tail -n 25 "$log" | sed 's/^/    /'
	fi
}

for t in build/asan/tests/test_*; do
	[ -x "$t" ] || continue
	name=unit/$(basename "$t")
	[ -n "$pattern" ] && [[ "$name" != *"$pattern"* ]] && continue
	run_one "$name" "$t"
done

if [ $only_unit -eq 0 ]; then
	for t in tests/e2e/*.sh; do
		[ -f "$t" ] || continue
		name=e2e/$(basename "$t" .sh)
		[ -n "$pattern" ] && [[ "$name" != *"$pattern"* ]] && continue
		run_one "$name" timeout 900 bash "$t"
	done
fi

echo
[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
