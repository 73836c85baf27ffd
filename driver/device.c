/* device.c -- device_open(): one place that turns a `pci=` value into an
 * open PCI function, real (VFIO) or modelled (hw-sim).  See device.h. */
#include "device.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "../hw-sim/sim.h"
#include "vfio.h"

/* "DDDD:BB:DD.F" (domain optional): bus and device in hex, device < 0x20,
 * function 0..7.  Writes the full form (with domain) to out. */
static int parse_pci_addr(const char *s, char *out, size_t outlen)
{
	unsigned dom = 0, bus, dev, fn;
	int n = 0;
	if (sscanf(s, "%4x:%2x:%2x.%1u%n", &dom, &bus, &dev, &fn, &n) == 4 && s[n] == 0 &&
	    n == 12) {
		/* full form */
	} else if (n = 0, sscanf(s, "%2x:%2x.%1u%n", &bus, &dev, &fn, &n) == 3 && s[n] == 0 &&
	           n == 7) {
		dom = 0;
	} else {
		return -1;
	}
	for (const char *p = s; *p; p++)
		if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
			return -1;
	if (dev >= 0x20 || fn > 7)
		return -1;
	snprintf(out, outlen, "%04x:%02x:%02x.%u", dom, bus, dev, fn);
	return 0;
}

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
		char addr[32];
		if (parse_pci_addr(spec, addr, sizeof(addr)) < 0) {
			snprintf(err, errlen, "'%s' is not a PCI address: expected DDDD:BB:DD.F such "
			         "as 0000:03:00.0 (see `kvick pci`), or a model port such as sim:0",
			         spec);
			return -1;
		}
		if (vfio_device_open(addr, d, err, errlen) < 0)
			return -1;
	}
	if (!d->addr[0])
		snprintf(d->addr, sizeof(d->addr), "%s", spec);
	return 0;
}

void device_close(struct device *d)
{
	if (d->ops && d->ops->close)
		d->ops->close(d);
	d->ops = NULL;
	d->priv = NULL;
}
