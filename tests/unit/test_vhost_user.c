/* test_vhost_user.c -- the vhost_user app through the real engine, with
 * this test as the frontend: it speaks vhost-user over the app's socket,
 * hands over a memfd as guest memory, writes the rings itself, and
 * checks what the app answers, delivers and counts.  Malformed messages
 * must close only the connection; the app takes the next one.
 *
 * Guest memory (one 1 MB memfd region at guest-physical GPA, frontend
 * address UVA): per vring v, descriptors at v*0x4000, available ring at
 * +0x1000, used ring at +0x2000; frame buffers from 0x10000.
 */
#include "apps_test.h"

#include <fcntl.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "apps/vhost_proto.h"

#define GPA 0x100000000ull
#define UVA 0x7f1200000000ull
#define MEM (1u << 20)
#define NUM 8
#define HDR 12u

/* A test-only source the test fills by hand. */
static const char *const out_port[] = { "output", NULL };
static int feed_new(struct app *app, const struct app_args *args) { return 0; }
static const struct app_class feed_class = {
	.name = "feed", .help = "test: the test transmits on its output",
	.inputs = no_port, .outputs = out_port, .params = no_params, .new = feed_new,
};
KVICK_APP(feed_class);

static char sock_path[108];
static struct net n;
static int memfd = -1, fe = -1;
static uint8_t *guest;
static int callfd[2], kickfd[2];

static struct vring_desc *D(int v) { return (struct vring_desc *)(guest + v * 0x4000); }
static struct vring_avail *A(int v) { return (struct vring_avail *)(guest + v * 0x4000 + 0x1000); }
static struct vring_used *U(int v) { return (struct vring_used *)(guest + v * 0x4000 + 0x2000); }

static int setup(void **state)
{
	(void)state;
	test_mem_init();
	snprintf(sock_path, sizeof sock_path, "/tmp/kvick-test-vhost-%d.sock", getpid());
	char topo[512];
	snprintf(topo, sizeof topo,
	         "app f feed\napp vm vhost_user socket=%s\napp c capture\n"
	         "link f.output -> vm.input\nlink vm.output -> c.input\n", sock_path);
	n = net_start(topo);
	memfd = memfd_create("guest", MFD_CLOEXEC);
	assert_int_equal(ftruncate(memfd, MEM), 0);
	guest = mmap(NULL, MEM, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	assert_true(guest != MAP_FAILED);
	for (int v = 0; v < 2; v++) {
		callfd[v] = eventfd(0, EFD_NONBLOCK);
		kickfd[v] = eventfd(0, EFD_NONBLOCK);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (fe >= 0)
		close(fe);
	fe = -1;
	net_end(&n);
	munmap(guest, MEM);
	close(memfd);
	for (int v = 0; v < 2; v++) {
		close(callfd[v]);
		close(kickfd[v]);
	}
	assert_int_equal(access(sock_path, F_OK), -1);   /* the app removed its socket */
	return 0;
}

/* Breathe for about ms milliseconds (the app reads its socket every 100 us). */
static void run_for(int ms)
{
	for (int i = 0; i < ms * 5; i++) {
		engine_breathe(n.e);
		usleep(200);
	}
}

static void fe_connect(void)
{
	fe = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, sock_path);
	assert_int_equal(connect(fe, (struct sockaddr *)&sa, sizeof sa), 0);
}

static void fe_send(uint32_t req, uint32_t flags, const void *payload, uint32_t size,
                    const int *fds, int nfds)
{
	struct { uint32_t req, flags, size; } h = { req, VHOST_USER_VERSION | flags, size };
	struct iovec iov[2] = { { &h, 12 }, { (void *)payload, size } };
	union { char buf[CMSG_SPACE(8 * sizeof(int))]; struct cmsghdr a; } ctl;
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = size ? 2 : 1 };
	if (nfds) {
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	assert_int_equal(sendmsg(fe, &mh, 0), 12 + size);
}

static void fe_u64(uint32_t req, uint64_t val) { fe_send(req, 0, &val, 8, NULL, 0); }

/* Breathe until the reply to req arrives; returns its u64 (or vring num). */
static uint64_t fe_reply(uint32_t req)
{
	for (int i = 0; i < 2000; i++) {
		struct pollfd p = { fe, POLLIN, 0 };
		if (poll(&p, 1, 0) == 1) {
			struct { uint32_t req, flags, size; uint64_t v; } r = { 0 };
			assert_int_equal(recv(fe, &r, 12, MSG_WAITALL), 12);
			assert_int_equal(r.req, req);
			assert_int_equal(r.flags, VHOST_USER_VERSION | VHOST_USER_FLAG_REPLY);
			assert_int_equal(r.size, 8);
			assert_int_equal(recv(fe, &r.v, 8, MSG_WAITALL), 8);
			return r.v;
		}
		engine_breathe(n.e);
		usleep(200);
	}
	fail_msg("no reply to request %u", req);
	return 0;
}

/* After a malformed message the app must hang up on us. */
static void fe_expect_closed(void)
{
	for (int i = 0; i < 2000; i++) {
		engine_breathe(n.e);
		usleep(200);
		char c;
		struct pollfd p = { fe, POLLIN, 0 };
		if (poll(&p, 1, 0) == 1) {
			assert_int_equal(recv(fe, &c, 1, 0), 0);
			close(fe);
			fe = -1;
			return;
		}
	}
	fail_msg("the app did not close the connection");
}

static void fe_mem_table(uint64_t size, int fd)
{
	struct { uint32_t nregions, pad; struct vhost_msg_region r; } m = {
		1, 0, { GPA, size, UVA, 0 },
	};
	fe_send(VHOST_USER_SET_MEM_TABLE, VHOST_USER_FLAG_NEED_REPLY, &m, sizeof m, &fd, 1);
}

/* The whole negotiation, as QEMU and DPDK do it. */
static void fe_setup(void)
{
	fe_connect();
	fe_send(VHOST_USER_SET_OWNER, 0, NULL, 0, NULL, 0);
	fe_send(VHOST_USER_GET_FEATURES, 0, NULL, 0, NULL, 0);
	uint64_t f = fe_reply(VHOST_USER_GET_FEATURES);
	uint64_t want = (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_NET_F_MRG_RXBUF) |
	                (1ull << VHOST_USER_F_PROTOCOL_FEATURES);
	assert_int_equal(f & want, want);
	assert_true(f & (1ull << VIRTIO_RING_F_EVENT_IDX));
	fe_send(VHOST_USER_GET_PROTOCOL_FEATURES, 0, NULL, 0, NULL, 0);
	uint64_t pf = fe_reply(VHOST_USER_GET_PROTOCOL_FEATURES);
	assert_true(pf & (1ull << VHOST_USER_PROTOCOL_F_REPLY_ACK));
	fe_u64(VHOST_USER_SET_PROTOCOL_FEATURES, 1ull << VHOST_USER_PROTOCOL_F_REPLY_ACK);
	fe_u64(VHOST_USER_SET_FEATURES, want);
	fe_mem_table(MEM, memfd);
	assert_int_equal(fe_reply(VHOST_USER_SET_MEM_TABLE), 0);   /* REPLY_ACK: success */
	for (uint32_t v = 0; v < 2; v++) {
		struct { uint32_t index, num; } st = { v, NUM };
		fe_send(VHOST_USER_SET_VRING_NUM, 0, &st, 8, NULL, 0);
		st.num = 0;
		fe_send(VHOST_USER_SET_VRING_BASE, 0, &st, 8, NULL, 0);
		struct { uint32_t index, flags; uint64_t desc, used, avail, log; } a = {
			v, 0, UVA + v * 0x4000, UVA + v * 0x4000 + 0x2000, UVA + v * 0x4000 + 0x1000, 0,
		};
		fe_send(VHOST_USER_SET_VRING_ADDR, 0, &a, sizeof a, NULL, 0);
		uint64_t idx = v;
		fe_send(VHOST_USER_SET_VRING_KICK, 0, &idx, 8, &kickfd[v], 1);
		fe_send(VHOST_USER_SET_VRING_CALL, 0, &idx, 8, &callfd[v], 1);
		st.num = 1;
		fe_send(VHOST_USER_SET_VRING_ENABLE, VHOST_USER_FLAG_NEED_REPLY, &st, 8, NULL, 0);
		assert_int_equal(fe_reply(VHOST_USER_SET_VRING_ENABLE), 0);
	}
}

static void offer(int v, uint16_t head)
{
	A(v)->ring[A(v)->idx % NUM] = head;
	A(v)->idx++;
}

static void guest_sends(uint16_t i, uint8_t fill, uint32_t len)
{
	uint8_t *b = guest + 0x10000 + i * 0x1000u;
	memset(b, 0, HDR);
	memset(b + HDR, fill, len);
	D(1)[i] = (struct vring_desc){ GPA + 0x10000 + i * 0x1000u, HDR + len, 0, 0 };
	offer(1, i);
}

static void frames_both_ways(void **state)
{
	(void)state;
	fe_setup();
	assert_int_equal(counter(&n, "vm", "connections"), 1);
	/* Guest -> kvick. */
	guest_sends(0, 0xab, 60);
	guest_sends(1, 0xcd, 1000);
	run_for(2);
	struct packet *got[4];
	assert_int_equal(captured_of("c", got, 4), 2);
	assert_int_equal(got[0]->length, 60);
	assert_int_equal(packet_data(got[0])[0], 0xab);
	assert_int_equal(got[1]->length, 1000);
	assert_int_equal(U(1)->idx, 2);
	assert_int_equal(counter(&n, "vm", "rxpackets"), 2);
	assert_int_equal(counter(&n, "vm", "rxbytes"), 1060);
	/* kvick -> guest: one 2 KB buffer on the receive ring. */
	uint8_t *rb = guest + 0x20000;
	D(0)[0] = (struct vring_desc){ GPA + 0x20000, 2048, VRING_DESC_F_WRITE, 0 };
	offer(0, 0);
	struct packet *p = packet_alloc();
	memset(packet_data(p), 0x77, 300);
	p->length = 300;
	link_transmit(link_of(&n, "f.output -> vm.input"), p);
	run_for(2);
	assert_int_equal(U(0)->idx, 1);
	assert_int_equal(U(0)->ring[0].len, HDR + 300);
	assert_int_equal(rb[HDR], 0x77);
	assert_int_equal(((struct virtio_net_hdr_mrg_rxbuf *)rb)->num_buffers, 1);
	assert_int_equal(counter(&n, "vm", "txpackets"), 1);
	uint64_t ev = 0;
	assert_int_equal(read(callfd[0], &ev, 8), 8);    /* the guest was interrupted */
	assert_true(counter(&n, "vm", "notifies") >= 1);
	/* Stopping a ring reports where it stopped. */
	struct { uint32_t index, num; } st = { 1, 0 };
	fe_send(VHOST_USER_GET_VRING_BASE, 0, &st, 8, NULL, 0);
	assert_int_equal(fe_reply(VHOST_USER_GET_VRING_BASE) >> 32, 2);
	assert_int_equal(counter(&n, "vm", "bad_messages"), 0);
}

static void malformed_messages_close_the_connection(void **state)
{
	(void)state;
	/* A vring state of 4 bytes instead of 8. */
	fe_connect();
	uint32_t four = 8;
	fe_send(VHOST_USER_SET_VRING_NUM, 0, &four, 4, NULL, 0);
	fe_expect_closed();
	/* The next frontend is served: a memory table with no fd for its region. */
	fe_connect();
	struct { uint32_t nregions, pad; struct vhost_msg_region r; } m = {
		1, 0, { GPA, MEM, UVA, 0 } };
	fe_send(VHOST_USER_SET_MEM_TABLE, 0, &m, sizeof m, NULL, 0);
	fe_expect_closed();
	/* A region bigger than its file (touching it would fault). */
	fe_connect();
	fe_mem_table(2 * MEM, memfd);
	fe_expect_closed();
	/* A vring index kvick does not have. */
	fe_connect();
	struct { uint32_t index, num; } st = { 7, 256 };
	fe_send(VHOST_USER_SET_VRING_NUM, 0, &st, 8, NULL, 0);
	fe_expect_closed();
	/* Features never offered. */
	fe_connect();
	fe_u64(VHOST_USER_SET_FEATURES, 1ull << VIRTIO_NET_F_CSUM);
	fe_expect_closed();
	assert_int_equal(counter(&n, "vm", "bad_messages"), 5);
	assert_int_equal(counter(&n, "vm", "connections"), 5);
	/* And a good one still works after all that. */
	fe_setup();
	guest_sends(0, 1, 60);
	run_for(2);
	assert_int_equal(counter(&n, "vm", "rxpackets"), 1);
}

static void bad_descriptor_stops_only_that_queue(void **state)
{
	(void)state;
	fe_setup();
	D(1)[0] = (struct vring_desc){ GPA + 2 * MEM, 100, 0, 0 };   /* outside the memory */
	offer(1, 0);
	run_for(2);
	assert_int_equal(counter(&n, "vm", "queue_errors"), 1);
	assert_int_equal(U(1)->idx, 0);
	/* The receive queue still works. */
	D(0)[0] = (struct vring_desc){ GPA + 0x20000, 2048, VRING_DESC_F_WRITE, 0 };
	offer(0, 0);
	struct packet *p = packet_alloc();
	p->length = 60;
	memset(packet_data(p), 0, 60);
	link_transmit(link_of(&n, "f.output -> vm.input"), p);
	run_for(2);
	assert_int_equal(U(0)->idx, 1);
	assert_int_equal(counter(&n, "vm", "connections"), 1);
}

static void disconnect_frees_held_packets(void **state)
{
	(void)state;
	fe_setup();
	/* No receive buffers: the app holds what it took from its input. */
	for (int i = 0; i < 5; i++) {
		struct packet *p = packet_alloc();
		p->length = 60;
		memset(packet_data(p), 0, 60);
		link_transmit(link_of(&n, "f.output -> vm.input"), p);
	}
	run_for(1);
	assert_int_equal(counter(&n, "vm", "txpackets"), 0);
	close(fe);
	fe = -1;
	run_for(2);
	assert_int_equal(counter(&n, "vm", "drop_disconnect"), 5);
	assert_int_equal(counter(&n, "vm", "drops"), 5);
	assert_int_equal(freelist_outstanding(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(frames_both_ways, setup, teardown),
		cmocka_unit_test_setup_teardown(malformed_messages_close_the_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_descriptor_stops_only_that_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(disconnect_frees_held_packets, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
