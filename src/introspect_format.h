/* SPDX-License-Identifier: MIT */
/*
 * introspect_format.h - the per-process introspection record: the one
 * definition shared by the library, which keeps it up to date
 * (introspect.c), and `dynprobe list`, which reads it out of other
 * processes (introspect_reader.c, fuzzed by tests/fuzz/fuzz_list_record.c).
 *
 * Why: a backend may keep nothing a reader can find on its own (an LTTng
 * provider built in memory maps no file), and a mapping cannot say why a
 * USDT image is private or whether an LTTng provider is loaded.  So every
 * process that loads a provider keeps one memfd named DP_INTRO_MEMFD_NAME,
 * mapped shared (`dynprobe list` finds it in /proc/PID/maps and reads it
 * through /proc/PID/map_files), updated after every load, unload and free
 * (one provider's records at a time, introspect.c):
 *
 *   struct dp_intro_header
 *   records, each a struct dp_intro_tlv and `len` payload bytes (then
 *   padding to 8):
 *     DP_INTRO_PROVIDER   one per provider:
 *                         u32 backends, u32 loaded, str name, u32 nprobes,
 *                         then per probe: str name, u8 nargs, u8 types[12]
 *     DP_INTRO_BACKEND    after its provider, one per loaded backend:
 *                         u32 backend (DYNPROBE_BACKEND_*), u32 version,
 *                         then that backend's fields (below)
 *     DP_INTRO_PAD        (minor 1) anywhere between providers, never
 *                         between a provider and its backend records:
 *                         space the writer keeps for later, to skip
 *
 * u32/u64 are little-endian (the host's), str is a u32 length and that many
 * bytes (no NUL).  Addresses are in the writing process.  Readers check
 * every length against what is left and skip what they do not know;
 * writers only append fields (minor version) or bump the major.
 *
 * Consistency: `generation` is odd while the writer rewrites the record;
 * a reader copies the record, and uses it only if the generation was even
 * and unchanged before and after the copy (else it retries).
 */
#ifndef DYNPROBE_INTROSPECT_FORMAT_H
#define DYNPROBE_INTROSPECT_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dynprobe.h"

#define DP_INTRO_MEMFD_NAME "dynprobe-introspect"
#define DP_INTRO_MAGIC 0x4e495044u /* "DPIN" */
#define DP_INTRO_MAJOR 1
#define DP_INTRO_MINOR 1	      /* 1: DP_INTRO_PAD records */
#define DP_INTRO_MAX_SIZE (64u << 20) /* readers refuse more */

struct dp_intro_header {
	uint32_t magic;
	uint16_t major, minor;
	uint32_t header_size; /* sizeof(struct dp_intro_header); records follow */
	uint32_t generation;  /* odd: being rewritten */
	uint32_t size;	      /* bytes in use, header included */
	uint32_t nrecords;
	uint32_t reserved[2];
};

struct dp_intro_tlv {
	uint16_t type;	/* DP_INTRO_* */
	uint16_t flags; /* 0 */
	uint32_t len;	/* payload bytes that follow */
};

enum {
	DP_INTRO_PROVIDER = 1,
	DP_INTRO_BACKEND = 2,
	DP_INTRO_PAD = 3, /* room the writer keeps or gave up: skipped */
};

/* The USDT backend's fields, version 1:
 *   u32 state (DP_USDT_STATE_*), u32 kind (DP_INTRO_USDT_*),
 *   u64 base (the image's mapping), str where (the shared file's path, or
 *   why the image is private), u32 nprobes, then per probe u64 stub and
 *   u64 semaphore addresses. */
#define DP_INTRO_USDT_VERSION 1
enum {
	DP_INTRO_USDT_FILE = 1,
	DP_INTRO_USDT_MEMFD,
	DP_INTRO_USDT_TMPFILE,
};

/* The LTTng backend's fields, version 1:
 *   u32 mode (DP_INTRO_LTTNG_*), u32 loaded (1 loaded, 0 unloaded),
 *   str object (the compiled object's path, or empty in runtime mode),
 *   u32 nprobes, then per probe u64 address of lttng-ust's `int` enabled
 *   state of the event (0: none). */
#define DP_INTRO_LTTNG_VERSION 1
enum {
	DP_INTRO_LTTNG_RUNTIME = 1,
	DP_INTRO_LTTNG_COMPILED,
	DP_INTRO_LTTNG_PREBUILT,
};

/* ---- reading (introspect_reader.c) ---- */

#define DP_INTRO_MAX_WHERE 512

/* One probe of a provider, with what each backend said about it. */
struct dp_intro_read_probe {
	char name[DYNPROBE_MAX_PROBE_NAME + 1];
	uint8_t nargs;
	uint8_t types[DYNPROBE_MAX_ARGS]; /* 0 where unknown */
	uint64_t usdt_stub, usdt_sem;	  /* 0: not on USDT */
	uint64_t lttng_state;		  /* 0: not on LTTng or no state */
};

struct dp_intro_read_provider {
	char name[DYNPROBE_MAX_PROVIDER_NAME + 1];
	uint32_t backends, loaded; /* DYNPROBE_BACKEND_* masks */
	bool has_usdt, has_lttng;  /* a backend record was seen */
	uint32_t usdt_state, usdt_kind;
	uint64_t usdt_base;
	char usdt_where[DP_INTRO_MAX_WHERE];
	uint32_t lttng_mode, lttng_loaded;
	char lttng_object[DP_INTRO_MAX_WHERE];
	uint32_t nprobes;	       /* entries in probes[] */
	struct dp_intro_read_probe *probes; /* owned by the reader: valid during the callback */
};

/* Parse `len` untrusted bytes (a copy of the record).  Calls `fn` once per
 * well-formed provider, after its backend records; a non-zero return
 * stops.  Returns the number of providers reported, -EAGAIN when the copy
 * was taken mid-rewrite (odd generation), or -EINVAL when the bytes are
 * not a record of a major version this reader knows. */
typedef int (*dp_intro_read_fn)(const struct dp_intro_read_provider *provider, void *arg);
int dp_intro_read(const uint8_t *buf, size_t len, uint32_t *ret_generation, dp_intro_read_fn fn,
		  void *arg);

#endif
