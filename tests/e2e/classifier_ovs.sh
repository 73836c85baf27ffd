#!/usr/bin/env bash
# classifier against Open vSwitch: the same rule file is loaded into a
# userspace (netdev) OVS bridge with `ovs-ofctl add-flows` and into kvick's
# classifier; for every frame of a capture (VLAN and Q-in-Q tags, IPv4
# with options and fragments, IPv6 with extension headers, ARP, truncated
# headers), `ovs-appctl ofproto/trace` must pick the same output ports as
# kvick (pcap_reader -> classifier -> one pcap_writer per port; a frame
# no rule matches is dropped by both).  OVS runs with
# other_config:vlan-limit=2, so it reads two VLAN tags as kvick does, and
# fragment handling nx-match (a first fragment's ports match, a later
# fragment has none), as kvick keys fragments.
# OVS is stopped at the end.  On a shared machine run it under
# `flock /tmp/kvick-e2e.lock` like the other namespace tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
KVICK=${KVICK_BIN:-$PWD/kvick}
OVS_CTL=/usr/share/openvswitch/scripts/ovs-ctl
[ -x "$KVICK" ] || { echo "no kvick binary at $KVICK (make kvick)"; exit 1; }
[ -x "$OVS_CTL" ] || { echo "Open vSwitch is not installed (make deps installs openvswitch-switch)"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "needs root (to start Open vSwitch)"; exit 1; }

tmp=$(mktemp -d /tmp/kvick-clsovs.XXXXXX)
BR=kvclsbr
started=0
cleanup() {
	if [ $started = 1 ]; then
		ovs-vsctl --if-exists del-br $BR || true
		ovs-vsctl --if-exists remove Open_vSwitch . other_config vlan-limit || true
		"$OVS_CTL" stop >/dev/null 2>&1 || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

cat >"$tmp/rules.txt" <<'EOF'
# kvick classifier vs OVS: one rule file for both (ports 1, 2, 3)
priority=300,tcp,nw_src=10.0.1.0/24,tp_dst=80,actions=output:2
priority=290,tcp,tp_src=1024/0xfc00,actions=output:3
priority=250,udp6,ipv6_dst=2001:db8:1::/48,tp_dst=53,actions=output:3
priority=240,tcp6,ipv6_src=2001:db8::1,actions=output:2,output:3
priority=200,dl_vlan=10,actions=output:3
priority=190,ip,nw_dst=10.0.2.0/255.255.255.0,actions=output:2,output:3
priority=150,udp,tp_src=1000/0xfff0,actions=output:2
priority=120,arp,nw_dst=10.0.0.1,actions=output:3
priority=110,icmp6,actions=output:2
priority=100,ipv6,nw_proto=44,actions=drop
priority=95,ipv6,actions=output:3
priority=90,ip,nw_proto=17,actions=output:3
priority=80,dl_dst=02:00:00:00:00:02,actions=output:2
priority=70,dl_src=04:00:00:00:00:00/ff:ff:00:00:00:00,actions=drop
priority=60,dl_vlan=0xffff,dl_type=0x88cc,actions=output:3
EOF

# The capture: frames of every shape the rules look at, all distinct.
python3 - "$tmp/in.pcap" <<'EOF'
import random, struct, sys
random.seed(7)
def eth(dst, src, tags):
    b = bytes(dst) + bytes(src)
    for tpid, tci in tags:
        b += struct.pack("!HH", tpid, tci)
    return b
def l4(proto, sp, dp):
    if proto == 6:
        return struct.pack("!HHIIBBHHH", sp, dp, 1, 0, 0x50, 0x02, 8192, 0, 0)
    if proto == 17:
        return struct.pack("!HHHH", sp, dp, 8, 0)
    if proto in (1, 58):
        return struct.pack("!BBHI", sp & 0xff, dp & 0xff, 0, 0)
    return bytes(8)
def ipv4(src, dst, proto, opts, frag, payload):
    ihl = 5 + opts
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, ihl * 4 + len(payload), 1, frag, 64, proto, 0,
                    bytes(src), bytes(dst)) + b"\x01\x01\x01\x01" * opts
    return h + payload
def ipv6(src, dst, nh, ext, payload):
    body = ext + payload
    return struct.pack("!IHBB", 0x60000000, len(body), nh, 64) + bytes(src) + bytes(dst) + body
frames = set()
def add(b):
    frames.add(b)
macs = [[2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2], [4, 0, 0, 0, 0, 9]]
for i in range(400):
    tags = [(random.choice([0x8100, 0x88a8]), random.choice([10, 20, 0]) | random.randint(0, 7) << 13)
            for _ in range(random.choice([0, 0, 0, 1, 2]))]
    e = eth(random.choice(macs), random.choice(macs), tags)
    kind = random.randint(0, 5)
    proto = random.choice([6, 6, 17, 17, 1, 58, 47])
    sp = random.choice([1000, 1003, 1025, 2047, 80, 53, 5000])
    dp = random.choice([80, 53, 443, 1000])
    if kind <= 1:
        src = [10, 0, random.choice([1, 2, 3]), random.randint(1, 3)]
        dst = [10, 0, random.choice([1, 2, 3]), random.randint(1, 3)]
        frag = random.choice([0, 0, 0, 0x2000, 0x0020, 0x2040])
        f = e + b"\x08\x00" + ipv4(src, dst, proto, random.choice([0, 0, 1, 3]), frag, l4(proto, sp, dp) + b"kvick")
    elif kind == 2:
        a = [0x20, 1, 0x0d, 0xb8, 0, random.choice([0, 1]), 0, 0] + [0] * 7 + [random.randint(1, 2)]
        b = [0x20, 1, 0x0d, 0xb8, 0, random.choice([0, 1]), 0, 0] + [0] * 7 + [random.randint(1, 2)]
        ext, nh = b"", proto
        if random.random() < 0.3:   # fragment header: first or later fragment
            ext = struct.pack("!BBHI", nh, 0, random.choice([0x0001, 0x0100]), 5) + ext
            nh = 44
        if random.random() < 0.3:   # hop-by-hop options before it
            ext = struct.pack("!BB6s", nh, 0, bytes(6)) + ext
            nh = 0
        f = e + b"\x86\xdd" + ipv6(a, b, nh, ext, l4(proto, sp, dp) + b"kvick")
    elif kind == 3:
        tpa = [10, 0, 0, random.randint(1, 2)]
        f = e + b"\x08\x06" + struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, random.randint(1, 2),
                                          bytes(6), bytes([10, 0, 0, 7]), bytes(6), bytes(tpa))
    elif kind == 4:
        f = e + b"\x88\xcc" + bytes(random.randint(30, 40))
    else:
        f = e + struct.pack("!H", 46) + bytes(46)   # 802.3 length
    if random.random() < 0.15:
        f = f[:random.randint(14, len(f) - 1)]      # cut inside some header
    add(f)
with open(sys.argv[1], "wb") as out:
    out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i, f in enumerate(sorted(frames)):
        out.write(struct.pack("<IIII", 1, i, len(f), len(f)) + f)
print(len(frames), "frames")
EOF

# kvick: the classifier's verdicts, one pcap per output port.
cat >"$tmp/cls.topo" <<EOF
app c classifier rules=$tmp/rules.txt
app r pcap_reader file=$tmp/in.pcap
app w2 pcap_writer file=$tmp/out2.pcap
app w3 pcap_writer file=$tmp/out3.pcap
link r.output -> c.input
link c.2 -> w2.input
link c.3 -> w3.input
EOF
"$KVICK" run "$tmp/cls.topo" >"$tmp/kvick.out" 2>"$tmp/kvick.err" || {
	cat "$tmp/kvick.err"; echo "FAIL: kvick run"; exit 1; }

# OVS: a userspace bridge with ports 1, 2, 3 and the same flows.
"$OVS_CTL" start --system-id=random >"$tmp/ovs-ctl.log" 2>&1 || { cat "$tmp/ovs-ctl.log"; exit 1; }
started=1
ovs-vsctl set Open_vSwitch . other_config:vlan-limit=2
ovs-vsctl --if-exists del-br $BR
ovs-vsctl add-br $BR -- set bridge $BR datapath_type=netdev
for i in 1 2 3; do
	ovs-vsctl add-port $BR kvcls$i -- set interface kvcls$i type=internal ofport_request=$i
done
ovs-ofctl del-flows $BR            # add-br's default NORMAL flow
# Fragments as kvick keys them: L4 ports in a first fragment, none in later
# ones.  (OVS's default, "normal", zeroes the ports of every fragment.)
ovs-ofctl set-frags $BR nx-match
ovs-ofctl add-flows $BR "$tmp/rules.txt"

# Compare frame by frame: the ports OVS's trace outputs to (its "output:N"
# lines under bridge(...)) and the pcaps the frame is in on kvick's side.
python3 - "$tmp" "$BR" <<'EOF'
import struct, subprocess, sys
tmp, br = sys.argv[1], sys.argv[2]
def frames(path):
    d = open(path, "rb").read()
    out, off = [], 24
    while off < len(d):
        _, _, incl, _ = struct.unpack_from("<IIII", d, off)
        out.append(d[off + 16: off + 16 + incl])
        off += 16 + incl
    return out
ins = frames(tmp + "/in.pcap")
got = {f: set() for f in ins}
for port in ("2", "3"):
    for f in frames(f"{tmp}/out{port}.pcap"):
        got[f].add(port)
bad = 0
count = {}
for f in ins:
    tr = subprocess.run(["ovs-appctl", "ofproto/trace", br, "in_port=1", f.hex()],
                        capture_output=True, text=True, check=True).stdout
    section = tr.split("bridge(", 1)[1].split("Final flow", 1)[0]
    want = {l.strip().split(":", 1)[1] for l in section.splitlines() if l.strip().startswith("output:")}
    key = ",".join(sorted(want)) or "drop"
    count[key] = count.get(key, 0) + 1
    if want != got[f]:
        bad += 1
        if bad <= 5:
            print("FAIL: frame", f.hex())
            print("  OVS:  ", sorted(want) or "drop", "\n  kvick:", sorted(got[f]) or "drop")
            print("  " + tr.splitlines()[0])
print(len(ins), "frames traced;", ", ".join(f"{v} to {k}" for k, v in sorted(count.items())))
if bad:
    print(bad, "frames differ")
    sys.exit(1)
print("classifier_ovs: kvick and OVS agree on every frame")
EOF
grep -o 'received=[0-9]*, emc_hits=[0-9]*, dpcls_hits=[0-9]*, upcalls=[0-9]*, megaflows=[0-9]*, subtables=[0-9]*' \
	"$tmp/kvick.out" || true
