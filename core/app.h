/* app.h -- the interface every app implements.
 *
 * An app class is one static descriptor (struct app_class) in one file,
 * registered with one line:
 *
 *     KVICK_APP(sink_class);
 *
 * The registration puts a pointer in the "kvick_apps" linker section; the
 * parser, the CLI (`kvick apps`) and docs/apps.md all learn the class from
 * it.  Nothing else needs editing to add an app.
 *
 * Life of an instance:
 *   1. the topology is checked against the class (ports, parameters, types),
 *      then by the class's own check(args) if it has one: ranges, a filter
 *      that compiles, a file that is a pcap, ports that must be linked.
 *      This is part of reading the file, so `kvick check` refuses exactly
 *      what `kvick run` refuses, with the same FILE:LINE:COL message;
 *   2. the engine creates struct app, connects its links, then calls
 *      new(app, args) (only ever on values check() passed): the app reads
 *      its parameters, allocates its state
 *      in app->state, may cache its links (app_input/app_output), and may
 *      register counters (app_counter).  On failure it calls app_error()
 *      and returns -1; nothing is started.
 *   3. every breath: pull() (sources: bring packets in), then push()
 *      (move packets from inputs to outputs).  Both take at most
 *      LINK_MAX_BATCH packets per call from each input.
 *   4. stop(): give back every packet the app still holds, release
 *      resources.  report(): print a few lines for the final report.
 *
 * Ports: a class lists its input and output port names.  The single name
 * "*" means "any name": the topology may connect any number of ports
 * (tee's outputs, join's inputs, a bridge's ports).
 */
#ifndef KVICK_APP_H
#define KVICK_APP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../links/link.h"

#define APP_MAX_PORTS    64
#define APP_MAX_COUNTERS 48
#define APP_NAME_MAX     64

enum param_type {
	PARAM_STRING,
	PARAM_INT,      /* signed 64-bit, decimal or 0x hex */
	PARAM_BOOL,     /* true/false, yes/no, on/off, 1/0 */
	PARAM_FLOAT,
	PARAM_MAC,      /* 00:11:22:33:44:55 */
	PARAM_IPV4,     /* 10.0.0.1 */
};

struct app_param {
	const char *name;
	enum param_type type;
	const char *def;      /* default value as text; NULL: none */
	bool required;
	const char *help;
};

struct app;
struct app_args;
struct app_check;

struct app_class {
	const char *name;     /* as used in topology files */
	const char *help;     /* one line */
	const char *doc;      /* optional longer text (ports, counters, notes) */
	const char *const *inputs;   /* NULL-terminated names, or {"*", NULL} */
	const char *const *outputs;
	const struct app_param *params; /* terminated by {NULL} */
	/* Optional: refuse what the parameter types alone let through, without
	 * opening a device or creating a file.  0, or app_check_error(). */
	int  (*check)(struct app_check *c, const struct app_args *args);
	int  (*new)(struct app *app, const struct app_args *args);
	void (*pull)(struct app *app);   /* NULL: not a source */
	void (*push)(struct app *app);   /* NULL: nothing to do on push */
	void (*stop)(struct app *app);   /* NULL: nothing to release */
	void (*report)(struct app *app, FILE *out); /* NULL: counters only */
	/* Finite sources: true once the app will produce nothing more (a pcap
	 * file read to the end, a source that sent count packets).  NULL: the
	 * app never finishes on its own. */
	bool (*done)(struct app *app);
};

struct app_port {
	const char *name;
	struct link *link;
};

struct app_counter {
	const char *name;
	uint64_t *value;      /* lives in the process's counter file */
};

struct app {
	const struct app_class *cls;
	char name[APP_NAME_MAX];
	void *state;          /* the class's own data */
	struct app_port in[APP_MAX_PORTS];
	int nin;
	struct app_port out[APP_MAX_PORTS];
	int nout;
	struct app_counter counters[APP_MAX_COUNTERS];
	int ncounters;
	char error[256];      /* set by app_error() */
	const char *where;    /* "file:line" of the app line, for messages */
};

/* Registration: one line per class, in the class's own file. */
#define KVICK_APP(cls)                                                         \
	static const struct app_class *const kvick_app_ptr_##cls                   \
		__attribute__((used, section("kvick_apps"), aligned(sizeof(void *)))) = &cls

/* All registered classes, sorted by name; count in *n. */
const struct app_class *const *app_classes(int *n);
const struct app_class *app_class_find(const char *name);

/* Links of an instance by port name; NULL when that port is not connected. */
struct link *app_input(const struct app *app, const char *port);
struct link *app_output(const struct app *app, const char *port);

/* Parameter values, already checked against the class: a parameter with no
 * value and no default reads as NULL / 0 / false.  app_arg_isset tells
 * whether the topology gave it (or it has a default). */
bool        app_arg_isset(const struct app_args *a, const char *name);
const char *app_arg_str(const struct app_args *a, const char *name);
int64_t     app_arg_int(const struct app_args *a, const char *name);
bool        app_arg_bool(const struct app_args *a, const char *name);
double      app_arg_float(const struct app_args *a, const char *name);
/* mac/ipv4 parameters: parsed into out (6 / 4 bytes); false if unset. */
bool        app_arg_mac(const struct app_args *a, const char *name, uint8_t out[6]);
bool        app_arg_ipv4(const struct app_args *a, const char *name, uint8_t out[4]);

/* A counter named `name` for this app, shown by the report, --report-json
 * and `kvick top`.  The pointer stays valid for the app's life; increment
 * it directly on the hot path.  Returns a dummy slot (never NULL) if the
 * app already has APP_MAX_COUNTERS. */
uint64_t *app_counter(struct app *app, const char *name);

/* Record why new() failed (printf-style); returns -1 for convenience:
 *     return app_error(app, "cannot open %s: %s", file, strerror(errno));
 * Called while running (a corrupt input file, a device gone), it records a
 * runtime error: the run goes on delivering what it can, and at its end
 * the error is printed and `kvick run` exits with status 1.  Log it too
 * (log_error) if the operator should see it at once. */
int app_error(struct app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A runtime error after which going on is pointless (the disk the app
 * writes to is full): app_error(), and the run stops after this breath,
 * cleanly -- every app's stop() runs -- with exit status 1. */
int app_fatal(struct app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* How many app_fatal() calls so far (the engine stops when it grows). */
unsigned app_fatal_count(void);

/* From a class's check(): why the app line is refused.  `param` is the
 * parameter at fault (the message points at its value), or NULL for the
 * app as a whole (it points at the app's name).  Returns -1:
 *     return app_check_error(c, "size", "size=%lld is out of range", ...);
 */
int app_check_error(struct app_check *c, const char *param, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* From check(): whether the topology links input (output=false) or output
 * port `port` of this app; port NULL: any port on that side.  When a link
 * line of the file is itself broken this answers true, so one mistake
 * gives one message. */
bool app_check_linked(const struct app_check *c, const char *port, bool output);
/* From check(): the name of the i-th linked input or output port (for
 * classes that take any name, "*"), or NULL past the last one. */
const char *app_check_port(const struct app_check *c, bool output, int i);

/* Parse helpers shared by the parser and apps. 0 on success. */
int parse_mac(const char *s, uint8_t out[6]);
int parse_ipv4(const char *s, uint8_t out[4]);

#endif
