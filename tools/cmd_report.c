/* SPDX-License-Identifier: MIT */
/*
 * cmd_report.c - `dynprobe report`: aggregate LTTng traces like bpftrace.
 *
 * Only the command line lives here: options become a dp_report_config,
 * consumer/ (libdpconsumer) checks the traces, reads them through
 * libbabeltrace2 in watched child processes and prints.  Exit status: 0
 * done, 1 error (one line on stderr), 2 usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

#ifndef DYNPROBE_HAVE_CONSUMER
int cmd_report(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "dynprobe report: not available in this build (needs libbabeltrace2)\n");
	return 1;
}
#else
#include "report.h"

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: dynprobe report [OPTIONS] TRACE_DIR...\n"
	    "       dynprobe report [OPTIONS] --live net://RELAYD[:PORT]/host/HOSTNAME/SESSION\n"
	    "\n"
	    "Aggregate LTTng (CTF) traces the way bpftrace aggregates USDT events.\n"
	    "TRACE_DIR is a CTF trace or any directory above traces (an LTTng session's\n"
	    "output): every directory holding a 'metadata' file under it is read.\n"
	    "\n"
	    "What:\n"
	    "  -e, --event GLOB      event name or glob, e.g. 'app:req' or 'app:*' (default: all)\n"
	    "  -f, --field NAME      numeric field to aggregate\n"
	    "  -b, --by KEY[,KEY...] group by fields, like @[comm, pid]: payload or context\n"
	    "                        fields (vpid, vtid, procname, cpu_id...), 'event' (the\n"
	    "                        event's name); bpftrace's cpu pid tid comm probe work too\n"
	    "  -F, --filter PRED     keep events where PRED holds, a bpftrace predicate:\n"
	    "                        && || ! ( ) == != < <= > >=, e.g. 'vpid == 42 &&\n"
	    "                        (arg0 == \"GET\" || arg1 > 1000)'; '*' in a string is a\n"
	    "                        wildcard ('procname == \"gen_*\"')\n"
	    "      --pair START,END  aggregate END - START in ns, START and END paired by\n"
	    "      --key KEY[,KEY...]  these fields (default: vtid), like @start[tid];\n"
	    "                        unmatched starts and ends are counted\n"
	    "  -a, --agg LIST        comma-separated: count sum min max mean stats p50 p90 p99\n"
	    "                        p99.9 pct hist lhist(MIN,MAX,STEP); repeatable\n"
	    "                        (default: stats,pct,hist with a value, count without)\n"
	    "When (trace time):\n"
	    "  -i, --interval DUR    one aggregate per DUR of trace time (1s, 250ms...),\n"
	    "                        like interval:s:1 { print(@); clear(@); }\n"
	    "      --begin TIME      skip events before TIME; TIME is seconds since the epoch,\n"
	    "      --end TIME        [YYYY-MM-DD ]HH:MM[:SS[.NNN]] (local; Z for UTC), or\n"
	    "                        +DURATION after the first event\n"
	    "Output:\n"
	    "      --top N           only the N greatest keys, like print(@, N)\n"
	    "      --sort WHAT       order keys by count (default), key, or an aggregation\n"
	    "      --desc            greatest first (default: last, like bpftrace)\n"
	    "      --json            one JSON object (one line per interval or live refresh)\n"
	    "      --csv             CSV: group,metric,bucket,low,high,value\n"
	    "      --svg FILE        also write the histogram as SVG\n"
	    "      --max-keys N      keep at most N group-by keys (default %d); events with\n"
	    "                        further keys are counted under '(other)' and reported\n"
	    "Sources and reading:\n"
	    "  -l, --live URL        read a live session from lttng-relayd; ends when the\n"
	    "                        session is destroyed\n"
	    "      --refresh SEC     live, without --interval: print running totals every\n"
	    "                        SEC seconds (1)\n"
	    "  -j, --jobs N          reader processes for queries that ignore time order\n"
	    "                        (default: one per CPU for traces over 16 MiB)\n"
	    "      --watchdog SEC    give up on a trace that makes no progress for SEC\n"
	    "                        seconds (30)\n"
	    "  -h, --help\n"
	    "\n"
	    "Percentiles are nearest-rank, estimated from a log-linear histogram (128\n"
	    "sub-buckets per power of two): the printed value is within %.2f %% (1/256) of\n"
	    "the exact one, exact for integers below 256; memory stays bounded whatever\n"
	    "the number of events.  count/sum/min/max/mean are exact.  Discarded events and\n"
	    "packets, incomplete streams and damaged files are always reported.\n",
	    DP_DEFAULT_MAX_KEYS, DP_PCT_REL_ERROR * 100);
}

enum {
	OPT_JSON = 256,
	OPT_CSV,
	OPT_SVG,
	OPT_MAX_KEYS,
	OPT_REFRESH,
	OPT_BEGIN,
	OPT_END,
	OPT_PAIR,
	OPT_KEY,
	OPT_TOP,
	OPT_SORT,
	OPT_DESC,
	OPT_WATCHDOG,
};

static const struct option options[] = {
    {"event", required_argument, NULL, 'e'},
    {"field", required_argument, NULL, 'f'},
    {"by", required_argument, NULL, 'b'},
    {"filter", required_argument, NULL, 'F'},
    {"agg", required_argument, NULL, 'a'},
    {"json", no_argument, NULL, OPT_JSON},
    {"csv", no_argument, NULL, OPT_CSV},
    {"svg", required_argument, NULL, OPT_SVG},
    {"max-keys", required_argument, NULL, OPT_MAX_KEYS},
    {"live", required_argument, NULL, 'l'},
    {"interval", required_argument, NULL, 'i'},
    {"refresh", required_argument, NULL, OPT_REFRESH},
    {"begin", required_argument, NULL, OPT_BEGIN},
    {"end", required_argument, NULL, OPT_END},
    {"pair", required_argument, NULL, OPT_PAIR},
    {"key", required_argument, NULL, OPT_KEY},
    {"top", required_argument, NULL, OPT_TOP},
    {"sort", required_argument, NULL, OPT_SORT},
    {"desc", no_argument, NULL, OPT_DESC},
    {"descending", no_argument, NULL, OPT_DESC},
    {"jobs", required_argument, NULL, 'j'},
    {"watchdog", required_argument, NULL, OPT_WATCHDOG},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Repeated --agg options accumulate into one list. */
static int append_agg(char **list, const char *a)
{
	size_t n = *list ? strlen(*list) : 0;
	char *p = realloc(*list, n + strlen(a) + 2);

	if (!p)
		return -1;
	snprintf(p + n, strlen(a) + 2, "%s%s", n ? "," : "", a);
	*list = p;
	return 0;
}

static int parse_number(const char *s, double *ret)
{
	char *end;

	*ret = strtod(s, &end);
	return end == s || *end || !(*ret > 0) || *ret > 1e15 ? -1 : 0;
}

/* A positive whole number (counts). */
static int parse_count(const char *s, size_t *ret)
{
	double d;

	if (parse_number(s, &d) || d != (double)(size_t)d)
		return -1;
	*ret = (size_t)d;
	return 0;
}

static int parse_option(int c, struct dp_report_config *cfg, char **aggs)
{
	double d;
	size_t n;

	switch (c) {
	case 'e':
		cfg->event = optarg;
		break;
	case 'f':
		cfg->field = optarg;
		break;
	case 'b':
		cfg->group_by = optarg;
		break;
	case 'F':
		cfg->filter = optarg;
		break;
	case 'a':
		return append_agg(aggs, optarg) ? 1 : 0;
	case OPT_JSON:
		cfg->format = DP_FORMAT_JSON;
		break;
	case OPT_CSV:
		cfg->format = DP_FORMAT_CSV;
		break;
	case OPT_SVG:
		cfg->svg_path = optarg;
		break;
	case 'l':
		cfg->live_url = optarg;
		break;
	case 'i':
		cfg->interval = optarg;
		break;
	case OPT_BEGIN:
		cfg->begin = optarg;
		break;
	case OPT_END:
		cfg->end = optarg;
		break;
	case OPT_PAIR:
		cfg->pair = optarg;
		break;
	case OPT_KEY:
		cfg->pair_key = optarg;
		break;
	case OPT_SORT:
		cfg->sort = optarg;
		break;
	case OPT_DESC:
		cfg->descending = 1;
		break;
	case OPT_MAX_KEYS:
	case OPT_TOP:
	case 'j':
		if (parse_count(optarg, &n))
			goto bad_number;
		if (c == 'j')
			cfg->jobs = n > 64 ? 64 : (unsigned)n;
		else if (c == OPT_TOP)
			cfg->top = n;
		else
			cfg->max_keys = n;
		break;
	case OPT_REFRESH:
	case OPT_WATCHDOG:
		if (parse_number(optarg, &d))
			goto bad_number;
		*(c == OPT_REFRESH ? &cfg->refresh : &cfg->watchdog) = d;
		break;
	case 'h':
		usage(stdout);
		return -1;
	case ':':
		fprintf(stderr, "dynprobe report: option '%s' needs a value\n", optarg);
		return 2;
	default:
		fprintf(stderr,
			"dynprobe report: unknown option '%s' (dynprobe report --help "
			"lists them)\n",
			optarg);
		return 2;
	}
	return 0;
bad_number:
	fprintf(stderr, "dynprobe report: '%s' is not a positive number\n", optarg);
	return 2;
}

static int parse_args(int argc, char **argv, struct dp_report_config *cfg, char **aggs)
{
	int c, rc;

	optind = 1;
	opterr = 0; /* our messages, with our name */
	while ((c = getopt_long(argc, argv, ":e:f:b:F:a:l:i:j:h", options, NULL)) != -1) {
		if (c == '?' || c == ':')
			optarg = argv[optind - 1];
		if ((rc = parse_option(c, cfg, aggs)))
			return rc;
	}
	cfg->inputs = (const char *const *)argv + optind;
	cfg->ninputs = (size_t)(argc - optind);
	if (!cfg->live_url == !cfg->ninputs) {
		fprintf(stderr, "dynprobe report: give trace directories or --live URL (one of them)\n");
		return 2;
	}
	cfg->aggs = *aggs;
	return 0;
}

int cmd_report(int argc, char **argv)
{
	struct dp_report_config cfg = { 0 };
	struct dp_report *r = NULL;
	char *aggs = NULL, err[512];
	int rc = parse_args(argc, argv, &cfg, &aggs);

	if (rc) {
		free(aggs);
		return rc < 0 ? 0 : rc;
	}
	if (!(r = dp_report_new(&cfg, err, sizeof(err)))) {
		fprintf(stderr, "dynprobe report: %s\n", err);
		free(aggs);
		return 2;
	}
	rc = dp_report_main(r);
	dp_report_free(r);
	free(aggs);
	return rc;
}
#endif
