#!/usr/bin/env bash
# Real kernel traffic through kvick's X710 driver (driver/i40e.c) on the X710
# model: two namespaces joined by TAP wires, ping both ways and iperf3 --
# the checks of tests/e2e/ixgbe_tap.sh, with model=x710 on both ports.
set -euo pipefail
cd "$(dirname "$0")/../.."
KVICK_TAP_MODEL=x710 exec bash tests/e2e/ixgbe_tap.sh
