/* bench_ixgbe.c -- `kvick bench ixgbe`: the 82599 driver's cost per packet
 * when it forwards between two model ports.
 *
 *   model thread (other core)            driver thread (this core)
 *   sim:0 generator -> RX ring 0  --->  drv->rx_batch(port 0)
 *                                        drv->tx_batch(port 1)
 *   sim:1 TX ring -> loopback -> sim:1 RX (never polled: the model drops there)
 *
 * The driver is called as the intel app calls it: picked by PCI ID with
 * nic_find() and driven through its struct nic_driver (driver/nic.h), one
 * indirect call per batch.  Measured on the driver thread: packets
 * forwarded, Mpps, and rdtsc cycles spent inside the rx_batch + tx_batch
 * calls per packet (counting only
 * calls that moved packets, so time spent waiting for the model is not
 * charged to the driver), plus the whole loop's cycles per packet.
 * Instructions per packet come from callgrind (see docs/performance.md):
 *
 *   valgrind --tool=callgrind --toggle-collect=ixgbe_nic_rx_batch \
 *            --toggle-collect=ixgbe_nic_tx_batch ./kvick bench ixgbe --packets 2000000 --yield
 *
 * then divide the Ir total by the packets the run prints.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/engine.h"
#include "../core/log.h"
#include "../core/memory.h"
#include "../core/packet.h"
#include "../driver/device.h"
#include "../driver/ixgbe.h"
#include "../driver/nic.h"
#include "../hw-sim/sim.h"
#include "bench.h"

static void bench_ixgbe_usage(FILE *out)
{
	fprintf(out,
	        "usage: kvick bench ixgbe [--seconds S] [--packets N] [--size BYTES] [--ring N]\n"
	        "                         [--yield] [--busy-poll] [--no-hugepages]\n"
	        "  forwards model port 0 (a generator) to model port 1 through the 82599 driver\n"
	        "  --seconds S     run time (default 5)\n"
	        "  --packets N     stop after N packets forwarded (for callgrind)\n"
	        "  --size BYTES    frame size without FCS (default 60)\n"
	        "  --ring N        descriptors per ring (default 512)\n"
	        "  --yield         sched_yield() after an empty poll (use under valgrind,\n"
	        "                  whose threads share one CPU)\n"
	        "  --busy-poll     poll again at once after a short batch (default: sleep\n"
	        "                  20 us so batches fill up as they would at line rate)\n"
	        "  --no-hugepages  DMA memory in ordinary pages\n");
}

/* 128 packets at 500 cycles each would still be far below this. */
#define PREEMPTED_CYCLES 200000ull
#define MAX_SAMPLES (1u << 20)

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

struct bench_port {
	struct device dev;
	const struct nic_driver *drv;
	struct nic_dev *nic;
};

static int bench_open(struct bench_port *p, const char *spec, unsigned ring)
{
	char err[256];
	struct nic_config c = { .rxq = 1, .txq = 1, .rx_ring = ring, .tx_ring = ring,
	                          .mtu = 1500, .promisc = true, .wait_link_ms = 2000 };
	if (device_open(spec, &p->dev, err, sizeof(err)) < 0) {
		fprintf(stderr, "kvick bench ixgbe: %s: %s\n", spec, err);
		return -1;
	}
	const struct nic_pci_id *id = nic_find(p->dev.vendor_id, p->dev.device_id);
	p->drv = id ? id->drv : NULL;
	p->nic = p->drv ? p->drv->open(&p->dev, &c, err, sizeof(err)) : NULL;
	if (!p->drv)
		snprintf(err, sizeof(err), "%04x:%04x: no driver", p->dev.vendor_id, p->dev.device_id);
	if (!p->nic) {
		fprintf(stderr, "kvick bench ixgbe: %s: %s\n", spec, err);
		device_close(&p->dev);
		return -1;
	}
	return 0;
}

int bench_ixgbe(int argc, char **argv)
{
	double seconds = 5;
	uint64_t max_packets = 0;
	unsigned size = 60, ring = 512;
	bool yield = false, hugepages = true, full_batches = true;
	static const struct option opts[] = {
		{ "seconds", required_argument, 0, 's' }, { "packets", required_argument, 0, 'n' },
		{ "size", required_argument, 0, 'b' },    { "ring", required_argument, 0, 'r' },
		{ "yield", no_argument, 0, 'y' },         { "no-hugepages", no_argument, 0, 'H' },
		{ "help", no_argument, 0, 'h' },          { "busy-poll", no_argument, 0, 'p' },
		{ 0, 0, 0, 0 },
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': seconds = atof(optarg); break;
		case 'n': max_packets = strtoull(optarg, NULL, 0); break;
		case 'b': size = (unsigned)atoi(optarg); break;
		case 'r': ring = (unsigned)atoi(optarg); break;
		case 'y': yield = true; break;
		case 'H': hugepages = false; break;
		case 'p': full_batches = false; break;
		case 'h': bench_ixgbe_usage(stdout); return 0;
		default: bench_ixgbe_usage(stderr); return 2;
		}
	}
	if (optind < argc || seconds <= 0 || size < 60 || size > 1514) {
		bench_ixgbe_usage(stderr);
		return 2;
	}

	struct mem_config mc = { .page_size = 0, .numa_node = -1, .hugepages = hugepages };
	if (mem_init(&mc) < 0) {
		fprintf(stderr, "kvick bench ixgbe: no DMA memory (try --no-hugepages)\n");
		return 1;
	}
	char gen[64];
	snprintf(gen, sizeof(gen), "sim:0/gen=0:%u", size);
	struct bench_port in, out;
	if (bench_open(&in, gen, ring) < 0)
		return 1;
	if (bench_open(&out, "sim:1/loopback", ring) < 0) {
		in.drv->close(in.nic, NULL);
		device_close(&in.dev);
		return 1;
	}

	/* Grow the freelist now (it grows a hugepage at a time, zeroing it), so
	 * the measurement sees the steady state only. */
	static struct packet *warm[4096];
	packet_free_batch(warm, packet_alloc_batch(warm, 4096));

	struct packet *pkts[IXGBE_RX_BATCH];
	uint64_t fwd = 0, dropped = 0, polls = 0, empty = 0, busy_cycles = 0, busy_packets = 0;
	uint64_t preempted = 0;
	/* Cycles per packet of each poll that moved at least half a batch: the
	 * median is robust to other sessions' load on a shared machine. */
	float *samples = malloc(MAX_SAMPLES * sizeof(*samples));
	size_t nsamples = 0;
	if (!samples) {
		fprintf(stderr, "kvick bench ixgbe: out of memory\n");
		return 1;
	}
	uint64_t t_end = now_ns() + (uint64_t)(seconds * 1e9);
	uint64_t tsc0 = rdtsc(), t0 = now_ns();
	for (;;) {
		uint64_t c0 = rdtsc();
		unsigned n = in.drv->rx_batch(in.nic, 0, pkts, IXGBE_RX_BATCH);
		unsigned sent = n ? out.drv->tx_batch(out.nic, 0, pkts, n) : 0;
		uint64_t c1 = rdtsc();
		polls++;
		if (n) {
			/* A call this long was preempted (the machine is shared): its
			 * cycles are the scheduler's, not the driver's.  Counted apart. */
			if (c1 - c0 > PREEMPTED_CYCLES) {
				preempted++;
			} else {
				busy_cycles += c1 - c0;
				busy_packets += n;
				if (nsamples < MAX_SAMPLES && n >= IXGBE_RX_BATCH / 2)
					samples[nsamples++] = (float)(c1 - c0) / (float)n;
			}
			fwd += sent;
			if (sent < n) {   /* TX ring full: drop, as the intel app would */
				dropped += n - sent;
				packet_free_batch(pkts + sent, n - sent);
			}
		} else {
			empty++;
			if (yield)
				sched_yield();
		}
		/* The model delivers far below line rate; at line rate every poll
		 * finds a full batch.  To measure the driver in that regime, let a
		 * batch build up in the ring (outside the timed calls). */
		if (full_batches && n < IXGBE_RX_BATCH) {
			struct timespec ts = { 0, 20000 };
			nanosleep(&ts, NULL);
		}
		if ((polls & 1023) == 0 && (now_ns() > t_end || (max_packets && fwd >= max_packets)))
			break;
	}
	uint64_t tsc = rdtsc() - tsc0;
	double secs = (double)(now_ns() - t0) / 1e9;
	double ghz = (double)tsc / secs / 1e9;

	struct nic_stats si, so;
	in.drv->close(in.nic, &si);
	out.drv->close(out.nic, &so);
	device_close(&in.dev);
	device_close(&out.dev);
	sim_shutdown();

	printf("ixgbe forwarding, model port 0 (generator, %u-byte frames) -> port 1, rings %u\n",
	       size, ring);
	printf("  %llu packets in %.2f s: %.2f Mpps forwarded (%llu dropped: TX ring full)\n",
	       (unsigned long long)fwd, secs, (double)fwd / secs / 1e6,
	       (unsigned long long)dropped);
	printf("  polls %llu (%llu empty), %.1f packets per busy poll, TSC %.2f GHz\n",
	       (unsigned long long)polls, (unsigned long long)empty,
	       polls > empty ? (double)(fwd + dropped) / (double)(polls - empty) : 0.0, ghz);
	double cpp = busy_packets ? (double)busy_cycles / (double)busy_packets : 0.0;
	printf("  driver (rx+tx calls that moved packets): %.1f cycles/packet "
	       "(%llu of %llu such calls preempted, left out)\n", cpp,
	       (unsigned long long)preempted, (unsigned long long)(polls - empty));
	printf("  whole loop incl. waiting for the model:  %.1f cycles/packet\n",
	       fwd ? (double)tsc / (double)fwd : 0.0);
	printf("  device: port 0 missed %llu, no descriptor %llu\n",
	       (unsigned long long)si.missed, (unsigned long long)si.rx_nodesc);
	qsort(samples, nsamples, sizeof(*samples), cmp_float);
	double median = nsamples ? samples[nsamples / 2] : 0.0;
	double p10 = nsamples ? samples[nsamples / 10] : 0.0;
	printf("  per poll of >= %u packets (%zu polls): median %.1f, 10th percentile %.1f "
	       "cycles/packet\n", IXGBE_RX_BATCH / 2, nsamples, median, p10);
	free(samples);
	printf("ixgbe: %.1f cycles/packet (median per poll)\n", median);
	return fwd ? 0 : 1;
}
