#!/usr/bin/env bash
# `make run`: the demo on the 82599 model (examples/demo-model.topo).
# A source feeds model port sim:0 through the driver's TX path; the model
# cables it to sim:1, whose RX path feeds a sink.  Five seconds with a live
# counter line, then the report (link, speed, counters per port).
set -euo pipefail
cd "$(dirname "$0")/.."
# Hugepages make DMA memory real pinned memory (64 x 2 MB is plenty for
# two ports); without them the demo runs on ordinary pages, which the
# model's IOMMU accepts, and says so.
mem=()
if ! bash scripts/hugepages.sh 64; then
	echo "demo: not enough free hugepages; running on ordinary memory (--no-hugepages)"
	mem=(--no-hugepages)
fi
echo "demo: source -> intel sim:0 ==cable== intel sim:1 -> sink, 5 seconds"
exec ./kvick run examples/demo-model.topo --duration 5 --live "${mem[@]}" "$@"
