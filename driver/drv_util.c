/* drv_util.c -- bring-up helpers shared by the Intel drivers; see drv_util.h. */
#include "drv_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "../core/engine.h"
#include "../core/log.h"

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

bool drv_set_self_clear(const struct regs *r, uint32_t reg, uint32_t bits, unsigned timeout_ms)
{
	reg_set(r, reg, bits);
	return drv_wait_reg(r, reg, bits, 0, timeout_ms);
}

bool drv_enable_wait(const struct regs *r, uint32_t reg, uint32_t bit, unsigned timeout_ms)
{
	reg_set(r, reg, bit);
	return drv_wait_reg(r, reg, bit, bit, timeout_ms);
}

uint64_t drv_read_split(const struct regs *r, uint32_t lo, uint32_t hi, uint32_t hi_mask)
{
	uint64_t low = reg_read(r, lo);   /* low first: it latches the high half */
	return low | (uint64_t)(reg_read(r, hi) & hi_mask) << 32;
}

void drv_wait_link(const struct regs *r, uint32_t reg, uint32_t up_bit, unsigned ms,
                   const char *who, const char *addr, const char *check)
{
	if (drv_wait_reg(r, reg, up_bit, up_bit, ms))
		return;
	log_warn("%s: %s: link still down after %u ms (check %s); continuing, the port "
	         "starts moving packets when it comes up", who, addr, ms, check);
}

void drv_sum_queues(struct nic_queue_stats *sum, const struct nic_queue_stats *q, unsigned n)
{
	*sum = (struct nic_queue_stats){ 0 };
	for (unsigned i = 0; i < n; i++) {
		sum->rx_packets += q[i].rx_packets;
		sum->rx_bytes += q[i].rx_bytes;
		sum->rx_nobuf += q[i].rx_nobuf;
		sum->rx_badlen += q[i].rx_badlen;
		sum->tx_packets += q[i].tx_packets;
		sum->tx_bytes += q[i].tx_bytes;
		sum->tx_badlen += q[i].tx_badlen;
	}
}

void drv_stats_driver(struct nic_stats *st, const struct nic_queue_stats *sum)
{
	st->rx_packets = sum->rx_packets;
	st->rx_bytes = sum->rx_bytes;
	st->rx_nobuf = sum->rx_nobuf;
	st->rx_badlen = sum->rx_badlen;
	st->tx_packets = sum->tx_packets;
	st->tx_bytes = sum->tx_bytes;
	st->tx_badlen = sum->tx_badlen;
}
