/* x710_regs.c -- the register table of x710_regs.h turned into an index.
 *
 * The X710's BAR0 is 8 MiB with registers scattered over it (the port
 * statistics at 0x300000, PRTMAC at 0x1E2420), so storage is sparse: each
 * port keeps one word per register instance (x710_reg_slots words, about
 * 15,000), and an open-addressing hash table maps a BAR offset to (register,
 * instance).  The table is shared by all ports and built once.
 */
#include <pthread.h>
#include <stddef.h>

#include "x710_regs.h"

#define X710_REG_DESC(name, off, stride, count, mode, dom, reset, what) \
	[X_##name] = { #name, what, off, stride, count, mode, dom, reset, 0 },
static struct x710_reg_desc desc_[X__COUNT] = { X710_REGS(X710_REG_DESC) };
const struct x710_reg_desc *const x710_reg_desc = desc_;   /* read-only view */
uint32_t x710_reg_slots;

#define HASH_BITS 15
#define HASH_SIZE (1u << HASH_BITS)
static struct { uint32_t off1; struct x710_loc loc; } table[HASH_SIZE];  /* off1 = offset + 1 */
static pthread_once_t once = PTHREAD_ONCE_INIT;

static unsigned hash(uint32_t off)
{
	return ((off >> 2) * 2654435761u) >> (32 - HASH_BITS);
}

static void build(void)
{
	uint32_t slot = 0;
	for (unsigned id = 0; id < X__COUNT; id++) {
		struct x710_reg_desc *d = &desc_[id];
		d->slot = slot;
		slot += d->count;
		for (unsigned i = 0; i < d->count; i++) {
			uint32_t off = d->offset + i * d->stride;
			unsigned h = hash(off);
			while (table[h].off1)
				h = (h + 1) & (HASH_SIZE - 1);
			table[h].off1 = off + 1;
			table[h].loc = (struct x710_loc){ (uint16_t)id, (uint16_t)i };
		}
	}
	x710_reg_slots = slot;
}

void x710_regs_init(void)
{
	pthread_once(&once, build);
}

struct x710_loc x710_regs_lookup(uint32_t off)
{
	if (!(off & 3)) {
		for (unsigned h = hash(off); table[h].off1; h = (h + 1) & (HASH_SIZE - 1))
			if (table[h].off1 == off + 1)
				return table[h].loc;
	}
	return (struct x710_loc){ X__COUNT, 0 };
}
