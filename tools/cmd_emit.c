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
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <dynprobe.h>

#include "commands.h"

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
		"usage: dynprobe emit --provider NAME --probe NAME [--arg TYPE:VALUE]...\n"
		"                     [--count N] [--interval-ms MS] [--wait-attached SECONDS]\n"
		"                     [--backend usdt|lttng|both] [--stdin] [--quiet]\n"
		"\n"
		"Declares one probe, loads it, prints the PID and the probe's tracer names,\n"
		"and fires it COUNT times (default 1; 0 means forever), INTERVAL-MS apart\n"
		"(default 1000).  TYPE is i8 u8 i16 u16 i32 u32 i64 u64 str double; at most 12.\n"
		"\n"
		"  --wait-attached S  fire only once a tracer is attached; fail if none within S\n"
		"  --settle-ms MS     after the attach is seen, wait MS (default 100) for the\n"
		"                     tracer to finish attaching its program (see below)\n"
		"  --stdin            logger mode: --arg gives types only (TYPE or TYPE:ignored);\n"
		"                     each input line fires once, fields separated by tabs\n"
		"  --backend B        usdt (default), lttng or both ($DYNPROBE_BACKENDS overrides)\n"
		"\n"
		"A probe reads as enabled as soon as the kernel installs its uprobe, which is\n"
		"a moment before bpftrace or bcc hook their BPF program to it; events fired in\n"
		"between are lost.  --settle-ms covers that gap.\n");
}

static int parse_backend(const char *s, unsigned int *ret)
{
	if (!strcmp(s, "usdt"))
		*ret = DYNPROBE_BACKEND_USDT;
	else if (!strcmp(s, "lttng"))
		*ret = DYNPROBE_BACKEND_LTTNG;
	else if (!strcmp(s, "both") || !strcmp(s, "all"))
		*ret = DYNPROBE_BACKEND_ALL;
	else
		return -1;
	return 0;
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
	if (n >= sizeof(type)) {
		fprintf(stderr, "dynprobe emit: unknown type in '%s'\n", spec);
		return -1;
	}
	memcpy(type, spec, n);
	type[n] = '\0';
	if (dynprobe_type_parse(type, &o->types[o->nargs]) < 0) {
		fprintf(stderr, "dynprobe emit: unknown type '%s' (use i8 u8 i16 u16 i32 u32 "
				"i64 u64 str double)\n", type);
		return -1;
	}
	o->values[o->nargs++] = colon ? colon + 1 : NULL;
	return 0;
}

static bool is_signed(enum dynprobe_type t)
{
	return t == DYNPROBE_I8 || t == DYNPROBE_I16 || t == DYNPROBE_I32 || t == DYNPROBE_I64;
}

static int type_bits(enum dynprobe_type t)
{
	switch (t) {
	case DYNPROBE_I8: case DYNPROBE_U8: return 8;
	case DYNPROBE_I16: case DYNPROBE_U16: return 16;
	case DYNPROBE_I32: case DYNPROBE_U32: return 32;
	default: return 64;
	}
}

/* Parse VALUE for TYPE, refusing anything out of the declared range. */
static int parse_value(enum dynprobe_type t, const char *text, struct dynprobe_arg *ret)
{
	char *end = NULL;
	int bits = type_bits(t);

	if (!text) {
		fprintf(stderr, "dynprobe emit: --arg %s needs a value (TYPE:VALUE)\n",
			dynprobe_type_name(t));
		return -1;
	}
	errno = 0;
	if (t == DYNPROBE_STR) {
		*ret = dynprobe_arg_s(text);
		return 0;
	} else if (t == DYNPROBE_DOUBLE) {
		double d = strtod(text, &end);
		*ret = dynprobe_arg_d(d);
	} else if (is_signed(t)) {
		long long v = strtoll(text, &end, 0);
		long long lim = bits == 64 ? LLONG_MAX : (1LL << (bits - 1)) - 1;
		if (v > lim || v < -lim - 1)
			errno = ERANGE;
		*ret = dynprobe_arg_i(v);
	} else {
		unsigned long long v = strtoull(text, &end, 0);
		if (text[0] == '-' || (bits < 64 && v >> bits))
			errno = ERANGE;
		*ret = dynprobe_arg_u(v);
	}
	if (errno || !end || end == text || *end) {
		fprintf(stderr, "dynprobe emit: '%s' is not a valid %s\n", text, dynprobe_type_name(t));
		return -1;
	}
	return 0;
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
		switch (c) {
		case 'P': o->provider = optarg; break;
		case 'p': o->probe = optarg; break;
		case 'a': if (parse_arg_decl(o, optarg) < 0) return 2; break;
		case 'c': o->count = atol(optarg); if (o->count == 0) o->count = -1; break;
		case 'i': o->interval_ms = atol(optarg); break;
		case 'w': o->wait_attached = atof(optarg); break;
		case 'S': o->settle_ms = atol(optarg); break;
		case 's': o->from_stdin = true; break;
		case 'q': o->quiet = true; break;
		case 'b':
			if (parse_backend(optarg, &o->backends) < 0) {
				fprintf(stderr, "dynprobe emit: --backend is usdt, lttng or both\n");
				return 2;
			}
			break;
		case 'h': emit_usage(stdout); return 0;
		default: emit_usage(stderr); return 2;
		}
	}
	if (!o->provider || !o->probe || optind != argc) {
		emit_usage(stderr);
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
	if (loaded & DYNPROBE_BACKEND_USDT)
		printf("usdt:/proc/%d/fd/%d:%s:%s\n", (int)getpid(),
		       dynprobe_provider_usdt_fd(prov), o->provider, o->probe);
	if (loaded & DYNPROBE_BACKEND_LTTNG)
		printf("lttng:%s:%s\n", o->provider, o->probe);
	fflush(stdout);
}

/* Split one line on tabs into the declared arguments and fire. */
static int fire_line(struct dynprobe_probe *probe, const struct emit_opts *o, char *line)
{
	struct dynprobe_arg args[DYNPROBE_MAX_ARGS];
	char *save = NULL, *field;

	line[strcspn(line, "\n")] = '\0';
	for (size_t i = 0; i < o->nargs; i++) {
		field = i + 1 == o->nargs && o->types[i] == DYNPROBE_STR
				? (i == 0 ? line : strtok_r(NULL, "", &save))
				: strtok_r(i == 0 ? line : NULL, "\t", &save);
		if (!field)
			field = (char *)"";
		if (parse_value(o->types[i], field, &args[i]) < 0)
			return -1;
	}
	return dynprobe_fire(probe, args, o->nargs) < 0 ? -1 : 0;
}

static int run_stdin(struct dynprobe_probe *probe, const struct emit_opts *o)
{
	char *line = NULL;
	size_t cap = 0;
	int bad = 0;

	while (getline(&line, &cap, stdin) > 0)
		if (fire_line(probe, o, line) < 0)
			bad++;
	free(line);
	return bad ? 1 : 0;
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
	for (size_t i = 0; !o.from_stdin && i < o.nargs; i++)
		if (parse_value(o.types[i], o.values[i], &args[i]) < 0)
			return 2;
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
