#!/usr/bin/env bash
# pcap_reader -> pcap_writer keeps a classic pcap exactly, on files built
# here (python3) and by editcap:
#   - a file whose header is the one the writer makes comes out byte for
#     byte the same (cmp), microseconds and nanoseconds: a record at time
#     0 stays at 0, a record snapped to 64 of 262,144 bytes keeps 262,144;
#   - a big-endian file and an editcap-snapped file come out with the same
#     times, lengths and bytes as tshark reads them;
#   - a record longer than kvick's 9,216-byte buffer (a GSO capture's 64 KB
#     frame) is written cut to 9,216 bytes with its original length, counted
#     as snapped, and the records after it are read too.
set -euo pipefail
cd "$(dirname "$0")/../.."
KVICK=${KVICK_BIN:-$PWD/kvick}
[ -x "$KVICK" ] || { echo "no kvick binary at $KVICK (make kvick)"; exit 1; }
for t in tshark capinfos editcap; do command -v $t >/dev/null || { echo "FAIL: $t is needed"; exit 1; }; done
tmp=$(mktemp -d /tmp/kvick-fidelity.$$.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# make FILE ORDER(< or >) MAGIC SNAPLEN  RECORDS...  (record: sec,frac,caplen,origlen)
make_pcap() {
	python3 - "$@" <<'P'
import struct, sys
path, order, magic, snaplen = sys.argv[1], sys.argv[2], int(sys.argv[3], 16), int(sys.argv[4])
with open(path, 'wb') as f:
    f.write(struct.pack(order + 'IHHiIII', magic, 2, 4, 0, 0, snaplen, 1))
    for i, spec in enumerate(sys.argv[5:]):
        sec, frac, caplen, origlen = (int(x) for x in spec.split(','))
        f.write(struct.pack(order + 'IIII', sec, frac, caplen, origlen))
        # an Ethernet header (dst, src, a local EtherType) and a pattern
        frame = bytes([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x88, 0xb5])
        frame += bytes((i * 37 + k * 7 + 1) & 0xff for k in range(caplen - 14))
        f.write(frame[:caplen])
P
}
copy() { # in out nsec -> report json in $tmp/r.json
	timeout 30 "$KVICK" run examples/pcap_copy.topo IN="$1" OUT="$2" NSEC="$3" --no-hugepages \
		--quiet --report-json "$tmp/r.json" >"$tmp/log" 2>&1 || { cat "$tmp/log"; fail "kvick run on $1"; }
}
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, d))' "$tmp/r.json" "$1"; }
fields() { tshark -r "$1" -T fields -e frame.time_epoch -e frame.len -e frame.cap_len 2>/dev/null; }
bytes() { tshark -r "$1" -x 2>/dev/null | grep -E '^[0-9a-f]{4}  '; }

# ---- byte for byte: the writer's own header (host order = little-endian here) ----
records="0,0,60,60 1700000000,999999,64,262144 1700000001,5,1514,1514 1,0,98,98"
make_pcap "$tmp/usec.pcap" '<' a1b2c3d4 65535 $records
copy "$tmp/usec.pcap" "$tmp/usec-copy.pcap" false
cmp "$tmp/usec.pcap" "$tmp/usec-copy.pcap" || fail "usec copy differs"
[ "$(json 'apps["rd"]["snapped"]')" = 1 ] || fail "snapped should be 1"
[ "$(fields "$tmp/usec-copy.pcap" | head -1 | cut -f1)" = "0.000000000" ] || fail "time 0 not kept"
[ "$(fields "$tmp/usec-copy.pcap" | sed -n 2p | cut -f2,3)" = "$(printf '262144\t64')" ] || fail "original length not kept"
echo "ok: usec: copy is identical (cmp), time 0 kept, 64-of-262144 record keeps its length"

make_pcap "$tmp/nsec.pcap" '<' a1b23c4d 65535 "0,0,60,60" "1700000000,999999999,64,262144" "5,123456789,300,300"
copy "$tmp/nsec.pcap" "$tmp/nsec-copy.pcap" true
cmp "$tmp/nsec.pcap" "$tmp/nsec-copy.pcap" || fail "nsec copy differs"
echo "ok: nsec: copy is identical (cmp)"

# ---- big-endian input: same times, lengths, bytes ----
make_pcap "$tmp/be.pcap" '>' a1b2c3d4 65535 $records
copy "$tmp/be.pcap" "$tmp/be-copy.pcap" false
diff <(fields "$tmp/be.pcap") <(fields "$tmp/be-copy.pcap") || fail "big-endian: times/lengths differ"
diff <(bytes "$tmp/be.pcap") <(bytes "$tmp/be-copy.pcap") >/dev/null || fail "big-endian: bytes differ"
echo "ok: big-endian input: tshark shows the same times, lengths and bytes"

# ---- editcap -s 64: snapped by a real tool ----
make_pcap "$tmp/full.pcap" '<' a1b2c3d4 65535 "1,1,1514,1514" "2,2,60,60" "3,3,900,900"
editcap -F pcap -s 64 "$tmp/full.pcap" "$tmp/snap.pcap"
copy "$tmp/snap.pcap" "$tmp/snap-copy.pcap" false
diff <(fields "$tmp/snap.pcap") <(fields "$tmp/snap-copy.pcap") || fail "editcap -s 64: times/lengths differ"
diff <(bytes "$tmp/snap.pcap") <(bytes "$tmp/snap-copy.pcap") >/dev/null || fail "editcap -s 64: bytes differ"
[ "$(json 'apps["rd"]["snapped"]')" = 2 ] || fail "editcap -s 64: snapped should be 2"
echo "ok: editcap -s 64: original lengths 1514 and 900 kept, 2 snapped"

# ---- a record over 9216 bytes (GSO capture) ----
make_pcap "$tmp/gso.pcap" '<' a1b2c3d4 262144 "1,0,60,60" "2,0,65000,65000" "3,0,20000,70000" "4,0,98,98"
copy "$tmp/gso.pcap" "$tmp/gso-copy.pcap" false
[ "$(json 'apps["rd"]["errors"]')" = 0 ] || fail "gso: reading stopped with an error"
[ "$(json 'apps["rd"]["snapped"]')" = 2 ] || fail "gso: snapped should be 2"
[ "$(json 'apps["wr"]["packets"]')" = 4 ] || fail "gso: 4 records expected"
got=$(fields "$tmp/gso-copy.pcap" | cut -f2,3 | tr '\t\n' ', ')
[ "$got" = "60,60 65000,9216 70000,9216 98,98 " ] || fail "gso: lengths (wire,captured) are '$got'"
diff <(bytes "$tmp/gso.pcap" | awk '$1 < "2400"') <(bytes "$tmp/gso-copy.pcap" | awk '$1 < "2400"') >/dev/null \
	|| fail "gso: first bytes differ"
capinfos "$tmp/gso-copy.pcap" >/dev/null 2>"$tmp/cap.err" || { cat "$tmp/cap.err"; fail "capinfos"; }
echo "ok: records of 65000 and 20000 bytes: written as 9216 with their original lengths, the next record read too"
echo "pcap_fidelity: all checks passed"
