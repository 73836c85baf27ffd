#!/usr/bin/env bash
# tests/vm/qemu10.sh -- QEMU 10 for the igb proof, without touching the
# system's QEMU or its apt sources.
#
# Debian 12's QEMU (7.2) emulates e1000 and e1000e but not the Intel 82576
# (igb); QEMU 10 from bookworm-backports does.  This script fetches it with
# a private apt configuration (its own sources list naming the system's
# Debian mirror with the suite <codename>-backports, its own state and
# cache directories, no source parts), `apt-get download`s the packages and
# `dpkg -x`es them into a cache directory.  Nothing is installed from
# backports; the only system change is `apt-get install` of ordinary
# bookworm libraries QEMU links against, when one is missing.
#
#   tests/vm/qemu10.sh            prints QEMU=<wrapper> on its last line
#   KVICK_QEMU10_CACHE=dir        where it all goes (/var/cache/kvick/qemu10)
#   KVICK_QEMU10_REFRESH=1        re-read the index and fetch again
#
# The wrapper (<cache>/bin/qemu-system-x86_64) runs the unpacked binary
# with QEMU_MODULE_DIR at the unpacked modules (otherwise QEMU tries the
# system's 7.2 modules and refuses them) and -L at the unpacked firmware
# (the qemu-system-data and seabios trees).  A second run does no network
# work: it only checks the wrapper still starts.
set -euo pipefail

CACHE=${KVICK_QEMU10_CACHE:-/var/cache/kvick/qemu10}
APT_DIR=$CACHE/apt
ROOT=$CACHE/root
WRAPPER=$CACHE/bin/qemu-system-x86_64
# qemu-system-x86 needs the other three at exactly its version (common,
# data) or newer than bookworm's (seabios >> 1.16.3); ipxe-qemu (option
# ROMs) is not needed: QEMU's igb has no option ROM.
PACKAGES="qemu-system-x86 qemu-system-common qemu-system-data seabios"

say() { echo "qemu10: $*" >&2; }
die() { echo "qemu10: error: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (it writes $CACHE and may apt-get install libraries)"
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9   # a parallel run waits here rather than unpack over us

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$codename" ] || die "cannot tell the Debian release from /etc/os-release"
suite=$codename-backports

# The Debian mirror URI the system's sources use for "$codename" (deb822
# *.sources or one-line *.list files).
system_mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v cn="$codename" '
			function flush() {
				if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " cn " ") && uris != "") {
					split(uris, u, " "); print u[1]; found = 1; exit
				}
				types = uris = suites = ""
			}
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); next }
			{ key = tolower($1); sub(/:$/, "", key); val = $0; sub(/^[^:]*:[ \t]*/, "", val)
			  if (key == "types") types = val; else if (key == "uris") uris = val
			  else if (key == "suites") suites = val }
			END { if (!found) flush() }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		# deb [options] URI SUITE COMPONENT...
		awk -v cn="$codename" '$1 == "deb" {
			i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
			if ($(i + 1) == cn) { print $i; exit } }' "$f"
	done
}

apt_private() {
	apt-get -q -o Dir::State="$APT_DIR/state" -o Dir::Cache="$APT_DIR/cache" \
		-o Dir::Etc::SourceList="$APT_DIR/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::status=/dev/null \
		-o APT::Sandbox::User=root "$@"
}
apt_cache_private() {
	apt-cache -o Dir::State="$APT_DIR/state" -o Dir::Cache="$APT_DIR/cache" \
		-o Dir::Etc::SourceList="$APT_DIR/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null -o Dir::State::status=/dev/null "$@"
}

# Does the installed version of package $1 satisfy "$2 $3" (e.g. ">= 2.34")?
installed_satisfies() {
	local v
	v=$(dpkg-query -W -f='${db:Status-Abbrev} ${Version}' "$1" 2>/dev/null) || return 1
	[[ "$v" == ii* ]] || return 1
	v=${v#* }; v=${v# }
	[ -z "$2" ] || dpkg --compare-versions "$v" "$2" "$3"
}

# Bookworm's candidate version of $1 through the system's own sources.
system_candidate() {
	apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2 }' | grep -v '(none)' || true
}

# Every library qemu-system-x86 depends on must be there, new enough: from
# bookworm (apt-get install) when bookworm's version will do, else from
# backports unpacked next to QEMU (LD_LIBRARY_PATH in the wrapper).
# Prints the names of the packages unpacked from backports.
resolve_libraries() {
	local deps dep name op dop ver cand
	deps=$(apt_cache_private show qemu-system-x86 | awk '/^Depends:/ { sub(/^Depends: */, ""); print; exit }')
	[ -n "$deps" ] || die "no Depends for qemu-system-x86 in the $suite index"
	local install=() backport=()
	while IFS= read -r dep; do
		dep=${dep%%|*}                                # first alternative
		name=$(awk '{ print $1 }' <<<"$dep"); name=${name%%:*}
		case "$name" in qemu-*|seabios|ipxe-qemu) continue ;; esac
		op=$(sed -n 's/.*(\([<>=]*\) *\([^)]*\)).*/\1/p' <<<"$dep")
		ver=$(sed -n 's/.*(\([<>=]*\) *\([^)]*\)).*/\2/p' <<<"$dep")
		dop=$op
		case "$op" in ">>") op=gt ;; ">=") op=ge ;; "=") op=eq ;; "<=") op=le ;; "<<") op=lt ;; esac
		installed_satisfies "$name" "$op" "$ver" && continue
		cand=$(system_candidate "$name")
		if [ -n "$cand" ] && { [ -z "$op" ] || dpkg --compare-versions "$cand" "$op" "$ver"; }; then
			install+=("$name")
		elif [ -n "$(apt_cache_private policy "$name" 2>/dev/null |
		             awk '/Candidate:/ && $2 != "(none)" { print $2 }')" ]; then
			backport+=("$name")
		else
			die "QEMU 10 needs $name${dop:+ ($dop $ver)}: bookworm has ${cand:-none} and $suite has none"
		fi
	done < <(tr ',' '\n' <<<"$deps" | sed 's/^ *//')
	if [ ${#install[@]} -gt 0 ]; then
		say "installing bookworm libraries QEMU 10 links against: ${install[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get -q install -y --no-install-recommends \
			"${install[@]}" >"$CACHE/apt-install.log" 2>&1 ||
			{ tail -n 20 "$CACHE/apt-install.log" >&2; die "apt-get install ${install[*]} failed"; }
	fi
	printf '%s\n' "${backport[@]}"
}

fetch_and_unpack() {
	local mirror
	mirror=$(system_mirror | head -1)
	[ -n "$mirror" ] || die "no '$codename' Debian source in /etc/apt/sources.list(.d) to take the mirror from"
	mkdir -p "$APT_DIR/state/lists/partial" "$APT_DIR/cache/archives/partial"
	printf '# written by kvick tests/vm/qemu10.sh\ndeb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
		"$mirror" "$suite" >"$APT_DIR/sources.list"
	say "reading the $suite index from $mirror (private apt configuration in $APT_DIR)"
	apt_private update >"$CACHE/apt-update.log" 2>&1 ||
		{ tail -n 20 "$CACHE/apt-update.log" >&2; die "apt-get update of $suite failed"; }

	local extra
	extra=$(resolve_libraries)
	local debs=$CACHE/debs
	rm -rf "$debs" "$ROOT.new"
	mkdir -p "$debs"
	chmod 755 "$debs"   # apt-get download may drop privileges to _apt
	say "downloading $PACKAGES${extra:+ $extra} from $suite"
	# shellcheck disable=SC2086  # word lists
	(cd "$debs" && apt_private download $PACKAGES $extra >"$CACHE/apt-download.log" 2>&1) ||
		{ tail -n 20 "$CACHE/apt-download.log" >&2; die "apt-get download failed"; }
	local d
	for d in "$debs"/*.deb; do dpkg -x "$d" "$ROOT.new"; done
	rm -rf "$ROOT"
	mv "$ROOT.new" "$ROOT"
	# shellcheck disable=SC2086
	if [ -n "$extra" ]; then printf '%s\n' $extra; fi >"$CACHE/backported-libs"
	apt_cache_private show qemu-system-x86 | awk '/^Version:/ { print $2; exit }' >"$CACHE/version"
}

write_wrapper() {
	local libpath=""
	[ -s "$CACHE/backported-libs" ] && libpath="$ROOT/usr/lib/x86_64-linux-gnu:$ROOT/lib/x86_64-linux-gnu"
	mkdir -p "$(dirname "$WRAPPER")"
	cat >"$WRAPPER" <<EOF
#!/bin/sh
# QEMU $(cat "$CACHE/version") unpacked by kvick tests/vm/qemu10.sh (not installed).
export QEMU_MODULE_DIR=$ROOT/usr/lib/x86_64-linux-gnu/qemu
${libpath:+export LD_LIBRARY_PATH=$libpath\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH\}}
exec $ROOT/usr/bin/qemu-system-x86_64 -L $ROOT/usr/share/qemu -L $ROOT/usr/share/seabios "\$@"
EOF
	chmod 755 "$WRAPPER"
}

check() {
	local libpath="" missing
	[ -s "$CACHE/backported-libs" ] && libpath="$ROOT/usr/lib/x86_64-linux-gnu:$ROOT/lib/x86_64-linux-gnu"
	missing=$(LD_LIBRARY_PATH="$libpath" ldd "$ROOT/usr/bin/qemu-system-x86_64" 2>&1 |
		grep -E 'not found' || true)
	[ -z "$missing" ] || die "QEMU 10 still misses libraries:
$missing"
	"$WRAPPER" -version | grep -q 'QEMU emulator version 10\.' ||
		die "$WRAPPER does not run as QEMU 10: $("$WRAPPER" -version 2>&1 | head -1)"
	"$WRAPPER" -device igb,help >/dev/null 2>&1 ||
		die "$WRAPPER has no igb device model"
}

if [ "${KVICK_QEMU10_REFRESH:-0}" = 1 ] || [ ! -x "$ROOT/usr/bin/qemu-system-x86_64" ] ||
   [ ! -s "$CACHE/version" ]; then
	fetch_and_unpack
fi
write_wrapper
check
say "QEMU $(cat "$CACHE/version") ready in $ROOT"
echo "QEMU=$WRAPPER"
