/* app_args.h -- the parameter values of one app instance.
 *
 * This is the struct behind app.h's app_arg_* readers, and the value
 * checks that the topology parser applies before any app sees a value.
 * Apps do not include this file; they read values through app.h.
 *
 * Contract: by the time an app's new() runs, every value in its args was
 * given in the topology or is the class's default, and every value parses
 * as its parameter's type (the parser refused the file otherwise).  So
 * app_arg_int() and friends never fail on user input; reading a parameter
 * the class did not declare, or with the wrong reader, is a bug in the app
 * and is logged once.
 */
#ifndef KVICK_APP_ARGS_H
#define KVICK_APP_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "app.h"

struct app_arg_value {
	const struct app_param *param;
	const char *value;   /* given in the topology, else the default, else NULL */
	bool given;          /* true when the topology set it */
};

struct app_args {
	const struct app_class *cls;
	int n;                        /* number of class parameters */
	struct app_arg_value *v;      /* one per class parameter, in class order */
};

/* What a class's check() is given besides the values (see app.h). */
struct app_check {
	const char *const *inputs, *const *outputs;  /* linked port names */
	int ninputs, noutputs;
	bool links_unknown;      /* a link line is broken: assume linked */
	const char *param;       /* set by app_check_error; NULL: the app */
	char error[256];
};

/* Fill `a` for `cls` from n key/value pairs (keys are known parameters of
 * the class, checked by the caller) and the class defaults.  Values are
 * not copied: they must outlive `a`.  Returns 0, or -1 when out of memory. */
int app_args_init(struct app_args *a, const struct app_class *cls,
                  const char *const *keys, const char *const *values, int n);
void app_args_release(struct app_args *a);

/* Number of parameters a class declares, and one by name (NULL: none). */
int app_class_nparams(const struct app_class *cls);
const struct app_param *app_class_param(const struct app_class *cls, const char *name);

/* Whether text is a valid value of type t.  NULL when it is; otherwise a
 * phrase naming what was expected, with an example, for error messages:
 * "an integer (e.g. 64 or 0x40)". */
const char *param_value_error(enum param_type t, const char *text);
/* "string", "int", "bool", "float", "mac", "ipv4". */
const char *param_type_name(enum param_type t);

/* Value parsers behind the checks (0 on success, -1 if malformed). */
int parse_int64(const char *s, int64_t *out);  /* decimal, or hex with 0x */
int parse_bool(const char *s, bool *out);      /* true/false yes/no on/off 1/0 */
int parse_double(const char *s, double *out);  /* a finite number */

#endif
