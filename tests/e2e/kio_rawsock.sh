#!/usr/bin/env bash
# kvick's rawsock app (AF_PACKET) cross-connecting two veth pairs between
# two network namespaces, default offloads: ping IPv4/IPv6 both ways,
# iperf3 TCP (IPv4 both ways, IPv6) and UDP, valid checksums as tcpdump
# sees them on the far side, and kvick's counters equal to the veths'.
set -euo pipefail
source "$(dirname "$0")/lib/kio.sh"
trap kio_cleanup EXIT
need ip ping iperf3 tcpdump python3
[ -x "$KVICK" ] || fail "$KVICK not built (make kvick)"

kio_setup_veths
kio_snapshot "$TMP/before" ":$VA" ":$VB"
kio_start "$KIO_ROOT/examples/kio-rawsock.topo" IF_A="$VA" IF_B="$VB"
kio_ns_up
kio_wait_ping
kio_check_ping
kio_check_iperf
kio_ns_down
sleep 0.5
kio_snapshot "$TMP/after" ":$VA" ":$VB"
kio_stop
kio_check_conservation "$TMP/before" "$TMP/after"
grep -q '"gso_frames": [1-9]' "$TMP/report.json" || fail "no GSO frame was seen: offloads not exercised"
ok "GSO super-frames arrived and were segmented (offloads exercised)"
echo "PASS kio_rawsock"
