/* app_check.c -- what a class's check() hook calls (see app.h): the
 * error it reports, and which of its ports the topology links.  The
 * topology parser (topology_check.c) fills struct app_check and turns the
 * error into a FILE:LINE:COL message. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "app_args.h"

int app_check_error(struct app_check *c, const char *param, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->error, sizeof(c->error), fmt, ap);
	va_end(ap);
	c->param = param;
	return -1;
}

const char *app_check_port(const struct app_check *c, bool output, int i)
{
	int n = output ? c->noutputs : c->ninputs;
	return i >= 0 && i < n ? (output ? c->outputs : c->inputs)[i] : NULL;
}

bool app_check_linked(const struct app_check *c, const char *port, bool output)
{
	if (c->links_unknown)
		return true;
	const char *const *names = output ? c->outputs : c->inputs;
	int n = output ? c->noutputs : c->ninputs;
	if (!port)
		return n > 0;
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], port))
			return true;
	return false;
}
