/* SPDX-License-Identifier: MIT */
/*
 * lttng_runtime.c - the LTTng backend's runtime mode: an lttng-ust
 * tracepoint provider built in memory from the probes' descriptions, with
 * no compiler, no headers and no cache; only liblttng-ust.so.1 is needed.
 *
 * What LTTNG_UST_TRACEPOINT_EVENT expands to in a compiled provider is
 * data plus one probe function per event; here the data is built at load
 * time and one generic probe function serves every event:
 *
 *   descriptors   per provider a struct lttng_ust_probe_desc (provider
 *                 name, ABI 3.0), per probe an event descriptor (name, log
 *                 level) and a tracepoint class (fields, signature, the
 *                 generic callback), per argument a field (name from
 *                 arg_names, type shared by every field of that type:
 *                 integer of the declared width and sign, base 10; UTF-8
 *                 string; double).  Registered with lttng_ust_probe_register().
 *   call sites    per probe one struct lttng_ust_tracepoint (the record
 *                 lttng-ust writes `state` and `probes` into), registered
 *                 with lttng_ust_tracepoint_module_register().  Each record
 *                 is placed where the inline check in dynprobe.h reads: in
 *                 the probe's USDT cell when the provider is also on USDT
 *                 (the state is the cell's first word, so one compare covers
 *                 both backends), else in a record slot (lttng_records.c).
 *   firing        dp_lttng_site_fire_args() (the core jumps to it for a
 *                 probe on LTTng only) reads the state word DISTANCE after
 *                 the site's watch base and, when set, jumps to what a
 *                 compiled call site does (rt_fire(): RCU read lock, then
 *                 rt_call_probes(): the event's generation, the fired
 *                 kinds against the event's types in one pass
 *                 (dp_args_match(): nothing converted or copied), every
 *                 attached probe; unlock).  Nothing is stored before the
 *                 lock but what rt_fire() keeps across its call.  When the
 *                 one probe attached is our own callback, its body is
 *                 inlined rather than called through the array.  The
 *                 body (rt_probe()) does what a compiled probe does,
 *                 driven by the event's type table: session/channel/event
 *                 checks, the filter (its stack, one 8-byte slot per field,
 *                 converted only when a filter or a notifier needs it),
 *                 then reserve, the fixed fields packed straight from the
 *                 caller's array (an integer's low bytes are its
 *                 C-assignment truncation) and written one run per
 *                 event_write(), strings with event_strcpy(), commit (an
 *                 event of fixed fields then at most one string on a
 *                 straight path, found at load); or, for an event notifier
 *                 (trigger), the capture stack and notification_send().
 *                 A probe also on USDT comes through site_fire() with
 *                 converted values (dp_lttng_rt_fire()), the same body.
 *
 * After loading, `lttng list -u -f` shows for `probe request u64:latency
 * str:path` in provider app exactly what the compiled mode shows:
 *
 *	      app:request (loglevel: TRACE_DEBUG_LINE (13)) (type: tracepoint)
 *	        field: path (string)
 *	        field: latency (integer)
 *
 * Lifetime: descriptors are freed only after the provider is unregistered
 * and an lttng-ust RCU grace period has passed.  What a fire reads before
 * it holds the RCU read lock (the site's ctx: a struct rt_event) lives in
 * a slab that is never freed; its slots are reused, and their generation
 * (odd while dead) tells a stale fire that its event is gone, so a fire
 * racing an unload either records into the event it was given or does
 * nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lttng.h"
#include "tp.h"

/* The signature lttng-ust compares between call site and class.  Our own
 * prefix keeps callers with another argument convention (a compiled
 * provider of the same name, another build of this library) from ever
 * being attached to our callback. */
#define RT_SIGNATURE_PREFIX "dynprobe-runtime-2("

#define RT_STATE_OFFSET offsetof(struct dp_ust_tracepoint, state)

/* What the fire path reads; in the never-freed slab below. */
struct rt_event {
	uint64_t gen;                         /* odd: dead or being set up */
	struct dp_ust_tracepoint *record;
	uint32_t fixed_size;                  /* payload without the strings */
	uint8_t nfields;
	uint8_t nstrings;
	uint8_t ndoubles;
	bool one_run;                         /* fixed-size fields, then at most one string */
	uint8_t type[DYNPROBE_MAX_ARGS];      /* enum dynprobe_type */
	uint8_t bytes[DYNPROBE_MAX_ARGS];     /* in the ring buffer; 0: a string */
	uint8_t strings[DYNPROBE_MAX_ARGS];   /* the string fields' indexes */
	struct rt_event *next_free;
};

struct dp_lttng_rt {
	const struct dp_ust_lib *ust;
	size_t n;
	void *registered;                     /* lttng_ust_probe_register()'s */
	bool records_registered;
	struct rt_event **events;             /* [n] */
	struct dp_ust_tracepoint **records;   /* [n], lttng-ust keeps this array */
	uint8_t **slots;                      /* [n] record slots, or NULL (cells) */
	char *mem;                            /* descriptors and strings */
};

typedef void (*rt_probe_fn)(void *event, const struct rt_event *ev, const struct dynprobe_arg *a);

_Static_assert(sizeof(union dp_value) == DP_UST_STACK_SLOT, "filter stack slot");
_Static_assert(sizeof(struct dp_ust_tracepoint) <= DP_LTTNG_RECORD_SLOT, "record slot");
_Static_assert(offsetof(struct dp_ust_tracepoint, state) + 8 <=
		       offsetof(struct dp_ust_tracepoint, probes), "4 spare bytes after state");

/* ---- field types, shared by every field ---- */

#define INT_TYPE(bytes, sign)                                                  \
	{ .parent = { DP_UST_TYPE_INTEGER }, .struct_size = sizeof(struct dp_ust_type_integer), \
	  .size = (bytes) * 8, .alignment = 8, .signedness = (sign),                  \
	  .reverse_byte_order = 0, .base = 10 }

static const struct dp_ust_type_integer int_types[DYNPROBE_TYPE_MAX] = {
	[DYNPROBE_I8] = INT_TYPE(1, 1), [DYNPROBE_U8] = INT_TYPE(1, 0),
	[DYNPROBE_I16] = INT_TYPE(2, 1), [DYNPROBE_U16] = INT_TYPE(2, 0),
	[DYNPROBE_I32] = INT_TYPE(4, 1), [DYNPROBE_U32] = INT_TYPE(4, 0),
	[DYNPROBE_I64] = INT_TYPE(8, 1), [DYNPROBE_U64] = INT_TYPE(8, 0),
};
static const struct dp_ust_type_float double_type = {
	.parent = { DP_UST_TYPE_FLOAT }, .struct_size = sizeof(struct dp_ust_type_float),
	.exp_dig = 11, .mant_dig = 53, .alignment = 8,
	.reverse_byte_order = 0,
};
static const struct dp_ust_type_string string_type = {
	.parent = { DP_UST_TYPE_STRING }, .struct_size = sizeof(struct dp_ust_type_string),
	.encoding = DP_UST_ENCODING_UTF8,
};

/* Bytes in the ring buffer, 0 for a string (its length is dynamic). */
static unsigned int type_bytes(enum dynprobe_type t)
{
	switch (t) {
	case DYNPROBE_I8: case DYNPROBE_U8: return 1;
	case DYNPROBE_I16: case DYNPROBE_U16: return 2;
	case DYNPROBE_I32: case DYNPROBE_U32: return 4;
	case DYNPROBE_I64: case DYNPROBE_U64: case DYNPROBE_DOUBLE: return 8;
	default: return 0;
	}
}

static const struct dp_ust_type_common *field_type(enum dynprobe_type t)
{
	if (t == DYNPROBE_STR)
		return &string_type.parent;
	if (t == DYNPROBE_DOUBLE)
		return &double_type.parent;
	return &int_types[t].parent;
}

/* ---- the fire path ---- */

static const char *str_or_null(const char *s)
{
	return s ? s : "(null)"; /* as the compiled mode records NULL */
}

/* The filter/capture interpreter's stack, built only when a filter or a
 * notifier needs it: the arguments converted as C assignment would
 * (integers widened with their declared sign), strings non-NULL.  The
 * arguments were checked (dp_args_match()), so no conversion fails. */
static __attribute__((noinline)) void prepare_stack(const struct rt_event *ev,
						    const struct dynprobe_arg *a,
						    union dp_value *stack)
{
	for (unsigned int i = 0; i < ev->nfields; i++) {
		(void)dp_convert_one((enum dynprobe_type)ev->type[i], &a[i], &stack[i]);
		if (ev->type[i] == DYNPROBE_STR)
			stack[i].s = str_or_null(stack[i].s);
	}
}

/* The arguments with every double field's value as a double (an integer
 * fired at it converted), for record_event(): events with a double only. */
static __attribute__((noinline)) const struct dynprobe_arg *
doubles_converted(const struct rt_event *ev, const struct dynprobe_arg *a,
		  struct dynprobe_arg *copy)
{
	for (unsigned int i = 0; i < ev->nfields; i++) {
		union dp_value v = { .u = a[i].v.u };
		copy[i] = a[i];
		if (ev->type[i] == DYNPROBE_DOUBLE) {
			(void)dp_convert_one(DYNPROBE_DOUBLE, &a[i], &v);
			copy[i].v.u = v.u;
			copy[i].kind = DYNPROBE_KIND_DOUBLE;
		}
	}
	return copy;
}

/* A run of fixed-size fields packed (see record_event()), then written. */
static inline __attribute__((always_inline)) void
write_run(const struct dp_ust_channel_ops *ops, struct dp_ust_rb_ctx *ctx,
	  const struct rt_event *ev, const struct dynprobe_arg *a, unsigned int first,
	  unsigned int count, uint8_t *packed)
{
	size_t run = 0;

	for (unsigned int i = first; i < first + count; i++) {
		memcpy(packed + run, &a[i].v, 8); /* run + 8 <= DYNPROBE_MAX_ARGS * 8 + 8 */
		run += ev->bytes[i];
	}
	if (run)
		ops->event_write(ctx, packed, run, 1);
}

/*
 * One event into the ring buffer, serialized straight from the caller's
 * (checked) argument array.  The buffer is packed, and x86 little-endian:
 * an integer's first `bytes` bytes are the value truncated to its declared
 * width (what C assignment, and the compiled mode, record), so a run of
 * fixed-size fields is packed, each field one 8-byte store at the run's
 * end, the next field overwriting the excess, then written in one
 * event_write().  Strings: their lengths before the reservation, then
 * event_strcpy(), NULL as "(null)".  An event of fixed-size fields then
 * at most one string, last (the usual shapes: one_run, set at load) takes
 * a straight path; others go run by run.
 */
static inline __attribute__((always_inline)) void
record_event(struct dp_ust_event_recorder *rec, const struct rt_event *ev,
	     const struct dynprobe_arg *a, struct dp_ust_probe_ctx *pctx)
{
	const struct dp_ust_channel_ops *ops = rec->chan->ops;
	const unsigned int nstrings = ev->nstrings;
	size_t len = ev->fixed_size, slen[DYNPROBE_MAX_ARGS];
	struct dynprobe_arg copy[DYNPROBE_MAX_ARGS];
	uint8_t packed[DYNPROBE_MAX_ARGS * 8 + 8];
	struct dp_ust_rb_ctx ctx;

	if (__builtin_expect(ev->ndoubles != 0, 0))
		a = doubles_converted(ev, a, copy);
	if (ev->one_run) {
		const char *str = NULL;
		size_t str_len = 0;

		if (nstrings) {
			str = str_or_null(a[ev->strings[0]].v.s);
			len += str_len = strlen(str) + 1;
		}
		ctx = (struct dp_ust_rb_ctx){ .struct_size = sizeof(ctx), .client_priv = rec,
					      .data_size = len, .largest_align = 1,
					      .probe_ctx = pctx };
		if (ops->event_reserve(&ctx) < 0)
			return; /* lttng-ust counts it as discarded */
		write_run(ops, &ctx, ev, a, 0, ev->nfields - nstrings, packed);
		if (str)
			ops->event_strcpy(&ctx, str, str_len);
		ops->event_commit(&ctx);
		return;
	}
	for (unsigned int j = 0; j < nstrings; j++)
		len += slen[j] = strlen(str_or_null(a[ev->strings[j]].v.s)) + 1;
	ctx = (struct dp_ust_rb_ctx){ .struct_size = sizeof(ctx), .client_priv = rec, .data_size = len,
				      .largest_align = 1, .probe_ctx = pctx };
	if (ops->event_reserve(&ctx) < 0)
		return;
	/* Run j ends at string j (strings are in field order), the last at
	 * the last field. */
	for (unsigned int j = 0, i = 0; j <= nstrings; j++) {
		unsigned int end = j < nstrings ? ev->strings[j] : ev->nfields;

		write_run(ops, &ctx, ev, a, i, end - i, packed);
		i = end;
		if (j < nstrings)
			ops->event_strcpy(&ctx, str_or_null(a[i++].v.s), slen[j]);
	}
	ops->event_commit(&ctx);
}

/* What a compiled probe callback does: session/channel/event checks, the
 * filter, then record (or, for an event notifier, send the capture stack).
 * Inlined into rt_call_probes() for the usual case, one probe attached
 * and it ours; rt_probe() is the same body for lttng-ust's probe array. */
static inline __attribute__((always_inline)) void
rt_probe_body(void *tp_data, const struct rt_event *ev, const struct dynprobe_arg *a, void *ip)
{
	struct dp_ust_event_common *e = tp_data;
	union dp_value stack[DYNPROBE_MAX_ARGS];
	struct dp_ust_probe_ctx pctx;
	bool stacked = false;

	if (e->type == DP_UST_EVENT_RECORDER) {
		const struct dp_ust_event_recorder *rec = e->child;
		const struct dp_ust_channel_common *ch = rec->chan->parent;
		if (!__atomic_load_n(&ch->session->active, __ATOMIC_RELAXED) ||
		    !__atomic_load_n(&ch->enabled, __ATOMIC_RELAXED))
			return;
	}
	if (!__atomic_load_n(&e->enabled, __ATOMIC_RELAXED))
		return;
	pctx = (struct dp_ust_probe_ctx){ .struct_size = sizeof(pctx), .ip = ip };
	if (__builtin_expect(__atomic_load_n(&e->eval_filter, __ATOMIC_RELAXED), 0)) {
		prepare_stack(ev, a, stack);
		stacked = true;
		if (e->run_filter(e, (const char *)stack, &pctx, NULL) != DP_UST_FILTER_ACCEPT)
			return;
	}
	if (__builtin_expect(e->type == DP_UST_EVENT_RECORDER, 1)) {
		record_event(e->child, ev, a, &pctx);
	} else if (e->type == DP_UST_EVENT_NOTIFIER) {
		const struct dp_ust_event_notifier *n = e->child;
		struct dp_ust_notification_ctx nctx = {
			.struct_size = sizeof(nctx),
			.eval_capture = __atomic_load_n(&n->eval_capture, __ATOMIC_RELAXED),
		};
		if (!stacked)
			prepare_stack(ev, a, stack);
		n->notification_send(n, (const char *)stack, &pctx, &nctx);
	}
}

static void rt_probe(void *tp_data, const struct rt_event *ev, const struct dynprobe_arg *a)
{
	rt_probe_body(tp_data, ev, a, __builtin_return_address(0));
}

/* lttng-ust's RCU read lock, set before any site is published. */
static void (*rt_rcu_read_lock)(void);
static void (*rt_rcu_read_unlock)(void);

static inline __attribute__((always_inline)) const volatile int *rt_state(const void *ctx)
{
	/* The slot's record pointer always points at mapped memory (a record
	 * slot or a host's cell); for a stale site it may be another event's
	 * state, which only sends the caller on to rt_fire(). */
	const struct rt_event *ev = ctx;

	/* Relaxed: a load may be re-filling this slot (event_setup()). */
	return &__atomic_load_n(&ev->record, __ATOMIC_RELAXED)->state;
}

const volatile int *dp_lttng_rt_state(const void *ctx)
{
	return rt_state(ctx);
}

/* An argument array pointer with its low bit set: the caller fired
 * another number of arguments than the probe has. */
#define RT_BAD_COUNT ((uintptr_t)1)
_Static_assert(_Alignof(struct dynprobe_arg) > 1, "an argument array's low bit is free");

/*
 * What a compiled call site does inside the RCU read-side section: the
 * kinds checked against the event's types (dp_args_match(); nothing
 * converted or copied), then every attached probe.  0: the event we were
 * given is gone (a fire racing an unload), 1: handed to lttng-ust's
 * probes (which may still find every session inactive), or
 * -DYNPROBE_EMISMATCH.
 */
static __attribute__((noinline)) int rt_call_probes(const struct rt_event *ev, uint64_t gen,
						    uintptr_t tagged_args)
{
	const struct dynprobe_arg *a = (const struct dynprobe_arg *)(tagged_args & ~RT_BAD_COUNT);
	struct dp_ust_tracepoint *record;
	struct dp_ust_tp_probe *p;

	/* If the slot is still the event we were given, its release waits
	 * for us (we hold the read lock), and its fields stay as they are. */
	if (__atomic_load_n(&ev->gen, __ATOMIC_ACQUIRE) != gen)
		return 0;
	/* The event was built from this probe's description, so its field
	 * count is the signature's, which the caller's count matched (else
	 * the tag, and the array is not read). */
	if ((tagged_args & RT_BAD_COUNT) || !dp_args_match(ev->type, ev->nfields, a, ev->nfields))
		return -DYNPROBE_EMISMATCH;
	record = __atomic_load_n(&ev->record, __ATOMIC_RELAXED);
	/* lttng-ust publishes the array with a store-release
	 * (rcu_assign_pointer); a load-acquire reads it, and is a plain load
	 * on x86, where lttng_ust_tp_rcu_dereference_sym() is a call. */
	p = __atomic_load_n(&record->probes, __ATOMIC_ACQUIRE);
	if (!p)
		return 1;
	/* Our class's callback is the only one lttng-ust can attach here
	 * (the signature says so); with one session, one probe: call it
	 * inline rather than through the array. */
	if (__builtin_expect(p->func == (void (*)(void))(void *)rt_probe && !p[1].func, 1)) {
		rt_probe_body(p->data, ev, a, __builtin_return_address(0));
		return 1;
	}
	do
		((rt_probe_fn)(void *)p->func)(p->data, ev, a);
	while ((++p)->func);
	return 1;
}

/*
 * What a compiled call site does: RCU read lock, every attached probe,
 * unlock.  A function of its own, apart from the probes' work: the read
 * lock ends in a full barrier, which waits for every store before it, and
 * here the only ones are the three values kept across the lock's call
 * (pushed) and the call's return address; the kinds check and the probe
 * body's larger frame come after the barrier.
 */
static __attribute__((noinline)) int rt_fire(const struct rt_event *ev, uint64_t gen,
					     uintptr_t tagged_args)
{
	int r;

	__atomic_load_n(&rt_rcu_read_lock, __ATOMIC_RELAXED)();
	r = rt_call_probes(ev, gen, tagged_args);
	__atomic_load_n(&rt_rcu_read_unlock, __ATOMIC_RELAXED)();
	return r;
}

/* Out of line for lttng_backend.c's site_fire(): values already
 * converted, turned back into an argument array of their declared kinds
 * (only the two-backend path, which converts once for every backend). */
void dp_lttng_rt_fire(const void *ctx, uint64_t gen, const union dp_value *v)
{
	const struct rt_event *ev = ctx;
	struct dynprobe_arg a[DYNPROBE_MAX_ARGS];
	unsigned int n;

	/* Read before the generation check: a stale count only bounds how
	 * many of v[] (DYNPROBE_MAX_ARGS long) are copied; rt_fire() then
	 * does nothing. */
	n = __atomic_load_n(&ev->nfields, __ATOMIC_RELAXED);
	for (unsigned int i = 0; i < n && i < DYNPROBE_MAX_ARGS; i++) {
		enum dynprobe_type t = (enum dynprobe_type)__atomic_load_n(&ev->type[i], __ATOMIC_RELAXED);
		a[i].v.u = v[i].u;
		a[i].kind = t == DYNPROBE_STR ? DYNPROBE_KIND_STR
			    : t == DYNPROBE_DOUBLE ? DYNPROBE_KIND_DOUBLE
			    : DYNPROBE_KIND_INT;
	}
	rt_fire(ev, gen, (uintptr_t)a);
}

/* The backend's site_enabled(), site_fire() and site_fire_args()
 * (lttng_backend.c says how a site is encoded), here so that the runtime
 * mode's fire path is one call from the core, not two or three. */
static inline __attribute__((always_inline)) bool site_enabled(const struct dp_site *s)
{
	const volatile int *state;

	if (s->word[0] & DP_LTTNG_SITE_RUNTIME)
		state = rt_state((const void *)(s->word[0] & ~DP_LTTNG_SITE_RUNTIME));
	else
		state = (const volatile int *)s->word[0];
	return __atomic_load_n(state, __ATOMIC_RELAXED) != 0;
}

bool dp_lttng_site_enabled(const struct dp_site *s)
{
	return site_enabled(s);
}

void dp_lttng_site_fire(const struct dp_site *s, size_t nargs, const union dp_value *values)
{
	(void)nargs;
	if (s->word[0] & DP_LTTNG_SITE_RUNTIME)
		dp_lttng_rt_fire((const void *)(s->word[0] & ~DP_LTTNG_SITE_RUNTIME),
				 (uint64_t)s->word[1], values);
	else
		((dp_lttng_fire_fn)s->word[1])(values);
}

/* Compiled mode's one-backend path: its generated fire function takes
 * converted values. */
static __attribute__((noinline)) int compiled_fire_args(uintptr_t w0, uintptr_t w1,
							dp_fire_sig sig,
							const struct dynprobe_arg *args)
{
	union dp_value values[DYNPROBE_MAX_ARGS];

	if (!__atomic_load_n((const volatile int *)w0, __ATOMIC_RELAXED))
		return 0;
	if (!dp_sig_convert_args(sig, args, values))
		return -DYNPROBE_EMISMATCH;
	((dp_lttng_fire_fn)w1)(values);
	return 1;
}

/*
 * The one-backend fire path, everything in registers (backend.h).
 * Runtime mode: rt_load() put the site's watch base DYNPROBE__WATCH_DISTANCE
 * before the record's state (in a record slot or a host's cell, mapped
 * for the life of the process), so the state is one load from the site;
 * when it is set, rt_fire() is reached with a jump, the caller's own
 * array passed on (the probe body serializes it: no converted copy); this
 * function stores nothing, and rt_fire() only what it keeps across the
 * read lock's call.
 */
int dp_lttng_site_fire_args(const volatile uint8_t *watch, uintptr_t w0, uintptr_t w1,
			    dp_fire_sig sig, const struct dynprobe_arg *args)
{
	if (__builtin_expect(!(w0 & DP_LTTNG_SITE_RUNTIME), 0))
		return compiled_fire_args(w0, w1, sig, args);
	if (!__atomic_load_n((const volatile int *)(watch + DYNPROBE__WATCH_DISTANCE),
			     __ATOMIC_RELAXED))
		return 0;
	return rt_fire((const struct rt_event *)(w0 & ~DP_LTTNG_SITE_RUNTIME), (uint64_t)w1,
		       (uintptr_t)args | (dp_sig_nargs(sig) > DYNPROBE_MAX_ARGS ? RT_BAD_COUNT : 0));
}

/* ---- the event slab ---- */

#define SLAB_CHUNK 64
static pthread_mutex_t slab_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rt_event *slab_free;

static struct rt_event *event_alloc(void)
{
	struct rt_event *ev;

	pthread_mutex_lock(&slab_lock);
	if (!slab_free) {
		/* Never freed: a stale fire may read any slot at any time. */
		struct rt_event *c = calloc(SLAB_CHUNK, sizeof(*c));
		for (size_t i = 0; c && i < SLAB_CHUNK; i++) {
			c[i].gen = 1;
			c[i].next_free = slab_free;
			slab_free = &c[i];
		}
	}
	ev = slab_free;
	if (ev)
		slab_free = ev->next_free;
	pthread_mutex_unlock(&slab_lock);
	return ev;
}

static void event_free(struct rt_event *ev)
{
	pthread_mutex_lock(&slab_lock);
	ev->next_free = slab_free;
	slab_free = ev;
	pthread_mutex_unlock(&slab_lock);
}

/* ---- building the descriptors ---- */

struct bump {
	char *p;
	size_t off, cap;
};

static void *bump(struct bump *b, size_t size)
{
	void *r;

	b->off = (b->off + 15) & ~(size_t)15;
	r = b->p ? b->p + b->off : NULL;
	b->off += size;
	return r;
}

static char *bump_str(struct bump *b, const char *s1, const char *s2, const char *s3)
{
	size_t n1 = strlen(s1), n2 = s2 ? strlen(s2) : 0, n3 = s3 ? strlen(s3) : 0;
	char *r = bump(b, n1 + n2 + n3 + 1);

	if (r) {
		memcpy(r, s1, n1);
		if (n2)
			memcpy(r + n1, s2, n2);
		if (n3)
			memcpy(r + n1 + n2, s3, n3);
		r[n1 + n2 + n3] = '\0';
	}
	return r;
}

/* One event's descriptor, class, fields and record contents. */
static int build_event(struct bump *b, const struct dp_ust_probe_desc *pd,
		       const struct dp_probe_desc *p, struct dp_ust_event_desc *ed)
{
	char sig[DYNPROBE_MAX_ARGS * (DYNPROBE_MAX_PROBE_NAME + 10)];
	struct dp_ust_tracepoint_class *cls = bump(b, sizeof(*cls));
	const struct dp_ust_event_field **fp = bump(b, (p->nargs + 1) * sizeof(*fp));
	struct dp_ust_event_field *f = bump(b, p->nargs * sizeof(*f));
	const int **llp = bump(b, sizeof(*llp));
	int *ll = bump(b, sizeof(*ll));

	if (dp_tp_signature(p, sig, sizeof(sig)) < 0)
		return -EINVAL;
	const char *signature = bump_str(b, RT_SIGNATURE_PREFIX, sig, ")");
	const char *name = bump_str(b, p->name, NULL, NULL);
	for (size_t a = 0; a < p->nargs; a++) {
		const char *fname = bump_str(b, p->arg_names[a], NULL, NULL);
		if (!b->p)
			continue;
		f[a] = (struct dp_ust_event_field){ .struct_size = sizeof(f[a]), .name = fname,
						    .type = field_type(p->types[a]) };
		fp[a] = &f[a];
	}
	if (!b->p)
		return 0; /* sizing pass */
	*cls = (struct dp_ust_tracepoint_class){
		.struct_size = sizeof(*cls), .fields = fp, .nr_fields = p->nargs,
		.probe_callback = (void (*)(void))(void *)rt_probe, .signature = signature,
		.probe_desc = pd,
	};
	*ed = (struct dp_ust_event_desc){ .struct_size = sizeof(*ed), .event_name = name,
					  .probe_desc = pd, .tp_class = cls };
	if (p->lttng_loglevel > DYNPROBE_LOGLEVEL_UNSET) {
		*ll = p->lttng_loglevel - 1; /* lttng's 0..14 */
		*llp = ll;
		ed->loglevel = llp;
	}
	return 0;
}

/* Two passes over the same code: sizes (b->p == NULL), then contents. */
static int build_descs(struct dp_lttng_rt *rt, const struct dp_provider_desc *d, struct bump *b)
{
	struct dp_ust_probe_desc *pd = bump(b, sizeof(*pd));
	struct dp_ust_event_desc *eds = bump(b, d->nprobes * sizeof(*eds));
	const struct dp_ust_event_desc **edp = bump(b, (d->nprobes + 1) * sizeof(*edp));
	const char *pname = bump_str(b, d->name, NULL, NULL);

	for (size_t i = 0; i < d->nprobes; i++) {
		int r = build_event(b, pd, d->probes[i], b->p ? &eds[i] : NULL);
		if (r < 0)
			return r;
		if (b->p)
			edp[i] = &eds[i];
	}
	if (b->p)
		*pd = (struct dp_ust_probe_desc){
			.struct_size = sizeof(*pd), .provider_name = pname, .event_desc = edp,
			.nr_events = (unsigned int)d->nprobes, .major = DP_UST_PROVIDER_MAJOR,
			.minor = DP_UST_PROVIDER_MINOR,
		};
	(void)rt;
	return 0;
}

/* Fill a call-site record field by field: in a USDT cell, the 4 bytes
 * after `state` are the semaphore and the stub copy, not ours to write. */
static void record_init(struct dp_ust_tracepoint *rec, const struct dp_ust_probe_desc *pd,
			const struct dp_ust_event_desc *ed)
{
	rec->struct_size = sizeof(*rec);
	rec->provider_name = pd->provider_name;
	rec->event_name = ed->event_name;
	/* A stale fire may be reading these two of a reused record slot (it
	 * then finds its event's generation changed and does nothing):
	 * atomic stores, so that the race is the intended one. */
	__atomic_store_n(&rec->state, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&rec->probes, NULL, __ATOMIC_RELAXED);
	rec->tracepoint_provider_ref = NULL; /* as with dynamic linkage */
	rec->signature = ed->tp_class->signature;
}

static void event_setup(struct rt_event *ev, struct dp_ust_tracepoint *rec,
			const struct dp_probe_desc *p)
{
	uint32_t fixed = 0;
	uint8_t nstrings = 0, ndoubles = 0;

	__atomic_store_n(&ev->record, rec, __ATOMIC_RELAXED); /* stale fires read it */
	for (size_t a = 0; a < p->nargs; a++) {
		unsigned int bytes = type_bytes(p->types[a]);
		__atomic_store_n(&ev->type[a], (uint8_t)p->types[a], __ATOMIC_RELAXED);
		ev->bytes[a] = (uint8_t)bytes;
		if (!bytes)
			ev->strings[nstrings++] = (uint8_t)a;
		ndoubles += p->types[a] == DYNPROBE_DOUBLE;
		fixed += bytes; /* packed ring buffer: no padding */
	}
	__atomic_store_n(&ev->nfields, (uint8_t)p->nargs, __ATOMIC_RELAXED);
	ev->nstrings = nstrings;
	ev->ndoubles = ndoubles;
	ev->one_run = nstrings == 0 || (nstrings == 1 && ev->strings[0] == p->nargs - 1);
	ev->fixed_size = fixed;
}

/* ---- load and release ---- */

static void rt_free(struct dp_lttng_rt *rt)
{
	if (!rt)
		return;
	for (size_t i = 0; rt->events && i < rt->n; i++)
		if (rt->events[i])
			event_free(rt->events[i]);
	if (rt->slots)
		dp_lttng_records_free(rt->slots, rt->n);
	free(rt->slots);
	free(rt->events);
	free(rt->records);
	free(rt->mem);
	free(rt);
}

/* Events and records: in the USDT cells, or in record slots. */
static int place_records(struct dp_lttng_rt *rt, const struct dp_provider_desc *d,
			 volatile uint8_t *const *cells)
{
	const struct dp_ust_probe_desc *pd = (const void *)rt->mem; /* first in mem */
	const size_t state_off = offsetof(struct dp_ust_tracepoint, state);

	if (!cells) {
		rt->slots = calloc(rt->n ? rt->n : 1, sizeof(*rt->slots));
		if (!rt->slots || dp_lttng_records_alloc(rt->n, rt->slots) < 0) {
			free(rt->slots);
			rt->slots = NULL;
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < rt->n; i++) {
		uint8_t *at = cells ? (uint8_t *)cells[i] - state_off : rt->slots[i];
		rt->records[i] = (struct dp_ust_tracepoint *)(void *)at;
		record_init(rt->records[i], pd, pd->event_desc[i]);
		rt->events[i] = event_alloc();
		if (!rt->events[i])
			return -ENOMEM;
		event_setup(rt->events[i], rt->records[i], d->probes[i]);
	}
	return 0;
}

/* Register descriptors, then call sites; undo the first if the second
 * fails, so that nothing stays half-registered. */
static int rt_register(struct dp_lttng_rt *rt, const char *provider)
{
	int r = 0;

	pthread_mutex_lock(&dp_lttng_lock);
	rt->registered = rt->ust->probe_register((const void *)rt->mem);
	if (!rt->registered) {
		dp_logl(DYNPROBE_LOG_WARN, "lttng: lttng-ust refused provider %s", provider);
		r = -DYNPROBE_ENOLTTNG;
	} else if (rt->n && rt->ust->module_register(rt->records, (int)rt->n) != 0) {
		dp_logl(DYNPROBE_LOG_WARN, "lttng: lttng-ust refused the call sites of provider %s",
			provider);
		rt->ust->probe_unregister(rt->registered);
		rt->registered = NULL;
		r = -DYNPROBE_ENOLTTNG;
	} else {
		rt->records_registered = rt->n > 0;
	}
	pthread_mutex_unlock(&dp_lttng_lock);
	return r;
}

int dp_lttng_rt_load(const struct dp_provider_desc *desc, volatile uint8_t *const *cells,
		     struct dp_lttng_site *sites, struct dp_lttng_rt **ret)
{
	struct dp_lttng_rt *rt = NULL;
	struct bump b = { 0 };
	int r;

	*ret = NULL;
	if (!DP_UST_RB_PACKED) {
		dp_logl(DYNPROBE_LOG_WARN, "lttng: runtime mode supports x86 only (packed ring buffer)");
		return -DYNPROBE_ENOLTTNG;
	}
	r = dp_tp_validate(desc);
	if (r < 0)
		return r;
	rt = calloc(1, sizeof(*rt));
	if (!rt)
		return -ENOMEM;
	r = dp_ust_lib_get(&rt->ust);
	if (r < 0)
		goto err;
	/* The same two every time (one liblttng-ust per process); atomic
	 * because fires on other providers read them meanwhile. */
	__atomic_store_n(&rt_rcu_read_lock, rt->ust->rcu_read_lock, __ATOMIC_RELAXED);
	__atomic_store_n(&rt_rcu_read_unlock, rt->ust->rcu_read_unlock, __ATOMIC_RELAXED);
	rt->n = desc->nprobes;
	r = build_descs(rt, desc, &b); /* sizes */
	if (r < 0)
		goto err;
	b.p = rt->mem = calloc(1, b.off);
	b.off = 0;
	rt->events = calloc(rt->n + 1, sizeof(*rt->events));
	rt->records = calloc(rt->n + 1, sizeof(*rt->records));
	r = -ENOMEM;
	if (!rt->mem || !rt->events || !rt->records)
		goto err;
	r = build_descs(rt, desc, &b);
	if (r == 0)
		r = place_records(rt, desc, cells);
	if (r == 0)
		r = rt_register(rt, desc->name);
	if (r < 0)
		goto err;
	for (size_t i = 0; i < rt->n; i++) {
		struct rt_event *ev = rt->events[i];
		__atomic_store_n(&ev->gen, ev->gen + 1, __ATOMIC_RELEASE); /* live */
		/* dp_lttng_site_fire_args() finds the state, and the
		 * record, DISTANCE after the watch base: keep it so. */
		sites[i] = (struct dp_lttng_site){
			.state = &rt->records[i]->state,
			.watch_base = (const volatile uint8_t *)&rt->records[i]->state -
				      DYNPROBE__WATCH_DISTANCE,
			.ctx = ev, .gen = ev->gen,
		};
	}
	dp_logl(DYNPROBE_LOG_INFO, "lttng: provider %s registered in runtime mode (%zu events)", desc->name, rt->n);
	*ret = rt;
	return 0;
err:
	rt_free(rt); /* never registered, never published: nobody saw it */
	return r;
}

void dp_lttng_rt_release(struct dp_lttng_rt *rt)
{
	if (!rt)
		return;
	/* Dead first: a fire that takes the read lock from now on does
	 * nothing; the grace period waits for those already inside. */
	for (size_t i = 0; i < rt->n; i++)
		__atomic_store_n(&rt->events[i]->gen, rt->events[i]->gen + 1, __ATOMIC_RELEASE);
	pthread_mutex_lock(&dp_lttng_lock);
	if (rt->records_registered)
		rt->ust->module_unregister(rt->records);
	if (rt->registered)
		rt->ust->probe_unregister(rt->registered);
	pthread_mutex_unlock(&dp_lttng_lock);
	rt->ust->synchronize_rcu();
	/* lttng-ust no longer writes the records: leave a cell's state word
	 * idle for whoever reuses it. */
	for (size_t i = 0; i < rt->n; i++) {
		__atomic_store_n(&rt->records[i]->state, 0, __ATOMIC_RELAXED);
		rt->records[i]->probes = NULL;
	}
	rt_free(rt);
}
