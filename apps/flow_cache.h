/* flow_cache.h -- the three lookup tiers of Open vSwitch's userspace
 * datapath, over a flow_rules table.
 *
 *   1. EMC, the exact-match cache: FLOW_EMC_ENTRIES slots keyed by the
 *      whole flow key and its hash; each key may sit in one of two slots.
 *      A flow enters it with probability 1/emc_insert_inv_prob (OVS's
 *      other_config:emc-insert-inv-prob, default 100; 0: never), so a
 *      flood of new flows does not thrash the flows that are long-lived.
 *   2. dpcls, megaflows in tuple space: one hash table (subtable) per
 *      distinct mask.  A lookup ANDs the key with each subtable's mask and
 *      probes that table, busiest subtable first: hits are counted per
 *      subtable and the order is re-sorted every FLOW_RESORT_NS.
 *   3. The slow path ("upcall"): the rules in precedence order.  It
 *      remembers which fields it compared, rule by rule, up to the first
 *      field that differed, and installs a megaflow whose mask is exactly
 *      those bits.  Every frame that agrees with this one on those bits
 *      takes the same decision, so the megaflow is right for all of them.
 *
 * Megaflows are installed only after a dpcls miss and are never removed
 * (the rules do not change while running), so an EMC entry can point at
 * one by index.  Two megaflows may overlap only where they agree on the
 * rule (each is right for every frame it covers), so the first match wins.
 * When max_megaflows are installed, the slow path still decides but
 * installs nothing (counted in `limit`).
 */
#ifndef KVICK_APPS_FLOW_CACHE_H
#define KVICK_APPS_FLOW_CACHE_H

#include <stdint.h>

#include "flow_key.h"
#include "flow_rules.h"

#define FLOW_EMC_ENTRIES 8192u      /* as OVS's EM_FLOW_HASH_ENTRIES */
#define FLOW_RESORT_NS   1000000000ull
#define FLOW_NO_RULE     (-1)

enum flow_tier { FLOW_TIER_EMC, FLOW_TIER_DPCLS, FLOW_TIER_UPCALL };

struct megaflow {
	struct flow_key key;        /* key & mask of its subtable */
	uint32_t hash;
	uint16_t subtable;
	int32_t rule;               /* index into rules->rule, or FLOW_NO_RULE */
};

struct subtable {
	struct flow_key mask;
	uint8_t words[FLOW_KEY_WORDS];   /* the words the mask has bits in */
	int nwords;
	uint32_t *slot;             /* megaflow index + 1; 0: empty (linear probing) */
	uint32_t cap, n;
	uint64_t hits;              /* since the last re-sort */
};

/* Hashes and flows apart from the keys: a probe reads the small arrays
 * first and touches a key (one aligned cache line) only on a hash match. */
struct emc {
	uint32_t hash[FLOW_EMC_ENTRIES];
	uint32_t flow[FLOW_EMC_ENTRIES];  /* megaflow index + 1; 0: empty */
	struct flow_key key[FLOW_EMC_ENTRIES] __attribute__((aligned(64)));
};

struct flow_cache {
	const struct flow_rules *rules;
	struct emc *emc;
	struct megaflow *flows;
	uint32_t nflows, max_flows;
	struct subtable *sub;
	uint16_t *order;            /* subtable indexes, busiest first */
	int nsub;
	uint32_t emc_threshold;     /* insert when a random u32 <= this */
	uint64_t rng;
	uint64_t next_sort_ns;
	uint64_t limit;             /* megaflows not installed: max_megaflows reached */
};

/* 0, or -1 when out of memory. */
int flow_cache_init(struct flow_cache *c, const struct flow_rules *rules, uint32_t emc_inv_prob,
                    uint32_t max_megaflows);
void flow_cache_free(struct flow_cache *c);

/* The rule for key k (FLOW_NO_RULE: none matches); *tier says which tier
 * answered.  now_ns drives the subtable re-sort. */
int flow_cache_lookup(struct flow_cache *c, const struct flow_key *k, uint64_t now_ns,
                      enum flow_tier *tier);

/* The slow path alone: the rule, and in *mask the bits it looked at. */
int flow_rules_decide(const struct flow_rules *r, const struct flow_key *k, struct flow_key *mask);

#endif
