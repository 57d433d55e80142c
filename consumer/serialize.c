/* SPDX-License-Identifier: MIT */
/*
 * serialize.c - a reader process's results, handed to the parent.
 *
 * Parallel readers (worker.c) each aggregate part of the stream files;
 * the parent adds their results up exactly: counters and histograms add,
 * min and max combine, log-linear buckets add bucket by bucket, so the
 * merged percentiles are those of one reader that saw everything.  Writer
 * and reader are the same executable (a fork), so plain values travel in
 * their in-memory representation; every length is still checked on the
 * way in.
 */
#include "worker.h"

#include <stdlib.h>
#include <string.h>

#define DP_SAVE_MAGIC 0x3152504450796e64ull /* "dnyPDPR1" */

static int put(FILE *f, const void *p, size_t n)
{
	return fwrite(p, 1, n, f) == n ? 0 : -1;
}

static int get(FILE *f, void *p, size_t n)
{
	return fread(p, 1, n, f) == n ? 0 : -1;
}

static int put_u64(FILE *f, uint64_t v)
{
	return put(f, &v, sizeof(v));
}

static int get_u64(FILE *f, uint64_t *v)
{
	return get(f, v, sizeof(*v));
}

static int put_str(FILE *f, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return put_u64(f, n) || put(f, s ? s : "", n);
}

/* A string of at most `len - 1` bytes into buf. */
static int get_str(FILE *f, char *buf, size_t len)
{
	uint64_t n;

	if (get_u64(f, &n) || n >= len || get(f, buf, (size_t)n))
		return -1;
	buf[n] = 0;
	return 0;
}

static int put_group(FILE *f, const struct dp_group *g, const struct dp_agg_spec *spec)
{
	int bad = put_u64(f, g->key_len) || put(f, g->key ? (const void *)g->key : "", g->key_len);

	bad = bad || put(f, &g->count, sizeof(g->count)) || put(f, &g->nint, sizeof(g->nint)) ||
	      put(f, &g->nflt, sizeof(g->nflt)) || put(f, &g->isum, sizeof(g->isum)) ||
	      put(f, &g->imin, sizeof(g->imin)) || put(f, &g->imax, sizeof(g->imax)) ||
	      put(f, &g->fsum, sizeof(g->fsum)) || put(f, &g->fmin, sizeof(g->fmin)) ||
	      put(f, &g->fmax, sizeof(g->fmax)) || put(f, &g->nan, sizeof(g->nan)) ||
	      put(f, g->hist, sizeof(g->hist)) || put_u64(f, g->llh.zero);
	if (!bad && (spec->aggs & DP_AGG_LHIST))
		bad = put(f, g->lhist, (spec->lhist.nbuckets + 2u) * sizeof(uint64_t));
	for (int s = 0; s < 2 && !bad; s++)
		for (int e = 0; e < DP_LLH_NEXP && !bad; e++) {
			uint8_t present = g->llh.blk[s][e] != NULL;

			bad = put(f, &present, 1) ||
			      (present && put(f, g->llh.blk[s][e], DP_LLH_SUB * sizeof(uint64_t)));
		}
	return bad ? -1 : 0;
}

/* Read one group into `g` (initialized for `spec`); its key into keybuf. */
static int get_group(FILE *f, struct dp_group *g, const struct dp_agg_spec *spec,
		     struct dp_keybuf *kb)
{
	uint64_t klen;
	int bad;

	if (get_u64(f, &klen) || klen > (1u << 20))
		return -1;
	kb->len = 0;
	if (klen > kb->cap) {
		uint8_t *b = realloc(kb->buf, (size_t)klen);

		if (!b)
			return -1;
		kb->buf = b;
		kb->cap = (size_t)klen;
	}
	if (klen && get(f, kb->buf, (size_t)klen))
		return -1;
	kb->len = (size_t)klen;
	bad = get(f, &g->count, sizeof(g->count)) || get(f, &g->nint, sizeof(g->nint)) ||
	      get(f, &g->nflt, sizeof(g->nflt)) || get(f, &g->isum, sizeof(g->isum)) ||
	      get(f, &g->imin, sizeof(g->imin)) || get(f, &g->imax, sizeof(g->imax)) ||
	      get(f, &g->fsum, sizeof(g->fsum)) || get(f, &g->fmin, sizeof(g->fmin)) ||
	      get(f, &g->fmax, sizeof(g->fmax)) || get(f, &g->nan, sizeof(g->nan)) ||
	      get(f, g->hist, sizeof(g->hist)) || get_u64(f, &g->llh.zero);
	if (!bad && (spec->aggs & DP_AGG_LHIST))
		bad = get(f, g->lhist, (spec->lhist.nbuckets + 2u) * sizeof(uint64_t));
	for (int s = 0; s < 2 && !bad; s++)
		for (int e = 0; e < DP_LLH_NEXP && !bad; e++) {
			uint8_t present;

			if ((bad = get(f, &present, 1)) || !present)
				continue;
			bad = !(g->llh.blk[s][e] = calloc(DP_LLH_SUB, sizeof(uint64_t))) ||
			      get(f, g->llh.blk[s][e], DP_LLH_SUB * sizeof(uint64_t));
		}
	return bad ? -1 : 0;
}

int dp_report_save(const struct dp_report *r, FILE *f)
{
	int bad = put_u64(f, DP_SAVE_MAGIC) || put(f, &r->c, sizeof(r->c)) ||
		  put_u64(f, r->classes_matched) || put_u64(f, r->classes_used) ||
		  put_u64(f, r->classes_without_field) || put_u64(f, (uint64_t)r->interrupted) ||
		  put_str(f, r->known_events) || put_str(f, r->known_fields) ||
		  put_str(f, r->missing_field) || put_str(f, r->errmsg) ||
		  put_str(f, r->incomplete_reason) || put_u64(f, r->nnotes) ||
		  put_u64(f, r->notes_dropped);

	for (size_t i = 0; i < r->nnotes && !bad; i++)
		bad = put_str(f, r->notes[i]);
	bad = bad || put_u64(f, r->table.ngroups) || put_u64(f, r->table.other_events) ||
	      put_u64(f, r->table.other != NULL);
	for (size_t i = 0; i < r->table.ngroups && !bad; i++)
		bad = put_group(f, r->table.groups[i], &r->spec);
	if (!bad && r->table.other)
		bad = put_group(f, r->table.other, &r->spec);
	return bad || fflush(f) ? -1 : 0;
}

/* Add the names of a ", "-separated list to another one. */
static void merge_names(char *dst, size_t len, const char *src)
{
	char name[512];

	while (*src) {
		size_t n = strcspn(src, ",");

		snprintf(name, sizeof(name), "%.*s", (int)n, src);
		dp_name_list_add(dst, len, name);
		src += n;
		while (*src == ',' || *src == ' ')
			src++;
	}
}

static int load_facts(struct dp_report *r, FILE *f)
{
	struct dp_counters c;
	uint64_t v[4], *dst = (uint64_t *)&r->c, *src = (uint64_t *)&c;
	char buf[600];

	if (get(f, &c, sizeof(c)) || get_u64(f, &v[0]) || get_u64(f, &v[1]) || get_u64(f, &v[2]) ||
	    get_u64(f, &v[3]))
		return -1;
	for (size_t i = 0; i < DP_NCOUNTERS; i++)
		dst[i] += src[i];
	/* Every reader resolves the same classes: the most any one saw. */
	r->classes_matched = v[0] > r->classes_matched ? v[0] : r->classes_matched;
	r->classes_used = v[1] > r->classes_used ? v[1] : r->classes_used;
	r->classes_without_field =
	    v[2] > r->classes_without_field ? v[2] : r->classes_without_field;
	r->interrupted |= (int)v[3];
	if (get_str(f, buf, sizeof(buf)))
		return -1;
	merge_names(r->known_events, sizeof(r->known_events), buf);
	if (get_str(f, buf, sizeof(buf)))
		return -1;
	merge_names(r->known_fields, sizeof(r->known_fields), buf);
	if (get_str(f, buf, sizeof(buf)))
		return -1;
	for (unsigned i = 0; buf[0] && i < r->fields.n; i++)
		if (!strcmp(buf, r->fields.names[i]))
			r->missing_field = r->fields.names[i];
	if (get_str(f, buf, sizeof(buf)))
		return -1;
	if (!r->errmsg[0])
		snprintf(r->errmsg, sizeof(r->errmsg), "%.500s", buf);
	if (get_str(f, buf, sizeof(buf)))
		return -1;
	if (!r->incomplete_reason[0])
		snprintf(r->incomplete_reason, sizeof(r->incomplete_reason), "%.500s", buf);
	return 0;
}

static int load_notes(struct dp_report *r, FILE *f)
{
	uint64_t n, dropped;
	char buf[600];

	if (get_u64(f, &n) || get_u64(f, &dropped) || n > DP_MAX_REPORT_NOTES)
		return -1;
	r->notes_dropped += dropped;
	for (uint64_t i = 0; i < n; i++) {
		if (get_str(f, buf, sizeof(buf)))
			return -1;
		dp_report_note(r, "%s", buf);
	}
	return 0;
}

/* One saved group, added into the table (or its "(other)" group). */
static int load_group(struct dp_report *r, FILE *f, int is_other)
{
	struct dp_group g, *dst;
	int rc = -1;

	if (dp_group_init(&g, &r->spec))
		return -1;
	if (get_group(f, &g, &r->spec, &r->keybuf))
		goto out;
	dst = is_other ? dp_table_other(&r->table)
		       : dp_table_get(&r->table, r->keybuf.buf, r->keybuf.len);
	if (!dst)
		goto out;
	/* A key that no longer fits: its events join "(other)". */
	if (!is_other && dst->other)
		r->table.other_events += g.count - 1;
	rc = dp_group_merge(dst, &g, &r->spec);
out:
	dp_group_fini(&g);
	return rc;
}

int dp_report_load(struct dp_report *r, FILE *f)
{
	uint64_t magic, ngroups, other_events, has_other;

	if (get_u64(f, &magic) || magic != DP_SAVE_MAGIC || load_facts(r, f) || load_notes(r, f) ||
	    get_u64(f, &ngroups) || get_u64(f, &other_events) || get_u64(f, &has_other))
		return -1;
	for (uint64_t i = 0; i < ngroups; i++)
		if (load_group(r, f, 0))
			return -1;
	if (has_other && load_group(r, f, 1))
		return -1;
	r->table.other_events += other_events;
	return 0;
}
