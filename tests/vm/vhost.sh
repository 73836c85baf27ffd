#!/usr/bin/env bash
# tests/vm/vhost.sh -- kvick's vhost_user app as the backend of a QEMU
# guest's virtio-net NIC, with the guest kernel's own virtio_net driver.
#
# On the host, kvick listens on a vhost-user socket; one bridge joins
#     vhost_user socket=SOCK, arp_icmp ip=10.0.0.2, and tap (a TAP device
#     the test moves into a network namespace as 10.0.0.3)
# QEMU (memory in a shared memfd, `-netdev vhost-user`) boots a busybox
# guest three times against that one kvick (tests/vm/vhost-init.sh):
#   one    the guest pings 10.0.0.2: 5 pings, 1000 back to back, 5 jumbo;
#          pings 10.0.0.3 and sends it 4 MB over TCP (busybox nc)
#   flood  the guest floods pings and the host kills QEMU (SIGKILL) in the
#          middle: kvick must notice, count, and go on listening
#   two    the same as one: kvick carries the new session
# Then kvick's own counters (JSON report): 3 connections, no bad message,
# no queue error, every frame from the guest answered or counted, every
# reply delivered or counted, nothing leaked.
#
#   tests/vm/vhost.sh          (about a minute and a half: three TCG boots)
#   KVICK_BIN=path             the kvick to run on the host (default ./kvick)
#   KVICK_VM_TIMEOUT=s         per boot (default 120)
#
# Prints each check; exits non-zero on any failure.  Consoles stay in
# build/vm/console-vhost-*.log, kvick's output in build/vm/kvick-vhost.log.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
kvick=${KVICK_BIN:-$root/kvick}
boot_timeout=${KVICK_VM_TIMEOUT:-120}
out=$root/build/vm
mkdir -p "$out"
[ -x "$kvick" ] || { echo "vm-vhost: no kvick binary at $kvick (make kvick)" >&2; exit 1; }

kernel_root=$(bash tests/vm/setup.sh | sed -n 's/^KERNEL_ROOT=//p')
kver=$(ls "$kernel_root/lib/modules")
vmlinuz=$kernel_root/boot/vmlinuz-$kver
initrd=$out/initramfs-vhost.cpio.gz
bash tests/vm/initramfs.sh "$kernel_root" "$kvick" tests/vm/vhost-init.sh "$initrd" \
	virtio_pci virtio_net

tmp=$(mktemp -d /tmp/kvick-vm-vhost.XXXXXX)
sock=$tmp/vm.sock
kpid=; qpid=
cleanup() {
	set +e
	[ -n "$qpid" ] && kill -9 "$qpid" 2>/dev/null
	[ -n "$kpid" ] && kill "$kpid" 2>/dev/null && wait "$kpid" 2>/dev/null
	ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

failed=0
pass() { echo "PASS  [vhost] $1"; }
fail() { echo "FAIL  [vhost] $1"; failed=$((failed + 1)); }
expect() { # LOG REGEX DESCRIPTION
	if grep -Eq -- "$2" "$1"; then pass "$3"; else fail "$3 (no /$2/ in $1)"; fi
}

ns=kvvh$$ tapif=kvvh$$
cat > "$tmp/vhost.topo" <<TOPO
# The guest's virtio-net NIC on a bridge with a responder for 10.0.0.2 and
# a TAP device (moved into network namespace $ns as 10.0.0.3).
app vm   vhost_user socket=$sock
app resp arp_icmp  ip=10.0.0.2 mac=02:00:00:00:00:02
app t    tap       ifname=$tapif
app br   bridge
link vm.output   -> br.vm
link br.vm       -> vm.input
link resp.output -> br.resp
link br.resp     -> resp.input
link t.output    -> br.tap
link br.tap      -> t.input
TOPO
"$kvick" run "$tmp/vhost.topo" --no-hugepages --report-json "$tmp/report.json" \
	> "$out/kvick-vhost.log" 2>&1 &
kpid=$!
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || { cat "$out/kvick-vhost.log"; echo "vm-vhost: kvick did not listen" >&2; exit 1; }
for _ in $(seq 50); do [ -e "/sys/class/net/$tapif" ] && break; sleep 0.1; done
ip netns add "$ns"
ip link set "$tapif" netns "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" addr add 10.0.0.3/24 dev "$tapif"
ip -n "$ns" link set "$tapif" mtu 9000 up
mkfifo "$tmp/hold"
exec 9<>"$tmp/hold"
listen() { # SESSION: a TCP listener in the namespace, for the guest's 4 MB
	# nc stops at the end of its own stdin: it reads a FIFO this script
	# holds open (fd 9) and never writes.
	ip netns exec "$ns" timeout "$boot_timeout" busybox nc -l -p 5001 \
		< "$tmp/hold" > "$tmp/tcp-$1.bin" 2>/dev/null &
}

# TCG, as the other guest tests: nested KVM on the build machine hangs
# this guest before its first console line.
accel=tcg cpu=max
# vectors=0: no MSI-X.  QEMU 7.2 under TCG crashes (SIGSEGV in
# msix_set_vector_notifiers, from vhost_net_start) when the guest starts a
# vhost-user NIC that has MSI-X vectors; with INTx it runs.
qemu() { # LOG APPEND: QEMU in the background, its pid in $qpid
	qemu-system-x86_64 -machine q35,accel=$accel -cpu $cpu -smp 1 -m 512M \
		-object memory-backend-memfd,id=mem0,size=512M,share=on -numa node,memdev=mem0 \
		-chardev socket,id=chr0,path="$sock" \
		-netdev vhost-user,id=net0,chardev=chr0 \
		-device virtio-net-pci,netdev=net0,mac=52:54:00:12:34:56,vectors=0 \
		-nodefaults -no-reboot -display none -serial stdio -monitor none \
		-kernel "$vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 loglevel=4 $2" </dev/null >"$1" 2>&1 &
	qpid=$!
}

boot() { # LABEL: a full session
	local log=$out/console-vhost-$1.log t0=$SECONDS
	echo "vm-vhost: booting [$1] under $accel"
	listen "$1"
	qemu "$log" ""
	timeout "$boot_timeout" tail --pid="$qpid" -f /dev/null || kill -9 "$qpid"
	wait "$qpid" 2>/dev/null || true
	qpid=
	tr -d '\r' < "$log" > "$log.txt" && mv "$log.txt" "$log"
	echo "vm-vhost: [$1] guest ran $((SECONDS - t0)) s; console in $log"
	expect "$log" '^KVICK-DONE' "[$1] guest ran the whole script"
	while read -r _ want name; do
		got=$(sed -n "s/^KVICK-RC \([0-9]*\) $name\$/\1/p" "$log" | head -1)
		if [ "$got" = "$want" ]; then pass "[$1] $name exits $want"
		else fail "[$1] $name exits ${got:-nothing} (want $want)"; fi
	done < <(grep '^KVICK-EXPECT ' "$log")
	expect "$log" '^ping: 5 packets transmitted, 5 packets received, 0% packet loss' \
		"[$1] the guest pings 10.0.0.2 through kvick with 0% loss"
	expect "$log" '^ping-burst: 1000 packets transmitted, 1000 packets received, 0% packet loss' \
		"[$1] 1000 back-to-back pings of 1428 bytes, 0% loss"
	expect "$log" '^ping-jumbo: 5 packets transmitted, 5 packets received, 0% packet loss' \
		"[$1] 5 jumbo pings (9014-byte frames: descriptor chains out, merged buffers in), 0% loss"
	expect "$log" '^ping-jumbo: 8980 bytes from 10\.0\.0\.2' "[$1] the jumbo replies come back whole"
	expect "$log" '^ping-ns: 5 packets transmitted, 5 packets received, 0% packet loss' \
		"[$1] the guest pings 10.0.0.3 in a network namespace (vhost_user <-> tap) with 0% loss"
	sleep 0.5
	local got
	got=$(stat -c %s "$tmp/tcp-$1.bin" 2>/dev/null || echo 0)
	if [ "$got" = 4194304 ]; then pass "[$1] 4 MB over TCP from the guest arrived whole in the namespace"
	else fail "[$1] TCP from the guest: $got of 4194304 bytes arrived"; fi
}

boot one

# Kill QEMU in the middle of a ping flood.
log=$out/console-vhost-flood.log
echo "vm-vhost: booting [flood] under $accel; killing QEMU mid-flood"
qemu "$log" KVICK_MODE=flood
for _ in $(seq $((boot_timeout * 10))); do
	grep -q '^KVICK-FLOOD' "$log" 2>/dev/null && break
	kill -0 "$qpid" 2>/dev/null || break
	sleep 0.1
done
sleep 2
kill -9 "$qpid" 2>/dev/null || true
wait "$qpid" 2>/dev/null || true
qpid=
expect "$log" '^KVICK-FLOOD' "[flood] the guest started flooding"
sleep 1
if kill -0 "$kpid" 2>/dev/null; then pass "kvick is still running after QEMU was killed"
else fail "kvick died with QEMU"; fi

boot two

kill -INT "$kpid"
rc=0; wait "$kpid" || rc=$?
kpid=
[ $rc -eq 0 ] && pass "kvick stopped cleanly (status 0)" || fail "kvick exited with status $rc"
expect "$out/kvick-vhost.log" 'vhost_user vm: .* disconnected' "kvick logged the disconnects"
cp "$tmp/report.json" "$out/report-vhost.json" 2>/dev/null || true
if python3 - "$out/report-vhost.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
vm, resp, pk, links = r["apps"]["vm"], r["apps"]["resp"], r["packets"], r["links"]
up, down = links["vm.output -> br.vm"], links["br.vm -> vm.input"]
checks = [
    (vm["connections"] == 3, "kvick served 3 connections (%d)" % vm["connections"]),
    (vm["bad_messages"] == 0 and vm["queue_errors"] == 0,
     "no malformed message, no queue error (%d, %d)" % (vm["bad_messages"], vm["queue_errors"])),
    (resp["echo_replies"] >= 2 * 1010,
     "kvick answered %d echo requests (>= 2 x 1010, plus the flood)" % resp["echo_replies"]),
    (vm["rxpackets"] == up["txpackets"] + up["txdrop"] and up["txdrop"] == 0,
     "every frame from the guest (%d) went onto the bridge (%d)" % (vm["rxpackets"], up["txpackets"])),
    (down["rxpackets"] == vm["txpackets"] + vm["drops"],
     "every frame for the guest taken (%d) delivered to a guest (%d) or counted (%d: %d at disconnects, %d with no guest)"
     % (down["rxpackets"], vm["txpackets"], vm["drops"], vm["drop_disconnect"], vm["drop_noguest"])),
    (all(l["txdrop"] == 0 for l in links.values()), "no link dropped a frame"),
    (vm["drop_toolong"] + vm["drop_short"] + vm["drop_toobig"] == 0, "no bad frame either way"),
    (vm["notifies"] > 0, "the guest was interrupted when it asked (%d)" % vm["notifies"]),
    (pk["allocated"] == pk["free"],
     "every packet back on the freelist (%d allocated, %d free)" % (pk["allocated"], pk["free"])),
]
bad = 0
for ok, what in checks:
    print("%s  [vhost] %s" % ("PASS" if ok else "FAIL", what))
    bad += not ok
sys.exit(1 if bad else 0)
PY
then :; else failed=$((failed + 1)); fi

echo
if [ $failed -gt 0 ]; then
	echo "vm-vhost: $failed check(s) failed (consoles in $out)"
	exit 1
fi
echo "vm-vhost: all checks passed"
