/* topology_dot.c -- a topology as a Graphviz graph (`kvick graph`).
 *
 *     kvick graph bridge.topo | dot -Tsvg > bridge.svg
 *
 * One box per app labelled with its name, class and the parameters the
 * file sets; one edge per link labelled "from_port -> to_port".  Graphs
 * flow left to right, the way packets do.  With `worker` lines, the apps of
 * each worker are drawn inside one cluster labelled with the worker's name
 * and CPU; apps without `@` stay outside (they run on worker "main").
 */
#include <stdio.h>
#include <string.h>

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

static void dot_app(FILE *out, const struct topo_app *a, const char *indent)
{
	fprintf(out, "%s\"%s\" [label=\"%s\\n(%s)", indent, a->name, a->name, a->cls ? a->cls->name : "?");
	for (int i = 0; i < a->nargs; i++) {
		fprintf(out, "\\n%s=", a->args[i].key);
		dot_escaped(out, a->args[i].value);
	}
	fputs("\"];\n", out);
}

static int topo_app_worker(const struct topology *t, const char *name)
{
	for (int i = 0; i < t->napps; i++)
		if (!strcmp(t->apps[i].name, name))
			return t->apps[i].worker;
	return -1;
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
		if (t->apps[i].worker < 0)
			dot_app(out, &t->apps[i], "  ");
	for (int w = 0; w < t->nworkers; w++) {
		fprintf(out, "  subgraph \"cluster_%s\" {\n    label=\"worker %s (cpu %d)\";\n",
		        t->workers[w].name, t->workers[w].name, t->workers[w].cpu);
		for (int i = 0; i < t->napps; i++)
			if (t->apps[i].worker == w)
				dot_app(out, &t->apps[i], "    ");
		fputs("  }\n", out);
	}
	for (int i = 0; i < t->nlinks; i++) {
		const struct topo_link *l = &t->links[i];
		/* A link between workers is a shared-memory ring: drawn bold. */
		int from = topo_app_worker(t, l->from_app), to = topo_app_worker(t, l->to_app);
		fprintf(out, "  \"%s\" -> \"%s\" [label=\"%s -> %s%s\"%s];\n", l->from_app, l->to_app,
		        l->from_port, l->to_port, from != to ? " (shared)" : "",
		        from != to ? ", style=bold" : "");
	}
	fputs("}\n", out);
}
