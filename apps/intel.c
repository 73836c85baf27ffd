/* intel.c -- the `intel` app: one port of an Intel NIC as an app.
 *
 *            +-----------------------+
 *   input -->| intel pci=...         |--> output
 *  (to send) |  TX queues  RX queues | (received)
 *            +-----------------------+
 *
 * pci= names the port: a real PCI function ("0000:03:00.0", through VFIO)
 * or a port of the hw-sim model ("sim:0", "sim:0/cable=1", "sim:1/tap=kv0";
 * the options after '/' are the model's wire, see docs/hw-sim.md).  The
 * driver is picked by PCI ID: 82599 family -> driver/ixgbe.c, 82576/I350
 * copper ports -> driver/igb.c (one RX and one TX queue); X710 is
 * recognised and refused until its driver exists.
 *
 * Queues: rxq=N receive queues with RSS spreading flows over them (all
 * polled into `output`); txq=N transmit queues: a batch from `input` goes
 * to queue 0 and what does not fit spills to the next queues (frames of
 * one batch keep their order; with txq > 1 two batches may be reordered).
 * Backpressure: push() takes from `input` only what the TX rings have room
 * for, so when the wire is slower than the source, frames wait in the link
 * and the upstream app sees a full link (and counts its own drops there).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../core/app.h"
#include "../core/engine.h"
#include "../core/log.h"
#include "../driver/device.h"
#include "../driver/igb.h"
#include "../driver/ixgbe.h"

#define INTEL_POLL_NS 100000000ull  /* housekeeping every 100 ms */

/* X710/XL710/XXV710/X722 physical functions (reference/x710.md). */
static bool is_x710(uint16_t vendor, uint16_t dev)
{
	static const uint16_t ids[] = { 0x1572, 0x1580, 0x1581, 0x1583, 0x1584, 0x158A,
	                                0x158B, 0x15FF, 0x37D0, 0x37D1, 0x37D2, 0x37D3 };
	if (vendor != 0x8086)
		return false;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (ids[i] == dev)
			return true;
	return false;
}

struct intel {
	struct device dev;
	struct ixgbe_dev *ix;
	struct igb_dev *igb;      /* an 82576/I350 port: igb instead of ix */
	struct link *in, *out;
	unsigned nrxq, ntxq;
	uint8_t mac[6];
	unsigned pulls;
	uint64_t next_poll_ns;
	/* counters (app_counter slots) */
	uint64_t *rxpackets, *rxbytes, *txpackets, *txbytes;
	uint64_t *rxdrop_nobuf, *rxdrop_badlen, *rxdrop_nodesc, *missed;
	uint64_t *rxdrop_unconnected, *txdrop_ringfull;
	uint64_t *rx_lost, *tx_lost, *resets, *link, *link_changes, *speed;
};

/* ---- the driver behind the port: ixgbe (82599) or igb (82576/I350).
 * Both have the same shape; these pick the one this port uses. */

static unsigned port_rx(struct intel *s, unsigned q, struct packet **pkts, unsigned n)
{
	return s->igb ? igb_rx_batch(s->igb, pkts, n) : ixgbe_rx_batch(s->ix, q, pkts, n);
}

static unsigned port_tx(struct intel *s, unsigned q, struct packet **pkts, unsigned n)
{
	return s->igb ? igb_tx_batch(s->igb, pkts, n) : ixgbe_tx_batch(s->ix, q, pkts, n);
}

static unsigned port_tx_room(struct intel *s, unsigned q)
{
	return s->igb ? igb_tx_room(s->igb) : ixgbe_tx_room(s->ix, q);
}

/* Keep the published counters current (a few loads and stores): the
 * driver's own counters are exact without touching the device. */
static void intel_publish(struct intel *s)
{
	if (s->igb) {
		const struct igb_stats *st = igb_counters(s->igb);
		*s->rxpackets = st->rx_packets;
		*s->rxbytes = st->rx_bytes;
		*s->txpackets = st->tx_packets;
		*s->txbytes = st->tx_bytes;
		*s->rxdrop_nobuf = st->rx_nobuf;
		*s->rxdrop_badlen = st->rx_badlen;
	} else {
		const struct ixgbe_stats *st = ixgbe_counters(s->ix);
		*s->rxpackets = st->rx_packets;
		*s->rxbytes = st->rx_bytes;
		*s->txpackets = st->tx_packets;
		*s->txbytes = st->tx_bytes;
		*s->rxdrop_nobuf = st->rx_nobuf;
		*s->rxdrop_badlen = st->rx_badlen;
	}
}

/* igb's statistics into the published counters (see intel_sync). */
static void intel_sync_igb(struct intel *s)
{
	struct igb_stats st;
	unsigned speed = 0;
	igb_stats(s->igb, &st);
	intel_publish(s);
	*s->rxdrop_nodesc = st.rqdpc;
	*s->missed = st.mpc;
	*s->rx_lost = st.rx_lost;
	*s->tx_lost = st.tx_lost;
	*s->resets = st.resets;
	*s->link_changes = st.link_changes;
	*s->link = igb_link_up(s->igb, &speed);
	*s->speed = speed;
}

/* Copy the driver's statistics into the published counters. */
static void intel_sync(struct intel *s)
{
	if (s->igb) {
		intel_sync_igb(s);
		return;
	}
	struct ixgbe_stats st;
	unsigned speed = 0;
	ixgbe_stats(s->ix, &st);
	*s->rxpackets = st.rx_packets;
	*s->rxbytes = st.rx_bytes;
	*s->txpackets = st.tx_packets;
	*s->txbytes = st.tx_bytes;
	*s->rxdrop_nobuf = st.rx_nobuf;
	*s->rxdrop_badlen = st.rx_badlen;
	*s->rxdrop_nodesc = st.qprdc;
	*s->missed = st.mpc;
	*s->rx_lost = st.rx_lost;
	*s->tx_lost = st.tx_lost;
	*s->resets = st.resets;
	*s->link_changes = st.link_changes;
	*s->link = ixgbe_link_up(s->ix, &speed);
	*s->speed = speed;
}

static void intel_housekeeping(struct intel *s)
{
	uint64_t t = now_ns();
	if (t < s->next_poll_ns)
		return;
	s->next_poll_ns = t + INTEL_POLL_NS;
	if (s->igb)
		igb_poll(s->igb);
	else
		ixgbe_poll(s->ix);
	intel_sync(s);
}

/* An 82576/I350 port: the same parameters, one queue each way. */
static int intel_open_igb(struct intel *s, const struct ixgbe_config *c, char *err,
                          size_t errlen)
{
	if (c->rxq != 1 || c->txq != 1) {
		snprintf(err, errlen, "rxq=%u txq=%u: the igb driver (82576/I350) uses one queue "
		         "each way", c->rxq, c->txq);
		return -1;
	}
	struct igb_config ic = {
		.rx_ring = c->rx_ring, .tx_ring = c->tx_ring, .mtu = c->mtu,
		.promisc = c->promisc, .set_mac = c->set_mac, .wait_link_ms = c->wait_link_ms,
	};
	memcpy(ic.mac, c->mac, sizeof(ic.mac));
	s->igb = igb_open(&s->dev, &ic, err, errlen);
	if (!s->igb)
		return -1;
	igb_mac(s->igb, s->mac);
	return 0;
}

static int intel_new(struct app *app, const struct app_args *args)
{
	struct intel *s = calloc(1, sizeof(*s));
	char err[256];
	if (!s)
		return app_error(app, "out of memory");
	app->state = s;
	const char *pci = app_arg_str(args, "pci");
	struct ixgbe_config cfg = {
		.rxq = (unsigned)app_arg_int(args, "rxq"),
		.txq = (unsigned)app_arg_int(args, "txq"),
		.rx_ring = (unsigned)app_arg_int(args, "rxring"),
		.tx_ring = (unsigned)app_arg_int(args, "txring"),
		.mtu = (unsigned)app_arg_int(args, "mtu"),
		.promisc = app_arg_bool(args, "promisc"),
		.wait_link_ms = (unsigned)app_arg_int(args, "wait_link"),
	};
	cfg.set_mac = app_arg_mac(args, "mac", cfg.mac);

	if (app_arg_int(args, "rxq") < 1 || app_arg_int(args, "txq") < 1 ||
	    app_arg_int(args, "rxring") < 0 || app_arg_int(args, "txring") < 0 ||
	    app_arg_int(args, "mtu") < 0 || app_arg_int(args, "wait_link") < 0) {
		app_error(app, "rxq, txq must be >= 1; rxring, txring, mtu, wait_link >= 0");
		goto err_free;
	}
	if (device_open(pci, &s->dev, err, sizeof(err)) < 0) {
		app_error(app, "pci=%s: %s", pci, err);
		goto err_free;
	}
	if (is_x710(s->dev.vendor_id, s->dev.device_id)) {
		app_error(app, "pci=%s: %04x:%04x is an X710 (i40e): X710 (i40e) is not yet "
		          "supported", pci, s->dev.vendor_id, s->dev.device_id);
		goto err_close;
	}
	if (igb_supports(s->dev.vendor_id, s->dev.device_id)) {
		if (intel_open_igb(s, &cfg, err, sizeof(err)) < 0) {
			app_error(app, "pci=%s: %s", pci, err);
			goto err_close;
		}
	} else if (!ixgbe_supports(s->dev.vendor_id, s->dev.device_id)) {
		app_error(app, "pci=%s: %04x:%04x is not a NIC kvick drives (supported: Intel "
		          "82599 family, e.g. 8086:10fb; 82576/I350 copper, e.g. 8086:10c9)", pci,
		          s->dev.vendor_id, s->dev.device_id);
		goto err_close;
	} else {
		s->ix = ixgbe_open(&s->dev, &cfg, err, sizeof(err));
		if (!s->ix) {
			app_error(app, "pci=%s: %s", pci, err);
			goto err_close;
		}
		ixgbe_mac(s->ix, s->mac);
	}
	s->nrxq = cfg.rxq;
	s->ntxq = cfg.txq;
	s->in = app_input(app, "input");
	s->out = app_output(app, "output");

	s->rxpackets = app_counter(app, "rxpackets");
	s->rxbytes = app_counter(app, "rxbytes");
	s->txpackets = app_counter(app, "txpackets");
	s->txbytes = app_counter(app, "txbytes");
	s->rxdrop_nobuf = app_counter(app, "rxdrop_nobuf");
	s->rxdrop_badlen = app_counter(app, "rxdrop_badlen");
	s->rxdrop_nodesc = app_counter(app, "rxdrop_nodesc");
	s->missed = app_counter(app, "missed");
	s->rxdrop_unconnected = app_counter(app, "rxdrop_unconnected");
	s->txdrop_ringfull = app_counter(app, "txdrop_ringfull");
	s->rx_lost = app_counter(app, "rx_lost");
	s->tx_lost = app_counter(app, "tx_lost");
	s->resets = app_counter(app, "resets");
	s->link = app_counter(app, "link");
	s->link_changes = app_counter(app, "link_changes");
	s->speed = app_counter(app, "speed_mbps");
	intel_sync(s);
	s->next_poll_ns = now_ns() + INTEL_POLL_NS;
	return 0;

err_close:
	device_close(&s->dev);
err_free:
	free(s);
	app->state = NULL;
	return -1;
}

/* Received frames -> output, at most what the link can take, so the link
 * never drops: what stays behind waits in the RX ring (and the device
 * counts what no longer fits: rxdrop_nodesc). */
static void intel_pull(struct app *app)
{
	struct intel *s = app->state;
	struct packet *pkts[LINK_MAX_BATCH];
	if ((++s->pulls & 255) == 0)
		intel_housekeeping(s);
	for (unsigned q = 0; q < s->nrxq; q++) {
		unsigned room = LINK_MAX_BATCH;
		if (s->out) {
			room = link_nwritable(s->out);
			if (room > LINK_MAX_BATCH)
				room = LINK_MAX_BATCH;
		}
		unsigned n = port_rx(s, q, pkts, room);
		if (n == 0)
			continue;
		if (s->out) {
			link_transmit_batch(s->out, pkts, n);
		} else {
			*s->rxdrop_unconnected += n;
			packet_free_batch(pkts, n);
		}
	}
	intel_publish(s);
}

/* input -> TX rings.  Only as many frames leave the link as the rings
 * have room for: the rest wait in the link, so a fast source upstream is
 * held back (it sees a full link) instead of losing frames here.  A frame
 * no ring takes after all is freed and counted (txdrop_ringfull). */
static void intel_push(struct app *app)
{
	struct intel *s = app->state;
	struct packet *pkts[LINK_MAX_BATCH];
	if (!s->in)
		return;
	unsigned room = 0;
	for (unsigned q = 0; q < s->ntxq && room < LINK_MAX_BATCH; q++)
		room += port_tx_room(s, q);
	if (room > LINK_MAX_BATCH)
		room = LINK_MAX_BATCH;
	unsigned n = link_receive_batch(s->in, pkts, room);
	unsigned sent = 0;
	for (unsigned q = 0; q < s->ntxq && sent < n; q++)
		sent += port_tx(s, q, pkts + sent, n - sent);
	if (sent < n) {
		*s->txdrop_ringfull += n - sent;
		packet_free_batch(pkts + sent, n - sent);
	}
	intel_publish(s);
}

static void intel_stop(struct app *app)
{
	struct intel *s = app->state;
	if (!s)
		return;
	intel_sync(s);
	/* Frees every packet in the rings; what was still in them is counted
	 * in the final statistics (rx_lost / tx_lost). */
	if (s->igb) {
		struct igb_stats st;
		igb_close(s->igb, &st);
		s->igb = NULL;
		*s->rx_lost = st.rx_lost;
		*s->tx_lost = st.tx_lost;
	} else {
		struct ixgbe_stats st;
		ixgbe_close(s->ix, &st);
		s->ix = NULL;
		*s->rx_lost = st.rx_lost;
		*s->tx_lost = st.tx_lost;
	}
	device_close(&s->dev);
	free(s);
	app->state = NULL;
}

static void intel_report(struct app *app, FILE *out)
{
	struct intel *s = app->state;
	if (!s)
		return;
	intel_sync(s);
	const uint8_t *m = s->mac;
	fprintf(out, "  %s: link %s", s->dev.addr, *s->link ? "up" : "down");
	if (*s->link)
		fprintf(out, " %" PRIu64 " Mb/s", *s->speed);
	fprintf(out, ", mac %02x:%02x:%02x:%02x:%02x:%02x, %u rx / %u tx queues\n",
	        m[0], m[1], m[2], m[3], m[4], m[5], s->nrxq, s->ntxq);
	fprintf(out, "  rx %" PRIu64 " packets %" PRIu64 " bytes; tx %" PRIu64 " packets %" PRIu64
	        " bytes\n", *s->rxpackets, *s->rxbytes, *s->txpackets, *s->txbytes);
	fprintf(out, "  drops: rx nodesc %" PRIu64 " missed %" PRIu64 " nobuf %" PRIu64
	        " badlen %" PRIu64 "; tx ringfull %" PRIu64 "; resets %" PRIu64 "\n",
	        *s->rxdrop_nodesc, *s->missed, *s->rxdrop_nobuf, *s->rxdrop_badlen,
	        *s->txdrop_ringfull, *s->resets);
}

static const char *const intel_inputs[] = { "input", NULL };
static const char *const intel_outputs[] = { "output", NULL };

static const struct app_param intel_params[] = {
	{ "pci", PARAM_STRING, NULL, true,
	  "PCI address (0000:03:00.0) or model port (sim:N[/wire options], see docs/hw-sim.md)" },
	{ "rxq", PARAM_INT, "1", false, "receive queues, 1..16 (RSS spreads flows over them)" },
	{ "txq", PARAM_INT, "1", false, "transmit queues, 1..16 (queue 0 first, overflow to the next)" },
	{ "rxring", PARAM_INT, "512", false, "RX descriptors per queue (power of two, 64..4096)" },
	{ "txring", PARAM_INT, "512", false, "TX descriptors per queue (power of two, 64..4096)" },
	{ "promisc", PARAM_BOOL, "false", false, "accept every frame (UPE|MPE in FCTRL, or RCTL on igb)" },
	{ "mtu", PARAM_INT, "1500", false, "largest IP packet, 68..9000 (jumbo above 1500)" },
	{ "mac", PARAM_MAC, NULL, false, "set the port's MAC address (default: the EEPROM's)" },
	{ "wait_link", PARAM_INT, "2000", false, "ms to wait for the link at start (0: don't)" },
	{ NULL },
};

static const struct app_class intel_class = {
	.name = "intel",
	.help = "an Intel 82599, 82576 or I350 port (real over VFIO, or a hw-sim model port)",
	.doc = "Ports: input (frames to transmit), output (frames received).\n"
	       "Counters: rxpackets rxbytes txpackets txbytes; rxdrop_nodesc (QPRDC/RQDPC: no free\n"
	       "descriptor), missed (MPC), rxdrop_nobuf (freelist empty at refill), rxdrop_badlen\n"
	       "(write-back length 0, > buffer or without EOP), rxdrop_unconnected (no output link),\n"
	       "txdrop_ringfull (no TX ring room), rx_lost/tx_lost (in a ring at a device reset or\n"
	       "close), resets, link (1 up), link_changes, speed_mbps.\n"
	       "82576/I350 copper ports (igb) use one queue each way (rxq=1 txq=1).\n"
	       "X710 (i40e) ports are recognised and refused (not yet supported).",
	.inputs = intel_inputs,
	.outputs = intel_outputs,
	.params = intel_params,
	.new = intel_new,
	.pull = intel_pull,
	.push = intel_push,
	.stop = intel_stop,
	.report = intel_report,
};
KVICK_APP(intel_class);
