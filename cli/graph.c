/* graph.c -- `kvick graph FILE [VAR=VALUE ...]`: the topology as Graphviz
 * DOT on stdout, for `| dot -Tsvg > graph.svg`.  Errors as `kvick check`.
 */
#include <stdio.h>

#include "cli.h"
#include "command.h"

KVICK_COMMAND(graph, "graph FILE [VAR=VALUE ...]", "print a topology as a Graphviz (DOT) graph");

static const char options[] =
	"Checks FILE like `kvick check`, then prints one node per app (name,\n"
	"class, parameters set) and one edge per link (FROM_PORT -> TO_PORT).\n"
	"\n"
	"example: kvick graph bridge.topo NIC0=0000:03:00.0 | dot -Tsvg > bridge.svg\n"
	"exit status: 0 printed, 1 topology errors (on stderr), 2 usage error\n";

int cmd_graph(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		cli_print_help("graph", options, stdout);
		return 0;
	}
	int status;
	struct topology *t = cli_parse_topology_args(argc, argv, &status);
	if (!t)
		return status;
	topology_dot(t, stdout);
	topology_free(t);
	return 0;
}
