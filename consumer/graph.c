/* SPDX-License-Identifier: MIT */
/*
 * graph.c - build and run the babeltrace2 graph for `dynprobe report`.
 *
 *   source.ctf.fs (one per trace UUID found)  --- every output port --->  report sink
 *   source.ctf.lttng-live (inputs = [URL])    --- its port ------------>  (component.c)
 *
 * source.ctf.fs merges several inputs only when they share a UUID, so
 * every distinct trace (per-PID buffers, kernel + UST...) gets its own
 * component.  There is no filter.utils.muxer: the sink merges its inputs
 * by time itself when the query needs it (component.c).  A stream file
 * ctf.fs cannot index (truncated mid-packet) would sink its whole trace:
 * it is left out through a mirror of the trace directory, and reported.
 * Live: the relay daemon answers "try again" while no data is ready
 * (BT_GRAPH_RUN_STATUS_AGAIN); we wait briefly, print running totals every
 * --refresh seconds (or each --interval as it closes), and stop when the
 * source ends, which session-not-found-action=end makes happen once the
 * session is destroyed.  SIGINT/SIGTERM trip the graph's interrupter so
 * partial results still get printed.
 */
#include "report.h"

#include <signal.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "worker.h"

static bt_interrupter *volatile g_interrupter;
static volatile sig_atomic_t g_interrupted;

static void on_signal(int sig)
{
	g_interrupted = 1;
	if (g_interrupter)
		bt_interrupter_set(g_interrupter);
}

/* One line from babeltrace2's error chain: its root cause. */
static void take_bt_error(struct dp_report *r, const char *what)
{
	const bt_error *e = bt_current_thread_take_error();
	uint64_t n = e ? bt_error_get_cause_count(e) : 0;
	const char *msg = n ? bt_error_cause_get_message(bt_error_borrow_cause_by_index(e, 0))
			    : "unknown error";

	if (!r->errmsg[0])
		snprintf(r->errmsg, sizeof(r->errmsg), "%s: %s", what, msg);
	if (e)
		bt_error_release(e);
}

/* Components stay quiet: errors come back as one line through the error
 * chain, or as notes.  DYNPROBE_DEBUG=1 lets babeltrace2 log warnings.
 * (The consumer does not link the library's dp_env(); secure_getenv is
 * what dp_env() uses.) */
static bt_logging_level log_level(void)
{
	const char *d = secure_getenv("DYNPROBE_DEBUG");

	return d && *d && strcmp(d, "0") ? BT_LOGGING_LEVEL_WARNING : BT_LOGGING_LEVEL_NONE;
}

/* source.ctf.fs refuses a whole trace when one stream file cannot be
 * indexed (truncated mid-packet, corrupt).  Read the rest of the trace and
 * report the file: returns 1 when a file was excluded and a retry makes
 * sense, 0 otherwise (the error stays current for take_bt_error()). */
static int exclude_unreadable(struct dp_report *r)
{
	static const char prefix[] = "Failed to index CTF stream file '";
	const bt_error *e = bt_current_thread_take_error();
	uint64_t n = e ? bt_error_get_cause_count(e) : 0;
	int done = 0;

	for (uint64_t i = 0; i < n && !done; i++) {
		const char *m = bt_error_cause_get_message(bt_error_borrow_cause_by_index(e, i));
		const char *p = strstr(m, prefix), *end;
		char path[4096];

		if (!p || !(end = strchr(p + sizeof(prefix) - 1, '\'')))
			continue;
		p += sizeof(prefix) - 1;
		snprintf(path, sizeof(path), "%.*s", (int)(end - p), p);
		done = dp_exclude_stream_file(r, path) == 0;
	}
	if (done)
		bt_error_release(e);
	else if (e)
		bt_current_thread_move_error(e);
	return done;
}

static const bt_plugin *find_plugin(struct dp_report *r, const char *name)
{
	const bt_plugin *p = NULL;

	if (bt_plugin_find(name, BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE, BT_FALSE, &p) !=
	    BT_PLUGIN_FIND_STATUS_OK) {
		bt_current_thread_clear_error();
		snprintf(r->errmsg, sizeof(r->errmsg), "babeltrace2 plugin '%s' not found "
			 "(is babeltrace2's plugin package installed?)", name);
		return NULL;
	}
	return p;
}

/* The traces of one UUID group this process reads (none: NULL, *empty). */
static bt_value *source_params(struct dp_report *r, unsigned group, int *empty)
{
	bt_value *params = bt_value_map_create(), *inputs = NULL;
	int bad = !params;

	*empty = 1;
	bad = bad || bt_value_map_insert_empty_array_entry(params, "inputs", &inputs);
	if (r->live) {
		*empty = 0;
		dp_watch_opening(r, r->live_url);
		bad = bad || bt_value_array_append_string_element(inputs, r->live_url);
		bad = bad || bt_value_map_insert_string_entry(params, "session-not-found-action",
							      "end");
	}
	for (size_t i = 0; !r->live && !bad && i < r->ntraces; i++) {
		const struct dp_trace *t = &r->tr[i];

		if (t->group != group || t->skip)
			continue;
		*empty = 0;
		dp_watch_opening(r, t->dir);
		bad = bt_value_array_append_string_element(inputs,
							   t->shadow ? t->shadow : t->dir) != 0;
	}
	if (bad) {
		bt_value_put_ref(params);
		return NULL;
	}
	return params;
}

/* What source.ctf.fs logs when it refuses a trace (the TSDL parser's
 * "At line N in metadata stream: ..." never reaches the error chain):
 * its stderr goes to a memory file meanwhile, its first error line is
 * kept.  Returns the saved stderr, or -1 (then nothing is captured). */
static int capture_begin(int *memfd)
{
	int saved;

	fflush(stderr);
	if ((*memfd = memfd_create("dynprobe-bt-log", MFD_CLOEXEC)) < 0)
		return -1;
	if ((saved = dup(STDERR_FILENO)) < 0 || dup2(*memfd, STDERR_FILENO) < 0) {
		if (saved >= 0)
			close(saved);
		close(*memfd);
		return -1;
	}
	return saved;
}

static void capture_end(int saved, int memfd, char *detail, size_t len)
{
	char buf[8192], *line, *p;
	ssize_t n;

	detail[0] = 0;
	if (saved < 0)
		return;
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(memfd, buf, sizeof(buf) - 1, 0);
	close(memfd);
	buf[n > 0 ? n : 0] = 0;
	/* "MM-DD hh:mm:ss.ms PID TID E TAG func@file.c:line MESSAGE" */
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (!strstr(line, " E ") || !(p = strstr(line, "@")) || !(p = strchr(p, ' ')))
			continue;
		snprintf(detail, len, "%s", p + 1);
		if (strstr(line, "metadata stream"))
			break; /* the parser's own words: the best */
	}
}

/* The error of a trace that cannot be opened, naming it. */
static void open_error(struct dp_report *r, unsigned group, const char *detail)
{
	const char *dir = "the trace";

	for (size_t i = 0; i < r->ntraces; i++)
		if (r->tr[i].group == group && !r->tr[i].skip) {
			dir = r->tr[i].dir;
			break;
		}
	if (strstr(detail, "metadata stream")) {
		bt_current_thread_clear_error();
		snprintf(r->errmsg, sizeof(r->errmsg), "%.200s/metadata: damaged: %.250s", dir,
			 detail);
	} else {
		take_bt_error(r, dir);
	}
}

/* Why ctf.fs refused a trace, in its own words: the same source again,
 * in a scratch graph, logging at ERROR level into a memory file. */
static void explain_refusal(const bt_component_class_source *cls, const bt_value *params,
			    char *detail, size_t len)
{
	const bt_error *held = bt_current_thread_take_error();
	const bt_component_source *src;
	bt_graph *g = bt_graph_create(0);
	int memfd = -1, saved = g ? capture_begin(&memfd) : -1;

	detail[0] = 0;
	if (saved >= 0)
		bt_graph_add_source_component(g, cls, "explain", params, BT_LOGGING_LEVEL_ERROR,
					      &src);
	capture_end(saved, memfd, detail, len);
	bt_graph_put_ref(g);
	bt_current_thread_clear_error();
	if (held)
		bt_current_thread_move_error(held);
}

/* One source component: the live URL, or the traces of one UUID group.
 * 0 added (or nothing to read: *ret NULL), 1 retry, -1 error. */
static int add_source(struct dp_report *r, bt_graph *g, unsigned group,
		      const bt_component_source **ret)
{
	const bt_plugin *p = find_plugin(r, "ctf");
	const bt_component_class_source *cls;
	bt_value *params = NULL;
	char name[32], detail[300] = "";
	int rc = -1, empty, memfd = -1, saved;

	*ret = NULL;
	if (!p)
		return -1;
	cls = bt_plugin_borrow_source_component_class_by_name_const(p, r->live ? "lttng-live"
									      : "fs");
	if (!cls || !(params = source_params(r, group, &empty)))
		goto err;
	rc = 0;
	if (empty)
		goto err;
	snprintf(name, sizeof(name), "source-%u", group);
	/* The metadata parser logs by itself (see dp_report_run): keep it off
	 * the terminal, and at hand. */
	saved = r->live ? -1 : capture_begin(&memfd);
	rc = bt_graph_add_source_component(g, cls, name, params, log_level(), ret);
	capture_end(saved, memfd, detail, sizeof(detail));
	if (rc) {
		*ret = NULL;
		rc = -1;
		if (r->live) {
			take_bt_error(r, r->live_url);
		} else if (exclude_unreadable(r)) {
			rc = 1;         /* retry without the bad stream file */
		} else {
			if (!strstr(detail, "metadata stream"))
				explain_refusal(cls, params, detail, sizeof(detail));
			open_error(r, group, detail);
		}
	}
err:
	bt_value_put_ref(params);
	bt_plugin_put_ref(p);
	return rc;
}

/* Every output port of every source, to its own input of the sink. */
static int connect_all(bt_graph *g, const bt_component_source **src, unsigned nsrc,
		       const bt_component_sink *sink)
{
	uint64_t k = 0;

	for (unsigned i = 0; i < nsrc; i++) {
		uint64_t n = src[i] ? bt_component_source_get_output_port_count(src[i]) : 0;

		for (uint64_t j = 0; j < n; j++, k++)
			if (bt_graph_connect_ports(
				g, bt_component_source_borrow_output_port_by_index_const(src[i], j),
				bt_component_sink_borrow_input_port_by_index_const(sink, k), NULL))
				return -1;
	}
	return 0;
}

/* Sources (one per trace UUID, or the live one), then the sink with one
 * input per source port.  *retry: 1 after leaving out a stream file, 2
 * when there is no stream at all. */
static int add_components(struct dp_report *r, bt_graph *g, bt_component_class_sink *sink_cls,
			  int *retry)
{
	unsigned nsrc = r->live ? 1 : r->ngroups;
	const bt_component_source **src = calloc(nsrc ? nsrc : 1, sizeof(*src));
	const bt_component_sink *sink;
	int rc = -1;

	if (!src)
		return -1;
	r->ninput_ports = 0;
	for (unsigned i = 0; i < nsrc; i++) {
		if ((*retry = add_source(r, g, i, &src[i])))
			goto out;
		if (src[i])
			r->ninput_ports +=
			    (unsigned)bt_component_source_get_output_port_count(src[i]);
	}
	if (!r->ninput_ports) {
		*retry = 2; /* nothing to read: the end checks say why */
		goto out;
	}
	if (bt_graph_add_sink_component_with_initialize_method_data(g, sink_cls, "report", NULL, r,
								    log_level(), &sink) ||
	    connect_all(g, src, nsrc, sink)) {
		take_bt_error(r, "cannot build the babeltrace2 graph");
		goto out;
	}
	rc = 0;
out:
	free(src);
	return rc;
}

static bt_graph *build_graph(struct dp_report *r, int *retry)
{
	bt_graph *g = bt_graph_create(0);
	bt_component_class_sink *sink_cls = dp_sink_class_create();

	if (!g || !sink_cls || add_components(r, g, sink_cls, retry)) {
		if (!r->errmsg[0] && *retry == 0)
			snprintf(r->errmsg, sizeof(r->errmsg), "cannot build the babeltrace2 graph");
		bt_graph_put_ref(g);
		g = NULL;
	}
	bt_component_class_sink_put_ref(sink_cls);
	return g;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum { STEP_MORE, STEP_END, STEP_AGAIN, STEP_ERROR };

/* bt_graph_run() says OK when every sink ended; run_once() says END. */
static int step(struct dp_report *r, bt_graph *g)
{
	if (!r->live) {
		bt_graph_run_status s = bt_graph_run(g);

		return s == BT_GRAPH_RUN_STATUS_OK ? STEP_END
		     : s == BT_GRAPH_RUN_STATUS_AGAIN ? STEP_AGAIN : STEP_ERROR;
	}
	switch (bt_graph_run_once(g)) {
	case BT_GRAPH_RUN_ONCE_STATUS_OK: return STEP_MORE;
	case BT_GRAPH_RUN_ONCE_STATUS_END: return STEP_END;
	case BT_GRAPH_RUN_ONCE_STATUS_AGAIN: return STEP_AGAIN;
	default: return STEP_ERROR;
	}
}

/* Drive the graph to its end; live: refresh output every --refresh. */
static int run_graph(struct dp_report *r, bt_graph *g, FILE *out)
{
	double next = now_s() + r->cfg.refresh;
	int st;

	for (;;) {
		st = step(r, g);
		dp_watch_progress(r);
		if (g_interrupted) {
			r->interrupted = 1;
			bt_current_thread_clear_error();
			snprintf(r->incomplete_reason, sizeof(r->incomplete_reason),
				 "interrupted by a signal before the end of the trace(s)");
			return dp_report_finish(r);
		}
		if (st == STEP_END)
			return 0;
		if (st == STEP_ERROR)
			break;
		/* With --interval, each interval is printed as it closes. */
		if (r->live && !r->interval_ns && now_s() >= next) {
			next += r->cfg.refresh;
			if (dp_report_print(r, out))
				return -1;
			fflush(out);
		}
		if (st == STEP_AGAIN)
			usleep(r->live ? 100000 : 1000);  /* the source asked us to retry later */
	}
	if (!r->errmsg[0])
		take_bt_error(r, r->live ? r->live_url : "reading the trace failed");
	else
		bt_current_thread_clear_error();
	return -1;
}

int dp_report_run(struct dp_report *r, FILE *out)
{
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
	bt_graph *g = NULL;
	int rc = -1;

	bt_logging_set_global_level(log_level());
	/* The TSDL parser logs (never returns) where a metadata file goes
	 * wrong; at ERROR level capture_end() can quote it.  babeltrace2
	 * reads this when its ctf plugin loads: before the first graph. */
	setenv("BABELTRACE_PLUGIN_CTF_METADATA_LOG_LEVEL", "E", 0);
	r->out = out;
	/* Each retry drops one more unreadable stream file; bounded anyway. */
	for (int tries = 0, retry = 1; !g && retry == 1 && tries < 256; tries++) {
		retry = 0;
		g = build_graph(r, &retry);
		if (retry == 2)
			return dp_report_finish(r);
	}
	if (!g)
		return -1;
	g_interrupter = bt_graph_borrow_default_interrupter(g);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	rc = run_graph(r, g, out);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	g_interrupter = NULL;
	bt_graph_put_ref(g);
	return rc;
}
