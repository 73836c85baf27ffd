/* rate.h -- rates with units ("1Mpps", "5Gbps") and the TSC clock that
 * paces them, shared by rate_limiter and generator.
 *
 * Grammar: NUMBER [k|K|M|G] (pps|bps).  NUMBER is decimal, may have a
 * fraction ("1.5Mpps"); the prefix is decimal (k = 1e3, M = 1e6, G = 1e9),
 * as in network rates.  Bits are counted on the frame as kvick holds it:
 * Ethernet header to the end of the payload, no preamble, FCS or gap.
 *
 * Sizes (a bucket's burst) are NUMBER [k|M|G] with an optional unit: "B"
 * for bytes or "p" for packets; plain numbers mean the unit of the rate
 * they go with (packets for a pps rate, bytes for a bps rate).
 */
#ifndef KVICK_APPS_RATE_H
#define KVICK_APPS_RATE_H

#include <stddef.h>
#include <stdint.h>

enum rate_unit { RATE_PPS, RATE_BPS };

struct rate {
	double per_sec;        /* packets or bits per second, > 0 */
	enum rate_unit unit;
};

/* Parse text into *out.  0, or -1 with a message in err naming the bad
 * text and showing the accepted forms. */
int rate_parse(const char *text, struct rate *out, char *err, size_t errlen);

/* Parse a burst size for a rate of unit `unit` into packets (RATE_PPS) or
 * bits (RATE_BPS).  0, or -1 with a message in err. */
int rate_parse_burst(const char *text, enum rate_unit unit, double *out, char *err,
                     size_t errlen);

/* "1.00 Mpps", "5.00 Gbps": for reports. */
void rate_format(const struct rate *r, char *buf, size_t len);

/* TSC ticks per second, measured once per process against CLOCK_MONOTONIC
 * (about 20 ms, the first time).  The TSC is invariant on every x86 CPU
 * kvick targets (constant_tsc, nonstop_tsc), so ticks are time. */
uint64_t rate_tsc_hz(void);

/* ---- token bucket ----
 * Tokens are packets or bits.  The bucket starts full; refilling reads the
 * TSC once and adds elapsed ticks x rate, up to `burst`. */
struct token_bucket {
	double tokens, burst;
	double per_tick;       /* tokens added per TSC tick */
	uint64_t last;         /* TSC at the last refill */
};

void token_bucket_init(struct token_bucket *b, const struct rate *r, double burst);
void token_bucket_refill(struct token_bucket *b, uint64_t tsc_now);

#endif
