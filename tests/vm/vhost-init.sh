#!/bin/busybox sh
# /init of the vhost-user test guest (tests/vm/vhost.sh builds it into the
# initramfs).  The guest's one NIC is a virtio-net device whose backend is
# kvick's vhost_user app on the host, wired to an arp_icmp responder for
# 10.0.0.2 and a tap app, on one kvick bridge.  The guest kernel's virtio_net driver (mergeable receive
# buffers, EVENT_IDX) pings across: 5 pings, 1000 back to back (both rings
# wrap many times), 5 jumbo ones (MTU 9000: a 9014-byte frame is a chain of
# descriptors on transmit and several merged buffers on receive); then it
# pings 10.0.0.3 in a network namespace behind kvick's tap app and sends it
# 4 MB over TCP.
# KVICK_MODE=flood on the kernel command line instead floods pings until
# the host kills QEMU.  Steps are bracketed with "KVICK-EXPECT <rc> <name>"
# / "KVICK-RC <rc> <name>" for the host to check.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
modprobe virtio_pci
modprobe virtio_net
sleep 0.5

step() { # NAME WANT_RC COMMAND...
	name=$1 want=$2
	shift 2
	echo "KVICK-EXPECT $want $name"
	"$@" > /tmp/step.out 2>&1
	rc=$?
	sed "s/^/$name: /" /tmp/step.out
	echo "KVICK-RC $rc $name"
}

IF=$(ls /sys/class/net | grep -v '^lo$' | head -1)
echo "guest: virtio-net interface ${IF:-none}, features $(cat /sys/class/net/$IF/device/features 2>/dev/null)"
ip link set lo up
ip link set "$IF" mtu 9000
ip link set "$IF" up
ip addr add 10.0.0.1/24 dev "$IF"

tries=0
until ping -c 1 -W 1 10.0.0.2 > /dev/null 2>&1; do
	tries=$((tries + 1))
	[ $tries -ge 20 ] && break
done
echo "guest: warm-up pings before the first reply: $tries"

if grep -q KVICK_MODE=flood /proc/cmdline; then
	echo "KVICK-FLOOD"
	ping -q -A -s 1400 -w 600 10.0.0.2
	sleep 600
fi
step ping 0 ping -c 5 -W 2 10.0.0.2
step ping-burst 0 ping -q -A -c 1000 -s 1400 -w 60 10.0.0.2
step ping-jumbo 0 ping -c 5 -s 8972 -W 2 10.0.0.2
# A network namespace on the host, behind kvick's tap app (same bridge):
# ping, then 4 MB over TCP to a listener there.
step ping-ns 0 ping -c 5 -W 2 10.0.0.3
step tcp-ns 0 sh -c 'dd if=/dev/zero bs=1024 count=4096 2>/dev/null | nc -w 5 10.0.0.3 5001'
cat /sys/class/net/$IF/statistics/rx_packets /sys/class/net/$IF/statistics/tx_packets |
	tr '\n' ' ' | sed 's/^/guest-counters: rx tx /'
echo
echo KVICK-DONE
poweroff -f
