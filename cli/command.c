/* command.c -- the table of `kvick` commands.
 *
 * Each command registers itself with KVICK_COMMAND (cli/command.h), which
 * puts a pointer in the "kvick_commands" linker section, exactly as apps
 * do with "kvick_apps" (see core/app.c for how the section is gathered).
 */
#include "command.h"

#include <stdlib.h>
#include <string.h>

extern const struct command *const __start_kvick_commands[] __attribute__((weak));
extern const struct command *const __stop_kvick_commands[] __attribute__((weak));

static const struct command **sorted;
static int nsorted;

static int command_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct command *const *)a)->name,
	              (*(const struct command *const *)b)->name);
}

const struct command *const *command_list(int *n)
{
	if (!sorted) {
		int count = __start_kvick_commands ? (int)(__stop_kvick_commands - __start_kvick_commands) : 0;
		sorted = calloc(count + 1, sizeof(*sorted));
		if (!sorted) {
			*n = 0;
			return NULL;
		}
		memcpy(sorted, __start_kvick_commands, count * sizeof(*sorted));
		qsort(sorted, count, sizeof(*sorted), command_cmp);
		nsorted = count;
	}
	*n = nsorted;
	return sorted;
}

const struct command *command_find(const char *name)
{
	int n;
	const struct command *const *all = command_list(&n);
	for (int i = 0; i < n; i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}
