/* cli_util.c -- helpers shared by the `kvick` commands (see cli.h). */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"

bool cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

void cli_print_help(const char *name, const char *options, FILE *out)
{
	const struct command *c = command_find(name);
	fprintf(out, "usage: kvick %s\n\n%s.\n", c ? c->usage : name, c ? c->help : "");
	if (options && *options)
		fprintf(out, "\n%s", options);
}

int cli_usage_error(const char *name, const char *fmt, ...)
{
	const struct command *c = command_find(name);
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "kvick %s: ", name);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: kvick %s\n(kvick %s --help for details)\n", c ? c->usage : name, name);
	return 2;
}

bool cli_is_var(const char *arg)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg || !(isalpha((unsigned char)arg[0]) || arg[0] == '_'))
		return false;
	for (const char *s = arg; s < eq; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

int cli_vars_add(struct cli_vars *v, const char *cmd, const char *arg)
{
	if (v->n == CLI_MAX_VARS) {
		cli_usage_error(cmd, "too many variables (at most %d)", CLI_MAX_VARS);
		return -1;
	}
	const char *eq = strchr(arg, '=');
	v->owned[v->n] = strndup(arg, eq - arg);
	v->names[v->n] = v->owned[v->n];
	v->values[v->n] = eq + 1;
	v->n++;
	return 0;
}

const struct topo_vars *cli_vars_view(struct cli_vars *v)
{
	v->view = (struct topo_vars){v->names, v->values, v->n};
	return &v->view;
}

void cli_vars_free(struct cli_vars *v)
{
	for (int i = 0; i < v->n; i++)
		free(v->owned[i]);
	v->n = 0;
}

int cli_option_value(int argc, char **argv, int *i, const char *cmd, const char *name,
                     const char **value)
{
	const char *arg = argv[*i];
	size_t len = strlen(name);
	if (strncmp(arg, name, len))
		return 0;
	if (arg[len] == '=') {
		*value = arg + len + 1;
		return 1;
	}
	if (arg[len])
		return 0;
	if (*i + 1 >= argc) {
		cli_usage_error(cmd, "%s needs a value", name);
		return -1;
	}
	*value = argv[++*i];
	return 1;
}

int cli_parse_double(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int cli_parse_int(const char *s, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!*s || *end || errno)
		return -1;
	*out = v;
	return 0;
}

struct topology *cli_parse_topology_args(int argc, char **argv, int *status)
{
	const char *cmd = argv[0], *file = NULL;
	struct cli_vars vars = {0};
	*status = 2;
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1]) {
			cli_usage_error(cmd, "unknown option '%s'", argv[i]);
			goto out;
		} else if (!file) {
			file = argv[i];
		} else if (cli_is_var(argv[i])) {
			if (cli_vars_add(&vars, cmd, argv[i]))
				goto out;
		} else {
			cli_usage_error(cmd, "unexpected argument '%s' (variables are NAME=VALUE)", argv[i]);
			goto out;
		}
	}
	if (!file) {
		cli_usage_error(cmd, "which topology file?");
		goto out;
	}
	struct topology *t = topology_parse(file, NULL, cli_vars_view(&vars), stderr);
	*status = t ? 0 : 1;
	cli_vars_free(&vars);
	return t;
out:
	cli_vars_free(&vars);
	return NULL;
}
