/* topology_diag.c -- errors and warnings of the topology parser.
 *
 * Messages are collected while the file is read and printed at the end,
 * errors before warnings, each sorted by position, so checks that need the whole file (links) still
 * come out in line order.  Each one looks like a compiler's:
 *
 *     bridge.topo:3:11: error: unknown app class 'brige'; did you mean ...
 *         app br    brige
 *                   ^~~~~
 *
 * The line is shown as written; the marker line copies its tabs so the
 * caret lands under the right character whatever the tab width.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suggest.h"
#include "topology_internal.h"

static void diag_add(struct topo_parser *p, bool warning, int line, int col, int len,
                     const char *fmt, va_list ap)
{
	if (p->ndiags == p->cap_diags) {
		int cap = p->cap_diags ? 2 * p->cap_diags : 16;
		struct topo_diag *d = realloc(p->diags, cap * sizeof(*d));
		if (!d)
			return;  /* out of memory: the error count below still fails the parse */
		p->diags = d;
		p->cap_diags = cap;
	}
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	if (msg)
		p->diags[p->ndiags++] = (struct topo_diag){
			.line = line, .col = col, .len = len > 0 ? len : 1,
			.warning = warning, .seq = p->ndiags, .msg = msg,
		};
}

void topo_error(struct topo_parser *p, int line, int col, int len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_add(p, false, line, col, len, fmt, ap);
	va_end(ap);
	p->nerrors++;
}

void topo_warning(struct topo_parser *p, int line, int col, int len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_add(p, true, line, col, len, fmt, ap);
	va_end(ap);
}

/* Errors first, then warnings (a warning is often a consequence of an
 * error: the reader fixes errors first); each in line order.  File-level
 * messages (line 0) go last: they sum up the whole file. */
static int diag_cmp(const void *a, const void *b)
{
	const struct topo_diag *x = a, *y = b;
	if (x->warning != y->warning)
		return x->warning ? 1 : -1;
	int lx = x->line ? x->line : 1 << 30, ly = y->line ? y->line : 1 << 30;
	if (lx != ly)
		return lx < ly ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq - y->seq;
}

static void print_marker(const char *line, int line_len, int col, int len, FILE *err)
{
	fputs("    ", err);
	for (int i = 0; i < col - 1; i++)
		fputc(i < line_len && line[i] == '\t' ? '\t' : ' ', err);
	fputc('^', err);
	/* Underline the rest of the offending text, but not past the line. */
	for (int i = col; i < col + len - 1 && i < line_len; i++)
		fputc('~', err);
	fputc('\n', err);
}

static void print_one(const struct topo_parser *p, const struct topo_diag *d, FILE *err)
{
	const char *kind = d->warning ? "warning" : "error";
	if (d->line == 0) {
		fprintf(err, "%s: %s: %s\n", p->file, kind, d->msg);
		return;
	}
	if (d->col == 0) {
		fprintf(err, "%s:%d: %s: %s\n", p->file, d->line, kind, d->msg);
		return;
	}
	fprintf(err, "%s:%d:%d: %s: %s\n", p->file, d->line, d->col, kind, d->msg);
	if (d->line <= p->nlines) {
		fprintf(err, "    %.*s\n", p->line_len[d->line], p->line[d->line]);
		print_marker(p->line[d->line], p->line_len[d->line], d->col, d->len, err);
	}
}

void topo_diag_print(struct topo_parser *p, FILE *err)
{
	if (!err || p->ndiags == 0)
		return;
	qsort(p->diags, p->ndiags, sizeof(*p->diags), diag_cmp);
	int shown = 0;
	for (int i = 0; i < p->ndiags; i++) {
		if (!p->diags[i].warning && shown == TOPO_MAX_ERRORS)
			continue;  /* keep printing warnings, not errors past the cap */
		print_one(p, &p->diags[i], err);
		shown += !p->diags[i].warning;
	}
	if (p->nerrors > TOPO_MAX_ERRORS)
		fprintf(err, "%s: note: %d more errors not shown (the first %d are)\n",
		        p->file, p->nerrors - TOPO_MAX_ERRORS, TOPO_MAX_ERRORS);
}

void topo_diag_free(struct topo_parser *p)
{
	for (int i = 0; i < p->ndiags; i++)
		free(p->diags[i].msg);
	free(p->diags);
	p->diags = NULL;
	p->ndiags = p->cap_diags = 0;
}

char *topo_name_list(const char *const *names, int n, int max)
{
	if (n == 0)
		return strdup("(none)");
	size_t size = 8;
	for (int i = 0; i < n && i < max; i++)
		size += strlen(names[i]) + 2;
	char *s = malloc(size);
	if (!s)
		return NULL;
	s[0] = 0;
	for (int i = 0; i < n && i < max; i++) {
		if (i)
			strcat(s, ", ");
		strcat(s, names[i]);
	}
	if (n > max)
		strcat(s, ", ...");
	return s;
}

const char *topo_did_you_mean(char *buf, size_t size, const char *word,
                              const char *const *names, int n)
{
	const char *best = suggest_closest(word, names, n);
	if (best)
		snprintf(buf, size, " (did you mean '%s'?)", best);
	else
		snprintf(buf, size, "%s", "");
	return buf;
}
