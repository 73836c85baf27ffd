/* topology.h -- the topology language: parse, check, and describe.
 *
 *     # comment
 *     app NAME CLASS [key=value ...]     # values may use ${VAR} or ${VAR:-default}
 *     link FROM_APP.PORT -> TO_APP.PORT
 *     worker NAME cpu=N                  # a process pinned to CPU N
 *     app NAME CLASS [key=value ...] @WORKER   # the app runs on that worker
 *
 * A file without `worker` lines runs every app in one process, as it always
 * did.  With workers, apps without `@` run in one more worker, "main"
 * (core/workers.h).
 *
 * topology_parse() reads and checks a whole file against the registered app
 * classes.  Every error is reported as
 *
 *     FILE:LINE:COL: error: MESSAGE
 *         the offending line
 *             ^
 *
 * and says what was expected (an unknown class lists the known ones, an
 * unknown parameter lists the class's parameters, ...).  A topology with an
 * error is never started.
 */
#ifndef KVICK_TOPOLOGY_H
#define KVICK_TOPOLOGY_H

#include <stdio.h>

#include "app.h"

#define TOPO_MAX_APPS   256
#define TOPO_MAX_LINKS  1024
#define TOPO_MAX_PARAMS 32
#define TOPO_MAX_WORKERS 32
#define TOPO_WORKER_NAME_MAX 32

struct topo_arg {
	const char *key;
	const char *value;       /* after ${VAR} substitution */
	int line, col;           /* where the key=value word starts */
	int value_col, value_len;  /* where its value was written */
};

struct topo_app {
	const char *name;
	const struct app_class *cls;
	struct topo_arg args[TOPO_MAX_PARAMS];
	int nargs;
	int line;
	int worker;              /* index in topology.workers, -1: not placed */
};

struct topo_worker {
	const char *name;
	int cpu;
	int line;
};

struct topo_link {
	const char *from_app, *from_port;
	const char *to_app, *to_port;
	int line;
};

struct topology {
	const char *file;        /* as given, for messages */
	struct topo_app apps[TOPO_MAX_APPS];
	int napps;
	struct topo_link links[TOPO_MAX_LINKS];
	int nlinks;
	struct topo_worker workers[TOPO_MAX_WORKERS];
	int nworkers;            /* 0: no worker lines, one process as always */
	void *arena;             /* owned strings */
};

/* Variables given on the command line: NAME=VALUE. */
struct topo_vars {
	const char *const *names;
	const char *const *values;
	int n;
};

/* Parse and check a file (or, with text != NULL, the given text, named
 * `file` in messages).  Returns NULL after printing every error found to
 * err (at most 20). */
struct topology *topology_parse(const char *file, const char *text,
                                const struct topo_vars *vars, FILE *err);
void topology_free(struct topology *t);

/* Graphviz DOT for `kvick graph`. */
void topology_dot(const struct topology *t, FILE *out);

/* The args of one app, in the form app.h's app_arg_* read; defaults from
 * the class are applied.  (Owned by the topology.) */
const struct app_args *topology_app_args(const struct topology *t, int app_index);

#endif
