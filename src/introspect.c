/* SPDX-License-Identifier: MIT */
/*
 * introspect.c - keeps this process's introspection record (see
 * introspect_format.h) up to date for `dynprobe list`.
 *
 * The record lives in a memfd mapped MAP_SHARED, so that updating it
 * costs no system call (readers pread() the memfd through
 * /proc/PID/map_files).  The mapping is MADV_DONTFORK: a child starts a
 * record of its own at its first update instead of writing into its
 * parent's.
 *
 * Each provider owns one chunk of the record: its DP_INTRO_PROVIDER record
 * and its backend records, contiguous.  A load or unload rewrites only
 * that provider's chunk, a free turns it into one DP_INTRO_PAD record
 * (readers skip it), so an update costs what one provider's description
 * costs, whatever the number of providers in the process:
 *
 *   - the provider's records are built in a private buffer (the core's
 *     dp_provider_introspect()), then copied in under the generation word
 *     (odd while writing, the next even value after);
 *   - if they fit in the provider's chunk they go there, and what is left
 *     of the chunk becomes a DP_INTRO_PAD record (an unloaded provider has
 *     no backend records: its chunk shrinks and grows in place);
 *   - else the old chunk becomes padding and a new one is appended;
 *   - the last chunk of the record is given back instead of padded;
 *   - once dead chunks are more than half of the record (and more than
 *     COMPACT_MIN bytes), the live chunks are moved together in one pass:
 *     the record stays within about twice what the live providers need,
 *     at an amortized cost of O(1) per update.
 *
 * Chunks are found by the provider's address (a hash table); the core
 * calls dp_introspect_forget() before it frees a provider, so an address
 * is never mistaken for another provider's.  The first update of a process
 * (and of a fork child) writes every registered provider, through the
 * core's dp_registry_introspect().
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "introspect.h"

/* A provider's place in the record, in the writer's buffer first. */
struct intro_mark {
	const void *key; /* the provider */
	size_t off;	 /* where its records start */
	uint32_t nrecords_before;
};

struct dp_intro_writer {
	uint8_t *buf;
	size_t len, cap;
	size_t open; /* offset of the record being written, if is_open */
	bool is_open;
	uint32_t nrecords;
	bool failed; /* out of memory: publish nothing */
	struct intro_mark *marks;
	size_t nmarks, marks_cap;
};

/* Weak: the core defines them; without them there is nothing to describe. */
extern int dp_registry_introspect(struct dp_intro_writer *w) __attribute__((weak));
extern int dp_provider_introspect(const void *provider, struct dp_intro_writer *w)
    __attribute__((weak));

static void put(struct dp_intro_writer *w, const void *p, size_t n)
{
	if (w->failed)
		return;
	if (w->len + n > w->cap) {
		size_t cap = (w->cap ? 2 * w->cap : 4096) + n;
		uint8_t *b = realloc(w->buf, cap);
		if (!b) {
			w->failed = true;
			return;
		}
		w->buf = b;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

void dp_intro_u32(struct dp_intro_writer *w, uint32_t v)
{
	put(w, &v, sizeof(v));
}

void dp_intro_u64(struct dp_intro_writer *w, uint64_t v)
{
	put(w, &v, sizeof(v));
}

void dp_intro_str(struct dp_intro_writer *w, const char *s)
{
	size_t n = s ? strnlen(s, DP_INTRO_MAX_WHERE * 8) : 0;

	dp_intro_u32(w, (uint32_t)n);
	put(w, s, n);
}

static void begin(struct dp_intro_writer *w, uint16_t type)
{
	struct dp_intro_tlv t = {.type = type};

	if (w->is_open)
		dp_intro_end(w);
	w->open = w->len;
	w->is_open = true;
	put(w, &t, sizeof(t));
}

void dp_intro_end(struct dp_intro_writer *w)
{
	static const uint8_t pad[8];
	uint32_t len;

	if (!w->is_open || w->failed)
		return;
	len = (uint32_t)(w->len - w->open - sizeof(struct dp_intro_tlv));
	memcpy(w->buf + w->open + offsetof(struct dp_intro_tlv, len), &len, sizeof(len));
	put(w, pad, (8 - len % 8) % 8);
	w->is_open = false;
	w->nrecords++;
}

/* Note where `key`'s chunk starts. */
static void mark(struct dp_intro_writer *w, const void *key)
{
	if (w->failed)
		return;
	if (w->nmarks == w->marks_cap) {
		size_t cap = w->marks_cap ? 2 * w->marks_cap : 16;
		struct intro_mark *m = realloc(w->marks, cap * sizeof(*m));
		if (!m) {
			w->failed = true;
			return;
		}
		w->marks = m;
		w->marks_cap = cap;
	}
	w->marks[w->nmarks++] = (struct intro_mark){key, w->len, w->nrecords};
}

void dp_intro_put_provider(struct dp_intro_writer *w, const void *key, const char *name,
			   unsigned int backends, unsigned int loaded, size_t nprobes,
			   const struct dp_probe_desc *const *probes)
{
	if (w->is_open)
		dp_intro_end(w);
	mark(w, key);
	begin(w, DP_INTRO_PROVIDER);
	dp_intro_u32(w, backends);
	dp_intro_u32(w, loaded);
	dp_intro_str(w, name);
	dp_intro_u32(w, (uint32_t)nprobes);
	for (size_t i = 0; i < nprobes; i++) {
		uint8_t row[1 + DYNPROBE_MAX_ARGS] = {(uint8_t)probes[i]->nargs};
		for (size_t a = 0; a < probes[i]->nargs && a < DYNPROBE_MAX_ARGS; a++)
			row[1 + a] = (uint8_t)probes[i]->types[a];
		dp_intro_str(w, probes[i]->name);
		put(w, row, sizeof(row));
	}
	dp_intro_end(w);
}

void dp_intro_begin_backend(struct dp_intro_writer *w, unsigned int backend, uint32_t version)
{
	begin(w, DP_INTRO_BACKEND);
	dp_intro_u32(w, backend);
	dp_intro_u32(w, version);
}

static void writer_free(struct dp_intro_writer *w)
{
	free(w->buf);
	free(w->marks);
}

/* ---- the published record ---- */

#define COMPACT_MIN 65536
#define HEADER_SIZE sizeof(struct dp_intro_header)

struct chunk {
	const void *key;
	size_t off, cap;	   /* bytes from the record's start; cap is a multiple of 8 */
	uint32_t nrecords;	   /* TLVs in [off, off + cap), its padding included */
	struct chunk *hnext;	   /* in its hash bucket */
	struct chunk *prev, *next; /* live chunks in record order */
};

static pthread_mutex_t record_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;
static bool forked; /* set in a fork child: the record is its parent's */
static struct {
	int fd;
	uint8_t *map;
	size_t cap;	   /* bytes mapped */
	size_t used;	   /* header, chunks, dead chunks: the header's size */
	size_t dead;	   /* bytes of dead chunks (padding) */
	uint32_t nrecords; /* every TLV, padding included */
	struct chunk **buckets;
	size_t nbuckets, nchunks;
	struct chunk *first, *last;
} rec = {.fd = -1};

static void mark_forked(void)
{
	forked = true;
}

static void fork_register(void)
{
	pthread_atfork(NULL, NULL, mark_forked);
}

static size_t bucket_of(const void *key)
{
	uint64_t h = (uint64_t)(uintptr_t)key * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 32) & (rec.nbuckets - 1);
}

static struct chunk *chunk_find(const void *key)
{
	struct chunk *c = rec.nbuckets ? rec.buckets[bucket_of(key)] : NULL;

	while (c && c->key != key)
		c = c->hnext;
	return c;
}

/* Room in the hash table for one more chunk; false on failure. */
static bool table_room(void)
{
	size_t n = rec.nbuckets ? 2 * rec.nbuckets : 64;
	struct chunk **b, **old = rec.buckets;
	size_t oldn = rec.nbuckets;

	if (rec.nchunks < rec.nbuckets)
		return true;
	b = calloc(n, sizeof(*b));
	if (!b)
		return false;
	rec.buckets = b;
	rec.nbuckets = n;
	for (size_t i = 0; i < oldn; i++)
		for (struct chunk *c = old[i], *next; c; c = next) {
			next = c->hnext;
			c->hnext = b[bucket_of(c->key)];
			b[bucket_of(c->key)] = c;
		}
	free(old);
	return true;
}

/* Forget every chunk (a fork child's inherited ones, or on failure). */
static void record_reset(void)
{
	for (struct chunk *c = rec.first, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(rec.buckets);
	if (rec.fd >= 0)
		close(rec.fd);
	/* The mapping is MADV_DONTFORK: a child has none to unmap. */
	rec = (typeof(rec)){.fd = -1};
}

/* A mapping of at least `need` bytes, made or grown; false on failure. */
static bool record_room(size_t need)
{
	size_t cap = rec.cap ? rec.cap : 4096;
	uint8_t *m;

	if (rec.map && need <= rec.cap)
		return true;
	while (cap < need)
		cap *= 2;
	if (rec.fd < 0) {
		rec.fd = memfd_create(DP_INTRO_MEMFD_NAME, MFD_CLOEXEC);
		if (rec.fd < 0)
			return false;
	}
	if (ftruncate(rec.fd, (off_t)cap) < 0)
		return false;
	m = rec.map ? mremap(rec.map, rec.cap, cap, MREMAP_MAYMOVE)
		    : mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_SHARED, rec.fd, 0);
	if (m == MAP_FAILED)
		return false;
	madvise(m, cap, MADV_DONTFORK);
	if (!rec.map) {
		struct dp_intro_header h = {
		    .magic = DP_INTRO_MAGIC,
		    .major = DP_INTRO_MAJOR,
		    .minor = DP_INTRO_MINOR,
		    .header_size = HEADER_SIZE,
		    .size = HEADER_SIZE,
		};
		memcpy(m, &h, sizeof(h));
		rec.used = HEADER_SIZE;
	}
	rec.map = m;
	rec.cap = cap;
	return true;
}

/* Writers bracket every change with these: the generation is odd between
 * them, and the header's size and count are stored last. */
static void write_begin(void)
{
	struct dp_intro_header *live = (struct dp_intro_header *)rec.map;
	uint32_t gen = __atomic_load_n(&live->generation, __ATOMIC_RELAXED);

	__atomic_store_n(&live->generation, gen | 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void write_end(void)
{
	struct dp_intro_header *live = (struct dp_intro_header *)rec.map;
	uint32_t gen = __atomic_load_n(&live->generation, __ATOMIC_RELAXED);
	uint32_t size = (uint32_t)rec.used;

	memcpy(&live->size, &size, sizeof(size));
	memcpy(&live->nrecords, &rec.nrecords, sizeof(rec.nrecords));
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&live->generation, gen + 1, __ATOMIC_RELAXED);
}

/* A DP_INTRO_PAD record over `len` bytes (a multiple of 8, >= 8) at `off`. */
static void put_pad(size_t off, size_t len)
{
	struct dp_intro_tlv t = {.type = DP_INTRO_PAD, .len = (uint32_t)(len - sizeof(t))};

	memcpy(rec.map + off, &t, sizeof(t));
}

/* Copy `len` bytes of `nrecords` records into chunk c (len <= c->cap). */
static void chunk_fill(struct chunk *c, const uint8_t *buf, size_t len, uint32_t nrecords)
{
	uint32_t n = nrecords + (len < c->cap);

	memcpy(rec.map + c->off, buf, len);
	if (len < c->cap)
		put_pad(c->off + len, c->cap - len);
	rec.nrecords = rec.nrecords - c->nrecords + n;
	c->nrecords = n;
}

/* Take chunk c out of the record (padding, or given back at the end). */
static void chunk_kill(struct chunk *c)
{
	struct chunk **pp = &rec.buckets[bucket_of(c->key)];

	while (*pp != c)
		pp = &(*pp)->hnext;
	*pp = c->hnext;
	rec.nchunks--;
	if (c->off + c->cap == rec.used) {
		rec.used = c->off;
		rec.nrecords -= c->nrecords;
	} else {
		put_pad(c->off, c->cap);
		rec.nrecords -= c->nrecords - 1;
		rec.dead += c->cap;
	}
	*(c->prev ? &c->prev->next : &rec.first) = c->next;
	*(c->next ? &c->next->prev : &rec.last) = c->prev;
	free(c);
}

/* A new chunk of `cap` bytes at the end of the record (mapped already). */
static struct chunk *chunk_append(const void *key, size_t cap)
{
	struct chunk *c = calloc(1, sizeof(*c));
	size_t b;

	if (!c || !table_room()) {
		free(c);
		return NULL;
	}
	b = bucket_of(key);
	*c = (struct chunk){
	    .key = key, .off = rec.used, .cap = cap, .hnext = rec.buckets[b], .prev = rec.last};
	rec.buckets[b] = c;
	*(rec.last ? &rec.last->next : &rec.first) = c;
	rec.last = c;
	rec.nchunks++;
	rec.used += cap;
	return c;
}

/* Move the live chunks together once dead ones are half the record. */
static void compact(void)
{
	size_t to = HEADER_SIZE;

	if (rec.dead < COMPACT_MIN || rec.dead < (rec.used - HEADER_SIZE) / 2)
		return;
	rec.nrecords = 0;
	for (struct chunk *c = rec.first; c; c = c->next) {
		memmove(rec.map + to, rec.map + c->off, c->cap);
		c->off = to;
		to += c->cap;
		rec.nrecords += c->nrecords;
	}
	rec.used = to;
	rec.dead = 0;
}

/* Put `key`'s records (w's buffer from `from`, `nrecords` of them) in
 * the record: in its chunk if they fit, else in a new one. */
static bool record_put(const void *key, const struct dp_intro_writer *w, size_t from, size_t len,
		       uint32_t nrecords)
{
	struct chunk *c = chunk_find(key);

	if (c && len <= c->cap) {
		chunk_fill(c, w->buf + from, len, nrecords);
		return true;
	}
	if (c)
		chunk_kill(c);
	if (!record_room(rec.used + len))
		return false;
	c = chunk_append(key, len);
	if (!c)
		return false;
	chunk_fill(c, w->buf + from, len, nrecords);
	return true;
}

/* The whole record, from the core's walker: a process's (or fork
 * child's) first update. */
static void record_rebuild(void)
{
	struct dp_intro_writer w = {0};
	bool ok = true;

	record_reset();
	forked = false;
	if (!dp_registry_introspect || dp_registry_introspect(&w) < 0 || w.failed)
		goto out;
	if (w.is_open)
		dp_intro_end(&w);
	if (!w.nmarks || !record_room(HEADER_SIZE + w.len))
		goto out;
	write_begin();
	for (size_t i = 0; ok && i < w.nmarks; i++) {
		size_t end = i + 1 < w.nmarks ? w.marks[i + 1].off : w.len;
		uint32_t n = (i + 1 < w.nmarks ? w.marks[i + 1].nrecords_before : w.nrecords) -
			     w.marks[i].nrecords_before;
		ok = record_put(w.marks[i].key, &w, w.marks[i].off, end - w.marks[i].off, n);
	}
	write_end();
out:
	writer_free(&w);
}

void dp_introspect_update(const void *provider)
{
	struct dp_intro_writer w = {0};

	pthread_once(&fork_once, fork_register);
	pthread_mutex_lock(&record_lock);
	if (forked || !rec.map) {
		record_rebuild(); /* includes this provider */
		goto out;
	}
	if (!dp_provider_introspect || dp_provider_introspect(provider, &w) < 0 || w.failed)
		goto out;
	if (w.is_open)
		dp_intro_end(&w);
	write_begin();
	if (!record_put(provider, &w, 0, w.len, w.nrecords)) {
		struct chunk *c = chunk_find(provider);
		if (c) /* out of memory: better absent than stale */
			chunk_kill(c);
	}
	compact();
	write_end();
out:
	pthread_mutex_unlock(&record_lock);
	writer_free(&w);
}

void dp_introspect_forget(const void *provider)
{
	struct chunk *c;

	pthread_once(&fork_once, fork_register);
	pthread_mutex_lock(&record_lock);
	if (forked) {
		/* The provider has left the registry already. */
		record_rebuild();
	} else if (rec.map && (c = chunk_find(provider))) {
		write_begin();
		chunk_kill(c);
		compact();
		write_end();
	}
	pthread_mutex_unlock(&record_lock);
}

/* fork(): the record's lock is the outermost of the library's (it is held
 * around the registry walk), so the core's fork handlers take it first
 * and release it last. */
void dp_introspect_fork_prepare(void)
{
	pthread_mutex_lock(&record_lock);
}

void dp_introspect_fork_done(void)
{
	pthread_mutex_unlock(&record_lock);
}
