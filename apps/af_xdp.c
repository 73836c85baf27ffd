/* af_xdp.c -- the `af_xdp` app: one queue of a kernel interface through an
 * AF_XDP socket (libxdp's xsk rings, libbpf for the XDP program).
 *
 *     app x af_xdp ifname=veth0 queue=0 mode=auto
 *
 *           +--------+
 *   input ->| af_xdp |-> output
 *           +--------+
 *   input:  frames to transmit on ifname
 *   output: frames received on queue `queue` of ifname
 *
 * Setup: a UMEM of AF_XDP_FRAMES 4 KB frames (half for receive, half for
 * transmit), its fill and completion rings, an XSKMAP, and our own
 * six-instruction XDP program that redirects every frame of a bound queue
 * to its socket (unbound queues fall back to XDP_PASS).  The program is
 * built in memory, so the static binary needs no BPF object file at run
 * time.  mode=native attaches it in the driver (veth, ixgbe, i40e...),
 * mode=skb in the generic path, mode=auto tries native then skb.
 *
 * Copies: frames are copied once each way between the UMEM and kvick
 * packets.  Zero copy would need the UMEM -- one contiguous registered
 * area -- to be the kvick packet memory, and every packet to come back to
 * the socket it belongs to; but kvick packets live in separate 2 MB
 * freelist chunks and return to the process-wide freelist when any app
 * frees them.  docs/kernel-io.md says what that would take.
 *
 * Offloads: AF_XDP carries no checksum metadata.  On a veth in native
 * mode the kernel turns GSO off on the peer (an XDP program cannot take
 * 64 KB frames), but checksums may still be partial; offload.c recognises
 * a field holding exactly the pseudo-header sum and finishes it
 * (csum_filled).  In skb mode, GSO frames larger than a frame are dropped
 * by the kernel (counted in drop_kernel).
 *
 * Counters: rxframes (descriptors read from the RX ring), rxpackets,
 * rxbytes, txpackets, txbytes, drops = drop_kernel
 * (XDP_STATISTICS rx_dropped + rx_ring_full) + drop_toolong +
 * drop_nopacket; csum_filled.  It holds no kvick packet between breaths.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <net/if.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/xsk.h>

#include "../core/app.h"
#include "../core/engine.h"
#include "../core/log.h"
#include "netif.h"
#include "offload.h"

#define AF_XDP_FRAMES     4096u
#define AF_XDP_FRAME_SIZE XSK_UMEM__DEFAULT_FRAME_SIZE
#define RX_FRAMES         (AF_XDP_FRAMES / 2) /* frames [0, RX_FRAMES) receive */
#define TX_FRAMES         (AF_XDP_FRAMES - RX_FRAMES)
#define RING_SIZE         2048u
#define XSKMAP_ENTRIES    64u
#define BUSY_RETRY_MS     3000u
#define STATS_PERIOD_NS   100000000ull

struct af_xdp {
	char ifname[IFNAMSIZ];
	int ifindex;
	uint32_t queue;
	uint32_t xdp_flags;        /* XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE */
	uint8_t *area;             /* the UMEM */
	size_t area_len;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fq, tx;
	struct xsk_ring_cons cq, rx;
	int map_fd, prog_fd;
	bool attached;
	uint64_t txfree[TX_FRAMES]; /* UMEM addresses of idle TX frames */
	unsigned ntxfree;
	uint64_t stats_at;
	struct packet *pkts[LINK_MAX_BATCH];
	uint64_t *rxframes, *rxpackets, *rxbytes, *txpackets, *txbytes, *csum_filled;
	uint64_t *drop_kernel, *drop_toolong, *drop_nopacket, *drops;
	uint64_t kernel_drops_seen;
};

static const char *const ports_in[] = { "input", NULL };
static const char *const ports_out[] = { "output", NULL };
static const struct app_param params[] = {
	{ "ifname", PARAM_STRING, NULL, true, "kernel network interface" },
	{ "queue", PARAM_INT, "0", false, "receive queue to bind to" },
	{ "mode", PARAM_STRING, "auto", false, "XDP attach mode: auto, native or skb" },
	{ NULL },
};

/* ---- the XDP program ---- */

/* return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS); */
static int load_program(struct app *app, struct af_xdp *x)
{
	x->map_fd = bpf_map_create(BPF_MAP_TYPE_XSKMAP, "kvick_xsks", 4, 4, XSKMAP_ENTRIES, NULL);
	if (x->map_fd < 0)
		return netif_error(app, x->ifname, "cannot create the XSKMAP", -x->map_fd);
	struct bpf_insn prog[] = {
		/* r2 = ctx->rx_queue_index */
		{ .code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = BPF_REG_2, .src_reg = BPF_REG_1,
		  .off = offsetof(struct xdp_md, rx_queue_index) },
		/* r1 = the map (a 64-bit immediate takes two instructions) */
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_1,
		  .src_reg = BPF_PSEUDO_MAP_FD, .imm = x->map_fd },
		{ 0 },
		/* r3 = action when no socket is bound to this queue */
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_3, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_redirect_map },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	char log[1024] = "";
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = log, .log_size = sizeof log);
	x->prog_fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "kvick_xsk", "GPL", prog,
	                           sizeof prog / sizeof prog[0], &opts);
	if (x->prog_fd < 0)
		return app_error(app, "interface %s: cannot load the XDP program: %s%s%s", x->ifname,
		                 strerror(-x->prog_fd), log[0] ? "; verifier: " : "", log);
	return 0;
}

static int attach_program(struct app *app, struct af_xdp *x, const char *mode)
{
	int r;
	if (!strcmp(mode, "native") || !strcmp(mode, "auto")) {
		x->xdp_flags = XDP_FLAGS_DRV_MODE;
		r = bpf_xdp_attach(x->ifindex, x->prog_fd, x->xdp_flags | XDP_FLAGS_UPDATE_IF_NOEXIST,
		                   NULL);
		if (r == 0 || !strcmp(mode, "native") || r == -EBUSY || r == -EEXIST)
			goto done;
		log_info("af_xdp %s: native XDP not available (%s); using skb mode", x->ifname,
		         strerror(-r));
	}
	x->xdp_flags = XDP_FLAGS_SKB_MODE;
	r = bpf_xdp_attach(x->ifindex, x->prog_fd, x->xdp_flags | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
done:
	if (r == -EBUSY || r == -EEXIST)
		return app_error(app, "interface %s already has an XDP program attached (see `ip link "
		                 "show %s`); remove it with `ip link set %s xdp off`",
		                 x->ifname, x->ifname, x->ifname);
	if (r < 0)
		return netif_error(app, x->ifname, "cannot attach the XDP program", -r);
	x->attached = true;
	return 0;
}

/* ---- UMEM and socket ---- */

static int create_umem(struct app *app, struct af_xdp *x)
{
	x->area_len = (size_t)AF_XDP_FRAMES * AF_XDP_FRAME_SIZE;
	x->area = mmap(NULL, x->area_len, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (x->area == MAP_FAILED) {
		x->area = NULL;
		return app_error(app, "af_xdp %s: cannot allocate the UMEM: %s", x->ifname,
		                 strerror(errno));
	}
	struct xsk_umem_config cfg = {
		.fill_size = RING_SIZE,
		.comp_size = RING_SIZE,
		.frame_size = AF_XDP_FRAME_SIZE,
		.frame_headroom = 0,
	};
	int r = xsk_umem__create(&x->umem, x->area, x->area_len, &x->fq, &x->cq, &cfg);
	if (r < 0)
		return netif_error(app, x->ifname, "cannot register the UMEM", -r);
	return 0;
}

/* A queue whose previous socket closed moments ago stays busy until the
 * kernel's deferred cleanup runs (about a second): retry, saying so. */
static int create_socket(struct app *app, struct af_xdp *x)
{
	struct xsk_socket_config cfg = {
		.rx_size = RING_SIZE,
		.tx_size = RING_SIZE,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.xdp_flags = x->xdp_flags,
		.bind_flags = XDP_USE_NEED_WAKEUP |
		              (x->xdp_flags == XDP_FLAGS_SKB_MODE ? XDP_COPY : 0),
	};
	int r;
	for (unsigned waited = 0;; waited += 100) {
		r = xsk_socket__create(&x->xsk, x->ifname, x->queue, x->umem, &x->rx, &x->tx, &cfg);
		if (r != -EBUSY || waited >= BUSY_RETRY_MS)
			break;
		if (waited == 0)
			log_info("af_xdp %s queue %u: busy (a socket closed moments ago?); retrying for "
			         "up to %u ms", x->ifname, x->queue, BUSY_RETRY_MS);
		usleep(100000);
	}
	if (r < 0)
		return netif_error(app, x->ifname, "cannot create the AF_XDP socket", -r);
	int fd = xsk_socket__fd(x->xsk);
	r = bpf_map_update_elem(x->map_fd, &x->queue, &fd, 0);
	if (r < 0)
		return netif_error(app, x->ifname, "cannot add the socket to the XSKMAP", -r);
	return 0;
}

/* Give the kernel every receive frame; keep every transmit frame. */
static void prime_frames(struct af_xdp *x)
{
	uint32_t idx;
	uint32_t n = xsk_ring_prod__reserve(&x->fq, RX_FRAMES, &idx);
	for (uint32_t i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&x->fq, idx + i) = (uint64_t)i * AF_XDP_FRAME_SIZE;
	xsk_ring_prod__submit(&x->fq, n);
	for (unsigned i = 0; i < TX_FRAMES; i++)
		x->txfree[i] = (uint64_t)(RX_FRAMES + i) * AF_XDP_FRAME_SIZE;
	x->ntxfree = TX_FRAMES;
}

static void release(struct af_xdp *x)
{
	if (x->xsk)
		xsk_socket__delete(x->xsk);
	if (x->umem)
		xsk_umem__delete(x->umem);
	if (x->attached) {
		LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = x->prog_fd);
		int r = bpf_xdp_detach(x->ifindex, x->xdp_flags, &o);
		if (r < 0)
			log_warn("af_xdp %s: cannot detach the XDP program: %s", x->ifname, strerror(-r));
	}
	if (x->prog_fd >= 0)
		close(x->prog_fd);
	if (x->map_fd >= 0)
		close(x->map_fd);
	if (x->area)
		munmap(x->area, x->area_len);
	free(x);
}

static int af_xdp_check(struct app_check *c, const struct app_args *args)
{
	const char *mode = app_arg_str(args, "mode");
	int64_t queue = app_arg_int(args, "queue");
	if (strcmp(mode, "auto") && strcmp(mode, "native") && strcmp(mode, "skb"))
		return app_check_error(c, "mode", "mode=%s: expected auto, native or skb", mode);
	if (queue < 0 || queue >= XSKMAP_ENTRIES)
		return app_check_error(c, "queue", "queue=%lld: expected 0 to %u", (long long)queue,
		                       XSKMAP_ENTRIES - 1);
	return netif_name_check(c, app_arg_str(args, "ifname"));
}

/* Values are as af_xdp_check() accepted them. */
static int af_xdp_new(struct app *app, const struct app_args *args)
{
	/* calloc: libxdp expects the ring structures zeroed. */
	struct af_xdp *x = calloc(1, sizeof *x);
	if (!x)
		return app_error(app, "out of memory");
	x->map_fd = x->prog_fd = -1;
	const char *ifname = app_arg_str(args, "ifname");
	const char *mode = app_arg_str(args, "mode");
	int64_t queue = app_arg_int(args, "queue");
	x->ifindex = netif_index(app, ifname, true);
	if (x->ifindex < 0) {
		free(x);
		return -1;
	}
	strcpy(x->ifname, ifname);
	x->queue = (uint32_t)queue;
	if (create_umem(app, x) < 0 || load_program(app, x) < 0 ||
	    attach_program(app, x, mode) < 0 || create_socket(app, x) < 0) {
		release(x);
		return -1;
	}
	prime_frames(x);
	x->rxframes = app_counter(app, "rxframes");
	x->rxpackets = app_counter(app, "rxpackets");
	x->rxbytes = app_counter(app, "rxbytes");
	x->txpackets = app_counter(app, "txpackets");
	x->txbytes = app_counter(app, "txbytes");
	x->csum_filled = app_counter(app, "csum_filled");
	x->drops = app_counter(app, "drops");
	x->drop_kernel = app_counter(app, "drop_kernel");
	x->drop_toolong = app_counter(app, "drop_toolong");
	x->drop_nopacket = app_counter(app, "drop_nopacket");
	x->stats_at = now_ns();
	log_info("af_xdp %s queue %u: %s mode", ifname, x->queue,
	         x->xdp_flags == XDP_FLAGS_DRV_MODE ? "native" : "skb");
	app->state = x;
	return 0;
}

/* ---- receive ---- */

/* The socket's cumulative drop counts (frames the kernel could not put in
 * our ring, or had no fill frame for). */
static void read_kernel_drops(struct af_xdp *x)
{
	struct xdp_statistics st;
	socklen_t len = sizeof st;
	if (getsockopt(xsk_socket__fd(x->xsk), SOL_XDP, XDP_STATISTICS, &st, &len) < 0)
		return;
	uint64_t total = st.rx_dropped + st.rx_ring_full;
	*x->drop_kernel += total - x->kernel_drops_seen;
	*x->drops += total - x->kernel_drops_seen;
	x->kernel_drops_seen = total;
}

static void af_xdp_pull(struct app *app)
{
	struct af_xdp *x = app->state;
	struct link *out = app_output(app, "output");
	uint64_t t = now_ns();
	if (t - x->stats_at > STATS_PERIOD_NS) {
		x->stats_at = t;
		read_kernel_drops(x);
	}
	if (!out)
		return; /* nothing to deliver to: the fill ring runs dry, drop_kernel counts */
	uint32_t idx, fidx;
	uint32_t n = xsk_ring_cons__peek(&x->rx, LINK_MAX_BATCH, &idx);
	if (n) {
		/* Every frame we consume goes straight back to the fill ring,
		 * which has room: it and the RX ring share RX_FRAMES frames. */
		uint32_t got = xsk_ring_prod__reserve(&x->fq, n, &fidx);
		unsigned k = 0;
		for (uint32_t i = 0; i < n; i++) {
			const struct xdp_desc *d = xsk_ring_cons__rx_desc(&x->rx, idx + i);
			uint8_t *frame = xsk_umem__get_data(x->area, d->addr);
			struct packet *p = packet_alloc();
			if (!p) {
				(*x->drop_nopacket)++;
				(*x->drops)++;
			} else {
				memcpy(packet_data(p), frame, d->len);
				p->length = (uint16_t)d->len;
				*x->csum_filled += (uint64_t)offload_fix_partial_csum(packet_data(p), d->len);
				*x->rxbytes += d->len;
				x->pkts[k++] = p;
			}
			if (i < got)
				*xsk_ring_prod__fill_addr(&x->fq, fidx + i) =
					d->addr - d->addr % AF_XDP_FRAME_SIZE;
		}
		xsk_ring_cons__release(&x->rx, n);
		*x->rxframes += n;
		xsk_ring_prod__submit(&x->fq, got);
		*x->rxpackets += k;
		if (k)
			link_transmit_batch(out, x->pkts, k);
	}
	/* Native mode: the driver sleeps when the fill ring ran dry. */
	if (xsk_ring_prod__needs_wakeup(&x->fq))
		recvfrom(xsk_socket__fd(x->xsk), NULL, 0, MSG_DONTWAIT, NULL, NULL);
}

/* ---- transmit ---- */

static void reclaim_tx(struct af_xdp *x)
{
	uint32_t idx;
	uint32_t n = xsk_ring_cons__peek(&x->cq, RING_SIZE, &idx);
	for (uint32_t i = 0; i < n; i++)
		x->txfree[x->ntxfree++] = *xsk_ring_cons__comp_addr(&x->cq, idx + i);
	xsk_ring_cons__release(&x->cq, n);
}

static void af_xdp_push(struct app *app)
{
	struct af_xdp *x = app->state;
	struct link *in = app_input(app, "input");
	reclaim_tx(x);
	if (in && x->ntxfree) {
		unsigned max = x->ntxfree < LINK_MAX_BATCH ? x->ntxfree : LINK_MAX_BATCH;
		unsigned n = link_receive_batch(in, x->pkts, max);
		unsigned sent = 0;
		for (unsigned i = 0; i < n; i++) {
			struct packet *p = x->pkts[i];
			if (p->length > AF_XDP_FRAME_SIZE || (p->flags & PACKET_F_GSO)) {
				/* AF_XDP takes wire frames only: no segmentation offload */
				(*x->drop_toolong)++;
				(*x->drops)++;
				packet_free(p);
				continue;
			}
			if (p->flags & PACKET_F_CSUM_PARTIAL) /* from an offload=keep app */
				offload_csum_finish(packet_data(p), p->length, p->csum_start, p->csum_offset);
			x->pkts[sent++] = p;
		}
		uint32_t idx = 0;
		/* Cannot fail: TX ring slots >= TX frames not yet completed. */
		xsk_ring_prod__reserve(&x->tx, sent, &idx);
		for (unsigned i = 0; i < sent; i++) {
			struct packet *p = x->pkts[i];
			uint64_t addr = x->txfree[--x->ntxfree];
			memcpy(x->area + addr, packet_data(p), p->length);
			struct xdp_desc *d = xsk_ring_prod__tx_desc(&x->tx, idx + i);
			d->addr = addr;
			d->len = p->length;
			d->options = 0;
			*x->txbytes += p->length;
		}
		packet_free_batch(x->pkts, sent);
		xsk_ring_prod__submit(&x->tx, sent);
		*x->txpackets += sent;
	}
	/* Copy mode transmits inside sendto(), at most 32 frames a call
	 * (the kernel's per-socket budget); native drivers may sleep. */
	if (x->ntxfree < TX_FRAMES && xsk_ring_prod__needs_wakeup(&x->tx)) {
		uint32_t pending = *x->tx.producer - *x->tx.consumer;
		for (uint32_t k = 0; k < (pending + 31) / 32; k++)
			if (sendto(xsk_socket__fd(x->xsk), NULL, 0, MSG_DONTWAIT, NULL, 0) < 0)
				break;
	}
}

static void af_xdp_stop(struct app *app)
{
	struct af_xdp *x = app->state;
	if (!x)
		return;
	read_kernel_drops(x);
	release(x); /* holds no kvick packet: frames are UMEM memory */
	app->state = NULL;
}

static const struct app_class af_xdp_class = {
	.name = "af_xdp",
	.help = "one queue of a kernel interface through AF_XDP (libxdp/libbpf)",
	.doc = "Attaches a small XDP program that redirects queue `queue` of ifname to an "
	       "AF_XDP socket; received frames come out of `output`, `input` is transmitted. "
	       "mode=auto|native|skb. Frames are copied once between the UMEM and kvick "
	       "packets. Counters: rxframes, rxpackets, rxbytes, txpackets, txbytes, drops (drop_kernel, "
	       "drop_toolong, drop_nopacket), csum_filled. Needs CAP_NET_ADMIN, CAP_BPF, "
	       "CAP_NET_RAW (root).",
	.inputs = ports_in,
	.outputs = ports_out,
	.params = params,
	.check = af_xdp_check,
	.new = af_xdp_new,
	.pull = af_xdp_pull,
	.push = af_xdp_push,
	.stop = af_xdp_stop,
};
KVICK_APP(af_xdp_class);
