/* provider.c -- the hw-sim models as a device provider (driver/device.h):
 * device_open() hands every `pci=` value starting with "sim" here, without
 * knowing the models exist. */
#include <stdio.h>
#include <string.h>

#include "driver/device.h"
#include "sim.h"

/* "sim0" and the like: say how a model port is written.  The rest of the
 * spec (port number, options) is read when the port opens. */
static int sim_provider_check(const char *spec, char *err, size_t errlen)
{
	if (strncmp(spec, "sim:", 4) != 0) {
		snprintf(err, errlen, "'%s': a model port is written sim:N (e.g. sim:0, "
		         "sim:0/cable=1); see docs/hw-sim.md", spec);
		return -1;
	}
	return 0;
}

static int sim_provider_open(const char *spec, struct device *d, char *err, size_t errlen)
{
	if (sim_provider_check(spec, err, errlen) < 0)
		return -1;
	return sim_device_open(spec, d, err, errlen);
}

static const struct device_provider sim_provider = {
	.name = "sim",
	.prefix = "sim",
	.example = "a model port such as sim:0",
	.open = sim_provider_open,
	.check = sim_provider_check,
};
KVICK_DEVICE_PROVIDER(sim_provider);
