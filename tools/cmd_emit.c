/* SPDX-License-Identifier: MIT */
/*
 * cmd_emit.c - `dynprobe emit`: declare one probe from the command line and
 * fire it, for shell scripts and for trying tracers out.
 *
 *   dynprobe emit --provider app --probe req --arg u64:42 --arg str:hello \
 *                 --count 10 --interval-ms 100 [--wait-attached 5]
 *
 * Logger mode (--stdin): --arg gives only types; every input line fires the
 * probe once with its tab-separated fields (a single-argument str probe
 * takes the whole line), so scripts can log structured events:
 *
 *   some-job | dynprobe emit --provider job --probe line --arg str --stdin
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <dynprobe.h>

#include "commands.h"
#include "emit_parse.h"

struct emit_opts {
	const char *provider, *probe;
	unsigned int backends;
	enum dynprobe_type types[DYNPROBE_MAX_ARGS];
	const char *values[DYNPROBE_MAX_ARGS];
	size_t nargs;
	long count;          /* < 0: forever */
	long interval_ms;
	double wait_attached; /* seconds, < 0: don't wait */
	long settle_ms;
	bool from_stdin;
	bool quiet;
};

static void emit_usage(FILE *out)
{
	fprintf(out,
		"usage: dynprobe emit --provider NAME --probe NAME [--arg TYPE[:VALUE]]...\n"
		"                     [--count N] [--interval-ms MS] [--wait-attached SECONDS]\n"
		"                     [--settle-ms MS] [--backend LIST] [--stdin] [--quiet]\n"
		"\n"
		"Declares one probe, loads it, prints the PID and the probe's tracer names,\n"
		"and fires it COUNT times (default 1; 0 means forever), INTERVAL-MS apart\n"
		"(default 1000).  TYPE is i8 u8 i16 u16 i32 u32 i64 u64 str double; at most 12.\n"
		"Integers are decimal or 0x hex and must fit their type.\n"
		"\n"
		"  --wait-attached S  fire only once a tracer is attached; fail if none within S\n"
		"  --settle-ms MS     after the attach is seen, wait MS (default 100) for the\n"
		"                     tracer to finish attaching its program (see below)\n"
		"  --stdin            logger mode: --arg gives types only (TYPE or TYPE:ignored);\n"
		"                     each input line fires once, fields separated by tabs (a\n"
		"                     last str takes the rest of the line); a bad line is\n"
		"                     reported with its number and skipped, and the count of\n"
		"                     rejected lines is printed at exit (status 1 if any)\n"
		"  --backend LIST     usdt (default), lttng, or both: usdt,lttng (the syntax of\n"
		"                     $DYNPROBE_BACKENDS, which overrides it)\n"
		"  -q, --quiet        do not print a line per fired event\n"
		"\n"
		"A probe reads as enabled as soon as the kernel installs its uprobe, which is\n"
		"a moment before bpftrace or bcc hook their BPF program to it; events fired in\n"
		"between are lost.  --settle-ms covers that gap.\n");
}

static int parse_arg_decl(struct emit_opts *o, const char *spec)
{
	char type[16];
	const char *colon = strchr(spec, ':');
	size_t n = colon ? (size_t)(colon - spec) : strlen(spec);

	if (o->nargs >= DYNPROBE_MAX_ARGS) {
		fprintf(stderr, "dynprobe emit: at most %d --arg\n", DYNPROBE_MAX_ARGS);
		return -1;
	}
	if (n >= sizeof(type))
		n = sizeof(type) - 1; /* too long for a type: refused below */
	memcpy(type, spec, n);
	type[n] = '\0';
	if (dynprobe_type_parse(type, &o->types[o->nargs]) < 0) {
		fprintf(stderr, "dynprobe emit: --arg %s: unknown type '%.*s' (use i8 u8 i16 u16 "
				"i32 u32 i64 u64 str double)\n", spec,
			(int)(colon ? (size_t)(colon - spec) : strlen(spec)), spec);
		return -1;
	}
	o->values[o->nargs++] = colon ? colon + 1 : NULL;
	return 0;
}

/* One numeric option; a message names the option and the value. */
static int opt_long(const char *opt, const char *text, long min, long max, long *ret)
{
	char why[128];

	if (emit_parse_long(text, min, max, ret, why, sizeof(why)) < 0) {
		fprintf(stderr, "dynprobe emit: %s: %s\n", opt, why);
		return -1;
	}
	return 0;
}

static int parse_option(struct emit_opts *o, int c, const char *arg)
{
	char why[128];

	switch (c) {
	case 'P': o->provider = arg; return 0;
	case 'p': o->probe = arg; return 0;
	case 'a': return parse_arg_decl(o, arg);
	case 'c':
		if (opt_long("--count", arg, 0, LONG_MAX, &o->count) < 0)
			return -1;
		if (o->count == 0)
			o->count = -1;
		return 0;
	case 'i': return opt_long("--interval-ms", arg, 0, 86400000L, &o->interval_ms);
	case 'S': return opt_long("--settle-ms", arg, 0, 600000L, &o->settle_ms);
	case 'w':
		if (emit_parse_seconds(arg, &o->wait_attached, why, sizeof(why)) == 0)
			return 0;
		fprintf(stderr, "dynprobe emit: --wait-attached: %s\n", why);
		return -1;
	case 'b':
		if (emit_parse_backends(arg, &o->backends, why, sizeof(why)) == 0)
			return 0;
		fprintf(stderr, "dynprobe emit: --backend %s\n", why);
		return -1;
	case 's': o->from_stdin = true; return 0;
	case 'q': o->quiet = true; return 0;
	}
	return -1;
}

static int parse_opts(int argc, char **argv, struct emit_opts *o)
{
	static const struct option longopts[] = {
		{ "provider", required_argument, NULL, 'P' },
		{ "probe", required_argument, NULL, 'p' },
		{ "arg", required_argument, NULL, 'a' },
		{ "count", required_argument, NULL, 'c' },
		{ "interval-ms", required_argument, NULL, 'i' },
		{ "wait-attached", required_argument, NULL, 'w' },
		{ "settle-ms", required_argument, NULL, 'S' },
		{ "backend", required_argument, NULL, 'b' },
		{ "stdin", no_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	*o = (struct emit_opts){ .count = 1, .interval_ms = 1000, .wait_attached = -1,
				 .settle_ms = 100 };
	while ((c = getopt_long(argc, argv, "hq", longopts, NULL)) != -1) {
		if (c == 'h') {
			emit_usage(stdout);
			return 0;
		}
		if (c == '?') {
			fprintf(stderr, "Try 'dynprobe emit --help'.\n");
			return 2;
		}
		if (parse_option(o, c, optarg) < 0)
			return 2;
	}
	if (!o->provider || !o->probe) {
		fprintf(stderr, "dynprobe emit: --provider and --probe are required\n");
		emit_usage(stderr);
		return 2;
	}
	if (optind != argc) {
		fprintf(stderr, "dynprobe emit: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	return -1; /* go on */
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Poll the probe's enabled state (1 ms apart) until a tracer attaches,
 * then give it settle_ms to hook its program to the uprobe. */
static int wait_attached(struct dynprobe_probe *probe, double seconds, long settle_ms)
{
	double deadline = now_s() + seconds;

	while (!dynprobe_probe_enabled(probe)) {
		if (now_s() >= deadline)
			return -1;
		sleep_ms(1);
	}
	if (settle_ms > 0)
		sleep_ms(settle_ms);
	return 0;
}

static void print_names(const struct emit_opts *o, struct dynprobe_provider *prov)
{
	unsigned int loaded = dynprobe_provider_loaded_backends(prov);

	printf("pid %d\n", (int)getpid());
	/* The shared file traces every process (no -p); else the private
	 * object through this process's descriptor. */
	if ((loaded & DYNPROBE_BACKEND_USDT) && dynprobe_provider_usdt_path(prov))
		printf("usdt:%s:%s:%s\n", dynprobe_provider_usdt_path(prov), o->provider, o->probe);
	else if (loaded & DYNPROBE_BACKEND_USDT)
		printf("usdt:/proc/%d/fd/%d:%s:%s\n", (int)getpid(),
		       dynprobe_provider_usdt_fd(prov), o->provider, o->probe);
	if (loaded & DYNPROBE_BACKEND_LTTNG)
		printf("lttng:%s:%s\n", o->provider, o->probe);
	fflush(stdout);
}

/* Logger mode: a bad line is reported with its number and skipped; the
 * logger keeps going (losing every later line for one typo is worse than
 * useless) and says at exit how many lines it rejected.  Past
 * LOGGER_MAX_REPORTS messages it only counts, so a stream of garbage
 * cannot flood stderr. */
#define LOGGER_MAX_REPORTS 100

static int run_stdin(struct dynprobe_probe *probe, const struct emit_opts *o)
{
	struct dynprobe_arg args[DYNPROBE_MAX_ARGS];
	unsigned long long lineno = 0, rejected = 0;
	char *line = NULL, why[256];
	size_t cap = 0;
	ssize_t len;

	while ((len = getline(&line, &cap, stdin)) > 0) {
		lineno++;
		if (emit_parse_line(o->types, o->nargs, line, (size_t)len, args, why,
				    sizeof(why)) == 0) {
			dynprobe_fire(probe, args, o->nargs);
			continue;
		}
		if (++rejected <= LOGGER_MAX_REPORTS)
			fprintf(stderr, "dynprobe emit: <stdin>:%llu: %s (line skipped)\n", lineno, why);
		if (rejected == LOGGER_MAX_REPORTS)
			fprintf(stderr, "dynprobe emit: further rejected lines are counted, not shown\n");
	}
	if (ferror(stdin))
		fprintf(stderr, "dynprobe emit: reading stdin: %s\n", strerror(errno));
	free(line);
	if (rejected)
		fprintf(stderr, "dynprobe emit: %llu of %llu line%s rejected\n", rejected, lineno,
			lineno == 1 ? "" : "s");
	return rejected || ferror(stdin) ? 1 : 0;
}

static int run_count(struct dynprobe_probe *probe, const struct emit_opts *o,
		     const struct dynprobe_arg *args)
{
	for (long n = 0; o->count < 0 || n < o->count; n++) {
		if (n && o->interval_ms > 0)
			sleep_ms(o->interval_ms);
		int r = DYNPROBE_FIRE_ARGS(probe, args, o->nargs);
		if (!o->quiet && r > 0)
			fprintf(stderr, "fired %s:%s\n", o->provider, o->probe);
	}
	return 0;
}

int cmd_emit(int argc, char **argv)
{
	struct dynprobe_provider *prov = NULL;
	struct dynprobe_probe *probe = NULL;
	struct dynprobe_arg args[DYNPROBE_MAX_ARGS];
	struct emit_opts o;
	char err[256];
	int r;

	r = parse_opts(argc, argv, &o);
	if (r >= 0)
		return r;
	/* Check the values before anything is published. */
	for (size_t i = 0; !o.from_stdin && i < o.nargs; i++) {
		if (!o.values[i]) {
			fprintf(stderr, "dynprobe emit: --arg %s needs a value (TYPE:VALUE)\n",
				dynprobe_type_name(o.types[i]));
			return 2;
		}
		if (emit_parse_value(o.types[i], o.values[i], &args[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "dynprobe emit: --arg %s:%s: %s\n",
				dynprobe_type_name(o.types[i]), o.values[i], err);
			return 2;
		}
	}
	DYNPROBE_OPTS(dynprobe_provider_opts, popts, .backends = o.backends);
	r = dynprobe_provider_new(o.provider, &popts, &prov);
	if (r == 0)
		r = dynprobe_probe_add(prov, o.probe, o.types, o.nargs, NULL, &probe);
	if (r == 0)
		r = dynprobe_provider_load(prov);
	if (r == DYNPROBE_LOAD_PARTIAL) {
		int e = dynprobe_provider_backend_error(prov, DYNPROBE_BACKEND_LTTNG);
		if (!e)
			e = dynprobe_provider_backend_error(prov, DYNPROBE_BACKEND_USDT);
		fprintf(stderr, "dynprobe emit: warning: a backend did not load: %s\n",
			dynprobe_strerror(e, err, sizeof(err)));
		r = 0;
	}
	if (r < 0) {
		fprintf(stderr, "dynprobe emit: %s:%s: %s\n", o.provider, o.probe,
			dynprobe_strerror(r, err, sizeof(err)));
		dynprobe_provider_free(prov);
		return 1;
	}
	print_names(&o, prov);
	if (o.wait_attached >= 0 && wait_attached(probe, o.wait_attached, o.settle_ms) < 0) {
		fprintf(stderr, "dynprobe emit: no tracer attached to %s:%s within %g s\n",
			o.provider, o.probe, o.wait_attached);
		dynprobe_provider_free(prov);
		return 1;
	}
	r = o.from_stdin ? run_stdin(probe, &o) : run_count(probe, &o, args);
	dynprobe_provider_free(prov);
	return r;
}
