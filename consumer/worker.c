/* SPDX-License-Identifier: MIT */
/*
 * worker.c - `dynprobe report` reads traces in child processes.
 *
 * libbabeltrace2 2.0 aborts (assertions) or loops forever on some damaged
 * traces, and takes its host process with it.  So the CLI process never
 * decodes a trace itself: it discovers and checks the traces (discover.c),
 * then forks readers that build and run the graph, and watches them:
 *
 *  - a reader that dies by a signal is an error naming the file it was
 *    reading (the shared `struct dp_watch` says which), with babeltrace2's
 *    last words;
 *  - a reader whose progress counter stands still for --watchdog seconds
 *    (30) is killed, and that is an error naming the file too;
 *  - otherwise the reader's own exit status and messages (relayed from a
 *    memory file that is its stderr) are the command's.
 *
 * A query that does not need time order (no --interval, --begin, --end,
 * --pair, not live) over enough data (DP_PARALLEL_MIN_BYTES) is split:
 * each of up to one reader per CPU (or --jobs) gets whole data streams,
 * through mirror directories holding the metadata and its share of the
 * stream and index files; each saves its results (serialize.c) and the
 * parent adds them up and prints.  babeltrace2 decodes on one core; this
 * is how a report reads faster than babeltrace2 itself.  Otherwise one
 * reader does everything and prints as it goes (intervals, live).
 *
 * Readers die with their parent (PR_SET_PDEATHSIG); SIGINT and SIGTERM
 * are passed on so that interrupted readers still print partial results.
 */
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "output.h"

#define DP_MAX_JOBS 16
#define DP_PARALLEL_MIN_BYTES (16u << 20)

struct reader {
	pid_t pid;
	int errfd, resfd;	/* its stderr, its results (memory files) */
	struct dp_watch *watch; /* shared with it */
	uint64_t seen;		/* progress when last looked at */
	double since;		/* ...and when it last changed */
	int status, done, hung;
	char **mirrors; /* per trace: its share, or NULL (parallel) */
};

static volatile pid_t g_children[DP_MAX_JOBS];
static volatile sig_atomic_t g_nchildren;

static void forward_signal(int sig)
{
	for (int i = 0; i < g_nchildren; i++)
		if (g_children[i] > 0)
			kill(g_children[i], sig);
}

void dp_watch_name(struct dp_report *r, unsigned input, const char *name)
{
	struct dp_watch *w = r->watch;

	if (w && input < DP_WATCH_NAMES)
		dp_report_display_path(r, name, w->names[input], sizeof(w->names[input]));
}

void dp_watch_opening(struct dp_report *r, const char *trace)
{
	struct dp_watch *w = r->watch;

	if (!w)
		return;
	snprintf(w->opening, sizeof(w->opening), "%s", trace);
	__atomic_store_n(&w->current, -1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&w->progress, 1, __ATOMIC_RELAXED);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reading failed part-way: the partial results are still worth showing,
 * flagged incomplete, before the error. */
static void print_partial(struct dp_report *r)
{
	if (!r->c.events_read)
		return;
	snprintf(r->incomplete_reason, sizeof(r->incomplete_reason), "%s", r->errmsg);
	r->errmsg[0] = 0;
	dp_report_print(r, stdout);
	snprintf(r->errmsg, sizeof(r->errmsg), "%s", r->incomplete_reason);
}

/* After reading: the end checks, the report, the SVG.  Exit status. */
static int conclude(struct dp_report *r)
{
	int rc = 0;

	if (dp_report_check_end(r) || dp_report_print(r, stdout) ||
	    (r->svg_path && dp_report_write_svg(r, r->svg_path)))
		rc = 1;
	if (fflush(stdout) && !rc) {
		snprintf(r->errmsg, sizeof(r->errmsg), "cannot write the report");
		rc = 1;
	}
	if (rc)
		fprintf(stderr, "dynprobe report: %s\n", r->errmsg);
	return rc;
}

/*
 * conclude() in the parent of parallel readers.  SIGPIPE is ignored while
 * it prints: a pipeline whose reader has gone (`| head`) must not kill the
 * parent before it removes what it made in $TMPDIR.  The exit status is
 * then what a reader killed by SIGPIPE gives (128 + SIGPIPE), and nothing
 * more is said, as for a single reader.
 */
static int conclude_in_parent(struct dp_report *r)
{
	struct sigaction ignore = {.sa_handler = SIG_IGN}, old;
	int rc;

	sigemptyset(&ignore.sa_mask);
	sigaction(SIGPIPE, &ignore, &old);
	errno = 0;
	if (dp_report_check_end(r)) {
		rc = 1;
	} else if (dp_report_print(r, stdout) || fflush(stdout)) {
		rc = errno == EPIPE ? 128 + SIGPIPE : 1;
		if (rc == 1 && !r->errmsg[0])
			snprintf(r->errmsg, sizeof(r->errmsg), "cannot write the report");
	} else {
		rc = r->svg_path && dp_report_write_svg(r, r->svg_path);
	}
	sigaction(SIGPIPE, &old, NULL);
	if (rc == 1)
		fprintf(stderr, "dynprobe report: %s\n", r->errmsg);
	return rc;
}

/* In the child: read, then print (alone) or save (one of several). */
static int reader_main(struct dp_report *r, struct reader *rd)
{
	FILE *res;
	int rc = 0;

	if (dp_report_run(r, stdout)) {
		if (rd->resfd < 0) {
			print_partial(r);
			fflush(stdout);
			fprintf(stderr, "dynprobe report: %s\n", r->errmsg);
			return 1;
		}
		rc = 1; /* the error travels with the results */
	}
	if (rd->resfd < 0)
		return conclude(r);
	if (!(res = fdopen(dup(rd->resfd), "w")) || dp_report_save(r, res)) {
		fprintf(stderr, "dynprobe report: cannot hand results over: %s\n", strerror(errno));
		rc = 1;
	}
	if (res)
		fclose(res);
	return rc;
}

static void child(struct dp_report *r, struct reader *rd, pid_t parent)
{
	sigset_t none;
	int rc;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	dup2(rd->errfd, STDERR_FILENO);
	r->watch = rd->watch;
	for (size_t i = 0; i < r->ntraces; i++) {
		/* The parent removes what it made; a reader, what it makes. */
		r->tr[i].own_shadow = 0;
		if (rd->mirrors) {
			free(r->tr[i].shadow);
			r->tr[i].shadow = rd->mirrors[i] ? strdup(rd->mirrors[i]) : NULL;
			r->tr[i].skip |= !rd->mirrors[i];
		}
	}
	rc = reader_main(r, rd);
	fflush(stdout);
	dp_report_free(r);
	_exit(rc);
}

static int start_reader(struct dp_report *r, struct reader *rd, int with_results)
{
	pid_t parent = getpid();

	rd->resfd = -1;
	rd->watch = mmap(NULL, sizeof(*rd->watch), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (rd->watch == MAP_FAILED) {
		rd->watch = NULL;
		return -1;
	}
	rd->watch->current = -1;
	if ((rd->errfd = memfd_create("dynprobe-report-stderr", MFD_CLOEXEC)) < 0 ||
	    (with_results &&
	     (rd->resfd = memfd_create("dynprobe-report-results", MFD_CLOEXEC)) < 0))
		return -1;
	fflush(stdout);
	fflush(stderr);
	if ((rd->pid = fork()) < 0)
		return -1;
	if (!rd->pid)
		child(r, rd, parent);
	g_children[g_nchildren++] = rd->pid;
	rd->since = now_s();
	return 0;
}

/* Wait for every reader, killing those that stopped making progress. */
static void supervise(struct dp_report *r, struct reader *rds, unsigned n)
{
	struct timespec tick = {0, 100 * 1000 * 1000};
	unsigned left = n;
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	while (left) {
		sigtimedwait(&chld, NULL, &tick);
		for (unsigned i = 0; i < n; i++) {
			struct reader *rd = &rds[i];
			uint64_t p;

			if (rd->done)
				continue;
			pid_t w = waitpid(rd->pid, &rd->status, WNOHANG);

			if (w == rd->pid || (w < 0 && errno != EINTR)) {
				if (w < 0)
					rd->status = 1 << 8;    /* gone unseen: exit 1 */
				rd->done = 1;
				left--;
				continue;
			}
			p = __atomic_load_n(&rd->watch->progress, __ATOMIC_RELAXED);
			if (p != rd->seen) {
				rd->seen = p;
				rd->since = now_s();
			} else if (now_s() - rd->since > r->cfg.watchdog && !rd->hung) {
				rd->hung = 1;
				kill(rd->pid, SIGKILL);
			}
		}
	}
}

/* What the reader was at: a stream file, or a trace it was opening. */
static const char *reader_place(const struct reader *rd, char *buf, size_t len)
{
	int cur = rd->watch->current;

	if (cur >= 0 && cur < DP_WATCH_NAMES && rd->watch->names[cur][0])
		snprintf(buf, len, "%s", rd->watch->names[cur]);
	else if (cur >= 0)
		snprintf(buf, len, "a stream of %s", rd->watch->opening);
	else
		snprintf(buf, len, "trace %s", rd->watch->opening);
	return buf;
}

/* The reader's stderr, relayed; its last line into `last` (for crashes). */
static void relay_stderr(int fd, int print, char *last, size_t len)
{
	char buf[4096], tail[1024] = "";
	size_t tl = 0;
	ssize_t n;
	off_t off = 0;
	char *p, *end;

	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		off += n;
		if (print)
			fwrite(buf, 1, (size_t)n, stderr);
		/* Keep the last bytes: they hold the last line. */
		if ((size_t)n >= sizeof(tail) - 1) {
			memcpy(tail, buf + n - (sizeof(tail) - 1), sizeof(tail) - 1);
			tl = sizeof(tail) - 1;
		} else {
			if (tl + (size_t)n > sizeof(tail) - 1) {
				size_t drop = tl + (size_t)n - (sizeof(tail) - 1);

				memmove(tail, tail + drop, tl - drop);
				tl -= drop;
			}
			memcpy(tail + tl, buf, (size_t)n);
			tl += (size_t)n;
		}
	}
	tail[tl] = 0;
	while (tl && (tail[tl - 1] == '\n' || tail[tl - 1] == ' '))
		tail[--tl] = 0;
	end = strrchr(tail, '\n');
	p = end ? end + 1 : tail;
	/* babeltrace2 decorates its assertion messages: keep the words. */
	while (*p && (*p == ' ' || (unsigned char)*p >= 0x80 || *p == '(' || *p == ')'))
		p++;
	snprintf(last, len, "%s", p);
}

/* A reader that crashed or hung: one line naming the file.  Status 1
 * (or 128 + the signal a user or a pipeline sent). */
static int reader_failed(const struct reader *rd, double watchdog)
{
	char place[DP_WATCH_NAME_LEN + 32], last[300];

	/* Killed by what a user or a pipeline sends: say nothing more. */
	if (!rd->hung && (WTERMSIG(rd->status) == SIGPIPE || WTERMSIG(rd->status) == SIGINT ||
			  WTERMSIG(rd->status) == SIGTERM || WTERMSIG(rd->status) == SIGHUP))
		return 128 + WTERMSIG(rd->status);
	relay_stderr(rd->errfd, 0, last, sizeof(last));
	reader_place(rd, place, sizeof(place));
	if (rd->hung)
		fprintf(stderr,
			"dynprobe report: no progress for %g s while reading %s "
			"(babeltrace2 hangs on some damaged traces): stopped\n",
			watchdog, place);
	else
		fprintf(stderr,
			"dynprobe report: babeltrace2 crashed (%s) while reading %s: it is "
			"probably damaged%s%s%s\n",
			strsignal(WTERMSIG(rd->status)), place, last[0] ? " (" : "", last,
			last[0] ? ")" : "");
	return 1;
}

/* Idempotent: run_parallel() releases its readers before it prints. */
static void release_reader(struct reader *rd, size_t ntraces)
{
	if (rd->errfd >= 0)
		close(rd->errfd);
	if (rd->resfd >= 0)
		close(rd->resfd);
	if (rd->watch)
		munmap(rd->watch, sizeof(*rd->watch));
	for (size_t i = 0; rd->mirrors && i < ntraces; i++) {
		if (rd->mirrors[i])
			dp_remove_mirror(rd->mirrors[i]);
		free(rd->mirrors[i]);
	}
	free(rd->mirrors);
	rd->errfd = rd->resfd = -1;
	rd->watch = NULL;
	rd->mirrors = NULL;
}

/* Signals go to the readers while the parent waits for them. */
static void parent_signals(struct sigaction *old_int, struct sigaction *old_term, int on)
{
	struct sigaction sa = {.sa_handler = forward_signal};
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (on) {
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, old_int);
		sigaction(SIGTERM, &sa, old_term);
		/* An inherited SIG_IGN would reap readers before we see them. */
		signal(SIGCHLD, SIG_DFL);
		sigprocmask(SIG_BLOCK, &chld, NULL);
	} else {
		sigaction(SIGINT, old_int, NULL);
		sigaction(SIGTERM, old_term, NULL);
		sigprocmask(SIG_UNBLOCK, &chld, NULL);
		g_nchildren = 0;
	}
}

static int run_single(struct dp_report *r)
{
	struct reader rd = {.errfd = -1, .resfd = -1};
	struct sigaction oi, ot;
	char last[300];
	int rc = 1;

	parent_signals(&oi, &ot, 1);
	if (start_reader(r, &rd, 0)) {
		fprintf(stderr, "dynprobe report: cannot start a reader: %s\n", strerror(errno));
		goto out;
	}
	supervise(r, &rd, 1);
	if (rd.hung || WIFSIGNALED(rd.status)) {
		rc = reader_failed(&rd, r->cfg.watchdog);
		goto out;
	}
	relay_stderr(rd.errfd, 1, last, sizeof(last));
	rc = WIFEXITED(rd.status) ? WEXITSTATUS(rd.status) : 1;
out:
	parent_signals(&oi, &ot, 0);
	release_reader(&rd, r->ntraces);
	return rc;
}

/* Parallel plan: data streams (a file, or a stream split in rotated
 * files NAME_N) go, largest first, to the least loaded reader. */
struct share {
	size_t trace, file;
	uint64_t bytes; /* of its whole stream */
	unsigned reader;
};

/* The stream a file belongs to: LTTng names a stream CHANNEL_CPU and,
 * with --tracefile-size, its files CHANNEL_CPU_N.  (A channel whose own
 * name ends in _N only makes the grouping coarser.) */
static size_t stream_stem(const char *name)
{
	size_t n = strlen(name), a = n, c;

	while (a && name[a - 1] >= '0' && name[a - 1] <= '9')
		a--;
	if (a == n || a < 2 || name[a - 1] != '_')
		return n;
	for (c = a - 1; c && name[c - 1] >= '0' && name[c - 1] <= '9'; c--)
		;
	if (c == a - 1 || c < 2 || name[c - 1] != '_')
		return n;
	return a - 1;
}

static int same_stream(const struct dp_report *r, const struct share *a, const struct share *b)
{
	const char *x = r->tr[a->trace].files[a->file], *y = r->tr[b->trace].files[b->file];
	size_t n = stream_stem(x);

	return a->trace == b->trace && n == stream_stem(y) && !strncmp(x, y, n);
}

static int cmp_share(const void *a, const void *b)
{
	const struct share *x = a, *y = b;

	return (x->bytes < y->bytes) - (x->bytes > y->bytes);
}

static struct share *plan_shares(const struct dp_report *r, unsigned jobs, size_t *ret_n)
{
	uint64_t load[DP_MAX_JOBS] = {0};
	struct share *s;
	size_t n = 0;

	for (size_t t = 0; t < r->ntraces; t++)
		n += r->tr[t].skip ? 0 : r->tr[t].nfiles;
	if (!(s = calloc(n ? n : 1, sizeof(*s))))
		return NULL;
	n = 0;
	for (size_t t = 0; t < r->ntraces; t++)
		for (size_t f = 0; !r->tr[t].skip && f < r->tr[t].nfiles; f++)
			s[n++] = (struct share){t, f, r->tr[t].sizes[f], 0};
	for (size_t i = 0; i < n; i++) /* a stream's files weigh together */
		for (size_t j = 0; j < n; j++)
			if (i != j && same_stream(r, &s[i], &s[j]))
				s[i].bytes += r->tr[s[j].trace].sizes[s[j].file];
	qsort(s, n, sizeof(*s), cmp_share);
	for (size_t i = 0; i < n; i++) {
		unsigned best = 0;

		for (size_t j = 0; j < i; j++)
			if (same_stream(r, &s[i], &s[j])) {
				s[i].reader = s[j].reader;
				goto next;
			}
		for (unsigned k = 1; k < jobs; k++)
			if (load[k] < load[best])
				best = k;
		s[i].reader = best;
		load[best] += s[i].bytes;
	next:;
	}
	*ret_n = n;
	return s;
}

struct keep_ctx {
	const struct dp_report *r;
	const struct share *s;
	size_t n, trace;
	unsigned reader;
};

/* Mirror filter: the metadata, and this reader's stream and index files. */
static int keep_share(const char *name, void *arg)
{
	const struct keep_ctx *k = arg;
	size_t len;

	if (!strcmp(name, "metadata"))
		return 1;
	if (!strncmp(name, "index/", 6)) {
		name += 6;
		len = strlen(name);
		if (len < 5 || strcmp(name + len - 4, ".idx"))
			return 0;
		len -= 4;
	} else {
		len = strlen(name);
	}
	for (size_t i = 0; i < k->n; i++) {
		const char *f = k->r->tr[k->s[i].trace].files[k->s[i].file];

		if (k->s[i].trace == k->trace && k->s[i].reader == k->reader && strlen(f) == len &&
		    !strncmp(f, name, len))
			return 1;
	}
	return 0;
}

static int make_mirrors(struct dp_report *r, struct reader *rd, unsigned reader,
			const struct share *s, size_t n)
{
	struct keep_ctx k = {r, s, n, 0, reader};

	if (!(rd->mirrors = calloc(r->ntraces ? r->ntraces : 1, sizeof(*rd->mirrors))))
		return -1;
	for (size_t t = 0; t < r->ntraces; t++) {
		int mine = 0;

		for (size_t i = 0; i < n && !mine; i++)
			mine = s[i].trace == t && s[i].reader == reader;
		if (!mine)
			continue;
		k.trace = t;
		if (!(rd->mirrors[t] = dp_make_mirror(
			  r->tr[t].shadow ? r->tr[t].shadow : r->tr[t].dir, keep_share, &k)))
			return -1;
	}
	return 0;
}

/* Add up what the readers found; 0, or 1 when one failed. */
static int gather(struct dp_report *r, struct reader *rds, unsigned n)
{
	char last[300];
	int rc = 0;

	for (unsigned i = 0; i < n; i++)
		if (rds[i].hung || WIFSIGNALED(rds[i].status))
			return reader_failed(&rds[i], r->cfg.watchdog);
	for (unsigned i = 0; i < n; i++) {
		FILE *f;

		relay_stderr(rds[i].errfd, 1, last, sizeof(last));
		lseek(rds[i].resfd, 0, SEEK_SET);
		if (!(f = fdopen(dup(rds[i].resfd), "r")) || dp_report_load(r, f)) {
			if (!last[0])
				fprintf(stderr,
					"dynprobe report: a reader's results are missing\n");
			rc = 1;
		}
		if (f)
			fclose(f);
	}
	return rc;
}

static int run_parallel(struct dp_report *r, unsigned jobs)
{
	struct reader rds[DP_MAX_JOBS];
	struct sigaction oi, ot;
	struct share *s;
	size_t n = 0;
	unsigned started = 0;
	int rc = 1;

	memset(rds, 0, sizeof(rds));
	for (unsigned i = 0; i < jobs; i++)
		rds[i].errfd = rds[i].resfd = -1;
	if (!(s = plan_shares(r, jobs, &n)))
		return 1;
	parent_signals(&oi, &ot, 1);
	for (; started < jobs; started++)
		if (make_mirrors(r, &rds[started], started, s, n) ||
		    start_reader(r, &rds[started], 1)) {
			fprintf(stderr, "dynprobe report: cannot start a reader: %s\n",
				strerror(errno));
			forward_signal(SIGKILL);
			goto out;
		}
	supervise(r, rds, started);
	rc = gather(r, rds, started);
	/* Every reader has ended: its mirrors go before the report is printed. */
	for (unsigned i = 0; i < jobs; i++)
		release_reader(&rds[i], r->ntraces);
	if (!rc) {
		r->ended = 1;
		rc = r->errmsg[0] ? (fprintf(stderr, "dynprobe report: %s\n", r->errmsg), 1)
				  : conclude_in_parent(r);
	}
out:
	if (started < jobs)
		supervise(r, rds, started);
	parent_signals(&oi, &ot, 0);
	for (unsigned i = 0; i < jobs; i++)
		release_reader(&rds[i], r->ntraces);
	free(s);
	return rc;
}

/* Readers: one, unless the query is order-free and the data is big. */
static unsigned plan_jobs(const struct dp_report *r)
{
	uint64_t bytes = 0;
	size_t streams = 0;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned jobs;

	if (r->live || r->ordered || r->cfg.jobs == 1)
		return 1;
	for (size_t t = 0; t < r->ntraces; t++)
		for (size_t f = 0; !r->tr[t].skip && f < r->tr[t].nfiles; f++) {
			bytes += r->tr[t].sizes[f];
			streams++;
		}
	jobs = r->cfg.jobs				    ? r->cfg.jobs
	       : bytes >= DP_PARALLEL_MIN_BYTES && cpus > 1 ? (unsigned)cpus
							    : 1;
	if (jobs > streams)
		jobs = (unsigned)streams;
	return jobs > DP_MAX_JOBS ? DP_MAX_JOBS : jobs ? jobs : 1;
}

int dp_report_main(struct dp_report *r)
{
	unsigned jobs;

	if (!r->live && dp_discover_traces(r)) {
		fprintf(stderr, "dynprobe report: %s\n", r->errmsg);
		return 1;
	}
	jobs = plan_jobs(r);
	return jobs > 1 ? run_parallel(r, jobs) : run_single(r);
}
