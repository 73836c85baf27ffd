/* test_sim_pace.c -- the pace option (hw-sim/pace.c): a paced port's RX
 * sources and its TX carry what the link speed allows, each frame taking
 * (len + 4 FCS + 20 preamble/IFG) * 8 bits of wire time.  The rate is
 * measured from the model's own counters over 0.4 s and must be within
 * 4% of the wire's (the credit of 1 ms the pacer keeps makes up for the
 * model thread waking late on this loaded machine; a test thread kept
 * off the CPU longer than its ring lasts would show as a low rate). */
#include "sim_test.h"

#define WINDOW_MS 400

static double wire_fps(double bps, unsigned len)
{
	return bps / ((len + 24) * 8.0);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A generator at 100 Mb/s: 1000-byte frames arrive at 100e6 / 8192 fps. */
static void generator_paced_at_100m(void **state)
{
	(void)state;
	struct tport t;
	t_open(&t, "sim:0/gen=0:1000,pace=100m");
	t_init(&t, true);
	t_wait_link(&t);
	t_rx_queue(&t, 0, 2048, 2, false);
	double start = 0, end = 0;
	uint64_t f0 = 0, f1 = 0;
	double t0 = now_s();
	for (;;) {
		while (t_rx_take(&t, 0, NULL, NULL) > 0)
			;
		double n = now_s();
		struct sim_port_stats st;
		sim_port_stats(0, &st);
		if (!start && n - t0 > 0.05) {           /* after the first 50 ms */
			start = n;
			f0 = st.rx_frames;
		} else if (start && n - start >= WINDOW_MS / 1000.0) {
			end = n;
			f1 = st.rx_frames;
			break;
		}
		usleep(1000);
	}
	double rate = (double)(f1 - f0) / (end - start), want = wire_fps(100e6, 1000);
	print_message("generator, pace=100m, 1000 bytes: %.0f fps (wire: %.0f)\n", rate, want);
	assert_true(rate > want * 0.96 && rate < want * 1.04);
	t_close(&t);
}

/* TX at 100 Mb/s onto a pcap sink: 1500-byte frames leave at 100e6 / 12192 fps. */
static void tx_paced_at_100m(void **state)
{
	(void)state;
	struct tport t;
	t_open(&t, "sim:1/pcap-out=/dev/null,pace=100m");
	t_init(&t, true);
	t_wait_link(&t);
	t_tx_queue(&t, 0, 2048);
	wr(&t, DMATXCTL, rd(&t, DMATXCTL) | 1);
	uint8_t f[1500];
	uint16_t len = t_frame(f, BCAST, 1500, 0, 1);
	const uint8_t *d[64];
	uint16_t l[64];
	for (unsigned i = 0; i < 64; i++)
		d[i] = f, l[i] = len;
	unsigned inflight = 0;
	double start = 0, end = 0;
	uint64_t f0 = 0, f1 = 0;
	double t0 = now_s();
	for (;;) {
		inflight -= t_tx_reclaim(&t, 0);
		while (inflight + 64 < 2047) {
			t_tx_send(&t, 0, 64, d, l);
			inflight += 64;
		}
		double n = now_s();
		struct sim_port_stats st;
		sim_port_stats(1, &st);
		if (!start && n - t0 > 0.05) {
			start = n;
			f0 = st.tx_frames;
		} else if (start && n - start >= WINDOW_MS / 1000.0) {
			end = n;
			f1 = st.tx_frames;
			break;
		}
		usleep(1000);
	}
	double rate = (double)(f1 - f0) / (end - start), want = wire_fps(100e6, 1500);
	print_message("TX, pace=100m, 1500 bytes: %.0f fps (wire: %.0f)\n", rate, want);
	assert_true(rate > want * 0.96 && rate < want * 1.04);
	t_close(&t);
}

static void pace_spec_errors(void **state)
{
	(void)state;
	struct device d;
	char err[256];
	assert_int_equal(sim_device_open("sim:2/loopback,pace=2g", &d, err, sizeof err), -1);
	assert_non_null(strstr(err, "pace=2g: expected pace"));
	struct tport t;
	t_open(&t, "sim:2/loopback,pace");   /* plain pace: 10 Gb/s */
	t_close(&t);
}

int main(void)
{
	log_set_level(getenv("SIM_VERBOSE") ? LOG_DEBUG : LOG_ERROR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(generator_paced_at_100m, t_teardown),
		cmocka_unit_test_teardown(tx_paced_at_100m, t_teardown),
		cmocka_unit_test_teardown(pace_spec_errors, t_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
