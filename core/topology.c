/* topology.c -- read a topology file: `app` and `link` lines.
 *
 *     # comment
 *     app NAME CLASS [key=value ...]
 *     link FROM_APP.PORT -> TO_APP.PORT
 *
 *     worker NAME cpu=N                        (topology_worker.c)
 *     app NAME CLASS [key=value ...] @WORKER
 *
 * Reading goes in two passes.  The first reads line by line: words
 * (topology_lex.c), then each `app` line is checked against its class
 * (parameters, types, required ones) and each `link` line for its shape.
 * The second (topology_check.c) checks every link against the apps, which
 * may be declared after the link that names them.  All errors are
 * collected and printed at the end in line order; if there is any, the
 * caller gets NULL and nothing is started.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topology_internal.h"

/* ---- owned strings ---- */

char *topo_strndup(struct topo_parser *p, const char *s, size_t n)
{
	struct topo_string *str = malloc(sizeof(*str) + n + 1);
	if (!str)
		return NULL;
	memcpy(str->text, s, n);
	str->text[n] = 0;
	str->next = p->own->strings;
	p->own->strings = str;
	return str->text;
}

bool topo_is_name(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* Port names may also start with a digit: a classifier's outputs are
 * named by its rule file, and OVS rule files number their ports. */
bool topo_is_port_name(const char *s)
{
	if (*s >= '0' && *s <= '9') {
		char buf[APP_NAME_MAX] = "_";
		snprintf(buf + 1, sizeof buf - 1, "%s", s);
		return strlen(s) < APP_NAME_MAX - 1 && topo_is_name(buf);
	}
	return topo_is_name(s);
}

int topo_find_app(const struct topology *t, const char *name)
{
	for (int i = 0; i < t->napps; i++)
		if (!strcmp(t->apps[i].name, name))
			return i;
	return -1;
}

/* Column just after a word: where a missing next word was expected. */
static int col_after(const struct topo_word *w)
{
	return w->col + w->len;
}

/* ---- app NAME CLASS [key=value ...] ---- */

static const struct app_class *app_line_class(struct topo_parser *p, int lineno,
                                              const struct topo_word *cw)
{
	const struct app_class *cls = app_class_find(cw->text);
	if (cls)
		return cls;
	int n;
	const struct app_class *const *all = app_classes(&n);
	const char **names = calloc(n + 1, sizeof(*names));
	for (int i = 0; names && i < n; i++)
		names[i] = all[i]->name;
	char hint[128];
	char *list = names ? topo_name_list(names, n, n) : NULL;
	topo_error(p, lineno, cw->col, cw->len,
	           "unknown app class '%s'%s; known classes: %s", cw->text,
	           names ? topo_did_you_mean(hint, sizeof(hint), cw->text, names, n) : "",
	           list ? list : "?");
	free(list);
	free(names);
	return NULL;
}

static void unknown_param(struct topo_parser *p, int lineno, const struct topo_word *aw,
                          const char *key, const struct app_class *cls)
{
	int n = app_class_nparams(cls);
	if (n == 0) {
		topo_error(p, lineno, aw->col, aw->eq, "unknown parameter '%s': class '%s' takes no parameters",
		           key, cls->name);
		return;
	}
	const char *names[n];
	for (int i = 0; i < n; i++)
		names[i] = cls->params[i].name;
	char hint[128];
	char *list = topo_name_list(names, n, n);
	topo_error(p, lineno, aw->col, aw->eq,
	           "unknown parameter '%s' for class '%s'%s; its parameters: %s", key, cls->name,
	           topo_did_you_mean(hint, sizeof(hint), key, names, n), list ? list : "?");
	free(list);
}

/* One key=value word; returns true when it is valid and belongs in app. */
static bool app_line_param(struct topo_parser *p, int lineno, const struct topo_word *aw,
                           const struct app_class *cls, const struct topo_word *w, int k,
                           char **key_out)
{
	/* A word with an error already reported (an unset variable, say) counts
	 * as given, so no "missing parameter" piles on. */
	if (aw->bad) {
		*key_out = aw->eq > 0 ? topo_strndup(p, aw->text, aw->eq) : NULL;
		return false;
	}
	if (aw->eq < 0) {
		topo_error(p, lineno, aw->col, aw->len,
		           "expected key=value, got '%s' (app NAME CLASS [key=value ...])", aw->text);
		return false;
	}
	if (aw->eq == 0) {
		topo_error(p, lineno, aw->col, 1, "missing parameter name before '='");
		return false;
	}
	char *key = topo_strndup(p, aw->text, aw->eq);
	const char *value = aw->text + aw->eq + 1;
	*key_out = key;
	if (!key || !cls)
		return false;  /* the class is unknown: nothing to check against */
	const struct app_param *param = app_class_param(cls, key);
	if (!param) {
		unknown_param(p, lineno, aw, key, cls);
		return false;
	}
	for (int j = 3; j < k; j++) {
		if (w[j].eq == aw->eq && !strncmp(w[j].text, key, aw->eq)) {
			topo_error(p, lineno, aw->col, aw->eq,
			           "duplicate parameter '%s' (first given at column %d)", key, w[j].col);
			return false;
		}
	}
	const char *expected = param_value_error(param->type, value);
	if (expected) {
		topo_error(p, lineno, aw->value_col, aw->col + aw->len - aw->value_col,
		           "bad value '%s' for parameter '%s' (%s): expected %s", value, key,
		           param_type_name(param->type), expected);
		return false;
	}
	return true;
}

static void app_line_required(struct topo_parser *p, int lineno, const struct topo_word *nw,
                              const struct app_class *cls, char **keys, int nkeys)
{
	for (int i = 0; cls->params && cls->params[i].name; i++) {
		const struct app_param *pa = &cls->params[i];
		if (!pa->required || pa->def)
			continue;
		bool given = false;
		for (int k = 0; k < nkeys; k++)
			given |= keys[k] && !strcmp(keys[k], pa->name);
		if (!given)
			topo_error(p, lineno, nw->col, nw->len,
			           "missing required parameter '%s' for app '%s' of class '%s' (%s: %s); add %s=...",
			           pa->name, nw->text, cls->name, param_type_name(pa->type),
			           pa->help ? pa->help : "no help", pa->name);
	}
}

static bool app_line_name(struct topo_parser *p, int lineno, const struct topo_word *nw)
{
	if (!topo_is_name(nw->text)) {
		topo_error(p, lineno, nw->col, nw->len,
		           "bad app name '%s': use letters, digits and '_', starting with a letter or '_'",
		           nw->text);
		return false;
	}
	if (strlen(nw->text) >= APP_NAME_MAX) {
		topo_error(p, lineno, nw->col, nw->len, "app name '%s' is too long (at most %d characters)",
		           nw->text, APP_NAME_MAX - 1);
		return false;
	}
	int prev = topo_find_app(p->t, nw->text);
	if (prev >= 0) {
		topo_error(p, lineno, nw->col, nw->len, "duplicate app '%s'; previously declared at %s:%d",
		           nw->text, p->file, p->t->apps[prev].line);
		return false;
	}
	if (p->t->napps == TOPO_MAX_APPS) {
		topo_error(p, lineno, nw->col, nw->len, "too many apps (at most %d)", TOPO_MAX_APPS);
		return false;
	}
	return true;
}

/* Declare the app (even when its class is unknown or its line has other
 * errors), so links naming it do not pile "unknown app" errors on top of
 * the one that matters. */
static void app_declare(struct topo_parser *p, const struct topo_app *app,
                        const struct topo_word *nw)
{
	p->app_src[p->t->napps] = (struct topo_app_src){
		.name_col = nw->col, .name_len = nw->len, .broken = !app->cls,
	};
	p->t->apps[p->t->napps++] = *app;
}

static void parse_app(struct topo_parser *p, int lineno, const struct topo_word *w, int nw)
{
	int errors_before = p->nerrors;
	if (nw < 2) {
		topo_error(p, lineno, col_after(&w[0]), 1,
		           "expected an app name after 'app' (app NAME CLASS [key=value ...])");
		return;
	}
	if (nw < 3) {
		topo_error(p, lineno, col_after(&w[1]), 1,
		           "expected a class after app name '%s' (app NAME CLASS [key=value ...])", w[1].text);
		return;
	}
	bool name_ok = app_line_name(p, lineno, &w[1]);
	const struct app_class *cls = app_line_class(p, lineno, &w[2]);
	if (nw - 3 > TOPO_MAX_PARAMS) {
		topo_error(p, lineno, w[3 + TOPO_MAX_PARAMS].col, w[3 + TOPO_MAX_PARAMS].len,
		           "too many parameters (at most %d)", TOPO_MAX_PARAMS);
		nw = 3 + TOPO_MAX_PARAMS;   /* check the others all the same */
	}
	struct topo_app app = {.name = w[1].text, .cls = cls, .line = lineno, .worker = -1};
	const struct topo_word *at;
	topo_app_placement(p, lineno, w, nw, &at);
	char *keys[TOPO_MAX_WORDS] = {0};
	for (int k = 3; k < nw; k++) {
		if (topo_is_placement(&w[k]))
			continue;   /* @WORKER, checked above */
		if (app_line_param(p, lineno, &w[k], cls, w, k, &keys[k - 3]))
			app.args[app.nargs++] = (struct topo_arg){
				.key = keys[k - 3], .value = w[k].text + w[k].eq + 1,
				.line = lineno, .col = w[k].col, .value_col = w[k].value_col,
				.value_len = w[k].col + w[k].len - w[k].value_col,
			};
	}
	if (cls)
		app_line_required(p, lineno, &w[1], cls, keys, nw - 3);
	if (name_ok) {
		/* (a bad word's error was reported when the line was split) */
		bool line_ok = p->nerrors == errors_before;
		for (int k = 0; k < nw; k++)
			line_ok &= !w[k].bad;
		app_declare(p, &app, &w[1]);
		struct topo_app_src *src = &p->app_src[p->t->napps - 1];
		src->line_ok = line_ok;
		if (at) {
			src->at = at->text;
			src->at_col = at->col;
			src->at_len = at->len;
		}
	}
}

/* An app line whose name or class had an error (an unset variable, say):
 * only declare the app it names, if it clearly names one. */
static void parse_broken_app(struct topo_parser *p, int lineno, const struct topo_word *w, int nw)
{
	if (nw < 2 || w[1].bad || !topo_is_name(w[1].text) || strlen(w[1].text) >= APP_NAME_MAX ||
	    topo_find_app(p->t, w[1].text) >= 0 || p->t->napps == TOPO_MAX_APPS)
		return;
	struct topo_app app = {
		.name = w[1].text, .cls = nw > 2 && !w[2].bad ? app_class_find(w[2].text) : NULL,
		.line = lineno, .worker = -1,
	};
	app_declare(p, &app, &w[1]);
}

/* ---- link FROM_APP.PORT -> TO_APP.PORT ---- */

/* The words after `link`, re-split around "->" so "a.out->b.in" works too. */
struct link_piece {
	const char *text;
	int col, len;
};

static int link_pieces(struct topo_parser *p, const struct topo_word *w, int nw,
                       struct link_piece *out, int max)
{
	int n = 0;
	for (int k = 1; k < nw && n < max; k++) {
		const char *t = w[k].text;
		size_t pos = 0, tlen = strlen(t);
		while (pos < tlen && n < max) {
			const char *arrow = strstr(t + pos, "->");
			size_t end = arrow ? (size_t)(arrow - t) : tlen;
			int col = w[k].col + (int)pos;
			if (col > w[k].col + w[k].len - 1)
				col = w[k].col + w[k].len - 1;  /* text grew through a variable */
			if (end > pos) {
				out[n++] = (struct link_piece){topo_strndup(p, t + pos, end - pos), col, (int)(end - pos)};
				pos = end;
				continue;
			}
			out[n++] = (struct link_piece){"->", col, 2};
			pos += 2;
		}
	}
	return n;
}

/* Split "app.port"; returns false (after an error) if it is not that. */
static bool link_endpoint(struct topo_parser *p, int lineno, const struct link_piece *pc,
                          const char **app, const char **port)
{
	const char *dot = strchr(pc->text, '.');
	if (!dot || dot == pc->text || !dot[1] || strchr(dot + 1, '.')) {
		topo_error(p, lineno, pc->col, pc->len,
		           "malformed link endpoint '%s': expected APP.PORT (e.g. nic0.output)", pc->text);
		return false;
	}
	*app = topo_strndup(p, pc->text, dot - pc->text);
	*port = dot + 1;
	if (*app && !topo_is_name(*app)) {
		topo_error(p, lineno, pc->col, (int)(dot - pc->text), "bad app name '%s' in link", *app);
		return false;
	}
	if (!topo_is_port_name(*port)) {
		topo_error(p, lineno, pc->col + (int)(dot - pc->text) + 1, (int)strlen(*port),
		           "bad port name '%s': use letters, digits and '_'", *port);
		return false;
	}
	return *app != NULL;
}

static void parse_link(struct topo_parser *p, int lineno, const struct topo_word *w, int nw)
{
	struct link_piece pc[TOPO_MAX_WORDS * 2];
	int n = link_pieces(p, w, nw, pc, TOPO_MAX_WORDS * 2);
	int arrow = -1;
	for (int i = 0; i < n && arrow < 0; i++)
		if (!strcmp(pc[i].text, "->"))
			arrow = i;
	int end_col = col_after(&w[nw - 1]);
	if (n == 0) {
		topo_error(p, lineno, end_col, 1,
		           "malformed link: expected FROM_APP.PORT -> TO_APP.PORT after 'link'");
		return;
	}
	if (arrow < 0) {
		int col = n > 1 ? pc[1].col : end_col;
		topo_error(p, lineno, col, n > 1 ? pc[1].len : 1,
		           "malformed link: expected '->' between FROM_APP.PORT and TO_APP.PORT");
		return;
	}
	if (arrow == 0) {
		topo_error(p, lineno, pc[0].col, 2, "malformed link: expected FROM_APP.PORT before '->'");
		return;
	}
	if (arrow > 1) {
		topo_error(p, lineno, pc[1].col, pc[1].len,
		           "malformed link: expected '->' after '%s', got '%s'", pc[0].text, pc[1].text);
		return;
	}
	if (arrow == n - 1) {
		topo_error(p, lineno, end_col, 1, "malformed link: expected TO_APP.PORT after '->'");
		return;
	}
	if (n > 3) {
		topo_error(p, lineno, pc[3].col, pc[3].len,
		           "malformed link: unexpected '%s' after '%s'", pc[3].text, pc[2].text);
		return;
	}
	struct topo_link l = {.line = lineno};
	bool ok = link_endpoint(p, lineno, &pc[0], &l.from_app, &l.from_port);
	ok &= link_endpoint(p, lineno, &pc[2], &l.to_app, &l.to_port);
	if (!ok)
		return;
	if (p->t->nlinks == TOPO_MAX_LINKS) {
		topo_error(p, lineno, pc[0].col, 1, "too many links (at most %d)", TOPO_MAX_LINKS);
		return;
	}
	int from_app_len = (int)strlen(l.from_app), to_app_len = (int)strlen(l.to_app);
	p->link_src[p->t->nlinks] = (struct topo_link_src){
		.col = {pc[0].col, pc[0].col + from_app_len + 1, pc[2].col, pc[2].col + to_app_len + 1},
		.len = {from_app_len, (int)strlen(l.from_port), to_app_len, (int)strlen(l.to_port)},
	};
	p->t->links[p->t->nlinks++] = l;
}

/* ---- the file ---- */

static void parse_words(struct topo_parser *p, int lineno, const struct topo_word *w, int n,
                        bool bad)
{
	if (!strcmp(w[0].text, "app")) {
		if ((n > 1 && w[1].bad) || (n > 2 && w[2].bad))
			parse_broken_app(p, lineno, w, n);
		else
			parse_app(p, lineno, w, n);   /* skips the checks of bad words */
	} else if (bad) {
		return;   /* the error is reported; guessing more would mislead */
	} else if (!strcmp(w[0].text, "link")) {
		parse_link(p, lineno, w, n);
	} else if (!strcmp(w[0].text, "worker")) {
		topo_parse_worker(p, lineno, w, n);
	} else {
		static const char *const keywords[] = {"app", "link", "worker"};
		char hint[64];
		topo_error(p, lineno, w[0].col, w[0].len,
		           "unknown keyword '%s'%s; a line is 'app NAME CLASS [key=value ...]', "
		           "'link FROM_APP.PORT -> TO_APP.PORT' or a '# comment'",
		           w[0].text, topo_did_you_mean(hint, sizeof(hint), w[0].text, keywords, 3));
	}
}

static void parse_line(struct topo_parser *p, int lineno)
{
	struct topo_word w[TOPO_MAX_WORDS];
	int errors_before = p->nerrors;
	int n = topo_lex_line(p, lineno, w, TOPO_MAX_WORDS);
	bool bad = false;
	for (int i = 0; i < n; i++)
		bad |= w[i].bad;
	if (n == 0)
		return;
	parse_words(p, lineno, w, n, bad);
	/* A line that is not a valid app line may have been meant as a link:
	 * what it linked is unknown, so "not linked" must not be claimed. */
	if (p->nerrors > errors_before && strcmp(w[0].text, "app") && strcmp(w[0].text, "worker"))
		p->broken_links++;
}

static char *read_file(const char *file, FILE *err)
{
	FILE *f = fopen(file, "r");
	if (!f) {
		if (err)
			fprintf(err, "%s: error: cannot read: %s\n", file, strerror(errno));
		return NULL;
	}
	char *s = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&s, &size);
	char buf[8192];
	size_t got;
	while (mem && (got = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, got, mem);
	bool failed = ferror(f) || !mem;
	fclose(f);
	if (mem)
		fclose(mem);   /* s now holds the text, NUL-terminated */
	if (failed || !s) {
		if (err)
			fprintf(err, "%s: error: cannot read: %s\n", file, mem ? "read error" : "out of memory");
		free(s);
		return NULL;
	}
	return s;
}

/* Split p->text into lines in place. */
static int split_lines(struct topo_parser *p)
{
	int n = 1;
	for (const char *c = p->text; *c; c++)
		n += *c == '\n';
	p->line = calloc(n + 1, sizeof(*p->line));
	p->line_len = calloc(n + 1, sizeof(*p->line_len));
	if (!p->line || !p->line_len)
		return -1;
	char *c = p->text;
	p->nlines = 0;
	while (*c) {
		char *nl = strchr(c, '\n');
		int len = nl ? (int)(nl - c) : (int)strlen(c);
		if (len > 0 && c[len - 1] == '\r')
			len--;   /* a file edited on Windows */
		p->nlines++;
		p->line[p->nlines] = c;
		p->line_len[p->nlines] = len;
		if (!nl)
			break;
		c = nl + 1;
	}
	return 0;
}

static int build_args(struct topology *t, struct topo_owned *own)
{
	own->args = calloc(t->napps ? t->napps : 1, sizeof(*own->args));
	if (!own->args)
		return -1;
	for (int i = 0; i < t->napps; i++) {
		const struct topo_app *a = &t->apps[i];
		const char *keys[TOPO_MAX_PARAMS], *values[TOPO_MAX_PARAMS];
		for (int k = 0; k < a->nargs; k++) {
			keys[k] = a->args[k].key;
			values[k] = a->args[k].value;
		}
		if (app_args_init(&own->args[i], a->cls, keys, values, a->nargs))
			return -1;
	}
	return 0;
}

static void parser_free(struct topo_parser *p)
{
	topo_diag_free(p);
	free(p->var_used);
	free(p->line);
	free(p->line_len);
	free(p->text);
	free(p);
}

struct topology *topology_parse(const char *file, const char *text,
                                const struct topo_vars *vars, FILE *err)
{
	struct topology *t = calloc(1, sizeof(*t));
	struct topo_owned *own = calloc(1, sizeof(*own));
	struct topo_parser *p = calloc(1, sizeof(*p));
	if (!t || !own || !p) {
		if (err)
			fprintf(err, "%s: error: out of memory\n", file);
		free(t), free(own), free(p);
		return NULL;
	}
	t->arena = own;
	*p = (struct topo_parser){.t = t, .own = own, .file = file, .vars = vars};
	p->text = text ? strdup(text) : read_file(file, err);
	p->var_used = calloc(vars && vars->n ? vars->n : 1, sizeof(bool));
	if (!p->text || !p->var_used || split_lines(p)) {
		if (p->text && err)
			fprintf(err, "%s: error: out of memory\n", file);
		parser_free(p);
		topology_free(t);
		return NULL;
	}
	t->file = topo_strndup(p, file, strlen(file));

	for (int i = 1; i <= p->nlines; i++)
		parse_line(p, i);
	topo_check(p);

	topo_diag_print(p, err);
	bool failed = p->nerrors > 0;
	parser_free(p);
	if (failed || build_args(t, own)) {
		topology_free(t);
		return NULL;
	}
	return t;
}

void topology_free(struct topology *t)
{
	if (!t)
		return;
	struct topo_owned *own = t->arena;
	if (own) {
		for (int i = 0; own->args && i < t->napps; i++)
			app_args_release(&own->args[i]);
		free(own->args);
		for (struct topo_string *s = own->strings, *next; s; s = next) {
			next = s->next;
			free(s);
		}
		free(own);
	}
	free(t);
}

const struct app_args *topology_app_args(const struct topology *t, int app_index)
{
	const struct topo_owned *own = t->arena;
	if (app_index < 0 || app_index >= t->napps || !own->args)
		return NULL;
	return &own->args[app_index];
}
