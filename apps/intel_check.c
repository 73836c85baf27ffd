/* intel_check.c -- what the intel app can refuse without a device: the
 * form of pci=, and the ranges every supported NIC shares (82599 and
 * igb alike take 1..16 queues, rings that are
 * powers of two from 64 to 4096, an MTU of 68..9000).  What depends on
 * the device (how many queues it really has, whether it exists) is found
 * when new() opens it. */
#include "intel_check.h"

#include <string.h>

#include "../core/app.h"
#include "../driver/device.h"
#include "../driver/nic.h"

#define INTEL_MIN_RING 64
#define INTEL_MAX_RING 4096
#define INTEL_MIN_MTU  68
#define INTEL_MAX_MTU  9000

/* The form of pci=, as the device providers see it (driver/device.h): a
 * PCI address, or a provider's prefix such as sim:. */
static int check_pci(struct app_check *c, const char *pci)
{
	char err[512];
	if (device_check(pci, err, sizeof(err)) < 0)
		return app_check_error(c, "pci", "%s", err);
	return 0;
}

static int check_range(struct app_check *c, const struct app_args *args, const char *name,
                       int64_t lo, int64_t hi, bool power_of_two)
{
	int64_t v = app_arg_int(args, name);
	if (v < lo || v > hi || (power_of_two && (v & (v - 1))))
		return app_check_error(c, name, "%s=%lld: must be %s%lld..%lld", name, (long long)v,
		                       power_of_two ? "a power of two, " : "", (long long)lo,
		                       (long long)hi);
	return 0;
}

int intel_check(struct app_check *c, const struct app_args *args)
{
	if (check_pci(c, app_arg_str(args, "pci")) < 0 ||
	    check_range(c, args, "rxq", 1, NIC_MAX_QUEUES, false) < 0 ||
	    check_range(c, args, "txq", 1, NIC_MAX_QUEUES, false) < 0 ||
	    check_range(c, args, "rxring", INTEL_MIN_RING, INTEL_MAX_RING, true) < 0 ||
	    check_range(c, args, "txring", INTEL_MIN_RING, INTEL_MAX_RING, true) < 0 ||
	    check_range(c, args, "mtu", INTEL_MIN_MTU, INTEL_MAX_MTU, false) < 0 ||
	    check_range(c, args, "wait_link", 0, 3600000, false) < 0)
		return -1;
	if (app_arg_isset(args, "queue")) {
		int64_t q = app_arg_int(args, "queue"), rxq = app_arg_int(args, "rxq");
		int64_t txq = app_arg_int(args, "txq"), n = rxq > txq ? rxq : txq;
		if (q < 0 || q >= n)
			return app_check_error(c, "queue", "queue=%lld: the port is set up with %lld RX "
			                       "and %lld TX queues (rxq=, txq=): queue is 0..%lld",
			                       (long long)q, (long long)rxq, (long long)txq,
			                       (long long)n - 1);
	}
	return 0;
}
