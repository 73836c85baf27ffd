#!/usr/bin/env bash
# offload=keep: rawsock and tap carry checksum-partial and GSO frames
# through kvick in the packets' offload fields and give them back to the
# kernel on transmit.  Runs the rawsock and tap cross-connect tests in that
# mode: ping IPv4/IPv6 both ways, iperf3 TCP and UDP complete, counters
# balance exactly (the far side's checksums are partial on purpose, so
# tcpdump's verdict is not checked here).
set -euo pipefail
here=$(dirname "$0")
export KIO_OFFLOAD=keep
echo "== rawsock offload=keep"
bash "$here/kio_rawsock.sh"
echo "== tap offload=keep"
bash "$here/kio_tap.sh"
echo "PASS kio_offload_keep"
