/* topology_check.c -- the checks that need the whole file.
 *
 * Links may name apps declared further down, so they are checked once
 * every line has been read:
 *   - both ends name a declared app;
 *   - the port exists on that side of the app's class (a class whose port
 *     list is {"*"} takes any name);
 *   - an input port has at most one link feeding it, and an output port
 *     feeds at most one link (a link is single-producer single-consumer;
 *     copying and merging are what the tee and join apps are for);
 *   - no app has more linked ports than APP_MAX_PORTS.
 * Then each app whose line is valid goes through its class's check()
 * (app.h): value ranges, a filter that compiles, ports that must be
 * linked.  Its error points at the parameter's value, or at the app name.
 * Then warnings: apps that nothing links to (not claimed when a broken
 * line may have been their link), and command-line variables the file
 * never uses (a likely typo in the variable's name).
 */
#include <stdlib.h>
#include <string.h>

#include "topology_internal.h"

enum { FROM_APP, FROM_PORT, TO_APP, TO_PORT };

static void unknown_app(struct topo_parser *p, const struct topo_link *l, int which)
{
	const struct topology *t = p->t;
	const char *name = which == FROM_APP ? l->from_app : l->to_app;
	const char **names = calloc(t->napps + 1, sizeof(*names));
	if (!names)
		return;
	for (int i = 0; i < t->napps; i++)
		names[i] = t->apps[i].name;
	char hint[128];
	char *list = topo_name_list(names, t->napps, 20);
	const struct topo_link_src *src = &p->link_src[l - t->links];
	topo_error(p, l->line, src->col[which], src->len[which],
	           "link %s unknown app '%s'%s; declared apps: %s", which == FROM_APP ? "from" : "to",
	           name, topo_did_you_mean(hint, sizeof(hint), name, names, t->napps),
	           list ? list : "?");
	free(list);
	free(names);
}

static int count_names(const char *const *names)
{
	int n = 0;
	while (names && names[n])
		n++;
	return n;
}

static bool port_ok(struct topo_parser *p, const struct topo_link *l, const struct topo_app *app,
                    bool output)
{
	const char *const *ports = output ? app->cls->outputs : app->cls->inputs;
	const char *port = output ? l->from_port : l->to_port;
	const char *side = output ? "output" : "input";
	int n = count_names(ports);
	for (int i = 0; i < n; i++)
		if (!strcmp(ports[i], "*") || !strcmp(ports[i], port))
			return true;
	const struct topo_link_src *src = &p->link_src[l - p->t->links];
	int which = output ? FROM_PORT : TO_PORT;
	if (n == 0) {
		topo_error(p, l->line, src->col[which], src->len[which],
		           "app '%s' (class '%s') has no %s port '%s': it has no %s ports", app->name,
		           app->cls->name, side, port, side);
		return false;
	}
	char hint[128];
	char *list = topo_name_list(ports, n, n);
	topo_error(p, l->line, src->col[which], src->len[which],
	           "app '%s' (class '%s') has no %s port '%s'%s; its %s ports: %s", app->name,
	           app->cls->name, side, port, topo_did_you_mean(hint, sizeof(hint), port, ports, n),
	           side, list ? list : "?");
	free(list);
	return false;
}

/* An earlier link (index < i) using the same app and port on this side. */
static int earlier_use(const struct topology *t, int i, bool output)
{
	const struct topo_link *l = &t->links[i];
	for (int j = 0; j < i; j++) {
		const struct topo_link *o = &t->links[j];
		if (output && !strcmp(o->from_app, l->from_app) && !strcmp(o->from_port, l->from_port))
			return j;
		if (!output && !strcmp(o->to_app, l->to_app) && !strcmp(o->to_port, l->to_port))
			return j;
	}
	return -1;
}

static void check_single_use(struct topo_parser *p, int i)
{
	const struct topology *t = p->t;
	const struct topo_link *l = &t->links[i];
	const struct topo_link_src *src = &p->link_src[i];
	int j = earlier_use(t, i, true);
	if (j >= 0)
		topo_error(p, l->line, src->col[FROM_APP], src->len[FROM_APP] + 1 + src->len[FROM_PORT],
		           "output port '%s.%s' is already linked at %s:%d (to %s.%s); "
		           "an output feeds one link (copy with a tee app)",
		           l->from_app, l->from_port, p->file, t->links[j].line, t->links[j].to_app,
		           t->links[j].to_port);
	j = earlier_use(t, i, false);
	if (j >= 0)
		topo_error(p, l->line, src->col[TO_APP], src->len[TO_APP] + 1 + src->len[TO_PORT],
		           "input port '%s.%s' is already linked at %s:%d (from %s.%s); "
		           "an input takes one link (merge with a join app)",
		           l->to_app, l->to_port, p->file, t->links[j].line, t->links[j].from_app,
		           t->links[j].from_port);
}

/* Ports are per app: more distinct linked ports than an app can hold is
 * an error at the first link past the limit. */
static void check_port_count(struct topo_parser *p, int i, int app, bool output,
                             int *count)
{
	if (earlier_use(p->t, i, output) >= 0 || ++count[app] != APP_MAX_PORTS + 1)
		return;
	const struct topo_link *l = &p->t->links[i];
	const struct topo_link_src *src = &p->link_src[i];
	int which = output ? FROM_APP : TO_APP;
	topo_error(p, l->line, src->col[which], src->len[which],
	           "app '%s' has more than %d linked %s ports", p->t->apps[app].name, APP_MAX_PORTS,
	           output ? "output" : "input");
}

static void check_links(struct topo_parser *p)
{
	struct topology *t = p->t;
	int nout[TOPO_MAX_APPS] = {0}, nin[TOPO_MAX_APPS] = {0};
	for (int i = 0; i < t->nlinks; i++) {
		const struct topo_link *l = &t->links[i];
		int from = topo_find_app(t, l->from_app), to = topo_find_app(t, l->to_app);
		if (from < 0)
			unknown_app(p, l, FROM_APP);
		if (to < 0)
			unknown_app(p, l, TO_APP);
		bool ok = true;
		if (from >= 0) {
			p->app_src[from].linked = true;
			if (!p->app_src[from].broken)
				ok &= port_ok(p, l, &t->apps[from], true);
		}
		if (to >= 0) {
			p->app_src[to].linked = true;
			if (!p->app_src[to].broken)
				ok &= port_ok(p, l, &t->apps[to], false);
		}
		if (from < 0 || to < 0 || !ok) {
			p->broken_links++;
			continue;
		}
		check_single_use(p, i);
		check_port_count(p, i, from, true, nout);
		check_port_count(p, i, to, false, nin);
	}
}

/* Where an app_check_error() points: the parameter's value when the file
 * gives it, else the app's name. */
static void app_check_failed(struct topo_parser *p, int i, const struct app_check *c)
{
	const struct topo_app *a = &p->t->apps[i];
	int col = p->app_src[i].name_col, len = p->app_src[i].name_len;
	for (int k = 0; c->param && k < a->nargs; k++) {
		if (!strcmp(a->args[k].key, c->param)) {
			col = a->args[k].value_col;
			len = a->args[k].value_len;
		}
	}
	topo_error(p, a->line, col, len, "app '%s' (class '%s'): %s", a->name, a->cls->name,
	           c->error[0] ? c->error : "refused (no reason given)");
}

/* The ports of app `name` that links use, on one side. */
static int linked_ports(const struct topology *t, const char *name, bool output,
                        const char **ports)
{
	int n = 0;
	for (int i = 0; i < t->nlinks; i++) {
		const struct topo_link *l = &t->links[i];
		if (output && !strcmp(l->from_app, name))
			ports[n++] = l->from_port;
		else if (!output && !strcmp(l->to_app, name))
			ports[n++] = l->to_port;
	}
	return n;
}

static void check_apps(struct topo_parser *p)
{
	const struct topology *t = p->t;
	const char **in = calloc(t->nlinks + 1, sizeof(*in));
	const char **out = calloc(t->nlinks + 1, sizeof(*out));
	for (int i = 0; in && out && i < t->napps; i++) {
		const struct topo_app *a = &t->apps[i];
		if (!p->app_src[i].line_ok || !a->cls || !a->cls->check)
			continue;
		const char *keys[TOPO_MAX_PARAMS], *values[TOPO_MAX_PARAMS];
		for (int k = 0; k < a->nargs; k++) {
			keys[k] = a->args[k].key;
			values[k] = a->args[k].value;
		}
		struct app_args args;
		if (app_args_init(&args, a->cls, keys, values, a->nargs))
			break;   /* out of memory: run will say so too */
		struct app_check c = {
			.inputs = in, .ninputs = linked_ports(t, a->name, false, in),
			.outputs = out, .noutputs = linked_ports(t, a->name, true, out),
			.links_unknown = p->broken_links > 0,
		};
		if (a->cls->check(&c, &args) < 0)
			app_check_failed(p, i, &c);
		app_args_release(&args);
	}
	free(in);
	free(out);
}

static void check_warnings(struct topo_parser *p)
{
	const struct topology *t = p->t;
	for (int i = 0; i < t->napps && p->broken_links == 0; i++)
		if (!p->app_src[i].linked)
			topo_warning(p, t->apps[i].line, p->app_src[i].name_col, p->app_src[i].name_len,
			             "app '%s' has no links", t->apps[i].name);
	for (int i = 0; p->vars && i < p->vars->n; i++)
		if (!p->var_used[i])
			topo_warning(p, 0, 0, 0, "variable '%s' is set on the command line but not used",
			             p->vars->names[i]);
}

void topo_check(struct topo_parser *p)
{
	check_links(p);
	topo_check_workers(p);
	check_apps(p);
	if (p->t->napps == 0 && p->nerrors == 0)
		topo_error(p, 0, 0, 0, "no apps declared (declare one with 'app NAME CLASS [key=value ...]')");
	check_warnings(p);
}
