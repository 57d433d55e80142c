/* SPDX-License-Identifier: MIT */
/*
 * dynprobe.h - runtime-defined tracepoints for Linux (USDT and LTTng).
 *
 * A program declares a provider, adds typed probes to it, loads it, and
 * fires the probes.  Loading publishes the probes on the backends chosen for
 * the provider:
 *
 *   USDT   an ELF object generated in memory and dlopen()ed: bpftrace, bcc,
 *          libbpf and perf attach to it through kernel uprobes;
 *   LTTng  a generated lttng-ust tracepoint provider, compiled (or taken
 *          from a prebuilt cache) and dlopen()ed: lttng sessions record it.
 *
 *	struct dynprobe_provider *prov;
 *	struct dynprobe_probe *req;
 *	enum dynprobe_type sig[] = { DYNPROBE_U64, DYNPROBE_STR };
 *
 *	dynprobe_provider_new("app", NULL, &prov);
 *	dynprobe_probe_add(prov, "request", sig, 2, NULL, &req);
 *	dynprobe_provider_load(prov);
 *	DYNPROBE_FIRE(req, (uint64_t)42, "GET /");   // C11 or C++
 *	prov = dynprobe_provider_free(prov);
 *
 * Conventions: functions returning int return 0 (or a documented positive
 * value) on success and a negative error code on failure: -errno values or
 * the DYNPROBE_E* codes below; dynprobe_strerror() explains both.  Options
 * structs begin with their size; declare them with DYNPROBE_OPTS().  Free
 * functions accept NULL and return NULL.
 */
#ifndef DYNPROBE_H
#define DYNPROBE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DYNPROBE_API __attribute__((visibility("default")))

#define DYNPROBE_VERSION_MAJOR 0
#define DYNPROBE_VERSION_MINOR 2
#define DYNPROBE_VERSION_PATCH 0

/* Limits.  Names are C identifiers: [A-Za-z_][A-Za-z0-9_]*. */
#define DYNPROBE_MAX_ARGS 12         /* sys/sdt.h and libbpf cap USDT at 12 */
#define DYNPROBE_MAX_PROVIDER_NAME 64
#define DYNPROBE_MAX_PROBE_NAME 128  /* "provider:probe" stays < 255 for LTTng */

/* Library-specific error codes (returned negated, like -errno). */
enum {
	DYNPROBE_EBASE = 4000,
	DYNPROBE_ENAME,        /* invalid provider, probe or argument name */
	DYNPROBE_EARGS,        /* too many arguments */
	DYNPROBE_ETYPE,        /* unknown argument type */
	DYNPROBE_ESTATE,       /* operation not allowed in the provider's state */
	DYNPROBE_EMISMATCH,    /* fired arguments do not match the signature */
	DYNPROBE_EOPTS,        /* unknown non-zero bytes in an options struct */
	DYNPROBE_EBACKEND,     /* backend not available in this build */
	DYNPROBE_ENOCOMPILER,  /* no C compiler and no prebuilt LTTng provider */
	DYNPROBE_ENOLTTNG,     /* lttng-ust (headers or library) missing */
	DYNPROBE_ECACHE,       /* cache directory unusable or not trusted */
	DYNPROBE_ECOMPILE,     /* compiling a generated provider failed */
	DYNPROBE_EELF,         /* generating or loading the USDT object failed */
	DYNPROBE_EPROBES,      /* too many probes for one USDT provider */
	DYNPROBE_EMAX
};

/* Argument types.  Integers keep width and sign; STR is a NUL-terminated
 * pointer (NULL allowed); DOUBLE reaches USDT readers as its IEEE-754 bit
 * pattern in a u64 register (no tracer reads %xmm), LTTng records a double. */
enum dynprobe_type {
	DYNPROBE_TYPE_NONE = 0,
	DYNPROBE_I8,
	DYNPROBE_U8,
	DYNPROBE_I16,
	DYNPROBE_U16,
	DYNPROBE_I32,
	DYNPROBE_U32,
	DYNPROBE_I64,
	DYNPROBE_U64,
	DYNPROBE_STR,
	DYNPROBE_DOUBLE,
	DYNPROBE_TYPE_MAX
};

/* Backends, a bit mask. */
#define DYNPROBE_BACKEND_USDT  0x1u
#define DYNPROBE_BACKEND_LTTNG 0x2u
#define DYNPROBE_BACKEND_ALL   (DYNPROBE_BACKEND_USDT | DYNPROBE_BACKEND_LTTNG)

/* Zero a whole options struct (padding included) and set its size (C only;
 * in C++ value-initialize the struct and set .sz).  The library reads the
 * fields it knows; bytes past them, up to sz, must be zero (from a caller
 * built against a newer dynprobe); an sz above DYNPROBE_OPTS_MAX_SIZE is
 * refused with -EINVAL before anything past the known fields is read. */
#define DYNPROBE_OPTS_MAX_SIZE 1024
#define DYNPROBE_OPTS(TYPE, NAME, ...)                                        \
	struct TYPE NAME;                                                     \
	memset(&NAME, 0, sizeof(NAME));                                       \
	NAME = (struct TYPE){ .sz = sizeof(struct TYPE), __VA_ARGS__ }

struct dynprobe_provider_opts {
	size_t sz;              /* sizeof(struct dynprobe_provider_opts) */
	/* DYNPROBE_BACKEND_* mask; 0 means DYNPROBE_BACKEND_USDT.  The
	 * environment variable DYNPROBE_BACKENDS ("usdt", "lttng",
	 * "usdt,lttng") overrides it for operators. */
	unsigned int backends;
	/* LTTng: where compiled providers are cached; NULL means
	 * $DYNPROBE_CACHE_DIR, else $XDG_CACHE_HOME/dynprobe, else
	 * ~/.cache/dynprobe. */
	const char *cache_dir;
	/* LTTng: a ':'-separated list of directories searched for prebuilt
	 * provider objects (made by `dynprobe tp`) before compiling; NULL
	 * means $DYNPROBE_TP_PATH. */
	const char *prebuilt_path;
	/* LTTng: how the provider is built, a DYNPROBE_LTTNG_MODE_*; AUTO
	 * (0) lets the library choose.  $DYNPROBE_LTTNG_MODE ("runtime",
	 * "compiled") overrides it for operators. */
	unsigned int lttng_mode;
	/* USDT: the trusted directory where provider images are published
	 * as shared files (so tracers can attach to every process at once);
	 * NULL means $DYNPROBE_USDT_DIR, else the per-user default. */
	const char *usdt_dir;
	size_t :0;
};

/* How the LTTng backend builds a provider. */
enum dynprobe_lttng_mode {
	DYNPROBE_LTTNG_MODE_AUTO = 0,  /* the library's default */
	DYNPROBE_LTTNG_MODE_RUNTIME,   /* descriptors built in memory, no compiler */
	DYNPROBE_LTTNG_MODE_COMPILED,  /* generated C, compiled (or prebuilt), dlopen()ed */
};

/* LTTng log levels, lttng-ust's TRACE_EMERG (0) .. TRACE_DEBUG (14) plus
 * one, so that 0 in an options struct means "not set" (lttng-ust's default
 * for a tracepoint without a log level). */
enum dynprobe_loglevel {
	DYNPROBE_LOGLEVEL_UNSET = 0,
	DYNPROBE_LOGLEVEL_EMERG,
	DYNPROBE_LOGLEVEL_ALERT,
	DYNPROBE_LOGLEVEL_CRIT,
	DYNPROBE_LOGLEVEL_ERR,
	DYNPROBE_LOGLEVEL_WARNING,
	DYNPROBE_LOGLEVEL_NOTICE,
	DYNPROBE_LOGLEVEL_INFO,
	DYNPROBE_LOGLEVEL_DEBUG_SYSTEM,
	DYNPROBE_LOGLEVEL_DEBUG_PROGRAM,
	DYNPROBE_LOGLEVEL_DEBUG_PROCESS,
	DYNPROBE_LOGLEVEL_DEBUG_MODULE,
	DYNPROBE_LOGLEVEL_DEBUG_UNIT,
	DYNPROBE_LOGLEVEL_DEBUG_FUNCTION,
	DYNPROBE_LOGLEVEL_DEBUG_LINE,
	DYNPROBE_LOGLEVEL_DEBUG,
};

struct dynprobe_probe_opts {
	size_t sz;                     /* sizeof(struct dynprobe_probe_opts) */
	/* Optional argument names (C identifiers), one per argument; they
	 * name the LTTng fields.  NULL, or a NULL entry, means "argN". */
	const char *const *arg_names;
	/* LTTng: the event's log level, a DYNPROBE_LOGLEVEL_*; UNSET (0)
	 * means lttng-ust's default. */
	int lttng_loglevel;
	size_t :0;
};

struct dynprobe_provider;
struct dynprobe_probe;

/* Providers.  Lifecycle: new -> probe_add... -> load -> fire... ->
 * unload -> (probe_add...) -> load -> ... -> free. */
DYNPROBE_API int dynprobe_provider_new(const char *name,
				       const struct dynprobe_provider_opts *opts,
				       struct dynprobe_provider **ret_provider);
DYNPROBE_API int dynprobe_probe_add(struct dynprobe_provider *provider,
				    const char *name,
				    const enum dynprobe_type *types, size_t nargs,
				    const struct dynprobe_probe_opts *opts,
				    struct dynprobe_probe **ret_probe);
/* Load publishes the probes on every selected backend.  Returns 0 when all
 * loaded; DYNPROBE_LOAD_PARTIAL (positive) when some backend failed and at
 * least one loaded (dynprobe_provider_backend_error() says why; the USDT
 * path keeps working when the LTTng one cannot be built); a negative error
 * when none loaded, in which case nothing stays loaded.  Loading again after
 * an unload reuses the same objects when no probe was added in between, so
 * attached tracers keep seeing the probes. */
#define DYNPROBE_LOAD_PARTIAL 1
DYNPROBE_API int dynprobe_provider_load(struct dynprobe_provider *provider);
DYNPROBE_API int dynprobe_provider_unload(struct dynprobe_provider *provider);
DYNPROBE_API struct dynprobe_provider *
dynprobe_provider_free(struct dynprobe_provider *provider);

/* Introspection. */
DYNPROBE_API const char *dynprobe_provider_name(const struct dynprobe_provider *provider);
/* Backends this provider publishes on (after the environment override). */
DYNPROBE_API unsigned int dynprobe_provider_backends(const struct dynprobe_provider *provider);
/* Backends the provider is currently loaded on (0 when not loaded). */
DYNPROBE_API unsigned int dynprobe_provider_loaded_backends(const struct dynprobe_provider *provider);
/* The last load error of one backend (0 if it loaded or was not selected). */
DYNPROBE_API int dynprobe_provider_backend_error(const struct dynprobe_provider *provider,
						 unsigned int backend);
DYNPROBE_API const char *dynprobe_probe_name(const struct dynprobe_probe *probe);
DYNPROBE_API size_t dynprobe_probe_nargs(const struct dynprobe_probe *probe);
DYNPROBE_API enum dynprobe_type dynprobe_probe_arg_type(const struct dynprobe_probe *probe, size_t i);
/* The memfd (or file) descriptor holding the loaded USDT object, or -1;
 * `usdt:/proc/PID/fd/FD:provider:probe` names the probe for tracers. */
DYNPROBE_API int dynprobe_provider_usdt_fd(const struct dynprobe_provider *provider);
/* The shared file holding the provider's USDT object, or NULL when there
 * is none (never loaded, or no trusted directory: the object is then
 * private, see dynprobe_provider_usdt_fd).  Valid until the provider is
 * freed or loads changed probes.  `usdt:PATH:provider:probe`, without -p,
 * traces every process that loads the same provider. */
DYNPROBE_API const char *dynprobe_provider_usdt_path(const struct dynprobe_provider *provider);

/* Types: "i8" "u8" "i16" "u16" "i32" "u32" "i64" "u64" "str" "double"
 * (aliases: "int" = i64, "uint" = u64, "string" = str, "float" = double). */
DYNPROBE_API int dynprobe_type_parse(const char *text, enum dynprobe_type *ret_type);
DYNPROBE_API const char *dynprobe_type_name(enum dynprobe_type type);

/* Explain an error code (negative or positive); always NUL-terminates. */
DYNPROBE_API const char *dynprobe_strerror(int err, char *buf, size_t len);

/* Log levels: "emerg" "alert" "crit" "err" "warning" "notice" "info"
 * "debug_system" "debug_program" "debug_process" "debug_module"
 * "debug_unit" "debug_function" "debug_line" "debug", also with lttng's
 * "TRACE_" prefix in either case.  0 or -EINVAL. */
DYNPROBE_API int dynprobe_loglevel_parse(const char *text, int *ret_loglevel);
/* The lower-case name, or NULL for UNSET and unknown values. */
DYNPROBE_API const char *dynprobe_loglevel_name(int loglevel);

/* ---- Messages ----------------------------------------------------------
 *
 * The library never decides where its messages go (load-time decisions,
 * why a backend failed, compiler output): the application does, like
 * libbpf's print callback.  The default handler prints warnings to
 * stderr, and every message when $DYNPROBE_DEBUG is set (not "0").  The handler is called from the thread that
 * called into the library, never from the fire path, possibly with
 * library locks held: it must not call back into dynprobe.  `message` has
 * no trailing newline and is valid only during the call.
 */
enum dynprobe_log_level {
	DYNPROBE_LOG_WARN = 1,   /* something did not work; a fallback was used */
	DYNPROBE_LOG_INFO,       /* a load-time decision worth knowing */
	DYNPROBE_LOG_DEBUG,      /* details */
};
typedef void (*dynprobe_log_fn)(int level, const char *message, void *user_data);
/* NULL restores the default handler.  Not thread-safe against concurrent
 * library calls that log: set it once, early. */
DYNPROBE_API void dynprobe_set_log_handler(dynprobe_log_fn fn, void *user_data);

/* ---- Firing ------------------------------------------------------------
 *
 * A fired argument carries its value and the kind of C expression it came
 * from, so the library converts it to the declared type exactly as C
 * assignment would (sign-extending signed values) and refuses a string
 * where a number was declared, or the reverse.
 */
enum dynprobe_kind {
	DYNPROBE_KIND_INT = 1,   /* v.i holds a sign-extended signed value */
	DYNPROBE_KIND_UINT,      /* v.u holds a zero-extended unsigned value */
	DYNPROBE_KIND_DOUBLE,    /* v.d */
	DYNPROBE_KIND_STR        /* v.s, may be NULL */
};

struct dynprobe_arg {
	union {
		int64_t i;
		uint64_t u;
		double d;
		const char *s;
	} v;
	int kind;                /* enum dynprobe_kind */
};

/* Build arguments explicitly (any C or C++ standard). */
static inline struct dynprobe_arg dynprobe_arg_i(int64_t x)
{ struct dynprobe_arg a; a.v.i = x; a.kind = DYNPROBE_KIND_INT; return a; }
static inline struct dynprobe_arg dynprobe_arg_u(uint64_t x)
{ struct dynprobe_arg a; a.v.u = x; a.kind = DYNPROBE_KIND_UINT; return a; }
static inline struct dynprobe_arg dynprobe_arg_d(double x)
{ struct dynprobe_arg a; a.v.d = x; a.kind = DYNPROBE_KIND_DOUBLE; return a; }
static inline struct dynprobe_arg dynprobe_arg_s(const char *x)
{ struct dynprobe_arg a; a.v.s = x; a.kind = DYNPROBE_KIND_STR; return a; }

/* Fire with an argument array.  Returns 1 when some backend had a tracer
 * and the event was emitted, 0 when nobody listens or the provider is not
 * loaded, -DYNPROBE_EMISMATCH when the arguments do not match the
 * signature (nothing is emitted).  Never allocates, locks, logs or blocks;
 * safe against a concurrent unload or free of the provider. */
/* GCC on x86-64 calls it through the GOT, not a PLT stub: one jump less
 * on the traced path (static links resolve it to a direct call). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define DYNPROBE__NOPLT __attribute__((noplt))
#else
#define DYNPROBE__NOPLT
#endif
DYNPROBE_API DYNPROBE__NOPLT int dynprobe_fire(struct dynprobe_probe *probe,
					       const struct dynprobe_arg *args, size_t nargs);

/* Is any tracer attached to this probe right now (USDT semaphore or stub
 * patched by a uprobe, or the LTTng event enabled in some session)? */
DYNPROBE_API int dynprobe_probe_enabled(const struct dynprobe_probe *probe);
/* Which backends have a tracer on this probe right now: a DYNPROBE_BACKEND_*
 * mask, 0 when none (or not loaded). */
DYNPROBE_API unsigned int dynprobe_probe_listening(const struct dynprobe_probe *probe);

/*
 * Private ABI for the inline check.  Every probe handle and every struct
 * dynprobe_site starts with one pointer, `base`; the probe may be enabled
 * when the 8 bytes at base differ from the 8 bytes DYNPROBE__WATCH_DISTANCE
 * further.  Three loads (the pointer, two aligned words) and one compare.
 * The library arranges where base points, so that the two words are equal
 * exactly while nobody listens on any backend; src/watch.h in dynprobe's
 * source owns that layout and explains it.  A stale read can only send a
 * caller to dynprobe_fire(), which re-checks.
 */
#define DYNPROBE__WATCH_DISTANCE (1u << 20)

struct dynprobe__watch {
	const volatile uint8_t *base;
};

/* The watched pointer (and a site's probe) changes under a concurrent
 * load, unload or free: read it as one atomic load, acquiring what it
 * points at (a plain mov on x86-64), which also keeps ThreadSanitizer
 * informed. */
#if defined(__GNUC__)
#define DYNPROBE__LOAD(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#else
#define DYNPROBE__LOAD(x) (x)
#endif

/* Works on a probe handle and on a struct dynprobe_site: both start with
 * the watched base pointer. */
static inline int dynprobe__maybe_enabled(const void *probe_or_site)
{
	const volatile uint8_t *b = DYNPROBE__LOAD(((const struct dynprobe__watch *)probe_or_site)->base);
#if defined(__x86_64__) && defined(__GCC_ASM_FLAG_OUTPUTS__) && !defined(DYNPROBE_NO_ASM)
	/* The same compare with the second word as cmp's memory operand
	 * (compilers never fold a volatile load into an instruction): one
	 * instruction, and one micro-op, less. */
	uint64_t w;
	int ne;

	__asm__ __volatile__("movq (%2), %0\n\tcmpq %c3(%2), %0"
			     : "=&r"(w), "=@ccne"(ne)
			     : "r"(b), "i"(DYNPROBE__WATCH_DISTANCE));
	return ne;
#else
	return *(const volatile uint64_t *)b !=
	       *(const volatile uint64_t *)(b + DYNPROBE__WATCH_DISTANCE);
#endif
}

/*
 * Sites: for the hottest call sites, keep the watched pointer in your own
 * static storage, as sys/sdt.h keeps its semaphore, and save the load of
 * the handle:
 *
 *	static struct dynprobe_site req_site = DYNPROBE_SITE_INIT;
 *	dynprobe_site_bind(&req_site, req);      // after dynprobe_probe_add()
 *	DYNPROBE_FIRE(&req_site, n, path);       // C11 / C++: a site or a probe
 *
 * The library keeps a bound site in step with its probe's loads and
 * unloads, and points it back at idle memory when the provider is freed.
 * A site must stay valid (static storage) while bound.
 */
struct dynprobe_site {
	const volatile uint8_t *base;  /* first: the inline check reads it */
	struct dynprobe_probe *probe;  /* set by dynprobe_site_bind() */
	struct dynprobe_site *next;    /* private */
};
/* Zeroed memory the idle check reads (DISTANCE + 16 bytes of .bss). */
DYNPROBE_API extern uint8_t dynprobe__idle_watch[];
#define DYNPROBE_SITE_INIT { dynprobe__idle_watch, 0, 0 }
/* What a site that is not bound (or whose provider was freed, maybe a
 * moment ago by another thread) fires through: zeros, which read as a
 * handle that names no probe, so the fire returns 0. */
#define DYNPROBE__UNBOUND ((struct dynprobe_probe *)(void *)dynprobe__idle_watch)
/* 0, -EINVAL, or -EBUSY if the site is bound to another probe. */
DYNPROBE_API int dynprobe_site_bind(struct dynprobe_site *site, struct dynprobe_probe *probe);

#if defined(__GNUC__)
#define DYNPROBE__UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define DYNPROBE__UNLIKELY(x) (x)
#endif

/* Fire only when a tracer listens: three loads and a branch otherwise. */
#define DYNPROBE_FIRE_ARGS(probe, args, nargs)                                \
	(DYNPROBE__UNLIKELY(dynprobe__maybe_enabled(probe))                   \
		 ? dynprobe_fire(DYNPROBE__PROBE(probe), (args), (nargs)) : 0)

/* Cheap inline guard for arguments that are expensive to compute. */
#define DYNPROBE_ENABLED(probe)                                               \
	(DYNPROBE__UNLIKELY(dynprobe__maybe_enabled(probe)) &&                \
	 dynprobe_probe_enabled(DYNPROBE__PROBE(probe)))

/* DYNPROBE_FIRE(probe, args...): type-correct firing of 0..12 C values in
 * C11 (_Generic) and C++ (overloads).  Evaluates to dynprobe_fire()'s result,
 * or 0 when nobody listens; the arguments are evaluated only when a tracer
 * may be listening.  `probe` is evaluated more than once. */
#if defined(__cplusplus)
} /* extern "C" */
#include <initializer_list>
static inline struct dynprobe_arg dynprobe__arg(signed char x) { return dynprobe_arg_i(x); }
static inline struct dynprobe_arg dynprobe__arg(char x) { return dynprobe_arg_i(x); }
static inline struct dynprobe_arg dynprobe__arg(short x) { return dynprobe_arg_i(x); }
static inline struct dynprobe_arg dynprobe__arg(int x) { return dynprobe_arg_i(x); }
static inline struct dynprobe_arg dynprobe__arg(long x) { return dynprobe_arg_i(x); }
static inline struct dynprobe_arg dynprobe__arg(long long x) { return dynprobe_arg_i(x); }
static inline struct dynprobe_arg dynprobe__arg(bool x) { return dynprobe_arg_u(x); }
static inline struct dynprobe_arg dynprobe__arg(unsigned char x) { return dynprobe_arg_u(x); }
static inline struct dynprobe_arg dynprobe__arg(unsigned short x) { return dynprobe_arg_u(x); }
static inline struct dynprobe_arg dynprobe__arg(unsigned int x) { return dynprobe_arg_u(x); }
static inline struct dynprobe_arg dynprobe__arg(unsigned long x) { return dynprobe_arg_u(x); }
static inline struct dynprobe_arg dynprobe__arg(unsigned long long x) { return dynprobe_arg_u(x); }
static inline struct dynprobe_arg dynprobe__arg(float x) { return dynprobe_arg_d(x); }
static inline struct dynprobe_arg dynprobe__arg(double x) { return dynprobe_arg_d(x); }
static inline struct dynprobe_arg dynprobe__arg(const char *x) { return dynprobe_arg_s(x); }
static inline struct dynprobe_probe *dynprobe__probe_of(struct dynprobe_probe *p) { return p; }
static inline struct dynprobe_probe *dynprobe__probe_of(struct dynprobe_site *s)
{ struct dynprobe_probe *p = DYNPROBE__LOAD(s->probe); return p ? p : DYNPROBE__UNBOUND; }
static inline int dynprobe__fire_list(struct dynprobe_probe *p,
				      std::initializer_list<struct dynprobe_arg> l)
{ return dynprobe_fire(p, l.begin(), l.size()); }
#define DYNPROBE__ARG(x) dynprobe__arg(x)
#define DYNPROBE__PROBE(p) dynprobe__probe_of(p)
#define DYNPROBE__FIRE_K(p, n, ...) dynprobe__fire_list(DYNPROBE__PROBE(p), { __VA_ARGS__ })
extern "C" {
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define DYNPROBE__ARG(x) _Generic((x),                                        \
	_Bool: dynprobe_arg_u,                                                \
	char: dynprobe_arg_i, signed char: dynprobe_arg_i,                    \
	short: dynprobe_arg_i, int: dynprobe_arg_i,                           \
	long: dynprobe_arg_i, long long: dynprobe_arg_i,                      \
	unsigned char: dynprobe_arg_u, unsigned short: dynprobe_arg_u,        \
	unsigned int: dynprobe_arg_u, unsigned long: dynprobe_arg_u,          \
	unsigned long long: dynprobe_arg_u,                                   \
	float: dynprobe_arg_d, double: dynprobe_arg_d,                        \
	char *: dynprobe_arg_s, const char *: dynprobe_arg_s)(x)
static inline struct dynprobe_probe *dynprobe__site_probe(struct dynprobe_site *s)
{ struct dynprobe_probe *p = DYNPROBE__LOAD(s->probe); return p ? p : DYNPROBE__UNBOUND; }
static inline struct dynprobe_probe *dynprobe__probe_id(struct dynprobe_probe *p)
{ return p; }
#define DYNPROBE__PROBE(p) _Generic((p),                                      \
	struct dynprobe_site *: dynprobe__site_probe,                         \
	default: dynprobe__probe_id)(p)
#define DYNPROBE__FIRE_K(p, n, ...)                                           \
	dynprobe_fire(DYNPROBE__PROBE(p), (const struct dynprobe_arg[n]){ __VA_ARGS__ }, (n))
#endif

#ifndef DYNPROBE__PROBE
#define DYNPROBE__PROBE(p) (p) /* C99: probes only */
#endif

#ifdef DYNPROBE__ARG
#define DYNPROBE__N(...) DYNPROBE__N_(__VA_ARGS__, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, ~)
#define DYNPROBE__N_(p, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, n, ...) n
#define DYNPROBE__CAT(a, b) DYNPROBE__CAT_(a, b)
#define DYNPROBE__CAT_(a, b) a##b
#define DYNPROBE__M1(a) DYNPROBE__ARG(a)
#define DYNPROBE__M2(a, ...) DYNPROBE__ARG(a), DYNPROBE__M1(__VA_ARGS__)
#define DYNPROBE__M3(a, ...) DYNPROBE__ARG(a), DYNPROBE__M2(__VA_ARGS__)
#define DYNPROBE__M4(a, ...) DYNPROBE__ARG(a), DYNPROBE__M3(__VA_ARGS__)
#define DYNPROBE__M5(a, ...) DYNPROBE__ARG(a), DYNPROBE__M4(__VA_ARGS__)
#define DYNPROBE__M6(a, ...) DYNPROBE__ARG(a), DYNPROBE__M5(__VA_ARGS__)
#define DYNPROBE__M7(a, ...) DYNPROBE__ARG(a), DYNPROBE__M6(__VA_ARGS__)
#define DYNPROBE__M8(a, ...) DYNPROBE__ARG(a), DYNPROBE__M7(__VA_ARGS__)
#define DYNPROBE__M9(a, ...) DYNPROBE__ARG(a), DYNPROBE__M8(__VA_ARGS__)
#define DYNPROBE__M10(a, ...) DYNPROBE__ARG(a), DYNPROBE__M9(__VA_ARGS__)
#define DYNPROBE__M11(a, ...) DYNPROBE__ARG(a), DYNPROBE__M10(__VA_ARGS__)
#define DYNPROBE__M12(a, ...) DYNPROBE__ARG(a), DYNPROBE__M11(__VA_ARGS__)
#define DYNPROBE__F0(p)                                                       \
	(DYNPROBE__UNLIKELY(dynprobe__maybe_enabled(p))                       \
		 ? dynprobe_fire(DYNPROBE__PROBE(p), NULL, 0) : 0)
#define DYNPROBE__FN(p, n, ...)                                               \
	(DYNPROBE__UNLIKELY(dynprobe__maybe_enabled(p))                       \
		 ? DYNPROBE__FIRE_K(p, n, DYNPROBE__CAT(DYNPROBE__M, n)(__VA_ARGS__)) \
		 : 0)
#define DYNPROBE__F1(p, ...) DYNPROBE__FN(p, 1, __VA_ARGS__)
#define DYNPROBE__F2(p, ...) DYNPROBE__FN(p, 2, __VA_ARGS__)
#define DYNPROBE__F3(p, ...) DYNPROBE__FN(p, 3, __VA_ARGS__)
#define DYNPROBE__F4(p, ...) DYNPROBE__FN(p, 4, __VA_ARGS__)
#define DYNPROBE__F5(p, ...) DYNPROBE__FN(p, 5, __VA_ARGS__)
#define DYNPROBE__F6(p, ...) DYNPROBE__FN(p, 6, __VA_ARGS__)
#define DYNPROBE__F7(p, ...) DYNPROBE__FN(p, 7, __VA_ARGS__)
#define DYNPROBE__F8(p, ...) DYNPROBE__FN(p, 8, __VA_ARGS__)
#define DYNPROBE__F9(p, ...) DYNPROBE__FN(p, 9, __VA_ARGS__)
#define DYNPROBE__F10(p, ...) DYNPROBE__FN(p, 10, __VA_ARGS__)
#define DYNPROBE__F11(p, ...) DYNPROBE__FN(p, 11, __VA_ARGS__)
#define DYNPROBE__F12(p, ...) DYNPROBE__FN(p, 12, __VA_ARGS__)
#define DYNPROBE_FIRE(...)                                                    \
	DYNPROBE__CAT(DYNPROBE__F, DYNPROBE__N(__VA_ARGS__))(__VA_ARGS__)
#endif /* DYNPROBE__ARG */

#ifdef __cplusplus
}
#endif

#endif /* DYNPROBE_H */
