/* SPDX-License-Identifier: MIT */
/*
 * `dynprobe list` after many providers were loaded, unloaded, grown and
 * freed in one process: the introspection record (read as list reads it,
 * through /proc/self/maps and map_files, with list's own parser) holds
 * exactly the live providers, each with its current state and probes.
 * introspect.c updates one provider's part of the record at a time; this
 * checks the parts add up with the real library.
 *
 * Usage: test_list_churn [N]   (N providers, default 600)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dynprobe.h>

#include "introspect_format.h"
#include "read_record.h"

#define MAX_N 5000

static struct dynprobe_provider *prov[MAX_N];
static int nprobes[MAX_N];
static bool loaded[MAX_N], seen[MAX_N];
static int failures;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                       \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

static int visit(const struct dp_intro_read_provider *pv, void *arg)
{
	int i;

	(*(int *)arg)++;
	if (sscanf(pv->name, "churn_%d", &i) != 1 || i < 0 || i >= MAX_N) {
		CHECK(0, "unexpected provider %s", pv->name);
		return 0;
	}
	CHECK(prov[i], "%s was freed but is listed", pv->name);
	CHECK(!seen[i], "%s listed twice", pv->name);
	seen[i] = true;
	CHECK(pv->nprobes == (uint32_t)nprobes[i], "%s: %u probes, expected %d", pv->name,
	      pv->nprobes, nprobes[i]);
	CHECK(!!(pv->loaded & DYNPROBE_BACKEND_USDT) == loaded[i], "%s: loaded %u, expected %d",
	      pv->name, pv->loaded, loaded[i]);
	CHECK(pv->has_usdt == loaded[i], "%s: USDT record %d, expected %d", pv->name, pv->has_usdt,
	      loaded[i]);
	if (loaded[i] && pv->has_usdt && pv->nprobes)
		CHECK(pv->usdt_state == 1 && pv->probes[pv->nprobes - 1].usdt_stub,
		      "%s: state %u, last stub %#llx", pv->name, pv->usdt_state,
		      (unsigned long long)pv->probes[pv->nprobes - 1].usdt_stub);
	return 0;
}

static void check(const char *when, int n)
{
	size_t len = 0;
	uint8_t *rec = read_record(&len, NULL);
	int listed = 0, live = 0, r;

	memset(seen, 0, sizeof(seen));
	CHECK(rec, "%s: no introspection record", when);
	if (!rec)
		return;
	r = dp_intro_read(rec, len, NULL, visit, &listed);
	CHECK(r == listed, "%s: dp_intro_read %d, %d providers", when, r, listed);
	for (int i = 0; i < n; i++) {
		live += prov[i] != NULL;
		CHECK(!prov[i] || seen[i], "%s: churn_%d is live but not listed", when, i);
	}
	CHECK(listed == live, "%s: %d listed, %d live", when, listed, live);
	printf("%s: %d live, %d listed, record %u bytes\n", when, live, listed,
	       ((const struct dp_intro_header *)rec)->size);
	free(rec);
}

static void add_probes(int i, int count)
{
	static const enum dynprobe_type sig[] = {DYNPROBE_U64, DYNPROBE_STR};
	char name[32];

	for (int k = 0; k < count; k++) {
		snprintf(name, sizeof(name), "p%d", nprobes[i]);
		CHECK(dynprobe_probe_add(prov[i], name, sig, 2, NULL, NULL) == 0, "probe_add");
		nprobes[i]++;
	}
}

static void load(int i)
{
	CHECK(dynprobe_provider_load(prov[i]) == 0, "load churn_%d", i);
	loaded[i] = true;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 600;
	DYNPROBE_OPTS(dynprobe_provider_opts, po, .backends = DYNPROBE_BACKEND_USDT,
		      .usdt_dir = "none");
	char name[32];

	if (n < 6 || n > MAX_N)
		return 2;
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "churn_%d", i);
		if (dynprobe_provider_new(name, &po, &prov[i]) != 0)
			return 1;
		add_probes(i, 1 + i % 5);
		load(i);
	}
	check("all loaded", n);
	for (int i = 0; i < n; i++) {
		if (i % 3 == 1) { /* freed */
			prov[i] = dynprobe_provider_free(prov[i]);
		} else if (i % 3 == 2) { /* unloaded */
			CHECK(dynprobe_provider_unload(prov[i]) == 0, "unload");
			loaded[i] = false;
		}
	}
	check("a third freed, a third unloaded", n);
	for (int i = 2; i < n; i += 6) { /* grown and reloaded */
		add_probes(i, 7);
		load(i);
	}
	for (int i = 0; i < n; i += 3) /* freed; their names reused at once */
		prov[i] = dynprobe_provider_free(prov[i]);
	for (int i = 0; i < n; i += 6) {
		snprintf(name, sizeof(name), "churn_%d", i);
		CHECK(dynprobe_provider_new(name, &po, &prov[i]) == 0, "new %s", name);
		nprobes[i] = 0;
		add_probes(i, 2);
		load(i);
	}
	check("reloaded, freed, renewed", n);
	for (int i = 0; i < n; i++)
		prov[i] = dynprobe_provider_free(prov[i]);
	check("all freed", n);
	return failures ? 1 : 0;
}
