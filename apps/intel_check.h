/* intel_check.h -- the intel app's check(): its values, before any device
 * is opened (see app.h).  Kept apart from intel.c, which drives ports. */
#ifndef KVICK_APPS_INTEL_CHECK_H
#define KVICK_APPS_INTEL_CHECK_H

struct app_check;
struct app_args;

int intel_check(struct app_check *c, const struct app_args *args);

#endif
