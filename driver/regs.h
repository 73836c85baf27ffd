/* regs.h -- how drivers touch device registers.
 *
 * Drivers never dereference a raw pointer into a BAR.  They call
 * reg_read()/reg_write() on a struct regs, which has two backends:
 *   - real hardware: `bar` points at BAR0 mapped through VFIO (or sysfs
 *     resource0); an access is one volatile 32-bit load or store;
 *   - the device models in hw-sim/: `bar` is NULL and the access calls the
 *     model's read/write handler for that offset, the way QEMU models a
 *     device (a read and a write callback for the register block).
 * The hot path touches only a tail register once per batch, so the branch
 * costs nothing measurable.
 *
 * Every call site names the datasheet section of the register it touches.
 */
#ifndef KVICK_REGS_H
#define KVICK_REGS_H

#include <stdint.h>

struct reg_ops {
	uint32_t (*read32)(void *ctx, uint32_t offset);
	void     (*write32)(void *ctx, uint32_t offset, uint32_t value);
};

struct regs {
	volatile uint8_t *bar;     /* mapped BAR0, or NULL for a model */
	uint64_t size;             /* BAR length in bytes */
	const struct reg_ops *ops; /* model backend (bar == NULL) */
	void *ctx;
};

static inline uint32_t reg_read(const struct regs *r, uint32_t offset)
{
	if (__builtin_expect(r->bar != 0, 1))
		return *(volatile uint32_t *)(r->bar + offset);
	return r->ops->read32(r->ctx, offset);
}

static inline void reg_write(const struct regs *r, uint32_t offset, uint32_t value)
{
	if (__builtin_expect(r->bar != 0, 1))
		*(volatile uint32_t *)(r->bar + offset) = value;
	else
		r->ops->write32(r->ctx, offset, value);
}

static inline void reg_set(const struct regs *r, uint32_t offset, uint32_t bits)
{
	reg_write(r, offset, reg_read(r, offset) | bits);
}

static inline void reg_clear(const struct regs *r, uint32_t offset, uint32_t bits)
{
	reg_write(r, offset, reg_read(r, offset) & ~bits);
}

#endif
