/* flow_rules.h -- a rule table read from a file in the syntax of
 * `ovs-ofctl add-flows` (a subset), for the classifier app.
 *
 * One flow a line; blank lines and lines starting with '#' are skipped.
 * Fields are separated by commas or blanks; `actions=` comes last:
 *
 *     priority=200,tcp,nw_dst=10.0.0.0/8,tp_dst=80,actions=output:web
 *     udp6,ipv6_src=2001:db8::/32,actions=output:1,output:2
 *     priority=0,actions=drop
 *
 * Matches: dl_src, dl_dst (MAC[/MASK]), dl_type, dl_vlan (0..4095, or
 * 0xffff: untagged), nw_src, nw_dst (A.B.C.D[/N or /A.B.C.D]), nw_proto,
 * tp_src, tp_dst (N[/MASK]), ipv6_src, ipv6_dst (ADDR[/N or /MASK]); the
 * shorthands ip, ipv6, icmp, icmp6, tcp, tcp6, udp, udp6, sctp, sctp6,
 * arp.  As in OVS: priority defaults to 32768; a field needs its
 * prerequisite (nw_src needs ip or arp, tp_dst needs tcp, udp or sctp, ...);
 * a value is ANDed with its mask.  Actions: output:NAME (any number of
 * them; NAME is a port of the classifier app, a number is a valid name),
 * a bare number (output to it), or drop (also: no action at all).
 *
 * Precedence: higher priority first; among equal priorities the earlier
 * line.  OVS leaves overlapping equal-priority flows undefined, so each
 * such pair gets a warning.
 *
 * Errors and warnings are printed like the topology parser's:
 *     rules.txt:3:13: error: unknown field 'nw_srcc' (did you mean 'nw_src'?)
 *         priority=10,nw_srcc=1.2.3.4,actions=drop
 *                     ^~~~~~~
 */
#ifndef KVICK_APPS_FLOW_RULES_H
#define KVICK_APPS_FLOW_RULES_H

#include <stdbool.h>
#include <stdio.h>

#include "flow_key.h"

#define FLOW_RULE_MAX_OUTPUTS 8
#define FLOW_RULES_DEFAULT_PRIORITY 32768

struct flow_rule {
	struct flow_key value;      /* value & mask */
	struct flow_key mask;
	unsigned priority;          /* 0..65535 */
	int line;                   /* in the file, for messages and reports */
	char *text;                 /* the line as written, for reports */
	int nout;                   /* 0: drop */
	int out[FLOW_RULE_MAX_OUTPUTS];  /* indexes into flow_rules.ports */
};

struct flow_rules {
	struct flow_rule *rule;     /* in precedence order: the first match wins */
	int n;
	char **ports;               /* output names, in order of first use */
	int nports;
	int nerrors, nwarnings;
};

/* Read `file` into r.  Messages go to diag (NULL: none).  0, or -1 when
 * the file cannot be read or has an error (r is then empty). */
int flow_rules_load(const char *file, struct flow_rules *r, FILE *diag);
/* The same from text in memory; `file` names it in messages. */
int flow_rules_parse(const char *file, const char *text, struct flow_rules *r, FILE *diag);
void flow_rules_free(struct flow_rules *r);

static inline bool flow_rule_match(const struct flow_rule *r, const struct flow_key *k)
{
	uint64_t d = 0;
	for (int i = 0; i < FLOW_KEY_WORDS; i++)
		d |= (k->w[i] & r->mask.w[i]) ^ r->value.w[i];
	return d == 0;
}

#endif
