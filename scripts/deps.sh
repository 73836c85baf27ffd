#!/usr/bin/env bash
# Placeholder-free first cut: installs Debian packages only.  The static
# libpci/libpcap build lands in the next commit.
set -euo pipefail
echo "deps.sh: static library build not in place yet" >&2
exit 1
