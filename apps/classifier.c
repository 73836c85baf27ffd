/* classifier.c -- an OpenFlow-style flow table with the lookup tiers of
 * Open vSwitch's userspace datapath.
 *
 *            +------------+--> NAME   each output a rule names (output:NAME)
 *   input -->| classifier |--> ...
 *            +------------+--> miss   frames no rule matches (optional)
 *
 * Rules come from rules=FILE in the syntax of `ovs-ofctl add-flows`
 * (flow_rules.h); keys are extracted as OVS does (flow_key.h); a lookup
 * goes EMC, then dpcls, then the slow path, which installs a megaflow on
 * the spot, so no frame waits (flow_cache.h).  A frame no rule matches
 * goes to `miss` when linked, else it is freed and counted.  A rule with
 * several outputs sends a copy to each.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../core/app.h"
#include "../core/engine.h"
#include "flow_cache.h"

/* Counters named per rule for the first rules; the report shows them all. */
#define CLS_BASE_COUNTERS 12
#define CLS_NAMED_RULES   ((APP_MAX_COUNTERS - CLS_BASE_COUNTERS) / 2)

struct classifier {
	struct flow_rules rules;
	struct flow_cache cache;
	struct link *in, *miss;
	struct link **port;          /* per rules.ports[i]; NULL: not linked */
	uint64_t **rule_packets, **rule_bytes;   /* per rule, precedence order */
	uint64_t *rule_store;        /* where the unnamed rules' counts live */
	uint64_t *received, *emc_hits, *dpcls_hits, *upcalls, *megaflows, *subtables;
	uint64_t *no_match, *no_match_dropped, *drop_rule, *clone_failures, *megaflow_limit;
};

/* The rule file parses, every port it names is linked, and every linked
 * output is one of those or miss. */
static int cls_check(struct app_check *c, const struct app_args *args)
{
	const char *file = app_arg_str(args, "rules");
	int64_t prob = app_arg_int(args, "emc_insert_inv_prob");
	int64_t maxf = app_arg_int(args, "max_megaflows");
	if (prob < 0 || prob > UINT32_MAX)
		return app_check_error(c, "emc_insert_inv_prob", "emc_insert_inv_prob=%lld: must be 0 (never insert) to 4294967295",
		                       (long long)prob);
	if (maxf < 1 || maxf > (1 << 24))
		return app_check_error(c, "max_megaflows", "max_megaflows=%lld: must be 1..16777216",
		                       (long long)maxf);
	FILE *f = fopen(file, "r");
	if (!f)
		return app_check_error(c, "rules", "cannot open %s: %s", file, strerror(errno));
	fclose(f);
	struct flow_rules r;
	if (flow_rules_load(file, &r, stderr) < 0)
		return app_check_error(c, "rules", "%s has %d error%s (shown above)", file, r.nerrors,
		                       r.nerrors == 1 ? "" : "s");
	int rc = 0;
	for (int i = 0; i < r.nports && rc == 0; i++)
		if (!app_check_linked(c, r.ports[i], true))
			rc = app_check_error(c, NULL, "%s sends to port '%s' (actions=output:%s) but that output is not linked",
			                     file, r.ports[i], r.ports[i]);
	for (int i = 0; rc == 0 && app_check_port(c, true, i); i++) {
		const char *p = app_check_port(c, true, i);
		bool known = !strcmp(p, "miss");
		for (int j = 0; j < r.nports; j++)
			known |= !strcmp(p, r.ports[j]);
		if (!known)
			rc = app_check_error(c, NULL, "output '%s' is linked but no rule in %s sends to it "
			                     "(outputs are the names in actions=output:NAME, and miss)", p, file);
	}
	if (rc == 0 && !app_check_linked(c, "input", false))
		rc = app_check_error(c, NULL, "port 'input' is not linked: the frames to classify come in there");
	flow_rules_free(&r);
	return rc;
}

static int cls_counters(struct app *a, struct classifier *s)
{
	s->received = app_counter(a, "received");
	s->emc_hits = app_counter(a, "emc_hits");
	s->dpcls_hits = app_counter(a, "dpcls_hits");
	s->upcalls = app_counter(a, "upcalls");
	s->megaflows = app_counter(a, "megaflows");
	s->subtables = app_counter(a, "subtables");
	s->no_match = app_counter(a, "no_match");
	s->no_match_dropped = app_counter(a, "no_match_dropped");
	s->drop_rule = app_counter(a, "drop_rule");
	s->clone_failures = app_counter(a, "clone_failures");
	s->megaflow_limit = app_counter(a, "megaflow_limit");
	int n = s->rules.n;
	s->rule_packets = calloc(n + 1, sizeof *s->rule_packets);
	s->rule_bytes = calloc(n + 1, sizeof *s->rule_bytes);
	s->rule_store = calloc(2 * (size_t)n + 1, sizeof *s->rule_store);
	if (!s->rule_packets || !s->rule_bytes || !s->rule_store)
		return -1;
	/* Named counters follow the file's order: the first lines get them. */
	int *by_line = malloc((n + 1) * sizeof *by_line);
	if (!by_line)
		return -1;
	for (int i = 0; i < n; i++)
		by_line[i] = i;
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && s->rules.rule[by_line[j]].line < s->rules.rule[by_line[j - 1]].line; j--) {
			int t = by_line[j];
			by_line[j] = by_line[j - 1];
			by_line[j - 1] = t;
		}
	for (int k = 0; k < n; k++) {
		int i = by_line[k];
		if (k < CLS_NAMED_RULES) {
			char name[48];
			snprintf(name, sizeof name, "line%d_packets", s->rules.rule[i].line);
			s->rule_packets[i] = app_counter(a, name);
			snprintf(name, sizeof name, "line%d_bytes", s->rules.rule[i].line);
			s->rule_bytes[i] = app_counter(a, name);
		} else {
			s->rule_packets[i] = &s->rule_store[2 * i];
			s->rule_bytes[i] = &s->rule_store[2 * i + 1];
		}
	}
	free(by_line);
	return 0;
}

static void cls_stop(struct app *a);

/* Values, the file and the ports are as cls_check() accepted them. */
static int cls_new(struct app *a, const struct app_args *args)
{
	struct classifier *s = calloc(1, sizeof *s);
	if (!s)
		return app_error(a, "out of memory");
	a->state = s;
	const char *file = app_arg_str(args, "rules");
	if (flow_rules_load(file, &s->rules, NULL) < 0) {
		cls_stop(a);
		return app_error(a, "%s: cannot be read again, or changed since `check` (run kvick check)", file);
	}
	s->in = app_input(a, "input");
	s->miss = app_output(a, "miss");
	s->port = calloc(s->rules.nports + 1, sizeof *s->port);
	if (!s->port || cls_counters(a, s) ||
	    flow_cache_init(&s->cache, &s->rules, (uint32_t)app_arg_int(args, "emc_insert_inv_prob"),
	                    (uint32_t)app_arg_int(args, "max_megaflows"))) {
		cls_stop(a);
		return app_error(a, "out of memory");
	}
	for (int i = 0; i < s->rules.nports; i++)
		s->port[i] = app_output(a, s->rules.ports[i]);
	return 0;
}

/* Send p where rule sends it (or to miss); every frame is delivered,
 * queued on a link (which counts its own drops) or counted here. */
static void cls_deliver(struct classifier *s, struct packet *p, int rule)
{
	if (rule == FLOW_NO_RULE) {
		(*s->no_match)++;
		if (s->miss) {
			link_transmit(s->miss, p);
		} else {
			(*s->no_match_dropped)++;
			packet_free(p);
		}
		return;
	}
	const struct flow_rule *r = &s->rules.rule[rule];
	(*s->rule_packets[rule])++;
	*s->rule_bytes[rule] += p->length;
	if (r->nout == 0) {
		(*s->drop_rule)++;
		packet_free(p);
		return;
	}
	for (int o = r->nout - 1; o >= 0; o--) {
		struct packet *q = o ? packet_clone(p) : p;
		struct link *l = s->port[r->out[o]];
		if (!q)
			(*s->clone_failures)++;
		else if (l)
			link_transmit(l, q);
		else
			packet_free(q);   /* cls_check() refuses an unlinked port */
	}
}

static void cls_push(struct app *a)
{
	struct classifier *s = a->state;
	struct packet *pk[LINK_MAX_BATCH];
	uint32_t n = link_receive_batch(s->in, pk, LINK_MAX_BATCH);
	if (n == 0)
		return;
	uint64_t now = now_ns();
	uint64_t *tier_count[] = { s->emc_hits, s->dpcls_hits, s->upcalls };
	for (uint32_t i = 0; i < n; i++) {
		struct flow_key k;
		enum flow_tier tier;
		flow_key_extract(packet_data(pk[i]), pk[i]->length, &k);
		int rule = flow_cache_lookup(&s->cache, &k, now, &tier);
		(*tier_count[tier])++;
		cls_deliver(s, pk[i], rule);
	}
	*s->received += n;
	*s->megaflows = s->cache.nflows;
	*s->subtables = (uint64_t)s->cache.nsub;
	*s->megaflow_limit = s->cache.limit;
}

static void cls_stop(struct app *a)
{
	struct classifier *s = a->state;
	if (!s)
		return;
	flow_cache_free(&s->cache);
	flow_rules_free(&s->rules);
	free(s->port);
	free(s->rule_packets);
	free(s->rule_bytes);
	free(s->rule_store);
	free(s);
	a->state = NULL;
}

/* Like `ovs-ofctl dump-flows`: each rule in precedence order with its counts. */
static void cls_report(struct app *a, FILE *out)
{
	struct classifier *s = a->state;
	fprintf(out, "    %d rules, %u megaflows in %d subtables\n", s->rules.n, s->cache.nflows,
	        s->cache.nsub);
	for (int i = 0; i < s->rules.n; i++)
		fprintf(out, "    line %d: n_packets=%llu, n_bytes=%llu, %s\n", s->rules.rule[i].line,
		        (unsigned long long)*s->rule_packets[i], (unsigned long long)*s->rule_bytes[i],
		        s->rules.rule[i].text);
}

static const char *const cls_inputs[] = { "input", NULL };
static const char *const cls_outputs[] = { "*", NULL };
static const struct app_param cls_params[] = {
	{ "rules", PARAM_STRING, NULL, true, "rule file in the syntax of `ovs-ofctl add-flows`" },
	{ "emc_insert_inv_prob", PARAM_INT, "100", false,
	  "a flow enters the exact-match cache with probability 1/N (0: never), as OVS" },
	{ "max_megaflows", PARAM_INT, "65536", false, "megaflows installed at most (then the slow path decides alone)" },
	{ NULL },
};

static const struct app_class cls_class = {
	.name = "classifier",
	.help = "OpenFlow-style rule table (ovs-ofctl syntax) with OVS's EMC, dpcls and slow path",
	.doc = "Ports: input; one output per name the rules use (actions=output:NAME, a number\n"
	       "is a name: a file written for OVS ports 1, 2, 3 works as it is); miss, optional,\n"
	       "gets frames no rule matches (else they are dropped and counted).\n"
	       "Rules, one a line: priority=N,MATCH...,actions=output:NAME[,output:NAME]|drop.\n"
	       "Matches: dl_src dl_dst (/MASK) dl_type dl_vlan nw_src nw_dst (CIDR or mask)\n"
	       "nw_proto tp_src tp_dst (/MASK) ipv6_src ipv6_dst; ip ipv6 tcp udp sctp icmp arp\n"
	       "tcp6 udp6 sctp6 icmp6.  Default priority 32768; the highest priority wins, an\n"
	       "earlier line among equals (overlaps warned).  Errors are FILE:LINE:COL.\n"
	       "Keys as OVS with vlan-limit=2 and set-frags nx-match: two VLAN tags (the\n"
	       "outer one is dl_vlan), a first fragment's ports match, a later one has none.\n"
	       "Lookup: exact-match cache (8192 entries), then megaflows (one hash table per\n"
	       "mask, busiest first, re-ranked every second), then the rules, which install\n"
	       "a megaflow matching just the bits they looked at.\n"
	       "Counters: received = emc_hits + dpcls_hits + upcalls (which tier answered);\n"
	       "megaflows, subtables (installed so far); no_match (to miss, or dropped and\n"
	       "also counted in no_match_dropped); drop_rule (frames an actions=drop rule\n"
	       "took); clone_failures (copies for a second output that found no buffer);\n"
	       "megaflow_limit (upcalls that installed nothing: max_megaflows reached);\n"
	       "lineN_packets, lineN_bytes for the rule on line N, like ovs-ofctl dump-flows'\n"
	       "n_packets, n_bytes (the first 18 rules; the report lists every rule).\n"
	       "Example: app c classifier rules=acl.rules\n"
	       "         link c.web -> nic1.input   # rules say actions=output:web",
	.inputs = cls_inputs,
	.outputs = cls_outputs,
	.params = cls_params,
	.check = cls_check,
	.new = cls_new,
	.push = cls_push,
	.stop = cls_stop,
	.report = cls_report,
};
KVICK_APP(cls_class);
