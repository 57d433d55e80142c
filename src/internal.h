/* SPDX-License-Identifier: MIT */
/*
 * internal.h - the library's shared internals: provider and probe objects,
 * the converted-value representation handed to backends, and the
 * descriptions backends build from (backend.h has the backend interface).
 * Nothing here is installed.
 */
#ifndef DYNPROBE_INTERNAL_H
#define DYNPROBE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dynprobe.h"

#define DP_HIDDEN __attribute__((visibility("hidden")))

/* The provider and probe descriptions, and the name validator: the
 * generator's (tp/), which the library builds on. */
#include "tp.h"

/* One fired argument after conversion to its declared type: integers are
 * truncated to the declared width and then sign- or zero-extended to 64 bits,
 * exactly as C assignment to the declared type would; doubles are doubles;
 * strings are pointers (possibly NULL). */
union dp_value {
	int64_t i;
	uint64_t u;
	double d;
	const char *s;
};

/* One probe's site on one backend, filled by the backend's load() (see
 * backend.h): the watch base it offers to the inline check (NULL: none)
 * and two words only that backend reads. */
struct dp_site {
	const volatile uint8_t *watch;
	uintptr_t word[2];
};

/* A provider publishes on at most this many backends at once. */
#define DP_PROBE_SITES 2

/* Per-probe sites of one load, as the slow path reads them.  backend[k]
 * is 1 + the table index of the backend whose site is sites[k], 0 when
 * site k is not loaded (nothing loaded: not loaded at all).  Unloading
 * clears backend[] and keeps the sites, for a reload of the same images.
 * A slot has room for dp_slot.room sites only (its provider's backends,
 * fixed for the slot's life): copy it with dp_live_words(), never whole. */
struct dp_probe_live {
	uint8_t backend[DP_PROBE_SITES];
	uint8_t nargs;
	uint8_t types[DYNPROBE_MAX_ARGS]; /* enum dynprobe_type */
	struct dp_site sites[DP_PROBE_SITES];
};

/*
 * The probe's signature as the fire path hands it to a backend's
 * site_fire_args(): the first 16 bytes of dp_probe_live (its backend
 * numbers, count and types row) as one 128-bit integer, which the calling
 * convention passes in two registers (a struct of two words, GCC copies
 * through the stack).  Nothing on the way from the handle to the
 * tracer's read lock is copied to memory: every store before that lock's
 * full barrier is waited for (fire.c).  Read with dp_sig_nargs() and
 * dp_sig_type(); the core sets the count to DP_SIG_BAD_COUNT when the
 * caller fired another number of arguments, so that the backend reports
 * the mismatch only when enabled.
 */
typedef unsigned __int128 dp_fire_sig;
#define DP_SIG_BAD_COUNT 0xffu
#define DP_SIG_NARGS_SHIFT (8 * offsetof(struct dp_probe_live, nargs))
_Static_assert(offsetof(struct dp_probe_live, nargs) == 2 &&
		       offsetof(struct dp_probe_live, types) == 3 &&
		       offsetof(struct dp_probe_live, types) + DYNPROBE_MAX_ARGS <=
			       sizeof(dp_fire_sig) &&
		       DYNPROBE_MAX_ARGS < DP_SIG_BAD_COUNT &&
		       __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "dp_fire_sig is the first 16 bytes of dp_probe_live, little-endian");

static inline unsigned int dp_sig_nargs(dp_fire_sig sig)
{
	return (unsigned int)(sig >> DP_SIG_NARGS_SHIFT) & 0xffu;
}

/* Type i (< dp_sig_nargs()), from the registers: no copy to memory. */
static inline unsigned int dp_sig_type(dp_fire_sig sig, unsigned int i)
{
	return (unsigned int)(sig >> (8 * (offsetof(struct dp_probe_live, types) + i))) & 0xffu;
}

static inline size_t dp_live_words(unsigned int nsites)
{
	return (offsetof(struct dp_probe_live, sites) + nsites * sizeof(struct dp_site)) /
	       sizeof(uint64_t);
}

/*
 * A probe is two objects (slots.c):
 *
 *   the handle   struct dynprobe_probe, what the application keeps: the
 *                watch base dynprobe.h's inline check reads (first), and
 *                the index and generation of the probe's slot.  Handles
 *                live in arenas that are never unmapped and are never
 *                reused, so a handle kept past its provider's free can
 *                never name another probe.  A handle that was freed reads
 *                as an idle base and generation 0, which no slot has:
 *                inert, and detected by every entry point.
 *   the slot     struct dp_slot, what the library keeps: the probe's
 *                sites under a sequence counter (fire.c), its provider
 *                and names.  Slots come from a never-freed table and are
 *                reused; the generation changes at every release.
 */
struct dynprobe_probe {
	struct dynprobe__watch watch; /* first: dynprobe.h reads it inline */
	uint32_t slot;
	uint32_t gen; /* 0: never a live probe */
};

struct dp_slot {
	unsigned int seq;         /* odd while a writer changes gen or live */
	uint32_t gen;             /* the live handle's, or a newer one once released */
	struct dynprobe_provider *provider;
	struct dynprobe_site *sites; /* bound sites, kept in step with the watch */
	union {
		/* Live: where the probe's name is in its provider's name
		 * blocks (probe.c: block << 12 | offset); its explicit
		 * argument names follow it. */
		uint32_t name;
		/* Free: the free list, 1-based within the slot's class (0: none). */
		uint32_t next_free;
	};
	uint16_t arg_named;       /* bit i: argument i has an explicit name */
	int8_t loglevel;          /* DYNPROBE_LOGLEVEL_* */
	uint8_t room;             /* sites the slot has room for, set when it is made */
	/* Last: a slot is allocated with room for `room` sites only (72
	 * bytes for one site, 96 for two). */
	struct dp_probe_live live;
};

/* Bytes of a slot with room for `nsites` sites. */
#define DP_SLOT_SIZE(nsites) \
	(offsetof(struct dp_slot, live.sites) + (nsites) * sizeof(struct dp_site))

/* slots.c.  New probe: a fresh handle naming a fresh slot with room for
 * `nsites` sites (zeroed but for gen, seq and room), and the handle's
 * number for dp_probe_at().  NULL when out of memory. */
DP_HIDDEN struct dynprobe_probe *dp_probe_new(unsigned int nsites, struct dp_slot **ret_slot,
					      uint32_t *ret_number);
/* The handle dp_probe_new() numbered so (what a provider keeps: 4 bytes
 * a probe rather than a pointer's 8). */
DP_HIDDEN struct dynprobe_probe *dp_probe_at(uint32_t number);
/* Release: the slot's generation moves on (the handle is stale from then
 * on), the handle reads idle, its memory is returned when its page is all
 * dead, and the slot is reused.  Sites must be unbound and the probe
 * unpublished first. */
DP_HIDDEN void dp_probe_release(struct dynprobe_probe *probe);
/* The slot of a live handle; NULL for NULL, a stale or a foreign handle. */
DP_HIDDEN struct dp_slot *dp_probe_slot(const struct dynprobe_probe *probe);
/* The slot a handle names, whether or not it is still the handle's (the
 * fire path checks the generation under the sequence counter); NULL when
 * it names none. */
DP_HIDDEN struct dp_slot *dp_probe_slot_unchecked(const struct dynprobe_probe *probe);
/* Fork handlers for the slot and handle allocators. */
DP_HIDDEN void dp_probes_lock(void);
DP_HIDDEN void dp_probes_unlock(void);

/* slots.c's slot table, which the fire path reads without a lock: a
 * slot index is its class (top bit: room for 1 or DP_PROBE_SITES sites)
 * and its number within the class; chunks of DP_SLOT_CHUNK slots are
 * published with a store-release and never freed. */
#define DP_SLOT_CLASS_BIT 31
#define DP_SLOT_CHUNK_BITS 8
#define DP_SLOT_CHUNK (1u << DP_SLOT_CHUNK_BITS)
#define DP_SLOT_CHUNKS_MAX (1u << 16) /* 16 M probes per class alive at once */
DP_HIDDEN extern char *dp_slot_chunks[DP_PROBE_SITES][DP_SLOT_CHUNKS_MAX];
DP_HIDDEN extern uint32_t dp_slot_count[DP_PROBE_SITES]; /* slots ever made, per class */

/* The slot with this index, or NULL when there is none (inline: the
 * fire path's first step). */
static inline struct dp_slot *dp_slot_at(uint32_t index)
{
	unsigned int c = index >> DP_SLOT_CLASS_BIT;
	uint32_t i = index & ~(1u << DP_SLOT_CLASS_BIT);
	char *chunk;

	if (i >= __atomic_load_n(&dp_slot_count[c], __ATOMIC_ACQUIRE))
		return NULL;
	chunk = __atomic_load_n(&dp_slot_chunks[c][i >> DP_SLOT_CHUNK_BITS], __ATOMIC_ACQUIRE);
	return chunk ? (struct dp_slot *)(void *)(chunk +
						  (i & (DP_SLOT_CHUNK - 1)) * DP_SLOT_SIZE(c + 1))
		     : NULL;
}

/* ---- shared helpers ---- */
/* Per declared type, what dp_convert_one() does in one step, in one word:
 * bits 0-7 the kinds taken as they are (bit k: DYNPROBE_KIND k), bits
 * 8-13 the shift that, left then right (arithmetic with DP_CONV_SIGNED),
 * truncates a 64-bit value to the declared width and extends it back.  A
 * string or a double keeps its 8 bytes (shift 0).  Bits 24-31: every kind
 * accepted at all (dp_args_match()).  Sixteen entries, the unused ones 0
 * (nothing taken), so that any type indexes it masked.  A double declared
 * and an integer fired is the one conversion that changes representation:
 * dp_convert_one() does it aside. */
#define DP_CONV_SIGNED (1u << 16)
#define DP_CONV_ACCEPT_SHIFT 24
#define DP_KIND_BIT(k) (1u << DYNPROBE_KIND_##k)
#define DP_CONV_KINDS(taken, accepted) ((taken) | (accepted) << DP_CONV_ACCEPT_SHIFT)
#define DP_CONV_INT(bits, sign)                                                                    \
	(DP_CONV_KINDS(DP_KIND_BIT(INT) | DP_KIND_BIT(UINT), DP_KIND_BIT(INT) | DP_KIND_BIT(UINT)) | \
	 (64u - (bits)) << 8 | ((sign) ? DP_CONV_SIGNED : 0))
/* clang-format off */
static const uint32_t dp_conv_table[16] = {
	[DYNPROBE_I8] = DP_CONV_INT(8, 1),   [DYNPROBE_U8] = DP_CONV_INT(8, 0),
	[DYNPROBE_I16] = DP_CONV_INT(16, 1), [DYNPROBE_U16] = DP_CONV_INT(16, 0),
	[DYNPROBE_I32] = DP_CONV_INT(32, 1), [DYNPROBE_U32] = DP_CONV_INT(32, 0),
	[DYNPROBE_I64] = DP_CONV_INT(64, 1), [DYNPROBE_U64] = DP_CONV_INT(64, 0),
	[DYNPROBE_STR] = DP_CONV_KINDS(DP_KIND_BIT(STR), DP_KIND_BIT(STR)),
	[DYNPROBE_DOUBLE] = DP_CONV_KINDS(DP_KIND_BIT(DOUBLE),
					  DP_KIND_BIT(DOUBLE) | DP_KIND_BIT(INT) | DP_KIND_BIT(UINT)),
};
/* clang-format on */
#undef DP_CONV_INT
#undef DP_CONV_KINDS
_Static_assert(DYNPROBE_TYPE_MAX <= 16 && DYNPROBE_KIND_STR < 8, "dp_conv_table's layout");

/* Convert one fired value to the declared type as C assignment would;
 * false for a string where a number is declared, or the reverse.  Inline
 * (and dp_convert_args()) because it is on the fire path, in the core's
 * generic fire and in a backend's site_fire_args() alike: a table look-up,
 * a kind test and two shifts, no jump table. */
static inline __attribute__((always_inline)) bool
dp_convert_one(enum dynprobe_type t, const struct dynprobe_arg *a, union dp_value *out)
{
	unsigned int k = (unsigned int)a->kind;
	uint32_t c = dp_conv_table[(unsigned int)t & 15];
	unsigned int shift = (c >> 8) & 63;
	uint64_t x;

	if (__builtin_expect(k < 8 && (c >> k) & 1, 1)) {
		x = a->v.u << shift; /* INT is already sign-extended to 64 bits */
		out->u = c & DP_CONV_SIGNED ? (uint64_t)((int64_t)x >> shift) : x >> shift;
		return true;
	}
	if (t != DYNPROBE_DOUBLE)
		return false;
	if (k == DYNPROBE_KIND_INT)
		out->d = (double)a->v.i;
	else if (k == DYNPROBE_KIND_UINT)
		out->d = (double)a->v.u;
	else
		return false;
	return true;
}

/* A fired argument array against a probe's declared types row (`ntypes`
 * types): every value converted into out[], or false (out[] then holds
 * nothing usable) when the count or a kind does not match. */
static inline __attribute__((always_inline)) bool dp_convert_args(const uint8_t *types,
								  size_t ntypes,
								  const struct dynprobe_arg *args,
								  size_t nargs, union dp_value *out)
{
	if (nargs != ntypes)
		return false;
	for (size_t i = 0; i < nargs; i++)
		if (!dp_convert_one((enum dynprobe_type)types[i], &args[i], &out[i]))
			return false;
	return true;
}

/* The kind a C expression of each declared type fires as (DYNPROBE__ARG:
 * signed integers INT, unsigned UINT): the usual call, checked first. */
/* clang-format off */
static const uint8_t dp_natural_kind[16] = {
	[DYNPROBE_I8] = DYNPROBE_KIND_INT,   [DYNPROBE_U8] = DYNPROBE_KIND_UINT,
	[DYNPROBE_I16] = DYNPROBE_KIND_INT,  [DYNPROBE_U16] = DYNPROBE_KIND_UINT,
	[DYNPROBE_I32] = DYNPROBE_KIND_INT,  [DYNPROBE_U32] = DYNPROBE_KIND_UINT,
	[DYNPROBE_I64] = DYNPROBE_KIND_INT,  [DYNPROBE_U64] = DYNPROBE_KIND_UINT,
	[DYNPROBE_STR] = DYNPROBE_KIND_STR,  [DYNPROBE_DOUBLE] = DYNPROBE_KIND_DOUBLE,
};
/* clang-format on */

/* Every kind against the accepted ones (dp_conv_table's bits 24-31). */
static __attribute__((noinline, unused)) bool
dp_args_match_any(const uint8_t *types, const struct dynprobe_arg *args, size_t nargs)
{
	uint32_t ok = 1, kinds = 0;

	for (size_t i = 0; i < nargs; i++) {
		unsigned int k = (unsigned int)args[i].kind;

		kinds |= k; /* any kind past 7 (or negative) fails below */
		ok &= dp_conv_table[types[i] & 15u] >> (DP_CONV_ACCEPT_SHIFT + (k & 7u));
	}
	return (ok & 1) && kinds < 8;
}

/* Whether dp_convert_args() would succeed, without converting: the count,
 * then every kind against the declared type, first (a few instructions an
 * argument) whether each is the type's natural kind.  For a backend that
 * serializes straight from the caller's array (the LTTng runtime mode):
 * after this, dp_convert_one() cannot fail on any of them, and an
 * integer's first `width` bytes (little-endian) are already the value
 * truncated to the declared width, as C assignment would. */
static inline __attribute__((always_inline)) bool dp_args_match(const uint8_t *types, size_t ntypes,
								const struct dynprobe_arg *args,
								size_t nargs)
{
	unsigned int diff = 0;

	if (nargs != ntypes)
		return false;
	for (size_t i = 0; i < nargs; i++)
		diff |= (unsigned int)args[i].kind ^ dp_natural_kind[types[i] & 15u];
	return __builtin_expect(diff == 0, 1) || dp_args_match_any(types, args, nargs);
}

/* dp_convert_args() from a signature in registers. */
static inline __attribute__((always_inline)) bool
dp_sig_convert_args(dp_fire_sig sig, const struct dynprobe_arg *args, union dp_value *out)
{
	unsigned int n = dp_sig_nargs(sig);

	if (n > DYNPROBE_MAX_ARGS)
		return false;
	for (unsigned int i = 0; i < n; i++)
		if (!dp_convert_one((enum dynprobe_type)dp_sig_type(sig, i), &args[i], &out[i]))
			return false;
	return true;
}

/* dp_convert_one() out of line (tests). */
DP_HIDDEN bool dp_convert_arg(enum dynprobe_type type, const struct dynprobe_arg *arg,
			      union dp_value *out);
/* fire.c.  The writer's own copy of a slot's live sites (writers of one
 * probe are serialized). */
DP_HIDDEN void dp_slot_live(const struct dp_slot *slot, struct dp_probe_live *live);
/* Publish a load's sites (backend[] all 0: not loaded) to the slow path
 * and point the inline watch (the handle and bound sites) at them; NULL
 * keeps the sites and clears backend[].  Writers of one probe must be
 * serialized. */
DP_HIDDEN void dp_probe_publish(struct dynprobe_probe *probe, struct dp_slot *slot,
				const struct dp_probe_live *live);
/* Bump the slot's generation under its sequence counter: from now on no
 * reader acts on the slot for the old handle. */
DP_HIDDEN void dp_slot_retire(struct dp_slot *slot);
/* A consistent copy of the slot's live sites and generation (sites past
 * its room zeroed); false if a writer kept changing them. */
DP_HIDDEN bool dp_slot_read(const struct dp_slot *slot, struct dp_probe_live *live, uint32_t *gen);
/* The one name validator, dp_name_check(), is tp.h's (tp/tp_names.c). */

/* Environment variables, read with secure_getenv() (env.c owns the list). */
enum dp_env_var {
	DP_ENV_DEBUG,
	DP_ENV_BACKENDS,
	DP_ENV_LTTNG_MODE,
	DP_ENV_CACHE_DIR,
	DP_ENV_TP_PATH,
	DP_ENV_USDT_DIR,
	DP_ENV_USDT_STUB,
	DP_ENV_USDT_NO_MEMFD,
	DP_ENV_CC,
	DP_ENV_PATH,
	DP_ENV_TMPDIR,
	DP_ENV_HOME,
	DP_ENV_XDG_CACHE_HOME,
	DP_ENV_XDG_RUNTIME_DIR,
	DP_ENV_COUNT
};
/* The variable's value, or NULL when unset or in a privileged process. */
DP_HIDDEN const char *dp_env(enum dp_env_var var);
DP_HIDDEN const char *dp_env_name(enum dp_env_var var);
/* Messages to the application's log handler (dynprobe_set_log_handler;
 * by default stderr when DYNPROBE_DEBUG is set), at a dynprobe_log_level:
 * every message says how much it matters.  Preserves errno. */
DP_HIDDEN void dp_logl(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* DYNPROBE_INTERNAL_H */
