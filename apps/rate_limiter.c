/* rate_limiter.c -- a token-bucket policer: frames within the rate pass,
 * the rest are dropped and counted.
 *
 *            +--------------+
 *   input -->| rate_limiter |--> output
 *            +--------------+
 *
 * The bucket holds up to `burst` tokens (packets for a pps rate, bits for a
 * bps rate) and fills at `rate` tokens per second, from the TSC (rate.h).
 * A frame passes when the bucket holds its cost (1 packet, or its length x
 * 8 bits) and the cost is taken out; otherwise it is freed and counted.
 * Nothing is queued, so the limiter adds no delay and holds no packets:
 * received = forwarded + dropped, always.  Over any interval T the
 * frames passed are at most burst + rate x T, so over a run much longer
 * than burst/rate the rate is the setting.
 */
#include <stdlib.h>

#include "../core/app.h"
#include "../core/engine.h"
#include "rate.h"

/* Default burst: 1 ms of the rate, at least one largest frame. */
#define RL_DEFAULT_BURST_S 0.001

struct rate_limiter {
	struct link *in, *out;
	struct rate rate;
	struct token_bucket bucket;
	uint64_t *received, *forwarded, *dropped;
};

static double default_burst(const struct rate *r)
{
	double b = r->per_sec * RL_DEFAULT_BURST_S;
	double least = r->unit == RATE_PPS ? 1 : PACKET_MAX_FRAME * 8.0;
	return b < least ? least : b;
}

static int rl_check(struct app_check *c, const struct app_args *args)
{
	char err[200];
	struct rate r;
	double burst;
	if (rate_parse(app_arg_str(args, "rate"), &r, err, sizeof err) < 0)
		return app_check_error(c, "rate", "rate=: %s", err);
	if (app_arg_isset(args, "burst") &&
	    rate_parse_burst(app_arg_str(args, "burst"), r.unit, &burst, err, sizeof err) < 0)
		return app_check_error(c, "burst", "burst=: %s", err);
	if (!app_check_linked(c, "input", false) || !app_check_linked(c, "output", true))
		return app_check_error(c, NULL, "link both input and output");
	return 0;
}

/* Values and ports are as rl_check() accepted them. */
static int rl_new(struct app *a, const struct app_args *args)
{
	char err[200];
	struct rate r;
	rate_parse(app_arg_str(args, "rate"), &r, err, sizeof err);
	double burst = default_burst(&r);
	if (app_arg_isset(args, "burst"))
		rate_parse_burst(app_arg_str(args, "burst"), r.unit, &burst, err, sizeof err);
	struct link *in = app_input(a, "input"), *out = app_output(a, "output");
	struct rate_limiter *rl = calloc(1, sizeof *rl);
	if (!rl)
		return app_error(a, "out of memory");
	rl->in = in;
	rl->out = out;
	rl->rate = r;
	token_bucket_init(&rl->bucket, &r, burst);
	rl->received = app_counter(a, "received");
	rl->forwarded = app_counter(a, "forwarded");
	rl->dropped = app_counter(a, "dropped");
	a->state = rl;
	return 0;
}

static void rl_push(struct app *a)
{
	struct rate_limiter *rl = a->state;
	struct packet *pk[LINK_MAX_BATCH], *pass[LINK_MAX_BATCH], *drop[LINK_MAX_BATCH];
	uint32_t n = link_receive_batch(rl->in, pk, LINK_MAX_BATCH), np = 0, nd = 0;
	if (n == 0)
		return;
	struct token_bucket *b = &rl->bucket;
	token_bucket_refill(b, rdtsc());
	bool per_packet = rl->rate.unit == RATE_PPS;
	for (uint32_t i = 0; i < n; i++) {
		double cost = per_packet ? 1.0 : pk[i]->length * 8.0;
		if (b->tokens >= cost) {
			b->tokens -= cost;
			pass[np++] = pk[i];
		} else {
			drop[nd++] = pk[i];
		}
	}
	*rl->received += n;
	*rl->forwarded += np;
	*rl->dropped += nd;
	link_transmit_batch(rl->out, pass, np);
	packet_free_batch(drop, nd);
}

static void rl_report(struct app *a, FILE *out)
{
	struct rate_limiter *rl = a->state;
	char r[32];
	rate_format(&rl->rate, r, sizeof r);
	fprintf(out, "  rate %s, burst %.0f %s\n", r, rl->bucket.burst,
	        rl->rate.unit == RATE_PPS ? "packets" : "bits");
}

static void rl_stop(struct app *a)
{
	free(a->state);   /* holds no packets between breaths */
	a->state = NULL;
}

static const char *const rl_inputs[] = { "input", NULL };
static const char *const rl_outputs[] = { "output", NULL };
static const struct app_param rl_params[] = {
	{ "rate", PARAM_STRING, NULL, true,
	  "packets or bits per second with a unit: 1Mpps, 500kpps, 5Gbps, 100Mbps" },
	{ "burst", PARAM_STRING, NULL, false,
	  "bucket size: packets (64, 64p) for a pps rate, bytes (1500, 64kB) for a bps rate; "
	  "default 1 ms of the rate, at least one 9216-byte frame" },
	{ NULL },
};

static const struct app_class rate_limiter_class = {
	.name = "rate_limiter",
	.help = "token-bucket policer: passes frames within rate=, drops and counts the rest",
	.doc =
		"Ports: input, output (both must be connected).\n"
		"The bucket starts full (burst tokens) and refills from the TSC at rate= tokens\n"
		"per second; a frame costs 1 token (pps) or its length x 8 (bps: the frame\n"
		"without FCS, preamble or gap).  A frame that finds too few tokens is freed.\n"
		"Nothing is queued: received = forwarded + dropped.\n"
		"Counters:\n"
		"  received    frames taken from input\n"
		"  forwarded   frames within the rate, sent to output\n"
		"  dropped     frames over the rate, freed\n"
		"Example: app shaper rate_limiter rate=100Mbps burst=64kB\n",
	.inputs = rl_inputs,
	.outputs = rl_outputs,
	.params = rl_params,
	.check = rl_check,
	.new = rl_new,
	.push = rl_push,
	.report = rl_report,
	.stop = rl_stop,
};
KVICK_APP(rate_limiter_class);
