/* SPDX-License-Identifier: MIT */
/*
 * lttng_records.c - room for lttng-ust call-site records where the inline
 * check in dynprobe.h can read their state, for providers that are on
 * LTTng only (on both backends the records go into the USDT cells).
 *
 * The check compares 8 bytes at `base` with 8 bytes DYNPROBE__WATCH_DISTANCE
 * further; for LTTng that second word is a record's `int state` and the 4
 * padding bytes after it, so `base` must be DISTANCE before the state and
 * read zero.  One chunk serves many records:
 *
 *	chunk + 0          DISTANCE bytes never written (zero pages, only read:
 *	                   not resident, mprotect()ed read-only)
 *	chunk + DISTANCE   DISTANCE / DP_LTTNG_RECORD_SLOT record slots
 *
 * so slot k's base, chunk + k * SLOT + state offset, falls in the zeros.
 * Chunks are never unmapped (a fire may still read a freed slot: it then
 * only calls into the library, which re-checks), but freed slots are
 * reused, so memory stays bounded however many providers are created and
 * freed.  Callers free a slot only once no fire can act on it (after
 * unregistering it from lttng-ust and a grace period).
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#include "lttng.h"

#define CHUNK_SLOTS (DYNPROBE__WATCH_DISTANCE / DP_LTTNG_RECORD_SLOT)

struct free_slot {
	struct free_slot *next;
};

static pthread_mutex_t records_lock = PTHREAD_MUTEX_INITIALIZER;
static struct free_slot *free_slots;
static size_t free_count;

static int add_chunk(void)
{
	size_t len = 2 * (size_t)DYNPROBE__WATCH_DISTANCE;
	uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return -ENOMEM;
	mprotect(m, DYNPROBE__WATCH_DISTANCE, PROT_READ); /* best effort */
	/* Pushed in reverse so that slots are handed out in address order. */
	for (size_t k = CHUNK_SLOTS; k-- > 0;) {
		struct free_slot *s = (void *)(m + DYNPROBE__WATCH_DISTANCE + k * DP_LTTNG_RECORD_SLOT);
		s->next = free_slots;
		free_slots = s;
	}
	free_count += CHUNK_SLOTS;
	return 0;
}

int dp_lttng_records_alloc(size_t n, uint8_t **ret)
{
	int r = 0;

	pthread_mutex_lock(&records_lock);
	while (free_count < n && r == 0)
		r = add_chunk();
	if (r == 0) {
		for (size_t i = 0; i < n; i++) {
			struct free_slot *s = free_slots;
			free_slots = s->next;
			memset(s, 0, DP_LTTNG_RECORD_SLOT);
			ret[i] = (uint8_t *)s;
		}
		free_count -= n;
	}
	pthread_mutex_unlock(&records_lock);
	return r;
}

void dp_lttng_records_free(uint8_t *const *slots, size_t n)
{
	pthread_mutex_lock(&records_lock);
	for (size_t i = 0; i < n; i++) {
		struct free_slot *s = (void *)slots[i];
		/* The state word must read zero again before anyone reuses
		 * the slot's base; the rest is rewritten on allocation. */
		memset(s, 0, DP_LTTNG_RECORD_SLOT);
		s->next = free_slots;
		free_slots = s;
	}
	free_count += n;
	pthread_mutex_unlock(&records_lock);
}
