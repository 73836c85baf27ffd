#!/usr/bin/env bash
# kvick's tap app: kvick creates two TAP devices, the test moves one into
# each of two network namespaces, so the namespaces' own stacks talk
# through kvick (default offloads: TSO and checksum offload on).  Checks
# as kio_rawsock: ping IPv4/IPv6 both ways, iperf3 TCP and UDP, valid
# checksums on the far side, and kvick's counters equal to the TAPs'.
set -euo pipefail
source "$(dirname "$0")/lib/kio.sh"
trap kio_cleanup EXIT
need ip ping iperf3 tcpdump python3
[ -x "$KVICK" ] || fail "$KVICK not built (make kvick)"

kio_setup_namespaces_only
kio_start "$KIO_ROOT/examples/kio-tap.topo" TAP_A="$EA" TAP_B="$EB"
# New devices count from zero.  While still in the root namespace they
# carry a few frames the root kernel sends when they come up (IPv6 router
# solicitations, MLD reports); kvick forwards those too, so counting from
# creation keeps them on both sides of the balance.
for d in "$EA" "$EB"; do
	for st in rx_packets tx_packets rx_bytes tx_bytes rx_dropped tx_dropped; do echo "$d.$st 0"; done
done >"$TMP/before"
kio_adopt_taps
kio_ns_up
kio_wait_ping
kio_check_ping
kio_check_iperf
kio_ns_down
sleep 0.5
# The TAP devices vanish with kvick: read their counters first.
kio_snapshot "$TMP/after" "$NSA:$EA" "$NSB:$EB"
kio_stop
kio_check_conservation "$TMP/before" "$TMP/after"
grep -q '"gso_frames": [1-9]' "$TMP/report.json" || fail "no GSO frame was seen: offloads not exercised"
ok "TSO super-frames arrived and were segmented (offloads exercised)"
echo "PASS kio_tap"
