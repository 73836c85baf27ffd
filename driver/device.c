/* device.c -- device_open(): one place that turns a `pci=` value into an
 * open PCI function, real (VFIO) or modelled (hw-sim).  See device.h. */
#include "device.h"

#include <stdio.h>
#include <string.h>

#include "../hw-sim/sim.h"
#include "pci.h"
#include "vfio.h"

int device_open(const char *spec, struct device *d, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	d->numa_node = -1;
	if (!spec || !*spec) {
		snprintf(err, errlen, "no device given: expected a PCI address such as "
		         "0000:03:00.0 or a model port such as sim:0");
		return -1;
	}
	if (strncmp(spec, "sim:", 4) == 0) {
		if (sim_device_open(spec, d, err, errlen) < 0)
			return -1;
	} else if (strncmp(spec, "sim", 3) == 0) {
		snprintf(err, errlen, "'%s': a model port is written sim:N (e.g. sim:0, "
		         "sim:0/cable=1); see docs/hw-sim.md", spec);
		return -1;
	} else {
		char addr[PCI_ADDR_LEN];
		if (pci_addr_normalize(spec, addr, err, errlen) < 0) {
			size_t len = errlen ? strlen(err) : 0; /* pci.c's message, and the other choice */
			snprintf(err + len, errlen - len, "; or a model port such as sim:0");
			return -1;
		}
		if (vfio_device_open(addr, d, err, errlen) < 0)
			return -1;
	}
	if (!d->addr[0])
		snprintf(d->addr, sizeof(d->addr), "%s", spec);
	return 0;
}

void device_init_pci(struct device *d, const char *addr, volatile uint8_t *bar0,
                     uint64_t bar0_len, const struct device_ops *ops, void *priv)
{
	memset(d, 0, sizeof *d);
	snprintf(d->addr, sizeof d->addr, "%s", addr);
	pci_read_ids(addr, &d->vendor_id, &d->device_id);
	d->numa_node = pci_numa_node(addr);
	d->bar0.bar = bar0;
	d->bar0.size = bar0_len;
	d->ops = ops;
	d->priv = priv;
}

void device_close(struct device *d)
{
	if (d->ops && d->ops->close)
		d->ops->close(d);
	d->ops = NULL;
	d->priv = NULL;
}
