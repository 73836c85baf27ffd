/* log.c -- messages to stderr, "kvick: LEVEL: text". */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static enum log_level current = LOG_INFO;
static bool level_from_env_done;

static void level_from_env(void)
{
	if (level_from_env_done)
		return;
	level_from_env_done = true;
	const char *d = getenv("KVICK_DEBUG");
	if (d && *d && *d != '0')
		current = LOG_DEBUG;
}

void log_set_level(enum log_level level)
{
	level_from_env_done = true;
	current = level;
}

enum log_level log_get_level(void)
{
	level_from_env();
	return current;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const names[] = {"debug", "info", "warning", "error"};
	level_from_env();
	if (level < current)
		return;
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	/* One fprintf per message so lines from two threads do not interleave. */
	fprintf(stderr, "kvick: %s: %s\n", names[level], buf);
}
