/* drv_util.h -- small bring-up helpers shared by the Intel drivers
 * (driver/ixgbe.c, driver/igb.c): an error message for setup failures, a
 * sleep, and polling a register with a timeout.  Never used on the hot
 * path: setup returns an error, the hot path counts.
 */
#ifndef KVICK_DRV_UTIL_H
#define KVICK_DRV_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "regs.h"

/* Format a setup error into err (errlen bytes); returns -1, so a failing
 * step can `return drv_fail(err, errlen, "...", ...)`. */
int drv_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void drv_sleep_us(unsigned us);

/* Poll reg until (value & mask) == want, for at most timeout_ms (checked
 * every 20 us).  Returns whether it got there. */
bool drv_wait_reg(const struct regs *r, uint32_t reg, uint32_t mask, uint32_t want,
                  unsigned timeout_ms);

#endif
