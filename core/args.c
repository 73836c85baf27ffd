/* args.c -- parameter values of an app instance (app.h's app_arg_*), and
 * the parsers that decide what a valid value of each type is.
 *
 * The parser and the readers use the same functions, so a value the
 * topology checker accepted is always one the app can read.
 */
#include "app_args.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"

/* ---- value parsers ---- */

int parse_int64(const char *s, int64_t *out)
{
	const char *digits = s;
	int base = 10;
	if (*digits == '-' || *digits == '+')
		digits++;
	/* "0x" means hex; a leading 0 alone does NOT mean octal (strtoll's base 0
	 * would read "010" as 8, which no one writing a topology expects). */
	if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
		base = 16;
		digits += 2;
	}
	if (!isxdigit((unsigned char)*digits) || (base == 10 && !isdigit((unsigned char)*digits)))
		return -1;
	char *end;
	errno = 0;
	long long v;
	if (base == 16) {
		unsigned long long u = strtoull(digits, &end, 16);
		if (u > (unsigned long long)INT64_MAX)
			return -1;
		v = s[0] == '-' ? -(long long)u : (long long)u;
	} else {
		v = strtoll(s, &end, 10);
	}
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	for (unsigned i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

int parse_double(const char *s, double *out)
{
	char *end;
	errno = 0;
	if (!*s || isspace((unsigned char)*s))
		return -1;
	double v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* Exactly six groups of two hex digits joined by ':'. */
int parse_mac(const char *s, uint8_t out[6])
{
	uint8_t mac[6];
	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);
		if (lo < 0)
			return -1;
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i < 5 && *s++ != ':')
			return -1;
	}
	if (*s)
		return -1;
	memcpy(out, mac, 6);
	return 0;
}

/* Four decimal numbers 0..255 of 1-3 digits joined by '.'. */
int parse_ipv4(const char *s, uint8_t out[4])
{
	uint8_t ip[4];
	for (int i = 0; i < 4; i++) {
		int v = 0, ndigits = 0;
		while (isdigit((unsigned char)*s) && ndigits < 4) {
			v = v * 10 + (*s++ - '0');
			ndigits++;
		}
		if (ndigits == 0 || ndigits > 3 || v > 255)
			return -1;
		ip[i] = (uint8_t)v;
		if (i < 3 && *s++ != '.')
			return -1;
	}
	if (*s)
		return -1;
	memcpy(out, ip, 4);
	return 0;
}

const char *param_type_name(enum param_type t)
{
	switch (t) {
	case PARAM_STRING: return "string";
	case PARAM_INT:    return "int";
	case PARAM_BOOL:   return "bool";
	case PARAM_FLOAT:  return "float";
	case PARAM_MAC:    return "mac";
	case PARAM_IPV4:   return "ipv4";
	}
	return "?";
}

const char *param_value_error(enum param_type t, const char *text)
{
	int64_t i;
	bool b;
	double d;
	uint8_t a[6];
	switch (t) {
	case PARAM_STRING:
		return NULL;
	case PARAM_INT:
		return parse_int64(text, &i) ? "an integer (e.g. 64 or 0x40)" : NULL;
	case PARAM_BOOL:
		return parse_bool(text, &b) ? "a boolean (true/false, yes/no, on/off, 1/0)" : NULL;
	case PARAM_FLOAT:
		return parse_double(text, &d) ? "a number (e.g. 2.5)" : NULL;
	case PARAM_MAC:
		return parse_mac(text, a) ? "a MAC address (e.g. 02:00:00:00:00:01)" : NULL;
	case PARAM_IPV4:
		return parse_ipv4(text, a) ? "an IPv4 address (e.g. 10.0.0.1)" : NULL;
	}
	return "a value of a known type";
}

/* ---- class parameters ---- */

int app_class_nparams(const struct app_class *cls)
{
	int n = 0;
	while (cls->params && cls->params[n].name)
		n++;
	return n;
}

const struct app_param *app_class_param(const struct app_class *cls, const char *name)
{
	for (int i = 0; cls->params && cls->params[i].name; i++)
		if (!strcmp(cls->params[i].name, name))
			return &cls->params[i];
	return NULL;
}

/* ---- building and reading args ---- */

int app_args_init(struct app_args *a, const struct app_class *cls,
                  const char *const *keys, const char *const *values, int n)
{
	a->cls = cls;
	a->n = app_class_nparams(cls);
	a->v = calloc(a->n ? a->n : 1, sizeof(*a->v));
	if (!a->v)
		return -1;
	for (int i = 0; i < a->n; i++) {
		a->v[i].param = &cls->params[i];
		a->v[i].value = cls->params[i].def;
		for (int k = 0; k < n; k++) {
			if (!strcmp(keys[k], cls->params[i].name)) {
				a->v[i].value = values[k];
				a->v[i].given = true;
			}
		}
	}
	return 0;
}

void app_args_release(struct app_args *a)
{
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

/* The value slot for `name`, checking the reader matches the declared
 * type.  A mismatch is a bug in the app (not in the topology): logged. */
static const struct app_arg_value *arg_lookup(const struct app_args *a, const char *name,
                                              enum param_type want, bool any_type)
{
	for (int i = 0; i < a->n; i++) {
		if (strcmp(a->v[i].param->name, name))
			continue;
		if (!any_type && a->v[i].param->type != want) {
			log_error("app class '%s' reads parameter '%s' (%s) as %s: a bug in the class",
			          a->cls->name, name, param_type_name(a->v[i].param->type),
			          param_type_name(want));
			return NULL;
		}
		return &a->v[i];
	}
	log_error("app class '%s' reads parameter '%s' that it does not declare: a bug in the class",
	          a->cls->name, name);
	return NULL;
}

bool app_arg_isset(const struct app_args *a, const char *name)
{
	const struct app_arg_value *v = arg_lookup(a, name, PARAM_STRING, true);
	return v && v->value;
}

const char *app_arg_str(const struct app_args *a, const char *name)
{
	/* Any type can be read as its text (e.g. to echo it in a message). */
	const struct app_arg_value *v = arg_lookup(a, name, PARAM_STRING, true);
	return v ? v->value : NULL;
}

int64_t app_arg_int(const struct app_args *a, const char *name)
{
	const struct app_arg_value *v = arg_lookup(a, name, PARAM_INT, false);
	int64_t x = 0;
	if (v && v->value)
		parse_int64(v->value, &x);
	return x;
}

bool app_arg_bool(const struct app_args *a, const char *name)
{
	const struct app_arg_value *v = arg_lookup(a, name, PARAM_BOOL, false);
	bool x = false;
	if (v && v->value)
		parse_bool(v->value, &x);
	return x;
}

double app_arg_float(const struct app_args *a, const char *name)
{
	const struct app_arg_value *v = arg_lookup(a, name, PARAM_FLOAT, false);
	double x = 0;
	if (v && v->value)
		parse_double(v->value, &x);
	return x;
}

bool app_arg_mac(const struct app_args *a, const char *name, uint8_t out[6])
{
	const struct app_arg_value *v = arg_lookup(a, name, PARAM_MAC, false);
	return v && v->value && parse_mac(v->value, out) == 0;
}

bool app_arg_ipv4(const struct app_args *a, const char *name, uint8_t out[4])
{
	const struct app_arg_value *v = arg_lookup(a, name, PARAM_IPV4, false);
	return v && v->value && parse_ipv4(v->value, out) == 0;
}
