/* test_sim_strict.c -- the model refuses what the datasheet forbids.
 * Each test misprograms the model on purpose and checks the message, the
 * violation counter, and that the queue did not start (or stopped). */
#include "sim_test.h"
#include <stdlib.h>
#include <sys/mman.h>

#include "hw-sim/model.h"   /* sim_iommu_mapper, sim_iommu_translate */

static struct tport t;

static int setup(void **state)
{
	(void)state;
	t_open(&t, "sim:0/loopback");
	t_init(&t, true);
	t_wait_link(&t);
	return 0;
}

static int teardown(void **state)
{
	t_close(&t);
	return t_teardown(state);
}

/* Program RX queue q's ring registers directly. */
static void rx_ring(unsigned q, uint64_t iova, uint32_t len, uint32_t srrctl)
{
	wr(&t, RDBAL(q), (uint32_t)iova);
	wr(&t, RDBAH(q), (uint32_t)(iova >> 32));
	wr(&t, RDLEN(q), len);
	wr(&t, SRRCTL(q), srrctl);
}

/* Set RXDCTL(q).ENABLE and wait for the model thread to refuse it with
 * `why` (ENABLE reads 0 until the model thread decides either way, so the
 * message, not the bit, says that it decided); then ENABLE must read 0. */
static void rx_enable_refused(unsigned q, const char *why)
{
	wr(&t, RXDCTL(q), ENABLE);
	assert_true(WAIT_FOR(sim_violation_find(why), 100));
	assert_int_equal(rd(&t, RXDCTL(q)) & ENABLE, 0);
}

static void ring_base_not_aligned(void **state)
{
	uint8_t *ring = mem_alloc_dma(4096, 4096);
	rx_ring(0, mem_iova(ring) + 64, 1024, 2 | (1u << 25));
	assert_true(sim_violation_find("RDBAL(0) = 0x"));
	assert_true(sim_violation_find("is not 128-byte aligned"));
	rx_enable_refused(0, "RXDCTL(0).ENABLE refused: ring base (RDBAL) not 128-byte aligned");
}

static void ring_length_not_multiple_of_128(void **state)
{
	uint8_t *ring = mem_alloc_dma(4096, 4096);
	rx_ring(1, mem_iova(ring), 1000, 2 | (1u << 25));
	assert_true(sim_violation_find("RDLEN(1) = 1000 is not a non-zero multiple of 128"));
	rx_enable_refused(1, "RDLEN not a multiple of 128 bytes");
	wr(&t, TDLEN(2), 200);
	assert_true(sim_violation_find("TDLEN(2) = 200"));
}

static void enable_before_base_and_length(void **state)
{
	rx_enable_refused(2, "RXDCTL(2).ENABLE refused: RDBAL/RDBAH/RDLEN not programmed");
	wr(&t, TXDCTL(3), ENABLE);
	assert_true(WAIT_FOR(sim_violation_find("TXDCTL(3).ENABLE refused: TDBAL/TDBAH/TDLEN not programmed"), 100));
	assert_int_equal(rd(&t, TXDCTL(3)) & ENABLE, 0);
}

static void bsizepacket_zero(void **state)
{
	uint8_t *ring = mem_alloc_dma(4096, 4096);
	rx_ring(3, mem_iova(ring), 1024, 0 | (1u << 25));
	rx_enable_refused(3, "SRRCTL.BSIZEPACKET is 0");
}

static void legacy_descriptor_type(void **state)
{
	uint8_t *ring = mem_alloc_dma(4096, 4096);
	rx_ring(4, mem_iova(ring), 1024, 2);          /* DESCTYPE 000: legacy */
	rx_enable_refused(4, "SRRCTL.DESCTYPE is not 001b");
}

static void tail_beyond_ring(void **state)
{
	t_rx_queue(&t, 5, 64, 2, false);
	wr(&t, RDT(5), 64);
	assert_true(sim_violation_find("RDT(5) = 64 is beyond the ring (RDLEN = 1024 bytes, 64 descriptors)"));
	assert_int_equal(rd(&t, RDT(5)), 63);          /* the write was ignored */
	t_tx_queue(&t, 5, 32);
	wr(&t, TDT(5), 40);
	assert_true(sim_violation_find("TDT(5) = 40 is beyond the ring"));
	assert_int_equal(rd(&t, TDT(5)), 0);
}

static void ring_change_while_enabled(void **state)
{
	t_rx_queue(&t, 6, 64, 2, false);
	wr(&t, RDLEN(6), 2048);
	assert_true(sim_violation_find("RDLEN(6) changed while queue 6 is enabled"));
	assert_int_equal(rd(&t, RDLEN(6)), 1024);
	wr(&t, RDH(6), 5);
	assert_true(sim_violation_find("RDH(6) written (0 -> 5) while the queue is enabled"));
}

static void tx_descriptor_length_zero_stops_queue(void **state)
{
	t_tx_queue(&t, 0, 64);
	struct packet *p = packet_alloc();
	p->length = 0;
	t_tx_desc(&t, 0, 0, p, TXCMD);
	wr(&t, TDT(0), 1);
	assert_true(WAIT_FOR(sim_violation_find("TX queue 0 descriptor 0: data descriptor with length 0"), 100));
	assert_true(wait_reg(&t, TXDCTL(0), ENABLE, 0, 100));     /* stopped */
	struct sim_port_stats st;
	sim_port_stats(0, &st);
	assert_int_equal(st.tx_frames, 0);
}

static void tx_frame_too_long_stops_queue(void **state)
{
	t_tx_queue(&t, 1, 64);
	/* two 9000-byte pieces of one frame: 18000 bytes > 15.5 KB */
	struct packet *a = packet_alloc(), *b = packet_alloc();
	a->length = b->length = 9000;
	t_tx_desc(&t, 1, 0, a, TXCMD & ~(1u << 24));       /* no EOP */
	t_tx_desc(&t, 1, 1, b, TXCMD);
	wr(&t, TDT(1), 2);
	assert_true(WAIT_FOR(sim_violation_find("frame longer than 15.5 KB"), 100));
	assert_true(wait_reg(&t, TXDCTL(1), ENABLE, 0, 100));
}

static void tx_legacy_descriptor_stops_queue(void **state)
{
	t_tx_queue(&t, 2, 64);
	struct packet *p = packet_alloc();
	p->length = 60;
	t_tx_desc(&t, 2, 0, p, (1u << 24) | (1u << 25));   /* legacy: no DEXT */
	wr(&t, TDT(2), 1);
	assert_true(WAIT_FOR(sim_violation_find("not an advanced data or context descriptor"), 100));
	assert_true(wait_reg(&t, TXDCTL(2), ENABLE, 0, 100));
}

static void rx_into_unmapped_iova_faults_and_stops(void **state)
{
	t_rx_queue(&t, 0, 64, 2, false);
	/* descriptor 0 points at an address no mapping covers (a virtual
	 * address, the classic mistake) */
	struct packet *p = t.rx[0].pkt[0];
	volatile uint64_t *d = (volatile uint64_t *)t.rx[0].ring;
	d[0] = (uint64_t)(uintptr_t)packet_data(p);
	uint8_t f[64];
	t_frame(f, BCAST, 64, 1, 1);
	assert_int_equal(sim_port_inject(0, f, 64), 0);
	assert_true(WAIT_FOR(sim_iommu_faults() == 1, 100));
	/* The fault is counted, then recorded: wait for the record too. */
	assert_true(WAIT_FOR(sim_violation_find("IOMMU fault: RX buffer of queue 0 DMA to IOVA"), 100));
	assert_true(wait_reg(&t, RXDCTL(0), ENABLE, 0, 100));
	/* the queue stays stopped: a second frame does not reach it */
	assert_int_equal(sim_port_inject(0, f, 64), 0);
	struct sim_port_stats st;
	assert_true(WAIT_FOR(sim_port_stats(0, &st) == 0 && st.wire_rx_frames == 2, 100));
	assert_int_equal(st.iommu_faults, 1);
	assert_int_equal(st.rx_frames, 0);
	assert_int_equal(st.rx_drop_disabled, 1);
	assert_int_equal(*(volatile uint32_t *)(t.rx[0].ring + 8) & 1, 0);   /* no DD */
}

/* The model's IOTLB caches translations; a mapping removed after use must
 * fault, not hit a stale entry.  The test maps a region of its own through
 * the sim IOMMU, lets the model DMA a frame into it (the translation is now
 * cached on the model thread), unmaps it, points the next descriptor at the
 * same IOVA: that DMA must be an IOMMU fault and the region untouched. */
static void rx_buffer_unmapped_after_use_faults(void **state)
{
	const size_t len = 2u << 20;
	uint8_t *mine = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(mine != MAP_FAILED);
	uint64_t iova;
	assert_int_equal(sim_iommu_mapper.map(sim_iommu_mapper.ctx, mine, len, &iova), 0);
	t_rx_queue(&t, 0, 64, 2, false);
	volatile uint64_t *d = (volatile uint64_t *)t.rx[0].ring;
	d[0] = iova + 4096;                             /* descriptor 0 -> my region */
	d[2] = iova + 8192;                             /* descriptor 1 -> my region */
	uint8_t f[64];
	t_frame(f, BCAST, 64, 1, 1);
	assert_int_equal(sim_port_inject(0, f, 64), 0);
	assert_true(WAIT_FOR(__atomic_load_n((volatile uint32_t *)(t.rx[0].ring + 8), __ATOMIC_ACQUIRE) & 1, 100));
	assert_memory_equal(mine + 4096, f, 64);        /* the DMA went through the IOMMU */
	assert_int_equal(sim_iommu_faults(), 0);

	sim_iommu_mapper.unmap(sim_iommu_mapper.ctx, iova, len);
	t_frame(f, BCAST, 64, 2, 2);
	assert_int_equal(sim_port_inject(0, f, 64), 0);
	assert_true(WAIT_FOR(sim_iommu_faults() == 1, 100));
	assert_true(WAIT_FOR(sim_violation_find("IOMMU fault: RX buffer of queue 0 DMA to IOVA"), 100));
	assert_true(wait_reg(&t, RXDCTL(0), ENABLE, 0, 100));
	assert_int_equal(*(volatile uint32_t *)(t.rx[0].ring + 24) & 1, 0);   /* no DD */
	for (unsigned i = 0; i < 64; i++)
		assert_int_equal(mine[8192 + i], 0);    /* nothing written after the unmap */
	struct sim_port_stats st;
	assert_int_equal(sim_port_stats(0, &st), 0);
	assert_int_equal(st.rx_frames, 1);
	munmap(mine, len);
}

/* The same on this thread's IOTLB, directly: a hit, a range that runs past
 * the end of the mapping (the rest of its 2 MiB IOVA page is not mapped),
 * and a miss after the unmap even though the entry was just filled. */
static void iotlb_hits_and_invalidation(void **state)
{
	const size_t len = 8192;
	uint8_t *mine = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(mine != MAP_FAILED);
	uint64_t iova;
	assert_int_equal(sim_iommu_mapper.map(sim_iommu_mapper.ctx, mine, len, &iova), 0);
	assert_ptr_equal(sim_iommu_translate(iova + 100, 60), mine + 100);
	assert_ptr_equal(sim_iommu_translate(iova + 100, 60), mine + 100);    /* cached */
	assert_ptr_equal(sim_iommu_translate(iova + 8000, 192), mine + 8000); /* ends at the end */
	assert_null(sim_iommu_translate(iova + 8000, 193));                  /* one byte past it */
	assert_null(sim_iommu_translate(iova + 8192, 1));                    /* same page, unmapped */
	sim_iommu_mapper.unmap(sim_iommu_mapper.ctx, iova, len);
	assert_null(sim_iommu_translate(iova + 100, 60));
	munmap(mine, len);
}

static void tx_enable_before_te(void **state)
{
	wr(&t, DMATXCTL, 0);
	t_tx_queue(&t, 6, 32);
	assert_true(sim_violation_find("TXDCTL(6).ENABLE set while DMATXCTL.TE is clear"));
}

static void stale_dd_in_rx_descriptor(void **state)
{
	t_rx_queue(&t, 0, 64, 2, false);
	volatile uint64_t *d = (volatile uint64_t *)t.rx[0].ring;
	d[1] = 1;                                       /* header address bit 0 */
	uint8_t f[64];
	t_frame(f, BCAST, 64, 1, 1);
	sim_port_inject(0, f, 64);
	assert_true(WAIT_FOR(sim_violation_find("given to hardware with bit 0 of the header address (DD) set"), 100));
}

int main(void)
{
	log_set_level(getenv("SIM_VERBOSE") ? LOG_DEBUG : LOG_ERROR);
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(ring_base_not_aligned), T(ring_length_not_multiple_of_128),
		T(enable_before_base_and_length), T(bsizepacket_zero),
		T(legacy_descriptor_type), T(tail_beyond_ring), T(ring_change_while_enabled),
		T(tx_descriptor_length_zero_stops_queue), T(tx_frame_too_long_stops_queue),
		T(tx_legacy_descriptor_stops_queue), T(rx_into_unmapped_iova_faults_and_stops),
		T(rx_buffer_unmapped_after_use_faults), T(iotlb_hits_and_invalidation),
		T(tx_enable_before_te), T(stale_dd_in_rx_descriptor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
