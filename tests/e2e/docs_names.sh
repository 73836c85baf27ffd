#!/usr/bin/env bash
# Docs name only what the code has.  Every `backticked` name in the driver
# walk-throughs and the architecture page that looks like
#   a function      `name()`               -> an identifier in a .c/.h file
#   a file          `dir/file.c` (or .h, .md, .sh, .topo) -> exists here
#   a register/macro `NAME` or `NAME.FIELD` (NAME of 4+ characters)
#                                          -> NAME is an identifier in a .c/.h
# must exist in the tree.  Names of other projects' code that the pages cite
# on purpose are listed in EXTERNAL below.  Fails with the page, the line and
# the name.
set -euo pipefail
cd "$(dirname "$0")/../.."

# Cited from Linux's ixgbe/igb, DPDK, Snabb, ixy and the kernel's VFIO API:
# not kvick's names.
EXTERNAL="ixgbe_enable_rx_dma_82599 ixgbe_setup_rdrxctl prot_autoc_write_82599
intel_mp VFIO_SET_IOMMU VFIO_GROUP_GET_STATUS VFIO_GROUP_SET_CONTAINER
VFIO_IOMMU_GET_INFO VFIO_GET_API_VERSION VFIO_IOMMU_MAP_DMA
VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE"
# Files of other projects, and the shared notes, cited as sources.
EXTERNAL_FILES="base/i40e_adminq_cmd.h base/i40e_register.h reference/x710.md"

pages=$(ls docs/architecture.md docs/driver-*.md)
idents=$(mktemp /tmp/kvick-docs-names.XXXX)
trap 'rm -f "$idents"' EXIT
# every identifier in the sources, once
git ls-files -- '*.c' '*.h' 2>/dev/null | grep -v '^build/' | xargs cat 2>/dev/null |
	grep -oE '[A-Za-z_][A-Za-z0-9_]*' | sort -u >"$idents"
[ -s "$idents" ] || { echo "FAIL: no sources found"; exit 1; }

has_ident() { grep -qxF "$1" "$idents" || grep -qw -- "$1" <<<"$EXTERNAL"; }

bad=0 checked=0
for page in $pages; do
	lineno=0
	while IFS= read -r line; do
		lineno=$((lineno + 1))
		grep -q '`' <<<"$line" || continue
		while IFS= read -r span; do
			[ -n "$span" ] || continue
			name=${span#\`}; name=${name%\`}
			what="" ok=1
			if [[ $name =~ ^([A-Za-z_][A-Za-z0-9_]*)\(\)$ ]]; then
				what=function; has_ident "${BASH_REMATCH[1]}" || ok=0
			elif [[ $name =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]*\.(c|h|md|sh|topo)$ ]]; then
				what=file
				[ -e "$name" ] || [ -e "docs/$name" ] || grep -qw -- "$name" <<<"$EXTERNAL_FILES" ||
					ok=0
			elif [[ $name =~ ^([A-Z][A-Z0-9_]{3,})(\.[A-Za-z0-9_]+)?$ ]]; then
				# four characters or more: shorter ones (LEN, RAL) are too
				# often a field's abbreviation
				what=name; has_ident "${BASH_REMATCH[1]}" || ok=0
			fi
			[ -n "$what" ] || continue
			checked=$((checked + 1))
			if [ $ok = 0 ]; then
				echo "FAIL: $page:$lineno names $what \`$name\`, which the code does not have"
				bad=$((bad + 1))
			fi
		done < <(grep -oE '`[^`]+`' <<<"$line")
	done <"$page"
done
[ $checked -gt 100 ] || { echo "FAIL: only $checked names checked: is the pattern broken?"; exit 1; }
if [ $bad -gt 0 ]; then
	echo "$bad of $checked names in $(echo $pages | wc -w) pages do not exist in the code"
	exit 1
fi
echo "ok: $checked function, file and register names in $(echo $pages | wc -w) pages all exist in the code"
