/* flow_cache.c -- EMC, dpcls and the slow path (design in flow_cache.h). */
#include <stdlib.h>
#include <string.h>

#include "flow_cache.h"

/* ------------------------------------------------------------- hashing */

/* NH, a multilinear hash: each word's halves, offset by per-word keys,
 * multiplied and summed.  The eight products do not depend on one
 * another, so the CPU overlaps them (a chained hash would wait on each). */
static const uint64_t nh_key[FLOW_KEY_WORDS][2] = {
	{ 0x9e3779b97f4a7c15ull, 0xc2b2ae3d27d4eb4full }, { 0x165667b19e3779f9ull, 0x85ebca77c2b2ae63ull },
	{ 0x27d4eb2f165667c5ull, 0xff51afd7ed558ccdull }, { 0xc4ceb9fe1a85ec53ull, 0x9fb21c651e98df25ull },
	{ 0xd6e8feb86659fd93ull, 0xa0761d6478bd642full }, { 0xe7037ed1a0b428dbull, 0x8ebc6af09c88c6e3ull },
	{ 0x589965cc75374cc3ull, 0x1d8e4e27c47d124full }, { 0xbf58476d1ce4e5b9ull, 0x94d049bb133111ebull },
};

static inline uint64_t nh_word(int i, uint64_t w)
{
	return (uint64_t)((uint32_t)w + (uint32_t)nh_key[i][0]) *
	       (uint64_t)((uint32_t)(w >> 32) + (uint32_t)nh_key[i][1]);
}

static inline uint32_t finish(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (uint32_t)h;
}

static uint32_t hash_key(const struct flow_key *k)
{
	uint64_t h = 0;
	for (int i = 0; i < FLOW_KEY_WORDS; i++)
		h += nh_word(i, k->w[i]);
	return finish(h);
}

/* The hash of k & mask, over the words the mask uses.  The words it does
 * not use count as zero, so a megaflow's hash is that of its masked key. */
static inline uint32_t hash_masked(const struct subtable *s, const struct flow_key *k)
{
	uint64_t h = 0;
	for (int i = 0; i < s->nwords; i++)
		h += nh_word(s->words[i], k->w[s->words[i]] & s->mask.w[s->words[i]]);
	return finish(h);
}

static inline uint64_t next_random(struct flow_cache *c)
{
	/* xorshift64*: any decent spread will do for 1-in-N sampling. */
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return c->rng * 0x2545f4914f6cdd1dull;
}

/* ----------------------------------------------------------------- EMC */

static inline uint32_t emc_slot(uint32_t hash, int way)
{
	/* Two candidate slots from two parts of the hash, as OVS does. */
	return (way ? hash >> 13 : hash) & (FLOW_EMC_ENTRIES - 1);
}

static inline bool key_equal(const struct flow_key *a, const struct flow_key *b)
{
	uint64_t d = 0;
	for (int i = 0; i < FLOW_KEY_WORDS; i++)
		d |= a->w[i] ^ b->w[i];
	return d == 0;
}

static int emc_lookup(const struct flow_cache *c, const struct flow_key *k, uint32_t hash)
{
	const struct emc *e = c->emc;
	for (int way = 0; way < 2; way++) {
		uint32_t i = emc_slot(hash, way);
		if (e->flow[i] && e->hash[i] == hash && key_equal(&e->key[i], k))
			return (int)e->flow[i] - 1;
	}
	return -1;
}

static void emc_insert(struct flow_cache *c, const struct flow_key *k, uint32_t hash, uint32_t flow)
{
	if (c->emc_threshold == 0 || (uint32_t)(next_random(c) >> 32) > c->emc_threshold)
		return;
	struct emc *e = c->emc;
	uint32_t a = emc_slot(hash, 0), b = emc_slot(hash, 1);
	/* An empty slot if there is one, else evict the entry with the smaller
	 * hash: an arbitrary but even-handed choice. */
	uint32_t i = !e->flow[a] ? a : !e->flow[b] ? b : e->hash[a] <= e->hash[b] ? a : b;
	e->key[i] = *k;
	e->hash[i] = hash;
	e->flow[i] = flow + 1;
}

/* --------------------------------------------------------------- dpcls */

static int subtable_find(struct flow_cache *c, const struct flow_key *mask)
{
	for (int i = 0; i < c->nsub; i++)
		if (key_equal(&c->sub[i].mask, mask))
			return i;
	return -1;
}

static int subtable_add(struct flow_cache *c, const struct flow_key *mask)
{
	if (c->nsub == UINT16_MAX)
		return -1;
	struct subtable *ns = realloc(c->sub, (c->nsub + 1) * sizeof *ns);
	if (!ns)
		return -1;
	c->sub = ns;
	uint16_t *no = realloc(c->order, (c->nsub + 1) * sizeof *no);
	if (!no)
		return -1;
	c->order = no;
	struct subtable *s = &c->sub[c->nsub];
	memset(s, 0, sizeof *s);
	s->mask = *mask;
	for (int i = 0; i < FLOW_KEY_WORDS; i++)
		if (mask->w[i])
			s->words[s->nwords++] = (uint8_t)i;
	s->cap = 16;
	if (!(s->slot = calloc(s->cap, sizeof *s->slot)))
		return -1;
	c->order[c->nsub] = (uint16_t)c->nsub;   /* new subtables start last */
	return c->nsub++;
}

static void subtable_put(struct subtable *s, const struct megaflow *flows, uint32_t idx)
{
	for (uint32_t i = flows[idx].hash;; i++) {
		if (!s->slot[i & (s->cap - 1)]) {
			s->slot[i & (s->cap - 1)] = idx + 1;
			s->n++;
			return;
		}
	}
}

/* Keep the load at most 1/2: probes stay short. */
static int subtable_grow(struct subtable *s, const struct megaflow *flows)
{
	if ((s->n + 1) * 2 <= s->cap)
		return 0;
	uint32_t *old = s->slot, oldcap = s->cap;
	if (!(s->slot = calloc(oldcap * 2, sizeof *s->slot))) {
		s->slot = old;
		return -1;
	}
	s->cap = oldcap * 2;
	s->n = 0;
	for (uint32_t i = 0; i < oldcap; i++)
		if (old[i])
			subtable_put(s, flows, old[i] - 1);
	free(old);
	return 0;
}

static int subtable_lookup(const struct subtable *s, const struct megaflow *flows,
                           const struct flow_key *k)
{
	uint32_t h = hash_masked(s, k);
	for (uint32_t i = h;; i++) {
		uint32_t f = s->slot[i & (s->cap - 1)];
		if (!f)
			return -1;
		const struct megaflow *m = &flows[f - 1];
		if (m->hash != h)
			continue;
		uint64_t d = 0;
		for (int w = 0; w < s->nwords; w++)
			d |= (k->w[s->words[w]] & s->mask.w[s->words[w]]) ^ m->key.w[s->words[w]];
		if (d == 0)
			return (int)f - 1;
	}
}

static int dpcls_lookup(struct flow_cache *c, const struct flow_key *k)
{
	for (int i = 0; i < c->nsub; i++) {
		struct subtable *s = &c->sub[c->order[i]];
		int f = subtable_lookup(s, c->flows, k);
		if (f >= 0) {
			s->hits++;
			return f;
		}
	}
	return -1;
}

/* Busiest first; an insertion sort: a few dozen subtables, mostly sorted. */
static void dpcls_resort(struct flow_cache *c)
{
	for (int i = 1; i < c->nsub; i++) {
		uint16_t x = c->order[i];
		int j = i - 1;
		while (j >= 0 && c->sub[c->order[j]].hits < c->sub[x].hits) {
			c->order[j + 1] = c->order[j];
			j--;
		}
		c->order[j + 1] = x;
	}
	for (int i = 0; i < c->nsub; i++)
		c->sub[i].hits = 0;
}

/* A megaflow for key k & mask; its index, or -1 (limit, out of memory). */
static int dpcls_install(struct flow_cache *c, const struct flow_key *k,
                         const struct flow_key *mask, int rule)
{
	if (c->nflows >= c->max_flows) {
		c->limit++;
		return -1;
	}
	int si = subtable_find(c, mask);
	if (si < 0 && (si = subtable_add(c, mask)) < 0)
		return -1;
	struct subtable *s = &c->sub[si];
	if (subtable_grow(s, c->flows))
		return -1;
	struct megaflow *m = &c->flows[c->nflows];
	for (int i = 0; i < FLOW_KEY_WORDS; i++)
		m->key.w[i] = k->w[i] & mask->w[i];
	m->hash = hash_masked(s, k);
	m->subtable = (uint16_t)si;
	m->rule = rule;
	subtable_put(s, c->flows, c->nflows);
	return (int)c->nflows++;
}

/* ----------------------------------------------------------- slow path */

/* The fields in the order the slow path compares them: byte offset and
 * size in struct flow_key.  EtherType first: it tells most rules apart. */
static const struct { uint8_t off, len; } fields[] = {
	{ 12, 2 },  /* dl_type */
	{ 14, 2 },  /* vlan_tci */
	{ 56, 1 },  /* nw_proto */
	{ 0, 6 },   /* dl_dst */
	{ 6, 6 },   /* dl_src */
	{ 16, 4 },  /* nw_src */
	{ 20, 4 },  /* nw_dst */
	{ 24, 16 }, /* ipv6_src */
	{ 40, 16 }, /* ipv6_dst */
	{ 58, 2 },  /* tp_src */
	{ 60, 2 },  /* tp_dst */
};

int flow_rules_decide(const struct flow_rules *r, const struct flow_key *k, struct flow_key *mask)
{
	const uint8_t *kb = (const uint8_t *)k;
	uint8_t *u = (uint8_t *)mask;
	memset(mask, 0, sizeof *mask);
	for (int i = 0; i < r->n; i++) {
		const uint8_t *m = (const uint8_t *)&r->rule[i].mask;
		const uint8_t *v = (const uint8_t *)&r->rule[i].value;
		bool match = true;
		for (unsigned f = 0; f < sizeof fields / sizeof fields[0] && match; f++) {
			for (unsigned b = fields[f].off; b < fields[f].off + fields[f].len; b++) {
				u[b] |= m[b];        /* this field was looked at */
				match &= (kb[b] & m[b]) == v[b];
			}
		}
		if (match)
			return i;
	}
	return FLOW_NO_RULE;
}

/* ---------------------------------------------------------------- all */

int flow_cache_lookup(struct flow_cache *c, const struct flow_key *k, uint64_t now_ns,
                      enum flow_tier *tier)
{
	if (now_ns >= c->next_sort_ns) {
		dpcls_resort(c);
		c->next_sort_ns = now_ns + FLOW_RESORT_NS;
	}
	uint32_t hash = hash_key(k);
	int f = emc_lookup(c, k, hash);
	if (f >= 0) {
		*tier = FLOW_TIER_EMC;
		return c->flows[f].rule;
	}
	f = dpcls_lookup(c, k);
	if (f >= 0) {
		*tier = FLOW_TIER_DPCLS;
		emc_insert(c, k, hash, (uint32_t)f);
		return c->flows[f].rule;
	}
	*tier = FLOW_TIER_UPCALL;
	struct flow_key mask;
	int rule = flow_rules_decide(c->rules, k, &mask);
	f = dpcls_install(c, k, &mask, rule);
	if (f >= 0)
		emc_insert(c, k, hash, (uint32_t)f);
	return rule;
}

int flow_cache_init(struct flow_cache *c, const struct flow_rules *rules, uint32_t emc_inv_prob,
                    uint32_t max_megaflows)
{
	memset(c, 0, sizeof *c);
	c->rules = rules;
	c->max_flows = max_megaflows;
	c->emc_threshold = emc_inv_prob ? UINT32_MAX / emc_inv_prob : 0;
	c->rng = 0x853c49e6748fea9bull;
	if (posix_memalign((void **)&c->emc, 64, sizeof *c->emc) == 0)
		memset(c->emc, 0, sizeof *c->emc);
	else
		c->emc = NULL;
	c->flows = malloc((size_t)max_megaflows * sizeof *c->flows);
	if (!c->emc || !c->flows) {
		flow_cache_free(c);
		return -1;
	}
	return 0;
}

void flow_cache_free(struct flow_cache *c)
{
	for (int i = 0; i < c->nsub; i++)
		free(c->sub[i].slot);
	free(c->sub);
	free(c->order);
	free(c->emc);
	free(c->flows);
	memset(c, 0, sizeof *c);
}
