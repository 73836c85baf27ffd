/* rxfifo.c -- the RX packet buffer both models share: frames from the
 * wire wait here (in arrival order) when their queue has no free
 * descriptor.  Each device bounds it with its own size (82599: RXPBSIZE(0);
 * X710: X710_RX_PB_BYTES); the storage is SIM_RXFIFO_BYTES per port.
 * Model thread only.
 */
#include <string.h>

#include "model.h"

#define FIFO_WRAP UINT32_MAX

bool rxfifo_push(struct sim_port *p, const uint8_t *d, uint32_t len, uint64_t cap)
{
	struct sim_rxfifo *f = &p->fifo;
	uint32_t need = sizeof(struct rxfifo_hdr) + ((len + 7) & ~7u);
	uint64_t pos = f->tail % SIM_RXFIFO_BYTES, room = SIM_RXFIFO_BYTES - pos;
	uint64_t pad = room < need ? room : 0;
	if (cap > SIM_RXFIFO_BYTES)
		cap = SIM_RXFIFO_BYTES;
	if (f->tail - f->head + pad + need > cap)
		return false;
	if (pad) {
		((struct rxfifo_hdr *)(f->mem + pos))->len = FIFO_WRAP;
		f->tail += pad;
		pos = 0;
	}
	struct rxfifo_hdr *h = (struct rxfifo_hdr *)(f->mem + pos);
	h->len = len;
	h->flags = 0;
	memcpy(h + 1, d, len);
	f->tail += need;
	f->frames++;
	return true;
}

struct rxfifo_hdr *rxfifo_peek(struct sim_port *p)
{
	struct sim_rxfifo *f = &p->fifo;
	if (!f->frames)
		return NULL;
	uint64_t pos = f->head % SIM_RXFIFO_BYTES;
	struct rxfifo_hdr *h = (struct rxfifo_hdr *)(f->mem + pos);
	if (h->len == FIFO_WRAP) {
		f->head += SIM_RXFIFO_BYTES - pos;
		h = (struct rxfifo_hdr *)f->mem;
	}
	return h;
}

void rxfifo_pop(struct sim_port *p, struct rxfifo_hdr *h)
{
	p->fifo.head += sizeof *h + ((h->len + 7) & ~7u);
	p->fifo.frames--;
}

void rx_fifo_clear(struct sim_port *p)
{
	/* frames in the packet buffer are lost by a reset: count them */
	stat_add(&p->st.rx_drop_disabled, p->fifo.frames);
	p->fifo.head = p->fifo.tail = 0;
	p->fifo.frames = 0;
}
