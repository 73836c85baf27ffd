/* cmd_selftest.c -- `kvick selftest NAME [ARGS]`: tests built into the binary.
 *
 * For what needs a real machine rather than a unit-test process: the VFIO
 * path against a real kernel and IOMMU (tests/vm/ runs it in a QEMU guest).
 */
#include <stdio.h>
#include <string.h>

#include "cli/command.h"
#include "driver/edu.h"

KVICK_COMMAND(selftest, "selftest vfio-edu ADDR",
	      "built-in tests that need real hardware or a VM (VFIO DMA with QEMU's edu)");

static int usage(FILE *f)
{
	fprintf(f, "usage: kvick selftest vfio-edu ADDR\n\n"
		   "  vfio-edu ADDR   open QEMU's edu device (1234:11e8, bound to vfio-pci) through\n"
		   "                  kvick's VFIO code, DMA kvick's hugepage memory into and out of\n"
		   "                  it, and check a DMA to an unmapped IOVA is blocked.  Prints one\n"
		   "                  line per check; exits 0 only if all pass.\n");
	return f == stdout ? 0 : 2;
}

int cmd_selftest(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return usage(stdout);
	if (argc == 3 && !strcmp(argv[1], "vfio-edu")) {
		int failed = edu_selftest(argv[2]);
		return failed == 0 ? 0 : 1;
	}
	return usage(stderr);
}
