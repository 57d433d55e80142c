/* SPDX-License-Identifier: MIT */
/*
 * expr.c - the --filter language (grammar and semantics in expr.h).
 *
 *   or      := and ( '||' and )*
 *   and     := unary ( '&&' unary )*
 *   unary   := '!' unary | '(' or ')' | cmp
 *   cmp     := operand [ OP operand ]        OP: == != < <= > >= (= is ==)
 *   operand := NAME | str(NAME) | NUMBER | "STRING" | 'STRING'
 *
 * A recursive-descent parser builds an array of nodes; evaluation walks it
 * with short-circuit && and ||, fetching each field through the caller's
 * callback only when an operand needs it.
 */
#include "expr.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DP_EXPR_MAX_NODES 256
#define DP_EXPR_MAX_DEPTH 64

int dp_fieldset_add(struct dp_fieldset *fs, const char *name, size_t len)
{
	for (unsigned i = 0; i < fs->n; i++)
		if (strlen(fs->names[i]) == len && !memcmp(fs->names[i], name, len))
			return (int)i;
	if (fs->n == DP_MAX_SLOTS || !(fs->names[fs->n] = strndup(name, len)))
		return -1;
	return (int)fs->n++;
}

void dp_fieldset_fini(struct dp_fieldset *fs)
{
	for (unsigned i = 0; i < fs->n; i++)
		free(fs->names[i]);
	memset(fs, 0, sizeof(*fs));
}

struct parser {
	const char *text, *p;
	struct dp_expr *x;
	struct dp_fieldset *fs;
	char *err;
	size_t errlen;
	int depth;
};

static int fail(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *ps, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	if (ps->err[0])
		return -1;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(ps->err, ps->errlen, "bad filter '%s': %s at column %d", ps->text, what,
		 (int)(ps->p - ps->text) + 1);
	return -1;
}

static void skip_space(struct parser *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
}

/* Consume `tok` if it comes next. */
static int accept(struct parser *ps, const char *tok)
{
	size_t n = strlen(tok);

	skip_space(ps);
	if (strncmp(ps->p, tok, n))
		return 0;
	ps->p += n;
	return 1;
}

static int new_node(struct parser *ps, int type)
{
	struct dp_expr *x = ps->x;

	if (x->n == DP_EXPR_MAX_NODES)
		return fail(ps, "expression too long (more than %d terms)", DP_EXPR_MAX_NODES);
	if (x->n == x->cap) {
		int cap = x->cap ? x->cap * 2 : 8;
		struct dp_xnode *nodes = realloc(x->nodes, (size_t)cap * sizeof(*nodes));

		if (!nodes)
			return fail(ps, "out of memory");
		x->nodes = nodes;
		x->cap = cap;
	}
	memset(&x->nodes[x->n], 0, sizeof(x->nodes[0]));
	x->nodes[x->n].type = type;
	x->nodes[x->n].l.slot = x->nodes[x->n].r.slot = -1;
	return x->n++;
}

/* A quoted string: unescape, and mark unescaped `*` as wildcards. */
static int parse_string(struct parser *ps, struct dp_operand *o)
{
	char quote = *ps->p++;
	const char *start = ps->p;
	size_t n = 0;
	int stars = 0;

	o->lit = DP_LIT_STR;
	for (const char *q = start; *q != quote; q++) {
		if (!*q)
			return fail(ps, "unterminated string");
		if (*q == '\\' && q[1])
			q++;
		n++;
	}
	if (!(o->s = malloc(n + 1)) || !(o->star = calloc(n + 1, 1)))
		return fail(ps, "out of memory");
	for (n = 0; *ps->p != quote; ps->p++) {
		char c = *ps->p;

		if (c == '*') {
			o->star[n] = 1;
			stars++;
		} else if (c == '\\') {
			c = *++ps->p;
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
		}
		o->s[n++] = c;
	}
	ps->p++;
	o->s[n] = 0;
	o->slen = n;
	if (!stars) {
		free(o->star);
		o->star = NULL;
	}
	return 0;
}

static int parse_number(struct parser *ps, struct dp_operand *o)
{
	const char *start = ps->p;
	char *end;

	errno = 0;
	if (*start == '-') {
		long long v = strtoll(start, &end, 0);
		o->i = v;
	} else {
		unsigned long long v = strtoull(start, &end, 0);
		o->i = v;
	}
	if (!errno && end != start && !isalnum((unsigned char)*end) && *end != '.') {
		o->lit = DP_LIT_INT;
		o->d = (double)o->i;
		ps->p = end;
		return 0;
	}
	o->d = strtod(start, &end);
	if (end == start || isalnum((unsigned char)*end) || *end == '.' || *end == '_' ||
	    isnan(o->d) || isinf(o->d))
		return fail(ps, "bad number");
	o->lit = DP_LIT_REAL;
	ps->p = end;
	return 0;
}

static int is_name_char(char c, int first)
{
	return isalpha((unsigned char)c) || c == '_' || (!first && isdigit((unsigned char)c));
}

static int parse_name(struct parser *ps, struct dp_operand *o)
{
	const char *start = ps->p;
	int paren = 0;

	while (is_name_char(*ps->p, ps->p == start))
		ps->p++;
	/* bpftrace writes str(arg0): the field is a string already. */
	if (ps->p - start == 3 && !strncmp(start, "str", 3) && accept(ps, "(")) {
		skip_space(ps);
		start = ps->p;
		while (is_name_char(*ps->p, ps->p == start))
			ps->p++;
		paren = 1;
	}
	if (ps->p == start)
		return fail(ps, "expected a field name");
	if ((o->slot = dp_fieldset_add(ps->fs, start, (size_t)(ps->p - start))) < 0)
		return fail(ps, "too many distinct fields (at most %d)", DP_MAX_SLOTS);
	if (paren && !accept(ps, ")"))
		return fail(ps, "expected ')' after str(NAME");
	return 0;
}

static int parse_operand(struct parser *ps, struct dp_operand *o)
{
	skip_space(ps);
	if (*ps->p == '"' || *ps->p == '\'')
		return parse_string(ps, o);
	if (isdigit((unsigned char)*ps->p) || (*ps->p == '-' && isdigit((unsigned char)ps->p[1])) ||
	    (*ps->p == '.' && isdigit((unsigned char)ps->p[1])))
		return parse_number(ps, o);
	if (is_name_char(*ps->p, 1))
		return parse_name(ps, o);
	return fail(ps, *ps->p ? "expected a field, a number or a string" : "unexpected end");
}

static int parse_op(struct parser *ps)
{
	static const struct {
		const char *s;
		int op;
	} ops[] = {
	    {"==", DP_OP_EQ}, {"!=", DP_OP_NE}, {"<=", DP_OP_LE},
	    {">=", DP_OP_GE}, {"<", DP_OP_LT},	{">", DP_OP_GT},
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (accept(ps, ops[i].s))
			return ops[i].op;
	/* A lone '=' (older dynprobe syntax) means ==; not '=>' or '=<'. */
	skip_space(ps);
	if (*ps->p == '=' && ps->p[1] != '<' && ps->p[1] != '>') {
		ps->p++;
		return DP_OP_EQ;
	}
	return -1;
}

static int parse_or(struct parser *ps);

static int parse_cmp(struct parser *ps)
{
	struct dp_operand l = {.slot = -1}, r = {.slot = -1};
	int op, node;

	if (parse_operand(ps, &l))
		goto err;
	if ((op = parse_op(ps)) < 0) {
		if (l.slot < 0) {
			fail(ps, "a constant alone is not a condition");
			goto err;
		}
		if ((node = new_node(ps, DP_X_TRUTH)) < 0)
			goto err;
		ps->x->nodes[node].l = l;
		return node;
	}
	if (parse_operand(ps, &r))
		goto err;
	if (l.slot < 0 && r.slot < 0) {
		fail(ps, "comparing two constants");
		goto err;
	}
	if ((node = new_node(ps, DP_X_CMP)) < 0)
		goto err;
	ps->x->nodes[node].op = op;
	ps->x->nodes[node].l = l;
	ps->x->nodes[node].r = r;
	return node;
err:
	free(l.s), free(l.star), free(r.s), free(r.star);
	return -1;
}

static int parse_unary(struct parser *ps)
{
	int node, a;

	if (++ps->depth > DP_EXPR_MAX_DEPTH)
		return fail(ps, "nested too deeply");
	skip_space(ps);
	if (*ps->p == '!' && ps->p[1] != '=') {
		ps->p++;
		if ((a = parse_unary(ps)) < 0 || (node = new_node(ps, DP_X_NOT)) < 0)
			return -1;
		ps->x->nodes[node].a = a;
	} else if (accept(ps, "(")) {
		if ((node = parse_or(ps)) < 0)
			return -1;
		if (!accept(ps, ")"))
			return fail(ps, "expected ')'");
	} else if ((node = parse_cmp(ps)) < 0) {
		return -1;
	}
	ps->depth--;
	return node;
}

/* Left-associative chains of `tok` over `sub`. */
static int parse_chain(struct parser *ps, const char *tok, int type, int (*sub)(struct parser *))
{
	int node = sub(ps), b, n;

	while (node >= 0 && accept(ps, tok)) {
		if ((b = sub(ps)) < 0 || (n = new_node(ps, type)) < 0)
			return -1;
		ps->x->nodes[n].a = node;
		ps->x->nodes[n].b = b;
		node = n;
	}
	return node;
}

static int parse_and(struct parser *ps)
{
	return parse_chain(ps, "&&", DP_X_AND, parse_unary);
}

static int parse_or(struct parser *ps)
{
	return parse_chain(ps, "||", DP_X_OR, parse_and);
}

int dp_expr_parse(struct dp_expr *x, const char *text, struct dp_fieldset *fs, char *err,
		  size_t errlen)
{
	struct parser ps = {
	    .text = text, .p = text, .x = x, .fs = fs, .err = err, .errlen = errlen};

	memset(x, 0, sizeof(*x));
	x->root = -1;
	err[0] = 0;
	skip_space(&ps);
	if (!*ps.p) {
		snprintf(err, errlen, "empty filter");
		return -1;
	}
	x->root = parse_or(&ps);
	skip_space(&ps);
	if (x->root >= 0 && *ps.p)
		x->root = fail(
		    &ps, *ps.p == '&' || *ps.p == '|' ? "use && and ||" : "unexpected '%c'", *ps.p);
	if (x->root < 0) {
		dp_expr_fini(x);
		return -1;
	}
	return 0;
}

void dp_expr_fini(struct dp_expr *x)
{
	for (int i = 0; i < x->n; i++) {
		free(x->nodes[i].l.s);
		free(x->nodes[i].l.star);
		free(x->nodes[i].r.s);
		free(x->nodes[i].r.star);
	}
	free(x->nodes);
	memset(x, 0, sizeof(*x));
	x->root = -1;
}

static int is_number_kind(int k)
{
	return k == DP_FK_UINT || k == DP_FK_INT || k == DP_FK_F64 || k == DP_FK_F32 ||
	       k == DP_FK_BOOL;
}

/* "number", "string" or "other" for an operand in one event class. */
static int operand_class(const struct dp_operand *o, const int *kinds)
{
	int k = o->slot >= 0 ? kinds[o->slot] : o->lit == DP_LIT_STR ? DP_FK_STR : DP_FK_INT;

	return is_number_kind(k) ? 'n' : k == DP_FK_STR ? 's' : 'o';
}

static const char *operand_text(const struct dp_operand *o, const struct dp_fieldset *fs)
{
	return o->slot >= 0 ? fs->names[o->slot] : o->lit == DP_LIT_STR ? o->s : "a number";
}

/* One comparison or truth test in one event class: 0, or -1 and a message. */
static int check_node(const struct dp_xnode *nd, const int *kinds, const struct dp_fieldset *fs,
		      const char *event, char *err, size_t errlen)
{
	int l = operand_class(&nd->l, kinds), r;
	const struct dp_operand *num, *str;

	if (nd->type == DP_X_TRUTH) {
		if (l == 'n')
			return 0;
		snprintf(err, errlen,
			 "filter: field '%s' of event '%s' is not a number; compare "
			 "it (%s == \"...\")",
			 fs->names[nd->l.slot], event, fs->names[nd->l.slot]);
		return -1;
	}
	r = operand_class(&nd->r, kinds);
	if (l == 'o' || r == 'o') {
		snprintf(err, errlen,
			 "filter: field '%s' of event '%s' is neither a number nor a "
			 "string",
			 fs->names[(l == 'o' ? nd->l : nd->r).slot], event);
		return -1;
	}
	if (l != r) {
		num = l == 'n' ? &nd->l : &nd->r;
		str = num == &nd->l ? &nd->r : &nd->l;
		if (num->slot >= 0)
			snprintf(err, errlen,
				 "filter: field '%s' of event '%s' is numeric but "
				 "'%s' is not a number",
				 fs->names[num->slot], event, operand_text(str, fs));
		else
			snprintf(err, errlen,
				 "filter: field '%s' of event '%s' is a string; "
				 "compare it with a quoted string",
				 fs->names[str->slot], event);
		return -1;
	}
	if (l == 's' && nd->op != DP_OP_EQ && nd->op != DP_OP_NE) {
		snprintf(err, errlen, "filter: string field '%s' compares only with == and !=",
			 operand_text(nd->l.slot >= 0 ? &nd->l : &nd->r, fs));
		return -1;
	}
	return 0;
}

int dp_expr_check(const struct dp_expr *x, const int *kinds, const struct dp_fieldset *fs,
		  const char *event, char *err, size_t errlen)
{
	for (int i = 0; i < x->n; i++)
		if ((x->nodes[i].type == DP_X_CMP || x->nodes[i].type == DP_X_TRUTH) &&
		    check_node(&x->nodes[i], kinds, fs, event, err, errlen))
			return -1;
	return 0;
}

static int cmp_result(int op, int c)
{
	switch (op) {
	case DP_OP_EQ:
		return c == 0;
	case DP_OP_NE:
		return c != 0;
	case DP_OP_LT:
		return c < 0;
	case DP_OP_LE:
		return c <= 0;
	case DP_OP_GT:
		return c > 0;
	default:
		return c >= 0;
	}
}

int dp_value_cmp(int op, const struct dp_value *a, const struct dp_value *b)
{
	int ai = a->kind != DP_FK_F64, bi = b->kind != DP_FK_F64;
	__int128 x, y;
	double dx, dy;

	if (a->kind == DP_FK_STR) {
		int c = strcmp(a->s, b->s);

		return cmp_result(op, c);
	}
	if (ai && bi) {
		x = a->kind == DP_FK_INT ? (__int128)a->i : (__int128)a->u;
		y = b->kind == DP_FK_INT ? (__int128)b->i : (__int128)b->u;
		return cmp_result(op, (x > y) - (x < y));
	}
	dx = !ai ? a->d : a->kind == DP_FK_INT ? (double)a->i : (double)a->u;
	dy = !bi ? b->d : b->kind == DP_FK_INT ? (double)b->i : (double)b->u;
	if (isnan(dx) || isnan(dy))
		return op == DP_OP_NE;
	return cmp_result(op, (dx > dy) - (dx < dy));
}

/* Classic wildcard matching with one backtrack point per star. */
int dp_glob_match(const char *pat, const uint8_t *star, size_t plen, const char *s, size_t slen)
{
	size_t p = 0, i = 0, star_p = (size_t)-1, star_i = 0;

	while (i < slen) {
		if (p < plen && star[p]) {
			star_p = p++;
			star_i = i;
		} else if (p < plen && pat[p] == s[i]) {
			p++;
			i++;
		} else if (star_p != (size_t)-1) {
			p = star_p + 1;
			i = ++star_i;
		} else {
			return 0;
		}
	}
	while (p < plen && star[p])
		p++;
	return p == plen;
}

static void literal_value(const struct dp_operand *o, struct dp_value *v)
{
	if (o->lit == DP_LIT_STR) {
		v->kind = DP_FK_STR;
		v->s = o->s;
		v->len = o->slen;
	} else if (o->lit == DP_LIT_REAL) {
		v->kind = DP_FK_F64;
		v->d = o->d;
	} else if (o->i < 0) {
		v->kind = DP_FK_INT;
		v->i = (int64_t)o->i;
	} else {
		v->kind = DP_FK_UINT;
		v->u = (uint64_t)o->i;
	}
}

static int eval_cmp(const struct dp_xnode *nd, dp_fetch_fn fetch, void *ctx)
{
	struct dp_value lv, rv;
	const struct dp_value *a, *b;
	const struct dp_operand *glob = NULL, *other = NULL;

	if (nd->l.slot < 0 && nd->l.star)
		glob = &nd->l, other = &nd->r;
	else if (nd->r.slot < 0 && nd->r.star)
		glob = &nd->r, other = &nd->l;
	if (glob) {
		const struct dp_value *v = fetch(ctx, (unsigned)other->slot);
		int m = v && dp_glob_match(glob->s, glob->star, glob->slen, v->s, v->len);

		return v && (nd->op == DP_OP_EQ ? m : !m);
	}
	if (nd->l.slot >= 0)
		a = fetch(ctx, (unsigned)nd->l.slot);
	else
		literal_value(&nd->l, &lv), a = &lv;
	if (nd->r.slot >= 0)
		b = fetch(ctx, (unsigned)nd->r.slot);
	else
		literal_value(&nd->r, &rv), b = &rv;
	return a && b && dp_value_cmp(nd->op, a, b);
}

static int eval(const struct dp_expr *x, int node, dp_fetch_fn fetch, void *ctx)
{
	const struct dp_xnode *nd = &x->nodes[node];
	const struct dp_value *v;

	switch (nd->type) {
	case DP_X_OR:
		return eval(x, nd->a, fetch, ctx) || eval(x, nd->b, fetch, ctx);
	case DP_X_AND:
		return eval(x, nd->a, fetch, ctx) && eval(x, nd->b, fetch, ctx);
	case DP_X_NOT:
		return !eval(x, nd->a, fetch, ctx);
	case DP_X_TRUTH:
		v = fetch(ctx, (unsigned)nd->l.slot);
		return v && (v->kind == DP_FK_F64 ? v->d != 0 : v->u != 0);
	default:
		return eval_cmp(nd, fetch, ctx);
	}
}

int dp_expr_eval(const struct dp_expr *x, dp_fetch_fn fetch, void *ctx)
{
	return x->root < 0 || eval(x, x->root, fetch, ctx);
}
