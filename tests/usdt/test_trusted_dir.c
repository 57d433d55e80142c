/* SPDX-License-Identifier: MIT */
/* trusted_dir.c against the directories an attacker would set up: symlinks
 * (also behind a trailing "/" or "/."), foreign owners, group-writable
 * directories and files, a FIFO, "..".  Needs root to chown to nobody. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "trusted_dir.h"

#define NOBODY 65534

static char top[64];
static char why[DP_TRUST_WHY_MAX];

static const char *at(const char *rel)
{
	static char buf[4][256];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", top, rel);
	return buf[k];
}

static int setup(void **state)
{
	(void)state;
	snprintf(top, sizeof(top), "/tmp/dp-trust.XXXXXX");
	if (!mkdtemp(top))
		return -1;
	mkdir(at("good"), 0700);
	mkdir(at("good/sub"), 0755);
	symlink(at("good"), at("link"));
	mkdir(at("gw"), 0770);
	chmod(at("gw"), 0770);
	mkdir(at("gw/in"), 0700);
	mkdir(at("sticky"), 0777);
	chmod(at("sticky"), 01777);
	mkdir(at("sticky/in"), 0700);
	mkdir(at("foreign"), 0700);
	chown(at("foreign"), NOBODY, NOBODY);
	mkdir(at("foreign/in"), 0700);
	symlink(at("good"), at("rootlink")); /* ancestor link, ours */
	symlink(at("good"), at("nobodylink"));
	lchown(at("nobodylink"), NOBODY, NOBODY);
	symlink("good", at("rellink")); /* relative target */
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

static void expect_dir(const char *path, unsigned int flags, int want, const char *msg)
{
	int fd = dp_trusted_dir_open(path, flags, why, sizeof(why));

	if (want == 0) {
		if (fd < 0)
			fail_msg("%s: %d (%s)", path, fd, why);
		close(fd);
		return;
	}
	if (fd != want)
		fail_msg("%s: got %d, want %d (%s)", path, fd, want, why);
	if (msg && !strstr(why, msg))
		fail_msg("%s: message '%s' lacks '%s'", path, why, msg);
}

static void good_dirs(void **state)
{
	(void)state;
	expect_dir(at("good"), 0, 0, NULL);
	expect_dir(at("good/"), 0, 0, NULL);
	expect_dir(at("good/."), 0, 0, NULL);
	expect_dir(at("good//./"), 0, 0, NULL);
	expect_dir(at("sticky/in"), 0, 0, NULL);    /* sticky ancestor, like /tmp */
	expect_dir(at("rootlink/sub"), 0, 0, NULL); /* ancestor link we own */
	expect_dir(at("rellink/sub"), 0, 0, NULL);
	/* relative path, from the current directory */
	assert_int_equal(chdir(top), 0);
	expect_dir("good", 0, 0, NULL);
	assert_int_equal(chdir("/"), 0);
}

static void symlinks_refused(void **state)
{
	(void)state;
	expect_dir(at("link"), 0, -ELOOP, "is a symlink");
	expect_dir(at("link/"), 0, -ELOOP, "is a symlink");
	expect_dir(at("link/."), 0, -ELOOP, "is a symlink");
	expect_dir(at("link//./"), 0, -ELOOP, "is a symlink");
	expect_dir(at("nobodylink/sub"), 0, -ELOOP, "symlink owned by uid 65534");
}

static void bad_owner_or_mode(void **state)
{
	(void)state;
	expect_dir(at("gw"), 0, -EPERM, "group- or world-writable (mode 0770)");
	expect_dir(at("gw/in"), 0, -EPERM, "not sticky");
	expect_dir(at("foreign"), 0, -EPERM, "owned by uid 65534");
	expect_dir(at("foreign/in"), 0, -EPERM, "owned by uid 65534");
	expect_dir(at("good/../gw"), 0, -EINVAL, "'..'");
	expect_dir("", 0, -EINVAL, NULL);
	expect_dir(at("missing"), 0, -ENOENT, "missing");
}

static void create(void **state)
{
	struct stat st;

	(void)state;
	expect_dir(at("new/a/b"), 0, -ENOENT, NULL);
	expect_dir(at("new/a/b/"), DP_TRUST_CREATE, 0, NULL);
	assert_int_equal(stat(at("new/a"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	expect_dir(at("new/a/b"), 0, 0, NULL);
	/* creating under an untrusted parent is refused before mkdir */
	expect_dir(at("gw/made"), DP_TRUST_CREATE, -EPERM, NULL);
	assert_int_not_equal(stat(at("gw/made"), &st), 0);
}

static void files(void **state)
{
	int dfd, fd;
	struct stat st;

	(void)state;
	dfd = dp_trusted_dir_open(at("good"), 0, why, sizeof(why));
	assert_true(dfd >= 0);
	fd = open(at("good/ok"), O_CREAT | O_WRONLY, 0644);
	close(fd);
	fd = open(at("good/gw"), O_CREAT | O_WRONLY, 0664);
	fchmod(fd, 0664);
	close(fd);
	fd = open(at("good/theirs"), O_CREAT | O_WRONLY, 0644);
	fchown(fd, NOBODY, NOBODY);
	close(fd);
	symlink(at("good/ok"), at("good/flink"));
	mkfifo(at("good/fifo"), 0600);

	fd = dp_trusted_openat(dfd, "ok", 0, &st, why, sizeof(why));
	assert_true(fd >= 0);
	assert_true(S_ISREG(st.st_mode));
	close(fd);
	assert_int_equal(dp_trusted_openat(dfd, "flink", 0, NULL, why, sizeof(why)), -ELOOP);
	assert_non_null(strstr(why, "good/flink is a symlink"));
	assert_int_equal(dp_trusted_openat(dfd, "gw", 0, NULL, why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "group- or world-writable"));
	assert_int_equal(dp_trusted_openat(dfd, "theirs", 0, NULL, why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "owned by uid 65534"));
	/* a FIFO neither blocks nor passes */
	assert_int_equal(dp_trusted_openat(dfd, "fifo", 0, NULL, why, sizeof(why)), -EINVAL);
	assert_int_equal(dp_trusted_openat(dfd, "../good/ok", 0, NULL, why, sizeof(why)), -EINVAL);
	assert_int_equal(dp_trusted_openat(dfd, "..", 0, NULL, why, sizeof(why)), -EINVAL);
	assert_int_equal(dp_trusted_openat(dfd, "missing", 0, NULL, why, sizeof(why)), -ENOENT);
	close(dfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(good_dirs),
	    cmocka_unit_test(symlinks_refused),
	    cmocka_unit_test(bad_owner_or_mode),
	    cmocka_unit_test(create),
	    cmocka_unit_test(files),
	};
	if (geteuid() != 0) { /* chown to nobody */
		printf("1..0 # SKIP needs root\n");
		return 0;
	}
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}
