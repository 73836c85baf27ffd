#!/bin/busybox sh
# /init of the kvick test guest (tests/vm/run.sh builds it into the
# initramfs).  Runs each step, prefixing its output with the step name, and
# brackets it with "KVICK-EXPECT <rc> <name>" / "KVICK-RC <rc> <name>" lines
# that the host checks on the serial console.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/hugepages /run
mount -t hugetlbfs hugetlbfs /dev/hugepages
echo 64 > /proc/sys/vm/nr_hugepages
# vfio_iommu_type1 is only a soft dependency of vfio, and busybox's modprobe
# ignores soft dependencies: load it by name.
modprobe vfio_iommu_type1
modprobe vfio-pci
modprobe e1000e
sleep 1

find_dev() {
	for d in /sys/bus/pci/devices/*; do
		if [ "$(cat "$d/vendor")" = "$1" ] && [ "$(cat "$d/device")" = "$2" ]; then
			basename "$d"
			return
		fi
	done
}

step() { # NAME WANT_RC COMMAND...
	name=$1 want=$2
	shift 2
	echo "KVICK-EXPECT $want $name"
	"$@" > /tmp/step.out 2>&1
	rc=$?
	sed "s/^/$name: /" /tmp/step.out
	echo "KVICK-RC $rc $name"
}

EDU=$(find_dev 0x1234 0x11e8)
NIC=$(find_dev 0x8086 0x10d3)
echo "guest: edu at ${EDU:-?}, e1000e at ${NIC:-?}, $(grep HugePages_Total /proc/meminfo)"

step no-vfio-open 1 kvick selftest vfio-edu "$EDU"
step pci-before 0 kvick pci --all
step pci-net 0 kvick pci
step bind-edu 0 kvick bind "$EDU"
step pci-bound 0 kvick pci --all
step edu 0 kvick selftest vfio-edu "$EDU"

# Another process (a sleep) holds the device's VFIO group open: opening
# the device and unbinding it must both say it is in use, and by whom.
GROUP=$(basename "$(readlink "/sys/bus/pci/devices/$EDU/iommu_group")")
sleep 600 3<> "/dev/vfio/$GROUP" &
HOLDER=$!
sleep 1
step open-busy 1 kvick selftest vfio-edu "$EDU"
step unbind-busy 1 kvick unbind "$EDU"
kill $HOLDER
wait $HOLDER 2>/dev/null
step unbind-edu 0 kvick unbind "$EDU"

# A NIC the guest kernel drives: refused while its interface carries an
# address (192.0.2.0/24 is the documentation range; this NIC has no
# backend, nothing leaves the guest), taken once down, given back after.
IF=$(ls "/sys/bus/pci/devices/$NIC/net" 2>/dev/null | head -1)
echo "guest: e1000e interface ${IF:-?}"
ip link set "$IF" up
ip addr add 192.0.2.1/24 dev "$IF"
step bind-busy 1 kvick bind "$NIC"
ip addr flush dev "$IF"
ip link set "$IF" down
step bind-nic 0 kvick bind "$NIC"
step pci-nic-bound 0 kvick pci
step unbind-nic 0 kvick unbind "$NIC"

dmesg | grep -i dmar | sed 's/^/dmesg: /'
echo KVICK-DONE
poweroff -f
