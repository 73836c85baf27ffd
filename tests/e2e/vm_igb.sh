#!/usr/bin/env bash
# e2e: kvick's igb driver (driver/igb.c) in a real kernel through VFIO,
# against QEMU 10's own model of the Intel 82576 -- tests/vm/igb.sh: the
# guest kernel pings an address kvick answers (arp_icmp) on an igb port it
# drives; kvick's counters must show conservation and no leak.  About a
# minute: one TCG boot (~30-40 s) plus the initramfs; the first run on a
# machine also fetches QEMU 10 from bookworm-backports and the guest kernel
# (cached in /var/cache/kvick/qemu10 and /var/cache/kvick/vm).
#
# Needs root (VFIO in the guest is the guest's; root here is for the
# caches and apt): without it, it says so and fails rather than pretend.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$(id -u)" != 0 ] && [ ! -x /var/cache/kvick/qemu10/bin/qemu-system-x86_64 ]; then
	echo "vm-igb: needs QEMU 10 (root runs tests/vm/qemu10.sh to unpack it)" >&2
	exit 1
fi
# igb.sh runs QEMU under `timeout` and cleans up its temporary tree, so
# nothing outlives this script.
KVICK_BIN=${KVICK_BIN:-$PWD/kvick} timeout 900 bash tests/vm/igb.sh
