/* x710_hmc.c -- queue contexts in the Host Memory Cache (datasheet: HMC).
 *
 * The X710 keeps each LAN queue's state in a context that lives in host
 * memory the driver gives it.  The PF's context space (the "FPM" address
 * space) is backed by segment descriptors: the driver writes the backing
 * page's IOVA to PFHMC_SDDATALOW (address bits 31:12, backing-page count
 * 11:2, type bit 1: 1 = direct, VALID bit 0) and PFHMC_SDDATAHIGH, then
 * PFHMC_SDCMD = index | WR.  A direct descriptor backs 2 MiB.  Object
 * bases GLHMC_LANTXBASE/LANRXBASE(pf) are in 512-byte units of that space,
 * counts in GLHMC_LANTXCNT/LANRXCNT(pf); object sizes are 2^7 = 128 bytes
 * (TX) and 2^5 = 32 bytes (RX) (GLHMC_LAN*OBJSZ).  Queue q's context is at
 * base + q * size, read by the model through the IOMMU when the queue is
 * enabled.
 *
 * What cannot be found -- queue beyond the object count, segment
 * descriptor not valid or not direct, backing too short or not mapped --
 * is reported in PFHMC_ERRORINFO (ERROR_DETECTED, error type bits 11:8,
 * object type 23:16: 1 TX, 2 RX, PF index 3:0) with the FPM address in
 * PFHMC_ERRORDATA, and the queue does not start.  The error type codes are
 * the model's own (the reference does not give the device's):
 *   1 segment descriptor not valid   2 not a direct descriptor
 *   3 object beyond the count        4 backing page not mapped (IOMMU)
 *   5 context invalid (sim_fault_hmc_context)
 *
 * Field positions (bit lsb/width) are those of the reference, checked
 * against DPDK's i40e_lan_hmc.c context tables.
 */
#include <string.h>

#include "x710_model.h"

enum { HMC_OBJ_TX = 1, HMC_OBJ_RX = 2 };

/* Bits [lsb, lsb + width) of a little-endian context (width <= 64). */
static uint64_t field(const uint8_t *ctx, unsigned lsb, unsigned width)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < width; i++) {
		unsigned b = lsb + i;
		v |= (uint64_t)((ctx[b / 8] >> (b % 8)) & 1) << i;
	}
	return v;
}

/* Copy the context of queue q (obj, size bytes) out of host memory. */
static int read_context(struct sim_port *p, unsigned q, unsigned obj, unsigned size, uint8_t *out)
{
	struct x710 *x = p->x7;
	bool tx = obj == HMC_OBJ_TX;
	uint32_t base = xget(p, tx ? X_GLHMC_LANTXBASE : X_GLHMC_LANRXBASE, x->pf) & 0xFFFFFF;
	uint32_t cnt = xget(p, tx ? X_GLHMC_LANTXCNT : X_GLHMC_LANRXCNT, x->pf) & 0x7FF;
	uint64_t fpm = (uint64_t)base * 512 + (uint64_t)q * size;
	const char *what = tx ? "TX" : "RX";
	unsigned ign = atomic_load(&x->fault_hmc);
	while (ign && !atomic_compare_exchange_weak(&x->fault_hmc, &ign, ign - 1))
		;
	if (ign) {
		sim_violation_add(p, "%s queue %u: HMC context invalid (injected fault); PFHMC_ERRORINFO set, the queue does not start", what, q);
		x710_hmc_error(p, 5, obj, (uint32_t)fpm);
		return -1;
	}
	if (q >= cnt) {
		sim_violation_add(p, "%s queue %u: beyond GLHMC_LAN%sCNT(%u) = %u objects; PFHMC_ERRORINFO set, the queue does not start (datasheet: HMC)",
		                  what, q, what, x->pf, cnt);
		x710_hmc_error(p, 3, obj, (uint32_t)fpm);
		return -1;
	}
	unsigned sdi = (unsigned)(fpm / X710_SD_BYTES);
	uint64_t off = fpm % X710_SD_BYTES;
	uint64_t sd = sdi < X710_HMC_SDS ? atomic_load(&x->sd[sdi]) : 0;
	uint32_t lo = (uint32_t)sd;
	if (!(lo & SDDATALOW_VALID)) {
		sim_violation_add(p, "%s queue %u: context at FPM 0x%llx needs segment descriptor %u, which is not valid (PFHMC_SDCMD); PFHMC_ERRORINFO set, the queue does not start (datasheet: HMC)",
		                  what, q, (unsigned long long)fpm, sdi);
		x710_hmc_error(p, 1, obj, (uint32_t)fpm);
		return -1;
	}
	if (!(lo & SDDATALOW_TYPE_DIRECT)) {
		sim_violation_add(p, "%s queue %u: segment descriptor %u is paged (PMSDTYPE 0); the model implements direct descriptors only; the queue does not start",
		                  what, q, sdi);
		x710_hmc_error(p, 2, obj, (uint32_t)fpm);
		return -1;
	}
	uint64_t page = (sd & SDDATALOW_ADDR_MASK) | (sd & 0xFFFFFFFF00000000ull);
	uint32_t bp = (lo & SDDATALOW_BPCOUNT_MASK) >> SDDATALOW_BPCOUNT_SHIFT;
	if (off + size > (uint64_t)bp * 4096) {
		sim_violation_add(p, "%s queue %u: context at offset 0x%llx of segment descriptor %u is beyond its %u backing pages (PMSDBPCOUNT); the queue does not start",
		                  what, q, (unsigned long long)off, sdi, bp);
		x710_hmc_error(p, 2, obj, (uint32_t)fpm);
		return -1;
	}
	const uint8_t *src = sim_iommu_translate(page + off, size);
	if (!src) {
		sim_iommu_fault(p, tx ? "TX HMC context of" : "RX HMC context of", q, page + off, size);
		x710_hmc_error(p, 4, obj, (uint32_t)fpm);
		return -1;
	}
	memcpy(out, src, size);
	return 0;
}

int x710_rx_context(struct sim_port *p, unsigned q, struct x710_rxctx *c)
{
	uint8_t b[32];
	if (read_context(p, q, HMC_OBJ_RX, sizeof b, b) < 0)
		return -1;
	c->head = (uint32_t)field(b, 0, 13);
	c->base = field(b, 32, 57) * 128;
	c->qlen = (uint32_t)field(b, 89, 13);
	c->dbuff = (uint32_t)field(b, 102, 7) * 128;
	c->hbuff = (uint32_t)field(b, 109, 5) * 64;
	c->dtype = (uint32_t)field(b, 114, 2);
	c->dsize = (uint32_t)field(b, 116, 1);
	c->crcstrip = (uint32_t)field(b, 117, 1);
	c->l2tsel = (uint32_t)field(b, 119, 1);
	c->hsplit_0 = (uint32_t)field(b, 120, 4);
	c->showiv = (uint32_t)field(b, 127, 1);
	c->rxmax = (uint32_t)field(b, 174, 14);
	return 0;
}

int x710_tx_context(struct sim_port *p, unsigned q, struct x710_txctx *c)
{
	uint8_t b[128];
	if (read_context(p, q, HMC_OBJ_TX, sizeof b, b) < 0)
		return -1;
	c->head = (uint32_t)field(b, 0, 13);
	c->new_context = (uint32_t)field(b, 30, 1);
	c->base = field(b, 32, 57) * 128;
	c->head_wb_ena = (uint32_t)field(b, 160, 1);
	c->qlen = (uint32_t)field(b, 161, 13);
	c->head_wb_addr = field(b, 192, 64);
	c->rdylist = (uint32_t)field(b, 980, 10);
	c->rdylist_act = (uint32_t)field(b, 990, 1);
	return 0;
}
