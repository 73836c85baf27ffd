#!/bin/busybox sh
# /init of the igb test guest (tests/vm/igb.sh builds it into the
# initramfs).  Two emulated Intel 82576 NICs (8086:10c9) sit on one QEMU
# hub: kvick drives the first through VFIO with its igb driver and answers
# ARP and ping for 10.0.0.2; the guest kernel's igb driver drives the
# second as 10.0.0.1 and pings across: 5 pings, then 1000 back to back
# (both rings wrap, TX buffers come back through RS/DD), then 5 jumbo ones
# (MTU 9000 on both sides: RCTL.LPE and RLPML, one 9 KB buffer per frame).  Steps are bracketed with
# "KVICK-EXPECT <rc> <name>" / "KVICK-RC <rc> <name>" for the host to check.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/hugepages /run
mount -t hugetlbfs hugetlbfs /dev/hugepages
echo 64 > /proc/sys/vm/nr_hugepages
# vfio_iommu_type1 is only a soft dependency of vfio (busybox's modprobe
# ignores those): load it by name.
modprobe vfio_iommu_type1
modprobe vfio-pci
modprobe igb
sleep 1

step() { # NAME WANT_RC COMMAND...
	name=$1 want=$2
	shift 2
	echo "KVICK-EXPECT $want $name"
	"$@" > /tmp/step.out 2>&1
	rc=$?
	sed "s/^/$name: /" /tmp/step.out
	echo "KVICK-RC $rc $name"
}

NICS=""
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x8086 ] && [ "$(cat "$d/device")" = 0x10c9 ] &&
		NICS="$NICS $(basename "$d")"
done
set -- $NICS
KV=$1 KERN=$2
IF=$(ls "/sys/bus/pci/devices/$KERN/net" 2>/dev/null | head -1)
echo "guest: igb for kvick ${KV:-?}, igb for the kernel ${KERN:-?} (${IF:-no interface})"

step pci 0 kvick pci
step bind 0 kvick bind "$KV"

ip link set lo up
ip link set "$IF" mtu 9000
ip link set "$IF" up
ip addr add 10.0.0.1/24 dev "$IF"

cat > /tmp/igb.topo <<EOF
# kvick answers ARP and ping for 10.0.0.2 on the igb port it drives.
app nic  intel    pci=$KV promisc=true mtu=9000
app resp arp_icmp ip=10.0.0.2 mac=02:00:00:00:00:02
link nic.output  -> resp.input
link resp.output -> nic.input
EOF
echo "KVICK-EXPECT 0 run"
kvick run /tmp/igb.topo --report-json /tmp/report.json > /tmp/run.out 2>&1 &
KPID=$!

# Ready when the first echo comes back (kvick opens the port and waits for
# the link; QEMU's igb negotiates for about 0.5 s): at most 30 tries.
tries=0
until ping -c 1 -W 1 10.0.0.2 > /dev/null 2>&1; do
	tries=$((tries + 1))
	if [ $tries -ge 30 ] || ! kill -0 $KPID 2>/dev/null; then
		break
	fi
done
echo "guest: warm-up pings before the first reply: $tries"

step ping 0 ping -c 5 -W 2 10.0.0.2
step ping-burst 0 ping -q -A -c 1000 -s 1400 -w 120 10.0.0.2
step ping-jumbo 0 ping -c 5 -s 8972 -W 2 10.0.0.2

kill -INT $KPID
wait $KPID
rc=$?
sed "s/^/run: /" /tmp/run.out
echo "KVICK-RC $rc run"
# The JSON is written after shutdown: the freelist holds every packet again.
sed "s/^/json: /" /tmp/report.json

step unbind 0 kvick unbind "$KV"
echo KVICK-DONE
poweroff -f
