/* device.c -- device_open(): one place that turns a `pci=` value into an
 * open PCI function, by asking the device providers that registered
 * themselves (KVICK_DEVICE_PROVIDER, see device.h).  This file knows none
 * of them by name: a model port and a real device look the same from here.
 */
#include "device.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "pci.h"

/* The linker gathers every KVICK_DEVICE_PROVIDER pointer into the
 * "kvick_device_providers" section and defines these around it (as for
 * app classes, core/app.c).  Weak: a program with no provider links too. */
extern const struct device_provider *const __start_kvick_device_providers[]
	__attribute__((weak));
extern const struct device_provider *const __stop_kvick_device_providers[]
	__attribute__((weak));

const struct device_provider *const *device_providers(size_t *n)
{
	*n = __start_kvick_device_providers
	         ? (size_t)(__stop_kvick_device_providers - __start_kvick_device_providers)
	         : 0;
	return __start_kvick_device_providers;
}

/* "; or a model port such as sim:0" for every provider with an example. */
static void append_examples(char *err, size_t errlen)
{
	size_t n, len;
	const struct device_provider *const *p = device_providers(&n);
	for (size_t i = 0; i < n; i++) {
		if (!p[i]->example || !errlen)
			continue;
		len = strlen(err);
		snprintf(err + len, errlen - len, "; or %s", p[i]->example);
	}
}

/* The provider whose prefix begins spec (the longest such prefix), or NULL. */
static const struct device_provider *by_prefix(const char *spec)
{
	size_t n, best = 0;
	const struct device_provider *const *p = device_providers(&n), *found = NULL;
	for (size_t i = 0; i < n; i++) {
		const char *pre = p[i]->prefix;
		size_t len = pre ? strlen(pre) : 0;
		if (len > best && strncmp(spec, pre, len) == 0) {
			best = len;
			found = p[i];
		}
	}
	return found;
}

/* "word:..." where word is not hex digits: meant as a provider prefix
 * (a PCI address starts with a hex domain or bus). */
static bool looks_like_prefix(const char *spec)
{
	const char *colon = strchr(spec, ':');
	if (!colon || colon == spec)
		return false;
	for (const char *c = spec; c < colon; c++)
		if (!isxdigit((unsigned char)*c))
			return isalpha((unsigned char)spec[0]) != 0;
	return false;
}

int device_open_pci(const char *spec, struct device *d, char *err, size_t errlen)
{
	char addr[PCI_ADDR_LEN];
	memset(d, 0, sizeof(*d));
	d->numa_node = -1;
	if (pci_addr_normalize(spec, addr, err, errlen) < 0)
		return -1;
	size_t n;
	const struct device_provider *const *p = device_providers(&n);
	const struct device_provider *tried[16];
	size_t nt = 0;
	for (size_t i = 0; i < n && nt < 16; i++)
		if (!p[i]->prefix)
			tried[nt++] = p[i];
	for (size_t i = 1; i < nt; i++)   /* a handful: insertion sort by order */
		for (size_t j = i; j > 0 && tried[j]->order < tried[j - 1]->order; j--) {
			const struct device_provider *t = tried[j];
			tried[j] = tried[j - 1];
			tried[j - 1] = t;
		}
	if (nt == 0) {
		snprintf(err, errlen, "%s: this build has no provider for PCI devices (VFIO)", addr);
		return -1;
	}
	for (size_t i = 0; i < nt; i++) {
		int rc = tried[i]->open(addr, d, err, errlen);
		if (rc != DEVICE_PASS)
			return rc < 0 ? -1 : 0;
	}
	return -1;   /* every provider passed; the last one's reason is in err */
}

int device_check(const char *spec, char *err, size_t errlen)
{
	if (!spec || !*spec) {
		snprintf(err, errlen, "no device given: expected a PCI address such as 0000:03:00.0");
		append_examples(err, errlen);
		return -1;
	}
	const struct device_provider *p = by_prefix(spec);
	if (p)
		return p->check ? p->check(spec, err, errlen) : 0;
	if (looks_like_prefix(spec)) {
		snprintf(err, errlen, "'%s': no device provider takes '%.*s:' in this build; expected "
		         "a PCI address such as 0000:03:00.0", spec, (int)(strchr(spec, ':') - spec),
		         spec);
		append_examples(err, errlen);
		return -1;
	}
	char addr[PCI_ADDR_LEN];
	if (pci_addr_normalize(spec, addr, err, errlen) < 0) {
		append_examples(err, errlen);   /* not an address: name the other choices */
		return -1;
	}
	return 0;
}

int device_open(const char *spec, struct device *d, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	d->numa_node = -1;
	if (device_check(spec, err, errlen) < 0)
		return -1;
	int rc;
	const struct device_provider *p = by_prefix(spec);
	if (p) {
		rc = p->open(spec, d, err, errlen);
		if (rc == DEVICE_PASS)
			rc = -1;
	} else {
		rc = device_open_pci(spec, d, err, errlen);
	}
	if (rc < 0)
		return -1;
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
