/* SPDX-License-Identifier: MIT */
/*
 * tp.h - the LTTng tracepoint-provider generator and the spec language, an
 * internal static library (tp/meson.build) shared by libdynprobe (the
 * LTTng backend's compiled mode, the name validator) and `dynprobe tp`
 * (ahead of time).  It depends only on the public dynprobe.h and on three
 * functions its host provides (below): the library's are in src/log.c and
 * src/tp_host.c, the command's in tools/tp_host.c.
 *
 *   dp_name_check()    the one name validator (tp_names.c)
 *   dp_tp_validate()   refuse anything lttng-ust would abort on
 *   dp_tp_generate()   provider description -> one self-contained C file
 *   dp_tp_*_name()     object file names (hash of everything that changes
 *                      the object), shared so both sides agree
 *   dp_tp_cc_find()    the system C compiler ($CC, else cc/gcc/clang)
 *   dp_tp_compile()    compile into a directory, atomically
 *   dp_tp_spec_parse() the `dynprobe tp` text spec
 *
 * The generated object exports one symbol, DP_TP_DESC_SYMBOL, a
 * struct dp_tp_desc.  DP_TP_ABI() below is the single definition of that
 * ABI: it is compiled here and pasted verbatim into every generated file,
 * so the two can never drift apart.  Rules: every struct starts with its
 * size, fields are only appended, a different major is refused.
 */
#ifndef DYNPROBE_TP_H
#define DYNPROBE_TP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <dynprobe.h>

#ifndef DP_HIDDEN
#define DP_HIDDEN __attribute__((visibility("hidden")))
#endif

/* ---- what the host provides ---- */
/* Messages, at a dynprobe_log_level (the library: its log handler). */
DP_HIDDEN void dp_logl(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The environment variables the generator reads (secure_getenv()). */
enum dp_tp_env { DP_TP_ENV_CC, DP_TP_ENV_PATH };
DP_HIDDEN const char *dp_tp_env(enum dp_tp_env var);

/* ---- provider descriptions ---- */
/* What the spec language produces, the generator consumes, and the
 * library hands its backends (src/backend.h). */
/* Everything a backend needs to know about a probe. */
struct dp_probe_desc {
	const char *name;
	size_t nargs;
	enum dynprobe_type types[DYNPROBE_MAX_ARGS];
	const char *arg_names[DYNPROBE_MAX_ARGS]; /* never NULL: "argN" default */
	int lttng_loglevel;    /* DYNPROBE_LOGLEVEL_*, 0: unset */
};

/* Everything a backend needs to know about a provider being loaded. */
struct dp_provider_desc {
	const char *name;
	size_t nprobes;
	const struct dp_probe_desc *const *probes;
	const char *cache_dir;       /* NULL: backend default */
	const char *prebuilt_path;   /* NULL: backend default */
	unsigned int lttng_mode;     /* DYNPROBE_LTTNG_MODE_* (AUTO: backend default) */
	const char *usdt_dir;        /* NULL: backend default */
};

/* ---- names ---- */
/* tp_names.c.  A C identifier of at most max_len characters. */
DP_HIDDEN bool dp_name_valid(const char *name, size_t max_len);
/* The names' hash: FNV-1a, then murmur3's finalizer (names that differ
 * only in their last characters spread over all bits).  The build-time
 * tables (gen_names_macros.py) and the library's name index use it. */
DP_HIDDEN uint32_t dp_name_hash(const char *name);
/* The one name validator: 0, or -DYNPROBE_ENAME (and a message naming the
 * value and the reason) for anything some backend of this build would
 * refuse: not an identifier, too long, a reserved identifier (__x, _X), a
 * macro in the headers a generated LTTng provider includes (this build's
 * lttng-ust and C library: NULL, errno, EOF, PATH_MAX, tracepoint...), or
 * a provider name that clashes with lttng-ust's identifiers (register). */
enum dp_name_kind { DP_NAME_PROVIDER, DP_NAME_PROBE, DP_NAME_FIELD };
DP_HIDDEN int dp_name_check(const char *name, enum dp_name_kind kind);

/* ---- the generator ---- */

/* Bump when the generated text changes in any way: it is hashed anyway,
 * but the version also lands in the file's header comment. */
#define DP_TP_GENERATOR_VERSION 4

#define DP_TP_ABI_MAJOR 2
#define DP_TP_ABI_MINOR 1
#define DP_TP_DESC_SYMBOL "dynprobe_tp_desc"

#define DP_TP_ABI(X) X(							\
union dp_tp_value {							\
	int64_t i;							\
	uint64_t u;							\
	double d;							\
	const char *s;							\
};									\
struct dp_tp_event {							\
	uint32_t struct_size;						\
	uint32_t nargs;							\
	const char *name;						\
	const char *signature;						\
	const volatile int *state;					\
	void (*fire)(const union dp_tp_value *values);			\
	/* 1.x: DYNPROBE_LOGLEVEL_*, 0 when unset */			\
	int32_t loglevel;						\
};									\
struct dp_tp_desc {							\
	uint32_t struct_size;						\
	uint16_t major;							\
	uint16_t minor;							\
	uint32_t nevents;						\
	uint32_t event_size;						\
	const char *provider;						\
	const char *ust_version;					\
	const struct dp_tp_event *events;				\
	void (*attach)(void);						\
	void (*detach)(void);						\
	/* State mirrors: extra lttng-ust call-site records that the	\
	 * library places where its inline check reads. */		\
	uint32_t mirror_size;		/* the record's size */		\
	uint32_t mirror_state;		/* offset of its int state */	\
	int (*mirror_init)(uint32_t event, void *record);		\
	int (*mirror_register)(void *const *records, uint32_t n);	\
	void (*mirror_unregister)(void *const *records);		\
};)

#define DP_TP_ABI_CODE(...) __VA_ARGS__
#define DP_TP_ABI_TEXT(...) #__VA_ARGS__
DP_TP_ABI(DP_TP_ABI_CODE)

/* The lttng-ust this build was configured with (tp_config.c). */
DP_HIDDEN extern const char dp_tp_ust_version[];
/* Extra compile flags for a non-default lttng-ust prefix, or "". */
DP_HIDDEN extern const char dp_tp_ust_cflags[];
DP_HIDDEN extern const char dp_tp_ust_ldflags[];

/* Hex digits of the hash in object names. */
#define DP_TP_HASH_HEX 20
/* "libdynprobe-lttng-" provider "-" hash ".so" */
#define DP_TP_NAME_MAX (32 + DYNPROBE_MAX_PROVIDER_NAME + DP_TP_HASH_HEX)
#define DP_TP_NAME_PREFIX "libdynprobe-lttng-"

/* The "u64 latency,str path" string that the descriptor carries per event,
 * so the loader can check an object against the probes it was asked for. */
DP_HIDDEN int dp_tp_signature(const struct dp_probe_desc *probe, char *buf, size_t len);

DP_HIDDEN int dp_tp_validate(const struct dp_provider_desc *desc);
/* Returns 0 and a malloc()ed NUL-terminated source in *ret_src. */
DP_HIDDEN int dp_tp_generate(const struct dp_provider_desc *desc, char **ret_src);

/* The system compiler: argv prefix plus an identity string that changes
 * whenever the compiler binary does. */
struct dp_tp_cc {
	char *path;          /* resolved executable */
	char **argv;         /* $CC split on blanks, argv[0] = path; NULL-ended */
	size_t argc;
	char identity[512];  /* path, size, mtime, inode of the executable */
};
/* -DYNPROBE_ENOCOMPILER when none is found. */
DP_HIDDEN int dp_tp_cc_find(struct dp_tp_cc *cc);
DP_HIDDEN void dp_tp_cc_free(struct dp_tp_cc *cc);
/* The flags, space-separated, for hashing and logging. */
DP_HIDDEN const char *dp_tp_flags_text(void);

/* Object names.  Prebuilt objects (dynprobe tp) are keyed by the source and
 * lttng-ust version only, so a machine without a compiler finds them;
 * cached objects also by compiler identity and flags. */
DP_HIDDEN void dp_tp_prebuilt_name(const char *provider, const char *src,
				   char buf[DP_TP_NAME_MAX]);
DP_HIDDEN void dp_tp_cache_name(const char *provider, const char *src,
				const struct dp_tp_cc *cc, char buf[DP_TP_NAME_MAX]);

/* Compile src into dir/name: a private build directory inside dir, then
 * rename(2), so readers never see a partial object.  The object gets
 * `mode`.  -DYNPROBE_ECOMPILE (compiler output is logged), -errno. */
DP_HIDDEN int dp_tp_compile(const struct dp_tp_cc *cc, const char *src,
			    const char *dir, const char *name, mode_t mode);

/* ---- spec files (dynprobe tp) ---- */
struct dp_tp_spec {
	struct dp_provider_desc desc;
	struct dp_probe_desc *probes;
	const struct dp_probe_desc **probe_ptrs;
	char *strings;       /* all names, one allocation */
};
/* Parse `text`; on error returns a negative code and a "line N: why"
 * message in err.  The _n form takes the length: a NUL byte inside is an
 * error rather than the end of the text. */
DP_HIDDEN int dp_tp_spec_parse(const char *text, struct dp_tp_spec **ret_spec,
			       char *err, size_t errlen);
DP_HIDDEN int dp_tp_spec_parse_n(const char *text, size_t len, struct dp_tp_spec **ret_spec,
				 char *err, size_t errlen);
DP_HIDDEN struct dp_tp_spec *dp_tp_spec_free(struct dp_tp_spec *spec);

#endif /* DYNPROBE_TP_H */
