#!/usr/bin/env bash
# kvick's vhost_user app against DPDK's virtio-user driver (testpmd
# --vdev=net_virtio_user0), a frontend nobody here wrote:
#
#  1. testpmd txonly -> kvick (server mode) vhost_user -> pcap_writer, guest
#     memory in 2 MB hugepages (a private hugetlbfs mount): testpmd's
#     transmitted count and bytes equal kvick's rxpackets/rxbytes and the
#     pcap's frames; tshark reads every frame as testpmd's 64-byte UDP.
#  2. kvick generator (1514-byte UDP frames at 200 kpps) -> vhost_user
#     (client mode, server=false) -> testpmd rxonly listening (server=1),
#     guest memory in a memfd (--no-huge): testpmd's received packets and
#     bytes equal kvick's txpackets/txbytes but for what was still in the
#     guest's ring when kvick stopped (at most 256, printed), and every
#     frame the generator made is delivered or a counted drop.
#  3. The frontend goes away and comes back (testpmd run twice against one
#     kvick): kvick counts two connections and carries both sessions.
#
# testpmd is driven interactively through a FIFO, so in (1) it stops
# transmitting half a second before it quits: kvick drains the ring in
# that time, and the counts must agree exactly.  About 15 s.
set -euo pipefail
cd "$(dirname "$0")/../.."
KVICK=${KVICK_BIN:-$PWD/kvick}
ID=$$
TMP=$(mktemp -d /tmp/kvick-vhost.XXXXXX)
SOCK=$TMP/vhost.sock
TP_PID=; KV_PID=; HUGE=
fail() { echo "FAIL: $*" >&2; for f in "$TMP"/*.out; do [ -f "$f" ] && { echo "--- $f" >&2; tail -15 "$f" >&2; }; done; exit 1; }
ok() { echo "ok: $*"; }
cleanup() {
	set +e
	exec 7>&- 2>/dev/null
	for p in $TP_PID $KV_PID; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	[ -n "$HUGE" ] && umount "$HUGE"
	rm -rf "$TMP" "/var/run/dpdk/kvtp$ID"*
}
trap cleanup EXIT
for c in dpdk-testpmd tshark python3; do
	command -v "$c" >/dev/null || fail "$c is not installed (make deps)"
done
[ -x "$KVICK" ] || fail "$KVICK not built (make kvick)"
ls /usr/lib/*/dpdk/pmds-*/librte_net_virtio.so* >/dev/null 2>&1 ||
	fail "DPDK's virtio PMD is not installed (librte-net-virtio23; make deps)"

# testpmd, interactive, its commands from FIFO $TMP/cmd (fd 7 here).
tp_start() { # name mode memory-options vdev-options
	mkfifo "$TMP/cmd"
	# shellcheck disable=SC2086
	dpdk-testpmd -l 0,1 --no-pci $3 --file-prefix "kvtp$ID" \
		--vdev="net_virtio_user0,path=$SOCK,queues=1$4" -- -i --forward-mode="$2" \
		--nb-cores=1 --no-mlockall --total-num-mbufs=8192 <"$TMP/cmd" >"$TMP/$1.out" 2>&1 &
	TP_PID=$!
	exec 7>"$TMP/cmd"
}
tp_finish() { # name: stop forwarding, print stats, quit
	# Between stop and quit the device stays up: a backend that is behind
	# drains what testpmd already counted as sent (up to a ring of 256).
	echo stop >&7; sleep 0.5; echo "show port stats 0" >&7; echo quit >&7
	exec 7>&-
	local i
	for i in $(seq 100); do kill -0 "$TP_PID" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$TP_PID" 2>/dev/null && fail "testpmd $1 did not quit"
	wait "$TP_PID" || true
	TP_PID=
	rm -f "$TMP/cmd"
}
# "show port stats 0" figures: RX-packets RX-bytes TX-packets TX-bytes
tp_stats() {
	python3 - "$TMP/$1.out" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
i = t.rfind("NIC statistics for port 0")
if i < 0: sys.exit("no port statistics in testpmd's output")
s = t[i:]
g = lambda k: re.search(k + r":\s+(\d+)", s).group(1)
print(g("RX-packets"), g("RX-bytes"), g("TX-packets"), g("TX-bytes"))
PY
}
kv_counter() { # app counter
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["apps"][sys.argv[2]][sys.argv[3]])' \
		"$TMP/report.json" "$1" "$2"
}
kv_start() { # topo var=value...
	local topo=$1; shift
	"$KVICK" run "$topo" "$@" --no-hugepages --duration 60 --report-json "$TMP/report.json" \
		>"$TMP/kvick.out" 2>&1 &
	KV_PID=$!
}
kv_stop() {
	kill -INT "$KV_PID"
	local rc=0
	wait "$KV_PID" || rc=$?
	KV_PID=
	[ $rc -eq 0 ] || fail "kvick exited with status $rc"
}
kv_running() { # sessions: kvick has started its transmit queue that many times
	[ "$(grep -c 'transmit queue running' "$TMP/kvick.out")" -ge "$1" ]
}
wait_for() { # what, command...
	local what=$1; shift
	for _ in $(seq 100); do "$@" && return 0; sleep 0.1; done
	fail "timed out waiting for $what"
}

# ---------------------------------------------------------------- 1. txonly
HUGE=$TMP/huge
mkdir -p "$HUGE"
mount -t hugetlbfs -o pagesize=2M nodev "$HUGE" || { HUGE=; fail "cannot mount hugetlbfs"; }
cat >"$TMP/rx.topo" <<EOF
app vm vhost_user socket=\${SOCK}
app w pcap_writer file=\${PCAP}
link vm.output -> w.input
EOF
kv_start "$TMP/rx.topo" SOCK="$SOCK" PCAP="$TMP/rx.pcap"
wait_for "kvick's socket" test -S "$SOCK"
for session in 1 2; do
	tp_start "tx$session" txonly "--huge-dir $HUGE -m 128 --single-file-segments --in-memory" ""
	wait_for "the vhost-user queues to run (session $session)" kv_running "$session"
	echo start >&7
	sleep 0.3     # ~0.3 M frames: tshark reads them in a few seconds
	tp_finish "tx$session"
done
sleep 0.5
kv_stop
read -r _ _ tx1 txb1 <<<"$(tp_stats tx1)"
read -r _ _ tx2 txb2 <<<"$(tp_stats tx2)"
rxp=$(kv_counter vm rxpackets); rxb=$(kv_counter vm rxbytes)
[ "$tx1" -gt 10000 ] && [ "$tx2" -gt 10000 ] || fail "testpmd sent only $tx1 + $tx2 frames"
[ "$rxp" -eq $((tx1 + tx2)) ] || fail "testpmd sent $tx1 + $tx2 frames, kvick received $rxp"
[ "$rxb" -eq $((txb1 + txb2)) ] || fail "testpmd sent $txb1 + $txb2 bytes, kvick received $rxb"
ok "txonly, two sessions: testpmd sent $tx1 + $tx2 frames ($((txb1 + txb2)) bytes), kvick received $rxp ($rxb bytes)"
[ "$(kv_counter vm connections)" -eq 2 ] || fail "kvick counted $(kv_counter vm connections) connections, expected 2"
[ "$(kv_counter vm drops)" -eq 0 ] && [ "$(kv_counter vm queue_errors)" -eq 0 ] &&
	[ "$(kv_counter vm bad_messages)" -eq 0 ] || fail "kvick counted drops or errors"
ok "frontend gone and back: 2 connections, no drops, no queue or message errors"
[ "$(kv_counter w packets)" -eq "$rxp" ] || fail "pcap_writer wrote $(kv_counter w packets) of $rxp"
tshark -r "$TMP/rx.pcap" -T fields -e frame.len -e ip.src -e ip.dst -e udp.dstport 2>/dev/null |
	sort | uniq -c >"$TMP/frames.txt"
read -r nframes len src dst port <"$TMP/frames.txt"
[ "$(wc -l <"$TMP/frames.txt")" -eq 1 ] || { cat "$TMP/frames.txt" >&2; fail "frames of more than one kind"; }
[ "$nframes" -eq "$rxp" ] && [ "$len" -eq 64 ] && [ -n "$src" ] && [ -n "$port" ] ||
	fail "tshark: $(cat "$TMP/frames.txt")"
ok "tshark: all $nframes frames are testpmd's: $len bytes, UDP $src -> $dst port $port"
umount "$HUGE"; HUGE=

# ---------------------------------------------------------------- 2. rxonly
cat >"$TMP/tx.topo" <<EOF
app src generator size=1518 rate=200kpps
app vm vhost_user socket=\${SOCK} server=false
link src.output -> vm.input
EOF
rm -f "$SOCK"
tp_start rx rxonly "--no-huge -m 128 --single-file-segments" ",server=1"
wait_for "testpmd's socket" test -S "$SOCK"
kv_start "$TMP/tx.topo" SOCK="$SOCK"
wait_for "the vhost-user queues to run" kv_running 1
echo start >&7
sleep 3
kv_stop                      # kvick stops sending; testpmd drains its ring
sleep 0.5
tp_finish rx
read -r rx rxbytes _ _ <<<"$(tp_stats rx)"
txp=$(kv_counter vm txpackets); txb=$(kv_counter vm txbytes)
srcp=$(kv_counter src packets); drops=$(kv_counter vm drops)
[ "$rx" -gt 10000 ] || fail "testpmd received only $rx frames"
# When kvick goes away testpmd stops its device at once: frames kvick had
# already put in the guest's receive ring (at most the ring, 256) and
# testpmd had not yet read stay there.  Paced at 200 kpps, well below what
# testpmd reads, there are seldom any.
inring=$((txp - rx))
[ "$inring" -ge 0 ] && [ "$inring" -le 256 ] ||
	fail "kvick delivered $txp frames ($txb bytes), testpmd received $rx ($rxbytes bytes)"
[ "$rxbytes" -eq $((rx * 1514)) ] && [ "$txb" -eq $((txp * 1514)) ] ||
	fail "bytes: testpmd $rxbytes for $rx frames, kvick $txb for $txp (1514 each)"
ok "rxonly, kvick as client: kvick delivered $txp frames of 1514 bytes, testpmd received $rx ($rxbytes bytes), $inring left unread in its ring"
python3 - "$TMP/report.json" <<'PY' || fail "packets unaccounted for"
import json, sys
r = json.load(open(sys.argv[1]))
c = r["apps"]
link = r["links"]["src.output -> vm.input"]
made, vm = c["src"]["packets"], c["vm"]
took = link["rxpackets"]
left = made - took - link["txdrop"]     # drained from the link at stop
if took != vm["txpackets"] + vm["drops"]:
    sys.exit("vhost_user took %d, delivered %d + dropped %d" % (took, vm["txpackets"], vm["drops"]))
print("ok: every frame accounted for: %d made = %d delivered + %d dropped (no frontend yet or "
      "at stop) + %d left in the link at stop" % (made, vm["txpackets"], vm["drops"], left))
PY
echo "PASS vhost_testpmd"
