/* test_virtq.c -- split virtqueues over a hand-built guest memory
 * (apps/virtq.c): frames both ways, mergeable receive buffers, interrupts
 * only when asked, and every kind of bad ring the guest can write.
 *
 * The "guest" is a 1 MB buffer declared as one region at guest-physical
 * GPA (frontend address UVA).  Layout, in guest-physical offsets:
 *   0x0000 descriptor table, 0x1000 available ring, 0x2000 used ring,
 *   0x10000.. frame buffers.
 */
#include "testlib.h"

#include <linux/virtio_net.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "apps/virtq.h"
#include "core/packet.h"

#define GPA  0x40000000ull
#define UVA  0x7f0000000000ull
#define MEM  (1u << 20)
#define NUM  8
#define BUF  0x10000u     /* first frame buffer, guest-physical offset */
#define HDR  12u

static uint8_t *guest;
static struct vhost_mem mem;
static struct virtq q;
static uint64_t c_long, c_short, c_big, c_notify;

static struct vring_desc *D(void) { return (struct vring_desc *)guest; }
static struct vring_avail *A(void) { return (struct vring_avail *)(guest + 0x1000); }
static struct vring_used *U(void) { return (struct vring_used *)(guest + 0x2000); }

static int setup(void **state)
{
	(void)state;
	test_mem_init();
	guest = calloc(1, MEM);
	mem = (struct vhost_mem){ 1, { { GPA, MEM, UVA, guest, NULL, 0 } } };
	c_long = c_short = c_big = c_notify = 0;
	q = (struct virtq){ .num = NUM, .hdr_len = HDR, .mrg_rxbuf = true, .callfd = -1,
	                    .mem = &mem, .c = { &c_long, &c_short, &c_big, &c_notify } };
	assert_int_equal(virtq_start(&q, UVA, UVA + 0x1000, UVA + 0x2000), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(guest);
	assert_int_equal(freelist_outstanding(), 0);
	return 0;
}

static void desc(uint16_t i, uint64_t gpa_off, uint32_t len, uint16_t flags, uint16_t next)
{
	D()[i] = (struct vring_desc){ GPA + gpa_off, len, flags, next };
}

/* The guest offers head at the next available slot. */
static void offer(uint16_t head)
{
	A()->ring[A()->idx % NUM] = head;
	A()->idx++;
}

/* A transmit chain: the header alone in descriptor i, the frame
 * (len bytes of `fill`) in descriptor i + 1. */
static void tx_frame(uint16_t i, uint32_t len, uint8_t fill)
{
	memset(guest + BUF + i * 0x2000u, 0, HDR);
	memset(guest + BUF + i * 0x2000u + HDR, fill, len);
	desc(i, BUF + i * 0x2000u, HDR, VRING_DESC_F_NEXT, (uint16_t)(i + 1));
	desc((uint16_t)(i + 1), BUF + i * 0x2000u + HDR, len, 0, 0);
	offer(i);
}

static void transmit_frames_become_packets(void **state)
{
	(void)state;
	tx_frame(0, 60, 0xaa);
	tx_frame(2, 1500, 0xbb);
	struct packet *p[4];
	assert_int_equal(virtq_dequeue(&q, p, 4), 2);
	assert_int_equal(p[0]->length, 60);
	assert_int_equal(packet_data(p[0])[59], 0xaa);
	assert_int_equal(p[1]->length, 1500);
	assert_int_equal(packet_data(p[1])[0], 0xbb);
	/* Both chains given back, with length 0 (nothing written). */
	assert_int_equal(U()->idx, 2);
	assert_int_equal(U()->ring[0].id, 0);
	assert_int_equal(U()->ring[1].id, 2);
	assert_int_equal(U()->ring[1].len, 0);
	assert_string_equal(q.broken, "");
	packet_free(p[0]);
	packet_free(p[1]);
	/* Nothing more on offer: nothing taken. */
	assert_int_equal(virtq_dequeue(&q, p, 4), 0);
}

static void frame_split_across_two_regions(void **state)
{
	(void)state;
	/* Split the 1 MB into two adjacent regions at 0x10800 (mapped at
	 * the same host addresses): a buffer at 0x10700 straddles them. */
	mem.n = 2;
	mem.r[0].size = 0x10800;
	mem.r[1] = (struct vhost_region){ GPA + 0x10800, MEM - 0x10800, UVA + 0x10800,
	                                  guest + 0x10800, NULL, 0 };
	for (int k = 0; k < 0x200; k++)
		guest[0x10700 + k] = (uint8_t)k;
	desc(0, 0x10700, 0x200, 0, 0);   /* header and frame in one */
	offer(0);
	struct packet *p;
	assert_int_equal(virtq_dequeue(&q, &p, 1), 1);
	assert_int_equal(p->length, 0x200 - HDR);
	for (int k = 0; k < 0x200 - (int)HDR; k++)
		assert_int_equal(packet_data(p)[k], (uint8_t)(k + HDR));
	packet_free(p);
}

static void bad_frames_are_dropped_not_fatal(void **state)
{
	(void)state;
	desc(0, BUF, 8, 0, 0);                          /* shorter than the header */
	offer(0);
	desc(1, BUF, HDR + PACKET_MAX_FRAME + 1, 0, 0); /* too long for a packet */
	offer(1);
	tx_frame(2, 100, 0x11);
	struct packet *p[4];
	assert_int_equal(virtq_dequeue(&q, p, 4), 1);
	assert_int_equal(p[0]->length, 100);
	assert_int_equal(c_short, 1);
	assert_int_equal(c_long, 1);
	assert_int_equal(U()->idx, 3);    /* all three chains given back */
	assert_true(q.ready);
	packet_free(p[0]);
}

/* A bad ring: nothing taken, nothing given back, q.broken says what. */
static void expect_broken(const char *why)
{
	struct packet *p[4];
	assert_int_equal(virtq_dequeue(&q, p, 4), 0);
	assert_false(q.ready);
	if (!strstr(q.broken, why))
		fail_msg("expected \"%s\" in \"%s\"", why, q.broken);
	assert_int_equal(U()->idx, 0);
	/* A stopped queue stays stopped. */
	assert_int_equal(virtq_dequeue(&q, p, 4), 0);
}

static void address_outside_guest_memory(void **state)
{
	(void)state;
	desc(0, MEM + 0x1000, 100, 0, 0);
	offer(0);
	expect_broken("outside guest memory");
}

static void address_running_past_the_region(void **state)
{
	(void)state;
	desc(0, MEM - 50, 100, 0, 0);    /* starts inside, ends 50 bytes past */
	offer(0);
	expect_broken("outside guest memory");
}

static void loop_in_a_chain(void **state)
{
	(void)state;
	desc(0, BUF, HDR, VRING_DESC_F_NEXT, 1);
	desc(1, BUF + 0x100, 10, VRING_DESC_F_NEXT, 0);
	offer(0);
	expect_broken("a loop");
}

static void head_beyond_the_ring(void **state)
{
	(void)state;
	offer(NUM + 1);
	expect_broken("beyond the ring");
}

static void next_beyond_the_ring(void **state)
{
	(void)state;
	desc(0, BUF, HDR, VRING_DESC_F_NEXT, 200);
	offer(0);
	expect_broken("descriptor index 200 beyond the ring");
}

static void available_index_too_far_ahead(void **state)
{
	(void)state;
	A()->idx = NUM + 1;
	expect_broken("ahead of ours");
}

static void writable_descriptor_in_transmit_chain(void **state)
{
	(void)state;
	desc(0, BUF, 100, VRING_DESC_F_WRITE, 0);
	offer(0);
	expect_broken("device-writable in a transmit chain");
}

static void indirect_descriptor_refused(void **state)
{
	(void)state;
	desc(0, BUF, 16, VRING_DESC_F_INDIRECT, 0);
	offer(0);
	expect_broken("indirect");
}

static void rings_outside_memory_refused(void **state)
{
	(void)state;
	assert_int_equal(virtq_start(&q, UVA + MEM - 16, UVA + 0x1000, UVA + 0x2000), -1);
	assert_non_null(strstr(q.broken, "ring address outside the memory table"));
	q.num = 6;
	assert_int_equal(virtq_start(&q, UVA, UVA + 0x1000, UVA + 0x2000), -1);
	assert_non_null(strstr(q.broken, "power of two"));
}

/* ---- receive ---- */

static struct packet *frame(uint16_t len, uint8_t fill)
{
	struct packet *p = packet_alloc();
	assert_non_null(p);
	memset(packet_data(p), fill, len);
	p->length = len;
	return p;
}

static void rx_buffer(uint16_t i, uint32_t len)
{
	desc(i, BUF + i * 0x1000u, len, VRING_DESC_F_WRITE, 0);
	offer(i);
}

static void mergeable_frame_fills_three_buffers(void **state)
{
	(void)state;
	for (uint16_t i = 0; i < 4; i++)
		rx_buffer(i, 100);
	struct packet *p = frame(250, 0x5a);
	uint64_t bytes = 0;
	assert_int_equal(virtq_enqueue(&q, &p, 1, &bytes), 1);
	assert_int_equal(bytes, 250);
	packet_free(p);
	/* 12 + 250 bytes: 100 + 100 + 62, num_buffers = 3. */
	assert_int_equal(U()->idx, 3);
	assert_int_equal(U()->ring[0].len, 100);
	assert_int_equal(U()->ring[1].len, 100);
	assert_int_equal(U()->ring[2].len, 62);
	struct virtio_net_hdr_mrg_rxbuf h;
	memcpy(&h, guest + BUF, sizeof h);
	assert_int_equal(h.num_buffers, 3);
	assert_int_equal(h.hdr.flags, 0);
	assert_int_equal(guest[BUF + HDR], 0x5a);
	assert_int_equal(guest[BUF + 0x2000 + 61], 0x5a);
	assert_int_equal(c_big, 0);
}

static void no_buffers_keeps_the_frame(void **state)
{
	(void)state;
	rx_buffer(0, 100);
	struct packet *p[2] = { frame(60, 1), frame(200, 2) };
	uint64_t bytes = 0;
	/* The second needs three 100-byte buffers; none left: kept. */
	assert_int_equal(virtq_enqueue(&q, p, 2, &bytes), 1);
	assert_int_equal(U()->idx, 1);
	assert_int_equal(q.last_avail, 1);
	rx_buffer(1, 100);
	rx_buffer(2, 100);
	rx_buffer(3, 100);
	assert_int_equal(virtq_enqueue(&q, p + 1, 1, &bytes), 1);
	assert_int_equal(U()->idx, 4);
	assert_int_equal(bytes, 260);
	packet_free(p[0]);
	packet_free(p[1]);
}

static void too_big_for_one_buffer_without_mrg_rxbuf(void **state)
{
	(void)state;
	q.mrg_rxbuf = false;
	rx_buffer(0, 100);
	rx_buffer(1, 1000);
	struct packet *p[2] = { frame(200, 1), frame(60, 2) };
	uint64_t bytes = 0;
	/* The first is dropped (counted) and consumes nothing; the second
	 * goes into the same buffer 0. */
	assert_int_equal(virtq_enqueue(&q, p, 2, &bytes), 2);
	assert_int_equal(c_big, 1);
	assert_int_equal(bytes, 60);
	assert_int_equal(U()->idx, 1);
	assert_int_equal(U()->ring[0].id, 0);
	assert_int_equal(U()->ring[0].len, 72);
	packet_free(p[0]);
	packet_free(p[1]);
}

static void readable_descriptor_in_receive_chain(void **state)
{
	(void)state;
	desc(0, BUF, 100, 0, 0);
	offer(0);
	struct packet *p = frame(60, 1);
	uint64_t bytes = 0;
	assert_int_equal(virtq_enqueue(&q, &p, 1, &bytes), 0);
	assert_false(q.ready);
	assert_non_null(strstr(q.broken, "device-readable in a receive chain"));
	assert_int_equal(U()->idx, 0);
	packet_free(p);
}

/* ---- interrupts ---- */

static uint64_t eventfd_count(int fd)
{
	uint64_t n = 0;
	if (read(fd, &n, sizeof n) != sizeof n)
		return 0;
	return n;
}

static void interrupts_only_when_asked(void **state)
{
	(void)state;
	int efd = eventfd(0, EFD_NONBLOCK);
	q.callfd = efd;
	struct packet *p;
	/* No EVENT_IDX: VRING_AVAIL_F_NO_INTERRUPT silences us. */
	A()->flags = VRING_AVAIL_F_NO_INTERRUPT;
	tx_frame(0, 60, 1);
	assert_int_equal(virtq_dequeue(&q, &p, 1), 1);
	packet_free(p);
	assert_int_equal(eventfd_count(efd), 0);
	A()->flags = 0;
	tx_frame(2, 60, 1);
	assert_int_equal(virtq_dequeue(&q, &p, 1), 1);
	packet_free(p);
	assert_int_equal(eventfd_count(efd), 1);
	assert_int_equal(c_notify, 1);
	/* Kicks are suppressed: we poll. */
	assert_int_equal(U()->flags, VRING_USED_F_NO_NOTIFY);
	close(efd);
}

static void event_idx_interrupts_when_used_event_passed(void **state)
{
	(void)state;
	int efd = eventfd(0, EFD_NONBLOCK);
	q.callfd = efd;
	q.event_idx = true;
	assert_int_equal(virtq_start(&q, UVA, UVA + 0x1000, UVA + 0x2000), 0);
	volatile uint16_t *used_event = &A()->ring[NUM];
	struct packet *p;
	*used_event = 1;          /* "interrupt me once used passes 1" */
	tx_frame(0, 60, 1);       /* used 0 -> 1: not yet */
	assert_int_equal(virtq_dequeue(&q, &p, 1), 1);
	packet_free(p);
	assert_int_equal(eventfd_count(efd), 0);
	tx_frame(2, 60, 1);       /* used 1 -> 2: passed */
	assert_int_equal(virtq_dequeue(&q, &p, 1), 1);
	packet_free(p);
	assert_int_equal(eventfd_count(efd), 1);
	/* avail_event is one behind what we took: the guest never kicks. */
	assert_int_equal(*(uint16_t *)&U()->ring[NUM], (uint16_t)(q.last_avail - 1));
	close(efd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(transmit_frames_become_packets, setup, teardown),
		cmocka_unit_test_setup_teardown(frame_split_across_two_regions, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_frames_are_dropped_not_fatal, setup, teardown),
		cmocka_unit_test_setup_teardown(address_outside_guest_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(address_running_past_the_region, setup, teardown),
		cmocka_unit_test_setup_teardown(loop_in_a_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(head_beyond_the_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(next_beyond_the_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(available_index_too_far_ahead, setup, teardown),
		cmocka_unit_test_setup_teardown(writable_descriptor_in_transmit_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(indirect_descriptor_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(rings_outside_memory_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(mergeable_frame_fills_three_buffers, setup, teardown),
		cmocka_unit_test_setup_teardown(no_buffers_keeps_the_frame, setup, teardown),
		cmocka_unit_test_setup_teardown(too_big_for_one_buffer_without_mrg_rxbuf, setup, teardown),
		cmocka_unit_test_setup_teardown(readable_descriptor_in_receive_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(interrupts_only_when_asked, setup, teardown),
		cmocka_unit_test_setup_teardown(event_idx_interrupts_when_used_event_passed, setup,
		                                teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
