/* cli.h -- small helpers shared by the `kvick` commands in cli/.
 *
 * Conventions every command follows (so users can rely on them):
 *   - `--help` / `-h` anywhere: usage and options on stdout, exit 0;
 *   - a usage error: one line saying what is wrong, then the usage, on
 *     stderr, exit 2;
 *   - options take their value as "--opt VALUE" or "--opt=VALUE";
 *   - NAME=VALUE arguments after the topology file set its ${NAME}.
 */
#ifndef KVICK_CLI_H
#define KVICK_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "../core/topology.h"

#define CLI_MAX_VARS 64

/* True when argv[1..] asks for help. */
bool cli_wants_help(int argc, char **argv);

/* "usage: kvick USAGE\n\nHELP\n" plus the command's option text. */
void cli_print_help(const char *name, const char *options, FILE *out);

/* Print "kvick NAME: MESSAGE" and the usage line to stderr; returns 2. */
int cli_usage_error(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Variables from NAME=VALUE arguments. */
struct cli_vars {
	const char *names[CLI_MAX_VARS];
	const char *values[CLI_MAX_VARS];
	char *owned[CLI_MAX_VARS];    /* the names, split off their values */
	int n;
	struct topo_vars view;        /* what topology_parse() takes */
};
/* Whether arg looks like NAME=VALUE (NAME a valid variable name). */
bool cli_is_var(const char *arg);
/* Add one NAME=VALUE; returns -1 (after a usage error) if there are too many. */
int cli_vars_add(struct cli_vars *v, const char *cmd, const char *arg);
const struct topo_vars *cli_vars_view(struct cli_vars *v);
void cli_vars_free(struct cli_vars *v);

/* Option with a value at argv[*i]: matches "--name VALUE" and
 * "--name=VALUE".  Returns 1 and sets *value (advancing *i past a separate
 * value), 0 if argv[*i] is not this option, -1 (after a usage error) when
 * the value is missing. */
int cli_option_value(int argc, char **argv, int *i, const char *cmd, const char *name,
                     const char **value);

/* Strict number parsing for option values: 0 on success. */
int cli_parse_double(const char *s, double *out);
int cli_parse_int(const char *s, long *out);

/* The common shape of `check` and `graph`: FILE [VAR=VALUE ...].
 * Returns the parsed topology (errors already printed to stderr), or NULL
 * with *status set to the exit code (1: topology error, 2: usage). */
struct topology *cli_parse_topology_args(int argc, char **argv, int *status);

#endif
