/* SPDX-License-Identifier: MIT */
/*
 * expr.h - values of event fields, and the --filter predicate language.
 *
 * A filter is a bpftrace predicate: comparisons joined by `&&`, `||`, `!`
 * and parentheses,
 *
 *     vpid == 42 && (str(arg0) == "GET" || arg0 == "PO*") && !(arg1 < 100)
 *
 * Operands are field names (payload, context, `event`...; `str(NAME)` is
 * NAME, as bpftrace spells it), integers (decimal, 0x hex, negative),
 * reals, and quoted strings.  Strings compare with == and != only; a `*`
 * in a string literal is a wildcard, as in LTTng's own filters
 * (`procname == "gen_*"`), and `\*` is a literal star.  A bare numeric
 * operand is true when non-zero.  `!` negates the comparison or the
 * parenthesized expression right after it.
 *
 * Parsing happens once, before any trace is opened; each field name gets a
 * slot in a `struct dp_fieldset` shared with the group-by keys and the
 * value field, so the sink resolves every name once per event class.
 * Types are checked per event class (dp_expr_check), when the kinds of the
 * fields are known; evaluation (dp_expr_eval) does no allocation.
 */
#ifndef DYNPROBE_CONSUMER_EXPR_H
#define DYNPROBE_CONSUMER_EXPR_H

#include <stddef.h>
#include <stdint.h>

/* Kinds of field values (also of resolved field classes). */
enum {
	DP_FK_NONE,
	DP_FK_UINT,
	DP_FK_INT,
	DP_FK_F64,
	DP_FK_F32,
	DP_FK_STR,
	DP_FK_BOOL,
	DP_FK_OTHER
};
enum { DP_OP_EQ, DP_OP_NE, DP_OP_LT, DP_OP_LE, DP_OP_GT, DP_OP_GE };

/* One field's value in one event. */
struct dp_value {
	int kind; /* DP_FK_*; F32 is delivered as F64 */
	union {
		uint64_t u;
		int64_t i;
		double d;
	};
	const char *s; /* DP_FK_STR: NUL-terminated */
	size_t len;
};

#define DP_MAX_SLOTS 24

/* The distinct field names a query uses, each with a slot number. */
struct dp_fieldset {
	char *names[DP_MAX_SLOTS];
	unsigned n;
};

/* The slot of `name` (len bytes), added if new; -1 when full or OOM. */
int dp_fieldset_add(struct dp_fieldset *fs, const char *name, size_t len);
void dp_fieldset_fini(struct dp_fieldset *fs);

enum { DP_X_OR, DP_X_AND, DP_X_NOT, DP_X_CMP, DP_X_TRUTH };
enum { DP_LIT_NONE, DP_LIT_INT, DP_LIT_REAL, DP_LIT_STR };

struct dp_operand {
	int slot;      /* field slot, or -1 for a literal */
	int lit;       /* DP_LIT_* */
	__int128 i;    /* DP_LIT_INT */
	double d;      /* DP_LIT_INT and DP_LIT_REAL */
	char *s;       /* DP_LIT_STR, unescaped */
	uint8_t *star; /* per byte of s: a wildcard; NULL = no wildcard */
	size_t slen;
};

struct dp_xnode {
	int type;		/* DP_X_* */
	int op;			/* DP_OP_* for DP_X_CMP */
	int a, b;		/* child nodes (OR, AND: both; NOT: a) */
	struct dp_operand l, r; /* CMP: both; TRUTH: l */
};

struct dp_expr {
	struct dp_xnode *nodes;
	int n, cap;
	int root; /* -1: no filter */
};

/* Parse `text`; names go to `fs`.  0, or -1 with a one-line message. */
int dp_expr_parse(struct dp_expr *x, const char *text, struct dp_fieldset *fs, char *err,
		  size_t errlen);
void dp_expr_fini(struct dp_expr *x);

/* Check operand types for one event class: kinds[slot] are the fields'
 * DP_FK_* kinds there.  0, or -1 with a message naming field and event. */
int dp_expr_check(const struct dp_expr *x, const int *kinds, const struct dp_fieldset *fs,
		  const char *event, char *err, size_t errlen);

/* Fetch one field of the current event (the sink's callback). */
typedef const struct dp_value *(*dp_fetch_fn)(void *ctx, unsigned slot);
int dp_expr_eval(const struct dp_expr *x, dp_fetch_fn fetch, void *ctx);

/* Compare two values with `op` (types already checked). */
int dp_value_cmp(int op, const struct dp_value *a, const struct dp_value *b);
/* LTTng-style star glob: `star[i]` marks wildcards in pat. */
int dp_glob_match(const char *pat, const uint8_t *star, size_t plen, const char *s, size_t slen);

#endif
