#!/usr/bin/env bash
# The examples that need no hardware run as they are: `kvick check`, then a
# short `kvick run --duration` with the report checked.  (The examples that
# need kernel interfaces run in their own tests: vlan-trunk.topo in
# e2e/vlan, kio-*.topo in e2e/kio_*, bridge-kernel.topo in e2e/bridge.)
#
#   generator-model.topo: the paced generator through the 82599 model into
#   latency.  Every frame the latency app counts as lost is a drop one of
#   the two ports counted, and the stamps are all there.
#   demo-x710.topo: source -> X710 model port -> cable -> X710 port -> sink
#   through driver/i40e.c: frames arrive, every one sent is received or a
#   counted drop or loss, no reset, no packet leaked.
set -euo pipefail
cd "$(dirname "$0")/../.."
KVICK=${KVICK_BIN:-$PWD/kvick}
tmp=$(mktemp -d /tmp/kvick-examples.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$KVICK" ] || fail "$KVICK not built (make kvick)"
mem=(); bash scripts/hugepages.sh 64 >/dev/null 2>&1 || mem=(--no-hugepages)

"$KVICK" check examples/generator-model.topo || fail "kvick check examples/generator-model.topo"
timeout 60 "$KVICK" run examples/generator-model.topo RATE=500kpps --duration 2 "${mem[@]}" \
	--report-json "$tmp/r.json" >"$tmp/out" 2>&1 || { tail -20 "$tmp/out"; fail "kvick run"; }
python3 - "$tmp/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
a = r["apps"]; g, n0, n1, l = a["gen"], a["nic0"], a["nic1"], a["lat"]
drops = (n0["txdrop_ringfull"] + n0["txdrop_badlen"] + n1["rxdrop_nodesc"] + n1["missed"] +
         n1["rxdrop_nobuf"] + n1["rxdrop_badlen"] + n1["rxdrop_unconnected"])
errors = []
if l["seen"] < 100000: errors.append("latency saw only %d frames in 2 s at 500 kpps" % l["seen"])
if l["unstamped"] or l["reordered"]: errors.append("unstamped %d, reordered %d" % (l["unstamped"], l["reordered"]))
if l["lost"] != drops: errors.append("latency lost %d, the ports dropped %d" % (l["lost"], drops))
if g["packets"] < l["seen"] + l["lost"]: errors.append("more frames arrived than were sent")
if r["packets"]["allocated"] != r["packets"]["free"]: errors.append("packets leaked")
if errors:
    print("FAIL: generator-model: " + "; ".join(errors), file=sys.stderr); sys.exit(1)
print("ok: generator-model.topo: sent %d (%.0f pps), latency seen %d, lost %d = port drops %d, "
      "latency min %.1f us max %.1f us" % (g["packets"], g["packets"] / r["seconds"], l["seen"],
      l["lost"], drops, l["latency_min_ns"] / 1e3, l["latency_max_ns"] / 1e3))
PY
grep -q 'latency min' "$tmp/out" || fail "no latency summary in the report"

"$KVICK" check examples/demo-x710.topo || fail "kvick check examples/demo-x710.topo"
timeout 60 "$KVICK" run examples/demo-x710.topo --duration 2 "${mem[@]}" \
	--report-json "$tmp/x.json" >"$tmp/xout" 2>&1 || { tail -20 "$tmp/xout"; fail "kvick run demo-x710"; }
grep -q 'X710 firmware .* admin queue API 1\.' "$tmp/xout" || fail "demo-x710: the i40e driver did not greet the firmware"
python3 - "$tmp/x.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
a = r["apps"]; n0, n1, snk = a["nic0"], a["nic1"], a["snk"]
errors = []
if n1["rxpackets"] < 10000: errors.append("nic1 received only %d frames in 2 s" % n1["rxpackets"])
if snk["packets"] != n1["rxpackets"]: errors.append("sink %d != nic1 rx %d" % (snk["packets"], n1["rxpackets"]))
if n0["resets"] or n1["resets"]: errors.append("device resets")
if n1["rxdrop_badlen"] or n1["rxdrop_nobuf"]: errors.append("nic1 dropped frames it should not")
if n1["rxpackets"] + n1["missed"] + n1["rx_lost"] > n0["txpackets"]: errors.append("more frames arrived than were sent")
if r["packets"]["allocated"] != r["packets"]["free"]: errors.append("packets leaked")
if errors:
    print("FAIL: demo-x710: " + "; ".join(errors), file=sys.stderr); sys.exit(1)
print("ok: demo-x710.topo: nic0 sent %d, nic1 received %d (missed %d, in the ring at close %d)" %
      (n0["txpackets"], n1["rxpackets"], n1["missed"], n1["rx_lost"]))
PY
"$KVICK" check examples/classifier-model.topo || fail "kvick check examples/classifier-model.topo"
timeout 60 "$KVICK" run examples/classifier-model.topo --duration 2 "${mem[@]}" \
	--report-json "$tmp/c.json" >"$tmp/cout" 2>&1 || { tail -20 "$tmp/cout"; fail "kvick run classifier-model"; }
grep -q 'line 5: n_packets=[1-9][0-9]*, n_bytes=[0-9]*, priority=200,udp,nw_dst=10.1.0.0/26' "$tmp/cout" ||
	fail "classifier-model: no dump-flows line for rule 5 in the report"
python3 - "$tmp/c.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
a = r["apps"]; c = a["cls"]
errors = []
rx = c["received"]
if rx < 29000: errors.append("the classifier received only %d of 30000 frames" % rx)
if c["emc_hits"] + c["dpcls_hits"] + c["upcalls"] != rx: errors.append("tiers do not add up to received")
if c["megaflows"] != c["upcalls"]: errors.append("megaflows %d != upcalls %d" % (c["megaflows"], c["upcalls"]))
# Ports 5001-5004 and destinations 1-100 take turns: of every 100 frames 16
# go to a, 50 to b, 25 are dropped by rule 7, 9 match nothing.
want = {"a": 0.16, "b": 0.50, "miss": 0.09}
for port, share in want.items():
    if abs(a[port]["packets"] - share * rx) > 60:
        errors.append("%s got %d, expected about %.0f" % (port, a[port]["packets"], share * rx))
if abs(c["line7_packets"] - 0.25 * rx) > 60: errors.append("rule 7 dropped %d" % c["line7_packets"])
if a["a"]["packets"] != c["line5_packets"] or a["b"]["packets"] != c["line6_packets"]:
    errors.append("sinks and rule counters disagree")
if a["miss"]["packets"] != c["no_match"]: errors.append("miss sink != no_match")
if errors:
    print("FAIL: classifier-model: " + "; ".join(errors), file=sys.stderr); sys.exit(1)
print("ok: classifier-model.topo: received %d: a %d, b %d, dropped by rule %d, miss %d; "
      "%d upcalls, %d subtables" % (rx, a["a"]["packets"], a["b"]["packets"], c["line7_packets"],
      a["miss"]["packets"], c["upcalls"], c["subtables"]))
PY
echo "PASS examples_run"
