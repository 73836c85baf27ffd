#!/usr/bin/env bash
# A disk that fills up under pcap_writer: an endless source writes into a
# 64 kB tmpfs.  The run must stop by itself with exit 1, name the file and
# errno, leave a pcap that ends at its last whole record (capinfos and
# tshark read it without "cut short"), count in `packets` exactly the
# records in the file, and account for every frame (packets + write_errors
# = frames the writer took from its link) with no packet leaked.
set -euo pipefail
cd "$(dirname "$0")/../.."
KVICK=${KVICK_BIN:-$PWD/kvick}
[ -x "$KVICK" ] || { echo "no kvick binary at $KVICK (make kvick)"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "skip: mounting a tmpfs needs root"; exit 77; }
for t in capinfos tshark; do command -v $t >/dev/null || { echo "FAIL: $t is needed"; exit 1; }; done
tmp=$(mktemp -d /tmp/kvick-diskfull.$$.XXXXXX)
cleanup() { umount "$tmp/mnt" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
mkdir "$tmp/mnt"
mount -t tmpfs -o size=64k tmpfs "$tmp/mnt"

cat >"$tmp/w.topo" <<'T'
app s source size=100
app w pcap_writer file=${F}
link s.output -> w.input
T
rc=0
timeout 20 "$KVICK" run "$tmp/w.topo" F="$tmp/mnt/x.pcap" --no-hugepages --quiet \
	--report-json "$tmp/r.json" >"$tmp/out" 2>"$tmp/err" || rc=$?
cat "$tmp/err"
[ $rc -eq 1 ] || fail "exit $rc, expected 1 (124: the run did not stop)"
grep -q "pcap_writer w: writing $tmp/mnt/x.pcap failed: No space left on device (errno 28)" "$tmp/err" \
	|| fail "no log line naming the file and errno"
grep -q "^$tmp/w.topo:2: app w (pcap_writer): error: writing $tmp/mnt/x.pcap failed: No space left on device (errno 28)" "$tmp/err" \
	|| fail "no final error line for app w"

read -r packets bytes lost received leak < <(python3 - "$tmp/r.json" <<'P'
import json, sys
r = json.load(open(sys.argv[1]))
w = r["apps"]["w"]
link = r["links"]["s.output -> w.input"]
print(w["packets"], w["bytes"], w["write_errors"], link["rxpackets"],
      r["packets"]["allocated"] - r["packets"]["free"])
P
)
echo "writer: packets=$packets bytes=$bytes write_errors=$lost, received $received, leaked $leak"
[ "$leak" -eq 0 ] || fail "$leak packets leaked"
[ "$packets" -gt 0 ] && [ "$lost" -gt 0 ] || fail "expected some records written and some lost"
[ $((packets + lost)) -eq "$received" ] || fail "packets $packets + write_errors $lost != received $received"
[ "$bytes" -eq $((packets * 100)) ] || fail "bytes $bytes != packets x 100"

size=$(stat -c %s "$tmp/mnt/x.pcap")
[ "$size" -eq $((24 + packets * (16 + 100))) ] || fail "file is $size bytes, expected header + $packets whole records"
capinfos -c "$tmp/mnt/x.pcap" >"$tmp/cap" 2>&1 || { cat "$tmp/cap"; fail "capinfos failed"; }
grep -q "Number of packets: *$packets\$" "$tmp/cap" || { cat "$tmp/cap"; fail "capinfos count"; }
n=$(tshark -r "$tmp/mnt/x.pcap" 2>"$tmp/tshark.err" | wc -l)
# (as root tshark warns "Running as user root": not about the file)
if grep -v 'Running as user' "$tmp/tshark.err" | grep -q .; then cat "$tmp/tshark.err"; fail "tshark complained"; fi
[ "$n" -eq "$packets" ] || fail "tshark read $n frames, expected $packets"
echo "pcap_diskfull: exit 1, file and errno named, $packets whole records kept ($size bytes), $lost counted lost, nothing leaked"
