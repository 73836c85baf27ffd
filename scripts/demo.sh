#!/usr/bin/env bash
# `make run`: the demo on the 82599 model (examples/demo-model.topo).
# A source feeds model port sim:0 through the driver's TX path; the model
# cables it to sim:1, whose RX path feeds a sink.  Five seconds with a live
# counter line, then the report (link, speed, counters per port).
set -euo pipefail
cd "$(dirname "$0")/.."
# Hugepages make DMA memory real pinned memory; without them kvick falls
# back to ordinary pages (fine for the model) and says so.
bash scripts/hugepages.sh 256 || echo "demo: not enough free hugepages; continuing with what there is"
echo "demo: source -> intel sim:0 ==cable== intel sim:1 -> sink, 5 seconds"
exec ./kvick run examples/demo-model.topo --duration 5 --live "$@"
