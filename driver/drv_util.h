/* drv_util.h -- what the Intel drivers (driver/ixgbe.c, driver/igb.c) would
 * otherwise each repeat: an error message for setup failures, a sleep,
 * polling a register with a timeout (the bring-up waits), a self-clearing
 * reset bit, the wait for the link at open, reading a counter split over
 * two registers, and the driver's per-queue counters summed into a
 * struct nic_stats.  Never used on the hot path: setup returns an error,
 * the hot path counts.
 */
#ifndef KVICK_DRV_UTIL_H
#define KVICK_DRV_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nic.h"
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

/* Set `bits` in reg (a reset request) and wait up to timeout_ms for the
 * device to clear them again.  Returns whether it did. */
bool drv_set_self_clear(const struct regs *r, uint32_t reg, uint32_t bits, unsigned timeout_ms);

/* Set an enable bit and wait until it reads back 1 (the queue-enable
 * handshake of §4.6.7.1/§4.6.8.1 on the 82599, §4.5.9/§4.5.10 on the
 * 82576).  Returns whether it did within timeout_ms. */
bool drv_enable_wait(const struct regs *r, uint32_t reg, uint32_t bit, unsigned timeout_ms);

/* A 64-bit counter split over two registers, low first: reading the low
 * half latches the high half (both families' octet counters work so).
 * hi_mask keeps the high register's valid bits (0xF: a 36-bit counter). */
uint64_t drv_read_split(const struct regs *r, uint32_t lo, uint32_t hi, uint32_t hi_mask);

/* Wait up to ms for (reg & up_bit) at open; if the link is still down,
 * warn once for this port (`check` says what to look at) and go on: the
 * port moves packets when the link comes up. */
void drv_wait_link(const struct regs *r, uint32_t reg, uint32_t up_bit, unsigned ms,
                   const char *who, const char *addr, const char *check);

/* *sum = the sum of n queues' counters. */
void drv_sum_queues(struct nic_queue_stats *sum, const struct nic_queue_stats *q, unsigned n);

/* The driver's own fields of a struct nic_stats (rx_packets .. tx_badlen)
 * from its summed queue counters. */
void drv_stats_driver(struct nic_stats *st, const struct nic_queue_stats *sum);

#endif
