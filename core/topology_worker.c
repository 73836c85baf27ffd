/* topology_worker.c -- where apps run: `worker` lines and `@WORKER`.
 *
 *     worker rx0 cpu=0
 *     app nic0 intel pci=${NIC} @rx0
 *
 * A worker is a process pinned to one CPU (core/workers.h runs them).  The
 * checks here: a worker's name is a name, declared once, not "main" (the
 * worker that holds the apps without `@`); cpu= is given once and names a
 * CPU this process may run on (sched_getaffinity: a CPU that is offline or
 * outside a cpuset is refused as surely as one the machine lacks); two
 * workers on one CPU is allowed but warned about (they take turns, so
 * neither gets a core).  On an app line `@WORKER` is the last word, once;
 * the worker it names may be declared anywhere in the file, so placements
 * are resolved when the whole file is read (topo_check_workers).
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topology_internal.h"

#define WORKER_SYNTAX "worker NAME cpu=N"
#define MAIN_WORKER   "main"
#define APP_SYNTAX    "app NAME CLASS [key=value ...] @WORKER"

/* "0-1,4" for the CPUs this process may use. */
static void usable_cpus(char *buf, size_t size, cpu_set_t *set)
{
	CPU_ZERO(set);
	buf[0] = 0;
	if (sched_getaffinity(0, sizeof *set, set) < 0) {
		snprintf(buf, size, "unknown");
		return;
	}
	size_t n = 0;
	for (int c = 0; c < CPU_SETSIZE && n + 24 < size; c++) {
		if (!CPU_ISSET(c, set))
			continue;
		int last = c;
		while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, set))
			last++;
		n += (size_t)snprintf(buf + n, size - n, "%s%d", n ? "," : "", c);
		if (last > c)
			n += (size_t)snprintf(buf + n, size - n, "-%d", last);
		c = last;
	}
}

static int find_worker(const struct topology *t, const char *name)
{
	for (int i = 0; i < t->nworkers; i++)
		if (!strcmp(t->workers[i].name, name))
			return i;
	return -1;
}

static bool worker_name_ok(struct topo_parser *p, int lineno, const struct topo_word *nw)
{
	if (!topo_is_name(nw->text)) {
		topo_error(p, lineno, nw->col, nw->len,
		           "bad worker name '%s': use letters, digits and '_', starting with a letter or '_'",
		           nw->text);
		return false;
	}
	if (strlen(nw->text) >= TOPO_WORKER_NAME_MAX) {
		topo_error(p, lineno, nw->col, nw->len, "worker name '%s' is too long (at most %d characters)",
		           nw->text, TOPO_WORKER_NAME_MAX - 1);
		return false;
	}
	if (!strcmp(nw->text, MAIN_WORKER)) {
		topo_error(p, lineno, nw->col, nw->len,
		           "worker name '" MAIN_WORKER "' is taken: it holds the apps without '@WORKER'");
		return false;
	}
	int prev = find_worker(p->t, nw->text);
	if (prev >= 0) {
		topo_error(p, lineno, nw->col, nw->len, "duplicate worker '%s'; previously declared at %s:%d",
		           nw->text, p->file, p->t->workers[prev].line);
		return false;
	}
	if (p->t->nworkers == TOPO_MAX_WORKERS) {
		topo_error(p, lineno, nw->col, nw->len, "too many workers (at most %d)", TOPO_MAX_WORKERS);
		return false;
	}
	return true;
}

/* cpu=N: returns the CPU, or -1 after an error. */
static int worker_cpu(struct topo_parser *p, int lineno, const struct topo_word *aw)
{
	const char *v = aw->text + aw->eq + 1;
	int vlen = aw->col + aw->len - aw->value_col;
	char cpus[256];
	cpu_set_t set;
	usable_cpus(cpus, sizeof cpus, &set);
	char *end;
	long cpu = strtol(v, &end, 10);
	if (!*v || *end || cpu < 0 || v[0] == '-' || v[0] == '+') {
		topo_error(p, lineno, aw->value_col, vlen,
		           "bad value '%s' for cpu: expected a CPU number (usable CPUs here: %s)", v, cpus);
		return -1;
	}
	if (cpu >= CPU_SETSIZE || !CPU_ISSET((int)cpu, &set)) {
		topo_error(p, lineno, aw->value_col, vlen,
		           "CPU %ld is not on this machine (usable CPUs here: %s)", cpu, cpus);
		return -1;
	}
	return (int)cpu;
}

void topo_parse_worker(struct topo_parser *p, int lineno, const struct topo_word *w, int nw)
{
	if (nw < 2) {
		topo_error(p, lineno, w[0].col + w[0].len, 1,
		           "expected a worker name after 'worker' (" WORKER_SYNTAX ")");
		return;
	}
	bool name_ok = worker_name_ok(p, lineno, &w[1]);
	int cpu = -1, cpu_word = -1;
	for (int k = 2; k < nw; k++) {
		const struct topo_word *aw = &w[k];
		if (aw->eq < 0) {
			topo_error(p, lineno, aw->col, aw->len, "expected cpu=N, got '%s' (" WORKER_SYNTAX ")",
			           aw->text);
			continue;
		}
		if (aw->eq != 3 || strncmp(aw->text, "cpu", 3)) {
			static const char *const keys[] = {"cpu"};
			char hint[64], key[64];
			snprintf(key, sizeof key, "%.*s", aw->eq, aw->text);
			topo_error(p, lineno, aw->col, aw->eq > 0 ? aw->eq : 1,
			           "unknown parameter '%s' for a worker%s; a worker takes cpu=N", key,
			           topo_did_you_mean(hint, sizeof hint, key, keys, 1));
			continue;
		}
		if (cpu_word >= 0) {
			topo_error(p, lineno, aw->col, aw->eq, "duplicate parameter 'cpu' (first given at column %d)",
			           w[cpu_word].col);
			continue;
		}
		cpu_word = k;
		cpu = worker_cpu(p, lineno, aw);
	}
	if (cpu_word < 0) {
		topo_error(p, lineno, w[1].col, w[1].len,
		           "missing cpu= for worker '%s' (" WORKER_SYNTAX "); add cpu=N", w[1].text);
	}
	if (!name_ok)
		return;
	/* A worker with errors on its line is still declared (the file fails
	 * anyway), so the apps placed on it do not also say "unknown worker". */
	struct topology *t = p->t;
	struct topo_worker_src src = {.name_col = w[1].col, .name_len = w[1].len};
	if (cpu_word >= 0) {
		const struct topo_word *cw = &w[cpu_word];
		src.cpu_col = cw->value_col;
		src.cpu_len = cw->col + cw->len - cw->value_col;
	}
	t->workers[t->nworkers] = (struct topo_worker){.name = w[1].text, .cpu = cpu, .line = lineno};
	p->worker_src[t->nworkers++] = src;
}

bool topo_is_placement(const struct topo_word *w)
{
	return !w->bad && w->text[0] == '@' && w->eq < 0;
}

void topo_app_placement(struct topo_parser *p, int lineno, const struct topo_word *w, int nw,
                        const struct topo_word **at)
{
	*at = NULL;
	int first = -1;   /* the first '@' word */
	for (int k = 3; k < nw; k++) {
		if (!topo_is_placement(&w[k]))
			continue;
		if (first >= 0) {
			topo_error(p, lineno, w[k].col, w[k].len,
			           "app '%s' is placed twice: '%s' here, '%s' at column %d; an app runs on one worker",
			           w[1].text, w[k].text, w[first].text, w[first].col);
			continue;
		}
		first = k;
		if (!topo_is_name(w[k].text + 1)) {
			topo_error(p, lineno, w[k].col, w[k].len,
			           "expected a worker name after '@', got '%s' (" APP_SYNTAX ")", w[k].text);
			continue;
		}
		*at = &w[k];
	}
	for (int k = first + 1; first >= 0 && k < nw; k++) {
		if (!topo_is_placement(&w[k])) {
			topo_error(p, lineno, w[first].col, w[first].len,
			           "'%s' must be the last word of the app line (" APP_SYNTAX ")", w[first].text);
			break;
		}
	}
}

void topo_check_workers(struct topo_parser *p)
{
	struct topology *t = p->t;
	const char *names[TOPO_MAX_WORKERS];
	for (int i = 0; i < t->nworkers; i++)
		names[i] = t->workers[i].name;
	for (int i = 0; i < t->napps; i++) {
		struct topo_app_src *src = &p->app_src[i];
		t->apps[i].worker = -1;
		if (!src->at)
			continue;
		const char *name = src->at + 1;
		int wi = find_worker(t, name);
		if (wi >= 0) {
			t->apps[i].worker = wi;
			p->worker_src[wi].used = true;
			continue;
		}
		if (t->nworkers == 0) {
			topo_error(p, t->apps[i].line, src->at_col, src->at_len,
			           "unknown worker '%s': no worker is declared (declare one with '" WORKER_SYNTAX "')",
			           name);
			continue;
		}
		char hint[128];
		char *list = topo_name_list(names, t->nworkers, 20);
		topo_error(p, t->apps[i].line, src->at_col, src->at_len,
		           "unknown worker '%s'%s; declared workers: %s", name,
		           topo_did_you_mean(hint, sizeof hint, name, names, t->nworkers), list ? list : "?");
		free(list);
	}
	for (int i = 0; i < t->nworkers; i++) {
		const struct topo_worker *wk = &t->workers[i];
		const struct topo_worker_src *src = &p->worker_src[i];
		for (int j = 0; j < i && wk->cpu >= 0; j++)
			if (t->workers[j].cpu == wk->cpu) {
				topo_warning(p, wk->line, src->cpu_col, src->cpu_len,
				             "workers '%s' and '%s' (%s:%d) share CPU %d: they will take turns on it",
				             wk->name, t->workers[j].name, p->file, t->workers[j].line, wk->cpu);
				break;
			}
		if (!src->used)
			topo_warning(p, wk->line, src->name_col, src->name_len,
			             "worker '%s' has no apps (place one with '@%s' at the end of an app line)",
			             wk->name, wk->name);
	}
}
