/* testlib.h -- what every cmocka unit test includes.
 *
 * cmocka needs stdarg/stddef/setjmp before its header.  Tests run in the
 * ASan/UBSan build; DMA memory uses hugepages when the machine has them
 * (make test reserves some as root) and ordinary memory otherwise.
 */
#ifndef KVICK_TESTLIB_H
#define KVICK_TESTLIB_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <cmocka.h>

#endif

#include <stdio.h>
#include <string.h>
#include "core/app.h"
#include "core/memory.h"

/* The value of an app's counter by name; fails the test if it has none. */
static inline uint64_t test_counter(struct app *a, const char *name)
{
	for (int i = 0; i < a->ncounters; i++)
		if (strcmp(a->counters[i].name, name) == 0)
			return *a->counters[i].value;
	fail_msg("app %s has no counter %s", a->name, name);
	return 0;
}

/* DMA memory for tests: hugepages when the machine has free ones (make
 * test reserves them as root), ordinary memory otherwise.  Returns true
 * when hugepages are in use. */
static inline bool test_mem_init(void)
{
	long free_pages = 0;
	FILE *f = fopen("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "r");
	if (f) {
		if (fscanf(f, "%ld", &free_pages) != 1)
			free_pages = 0;
		fclose(f);
	}
	struct mem_config c = { .page_size = 0, .numa_node = -1, .hugepages = free_pages >= 64 };
	assert_int_equal(mem_init(&c), 0);
	return c.hugepages;
}

#include <stdlib.h>
#include "core/topology.h"

/* A topology text that must be refused while it is read (as `kvick check`
 * and `kvick run` both read it); returns what the parser printed, which
 * the caller frees. */
static inline char *test_topology_refused(const char *file, const char *text)
{
	char *err = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&err, &size);
	assert_non_null(f);
	struct topology *t = topology_parse(file, text, NULL, f);
	fclose(f);
	if (t) {
		topology_free(t);
		fail_msg("%s was accepted; expected it refused:\n%s", file, text);
	}
	fputs(err, stderr);   /* keep it in the test log */
	return err;
}
