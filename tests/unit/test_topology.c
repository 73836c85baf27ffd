/* test_topology.c -- the topology language: every error with its exact
 * message, good files into the right apps/links/args, variables, quoting,
 * and the app registry and argument readers behind it.
 *
 * The classes used here are registered by this file (t_*), so the test
 * does not depend on the real apps; those are linked in too, which only
 * shows in the "known classes" list (built from the registry below).
 */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/app_args.h"
#include "core/counters.h"
#include "core/suggest.h"
#include "core/topology.h"

/* ---- test-only classes ---- */

static const char *const out_only[] = {"output", NULL};
static const char *const in_only[] = {"input", NULL};
static const char *const any_port[] = {"*", NULL};

static const struct app_param t_source_params[] = {
	{"size", PARAM_INT, "60", false, "frame size"},
	{"count", PARAM_INT, NULL, false, "frames to send"},
	{NULL},
};
static const struct app_class t_source = {
	.name = "t_source", .help = "test source", .outputs = out_only, .params = t_source_params,
};
KVICK_APP(t_source);

static const struct app_class t_sink = {
	.name = "t_sink", .help = "test sink", .inputs = in_only,
};
KVICK_APP(t_sink);

static const struct app_class t_tee = {
	.name = "t_tee", .help = "test tee", .inputs = in_only, .outputs = any_port,
};
KVICK_APP(t_tee);

static const struct app_param t_params_params[] = {
	{"file", PARAM_STRING, NULL, true, "file to read"},
	{"mac", PARAM_MAC, NULL, false, "a MAC"},
	{"ip", PARAM_IPV4, NULL, false, "an address"},
	{"rate", PARAM_FLOAT, "1.5", false, "a rate"},
	{"loop", PARAM_BOOL, "false", false, "loop?"},
	{"size", PARAM_INT, "64", false, "a size"},
	{NULL},
};
static const struct app_class t_params = {
	.name = "t_params", .help = "every parameter type", .inputs = in_only,
	.outputs = out_only, .params = t_params_params,
};
KVICK_APP(t_params);

/* A class with a check() hook: size must be 1..100, key= must be given
 * (a parameter that is not in the line: the message points at the name),
 * and its output must be linked. */
static int t_checked_calls;
static const struct app_param t_checked_params[] = {
	{"size", PARAM_INT, "10", false, "1..100"},
	{"key", PARAM_STRING, NULL, false, "must be set"},
	{NULL},
};
static int t_checked_check(struct app_check *c, const struct app_args *args)
{
	t_checked_calls++;
	int64_t size = app_arg_int(args, "size");
	if (size < 1 || size > 100)
		return app_check_error(c, "size", "size=%lld: must be 1..100", (long long)size);
	if (!app_arg_isset(args, "key"))
		return app_check_error(c, "key", "key= must be given");
	if (!app_check_linked(c, "output", true))
		return app_check_error(c, NULL, "output is not linked");
	return 0;
}
static const struct app_class t_checked = {
	.name = "t_checked", .help = "checks its values", .inputs = in_only, .outputs = out_only,
	.params = t_checked_params, .check = t_checked_check,
};
KVICK_APP(t_checked);

/* ---- helpers ---- */

struct parsed {
	struct topology *t;
	char *err;      /* everything printed to the error stream */
};

static struct parsed parse_vars(const char *text, const char *const *names,
                                const char *const *values, int n)
{
	struct parsed r;
	size_t size;
	FILE *err = open_memstream(&r.err, &size);
	assert_non_null(err);
	struct topo_vars vars = {names, values, n};
	r.t = topology_parse("t.topo", text, &vars, err);
	fclose(err);
	return r;
}

static struct parsed parse(const char *text)
{
	return parse_vars(text, NULL, NULL, 0);
}

static void parsed_free(struct parsed *r)
{
	topology_free(r->t);
	free(r->err);
}

/* "a, b, c": every registered class, as the parser lists them. */
static char *known_classes(void)
{
	int n;
	const struct app_class *const *c = app_classes(&n);
	char *s = calloc(1, 4096);
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(s, ", ");
		strcat(s, c[i]->name);
	}
	return s;
}

/* Replace "@CLASSES@" in expected text with the registry's list. */
static char *expand(const char *expected)
{
	const char *at = strstr(expected, "@CLASSES@");
	if (!at)
		return strdup(expected);
	char *classes = known_classes();
	char *s = malloc(strlen(expected) + strlen(classes) + 1);
	sprintf(s, "%.*s%s%s", (int)(at - expected), expected, classes, at + 9);
	free(classes);
	return s;
}

/* ---- the table of bad files ---- */

#define BASE "app a t_source\napp b t_sink\nlink a.output -> b.input\n"

struct bad_case {
	const char *what;
	const char *text;
	const char *expected;   /* exact error output */
};

static const struct bad_case bad_cases[] = {
	{"unknown keyword", BASE "apps c t_sink\n",
	 "t.topo:4:1: error: unknown keyword 'apps' (did you mean 'app'?); a line is "
	 "'app NAME CLASS [key=value ...]', 'link FROM_APP.PORT -> TO_APP.PORT' or a '# comment'\n"
	 "    apps c t_sink\n"
	 "    ^~~~\n"},
	{"unknown class, with suggestion", "app a t_sourc\napp b t_sink\nlink a.output -> b.input\n",
	 "t.topo:1:7: error: unknown app class 't_sourc' (did you mean 't_source'?); known classes: @CLASSES@\n"
	 "    app a t_sourc\n"
	 "          ^~~~~~~\n"},
	{"unknown class, nothing close (errors come before warnings)", "app a zzzzzzzzz\n",
	 "t.topo:1:7: error: unknown app class 'zzzzzzzzz'; known classes: @CLASSES@\n"
	 "    app a zzzzzzzzz\n"
	 "          ^~~~~~~~~\n"
	 "t.topo:1:5: warning: app 'a' has no links\n"
	 "    app a zzzzzzzzz\n"
	 "        ^\n"},
	{"duplicate app", BASE "app a t_sink\n",
	 "t.topo:4:5: error: duplicate app 'a'; previously declared at t.topo:1\n"
	 "    app a t_sink\n"
	 "        ^\n"},
	{"bad app name", BASE "app 9lives t_sink\n",
	 "t.topo:4:5: error: bad app name '9lives': use letters, digits and '_', starting with a letter or '_'\n"
	 "    app 9lives t_sink\n"
	 "        ^~~~~~\n"},
	{"app name with a dot", BASE "app x.y t_sink\n",
	 "t.topo:4:5: error: bad app name 'x.y': use letters, digits and '_', starting with a letter or '_'\n"
	 "    app x.y t_sink\n"
	 "        ^~~\n"},
	{"app name too long", BASE "app a234567890123456789012345678901234567890123456789012345678901234 t_sink\n",
	 "t.topo:4:5: error: app name 'a234567890123456789012345678901234567890123456789012345678901234' "
	 "is too long (at most 63 characters)\n"
	 "    app a234567890123456789012345678901234567890123456789012345678901234 t_sink\n"
	 "        ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"},
	{"missing class", BASE "app c\n",
	 "t.topo:4:6: error: expected a class after app name 'c' (app NAME CLASS [key=value ...])\n"
	 "    app c\n"
	 "         ^\n"},
	{"unknown parameter", "app a t_source sise=10\napp b t_sink\nlink a.output -> b.input\n",
	 "t.topo:1:16: error: unknown parameter 'sise' for class 't_source' (did you mean 'size'?); "
	 "its parameters: size, count\n"
	 "    app a t_source sise=10\n"
	 "                   ^~~~\n"},
	{"parameter for a class without parameters", "app a t_source\napp b t_sink x=1\nlink a.output -> b.input\n",
	 "t.topo:2:14: error: unknown parameter 'x': class 't_sink' takes no parameters\n"
	 "    app b t_sink x=1\n"
	 "                 ^\n"},
	{"duplicate parameter", "app a t_source size=10 size=20\napp b t_sink\nlink a.output -> b.input\n",
	 "t.topo:1:24: error: duplicate parameter 'size' (first given at column 16)\n"
	 "    app a t_source size=10 size=20\n"
	 "                           ^~~~\n"},
	{"not key=value", "app a t_source 10\napp b t_sink\nlink a.output -> b.input\n",
	 "t.topo:1:16: error: expected key=value, got '10' (app NAME CLASS [key=value ...])\n"
	 "    app a t_source 10\n"
	 "                   ^~\n"},
	{"missing required parameter", BASE "app p t_params\nlink b2.output -> p.input\napp b2 t_source\n"
	 "app c t_sink\nlink p.output -> c.input\n",
	 "t.topo:4:5: error: missing required parameter 'file' for app 'p' of class 't_params' "
	 "(string: file to read); add file=...\n"
	 "    app p t_params\n"
	 "        ^\n"},
	{"int of the wrong type", "app a t_source size=big\napp b t_sink\nlink a.output -> b.input\n",
	 "t.topo:1:21: error: bad value 'big' for parameter 'size' (int): expected an integer (e.g. 64 or 0x40)\n"
	 "    app a t_source size=big\n"
	 "                        ^~~\n"},
	{"float, bool, mac and ipv4 of the wrong type",
	 "app a t_source\napp p t_params file=f rate=fast loop=maybe mac=02:00:00:00:01 ip=10.0.0.256\n"
	 "app b t_sink\nlink a.output -> p.input\nlink p.output -> b.input\n",
	 "t.topo:2:28: error: bad value 'fast' for parameter 'rate' (float): expected a number (e.g. 2.5)\n"
	 "    app p t_params file=f rate=fast loop=maybe mac=02:00:00:00:01 ip=10.0.0.256\n"
	 "                               ^~~~\n"
	 "t.topo:2:38: error: bad value 'maybe' for parameter 'loop' (bool): expected a boolean "
	 "(true/false, yes/no, on/off, 1/0)\n"
	 "    app p t_params file=f rate=fast loop=maybe mac=02:00:00:00:01 ip=10.0.0.256\n"
	 "                                         ^~~~~\n"
	 "t.topo:2:48: error: bad value '02:00:00:00:01' for parameter 'mac' (mac): expected a MAC address "
	 "(e.g. 02:00:00:00:00:01)\n"
	 "    app p t_params file=f rate=fast loop=maybe mac=02:00:00:00:01 ip=10.0.0.256\n"
	 "                                                   ^~~~~~~~~~~~~~\n"
	 "t.topo:2:66: error: bad value '10.0.0.256' for parameter 'ip' (ipv4): expected an IPv4 address "
	 "(e.g. 10.0.0.1)\n"
	 "    app p t_params file=f rate=fast loop=maybe mac=02:00:00:00:01 ip=10.0.0.256\n"
	 "                                                                     ^~~~~~~~~~\n"},
	{"link to an unknown app", BASE "link a.output -> c.input\n",
	 "t.topo:4:18: error: link to unknown app 'c'; declared apps: a, b\n"
	 "    link a.output -> c.input\n"
	 "                     ^\n"},
	{"link from an unknown app, with suggestion",
	 "app src t_source\napp snk t_sink\nlink srx.output -> snk.input\n",
	 /* no "src has no links": the broken link was probably meant for it */
	 "t.topo:3:6: error: link from unknown app 'srx' (did you mean 'src'?); declared apps: src, snk\n"
	 "    link srx.output -> snk.input\n"
	 "         ^~~\n"},
	{"unknown output port", "app a t_source\napp b t_sink\nlink a.outpt -> b.input\n",
	 "t.topo:3:8: error: app 'a' (class 't_source') has no output port 'outpt' (did you mean 'output'?); "
	 "its output ports: output\n"
	 "    link a.outpt -> b.input\n"
	 "           ^~~~~\n"},
	{"class without output ports", BASE "link b.output -> a.input\n",
	 "t.topo:4:8: error: app 'b' (class 't_sink') has no output port 'output': it has no output ports\n"
	 "    link b.output -> a.input\n"
	 "           ^~~~~~\n"
	 "t.topo:4:20: error: app 'a' (class 't_source') has no input port 'input': it has no input ports\n"
	 "    link b.output -> a.input\n"
	 "                       ^~~~~\n"},
	{"input port with two links", BASE "app a2 t_source\nlink a2.output -> b.input\n",
	 "t.topo:5:19: error: input port 'b.input' is already linked at t.topo:3 (from a.output); "
	 "an input takes one link (merge with a join app)\n"
	 "    link a2.output -> b.input\n"
	 "                      ^~~~~~~\n"},
	{"output port linked twice", BASE "app c t_sink\nlink a.output -> c.input\n",
	 "t.topo:5:6: error: output port 'a.output' is already linked at t.topo:3 (to b.input); "
	 "an output feeds one link (copy with a tee app)\n"
	 "    link a.output -> c.input\n"
	 "         ^~~~~~~~\n"},
	{"link without '->' (and no 'has no links' warnings it caused)",
	 "app a t_source\napp b t_sink\nlink a.output b.input\n",
	 "t.topo:3:15: error: malformed link: expected '->' between FROM_APP.PORT and TO_APP.PORT\n"
	 "    link a.output b.input\n"
	 "                  ^~~~~~~\n"},
	{"link without a destination", BASE "link a.output ->\n",
	 "t.topo:4:17: error: malformed link: expected TO_APP.PORT after '->'\n"
	 "    link a.output ->\n"
	 "                    ^\n"},
	{"link endpoint without a port", BASE "link a -> b.input\n",
	 "t.topo:4:6: error: malformed link endpoint 'a': expected APP.PORT (e.g. nic0.output)\n"
	 "    link a -> b.input\n"
	 "         ^\n"},
	{"unset variable", "app a t_source size=${SIZE}\napp b t_sink\nlink a.output -> b.input\n",
	 "t.topo:1:21: error: variable 'SIZE' is not set; set it on the command line "
	 "(kvick run t.topo SIZE=...) or give a default (${SIZE:-...})\n"
	 "    app a t_source size=${SIZE}\n"
	 "                        ^~~~~~~\n"},
	{"an unset variable does not hide the line's other errors",
	 "app a t_source size=${S} count=x\napp b t_sink\nlink a.output -> b.input\n",
	 "t.topo:1:21: error: variable 'S' is not set; set it on the command line "
	 "(kvick run t.topo S=...) or give a default (${S:-...})\n"
	 "    app a t_source size=${S} count=x\n"
	 "                        ^~~~\n"
	 "t.topo:1:32: error: bad value 'x' for parameter 'count' (int): expected an integer (e.g. 64 or 0x40)\n"
	 "    app a t_source size=${S} count=x\n"
	 "                                   ^\n"},
	{"unterminated quote", "app a t_source\napp p t_params file=\"my file\napp b t_sink\n"
	 "link a.output -> p.input\nlink p.output -> b.input\n",
	 "t.topo:2:21: error: unterminated quote: missing closing '\"'\n"
	 "    app p t_params file=\"my file\n"
	 "                        ^~~~~~~~\n"},
	{"unterminated variable", BASE "app c t_sink x=${X\n",
	 "t.topo:4:16: error: unterminated variable: missing '}' after '${'\n"
	 "    app c t_sink x=${X\n"
	 "                   ^~~\n"
	 "t.topo:4:5: warning: app 'c' has no links\n"
	 "    app c t_sink x=${X\n"
	 "        ^\n"},
	{"caret under a tab-indented line", "\tapp a t_sourc\napp b t_sink\nlink a.output -> b.input\n",
	 "t.topo:1:8: error: unknown app class 't_sourc' (did you mean 't_source'?); known classes: @CLASSES@\n"
	 "    \tapp a t_sourc\n"
	 "    \t      ^~~~~~~\n"},
	{"errors come out in line order", "link a.output -> x.input\napp a t_source\napp b t_sinq\n"
	 "link a.output -> b.input\n",
	 "t.topo:1:18: error: link to unknown app 'x'; declared apps: a, b\n"
	 "    link a.output -> x.input\n"
	 "                     ^\n"
	 "t.topo:3:7: error: unknown app class 't_sinq' (did you mean 't_sink'?); known classes: @CLASSES@\n"
	 "    app b t_sinq\n"
	 "          ^~~~~~\n"
	 "t.topo:4:6: error: output port 'a.output' is already linked at t.topo:1 (to x.input); "
	 "an output feeds one link (copy with a tee app)\n"
	 "    link a.output -> b.input\n"
	 "         ^~~~~~~~\n"},
	{"no apps at all", "# nothing here\n\n",
	 "t.topo: error: no apps declared (declare one with 'app NAME CLASS [key=value ...]')\n"},
};

static void test_bad_files(void **state)
{
	int failures = 0;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct parsed r = parse(c->text);
		char *expected = expand(c->expected);
		if (r.t || strcmp(r.err, expected)) {
			print_error("case '%s': %s\n--- expected:\n%s--- got:\n%s---\n", c->what,
			            r.t ? "parsed although it has errors" : "wrong message", expected, r.err);
			failures++;
		}
		free(expected);
		parsed_free(&r);
	}
	assert_int_equal(failures, 0);
}


/* ---- workers: `worker NAME cpu=N` and `@WORKER` ---- */

#define WBASE "worker w0 cpu=0\napp a t_source @w0\napp b t_sink @w0\nlink a.output -> b.input\n"

static const struct bad_case worker_cases[] = {
	{"unknown worker, with suggestion", WBASE "app c t_sink @wo\nlink c2.output -> c.input\napp c2 t_source @w0\n",
	 "t.topo:5:14: error: unknown worker 'wo' (did you mean 'w0'?); declared workers: w0\n"
	 "    app c t_sink @wo\n"
	 "                 ^~~\n"},
	{"placement without any worker", "app a t_source @w1\napp b t_sink\nlink a.output -> b.input\n",
	 "t.topo:1:16: error: unknown worker 'w1': no worker is declared (declare one with 'worker NAME cpu=N')\n"
	 "    app a t_source @w1\n"
	 "                   ^~~\n"},
	{"an app placed twice", "worker w0 cpu=0\napp a t_source @w0 @w0\napp b t_sink @w0\nlink a.output -> b.input\n",
	 "t.topo:2:20: error: app 'a' is placed twice: '@w0' here, '@w0' at column 16; an app runs on one worker\n"
	 "    app a t_source @w0 @w0\n"
	 "                       ^~~\n"},
	{"placement before a parameter", "worker w0 cpu=0\napp a t_source @w0 size=70\napp b t_sink @w0\n"
	 "link a.output -> b.input\n",
	 "t.topo:2:16: error: '@w0' must be the last word of the app line (app NAME CLASS [key=value ...] @WORKER)\n"
	 "    app a t_source @w0 size=70\n"
	 "                   ^~~\n"},
	{"'@' without a name", "worker w0 cpu=0\napp a t_source @\napp b t_sink @w0\nlink a.output -> b.input\n",
	 "t.topo:2:16: error: expected a worker name after '@', got '@' (app NAME CLASS [key=value ...] @WORKER)\n"
	 "    app a t_source @\n"
	 "                   ^\n"},
	{"duplicate worker", "worker w0 cpu=0\n" WBASE,
	 "t.topo:2:8: error: duplicate worker 'w0'; previously declared at t.topo:1\n"
	 "    worker w0 cpu=0\n"
	 "           ^~\n"},
	{"worker without cpu=", "worker w1\n" WBASE,
	 "t.topo:1:8: error: missing cpu= for worker 'w1' (worker NAME cpu=N); add cpu=N\n"
	 "    worker w1\n"
	 "           ^~\n"
	 "t.topo:1:8: warning: worker 'w1' has no apps (place one with '@w1' at the end of an app line)\n"
	 "    worker w1\n"
	 "           ^~\n"},
	{"worker parameter misspelt", "worker w0 cpus=0\napp a t_source @w0\napp b t_sink @w0\nlink a.output -> b.input\n",
	 "t.topo:1:8: error: missing cpu= for worker 'w0' (worker NAME cpu=N); add cpu=N\n"
	 "    worker w0 cpus=0\n"
	 "           ^~\n"
	 "t.topo:1:11: error: unknown parameter 'cpus' for a worker (did you mean 'cpu'?); a worker takes cpu=N\n"
	 "    worker w0 cpus=0\n"
	 "              ^~~~\n"},
	{"the name main is taken", "worker main cpu=0\napp a t_source\napp b t_sink\nlink a.output -> b.input\n",
	 "t.topo:1:8: error: worker name 'main' is taken: it holds the apps without '@WORKER'\n"
	 "    worker main cpu=0\n"
	 "           ^~~~\n"},
	{"worker keyword misspelt", "workr w0 cpu=0\napp a t_source\napp b t_sink\nlink a.output -> b.input\n",
	 "t.topo:1:1: error: unknown keyword 'workr' (did you mean 'worker'?); a line is "
	 "'app NAME CLASS [key=value ...]', 'link FROM_APP.PORT -> TO_APP.PORT' or a '# comment'\n"
	 "    workr w0 cpu=0\n"
	 "    ^~~~~\n"},
};

static void test_worker_errors(void **state)
{
	int failures = 0;
	for (size_t i = 0; i < sizeof(worker_cases) / sizeof(worker_cases[0]); i++) {
		const struct bad_case *c = &worker_cases[i];
		struct parsed r = parse(c->text);
		if (r.t || strcmp(r.err, c->expected)) {
			print_error("case '%s': %s\n--- expected:\n%s--- got:\n%s---\n", c->what,
			            r.t ? "parsed although it has errors" : "wrong message", c->expected, r.err);
			failures++;
		}
		parsed_free(&r);
	}
	assert_int_equal(failures, 0);
}

/* A CPU this process cannot run on (the list of usable ones depends on the
 * machine, so only the start of the message is compared). */
static void test_worker_cpu_not_here(void **state)
{
	struct parsed r = parse("worker w0 cpu=1000\nworker w1 cpu=x\napp a t_source @w0\n"
	                        "app b t_sink @w1\nlink a.output -> b.input\n");
	assert_null(r.t);
	assert_non_null(strstr(r.err, "t.topo:1:15: error: CPU 1000 is not on this machine (usable CPUs here: "));
	assert_non_null(strstr(r.err, "t.topo:2:15: error: bad value 'x' for cpu: expected a CPU number"));
	/* declared anyway, so no "unknown worker" piles on */
	assert_null(strstr(r.err, "unknown worker"));
	parsed_free(&r);
}

static void test_workers_parsed(void **state)
{
	/* two workers on one CPU: a warning, the file is valid */
	struct parsed r = parse("app a t_source @w1\nworker w0 cpu=0\nworker w1 cpu=0\n"
	                        "app b t_tee @w0\napp c t_sink\nlink a.output -> b.input\n"
	                        "link b.x -> c.input\n");
	assert_non_null(r.t);
	assert_string_equal(r.err,
		"t.topo:3:15: warning: workers 'w1' and 'w0' (t.topo:2) share CPU 0: they will take turns on it\n"
		"    worker w1 cpu=0\n"
		"                  ^\n");
	assert_int_equal(r.t->nworkers, 2);
	assert_string_equal(r.t->workers[0].name, "w0");
	assert_int_equal(r.t->workers[0].cpu, 0);
	assert_int_equal(r.t->workers[1].line, 3);
	assert_int_equal(r.t->apps[0].worker, 1);   /* declared before its worker */
	assert_int_equal(r.t->apps[1].worker, 0);
	assert_int_equal(r.t->apps[2].worker, -1);  /* no '@': worker main */
	assert_int_equal(r.t->apps[0].nargs, 0);    /* '@w1' is not a parameter */

	char *out;
	size_t size;
	FILE *f = open_memstream(&out, &size);
	topology_dot(r.t, f);
	fclose(f);
	assert_string_equal(out,
		"digraph \"t.topo\" {\n"
		"  rankdir=LR;\n"
		"  node [shape=box, fontname=\"monospace\"];\n"
		"  edge [fontname=\"monospace\", fontsize=10];\n"
		"  \"c\" [label=\"c\\n(t_sink)\"];\n"
		"  subgraph \"cluster_w0\" {\n"
		"    label=\"worker w0 (cpu 0)\";\n"
		"    \"b\" [label=\"b\\n(t_tee)\"];\n"
		"  }\n"
		"  subgraph \"cluster_w1\" {\n"
		"    label=\"worker w1 (cpu 0)\";\n"
		"    \"a\" [label=\"a\\n(t_source)\"];\n"
		"  }\n"
		"  \"a\" -> \"b\" [label=\"output -> input (shared)\", style=bold];\n"
		"  \"b\" -> \"c\" [label=\"x -> input (shared)\", style=bold];\n"
		"}\n");
	free(out);
	parsed_free(&r);

	/* without worker lines nothing is placed */
	r = parse(BASE);
	assert_non_null(r.t);
	assert_int_equal(r.t->nworkers, 0);
	assert_int_equal(r.t->apps[0].worker, -1);
	parsed_free(&r);
}

/* ---- more about errors ---- */

static void test_at_most_20_errors(void **state)
{
	char text[4096] = "";
	for (int i = 0; i < 25; i++)
		strcat(text, "bogus\n");
	struct parsed r = parse(text);
	assert_null(r.t);
	int nerr = 0;
	for (const char *s = r.err; (s = strstr(s, ": error: ")); s++)
		nerr++;
	assert_int_equal(nerr, 20);
	assert_non_null(strstr(r.err, "t.topo:20:1: error: unknown keyword 'bogus'"));
	assert_null(strstr(r.err, "t.topo:21:1:"));
	assert_non_null(strstr(r.err, "t.topo: note: 5 more errors not shown (the first 20 are)\n"));
	parsed_free(&r);
}

static void test_unreadable_file(void **state)
{
	char *err;
	size_t size;
	FILE *f = open_memstream(&err, &size);
	struct topology *t = topology_parse("/nonexistent/x.topo", NULL, NULL, f);
	fclose(f);
	assert_null(t);
	assert_string_equal(err, "/nonexistent/x.topo: error: cannot read: No such file or directory\n");
	free(err);
}

/* An unset variable in an app line must not make links to that app fail
 * too: one mistake, one message. */
static void test_no_cascade_after_bad_app_line(void **state)
{
	struct parsed r = parse("app a t_source size=${S}\napp b t_sinkk\nlink a.output -> b.input\n");
	assert_null(r.t);
	assert_null(strstr(r.err, "unknown app '"));
	assert_non_null(strstr(r.err, "t.topo:1:21: error: variable 'S' is not set"));
	assert_non_null(strstr(r.err, "t.topo:2:7: error: unknown app class 't_sinkk'"));
	parsed_free(&r);
}

/* A class's check() runs as part of reading the file: its error points
 * at the value (or the app name), in line order with the others, and it
 * is not run on a line that already has an error. */
static void test_class_check(void **state)
{
	t_checked_calls = 0;
	struct parsed r = parse("app a t_source\n"
	                        "app c t_checked key=k size=200\n"
	                        "app d t_checked size=7 sise=1\n"       /* line error: no check */
	                        "app e t_checked\n"                     /* key not given */
	                        "app f t_checked key=k\n"               /* output not linked */
	                        "app z t_sinq\n"
	                        "link a.output -> c.input\nlink c.output -> d.input\n"
	                        "link d.output -> e.input\nlink e.output -> f.input\n");
	assert_null(r.t);
	assert_int_equal(t_checked_calls, 3);
	const char *e = r.err;
	const char *want[] = {
		"t.topo:2:28: error: app 'c' (class 't_checked'): size=200: must be 1..100\n"
		"    app c t_checked key=k size=200\n"
		"                               ^~~\n",
		"t.topo:3:24: error: unknown parameter 'sise'",
		"t.topo:4:5: error: app 'e' (class 't_checked'): key= must be given\n"
		"    app e t_checked\n"
		"        ^\n",
		"t.topo:5:5: error: app 'f' (class 't_checked'): output is not linked\n",
		"t.topo:6:7: error: unknown app class 't_sinq'",
		"t.topo:6:5: warning: app 'z' has no links\n",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const char *at = strstr(e, want[i]);
		if (!at)
			fail_msg("missing, or out of order:\n%s\nin:\n%s", want[i], r.err);
		e = at + 1;
	}
	parsed_free(&r);

	/* A broken link line may have been the missing link: no port error. */
	r = parse("app a t_source\napp f t_checked key=k\napp s t_sink\nlink a.output -> f.input\n"
	          "link f.output s.input\n");
	assert_null(r.t);
	assert_null(strstr(r.err, "output is not linked"));
	assert_non_null(strstr(r.err, "t.topo:5:15: error: malformed link"));
	parsed_free(&r);

	r = parse("app a t_source\napp f t_checked key=k size=100\napp s t_sink\n"
	          "link a.output -> f.input\nlink f.output -> s.input\n");
	assert_non_null(r.t);
	assert_string_equal(r.err, "");
	parsed_free(&r);
}

/* ---- good files ---- */

static void test_warning_app_without_links(void **state)
{
	struct parsed r = parse(BASE "app lonely t_sink\n");
	assert_non_null(r.t);
	assert_string_equal(r.err,
	                    "t.topo:4:5: warning: app 'lonely' has no links\n"
	                    "    app lonely t_sink\n"
	                    "        ^~~~~~\n");
	assert_int_equal(r.t->napps, 3);
	parsed_free(&r);
}

static void test_apps_links_and_args(void **state)
{
	struct parsed r = parse(
		"# a comment line\n"
		"\n"
		"link src.output->p.input   # a link before its apps, no spaces around ->\n"
		"app src t_source size=0x40 count=-3\n"
		"app p t_params file=\"my file #1.pcap\" mac=02:aa:00:00:00:ff ip=192.168.1.20 "
		"rate=2.25 loop=YES\n"
		"app t t_tee\n"
		"link p.output -> t.input\n"
		"link t.copy1 -> s1.input\n"
		"link t.copy2 -> s2.input\n"
		"app s1 t_sink\n"
		"app s2 t_sink   # trailing comment\n");
	assert_string_equal(r.err, "");
	struct topology *t = r.t;
	assert_non_null(t);
	assert_string_equal(t->file, "t.topo");
	assert_int_equal(t->napps, 5);
	assert_string_equal(t->apps[0].name, "src");
	assert_ptr_equal(t->apps[0].cls, &t_source);
	assert_int_equal(t->apps[0].line, 4);
	assert_string_equal(t->apps[1].name, "p");
	assert_string_equal(t->apps[4].name, "s2");
	assert_int_equal(t->nlinks, 4);
	assert_string_equal(t->links[0].from_app, "src");
	assert_string_equal(t->links[0].from_port, "output");
	assert_string_equal(t->links[0].to_app, "p");
	assert_string_equal(t->links[0].to_port, "input");
	assert_int_equal(t->links[0].line, 3);
	assert_string_equal(t->links[2].from_port, "copy1");
	assert_string_equal(t->links[3].to_app, "s2");

	/* The source: given values, hex ints, negative ints. */
	const struct app_args *a = topology_app_args(t, 0);
	assert_int_equal(app_arg_int(a, "size"), 64);
	assert_int_equal(app_arg_int(a, "count"), -3);
	assert_true(app_arg_isset(a, "count"));
	/* Every type, quoting with spaces and '#', and defaults. */
	a = topology_app_args(t, 1);
	assert_string_equal(app_arg_str(a, "file"), "my file #1.pcap");
	uint8_t mac[6], ip[4];
	assert_true(app_arg_mac(a, "mac", mac));
	assert_memory_equal(mac, ((uint8_t[]){0x02, 0xaa, 0, 0, 0, 0xff}), 6);
	assert_true(app_arg_ipv4(a, "ip", ip));
	assert_memory_equal(ip, ((uint8_t[]){192, 168, 1, 20}), 4);
	assert_true(app_arg_float(a, "rate") == 2.25);
	assert_true(app_arg_bool(a, "loop"));
	assert_int_equal(app_arg_int(a, "size"), 64);          /* default */
	assert_string_equal(app_arg_str(a, "size"), "64");
	assert_int_equal(t->apps[1].nargs, 5);
	assert_string_equal(t->apps[1].args[0].key, "file");
	assert_int_equal(t->apps[1].args[0].col, 16);
	parsed_free(&r);
}

static void test_defaults_and_unset(void **state)
{
	struct parsed r = parse("app a t_source\napp p t_params file=x\napp b t_sink\n"
	                        "link a.output -> p.input\nlink p.output -> b.input\n");
	assert_non_null(r.t);
	const struct app_args *a = topology_app_args(r.t, 0);
	assert_int_equal(app_arg_int(a, "size"), 60);      /* class default */
	assert_true(app_arg_isset(a, "size"));
	assert_false(app_arg_isset(a, "count"));           /* no value, no default */
	assert_int_equal(app_arg_int(a, "count"), 0);
	a = topology_app_args(r.t, 1);
	assert_true(app_arg_float(a, "rate") == 1.5);
	assert_false(app_arg_bool(a, "loop"));
	uint8_t mac[6];
	assert_false(app_arg_mac(a, "mac", mac));
	assert_null(topology_app_args(r.t, 3));
	parsed_free(&r);
}

static void test_variables(void **state)
{
	const char *names[] = {"F", "EMPTY", "SIZE", "N"};
	const char *values[] = {"in put.pcap", "", "128", "p"};
	struct parsed r = parse_vars(
		"app ${N} t_params file=${F} size=${SIZE:-99} rate=${RATE:-0.5} loop=${EMPTY:-on} "
		"mac=\"${MAC:-02:00:00:00:00:01}\"\n"
		"app q t_params file=\"[${F}] \\\"\\$\\\\${EMPTY}\"\n"
		"app a t_source\napp a2 t_source\napp b t_sink\napp b2 t_sink\n"
		"link a.output -> ${N}.input\nlink ${N}.output -> b.input\n"
		"link a2.output -> q.input\nlink q.output -> b2.input\n",
		names, values, 4);
	assert_string_equal(r.err, "");
	assert_non_null(r.t);
	assert_string_equal(r.t->apps[0].name, "p");
	const struct app_args *a = topology_app_args(r.t, 0);
	assert_string_equal(app_arg_str(a, "file"), "in put.pcap");   /* never split */
	assert_int_equal(app_arg_int(a, "size"), 128);                /* set beats default */
	assert_true(app_arg_float(a, "rate") == 0.5);                 /* unset: default */
	assert_true(app_arg_bool(a, "loop"));                         /* empty: default */
	uint8_t mac[6];
	assert_true(app_arg_mac(a, "mac", mac));
	assert_int_equal(mac[5], 1);
	a = topology_app_args(r.t, 1);
	assert_string_equal(app_arg_str(a, "file"), "[in put.pcap] \"$\\");
	assert_string_equal(r.t->links[0].to_app, "p");
	parsed_free(&r);
}

static void test_unused_variable_warns(void **state)
{
	const char *names[] = {"NICO"};
	const char *values[] = {"x"};
	struct parsed r = parse_vars(BASE, names, values, 1);
	assert_non_null(r.t);
	assert_string_equal(r.err, "t.topo: warning: variable 'NICO' is set on the command line but not used\n");
	parsed_free(&r);
}

static void test_crlf_and_value_with_hash(void **state)
{
	struct parsed r = parse("app a t_source\r\napp p t_params file=a#b\r\napp b t_sink\r\n"
	                        "link a.output -> p.input\r\nlink p.output -> b.input\r\n");
	assert_string_equal(r.err, "");
	assert_non_null(r.t);
	assert_string_equal(app_arg_str(topology_app_args(r.t, 1), "file"), "a#b");
	parsed_free(&r);
}

static void test_dot(void **state)
{
	struct parsed r = parse("app src t_source size=100\napp p t_params file=\"a \\\"b\\\"\"\n"
	                        "app s t_sink\nlink src.output -> p.input\nlink p.output -> s.input\n");
	assert_non_null(r.t);
	char *out;
	size_t size;
	FILE *f = open_memstream(&out, &size);
	topology_dot(r.t, f);
	fclose(f);
	assert_string_equal(out,
		"digraph \"t.topo\" {\n"
		"  rankdir=LR;\n"
		"  node [shape=box, fontname=\"monospace\"];\n"
		"  edge [fontname=\"monospace\", fontsize=10];\n"
		"  \"src\" [label=\"src\\n(t_source)\\nsize=100\"];\n"
		"  \"p\" [label=\"p\\n(t_params)\\nfile=a \\\"b\\\"\"];\n"
		"  \"s\" [label=\"s\\n(t_sink)\"];\n"
		"  \"src\" -> \"p\" [label=\"output -> input\"];\n"
		"  \"p\" -> \"s\" [label=\"output -> input\"];\n"
		"}\n");
	free(out);
	parsed_free(&r);
}

/* ---- registry and value parsers ---- */

static void test_registry(void **state)
{
	int n;
	const struct app_class *const *c = app_classes(&n);
	assert_true(n >= 4);
	for (int i = 1; i < n; i++)
		assert_true(strcmp(c[i - 1]->name, c[i]->name) <= 0);
	assert_ptr_equal(app_class_find("t_tee"), &t_tee);
	assert_null(app_class_find("t_nothing"));
}

static void test_value_parsers(void **state)
{
	int64_t i;
	assert_int_equal(parse_int64("010", &i), 0);
	assert_int_equal(i, 10);                   /* not octal */
	assert_int_equal(parse_int64("0x1F", &i), 0);
	assert_int_equal(i, 31);
	assert_int_equal(parse_int64("-0x10", &i), 0);
	assert_int_equal(i, -16);
	assert_int_equal(parse_int64("9223372036854775807", &i), 0);
	assert_int_equal(parse_int64("9223372036854775808", &i), -1);
	assert_int_equal(parse_int64("1.5", &i), -1);
	assert_int_equal(parse_int64("", &i), -1);
	assert_int_equal(parse_int64("0x", &i), -1);
	assert_int_equal(parse_int64("12 ", &i), -1);
	bool b;
	assert_int_equal(parse_bool("Off", &b), 0);
	assert_false(b);
	assert_int_equal(parse_bool("2", &b), -1);
	double d;
	assert_int_equal(parse_double("1e3", &d), 0);
	assert_true(d == 1000);
	assert_int_equal(parse_double("inf", &d), -1);
	assert_int_equal(parse_double("", &d), -1);
	uint8_t mac[6], ip[4];
	assert_int_equal(parse_mac("aA:bb:cc:dd:ee:0f", mac), 0);
	assert_int_equal(mac[0], 0xaa);
	assert_int_equal(mac[5], 0x0f);
	assert_int_equal(parse_mac("aa:bb:cc:dd:ee", mac), -1);
	assert_int_equal(parse_mac("aa:bb:cc:dd:ee:ff:00", mac), -1);
	assert_int_equal(parse_mac("a:bb:cc:dd:ee:ff", mac), -1);
	assert_int_equal(parse_ipv4("255.0.10.1", ip), 0);
	assert_int_equal(ip[0], 255);
	assert_int_equal(ip[2], 10);
	assert_int_equal(parse_ipv4("1.2.3", ip), -1);
	assert_int_equal(parse_ipv4("1.2.3.4.5", ip), -1);
	assert_int_equal(parse_ipv4("1.2.3.0256", ip), -1);
	assert_int_equal(parse_ipv4("1..3.4", ip), -1);
}

static void test_suggest(void **state)
{
	const char *names[] = {"run", "check", "graph", "apps"};
	assert_string_equal(suggest_closest("rn", names, 4), "run");
	assert_string_equal(suggest_closest("chek", names, 4), "check");
	assert_string_equal(suggest_closest("grpah", names, 4), "graph");
	assert_null(suggest_closest("xyz", names, 4));
	assert_int_equal(suggest_distance("kitten", "sitting"), 3);
}

/* ---- an app instance's view: ports, counters, error ---- */

static void test_app_instance(void **state)
{
	struct app app = {.cls = &t_tee, .name = "tee1"};
	struct link *in = link_new(8), *o1 = link_new(8);
	assert_non_null(in);
	assert_non_null(o1);
	app.in[app.nin++] = (struct app_port){"input", in};
	app.out[app.nout++] = (struct app_port){"copy1", o1};
	assert_ptr_equal(app_input(&app, "input"), in);
	assert_null(app_input(&app, "copy1"));
	assert_ptr_equal(app_output(&app, "copy1"), o1);
	assert_null(app_output(&app, "copy2"));

	assert_int_equal(counters_open("test_topology", 0), 0);
	uint64_t *c = app_counter(&app, "drops");
	assert_non_null(c);
	(*c) += 5;
	assert_int_equal(app.ncounters, 1);
	assert_string_equal(app.counters[0].name, "drops");
	assert_ptr_equal(app.counters[0].value, c);
	assert_int_equal(*app.counters[0].value, 5);
	/* Past the limit: still somewhere to write, not published. */
	for (int i = 1; i < APP_MAX_COUNTERS; i++)
		app_counter(&app, "x");
	uint64_t *extra = app_counter(&app, "one_too_many");
	assert_non_null(extra);
	assert_int_equal(app.ncounters, APP_MAX_COUNTERS);
	(*extra)++;

	assert_int_equal(app_error(&app, "cannot open %s: %d", "f", 7), -1);
	assert_string_equal(app.error, "cannot open f: 7");
	counters_close();
	link_free(in);
	link_free(o1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_at_most_20_errors),
		cmocka_unit_test(test_unreadable_file),
		cmocka_unit_test(test_no_cascade_after_bad_app_line),
		cmocka_unit_test(test_class_check),
		cmocka_unit_test(test_warning_app_without_links),
		cmocka_unit_test(test_apps_links_and_args),
		cmocka_unit_test(test_defaults_and_unset),
		cmocka_unit_test(test_variables),
		cmocka_unit_test(test_unused_variable_warns),
		cmocka_unit_test(test_crlf_and_value_with_hash),
		cmocka_unit_test(test_dot),
		cmocka_unit_test(test_worker_errors),
		cmocka_unit_test(test_worker_cpu_not_here),
		cmocka_unit_test(test_workers_parsed),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_value_parsers),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_app_instance),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
