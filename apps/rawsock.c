/* rawsock.c -- the `rawsock` app: a kernel network interface through an
 * AF_PACKET socket.
 *
 *     app eth rawsock ifname=veth0
 *
 *           +---------+
 *   input ->| rawsock |-> output
 *           +---------+
 *   input:  frames to transmit on ifname
 *   output: frames received on ifname (promiscuous; not our own)
 *
 * Receive: a memory-mapped TPACKET_V2 ring of 2 KB frames.  The kernel
 * writes each frame into the next slot and flips its status; we walk the
 * ring without any system call, copy each frame into a kvick packet and
 * give the slot back.  A frame too big for a slot (a 64 KB GSO frame) is
 * marked TP_STATUS_COPY and, thanks to PACKET_COPY_THRESH, also queued
 * whole on the socket, where one recvmsg() fetches it.  (TPACKET_V3 was
 * tried first: it hands blocks over only when full or after a timeout of
 * at least 1 ms, which delayed TCP's ACKs by 1 ms and capped TCP at about
 * 1 Gbit/s here.)  Transmit: sendmmsg() straight from packet memory, one
 * call per batch (no copy into a TX ring first; the kernel copies once).
 * docs/kernel-io.md has the measurements.
 *
 * Offloads: the socket asks for PACKET_VNET_HDR, so every frame comes
 * with a struct virtio_net_hdr telling whether its checksum is still
 * partial (TP_STATUS_CSUMNOTREADY) or it is a 64 KB GSO frame; offload.c
 * finishes checksums and segments GSO frames, so only wire frames enter
 * kvick.  Transmitted frames carry a zero header (or the packet's own
 * offload state, see offload_tx_hdr()).  With offload=keep, checksums
 * stay partial and GSO frames whole (cut to fit a kvick packet), the state
 * travels in the packet and goes back to the kernel on transmit: far less
 * work, for graphs whose outputs are rawsock or tap apps only.
 *
 * Counters: rxframes (frames the kernel gave us, a GSO frame counts once,
 * as the interface counts it), rxpackets/rxbytes (wire frames sent to
 * output), txpackets/txbytes, drops = drop_kernel (ring full, from
 * PACKET_STATISTICS) + drop_truncated + drop_txerror + drop_stopped (held
 * at stop) + the offload drops
 * (drop_toolong, drop_badoffload, drop_nopacket), and csum_filled,
 * gso_frames, gso_segments.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../core/app.h"
#include "../core/engine.h"
#include "../core/log.h"
#include "netif.h"
#include "offload.h"

#define RX_FRAME_SIZE  2048u        /* a 1500-byte MTU frame and its headers */
#define RX_FRAME_NR    4096u
#define RX_BLOCK_SIZE  (64u << 10)  /* kernel allocation unit: 32 frames */
#define BIG_FRAME_MAX  (65536u + 64u) /* GSO frame + Ethernet/VLAN headers */
#define STATS_PERIOD_NS 100000000ull
#define OUT_MAX (LINK_MAX_BATCH + OFFLOAD_MAX_SEGS)

struct rawsock {
	int fd;
	char ifname[IFNAMSIZ];
	/* RX ring */
	uint8_t *ring;
	size_t ring_len;
	unsigned slot;             /* ring slot we read next */
	uint64_t stats_at;         /* last PACKET_STATISTICS read */
	uint8_t *big;              /* vnet header + one TP_STATUS_COPY frame */
	uint8_t *scratch;          /* for re-inserting a stripped VLAN tag */
	struct packet *out[OUT_MAX];
	/* TX: packets taken from input but not yet accepted by the kernel */
	struct packet *txq[LINK_MAX_BATCH];
	unsigned ntxq;
	struct mmsghdr msgs[LINK_MAX_BATCH];
	struct iovec iov[LINK_MAX_BATCH][2];
	struct virtio_net_hdr vh[LINK_MAX_BATCH];
	/* counters */
	uint64_t *rxframes, *rxpackets, *rxbytes, *txpackets, *txbytes;
	uint64_t *drop_kernel, *drop_truncated, *drop_txerror, *drop_stopped;
	struct offload_counters oc;
	enum offload_mode mode;     /* offload=wire|keep */
};

static const char *const ports_in[] = { "input", NULL };
static const char *const ports_out[] = { "output", NULL };
static const struct app_param params[] = {
	{ "ifname", PARAM_STRING, NULL, true, "kernel network interface to attach to" },
	{ "offload", PARAM_STRING, "wire", false,
	  "wire: finish checksums, segment GSO frames (default); keep: carry them to rawsock/tap" },
	{ NULL },
};

static int sockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	return setsockopt(fd, level, name, val, len) < 0 ? -errno : 0;
}

/* Socket, ring and membership, in the order the kernel requires:
 * version and vnet header before the ring, the ring before bind. */
static int open_socket(struct app *app, struct rawsock *s, int ifindex)
{
	int one = 1, v2 = TPACKET_V2, big = BIG_FRAME_MAX, err;
	s->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return netif_error(app, s->ifname, "cannot open an AF_PACKET socket", errno);
	if ((err = sockopt(s->fd, SOL_PACKET, PACKET_VERSION, &v2, sizeof v2)) ||
	    (err = sockopt(s->fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof one)) ||
	    (err = sockopt(s->fd, SOL_PACKET, PACKET_COPY_THRESH, &big, sizeof big)) ||
	    (err = sockopt(s->fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one)))
		return netif_error(app, s->ifname, "PACKET_VERSION/VNET_HDR/COPY_THRESH", -err);
	/* Room on the socket queue for the big frames that miss the ring. */
	int rcvbuf = 16 << 20;
	setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);

	struct tpacket_req req = {
		.tp_block_size = RX_BLOCK_SIZE,
		.tp_block_nr = RX_FRAME_NR * RX_FRAME_SIZE / RX_BLOCK_SIZE,
		.tp_frame_size = RX_FRAME_SIZE,
		.tp_frame_nr = RX_FRAME_NR,
	};
	if ((err = sockopt(s->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req)))
		return netif_error(app, s->ifname, "PACKET_RX_RING", -err);
	s->ring_len = (size_t)RX_FRAME_NR * RX_FRAME_SIZE;
	s->ring = mmap(NULL, s->ring_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
	               s->fd, 0);
	if (s->ring == MAP_FAILED) {
		s->ring = NULL;
		return netif_error(app, s->ifname, "mmap of the RX ring", errno);
	}
	/* Our own transmissions would come back on the ring otherwise; the
	 * qdisc bypass saves a layer that a veth (noqueue) does not use. */
	if ((err = sockopt(s->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one)) ||
	    (err = sockopt(s->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one)))
		return netif_error(app, s->ifname, "PACKET_IGNORE_OUTGOING", -err);
	int sndbuf = 4 << 20;
	setsockopt(s->fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf);

	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = ifindex,
	};
	if (bind(s->fd, (struct sockaddr *)&sll, sizeof sll) < 0)
		return netif_error(app, s->ifname, "bind", errno);
	struct packet_mreq mr = { .mr_ifindex = ifindex, .mr_type = PACKET_MR_PROMISC };
	if ((err = sockopt(s->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr)))
		return netif_error(app, s->ifname, "cannot enable promiscuous mode", -err);
	return 0;
}

static void release(struct rawsock *s)
{
	if (s->ring)
		munmap(s->ring, s->ring_len);
	if (s->fd >= 0)
		close(s->fd);
	free(s->big);
	free(s->scratch);
	free(s);
}

static int rawsock_check(struct app_check *c, const struct app_args *args)
{
	enum offload_mode mode;
	if (offload_parse_mode(app_arg_str(args, "offload"), &mode) < 0)
		return app_check_error(c, "offload", "offload=%s: expected wire or keep",
		                       app_arg_str(args, "offload"));
	return netif_name_check(c, app_arg_str(args, "ifname"));
}

/* Values are as rawsock_check() accepted them. */
static int rawsock_new(struct app *app, const struct app_args *args)
{
	struct rawsock *s = calloc(1, sizeof *s);
	if (!s)
		return app_error(app, "out of memory");
	s->fd = -1;
	const char *ifname = app_arg_str(args, "ifname");
	offload_parse_mode(app_arg_str(args, "offload"), &s->mode);
	int ifindex = netif_index(app, ifname, true);
	if (ifindex >= 0)
		strcpy(s->ifname, ifname); /* length checked by netif_index */
	if (ifindex < 0 || open_socket(app, s, ifindex) < 0 ||
	    !(s->big = malloc(sizeof(struct virtio_net_hdr) + BIG_FRAME_MAX)) ||
	    !(s->scratch = malloc(BIG_FRAME_MAX + 4))) {
		if (!app->error[0])
			app_error(app, "out of memory");
		release(s);
		return -1;
	}
	s->rxframes = app_counter(app, "rxframes");
	s->rxpackets = app_counter(app, "rxpackets");
	s->rxbytes = app_counter(app, "rxbytes");
	s->txpackets = app_counter(app, "txpackets");
	s->txbytes = app_counter(app, "txbytes");
	offload_counters_init(&s->oc, app);
	s->drop_kernel = app_counter(app, "drop_kernel");
	s->drop_truncated = app_counter(app, "drop_truncated");
	s->drop_txerror = app_counter(app, "drop_txerror");
	s->drop_stopped = app_counter(app, "drop_stopped");
	s->stats_at = now_ns();
	app->state = s;
	return 0;
}

/* ---- receive ---- */

/* Frames the kernel dropped because the ring was full (reading the
 * statistics resets them, so we add them up). */
static void read_kernel_drops(struct rawsock *s)
{
	struct tpacket_stats st;
	socklen_t len = sizeof st;
	if (getsockopt(s->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0 && st.tp_drops) {
		*s->drop_kernel += st.tp_drops;
		*s->oc.drops += st.tp_drops;
	}
}

/* A frame whose 802.1Q tag the kernel took out (VLAN acceleration): a wire
 * frame has it after the MAC addresses, so put it back (in s->scratch). */
static unsigned rx_vlan(struct rawsock *s, const struct virtio_net_hdr *vh, const uint8_t *frame,
                        uint32_t len, uint32_t status, uint16_t tci, uint16_t tpid,
                        struct packet **out)
{
	struct virtio_net_hdr v = *vh;
	uint16_t t = htons((status & TP_STATUS_VLAN_TPID_VALID) ? tpid : ETH_P_8021Q);
	uint16_t c = htons(tci);
	memcpy(s->scratch, frame, 12);
	memcpy(s->scratch + 12, &t, 2);
	memcpy(s->scratch + 14, &c, 2);
	memcpy(s->scratch + 16, frame + 12, len - 12);
	if (v.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		v.csum_start += 4;
	return offload_rx(&v, s->scratch, len + 4, out, &s->oc, s->mode);
}

static unsigned rx_drop_truncated(struct rawsock *s)
{
	(*s->drop_truncated)++;
	(*s->oc.drops)++;
	return 0;
}

/* The whole of a frame the ring only had room for the start of: it waits
 * on the socket queue (PACKET_COPY_THRESH), vnet header first. */
static unsigned rx_copied(struct rawsock *s, struct packet **out)
{
	const size_t hl = sizeof(struct virtio_net_hdr);
	struct iovec iov = { s->big, hl + BIG_FRAME_MAX };
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} cbuf;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
	                      .msg_control = &cbuf, .msg_controllen = sizeof cbuf };
	ssize_t r = recvmsg(s->fd, &msg, MSG_DONTWAIT);
	if (r < (ssize_t)(hl + 14) || (msg.msg_flags & MSG_TRUNC))
		return rx_drop_truncated(s);
	const struct virtio_net_hdr *vh = (const void *)s->big;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	if (cm && cm->cmsg_level == SOL_PACKET && cm->cmsg_type == PACKET_AUXDATA) {
		struct tpacket_auxdata aux;
		memcpy(&aux, CMSG_DATA(cm), sizeof aux);
		if (aux.tp_status & TP_STATUS_VLAN_VALID)
			return rx_vlan(s, vh, s->big + hl, (uint32_t)(r - hl), aux.tp_status,
			               aux.tp_vlan_tci, aux.tp_vlan_tpid, out);
	}
	return offload_rx(vh, s->big + hl, (uint32_t)(r - hl), out, &s->oc, s->mode);
}

/* One ring slot -> packets in out[]; returns how many. */
static unsigned rx_frame(struct rawsock *s, struct tpacket2_hdr *h, struct packet **out)
{
	uint8_t *frame = (uint8_t *)h + h->tp_mac;
	const struct virtio_net_hdr *vh = (const void *)(frame - sizeof(struct virtio_net_hdr));
	(*s->rxframes)++;
	if (h->tp_snaplen < h->tp_len) /* too big for a slot: whole on the queue? */
		return (h->tp_status & TP_STATUS_COPY) ? rx_copied(s, out) : rx_drop_truncated(s);
	unsigned n;
	if (h->tp_status & TP_STATUS_VLAN_VALID)
		n = rx_vlan(s, vh, frame, h->tp_snaplen, h->tp_status, h->tp_vlan_tci,
		            h->tp_vlan_tpid, out);
	else
		n = offload_rx(vh, frame, h->tp_snaplen, out, &s->oc, s->mode);
	/* The kernel's receive time, for pcap_writer and friends. */
	uint64_t ts = (uint64_t)h->tp_sec * 1000000000ull + h->tp_nsec;
	for (unsigned i = 0; i < n; i++)
		packet_set_timestamp(out[i], ts);
	return n;
}

static void rawsock_pull(struct app *app)
{
	struct rawsock *s = app->state;
	struct link *out = app_output(app, "output");
	uint64_t t = now_ns();
	if (t - s->stats_at > STATS_PERIOD_NS) {
		s->stats_at = t;
		read_kernel_drops(s);
	}
	if (!out)
		return; /* nothing to deliver to: the ring fills, drop_kernel counts */
	unsigned n = 0;
	while (n < LINK_MAX_BATCH) {
		struct tpacket2_hdr *h = (void *)(s->ring + (size_t)s->slot * RX_FRAME_SIZE);
		/* Acquire: the frame is written before its status says so. */
		if (!(__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
			break;
		n += rx_frame(s, h, s->out + n);
		/* Release: we are done with the slot before the kernel reuses it. */
		__atomic_store_n(&h->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
		s->slot = (s->slot + 1) % RX_FRAME_NR;
	}
	for (unsigned i = 0; i < n; i++)
		*s->rxbytes += s->out[i]->length;
	*s->rxpackets += n;
	link_transmit_batch(out, s->out, n);
}

/* ---- transmit ---- */

static void tx_drop_first(struct rawsock *s, int err)
{
	log_once(LOG_WARN, "rawsock %s: transmit failed: %s (frame of %u bytes); such frames are "
	         "counted in drop_txerror", s->ifname, strerror(err), s->txq[0]->length);
	packet_free(s->txq[0]);
	(*s->drop_txerror)++;
	(*s->oc.drops)++;
	memmove(s->txq, s->txq + 1, --s->ntxq * sizeof s->txq[0]);
}

static void rawsock_push(struct app *app)
{
	struct rawsock *s = app->state;
	struct link *in = app_input(app, "input");
	if (in && s->ntxq < LINK_MAX_BATCH)
		s->ntxq += link_receive_batch(in, s->txq + s->ntxq, LINK_MAX_BATCH - s->ntxq);
	while (s->ntxq) {
		for (unsigned i = 0; i < s->ntxq; i++) {
			struct packet *p = s->txq[i];
			offload_tx_hdr(p, &s->vh[i]);
			s->iov[i][0] = (struct iovec){ &s->vh[i], sizeof s->vh[i] };
			s->iov[i][1] = (struct iovec){ packet_data(p), p->length };
			s->msgs[i].msg_hdr = (struct msghdr){ .msg_iov = s->iov[i], .msg_iovlen = 2 };
		}
		int r = sendmmsg(s->fd, s->msgs, s->ntxq, MSG_DONTWAIT);
		if (r < 0) {
			if (errno == EAGAIN || errno == ENOBUFS || errno == EINTR)
				return; /* kernel is full: keep them and retry next breath */
			tx_drop_first(s, errno);
			continue;
		}
		for (int i = 0; i < r; i++)
			*s->txbytes += s->txq[i]->length;
		*s->txpackets += (unsigned)r;
		packet_free_batch(s->txq, (unsigned)r);
		s->ntxq -= (unsigned)r;
		memmove(s->txq, s->txq + r, s->ntxq * sizeof s->txq[0]);
		if (s->ntxq)
			return; /* a short count: the next one would fail; retry later */
	}
}

static void rawsock_stop(struct app *app)
{
	struct rawsock *s = app->state;
	if (!s)
		return;
	read_kernel_drops(s);
	/* Taken from input but never accepted by the kernel. */
	packet_free_batch(s->txq, s->ntxq);
	*s->drop_stopped += s->ntxq;
	*s->oc.drops += s->ntxq;
	s->ntxq = 0;
	release(s);
	app->state = NULL;
}

static const struct app_class rawsock_class = {
	.name = "rawsock",
	.help = "kernel interface through AF_PACKET (TPACKET_V2 RX ring, sendmmsg TX)",
	.doc = "Receives every frame on ifname (promiscuous, not its own) on `output` and "
	       "transmits `input` on ifname. Checksum-partial and GSO frames are finished and "
	       "segmented in software, so output carries wire frames. Counters: rxframes, "
	       "rxpackets, rxbytes, txpackets, txbytes, drops (drop_kernel, drop_truncated, "
	       "drop_txerror, drop_stopped, drop_toolong, drop_badoffload, drop_nopacket), csum_filled, "
	       "gso_frames, gso_segments. Needs CAP_NET_RAW.",
	.inputs = ports_in,
	.outputs = ports_out,
	.params = params,
	.check = rawsock_check,
	.new = rawsock_new,
	.pull = rawsock_pull,
	.push = rawsock_push,
	.stop = rawsock_stop,
};
KVICK_APP(rawsock_class);
