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
 * driver is picked by PCI ID from driver/nic_ids.c (nic_find()) and driven
 * through its struct nic_driver (driver/nic.h) only: this file knows no
 * driver by name.  A known device without a driver (a VF, a part whose
 * link setup no driver does) is refused with the table's reason.
 *
 * Queues: rxq=N receive queues with RSS spreading flows over them, txq=N
 * transmit queues.  By default one app drives them all: every RX queue is
 * polled into `output`; a batch from `input` goes to TX queue 0 and what
 * does not fit spills to the next queues (frames of one batch keep their
 * order; with txq > 1 two batches may be reordered).  With queue=K the app
 * drives only RX queue K and TX queue K, and several intel apps naming the
 * same pci= (with the same port settings) share the port, one queue pair
 * each -- the port is opened once, by the first of them, and closed by the
 * last.  Per-app counters (packets, bytes, nobuf, badlen, nodesc, ringfull)
 * are for the app's own queues; the rest (missed, lost, resets, link) are
 * the whole port's.
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
#include "../driver/nic.h"
#include "intel_check.h"

#define INTEL_POLL_NS 100000000ull  /* housekeeping every 100 ms */

/* A port is opened once per process and shared by the intel apps that
 * name it (each with its own queue=).  Everything runs on the engine's
 * thread, so the registry needs no lock. */
#define INTEL_MAX_PORTS 32

struct intel_port {
	char pci[128];             /* the pci= value, as given */
	char owner[APP_NAME_MAX];  /* the app that opened it, for messages */
	struct device dev;
	const struct nic_driver *drv;  /* picked by PCI ID (nic_find) */
	struct nic_dev *nic;       /* the driver's state, NULL until open */
	struct nic_config cfg;     /* as the first app asked; the others must agree */
	unsigned users;
	uint32_t rx_taken, tx_taken;   /* bit q: queue q has an app */
	uint64_t next_poll_ns;
	uint8_t mac[6];
};

static struct intel_port *intel_ports[INTEL_MAX_PORTS];

struct intel {
	struct intel_port *port;
	struct link *in, *out;
	unsigned rxq0, nrxq;       /* this app's RX queues: rxq0 .. rxq0 + nrxq - 1 */
	unsigned txq0, ntxq;       /* and TX queues */
	unsigned pulls;
	/* counters (app_counter slots) */
	uint64_t *rxpackets, *rxbytes, *txpackets, *txbytes;
	uint64_t *rxdrop_nobuf, *rxdrop_badlen, *rxdrop_nodesc, *missed;
	uint64_t *rxdrop_unconnected, *txdrop_ringfull, *txdrop_badlen;
	uint64_t *rx_lost, *tx_lost, *resets, *link, *link_changes, *speed;
};

/* ---- the driver behind the port, through its ops table only.  One
 * indirect call per batch, not per packet. */

static unsigned port_rx(struct intel_port *p, unsigned q, struct packet **pkts, unsigned n)
{
	return p->drv->rx_batch(p->nic, q, pkts, n);
}

static unsigned port_tx(struct intel_port *p, unsigned q, struct packet **pkts, unsigned n)
{
	return p->drv->tx_batch(p->nic, q, pkts, n);
}

static unsigned port_tx_room(struct intel_port *p, unsigned q)
{
	return p->drv->tx_room(p->nic, q);
}

static const struct nic_queue_stats *port_counters(struct intel_port *p, unsigned q)
{
	return p->drv->queue_stats(p->nic, q);
}

/* Keep the published counters current (a few loads and stores): the
 * driver's own counters are exact without touching the device. */
static void intel_publish(struct intel *s)
{
	struct intel_port *p = s->port;
	uint64_t rxp = 0, rxb = 0, nobuf = 0, badlen = 0, txp = 0, txb = 0, txbad = 0;
	for (unsigned q = s->rxq0; q < s->rxq0 + s->nrxq; q++) {
		const struct nic_queue_stats *qs = port_counters(p, q);
		rxp += qs->rx_packets;
		rxb += qs->rx_bytes;
		nobuf += qs->rx_nobuf;
		badlen += qs->rx_badlen;
	}
	for (unsigned q = s->txq0; q < s->txq0 + s->ntxq; q++) {
		const struct nic_queue_stats *qs = port_counters(p, q);
		txp += qs->tx_packets;
		txb += qs->tx_bytes;
		txbad += qs->tx_badlen;
	}
	*s->rxpackets = rxp;
	*s->rxbytes = rxb;
	*s->rxdrop_nobuf = nobuf;
	*s->rxdrop_badlen = badlen;
	*s->txpackets = txp;
	*s->txbytes = txb;
	*s->txdrop_badlen = txbad;
}

/* Copy the driver's statistics (registers folded in) into the counters. */
static void intel_sync(struct intel *s)
{
	struct intel_port *p = s->port;
	unsigned speed = 0;
	intel_publish(s);
	struct nic_stats st;
	p->drv->stats(p->nic, &st);
	uint64_t nodesc = 0;
	for (unsigned q = s->rxq0; q < s->rxq0 + s->nrxq; q++)
		nodesc += st.rx_nodesc_q[q];
	*s->rxdrop_nodesc = nodesc;
	*s->missed = st.missed;
	*s->rx_lost = st.rx_lost;
	*s->tx_lost = st.tx_lost;
	*s->resets = st.resets;
	*s->link_changes = st.link_changes;
	*s->link = p->drv->link(p->nic, &speed);
	*s->speed = speed;
}

/* Statistics, link and recovery every 100 ms, once per port whichever of
 * its apps gets there first. */
static void intel_housekeeping(struct intel *s)
{
	struct intel_port *p = s->port;
	uint64_t t = now_ns();
	if (t >= p->next_poll_ns) {
		p->next_poll_ns = t + INTEL_POLL_NS;
		p->drv->poll(p->nic);
	}
	intel_sync(s);
}

/* ---- opening and sharing a port ---- */

static void port_close(struct intel_port *p, uint64_t *rx_lost, uint64_t *tx_lost)
{
	/* Frees every packet in the rings; what was still in them is counted
	 * in the final statistics (rx_lost / tx_lost). */
	if (p->nic) {
		struct nic_stats st;
		p->drv->close(p->nic, &st);
		*rx_lost = st.rx_lost;
		*tx_lost = st.tx_lost;
	}
	device_close(&p->dev);
	for (unsigned i = 0; i < INTEL_MAX_PORTS; i++)
		if (intel_ports[i] == p)
			intel_ports[i] = NULL;
	free(p);
}

/* The driver for this PCI ID, or NULL with the reason in err. */
static const struct nic_driver *pick_driver(const struct device *d, const struct nic_config *c,
                                            char *err, size_t errlen)
{
	uint16_t vid = d->vendor_id, did = d->device_id;
	const struct nic_pci_id *id = nic_find(vid, did);
	if (!id) {
		snprintf(err, errlen, "%04x:%04x is not a NIC kvick drives (`kvick pci` lists what "
		         "it does: Intel 82599 SFP+, e.g. 8086:10fb; 82576/I350 copper, e.g. "
		         "8086:10c9)", vid, did);
		return NULL;
	}
	if (!id->drv) {
		snprintf(err, errlen, "%04x:%04x is an Intel %s: %s", vid, did, id->name, id->why);
		return NULL;
	}
	if (c->rxq > id->drv->max_rxq || c->txq > id->drv->max_txq) {
		snprintf(err, errlen, "rxq=%u txq=%u: the %s driver (%s) uses at most %u RX and %u "
		         "TX queues", c->rxq, c->txq, id->drv->name, id->drv->family,
		         id->drv->max_rxq, id->drv->max_txq);
		return NULL;
	}
	return id->drv;
}

/* Open the device behind pci= and pick its driver by PCI ID. */
static struct intel_port *port_open(struct app *app, const char *pci,
                                    const struct nic_config *cfg)
{
	char err[256];
	unsigned slot = 0;
	while (slot < INTEL_MAX_PORTS && intel_ports[slot])
		slot++;
	if (slot == INTEL_MAX_PORTS) {
		app_error(app, "pci=%s: more than %d ports in one process", pci, INTEL_MAX_PORTS);
		return NULL;
	}
	struct intel_port *p = calloc(1, sizeof(*p));
	if (!p) {
		app_error(app, "out of memory");
		return NULL;
	}
	snprintf(p->pci, sizeof(p->pci), "%s", pci);
	snprintf(p->owner, sizeof(p->owner), "%s", app->name);
	p->cfg = *cfg;
	if (device_open(pci, &p->dev, err, sizeof(err)) < 0) {
		app_error(app, "pci=%s: %s", pci, err);
		free(p);
		return NULL;
	}
	intel_ports[slot] = p;
	p->drv = pick_driver(&p->dev, cfg, err, sizeof(err));
	if (p->drv && (p->nic = p->drv->open(&p->dev, cfg, err, sizeof(err))) != NULL) {
		p->drv->mac(p->nic, p->mac);
		return p;
	}
	app_error(app, "pci=%s: %s", pci, err);
	uint64_t lost_rx, lost_tx;
	port_close(p, &lost_rx, &lost_tx);
	return NULL;
}

static bool same_config(const struct nic_config *a, const struct nic_config *b)
{
	return a->rxq == b->rxq && a->txq == b->txq && a->rx_ring == b->rx_ring &&
	       a->tx_ring == b->tx_ring && a->mtu == b->mtu && a->promisc == b->promisc &&
	       a->set_mac == b->set_mac && (!a->set_mac || !memcmp(a->mac, b->mac, 6));
}

/* The port named pci=, opened now or shared with the apps that opened it. */
static struct intel_port *port_get(struct app *app, const char *pci,
                                   const struct nic_config *cfg)
{
	for (unsigned i = 0; i < INTEL_MAX_PORTS; i++) {
		struct intel_port *p = intel_ports[i];
		if (!p || strcmp(p->pci, pci))
			continue;
		if (!same_config(&p->cfg, cfg)) {
			app_error(app, "pci=%s is already open (app %s) with other settings: apps "
			          "sharing a port need the same rxq, txq, rxring, txring, mtu, promisc "
			          "and mac", pci, p->owner);
			return NULL;
		}
		return p;
	}
	return port_open(app, pci, cfg);
}

/* Claim this app's queues: all of them (queue < 0) or pair K. */
static int claim_queues(struct app *app, struct intel *s, int64_t queue)
{
	struct intel_port *p = s->port;
	unsigned nrx = p->cfg.rxq, ntx = p->cfg.txq;
	if (queue < 0) {
		s->rxq0 = 0, s->nrxq = nrx;
		s->txq0 = 0, s->ntxq = ntx;
	} else {
		if ((uint64_t)queue >= nrx && (uint64_t)queue >= ntx)
			return app_error(app, "queue=%lld: the port has %u RX and %u TX queues "
			                 "(rxq=, txq=)", (long long)queue, nrx, ntx);
		s->rxq0 = s->txq0 = (unsigned)queue;
		s->nrxq = (uint64_t)queue < nrx;
		s->ntxq = (uint64_t)queue < ntx;
	}
	uint32_t rx = (s->nrxq ? ((1u << s->nrxq) - 1) : 0) << s->rxq0;
	uint32_t tx = (s->ntxq ? ((1u << s->ntxq) - 1) : 0) << s->txq0;
	if ((p->rx_taken & rx) || (p->tx_taken & tx))
		return app_error(app, "pci=%s: %s already driven by another intel app (give each "
		                 "app sharing a port its own queue=)", p->pci,
		                 queue < 0 ? "some of its queues are" : "this queue is");
	p->rx_taken |= rx;
	p->tx_taken |= tx;
	return 0;
}

static int intel_new(struct app *app, const struct app_args *args)
{
	struct intel *s = calloc(1, sizeof(*s));
	if (!s)
		return app_error(app, "out of memory");
	const char *pci = app_arg_str(args, "pci");
	struct nic_config cfg = {
		.rxq = (unsigned)app_arg_int(args, "rxq"),
		.txq = (unsigned)app_arg_int(args, "txq"),
		.rx_ring = (unsigned)app_arg_int(args, "rxring"),
		.tx_ring = (unsigned)app_arg_int(args, "txring"),
		.mtu = (unsigned)app_arg_int(args, "mtu"),
		.promisc = app_arg_bool(args, "promisc"),
		.wait_link_ms = (unsigned)app_arg_int(args, "wait_link"),
	};
	cfg.set_mac = app_arg_mac(args, "mac", cfg.mac);
	int64_t queue = app_arg_isset(args, "queue") ? app_arg_int(args, "queue") : -1;
	/* The values are as intel_check() accepted them. */
	s->port = port_get(app, pci, &cfg);
	if (!s->port)
		goto err_free;
	s->port->users++;
	if (claim_queues(app, s, queue) < 0)
		goto err_release;
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
	s->txdrop_badlen = app_counter(app, "txdrop_badlen");
	s->rx_lost = app_counter(app, "rx_lost");
	s->tx_lost = app_counter(app, "tx_lost");
	s->resets = app_counter(app, "resets");
	s->link = app_counter(app, "link");
	s->link_changes = app_counter(app, "link_changes");
	s->speed = app_counter(app, "speed_mbps");
	intel_sync(s);
	if (!s->port->next_poll_ns)
		s->port->next_poll_ns = now_ns() + INTEL_POLL_NS;
	app->state = s;
	return 0;

err_release:
	if (--s->port->users == 0) {
		uint64_t lost_rx, lost_tx;
		port_close(s->port, &lost_rx, &lost_tx);
	}
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
	for (unsigned q = s->rxq0; q < s->rxq0 + s->nrxq; q++) {
		unsigned room = LINK_MAX_BATCH;
		if (s->out) {
			room = link_nwritable(s->out);
			if (room > LINK_MAX_BATCH)
				room = LINK_MAX_BATCH;
		}
		unsigned n = port_rx(s->port, q, pkts, room);
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
	unsigned room = 0, end = s->txq0 + s->ntxq;
	for (unsigned q = s->txq0; q < end && room < LINK_MAX_BATCH; q++)
		room += port_tx_room(s->port, q);
	if (room > LINK_MAX_BATCH)
		room = LINK_MAX_BATCH;
	unsigned n = link_receive_batch(s->in, pkts, room);
	unsigned sent = 0;
	for (unsigned q = s->txq0; q < end && sent < n; q++)
		sent += port_tx(s->port, q, pkts + sent, n - sent);
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
	struct intel_port *p = s->port;
	intel_sync(s);
	p->rx_taken &= ~(s->nrxq ? ((1u << s->nrxq) - 1) << s->rxq0 : 0);
	p->tx_taken &= ~(s->ntxq ? ((1u << s->ntxq) - 1) << s->txq0 : 0);
	if (--p->users == 0)
		port_close(p, s->rx_lost, s->tx_lost);
	free(s);
	app->state = NULL;
}

static void intel_report(struct app *app, FILE *out)
{
	struct intel *s = app->state;
	if (!s)
		return;
	intel_sync(s);
	const uint8_t *m = s->port->mac;
	fprintf(out, "  %s: link %s", s->port->dev.addr, *s->link ? "up" : "down");
	if (*s->link)
		fprintf(out, " %" PRIu64 " Mb/s", *s->speed);
	fprintf(out, ", mac %02x:%02x:%02x:%02x:%02x:%02x, ", m[0], m[1], m[2], m[3], m[4], m[5]);
	if (s->nrxq + s->ntxq == s->port->cfg.rxq + s->port->cfg.txq)
		fprintf(out, "%u rx / %u tx queues\n", s->nrxq, s->ntxq);
	else
		fprintf(out, "queue %u of %u rx / %u tx\n", s->nrxq ? s->rxq0 : s->txq0,
		        s->port->cfg.rxq, s->port->cfg.txq);
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
	{ "queue", PARAM_INT, NULL, false,
	  "drive only RX/TX queue pair K (apps with the same pci= share the port); unset: all" },
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
	.help = "an Intel 82599, X710, 82576 or I350 port (real over VFIO, or a hw-sim model port)",
	.doc = "Ports: input (frames to transmit), output (frames received).\n"
	       "Counters: rxpackets rxbytes txpackets txbytes; rxdrop_nodesc (QPRDC/RQDPC: no free\n"
	       "descriptor), missed (MPC; X710: GLPRT_RDPC), rxdrop_nobuf (freelist empty at\n"
	       "refill), rxdrop_badlen (write-back length 0, > buffer or without EOP),\n"
	       "rxdrop_unconnected (no output link),\n"
	       "txdrop_ringfull (no TX ring room), txdrop_badlen (empty frame, never sent),\n"
	       "rx_lost/tx_lost (in a ring at a device reset or close), resets, link (1 up),\n"
	       "link_changes, speed_mbps.\n"
	       "With queue=K several intel apps share one port (same pci= and settings), one\n"
	       "queue pair each; their packet counters are per queue, the rest per port.\n"
	       "82576/I350 copper ports (igb) use one queue each way (rxq=1 txq=1).\n"
	       "The driver is picked by PCI ID (`kvick pci` shows which); known devices\n"
	       "without a driver (VFs, X722, 82599 backplane parts) are refused\n"
	       "with the reason.",
	.inputs = intel_inputs,
	.outputs = intel_outputs,
	.params = intel_params,
	.check = intel_check,
	.new = intel_new,
	.pull = intel_pull,
	.push = intel_push,
	.stop = intel_stop,
	.report = intel_report,
};
KVICK_APP(intel_class);
