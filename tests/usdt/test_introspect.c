/* SPDX-License-Identifier: MIT */
/*
 * The introspection record, written by introspect.c and read back by
 * introspect_reader.c the way `dynprobe list` does: through the memfd
 * found in /proc/self/maps.  The core's walkers are replaced by ones that
 * describe made-up providers (keys: their index in `fake`), so the test
 * needs nothing else of the library.  Also: an update bumps the generation
 * by two and rewrites one provider's chunk, in place or moved; forgotten
 * providers leave padding that compaction gives back; a fork child starts
 * a record of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "introspect.h"
#include "read_record.h"

static int lttng_state_word = 1;

/* Made-up providers: registered (in the registry walk) or not, loaded or
 * not (no backend record then), with 1 + extra probes. */
#define NFAKE 1200
static struct fake {
	bool registered, loaded;
	int extra;
	char name[32];
} fake[NFAKE];

static const struct dp_probe_desc p_req = {
    .name = "req", .nargs = 2, .types = {DYNPROBE_U64, DYNPROBE_STR}};
static const struct dp_probe_desc p_tick = {.name = "tick"};

static void put_alpha(struct dp_intro_writer *w, const void *key)
{
	const struct dp_probe_desc *alpha[] = {&p_req, &p_tick};

	dp_intro_put_provider(w, key, "alpha", DYNPROBE_BACKEND_USDT, DYNPROBE_BACKEND_USDT, 2,
			      alpha);
	dp_intro_begin_backend(w, DYNPROBE_BACKEND_USDT, DP_INTRO_USDT_VERSION);
	dp_intro_u32(w, 1);
	dp_intro_u32(w, DP_INTRO_USDT_MEMFD);
	dp_intro_u64(w, 0x7f0000000000);
	dp_intro_str(w, "/x is a symlink");
	dp_intro_u32(w, 2);
	for (uint64_t i = 0; i < 2; i++) {
		dp_intro_u64(w, 0x1000 + i);
		dp_intro_u64(w, 0x2000 + i);
	}
	dp_intro_end(w);
}

static void put_fake(struct dp_intro_writer *w, const struct fake *f)
{
	const struct dp_probe_desc *probes[16] = {0};
	int n = 1 + (f->extra < 15 ? f->extra : 15);

	for (int i = 0; i < n; i++)
		probes[i] = &p_tick;
	dp_intro_put_provider(w, f, f->name, DYNPROBE_BACKEND_LTTNG,
			      f->loaded ? DYNPROBE_BACKEND_LTTNG : 0, (size_t)n, probes);
	if (!f->loaded)
		return;
	dp_intro_begin_backend(w, DYNPROBE_BACKEND_LTTNG, DP_INTRO_LTTNG_VERSION);
	dp_intro_u32(w, DP_INTRO_LTTNG_RUNTIME);
	dp_intro_u32(w, 1);
	dp_intro_str(w, "");
	dp_intro_u32(w, (uint32_t)n);
	for (int i = 0; i < n; i++)
		dp_intro_u64(w, (uint64_t)(uintptr_t)&lttng_state_word);
	dp_intro_end(w);
}

static const char alpha_key;

int dp_provider_introspect(const void *provider, struct dp_intro_writer *w)
{
	if (provider == &alpha_key)
		put_alpha(w, provider);
	else
		put_fake(w, provider);
	return 0;
}

int dp_registry_introspect(struct dp_intro_writer *w)
{
	put_alpha(w, &alpha_key);
	for (int i = 0; i < NFAKE; i++)
		if (fake[i].registered)
			put_fake(w, &fake[i]);
	return 0;
}

static void fake_set(int i, bool registered, bool loaded, int extra)
{
	fake[i] = (struct fake){registered, loaded, extra, ""};
	snprintf(fake[i].name, sizeof(fake[i].name), "f%d", i);
}

struct seen {
	int n;
	struct dp_intro_read_provider p[2];
	struct dp_intro_read_probe probes[2][2];
};

static int collect(const struct dp_intro_read_provider *pv, void *arg)
{
	struct seen *s = arg;

	if (s->n < 2) {
		s->p[s->n] = *pv;
		memcpy(s->probes[s->n], pv->probes,
		       sizeof(pv->probes[0]) * (pv->nprobes < 2 ? pv->nprobes : 2));
		s->n++;
	}
	return 0;
}

static void round_trip(void **state)
{
	struct seen s = {0};
	unsigned long ino = 0;
	uint32_t gen1 = 0, gen2 = 0, gen3 = 0;
	size_t len = 0;
	uint8_t *rec;
	(void)state;

	/* The first update writes every registered provider. */
	fake_set(0, true, true, 0);
	dp_introspect_update(&alpha_key);
	rec = read_record(&len, &ino);
	assert_non_null(rec);
	assert_int_equal(dp_intro_read(rec, len, &gen1, collect, &s), 2);
	assert_int_equal(gen1 % 2, 0);
	assert_string_equal(s.p[0].name, "alpha");
	assert_true(s.p[0].has_usdt);
	assert_int_equal(s.p[0].usdt_kind, DP_INTRO_USDT_MEMFD);
	assert_string_equal(s.p[0].usdt_where, "/x is a symlink");
	assert_int_equal(s.p[0].nprobes, 2);
	assert_string_equal(s.probes[0][0].name, "req");
	assert_int_equal(s.probes[0][0].nargs, 2);
	assert_int_equal(s.probes[0][0].types[1], DYNPROBE_STR);
	assert_int_equal(s.probes[0][1].usdt_sem, 0x2001);
	assert_string_equal(s.p[1].name, "f0");
	assert_true(s.p[1].has_lttng && !s.p[1].has_usdt);
	assert_int_equal(s.p[1].lttng_mode, DP_INTRO_LTTNG_RUNTIME);
	assert_int_equal(s.probes[1][0].lttng_state, (uint64_t)(uintptr_t)&lttng_state_word);
	free(rec);

	/* One provider's update (unloaded: shorter, in place), next generation. */
	fake[0].loaded = false;
	dp_introspect_update(&fake[0]);
	rec = read_record(&len, &ino);
	memset(&s, 0, sizeof(s));
	assert_int_equal(dp_intro_read(rec, len, &gen2, collect, &s), 2);
	assert_int_equal(gen2, gen1 + 2);
	assert_string_equal(s.p[1].name, "f0");
	assert_int_equal(s.p[1].loaded, 0);
	assert_false(s.p[1].has_lttng);
	assert_string_equal(s.p[0].usdt_where, "/x is a symlink");
	free(rec);

	/* Forgotten: gone. */
	fake[0].registered = false;
	dp_introspect_forget(&fake[0]);
	rec = read_record(&len, &ino);
	memset(&s, 0, sizeof(s));
	assert_int_equal(dp_intro_read(rec, len, &gen3, collect, &s), 1);
	assert_int_equal(gen3, gen2 + 2);
	assert_string_equal(s.p[0].name, "alpha");
	free(rec);
}

/* A reader never uses a copy taken mid-rewrite. */
static void odd_generation(void **state)
{
	unsigned long ino;
	size_t len = 0;
	uint8_t *rec;
	(void)state;

	dp_introspect_update(&alpha_key);
	rec = read_record(&len, &ino);
	assert_non_null(rec);
	((struct dp_intro_header *)rec)->generation |= 1;
	assert_int_equal(dp_intro_read(rec, len, NULL, NULL, NULL), -EAGAIN);
	((struct dp_intro_header *)rec)->major = DP_INTRO_MAJOR + 1;
	assert_int_equal(dp_intro_read(rec, len, NULL, NULL, NULL), -EINVAL);
	free(rec);
}

/* What a reader sees of the fake providers: each at most once, as they are. */
struct census {
	int providers, bad;
	bool seen[NFAKE];
};

static int count_fake(const struct dp_intro_read_provider *pv, void *arg)
{
	struct census *c = arg;
	int i;

	c->providers++;
	if (!strcmp(pv->name, "alpha"))
		return 0;
	if (sscanf(pv->name, "f%d", &i) != 1 || i < 0 || i >= NFAKE || c->seen[i] ||
	    !fake[i].registered || (pv->loaded != 0) != fake[i].loaded ||
	    pv->has_lttng != fake[i].loaded || pv->nprobes != (uint32_t)(1 + fake[i].extra) ||
	    (fake[i].loaded &&
	     pv->probes[fake[i].extra].lttng_state != (uint64_t)(uintptr_t)&lttng_state_word)) {
		c->bad++;
		return 0;
	}
	c->seen[i] = true;
	return 0;
}

/* Reads the record; returns its size (the header's). */
static size_t check_census(void)
{
	struct census *c = calloc(1, sizeof(*c));
	const struct dp_intro_header *h;
	unsigned long ino;
	size_t len = 0, size;
	uint32_t gen;
	int live = 0, n;
	uint8_t *rec = read_record(&len, &ino);

	assert_non_null(rec);
	assert_non_null(c);
	h = (const struct dp_intro_header *)rec;
	size = h->size;
	n = dp_intro_read(rec, len, &gen, count_fake, c);
	assert_int_equal(n, c->providers);
	assert_int_equal(gen % 2, 0);
	assert_int_equal(c->bad, 0);
	for (int i = 0; i < NFAKE; i++) {
		live += fake[i].registered;
		assert_int_equal(c->seen[i], fake[i].registered);
	}
	assert_int_equal(c->providers, 1 + live);
	free(rec);
	free(c);
	return size;
}

/* Many providers loaded, unloaded, grown, freed: the record holds exactly
 * the live ones, and gives back the room of freed ones. */
static void churn(void **state)
{
	size_t full, after;
	(void)state;

	dp_introspect_update(&alpha_key);
	for (int i = 1; i < NFAKE; i++) {
		fake_set(i, true, true, i % 4);
		dp_introspect_update(&fake[i]);
	}
	full = check_census();
	for (int i = 1; i < NFAKE; i++) {
		if (i % 3) { /* freed */
			fake[i].registered = false;
			dp_introspect_forget(&fake[i]);
		} else if (i % 2) { /* unloaded: shrinks in place */
			fake[i].loaded = false;
			dp_introspect_update(&fake[i]);
		} else { /* probes added: moves to the end */
			fake[i].extra += 3;
			dp_introspect_update(&fake[i]);
		}
	}
	after = check_census();
	/* Two thirds freed: without compaction the record would not shrink. */
	assert_true(after < full * 3 / 4);
	/* Reloaded, the unloaded ones grow back in place or move. */
	for (int i = 3; i < NFAKE; i += 6) {
		fake[i].loaded = true;
		dp_introspect_update(&fake[i]);
	}
	check_census();
	for (int i = 1; i < NFAKE; i++)
		if (fake[i].registered) {
			fake[i].registered = false;
			dp_introspect_forget(&fake[i]);
		}
	after = check_census();
	assert_true(after < 65536 * 2);
	dp_introspect_forget(&fake[0]); /* never in the record: nothing happens */
	check_census();
}

/* A fork child keeps no mapping of its parent's record and writes its own,
 * with every registered provider. */
static void fork_child_own_record(void **state)
{
	unsigned long parent_ino = 0, ino = 0;
	size_t len;
	uint8_t *rec;
	int status;
	pid_t pid;
	(void)state;

	fake_set(5, true, true, 1);
	dp_introspect_update(&fake[5]);
	free(read_record(&len, &parent_ino));
	pid = fork();
	if (pid == 0) {
		if (read_record(&len, &ino))
			_exit(1); /* inherited the parent's mapping */
		dp_introspect_update(&alpha_key);
		rec = read_record(&len, &ino);
		_exit(rec && ino != parent_ino && dp_intro_read(rec, len, NULL, NULL, NULL) == 2
			  ? 0
			  : 2);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(round_trip),
	    cmocka_unit_test(odd_generation),
	    cmocka_unit_test(churn),
	    cmocka_unit_test(fork_child_own_record),
	};

	if (geteuid() != 0) { /* /proc/self/map_files */
		printf("1..0 # SKIP needs root\n");
		return 0;
	}
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
