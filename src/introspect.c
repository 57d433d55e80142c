/* SPDX-License-Identifier: MIT */
/*
 * introspect.c - keeps this process's introspection record (see
 * introspect_format.h) up to date for `dynprobe list`.
 *
 * The record lives in a memfd mapped MAP_SHARED, so that rewriting it
 * costs no system call (readers pread() the memfd through
 * /proc/PID/map_files).  A rewrite builds the whole record in a private
 * buffer first, then copies it in under the generation word: odd while
 * copying, the next even value after.  The mapping is MADV_DONTFORK: a
 * child starts a record of its own at its first update instead of writing
 * into its parent's.
 *
 * Cost: a rewrite is linear in the number of providers and probes of the
 * process (about 20 bytes per probe); it happens at load, unload and free,
 * never on the fire path.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "introspect.h"

struct dp_intro_writer {
	uint8_t *buf;
	size_t len, cap;
	size_t open; /* offset of the record being written, or 0 */
	uint32_t nrecords;
	bool failed; /* out of memory: publish nothing */
};

/* Weak: the core defines it; without it there is nothing to describe. */
extern int dp_registry_introspect(struct dp_intro_writer *w) __attribute__((weak));

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

	if (w->open)
		dp_intro_end(w);
	w->open = w->len;
	put(w, &t, sizeof(t));
}

void dp_intro_end(struct dp_intro_writer *w)
{
	static const uint8_t pad[8];
	uint32_t len;

	if (!w->open || w->failed)
		return;
	len = (uint32_t)(w->len - w->open - sizeof(struct dp_intro_tlv));
	memcpy(w->buf + w->open + offsetof(struct dp_intro_tlv, len), &len, sizeof(len));
	put(w, pad, (8 - len % 8) % 8);
	w->open = 0;
	w->nrecords++;
}

void dp_intro_put_provider(struct dp_intro_writer *w, const char *name, unsigned int backends,
			   unsigned int loaded, size_t nprobes,
			   const struct dp_probe_desc *const *probes)
{
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

/* The published record: this process's memfd and its shared mapping. */
static pthread_mutex_t record_lock = PTHREAD_MUTEX_INITIALIZER;
static int record_fd = -1;
static uint8_t *record_map;
static size_t record_cap;
static pid_t record_pid;

/* A mapping of at least `need` bytes, made or grown; false on failure. */
static bool record_room(size_t need)
{
	size_t cap = record_cap ? record_cap : 4096;
	uint8_t *m;

	if (record_pid != getpid()) { /* a fork child: the parent's is not ours */
		if (record_fd >= 0)
			close(record_fd);
		record_fd = -1, record_map = NULL, record_cap = 0;
		record_pid = getpid();
	}
	if (record_map && need <= record_cap)
		return true;
	while (cap < need)
		cap *= 2;
	if (record_fd < 0) {
		record_fd = memfd_create(DP_INTRO_MEMFD_NAME, MFD_CLOEXEC);
		if (record_fd < 0)
			return false;
	}
	if (ftruncate(record_fd, (off_t)cap) < 0)
		return false;
	m = record_map ? mremap(record_map, record_cap, cap, MREMAP_MAYMOVE)
		       : mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_SHARED, record_fd, 0);
	if (m == MAP_FAILED)
		return false;
	madvise(m, cap, MADV_DONTFORK);
	record_map = m;
	record_cap = cap;
	return true;
}

/* Copy the built record in under the generation word. */
static void record_publish(struct dp_intro_writer *w)
{
	struct dp_intro_header *live = (struct dp_intro_header *)record_map;
	struct dp_intro_header h = {
	    .magic = DP_INTRO_MAGIC,
	    .major = DP_INTRO_MAJOR,
	    .minor = DP_INTRO_MINOR,
	    .header_size = sizeof(h),
	    .size = (uint32_t)w->len,
	    .nrecords = w->nrecords,
	};
	uint32_t gen = __atomic_load_n(&live->generation, __ATOMIC_RELAXED);

	__atomic_store_n(&live->generation, gen | 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	memcpy(record_map + sizeof(h), w->buf + sizeof(h), w->len - sizeof(h));
	h.generation = (gen | 1) + 1;
	memcpy(live, &h, offsetof(struct dp_intro_header, generation));
	memcpy(&live->size, &h.size, sizeof(h) - offsetof(struct dp_intro_header, size));
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&live->generation, h.generation, __ATOMIC_RELAXED);
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

void dp_introspect_update(void)
{
	struct dp_intro_writer w = {0};
	struct dp_intro_header h = {0};

	if (!dp_registry_introspect)
		return;
	put(&w, &h, sizeof(h)); /* room for the header: records start after it */
	pthread_mutex_lock(&record_lock);
	dp_registry_introspect(&w);
	if (w.open)
		dp_intro_end(&w);
	/* A process that never loaded anything keeps no record. */
	if (!w.failed && (w.nrecords || record_map) && record_room(w.len))
		record_publish(&w);
	pthread_mutex_unlock(&record_lock);
	free(w.buf);
}
