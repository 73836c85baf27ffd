#!/usr/bin/env bash
# e2e: kvick's vhost_user app as the backend of a real QEMU guest's
# virtio-net NIC (the guest kernel's virtio_net driver) -- tests/vm/vhost.sh:
# the guest pings kvick's arp_icmp responder (5, 1000 back to back, 5 jumbo)
# and a network namespace behind kvick's tap app (plus 4 MB of TCP to it),
# QEMU is killed in the middle of a ping flood and started again, and kvick
# carries every session; its counters must show conservation and no leak.
# About 1-2 minutes: three TCG boots plus the initramfs; the first run on a
# machine also fetches the guest kernel (cached in /var/cache/kvick/vm).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$(id -u)" != 0 ] && ! command -v qemu-system-x86_64 >/dev/null; then
	echo "vm-vhost: needs qemu-system-x86 (or root to install it via tests/vm/setup.sh)" >&2
	exit 1
fi
# vhost.sh kills QEMU and kvick on exit and removes its temporary tree.
KVICK_BIN=${KVICK_BIN:-$PWD/kvick} timeout 600 bash tests/vm/vhost.sh
