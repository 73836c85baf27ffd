/* topology_dot.c -- a topology as a Graphviz graph (`kvick graph`).
 *
 *     kvick graph bridge.topo | dot -Tsvg > bridge.svg
 *
 * One box per app labelled with its name, class and the parameters the
 * file sets; one edge per link labelled "from_port -> to_port".  Graphs
 * flow left to right, the way packets do.
 */
#include <stdio.h>

#include "topology.h"

/* Text inside a DOT double-quoted string: '"' and '\' are escaped.  The
 * "\n" line breaks in labels are written by the caller, unescaped. */
static void dot_escaped(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
}

static void dot_app(FILE *out, const struct topo_app *a)
{
	fprintf(out, "  \"%s\" [label=\"%s\\n(%s)", a->name, a->name, a->cls ? a->cls->name : "?");
	for (int i = 0; i < a->nargs; i++) {
		fprintf(out, "\\n%s=", a->args[i].key);
		dot_escaped(out, a->args[i].value);
	}
	fputs("\"];\n", out);
}

void topology_dot(const struct topology *t, FILE *out)
{
	/* App and port names are [A-Za-z_][A-Za-z0-9_]* (the parser checks),
	 * so only the file name and parameter values need escaping. */
	fputs("digraph \"", out);
	dot_escaped(out, t->file);
	fputs("\" {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n"
	      "  edge [fontname=\"monospace\", fontsize=10];\n", out);
	for (int i = 0; i < t->napps; i++)
		dot_app(out, &t->apps[i]);
	for (int i = 0; i < t->nlinks; i++) {
		const struct topo_link *l = &t->links[i];
		fprintf(out, "  \"%s\" -> \"%s\" [label=\"%s -> %s\"];\n", l->from_app, l->to_app,
		        l->from_port, l->to_port);
	}
	fputs("}\n", out);
}
