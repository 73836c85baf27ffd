/* bench_i40e.c -- `kvick bench i40e`: the X710 driver's cost per packet
 * when it forwards between two X710 model ports, measured the way
 * `kvick bench ixgbe` measures the 82599's (cli/bench_ixgbe.c):
 *
 *   model thread (other core)                 driver thread (this core)
 *   sim:0 generator -> RX ring 0      --->    i40e rx_batch(port 0)
 *                                             i40e tx_batch(port 1)
 *   sim:1 TX ring -> loopback -> sim:1 RX (never polled: the model drops there)
 *
 * Cycles per packet (rdtsc) count only rx+tx calls that moved packets; the
 * median over polls of at least half a batch is the summary line.
 * Instructions per packet come from callgrind (docs/performance.md):
 *
 *   valgrind --tool=callgrind --toggle-collect=i40e_rx_batch \
 *            --toggle-collect=i40e_tx_batch ./kvick bench i40e --packets 200000 --yield
 *
 * then divide the Ir total by the packets the run prints as received.
 * --with-82599 runs `kvick bench ixgbe` with the same options first, so the
 * two drivers are measured in one run, on the same machine state.
 */
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/engine.h"
#include "../core/memory.h"
#include "../core/packet.h"
#include "../driver/device.h"
#include "../driver/i40e.h"
#include "../hw-sim/sim.h"
#include "bench.h"

static const char usage_text[] =
	"usage: kvick bench i40e [--seconds S] [--packets N] [--size BYTES] [--ring N]\n"
	"                        [--yield] [--busy-poll] [--no-hugepages] [--with-82599]\n"
	"  forwards X710 model port 0 (a generator) to port 1 through the X710 driver\n"
	"  --seconds S     run time (default 5)\n"
	"  --packets N     stop after N packets forwarded (for callgrind)\n"
	"  --size BYTES    frame size without FCS (default 60)\n"
	"  --ring N        descriptors per ring (default 512)\n"
	"  --yield         sched_yield() after an empty poll (under valgrind)\n"
	"  --busy-poll     poll again at once after a short batch (default: sleep\n"
	"                  20 us so batches fill up as they would at line rate)\n"
	"  --no-hugepages  DMA memory in ordinary pages\n"
	"  --with-82599    run `kvick bench ixgbe` with the same options first\n";

#define PREEMPTED_CYCLES 200000ull   /* a call this long was preempted */
#define MAX_SAMPLES (1u << 20)

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

struct bport {
	struct device dev;
	struct nic_dev *nd;
};

static int bopen(struct bport *p, const char *spec, unsigned ring)
{
	char err[512];
	struct nic_config c = { .rxq = 1, .txq = 1, .rx_ring = ring, .tx_ring = ring,
	                        .mtu = 1500, .promisc = true, .wait_link_ms = 2000 };
	if (device_open(spec, &p->dev, err, sizeof(err)) < 0) {
		fprintf(stderr, "kvick bench i40e: %s: %s\n", spec, err);
		return -1;
	}
	p->nd = i40e_driver.open(&p->dev, &c, err, sizeof(err));
	if (!p->nd) {
		fprintf(stderr, "kvick bench i40e: %s: %s\n", spec, err);
		device_close(&p->dev);
		return -1;
	}
	return 0;
}

static void bclose(struct bport *p, struct nic_stats *s)
{
	i40e_driver.close(p->nd, s);
	device_close(&p->dev);
}

int bench_i40e(int argc, char **argv)
{
	double seconds = 5;
	uint64_t max_packets = 0;
	unsigned size = 60, ring = 512;
	bool yield = false, hugepages = true, full_batches = true, with_82599 = false;
	static const struct option opts[] = {
		{ "seconds", required_argument, 0, 's' }, { "packets", required_argument, 0, 'n' },
		{ "size", required_argument, 0, 'b' },    { "ring", required_argument, 0, 'r' },
		{ "yield", no_argument, 0, 'y' },         { "no-hugepages", no_argument, 0, 'H' },
		{ "help", no_argument, 0, 'h' },          { "busy-poll", no_argument, 0, 'p' },
		{ "with-82599", no_argument, 0, 'x' },    { 0, 0, 0, 0 },
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
		case 'x': with_82599 = true; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (optind < argc || seconds <= 0 || size < 60 || size > 1514) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (with_82599) {
		/* the same options, without --with-82599 */
		char *av[32];
		int ac = 0;
		for (int i = 0; i < argc && ac < 31; i++)
			if (strcmp(argv[i], "--with-82599"))
				av[ac++] = argv[i];
		av[0] = (char *)"ixgbe";
		av[ac] = NULL;
		if (bench_ixgbe(ac, av) != 0)
			return 1;
		printf("\n");
	}

	struct mem_config mc = { .page_size = 0, .numa_node = -1, .hugepages = hugepages };
	if (mem_init(&mc) < 0) {
		fprintf(stderr, "kvick bench i40e: no DMA memory (try --no-hugepages)\n");
		return 1;
	}
	char gen[64];
	snprintf(gen, sizeof(gen), "sim:0/model=x710,gen=0:%u", size);
	struct bport in, out;
	if (bopen(&in, gen, ring) < 0)
		return 1;
	if (bopen(&out, "sim:1/model=x710,loopback", ring) < 0) {
		bclose(&in, NULL);
		return 1;
	}
	static struct packet *warm[4096];   /* grow the freelist before measuring */
	packet_free_batch(warm, packet_alloc_batch(warm, 4096));

	struct packet *pkts[NIC_RX_BATCH];
	uint64_t fwd = 0, dropped = 0, polls = 0, empty = 0, busy_cycles = 0, busy_packets = 0;
	uint64_t preempted = 0;
	float *samples = malloc(MAX_SAMPLES * sizeof(*samples));
	size_t nsamples = 0;
	if (!samples) {
		fprintf(stderr, "kvick bench i40e: out of memory\n");
		return 1;
	}
	uint64_t t_end = now_ns() + (uint64_t)(seconds * 1e9);
	uint64_t tsc0 = rdtsc(), t0 = now_ns();
	for (;;) {
		uint64_t c0 = rdtsc();
		unsigned n = i40e_driver.rx_batch(in.nd, 0, pkts, NIC_RX_BATCH);
		unsigned sent = n ? i40e_driver.tx_batch(out.nd, 0, pkts, n) : 0;
		uint64_t c1 = rdtsc();
		polls++;
		if (n) {
			if (c1 - c0 > PREEMPTED_CYCLES) {
				preempted++;
			} else {
				busy_cycles += c1 - c0;
				busy_packets += n;
				if (nsamples < MAX_SAMPLES && n >= NIC_RX_BATCH / 2)
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
		if (full_batches && n < NIC_RX_BATCH) {
			struct timespec ts = { 0, 20000 };
			nanosleep(&ts, NULL);
		}
		if ((polls & 1023) == 0) {
			if (now_ns() > t_end || (max_packets && fwd >= max_packets))
				break;
			if ((polls & 16383) == 0) {   /* housekeeping, as the intel app does */
				i40e_driver.poll(in.nd);
				i40e_driver.poll(out.nd);
			}
		}
	}
	uint64_t tsc = rdtsc() - tsc0;
	double secs = (double)(now_ns() - t0) / 1e9;
	double ghz = (double)tsc / secs / 1e9;

	struct nic_stats si, so;
	bclose(&in, &si);
	bclose(&out, &so);
	sim_shutdown();

	printf("i40e forwarding, X710 model port 0 (generator, %u-byte frames) -> port 1, rings %u\n",
	       size, ring);
	printf("  %llu packets in %.2f s: %.2f Mpps forwarded (%llu dropped: TX ring full), "
	       "%llu received\n", (unsigned long long)fwd, secs, (double)fwd / secs / 1e6,
	       (unsigned long long)dropped, (unsigned long long)(fwd + dropped));
	printf("  polls %llu (%llu empty), %.1f packets per busy poll, TSC %.2f GHz\n",
	       (unsigned long long)polls, (unsigned long long)empty,
	       polls > empty ? (double)(fwd + dropped) / (double)(polls - empty) : 0.0, ghz);
	double cpp = busy_packets ? (double)busy_cycles / (double)busy_packets : 0.0;
	printf("  driver (rx+tx calls that moved packets): %.1f cycles/packet "
	       "(%llu of %llu such calls preempted, left out)\n", cpp,
	       (unsigned long long)preempted, (unsigned long long)(polls - empty));
	printf("  whole loop incl. waiting for the model:  %.1f cycles/packet\n",
	       fwd ? (double)tsc / (double)fwd : 0.0);
	printf("  device: port 0 RX drops (GLPRT_RDPC) %llu\n", (unsigned long long)si.missed);
	qsort(samples, nsamples, sizeof(*samples), cmp_float);
	double median = nsamples ? samples[nsamples / 2] : 0.0;
	double p10 = nsamples ? samples[nsamples / 10] : 0.0;
	printf("  per poll of >= %u packets (%zu polls): median %.1f, 10th percentile %.1f "
	       "cycles/packet\n", NIC_RX_BATCH / 2, nsamples, median, p10);
	free(samples);
	printf("i40e: %.1f cycles/packet (median per poll)\n", median);
	return fwd ? 0 : 1;
}
