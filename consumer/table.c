/* SPDX-License-Identifier: MIT */
/*
 * table.c - group-by keys to groups, with a cap on the number of keys.
 *
 * Open addressing on a 64-bit hash (FNV-1a for strings, a multiply-shift
 * mix for integers).  A lookup of a known key allocates nothing; string
 * keys are copied once, into arena chunks, when the key is first seen.
 * Past max_keys, new keys land in one shared "(other)" group and are
 * counted, so memory stays bounded by the cap whatever the trace holds.
 */
#include "agg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct dp_arena_chunk {
	struct dp_arena_chunk *next;
	size_t used, cap;
	char data[];
};

int dp_table_init(struct dp_table *t, const struct dp_agg_spec *spec, size_t max_keys)
{
	memset(t, 0, sizeof(*t));
	t->spec = spec;
	t->max_keys = max_keys ? max_keys : DP_DEFAULT_MAX_KEYS;
	t->nslots = 64;
	t->slots = calloc(t->nslots, sizeof(*t->slots));
	return t->slots ? 0 : -ENOMEM;
}

static void group_free(struct dp_group *g)
{
	if (g) {
		dp_group_fini(g);
		free(g);
	}
}

void dp_table_fini(struct dp_table *t)
{
	for (size_t i = 0; i < t->ngroups; i++)
		group_free(t->groups[i]);
	group_free(t->other);
	while (t->chunks) {
		struct dp_arena_chunk *c = t->chunks;

		t->chunks = c->next;
		free(c);
	}
	free(t->groups);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

static char *arena_copy(struct dp_table *t, const char *s, size_t len)
{
	struct dp_arena_chunk *c = t->chunks;

	if (!c || c->cap - c->used < len + 1) {
		size_t cap = len + 1 > 16384 ? len + 1 : 16384;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->next = t->chunks;
		c->used = 0;
		c->cap = cap;
		t->chunks = c;
	}
	char *p = c->data + c->used;
	memcpy(p, s, len);
	p[len] = 0;
	c->used += len + 1;
	return p;
}

static int table_grow(struct dp_table *t)
{
	size_t n = t->nslots * 2;
	struct dp_group **s = calloc(n, sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < t->ngroups; i++) {
		size_t j = t->groups[i]->hash & (n - 1);

		while (s[j])
			j = (j + 1) & (n - 1);
		s[j] = t->groups[i];
	}
	free(t->slots);
	t->slots = s;
	t->nslots = n;
	return 0;
}

static int key_equal(const struct dp_group *g, int kind, const char *s, size_t len,
		     uint64_t bits)
{
	if (g->key_kind != kind)
		return 0;
	if (kind == DP_KEY_STR)
		return g->skey_len == len && !memcmp(g->skey, s, len);
	return kind == DP_KEY_INT ? (uint64_t)g->ikey == bits : g->ukey == bits;
}

static struct dp_group *new_group(struct dp_table *t, int kind, const char *s, size_t len,
				  uint64_t bits, uint64_t hash)
{
	struct dp_group *g = malloc(sizeof(*g));

	if (!g || dp_group_init(g, t->spec))
		goto err;
	g->key_kind = kind;
	g->hash = hash;
	g->ikey = (int64_t)bits;
	g->ukey = bits;
	if (kind == DP_KEY_STR) {
		if (!(g->skey = arena_copy(t, s, len)))
			goto err;
		g->skey_len = (uint32_t)len;
	}
	return g;
err:
	group_free(g);
	return NULL;
}

static struct dp_group *other_group(struct dp_table *t)
{
	t->other_events++;
	if (!t->other && (t->other = new_group(t, DP_KEY_OTHER, NULL, 0, 0, 0)))
		t->other->skey = "(other)";
	return t->other;
}

static struct dp_group *lookup(struct dp_table *t, int kind, const char *s, size_t len,
			       uint64_t bits, uint64_t hash)
{
	size_t j = hash & (t->nslots - 1);
	struct dp_group *g;

	for (; t->slots[j]; j = (j + 1) & (t->nslots - 1))
		if (t->slots[j]->hash == hash && key_equal(t->slots[j], kind, s, len, bits))
			return t->slots[j];
	if (t->ngroups >= t->max_keys)
		return other_group(t);
	if (t->ngroups == t->cap_groups) {
		size_t cap = t->cap_groups ? t->cap_groups * 2 : 16;
		struct dp_group **a = realloc(t->groups, cap * sizeof(*a));

		if (!a)
			return NULL;
		t->groups = a;
		t->cap_groups = cap;
	}
	if (!(g = new_group(t, kind, s, len, bits, hash)))
		return NULL;
	t->slots[j] = g;
	t->groups[t->ngroups++] = g;
	/* Keep the load under 1/2 so probes stay short. */
	if (t->ngroups * 2 > t->nslots && table_grow(t))
		return NULL;
	return g;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

struct dp_group *dp_table_get_str(struct dp_table *t, const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return lookup(t, DP_KEY_STR, s, len, 0, h);
}

struct dp_group *dp_table_get_int(struct dp_table *t, int64_t v)
{
	return lookup(t, DP_KEY_INT, NULL, 0, (uint64_t)v, mix64((uint64_t)v));
}

struct dp_group *dp_table_get_uint(struct dp_table *t, uint64_t v)
{
	return lookup(t, DP_KEY_UINT, NULL, 0, v, mix64(v) ^ 1);
}

struct dp_group *dp_table_get_none(struct dp_table *t)
{
	return lookup(t, DP_KEY_NONE, NULL, 0, 0, 0);
}
