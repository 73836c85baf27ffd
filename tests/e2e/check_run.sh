#!/usr/bin/env bash
# `kvick check` refuses exactly what `kvick run` refuses.  For every app
# class (each one `kvick apps` lists needs a row below), a topology with a
# bad value or a missing port link must make both commands exit 1 with the
# same first line, and that line must be the expected FILE:LINE:COL error
# pointing at the value (or at the app's name for the app as a whole).
# Nothing here may start: `run` must refuse while reading the file, before
# any device is opened.
set -euo pipefail
cd "$(dirname "$0")/../.."
KVICK=${KVICK_BIN:-$PWD/kvick}
[ -x "$KVICK" ] || { echo "no kvick binary at $KVICK (make kvick)"; exit 1; }
tmp=$(mktemp -d /tmp/kvick-checkrun.$$.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; failed=1; }
failed=0

echo "not a pcap file" >"$tmp/text.pcap"
printf '# a typo on line 2\nip,nw_srcc=10.0.0.1,actions=output:1\n' >"$tmp/bad.rules"
printf 'tcp,tp_dst=80,actions=output:1\n' >"$tmp/good.rules"

# class | topology (\n between lines) | expected first line of stderr
# A row's topology links every port the class needs, except where the
# missing link is the point.
SNK='\napp k sink\nlink s.output -> k.input'
rows=$(cat <<EOF
source|app s source size=59$SNK|t.topo:1:19: error: app 's' (class 'source'): size=59 is out of range: a frame is 60..9216 bytes
source|app s source count=-5$SNK|t.topo:1:20: error: app 's' (class 'source'): count=-5: must be 0 or more (leave it unset for no limit)
source|app s source count=1|t.topo:1:5: error: app 's' (class 'source'): port 'output' is not connected: the frames would have nowhere to go
filter|app s source count=1\napp f filter expr="udp port 53 and"\napp k sink\nlink s.output -> f.input\nlink f.output -> k.input|t.topo:2:19: error: app 'f' (class 'filter'): bad filter expression "udp port 53 and": can't parse filter expression: syntax error (see \`man pcap-filter\`)
filter|app s source count=1\napp f filter expr=udp\nlink s.output -> f.input|t.topo:2:5: error: app 'f' (class 'filter'): link both input and output
pcap_reader|app s pcap_reader file=$tmp/none.pcap$SNK|t.topo:1:24: error: app 's' (class 'pcap_reader'): cannot open $tmp/none.pcap: No such file or directory
pcap_reader|app s pcap_reader file=$tmp/text.pcap$SNK|t.topo:1:24: error: app 's' (class 'pcap_reader'): $tmp/text.pcap: byte offset 0: truncated file header (16 of 24 bytes)
pcap_writer|app s source count=1\napp w pcap_writer file=$tmp/no/such/dir/x.pcap\nlink s.output -> w.input|t.topo:2:24: error: app 'w' (class 'pcap_writer'): cannot create $tmp/no/such/dir/x.pcap: folder $tmp/no/such/dir: No such file or directory
pcap_writer|app s source count=1\napp w pcap_writer file=$tmp\nlink s.output -> w.input|t.topo:2:24: error: app 'w' (class 'pcap_writer'): $tmp is a directory
bridge|app s source count=1\napp b bridge mac_table_size=100\nlink s.output -> b.p0|t.topo:2:29: error: app 'b' (class 'bridge'): mac_table_size=100: must be a power of two from 16 to 16777216
bridge|app s source count=1\napp b bridge timeout=0\nlink s.output -> b.p0|t.topo:2:22: error: app 'b' (class 'bridge'): timeout=0: must be more than 0 seconds
arp_icmp|app s source count=1\napp a arp_icmp ip=10.0.0.1 mac=01:00:5e:00:00:01\napp k sink\nlink s.output -> a.input\nlink a.output -> k.input|t.topo:2:32: error: app 'a' (class 'arp_icmp'): mac must be a unicast address (lowest bit of the first byte clear)
arp_icmp|app s source count=1\napp a arp_icmp ip=10.0.0.1 mac=02:00:00:00:00:01\nlink s.output -> a.input|t.topo:2:5: error: app 'a' (class 'arp_icmp'): link both input and output: requests come in on input, replies leave on output
rate_limiter|app s source count=1\napp r rate_limiter rate=5Gbs\napp k sink\nlink s.output -> r.input\nlink r.output -> k.input|t.topo:2:25: error: app 'r' (class 'rate_limiter'): rate=: rate "5Gbs": unknown unit "Gbs" (write a number and a unit: 1Mpps, 500kpps, 5Gbps, 100Mbps)
rate_limiter|app s source count=1\napp r rate_limiter rate=1Mpps\nlink s.output -> r.input|t.topo:2:5: error: app 'r' (class 'rate_limiter'): link both input and output
repeater|app s source count=1\napp r repeater limit=0\napp k sink\nlink s.output -> r.input\nlink r.output -> k.input|t.topo:2:22: error: app 'r' (class 'repeater'): limit=0 is out of range: 1..1000000 packets
join|app s source count=1\napp j join\nlink s.output -> j.a|t.topo:2:5: error: app 'j' (class 'join'): port 'output' is not connected: packets would have nowhere to go
split|app s source count=1\napp p split\nlink s.output -> p.input|t.topo:2:5: error: app 'p' (class 'split'): no output is connected: a split needs at least one
tee|app s source count=1\napp p tee\nlink s.output -> p.input|t.topo:2:5: error: app 'p' (class 'tee'): no output is connected: a tee needs at least one
sink|app s source count=1\napp k sink size=1\nlink s.output -> k.input|t.topo:2:12: error: unknown parameter 'size': class 'sink' takes no parameters
intel|app n intel pci=eth0|t.topo:1:17: error: app 'n' (class 'intel'): 'eth0' is not a PCI address: expected DDDD:BB:DD.F (domain:bus:device.function, hex, device <= 1f, function <= 7), e.g. 0000:03:00.0; \`kvick pci\` lists them; or a model port such as sim:0
intel|app n intel pci=sim0|t.topo:1:17: error: app 'n' (class 'intel'): 'sim0': a model port is written sim:N (e.g. sim:0, sim:0/cable=1); see docs/hw-sim.md
intel|app n intel pci=sim:0 rxring=100|t.topo:1:30: error: app 'n' (class 'intel'): rxring=100: must be a power of two, 64..4096
intel|app n intel pci=sim:0 mtu=9500|t.topo:1:27: error: app 'n' (class 'intel'): mtu=9500: must be 68..9000
intel|app n intel pci=sim:0 rxq=0|t.topo:1:27: error: app 'n' (class 'intel'): rxq=0: must be 1..16
intel|app n intel pci=sim:0 rxq=2 txq=2 queue=2|t.topo:1:41: error: app 'n' (class 'intel'): queue=2: the port is set up with 2 RX and 2 TX queues (rxq=, txq=): queue is 0..1
rawsock|app r rawsock ifname=lo offload=fast|t.topo:1:33: error: app 'r' (class 'rawsock'): offload=fast: expected wire or keep
rawsock|app r rawsock ifname=abcdefghijklmnopq|t.topo:1:22: error: app 'r' (class 'rawsock'): interface name 'abcdefghijklmnopq' is longer than 15 characters
tap|app t tap ifname=kvt0 offload=x|t.topo:1:31: error: app 't' (class 'tap'): offload=x: expected wire or keep
tap|app t tap ifname=abcdefghijklmnopq|t.topo:1:18: error: app 't' (class 'tap'): interface name 'abcdefghijklmnopq' is longer than 15 characters
vlan_tag|app s source count=1\napp v vlan_tag vid=4095\napp k sink\nlink s.output -> v.input\nlink v.output -> k.input|t.topo:2:20: error: app 'v' (class 'vlan_tag'): vid=4095: a VLAN ID is 0..4094 (0: priority tag only)
vlan_untag|app s source count=1\napp v vlan_untag mismatch=keep\napp k sink\nlink s.output -> v.input\nlink v.output -> k.input|t.topo:2:27: error: app 'v' (class 'vlan_untag'): mismatch=keep: must be drop or pass
vlan_mux|app s source count=1\napp m vlan_mux\napp k sink\nlink s.output -> m.vlan10\nlink m.native -> k.input|t.topo:2:5: error: app 'm' (class 'vlan_mux'): port 'trunk' is not linked: link trunk in at least one direction
generator|app s generator size=50$SNK|t.topo:1:22: error: app 's' (class 'generator'): size=50: frames are 62..9216 bytes with FCS here (the headers and the 16-byte stamp need 62)
generator|app s generator rate=1Gbs$SNK|t.topo:1:22: error: app 's' (class 'generator'): rate=: rate "1Gbs": unknown unit "Gbs" (write a number and a unit: 1Mpps, 500kpps, 5Gbps, 100Mbps)
generator|app s generator|t.topo:1:5: error: app 's' (class 'generator'): port 'output' is not linked: the frames would have nowhere to go
latency|app s source count=1\napp l latency size=1\nlink s.output -> l.input|t.topo:2:15: error: unknown parameter 'size': class 'latency' takes no parameters
vhost_user|app v vhost_user socket=$tmp/text.pcap|t.topo:1:25: error: app 'v' (class 'vhost_user'): socket=$tmp/text.pcap exists and is not a socket
af_xdp|app x af_xdp ifname=lo mode=turbo|t.topo:1:29: error: app 'x' (class 'af_xdp'): mode=turbo: expected auto, native or skb
af_xdp|app x af_xdp ifname=lo queue=-1|t.topo:1:30: error: app 'x' (class 'af_xdp'): queue=-1: expected 0 to 63
classifier|app s source count=1\napp c classifier rules=$tmp/bad.rules\napp k sink\nlink s.output -> c.input\nlink c.1 -> k.input|$tmp/bad.rules:2:4: error: unknown field 'nw_srcc' (did you mean 'nw_src'?)
classifier|app s source count=1\napp c classifier rules=$tmp/good.rules\napp k sink\nlink s.output -> c.input\nlink c.miss -> k.input|t.topo:2:5: error: app 'c' (class 'classifier'): $tmp/good.rules sends to port '1' (actions=output:1) but that output is not linked
classifier|app s source count=1\napp c classifier emc_insert_inv_prob=-1 rules=$tmp/good.rules\napp k sink\nlink s.output -> c.input\nlink c.1 -> k.input|t.topo:2:38: error: app 'c' (class 'classifier'): emc_insert_inv_prob=-1: must be 0 (never insert) to 4294967295
vhost_user|app s source count=1\napp v vhost_user socket=/tmp/kvick-cr.sock server=maybe\nlink s.output -> v.input|t.topo:2:51: error: bad value 'maybe' for parameter 'server' (bool): expected a boolean (true/false, yes/no, on/off, 1/0)
EOF
)

covered=" "
while IFS='|' read -r cls topo expected; do
	[ -n "$cls" ] || continue
	covered+="$cls "
	printf '%b\n' "$topo" >"$tmp/t.topo"
	for cmd in check "run --quiet --duration 1"; do
		rc=0
		# shellcheck disable=SC2086  # cmd is a command and its options
		(cd "$tmp" && timeout 20 "$KVICK" $cmd t.topo >out 2>err) || rc=$?
		first=$(head -1 "$tmp/err")
		if [ $rc -ne 1 ] || [ "$first" != "$expected" ]; then
			fail "$cls, kvick ${cmd%% *} (exit $rc, expected 1) on:"
			sed 's/^/      /' "$tmp/t.topo"
			echo "    expected: $expected"
			echo "    got:      $first"
		fi
	done
	[ $failed -eq 0 ] && echo "ok: $cls: $(echo "$expected" | cut -c1-90)..."
done <<<"$rows"

for cls in $("$KVICK" apps | awk '{print $1}'); do
	[[ "$covered" == *" $cls "* ]] || fail "app class '$cls' has no row in $0: add a bad value (or missing link) for it"
done
[ $failed -eq 0 ] && echo "check_run: check and run refuse the same files with the same message"
exit $failed
