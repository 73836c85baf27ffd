/* Links: empty, full, wrap-around, batch edges, drops, counters, and two
 * threads hammering one link (the SPSC contract). */
#include "testlib.h"

#include <pthread.h>

#include "core/packet.h"
#include "links/link.h"

static struct packet *mkpkt(uint16_t len, uint32_t seq)
{
	struct packet *p = packet_alloc();
	assert_non_null(p);
	p->length = len;
	memcpy(packet_data(p), &seq, sizeof seq);
	return p;
}

static uint32_t seq_of(struct packet *p)
{
	uint32_t s;
	memcpy(&s, packet_data(p), sizeof s);
	return s;
}

static void test_bad_sizes(void **st)
{
	assert_null(link_new(0));
	assert_null(link_new(1));
	assert_null(link_new(1000));
	struct link *l = link_new(2);
	assert_non_null(l);
	link_free(l);
}

static void test_empty_full_wrap(void **st)
{
	struct link *l = link_new(8);
	assert_true(link_empty(l));
	assert_null(link_receive(l));
	/* Many rounds so the free-running counters wrap the ring many times. */
	uint32_t next_in = 0, next_out = 0;
	for (int round = 0; round < 100; round++) {
		int n = 1 + round % 8;
		for (int i = 0; i < n; i++)
			link_transmit(l, mkpkt(60, next_in++));
		assert_int_equal(link_count(l), n);
		for (int i = 0; i < n; i++) {
			struct packet *p = link_receive(l);
			assert_non_null(p);
			assert_int_equal(seq_of(p), next_out++);
			packet_free(p);
		}
		assert_true(link_empty(l));
	}
	/* Exactly size packets fit; the next is dropped and counted. */
	for (int i = 0; i < 8; i++)
		link_transmit(l, mkpkt(100, i));
	assert_true(link_full(l));
	link_transmit(l, mkpkt(100, 99));
	struct link_counters c;
	link_get_counters(l, &c);
	assert_int_equal(c.txdrop, 1);
	assert_int_equal(c.txpackets, next_in + 8);
	assert_int_equal(c.rxpackets, next_out);
	assert_int_equal(c.txbytes - c.rxbytes, 8 * 100);
	link_free(l); /* frees the 8 still inside */
	assert_int_equal(freelist_outstanding(), 0);
}

static void test_batch_edges(void **st)
{
	struct link *l = link_new(16);
	struct packet *in[40], *out[40];
	/* Batch of 0 is a no-op. */
	assert_int_equal(link_transmit_batch(l, in, 0), 0);
	assert_int_equal(link_receive_batch(l, out, 10), 0);
	/* 20 into 16 slots: 16 accepted in order, 4 freed as txdrop. */
	for (int i = 0; i < 20; i++)
		in[i] = mkpkt(64, i);
	assert_int_equal(link_transmit_batch(l, in, 20), 16);
	assert_int_equal(l->txdrop, 4);
	assert_int_equal(freelist_outstanding(), 16);
	/* Receive in uneven pieces across the wrap point. */
	assert_int_equal(link_receive_batch(l, out, 5), 5);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(seq_of(out[i]), i);
		packet_free(out[i]);
	}
	for (int i = 0; i < 5; i++)
		in[i] = mkpkt(64, 100 + i);
	assert_int_equal(link_transmit_batch(l, in, 5), 5); /* wraps */
	assert_int_equal(link_receive_batch(l, out, 40), 16);
	for (int i = 0; i < 11; i++)
		assert_int_equal(seq_of(out[i]), 5 + i);
	for (int i = 0; i < 5; i++)
		assert_int_equal(seq_of(out[11 + i]), 100 + i);
	packet_free_batch(out, 16);
	assert_int_equal(l->rxpackets, 21);
	struct link_counters c;
	link_get_counters(l, &c);
	assert_int_equal(c.rxbytes, 21 * 64);
	/* Draining: what is left is freed and counted, never received. */
	for (int i = 0; i < 3; i++)
		link_transmit(l, mkpkt(1000, i));
	assert_int_equal(link_drain(l), 3);
	link_get_counters(l, &c);
	assert_int_equal(l->drained, 3);
	assert_int_equal(l->drained_bytes, 3000);
	assert_int_equal(c.rxpackets, 21);
	assert_int_equal(c.rxbytes, 21 * 64);
	assert_int_equal(c.txbytes, 21 * 64 + 3000);  /* the 4 dropped count no bytes */
	assert_true(link_empty(l));
	link_free(l);
	assert_int_equal(freelist_outstanding(), 0);
}

/* Two threads: the producer sends sequence numbers, the consumer checks
 * they arrive in order with none lost.  The producer retries when full,
 * so txdrop must stay 0.  Packets are pre-allocated and recycled through
 * a second link, since the freelist belongs to one thread. */
#define SPSC_N 2000000u
struct spsc { struct link *fwd, *back; };

static void *producer(void *arg)
{
	struct spsc *s = arg;
	for (uint32_t i = 0; i < SPSC_N; i++) {
		struct packet *p;
		while (!(p = link_receive(s->back)))
			;
		memcpy(packet_data(p), &i, 4);
		while (link_nwritable(s->fwd) == 0)
			;
		link_transmit(s->fwd, p);
	}
	return NULL;
}

static void test_two_threads(void **st)
{
	struct spsc s = { link_new(256), link_new(512) };
	for (int i = 0; i < 300; i++)
		link_transmit(s.back, mkpkt(60, 0));
	pthread_t t;
	pthread_create(&t, NULL, producer, &s);
	for (uint32_t i = 0; i < SPSC_N; i++) {
		struct packet *p;
		while (!(p = link_receive(s.fwd)))
			;
		assert_int_equal(seq_of(p), i);
		link_transmit(s.back, p);
	}
	pthread_join(t, NULL);
	assert_int_equal(s.fwd->txdrop, 0);
	assert_int_equal(s.back->txdrop, 0);
	assert_int_equal(s.fwd->rxpackets, SPSC_N);
	link_free(s.fwd);
	link_free(s.back);
	assert_int_equal(freelist_outstanding(), 0);
}

int main(void)
{
	test_mem_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_sizes),
		cmocka_unit_test(test_empty_full_wrap),
		cmocka_unit_test(test_batch_edges),
		cmocka_unit_test(test_two_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
