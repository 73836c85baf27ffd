/* counters.h -- named 64-bit counters in a shared-memory file per process.
 *
 * A running kvick publishes its counters in /dev/shm/kvick.PID (a small
 * mmap'd file), so `kvick top` can watch it without slowing it: the engine
 * never makes a system call for a counter.  App counters are slots in the
 * file that the app increments directly; link counters are copied in by
 * the engine a few times a second and at exit.
 *
 * File layout (all little-endian, fixed size):
 *   struct counters_header, then `capacity` struct counters_entry.
 * An entry with name[0] == 0 is unused.  Names look like
 * "app/NAME/COUNTER" or "link/FROM.PORT -> TO.PORT/txpackets".
 */
#ifndef KVICK_COUNTERS_H
#define KVICK_COUNTERS_H

#include <stdbool.h>
#include <stdint.h>

#define COUNTERS_MAGIC    0x6b7669636b637472ull /* "kvickctr" */
#define COUNTERS_VERSION  1
#define COUNTER_NAME_MAX  120
#define COUNTERS_DIR      "/dev/shm"
#define COUNTERS_PREFIX   "kvick."   /* then the PID: /dev/shm/kvick.PID */

struct counters_header {
	uint64_t magic;
	uint32_t version;
	uint32_t capacity;      /* entries that follow */
	uint64_t pid;
	uint64_t start_ns;      /* CLOCK_REALTIME at start */
	volatile uint64_t heartbeat_ns; /* CLOCK_MONOTONIC of the last update */
	char     topology[200];
};

struct counters_entry {
	char name[COUNTER_NAME_MAX];
	volatile uint64_t value;
};

/* Create this process's file (in memory only, with path == NULL: tests and
 * `check`).  Returns 0 or -1. */
int counters_open(const char *topology_name, int publish);
/* Whether process pid exists (a counters file of a dead one is stale:
 * counters_open removes those, `kvick top` skips them). */
bool counters_pid_alive(long pid);
/* A new slot named `name` (copied), zeroed; never NULL: when the file is
 * full a private dummy slot is returned and a warning logged once. */
uint64_t *counters_slot(const char *name);
void counters_heartbeat(void);
/* Workers (core/workers.h) share their supervisor's file, mapped before
 * the fork: each takes new slots only from [first, first + count), so no
 * two processes ever take the same one. */
void counters_partition(uint32_t first, uint32_t count);
/* Path of this process's file, or NULL when not published. */
const char *counters_path(void);
void counters_close(void);   /* unlink the file */

/* Reading another process's file (kvick top). */
struct counters_view {
	const struct counters_header *hdr;
	const struct counters_entry *entries;
	uint64_t size;
	int fd;
};
int counters_attach(const char *path, struct counters_view *v);
void counters_detach(struct counters_view *v);

#endif
