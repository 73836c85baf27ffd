#!/usr/bin/env bash
# pcap round trip with real traffic: capture ping, ARP and UDP (small,
# large, fragmented) with tcpdump on a veth pair into a network namespace,
# pass the capture through `kvick run examples/pcap_copy.topo`
# (pcap_reader -> pcap_writer), and check with tshark that the copy has
# the same frames with the same bytes and timestamps -- once with
# microsecond and once with nanosecond timestamps.  Then cut the capture in
# the middle of a record: kvick must deliver every frame before the cut,
# count one error and name the record's byte offset.
set -euo pipefail
cd "$(dirname "$0")/../.."
KVICK=${KVICK_BIN:-$PWD/kvick}
[ -x "$KVICK" ] || { echo "no kvick binary at $KVICK (make kvick)"; exit 1; }

ns=kvpcap$$
va=kvpa$$
vb=kvpb$$
net=10.$((100 + $$ % 100)).$(( ($$ / 100) % 250 ))
tmp=$(mktemp -d /tmp/kvick-pcap-rt.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	ip link del "$va" 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# ---- the network: host side $va, namespace side $vb ----
ip netns add "$ns"
ip link add "$va" type veth peer name "$vb"
ip link set "$vb" netns "$ns"
ip addr add "$net.1/24" dev "$va"
ip link set "$va" up
ip netns exec "$ns" ip addr add "$net.2/24" dev "$vb"
ip netns exec "$ns" ip link set "$vb" up
ip netns exec "$ns" ip link set lo up

# ---- capture: two tcpdumps, microsecond and nanosecond timestamps ----
start_tcpdump() { # file, extra args...
	local f=$1; shift
	tcpdump -i "$va" -n -U --immediate-mode -s 0 -w "$f" "$@" 2>"$f.err" &
	pids+=($!)
	for _ in $(seq 50); do grep -q "listening on" "$f.err" 2>/dev/null && return 0; sleep 0.1; done
	echo "tcpdump did not start:"; cat "$f.err"; exit 1
}
start_tcpdump "$tmp/usec.pcap"
start_tcpdump "$tmp/nsec.pcap" --time-stamp-precision=nano

ping -c 5 -i 0.2 -W 1 "$net.2" >/dev/null
python3 - "$net.2" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for size in (1, 100, 1400, 3000, 8000):   # 3000 and 8000 arrive as IP fragments
    s.sendto(bytes(i & 0xff for i in range(size)), (sys.argv[1], 9999))
    time.sleep(0.05)
PY
sleep 1   # let tcpdump write the last frames before it is told to stop
for p in "${pids[@]}"; do kill -INT "$p"; done
wait "${pids[@]}" 2>/dev/null || true
pids=()

count() { tshark -r "$1" 2>/dev/null | wc -l || true; }
n=$(count "$tmp/usec.pcap")
echo "captured $n frames with tcpdump (usec), $(count "$tmp/nsec.pcap") (nsec)"
[ "$n" -ge 20 ] || { echo "FAIL: expected at least 20 frames (5 pings, 5 UDP sends + fragments)"; exit 1; }

# What tshark sees of a file: time, length, and every byte of every frame.
fields() { tshark -r "$1" -T fields -e frame.time_epoch -e frame.len -e frame.cap_len 2>/dev/null || true; }
bytes()  { tshark -r "$1" -x 2>/dev/null | grep -E '^[0-9a-f]{4}  ' || true; }
json_get() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, d))' "$@"; }

roundtrip() { # precision, input file, nsec flag
	local prec=$1 in=$2 nsec=$3 out=$tmp/copy-$1.pcap rep=$tmp/report-$1.json
	timeout 60 "$KVICK" run examples/pcap_copy.topo IN="$in" OUT="$out" NSEC="$nsec" \
		--duration 30 --report-json "$rep" >"$tmp/run-$prec.log" 2>&1 ||
		{ echo "FAIL: kvick run ($prec) failed:"; cat "$tmp/run-$prec.log"; exit 1; }
	local want; want=$(count "$in")
	local rd wr errs secs
	rd=$(json_get "$rep" 'apps["rd"]["packets"]')
	wr=$(json_get "$rep" 'apps["wr"]["packets"]')
	errs=$(json_get "$rep" 'apps["rd"]["errors"] + apps["wr"]["write_errors"]')
	secs=$(json_get "$rep" 'seconds')
	[ "$rd" = "$want" ] && [ "$wr" = "$want" ] && [ "$errs" = 0 ] ||
		{ echo "FAIL ($prec): report says read $rd, wrote $wr, errors $errs; tcpdump wrote $want"; exit 1; }
	python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) < 25 else 1)' "$secs" ||
		{ echo "FAIL ($prec): run did not end by itself ($secs s)"; exit 1; }
	[ "$(json_get "$rep" 'packets["allocated"] - packets["free"]')" = 0 ] ||
		{ echo "FAIL ($prec): packets not returned to the freelist"; exit 1; }
	diff <(fields "$in") <(fields "$out") >"$tmp/diff" ||
		{ echo "FAIL ($prec): times/lengths differ:"; head -20 "$tmp/diff"; exit 1; }
	diff <(bytes "$in") <(bytes "$out") >"$tmp/diff" ||
		{ echo "FAIL ($prec): frame bytes differ:"; head -20 "$tmp/diff"; exit 1; }
	echo "ok: $prec: $want frames through pcap_reader -> pcap_writer; tshark shows identical" \
	     "times ($(fields "$out" | head -1 | cut -f1) ...), lengths and bytes; run ended by itself in ${secs}s"
}
roundtrip usec "$tmp/usec.pcap" false
roundtrip nsec "$tmp/nsec.pcap" true
# the nanosecond file really carries nanoseconds (not zero-padded microseconds)
if fields "$tmp/copy-nsec.pcap" | cut -f1 | grep -qvE '000\b'; then
	echo "ok: nsec copy keeps sub-microsecond digits"
else
	echo "note: every nanosecond timestamp happened to end in 000"
fi

# ---- a capture cut in the middle of a record ----
size=$(stat -c %s "$tmp/usec.pcap")
cut=$((size - 30))            # inside the last record
head -c "$cut" "$tmp/usec.pcap" >"$tmp/cut.pcap"
# byte offset of the last record: walk the records (24-byte file header,
# 16-byte record headers with incl_len at +8, little-endian as tcpdump wrote it)
last=$(python3 - "$tmp/usec.pcap" <<'PY'
import struct, sys
b = open(sys.argv[1], 'rb').read()
off, last = 24, 24
while off < len(b):
    last = off
    off += 16 + struct.unpack_from('<I', b, off + 8)[0]
print(last)
PY
)
rep=$tmp/report-cut.json
rc=0
timeout 60 "$KVICK" run examples/pcap_copy.topo IN="$tmp/cut.pcap" OUT="$tmp/copy-cut.pcap" \
	--duration 30 --report-json "$rep" >"$tmp/run-cut.log" 2>&1 || rc=$?
[ "$rc" = 1 ] || { echo "FAIL: kvick run on a cut file exited $rc, expected 1"; cat "$tmp/run-cut.log"; exit 1; }
grep -q "record at byte offset $last: truncated data" "$tmp/run-cut.log" ||
	{ echo "FAIL: no error naming byte offset $last:"; cat "$tmp/run-cut.log"; exit 1; }
[ "$(json_get "$rep" 'apps["rd"]["errors"]')" = 1 ] || { echo "FAIL: errors counter is not 1"; exit 1; }
want=$((n - 1))
[ "$(json_get "$rep" 'apps["wr"]["packets"]')" = "$want" ] ||
	{ echo "FAIL: expected the $want frames before the cut to be written"; exit 1; }
diff <(fields "$tmp/usec.pcap" | head -n "$want") <(fields "$tmp/copy-cut.pcap") >/dev/null &&
diff <(bytes "$tmp/copy-cut.pcap") <(bytes "$tmp/cut.pcap" | head -n "$(bytes "$tmp/copy-cut.pcap" | wc -l)") >/dev/null ||
	{ echo "FAIL: frames before the cut differ"; exit 1; }
echo "ok: capture cut at byte $cut of $size: the $want whole frames were delivered unchanged;" \
     "error: $(grep -o "record at byte offset $last: [^;]*" "$tmp/run-cut.log" | head -1)"
echo "pcap_roundtrip: all checks passed"
