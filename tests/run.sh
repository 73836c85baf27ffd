#!/usr/bin/env bash
# Runs every test and ends with one line: "N passed, N failed, N skipped".
#
#   tests/run.sh            unit tests (cmocka, ASan/UBSan build), then every
#                           tests/e2e/*.sh script (kernel and model end-to-end)
#   tests/run.sh --unit     unit tests only
#   tests/run.sh PATTERN    only tests whose name contains PATTERN
#
# A unit test binary passes when it exits 0 (cmocka prints its own
# per-binary summary); cmocka tests that skipped themselves (not root, no
# hugepages) are named and counted as skipped, not passed.  An e2e script
# passes on exit 0, is skipped on exit 77 (it says why), and fails
# otherwise; each prints what it checked.  Unit binaries time out after
# 300 s, e2e scripts after 900 s.  A unit test source without its binary
# fails (make it first), and so does a run that ran nothing.
set -u
cd "$(dirname "$0")/.."
only_unit=0; pattern=""
for a in "$@"; do
	case "$a" in
		--unit) only_unit=1 ;;
		-h|--help) sed -n '2,16p' "$0"; exit 0 ;;
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

passed=0; failed=0; skipped=0; failures=(); skips=()
logdir=build/test-logs; mkdir -p "$logdir"

run_one() { # name, command...
	local name=$1; shift
	local log="$logdir/${name//\//_}.log"
	local t0=$SECONDS rc=0
	"$@" >"$log" 2>&1 || rc=$?
	local took="$((SECONDS - t0))s"
	if [ $rc -eq 0 ]; then
		# cmocka: "[  SKIPPED ] name" for each test that called skip()
		local sk; sk=$(sed -n 's/^\[  SKIPPED \] \([A-Za-z_0-9]*\)$/\1/p' "$log" | sort -u | tr '\n' ' ')
		passed=$((passed + 1))
		if [ -n "$sk" ]; then
			skipped=$((skipped + $(wc -w <<<"$sk"))); skips+=("$name: $sk")
			echo "PASS  $name ($took; skipped: $sk)"
		else
			echo "PASS  $name ($took)"
		fi
	elif [ $rc -eq 77 ]; then
		skipped=$((skipped + 1)); skips+=("$name"); echo "SKIP  $name ($took): $(grep -m1 -i 'skip' "$log")"
	else
		failed=$((failed + 1)); failures+=("$name")
		echo "FAIL  $name ($took$([ $rc -eq 124 ] && echo ', timed out')) -- last lines of $log:"
		tail -n 25 "$log" | sed 's/^/    /'
	fi
}

for src in tests/unit/test_*.c; do
	t=build/asan/tests/$(basename "$src" .c)
	name=unit/$(basename "$t")
	[ -n "$pattern" ] && [[ "$name" != *"$pattern"* ]] && continue
	if [ ! -x "$t" ]; then
		failed=$((failed + 1)); failures+=("$name"); echo "FAIL  $name: $t is not built (make $t)"
		continue
	fi
	run_one "$name" timeout 300 "$t"
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
[ ${#skips[@]} -gt 0 ] && printf 'skipped: %s\n' "${skips[@]}"
[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
if [ $((passed + failed + skipped)) -eq 0 ]; then
	echo "nothing ran${pattern:+ (no test matches '$pattern')}: that is a failure"
	exit 1
fi
[ $failed -eq 0 ]
