#!/usr/bin/env bash
# Real kernel traffic through the real 82599 driver on the model:
#
#   netns A: kvtaN (TAP) == model port sim:0 -- intel a --\
#                                                          kvick forwards
#   netns B: kvtbN (TAP) == model port sim:1 -- intel b --/
#
# kvick runs a topology that forwards a.output -> b.input and back; the
# two namespaces are one IP subnet.  Checks: ping both ways, an iperf3 TCP
# run from A to B, and kvick's report (both ports saw traffic, no device
# resets).  Needs root, ip, ping, iperf3.
#
# KVICK_TAP_MODEL=x710 runs the same checks on the X710 model and driver
# (tests/e2e/x710_tap.sh does that).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/e2e/lib/ping.sh
KVICK=${KVICK_BIN:-$PWD/kvick}
model=${KVICK_TAP_MODEL:-82599}
opt=""; me=ixgbe_tap
if [ "$model" = x710 ]; then opt="model=x710,"; me=x710_tap; fi

if [ "$(id -u)" != 0 ]; then echo "$me: needs root (TAP devices, namespaces)"; exit 1; fi
for t in ip ping iperf3; do
	command -v "$t" >/dev/null || { echo "$me: $t is missing (make deps)"; exit 1; }
done
[ -x "$KVICK" ] || { echo "$me: $KVICK not built (make kvick)"; exit 1; }

id=$$
nsa=kvixA$id nsb=kvixB$id
tapa=kvta$id tapb=kvtb$id
work=$(mktemp -d /tmp/$me.XXXXXX)
kpid=""

cleanup() {
	set +e
	[ -n "$kpid" ] && kill -TERM "$kpid" 2>/dev/null && wait "$kpid" 2>/dev/null
	ip netns pids "$nsb" 2>/dev/null | xargs -r kill 2>/dev/null
	ip netns del "$nsa" 2>/dev/null
	ip netns del "$nsb" 2>/dev/null
	ip link del "$tapa" 2>/dev/null
	ip link del "$tapb" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/tap.topo" <<TOPO
# two model ports, each wired to a TAP device; kvick forwards between them
app a intel pci=sim:0/${opt}tap=$tapa promisc=true wait_link=3000
app b intel pci=sim:1/${opt}tap=$tapb promisc=true wait_link=3000
link a.output -> b.input
link b.output -> a.input
TOPO

ip netns add "$nsa"
ip netns add "$nsb"

"$KVICK" run "$work/tap.topo" --duration 60 >"$work/kvick.out" 2>&1 &
kpid=$!

# The model creates the TAP devices when the ports open.
for _ in $(seq 100); do
	ip link show "$tapa" >/dev/null 2>&1 && ip link show "$tapb" >/dev/null 2>&1 && break
	kill -0 "$kpid" 2>/dev/null || { cat "$work/kvick.out"; echo "$me: kvick exited early"; exit 1; }
	sleep 0.1
done
ip link show "$tapa" >/dev/null && ip link show "$tapb" >/dev/null
echo "ok: kvick opened sim:0 and sim:1 on TAP devices $tapa and $tapb"

# A TAP keeps its file (the model's end) when it moves to another namespace.
ip link set "$tapa" netns "$nsa"
ip link set "$tapb" netns "$nsb"
ip -n "$nsa" addr add 10.77.0.1/24 dev "$tapa"
ip -n "$nsb" addr add 10.77.0.2/24 dev "$tapb"
ip -n "$nsa" link set "$tapa" up
ip -n "$nsb" link set "$tapb" up
ip -n "$nsa" link set lo up
ip -n "$nsb" link set lo up

ping_exact 3 "$work/ping_ab.out" ip netns exec "$nsa" ping -c 3 -W 2 10.77.0.2 ||
	{ echo "FAIL: ping A -> B: $(ping_summary "$work/ping_ab.out")"; exit 1; }
echo "ok: ping A -> B ($(ping_summary "$work/ping_ab.out"))"
ping_exact 3 "$work/ping_ba.out" ip netns exec "$nsb" ping -c 3 -W 2 10.77.0.1 ||
	{ echo "FAIL: ping B -> A: $(ping_summary "$work/ping_ba.out")"; exit 1; }
echo "ok: ping B -> A ($(ping_summary "$work/ping_ba.out"))"

ip netns exec "$nsb" iperf3 -s -1 -B 10.77.0.2 >"$work/iperf_s.out" 2>&1 &
sleep 0.5
ip netns exec "$nsa" timeout 30 iperf3 -c 10.77.0.2 -t 3 -J >"$work/iperf.json"
bps=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(int(d["end"]["sum_received"]["bits_per_second"]))' "$work/iperf.json")
[ "$bps" -gt 0 ] || { echo "$me: iperf3 moved nothing"; exit 1; }
echo "ok: iperf3 TCP A -> B: $((bps / 1000000)) Mbit/s"

kill -TERM "$kpid"
wait "$kpid" || { cat "$work/kvick.out"; echo "$me: kvick failed"; exit 1; }
kpid=""
rx_a=$(grep -o 'a (intel)[^ ]* rxpackets=[0-9]*' "$work/kvick.out" | grep -o '[0-9]*$' || true)
rx_b=$(grep -o 'b (intel)[^ ]* rxpackets=[0-9]*' "$work/kvick.out" | grep -o '[0-9]*$' || true)
resets=$(grep -o 'resets=[0-9]*' "$work/kvick.out" | grep -v 'resets=0' || true)
if [ -z "$rx_a" ] || [ -z "$rx_b" ] || [ "$rx_a" -eq 0 ] || [ "$rx_b" -eq 0 ] || [ -n "$resets" ]; then
	cat "$work/kvick.out"
	echo "$me: kvick's report does not show traffic on both ports (a=$rx_a b=$rx_b) or shows resets"
	exit 1
fi
echo "ok: kvick's report: port a received $rx_a frames, port b $rx_b, no device resets"
if [ "$model" = x710 ]; then
	grep -q 'X710 firmware .* admin queue API 1\.' "$work/kvick.out" || { cat "$work/kvick.out"; echo "$me: the i40e driver did not report the firmware"; exit 1; }
	echo "ok: both ports ran the i40e driver ($(grep -c 'X710 firmware' "$work/kvick.out") firmware greetings)"
fi
echo "$me: all checks passed"
