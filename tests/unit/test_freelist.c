/* Freelist: allocate/free, batches, exhaustion counted (not a crash),
 * clone, headroom operations, leak accounting. */
#include "testlib.h"

#include "core/packet.h"

static void test_alloc_free_counts(void **st)
{
	struct packet *p = packet_alloc();
	assert_non_null(p);
	assert_int_equal(p->length, 0);
	assert_int_equal(p->headroom, PACKET_HEADROOM);
	assert_int_equal(freelist_outstanding(), 1);
	struct freelist_stats s;
	freelist_stats(&s);
	assert_true(s.allocated >= 1);
	assert_int_equal(s.free, s.allocated - 1);
	packet_free(p);
	assert_int_equal(freelist_outstanding(), 0);
}

static void test_headroom(void **st)
{
	struct packet *p = packet_alloc();
	p->length = 100;
	memset(packet_data(p), 0xab, 100);
	uint8_t *h = packet_prepend(p, 14);
	assert_non_null(h);
	assert_int_equal(p->length, 114);
	assert_ptr_equal(h, packet_data(p));
	assert_int_equal(packet_data(p)[14], 0xab);   /* payload untouched */
	assert_null(packet_prepend(p, PACKET_HEADROOM)); /* too much: unchanged */
	assert_int_equal(p->length, 114);
	packet_shift(p, 14);
	assert_int_equal(p->length, 100);
	assert_int_equal(p->headroom, PACKET_HEADROOM);
	/* A jumbo frame fits after the default headroom. */
	assert_true(PACKET_DMA_ROOM >= PACKET_MAX_FRAME);
	packet_free(p);
}

static void test_clone(void **st)
{
	struct packet *p = packet_alloc();
	p->length = 1500;
	for (int i = 0; i < 1500; i++)
		packet_data(p)[i] = (uint8_t)i;
	p->timestamp_ns = 123456789;
	struct packet *c = packet_clone(p);
	assert_non_null(c);
	assert_ptr_not_equal(c, p);
	assert_int_equal(c->length, 1500);
	assert_int_equal(c->timestamp_ns, 123456789);
	assert_memory_equal(packet_data(c), packet_data(p), 1500);
	packet_free(p);
	packet_free(c);
}

static void test_exhaustion(void **st)
{
	/* Limit the pool to what exists now plus one chunk, then drain it. */
	freelist_shutdown();
	freelist_set_limit(203);
	struct packet *all[300];
	unsigned n = packet_alloc_batch(all, 300);
	assert_int_equal(n, 203);              /* short batch, no crash */
	assert_null(packet_alloc());
	struct freelist_stats s;
	freelist_stats(&s);
	assert_int_equal(s.exhausted, 2);
	assert_int_equal(s.free, 0);
	assert_null(packet_clone(all[0]));
	packet_free_batch(all, n);
	assert_int_equal(freelist_outstanding(), 0);
	/* Every packet has a distinct, 64-byte aligned buffer. */
	for (unsigned i = 0; i < n; i++)
		assert_int_equal((uintptr_t)all[i] % 64, 0);
	freelist_set_limit(65536);
}

/* Raising the limit after packets exist grows the stack with it. */
static void test_raise_limit(void **st)
{
	freelist_shutdown();
	freelist_set_limit(203);
	struct packet *a = packet_alloc();      /* stack sized for 203 */
	assert_non_null(a);
	freelist_set_limit(203 * 8);
	static struct packet *all[203 * 8];
	unsigned n = packet_alloc_batch(all, 203 * 8 - 1);
	assert_int_equal(n, 203 * 8 - 1);
	packet_free_batch(all, n);
	packet_free(a);
	assert_int_equal(freelist_outstanding(), 0);
	struct freelist_stats s;
	freelist_stats(&s);
	assert_int_equal(s.allocated, 203 * 8);
	assert_int_equal(s.free, 203 * 8);
	freelist_set_limit(65536);
}

int main(void)
{
	test_mem_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_free_counts),
		cmocka_unit_test(test_headroom),
		cmocka_unit_test(test_clone),
		cmocka_unit_test(test_exhaustion),
		cmocka_unit_test(test_raise_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
