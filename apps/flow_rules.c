/* flow_rules.c -- the rule file parser (syntax in flow_rules.h).
 *
 * A line is read token by token; each token is NAME or NAME=VALUE and
 * knows its column, so every message points at the text it is about.  A
 * line with an error adds no rule; parsing goes on so one run shows every
 * mistake (up to RULES_MAX_ERRORS).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../core/app.h"
#include "../core/suggest.h"
#include "flow_rules.h"

#define RULES_MAX_ERRORS   20
#define RULES_MAX_WARNINGS 20

/* ---------------------------------------------------------- diagnostics */

struct rules_parser {
	const char *file;
	FILE *diag;
	const char *line;     /* the line being read, for the caret */
	int line_len, lineno;
	struct flow_rules *r;
	bool line_bad;
};

static void print_marker(const struct rules_parser *p, int col, int len)
{
	fprintf(p->diag, "    %.*s\n    ", p->line_len, p->line);
	for (int i = 0; i < col - 1 && i < p->line_len; i++)
		fputc(p->line[i] == '\t' ? '\t' : ' ', p->diag);
	fputc('^', p->diag);
	for (int i = 1; i < len && col - 1 + i < p->line_len; i++)
		fputc('~', p->diag);
	fputc('\n', p->diag);
}

static void diag(struct rules_parser *p, bool warning, int col, int len, const char *fmt,
                 va_list ap)
{
	int shown = warning ? p->r->nwarnings : p->r->nerrors;
	if (!p->diag || shown > (warning ? RULES_MAX_WARNINGS : RULES_MAX_ERRORS))
		return;
	if (shown == (warning ? RULES_MAX_WARNINGS : RULES_MAX_ERRORS)) {
		fprintf(p->diag, "%s: note: more %s not shown\n", p->file, warning ? "warnings" : "errors");
		return;
	}
	fprintf(p->diag, "%s:%d:%d: %s: ", p->file, p->lineno, col, warning ? "warning" : "error");
	vfprintf(p->diag, fmt, ap);
	fputc('\n', p->diag);
	print_marker(p, col, len);
}

__attribute__((format(printf, 4, 5)))
static int error_at(struct rules_parser *p, int col, int len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag(p, false, col, len, fmt, ap);
	va_end(ap);
	p->r->nerrors++;
	p->line_bad = true;
	return -1;
}

__attribute__((format(printf, 4, 5)))
static void warning_at(struct rules_parser *p, int col, int len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag(p, true, col, len, fmt, ap);
	va_end(ap);
	p->r->nwarnings++;
}

/* --------------------------------------------------------------- values */

/* A token: name[=value], with columns (1-based) for messages. */
struct token {
	char name[32];
	char value[256];
	bool has_value;
	int col, len;             /* the whole token */
	int vcol, vlen;           /* the value */
};

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	if (!*s || *s == '-' || *s == '+')
		return -1;
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 0);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* "VALUE" or "VALUE/MASK" split in place; mask NULL when absent. */
static char *split_mask(char *v)
{
	char *slash = strchr(v, '/');
	if (!slash)
		return NULL;
	*slash = 0;
	return slash + 1;
}

static int value_error(struct rules_parser *p, const struct token *t, const char *what)
{
	return error_at(p, t->vcol, t->vlen, "%s=%s: expected %s", t->name, t->value, what);
}

static int set_mac(struct rules_parser *p, struct token *t, uint8_t *val, uint8_t *mask)
{
	char *m = split_mask(t->value);
	if (parse_mac(t->value, val) || (m && parse_mac(m, mask)))
		return value_error(p, t, "a MAC address, optionally /MASK (02:00:00:00:00:01/ff:ff:ff:00:00:00)");
	if (!m)
		memset(mask, 0xff, 6);
	for (int i = 0; i < 6; i++)
		val[i] &= mask[i];
	return 0;
}

static int set_u16(struct rules_parser *p, struct token *t, uint16_t *val, uint16_t *mask,
                   bool maskable, const char *what)
{
	char *m = maskable ? split_mask(t->value) : NULL;
	unsigned long v, mv = 0xffff;
	if (parse_uint(t->value, 0xffff, &v) || (m && parse_uint(m, 0xffff, &mv)))
		return value_error(p, t, what);
	*val = (uint16_t)(v & mv);
	*mask = (uint16_t)mv;
	return 0;
}

static int set_ipv4(struct rules_parser *p, struct token *t, uint32_t *val, uint32_t *mask)
{
	char *m = split_mask(t->value);
	uint8_t a[4], ma[4];
	unsigned long bits = 32;
	uint32_t mv = 0xffffffffu;
	if (parse_ipv4(t->value, a))
		return value_error(p, t, "an IPv4 address, optionally /PREFIX or /MASK (10.0.0.0/8)");
	if (m && !parse_ipv4(m, ma))
		mv = (uint32_t)ma[0] << 24 | (uint32_t)ma[1] << 16 | (uint32_t)ma[2] << 8 | ma[3];
	else if (m && (strchr(m, '.') || parse_uint(m, 32, &bits)))
		return value_error(p, t, "an IPv4 prefix length 0..32 or a dotted mask after '/'");
	else if (m)
		mv = bits ? 0xffffffffu << (32 - bits) : 0;
	uint32_t v = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
	*val = v & mv;
	*mask = mv;
	return 0;
}

static int set_ipv6(struct rules_parser *p, struct token *t, uint8_t *val, uint8_t *mask)
{
	char *m = split_mask(t->value);
	unsigned long bits = 128;
	if (inet_pton(AF_INET6, t->value, val) != 1)
		return value_error(p, t, "an IPv6 address, optionally /PREFIX or /MASK (2001:db8::/32)");
	if (m && inet_pton(AF_INET6, m, mask) == 1) {
		/* a mask written as an address */
	} else if (m && parse_uint(m, 128, &bits)) {
		return value_error(p, t, "an IPv6 prefix length 0..128 or a mask after '/'");
	} else {
		for (int i = 0; i < 16; i++) {
			int b = (int)bits - 8 * i;
			mask[i] = b >= 8 ? 0xff : b <= 0 ? 0 : (uint8_t)(0xff << (8 - b));
		}
	}
	for (int i = 0; i < 16; i++)
		val[i] &= mask[i];
	return 0;
}

/* --------------------------------------------------------------- fields */

enum field {
	F_DL_SRC, F_DL_DST, F_DL_TYPE, F_DL_VLAN, F_NW_SRC, F_NW_DST, F_NW_PROTO,
	F_TP_SRC, F_TP_DST, F_IPV6_SRC, F_IPV6_DST, F_PRIORITY, F_ACTIONS, F_COUNT
};
static const char *const field_names[F_COUNT] = {
	"dl_src", "dl_dst", "dl_type", "dl_vlan", "nw_src", "nw_dst", "nw_proto",
	"tp_src", "tp_dst", "ipv6_src", "ipv6_dst", "priority", "actions",
};

struct shorthand {
	const char *name;
	uint16_t dl_type;
	int nw_proto;    /* -1: none */
};
static const struct shorthand shorthands[] = {
	{ "ip", ETH_TYPE_IPV4, -1 },   { "ipv6", ETH_TYPE_IPV6, -1 }, { "arp", ETH_TYPE_ARP, -1 },
	{ "icmp", ETH_TYPE_IPV4, 1 },  { "tcp", ETH_TYPE_IPV4, 6 },   { "udp", ETH_TYPE_IPV4, 17 },
	{ "sctp", ETH_TYPE_IPV4, 132 }, { "icmp6", ETH_TYPE_IPV6, 58 }, { "tcp6", ETH_TYPE_IPV6, 6 },
	{ "udp6", ETH_TYPE_IPV6, 17 }, { "sctp6", ETH_TYPE_IPV6, 132 },
};
#define NSHORT (int)(sizeof shorthands / sizeof shorthands[0])

/* One line's rule while it is read. */
struct line_state {
	struct flow_rule rule;
	int col[F_COUNT];         /* where each field was given; 0: not given */
	int len[F_COUNT];
	int dl_type_col, dl_type_len;   /* dl_type, or the shorthand that set it */
	int nw_proto_col, nw_proto_len;
	bool has_actions;
};

static void unknown_name(struct rules_parser *p, const struct token *t)
{
	const char *all[F_COUNT + NSHORT];
	int n = 0;
	for (int i = 0; i < F_COUNT; i++)
		all[n++] = field_names[i];
	for (int i = 0; i < NSHORT; i++)
		all[n++] = shorthands[i].name;
	const char *best = suggest_closest(t->name, all, n);
	char hint[64] = "";
	if (best)
		snprintf(hint, sizeof hint, " (did you mean '%s'?)", best);
	error_at(p, t->col, (int)strlen(t->name), "unknown field '%s'%s", t->name, hint);
}

static int set_dl_type(struct rules_parser *p, struct line_state *s, const struct token *t,
                       uint16_t type)
{
	struct flow_rule *r = &s->rule;
	if (r->mask.dl_type && r->value.dl_type != type)
		return error_at(p, t->col, t->len, "'%s' contradicts the EtherType 0x%04x set at column %d",
		                t->name, r->value.dl_type, s->dl_type_col);
	r->value.dl_type = type;
	r->mask.dl_type = 0xffff;
	s->dl_type_col = t->col;
	s->dl_type_len = t->len;
	return 0;
}

static int set_nw_proto(struct rules_parser *p, struct line_state *s, const struct token *t,
                        uint8_t proto)
{
	struct flow_rule *r = &s->rule;
	if (r->mask.nw_proto && r->value.nw_proto != proto)
		return error_at(p, t->col, t->len, "'%s' contradicts the protocol %u set at column %d",
		                t->name, r->value.nw_proto, s->nw_proto_col);
	r->value.nw_proto = proto;
	r->mask.nw_proto = 0xff;
	s->nw_proto_col = t->col;
	s->nw_proto_len = t->len;
	return 0;
}

static int set_vlan(struct rules_parser *p, struct line_state *s, struct token *t)
{
	unsigned long v;
	if (parse_uint(t->value, 0xffff, &v) || (v > 4095 && v != 0xffff))
		return value_error(p, t, "a VLAN ID 0..4095, or 0xffff for untagged frames");
	if (v == 0xffff) {
		s->rule.value.vlan_tci = 0;   /* no tag at all */
		s->rule.mask.vlan_tci = 0xffff;
	} else {
		s->rule.value.vlan_tci = (uint16_t)(v | FLOW_VLAN_CFI);
		s->rule.mask.vlan_tci = 0x1fff;   /* VID and the tag-present bit */
	}
	return 0;
}

static int set_field(struct rules_parser *p, struct line_state *s, enum field f, struct token *t)
{
	struct flow_key *v = &s->rule.value, *m = &s->rule.mask;
	unsigned long u;
	switch (f) {
	case F_DL_SRC: return set_mac(p, t, v->dl_src, m->dl_src);
	case F_DL_DST: return set_mac(p, t, v->dl_dst, m->dl_dst);
	case F_DL_TYPE:
		if (parse_uint(t->value, 0xffff, &u))
			return value_error(p, t, "an EtherType such as 0x0800");
		return set_dl_type(p, s, t, (uint16_t)u);
	case F_DL_VLAN: return set_vlan(p, s, t);
	case F_NW_SRC: return set_ipv4(p, t, &v->nw_src, &m->nw_src);
	case F_NW_DST: return set_ipv4(p, t, &v->nw_dst, &m->nw_dst);
	case F_NW_PROTO:
		if (parse_uint(t->value, 255, &u))
			return value_error(p, t, "an IP protocol number 0..255");
		return set_nw_proto(p, s, t, (uint8_t)u);
	case F_TP_SRC:
		return set_u16(p, t, &v->tp_src, &m->tp_src, true, "a port 0..65535, optionally /MASK");
	case F_TP_DST:
		return set_u16(p, t, &v->tp_dst, &m->tp_dst, true, "a port 0..65535, optionally /MASK");
	case F_IPV6_SRC: return set_ipv6(p, t, v->ipv6_src, m->ipv6_src);
	case F_IPV6_DST: return set_ipv6(p, t, v->ipv6_dst, m->ipv6_dst);
	case F_PRIORITY:
		if (parse_uint(t->value, 65535, &u))
			return value_error(p, t, "a priority 0..65535");
		s->rule.priority = (unsigned)u;
		return 0;
	default:
		return 0;
	}
}

/* ------------------------------------------------------------- actions */

static int port_index(struct flow_rules *r, const char *name)
{
	for (int i = 0; i < r->nports; i++)
		if (!strcmp(r->ports[i], name))
			return i;
	char **np = realloc(r->ports, (r->nports + 1) * sizeof *np);
	if (!np)
		return -1;
	r->ports = np;
	if (!(np[r->nports] = strdup(name)))
		return -1;
	return r->nports++;
}

static bool port_name_ok(const char *s)
{
	if (!*s || strlen(s) >= APP_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!(*s == '_' || (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= 'A' && *s <= 'Z')))
			return false;
	return true;
}

/* "output:a,output:b", "2", "drop" or "" (drop), from column col. */
static int parse_actions(struct rules_parser *p, struct line_state *s, const char *text, int col)
{
	char buf[512];
	snprintf(buf, sizeof buf, "%s", text);
	int drop_col = 0;
	char *save = NULL;
	for (char *a = strtok_r(buf, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
		int acol = col + (int)(a - buf), alen = (int)strlen(a);
		const char *name = a;
		if (!strcmp(a, "drop")) {
			drop_col = acol;
			continue;
		}
		if (!strncmp(a, "output:", 7))
			name = a + 7;
		else if (strspn(a, "0123456789") != strlen(a))
			return error_at(p, acol, alen, "unknown action '%s': expected output:NAME, a port number or drop", a);
		if (!port_name_ok(name))
			return error_at(p, acol, alen, "'%s': a port name is letters, digits and '_'", a);
		if (!strcmp(name, "miss") || !strcmp(name, "input"))
			return error_at(p, acol, alen, "'%s': port '%s' is the classifier's own (%s)", a, name,
			                name[0] == 'm' ? "frames no rule matches" : "where frames come in");
		if (s->rule.nout == FLOW_RULE_MAX_OUTPUTS)
			return error_at(p, acol, alen, "more than %d outputs in one rule", FLOW_RULE_MAX_OUTPUTS);
		int idx = port_index(p->r, name);
		if (idx < 0)
			return error_at(p, acol, alen, "out of memory");
		s->rule.out[s->rule.nout++] = idx;
	}
	if (drop_col && s->rule.nout)
		return error_at(p, drop_col, 4, "'drop' with outputs: a rule either outputs or drops");
	return 0;
}

/* ------------------------------------------------------------- a line */

/* The next token from *pos; false at the end of the line. */
static bool next_token(struct rules_parser *p, int *pos, struct token *t)
{
	const char *l = p->line;
	int i = *pos;
	while (i < p->line_len && (l[i] == ',' || l[i] == ' ' || l[i] == '\t' || l[i] == '\r'))
		i++;
	if (i >= p->line_len)
		return false;
	int start = i;
	while (i < p->line_len && l[i] != '=' && l[i] != ',' && l[i] != ' ' && l[i] != '\t' &&
	       l[i] != '\r')
		i++;
	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, "%.*s", i - start, l + start);
	if (i < p->line_len && l[i] == '=') {
		t->has_value = true;
		int vs = ++i;
		bool to_end = !strcmp(t->name, "actions");   /* the action list ends the line */
		while (i < p->line_len && l[i] != '\r' &&
		       (to_end ? true : (l[i] != ',' && l[i] != ' ' && l[i] != '\t')))
			i++;
		int ve = i;
		while (to_end && ve > vs && (l[ve - 1] == ' ' || l[ve - 1] == '\t'))
			ve--;
		snprintf(t->value, sizeof t->value, "%.*s", ve - vs, l + vs);
		t->vcol = vs + 1;
		t->vlen = ve - vs;
	}
	t->col = start + 1;
	t->len = i - start;
	*pos = i;
	return true;
}

static int find_field(const char *name)
{
	for (int i = 0; i < F_COUNT; i++)
		if (!strcmp(field_names[i], name))
			return i;
	return -1;
}

static void read_token(struct rules_parser *p, struct line_state *s, struct token *t)
{
	for (int i = 0; i < NSHORT; i++) {
		if (strcmp(t->name, shorthands[i].name))
			continue;
		if (t->has_value) {
			error_at(p, t->col, t->len, "'%s' is a shorthand and takes no value", t->name);
			return;
		}
		if (set_dl_type(p, s, t, shorthands[i].dl_type) == 0 && shorthands[i].nw_proto >= 0)
			set_nw_proto(p, s, t, (uint8_t)shorthands[i].nw_proto);
		return;
	}
	int f = find_field(t->name);
	if (f < 0) {
		unknown_name(p, t);
		return;
	}
	if (!t->has_value) {
		error_at(p, t->col, t->len, "'%s' needs a value: %s=...", t->name, t->name);
		return;
	}
	if (s->col[f]) {
		error_at(p, t->col, t->len, "'%s' is given twice (first at column %d)", t->name, s->col[f]);
		return;
	}
	s->col[f] = t->col;
	s->len[f] = t->len;
	if (f == F_ACTIONS) {
		s->has_actions = true;
		parse_actions(p, s, t->value, t->vcol);
	} else {
		set_field(p, s, (enum field)f, t);
	}
}

static bool dl_type_is(const struct flow_rule *r, uint16_t a, uint16_t b)
{
	return r->mask.dl_type == 0xffff && (r->value.dl_type == a || r->value.dl_type == b);
}

/* OVS refuses a field whose prerequisite the rule does not match. */
static void check_prerequisites(struct rules_parser *p, struct line_state *s)
{
	const struct flow_rule *r = &s->rule;
	static const struct { enum field f; uint16_t a, b; const char *need; } l3[] = {
		{ F_NW_SRC, ETH_TYPE_IPV4, ETH_TYPE_ARP, "ip or arp (dl_type=0x0800 or 0x0806)" },
		{ F_NW_DST, ETH_TYPE_IPV4, ETH_TYPE_ARP, "ip or arp (dl_type=0x0800 or 0x0806)" },
		{ F_NW_PROTO, ETH_TYPE_IPV4, ETH_TYPE_IPV6, "ip or ipv6 (dl_type=0x0800 or 0x86dd)" },
		{ F_IPV6_SRC, ETH_TYPE_IPV6, ETH_TYPE_IPV6, "ipv6 (dl_type=0x86dd)" },
		{ F_IPV6_DST, ETH_TYPE_IPV6, ETH_TYPE_IPV6, "ipv6 (dl_type=0x86dd)" },
	};
	for (unsigned i = 0; i < sizeof l3 / sizeof l3[0]; i++)
		if (s->col[l3[i].f] && !dl_type_is(r, l3[i].a, l3[i].b))
			error_at(p, s->col[l3[i].f], s->len[l3[i].f], "%s needs %s before it can match",
			         field_names[l3[i].f], l3[i].need);
	bool l4 = r->mask.nw_proto && (r->value.nw_proto == 6 || r->value.nw_proto == 17 ||
	                               r->value.nw_proto == 132);
	for (enum field f = F_TP_SRC; f <= F_TP_DST; f++)
		if (s->col[f] && !(l4 && dl_type_is(r, ETH_TYPE_IPV4, ETH_TYPE_IPV6)))
			error_at(p, s->col[f], s->len[f], "%s needs tcp, udp or sctp (or tcp6, udp6, sctp6) before it can match",
			         field_names[f]);
}

static int add_rule(struct flow_rules *r, const struct flow_rule *rule)
{
	struct flow_rule *n = realloc(r->rule, (r->n + 1) * sizeof *n);
	if (!n)
		return -1;
	r->rule = n;
	n[r->n++] = *rule;
	return 0;
}

static void parse_line(struct rules_parser *p)
{
	int pos = 0;
	while (pos < p->line_len && (p->line[pos] == ' ' || p->line[pos] == '\t'))
		pos++;
	if (pos == p->line_len || p->line[pos] == '#' || p->line[pos] == '\r')
		return;
	int pos0 = pos;
	struct line_state s;
	memset(&s, 0, sizeof s);
	s.rule.priority = FLOW_RULES_DEFAULT_PRIORITY;
	s.rule.line = p->lineno;
	p->line_bad = false;
	struct token t;
	while (!p->line_bad && next_token(p, &pos, &t))
		read_token(p, &s, &t);
	if (p->line_bad)
		return;
	check_prerequisites(p, &s);
	if (!p->line_bad && !s.has_actions)
		error_at(p, p->line_len + 1, 1, "no actions=: end the line with actions=output:PORT or actions=drop");
	if (p->line_bad)
		return;
	int end = p->line_len;
	while (end > pos0 && (p->line[end - 1] == ' ' || p->line[end - 1] == '\t' || p->line[end - 1] == '\r'))
		end--;
	s.rule.text = strndup(p->line + pos0, (size_t)(end - pos0));
	if (!s.rule.text || add_rule(p->r, &s.rule)) {
		free(s.rule.text);
		error_at(p, 1, 1, "out of memory");
	}
}

/* --------------------------------------------------------- whole table */

static bool rules_overlap(const struct flow_rule *a, const struct flow_rule *b)
{
	for (int i = 0; i < FLOW_KEY_WORDS; i++)
		if ((a->value.w[i] ^ b->value.w[i]) & a->mask.w[i] & b->mask.w[i])
			return false;
	return true;
}

static int rule_cmp(const void *x, const void *y)
{
	const struct flow_rule *a = x, *b = y;
	if (a->priority != b->priority)
		return a->priority > b->priority ? -1 : 1;
	return a->line - b->line;
}

/* Rules are in precedence order: equal priorities are neighbours. */
static void warn_overlaps(struct rules_parser *p, const char *text)
{
	struct flow_rules *r = p->r;
	for (int i = 0; i < r->n && r->nwarnings <= RULES_MAX_WARNINGS; i++) {
		for (int j = i + 1; j < r->n && r->rule[j].priority == r->rule[i].priority; j++) {
			const struct flow_rule *a = &r->rule[i], *b = &r->rule[j];
			if (!rules_overlap(a, b))
				continue;
			/* Point at line b: find its text again. */
			const char *l = text;
			for (int n = 1; n < b->line && l; n++)
				if ((l = strchr(l, '\n')))
					l++;
			if (!l)
				continue;
			const char *e = strchr(l, '\n');
			p->line = l;
			p->line_len = e ? (int)(e - l) : (int)strlen(l);
			p->lineno = b->line;
			bool same = !memcmp(&a->mask, &b->mask, sizeof a->mask) &&
			            !memcmp(&a->value, &b->value, sizeof a->value);
			if (same)
				warning_at(p, 1, p->line_len, "same match and priority (%u) as line %d: line %d wins "
				           "here (OVS would replace it with this one)", a->priority, a->line, a->line);
			else
				warning_at(p, 1, p->line_len, "overlaps line %d at the same priority %u: line %d wins "
				           "for frames both match (OVS leaves the order undefined)", a->line,
				           a->priority, a->line);
		}
	}
}

void flow_rules_free(struct flow_rules *r)
{
	for (int i = 0; i < r->nports; i++)
		free(r->ports[i]);
	for (int i = 0; i < r->n; i++)
		free(r->rule[i].text);
	free(r->ports);
	free(r->rule);
	memset(r, 0, sizeof *r);
}

int flow_rules_parse(const char *file, const char *text, struct flow_rules *r, FILE *diag_out)
{
	memset(r, 0, sizeof *r);
	struct rules_parser p = { .file = file, .diag = diag_out, .r = r };
	for (const char *l = text; *l;) {
		const char *e = strchr(l, '\n');
		p.line = l;
		p.line_len = e ? (int)(e - l) : (int)strlen(l);
		p.lineno++;
		parse_line(&p);
		if (!e)
			break;
		l = e + 1;
	}
	if (r->nerrors) {
		int nerr = r->nerrors;
		flow_rules_free(r);
		r->nerrors = nerr;
		return -1;
	}
	qsort(r->rule, r->n, sizeof *r->rule, rule_cmp);
	warn_overlaps(&p, text);
	return 0;
}

int flow_rules_load(const char *file, struct flow_rules *r, FILE *diag_out)
{
	memset(r, 0, sizeof *r);
	FILE *f = fopen(file, "r");
	if (!f) {
		if (diag_out)
			fprintf(diag_out, "%s: error: cannot open: %s\n", file, strerror(errno));
		r->nerrors = 1;
		return -1;
	}
	char *text = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&text, &size);
	char buf[4096];
	size_t n;
	while (mem && (n = fread(buf, 1, sizeof buf, f)) > 0)
		fwrite(buf, 1, n, mem);
	bool bad = ferror(f) || !mem;
	fclose(f);
	if (mem)
		fclose(mem);
	if (bad) {
		if (diag_out)
			fprintf(diag_out, "%s: error: cannot read it\n", file);
		free(text);
		r->nerrors = 1;
		return -1;
	}
	int rc = flow_rules_parse(file, text, r, diag_out);
	free(text);
	return rc;
}
