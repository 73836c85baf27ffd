/* topology_internal.h -- shared by the parts of the topology parser:
 *
 *   topology.c        public API, reading the file, `app` and `link` lines
 *   topology_lex.c    splitting a line into words: quotes, ${VAR}, comments
 *   topology_worker.c `worker` lines and `@WORKER` placements
 *   topology_check.c  the whole-file checks: links against apps and ports,
 *                     then each app class's own check() of its values
 *   topology_diag.c   collecting, sorting and printing errors and warnings
 *   topology_dot.c    Graphviz output
 *
 * Not for use outside core/topology*.c.
 */
#ifndef KVICK_TOPOLOGY_INTERNAL_H
#define KVICK_TOPOLOGY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "app_args.h"
#include "topology.h"

#define TOPO_MAX_ERRORS 20   /* printed; more are counted, not shown */
#define TOPO_MAX_WORDS  (TOPO_MAX_PARAMS + 8)

/* What struct topology's `arena` points to: everything the topology owns. */
struct topo_string {
	struct topo_string *next;
	char text[];
};
struct topo_owned {
	struct topo_string *strings;
	struct app_args *args;       /* one per app, built once the file is valid */
};

/* One word of a line after quotes and variables are resolved. */
struct topo_word {
	const char *text;
	int col, len;       /* where it was written: 1-based column, raw length */
	int eq;             /* offset in text of the first '=' written outside
	                       quotes and variables; -1 when there is none */
	int value_col;      /* column of what follows that '=' */
	bool bad;           /* an error was reported inside it (unset variable,
	                       unterminated quote): skip checks of its text */
};

/* One error or warning, printed once the whole file is read. */
struct topo_diag {
	int line, col, len;  /* line 0: about the file; col 0: about the line */
	bool warning;
	int seq;             /* order found, to keep sorting stable */
	char *msg;
};

/* Where an app or link was written, for messages that point back at it. */
struct topo_app_src {
	int name_col, name_len;
	bool broken;         /* its class is unknown: skip checks that need it */
	bool line_ok;        /* its line had no error: the class may check it */
	bool linked;
	const char *at;      /* "@WORKER" placement written on its line, or NULL */
	int at_col, at_len;
};
struct topo_worker_src {
	int name_col, name_len;
	int cpu_col, cpu_len;    /* the value of cpu= */
	bool used;               /* an app is placed on it */
};
struct topo_link_src {
	int col[4], len[4];  /* from app, from port, to app, to port */
};

struct topo_parser {
	struct topology *t;
	struct topo_owned *own;
	const char *file;
	char *text;               /* whole file, owned by the parser */
	const char **line;        /* start of each line (1-based: line[1]) */
	int *line_len;            /* without the newline and a trailing CR */
	int nlines;
	const struct topo_vars *vars;
	bool *var_used;
	struct topo_diag *diags;
	int ndiags, cap_diags, nerrors;
	int broken_links;         /* lines that may have been links but had errors */
	struct topo_app_src app_src[TOPO_MAX_APPS];
	struct topo_link_src link_src[TOPO_MAX_LINKS];
	struct topo_worker_src worker_src[TOPO_MAX_WORKERS];
};

/* topology.c */
char *topo_strndup(struct topo_parser *p, const char *s, size_t n);
bool topo_is_name(const char *s);
bool topo_is_port_name(const char *s);  /* a name, or one starting with a digit */
int topo_find_app(const struct topology *t, const char *name);

/* topology_lex.c: the words of line `lineno` into w[]; returns how many.
 * A word with an error in it (reported already) has its `bad` flag set. */
int topo_lex_line(struct topo_parser *p, int lineno, struct topo_word *w, int max);

/* topology_worker.c: a `worker NAME cpu=N` line; the `@WORKER` words at the
 * end of an app line (*at: the placement, NULL if none or after an error
 * it reports: misplaced, repeated); resolving placements once the
 * whole file is read. */
void topo_parse_worker(struct topo_parser *p, int lineno, const struct topo_word *w, int nw);
void topo_app_placement(struct topo_parser *p, int lineno, const struct topo_word *w, int nw,
                        const struct topo_word **at);
bool topo_is_placement(const struct topo_word *w);
void topo_check_workers(struct topo_parser *p);

/* topology_check.c: checks that need the whole file (links, each class's
 * check() of its values, unused apps). */
void topo_check(struct topo_parser *p);

/* topology_diag.c */
void topo_error(struct topo_parser *p, int line, int col, int len, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void topo_warning(struct topo_parser *p, int line, int col, int len, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void topo_diag_print(struct topo_parser *p, FILE *err);
void topo_diag_free(struct topo_parser *p);
/* "a, b, c" (malloc'd; "(none)" when n == 0); past `max` names, ", ..." */
char *topo_name_list(const char *const *names, int n, int max);
/* " (did you mean 'x'?)" for the closest of names, or "" (written to buf). */
const char *topo_did_you_mean(char *buf, size_t size, const char *word,
                              const char *const *names, int n);

#endif
