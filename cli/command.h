/* command.h -- `kvick COMMAND ...`: each command is one file in cli/,
 * registered with one line, like apps:
 *
 *     KVICK_COMMAND(check, "check FILE [VAR=VALUE ...]", "validate a topology without running it");
 *
 * which declares `int cmd_check(int argc, char **argv)`; argv[0] is the
 * command name.  Every command answers --help (and -h) with its usage and
 * options and exits 0; a usage error prints the usage to stderr and
 * returns 2.  main.c finds commands through the "kvick_commands" section.
 */
#ifndef KVICK_COMMAND_H
#define KVICK_COMMAND_H

struct command {
	const char *name;
	const char *usage;   /* "run FILE [VAR=VALUE ...] [options]" */
	const char *help;    /* one line */
	int (*fn)(int argc, char **argv);
};

#define KVICK_COMMAND(cname, cusage, chelp)                                    \
	int cmd_##cname(int argc, char **argv);                                    \
	static const struct command kvick_cmd_##cname = {#cname, cusage, chelp, cmd_##cname}; \
	static const struct command *const kvick_cmd_ptr_##cname                   \
		__attribute__((used, section("kvick_commands"), aligned(sizeof(void *)))) = &kvick_cmd_##cname

const struct command *const *command_list(int *n);   /* sorted by name */
const struct command *command_find(const char *name);

#endif
