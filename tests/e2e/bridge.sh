#!/usr/bin/env bash
# The bridge app with real kernel traffic: three network namespaces, each
# joined to the root namespace by a veth pair; kvick bridges the three
# root-side ends (examples/bridge-kernel.topo, rawsock apps).  Checks:
#   - ping works between every pair of namespaces;
#   - after learning, unicast between A and B does not reach C (tcpdump in C
#     sees the ARP broadcast but none of the ICMP echoes);
#   - the bridge accounts for every frame it received (forwarded + flooded +
#     filtered + runts + no_ports = frames in), and nothing leaked.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/e2e/lib/ping.sh
KVICK=${KVICK_BIN:-$PWD/kvick}
ID=$$
TMP=$(mktemp -d /tmp/kvick-bridge.XXXXXX)
KPID=
NS=(bra$ID brb$ID brc$ID)
RV=(kba$ID kbb$ID kbc$ID)     # root-side veth ends, given to kvick
IP=(10.201.0.1 10.201.0.2 10.201.0.3)

cleanup() {
	set +e
	[ -n "$KPID" ] && kill "$KPID" 2>/dev/null && wait "$KPID" 2>/dev/null
	for i in 0 1 2; do
		ip netns pids "${NS[$i]}" 2>/dev/null | xargs -r kill 2>/dev/null
		ip link del "${RV[$i]}" 2>/dev/null
		ip netns del "${NS[$i]}" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$TMP/kvick.out" ] && tail -20 "$TMP/kvick.out"; exit 1; }

for i in 0 1 2; do
	ip netns add "${NS[$i]}"
	ip link add "${RV[$i]}" type veth peer name e0 netns "${NS[$i]}"
	# The root side carries no address and no IPv6, so the root kernel
	# sends nothing on it: every frame there is the namespaces' own.
	sysctl -qw "net.ipv6.conf.${RV[$i]}.disable_ipv6=1"
	ip link set "${RV[$i]}" up
	ip -n "${NS[$i]}" link set lo up
	ip -n "${NS[$i]}" addr add "${IP[$i]}/24" dev e0
	ip netns exec "${NS[$i]}" sysctl -qw net.ipv6.conf.e0.disable_ipv6=1
done

"$KVICK" run examples/bridge-kernel.topo IF0="${RV[0]}" IF1="${RV[1]}" IF2="${RV[2]}" \
	--duration 120 --report-json "$TMP/report.json" >"$TMP/kvick.out" 2>&1 &
KPID=$!
sleep 1
kill -0 "$KPID" 2>/dev/null || fail "kvick did not start"
for i in 0 1 2; do ip -n "${NS[$i]}" link set e0 up; done

# Every pair, both ways.
for a in 0 1 2; do
	for b in 0 1 2; do
		[ "$a" = "$b" ] && continue
		ping_exact 2 "$TMP/ping.out" ip netns exec "${NS[$a]}" ping -c 2 -i 0.2 -W 2 "${IP[$b]}" ||
			fail "ping ${IP[$a]} -> ${IP[$b]} through the bridge: $(ping_summary "$TMP/ping.out")"
	done
done
echo "ok: ping between all three namespaces through kvick's bridge"

# Unicast between A and B must not be flooded to C once both are learned.
ip netns exec "${NS[2]}" timeout 10 tcpdump -i e0 -nn -l icmp >"$TMP/c.icmp" 2>/dev/null &
TD=$!
sleep 1
ping_exact 20 "$TMP/ping.out" ip netns exec "${NS[0]}" ping -c 20 -i 0.05 -W 2 "${IP[1]}" ||
	fail "ping A -> B: $(ping_summary "$TMP/ping.out")"
sleep 0.5
kill "$TD" 2>/dev/null; wait "$TD" 2>/dev/null || true
leaked=$(grep -c "ICMP echo" "$TMP/c.icmp" || true)
[ "$leaked" = 0 ] || fail "C saw $leaked ICMP frames of A<->B unicast: the bridge flooded them"
echo "ok: 20 pings A -> B, none of them seen in C (learned, not flooded)"

for i in 0 1 2; do ip -n "${NS[$i]}" link set e0 down; done
kill -TERM "$KPID"
wait "$KPID" || fail "kvick exited with an error"
KPID=

python3 - "$TMP/report.json" <<'PY' || fail "report check"
import json, sys
r = json.load(open(sys.argv[1]))
br = r["apps"]["br"]
links_in = [v for k, v in r["links"].items() if k.endswith("-> br.port0") or
            k.endswith("-> br.port1") or k.endswith("-> br.port2")]
frames_in = sum(l["rxpackets"] for l in links_in)
handled = br["forwarded"] + br["flooded"] + br["filtered"] + br["runts"] + br["no_ports"]
assert frames_in == handled, f"bridge received {frames_in}, accounted for {handled}: {br}"
assert br["learned"] >= 3, br
assert br["forwarded"] >= 20 and br["flooded"] >= 3, br
assert r["packets"]["allocated"] == r["packets"]["free"], r["packets"]
print(f"ok: bridge received {frames_in} frames = {br['forwarded']} forwarded + "
      f"{br['flooded']} flooded + {br['filtered']} filtered + {br['runts']} runts; "
      f"{br['learned']} addresses learned; no packet leaked")
PY
echo "bridge: all checks passed"
