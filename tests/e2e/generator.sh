#!/usr/bin/env bash
# generator frames as tshark sees them: for each shape (UDP/TCP, IPv4/IPv6,
# VLAN, fixed/range/imix sizes) kvick writes N frames with pcap_writer, and
# tshark, checking every checksum, must find N frames, all IPv4 header and
# UDP/TCP checksums good, none bad, flows (source ports) all different, and
# the payload's sequence numbers 0..N-1 in order.  Then generator -> latency at a
# rate: nothing lost or reordered.
set -euo pipefail
cd "$(dirname "$0")/../.."
KVICK=${KVICK_BIN:-$PWD/kvick}
N=2000
tmp=$(mktemp -d /tmp/kvick-gen.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
command -v tshark >/dev/null || fail "tshark is not installed (make deps)"
[ -x "$KVICK" ] || fail "$KVICK not built (make kvick)"
TS=(tshark -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE)

check() { # params l4 ipver
	local params=$1 l4=$2 ipv=$3
	printf 'app g generator %s count=%d\napp w pcap_writer file=%s\nlink g.output -> w.input\n' \
		"$params" "$N" "$tmp/g.pcap" >"$tmp/g.topo"
	"$KVICK" run "$tmp/g.topo" --no-hugepages --quiet >"$tmp/run.log" 2>&1 ||
		{ cat "$tmp/run.log"; fail "kvick run ($params)"; }
	"${TS[@]}" -r "$tmp/g.pcap" -T fields -E separator=, -e frame.len \
		-e ip.checksum.status -e $l4.checksum.status -e $l4.srcport -e $l4.payload -e vlan.id \
		>"$tmp/f.csv" 2>"$tmp/ts.err" || { cat "$tmp/ts.err"; fail "tshark"; }
	python3 - "$tmp/f.csv" "$N" "$ipv" "$params" <<'PY' || exit 1
import sys
rows = [l.rstrip("\n").split(",") for l in open(sys.argv[1])]
n, ipv, params = int(sys.argv[2]), sys.argv[3], sys.argv[4]
err = []
if len(rows) != n: err.append("%d frames, expected %d" % (len(rows), n))
# tshark checksum status: 0 bad, 1 good, 2 unverified
if ipv == "4" and any(r[1] != "1" for r in rows): err.append("IPv4 header checksum not good in %d frames" % sum(r[1] != "1" for r in rows))
bad = [r for r in rows if r[2] != "1"]
if bad: err.append("L4 checksum not good in %d frames, e.g. %s" % (len(bad), bad[0]))
ports = {r[3] for r in rows}
if len(ports) != n: err.append("%d distinct source ports, expected %d" % (len(ports), n))
seqs = [int(r[4][:16], 16) for r in rows if r[4]]
if seqs != list(range(n)): err.append("sequence numbers not 0..N-1")
if "vlan=" in params and any(r[5] != params.split("vlan=")[1].split()[0] for r in rows): err.append("VLAN id wrong")
sizes = sorted({int(r[0]) for r in rows})
if err:
    print("FAIL: %s: %s" % (params, "; ".join(err)), file=sys.stderr); sys.exit(1)
print("ok: %-48s %d frames, all checksums good, %d flows, sizes %s" % (params, n, len(ports),
      sizes if len(sizes) <= 3 else "%d..%d (%d distinct)" % (sizes[0], sizes[-1], len(sizes))))
PY
}
check "size=64" udp 4
check "size=imix proto=tcp" tcp 4
check "size=82-1518 ipv6=true src_ip=fd00::1-fd00::ff" udp 6
check "size=imix proto=tcp ipv6=true vlan=42 pcp=6" tcp 6
check "size=200 vlan=7 dst_ip=10.1.0.1-10.1.0.50" udp 4

printf 'app g generator rate=200kpps size=imix count=100000\napp l latency\nlink g.output -> l.input\n' >"$tmp/l.topo"
"$KVICK" run "$tmp/l.topo" --no-hugepages --report-json "$tmp/l.json" >"$tmp/l.log" 2>&1 || { cat "$tmp/l.log"; fail "latency run"; }
python3 - "$tmp/l.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))["apps"]["l"]
assert a["seen"] == 100000 and a["lost"] == 0 and a["reordered"] == 0 and a["unstamped"] == 0, a
assert sum(v for k, v in a.items() if k.startswith("lat_")) == 100000
print("ok: generator rate=200kpps -> latency: 100000 seen, 0 lost, 0 reordered; latency min %d ns, max %d ns" %
      (a["latency_min_ns"], a["latency_max_ns"]))
PY
grep -q 'latency min' "$tmp/l.log" || fail "latency report has no summary line"
echo "PASS generator"
