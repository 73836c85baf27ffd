#!/usr/bin/env bash
# tests/vm/setup.sh -- everything the QEMU-guest harness needs, and nothing
# more.  Idempotent: a second run does no network work.
#
#   host packages (apt-get install): qemu-system-x86, busybox-static, cpio, kmod
#   guest kernel: the .deb behind linux-image-amd64, fetched with
#                 `apt-get download` and unpacked with `dpkg -x` into
#                 $KVICK_VM_CACHE (default /var/cache/kvick/vm); it is never
#                 installed on the host, and the system's apt sources are
#                 not touched.
#
# Prints the unpacked kernel directory's path on the last line of stdout:
#   KERNEL_ROOT=/var/cache/kvick/vm/linux-image-6.1.0-NN-amd64
set -euo pipefail
cache=${KVICK_VM_CACHE:-/var/cache/kvick/vm}
mkdir -p "$cache"

need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx modprobe \
	&& file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' || need+=(busybox-static)
command -v cpio >/dev/null || need+=(cpio)
command -v depmod >/dev/null || [ -x /sbin/depmod ] || need+=(kmod)
command -v file >/dev/null || need+=(file)
if [ ${#need[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || { echo "setup.sh: need root to install: ${need[*]}" >&2; exit 1; }
	echo "setup.sh: installing ${need[*]}" >&2
	# Package lists may be absent on a fresh machine; the sources stay as they are.
	apt-get install -y --no-install-recommends "${need[@]}" >&2 ||
		{ apt-get update >&2 && apt-get install -y --no-install-recommends "${need[@]}" >&2; }
fi

# The guest kernel: linux-image-amd64 is a metapackage; its one dependency is
# the real image package (vmlinuz + modules).
pkg=$(cat "$cache/kernel-package" 2>/dev/null || true)
if [ -z "$pkg" ] || [ ! -f "$cache/$pkg/.unpacked" ]; then
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	if [ -z "$pkg" ]; then
		apt-get update >&2
		pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	fi
	[ -n "$pkg" ] || { echo "setup.sh: cannot resolve linux-image-amd64's kernel package" >&2; exit 1; }
	if [ ! -f "$cache/$pkg/.unpacked" ]; then
		echo "setup.sh: fetching guest kernel $pkg (apt-get download, not installed)" >&2
		dl=$(mktemp -d "$cache/dl.XXXXXX"); chmod 755 "$dl"   # apt-get download runs as _apt
		(cd "$dl" && apt-get download "$pkg" >&2)
		rm -rf "$cache/$pkg"
		dpkg -x "$dl"/"$pkg"_*.deb "$cache/$pkg"
		rm -rf "$dl"
		touch "$cache/$pkg/.unpacked"
	fi
	echo "$pkg" > "$cache/kernel-package"
fi
echo "KERNEL_ROOT=$cache/$pkg"
