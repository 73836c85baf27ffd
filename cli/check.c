/* check.c -- `kvick check FILE [VAR=VALUE ...]`: validate a topology
 * without running anything.  Exit 0 when valid (warnings may be printed),
 * 1 with every error on stderr, 2 on a usage error.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "command.h"

KVICK_COMMAND(check, "check FILE [VAR=VALUE ...]", "validate a topology file without running it");

static const char options[] =
	"Reads FILE as `kvick run` would -- every app's class, parameters and\n"
	"types, each class's own checks of its values (ranges, a filter that\n"
	"compiles, a pcap file that opens), every link's apps and ports, every\n"
	"worker's CPU and every app's @WORKER -- and\n"
	"reports every error found as FILE:LINE:COL with the line and a caret.\n"
	"NAME=VALUE sets ${NAME}.  Nothing is started: no device is opened, no\n"
	"file created, no memory reserved.\n"
	"\n"
	"exit status: 0 valid, 1 errors (on stderr), 2 usage error\n";

int cmd_check(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		cli_print_help("check", options, stdout);
		return 0;
	}
	int status;
	struct topology *t = cli_parse_topology_args(argc, argv, &status);
	if (!t)
		return status;
	printf("%s: ok (%d app%s, %d link%s", t->file, t->napps, t->napps == 1 ? "" : "s",
	       t->nlinks, t->nlinks == 1 ? "" : "s");
	if (t->nworkers) {
		/* A link whose ends run on different workers is a shared-memory one. */
		int shared = 0;
		for (int i = 0; i < t->nlinks; i++) {
			int from = -1, to = -1;
			for (int k = 0; k < t->napps; k++) {
				if (!strcmp(t->apps[k].name, t->links[i].from_app))
					from = t->apps[k].worker;
				if (!strcmp(t->apps[k].name, t->links[i].to_app))
					to = t->apps[k].worker;
			}
			shared += from != to;
		}
		printf(", %d worker%s, %d shared link%s", t->nworkers, t->nworkers == 1 ? "" : "s",
		       shared, shared == 1 ? "" : "s");
	}
	printf(")\n");
	topology_free(t);
	return 0;
}
