# kio_lib.sh -- shared setup for the kernel I/O end-to-end tests (sourced).
#
# Two network namespaces, each joined to the root namespace by a veth pair:
#
#   [ns $NSA: $EA 10.200.0.1 fd00:200::1] <-veth-> $VA  (root)
#   [ns $NSB: $EB 10.200.0.2 fd00:200::2] <-veth-> $VB  (root)
#
# kvick, in the root namespace, cross-connects $VA and $VB.  The root-side
# ends carry no addresses and have IPv6 disabled, so the root kernel
# originates no frames on them: every frame on $VA/$VB is the namespaces'
# or kvick's, which makes the counters add up exactly.
#
# Everything is named with the caller's PID and removed by kio_cleanup
# (the caller traps it on EXIT).

KVICK=${KVICK_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/kvick}
ID=$$
NSA=kioa$ID; NSB=kiob$ID
VA=kva$ID; VB=kvb$ID; EA=kea$ID; EB=keb$ID
IPA=10.200.0.1; IPB=10.200.0.2; IP6A=fd00:200::1; IP6B=fd00:200::2
TMP=$(mktemp -d /tmp/kio-e2e.XXXXXX)
KVICK_PID=

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

kio_cleanup() {
	set +e
	if [ -n "$KVICK_PID" ] && kill -0 "$KVICK_PID" 2>/dev/null; then
		kill "$KVICK_PID"; wait "$KVICK_PID" 2>/dev/null
	fi
	for p in $(jobs -p); do kill "$p" 2>/dev/null; done
	ip netns pids "$NSA" 2>/dev/null | xargs -r kill 2>/dev/null
	ip netns pids "$NSB" 2>/dev/null | xargs -r kill 2>/dev/null
	ip link del "$VA" 2>/dev/null; ip link del "$VB" 2>/dev/null
	ip netns del "$NSA" 2>/dev/null; ip netns del "$NSB" 2>/dev/null
	rm -rf "$TMP"
}

# Configure the inside of a namespace: address on $2, loopback up.
ns_addr() { # ns dev ip4 ip6
	ip -n "$1" link set lo up
	ip -n "$1" addr add "$3/24" dev "$2"
	ip -n "$1" addr add "$4/64" dev "$2" nodad
	ip -n "$1" link set "$2" up
}

# The two namespaces and veth pairs, default offloads untouched.
kio_setup_veths() {
	ip netns add "$NSA"; ip netns add "$NSB"
	ip link add "$VA" type veth peer name "$EA" netns "$NSA"
	ip link add "$VB" type veth peer name "$EB" netns "$NSB"
	for v in "$VA" "$VB"; do
		sysctl -qw "net.ipv6.conf.$v.disable_ipv6=1"
		ip link set "$v" up
	done
	ns_addr "$NSA" "$EA" "$IPA" "$IP6A"
	ns_addr "$NSB" "$EB" "$IPB" "$IP6B"
}

# Start kvick on a topology file (variables after it); wait until its
# apps are up (the namespaces can reach each other: one ping).
kio_start() { # topo duration var=value...
	local topo=$1 dur=$2; shift 2
	"$KVICK" run "$topo" --duration "$dur" --report-json "$TMP/report.json" "$@" \
		>"$TMP/kvick.out" 2>&1 &
	KVICK_PID=$!
}

kio_wait_ping() { # wait up to 10 s for A to reach B
	for _ in $(seq 50); do
		kill -0 "$KVICK_PID" 2>/dev/null || { cat "$TMP/kvick.out" >&2; fail "kvick exited early"; }
		ip netns exec "$NSA" ping -c1 -W1 -q "$IPB" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	cat "$TMP/kvick.out" >&2
	fail "no connectivity through kvick after 10 s"
}

kio_stop() { # stop kvick, wait for its report
	kill -INT "$KVICK_PID"
	wait "$KVICK_PID" || { cat "$TMP/kvick.out" >&2; fail "kvick exited with an error"; }
	KVICK_PID=
	[ -s "$TMP/report.json" ] || fail "no JSON report"
}

# Interface counter from sysfs (root namespace).
ifstat() { cat "/sys/class/net/$1/statistics/$2"; }
