/* app.c -- the registry of app classes, and what an app instance asks of
 * the core: its links by port name, its counters, its error message.
 *
 * Classes register themselves with KVICK_APP(cls), which drops a pointer
 * into the "kvick_apps" linker section.  The linker gathers every such
 * pointer from every object into one array and defines
 * __start_kvick_apps / __stop_kvick_apps around it (it does this for any
 * section whose name is a valid C identifier).  The symbols are declared
 * weak so that a program with no app at all still links; they are then 0.
 */
#include "app.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "log.h"

extern const struct app_class *const __start_kvick_apps[] __attribute__((weak));
extern const struct app_class *const __stop_kvick_apps[] __attribute__((weak));

static const struct app_class **sorted_classes;
static int nsorted_classes;

static int class_cmp(const void *a, const void *b)
{
	const struct app_class *x = *(const struct app_class *const *)a;
	const struct app_class *y = *(const struct app_class *const *)b;
	return strcmp(x->name, y->name);
}

/* Built once, on first use: a sorted copy, so `kvick apps` and error
 * messages list classes in a stable order whatever the link order was. */
static void classes_init(void)
{
	if (sorted_classes)
		return;
	int n = __start_kvick_apps ? (int)(__stop_kvick_apps - __start_kvick_apps) : 0;
	sorted_classes = calloc(n + 1, sizeof(*sorted_classes));
	if (!sorted_classes) {
		log_error("out of memory listing app classes");
		return;
	}
	for (int i = 0; i < n; i++)
		sorted_classes[i] = __start_kvick_apps[i];
	qsort(sorted_classes, n, sizeof(*sorted_classes), class_cmp);
	for (int i = 1; i < n; i++)
		if (!strcmp(sorted_classes[i]->name, sorted_classes[i - 1]->name))
			log_warn("two app classes are named '%s'; topology files get the first",
			         sorted_classes[i]->name);
	nsorted_classes = n;
}

const struct app_class *const *app_classes(int *n)
{
	classes_init();
	*n = nsorted_classes;
	return sorted_classes;
}

const struct app_class *app_class_find(const char *name)
{
	classes_init();
	for (int i = 0; i < nsorted_classes; i++)
		if (!strcmp(sorted_classes[i]->name, name))
			return sorted_classes[i];
	return NULL;
}

/* ---- ports ---- */

static struct link *port_find(const struct app_port *ports, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(ports[i].name, name))
			return ports[i].link;
	return NULL;
}

struct link *app_input(const struct app *app, const char *port)
{
	return port_find(app->in, app->nin, port);
}

struct link *app_output(const struct app *app, const char *port)
{
	return port_find(app->out, app->nout, port);
}

/* ---- counters ---- */

/* Counter names are few and repeat across instances ("rxpackets"), so
 * they are interned: one copy each, kept for the life of the process
 * (reachable from this list, so not a leak). */
struct interned {
	struct interned *next;
	char name[];
};
static struct interned *interned_names;

static const char *intern(const char *name)
{
	for (struct interned *s = interned_names; s; s = s->next)
		if (!strcmp(s->name, name))
			return s->name;
	size_t len = strlen(name) + 1;
	struct interned *s = malloc(sizeof(*s) + len);
	if (!s)
		return NULL;
	memcpy(s->name, name, len);
	s->next = interned_names;
	interned_names = s;
	return s->name;
}

uint64_t *app_counter(struct app *app, const char *name)
{
	/* Apps increment counters on the hot path without checking, so even
	 * past the limit they get somewhere harmless to write. */
	static uint64_t overflow_slot;
	const char *kept = intern(name);
	if (app->ncounters >= APP_MAX_COUNTERS || !kept) {
		log_once(LOG_WARN, "app '%s': more than %d counters; '%s' is not published",
		         app->name, APP_MAX_COUNTERS, name);
		return &overflow_slot;
	}
	char full[COUNTER_NAME_MAX];
	snprintf(full, sizeof(full), "app/%s/%s", app->name, name);
	uint64_t *slot = counters_slot(full);
	app->counters[app->ncounters].name = kept;
	app->counters[app->ncounters].value = slot;
	app->ncounters++;
	return slot;
}

int app_error(struct app *app, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(app->error, sizeof(app->error), fmt, ap);
	va_end(ap);
	return -1;
}

static unsigned fatal_count;

int app_fatal(struct app *app, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(app->error, sizeof(app->error), fmt, ap);
	va_end(ap);
	fatal_count++;
	return -1;
}

unsigned app_fatal_count(void)
{
	return fatal_count;
}
