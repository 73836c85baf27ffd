#!/usr/bin/env bash
# tests/vm/igb.sh -- kvick's igb driver moving real packets through QEMU's
# own model of the Intel 82576, in a real kernel, through VFIO.
#
# A q35 guest under TCG with an emulated Intel IOMMU and two igb NICs on
# one QEMU hub (each behind its own PCIe root port, so each has its own
# IOMMU group).  In the guest (tests/vm/igb-init.sh):
#   - `kvick bind` hands the first igb to vfio-pci;
#   - `kvick run` drives it with `intel pci=ADDR` (driver/igb.c) feeding an
#     `arp_icmp ip=10.0.0.2` responder;
#   - the guest kernel's igb driver drives the second NIC as 10.0.0.1/24
#     and `ping -c 5 10.0.0.2` must get every reply, then 1000 pings back
#     to back and 5 jumbo (9000-byte) pings;
#   - kvick's report must show every echo answered, nothing lost on the
#     links, and every packet back on the freelist.
#
# QEMU 7.2 (Debian 12) has no igb model: tests/vm/qemu10.sh unpacks QEMU 10
# from bookworm-backports into /var/cache/kvick/qemu10 (not installed).
#
#   tests/vm/igb.sh                 build initramfs, boot once, check
#   KVICK_BIN=path                  the static kvick (default ./kvick)
#   KVICK_VM_TIMEOUT=s              for the boot (default 300)
#
# Prints each check; exits non-zero on any failure.  The serial console
# stays in build/vm/console-igb.log.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
kvick=${KVICK_BIN:-$root/kvick}
boot_timeout=${KVICK_VM_TIMEOUT:-300}
out=$root/build/vm
mkdir -p "$out"

[ -x "$kvick" ] || { echo "vm-igb: no kvick binary at $kvick (make kvick)" >&2; exit 1; }
file -L "$kvick" | grep -q 'statically linked' ||
	{ echo "vm-igb: $kvick is not static; the guest has no libraries" >&2; exit 1; }

kernel_root=$(bash tests/vm/setup.sh | sed -n 's/^KERNEL_ROOT=//p')
qemu=$(bash tests/vm/qemu10.sh | sed -n 's/^QEMU=//p')
[ -x "$qemu" ] || { echo "vm-igb: no QEMU 10 (tests/vm/qemu10.sh)" >&2; exit 1; }
kver=$(ls "$kernel_root/lib/modules")
vmlinuz=$kernel_root/boot/vmlinuz-$kver

initrd=$out/initramfs-igb.cpio.gz
bash tests/vm/initramfs.sh "$kernel_root" "$kvick" tests/vm/igb-init.sh "$initrd" \
	vfio vfio_iommu_type1 vfio-pci igb

failed=0
pass() { echo "PASS  [igb] $1"; }
fail() { echo "FAIL  [igb] $1"; failed=$((failed + 1)); }
expect() { # LOG REGEX DESCRIPTION
	if grep -Eq -- "$2" "$1"; then pass "$3"; else fail "$3 (no /$2/ in $1)"; fi
}

log=$out/console-igb.log
t0=$SECONDS
echo "vm-igb: booting q35 + intel-iommu + 2x igb under TCG ($("$qemu" -version | head -1))"
timeout "$boot_timeout" "$qemu" \
	-machine q35,accel=tcg -cpu max -smp 1 -m 1G \
	-nodefaults -no-reboot -display none -serial stdio -monitor none \
	-device intel-iommu,intremap=on,aw-bits=48 \
	-device pcie-root-port,id=rp0,chassis=1 -device pcie-root-port,id=rp1,chassis=2 \
	-netdev hubport,hubid=0,id=h0 -device igb,bus=rp0,netdev=h0 \
	-netdev hubport,hubid=0,id=h1 -device igb,bus=rp1,netdev=h1 \
	-kernel "$vmlinuz" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 loglevel=4 intel_iommu=on" \
	</dev/null >"$log" 2>&1 || true
echo "vm-igb: guest ran $((SECONDS - t0)) s; console in $log"
tr -d '\r' < "$log" > "$log.txt" && mv "$log.txt" "$log"

expect "$log" '^KVICK-DONE' "guest ran the whole script"
while read -r _ want name; do
	got=$(sed -n "s/^KVICK-RC \([0-9]*\) $name\$/\1/p" "$log" | head -1)
	if [ "$got" = "$want" ]; then pass "$name exits $want"
	else fail "$name exits ${got:-nothing} (want $want)"; fi
done < <(grep '^KVICK-EXPECT ' "$log")
expect "$log" '^pci: [0-9a-f:.]+ +8086:10c9 ' "kvick pci lists the 82576 ports"
expect "$log" '^bind: [0-9a-f:.]+ bound to vfio-pci \(was: igb\)' \
	"kvick bind takes an igb port from the kernel's igb driver"
expect "$log" '^ping: 5 packets transmitted, 5 packets received, 0% packet loss' \
	"the guest kernel pings 10.0.0.2 with 0% loss"
expect "$log" '^ping-burst: 1000 packets transmitted, 1000 packets received, 0% packet loss' \
	"1000 back-to-back pings of 1428 bytes, 0% loss (both rings wrap)"
expect "$log" '^ping-jumbo: 5 packets transmitted, 5 packets received, 0% packet loss' \
	"5 jumbo pings (9000-byte IP packets), 0% loss"
expect "$log" '^ping-jumbo: 8980 bytes from 10\.0\.0\.2' "the jumbo replies come back whole (8980 bytes)"

# kvick's own final counters (the JSON report, written after shutdown):
# the responder answered, every frame the NIC received is accounted for,
# every reply was sent, nothing dropped, nothing leaked.
sed -n 's/^json: //p' "$log" > "$out/report-igb.json"
if python3 - "$out/report-igb.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
nic, resp, pk = r["apps"]["nic"], r["apps"]["resp"], r["packets"]
answered = resp["arp_replies"] + resp["echo_replies"]
refused = resp["ignored"] + resp["malformed"] + resp["bad_checksum"]
checks = [
    (resp["echo_replies"] >= 1010, "kvick answered %d echo requests (>= 5 + 1000 + 5)" % resp["echo_replies"]),
    (resp["arp_replies"] >= 1, "kvick answered %d ARP requests (>= 1)" % resp["arp_replies"]),
    (nic["rxpackets"] == answered + refused,
     "every frame received (%d) was answered (%d) or counted by arp_icmp (%d)"
     % (nic["rxpackets"], answered, refused)),
    (nic["txpackets"] == answered,
     "every reply (%d) went into the TX ring (nic txpackets %d)" % (answered, nic["txpackets"])),
    (nic["tx_lost"] == 0 and nic["rx_lost"] == 0,
     "nothing lost in the rings at close (rx_lost %d, tx_lost %d)" % (nic["rx_lost"], nic["tx_lost"])),
    (all(nic[c] == 0 for c in ("rxdrop_badlen", "rxdrop_nobuf", "txdrop_ringfull", "rxdrop_nodesc")),
     "no driver drops (badlen, nobuf, ringfull, nodesc all 0)"),
    (all(l["txdrop"] == 0 for l in r["links"].values()), "no link dropped a frame"),
    (nic["link"] == 1 and nic["speed_mbps"] == 1000, "link up at %d Mb/s" % nic["speed_mbps"]),
    (pk["allocated"] == pk["free"],
     "every packet back on the freelist (%d allocated, %d free)" % (pk["allocated"], pk["free"])),
]
bad = 0
for ok, what in checks:
    print("%s  [igb] %s" % ("PASS" if ok else "FAIL", what))
    bad += not ok
sys.exit(1 if bad else 0)
PY
then :; else failed=$((failed + 1)); fi
expect "$log" '^unbind: [0-9a-f:.]+ released from vfio-pci; driver now: igb' \
	"kvick unbind gives the port back to igb"

echo
if [ $failed -gt 0 ]; then
	echo "vm-igb: $failed check(s) failed (console in $log)"
	exit 1
fi
echo "vm-igb: all checks passed"
