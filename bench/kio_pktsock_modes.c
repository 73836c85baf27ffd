/* kio_pktsock_modes.c -- the measurement behind rawsock's choice of
 * receive and transmit method (bench/kio_modes.sh runs it).
 *
 *   kio_pktsock_modes rx-ring IF SECONDS    TPACKET_V2 ring, 2 KB slots
 *   kio_pktsock_modes rx-mmsg IF SECONDS    recvmmsg(), 64 per call
 *   kio_pktsock_modes tx-mmsg IF SECONDS    sendmmsg(), 64 per call
 *   kio_pktsock_modes tx-ring IF SECONDS    TPACKET_V2 TX ring, 64 frames per send()
 *
 * Every mode uses PACKET_VNET_HDR as rawsock does, runs for SECONDS and
 * prints frames handled, frames/s and CPU nanoseconds per frame (user +
 * system time from getrusage).  Receivers sleep in poll() when there is
 * nothing to read, so with a sender slower than the receiver, CPU per
 * frame is the figure that tells the methods apart.  Transmitters never
 * wait: their rate is the figure.  The TX modes send 60-byte broadcast
 * frames.  Built by bench/kio_modes.sh; not part of
 * kvick.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define FRAME 2048u
#define NFRAMES 4096u
#define VH sizeof(struct virtio_net_hdr)

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct rusage r;
	getrusage(RUSAGE_SELF, &r);
	return r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6 + r.ru_stime.tv_sec +
	       r.ru_stime.tv_usec / 1e6;
}

static void die(const char *what) { perror(what); exit(1); }

static int open_sock(const char *ifname, int version, int ring)
{
	int fd = socket(AF_PACKET, SOCK_RAW, 0), one = 1;
	if (fd < 0)
		die("socket");
	if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &version, sizeof version) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof one) < 0)
		die("setsockopt");
	if (ring) {
		struct tpacket_req req = { .tp_block_size = 64 << 10,
		                           .tp_block_nr = NFRAMES * FRAME / (64 << 10),
		                           .tp_frame_size = FRAME, .tp_frame_nr = NFRAMES };
		if (setsockopt(fd, SOL_PACKET, ring, &req, sizeof req) < 0)
			die("ring");
	}
	setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
	                           .sll_ifindex = (int)if_nametoindex(ifname) };
	if (!sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0)
		die("bind");
	return fd;
}

/* Nothing to read: sleep until there is, so CPU time counts work only. */
static void idle(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	poll(&p, 1, 10);
}

/* Receive side: copy each frame out, as rawsock copies into a packet. */
static unsigned long long rx_ring(int fd, double end)
{
	uint8_t *ring = mmap(NULL, (size_t)NFRAMES * FRAME, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (ring == MAP_FAILED)
		die("mmap");
	static uint8_t dst[FRAME];
	unsigned long long n = 0;
	unsigned slot = 0;
	while (now() < end) {
		int got = 0;
		for (int k = 0; k < BATCH; k++, got++) {
			struct tpacket2_hdr *h = (void *)(ring + (size_t)slot * FRAME);
			if (!(__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
				break;
			memcpy(dst, (uint8_t *)h + h->tp_mac, h->tp_snaplen);
			__atomic_store_n(&h->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
			slot = (slot + 1) % NFRAMES;
			n++;
		}
		if (!got)
			idle(fd);
	}
	return n;
}

static unsigned long long rx_mmsg(int fd, double end)
{
	static uint8_t bufs[BATCH][VH + FRAME];
	struct iovec iov[BATCH];
	struct mmsghdr m[BATCH];
	memset(m, 0, sizeof m);
	for (int i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){ bufs[i], sizeof bufs[i] };
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	unsigned long long n = 0;
	while (now() < end) {
		int r = recvmmsg(fd, m, BATCH, MSG_DONTWAIT, NULL);
		if (r > 0)
			n += (unsigned)r;
		else
			idle(fd);
	}
	return n;
}

static void fill_frame(uint8_t *f)
{
	memset(f, 0, 60);
	memset(f, 0xff, 6);                 /* broadcast */
	f[6] = 0x02; f[11] = 0x01;          /* locally administered source */
	f[12] = 0x88; f[13] = 0xb5;         /* IEEE local experimental ethertype */
}

static unsigned long long tx_mmsg(int fd, double end)
{
	static uint8_t frame[60];
	struct virtio_net_hdr vh = { 0 };
	fill_frame(frame);
	struct iovec iov[2] = { { &vh, VH }, { frame, 60 } };
	struct mmsghdr m[BATCH];
	memset(m, 0, sizeof m);
	for (int i = 0; i < BATCH; i++) {
		m[i].msg_hdr.msg_iov = iov;
		m[i].msg_hdr.msg_iovlen = 2;
	}
	unsigned long long n = 0;
	while (now() < end) {
		int r = sendmmsg(fd, m, BATCH, MSG_DONTWAIT);
		if (r > 0)
			n += (unsigned)r;
	}
	return n;
}

/* TX ring: frame data follows the header at TPACKET2_HDRLEN - sizeof(sockaddr_ll),
 * vnet header first. */
static unsigned long long tx_ring(int fd, double end)
{
	uint8_t *ring = mmap(NULL, (size_t)NFRAMES * FRAME, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (ring == MAP_FAILED)
		die("mmap");
	const size_t off = TPACKET2_HDRLEN - sizeof(struct sockaddr_ll);
	static uint8_t frame[60];
	fill_frame(frame);
	unsigned long long n = 0;
	unsigned slot = 0;
	while (now() < end) {
		int queued = 0;
		for (int k = 0; k < BATCH; k++) {
			struct tpacket2_hdr *h = (void *)(ring + (size_t)slot * FRAME);
			uint32_t st = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
			if (st != TP_STATUS_AVAILABLE && !(st & TP_STATUS_WRONG_FORMAT))
				break; /* still owned by the kernel */
			memset((uint8_t *)h + off, 0, VH);
			memcpy((uint8_t *)h + off + VH, frame, 60);
			h->tp_len = VH + 60;
			__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
			slot = (slot + 1) % NFRAMES;
			queued++;
		}
		if (queued && send(fd, NULL, 0, MSG_DONTWAIT) >= 0)
			n += (unsigned)queued;
	}
	return n;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: kio_pktsock_modes rx-ring|rx-mmsg|tx-mmsg|tx-ring IF SECONDS\n");
		return 2;
	}
	const char *mode = argv[1];
	double secs = atof(argv[3]);
	int ring = !strcmp(mode, "rx-ring") ? PACKET_RX_RING : !strcmp(mode, "tx-ring") ? PACKET_TX_RING : 0;
	int fd = open_sock(argv[2], TPACKET_V2, ring);
	double c0 = cpu(), t0 = now(), end = t0 + secs;
	unsigned long long n;
	if (!strcmp(mode, "rx-ring"))
		n = rx_ring(fd, end);
	else if (!strcmp(mode, "rx-mmsg"))
		n = rx_mmsg(fd, end);
	else if (!strcmp(mode, "tx-mmsg"))
		n = tx_mmsg(fd, end);
	else if (!strcmp(mode, "tx-ring"))
		n = tx_ring(fd, end);
	else
		return 2;
	double c = cpu() - c0, t = now() - t0;
	printf("%s frames %llu rate %.0f cpu_ns_per_frame %.0f\n", mode, n, n / t, n ? c * 1e9 / n : 0);
	return 0;
}
