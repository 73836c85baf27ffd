# lib/kio.sh -- shared steps of the kernel I/O end-to-end tests (sourced,
# not a test itself: tests/run.sh runs only tests/e2e/*.sh, not lib/; this
# one defines functions only).
#
# Two network namespaces; kvick, in the root namespace, joins them:
#
#   veth mode (rawsock, af_xdp):
#     [ns $NSA: $EA 10.200.0.1 fd00:200::1] <-veth-> $VA (root) = kvick app a
#     [ns $NSB: $EB 10.200.0.2 fd00:200::2] <-veth-> $VB (root) = kvick app b
#   tap mode: kvick creates TAP devices $EA and $EB; the test moves them
#     into the namespaces, so the namespaces' stacks talk to kvick directly.
#
# The root-side veth ends carry no address and have IPv6 disabled, so the
# root kernel originates no frame on them; the namespace ends stay down
# until kvick is listening and go down again before it stops.  So every
# frame the interfaces count is one kvick saw, and the counters must agree
# exactly (kio_check_conservation).  Offloads are left at their defaults.
#
# Everything is named with the test's PID and removed by kio_cleanup (the
# test traps it on EXIT).  Every wait is bounded.

source "$(dirname "${BASH_SOURCE[0]}")/ping.sh"

KIO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
KVICK=${KVICK_BIN:-$KIO_ROOT/kvick}
ID=$$
NSA=kioa$ID; NSB=kiob$ID
VA=kva$ID; VB=kvb$ID; EA=kea$ID; EB=keb$ID
IPA=10.200.0.1; IPB=10.200.0.2; IP6A=fd00:200::1; IP6B=fd00:200::2
TMP=$(mktemp -d /tmp/kio-e2e.XXXXXX)
KVICK_PID=
MODE=veth

fail() { echo "FAIL: $*" >&2; [ -f "$TMP/kvick.out" ] && tail -5 "$TMP/kvick.out" >&2; exit 1; }
ok() { echo "ok: $*"; }
need() { for c in "$@"; do command -v "$c" >/dev/null || fail "$c is not installed (make deps)"; done; }

kio_cleanup() {
	set +e
	if [ -n "$KVICK_PID" ] && kill -0 "$KVICK_PID" 2>/dev/null; then
		kill "$KVICK_PID"; wait "$KVICK_PID" 2>/dev/null
	fi
	for ns in "$NSA" "$NSB"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
	done
	ip link del "$VA" 2>/dev/null; ip link del "$VB" 2>/dev/null; ip link del "kp$ID" 2>/dev/null
	ip netns del "$NSA" 2>/dev/null; ip netns del "$NSB" 2>/dev/null
	rm -rf "$TMP"
}

in_a() { ip netns exec "$NSA" "$@"; }
in_b() { ip netns exec "$NSB" "$@"; }

# Addresses on a namespace's interface, left down (kio_ns_up brings it up).
ns_config() { # ns dev ip4 ip6
	ip -n "$1" link set lo up
	ip -n "$1" addr add "$3/24" dev "$2"
	ip -n "$1" addr add "$4/64" dev "$2" nodad
}
kio_ns_up() { ip -n "$NSA" link set "$EA" up; ip -n "$NSB" link set "$EB" up; }
kio_ns_down() { ip -n "$NSA" link set "$EA" down; ip -n "$NSB" link set "$EB" down; }

# Namespaces and veth pairs (one queue each: af_xdp binds queue 0).
kio_setup_veths() {
	MODE=veth
	ip netns add "$NSA"; ip netns add "$NSB"
	ip link add "$VA" numtxqueues 1 numrxqueues 1 type veth peer name "$EA" netns "$NSA" \
		numtxqueues 1 numrxqueues 1
	ip link add "$VB" numtxqueues 1 numrxqueues 1 type veth peer name "$EB" netns "$NSB" \
		numtxqueues 1 numrxqueues 1
	for v in "$VA" "$VB"; do
		sysctl -qw "net.ipv6.conf.$v.disable_ipv6=1"
		ip link set "$v" up
	done
	ns_config "$NSA" "$EA" "$IPA" "$IP6A"
	ns_config "$NSB" "$EB" "$IPB" "$IP6B"
}

kio_setup_namespaces_only() {
	MODE=tap
	ip netns add "$NSA"; ip netns add "$NSB"
}

# After kvick created the TAP devices $EA/$EB: move them into the namespaces.
kio_adopt_taps() {
	for _ in $(seq 50); do
		[ -e "/sys/class/net/$EA" ] && [ -e "/sys/class/net/$EB" ] && break
		sleep 0.1
	done
	[ -e "/sys/class/net/$EB" ] || fail "kvick did not create the TAP devices"
	ip link set "$EA" netns "$NSA"; ip link set "$EB" netns "$NSB"
	ns_config "$NSA" "$EA" "$IPA" "$IP6A"
	ns_config "$NSB" "$EB" "$IPB" "$IP6B"
}

# kvick in the background; returns once its apps have been created.
kio_start() { # topo var=value...
	local topo=$1; shift
	"$KVICK" run "$topo" "$@" OFFLOAD="${KIO_OFFLOAD:-wire}" --no-hugepages --duration 300 \
		--report-json "$TMP/report.json" >"$TMP/kvick.out" 2>&1 &
	KVICK_PID=$!
	sleep 1.5
	kill -0 "$KVICK_PID" 2>/dev/null || { cat "$TMP/kvick.out" >&2; KVICK_PID=; fail "kvick exited at start"; }
}

kio_stop() { # SIGINT, then the report must be there
	kill -INT "$KVICK_PID"
	local rc=0
	wait "$KVICK_PID" || rc=$?
	KVICK_PID=
	[ $rc -eq 0 ] || { cat "$TMP/kvick.out" >&2; fail "kvick exited with status $rc"; }
	[ -s "$TMP/report.json" ] || fail "kvick wrote no JSON report"
}

kio_wait_ping() { # until A reaches B, at most 10 s
	for _ in $(seq 50); do
		in_a ping -c1 -W1 -q "$IPB" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	fail "no IPv4 connectivity through kvick after 10 s"
}

# Interface counters as "dev.stat value" lines, read in the device's
# namespace (ns "" = root).
kio_snapshot() { # file ns:dev...
	local out=$1; shift
	: >"$out"
	for nd in "$@"; do
		local ns=${nd%%:*} dev=${nd#*:}
		for st in rx_packets tx_packets rx_bytes tx_bytes rx_dropped tx_dropped; do
			if [ -n "$ns" ]; then v=$(ip netns exec "$ns" cat "/sys/class/net/$dev/statistics/$st")
			else v=$(cat "/sys/class/net/$dev/statistics/$st"); fi
			echo "$dev.$st $v" >>"$out"
		done
	done
}

# ---- traffic checks ----

kio_check_ping() {
	ping_exact 5 "$TMP/p" in_a ping -c 5 -i 0.2 -W 2 -q "$IPB" || fail "ping $IPA -> $IPB: $(ping_summary "$TMP/p")"
	ping_exact 5 "$TMP/p" in_b ping -c 5 -i 0.2 -W 2 -q "$IPA" || fail "ping $IPB -> $IPA: $(ping_summary "$TMP/p")"
	ok "IPv4 ping both ways, 5/5 each"
	ping_exact 5 "$TMP/p" in_a ping -6 -c 5 -i 0.2 -W 2 -q "$IP6B" || fail "ping $IP6A -> $IP6B: $(ping_summary "$TMP/p")"
	ping_exact 5 "$TMP/p" in_b ping -6 -c 5 -i 0.2 -W 2 -q "$IP6A" || fail "ping $IP6B -> $IP6A: $(ping_summary "$TMP/p")"
	ok "IPv6 ping both ways, 5/5 each"
}

# iperf3 TCP A->B (with tcpdump on B looking at what arrives), B->A, and
# IPv6; UDP both ways.  Prints throughputs.
kio_check_iperf() {
	in_b iperf3 -s -D -p 5201 -I "$TMP/iperf.pid" >/dev/null 2>&1
	sleep 0.5
	# Only frames that came in through kvick: B's own are checksum-partial.
	in_b timeout 15 tcpdump -i "$EB" -Q in -nn -s 0 -c 3000 -w "$TMP/b.pcap" \
		tcp or udp or icmp or icmp6 2>"$TMP/tcpdump.err" &
	local tdpid=$!
	sleep 1
	in_a timeout 20 iperf3 -c "$IPB" -p 5201 -t 3 -J >"$TMP/tcp.json" || fail "iperf3 TCP A->B did not complete"
	local tcp=$(python3 -c 'import json,sys;print("%.2f"%(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]/1e9))' "$TMP/tcp.json")
	ok "iperf3 TCP A->B over IPv4 completed: $tcp Gbit/s"
	in_a timeout 20 iperf3 -c "$IPB" -p 5201 -t 2 -R -J >"$TMP/tcpr.json" || fail "iperf3 TCP B->A did not complete"
	ok "iperf3 TCP B->A (reverse) completed: $(python3 -c 'import json,sys;print("%.2f"%(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]/1e9))' "$TMP/tcpr.json") Gbit/s"
	in_a timeout 20 iperf3 -6 -c "$IP6B" -p 5201 -t 2 -J >"$TMP/tcp6.json" || fail "iperf3 TCP over IPv6 did not complete"
	ok "iperf3 TCP A->B over IPv6 completed: $(python3 -c 'import json,sys;print("%.2f"%(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]/1e9))' "$TMP/tcp6.json") Gbit/s"
	for dir in "" "-R"; do
		in_a timeout 20 iperf3 -c "$IPB" -p 5201 -u -b 50M -t 2 $dir -J >"$TMP/udp.json" || fail "iperf3 UDP $dir did not complete"
		python3 - "$TMP/udp.json" "$dir" <<'PY' || exit 1
import json, sys
s = json.load(open(sys.argv[1]))["end"]["sum"]
print("ok: iperf3 UDP %s at 50 Mbit/s completed: %d datagrams, %.2f%% lost" % (
    "B->A" if sys.argv[2] else "A->B", s["packets"], s["lost_percent"]))
# Completion is the point; on a loaded 2-core machine a receiver can fall
# behind, and conservation below accounts for every frame kvick handled.
if s["packets"] == 0 or s["lost_percent"] > 20:
    print("FAIL: UDP lost too much", file=sys.stderr); sys.exit(1)
PY
	done
	kill "$(cat "$TMP/iperf.pid")" 2>/dev/null || true
	kill -INT "$tdpid" 2>/dev/null || true
	wait "$tdpid" 2>/dev/null || true
	# offload=keep hands partial checksums on to the far kernel on purpose.
	[ "${KIO_OFFLOAD:-wire}" = keep ] && return 0
	tcpdump -r "$TMP/b.pcap" -nn -vv 2>/dev/null >"$TMP/b.txt"
	local bad good
	bad=$(grep -Eci 'incorrect|bad (udp |tcp )?cksum' "$TMP/b.txt" || true)
	good=$(grep -Ec '\(correct\)|sum ok' "$TMP/b.txt" || true)
	[ "$good" -gt 100 ] || fail "tcpdump on $EB verified only $good checksums"
	[ "$bad" -eq 0 ] || { grep -Ei 'incorrect|bad' "$TMP/b.txt" | head -3 >&2; fail "tcpdump on $EB saw $bad bad checksums"; }
	ok "tcpdump -vv in $NSB: $good frames from kvick with correct checksums, 0 incorrect"
}

# kvick's counters against the interfaces' (before/after snapshots).
# veth mode: kvick app a reads $VA, b writes $VB (and the reverse);
# tap mode: the TAP device's tx is what kvick reads, its rx what kvick wrote.
kio_check_conservation() { # before after
	python3 - "$TMP/report.json" "$1" "$2" "$MODE" "$VA" "$VB" "$EA" "$EB" <<'PY'
import json, sys
rep, f0, f1, mode = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3], sys.argv[4]
va, vb, ea, eb = sys.argv[5:9]
def load(f): return {l.split()[0]: int(l.split()[1]) for l in open(f)}
s0, s1 = load(f0), load(f1)
d = lambda k: s1[k] - s0[k]
apps, links = rep["apps"], rep["links"]
errors = []
def eq(what, a, b):
    print("  %-58s %12d %s %12d" % (what, a, "==" if a == b else "!=", b))
    if a != b: errors.append(what)
for me, peer, dev_in, dev_out in (("a", "b", va if mode == "veth" else ea, vb if mode == "veth" else eb),
                                  ("b", "a", vb if mode == "veth" else eb, va if mode == "veth" else ea)):
    A, B = apps[me], apps[peer]
    L = links["%s.output -> %s.input" % (me, peer)]
    # 1. what the interface handed over = what kvick read (+ kernel ring drops)
    got = "tx_packets" if mode == "tap" else "rx_packets"
    eq("%s: frames %s delivered (%s) = %s.rxframes + drop_kernel" % (dev_in, "tap" if mode == "tap" else "veth", got, me),
       d(dev_in + "." + got), A["rxframes"] + A.get("drop_kernel", 0))
    # 2. inside kvick: packets out of a = link in = b's tx + drops
    eq("%s.rxpackets = link %s->%s txpackets + txdrop" % (me, me, peer), A["rxpackets"], L["txpackets"] + L["txdrop"])
    eq("link %s->%s rxpackets = %s.txpackets + tx drops" % (me, peer, peer), L["rxpackets"] + L["drained"],
       B["txpackets"] + B.get("drop_txerror", 0) + B.get("drop_stopped", 0) + B.get("drop_toolong", 0))
    # 3. what kvick sent = what the other interface counts
    put = "rx_packets" if mode == "tap" else "tx_packets"
    eq("%s.txpackets = %s %s" % (peer, dev_out, put), B["txpackets"], d(dev_out + "." + put))
    if mode == "veth":
        eq("%s.txbytes = %s tx_bytes" % (peer, dev_out), B["txbytes"], d(dev_out + ".tx_bytes"))
    if mode == "tap":
        print("  (%s: %d frames the kernel could not queue for kvick: tx_dropped)" % (dev_in, d(dev_in + ".tx_dropped")))
    else:
        print("  (%s: rx_dropped %d, %s: tx_dropped %d)" % (dev_in, d(dev_in + ".rx_dropped"), dev_out, d(dev_out + ".tx_dropped")))
    seg = A.get("gso_segments", 0)
    print("  (%s: %d GSO frames became %d packets; %d checksums finished; drops %d)" % (
        me, A.get("gso_frames", 0), seg, A.get("csum_filled", 0), A.get("drops", 0)))
out = rep["packets"]
eq("freelist: packets allocated = free at exit (no leak)", out["allocated"], out["free"])
if errors:
    print("FAIL: conservation: " + "; ".join(errors), file=sys.stderr); sys.exit(1)
print("ok: conservation: kvick's counters match the interfaces' exactly")
PY
}
