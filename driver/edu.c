/* edu.c -- DMA through VFIO with QEMU's edu device (see edu.h).
 *
 * edu's BAR0 (QEMU docs/specs/edu.rst):
 *   0x00 identification  0xRRrr00ed (major, minor, 0xed)
 *   0x04 liveness check  reads back the bitwise inverse of what was written
 *   0x80 DMA source address          (64-bit)
 *   0x88 DMA destination address     (64-bit)
 *   0x90 DMA transfer count          (64-bit)
 *   0x98 DMA command: bit 0 start (reads 1 while running), bit 1 direction
 *        (0: RAM -> device buffer, 1: device buffer -> RAM)
 * The device buffer sits at device address 0x40000 and is 4 KiB long.
 * The DMA registers take 64-bit stores (a 32-bit store would set only half
 * an address).  QEMU 7.2 aborts on a transfer that ends exactly at the end
 * of the buffer, so we move less than 4 KiB at a time.
 */
#include "edu.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "core/memory.h"
#include "device.h"
#include "vfio.h"

#define EDU_ID          0x00
#define EDU_LIVENESS    0x04
#define EDU_DMA_SRC     0x80
#define EDU_DMA_DST     0x88
#define EDU_DMA_COUNT   0x90
#define EDU_DMA_CMD     0x98
#define EDU_CMD_START   0x1
#define EDU_CMD_TO_RAM  0x2      /* direction bit: device buffer -> RAM */
#define EDU_BUF_ADDR    0x40000  /* the device buffer, in device address space */
#define EDU_XFER        2048     /* bytes per transfer: < 4096, see above */

static int failures, passes;

static void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(bool ok, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%s ", ok ? "ok  " : "FAIL");
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
	ok ? passes++ : failures++;
}

static void wr64(struct device *d, uint32_t off, uint64_t v)
{
	*(volatile uint64_t *)(d->bar0.bar + off) = v;
}

static uint64_t rd64(struct device *d, uint32_t off)
{
	return *(volatile uint64_t *)(d->bar0.bar + off);
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Start one transfer and wait for the start bit to clear (edu runs its DMA
 * from a QEMU timer ~100 ms later).  false on timeout. */
static bool edu_dma(struct device *d, uint64_t src, uint64_t dst, bool to_ram)
{
	wr64(d, EDU_DMA_SRC, src);
	wr64(d, EDU_DMA_DST, dst);
	wr64(d, EDU_DMA_COUNT, EDU_XFER);
	wr64(d, EDU_DMA_CMD, EDU_CMD_START | (to_ram ? EDU_CMD_TO_RAM : 0));
	uint64_t deadline = now_ms() + 10000;
	while (rd64(d, EDU_DMA_CMD) & EDU_CMD_START)
		if (now_ms() > deadline)
			return false;
		else
			usleep(1000);
	return true;
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7 + (i >> 8));
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static void check_registers(struct device *d)
{
	uint32_t id = reg_read(&d->bar0, EDU_ID);            /* edu.rst: 0x00 identification */
	check((id & 0xff) == 0xed, "edu identification register %#x (low byte 0xed)", id);
	reg_write(&d->bar0, EDU_LIVENESS, 0x12345678);      /* edu.rst: 0x04 liveness check */
	uint32_t live = reg_read(&d->bar0, EDU_LIVENESS);   /* reads back inverted */
	check(live == ~0x12345678u, "liveness register inverts 0x12345678 -> %#x", live);
}

static void print_ranges(struct device *d)
{
	const struct iova_space *s = vfio_iova_space(d);
	for (int i = 0; s && i < s->nranges; i++)
		printf("info usable IOVA range %#llx-%#llx\n", (unsigned long long)s->range[i].start,
		       (unsigned long long)s->range[i].end);
}

/* kvick's own DMA memory (hugepages, mapped by the VFIO mapper that
 * vfio_device_open installed): RAM -> device -> RAM, byte-exact. */
static void check_round_trip(struct device *d)
{
	uint8_t *a = mem_alloc_dma(4096, 4096), *b = mem_alloc_dma(4096, 4096);
	check(a && b, "mem_alloc_dma gives two DMA buffers");
	if (!a || !b)
		return;
	uint64_t ia = mem_iova(a), ib = mem_iova(b);
	const struct iova_space *s = vfio_iova_space(d);
	printf("info buffer A va %p iova %#llx, buffer B va %p iova %#llx\n", (void *)a,
	       (unsigned long long)ia, (void *)b, (unsigned long long)ib);
	check(ia != MEM_IOVA_INVALID && ib != MEM_IOVA_INVALID && s &&
		      iova_in_ranges(s, ia, 4096) && iova_in_ranges(s, ib, 4096),
	      "both IOVAs lie inside the IOMMU's usable ranges");

	fill(a, 4096, 0x5a);
	memset(b, 0, 4096);
	check(edu_dma(d, ia, EDU_BUF_ADDR, false), "DMA RAM -> device (%d bytes) completes", EDU_XFER);
	check(edu_dma(d, EDU_BUF_ADDR, ib, true), "DMA device -> RAM (%d bytes) completes", EDU_XFER);
	check(memcmp(a, b, EDU_XFER) == 0, "device wrote back exactly the %d bytes it read", EDU_XFER);
	check(all_bytes(b + EDU_XFER, 4096 - EDU_XFER, 0), "no byte past the transfer was written");
}

/* A page mapped, then unmapped: the same device write that lands while
 * mapped must be blocked by the IOMMU once unmapped. */
static void check_unmapped_blocked(struct device *d)
{
	size_t len = 4096;
	uint8_t *scratch = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	uint8_t *src = mem_alloc_dma(4096, 4096), *back = mem_alloc_dma(4096, 4096);
	uint64_t is = 0;
	if (scratch == MAP_FAILED || !src || !back) {
		check(false, "scratch memory for the unmap test");
		return;
	}
	int r = vfio_dma_map(d, scratch, len, &is);
	check(r == 0, "VFIO_IOMMU_MAP_DMA of a scratch page at iova %#llx (%s)",
	      (unsigned long long)is, r ? strerror(-r) : "ok");
	if (r)
		return;

	fill(src, 4096, 0x11);
	memset(scratch, 0, len);
	edu_dma(d, mem_iova(src), EDU_BUF_ADDR, false);
	edu_dma(d, EDU_BUF_ADDR, is, true);
	check(memcmp(scratch, src, EDU_XFER) == 0, "mapped scratch page receives the device's data");

	r = vfio_dma_unmap(d, is, len);
	check(r == 0, "VFIO_IOMMU_UNMAP_DMA of the scratch page (%s)", r ? strerror(-r) : "ok");
	memset(scratch, 0xaa, len);
	fill(src, 4096, 0x77);
	edu_dma(d, mem_iova(src), EDU_BUF_ADDR, false);
	check(edu_dma(d, EDU_BUF_ADDR, is, true), "DMA to the unmapped iova %#llx ends",
	      (unsigned long long)is);
	check(all_bytes(scratch, len, 0xaa), "DMA to the unmapped iova was blocked: data unchanged");
	/* Proof the device really held new data that the IOMMU kept out. */
	memset(back, 0, 4096);
	edu_dma(d, EDU_BUF_ADDR, mem_iova(back), true);
	check(memcmp(back, src, EDU_XFER) == 0, "the device held the new data all along");
	munmap(scratch, len);
}

int edu_selftest(const char *addr)
{
	struct device d;
	char err[512];
	failures = passes = 0;
	if (vfio_device_open(addr, &d, err, sizeof err) < 0) {
		fprintf(stderr, "kvick selftest vfio-edu: %s\n", err);
		return -1;
	}
	check(d.vendor_id == EDU_VENDOR_ID && d.device_id == EDU_DEVICE_ID,
	      "%s is QEMU's edu device (%04x:%04x)", d.addr, d.vendor_id, d.device_id);
	print_ranges(&d);
	if (d.vendor_id == EDU_VENDOR_ID && d.device_id == EDU_DEVICE_ID) {
		check_registers(&d);
		check_round_trip(&d);
		check_unmapped_blocked(&d);
	}
	d.ops->close(&d);
	printf("vfio-edu: %d checks passed, %d failed\n", passes, failures);
	return failures;
}
