/* ixgbe_regs.c -- the register table of ixgbe_regs.h turned into an index.
 *
 * sim_reg_desc[] holds one row per logical register (name, primary address
 * range, mode, reset value, datasheet section).  The index maps every
 * 32-bit word of the 128 KiB BAR to (register, instance, storage word), so
 * a register access costs one array load.  Aliases point at the storage of
 * their primary address: writing SRRCTL(3) at 0x0210C and reading it at
 * 0x010D4 gives the same value, as on the device.
 */
#include <pthread.h>
#include <stddef.h>

#include "ixgbe_regs.h"

#define SIM_REG_DESC(name, off, stride, count, mode, reset, sect) \
	[REG_##name] = { #name, off, stride, count, mode, reset, "§" sect },
const struct sim_reg_desc sim_reg_desc[REG__COUNT] = {
	SIM_IXGBE_REGS(SIM_REG_DESC, SIM_REG_SKIP, SIM_REG_SKIP)
};

/* Every address range, primary, bank or alias. */
enum { RANGE_PRIMARY, RANGE_BANK, RANGE_ALIAS };
struct reg_range {
	uint16_t id;
	uint8_t  kind;
	uint32_t offset, stride;
	uint16_t count, first;
};

#define SIM_RANGE_R(name, off, stride, count, mode, reset, sect) \
	{ REG_##name, RANGE_PRIMARY, off, stride, count, 0 },
#define SIM_RANGE_B(name, off, stride, count, first) \
	{ REG_##name, RANGE_BANK, off, stride, count, first },
#define SIM_RANGE_A(name, off, stride, count, first) \
	{ REG_##name, RANGE_ALIAS, off, stride, count, first },
static const struct reg_range ranges[] = {
	SIM_IXGBE_REGS(SIM_RANGE_R, SIM_RANGE_B, SIM_RANGE_A)
};
#define NRANGES (sizeof(ranges) / sizeof(ranges[0]))

/* Index entry: id in bits 31:24... kept as a struct for clarity. */
static struct sim_reg_loc index_[SIM_REG_WORDS];
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

/* Storage word of (id, inst): the primary or bank range holding inst. */
static uint32_t storage_word(uint16_t id, unsigned inst)
{
	for (size_t i = 0; i < NRANGES; i++) {
		const struct reg_range *r = &ranges[i];
		if (r->id != id || r->kind == RANGE_ALIAS)
			continue;
		if (inst >= r->first && inst < (unsigned)r->first + r->count)
			return (r->offset + (inst - r->first) * r->stride) / 4;
	}
	return UINT32_MAX;
}

static void build_index(void)
{
	for (size_t w = 0; w < SIM_REG_WORDS; w++)
		index_[w].id = REG__COUNT;
	for (size_t i = 0; i < NRANGES; i++) {
		const struct reg_range *r = &ranges[i];
		for (unsigned k = 0; k < r->count; k++) {
			unsigned inst = r->first + k;
			uint32_t word = (r->offset + k * r->stride) / 4;
			index_[word].id = r->id;
			index_[word].inst = (uint16_t)inst;
			index_[word].word = storage_word(r->id, inst);
		}
	}
}

void sim_regs_init(void)
{
	pthread_once(&index_once, build_index);
}

void sim_regs_lookup(uint32_t offset, struct sim_reg_loc *loc)
{
	if ((offset & 3) || offset >= SIM_REG_WORDS * 4) {
		loc->id = REG__COUNT;
		loc->inst = 0;
		loc->word = 0;
		return;
	}
	*loc = index_[offset / 4];
}

uint32_t sim_reg_word(enum sim_reg_id id, unsigned inst)
{
	/* The model thread asks for queue and filter registers per frame and
	 * per batch: instances of the primary range (0..count-1, always the
	 * first range of a register) are computed directly; only a further
	 * bank (queues 64..127, EITR 24..127) searches the range list. */
	const struct sim_reg_desc *d = &sim_reg_desc[id];
	if (inst < d->count)
		return (d->offset + inst * d->stride) / 4;
	return storage_word((uint16_t)id, inst);
}
