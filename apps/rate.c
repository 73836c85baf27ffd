/* rate.c -- rate and size parsing, TSC calibration, token buckets (rate.h). */
#include "rate.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/engine.h"

static const char rate_forms[] = "write a number and a unit: 1Mpps, 500kpps, 5Gbps, 100Mbps";

/* NUMBER and an optional decimal prefix; *unit points after the number
 * (at the prefix, for messages), *end after the prefix. */
static int parse_scaled(const char *text, double *v, const char **unit, const char **end)
{
	char *e;
	if (!isdigit((unsigned char)text[0]))
		return -1;
	double x = strtod(text, &e);
	if (e == text)
		return -1;
	*unit = e;
	switch (*e) {
	case 'k': case 'K': x *= 1e3; e++; break;
	case 'M': x *= 1e6; e++; break;
	case 'G': x *= 1e9; e++; break;
	default: break;
	}
	*v = x;
	*end = e;
	return 0;
}

int rate_parse(const char *text, struct rate *out, char *err, size_t errlen)
{
	double v;
	const char *prefix, *unit;
	if (!text || parse_scaled(text, &v, &prefix, &unit) < 0) {
		snprintf(err, errlen, "rate \"%s\": no number at the start (%s)", text ? text : "",
		         rate_forms);
		return -1;
	}
	if (strcmp(unit, "pps") == 0)
		out->unit = RATE_PPS;
	else if (strcmp(unit, "bps") == 0)
		out->unit = RATE_BPS;
	else {
		snprintf(err, errlen, "rate \"%s\": unknown unit \"%s\" (%s)", text, prefix, rate_forms);
		return -1;
	}
	if (!(v > 0) || v > 1e12) {
		snprintf(err, errlen, "rate \"%s\": must be more than 0 and at most 1Tbps", text);
		return -1;
	}
	out->per_sec = v;
	return 0;
}

int rate_parse_burst(const char *text, enum rate_unit unit, double *out, char *err,
                     size_t errlen)
{
	double v;
	const char *prefix, *u;
	if (!text || parse_scaled(text, &v, &prefix, &u) < 0 || !(v > 0)) {
		snprintf(err, errlen, "burst \"%s\": expected a size more than 0: 64, 32p, 1500B, 64kB",
		         text ? text : "");
		return -1;
	}
	if (*u == 0)
		*out = unit == RATE_PPS ? v : v * 8;
	else if (strcmp(u, "p") == 0 && unit == RATE_PPS)
		*out = v;
	else if (strcmp(u, "B") == 0 && unit == RATE_BPS)
		*out = v * 8;
	else {
		snprintf(err, errlen, "burst \"%s\": unit \"%s\" does not go with a %s rate (use %s)",
		         text, u, unit == RATE_PPS ? "pps" : "bps",
		         unit == RATE_PPS ? "packets: 64 or 64p" : "bytes: 1500 or 64kB");
		return -1;
	}
	return 0;
}

void rate_format(const struct rate *r, char *buf, size_t len)
{
	static const char *const prefix[] = { "", "k", "M", "G", "T" };
	double v = r->per_sec;
	int i = 0;
	while (v >= 1000 && i < 4) {
		v /= 1000;
		i++;
	}
	snprintf(buf, len, "%.2f %s%s", v, prefix[i], r->unit == RATE_PPS ? "pps" : "bps");
}

uint64_t rate_tsc_hz(void)
{
	static uint64_t hz;
	if (hz)
		return hz;
	/* TSC ticks across ~20 ms of CLOCK_MONOTONIC; reading both clocks
	 * back to back at each end keeps the error to a few hundred ns. */
	uint64_t n0 = now_ns(), c0 = rdtsc();
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	uint64_t n1 = now_ns(), c1 = rdtsc();
	hz = (uint64_t)((double)(c1 - c0) * 1e9 / (double)(n1 - n0));
	return hz;
}

void token_bucket_init(struct token_bucket *b, const struct rate *r, double burst)
{
	b->burst = burst;
	b->tokens = burst;
	b->per_tick = r->per_sec / (double)rate_tsc_hz();
	b->last = rdtsc();
}

void token_bucket_refill(struct token_bucket *b, uint64_t tsc_now)
{
	b->tokens += (double)(tsc_now - b->last) * b->per_tick;
	if (b->tokens > b->burst)
		b->tokens = b->burst;
	b->last = tsc_now;
}
