/* SPDX-License-Identifier: MIT */
/*
 * pair.c - open START events of --pair, keyed like group-by keys.
 *
 * bpftrace's latency idiom is `@start[tid] = nsecs` at entry and
 * `hist(nsecs - @start[tid]); delete(@start[tid])` at exit.  This map is
 * @start: encoded key tuple -> start timestamp.  A second START with the
 * same key replaces the first (as the bpftrace assignment does) and the
 * caller counts the first as unmatched.  Linear probing with backward-shift
 * deletion keeps lookups short without tombstones; keys of up to 24 bytes
 * (a vtid is 9) live in the slot, longer ones on the heap.  The number of
 * open starts is capped: past it, a new start is dropped and counted.
 */
#include "pair.h"

#include <stdlib.h>
#include <string.h>

#include "agg.h"

#define INLINE_KEY 24

struct slot {
	uint64_t hash; /* 0 = empty */
	int64_t ts;
	uint32_t len;
	union {
		uint8_t in[INLINE_KEY];
		uint8_t *heap;
	};
};

struct dp_pending {
	struct slot *slots;
	size_t nslots, n, max;
};

static const uint8_t *slot_key(const struct slot *s)
{
	return s->len <= INLINE_KEY ? s->in : s->heap;
}

struct dp_pending *dp_pending_new(size_t max)
{
	struct dp_pending *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->nslots = 1024;
	p->max = max;
	if (!(p->slots = calloc(p->nslots, sizeof(*p->slots)))) {
		free(p);
		return NULL;
	}
	return p;
}

void dp_pending_free(struct dp_pending *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nslots; i++)
		if (p->slots[i].hash && p->slots[i].len > INLINE_KEY)
			free(p->slots[i].heap);
	free(p->slots);
	free(p);
}

size_t dp_pending_count(const struct dp_pending *p)
{
	return p ? p->n : 0;
}

static uint64_t key_hash(const uint8_t *key, size_t len)
{
	uint64_t h = dp_hash_bytes(key, len);

	return h ? h : 1;
}

static struct slot *find(struct dp_pending *p, const uint8_t *key, size_t len, uint64_t h)
{
	size_t mask = p->nslots - 1;

	for (size_t j = h & mask; p->slots[j].hash; j = (j + 1) & mask) {
		struct slot *s = &p->slots[j];

		/* A pair without key fields has a NULL, empty key: no memcmp. */
		if (s->hash == h && s->len == len && (!len || !memcmp(slot_key(s), key, len)))
			return s;
	}
	return NULL;
}

static int grow(struct dp_pending *p)
{
	size_t n = p->nslots * 2, mask = n - 1;
	struct slot *s = calloc(n, sizeof(*s));

	if (!s)
		return -1;
	for (size_t i = 0; i < p->nslots; i++) {
		size_t j;

		if (!p->slots[i].hash)
			continue;
		for (j = p->slots[i].hash & mask; s[j].hash; j = (j + 1) & mask)
			;
		s[j] = p->slots[i];
	}
	free(p->slots);
	p->slots = s;
	p->nslots = n;
	return 0;
}

int dp_pending_put(struct dp_pending *p, const uint8_t *key, size_t len, int64_t ts)
{
	uint64_t h = key_hash(key, len);
	struct slot *s = find(p, key, len, h);
	size_t mask, j;

	if (s) {
		s->ts = ts;
		return 1;
	}
	if (p->n >= p->max || ((p->n + 1) * 2 > p->nslots && grow(p)))
		return -1;
	mask = p->nslots - 1;
	for (j = h & mask; p->slots[j].hash; j = (j + 1) & mask)
		;
	s = &p->slots[j];
	if (len > INLINE_KEY) {
		if (!(s->heap = malloc(len)))
			return -1;
		memcpy(s->heap, key, len);
	} else if (len) {
		memcpy(s->in, key, len);
	}
	s->hash = h;
	s->len = (uint32_t)len;
	s->ts = ts;
	p->n++;
	return 0;
}

/* Backward-shift deletion: move later members of the run into the hole
 * when their home slot allows it. */
static void erase(struct dp_pending *p, size_t hole)
{
	size_t mask = p->nslots - 1, j = hole;

	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (!p->slots[j].hash)
			break;
		home = p->slots[j].hash & mask;
		/* The entry at j may fill the hole if its home is not in (hole, j]. */
		if ((j > hole && (home <= hole || home > j)) ||
		    (j < hole && (home <= hole && home > j))) {
			p->slots[hole] = p->slots[j];
			hole = j;
		}
	}
	memset(&p->slots[hole], 0, sizeof(p->slots[hole]));
	p->n--;
}

int dp_pending_take(struct dp_pending *p, const uint8_t *key, size_t len, int64_t *ts)
{
	struct slot *s = find(p, key, len, key_hash(key, len));

	if (!s)
		return 0;
	*ts = s->ts;
	if (s->len > INLINE_KEY)
		free(s->heap);
	erase(p, (size_t)(s - p->slots));
	return 1;
}
