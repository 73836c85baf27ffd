/* top.c -- `kvick top [PID]`: watch a running kvick's counters.
 *
 * A running kvick publishes its counters in /dev/shm/kvick.PID
 * (core/counters.h).  This command maps that file read-only and samples
 * it: the running engine never notices, it only ever writes its counters
 * as usual.  Rates are the difference between two samples divided by the
 * time between them.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "command.h"
#include "../core/counters.h"

KVICK_COMMAND(top, "top [PID] [--once] [--interval SECONDS]",
              "watch the counters of a running kvick");

static const char options[] =
	"PID is a running `kvick run`; without it, the only one running is\n"
	"chosen.  The table refreshes every interval until that process exits\n"
	"or you press Ctrl-C.\n"
	"\n"
	"options:\n"
	"  --once               print one snapshot (rates over one interval) and exit\n"
	"  --interval SECONDS   time between samples (default 1; 0.5 with --once)\n";


static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* PIDs of live processes that have a counters file; returns how many. */
static int find_instances(long *pids, int max)
{
	DIR *d = opendir(COUNTERS_DIR);
	if (!d)
		return 0;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)) && n < max) {
		if (strncmp(de->d_name, COUNTERS_PREFIX, strlen(COUNTERS_PREFIX)))
			continue;
		char *end;
		long pid = strtol(de->d_name + strlen(COUNTERS_PREFIX), &end, 10);
		if (*end || pid <= 0 || !counters_pid_alive(pid))
			continue;   /* a stale file of a process that was killed hard */
		pids[n++] = pid;
	}
	closedir(d);
	return n;
}

static int pick_instance(long *pid)
{
	long pids[64];
	int n = find_instances(pids, 64);
	if (n == 1) {
		*pid = pids[0];
		return 0;
	}
	if (n == 0) {
		fprintf(stderr, "kvick top: no running kvick found (no %s/%sPID of a live process)\n",
		        COUNTERS_DIR, COUNTERS_PREFIX);
		return 1;
	}
	fprintf(stderr, "kvick top: %d kvick processes are running; choose one with kvick top PID:\n", n);
	for (int i = 0; i < n; i++) {
		char path[64];
		struct counters_view v;
		snprintf(path, sizeof(path), "%s/%s%ld", COUNTERS_DIR, COUNTERS_PREFIX, pids[i]);
		if (counters_attach(path, &v) == 0) {
			fprintf(stderr, "  %-8ld %.*s\n", pids[i], (int)sizeof(v.hdr->topology), v.hdr->topology);
			counters_detach(&v);
		} else {
			fprintf(stderr, "  %ld\n", pids[i]);
		}
	}
	return 2;
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sample(const struct counters_view *v, uint64_t *values)
{
	for (uint32_t i = 0; i < v->hdr->capacity; i++)
		values[i] = v->entries[i].value;
}

static void print_table(const struct counters_view *v, const uint64_t *before,
                        const uint64_t *after, double seconds)
{
	struct timespec rt;
	clock_gettime(CLOCK_REALTIME, &rt);
	uint64_t now = (uint64_t)rt.tv_sec * 1000000000ull + rt.tv_nsec;
	double up = v->hdr->start_ns && now > v->hdr->start_ns ? (now - v->hdr->start_ns) / 1e9 : 0;
	printf("kvick top: pid %llu  topology %.*s  up %.1f s\n\n", (unsigned long long)v->hdr->pid,
	       (int)sizeof(v->hdr->topology), v->hdr->topology, up);
	printf("%-56s %20s %16s\n", "COUNTER", "VALUE", "PER SECOND");
	int shown = 0;
	for (uint32_t i = 0; i < v->hdr->capacity; i++) {
		const struct counters_entry *e = &v->entries[i];
		if (!e->name[0])
			continue;
		double rate = seconds > 0 && after[i] >= before[i] ? (after[i] - before[i]) / seconds : 0;
		printf("%-56.*s %20llu %16.1f\n", COUNTER_NAME_MAX, e->name,
		       (unsigned long long)after[i], rate);
		shown++;
	}
	if (!shown)
		puts("(no counters yet)");
	fflush(stdout);
}

static void sleep_seconds(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (time_t)s) * 1e9)};
	nanosleep(&ts, NULL);   /* returns early on Ctrl-C: fine */
}

static int watch(long pid, bool once, double interval)
{
	char path[64];
	snprintf(path, sizeof(path), "%s/%s%ld", COUNTERS_DIR, COUNTERS_PREFIX, pid);
	struct counters_view v;
	if (counters_attach(path, &v)) {
		fprintf(stderr, "kvick top: cannot read %s: is process %ld a running kvick?\n", path, pid);
		return 1;
	}
	uint32_t cap = v.hdr->capacity;
	uint64_t *before = calloc(cap ? cap : 1, sizeof(uint64_t));
	uint64_t *after = calloc(cap ? cap : 1, sizeof(uint64_t));
	int rc = 0;
	signal(SIGINT, on_sigint);
	sample(&v, before);
	double t0 = now_seconds();
	while (before && after && !interrupted) {
		sleep_seconds(interval);
		sample(&v, after);
		double t1 = now_seconds();
		if (!once)
			fputs("\033[H\033[2J", stdout);   /* home, clear screen */
		print_table(&v, before, after, t1 - t0);
		if (once)
			break;
		if (!counters_pid_alive(pid)) {
			printf("\nprocess %ld has exited\n", pid);
			break;
		}
		memcpy(before, after, cap * sizeof(uint64_t));
		t0 = t1;
	}
	if (!before || !after)
		rc = 1;
	free(before);
	free(after);
	counters_detach(&v);
	return rc;
}

int cmd_top(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		cli_print_help("top", options, stdout);
		return 0;
	}
	bool once = false;
	double interval = -1;
	long pid = 0;
	for (int i = 1; i < argc; i++) {
		const char *v;
		int r;
		if (!strcmp(argv[i], "--once")) {
			once = true;
		} else if ((r = cli_option_value(argc, argv, &i, "top", "--interval", &v))) {
			if (r < 0)
				return 2;
			if (cli_parse_double(v, &interval) || interval <= 0 || interval > 3600)
				return cli_usage_error("top", "--interval wants seconds (0 < s <= 3600), got '%s'", v);
		} else if (argv[i][0] == '-') {
			return cli_usage_error("top", "unknown option '%s'", argv[i]);
		} else if (pid || cli_parse_int(argv[i], &pid) || pid <= 0) {
			return cli_usage_error("top", "expected one PID, got '%s'", argv[i]);
		}
	}
	if (interval < 0)
		interval = once ? 0.5 : 1.0;
	if (!pid) {
		int rc = pick_instance(&pid);
		if (rc)
			return rc;
	}
	return watch(pid, once, interval);
}
