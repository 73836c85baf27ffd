/* apps.c -- `kvick apps [CLASS]` and `kvick apps --markdown`.
 *
 * Everything printed comes from the class descriptors (core/app.h), so the
 * terminal help, docs/apps.md (`make docs`) and what the topology checker
 * accepts can never disagree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "command.h"
#include "../core/app.h"
#include "../core/app_args.h"
#include "../core/suggest.h"

KVICK_COMMAND(apps, "apps [CLASS] [--markdown]", "list the app classes, or describe one");

static const char options[] =
	"Without CLASS: one line per app class.  With CLASS: its help, ports,\n"
	"parameters (type, default, required, help) and notes.\n"
	"\n"
	"options:\n"
	"  --markdown   the reference of every class as Markdown (docs/apps.md;\n"
	"               `make docs` regenerates it)\n";

static void print_ports(FILE *out, const char *what, const char *const *ports)
{
	fprintf(out, "  %-8s", what);
	if (!ports || !ports[0])
		fputs(" (none)", out);
	for (int i = 0; ports && ports[i]; i++)
		fprintf(out, " %s", strcmp(ports[i], "*") ? ports[i] : "(any name)");
	fputc('\n', out);
}

static void describe(const struct app_class *c, FILE *out)
{
	fprintf(out, "%s -- %s\n\nports:\n", c->name, c->help ? c->help : "");
	print_ports(out, "inputs:", c->inputs);
	print_ports(out, "outputs:", c->outputs);
	fputs("\nparameters:\n", out);
	if (!app_class_nparams(c))
		fputs("  (none)\n", out);
	for (int i = 0; c->params && c->params[i].name; i++) {
		const struct app_param *p = &c->params[i];
		char def[64];
		if (p->required && !p->def)
			snprintf(def, sizeof(def), "required");
		else if (p->def)
			snprintf(def, sizeof(def), "default %s", p->def);
		else
			snprintf(def, sizeof(def), "optional");
		fprintf(out, "  %-12s %-7s %-18s %s\n", p->name, param_type_name(p->type), def,
		        p->help ? p->help : "");
	}
	if (c->doc && *c->doc) {
		fprintf(out, "\n%s", c->doc);
		if (c->doc[strlen(c->doc) - 1] != '\n')
			fputc('\n', out);
	}
	fprintf(out, "\nexample:\n  app %s1 %s", c->name, c->name);
	for (int i = 0; c->params && c->params[i].name; i++)
		if (c->params[i].required && !c->params[i].def)
			fprintf(out, " %s=...", c->params[i].name);
	fputc('\n', out);
}

static void md_ports(FILE *out, const char *const *ports)
{
	if (!ports || !ports[0])
		fputs("none", out);
	for (int i = 0; ports && ports[i]; i++) {
		fputs(i ? ", " : "", out);
		if (strcmp(ports[i], "*"))
			fprintf(out, "`%s`", ports[i]);
		else
			fputs("any name", out);
	}
}

/* Markdown table cells: a '|' would end the cell. */
static void md_cell(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputc('\\', out);
		fputc(*s == '\n' ? ' ' : *s, out);
	}
}

static void markdown(FILE *out)
{
	int n;
	const struct app_class *const *all = app_classes(&n);
	fputs("# App reference\n\n"
	      "Generated from the app class descriptors by `kvick apps --markdown`\n"
	      "(`make docs`); edit the descriptors, not this file.  `kvick apps CLASS`\n"
	      "prints the same in a terminal.\n\n"
	      "| class | what it does |\n|---|---|\n", out);
	for (int i = 0; i < n; i++) {
		fprintf(out, "| [`%s`](#%s) | ", all[i]->name, all[i]->name);
		md_cell(out, all[i]->help);
		fputs(" |\n", out);
	}
	for (int i = 0; i < n; i++) {
		const struct app_class *c = all[i];
		fprintf(out, "\n## %s\n\n", c->name);
		md_cell(out, c->help);
		fputs(".\n\n**Inputs:** ", out);
		md_ports(out, c->inputs);
		fputs(".  **Outputs:** ", out);
		md_ports(out, c->outputs);
		fputs(".\n\n", out);
		if (app_class_nparams(c)) {
			fputs("| parameter | type | default | required | meaning |\n|---|---|---|---|---|\n", out);
			for (int k = 0; c->params[k].name; k++) {
				const struct app_param *p = &c->params[k];
				fprintf(out, "| `%s` | %s | %s%s%s | %s | ", p->name, param_type_name(p->type),
				        p->def ? "`" : "", p->def ? p->def : "", p->def ? "`" : "",
				        p->required && !p->def ? "yes" : "no");
				md_cell(out, p->help);
				fputs(" |\n", out);
			}
			fputc('\n', out);
		} else {
			fputs("No parameters.\n\n", out);
		}
		if (c->doc && *c->doc)
			fprintf(out, "```\n%s%s```\n", c->doc, c->doc[strlen(c->doc) - 1] == '\n' ? "" : "\n");
	}
}

static int unknown_class(const char *name)
{
	int n;
	const struct app_class *const *all = app_classes(&n);
	const char *names[n + 1];
	for (int i = 0; i < n; i++)
		names[i] = all[i]->name;
	const char *close = suggest_closest(name, names, n);
	fprintf(stderr, "kvick apps: unknown app class '%s'", name);
	if (close)
		fprintf(stderr, " (did you mean '%s'?)", close);
	fputs("; known classes:", stderr);
	for (int i = 0; i < n; i++)
		fprintf(stderr, "%s %s", i ? "," : "", names[i]);
	fputc('\n', stderr);
	return 1;
}

int cmd_apps(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		cli_print_help("apps", options, stdout);
		return 0;
	}
	const char *class_name = NULL;
	bool md = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--markdown"))
			md = true;
		else if (argv[i][0] == '-')
			return cli_usage_error("apps", "unknown option '%s'", argv[i]);
		else if (!class_name)
			class_name = argv[i];
		else
			return cli_usage_error("apps", "one class at a time ('%s' is extra)", argv[i]);
	}
	if (md && class_name)
		return cli_usage_error("apps", "--markdown describes every class; drop '%s'", class_name);
	if (md) {
		markdown(stdout);
		return 0;
	}
	if (class_name) {
		const struct app_class *c = app_class_find(class_name);
		if (!c)
			return unknown_class(class_name);
		describe(c, stdout);
		return 0;
	}
	int n;
	const struct app_class *const *all = app_classes(&n);
	for (int i = 0; i < n; i++)
		printf("%-14s %s\n", all[i]->name, all[i]->help ? all[i]->help : "");
	if (n == 0)
		puts("(no app classes are built in)");
	return 0;
}
