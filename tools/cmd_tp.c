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
#include "../tp/tp.h"

static void tp_usage(FILE *out)
{
	fprintf(out,
		"usage: dynprobe tp [-o DIR] [--source | --name] SPEC\n"
		"\n"
		"Builds the LTTng tracepoint provider described by SPEC (a file, or - for\n"
		"stdin) into DIR (default: the current directory) and prints its path.\n"
		"Programs find it through DYNPROBE_TP_PATH or the provider's prebuilt_path.\n"
		"\n"
		"  -o, --output DIR  where to put the object (created if missing)\n"
		"  --source          print the generated C source instead of compiling\n"
		"  --name            print the object's file name only\n"
		"\n"
		"SPEC:  provider NAME\n"
		"       probe NAME [TYPE[:FIELD]]...     TYPE: i8 u8 i16 u16 i32 u32 i64 u64 str double\n"
		"       # comments, blank lines\n");
}

static char *read_all(const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);

	if (!f || !buf) {
		free(buf);
		return NULL;
	}
	for (;;) {
		len += fread(buf + len, 1, cap - len - 1, f);
		if (len < cap - 1)
			break;
		char *p = realloc(buf, cap *= 2);
		if (!p) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = p;
	}
	if (buf)
		buf[len] = '\0';
	if (f != stdin)
		fclose(f);
	return buf;
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
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "dynprobe tp: %s: %s\n", dir, strerror(errno));
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
	char *text = NULL, *src = NULL, err[256];

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
	text = read_all(argv[optind]);
	if (!text) {
		fprintf(stderr, "dynprobe tp: cannot read %s: %s\n", argv[optind], strerror(errno));
		goto out;
	}
	if (dp_tp_spec_parse(text, &spec, err, sizeof(err)) < 0) {
		fprintf(stderr, "dynprobe tp: %s: %s\n", argv[optind], err);
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
