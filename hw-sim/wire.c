/* wire.c -- what a model port is plugged into, and the simple wires.
 *
 *   none       nothing: the link never comes up, TX waits (§7.2: the
 *              device does not send without link)
 *   loopback   TX comes back on the same port's RX
 *   cable      TX on one port arrives at the peer's RX, and back; the link
 *              is up only when both ends have trained
 *   capture    TX frames are kept for the test harness (sim_port_capture_take)
 *   pcap, gen, tap: wire_pcap.c, wire_gen.c, wire_tap.c
 * Frames the test harness injects (sim_port_inject) arrive on any wire.
 * All of this runs on the model thread with sim_lock held.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model.h"

bool wire_connected(struct sim_port *p)
{
	if (!atomic_load_explicit(&p->wire.admin_up, memory_order_relaxed))
		return false;
	if (p->wire.kind == W_CABLE) {
		struct sim_port *q = sim_ports[p->wire.peer];
		return q && atomic_load_explicit(&q->wire.admin_up, memory_order_relaxed);
	}
	return p->wire.kind != W_NONE;
}

/* The physical link is up when the wire is plugged and up, this port has
 * trained (82599: AN restarted after reset; X710: the firmware brought
 * the link up), and for a cable, the peer too. */
bool model_link_up(struct sim_port *p)
{
	if (!p->link_trained || !wire_connected(p))
		return false;
	if (p->wire.kind == W_CABLE) {
		struct sim_port *q = sim_ports[p->wire.peer];
		return q && q->open && q->link_trained;
	}
	return true;
}

static void capture_put(struct sim_capture *c, const uint8_t *d, uint32_t len, struct sim_port *p)
{
	pthread_mutex_lock(&c->lock);
	if (c->tail - c->head == sizeof c->slot / sizeof c->slot[0]) {
		pthread_mutex_unlock(&c->lock);
		stat_add(&p->st.tx_drop_link, 1);    /* the harness did not take them */
		return;
	}
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy) {
		pthread_mutex_unlock(&c->lock);
		stat_add(&p->st.tx_drop_link, 1);
		return;
	}
	memcpy(copy, d, len);
	unsigned i = c->tail++ % (sizeof c->slot / sizeof c->slot[0]);
	c->slot[i].len = len;
	c->slot[i].data = copy;
	pthread_mutex_unlock(&c->lock);
}

static void deliver(struct sim_port *p, const uint8_t *d, uint32_t len, unsigned flags)
{
	switch (p->wire.kind) {
	case W_LOOPBACK:
		sim_rx_frame(p, d, len, flags, false);
		return;
	case W_CABLE:
		sim_rx_frame(sim_ports[p->wire.peer], d, len, flags, false);
		return;
	case W_CAPTURE:
		if (flags & SIM_F_BAD_FCS)
			stat_add(&p->st.tx_drop_link, 1);  /* a capture of a bad frame is useless */
		else
			capture_put(p->wire.cap, d, len, p);
		return;
	case W_PCAP:
		if (p->wire.pcap_out && !(flags & SIM_F_BAD_FCS))
			wire_pcap_write(p, d, len);
		else
			stat_add(&p->st.tx_drop_link, 1);  /* no sink, or bad FCS */
		return;
	case W_TAP:
		if (flags & SIM_F_BAD_FCS)
			stat_add(&p->st.tx_drop_link, 1);
		else
			wire_tap_write(p, d, len);
		return;
	default:
		stat_add(&p->st.tx_drop_link, 1);      /* generator: nobody listens */
		return;
	}
}

void wire_tx(struct sim_port *p, const uint8_t *d, uint32_t len, unsigned flags)
{
	pace_charge(p, PACE_TX, len);   /* on the wire, whoever listens */
	deliver(p, d, len, flags);
}

void wire_tx_add(struct sim_port *p, struct wire_burst *b, const uint8_t *d, uint32_t len, unsigned flags)
{
	pace_charge(p, PACE_TX, len);
	b->f[b->n++] = (struct wire_frame){ d, len, flags };
	if (b->n == WIRE_BURST)
		wire_tx_flush(p, b);
}

/* A cable or loopback hands the whole burst to the receiving port; the
 * other wires take it frame by frame. */
void wire_tx_flush(struct sim_port *p, struct wire_burst *b)
{
	struct sim_port *to = p->wire.kind == W_LOOPBACK ? p :
	                      p->wire.kind == W_CABLE ? sim_ports[p->wire.peer] : NULL;
	if (b->n && to && to->pers->rx_frames)
		to->pers->rx_frames(to, b->f, b->n);
	else
		for (unsigned i = 0; i < b->n; i++)
			deliver(p, b->f[i].d, b->f[i].len, b->f[i].flags);
	b->n = 0;
}

/* Frames the harness injected: lossy, like a real link partner. */
static unsigned inject_poll(struct sim_port *p)
{
	struct sim_inject *in = p->inject;
	unsigned n = 0;
	if (!in || in->head == atomic_load_explicit(&in->tail, memory_order_acquire))
		return 0;
	pthread_mutex_lock(&in->lock);
	while (in->head != in->tail && n < 256 && wire_rx_ready(p)) {
		unsigned i = in->head++ % (sizeof in->slot / sizeof in->slot[0]);
		if (p->link_up)
			wire_rx(p, in->slot[i].data, in->slot[i].len, 0, false);
		else {                                       /* no link: lost on the wire */
			stat_add(&p->st.wire_rx_frames, 1);
			stat_add(&p->st.rx_drop_disabled, 1);
		}
		free(in->slot[i].data);
		n++;
	}
	pthread_mutex_unlock(&in->lock);
	return n;
}

/* A source's pending frame goes to RX when the port can take it. */
static unsigned offer_pending(struct sim_port *p)
{
	if (!p->wire.pending_len)
		return 0;
	if (!wire_rx_ready(p) || wire_rx(p, p->wire.pending, p->wire.pending_len, 0, true) == RX_BUSY)
		return 0;
	p->wire.pending_len = 0;
	return 1;
}

unsigned wire_poll(struct sim_port *p, uint64_t now)
{
	unsigned n = inject_poll(p);
	if (!p->link_up)
		return n;
	switch (p->wire.kind) {
	case W_PCAP:
		for (unsigned i = 0; i < 64 && p->wire.pcap_in && !p->wire.pcap_in_done; i++) {
			if (!p->wire.pending_len && wire_pcap_read(p) <= 0)
				break;
			unsigned took = offer_pending(p);
			if (!took)
				break;
			n += took;
		}
		return n;
	case W_GEN:
		return n + wire_gen_poll(p, now);
	case W_TAP:
		return n + wire_tap_poll(p);
	default:
		return n;
	}
}

void wire_unplug(struct sim_port *p)
{
	struct sim_wire *w = &p->wire;
	if (w->kind == W_CABLE) {
		struct sim_port *q = sim_ports[w->peer];
		if (q && q != p && q->wire.kind == W_CABLE && q->wire.peer == p->id)
			q->wire.kind = W_NONE;
	}
	if (w->kind == W_PCAP)
		wire_pcap_close(p);
	if (w->kind == W_TAP && w->tap_fd >= 0) {
		close(w->tap_fd);
		w->tap_fd = -1;
	}
	if (w->cap) {
		for (unsigned i = w->cap->head; i != w->cap->tail; i++)
			free(w->cap->slot[i % (sizeof w->cap->slot / sizeof w->cap->slot[0])].data);
		pthread_mutex_destroy(&w->cap->lock);
		free(w->cap);
		w->cap = NULL;
	}
	w->pending_len = 0;
	w->gen_key = 0;                  /* the generator's template is rebuilt */
	w->kind = W_NONE;
}

int sim_port_capture_take(unsigned port, void *buf, size_t buflen)
{
	if (port >= SIM_MAX_PORTS || !sim_ports[port])
		return -1;
	pthread_mutex_lock(&sim_lock);
	struct sim_capture *c = sim_ports[port]->wire.cap;
	int rc = 0;
	if (c) {
		pthread_mutex_lock(&c->lock);
		if (c->head != c->tail) {
			unsigned i = c->head++ % (sizeof c->slot / sizeof c->slot[0]);
			rc = c->slot[i].len <= buflen ? (int)c->slot[i].len : -1;
			if (rc > 0)
				memcpy(buf, c->slot[i].data, c->slot[i].len);
			free(c->slot[i].data);
		}
		pthread_mutex_unlock(&c->lock);
	}
	pthread_mutex_unlock(&sim_lock);
	return rc;
}
