#!/usr/bin/env bash
# tests/vm/initramfs.sh -- build a test guest's initramfs: busybox, the
# static kvick, an /init script, and kernel modules with everything they
# depend on.  Shared by the QEMU-guest tests (tests/vm/run.sh, igb.sh).
#
#   tests/vm/initramfs.sh KERNEL_ROOT KVICK INIT OUT.cpio.gz MODULE...
#
# KERNEL_ROOT is the unpacked guest kernel (tests/vm/setup.sh prints it).
# Prints one summary line.
set -euo pipefail
[ $# -ge 4 ] || { echo "usage: $0 KERNEL_ROOT KVICK INIT OUT.cpio.gz MODULE..." >&2; exit 2; }
kernel_root=$1 kvick=$2 init=$3 out=$4
shift 4
kver=$(ls "$kernel_root/lib/modules")

work=$(mktemp -d "${TMPDIR:-/tmp}/kvick-initramfs.$$.XXXXXX")
trap 'rm -rf "$work"' EXIT

# modules.dep for the unpacked kernel (the .deb ships none: depmod runs at
# install time).  Written into the cache once.
[ -f "$kernel_root/lib/modules/$kver/modules.dep" ] || depmod -b "$kernel_root" "$kver"

rootfs=$work/rootfs
mkdir -p "$rootfs"/{bin,sbin,proc,sys,dev,run,tmp,etc,lib/modules/"$kver"}
cp /bin/busybox "$rootfs/bin/busybox"
cp "$kvick" "$rootfs/bin/kvick"

# The modules and everything they need, decompressed (busybox's modprobe
# reads plain .ko only), then a fresh depmod inside the image.
# (--show-depends takes one module; further words would be its parameters.)
for m in "$@"; do modprobe -d "$kernel_root" -S "$kver" --show-depends "$m"; done |
	awk '$1 == "insmod" { print $2 }' | sort -u | while read -r ko; do
	rel=${ko#"$kernel_root"}
	dst=$rootfs$rel
	mkdir -p "$(dirname "$dst")"
	case "$ko" in
		*.xz)  xz -dc "$ko" > "${dst%.xz}" ;;
		*.zst) zstd -qdc "$ko" > "${dst%.zst}" ;;
		*)     cp "$ko" "$dst" ;;
	esac
done
cp "$kernel_root/lib/modules/$kver"/modules.{order,builtin,builtin.modinfo} "$rootfs/lib/modules/$kver/"
depmod -b "$rootfs" "$kver"
nmods=$(find "$rootfs/lib/modules" -name '*.ko' | wc -l)

cp "$init" "$rootfs/init"
chmod +x "$rootfs/init"
(cd "$rootfs" && find . | cpio -o -H newc --quiet | gzip -1) > "$out"
echo "vm: initramfs with busybox, kvick and $nmods modules for $kver ($(du -h "$out" | cut -f1))"
