/* latency.c -- the far end of a generator: loss, reordering and a latency
 * histogram from the stamps in the frames (stamp.h).
 *
 *   input(s) -->+---------+
 *               | latency |   frees every frame, like sink
 *               +---------+
 *
 * Each frame's stamp gives its sequence number and the TSC at which the
 * generator made it; now - then is its latency (generator and latency
 * share a TSC: one machine, invariant TSC).  One generator's stream per
 * latency app (sequence numbers of two generators would collide).
 *
 *   seen      frames with a stamp
 *   expected  highest sequence number - lowest + 1
 *   lost      expected - seen (0 if duplicates made seen larger)
 *   reordered frames whose number is below one already seen
 *
 * The histogram has power-of-two buckets in microseconds: lat_lt_1us,
 * lat_lt_2us, ..., lat_lt_65536us, lat_ge_65536us.
 */
#include <stdlib.h>

#include "../core/app.h"
#include "../core/engine.h"
#include "rate.h"
#include "stamp.h"

#define LAT_BUCKETS 18   /* < 1 us, < 2 us, ... < 65536 us, >= 65536 us */

struct latency {
	double ns_per_tick;
	bool any;
	uint64_t lo, hi;     /* lowest and highest sequence number seen */
	uint64_t *packets, *bytes, *unstamped, *seen, *lost, *reordered;
	uint64_t *min_ns, *max_ns, *sum_ns;
	uint64_t *bucket[LAT_BUCKETS];
};

static int lat_new(struct app *app, const struct app_args *args)
{
	struct latency *l = calloc(1, sizeof *l);
	if (!l)
		return app_error(app, "out of memory");
	l->ns_per_tick = 1e9 / (double)rate_tsc_hz();
	l->packets = app_counter(app, "packets");
	l->bytes = app_counter(app, "bytes");
	l->unstamped = app_counter(app, "unstamped");
	l->seen = app_counter(app, "seen");
	l->lost = app_counter(app, "lost");
	l->reordered = app_counter(app, "reordered");
	l->min_ns = app_counter(app, "latency_min_ns");
	l->max_ns = app_counter(app, "latency_max_ns");
	l->sum_ns = app_counter(app, "latency_sum_ns");
	for (int i = 0; i < LAT_BUCKETS; i++) {
		char name[32];
		if (i < LAT_BUCKETS - 1)
			snprintf(name, sizeof name, "lat_lt_%uus", 1u << i);
		else
			snprintf(name, sizeof name, "lat_ge_%uus", 1u << (i - 1));
		l->bucket[i] = app_counter(app, name);
	}
	app->state = l;
	return 0;
}

static void lat_one(struct latency *l, struct packet *p, uint64_t now)
{
	const uint8_t *f = packet_data(p);
	int o = stamp_offset(f, p->length);
	if (o < 0) {
		(*l->unstamped)++;
		return;
	}
	uint64_t seq = stamp_get64(f + o), then = stamp_get64(f + o + 8);
	if (!l->any) {
		l->any = true;
		l->lo = l->hi = seq;
		*l->min_ns = UINT64_MAX;
	} else if (seq > l->hi) {
		l->hi = seq;
	} else {
		(*l->reordered)++;   /* below one already seen (or a duplicate) */
		if (seq < l->lo)
			l->lo = seq;
	}
	(*l->seen)++;
	uint64_t ns = now > then ? (uint64_t)((double)(now - then) * l->ns_per_tick) : 0;
	if (ns < *l->min_ns)
		*l->min_ns = ns;
	if (ns > *l->max_ns)
		*l->max_ns = ns;
	*l->sum_ns += ns;
	uint64_t us = ns / 1000;
	int b = us ? 64 - __builtin_clzll(us) : 0;   /* us in [2^(b-1), 2^b) */
	(*l->bucket[b < LAT_BUCKETS - 1 ? b : LAT_BUCKETS - 1])++;
}

static void lat_push(struct app *app)
{
	struct latency *l = app->state;
	struct packet *pk[LINK_MAX_BATCH];
	uint64_t now = rdtsc();
	for (int i = 0; i < app->nin; i++) {
		struct link *in = app->in[i].link;
		if (!in)
			continue;
		uint32_t n = link_receive_batch(in, pk, LINK_MAX_BATCH);
		uint64_t bytes = 0;
		for (uint32_t k = 0; k < n; k++) {
			lat_one(l, pk[k], now);
			bytes += pk[k]->length;
		}
		packet_free_batch(pk, n);
		*l->packets += n;
		*l->bytes += bytes;
	}
	if (l->any) {
		uint64_t expected = l->hi - l->lo + 1;
		*l->lost = expected > *l->seen ? expected - *l->seen : 0;
	}
}

static void lat_report(struct app *app, FILE *out)
{
	struct latency *l = app->state;
	if (!*l->seen) {
		fprintf(out, "  no stamped frames\n");
		return;
	}
	fprintf(out, "  latency min %.1f us, avg %.1f us, max %.1f us; lost %llu, reordered %llu\n",
	        *l->min_ns / 1e3, (double)*l->sum_ns / (double)*l->seen / 1e3, *l->max_ns / 1e3,
	        (unsigned long long)*l->lost, (unsigned long long)*l->reordered);
	for (int i = 0; i < LAT_BUCKETS; i++) {
		if (!*l->bucket[i])
			continue;
		double share = 100.0 * (double)*l->bucket[i] / (double)*l->seen;
		if (i < LAT_BUCKETS - 1)
			fprintf(out, "  %8u .. %-8u us %12llu  %5.1f%%\n", i ? 1u << (i - 1) : 0, 1u << i,
			        (unsigned long long)*l->bucket[i], share);
		else
			fprintf(out, "  %8u ..          us %12llu  %5.1f%%\n", 1u << (i - 1),
			        (unsigned long long)*l->bucket[i], share);
	}
}

static void lat_stop(struct app *app)
{
	free(app->state);
	app->state = NULL;
}

static const char *const lat_inputs[] = { "*", NULL };
static const char *const lat_outputs[] = { NULL };
static const struct app_param lat_params[] = { { NULL } };

static const struct app_class latency_class = {
	.name = "latency",
	.help = "a generator's far end: loss, reordering and a latency histogram",
	.doc =
		"Ports: any number of inputs, any names.  Frees every frame.\n"
		"Reads the generator's stamp (sequence number, TSC) after the UDP/TCP header,\n"
		"behind up to two VLAN tags.  Latency is the TSC now minus the stamp's, so\n"
		"the generator must run on the same machine.  One generator per latency app.\n"
		"Counters:\n"
		"  packets, bytes     frames received (all inputs)\n"
		"  unstamped          frames without a stamp (not UDP/TCP over IP, too short)\n"
		"  seen               frames with a stamp\n"
		"  lost               highest sequence number - lowest + 1 - seen\n"
		"  reordered          frames numbered below one seen before them\n"
		"  latency_min_ns, latency_max_ns, latency_sum_ns (average = sum / seen)\n"
		"  lat_lt_1us, lat_lt_2us, ... lat_lt_65536us, lat_ge_65536us\n"
		"                     histogram: frames with latency below each bound\n"
		"                     (and at or above the previous one)\n"
		"Example: link g.output -> nic.input   link nic.output -> lat.input\n",
	.inputs = lat_inputs,
	.outputs = lat_outputs,
	.params = lat_params,
	.new = lat_new,
	.push = lat_push,
	.report = lat_report,
	.stop = lat_stop,
};
KVICK_APP(latency_class);
