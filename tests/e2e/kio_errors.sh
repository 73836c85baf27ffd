#!/usr/bin/env bash
# The kernel I/O apps refuse clearly: an interface that does not exist, one
# that is down, no permission, a bad parameter -- each error names the
# interface (and the topology line), and kvick exits 1 without starting.
set -euo pipefail
source "$(dirname "$0")/lib/kio.sh"
trap kio_cleanup EXIT
need ip setpriv
[ -x "$KVICK" ] || fail "$KVICK not built (make kvick)"

# expect STATUS PATTERN CLASS PARAMS [runner...]
expect() {
	local status=$1 pattern=$2 cls=$3 params=$4; shift 4
	printf 'app x %s %s\napp s sink\nlink x.output -> s.input\n' "$cls" "$params" >"$TMP/t.topo"
	chmod 644 "$TMP/t.topo"
	local rc=0
	"$@" "$KVICK" run "$TMP/t.topo" --no-hugepages --duration 1 --quiet >"$TMP/out" 2>&1 || rc=$?
	[ "$rc" -eq "$status" ] || { cat "$TMP/out" >&2; fail "$cls $params: exit $rc, expected $status"; }
	[ -z "$pattern" ] || grep -q -- "$pattern" "$TMP/out" || { cat "$TMP/out" >&2; fail "$cls $params: no '$pattern' in the error"; }
	[ "$status" -eq 0 ] || grep -q "t.topo:1" "$TMP/out" || { cat "$TMP/out" >&2; fail "$cls $params: error does not name the topology line"; }
	ok "$cls $params ${*:+(as $*) }-> exit $status: $(grep -m1 -- "$pattern" "$TMP/out" | cut -c1-150)"
}

ip link add "$VA" type veth peer name "$EA"   # both ends down
for cls in rawsock af_xdp; do
	expect 1 "interface nosuch$ID does not exist" $cls "ifname=nosuch$ID"
	expect 1 "interface $VA is down" $cls "ifname=$VA"
done
ip link set "$VA" up
chmod 755 "$TMP"   # the unprivileged run must read the topology
nobody="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all"
expect 1 "interface $VA: .*Operation not permitted (run as root" rawsock "ifname=$VA" $nobody
expect 1 "interface $VA: .*Operation not permitted" af_xdp "ifname=$VA" $nobody
expect 1 "interface kt$ID: cannot create the TAP device: Operation not permitted" tap "ifname=kt$ID" $nobody
expect 1 "mode=fast: expected auto, native or skb" af_xdp "ifname=$VA mode=fast"
expect 1 "interface $VA exists and is not a free TAP device" tap "ifname=$VA"
# A persistent TAP device is attached to, not re-created, and survives kvick.
ip tuntap add dev "kp$ID" mode tap
expect 0 "" tap "ifname=kp$ID"
ip link show "kp$ID" >/dev/null 2>&1 || fail "persistent TAP kp$ID vanished after kvick used it"
ok "tap attaches to a persistent TAP device (kp$ID) and leaves it in place"
ip tuntap del dev "kp$ID" mode tap
# A second XDP program on the same interface is refused while one is there.
ip link set "$EA" up
printf 'app x af_xdp ifname=%s\napp s sink\nlink x.output -> s.input\n' "$VA" >"$TMP/hold.topo"
"$KVICK" run "$TMP/hold.topo" --no-hugepages --duration 20 --quiet >"$TMP/hold.out" 2>&1 &
KVICK_PID=$!
sleep 1.5
expect 1 "interface $VA already has an XDP program attached" af_xdp "ifname=$VA"
kio_stop_quiet() { kill -INT "$KVICK_PID"; wait "$KVICK_PID" || fail "holder exited with an error"; KVICK_PID=; }
kio_stop_quiet
ip link show "$VA" | grep -q "xdp" && fail "XDP program left attached to $VA after kvick stopped"
ok "the XDP program is detached when kvick stops"
# Right after that socket closed, a new one on the same queue works (retries EBUSY).
expect 0 "af_xdp $VA queue 0: native mode" af_xdp "ifname=$VA"
echo "PASS kio_errors"
