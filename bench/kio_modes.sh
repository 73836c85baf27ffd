#!/usr/bin/env bash
# bench/kio_modes.sh -- AF_PACKET receive and transmit methods compared on a
# veth, the measurement behind rawsock's design (docs/kernel-io.md).
#
#   bench/kio_modes.sh [REPS]     (default 3; about 1 minute per rep)
#
# Receive: a 64-byte UDP flood from namespace A (bench/kio_udpblast.c) to
# the root-side veth end, read by a TPACKET_V2 ring or by recvmmsg(); CPU
# ns per frame of the reader.  Transmit: 60-byte frames sent as fast as
# possible on the root-side end by sendmmsg() or a TPACKET_V2 TX ring;
# frames per second.  Median of REPS.
set -euo pipefail
REPS=${1:-3}
source "$(dirname "$0")/../tests/e2e/lib/kio.sh"
trap kio_cleanup EXIT
need ip gcc python3
B=$KIO_ROOT/build/bench; mkdir -p "$B"
gcc -O2 -Wall -o "$B/kio_udpblast" "$KIO_ROOT/bench/kio_udpblast.c"
gcc -O2 -Wall -o "$B/kio_pktsock_modes" "$KIO_ROOT/bench/kio_pktsock_modes.c"
kio_setup_veths
kio_ns_up
# B must answer ARP for the flood's destination: a static entry instead.
in_a ip neigh replace "$IPB" lladdr 02:00:00:00:00:02 dev "$EA"
: >"$TMP/res"
for rep in $(seq "$REPS"); do
	for m in rx-ring rx-mmsg; do
		in_a "$B/kio_udpblast" send "$IPB" 9000 4 >/dev/null &
		sp=$!
		sleep 0.5
		taskset -c 1 "$B/kio_pktsock_modes" $m "$VA" 3 | tee -a "$TMP/res" >&2
		wait $sp
	done
	for m in tx-mmsg tx-ring; do
		taskset -c 1 "$B/kio_pktsock_modes" $m "$VB" 3 | tee -a "$TMP/res" >&2
	done
done
python3 - "$TMP/res" <<'PY'
import sys, statistics
r = {}
for l in open(sys.argv[1]):
    f = l.split()
    r.setdefault(f[0], []).append((float(f[4]), float(f[6])))
print("| method | frames/s (median) | CPU ns per frame (median) | runs (frames/s) |")
print("|---|---|---|---|")
for m in ("rx-ring", "rx-mmsg", "tx-mmsg", "tx-ring"):
    v = r.get(m, [])
    if v:
        print("| %s | %.0f | %.0f | %s |" % (m, statistics.median(x[0] for x in v),
              statistics.median(x[1] for x in v), " ".join("%.0f" % x[0] for x in v)))
PY
