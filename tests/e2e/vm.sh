#!/usr/bin/env bash
# e2e: kvick's VFIO path in a real kernel -- the QEMU-guest harness
# (tests/vm/run.sh): `kvick pci`, `kvick bind`/`unbind` on the guest's real
# PCI devices, and the edu DMA self-test through an emulated Intel IOMMU,
# booted with 48-bit and 39-bit IOMMU address widths.  About a minute:
# two TCG boots of ~15-20 s plus building the initramfs; the first run on a
# machine also installs QEMU/busybox and fetches the guest kernel (cached
# in /var/cache/kvick/vm).
#
# It needs root to install those; without root and without QEMU it says so
# and fails, rather than pretending to have tested anything.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$(id -u)" != 0 ] && ! command -v qemu-system-x86_64 >/dev/null; then
	echo "vm: needs qemu-system-x86 (or root to install it via tests/vm/setup.sh)" >&2
	exit 1
fi
# run.sh removes its temporary initramfs tree on exit; QEMU runs under
# `timeout`, so nothing outlives this script.
KVICK_BIN=${KVICK_BIN:-$PWD/kvick} timeout 600 bash tests/vm/run.sh
