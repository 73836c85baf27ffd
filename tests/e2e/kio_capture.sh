#!/usr/bin/env bash
# Capture through kvick: frames from a namespace are received by rawsock,
# copied by a tee to pcap_writer (and forwarded to the other namespace so
# TCP runs), and tshark reads the file back: every frame kvick counted is
# in it, none is longer than the MTU allows (GSO frames were segmented)
# and tshark finds every IPv4/TCP/UDP checksum correct.
set -euo pipefail
source "$(dirname "$0")/lib/kio.sh"
trap kio_cleanup EXIT
need ip ping iperf3 tshark python3
[ -x "$KVICK" ] || fail "$KVICK not built (make kvick)"

kio_setup_veths
cat >"$TMP/capture.topo" <<TOPO
app a   rawsock ifname=\${IF_A}
app b   rawsock ifname=\${IF_B}
app t   tee
app w   pcap_writer file=\${FILE}
link a.output -> t.input
link t.fwd    -> b.input
link t.cap    -> w.input
link b.output -> a.input
TOPO
kio_start "$TMP/capture.topo" IF_A="$VA" IF_B="$VB" FILE="$TMP/a.pcap"
kio_ns_up
kio_wait_ping
in_a ping -c 5 -i 0.2 -q "$IPB" >/dev/null || fail "ping through kvick"
in_b iperf3 -s -1 -D -p 5201 >/dev/null 2>&1; sleep 0.5
in_a timeout 20 iperf3 -c "$IPB" -p 5201 -t 1 >/dev/null || fail "iperf3 through kvick"
kio_ns_down
sleep 0.5
kio_stop

frames=$(tshark -r "$TMP/a.pcap" -T fields -e frame.len 2>/dev/null | wc -l)
python3 - "$TMP/report.json" "$frames" <<'PY' || exit 1
import json, sys
r = json.load(open(sys.argv[1])); a, w = r["apps"]["a"], r["apps"]["w"]
n = int(sys.argv[2])
print("ok: a.rxpackets %d, pcap_writer packets %d, tshark read %d frames" % (a["rxpackets"], w["packets"], n))
if not (a["rxpackets"] == w["packets"] == n and n > 1000):
    print("FAIL: capture lost or invented frames", file=sys.stderr); sys.exit(1)
if a["gso_frames"] == 0:
    print("FAIL: no GSO frame captured: offloads not exercised", file=sys.stderr); sys.exit(1)
PY
maxlen=$(tshark -r "$TMP/a.pcap" -T fields -e frame.len 2>/dev/null | sort -n | tail -1)
[ "$maxlen" -le 1518 ] || fail "a frame of $maxlen bytes in the capture: GSO frame not segmented"
ok "longest captured frame: $maxlen bytes (GSO frames were segmented to the MTU)"
tcp=$(tshark -r "$TMP/a.pcap" -Y tcp 2>/dev/null | wc -l)
bad=$(tshark -r "$TMP/a.pcap" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
	-o udp.check_checksum:TRUE -Y 'ip.checksum.status == 0 || tcp.checksum.status == 0 || udp.checksum.status == 0' \
	2>/dev/null | wc -l)
good=$(tshark -r "$TMP/a.pcap" -o tcp.check_checksum:TRUE -Y 'tcp.checksum.status == 1' 2>/dev/null | wc -l)
[ "$tcp" -gt 1000 ] || fail "only $tcp TCP frames captured"
[ "$good" -eq "$tcp" ] || fail "tshark verified $good of $tcp TCP checksums"
[ "$bad" -eq 0 ] || fail "tshark found $bad frames with bad checksums"
ok "tshark: $tcp TCP frames, all $good TCP checksums correct, 0 bad IP/TCP/UDP checksums"
echo "PASS kio_capture"
