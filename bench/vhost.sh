#!/usr/bin/env bash
# bench/vhost.sh -- kvick's vhost_user app against DPDK's own vhost
# backend, with DPDK's virtio-user driver (testpmd) as the frontend.
#
#   bench/vhost.sh [REPS]      (default 3; prints a Markdown table)
#
# Guest -> backend (testpmd net_virtio_user0 in txonly mode feeds):
#   kvick    vhost_user -> sink          (kvick --cpu 1 --busywait)
#   testpmd  net_vhost0 in rxonly mode   (forwarding lcore on CPU 1)
# Backend -> guest (testpmd net_virtio_user0 in rxonly mode drains):
#   kvick    source -> vhost_user
#   testpmd  net_vhost0 in txonly mode
# The frontend's forwarding lcore is on CPU 0, the backend on CPU 1; each
# testpmd's main lcore only waits for commands.  Guest memory is a memfd
# (--no-huge).  Frames of 64 and 1518 bytes (testpmd --txpkts, kvick
# source size=).
# The figure is the frontend's own rate, testpmd's "show port stats"
# Tx-pps (or Rx-pps) over a 3-second window after a 1-second warm-up: with
# the ring always full (or always empty), it is what the backend sustains.
# Median of REPS runs; each rep runs every contender in turn.
set -euo pipefail
REPS=${1:-3}
cd "$(dirname "$0")/.."
KVICK=${KVICK_BIN:-$PWD/kvick}
ID=$$
TMP=$(mktemp -d /tmp/kvick-bench-vhost.XXXXXX)
SOCK=$TMP/vhost.sock
PIDS=()
cleanup() {
	set +e
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$TMP" /var/run/dpdk/kvb"$ID"*
}
trap cleanup EXIT
fail() { echo "bench: $*" >&2; exit 1; }
[ -x "$KVICK" ] || fail "$KVICK not built (make kvick)"
command -v dpdk-testpmd >/dev/null || fail "dpdk-testpmd not installed (make deps)"

# testpmd NAME MAIN_LCORE VDEV MODE SIZE: interactive, commands from fd 7+
testpmd() {
	local name=$1 main=$2 vdev=$3 mode=$4 size=$5
	mkfifo "$TMP/$name.cmd"
	dpdk-testpmd -l 0,1 --main-lcore "$main" --no-pci --no-huge -m 256 --single-file-segments \
		--file-prefix "kvb$ID$name" --vdev="$vdev" -- -i --forward-mode="$mode" \
		--nb-cores=1 --no-mlockall --total-num-mbufs=16384 --txpkts="$size" \
		<"$TMP/$name.cmd" >"$TMP/$name.out" 2>&1 &
	PIDS+=($!)
}
wait_sock() { for _ in $(seq 100); do [ -S "$SOCK" ] && return 0; sleep 0.1; done; fail "no socket $SOCK"; }

# measure DIR BACKEND SIZE -> Mpps
measure() {
	local dir=$1 backend=$2 size=$3 fmode bmode key
	rm -f "$SOCK" "$TMP"/*.cmd
	PIDS=()
	if [ "$dir" = to-backend ]; then fmode=txonly bmode=rxonly key=Tx-pps
	else fmode=rxonly bmode=txonly key=Rx-pps; fi
	if [ "$backend" = kvick ]; then
		if [ "$dir" = to-backend ]; then
			printf 'app vm vhost_user socket=%s\napp s sink\nlink vm.output -> s.input\n' \
				"$SOCK" >"$TMP/b.topo"
		else
			printf 'app src source size=%s\napp vm vhost_user socket=%s\nlink src.output -> vm.input\n' \
				"$size" "$SOCK" >"$TMP/b.topo"
		fi
		"$KVICK" run "$TMP/b.topo" --no-hugepages --cpu 1 --busywait --quiet >"$TMP/kvick.out" 2>&1 &
		PIDS+=($!)
	else
		testpmd back 0 "net_vhost0,iface=$SOCK,queues=1" "$bmode" "$size"
		exec 8>"$TMP/back.cmd"
		echo start >&8
	fi
	wait_sock
	testpmd front 1 "net_virtio_user0,path=$SOCK,queues=1" "$fmode" "$size"
	exec 7>"$TMP/front.cmd"
	sleep 2
	echo start >&7; sleep 1
	echo "show port stats 0" >&7; sleep 3
	echo "show port stats 0" >&7; sleep 0.2
	echo stop >&7; echo quit >&7; exec 7>&-
	[ "$backend" = kvick ] || { echo stop >&8; echo quit >&8; exec 8>&-; }
	sleep 1
	for p in "${PIDS[@]}"; do kill -INT "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	PIDS=()
	local pps
	pps=$(grep -o "$key: *[0-9]*" "$TMP/front.out" | tail -1 | grep -o '[0-9]*$')
	[ -n "$pps" ] && [ "$pps" -gt 0 ] || { tail -20 "$TMP/front.out" >&2; fail "no $key from testpmd ($dir $backend $size)"; }
	awk -v p="$pps" 'BEGIN { printf "%.2f\n", p / 1e6 }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A R
for rep in $(seq "$REPS"); do
	for dir in to-backend to-guest; do
		for size in 64 1518; do
			for backend in kvick testpmd; do
				v=$(measure "$dir" "$backend" "$size")
				R[$dir,$size,$backend]+="$v "
				echo "bench: rep $rep $dir $size bytes $backend: $v Mpps" >&2
			done
		done
	done
done

echo "| direction | frame | kvick vhost_user (Mpps) | DPDK net_vhost (Mpps) | kvick / DPDK |"
echo "|---|---|---|---|---|"
for dir in to-backend to-guest; do
	for size in 64 1518; do
		k=$(tr ' ' '\n' <<<"${R[$dir,$size,kvick]}" | grep . | median)
		d=$(tr ' ' '\n' <<<"${R[$dir,$size,testpmd]}" | grep . | median)
		label=$([ "$dir" = to-backend ] && echo "guest -> backend (testpmd txonly)" ||
			echo "backend -> guest (testpmd rxonly)")
		echo "| $label | $size B | $k (${R[$dir,$size,kvick]% }) | $d (${R[$dir,$size,testpmd]% }) | $(awk -v a="$k" -v b="$d" 'BEGIN { printf "%.2f", a / b }') |"
	done
done
