/* device.h -- a PCI function opened for a driver, real or modelled.
 *
 * device_open() takes the `pci=` value of a topology and hands it to the
 * device provider that takes it.  Providers register themselves with
 * KVICK_DEVICE_PROVIDER(), the way app classes do with KVICK_APP(), so
 * this layer names none of them:
 *   a PCI address   "0000:03:00.0": the providers without a prefix, in
 *                   their order -- VFIO (driver/vfio.c), then, when the
 *                   machine has no IOMMU, sysfs resource0 + physical
 *                   addresses (driver/noiommu.c; root only, loudly);
 *   a prefix        "sim:N[/OPTS]": the hw-sim device models
 *                   (hw-sim/provider.c; docs/hw-sim.md has the options).
 * Either way the caller gets BAR0 behind struct regs, the PCI IDs, and the
 * process's IOMMU domain installed in core/memory.h, so every DMA buffer
 * already has an IOVA the device can use.  A driver cannot tell a model
 * from hardware.
 */
#ifndef KVICK_DEVICE_H
#define KVICK_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "regs.h"

struct device;

struct device_ops {
	int  (*reset)(struct device *d);   /* function-level reset; 0 or -errno */
	void (*close)(struct device *d);   /* reset, unmap, release */
};

struct device {
	char addr[64];            /* as given: "0000:03:00.0" or "sim:0" */
	uint16_t vendor_id, device_id;
	int numa_node;            /* -1 unknown */
	struct regs bar0;
	const struct device_ops *ops;
	void *priv;               /* backend state */
	int is_model;
};

/* 0 on success; -1 with a message in err (what is wrong and what to do). */
int device_open(const char *spec, struct device *d, char *err, size_t errlen);

/* Is spec well formed for some provider (a PCI address, a known prefix
 * and what that provider checks without opening anything)?  0, or -1 with
 * the message device_open() would give.  For a topology's check pass. */
int device_check(const char *spec, char *err, size_t errlen);

/* A PCI address ("0000:03:00.0", or "03:00.0") through the providers of
 * PCI addresses only, in their order.  0, or -1 with err set. */
int device_open_pci(const char *addr, struct device *d, char *err, size_t errlen);

/* ---- device providers ---- */

#define DEVICE_PASS 1   /* a provider's open(): "not mine", let the next one try */

struct device_provider {
	const char *name;      /* "vfio", "noiommu", "sim": for messages */
	/* The specs it takes: those starting with prefix ("sim" takes "sim:0",
	 * and "sim0" to say how it is written).  NULL: PCI addresses, already
	 * normalized ("0000:03:00.0") when open() sees them. */
	const char *prefix;
	int order;             /* providers of PCI addresses try in this order, lowest first */
	const char *example;   /* for messages: "a model port such as sim:0" (NULL: none) */
	/* 0: open; -1: refused, why in err; DEVICE_PASS: not for this
	 * provider (why in err, kept if no later provider takes it). */
	int (*open)(const char *spec, struct device *d, char *err, size_t errlen);
	/* Optional: the spec's form, without opening anything (device_check);
	 * 0, or -1 with err set.  Called before open() too. */
	int (*check)(const char *spec, char *err, size_t errlen);
};

/* Registration: one line in the provider's own file. */
#define KVICK_DEVICE_PROVIDER(p)                                               \
	static const struct device_provider *const kvick_devprov_ptr_##p           \
		__attribute__((used, section("kvick_device_providers"),               \
		               aligned(sizeof(void *)))) = &p

/* Every registered provider, in registration (link) order; count in *n. */
const struct device_provider *const *device_providers(size_t *n);
void device_close(struct device *d);

/* For the real-device backends (vfio.c, noiommu.c): describe the PCI
 * function at addr, BAR0 mapped at bar0 (bar0_len bytes), with its IDs and
 * NUMA node read from sysfs. */
void device_init_pci(struct device *d, const char *addr, volatile uint8_t *bar0,
                     uint64_t bar0_len, const struct device_ops *ops, void *priv);

#endif
