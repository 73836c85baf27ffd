/* tap.c -- the `tap` app: a Linux TAP device as a kvick port.
 *
 *     app t tap ifname=tap0
 *
 *           +-----+
 *   input ->| tap |-> output
 *           +-----+
 *   input:  frames kvick sends to the kernel (they arrive on tap0 as if
 *           from a wire)
 *   output: frames the kernel transmits on tap0
 *
 * Creates tap0, or attaches to it if it already exists as a persistent TAP
 * device (`ip tuntap add dev tap0 mode tap`), and brings it up.  A device
 * we created disappears when kvick stops; once created it may be moved to
 * another network namespace (`ip link set tap0 netns NS`): the file
 * descriptor stays attached.
 *
 * Offloads: IFF_VNET_HDR puts a struct virtio_net_hdr before every frame,
 * and TUNSETOFFLOAD(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN)
 * tells the kernel we accept checksum-partial and TCP GSO frames, so its
 * stack hands us 64 KB frames instead of segmenting each one: one read()
 * instead of ~45.  offload.c finishes checksums and segments them, so only
 * wire frames enter kvick.  (Without TUNSETOFFLOAD the kernel would do the
 * same work itself, one read per segment.)  offload=keep carries the
 * offload state in the packets instead (see rawsock.c and offload.h): a
 * TAP-to-TAP path then moves 9 KB GSO frames instead of 1.5 KB ones.
 *
 * A TAP device has no batched interface: one read() or writev() per frame.
 *
 * Counters: rxframes (frames read, a GSO frame counts once), rxpackets,
 * rxbytes, txpackets, txbytes, drops = drop_txerror + drop_stopped + the
 * offload drops (drop_toolong, drop_badoffload, drop_nopacket);
 * csum_filled, gso_frames, gso_segments.  Frames the kernel could not
 * queue for us (we read too slowly) are the device's own tx_dropped.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../core/app.h"
#include "../core/log.h"
#include "netif.h"
#include "offload.h"

#define TAP_READ_MAX (65536u + 64u) /* largest GSO frame + Ethernet/VLAN */
#define OUT_MAX (LINK_MAX_BATCH + OFFLOAD_MAX_SEGS)

struct tap {
	int fd;
	char ifname[IFNAMSIZ];
	uint8_t *buf;              /* virtio_net_hdr + one frame */
	struct packet *out[OUT_MAX];
	struct packet *txq[LINK_MAX_BATCH];
	unsigned ntxq;
	uint64_t *rxframes, *rxpackets, *rxbytes, *txpackets, *txbytes;
	uint64_t *drop_txerror, *drop_stopped;
	struct offload_counters oc;
	enum offload_mode mode;     /* offload=wire|keep */
};

static const char *const ports_in[] = { "input", NULL };
static const char *const ports_out[] = { "output", NULL };
static const struct app_param params[] = {
	{ "ifname", PARAM_STRING, NULL, true, "TAP device to create or attach to" },
	{ "offload", PARAM_STRING, "wire", false,
	  "wire: finish checksums, segment GSO frames (default); keep: carry them to rawsock/tap" },
	{ NULL },
};

static int open_tap(struct app *app, struct tap *t, const char *ifname)
{
	t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0)
		return netif_error(app, ifname, "cannot open /dev/net/tun", errno);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
		if (errno == EINVAL || errno == EBUSY)
			return app_error(app, "interface %s exists and is not a free TAP device "
			                 "(TUNSETIFF: %s)", ifname, strerror(errno));
		return netif_error(app, ifname, "cannot create the TAP device", errno);
	}
	int hdrsz = sizeof(struct virtio_net_hdr);
	if (ioctl(t->fd, TUNSETVNETHDRSZ, &hdrsz) < 0)
		return netif_error(app, ifname, "TUNSETVNETHDRSZ", errno);
	unsigned off = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;
	if (ioctl(t->fd, TUNSETOFFLOAD, off) < 0)
		return netif_error(app, ifname, "TUNSETOFFLOAD", errno);
	return netif_set_up(app, ifname);
}

static void release(struct tap *t)
{
	if (t->fd >= 0)
		close(t->fd);
	free(t->buf);
	free(t);
}

static int tap_check(struct app_check *c, const struct app_args *args)
{
	enum offload_mode mode;
	if (offload_parse_mode(app_arg_str(args, "offload"), &mode) < 0)
		return app_check_error(c, "offload", "offload=%s: expected wire or keep",
		                       app_arg_str(args, "offload"));
	return netif_name_check(c, app_arg_str(args, "ifname"));
}

/* Values are as tap_check() accepted them. */
static int tap_new(struct app *app, const struct app_args *args)
{
	struct tap *t = calloc(1, sizeof *t);
	const char *ifname = app_arg_str(args, "ifname");
	if (!t || !(t->buf = malloc(sizeof(struct virtio_net_hdr) + TAP_READ_MAX))) {
		free(t);
		return app_error(app, "out of memory");
	}
	t->fd = -1;
	offload_parse_mode(app_arg_str(args, "offload"), &t->mode);
	if (open_tap(app, t, ifname) < 0) {
		release(t);
		return -1;
	}
	strcpy(t->ifname, ifname);
	t->rxframes = app_counter(app, "rxframes");
	t->rxpackets = app_counter(app, "rxpackets");
	t->rxbytes = app_counter(app, "rxbytes");
	t->txpackets = app_counter(app, "txpackets");
	t->txbytes = app_counter(app, "txbytes");
	offload_counters_init(&t->oc, app);
	t->drop_txerror = app_counter(app, "drop_txerror");
	t->drop_stopped = app_counter(app, "drop_stopped");
	app->state = t;
	return 0;
}

static void tap_pull(struct app *app)
{
	struct tap *t = app->state;
	struct link *out = app_output(app, "output");
	if (!out)
		return; /* the kernel queues, then drops (the device's tx_dropped) */
	unsigned n = 0;
	const size_t hl = sizeof(struct virtio_net_hdr);
	while (n < LINK_MAX_BATCH) {
		ssize_t r = read(t->fd, t->buf, hl + TAP_READ_MAX);
		if (r < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_once(LOG_WARN, "tap %s: read: %s", t->ifname, strerror(errno));
			break;
		}
		if ((size_t)r < hl)
			break;
		(*t->rxframes)++;
		n += offload_rx((const struct virtio_net_hdr *)t->buf, t->buf + hl, (uint32_t)(r - hl),
		                t->out + n, &t->oc, t->mode);
	}
	for (unsigned i = 0; i < n; i++)
		*t->rxbytes += t->out[i]->length;
	*t->rxpackets += n;
	link_transmit_batch(out, t->out, n);
}

static void tap_push(struct app *app)
{
	struct tap *t = app->state;
	struct link *in = app_input(app, "input");
	if (in && t->ntxq < LINK_MAX_BATCH)
		t->ntxq += link_receive_batch(in, t->txq + t->ntxq, LINK_MAX_BATCH - t->ntxq);
	unsigned i = 0;
	while (i < t->ntxq) {
		struct packet *p = t->txq[i];
		struct virtio_net_hdr vh;
		offload_tx_hdr(p, &vh);
		struct iovec iov[2] = { { &vh, sizeof vh }, { packet_data(p), p->length } };
		if (writev(t->fd, iov, 2) < 0) {
			if (errno == EAGAIN || errno == EINTR || errno == ENOBUFS)
				break; /* keep the rest for the next breath */
			log_once(LOG_WARN, "tap %s: write failed: %s (frame of %u bytes); such frames "
			         "are counted in drop_txerror", t->ifname, strerror(errno), p->length);
			(*t->drop_txerror)++;
			(*t->oc.drops)++;
		} else {
			(*t->txpackets)++;
			*t->txbytes += p->length;
		}
		packet_free(p);
		i++;
	}
	t->ntxq -= i;
	memmove(t->txq, t->txq + i, t->ntxq * sizeof t->txq[0]);
}

static void tap_stop(struct app *app)
{
	struct tap *t = app->state;
	if (!t)
		return;
	packet_free_batch(t->txq, t->ntxq); /* taken from input, never written */
	*t->drop_stopped += t->ntxq;
	*t->oc.drops += t->ntxq;
	release(t);
	app->state = NULL;
}

static const struct app_class tap_class = {
	.name = "tap",
	.help = "Linux TAP device (created or attached), with virtio-net offloads",
	.doc = "Frames the kernel sends on ifname come out of `output`; frames on `input` are "
	       "delivered to the kernel as received on ifname. Creates the TAP device (or "
	       "attaches to a persistent one) and brings it up. Checksum-partial and TSO frames "
	       "are finished and segmented in software. Counters: rxframes, rxpackets, rxbytes, "
	       "txpackets, txbytes, drops (drop_txerror, drop_stopped, drop_toolong, "
	       "drop_badoffload, drop_nopacket), csum_filled, gso_frames, gso_segments. Needs "
	       "CAP_NET_ADMIN.",
	.inputs = ports_in,
	.outputs = ports_out,
	.params = params,
	.check = tap_check,
	.new = tap_new,
	.pull = tap_pull,
	.push = tap_push,
	.stop = tap_stop,
};
KVICK_APP(tap_class);
