/* workers.c -- supervisor and worker processes (see workers.h). */
#include "workers.h"

#include <errno.h>
#include <numa.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "counters.h"
#include "log.h"
#include "packet.h"
#include "../links/link.h"

#define REPORT_MAX   (32u << 10)   /* bytes of each part of a worker's report */
#define POLL_NS      1000000ull    /* the supervisor looks every millisecond */
#define ANSWER_NS    1000000000ull /* a worker that does not answer in 1 s is killed */
#define SUPERVISOR_COUNTERS 512u   /* counter slots kept for the supervisor's rows */

enum wk_state { WK_STARTING, WK_READY, WK_RUNNING, WK_STOPPED, WK_DONE, WK_FAILED };
enum wk_phase { PH_RUN, PH_STOP, PH_DRAIN };

/* One worker's status: written by the worker, read by the supervisor. */
struct wk_status {
	_Alignas(64) int state;       /* enum wk_state */
	int self_stop;                /* its engine stopped without being asked */
	int quiet, has_done;          /* engine_quiet() at the last tick */
	uint64_t ticks, moved, breaths, busy_ns, run_ns;
	int rc;                       /* its exit status, once DONE */
	char text_links[REPORT_MAX], text_apps[REPORT_MAX];
	char json_links[REPORT_MAX], json_apps[REPORT_MAX];
};

struct wk_ctl {
	_Alignas(64) int phase;       /* enum wk_phase, written by the supervisor */
	int go;                       /* every worker is ready: breathe */
	struct wk_status w[];
};

/* The supervisor's view of one worker (private memory). */
struct worker {
	const char *name;
	int cpu;                      /* -1: not pinned (main without --cpu) */
	int part;                     /* engine_part.worker: topology index, -1 main */
	pid_t pid;
	bool exited;
	int wstatus;
	bool died;                    /* ended other than by finishing its DRAIN */
	bool killed_by_us;
	bool start_failed;            /* its apps could not be created (printed by the worker) */
	uint64_t seen_ticks;
	uint64_t *slot_pid, *slot_breaths, *slot_busy;   /* in the counter file, for kvick top */
};

struct run {
	const struct topology *t;
	const struct workers_options *o;
	struct worker w[TOPO_MAX_WORKERS + 1];
	int n;
	struct wk_ctl *ctl;
	size_t ctl_bytes;
	struct freelist_pools *pools;
	struct link **shared;         /* per topology link: NULL, or its ring */
	uint64_t start_ns, end_ns;
	const char *stop_reason;
};

static volatile sig_atomic_t signalled;
static void on_signal(int sig) { signalled = sig; }

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void nap_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull) };
	nanosleep(&ts, NULL);
}

static int app_slot(const struct run *r, int app)
{
	int wi = r->t->apps[app].worker;
	return wi >= 0 ? wi : r->t->nworkers;   /* main is the last slot */
}

static int find_app(const struct topology *t, const char *name)
{
	for (int i = 0; i < t->napps; i++)
		if (!strcmp(t->apps[i].name, name))
			return i;
	return -1;
}

/* "src (source), snk (sink)": the apps worker k holds. */
static void apps_of(const struct run *r, int k, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = 0;
	for (int i = 0; i < r->t->napps && n + 1 < size; i++)
		if (app_slot(r, i) == k)
			n += (size_t)snprintf(buf + n, size - n, "%s%s (%s)", n ? ", " : "",
			                      r->t->apps[i].name, r->t->apps[i].cls->name);
}

/* ---- the worker process ---- */

static struct {
	struct wk_ctl *ctl;
	struct wk_status *me;
	struct engine *e;
} WK;

static void worker_tick(void *ctx)
{
	(void)ctx;
	struct engine_stats st;
	engine_stats(WK.e, &st);
	bool has_done = false;
	int quiet = engine_quiet(WK.e, &has_done);
	WK.me->quiet = quiet;
	WK.me->has_done = has_done;
	WK.me->moved = st.moved;
	WK.me->breaths = st.breaths;
	WK.me->busy_ns = st.busy_ns;
	WK.me->run_ns = mono_ns() - st.start_ns;
	__atomic_store_n(&WK.me->ticks, WK.me->ticks + 1, __ATOMIC_RELEASE);
	if (__atomic_load_n(&WK.ctl->phase, __ATOMIC_ACQUIRE) != PH_RUN)
		engine_stop(WK.e);
}

/* Write into a fixed buffer in shared memory (truncated, never overrun). */
static FILE *part_file(char *buf)
{
	memset(buf, 0, REPORT_MAX);
	return fmemopen(buf, REPORT_MAX - 1, "w");
}

static void wait_phase(struct wk_ctl *ctl, int phase)
{
	while (__atomic_load_n(&ctl->phase, __ATOMIC_ACQUIRE) < phase)
		nap_ns(100000);
}

static __attribute__((noreturn)) void worker_main(struct run *r, int k, pid_t supervisor)
{
	struct worker *w = &r->w[k];
	struct wk_status *me = &r->ctl->w[k];
	WK.ctl = r->ctl;
	WK.me = me;
	/* Die with the supervisor; a terminal's Ctrl-C goes to the supervisor
	 * only (this is its own process group), which stops everyone in order. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != supervisor)
		_exit(1);
	setpgid(0, 0);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	char name[16];
	snprintf(name, sizeof name, "kvick:%s", w->name);
	prctl(PR_SET_NAME, name);
	uint32_t per = (4096u - SUPERVISOR_COUNTERS) / (uint32_t)r->n;
	counters_partition(SUPERVISOR_COUNTERS + (uint32_t)k * per, per);
	mem_after_fork();
	if ((w->cpu >= 0 && engine_pin_cpu(w->cpu) < 0) || freelist_pools_join(r->pools, k) < 0) {
		__atomic_store_n(&me->state, WK_FAILED, __ATOMIC_RELEASE);
		_exit(1);
	}
	struct engine_part part = { .worker = w->part, .shared = r->shared };
	WK.e = engine_new_part(r->t, &part);
	if (!WK.e) {
		fflush(NULL);
		__atomic_store_n(&me->state, WK_FAILED, __ATOMIC_RELEASE);
		_exit(1);
	}
	engine_timer_add(WK.e, POLL_NS, worker_tick, NULL);
	__atomic_store_n(&me->state, WK_READY, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&r->ctl->go, __ATOMIC_ACQUIRE) &&
	       __atomic_load_n(&r->ctl->phase, __ATOMIC_ACQUIRE) == PH_RUN)
		nap_ns(100000);
	__atomic_store_n(&me->state, WK_RUNNING, __ATOMIC_RELEASE);
	struct run_options ro = { .busywait = r->o->run.busywait, .cpu = -1, .quiet = true,
	                          .no_finish = true };
	int rc = 0;
	if (__atomic_load_n(&r->ctl->phase, __ATOMIC_ACQUIRE) == PH_RUN)
		rc = engine_run(WK.e, &ro);
	worker_tick(NULL);
	if (__atomic_load_n(&r->ctl->phase, __ATOMIC_ACQUIRE) == PH_RUN)
		__atomic_store_n(&me->self_stop, 1, __ATOMIC_RELEASE);
	/* Rows while the apps can still add their report() lines. */
	struct engine_stats st;
	engine_stats(WK.e, &st);
	double secs = st.end_ns > st.start_ns ? (double)(st.end_ns - st.start_ns) / 1e9 : 0;
	FILE *f = part_file(me->text_links);
	if (f) {
		engine_report_links(WK.e, f, secs);
		fclose(f);
	}
	if ((f = part_file(me->text_apps))) {
		engine_report_apps(WK.e, f);
		fclose(f);
	}
	__atomic_store_n(&me->state, WK_STOPPED, __ATOMIC_RELEASE);
	/* Nobody breathes once the supervisor says DRAIN: draining now cannot
	 * race a producer. */
	wait_phase(r->ctl, PH_DRAIN);
	if (engine_shutdown(WK.e) < 0)
		rc = -1;
	bool first = true;
	if ((f = part_file(me->json_links))) {
		engine_json_links(WK.e, f, &first);
		fclose(f);
	}
	first = true;
	if ((f = part_file(me->json_apps))) {
		engine_json_apps(WK.e, f, &first);
		fclose(f);
	}
	freelist_pools_leave();
	me->rc = rc ? 1 : 0;
	fflush(NULL);
	__atomic_store_n(&me->state, WK_DONE, __ATOMIC_RELEASE);
	/* _exit: the counter file and the shared memory are the supervisor's;
	 * nothing here may unlink or unmap them at exit. */
	_exit(me->rc);
}

/* ---- the supervisor ---- */

static int setup_shared(struct run *r)
{
	const struct topology *t = r->t;
	uint64_t packets = r->o->packets ? r->o->packets : WORKERS_DEFAULT_PACKETS;
	size_t ctl = sizeof(struct wk_ctl) + (size_t)r->n * sizeof(struct wk_status);
	ctl = (ctl + 63) & ~(size_t)63;
	size_t links = 0;
	for (int i = 0; i < t->nlinks; i++)
		links += link_bytes(LINK_DEFAULT_SIZE);
	size_t pools = (freelist_pools_bytes(r->n, packets) + 63) & ~(size_t)63;
	r->ctl_bytes = ctl + links + pools;
	/* MAP_SHARED | MAP_ANONYMOUS before fork: every worker has it at the same
	 * address, and no file exists that a killed run could leave behind. */
	void *m = mmap(NULL, r->ctl_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		log_error("cannot map %zu bytes of shared memory for the workers: %s", r->ctl_bytes,
		          strerror(errno));
		return -1;
	}
	r->ctl = m;
	r->pools = (struct freelist_pools *)((uint8_t *)m + ctl + links);
	r->shared = calloc((size_t)t->nlinks + 1, sizeof *r->shared);
	if (!r->shared)
		return -1;
	uint8_t *lm = (uint8_t *)m + ctl;
	for (int i = 0; i < t->nlinks; i++) {
		int from = find_app(t, t->links[i].from_app), to = find_app(t, t->links[i].to_app);
		if (app_slot(r, from) == app_slot(r, to))
			continue;
		r->shared[i] = link_init_at(lm, LINK_DEFAULT_SIZE);
		lm += link_bytes(LINK_DEFAULT_SIZE);
	}
	int nodes[TOPO_MAX_WORKERS + 1];
	for (int k = 0; k < r->n; k++) {
		int node = -1;
		if (r->w[k].cpu >= 0 && numa_available() >= 0)
			node = numa_node_of_cpu(r->w[k].cpu);
		nodes[k] = node < 0 ? -1 : node;
	}
	return freelist_pools_create(r->pools, r->n, packets, nodes);
}

static struct worker *worker_of_pid(struct run *r, pid_t pid)
{
	for (int k = 0; k < r->n; k++)
		if (r->w[k].pid == pid)
			return &r->w[k];
	return NULL;
}

/* Reap every child that has ended; whether any died (ended before its
 * DRAIN was done). */
static bool reap(struct run *r)
{
	bool death = false;
	int st;
	pid_t pid;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		struct worker *w = worker_of_pid(r, pid);
		if (!w)
			continue;
		w->exited = true;
		w->wstatus = st;
		int k = (int)(w - r->w);
		int state = __atomic_load_n(&r->ctl->w[k].state, __ATOMIC_ACQUIRE);
		if (state == WK_FAILED || state == WK_STARTING)
			w->start_failed = true;
		if (state != WK_DONE) {
			w->died = true;
			death = true;
		}
	}
	return death;
}

static int alive(const struct run *r)
{
	int n = 0;
	for (int k = 0; k < r->n; k++)
		n += !r->w[k].exited;
	return n;
}

/* The end, seen on two ticks of every worker with nothing moved between. */
static bool finished(struct run *r, uint64_t *last_moved, bool *armed)
{
	uint64_t moved = 0;
	bool quiet = true, any_done = false, fresh = true;
	for (int k = 0; k < r->n; k++) {
		struct wk_status *s = &r->ctl->w[k];
		uint64_t ticks = __atomic_load_n(&s->ticks, __ATOMIC_ACQUIRE);
		quiet &= s->quiet != 0;
		any_done |= s->has_done != 0;
		moved += s->moved;
		fresh &= ticks > r->w[k].seen_ticks;
	}
	if (!quiet || !any_done) {
		*armed = false;
		return false;
	}
	if (!*armed || moved != *last_moved) {
		*armed = true;
		*last_moved = moved;
		for (int k = 0; k < r->n; k++)
			r->w[k].seen_ticks = __atomic_load_n(&r->ctl->w[k].ticks, __ATOMIC_ACQUIRE);
		return false;
	}
	return fresh;
}

static void publish_top(struct run *r)
{
	for (int k = 0; k < r->n; k++) {
		struct wk_status *s = &r->ctl->w[k];
		*r->w[k].slot_breaths = s->breaths;
		*r->w[k].slot_busy = s->run_ns ? s->busy_ns * 1000 / s->run_ns : 0;
	}
	counters_heartbeat();
}

static void set_phase(struct run *r, int phase)
{
	__atomic_store_n(&r->ctl->phase, phase, __ATOMIC_RELEASE);
}

/* Wait until every living worker reached `state` (or ended); past the
 * deadline, kill those that did not.  */
static void await_state(struct run *r, int state)
{
	uint64_t deadline = mono_ns() + ANSWER_NS;
	for (;;) {
		reap(r);
		bool all = true;
		for (int k = 0; k < r->n; k++)
			if (!r->w[k].exited &&
			    __atomic_load_n(&r->ctl->w[k].state, __ATOMIC_ACQUIRE) < state &&
			    __atomic_load_n(&r->ctl->w[k].state, __ATOMIC_ACQUIRE) != WK_FAILED)
				all = false;
		if (all)
			return;
		if (mono_ns() >= deadline)
			break;
		nap_ns(POLL_NS);
	}
	for (int k = 0; k < r->n; k++)
		if (!r->w[k].exited && __atomic_load_n(&r->ctl->w[k].state, __ATOMIC_ACQUIRE) < state) {
			log_error("worker %s (pid %d) did not answer within 1 s: killed", r->w[k].name,
			          (int)r->w[k].pid);
			r->w[k].killed_by_us = true;
			kill(r->w[k].pid, SIGKILL);
		}
}

static void reap_all(struct run *r)
{
	uint64_t deadline = mono_ns() + ANSWER_NS;
	while (alive(r)) {
		reap(r);
		if (!alive(r))
			break;
		if (mono_ns() >= deadline) {
			for (int k = 0; k < r->n; k++)
				if (!r->w[k].exited) {
					r->w[k].killed_by_us = true;
					kill(r->w[k].pid, SIGKILL);
				}
			/* SIGKILL cannot be refused: wait for it. */
			for (int k = 0; k < r->n; k++)
				if (!r->w[k].exited && waitpid(r->w[k].pid, &r->w[k].wstatus, 0) == r->w[k].pid) {
					r->w[k].exited = true;
					r->w[k].died = true;
				}
			break;
		}
		nap_ns(POLL_NS);
	}
}

/* "killed by signal 9 (Killed)", "exited with status 3", ... */
static void how_it_ended(const struct worker *w, char *buf, size_t size)
{
	if (w->start_failed && WIFEXITED(w->wstatus))
		snprintf(buf, size, "could not start its apps (exited with status %d)", WEXITSTATUS(w->wstatus));
	else if (WIFSIGNALED(w->wstatus))
		snprintf(buf, size, "killed by signal %d (%s)%s", WTERMSIG(w->wstatus),
		         strsignal(WTERMSIG(w->wstatus)), w->killed_by_us ? ", by kvick: it did not answer" : "");
	else if (WIFEXITED(w->wstatus))
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(w->wstatus));
	else
		snprintf(buf, size, "ended (wait status 0x%x)", w->wstatus);
}

/* --live: one line a second, every worker's breaths and busy share, and
 * the packets the shared links carried since the last line. */
static void live_line(struct run *r, uint64_t t, uint64_t *last_t, uint64_t *last_rx)
{
	uint64_t rx = 0;
	for (int i = 0; i < r->t->nlinks; i++)
		if (r->shared[i])
			rx += __atomic_load_n(&r->shared[i]->rxpackets, __ATOMIC_RELAXED);
	double dt = (double)(t - *last_t) / 1e9;
	fprintf(stderr, "[kvick %6.1fs] shared links: %8.3f Mpps;", (double)(t - r->start_ns) / 1e9,
	        dt > 0 ? (double)(rx - *last_rx) / dt / 1e6 : 0.0);
	for (int k = 0; k < r->n; k++) {
		struct wk_status *s = &r->ctl->w[k];
		fprintf(stderr, " %s busy %.0f%%", r->w[k].name,
		        s->run_ns ? 100.0 * (double)s->busy_ns / (double)s->run_ns : 0.0);
	}
	fputc('\n', stderr);
	*last_t = t;
	*last_rx = rx;
}

static void supervise(struct run *r)
{
	uint64_t deadline = UINT64_MAX, last_moved = 0, last_top = 0, last_live = 0, live_rx = 0;
	bool armed = false;
	for (;;) {
		nap_ns(POLL_NS);
		uint64_t t = mono_ns();
		if (reap(r)) {
			r->stop_reason = "a worker died";
			for (int k = 0; k < r->n; k++)
				if (r->w[k].start_failed)
					r->stop_reason = "a worker could not start";
			break;
		}
		if (!r->ctl->go) {
			bool ready = true;
			for (int k = 0; k < r->n; k++) {
				int s = __atomic_load_n(&r->ctl->w[k].state, __ATOMIC_ACQUIRE);
				if (s == WK_FAILED) {
					r->stop_reason = "a worker could not start";
					return;
				}
				ready &= s == WK_READY;
			}
			if (ready) {
				r->start_ns = last_live = mono_ns();
				if (r->o->run.duration > 0)
					deadline = r->start_ns + (uint64_t)(r->o->run.duration * 1e9);
				__atomic_store_n(&r->ctl->go, 1, __ATOMIC_RELEASE);
			}
			continue;
		}
		if (signalled) {
			r->stop_reason = signalled == SIGINT ? "SIGINT" : "SIGTERM";
			break;
		}
		if (t >= deadline) {
			r->stop_reason = "--duration";
			break;
		}
		for (int k = 0; k < r->n && !r->stop_reason; k++)
			if (__atomic_load_n(&r->ctl->w[k].self_stop, __ATOMIC_ACQUIRE))
				r->stop_reason = "a worker stopped by itself";
		if (r->stop_reason)
			break;
		if (finished(r, &last_moved, &armed)) {
			r->stop_reason = "every finite source is done and every link is empty";
			break;
		}
		if (t - last_top >= 100 * POLL_NS) {
			publish_top(r);
			last_top = t;
		}
		if (r->o->run.live && t - last_live >= 1000 * POLL_NS)
			live_line(r, t, &last_live, &live_rx);
	}
}

static void print_workers_text(struct run *r, FILE *out)
{
	fprintf(out, "workers:\n");
	for (int k = 0; k < r->n; k++) {
		struct worker *w = &r->w[k];
		struct wk_status *s = &r->ctl->w[k];
		char apps[512], how[160];
		apps_of(r, k, apps, sizeof apps);
		fprintf(out, "  %-10s pid %d, cpu ", w->name, (int)w->pid);
		if (w->cpu >= 0)
			fprintf(out, "%d", w->cpu);
		else
			fprintf(out, "any");
		fprintf(out, ": %llu breaths, busy %.1f %%; apps %s", (unsigned long long)s->breaths,
		        s->run_ns ? 100.0 * (double)s->busy_ns / (double)s->run_ns : 0.0, apps);
		if (w->died) {
			how_it_ended(w, how, sizeof how);
			fprintf(out, "; DIED: %s", how);
		}
		fputc('\n', out);
	}
}

static int write_json(struct run *r, const struct pools_census *c, double secs)
{
	const char *path = r->o->run.report_json;
	FILE *f = fopen(path, "w");
	if (!f) {
		log_error("cannot write report %s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "{\n  \"links\": {");
	bool first = true;
	for (int k = 0; k < r->n; k++)
		if (r->ctl->w[k].json_links[0]) {
			fprintf(f, "%s%s", first ? "" : ",", r->ctl->w[k].json_links);
			first = false;
		}
	for (int i = 0; i < r->t->nlinks; i++)
		if (r->shared[i]) {
			char spec[2 * APP_NAME_MAX + 80];
			const struct topo_link *l = &r->t->links[i];
			snprintf(spec, sizeof spec, "%s.%s -> %s.%s", l->from_app, l->from_port, l->to_app,
			         l->to_port);
			engine_json_link_row(f, spec, r->shared[i], &first);
		}
	fprintf(f, "\n  },\n  \"apps\": {");
	first = true;
	for (int k = 0; k < r->n; k++)
		if (r->ctl->w[k].json_apps[0]) {
			fprintf(f, "%s%s", first ? "" : ",", r->ctl->w[k].json_apps);
			first = false;
		}
	fprintf(f, "\n  },\n  \"packets\": {\"allocated\": %llu, \"free\": %llu, \"exhausted\": %llu, "
	        "\"in_return_rings\": %llu, \"pools_unknown\": %d},\n  \"workers\": {",
	        (unsigned long long)c->allocated, (unsigned long long)c->free,
	        (unsigned long long)c->exhausted, (unsigned long long)c->in_rings, c->unknown);
	for (int k = 0; k < r->n; k++) {
		struct worker *w = &r->w[k];
		struct wk_status *s = &r->ctl->w[k];
		char how[160];
		how_it_ended(w, how, sizeof how);
		fprintf(f, "%s\n    ", k ? "," : "");
		engine_json_string(f, w->name);
		fprintf(f, ": {\"pid\": %d, \"cpu\": %d, \"breaths\": %llu, \"busy\": %.4f, \"died\": %s, "
		        "\"end\": ", (int)w->pid, w->cpu, (unsigned long long)s->breaths,
		        s->run_ns ? (double)s->busy_ns / (double)s->run_ns : 0.0, w->died ? "true" : "false");
		engine_json_string(f, how);
		fprintf(f, ", \"apps\": [");
		bool firstapp = true;
		for (int i = 0; i < r->t->napps; i++)
			if (app_slot(r, i) == k) {
				fprintf(f, "%s", firstapp ? "" : ", ");
				engine_json_string(f, r->t->apps[i].name);
				firstapp = false;
			}
		fprintf(f, "]}");
	}
	fprintf(f, "\n  },\n  \"seconds\": %.6f\n}\n", secs);
	if (fclose(f) != 0) {
		log_error("cannot write report %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int report(struct run *r)
{
	int rc = 0;
	double secs = r->start_ns && r->end_ns > r->start_ns ? (double)(r->end_ns - r->start_ns) / 1e9 : 0;
	for (int k = 0; k < r->n; k++) {
		struct worker *w = &r->w[k];
		if (w->died) {
			char apps[512], how[160];
			apps_of(r, k, apps, sizeof apps);
			how_it_ended(w, how, sizeof how);
			fprintf(stderr, "kvick: error: worker %s (pid %d, cpu %d) %s; its apps: %s\n", w->name,
			        (int)w->pid, w->cpu, how, apps);
			rc = 1;
		} else if (WIFEXITED(w->wstatus) && WEXITSTATUS(w->wstatus) != 0) {
			rc = 1;   /* an app error, printed by the worker */
		}
	}
	struct pools_census c;
	freelist_pools_census(r->pools, &c);
	if (!r->o->run.quiet) {
		FILE *out = stdout;
		uint64_t breaths = 0;
		for (int k = 0; k < r->n; k++)
			breaths += r->ctl->w[k].breaths;
		fprintf(out, "kvick report: %s, %.3f s, %llu breaths on %d workers (stopped: %s)\n",
		        r->t->file, secs, (unsigned long long)breaths, r->n,
		        r->stop_reason ? r->stop_reason : "?");
		fprintf(out, "links:\n");
		for (int k = 0; k < r->n; k++)
			fputs(r->ctl->w[k].text_links, out);
		for (int i = 0; i < r->t->nlinks; i++)
			if (r->shared[i]) {
				char spec[2 * APP_NAME_MAX + 90];
				const struct topo_link *l = &r->t->links[i];
				snprintf(spec, sizeof spec, "%s.%s -> %s.%s (shared)", l->from_app, l->from_port,
				         l->to_app, l->to_port);
				engine_report_link_row(out, spec, r->shared[i], secs);
			}
		fprintf(out, "apps:\n");
		for (int k = 0; k < r->n; k++)
			fputs(r->ctl->w[k].text_apps, out);
		fprintf(out, "packets: %llu allocated, %llu free (%llu of them in return rings), %llu "
		        "allocation failures", (unsigned long long)c.allocated, (unsigned long long)c.free,
		        (unsigned long long)c.in_rings, (unsigned long long)c.exhausted);
		if (c.unknown)
			fprintf(out, "; %d pool%s not counted (worker died)", c.unknown, c.unknown == 1 ? "" : "s");
		fputc('\n', out);
		print_workers_text(r, out);
		fflush(out);
	}
	if (!c.unknown && c.free != c.allocated) {
		log_error("%llu packets were not returned (allocated %llu, free %llu)",
		          (unsigned long long)(c.allocated - c.free), (unsigned long long)c.allocated,
		          (unsigned long long)c.free);
		rc = 1;
	}
	if (r->o->run.report_json && write_json(r, &c, secs) < 0)
		rc = 1;
	if (r->o->result) {
		struct workers_result *res = r->o->result;
		*res = (struct workers_result){ .seconds = secs,
		                                .conserved = !c.unknown && c.free == c.allocated };
		for (int i = 0; i < r->t->nlinks; i++)
			if (r->shared[i]) {
				struct link_counters lc;
				link_get_counters(r->shared[i], &lc);
				res->shared_tx += lc.txpackets;
				res->shared_rx += lc.rxpackets;
				res->shared_drop += lc.txdrop;
			}
	}
	return rc;
}

int workers_run(const struct topology *t, const struct workers_options *o)
{
	static struct run R;   /* large (report buffers live in shared memory, not here) */
	struct run *r = &R;
	memset(r, 0, sizeof *r);
	r->t = t;
	r->o = o;
	for (int k = 0; k < t->nworkers; k++)
		r->w[r->n++] = (struct worker){ .name = t->workers[k].name, .cpu = t->workers[k].cpu,
		                                .part = k };
	bool unplaced = false;
	for (int i = 0; i < t->napps; i++)
		unplaced |= t->apps[i].worker < 0;
	if (unplaced)
		r->w[r->n++] = (struct worker){ .name = "main", .cpu = o->run.cpu, .part = -1 };

	struct mem_config mem = o->mem;
	mem.numa_node = -1;   /* each pool is placed on its worker's node */
	if (mem_init(&mem) || setup_shared(r)) {
		if (r->ctl)
			munmap(r->ctl, r->ctl_bytes);
		free(r->shared);
		return 1;
	}
	counters_open(t->file, 1);
	/* The supervisor's rows in the counter file (kvick top): the workers'
	 * own counters go in the slots after SUPERVISOR_COUNTERS, each worker
	 * its share (counters_partition), in the one file of this run. */
	for (int k = 0; k < r->n; k++) {
		static const char *const what[4] = { "pid", "cpu", "breaths", "busy_permille" };
		uint64_t *slot[4];
		for (int j = 0; j < 4; j++) {
			char name[96];
			snprintf(name, sizeof name, "worker/%s/%s", r->w[k].name, what[j]);
			slot[j] = counters_slot(name);
		}
		r->w[k].slot_pid = slot[0];
		*slot[1] = (uint64_t)(int64_t)r->w[k].cpu;
		r->w[k].slot_breaths = slot[2];
		r->w[k].slot_busy = slot[3];
	}

	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	signalled = 0;
	fflush(NULL);
	pid_t self = getpid();
	for (int k = 0; k < r->n; k++) {
		pid_t pid = fork();
		if (pid == 0)
			worker_main(r, k, self);
		if (pid < 0) {
			log_error("cannot start worker %s: fork: %s", r->w[k].name, strerror(errno));
			r->stop_reason = "fork failed";
			break;
		}
		r->w[k].pid = pid;
		*r->w[k].slot_pid = (uint64_t)pid;
	}
	int started = 0;
	while (started < r->n && r->w[started].pid)
		started++;
	r->n = started;   /* the ones that exist */
	if (!r->stop_reason)
		supervise(r);
	r->end_ns = mono_ns();
	set_phase(r, PH_STOP);
	await_state(r, WK_STOPPED);
	set_phase(r, PH_DRAIN);
	await_state(r, WK_DONE);
	reap_all(r);
	publish_top(r);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	int rc = report(r);
	counters_close();
	munmap(r->ctl, r->ctl_bytes);
	free(r->shared);
	return rc;
}
