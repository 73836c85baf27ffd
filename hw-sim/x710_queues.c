/* x710_queues.c -- the X710's LAN queues, first cut: the QENA handshake
 * runs (x710_model.c), but the queue contexts are not read from the HMC
 * yet, so every enable is refused with a violation saying so, and frames
 * from the wire are dropped and counted as for a disabled queue.  The HMC,
 * the RX/TX descriptor engines and interrupts replace this file next. */
#include "x710_model.h"

int x710_rxq_start(struct sim_port *p, unsigned q)
{
	sim_violation_add(p, "QRX_ENA(%u).QENA_REQ refused: queue contexts (HMC) are not modelled in this build", q);
	return -1;
}

int x710_txq_start(struct sim_port *p, unsigned q)
{
	sim_violation_add(p, "QTX_ENA(%u).QENA_REQ refused: queue contexts (HMC) are not modelled in this build", q);
	return -1;
}

void x710_rxq_stop(struct sim_port *p, unsigned q, int state)
{
	p->rxq[q].state = state;
	p->rxq[q].change_at = 0;
	atomic_fetch_and(xreg(p, X_QRX_ENA, q), ~QENA_STAT);
}

void x710_txq_stop(struct sim_port *p, unsigned q, int state)
{
	p->txq[q].state = state;
	p->txq[q].change_at = 0;
	atomic_fetch_and(xreg(p, X_QTX_ENA, q), ~QENA_STAT);
}

int x710_rx_frame(struct sim_port *p, const uint8_t *d, uint32_t len, unsigned flags, bool lossless)
{
	(void)d; (void)len; (void)flags;
	if (lossless)
		return RX_BUSY;
	stat_add(&p->st.wire_rx_frames, 1);
	stat_add(&p->st.rx_drop_disabled, 1);
	return RX_DROPPED;
}

unsigned x710_rx_drain(struct sim_port *p) { (void)p; return 0; }
unsigned x710_tx_poll(struct sim_port *p) { (void)p; return 0; }
void x710_irq_poll(struct sim_port *p, uint64_t now) { (void)p; (void)now; }
