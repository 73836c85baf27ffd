/* topology_lex.c -- one line of a topology file into words.
 *
 * Rules (docs/topology.md has them for users):
 *  - Words are separated by spaces or tabs.
 *  - '#' at the start of a word starts a comment that runs to the end of
 *    the line; inside a word ("a#b") or inside quotes it is an ordinary
 *    character.
 *  - "..." quotes a piece of a word, so it may hold spaces and '#':
 *    file="my capture.pcap".  Inside quotes \" \\ and \$ stand for the
 *    character itself.
 *  - ${VAR} is replaced by the variable given on the command line;
 *    ${VAR:-default} uses `default` when VAR is unset or empty (as in the
 *    shell).  Substitution happens inside quotes too, and its result is
 *    never split into words or searched for '='.
 *  - The first '=' written outside quotes and variables splits key=value.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "topology_internal.h"

/* A growing buffer for the word being built. */
struct wbuf {
	char *s;
	size_t n, cap;
};

static void wbuf_put(struct wbuf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *ns = realloc(b->s, cap);
		if (!ns)
			return;   /* out of memory: the word comes out short */
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = 0;
}

static const char *var_lookup(struct topo_parser *p, const char *name, size_t len)
{
	const struct topo_vars *v = p->vars;
	/* The last setting wins, as when a shell variable is assigned twice. */
	for (int i = v ? v->n - 1 : -1; i >= 0; i--) {
		if (strlen(v->names[i]) == len && !strncmp(v->names[i], name, len)) {
			p->var_used[i] = true;
			return v->values[i];
		}
	}
	return NULL;
}

/* Expand the ${...} starting at s[*i] (s[*i] == '$', s[*i+1] == '{') into
 * b; *i moves past it.  Returns -1 after reporting an error. */
static int lex_variable(struct topo_parser *p, int lineno, const char *s, int len,
                        int *i, struct wbuf *b)
{
	int start = *i, j = start + 2;
	while (j < len && (isalnum((unsigned char)s[j]) || s[j] == '_'))
		j++;
	const char *name = s + start + 2;
	int name_len = j - (start + 2);
	const char *def = NULL;
	int def_len = 0;
	if (j + 1 < len && s[j] == ':' && s[j + 1] == '-') {
		def = s + j + 2;
		for (j += 2; j < len && s[j] != '}'; j++)
			;
		def_len = (int)(s + j - def);
	}
	if (j >= len || s[j] != '}') {
		const char *close = memchr(s + start, '}', len - start);
		if (!close) {
			topo_error(p, lineno, start + 1, len - start,
			           "unterminated variable: missing '}' after '${'");
			*i = len;
		} else {
			topo_error(p, lineno, start + 1, (int)(close - s) - start + 1,
			           "bad variable reference '%.*s': write ${NAME} or ${NAME:-default}, "
			           "NAME made of letters, digits and '_'",
			           (int)(close - s) - start + 1, s + start);
			*i = (int)(close - s) + 1;
		}
		return -1;
	}
	*i = j + 1;
	if (name_len == 0 || isdigit((unsigned char)name[0])) {
		topo_error(p, lineno, start + 1, j - start + 1,
		           "bad variable name '%.*s': use letters, digits and '_', not starting with a digit",
		           name_len, name);
		return -1;
	}
	const char *value = var_lookup(p, name, name_len);
	if (value && (*value || !def)) {
		wbuf_put(b, value, strlen(value));
		return 0;
	}
	if (def) {
		wbuf_put(b, def, def_len);
		return 0;
	}
	topo_error(p, lineno, start + 1, j - start + 1,
	           "variable '%.*s' is not set; set it on the command line "
	           "(kvick run %s %.*s=...) or give a default (${%.*s:-...})",
	           name_len, name, p->file, name_len, name, name_len, name);
	return -1;
}

/* A quoted piece starting at s[*i] == '"'.  Returns -1 on error. */
static int lex_quoted(struct topo_parser *p, int lineno, const char *s, int len,
                      int *i, struct wbuf *b, bool *bad)
{
	int open = *i;
	int j = open + 1;
	while (j < len && s[j] != '"') {
		if (s[j] == '\\' && j + 1 < len && strchr("\"\\$", s[j + 1])) {
			wbuf_put(b, s + j + 1, 1);
			j += 2;
		} else if (s[j] == '$' && j + 1 < len && s[j + 1] == '{') {
			if (lex_variable(p, lineno, s, len, &j, b))
				*bad = true;
		} else {
			wbuf_put(b, s + j, 1);
			j++;
		}
	}
	if (j >= len) {
		topo_error(p, lineno, open + 1, len - open,
		           "unterminated quote: missing closing '\"'");
		*i = len;
		return -1;
	}
	*i = j + 1;
	return 0;
}

int topo_lex_line(struct topo_parser *p, int lineno, struct topo_word *w, int max)
{
	const char *s = p->line[lineno];
	int len = p->line_len[lineno];
	int i = 0, n = 0;
	struct wbuf b = {0};

	for (;;) {
		while (i < len && isspace((unsigned char)s[i]))
			i++;
		if (i >= len || s[i] == '#')
			break;
		if (n == max) {
			topo_error(p, lineno, i + 1, len - i, "too many words on one line (at most %d)", max);
			w[n - 1].bad = true;
			break;
		}
		struct topo_word *word = &w[n];
		*word = (struct topo_word){.col = i + 1, .eq = -1};
		b.n = 0;
		wbuf_put(&b, "", 0);
		while (i < len && !isspace((unsigned char)s[i])) {
			if (s[i] == '"') {
				/* Unterminated, this quote runs to the end of the line. */
				if (lex_quoted(p, lineno, s, len, &i, &b, &word->bad))
					word->bad = true;
			} else if (s[i] == '$' && i + 1 < len && s[i + 1] == '{') {
				if (lex_variable(p, lineno, s, len, &i, &b))
					word->bad = true;
			} else {
				if (s[i] == '=' && word->eq < 0) {
					word->eq = (int)b.n;
					word->value_col = i + 2;
				}
				wbuf_put(&b, s + i, 1);
				i++;
			}
		}
		word->len = i + 1 - word->col;
		word->text = topo_strndup(p, b.s ? b.s : "", b.n);
		if (!word->text) {
			word->text = "";
			word->bad = true;
		}
		n++;
	}
	free(b.s);
	return n;
}
