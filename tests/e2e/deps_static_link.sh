#!/usr/bin/env bash
# Checks that the static libraries `make deps` provides link into one fully
# static program with the Makefile's library order, and work when run:
# libpci scans the bus, libpcap compiles a filter, libnuma answers, and
# libbpf/libxdp (AF_XDP) report a clean error for a missing object file.
set -euo pipefail
cd "${KVICK_ROOT:-$(dirname "$0")/../..}"
work=$(mktemp -d /tmp/kvick-deps-link.$$.XXXX)
trap 'rm -rf "$work"' EXIT

# pcap/bpf.h and linux/bpf.h both define struct bpf_insn, so the libpcap and
# libbpf halves live in separate files, as they must in kvick too.
cat >"$work/pcap_pci.c" <<'C'
#include <stdio.h>
#include <pci/pci.h>
#include <pcap/pcap.h>
#include <numa.h>
int xdp_part(void);
int main(void)
{
	struct pci_access *pa = pci_alloc();
	pci_init(pa);
	pci_scan_bus(pa);
	int n = 0;
	for (struct pci_dev *d = pa->devices; d; d = d->next)
		n++;
	pci_cleanup(pa);
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	struct bpf_program prog;
	int rc = pcap_compile(p, &prog, "udp and dst port 53", 1, PCAP_NETMASK_UNKNOWN);
	printf("pci_devices=%d pcap_compile=%d bpf_insns=%u numa_available=%d\n",
	       n, rc, rc == 0 ? prog.bf_len : 0, numa_available());
	if (rc == 0)
		pcap_freecode(&prog);
	pcap_close(p);
	return xdp_part();
}
C
cat >"$work/xdp.c" <<'C'
#include <stdio.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include <xdp/xsk.h>
int xdp_part(void);
static int quiet(enum libbpf_print_level l, const char *f, va_list a) { return 0; }
int xdp_part(void)
{
	libbpf_set_print(quiet);
	struct bpf_object *o = bpf_object__open("/nonexistent/kvick.o");
	struct xdp_program *x = xdp_program__open_file("/nonexistent/kvick.o", NULL, NULL);
	printf("bpf_object__open=%ld xdp_program__open_file=%ld xsk_umem__delete=%d\n",
	       libbpf_get_error(o), libxdp_get_error(x), xsk_umem__delete(NULL));
	return 0;
}
C
libs=$(sed -n 's/^LIBS *:= *//p' Makefile | sed 's/\$(DEPS)/build\/deps/')
# libpcap's name lookups warn that they need glibc's NSS at run time; kvick
# only uses numeric filters, so those warnings are expected.
gcc -static -Ibuild/deps/include -o "$work/t" "$work/pcap_pci.c" "$work/xdp.c" $libs 2>"$work/ld.log" ||
	{ cat "$work/ld.log"; exit 1; }
file "$work/t" | grep -q 'statically linked' || { echo "FAIL: not static: $(file "$work/t")"; exit 1; }
echo "ok: static link with LIBS = $libs"
out=$("$work/t")
echo "$out"
grep -q 'pcap_compile=0 bpf_insns=[1-9]' <<<"$out" || { echo "FAIL: pcap_compile"; exit 1; }
grep -q 'bpf_object__open=-2 xdp_program__open_file=-2 xsk_umem__delete=0' <<<"$out" ||
	{ echo "FAIL: libbpf/libxdp"; exit 1; }
grep -q 'numa_available=0' <<<"$out" || { echo "FAIL: numa_available"; exit 1; }
pcidevs=$(ls /sys/bus/pci/devices 2>/dev/null | wc -l)
grep -q "pci_devices=$pcidevs " <<<"$out" || { echo "FAIL: libpci saw a different device count than sysfs ($pcidevs)"; exit 1; }
echo "ok: libpci found $pcidevs devices (= sysfs), libpcap compiled a filter, libnuma, libbpf, libxdp answer"
