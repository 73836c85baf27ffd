#!/usr/bin/env bash
# bench/kio.sh -- kvick's kernel I/O apps against DPDK's testpmd and the
# Linux bridge, in one run, on the same veth pairs.
#
#   bench/kio.sh [REPS]        (default 3; prints a Markdown table)
#
# Topology (tests/e2e/lib/kio.sh): namespace A -veth- [forwarder] -veth- B.
# Forwarders, each in turn on the same two root-side veth ends:
#   bridge              a Linux bridge
#   kvick rawsock       examples/kio-rawsock.topo   (kvick pinned to CPU 1)
#   kvick rawsock-keep  the same with OFFLOAD=keep (offload state carried)
#   kvick af_xdp        examples/kio-af_xdp.topo    (native XDP on veth)
#   testpmd af_packet   dpdk-testpmd --forward-mode=io, net_af_packet vdevs
#   testpmd af_xdp      dpdk-testpmd --forward-mode=io, net_af_xdp vdevs
#                       (forwarding lcore on CPU 1)
# and kvick tap, with and without offload=keep (its own TAP devices moved
# into the namespaces; no peer).
# Measures: iperf3 TCP A->B (Gbit/s at the receiver) and 64-byte UDP
# frames per second delivered to a socket in B (bench/kio_udpblast.c:
# sendmmsg sender in A, recvmmsg counter in B).  Two conditions: the
# namespace ends' default offloads (TSO, checksum offload), and offloads
# off (ethtool -K tx off tso off gso off), where testpmd -- which does not
# handle GSO or partial checksums -- can carry TCP at all.
# The load (senders, receivers) is pinned to CPU 0, the forwarders to
# CPU 1.  Median of REPS runs; ratios are of medians.  About 4 minutes a
# rep.
set -euo pipefail
REPS=${1:-3}
source "$(dirname "$0")/../tests/e2e/lib/kio.sh"
FWD_PID=; FWD=
trap 'stop_fwd; kio_cleanup' EXIT
need ip iperf3 dpdk-testpmd python3 gcc ethtool
[ -x "$KVICK" ] || fail "$KVICK not built (make kvick)"
BLAST=$KIO_ROOT/build/bench/kio_udpblast
mkdir -p "$(dirname "$BLAST")"
gcc -O2 -Wall -o "$BLAST" "$KIO_ROOT/bench/kio_udpblast.c"
bash "$KIO_ROOT/scripts/hugepages.sh" 512 >/dev/null || true  # for testpmd
T_TCP=4; T_UDP=3
RES=$TMP/results; : >"$RES"

start_fwd() { # name
	FWD=$1
	case $1 in
	bridge)
		ip link add "kbr$ID" type bridge
		ip link set "$VA" master "kbr$ID"; ip link set "$VB" master "kbr$ID"
		ip link set "kbr$ID" up ;;
	kvick-rawsock|kvick-af_xdp|kvick-rawsock-keep)
		local app=${1#kvick-}; app=${app%-keep}
		"$KVICK" run "$KIO_ROOT/examples/kio-$app.topo" IF_A="$VA" IF_B="$VB" \
			OFFLOAD="$([ "${1%-keep}" = "$1" ] && echo wire || echo keep)" \
			--no-hugepages --cpu 1 --quiet ${KVICK_OPTS:-} >"$TMP/fwd.out" 2>&1 &
		FWD_PID=$! ;;
	kvick-tap|kvick-tap-keep)
		"$KVICK" run "$KIO_ROOT/examples/kio-tap.topo" TAP_A="$EA" TAP_B="$EB" \
			OFFLOAD="$([ "$1" = kvick-tap ] && echo wire || echo keep)" \
			--no-hugepages --cpu 1 --quiet ${KVICK_OPTS:-} >"$TMP/fwd.out" 2>&1 &
		FWD_PID=$! ;;
	testpmd-af_packet|testpmd-af_xdp)
		local v
		if [ "$1" = testpmd-af_packet ]; then
			v="--vdev=net_af_packet0,iface=$VA --vdev=net_af_packet1,iface=$VB"
		else
			v="--vdev=net_af_xdp0,iface=$VA,start_queue=0,queue_count=1"
			v+=" --vdev=net_af_xdp1,iface=$VB,start_queue=0,queue_count=1"
		fi
		dpdk-testpmd -l 0,1 --no-pci --file-prefix "kio$ID" $v -- --forward-mode=io \
			--auto-start --stats-period=5 --nb-cores=1 >"$TMP/fwd.out" 2>&1 &
		FWD_PID=$! ;;
	esac
	sleep 3
	if [ -n "$FWD_PID" ] && ! kill -0 "$FWD_PID" 2>/dev/null; then
		cat "$TMP/fwd.out" >&2; fail "$1 did not start"
	fi
}

stop_fwd() {
	case $FWD in
	bridge) ip link del "kbr$ID" 2>/dev/null || true ;;
	*) if [ -n "$FWD_PID" ]; then kill -INT "$FWD_PID" 2>/dev/null || true; wait "$FWD_PID" 2>/dev/null || true; fi ;;
	esac
	FWD_PID=; FWD=
	sleep 1.5   # an AF_XDP queue stays busy for about a second after close
}

offloads() { # on|off
	for x in "$NSA:$EA" "$NSB:$EB"; do
		ip netns exec "${x%%:*}" ethtool -K "${x#*:}" tx "$1" tso "$1" gso "$1" >/dev/null 2>&1
	done
}

# One measurement of each kind; a failure records 0 (TCP cannot cross).
measure() { # condition
	local c=$1 bps=0 pps=0
	if in_a ping -c 2 -i 0.2 -W 1 -q "$IPB" >/dev/null 2>&1; then
		in_b taskset -c 0 "$BLAST" recv 9000 $T_UDP >"$TMP/recv.out" &
		local rp=$!
		sleep 0.3
		in_a taskset -c 0 "$BLAST" send "$IPB" 9000 $((T_UDP + 1)) >"$TMP/send.out"
		wait "$rp" || true
		pps=$(awk '/received/ { printf "%.0f", $2 / $4 }' "$TMP/recv.out")
		in_b taskset -c 0 iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
		local sp=$!
		sleep 0.3
		if in_a timeout $((T_TCP + 8)) taskset -c 0 iperf3 -c "$IPB" -p 5201 -t $T_TCP -J >"$TMP/tcp.json" 2>/dev/null; then
			bps=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"])' "$TMP/tcp.json")
		fi
		kill "$sp" 2>/dev/null || true; wait "$sp" 2>/dev/null || true
	fi
	echo "$FWD $c tcp $bps" >>"$RES"
	echo "$FWD $c pps ${pps:-0}" >>"$RES"
	printf '  %-18s %-8s TCP %6.2f Gbit/s   UDP64 %9s pps\n' "$FWD" "$c" \
		"$(python3 -c "print($bps/1e9)")" "${pps:-0}" >&2
}

echo "bench/kio.sh: $(nproc) CPUs, $(uname -r), $REPS runs each" >&2
kio_setup_veths
kio_ns_up
for rep in $(seq "$REPS"); do
	for c in ${CONDS:-default off}; do
		if [ $c = default ]; then offloads on; else offloads off; fi
		for f in ${FWDS:-bridge kvick-rawsock kvick-rawsock-keep kvick-af_xdp testpmd-af_packet testpmd-af_xdp}; do
			# with offloads off there is no offload state to keep
			[ $c = off ] && [ $f = kvick-rawsock-keep ] && continue
			start_fwd $f
			measure $c
			stop_fwd
		done
	done
done
offloads on
# kvick tap: the namespaces talk to kvick's own TAP devices.
ip link del "$VA"; ip link del "$VB"
ip -n "$NSA" link del "$EA" 2>/dev/null || true; ip -n "$NSB" link del "$EB" 2>/dev/null || true
for rep in $(seq "$REPS"); do
	[ -n "${NOTAP:-}" ] && break
	for f in kvick-tap kvick-tap-keep; do
		start_fwd $f
		kio_adopt_taps
		kio_ns_up
		measure default
		stop_fwd
	done
done

python3 - "$RES" "$REPS" <<'PY'
import sys, statistics
rows = {}
for line in open(sys.argv[1]):
    f, c, k, v = line.split()
    rows.setdefault((f, c, k), []).append(float(v))
med = {key: statistics.median(v) for key, v in rows.items()}
def m(f, c, k): return med.get((f, c, k), 0.0)
print("| forwarder | offloads | TCP Gbit/s (median) | 64-byte UDP pps delivered (median) | runs (TCP Gbit/s; pps) |")
print("|---|---|---|---|---|")
for (f, c, k) in sorted({(f, c, "tcp") for (f, c, _) in rows}, key=lambda x: (x[1], x[0])):
    t, p = rows[(f, c, "tcp")], rows[(f, c, "pps")]
    print("| %s | %s | %.2f | %.0f | %s; %s |" % (f, c, m(f, c, "tcp") / 1e9, m(f, c, "pps"),
          " ".join("%.2f" % (x / 1e9) for x in t), " ".join("%.0f" % x for x in p)))
print()
def ratio(a, b): return "%.2fx" % (a / b) if b else "n/a (peer 0)"
for c in ("default", "off"):
    for kind in ("af_packet", "af_xdp"):
        k = "kvick-rawsock" if kind == "af_packet" else "kvick-af_xdp"
        print("- offloads %s, %s: kvick/testpmd TCP %s, pps %s" % (c, kind,
              ratio(m(k, c, "tcp"), m("testpmd-" + kind, c, "tcp")),
              ratio(m(k, c, "pps"), m("testpmd-" + kind, c, "pps"))))
    for k in ("kvick-rawsock", "kvick-af_xdp"):
        print("- offloads %s, %s/bridge: TCP %s, pps %s" % (c, k, ratio(m(k, c, "tcp"), m("bridge", c, "tcp")),
              ratio(m(k, c, "pps"), m("bridge", c, "pps"))))
PY
