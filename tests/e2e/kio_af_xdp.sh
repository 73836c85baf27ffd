#!/usr/bin/env bash
# kvick's af_xdp app (AF_XDP, native XDP on veth) cross-connecting two veth pairs between
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
kio_start "$KIO_ROOT/examples/kio-af_xdp.topo" IF_A="$VA" IF_B="$VB"
kio_ns_up
kio_wait_ping
kio_check_ping
kio_check_iperf
kio_ns_down
sleep 0.5
kio_snapshot "$TMP/after" ":$VA" ":$VB"
kio_stop
kio_check_conservation "$TMP/before" "$TMP/after"
# Native XDP on a veth turns GSO off on its peer; checksums stay partial.
grep -q '"csum_filled": [1-9]' "$TMP/report.json" || fail "no partial checksum was finished: offloads not exercised"
ok "checksum-partial frames arrived and were finished (offloads exercised)"
echo "PASS kio_af_xdp"
