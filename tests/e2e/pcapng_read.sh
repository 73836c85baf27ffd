#!/usr/bin/env bash
# pcap_reader reads pcapng: files written by editcap and dumpcap, and files
# built block by block here (big- and little-endian sections in one file,
# several interfaces with different if_tsresol and an if_tsoffset, EPB,
# SPB and the obsolete packet block, blocks kvick steps over).  Each is
# copied by pcap_reader -> pcap_writer into a classic pcap and compared
# with what tshark reads from the pcapng file (times, lengths, bytes).
# What kvick cannot represent is refused, by `kvick check` too, with the
# block's byte offset.
set -euo pipefail
cd "$(dirname "$0")/../.."
KVICK=${KVICK_BIN:-$PWD/kvick}
[ -x "$KVICK" ] || { echo "no kvick binary at $KVICK (make kvick)"; exit 1; }
for t in tshark editcap dumpcap; do command -v $t >/dev/null || { echo "FAIL: $t is needed"; exit 1; }; done
tmp=$(mktemp -d /tmp/kvick-pcapng.$$.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

copy() { # in out -> report $tmp/r.json
	timeout 30 "$KVICK" run examples/pcap_copy.topo IN="$1" OUT="$2" NSEC=true --no-hugepages \
		--quiet --report-json "$tmp/r.json" >"$tmp/log" 2>&1 || { cat "$tmp/log"; fail "kvick run on $1"; }
}
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, d))' "$tmp/r.json" "$1"; }
fields() { tshark -r "$1" -T fields -e frame.time_epoch -e frame.len -e frame.cap_len 2>/dev/null; }
bytes() { tshark -r "$1" -x 2>/dev/null | grep -E '^[0-9a-f]{4}  '; }
same() { # pcapng copy what
	diff <(fields "$1") <(fields "$2") >"$tmp/diff" || { cat "$tmp/diff"; fail "$3: times/lengths differ"; }
	diff <(bytes "$1") <(bytes "$2") >/dev/null || fail "$3: bytes differ"
}

# ---- editcap -F pcapng of a classic file: the copy is that file again ----
python3 - "$tmp/c.pcap" <<'P'
import struct, sys
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b23c4d, 2, 4, 0, 0, 65535, 1))
    for i, (s, ns, l, o) in enumerate([(0, 0, 60, 60), (2, 2, 100, 200), (3, 999999999, 1514, 1514)]):
        f.write(struct.pack('<IIII', s, ns, l, o))
        f.write(bytes((i * 37 + k * 7 + 1) & 0xff for k in range(l)))
P
editcap -F pcapng "$tmp/c.pcap" "$tmp/c.pcapng"
copy "$tmp/c.pcapng" "$tmp/c-copy.pcap"
cmp "$tmp/c.pcap" "$tmp/c-copy.pcap" || fail "editcap -F pcapng: the copy is not the original classic file"
echo "ok: editcap -F pcapng (nanosecond if_tsresol): copied back byte for byte (cmp), snapped length kept"

# ---- dumpcap on lo ----
dumpcap -q -i lo -c 8 -w "$tmp/lo.pcapng" >/dev/null 2>"$tmp/dumpcap.err" &
dpid=$!
for _ in $(seq 50); do [ -s "$tmp/lo.pcapng" ] && break; sleep 0.1; done
sleep 0.3
ping -c 4 -i 0.2 127.0.0.1 >/dev/null
wait $dpid || { cat "$tmp/dumpcap.err"; fail "dumpcap"; }
copy "$tmp/lo.pcapng" "$tmp/lo-copy.pcap"
[ "$(json 'apps["rd"]["packets"]')" = 8 ] || fail "dumpcap: 8 frames expected"
same "$tmp/lo.pcapng" "$tmp/lo-copy.pcap" dumpcap
echo "ok: dumpcap -i lo (8 frames): same times, lengths and bytes"

# ---- hand-built: two sections (big-, then little-endian), several interfaces ----
python3 - "$tmp/hand.pcapng" <<'P'
import struct, sys
out = open(sys.argv[1], 'wb')
def block(o, btype, body):
    body += b'\0' * (-len(body) % 4)
    n = 12 + len(body)
    out.write(struct.pack(o + 'II', btype, n) + body + struct.pack(o + 'I', n))
def opt(o, code, val):
    return struct.pack(o + 'HH', code, len(val)) + val + b'\0' * (-len(val) % 4)
END = b'\0\0\0\0'
def frame(i, n):
    f = bytes([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x88, 0xb5])
    return (f + bytes((i * 37 + k * 7 + 1) & 0xff for k in range(n)))[:n]
def epb(o, ifid, ticks, data, orig):
    block(o, 6, struct.pack(o + 'IIIII', ifid, ticks >> 32, ticks & 0xffffffff, len(data), orig) + data)
for o in ('>', '<'):
    block(o, 0x0a0d0d0a, struct.pack(o + 'IHHq', 0x1a2b3c4d, 1, 0, -1) + opt(o, 2, b'kvick test') + END)
    block(o, 1, struct.pack(o + 'HHI', 1, 0, 0))                                   # if 0: microseconds
    block(o, 1, struct.pack(o + 'HHI', 1, 0, 65535) + opt(o, 9, b'\x09') + END)     # if 1: nanoseconds
    block(o, 1, struct.pack(o + 'HHI', 1, 0, 128) + opt(o, 9, b'\x94')              # if 2: 2^-20 s,
          + opt(o, 14, struct.pack(o + 'q', 1000)) + END)                           #   +1000 s
    block(o, 4, struct.pack(o + 'HH', 1, 9) + b'\x7f\0\0\x01host\0\0\0\0' + END)  # NRB: stepped over
    epb(o, 0, 1700000000123456, frame(1, 60), 60)
    epb(o, 1, 1700000000987654321, frame(2, 98), 98)
    epb(o, 2, (5 << 20) + (1 << 19), frame(3, 128), 1500)                           # 1005.5 s, snapped
    block(o, 2, struct.pack(o + 'HHIIII', 1, 0, 395812, 1234567890, 70, 70) + frame(4, 70))  # OPB
    block(o, 5, struct.pack(o + 'III', 1, 0, 0) + END)                              # ISB: stepped over
    block(o, 0x0a0d0d0b, b'\0' * 8)         # an unknown type (tshark shows custom blocks): stepped over
    block(o, 3, struct.pack(o + 'I', 90) + frame(5, 90))                            # SPB (interface 0)
P
copy "$tmp/hand.pcapng" "$tmp/hand-copy.pcap"
[ "$(json 'apps["rd"]["packets"]')" = 10 ] || fail "hand-built: 10 frames expected, got $(json 'apps["rd"]["packets"]')"
[ "$(json 'apps["rd"]["snapped"]')" = 2 ] || fail "hand-built: 2 snapped expected"
# an SPB has no time: compare its length and bytes, not its time
diff <(fields "$tmp/hand.pcapng" | awk 'NR % 5' ) <(fields "$tmp/hand-copy.pcap" | awk 'NR % 5') >"$tmp/diff" \
	|| { cat "$tmp/diff"; fail "hand-built: times/lengths differ"; }
diff <(fields "$tmp/hand.pcapng" | cut -f2,3) <(fields "$tmp/hand-copy.pcap" | cut -f2,3) >/dev/null \
	|| fail "hand-built: lengths differ"
diff <(bytes "$tmp/hand.pcapng") <(bytes "$tmp/hand-copy.pcap") >/dev/null || fail "hand-built: bytes differ"
want=$(printf '%s\n' 1700000000.123456000 1700000000.987654321 1005.500000000 | tr '\n' ' ')
got=$(fields "$tmp/hand-copy.pcap" | head -3 | cut -f1 | tr '\n' ' ')
[ "$got" = "$want" ] || fail "hand-built: times are '$got', expected '$want'"
echo "ok: hand-built (BE then LE section, 3 interfaces: us, ns, 2^-20 s + if_tsoffset; EPB, OPB, SPB; NRB/ISB/unknown stepped over): 10 frames as tshark reads them"

# ---- refused, with what and where ----
python3 - "$tmp" <<'P'
import struct, sys
d = sys.argv[1]
def block(out, btype, body, o='<'):
    body += b'\0' * (-len(body) % 4)
    out.write(struct.pack(o + 'II', btype, 12 + len(body)) + body + struct.pack(o + 'I', 12 + len(body)))
shb = struct.pack('<IHHq', 0x1a2b3c4d, 1, 0, -1)
with open(d + '/sll.pcapng', 'wb') as f:
    block(f, 0x0a0d0d0a, shb); block(f, 1, struct.pack('<HHI', 1, 0, 0)); block(f, 1, struct.pack('<HHI', 113, 0, 0))
with open(d + '/noif.pcapng', 'wb') as f:
    block(f, 0x0a0d0d0a, shb); block(f, 1, struct.pack('<HHI', 1, 0, 0))
    block(f, 6, struct.pack('<IIIII', 0, 0, 1, 60, 60) + bytes(60))
    block(f, 6, struct.pack('<IIIII', 3, 0, 2, 60, 60) + bytes(60))
with open(d + '/v2.pcapng', 'wb') as f:
    block(f, 0x0a0d0d0a, struct.pack('<IHHq', 0x1a2b3c4d, 2, 0, -1))
P
printf 'app rd pcap_reader file=%s\napp k sink\nlink rd.output -> k.input\n' "$tmp/sll.pcapng" >"$tmp/sll.topo"
rc=0; "$KVICK" check "$tmp/sll.topo" 2>"$tmp/err" || rc=$?
[ $rc -eq 1 ] && grep -q "sll.pcapng: interface description block at byte offset 48: interface 1 has link type 113; kvick frames are Ethernet (1)" "$tmp/err" \
	|| { cat "$tmp/err"; fail "a Linux-cooked interface: check must refuse it, naming offset 48"; }
printf 'app rd pcap_reader file=%s\napp k sink\nlink rd.output -> k.input\n' "$tmp/v2.pcapng" >"$tmp/v2.topo"
rc=0; "$KVICK" check "$tmp/v2.topo" 2>"$tmp/err" || rc=$?
[ $rc -eq 1 ] && grep -q "v2.pcapng: section header block at byte offset 0: version 2.0; kvick reads pcapng 1.x" "$tmp/err" \
	|| { cat "$tmp/err"; fail "pcapng 2.0 must be refused"; }
rc=0
timeout 30 "$KVICK" run examples/pcap_copy.topo IN="$tmp/noif.pcapng" OUT="$tmp/noif.pcap" --no-hugepages --quiet \
	--report-json "$tmp/r.json" >"$tmp/log" 2>&1 || rc=$?
[ $rc -eq 1 ] && grep -q "enhanced packet block at byte offset 140: frame of interface 3, but the section describes 1 interface" "$tmp/log" \
	|| { cat "$tmp/log"; fail "a frame of an undescribed interface: error naming offset 140"; }
[ "$(json 'apps["wr"]["packets"]')" = 1 ] || fail "the frame before the bad block must be delivered"
echo "ok: refused with offset: a link type 113 interface and pcapng 2.0 (by check), a frame of interface 3 of 1 (by run, after the good frame)"
echo "pcapng_read: all checks passed"
