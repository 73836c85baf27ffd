/* main.c -- `kvick COMMAND [ARGS...]`: find the command and run it.
 *
 * Commands live one per file in cli/ and register themselves
 * (cli/command.h); this file only dispatches, and holds the two commands
 * that need the build's version string: `help` and `version`.
 *
 * Exit codes, the same for every command: 0 success, 1 the work failed
 * (a bad topology, an app that could not start), 2 a usage error.
 */
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "../core/suggest.h"

#ifndef KVICK_VERSION
#define KVICK_VERSION "unknown"   /* the Makefile defines it from git */
#endif

KVICK_COMMAND(help, "help [COMMAND]", "list the commands, or show one command's help");
KVICK_COMMAND(version, "version", "print kvick's version");

static void print_commands(FILE *out)
{
	int n;
	const struct command *const *all = command_list(&n);
	fputs("commands:\n", out);
	for (int i = 0; i < n; i++)
		fprintf(out, "  %-8s %s\n", all[i]->name, all[i]->help);
}

static void print_overview(FILE *out)
{
	fputs("kvick -- userspace packet processing: a graph of apps joined by links\n\n"
	      "usage: kvick COMMAND [ARGS...]\n\n", out);
	print_commands(out);
	fputs("\n'kvick COMMAND --help' shows a command's usage and options.\n", out);
}

int cmd_help(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		puts("usage: kvick help [COMMAND]\n\n"
		     "list the commands, or show one command's help (as kvick COMMAND --help).");
		return 0;
	}
	if (argc > 1) {
		const struct command *c = command_find(argv[1]);
		if (!c) {
			fprintf(stderr, "kvick help: unknown command '%s'\n", argv[1]);
			print_commands(stderr);
			return 2;
		}
		char *help_argv[] = {(char *)c->name, "--help", NULL};
		return c->fn(2, help_argv);
	}
	print_overview(stdout);
	return 0;
}

int cmd_version(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		puts("usage: kvick version\n\nprint kvick's version.");
		return 0;
	}
	printf("kvick %s\n", KVICK_VERSION);
	return 0;
}

static int unknown_command(const char *name)
{
	int n;
	const struct command *const *all = command_list(&n);
	const char *names[n + 1];
	for (int i = 0; i < n; i++)
		names[i] = all[i]->name;
	const char *close = suggest_closest(name, names, n);
	fprintf(stderr, "kvick: unknown command '%s'", name);
	if (close)
		fprintf(stderr, "; did you mean '%s'?", close);
	fputs("\n\n", stderr);
	print_commands(stderr);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		print_overview(stderr);
		return 2;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h"))
		name = "help";
	else if (!strcmp(name, "--version"))
		name = "version";
	const struct command *c = command_find(name);
	if (!c)
		return unknown_command(name);
	/* The command sees itself as argv[0]. */
	argv[1] = (char *)c->name;
	return c->fn(argc - 1, argv + 1);
}
