/* SPDX-License-Identifier: MIT */
/*
 * table.c - group-by key tuples to groups, with a cap on the number of keys.
 *
 * A key is an encoded tuple (agg.h), hashed 8 bytes at a time; open
 * addressing with linear probing finds its group.  A lookup of a known key
 * allocates nothing; key bytes are copied once, into arena chunks, when
 * the key is first seen.  Past max_keys, new keys land in one shared
 * "(other)" group and are counted, so memory stays bounded by the cap
 * whatever the trace holds.
 */
#include "agg.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dp_arena_chunk {
	struct dp_arena_chunk *next;
	size_t used, cap;
	uint8_t data[];
};

static int key_reserve(struct dp_keybuf *k, size_t more)
{
	size_t cap = k->cap ? k->cap : 64;
	uint8_t *b;

	if (k->len + more <= k->cap)
		return 0;
	while (cap < k->len + more)
		cap *= 2;
	if (!(b = realloc(k->buf, cap))) {
		k->oom = 1;
		return -1;
	}
	k->buf = b;
	k->cap = cap;
	return 0;
}

static void key_add_word(struct dp_keybuf *k, int tag, uint64_t v)
{
	if (key_reserve(k, 9))
		return;
	k->buf[k->len] = (uint8_t)tag;
	memcpy(k->buf + k->len + 1, &v, 8);
	k->len += 9;
}

void dp_key_add_int(struct dp_keybuf *k, int64_t v)
{
	key_add_word(k, 'i', (uint64_t)v);
}

void dp_key_add_uint(struct dp_keybuf *k, uint64_t v)
{
	key_add_word(k, 'u', v);
}

int dp_key_add_str(struct dp_keybuf *k, const char *s, size_t len)
{
	int cut = len > DP_KEY_STR_MAX;
	uint32_t n = (uint32_t)(cut ? DP_KEY_STR_MAX : len);

	if (key_reserve(k, 6 + (size_t)n))
		return 0;
	k->buf[k->len] = 's';
	memcpy(k->buf + k->len + 1, &n, 4);
	if (n) /* an empty string may come as NULL */
		memcpy(k->buf + k->len + 5, s, n);
	k->buf[k->len + 5 + n] = 0;
	k->len += 6 + (size_t)n;
	return cut;
}

int dp_key_next(const uint8_t *key, size_t len, size_t *off, struct dp_keyitem *it)
{
	size_t o = *off;
	uint32_t n;

	if (o >= len)
		return 0;
	it->kind = key[o];
	if ((it->kind == 'i' || it->kind == 'u') && len - o >= 9) {
		memcpy(&it->u, key + o + 1, 8);
		it->i = (int64_t)it->u;
		*off = o + 9;
		return 1;
	}
	if (it->kind != 's' || len - o < 6)
		return 0;
	memcpy(&n, key + o + 1, 4);
	if (len - o - 6 < n)
		return 0;
	it->s = (const char *)key + o + 5;
	it->len = n;
	*off = o + 6 + n;
	return 1;
}

static int item_cmp(const struct dp_keyitem *a, const struct dp_keyitem *b)
{
	int c;

	if (a->kind == 's' && b->kind == 's') {
		c = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
		return c ? c : (a->len > b->len) - (a->len < b->len);
	}
	if (a->kind == 's' || b->kind == 's') /* numbers before strings */
		return a->kind == 's' ? 1 : -1;
	if (a->kind == 'i' && b->kind == 'i')
		return (a->i > b->i) - (a->i < b->i);
	if (a->kind == 'u' && b->kind == 'u')
		return (a->u > b->u) - (a->u < b->u);
	if (a->kind == 'i')
		return a->i < 0 ? -1 : ((uint64_t)a->i > b->u) - ((uint64_t)a->i < b->u);
	return b->i < 0 ? 1 : (a->u > (uint64_t)b->i) - (a->u < (uint64_t)b->i);
}

int dp_key_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t ao = 0, bo = 0;
	struct dp_keyitem x, y;

	for (;;) {
		int hx = dp_key_next(a, alen, &ao, &x), hy = dp_key_next(b, blen, &bo, &y), c;

		if (!hx || !hy)
			return hx - hy;
		if ((c = item_cmp(&x, &y)))
			return c;
	}
}

void dp_key_format(char *buf, size_t len, const uint8_t *key, size_t klen)
{
	struct dp_keyitem it;
	size_t off = 0, used = 0;
	int n;

	buf[0] = 0;
	while (used < len && dp_key_next(key, klen, &off, &it)) {
		const char *sep = used ? ", " : "";

		if (it.kind == 's')
			n = snprintf(buf + used, len - used, "%s%s", sep, it.s);
		else if (it.kind == 'i')
			n = snprintf(buf + used, len - used, "%s%" PRId64, sep, it.i);
		else
			n = snprintf(buf + used, len - used, "%s%" PRIu64, sep, it.u);
		used += n > 0 ? (size_t)n : 0;
	}
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

uint64_t dp_hash_bytes(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n, w;

	for (; n >= 8; b += 8, n -= 8) {
		memcpy(&w, b, 8);
		h = (h ^ mix64(w)) * 0x100000001b3ull;
	}
	if (n) {
		w = 0;
		memcpy(&w, b, n);
		h = (h ^ mix64(w)) * 0x100000001b3ull;
	}
	return mix64(h);
}

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

int dp_table_clear(struct dp_table *t)
{
	const struct dp_agg_spec *spec = t->spec;
	size_t max_keys = t->max_keys;

	dp_table_fini(t);
	return dp_table_init(t, spec, max_keys);
}

static uint8_t *arena_copy(struct dp_table *t, const uint8_t *s, size_t len)
{
	struct dp_arena_chunk *c = t->chunks;
	uint8_t *p;

	if (!c || c->cap - c->used < len) {
		size_t cap = len > 16384 ? len : 16384;

		if (!(c = malloc(sizeof(*c) + cap)))
			return NULL;
		c->next = t->chunks;
		c->used = 0;
		c->cap = cap;
		t->chunks = c;
	}
	p = c->data + c->used;
	memcpy(p, s, len);
	c->used += (len + 7) & ~(size_t)7;
	if (c->used > c->cap)
		c->used = c->cap;
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

static struct dp_group *new_group(struct dp_table *t, const uint8_t *key, size_t len, uint64_t hash)
{
	struct dp_group *g = malloc(sizeof(*g));

	if (!g || dp_group_init(g, t->spec))
		goto err;
	g->hash = hash;
	g->key_len = (uint32_t)len;
	if (len && !(g->key = arena_copy(t, key, len)))
		goto err;
	return g;
err:
	group_free(g);
	return NULL;
}

static struct dp_group *other_group(struct dp_table *t);

struct dp_group *dp_table_other(struct dp_table *t)
{
	if (!t->other && (t->other = new_group(t, NULL, 0, 0)))
		t->other->other = 1;
	return t->other;
}

static int append_group(struct dp_table *t, struct dp_group *g)
{
	if (t->ngroups == t->cap_groups) {
		size_t cap = t->cap_groups ? t->cap_groups * 2 : 16;
		struct dp_group **a = realloc(t->groups, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		t->groups = a;
		t->cap_groups = cap;
	}
	t->groups[t->ngroups++] = g;
	return 0;
}

static struct dp_group *other_group(struct dp_table *t)
{
	t->other_events++;
	return dp_table_other(t);
}

struct dp_group *dp_table_get(struct dp_table *t, const uint8_t *key, size_t len)
{
	uint64_t hash = dp_hash_bytes(key, len);
	size_t j = hash & (t->nslots - 1);
	struct dp_group *g;

	for (; (g = t->slots[j]); j = (j + 1) & (t->nslots - 1))
		/* The empty key (no `by`) is NULL on both sides: no memcmp. */
		if (g->hash == hash && g->key_len == len && (!len || !memcmp(g->key, key, len)))
			return g;
	if (t->ngroups >= t->max_keys)
		return other_group(t);
	if (!(g = new_group(t, key, len, hash)))
		return NULL;
	if (append_group(t, g)) {
		group_free(g);
		return NULL;
	}
	t->slots[j] = g;
	/* Keep the load under 1/2 so probes stay short. */
	if (t->ngroups * 2 > t->nslots && table_grow(t))
		return NULL;
	return g;
}
