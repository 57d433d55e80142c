/* SPDX-License-Identifier: MIT */
/*
 * cmd_tp.c - `dynprobe tp`: build an LTTng provider object ahead of time,
 * for machines that have no C compiler (or must not run one).
 *
 *   dynprobe tp app.tp -o /usr/lib/x86_64-linux-gnu/dynprobe
 *   DYNPROBE_TP_PATH=/usr/lib/x86_64-linux-gnu/dynprobe ./app
 *
 * The spec format is described in tp/tp_spec.c:
 *
 *	provider app
 *	probe request u64:latency str:path
 *
 * The object is named exactly as the library looks it up
 * (libdynprobe-lttng-<provider>-<hash>.so, hash of the generated source,
 * lttng-ust version and flags), so a program whose probes differ from the
 * spec never picks it up: it compiles, or fails with "no C compiler".
 * The program must declare the same probes, in the same order, with the
 * same types and field names.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "config.h"

#if DYNPROBE_HAVE_LTTNG
#include "tp.h"

static void tp_usage(FILE *out)
{
	fprintf(out,
		"usage: dynprobe tp [-o DIR] [--source | --name] SPEC\n"
		"\n"
		"Builds the LTTng tracepoint provider described by SPEC (a file, or - for\n"
		"stdin) into DIR (default: the current directory) and prints its path.\n"
		"Programs find it through DYNPROBE_TP_PATH or the provider's prebuilt_path.\n"
		"\n"
		"  -o, --output DIR  where to put the object (created, with its parents, if missing)\n"
		"  --source          print the generated C source instead of compiling\n"
		"  --name            print the object's file name only\n"
		"\n"
		"SPEC:  provider NAME\n"
		"       probe NAME [TYPE[:FIELD]]... [loglevel=LEVEL]\n"
		"             TYPE: i8 u8 i16 u16 i32 u32 i64 u64 str double\n"
		"             LEVEL: emerg alert crit err warning notice info debug_system\n"
		"                    debug_program debug_process debug_module debug_unit\n"
		"                    debug_function debug_line debug\n"
		"       # comments, blank lines\n");
}

/* The whole spec, with its length (a NUL byte inside is the parser's to
 * refuse).  Only a regular file, a pipe or a terminal: a directory would
 * read as an empty spec. */
static char *read_all(const char *path, size_t *ret_len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	size_t len = 0, cap = 4096;
	char *buf = NULL, *p;
	struct stat st;
	int e = 0;

	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) < 0 || S_ISDIR(st.st_mode)) {
		e = S_ISDIR(st.st_mode) ? EISDIR : errno;
		goto out;
	}
	for (;;) {
		p = realloc(buf, cap);
		if (!p) {
			e = ENOMEM;
			goto out;
		}
		buf = p;
		len += fread(buf + len, 1, cap - len - 1, f);
		if (ferror(f)) {
			e = errno ? errno : EIO;
			goto out;
		}
		if (feof(f))
			break;
		if (len == cap - 1)
			cap *= 2;
	}
	buf[len] = '\0';
	*ret_len = len;
out:
	if (f != stdin)
		fclose(f);
	if (e) {
		free(buf);
		errno = e;
		return NULL;
	}
	return buf;
}

/* mkdir -p: the usage promises that DIR is created; parents too, as
 * `install -d` would.  Created directories get 0755 (minus umask). */
static int make_dirs(const char *dir)
{
	char *path = strdup(dir);
	int r = 0;

	if (!path)
		return -ENOMEM;
	if (!*path) {
		free(path);
		return -ENOENT;
	}
	for (char *p = path + 1; r == 0; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			r = -errno;
		*p = c;
		if (!c)
			break;
	}
	if (r == 0) {
		struct stat st;
		if (stat(path, &st) < 0)
			r = -errno;
		else if (!S_ISDIR(st.st_mode))
			r = -ENOTDIR;
	}
	free(path);
	return r;
}

static int build(const struct dp_tp_spec *spec, const char *src, const char *dir)
{
	char name[DP_TP_NAME_MAX], errbuf[128];
	struct dp_tp_cc cc;
	int r;

	dp_tp_prebuilt_name(spec->desc.name, src, name);
	r = dp_tp_cc_find(&cc);
	if (r < 0) {
		fprintf(stderr, "dynprobe tp: %s\n", dynprobe_strerror(r, errbuf, sizeof(errbuf)));
		return 1;
	}
	r = make_dirs(dir);
	if (r < 0) {
		fprintf(stderr, "dynprobe tp: cannot create %s: %s\n", dir, strerror(-r));
		dp_tp_cc_free(&cc);
		return 1;
	}
	/* 0644: prebuilt objects are meant to be shared (the library refuses
	 * group- or world-writable ones). */
	r = dp_tp_compile(&cc, src, dir, name, 0644);
	dp_tp_cc_free(&cc);
	if (r < 0) {
		fprintf(stderr, "dynprobe tp: %s%s\n", dynprobe_strerror(r, errbuf, sizeof(errbuf)),
			r == -DYNPROBE_ECOMPILE ? " (DYNPROBE_DEBUG=1 shows the compiler output)" : "");
		return 1;
	}
	printf("%s/%s\n", dir, name);
	return 0;
}

int cmd_tp(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "source", no_argument, NULL, 's' },
		{ "name", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *dir = ".";
	int c, mode = 0, ret = 1;
	struct dp_tp_spec *spec = NULL;
	char *text = NULL, *src = NULL, err[512];
	size_t len = 0;

	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': dir = optarg; break;
		case 's': case 'n': mode = c; break;
		case 'h': tp_usage(stdout); return 0;
		default: tp_usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		tp_usage(stderr);
		return 2;
	}
	text = read_all(argv[optind], &len);
	if (!text) {
		fprintf(stderr, "dynprobe tp: cannot read %s: %s\n", argv[optind], strerror(errno));
		goto out;
	}
	if (dp_tp_spec_parse_n(text, len, &spec, err, sizeof(err)) < 0) {
		fprintf(stderr, "dynprobe tp: %s: %s\n", strcmp(argv[optind], "-") ? argv[optind] : "<stdin>", err);
		goto out;
	}
	if (dp_tp_generate(&spec->desc, &src) < 0) {
		fprintf(stderr, "dynprobe tp: cannot generate the provider\n");
		goto out;
	}
	if (mode == 's') {
		fputs(src, stdout);
		ret = 0;
	} else if (mode == 'n') {
		char name[DP_TP_NAME_MAX];
		dp_tp_prebuilt_name(spec->desc.name, src, name);
		printf("%s\n", name);
		ret = 0;
	} else {
		ret = build(spec, src, dir);
	}
out:
	free(src);
	free(text);
	dp_tp_spec_free(spec);
	return ret;
}
#else
int cmd_tp(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "dynprobe tp: this build has no LTTng backend (lttng-ust not found)\n");
	return 1;
}
#endif
