/* bridge.c -- a learning Ethernet bridge (IEEE 802.1D forwarding, no STP).
 *
 *               +--------+
 *   port0  ---->|        |----> port0
 *   port1  ---->| bridge |----> port1
 *   ...    ---->|        |----> ...
 *               +--------+
 *
 * A bridge port is a name used both as an input and as an output
 * (`link nic0.output -> br.port0`, `link br.port0 -> nic0.input`).  For each
 * frame received on a port:
 *   - learn: the source MAC (if unicast) is now reachable through that port;
 *   - forward: a unicast destination learned on another port goes there
 *     only; one learned on the same port is filtered (the frame is already
 *     on the right segment); a broadcast, multicast or unknown destination
 *     is flooded to every other port (copies for all but the last).
 * A learned address is forgotten `timeout` seconds after it was last seen
 * as a source, so a host that moves is found again by flooding.
 *
 * Every frame is accounted for: forwarded, flooded, or counted as dropped
 * with a reason (filtered, runts, no_ports); a copy a flood could not make
 * (freelist exhausted) is counted in clone_failures.
 *
 * The MAC table is open addressing with linear probing over a power-of-two
 * array; expired entries are reused in place.  When every slot holds a live
 * address, new ones are not learned (table_full counts them) and their
 * frames are flooded -- still delivered, just not efficiently.
 */
#include <stdlib.h>
#include <string.h>

#include "../core/app.h"
#include "../core/engine.h"

struct mac_entry {
	uint64_t mac;          /* key_of(address); 0 = empty slot */
	uint64_t seen_ns;      /* when it was last seen as a source */
	uint16_t port;         /* bridge port index */
};

struct bridge_port {
	const char *name;
	struct link *in, *out; /* either may be NULL (receive- or send-only) */
};

struct bridge {
	struct bridge_port port[APP_MAX_PORTS];
	int nports;
	struct mac_entry *table;
	uint32_t mask;         /* table size - 1 */
	uint64_t timeout_ns;
	uint64_t *forwarded, *flooded, *filtered, *runts, *learned, *table_full,
	         *clone_failures, *no_ports;
};

/* The table key of a 6-byte address: the address in the low 48 bits, and
 * bit 63 set so that no key is 0, the empty-slot mark (00:00:00:00:00:00
 * is a legal source). */
static uint64_t key_of(const uint8_t *p)
{
	return 1ull << 63 | (uint64_t)p[0] << 40 | (uint64_t)p[1] << 32 | (uint64_t)p[2] << 24 |
	       (uint64_t)p[3] << 16 | (uint64_t)p[4] << 8 | p[5];
}

static uint32_t mac_hash(uint64_t mac)
{
	mac *= 0x9E3779B97F4A7C15ull;   /* Fibonacci hashing spreads the low bits */
	return (uint32_t)(mac >> 32);
}

static bool expired(const struct bridge *b, const struct mac_entry *e, uint64_t now)
{
	return now - e->seen_ns > b->timeout_ns;
}

/* The live entry for mac, or NULL. */
static struct mac_entry *lookup(struct bridge *b, uint64_t mac, uint64_t now)
{
	for (uint32_t i = mac_hash(mac), n = 0; n <= b->mask; i++, n++) {
		struct mac_entry *e = &b->table[i & b->mask];
		if (e->mac == 0)
			return NULL;
		if (e->mac == mac)
			return expired(b, e, now) ? NULL : e;
	}
	return NULL;
}

static void learn(struct bridge *b, uint64_t mac, uint16_t port, uint64_t now)
{
	struct mac_entry *reuse = NULL;
	for (uint32_t i = mac_hash(mac), n = 0; n <= b->mask; i++, n++) {
		struct mac_entry *e = &b->table[i & b->mask];
		if (e->mac == mac) {               /* known: refresh, maybe moved */
			e->port = port;
			e->seen_ns = now;
			return;
		}
		if (!reuse && (e->mac == 0 || expired(b, e, now)))
			reuse = e;
		if (e->mac == 0)
			break;                         /* mac is not further along the chain */
	}
	if (!reuse) {
		(*b->table_full)++;
		return;
	}
	reuse->mac = mac;
	reuse->port = port;
	reuse->seen_ns = now;
	(*b->learned)++;
}

/* Send p to every port with an output except `from`. */
static void flood(struct bridge *b, struct packet *p, int from)
{
	int last = -1;
	for (int i = 0; i < b->nports; i++)
		if (i != from && b->port[i].out)
			last = i;
	if (last < 0) {
		(*b->no_ports)++;
		packet_free(p);
		return;
	}
	for (int i = 0; i < last; i++) {
		if (i == from || !b->port[i].out)
			continue;
		struct packet *c = packet_clone(p);
		if (c)
			link_transmit(b->port[i].out, c);
		else
			(*b->clone_failures)++;
	}
	link_transmit(b->port[last].out, p);
	(*b->flooded)++;
}

static void bridge_push(struct app *a)
{
	struct bridge *b = a->state;
	uint64_t now = now_ns();
	struct packet *pk[LINK_MAX_BATCH];
	for (int from = 0; from < b->nports; from++) {
		struct link *in = b->port[from].in;
		if (!in)
			continue;
		uint32_t n = link_receive_batch(in, pk, LINK_MAX_BATCH);
		for (uint32_t k = 0; k < n; k++) {
			struct packet *p = pk[k];
			const uint8_t *eth = packet_data(p);
			if (p->length < 14) {          /* not even an Ethernet header */
				(*b->runts)++;
				packet_free(p);
				continue;
			}
			if (!(eth[6] & 1))             /* a group address never is a source */
				learn(b, key_of(eth + 6), (uint16_t)from, now);
			struct mac_entry *dst = (eth[0] & 1) ? NULL : lookup(b, key_of(eth), now);
			if (!dst || !b->port[dst->port].out) {
				flood(b, p, from);
			} else if (dst->port == from) {
				(*b->filtered)++;          /* already on the right segment */
				packet_free(p);
			} else {
				link_transmit(b->port[dst->port].out, p);
				(*b->forwarded)++;
			}
		}
	}
}

static int port_index(struct bridge *b, const char *name)
{
	for (int i = 0; i < b->nports; i++)
		if (strcmp(b->port[i].name, name) == 0)
			return i;
	b->port[b->nports].name = name;
	return b->nports++;
}

static int bridge_check(struct app_check *c, const struct app_args *args)
{
	int64_t size = app_arg_int(args, "mac_table_size");
	double timeout = app_arg_float(args, "timeout");
	if (size < 16 || size > (1 << 24) || (size & (size - 1)))
		return app_check_error(c, "mac_table_size", "mac_table_size=%lld: must be a power of "
		                       "two from 16 to 16777216", (long long)size);
	if (timeout <= 0)
		return app_check_error(c, "timeout", "timeout=%g: must be more than 0 seconds", timeout);
	return 0;
}

/* Values are as bridge_check() accepted them. */
static int bridge_new(struct app *a, const struct app_args *args)
{
	int64_t size = app_arg_int(args, "mac_table_size");
	double timeout = app_arg_float(args, "timeout");
	struct bridge *b = calloc(1, sizeof *b);
	if (!b)
		return app_error(a, "out of memory");
	b->table = calloc((size_t)size, sizeof *b->table);
	if (!b->table) {
		free(b);
		return app_error(a, "out of memory for a %lld-entry MAC table", (long long)size);
	}
	b->mask = (uint32_t)size - 1;
	b->timeout_ns = (uint64_t)(timeout * 1e9);
	/* Ports are the names used on the app's links, inputs and outputs
	 * paired by name. */
	for (int i = 0; i < a->nin; i++)
		b->port[port_index(b, a->in[i].name)].in = a->in[i].link;
	for (int i = 0; i < a->nout; i++)
		b->port[port_index(b, a->out[i].name)].out = a->out[i].link;
	b->forwarded = app_counter(a, "forwarded");
	b->flooded = app_counter(a, "flooded");
	b->filtered = app_counter(a, "filtered");
	b->runts = app_counter(a, "runts");
	b->learned = app_counter(a, "learned");
	b->table_full = app_counter(a, "table_full");
	b->clone_failures = app_counter(a, "clone_failures");
	b->no_ports = app_counter(a, "no_ports");
	a->state = b;
	return 0;
}

static void bridge_stop(struct app *a)
{
	struct bridge *b = a->state;
	if (!b)
		return;
	free(b->table);
	free(b);
}

static void bridge_report(struct app *a, FILE *out)
{
	struct bridge *b = a->state;
	uint64_t now = now_ns(), live = 0;
	for (uint32_t i = 0; i <= b->mask; i++)
		if (b->table[i].mac && !expired(b, &b->table[i], now))
			live++;
	fprintf(out, "    %d ports, %llu MAC addresses learned and not yet expired\n", b->nports,
	        (unsigned long long)live);
}

static const char *const bridge_ports[] = { "*", NULL };
static const struct app_param bridge_params[] = {
	{ "timeout", PARAM_FLOAT, "300", false, "seconds until an address not seen is forgotten" },
	{ "mac_table_size", PARAM_INT, "4096", false, "MAC table slots (a power of two)" },
	{ NULL },
};

static const struct app_class bridge_class = {
	.name = "bridge",
	.help = "learning Ethernet bridge: forwards by destination MAC, floods the unknown",
	.doc = "Ports: any names; a name used both as an input and an output is one bridge\n"
	       "port (link nic0.output -> br.port0 and br.port0 -> nic0.input).\n"
	       "Learns source MACs per port; a known unicast destination goes to its port\n"
	       "only, one on the receiving port is filtered; broadcast, multicast and unknown\n"
	       "destinations are flooded to every other port.  No spanning tree: do not\n"
	       "build loops.\n"
	       "Counters: forwarded, flooded, filtered (destination on the receiving port),\n"
	       "runts (shorter than an Ethernet header), learned,\n"
	       "table_full (not learned: no free slot), clone_failures, no_ports.",
	.inputs = bridge_ports,
	.outputs = bridge_ports,
	.params = bridge_params,
	.check = bridge_check,
	.new = bridge_new,
	.push = bridge_push,
	.stop = bridge_stop,
	.report = bridge_report,
};
KVICK_APP(bridge_class);
