/* counters.c -- the shared-memory counter file (see counters.h). */
#include "counters.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define CAPACITY 4096u

static struct {
	struct counters_header *hdr;
	struct counters_entry *entries;
	size_t size;
	uint32_t used;
	uint32_t limit;    /* slots this process may use end here (counters_partition) */
	char path[128];
	int published;
	uint64_t dummy;
} C;

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A run killed hard (SIGKILL, a crash) leaves its file behind.  Remove
 * those of processes that no longer exist, so /dev/shm does not fill up
 * with them; `kvick top` skips them too.  A file we may not remove (another
 * user's) is left alone. */
static void remove_stale_files(void)
{
	DIR *d = opendir(COUNTERS_DIR);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, COUNTERS_PREFIX, strlen(COUNTERS_PREFIX)))
			continue;
		char *end;
		long pid = strtol(de->d_name + strlen(COUNTERS_PREFIX), &end, 10);
		if (*end || pid <= 0 || pid == (long)getpid() || counters_pid_alive(pid))
			continue;
		char path[sizeof(COUNTERS_DIR) + 256 + 2];
		snprintf(path, sizeof path, "%s/%s", COUNTERS_DIR, de->d_name);
		if (unlink(path) == 0)
			log_debug("removed %s: process %ld is gone", path, pid);
	}
	closedir(d);
}

bool counters_pid_alive(long pid)
{
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

int counters_open(const char *topology_name, int publish)
{
	if (C.hdr)
		counters_close();
	C.size = sizeof(struct counters_header) + CAPACITY * sizeof(struct counters_entry);
	void *mem;
	if (publish) {
		remove_stale_files();
		snprintf(C.path, sizeof C.path, "%s/%s%d", COUNTERS_DIR, COUNTERS_PREFIX, (int)getpid());
		/* 0600: counters name interfaces and files; they are the owner's.
		 * fchmod too, for a file left by an earlier process with this PID. */
		int fd = open(C.path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || fchmod(fd, 0600) < 0 || ftruncate(fd, (off_t)C.size) < 0) {
			log_warn("cannot create %s (%s): `kvick top` will not see this run",
			         C.path, strerror(errno));
			if (fd >= 0)
				close(fd);
			unlink(C.path);
			publish = 0;
		} else {
			mem = mmap(NULL, C.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			close(fd);
			if (mem == MAP_FAILED) {
				unlink(C.path);
				publish = 0;
			}
		}
	}
	if (!publish) {
		C.path[0] = 0;
		mem = mmap(NULL, C.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			return -1;
	}
	C.published = publish;
	C.hdr = mem;
	C.entries = (struct counters_entry *)(C.hdr + 1);
	C.used = 0;
	C.limit = CAPACITY;
	C.hdr->capacity = CAPACITY;
	C.hdr->version = COUNTERS_VERSION;
	C.hdr->pid = (uint64_t)getpid();
	C.hdr->start_ns = clock_ns(CLOCK_REALTIME);
	snprintf(C.hdr->topology, sizeof C.hdr->topology, "%s", topology_name ? topology_name : "");
	/* The magic goes last: a reader that sees it sees a valid header. */
	__atomic_store_n(&C.hdr->magic, COUNTERS_MAGIC, __ATOMIC_RELEASE);
	return 0;
}

uint64_t *counters_slot(const char *name)
{
	if (!C.hdr && counters_open(NULL, 0) < 0)
		return &C.dummy;
	if (C.used >= C.limit) {
		log_once(LOG_WARN, "counter file full (%u counters); '%s' and later ones are not published",
		         CAPACITY, name);
		return &C.dummy;
	}
	struct counters_entry *e = &C.entries[C.used++];
	e->value = 0;
	snprintf(e->name, sizeof e->name, "%s", name);
	return (uint64_t *)&e->value;
}

void counters_partition(uint32_t first, uint32_t count)
{
	if (first > CAPACITY)
		first = CAPACITY;
	C.used = first;
	C.limit = first + count > CAPACITY ? CAPACITY : first + count;
}

void counters_heartbeat(void)
{
	if (C.hdr)
		C.hdr->heartbeat_ns = clock_ns(CLOCK_MONOTONIC);
}

const char *counters_path(void)
{
	return C.published ? C.path : NULL;
}

void counters_close(void)
{
	if (!C.hdr)
		return;
	munmap(C.hdr, C.size);
	if (C.published)
		unlink(C.path);
	memset(&C, 0, sizeof C);
}

int counters_attach(const char *path, struct counters_view *v)
{
	memset(v, 0, sizeof *v);
	v->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (v->fd < 0)
		return -1;
	struct stat st;
	if (fstat(v->fd, &st) < 0 || (size_t)st.st_size < sizeof(struct counters_header)) {
		close(v->fd);
		errno = EINVAL;
		return -1;
	}
	void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, v->fd, 0);
	if (m == MAP_FAILED) {
		close(v->fd);
		return -1;
	}
	v->hdr = m;
	v->size = (uint64_t)st.st_size;
	if (v->hdr->magic != COUNTERS_MAGIC || v->hdr->version != COUNTERS_VERSION ||
	    sizeof(struct counters_header) + v->hdr->capacity * sizeof(struct counters_entry) > v->size) {
		counters_detach(v);
		errno = EPROTO;
		return -1;
	}
	v->entries = (const struct counters_entry *)(v->hdr + 1);
	return 0;
}

void counters_detach(struct counters_view *v)
{
	if (v->hdr)
		munmap((void *)v->hdr, v->size);
	if (v->fd >= 0)
		close(v->fd);
	memset(v, 0, sizeof *v);
	v->fd = -1;
}
