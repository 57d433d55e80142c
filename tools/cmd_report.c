/* SPDX-License-Identifier: MIT */
/*
 * cmd_report.c - `dynprobe report`: aggregate LTTng traces like bpftrace.
 *
 * Only the command line lives here: options become a dp_report_config,
 * consumer/ (libdpconsumer) reads the traces through libbabeltrace2 and
 * prints.  Exit status: 0 done, 1 error (one line on stderr), 2 usage.
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
	fprintf(out,
"usage: dynprobe report [OPTIONS] TRACE_DIR...\n"
"       dynprobe report [OPTIONS] --live net://RELAYD[:PORT]/host/HOSTNAME/SESSION\n"
"\n"
"Aggregate LTTng (CTF) traces the way bpftrace aggregates USDT events.\n"
"TRACE_DIR is a CTF trace or any directory above traces (an LTTng session's\n"
"output): every directory holding a 'metadata' file under it is read.\n"
"\n"
"  -e, --event GLOB      event name or glob, e.g. 'app:req' or 'app:*' (default: all)\n"
"  -f, --field NAME      numeric field to aggregate (payload, then context fields)\n"
"  -b, --by NAME         group by a string or integer field, like @[str(arg0)]\n"
"  -F, --filter EXPR     keep events where FIELD OP VALUE; OP: == != < <= > >=\n"
"                        (strings: == and != only; quote string values)\n"
"  -a, --agg LIST        comma-separated: count sum min max mean stats p50 p90 p99\n"
"                        p99.9 pct hist lhist(MIN,MAX,STEP); repeatable\n"
"                        (default: stats,pct,hist with --field, count without)\n"
"      --json            one JSON object (per refresh when --live)\n"
"      --csv             CSV: group,metric,bucket,low,high,value\n"
"      --svg FILE        also write the histogram as SVG\n"
"      --max-keys N      keep at most N group-by keys (default %d); events with\n"
"                        further keys are counted under '(other)' and reported\n"
"  -l, --live URL        read a live session from lttng-relayd; ends when the\n"
"                        session is destroyed\n"
"  -i, --interval SEC    live: print the running results every SEC seconds (1)\n"
"  -h, --help\n"
"\n"
"Percentiles are nearest-rank, estimated from a log-linear histogram (128\n"
"sub-buckets per power of two): the printed value is within %.2f %% (1/256) of\n"
"the exact one, exact for integers below 256; memory stays bounded whatever\n"
"the number of events.  count/sum/min/max/mean are exact.  Discarded events and\n"
"packets and incomplete streams are always reported.\n",
		DP_DEFAULT_MAX_KEYS, DP_PCT_REL_ERROR * 100);
}

enum { OPT_JSON = 256, OPT_CSV, OPT_SVG, OPT_MAX_KEYS };

static const struct option options[] = {
	{ "event", required_argument, NULL, 'e' },
	{ "field", required_argument, NULL, 'f' },
	{ "by", required_argument, NULL, 'b' },
	{ "filter", required_argument, NULL, 'F' },
	{ "agg", required_argument, NULL, 'a' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "csv", no_argument, NULL, OPT_CSV },
	{ "svg", required_argument, NULL, OPT_SVG },
	{ "max-keys", required_argument, NULL, OPT_MAX_KEYS },
	{ "live", required_argument, NULL, 'l' },
	{ "interval", required_argument, NULL, 'i' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
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
	return *end || *ret <= 0 ? -1 : 0;
}

static int parse_args(int argc, char **argv, struct dp_report_config *cfg, char **aggs)
{
	double d;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "e:f:b:F:a:l:i:h", options, NULL)) != -1) {
		switch (c) {
		case 'e': cfg->event = optarg; break;
		case 'f': cfg->field = optarg; break;
		case 'b': cfg->group_by = optarg; break;
		case 'F': cfg->filter = optarg; break;
		case 'a':
			if (append_agg(aggs, optarg))
				return 1;
			break;
		case OPT_JSON: cfg->format = DP_FORMAT_JSON; break;
		case OPT_CSV: cfg->format = DP_FORMAT_CSV; break;
		case OPT_SVG: cfg->svg_path = optarg; break;
		case OPT_MAX_KEYS:
			if (parse_number(optarg, &d) || d != (size_t)d)
				goto bad_number;
			cfg->max_keys = (size_t)d;
			break;
		case 'l': cfg->live_url = optarg; break;
		case 'i':
			if (parse_number(optarg, &d))
				goto bad_number;
			cfg->interval = d;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			return 2;
		}
	}
	cfg->inputs = (const char *const *)argv + optind;
	cfg->ninputs = (size_t)(argc - optind);
	if (!cfg->live_url == !cfg->ninputs) {
		fprintf(stderr, "dynprobe report: give trace directories or --live URL (one of them)\n");
		return 2;
	}
	cfg->aggs = *aggs;
	return 0;
bad_number:
	fprintf(stderr, "dynprobe report: '%s' is not a positive number\n", optarg);
	return 2;
}

/* Reading failed part-way: the partial results are still worth showing,
 * flagged incomplete, before the error. */
static void print_partial(struct dp_report *r)
{
	if (!r->events_read)
		return;
	snprintf(r->incomplete_reason, sizeof(r->incomplete_reason), "%s", r->errmsg);
	r->errmsg[0] = 0;
	dp_report_print(r, stdout);
	snprintf(r->errmsg, sizeof(r->errmsg), "%s", r->incomplete_reason);
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
	rc = 1;
	if (dp_report_run(r, stdout)) {
		print_partial(r);
		goto out;
	}
	if (dp_report_check_end(r) || dp_report_print(r, stdout) ||
	    (r->svg_path && dp_report_write_svg(r, r->svg_path)))
		goto out;
	rc = 0;
out:
	fflush(stdout);
	if (rc)
		fprintf(stderr, "dynprobe report: %s\n", r->errmsg);
	dp_report_free(r);
	free(aggs);
	return rc;
}
#endif
