#!/usr/bin/env bash
# docs/apps.md is generated from the app descriptors (`make docs`); this
# fails when an app's documentation changed and the page was not regenerated.
set -euo pipefail
cd "$(dirname "$0")/../.."
KVICK=${KVICK_BIN:-./kvick}
if ! diff -u docs/apps.md <("$KVICK" apps --markdown); then
	echo "FAIL: docs/apps.md is stale: run 'make docs' and commit it"
	exit 1
fi
echo "ok: docs/apps.md matches 'kvick apps --markdown' ($(grep -c '^## ' docs/apps.md) classes)"
