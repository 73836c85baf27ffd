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
#include <cmocka.h>

#endif
