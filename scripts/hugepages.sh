#!/usr/bin/env bash
# Makes sure at least N free 2 MB hugepages exist (default 1024 = 2 GB), for
# kvick's DMA memory (core/memory.c) and for dpdk-test in the benchmarks.
#
#   scripts/hugepages.sh [N]
#
# As root it raises /proc/sys/vm/nr_hugepages by the shortfall and says so;
# it never lowers it (other processes may be using pages) and never asks for
# more than a quarter of the machine's memory in total.  Not as root it only
# reports the shortfall.  Exits 0 when N pages are free afterwards, 1 if not
# (the caller decides whether that matters: tests that need hugepages say
# so themselves).
set -euo pipefail

want=${1:-1024}
case "$want" in ''|*[!0-9]*) echo "hugepages: usage: $0 [PAGES]" >&2; exit 2 ;; esac

meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }

size_kb=$(meminfo Hugepagesize)
if [ "${size_kb:-0}" != 2048 ]; then
	# nr_hugepages counts pages of the default size; this script is about
	# 2 MB pages only.
	echo "hugepages: default hugepage size is ${size_kb:-unknown} kB, not 2048 kB; leaving it alone"
	exit 1
fi

free=$(meminfo HugePages_Free)
total=$(meminfo HugePages_Total)
[ "$free" -ge "$want" ] && exit 0

short=$((want - free))
if [ "$(id -u)" -ne 0 ]; then
	echo "hugepages: $free free 2 MB pages, $want wanted; as root: sysctl vm.nr_hugepages=$((total + short))"
	exit 1
fi

limit=$(( $(meminfo MemTotal) / 4 / 2048 ))
target=$((total + short))
if [ "$target" -gt "$limit" ]; then
	echo "hugepages: would need vm.nr_hugepages=$target, above a quarter of memory ($limit pages); using $limit"
	target=$limit
fi
echo "hugepages: $free free 2 MB pages, $want wanted: setting /proc/sys/vm/nr_hugepages from $total to $target"
echo "$target" >/proc/sys/vm/nr_hugepages

free=$(meminfo HugePages_Free)
if [ "$free" -lt "$want" ]; then
	# The kernel grants what it can find in contiguous memory, possibly less.
	echo "hugepages: the kernel granted only $free free pages (fragmented memory?); try 'echo 3 > /proc/sys/vm/drop_caches; echo 1 > /proc/sys/vm/compact_memory' and run again"
	exit 1
fi
