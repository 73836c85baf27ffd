/* drv_util.c -- bring-up helpers shared by the Intel drivers; see drv_util.h. */
#include "drv_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "../core/engine.h"

int drv_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

void drv_sleep_us(unsigned us)
{
	struct timespec ts = { us / 1000000, (long)(us % 1000000) * 1000 };
	nanosleep(&ts, NULL);
}

bool drv_wait_reg(const struct regs *r, uint32_t reg, uint32_t mask, uint32_t want,
                  unsigned timeout_ms)
{
	uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000;
	for (;;) {
		if ((reg_read(r, reg) & mask) == want)
			return true;
		if (now_ns() > deadline)
			return false;
		drv_sleep_us(20);
	}
}
