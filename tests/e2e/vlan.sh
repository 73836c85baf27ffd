#!/usr/bin/env bash
# VLAN apps end to end: namespaces ping each other through kvick, and
# tcpdump -e on the trunk -- a veth pair kvick sends tagged frames over --
# shows the tags.  (This kernel has no 8021q module, so the namespaces
# cannot have VLAN interfaces of their own: kvick tags on both sides of
# the trunk instead.)
#
#   1. one kvick: ns1 <-> a -> vlan_tag (802.1ad VID 110 PCP 5) -> T1 ==trunk== T2
#      -> vlan_untag -> b <-> ns2, and back the same way.  Ping ns1 <-> ns2;
#      tcpdump on T2 and T1 sees every ICMP frame as 0x88a8 VID 110 PCP 5.
#   2. two kvicks, each running examples/vlan-trunk.topo (a vlan_mux
#      switch), joined by their trunks:  ns1 (VLAN 10) ns3 (VLAN 20) on one,
#      ns2 (VLAN 10) ns4 (VLAN 20) on the other, all in 10.210.0.0/24.
#      ns1 <-> ns2 and ns3 <-> ns4 ping; ns1 cannot reach ns4 (other VLAN);
#      tcpdump -e on the trunk shows 0x8100 VID 10 and VID 20 frames.
set -euo pipefail
cd "$(dirname "$0")/../.."
KVICK=${KVICK_BIN:-$PWD/kvick}
ID=$$
TMP=$(mktemp -d /tmp/vlan-e2e.XXXXXX)
NS=(); R=(); T1=vlt1$ID; T2=vlt2$ID
PIDS=()
fail() { echo "FAIL: $*" >&2; for f in "$TMP"/kvick*.out; do [ -f "$f" ] && tail -5 "$f" >&2; done; exit 1; }
ok() { echo "ok: $*"; }
cleanup() {
	set +e
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	for n in "${NS[@]}"; do ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null; ip netns del "$n"; done
	for r in "${R[@]}" "$T1"; do ip link del "$r" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
for c in ip ping tcpdump python3; do command -v $c >/dev/null || fail "$c is not installed (make deps)"; done
[ -x "$KVICK" ] || fail "$KVICK not built (make kvick)"

# Root-side veth ends carry no address and no IPv6, so the root kernel
# sends nothing on them: every frame is one kvick handled.
quiet_up() { sysctl -qw "net.ipv6.conf.$1.disable_ipv6=1"; ip link set "$1" up; }
for i in 1 2 3 4; do
	NS[$i]=vl$i$ID; R[$i]=vlr$i$ID
	ip netns add "${NS[$i]}"
	ip link add "${R[$i]}" type veth peer name eth0 netns "${NS[$i]}"
	quiet_up "${R[$i]}"
	ip -n "${NS[$i]}" link set lo up
	ip -n "${NS[$i]}" addr add "10.210.0.$i/24" dev eth0
	ip -n "${NS[$i]}" link set eth0 up
	# no IPv6 in the namespaces either: only the pings (and ARP) travel
	ip netns exec "${NS[$i]}" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done
ip link add "$T1" type veth peer name "$T2"
quiet_up "$T1"; quiet_up "$T2"

start() { # name topo vars...
	local name=$1 topo=$2; shift 2
	"$KVICK" run "$topo" "$@" --no-hugepages --duration 120 --report-json "$TMP/$name.json" \
		>"$TMP/kvick-$name.out" 2>&1 &
	PIDS+=($!)
	echo $! >"$TMP/$name.pid"
}
stop_all() {
	sleep 0.3
	for p in "${PIDS[@]}"; do kill -INT "$p"; wait "$p" || fail "kvick $p exited with an error"; done
	PIDS=()
}
started() { sleep 1.5; for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null || fail "kvick exited at start"; done; }
TD=()
capture() { # dev file: what arrives on dev (sent by kvick on its peer)
	timeout 30 tcpdump -i "$1" -e -nn -l -Q in >"$2" 2>"$2.err" &
	TD+=($!)
}
capture_end() { sleep 0.5; for p in "${TD[@]}"; do kill -INT "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; TD=(); }
ping_ok() { # from-ns-index addr
	local n=${NS[$1]}
	for _ in $(seq 25); do ip netns exec "$n" ping -c1 -W1 -q "$2" >/dev/null 2>&1 && break; sleep 0.2; done
	ip netns exec "$n" ping -c 3 -i 0.2 -W 2 -q "$2" >"$TMP/p" || fail "ping $2 from ns$1: $(tail -2 "$TMP/p")"
}
has() { # file count regex
	local n; n=$(grep -Ec "$3" "$1" || true)
	[ "$n" -ge "$2" ] || { cat "$1" >&2; fail "expected $2+ lines matching '$3' in $1, found $n"; }
}
report() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["apps"][sys.argv[2]][sys.argv[3]])' "$TMP/$1.json" "$2" "$3"; }

# ---- 1. vlan_tag / vlan_untag over an 802.1ad trunk ----
cat >"$TMP/tagged.topo" <<'TOPO'
app a rawsock ifname=${A}
app b rawsock ifname=${B}
app t1 rawsock ifname=${T1}
app t2 rawsock ifname=${T2}
app tag_a vlan_tag vid=110 pcp=5 tpid=0x88a8
app untag_a vlan_untag vid=110 tpid=0x88a8
app tag_b vlan_tag vid=110 pcp=5 tpid=0x88a8
app untag_b vlan_untag vid=110 tpid=0x88a8
link a.output -> tag_a.input
link tag_a.output -> t1.input
link t2.output -> untag_b.input
link untag_b.output -> b.input
link b.output -> tag_b.input
link tag_b.output -> t2.input
link t1.output -> untag_a.input
link untag_a.output -> a.input
TOPO
"$KVICK" check "$TMP/tagged.topo" A="${R[1]}" B="${R[2]}" T1="$T1" T2="$T2" >/dev/null || fail "kvick check"
capture "$T2" "$TMP/t2.txt"; capture "$T1" "$TMP/t1.txt"
start tagged "$TMP/tagged.topo" A="${R[1]}" B="${R[2]}" T1="$T1" T2="$T2"
started
ping_ok 1 10.210.0.2
ping_ok 2 10.210.0.1
capture_end
stop_all
# "... ethertype 802.1Q-QinQ (0x88a8), length 102: vlan 110, p 5, ethertype IPv4 (0x0800), 10.210.0.1 > 10.210.0.2: ICMP echo request"
has "$TMP/t2.txt" 3 'ethertype 802\.1Q-QinQ \(0x88a8\).* vlan 110, p 5, ethertype IPv4.* 10\.210\.0\.1 > 10\.210\.0\.2: ICMP echo request'
has "$TMP/t1.txt" 3 'ethertype 802\.1Q-QinQ \(0x88a8\).* vlan 110, p 5, ethertype IPv4.* 10\.210\.0\.2 > 10\.210\.0\.1: ICMP echo request'
has "$TMP/t1.txt" 3 'vlan 110, p 5, ethertype IPv4.* 10\.210\.0\.2 > 10\.210\.0\.1: ICMP echo reply'
has "$TMP/t2.txt" 1 'vlan 110, p 5, ethertype ARP'
untagged=$(cat "$TMP/t1.txt" "$TMP/t2.txt" | grep -v '^$' | grep -vc 'vlan 110, p 5' || true)
[ "$untagged" -eq 0 ] || fail "$untagged frames on the trunk without the S-tag"
ok "tcpdump -e on the trunk: every frame (ICMP both ways, ARP) is 802.1ad VID 110 PCP 5"
for s in a b; do
	[ "$(report tagged tag_$s tagged)" -ge 6 ] || fail "tag_$s tagged fewer than 6"
	[ "$(report tagged untag_$s untagged)" -ge 6 ] || fail "untag_$s untagged fewer than 6"
	[ "$(report tagged untag_$s dropped)" -eq 0 ] || fail "untag_$s dropped frames"
done
ok "ping both ways through vlan_tag/vlan_untag; tagged $(report tagged tag_a tagged)+$(report tagged tag_b tagged), none dropped"

# ---- 2. two vlan_mux switches (examples/vlan-trunk.topo) joined by a trunk ----
capture "$T2" "$TMP/m2.txt"; capture "$T1" "$TMP/m1.txt"
start sw1 examples/vlan-trunk.topo TRUNK="$T1" ACCESS_10="${R[1]}" ACCESS_20="${R[3]}"
start sw2 examples/vlan-trunk.topo TRUNK="$T2" ACCESS_10="${R[2]}" ACCESS_20="${R[4]}"
started
ping_ok 1 10.210.0.2
ping_ok 3 10.210.0.4
ip netns exec "${NS[1]}" ping -c 2 -i 0.3 -W 1 -q 10.210.0.4 >/dev/null 2>&1 &&
	fail "ns1 (VLAN 10) reached ns4 (VLAN 20)"
ok "VLAN 10 (ns1 <-> ns2) and VLAN 20 (ns3 <-> ns4) ping; ns1 cannot reach ns4"
capture_end
stop_all
has "$TMP/m2.txt" 3 'ethertype 802\.1Q \(0x8100\).* vlan 10, p 0, ethertype IPv4.* 10\.210\.0\.1 > 10\.210\.0\.2: ICMP echo request'
has "$TMP/m1.txt" 3 'ethertype 802\.1Q \(0x8100\).* vlan 10, p 0, ethertype IPv4.* 10\.210\.0\.2 > 10\.210\.0\.1: ICMP echo reply'
has "$TMP/m2.txt" 3 'ethertype 802\.1Q \(0x8100\).* vlan 20, p 0, ethertype IPv4.* 10\.210\.0\.3 > 10\.210\.0\.4: ICMP echo request'
has "$TMP/m1.txt" 3 'ethertype 802\.1Q \(0x8100\).* vlan 20, p 0, ethertype IPv4.* 10\.210\.0\.4 > 10\.210\.0\.3: ICMP echo reply'
has "$TMP/m2.txt" 1 'vlan 10, p 0, ethertype ARP.* Request who-has 10\.210\.0\.4'
! grep -q 'vlan 20.*who-has 10\.210\.0\.4 tell 10\.210\.0\.1' "$TMP/m2.txt" || fail "ns1's ARP leaked into VLAN 20"
ok "tcpdump -e on the trunk: VLAN 10 and VLAN 20 frames each carry their 802.1Q tag"
for s in sw1 sw2; do
	ft=$(report $s mux from_trunk); tt=$(report $s mux to_trunk)
	[ "$tt" -ge 6 ] && [ "$ft" -ge 6 ] || fail "$s mux: from_trunk $ft to_trunk $tt"
done
ok "vlan_mux counters: sw1 to_trunk $(report sw1 mux to_trunk) from_trunk $(report sw1 mux from_trunk); sw2 to_trunk $(report sw2 mux to_trunk) from_trunk $(report sw2 mux from_trunk)"
echo "PASS vlan"
