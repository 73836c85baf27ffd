#!/usr/bin/env bash
# tests/vm/run.sh -- prove kvick's VFIO path in a real kernel: a QEMU guest.
#
# This machine has no IOMMU and no VFIO; a q35 guest under TCG with QEMU's
# emulated Intel IOMMU has both, plus emulated devices written by others:
#   edu     (1234:11e8) a DMA engine: `kvick selftest vfio-edu` moves kvick's
#           hugepage memory through it and checks an unmapped IOVA is blocked
#   e1000e  (8086:10d3) a NIC with a kernel driver: `kvick bind` must refuse it
#           while its interface is up with an address, take it once it is
#           down, and `kvick unbind` must give it back to e1000e.
# The guest boots twice: with a 48-bit IOMMU address width and with QEMU's
# default 39 bits, where user virtual addresses are NOT valid IOVAs and
# kvick must allocate IOVAs inside the usable ranges the kernel reports.
#
#   tests/vm/run.sh            (make test-vm)   build initramfs, boot twice
#   KVICK_BIN=path             the static kvick to test (default ./kvick)
#   KVICK_VM_CACHE=dir         downloads and unpacked kernel (/var/cache/kvick/vm)
#   KVICK_VM_TIMEOUT=s         per boot (default 240)
#
# Exits non-zero on any failed check; prints each check.  Serial-console
# logs stay in build/vm/ for a post-mortem.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
kvick=${KVICK_BIN:-$root/kvick}
boot_timeout=${KVICK_VM_TIMEOUT:-240}
out=$root/build/vm
mkdir -p "$out"

[ -x "$kvick" ] || { echo "vm: no kvick binary at $kvick (make kvick)" >&2; exit 1; }
file -L "$kvick" | grep -q 'statically linked' ||
	{ echo "vm: $kvick is not static; the guest has no libraries" >&2; exit 1; }

kernel_root=$(bash tests/vm/setup.sh | sed -n 's/^KERNEL_ROOT=//p')
kver=$(ls "$kernel_root/lib/modules")
vmlinuz=$kernel_root/boot/vmlinuz-$kver
[ -f "$vmlinuz" ] || { echo "vm: no guest kernel at $vmlinuz" >&2; exit 1; }

# ---- initramfs -----------------------------------------------------------

bash tests/vm/initramfs.sh "$kernel_root" "$kvick" tests/vm/init.sh "$out/initramfs.cpio.gz" \
	vfio vfio_iommu_type1 vfio-pci e1000e

# ---- boot and check ----------------------------------------------------------

failed=0
pass() { echo "PASS  [$1] $2"; }
fail() { echo "FAIL  [$1] $2"; failed=$((failed + 1)); }

# expect LABEL LOG REGEX DESCRIPTION
expect() {
	if grep -Eq -- "$3" "$2"; then pass "$1" "$4"; else fail "$1" "$4 (no /$3/ in $2)"; fi
}

# reject LABEL LOG REGEX DESCRIPTION: the pattern must NOT appear
reject() {
	if grep -Eq -- "$3" "$2"; then fail "$1" "$4 (found /$3/: $(grep -Em1 -- "$3" "$2"))"; else pass "$1" "$4"; fi
}

boot() { # label, intel-iommu options
	local label=$1 iommu=$2 log=$out/console-$1.log t0=$SECONDS
	echo "vm: booting q35 + intel-iommu($iommu) under TCG [$label]"
	timeout "$boot_timeout" qemu-system-x86_64 \
		-machine q35,accel=tcg -cpu max -smp 1 -m 1G \
		-nodefaults -no-reboot -display none -serial stdio -monitor none \
		-device "intel-iommu,intremap=on$iommu" \
		-device edu,dma_mask=0xffffffffffffffff \
		-device e1000e \
		-kernel "$vmlinuz" -initrd "$out/initramfs.cpio.gz" \
		-append "console=ttyS0 panic=-1 loglevel=4 intel_iommu=on" \
		</dev/null >"$log" 2>&1 || true
	echo "vm: [$label] guest ran $((SECONDS - t0)) s; console in $log"
	tr -d '\r' < "$log" > "$log.txt" && mv "$log.txt" "$log"

	expect "$label" "$log" '^KVICK-DONE' "guest ran the whole script"
	# Each step prints "KVICK-RC <rc> <name>"; the expected rc is in init.sh.
	while read -r _ want name; do
		got=$(sed -n "s/^KVICK-RC \([0-9]*\) $name\$/\1/p" "$log" | head -1)
		if [ "$got" = "$want" ]; then pass "$label" "$name exits $want"
		else fail "$label" "$name exits ${got:-nothing} (want $want)"; fi
	done < <(grep '^KVICK-EXPECT ' "$log")
	expect "$label" "$log" '^KVICK-EXPECT ' "guest announced its steps"
	expect "$label" "$log" 'no-vfio-open: .*not vfio-pci: run `kvick bind' \
		"opening an unbound device says to run kvick bind"
	expect "$label" "$log" '^pci-before: [0-9a-f:.]+ +1234:11e8 +- ' "kvick pci lists edu with no driver"
	expect "$label" "$log" 'bind-edu: [0-9a-f:.]+ bound to vfio-pci \(was: none\), IOMMU group [0-9]+' \
		"kvick bind hands edu to vfio-pci"
	expect "$label" "$log" '^pci-bound: [0-9a-f:.]+ +1234:11e8 +vfio-pci +[0-9]+ ' "kvick pci then shows vfio-pci and its group"
	expect "$label" "$log" '^edu: vfio-edu: [0-9]+ checks passed, 0 failed' "edu self-test: every check passed"
	expect "$label" "$log" '^edu: ok +DMA to the unmapped iova was blocked' "DMA to an unmapped IOVA blocked"
	reject "$label" "$log" '^edu: FAIL' "no failed self-test check"
	reject "$label" "$log" 'VFIO_IOMMU_UNMAP_DMA iova .*: ' "closing unmaps DMA memory without errors"
	expect "$label" "$log" 'DMAR: .*[Ff]ault' "the guest kernel logged the DMAR fault"
	expect "$label" "$log" 'open-busy: .* is in use: /dev/vfio/[0-9]+ is held open by pid [0-9]+ \(sleep\)' \
		"opening a device whose group another process holds says who holds it"
	expect "$label" "$log" 'unbind-busy: .* is in use: /dev/vfio/[0-9]+ is held open by pid [0-9]+ \(sleep\)' \
		"kvick unbind refuses while the group is held open"
	expect "$label" "$log" 'bind-busy: .*refusing to take .*up with address 192\.0\.2\.1' \
		"kvick bind refuses e1000e while it is up with an address"
	expect "$label" "$log" 'bind-nic: [0-9a-f:.]+ bound to vfio-pci \(was: e1000e\)' \
		"kvick bind takes e1000e once it is down"
	expect "$label" "$log" 'unbind-nic: [0-9a-f:.]+ released from vfio-pci; driver now: e1000e' \
		"kvick unbind gives e1000e back to its driver"
	expect "$label" "$log" 'unbind-edu: [0-9a-f:.]+ released from vfio-pci; driver now: none' \
		"kvick unbind releases edu"
}

boot aw48 ",aw-bits=48"
boot aw39 ""
# With 39 address bits no 47-bit user address can be an IOVA: every IOVA the
# self-test used must lie below 2^39 while its virtual address lies above.
log39=$out/console-aw39.log
iovas=$(grep -E '^edu: info buffer A va' "$log39" | awk '{ print $8; print $14 }' | tr -d ',')
vas=$(grep -E '^edu: info buffer A va' "$log39" | awk '{ print $6; print $12 }')
if [ -z "$iovas" ]; then
	fail aw39 "the self-test printed no IOVAs"
else
	low=1
	for i in $iovas; do [ $((i)) -lt $((1 << 39)) ] || low=0; done
	high=1
	for v in $vas; do [ $((v)) -ge $((1 << 39)) ] || high=0; done
	[ $low = 1 ] && pass aw39 "every IOVA used ($(echo $iovas)) lies below 2^39" ||
		fail aw39 "an IOVA at or above 2^39: $iovas"
	[ $high = 1 ] && pass aw39 "while the buffers' virtual addresses ($(echo $vas)) do not" ||
		echo "note  [aw39] a buffer VA below 2^39 ($vas): IOVA = VA would have worked by luck"
fi
expect aw39 "$log39" '^edu: info usable IOVA range .*-0x7fffffffff$' \
	"the 39-bit IOMMU reports usable ranges ending at 0x7fffffffff"

echo
if [ $failed -gt 0 ]; then
	echo "vm: $failed check(s) failed (logs in $out)"
	exit 1
fi
echo "vm: all checks passed"
