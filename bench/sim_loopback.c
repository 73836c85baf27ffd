/* sim_loopback.c -- how fast the 82599 model moves frames (loopback).
 *
 * This thread plays a minimal driver: it keeps a 1024-entry TX ring full
 * (re-posting the same buffers) and hands RX descriptors straight back;
 * the model thread does all the DMA.  Runs 2 s, prints Mpps.  Build and
 * run from the repository root after `make kvick`:
 *   gcc -O2 -std=gnu11 -D_GNU_SOURCE -I. -Itests/unit -o build/sim_loopback \
 *       bench/sim_loopback.c build/rel/core/*.o build/rel/hw-sim/*.o \
 *       build/rel/links/*.o -Lbuild/deps/lib -lnuma -lpthread
 *   build/sim_loopback 60              # 2 s, prints Mpps
 *   build/sim_loopback 60 200000       # stop after 200,000 frames received
 * The second form, with sched_yield() when a poll found nothing, is for
 * callgrind (whose threads share one CPU): instructions per frame of the
 * model thread = that thread's Ir / frames, deterministic within a few %:
 *   valgrind --tool=callgrind --separate-threads=yes build/sim_loopback 60 200000
 * It borrows the register helpers of tests/unit/sim_test.h, with the
 * cmocka assertions replaced by plain checks. */
#include <stdlib.h>
#include <stdio.h>
#define print_error printf
#define assert_int_equal(a,b) do { if ((a)!=(b)) { printf("fail %s:%d\n", __FILE__, __LINE__); exit(1);} } while (0)
#define assert_true(a) assert_int_equal(!!(a), 1)
#define assert_non_null(a) assert_true((a) != NULL)
#define assert_memory_equal(a,b,n) assert_true(!memcmp(a,b,n))
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "core/log.h"
#include "core/memory.h"
#include "core/packet.h"
#include "driver/device.h"
#include "hw-sim/sim.h"
#define KVICK_TESTLIB_H
#include "sim_test.h"
int main(int argc, char **argv)
{
	unsigned size = argc > 1 ? atoi(argv[1]) : 60;
	uint64_t frames = argc > 2 ? strtoull(argv[2], NULL, 10) : 0;
	struct tport t;
	t_open(&t, "sim:0/loopback");
	t_init(&t, true);
	t_wait_link(&t);
	t_rx_queue(&t, 0, 1024, 2, true);
	t_tx_queue(&t, 0, 1024);
	/* TX ring: all descriptors point at fixed packets; re-post them */
	struct tq *x = &t.tx[0];
	for (unsigned i = 0; i < 1024; i++) {
		struct packet *p = packet_alloc();
		t_frame(packet_data(p), BCAST, size, i, i);
		p->length = size;
		t_tx_desc(&t, 0, i, p, TXCMD);
	}
	struct tq *r = &t.rx[0];
	unsigned txtail = 0, rxnext = 0;
	uint64_t rx = 0, start = t_now_ms();
	for (unsigned loop = 0; frames ? rx < frames : (loop & 1023) || t_now_ms() - start < 2000; loop++) {
		/* TX: hand back everything the model has consumed */
		unsigned head = rd(&t, TDH(0));
		unsigned free_ = (head + 1024 - txtail - 1) % 1024;
		if (free_ >= 64) {
			for (unsigned i = 0; i < free_; i++) {
				volatile uint32_t *st = (volatile uint32_t *)(x->ring + 16 * ((txtail + i) % 1024) + 12);
				*st = 0;
				volatile uint64_t *d = (volatile uint64_t *)(x->ring + 16 * ((txtail + i) % 1024));
				d[1] = (uint64_t)(TXCMD | size) | ((uint64_t)size << 46);
			}
			txtail = (txtail + free_) % 1024;
			wr(&t, TDT(0), txtail);
		}
		/* RX: take frames with DD, give the descriptors back (same buffer) */
		unsigned n = 0;
		for (;;) {
			volatile uint8_t *d = r->ring + 16 * rxnext;
			if (!(__atomic_load_n((volatile uint32_t *)(d + 8), __ATOMIC_ACQUIRE) & 1))
				break;
			((volatile uint64_t *)d)[0] = packet_dma_addr(r->pkt[rxnext]);
			((volatile uint64_t *)d)[1] = 0;
			rxnext = (rxnext + 1) % 1024;
			n++;
		}
		if (n) {
			wr(&t, RDT(0), (rxnext + 1023) % 1024);
			rx += n;
		} else if (frames) {
			sched_yield();
		}
	}
	double secs = (t_now_ms() - start) / 1e3;
	struct sim_port_stats st;
	sim_port_stats(0, &st);
	printf("size %u: rx %.2f Mpps (model tx %.2f Mpps, drops nodesc %lu); %llu frames received in %.2f s\n",
	       size, rx / secs / 1e6, st.tx_frames / secs / 1e6, (unsigned long)st.rx_drop_nodesc,
	       (unsigned long long)rx, secs);
	t_close(&t);
	sim_shutdown();
	return 0;
}
