/* SPDX-License-Identifier: MIT */
/*
 * dpbench_tracers.c - start and stop the tracers of the traced states, and
 * wait until this process actually sees them.
 *
 * bpftrace: our own `bpftrace -p PID -e 'usdt:...,... { @[probe] = count(); }'`
 * on every USDT site the matrix fires.  Its "Attaching N probes..." line
 * only says that it began attaching, so we then poll, in this process, the
 * sites themselves (sdt.h semaphores, the libstapsdt-style stubs' first
 * byte, dynprobe_probe_listening() per backend) until all are attached.
 * Stopping is SIGINT to that PID; the count() maps it prints on exit go to
 * bpftrace.log, the proof that the hits were traced.  We then wait until
 * every site reads detached again.
 *
 * LTTng: a snapshot-mode session (overwrite channel, per-UID buffers, 4 x
 * 1 MiB sub-buffers) enabling the benchmark's events.  In overwrite mode
 * every fired event is written into the ring buffer and nothing is dropped
 * for lack of space, so each call pays the full record cost, and the
 * consumer daemon does no disk I/O that would compete for the two CPUs.
 * We poll the tracepoint states until the session daemon has enabled all of
 * them.  Sessions are only created next to the private daemon that
 * tests/lib/lttng-private.sh starts (it exports DYNPROBE_LTTNG_SESSIOND_PID);
 * without it the lttng states are n/a, so a daemon already running on the
 * machine is never touched.
 *
 * No fixed sleeps: every wait polls a condition with a deadline.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dpbench.h"

#define DPB_ATTACH_TIMEOUT_MS 60000
#define DPB_DETACH_TIMEOUT_MS 20000

uint64_t dpb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int dpb_wait_until(bool (*cond)(void), int timeout_ms)
{
	uint64_t deadline = dpb_now_ns() + (uint64_t)timeout_ms * 1000000u;
	const struct timespec tick = { 0, 1000000 }; /* poll interval, not a wait */

	while (!cond()) {
		if (dpb_now_ns() > deadline)
			return -ETIMEDOUT;
		nanosleep(&tick, NULL);
	}
	return 0;
}

static bool dpb_usdt_all_on(void) { return dpb_usdt_attached() == dpb_usdt_watched(); }
static bool dpb_usdt_all_off(void) { return dpb_usdt_attached() == 0; }
static bool dpb_lttng_all_on(void) { return dpb_lttng_enabled() == dpb_lttng_watched(); }
static bool dpb_lttng_all_off(void) { return dpb_lttng_enabled() == 0; }

/* Copy what bpftrace printed to its log, up to a line containing `until`
 * (NULL: to EOF); 0 when found, -ETIMEDOUT or -EPIPE otherwise. */
static int dpb_bpftrace_read(struct dpb_tracer *t, const char *until, int timeout_ms)
{
	char buf[4096], line[4096];
	size_t ll = 0;
	uint64_t deadline = dpb_now_ns() + (uint64_t)timeout_ms * 1000000u;

	for (;;) {
		struct pollfd pfd = { .fd = t->bpftrace_out, .events = POLLIN };
		int left = (int)((int64_t)(deadline - dpb_now_ns()) / 1000000);

		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			return -ETIMEDOUT;
		ssize_t n = read(t->bpftrace_out, buf, sizeof(buf));
		if (n <= 0)
			return until ? -EPIPE : 0;
		fwrite(buf, 1, (size_t)n, t->bpftrace_log);
		for (ssize_t k = 0; k < n && until; k++) {
			if (buf[k] != '\n' && ll < sizeof(line) - 1) {
				line[ll++] = buf[k];
				continue;
			}
			line[ll] = '\0';
			ll = 0;
			if (strstr(line, until))
				return 0;
		}
	}
}

static int dpb_spawn(char *const argv[], int out_fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		dup2(out_fd, STDOUT_FILENO);
		dup2(out_fd, STDERR_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid < 0 ? -errno : pid;
}

static int dpb_bpftrace_launch(struct dpb_tracer *t, char *why, size_t len)
{
	static char prog[16384];
	char pidarg[16], path[1024];
	int pfd[2], n;

	n = dpb_usdt_targets(prog, sizeof(prog) - 64, getpid());
	if (n < 0)
		return snprintf(why, len, "n/a (cannot list USDT sites: %s)", strerror(-n)), n;
	strcat(prog, " { @[probe] = count(); }");
	snprintf(pidarg, sizeof(pidarg), "%d", (int)getpid());
	snprintf(path, sizeof(path), "%s/bpftrace.log", t->log_dir);
	t->bpftrace_log = fopen(path, "a");
	if (!t->bpftrace_log || pipe2(pfd, O_CLOEXEC) < 0)
		return snprintf(why, len, "n/a (bpftrace log/pipe: %s)", strerror(errno)), -EIO;
	fprintf(t->bpftrace_log, "### bpftrace -p %s -e '%s'\n", pidarg, prog);
	fflush(t->bpftrace_log);
	char *argv[] = { "bpftrace", "-p", pidarg, "-e", prog, NULL };
	t->bpftrace_pid = dpb_spawn(argv, pfd[1]);
	close(pfd[1]);
	t->bpftrace_out = pfd[0];
	if (t->bpftrace_pid < 0) {
		close(pfd[0]);
		return snprintf(why, len, "n/a (cannot start bpftrace)"), -EIO;
	}
	return 0;
}

int dpb_bpftrace_start(struct dpb_tracer *t, char *why, size_t len)
{
	int err = dpb_bpftrace_launch(t, why, len);

	if (err)
		return err;
	err = dpb_bpftrace_read(t, "Attaching", DPB_ATTACH_TIMEOUT_MS);
	if (err) {
		snprintf(why, len, "n/a (bpftrace did not start attaching: %s; see bpftrace.log)",
			 strerror(-err));
		dpb_bpftrace_stop(t, NULL, 0);
		return err;
	}
	err = dpb_wait_until(dpb_usdt_all_on, DPB_ATTACH_TIMEOUT_MS);
	if (err) {
		snprintf(why, len, "n/a (bpftrace attached %d of %d USDT sites)",
			 dpb_usdt_attached(), dpb_usdt_watched());
		dpb_bpftrace_stop(t, NULL, 0);
	}
	return err;
}

int dpb_bpftrace_stop(struct dpb_tracer *t, char *why, size_t len)
{
	int status = 0, err;

	if (t->bpftrace_pid <= 0)
		return 0;
	kill(t->bpftrace_pid, SIGINT);
	/* The maps it prints on exit are the proof that hits were counted. */
	dpb_bpftrace_read(t, NULL, DPB_DETACH_TIMEOUT_MS);
	if (waitpid(t->bpftrace_pid, &status, WNOHANG) == 0) {
		kill(t->bpftrace_pid, SIGKILL);
		waitpid(t->bpftrace_pid, &status, 0);
	}
	t->bpftrace_pid = 0;
	close(t->bpftrace_out);
	fclose(t->bpftrace_log);
	t->bpftrace_log = NULL;
	err = dpb_wait_until(dpb_usdt_all_off, DPB_DETACH_TIMEOUT_MS);
	if (err && why)
		snprintf(why, len, "USDT sites still attached after bpftrace exited");
	return err;
}

bool dpb_lttng_private(char *why, size_t len)
{
	const char *pid = getenv("DYNPROBE_LTTNG_SESSIOND_PID");

	if (pid && *pid && getenv("LTTNG_HOME"))
		return true;
	snprintf(why, len, "n/a (no private lttng-sessiond: run under tests/lib/lttng-private.sh)");
	return false;
}

/* Run `lttng ARGS...` with its output appended to lttng.log. */
static int dpb_lttng_cmd(struct dpb_tracer *t, char *const argv[])
{
	char path[1024];
	int fd, status = 0;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/lttng.log", t->log_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	dprintf(fd, "###");
	for (int k = 0; argv[k]; k++)
		dprintf(fd, " %s", argv[k]);
	dprintf(fd, "\n");
	pid = dpb_spawn(argv, fd);
	close(fd);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -EIO;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

int dpb_lttng_start(struct dpb_tracer *t, char *why, size_t len)
{
	const char *const *pat = dpb_lttng_patterns();
	char out[1100], *s = t->session;
	int err;

	if (!dpb_lttng_private(why, len))
		return -ENOENT;
	snprintf(s, sizeof(t->session), "dpbench%d", (int)getpid());
	snprintf(out, sizeof(out), "--output=%s/lttng-snapshot", t->log_dir);
	err = dpb_lttng_cmd(t, (char *[]){ "lttng", "create", s, "--snapshot", out, NULL });
	t->lttng_session = !err;
	if (!err)
		err = dpb_lttng_cmd(t, (char *[]){ "lttng", "enable-channel", "-u", "-s", s,
					   "--overwrite", "--subbuf-size=1M", "--num-subbuf=4",
					   "dpbch", NULL });
	for (int k = 0; !err && pat[k]; k++)
		err = dpb_lttng_cmd(t, (char *[]){ "lttng", "enable-event", "-u", "-s", s,
					   "-c", "dpbch", (char *)pat[k], NULL });
	if (!err)
		err = dpb_lttng_cmd(t, (char *[]){ "lttng", "start", s, NULL });
	if (err) {
		snprintf(why, len, "n/a (lttng session set-up failed; see lttng.log)");
		dpb_lttng_stop(t, NULL, 0);
		return err;
	}
	err = dpb_wait_until(dpb_lttng_all_on, DPB_ATTACH_TIMEOUT_MS);
	if (err) {
		snprintf(why, len, "n/a (lttng enabled %d of %d events)", dpb_lttng_enabled(),
			 dpb_lttng_watched());
		dpb_lttng_stop(t, NULL, 0);
		return err;
	}
	/* The log shows that static and dynprobe events carry the same fields. */
	dpb_lttng_cmd(t, (char *[]){ "lttng", "list", "-u", "-f", NULL });
	return 0;
}

int dpb_lttng_stop(struct dpb_tracer *t, char *why, size_t len)
{
	char *s = t->session;
	int err;

	if (!t->lttng_session)
		return 0;
	/* A snapshot proves the ring buffers held events; lttng.log says where. */
	dpb_lttng_cmd(t, (char *[]){ "lttng", "snapshot", "record", "-s", s, NULL });
	dpb_lttng_cmd(t, (char *[]){ "lttng", "destroy", s, NULL });
	t->lttng_session = false;
	err = dpb_wait_until(dpb_lttng_all_off, DPB_DETACH_TIMEOUT_MS);
	if (err && why)
		snprintf(why, len, "LTTng events still enabled after the session was destroyed");
	return err;
}
