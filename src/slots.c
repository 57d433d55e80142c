/* SPDX-License-Identifier: MIT */
/*
 * slots.c - where probe handles and slots live (see internal.h).
 *
 * Slots: a table of chunks that is never freed (the fire path reads a slot
 * without any lock, even one being released), reused through a free list;
 * each release moves the slot's generation on.  A slot is 72 bytes on one
 * backend (a 32-byte header, the signature, one site), 96 on two.
 *
 * Handles: 16-byte records handed out in address order from arenas that
 * are never unmapped, and never reused, so that a handle kept after its
 * provider was freed cannot alias a later probe.  Each has a 32-bit
 * number (arena, record: 4 G over the process's life), which is what a
 * provider keeps of it (dp_probe_at()).  What a dead handle must
 * read is fixed: an idle watch base (the inline check reads zeros against
 * zeros) and generation 0 (no live probe has it).  Memory stays bounded
 * however many probes come and go: once every handle on a page is dead,
 * the page is replaced by a read-only shared mapping of a page of a memfd
 * that holds nothing but dead handles, and its memory goes back to the
 * system.  The file's pages are mapped in address order (dead page p onto
 * file page p mod IDLE_PAGES), so that consecutive dead pages merge into
 * one mapping, and written the first time one is needed: the file never
 * costs more than the pages it replaced, and at most IDLE_PAGES pages
 * (4 MiB); a program that creates and frees probes forever adds one
 * mapping per 262,144 probes.  Where no memfd can be made, dead pages
 * stay (as dead handles): correct, only not returned.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"
#include "sanitizer.h"
#include "watch.h"

/* ---- slots ---- */

/* Two classes: room for one site (a provider on one backend, the usual
 * case, saves the second site's 24 bytes) or for DP_PROBE_SITES.  A
 * handle's slot index carries the class in its top bit.  The table and
 * dp_slot_at() are in internal.h: the fire path inlines the lookup. */
#define SLOT_CLASSES DP_PROBE_SITES
#define SLOT_CLASS_BIT DP_SLOT_CLASS_BIT
#define SLOT_CHUNK_BITS DP_SLOT_CHUNK_BITS
#define SLOT_CHUNK DP_SLOT_CHUNK
#define SLOT_CHUNKS_MAX DP_SLOT_CHUNKS_MAX

_Static_assert(SLOT_CLASSES == 2 && SLOT_CLASS_BIT == 31, "one class per number of sites");
_Static_assert(DP_SLOT_SIZE(1) % 8 == 0 && DP_SLOT_SIZE(2) % 8 == 0, "slots stay word-aligned");
/* What a probe costs in the table (memory per probe, issue 16): the
 * header is five words, the one-site slot nine. */
_Static_assert(offsetof(struct dp_slot, live) == 32 && DP_SLOT_SIZE(1) == 72,
	       "a one-site slot is 72 bytes");

char *dp_slot_chunks[SLOT_CLASSES][SLOT_CHUNKS_MAX]; /* never freed */
uint32_t dp_slot_count[SLOT_CLASSES];		     /* slots ever made */
static uint32_t slot_free[SLOT_CLASSES];	     /* free list heads, 1-based */

/* Serializes both allocators (a leaf lock: nothing is called under it). */
static pthread_mutex_t probes_lock = PTHREAD_MUTEX_INITIALIZER;

static struct dp_slot *slot_at(uint32_t index)
{
	return dp_slot_at(index);
}

/* Under probes_lock.  The index of a free slot of class c, or -1. */
static int64_t slot_take(unsigned int c)
{
	uint32_t i = dp_slot_count[c];

	if (slot_free[c]) {
		uint32_t index = (slot_free[c] - 1) | (c << SLOT_CLASS_BIT);

		slot_free[c] = slot_at(index)->next_free;
		return index;
	}
	if (i == SLOT_CHUNKS_MAX * SLOT_CHUNK)
		return -1;
	if (!(i & (SLOT_CHUNK - 1))) {
		char *chunk = calloc(SLOT_CHUNK, DP_SLOT_SIZE(c + 1));

		if (!chunk)
			return -1;
		for (size_t k = 0; k < SLOT_CHUNK; k++)
			((struct dp_slot *)(void *)(chunk + k * DP_SLOT_SIZE(c + 1)))->room = (uint8_t)(c + 1);
		__atomic_store_n(&dp_slot_chunks[c][i >> SLOT_CHUNK_BITS], chunk, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&dp_slot_count[c], i + 1, __ATOMIC_RELEASE);
	return i | (c << SLOT_CLASS_BIT);
}

/* ---- handles ---- */

#define PAGE 4096u
#define RECORDS_PER_PAGE (PAGE / sizeof(struct dynprobe_probe))
#define ARENA_SIZE ((size_t)64 << 20) /* 4 M handles */
#define ARENA_PAGES (ARENA_SIZE / PAGE)
#define ARENA_RECORDS (ARENA_SIZE / sizeof(struct dynprobe_probe))
/* 4 G handles over the process's life: a handle's number (arena, record)
 * is 32 bits, what a provider keeps per probe (dp_probe_at()). */
#define ARENAS_MAX 1024
#define IDLE_PAGES 1024

struct arena {
	struct dynprobe_probe *records; /* ARENA_SIZE, never unmapped */
	uint16_t *live;			/* per page: handles not yet released */
};

static struct arena arenas[ARENAS_MAX];
static size_t narenas;
static size_t next_record; /* in the last arena */
static int idle_fd = -2;   /* -2: not made yet, -1: cannot */

_Static_assert(sizeof(struct dynprobe_probe) == 16, "handles are 16 bytes");
_Static_assert((uint64_t)ARENAS_MAX *ARENA_RECORDS - 1 == UINT32_MAX,
	       "every handle has a 32-bit number");
_Static_assert(PAGE % sizeof(struct dynprobe_probe) == 0, "whole handles per page");

static struct dynprobe_probe dead_handle(void)
{
	return (struct dynprobe_probe){.watch = {dp_watch_idle()}};
}

/* The file whose pages replace dead ones: dead handles only. */
static int idle_file(void)
{
	int fd;

	if (idle_fd != -2)
		return idle_fd;
	idle_fd = -1;
	fd = memfd_create("dynprobe-dead-handles", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0 || ftruncate(fd, (off_t)IDLE_PAGES * PAGE) < 0) {
		dp_logl(DYNPROBE_LOG_INFO,
			"memfd_create: %s: freed probe handles keep their memory", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
	idle_fd = fd;
	return fd;
}

/* Page k of the dead-handle file, written the first time it is needed:
 * the file costs no more than the dead pages it replaced, up to
 * IDLE_PAGES pages. */
static bool idle_page_ready(int fd, size_t k)
{
	static struct dynprobe_probe page[RECORDS_PER_PAGE];
	static uint64_t written[IDLE_PAGES / 64];

	if (written[k / 64] & (1ull << (k % 64)))
		return true;
	for (size_t i = 0; i < RECORDS_PER_PAGE; i++)
		page[i] = dead_handle();
	if (pwrite(fd, page, sizeof(page), (off_t)(k * PAGE)) != (ssize_t)sizeof(page))
		return false;
	written[k / 64] |= 1ull << (k % 64);
	return true;
}

/* Every handle on the page is dead and the page is full: give its memory
 * back.  Readers see the dead handles before and after the swap. */
static void page_retire(struct arena *a, size_t page)
{
	int fd = idle_file();
	void *p;

	if (fd < 0 || !idle_page_ready(fd, page % IDLE_PAGES))
		return;
	/* An intended race: a thread may be reading a stale handle on this
	 * page right now, and reads dead handles before and after.  TSan
	 * counts a mapping as a write to the range; tell it not to. */
	DP_TSAN_IGNORE_WRITES_BEGIN();
	p = mmap((char *)a->records + page * PAGE, PAGE, PROT_READ, MAP_SHARED | MAP_FIXED, fd,
		 (off_t)((page % IDLE_PAGES) * PAGE));
	DP_TSAN_IGNORE_WRITES_END();
	if (p == MAP_FAILED)
		dp_logl(DYNPROBE_LOG_DEBUG, "retiring a page of dead handles: %s", strerror(errno));
}

/* Under probes_lock; *ret_number is the handle's number. */
static struct dynprobe_probe *record_take(uint32_t *ret_number)
{
	struct arena *a = narenas ? &arenas[narenas - 1] : NULL;
	size_t page;

	if (!a || next_record == ARENA_RECORDS) {
		void *m;

		if (narenas == ARENAS_MAX)
			return NULL;
		a = &arenas[narenas];
		a->live = calloc(ARENA_PAGES, sizeof(*a->live));
		m = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (!a->live || m == MAP_FAILED) {
			free(a->live);
			a->live = NULL;
			return NULL;
		}
		a->records = m;
		narenas++;
		next_record = 0;
	}
	page = next_record / RECORDS_PER_PAGE;
	a->live[page]++;
	*ret_number = (uint32_t)((narenas - 1) * ARENA_RECORDS + next_record);
	return &a->records[next_record++];
}

/* Under probes_lock: the handle is dead (it already reads idle).  A page
 * can only become all dead through here: when the allocator fills a
 * page, the handle it just handed out is alive. */
static void record_put(struct dynprobe_probe *r)
{
	for (size_t i = narenas; i-- > 0;) {
		struct arena *a = &arenas[i];
		size_t page, full;

		if (r < a->records || r >= a->records + ARENA_SIZE / sizeof(*r))
			continue;
		page = (size_t)(r - a->records) / RECORDS_PER_PAGE;
		full = i + 1 < narenas ? ARENA_PAGES : next_record / RECORDS_PER_PAGE;
		if (--a->live[page] == 0 && page < full)
			page_retire(a, page);
		return;
	}
}

/* ---- the API ---- */

struct dynprobe_probe *dp_probe_at(uint32_t number)
{
	return &arenas[number / ARENA_RECORDS].records[number % ARENA_RECORDS];
}

struct dynprobe_probe *dp_probe_new(unsigned int nsites, struct dp_slot **ret_slot,
				    uint32_t *ret_number)
{
	struct dynprobe_probe *r;
	struct dp_slot *s;
	int64_t index;
	uint32_t gen;

	pthread_mutex_lock(&probes_lock);
	r = record_take(ret_number);
	index = r ? slot_take(nsites >= 2 ? 1 : 0) : -1;
	if (index < 0) {
		if (r) {
			*r = dead_handle();
			record_put(r);
		}
		pthread_mutex_unlock(&probes_lock);
		return NULL;
	}
	s = slot_at((uint32_t)index);
	gen = s->gen;
	pthread_mutex_unlock(&probes_lock);

	/* A slot's generation only moves on (dp_slot_retire); 0 is never
	 * live.  Nothing else in a free slot is read by anybody. */
	if (gen == 0)
		dp_slot_retire(s);
	s->provider = NULL;
	s->sites = NULL;
	s->name = 0; /* also next_free */
	s->arg_named = 0;
	s->loglevel = 0;
	r->slot = (uint32_t)index;
	r->gen = __atomic_load_n(&s->gen, __ATOMIC_RELAXED);
	__atomic_store_n(&r->watch.base, dp_watch_idle(), __ATOMIC_RELEASE);
	*ret_slot = s;
	return r;
}

void dp_probe_release(struct dynprobe_probe *r)
{
	struct dp_slot *s = dp_probe_slot(r);
	uint32_t index;

	if (!s) {
		return;
	}
	index = r->slot;
	dp_slot_retire(s);
	__atomic_store_n(&r->watch.base, dp_watch_idle(), __ATOMIC_RELEASE);
	pthread_mutex_lock(&probes_lock);
	record_put(r); /* from here on, r may read as a dead handle */
	s->next_free = slot_free[index >> SLOT_CLASS_BIT];
	slot_free[index >> SLOT_CLASS_BIT] = (index & ~(1u << SLOT_CLASS_BIT)) + 1;
	pthread_mutex_unlock(&probes_lock);
}

struct dp_slot *dp_probe_slot_unchecked(const struct dynprobe_probe *r)
{
	return r ? slot_at(r->slot) : NULL;
}

struct dp_slot *dp_probe_slot(const struct dynprobe_probe *r)
{
	struct dp_slot *s = dp_probe_slot_unchecked(r);

	if (!s || !r->gen || __atomic_load_n(&s->gen, __ATOMIC_ACQUIRE) != r->gen)
		return NULL;
	return s;
}

void dp_probes_lock(void)
{
	pthread_mutex_lock(&probes_lock);
}

void dp_probes_unlock(void)
{
	pthread_mutex_unlock(&probes_lock);
}
