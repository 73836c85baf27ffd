#!/usr/bin/env bash
# Installs what kvick needs to build and test, and builds the two static
# libraries Debian does not ship in a usable form.  Run by `make deps` and
# as the prerequisite of every build (build/deps/.stamp).
#
# 1. Debian packages: any missing one is installed with apt-get (an
#    `apt-get update` runs first, and only when something is missing).
# 2. libpci and libpcap, static, from Debian's *source* packages:
#    - Debian ships no libpci.a at all;
#    - Debian's libpcap.a is built with D-Bus, RDMA and libnl support, so a
#      static link would drag in libdbus, libsystemd, libibverbs and libnl.
#    The sources come from the same mirror the system's apt sources name,
#    through a private apt configuration (its own sources list, state and
#    cache directories): the system's apt set-up is never changed.
#    Results are installed into build/deps/{include,lib} and kept in a
#    machine-wide cache, $KVICK_DEPS_CACHE (default /var/cache/kvick),
#    under a key made of the source package versions and SCRIPT_VERSION, so
#    a second clone on the same machine copies them in seconds.
#
# The other static libraries (libnuma, libbpf, libxdp, libelf, libzstd,
# libz) come from Debian's -dev packages in the system library directory;
# the Makefile's -L build/deps/lib puts our libpcap.a ahead of Debian's.
#
# Idempotent and silent when everything is in place; otherwise one line per
# action.  Environment: KVICK_DEPS_CACHE (cache directory),
# KVICK_DEPS_REFRESH=1 (re-read the source package index from the mirror).
set -euo pipefail

# Bump when the way the libraries are built changes: it invalidates caches.
SCRIPT_VERSION=1

APT_PACKAGES=(
	build-essential pkg-config file git dpkg-dev flex bison xz-utils
	libnuma-dev libcmocka-dev libbpf-dev libxdp-dev libelf-dev libzstd-dev
	zlib1g-dev pci.ids
	tshark tcpdump iperf3 iproute2 ethtool kmod iputils-ping
	dpdk-dev librte-net-virtio23 librte-net-vhost23 valgrind
	busybox-static qemu-system-x86 cpio
	graphviz openvswitch-switch
)
SOURCE_PACKAGES=(pciutils libpcap)

cd "$(dirname "$0")/.."
ROOT=$PWD
DEPS=$ROOT/build/deps
CACHE=${KVICK_DEPS_CACHE:-/var/cache/kvick}

say() { echo "deps: $*"; }
die() { echo "deps: error: $*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# One deps.sh at a time per machine: `make -j2 test` may start it twice (the
# `deps` target and build/deps/.stamp), and clones share apt and the cache.
lock_file=$CACHE/deps.lock
if ! { mkdir -p "$CACHE" 2>/dev/null && : >>"$lock_file"; } 2>/dev/null; then
	lock_file=${TMPDIR:-/tmp}/kvick-deps.$(id -u).lock
fi
exec 9>>"$lock_file"
flock 9

# ---------------------------------------------------------------- packages

missing_packages() {
	# One dpkg-query for all: "ii " means installed; unknown names print
	# nothing, so compare against the full list.
	local installed
	installed=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "${APT_PACKAGES[@]}" 2>/dev/null |
		awk '$1 == "ii" { print $2 }' || true)
	local p
	for p in "${APT_PACKAGES[@]}"; do
		grep -qxF "$p" <<<"$installed" || echo "$p"
	done
}

install_packages() {
	local missing
	missing=$(missing_packages)
	[ -z "$missing" ] && return 0
	# shellcheck disable=SC2086
	set -- $missing
	is_root || die "missing Debian packages: $*; run 'sudo make deps' (or as root)"
	say "installing Debian packages: $*"
	say "running apt-get update"
	apt-get -q -o DPkg::Lock::Timeout=300 update >/dev/null || die "apt-get update failed"
	local p unknown=()
	for p in "$@"; do
		# A package with no installation candidate does not exist in the
		# configured sources: say so by name rather than let apt fail later.
		[[ "$(apt-cache policy "$p" 2>/dev/null)" == *"Candidate: "[!\(]* ]] || unknown+=("$p")
	done
	[ ${#unknown[@]} -eq 0 ] || die "not in the configured Debian sources: ${unknown[*]}"
	local log=$CACHE/apt-install.log
	DEBIAN_FRONTEND=noninteractive apt-get -q install -y \
		-o DPkg::Lock::Timeout=300 --no-install-recommends "$@" >"$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; die "apt-get install $* failed (log: $log)"; }
}

# ------------------------------------------------- private apt for sources

# Prints "URI SUITE COMPONENTS SIGNED-BY" for every enabled binary source of
# this Debian release in the system configuration (one-line *.list files and
# deb822 *.sources files).  SIGNED-BY is "-" when not given.
system_debian_sources() {
	local codename=$1 f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		# deb [opt=val ...] URI SUITE COMPONENT...
		awk -v cn="$codename" '
			$1 != "deb" { next }
			{
				signed = "-"; i = 2
				if ($2 ~ /^\[/) {
					for (; i <= NF; i++) {
						o = $i; gsub(/[\[\]]/, "", o)
						if (o ~ /^signed-by=/) { sub(/^signed-by=/, "", o); signed = o }
						if ($i ~ /\]$/) { i++; break }
					}
				}
				uri = $i; suite = $(i + 1); comps = ""
				for (j = i + 2; j <= NF && $j !~ /^#/; j++) comps = comps (comps ? "," : "") $j
				if (suite ~ ("^" cn "(-updates|-security)?$"))
					print uri, suite, comps, signed
			}' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v cn="$codename" '
			function flush(   u, s, nu, ns, a, b) {
				if (types ~ /(^| )deb( |$)/ && enabled != "no") {
					nu = split(uris, a, " "); ns = split(suites, b, " ")
					for (u = 1; u <= nu; u++) for (s = 1; s <= ns; s++)
						if (b[s] ~ ("^" cn "(-updates|-security)?$"))
							print a[u], b[s], comps, signed
				}
				types = uris = suites = comps = ""; signed = "-"; enabled = ""
			}
			BEGIN { signed = "-" }
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); next }
			/^[ \t]/ { next }   # continuation line (an inline key): ignore
			{
				key = tolower($1); sub(/:$/, "", key)
				val = $0; sub(/^[^:]*:[ \t]*/, "", val)
				if (key == "types") types = val
				else if (key == "uris") uris = val
				else if (key == "suites") suites = val
				else if (key == "components") { comps = val; gsub(/ +/, ",", comps) }
				else if (key == "signed-by" && val ~ /^\//) signed = val
				else if (key == "enabled") enabled = tolower(val)
			}
			END { flush() }' "$f"
	done
}

APT_DIR=$CACHE/apt
apt_private() {
	apt-get -q -o Dir::State="$APT_DIR/state" -o Dir::Cache="$APT_DIR/cache" \
		-o Dir::Etc::SourceList="$APT_DIR/sources.list" \
		-o Dir::Etc::SourceParts="$APT_DIR/sources.list.d" \
		-o Dir::State::status=/var/lib/dpkg/status \
		-o APT::Sandbox::User=root "$@"
}

setup_private_apt() {
	local codename
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$codename" ] || die "cannot tell the Debian release from /etc/os-release"
	mkdir -p "$APT_DIR/state/lists/partial" "$APT_DIR/cache/archives/partial" \
		"$APT_DIR/sources.list.d"
	local list
	list=$(system_debian_sources "$codename" | sort -u |
		awk '{ gsub(/,/, " ", $3)
		       opt = ($4 != "-") ? "[signed-by=" $4 "] " : ""
		       print "deb-src " opt $1 " " $2 " " $3 }')
	[ -n "$list" ] || die "no '$codename' Debian source in /etc/apt/sources.list(.d) to take the mirror from"
	local want="# written by kvick scripts/deps.sh from the system's apt sources
$list"
	if [ ! -f "$APT_DIR/sources.list" ] || [ "$(cat "$APT_DIR/sources.list")" != "$want" ] ||
	   ! compgen -G "$APT_DIR/state/lists/*Sources*" >/dev/null ||
	   [ "${KVICK_DEPS_REFRESH:-0}" = 1 ]; then
		printf '%s\n' "$want" >"$APT_DIR/sources.list"
		say "reading the $codename source package index (private apt configuration in $APT_DIR)"
		apt_private update >/dev/null || die "apt-get update of the source index failed (see $APT_DIR/sources.list)"
	fi
}

# Version apt-get source would fetch, from the name of the .dsc it prints.
source_version() {
	apt_private source --only-source --print-uris "$1" 2>/dev/null |
		sed -n "/^'[^']*' $1_[^ ]*\.dsc /{s/^'[^']*' $1_\([^ ]*\)\.dsc .*/\1/p;q}"
}

# ------------------------------------------------------------------ builds

build_pciutils() { # srcdir prefix
	(cd "$1" &&
	 # HWDB/ZLIB/DNS/LIBKMOD=no: no libudev, zlib, resolver or libkmod in the
	 # static link; the ID database is Debian's plain pci.ids.
	 local opts="HWDB=no ZLIB=no DNS=no LIBKMOD=no SHARED=no IDSDIR=/usr/share/misc PREFIX=$2"
	 make -j2 $opts lib/libpci.a && make $opts install-lib) >"$1.log" 2>&1 ||
		die "pciutils build failed, see $1.log"
}

build_libpcap() { # srcdir prefix
	# Capture over Linux packet sockets and savefiles only: each disabled
	# feature would pull another library into the static link.
	(cd "$1" &&
	 ./configure --prefix="$2" --disable-shared --disable-dbus --disable-rdma \
		--disable-bluetooth --disable-usb --disable-netmap --disable-remote \
		--without-libnl --without-dpdk --without-dag --without-septel \
		--without-snf --without-turbocap &&
	 make -j2 libpcap.a && make install) >"$1.log" 2>&1 ||
		die "libpcap build failed, see $1.log"
}

# Fetches, builds and installs the source packages into $1 (an empty dir).
build_all() { # prefix
	local prefix=$1 work=$CACHE/build.$$
	rm -rf "$work"; mkdir -p "$work"
	local i name ver
	for i in "${!SOURCE_PACKAGES[@]}"; do
		name=${SOURCE_PACKAGES[$i]}; ver=${VERSIONS[$i]}
		say "building $name $ver from Debian source"
		# Not "name=version": versions may carry an epoch the .dsc name lacks.
		(cd "$work" && apt_private source --only-source "$name" >"$work/$name.fetch.log" 2>&1) ||
			die "apt-get source $name failed, see $work/$name.fetch.log"
		local dir
		dir=$(find "$work" -maxdepth 1 -type d -name "$name-${ver%%-*}" -print -quit)
		[ -n "$dir" ] || die "apt-get source $name gave no source tree in $work"
		"build_$name" "$dir" "$prefix"
	done
	rm -rf "$work"
}

lib_files_present() { # dir
	[ -f "$1/lib/libpci.a" ] && [ -f "$1/lib/libpcap.a" ] &&
	[ -f "$1/include/pci/pci.h" ] && [ -f "$1/include/pcap/pcap.h" ]
}

install_static_libs() {
	# Already built for this script version?  Then nothing to do, and no
	# network needed.
	if lib_files_present "$DEPS" && [ -f "$DEPS/.key" ] &&
	   grep -q "^script $SCRIPT_VERSION\$" "$DEPS/.key"; then
		return 0
	fi
	is_root || [ -w "$CACHE" ] || die "static libpci/libpcap not built yet; run 'make deps' as root once"
	setup_private_apt
	VERSIONS=()
	local name ver key=""
	for name in "${SOURCE_PACKAGES[@]}"; do
		ver=$(source_version "$name")
		[ -n "$ver" ] || die "no source package '$name' in $APT_DIR/sources.list"
		VERSIONS+=("$ver")
		key+="$name-$ver+"
	done
	key+="s$SCRIPT_VERSION"
	local cached=$CACHE/deps-$key
	if lib_files_present "$cached" && [ -f "$cached/.complete" ]; then
		say "using cached static libraries from $cached"
	else
		rm -rf "$cached.tmp"; mkdir -p "$cached.tmp"
		build_all "$cached.tmp"
		lib_files_present "$cached.tmp" || die "build finished but libraries are missing in $cached.tmp"
		# Keep only what kvick links against: headers and static libraries.
		rm -rf "$cached.tmp/bin" "$cached.tmp/share" "$cached.tmp/sbin"
		touch "$cached.tmp/.complete"
		rm -rf "$cached"; mv "$cached.tmp" "$cached"
	fi
	say "installing libpci and libpcap into build/deps"
	rm -rf "$DEPS/include" "$DEPS/lib"
	mkdir -p "$DEPS"
	cp -a "$cached/include" "$cached/lib" "$DEPS/"
	{ echo "script $SCRIPT_VERSION"; echo "key $key"; echo "from $cached"; } >"$DEPS/.key"
}

install_packages
install_static_libs

# Touch the stamp only when it is older than this script: touching it on
# every run would make every object file out of date.
if [ ! -f "$DEPS/.stamp" ] || [ "$DEPS/.stamp" -ot "$ROOT/scripts/deps.sh" ] || [ "$DEPS/.stamp" -ot "$DEPS/.key" ]; then
	touch "$DEPS/.stamp"
fi
