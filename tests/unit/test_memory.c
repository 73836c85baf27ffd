/* DMA memory: alignment, no page crossing, the IOVA registry, IOMMU
 * mappers (including regions created after the mapper), and the
 * hugepage error message. */
#include "testlib.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/memory.h"
#include "core/packet.h"

#define MB2 (2u << 20)

static void test_alloc_alignment_and_pages(void **st)
{
	for (size_t align = 64; align <= 4096; align *= 4) {
		uint8_t *p = mem_alloc_dma(1000, align);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % align, 0);
	}
	/* Many 300 KB buffers: none may straddle a 2 MB boundary. */
	for (int i = 0; i < 20; i++) {
		uintptr_t p = (uintptr_t)mem_alloc_dma(300 * 1024, 128);
		assert_true(p != 0);
		assert_int_equal(p / MB2, (p + 300 * 1024 - 1) / MB2);
	}
	uint8_t *z = mem_alloc_dma(4096, 64);
	for (int i = 0; i < 4096; i++)
		assert_int_equal(z[i], 0);
}

static void test_physical_iova(void **st)
{
	bool huge = *(bool *)*st;
	uint8_t *p = mem_alloc_dma(8192, 4096);
	uint64_t a = mem_iova(p), b = mem_iova(p + 5000);
	if (!huge || geteuid() != 0) {
		/* Ordinary memory (or no CAP_SYS_ADMIN): no physical IOVAs. */
		skip();
	}
	assert_true(a != MEM_IOVA_INVALID && a != 0);
	assert_int_equal(b - a, 5000);
	assert_int_equal(a, mem_virt_to_phys(p));
	int local;
	assert_int_equal(mem_iova(&local), MEM_IOVA_INVALID); /* not DMA memory */
}

/* A small IOMMU domain: hands out IOVAs from 1 GB upward, remembers maps. */
struct domain { uint64_t next; int maps, unmaps; uint64_t last_iova; };
static int dom_map(void *ctx, void *va, size_t len, uint64_t *iova)
{
	struct domain *d = ctx;
	assert_int_equal((uintptr_t)va % MB2, 0);
	assert_int_equal(len % MB2, 0);
	*iova = d->last_iova = d->next;
	d->next += len;
	d->maps++;
	return 0;
}
static void dom_unmap(void *ctx, uint64_t iova, size_t len) { ((struct domain *)ctx)->unmaps++; }

static int remaps;
static void on_remap(void *ctx) { remaps++; }

static void test_mapper(void **st)
{
	struct packet *pk = packet_alloc();   /* a region that exists before */
	assert_non_null(pk);
	uint8_t *before = mem_alloc_dma(100, 64);
	struct domain d = { .next = 1ull << 30 };
	struct dma_mapper m = { "test domain", &d, dom_map, dom_unmap };
	mem_on_remap(on_remap, NULL);
	assert_int_equal(mem_set_mapper(&m), 0);
	assert_true(d.maps >= 1);
	assert_int_equal(remaps, 1);
	uint64_t ib = mem_iova(before);
	assert_true(ib >= (1ull << 30) && ib < d.next);
	/* The cached packet IOVA was refreshed by the freelist's listener. */
	assert_int_equal(pk->iova, mem_iova(pk->data));
	assert_true(pk->iova >= (1ull << 30));
	/* A region created after the mapper is mapped on creation. */
	int maps = d.maps;
	uint8_t *big = mem_alloc_dma(3 * MB2, MB2);   /* spans pages: fine with an IOMMU */
	assert_non_null(big);
	assert_int_equal(d.maps, maps + 1);
	assert_int_equal(mem_iova(big), d.last_iova);
	assert_int_equal(mem_iova(big + 2 * MB2 + 17), d.last_iova + 2 * MB2 + 17);
	/* One domain per process. */
	struct domain d2 = { .next = 0 };
	struct dma_mapper m2 = { "other", &d2, dom_map, dom_unmap };
	assert_int_equal(mem_set_mapper(&m2), -EBUSY);
	assert_int_equal(d2.maps, 0);
	mem_clear_mapper(&m);
	assert_int_equal(d.unmaps, d.maps);
	assert_int_equal(remaps, 2);
	packet_free(pk);
}

static void test_no_1g_hugepages_message(void **st)
{
	/* Asking for 1 GB pages on a machine with none reserved must fail
	 * with a message naming what to set. */
	long n = 0;
	FILE *f = fopen("/sys/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages", "r");
	if (!f)
		skip();
	if (fscanf(f, "%ld", &n) != 1)
		n = -1;
	fclose(f);
	if (n != 0)
		skip();
	freelist_shutdown();
	mem_shutdown();
	struct mem_config c = { .page_size = 1u << 30, .numa_node = -1, .hugepages = true };
	assert_int_equal(mem_init(&c), 0);
	char path[] = "/tmp/kvick-test-memXXXXXX";
	int fd = mkstemp(path);
	int saved = dup(2);
	dup2(fd, 2);
	void *p = mem_alloc_dma(100, 64);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	assert_null(p);
	char buf[1024] = {0};
	assert_true(pread(fd, buf, sizeof buf - 1, 0) > 0);
	close(fd);
	unlink(path);
	assert_non_null(strstr(buf, "hugepages-1048576kB/nr_hugepages"));
	assert_non_null(strstr(buf, "--no-hugepages"));
	mem_shutdown();
}

int main(void)
{
	static bool huge;
	huge = test_mem_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_alignment_and_pages),
		cmocka_unit_test_prestate(test_physical_iova, &huge),
		cmocka_unit_test(test_mapper),
		cmocka_unit_test(test_no_1g_hugepages_message),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
