/* SPDX-License-Identifier: MIT */
/*
 * introspect_reader.c - reads the introspection record (see
 * introspect_format.h) for `dynprobe list`.
 *
 * The bytes come from another process, and `dynprobe list` runs as root:
 * every field is read through a cursor that checks what is left, counts
 * are bounded by the bytes that would have to follow them before anything
 * is allocated, and a malformed record ends the walk (what was already
 * well-formed is kept).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "introspect_format.h"

#define MAX_PROBES 100000
#define MIN_PROBE_BYTES (4 + 1 + DYNPROBE_MAX_ARGS) /* empty name, nargs, types */

struct cursor {
	const uint8_t *p;
	size_t left;
	bool bad;
};

static bool take(struct cursor *c, void *out, size_t n)
{
	if (c->bad || c->left < n) {
		c->bad = true;
		memset(out, 0, n);
		return false;
	}
	memcpy(out, c->p, n);
	c->p += n;
	c->left -= n;
	return true;
}

static uint32_t get_u32(struct cursor *c)
{
	uint32_t v;

	take(c, &v, sizeof(v));
	return v;
}

static uint64_t get_u64(struct cursor *c)
{
	uint64_t v;

	take(c, &v, sizeof(v));
	return v;
}

/* A str into buf (NUL-terminated).  A name must fit and hold no NUL
 * (`exact`); other text is cut to fit. */
static void get_str(struct cursor *c, char *buf, size_t len, bool exact)
{
	uint32_t n = get_u32(c);
	size_t keep;

	buf[0] = '\0';
	if (c->bad || n > c->left || (exact && (n >= len || memchr(c->p, '\0', n)))) {
		c->bad = true;
		return;
	}
	keep = n < len ? n : len - 1;
	memcpy(buf, c->p, keep);
	buf[keep] = '\0';
	buf[strnlen(buf, keep)] = '\0';
	c->p += n;
	c->left -= n;
}

static int parse_provider(struct cursor *c, struct dp_intro_read_provider *pv)
{
	uint32_t n;

	memset(pv, 0, sizeof(*pv));
	pv->backends = get_u32(c);
	pv->loaded = get_u32(c);
	get_str(c, pv->name, sizeof(pv->name), true);
	n = get_u32(c);
	if (c->bad || !pv->name[0] || n > MAX_PROBES || n > c->left / MIN_PROBE_BYTES)
		return -EINVAL;
	pv->probes = calloc(n ? n : 1, sizeof(*pv->probes));
	if (!pv->probes)
		return -ENOMEM;
	pv->nprobes = n;
	for (uint32_t i = 0; i < n && !c->bad; i++) {
		struct dp_intro_read_probe *p = &pv->probes[i];
		get_str(c, p->name, sizeof(p->name), true);
		take(c, &p->nargs, 1);
		take(c, p->types, sizeof(p->types));
		if (p->nargs > DYNPROBE_MAX_ARGS || !p->name[0])
			c->bad = true;
		for (size_t a = 0; a < DYNPROBE_MAX_ARGS; a++)
			if (p->types[a] >= DYNPROBE_TYPE_MAX || a >= p->nargs)
				p->types[a] = 0;
	}
	return c->bad ? -EINVAL : 0;
}

/* Per-probe addresses of a backend record, if it lists as many probes as
 * its provider (otherwise they cannot be matched up and are ignored). */
static void backend_usdt(struct cursor *c, struct dp_intro_read_provider *pv)
{
	uint32_t n;

	pv->usdt_state = get_u32(c);
	pv->usdt_kind = get_u32(c);
	pv->usdt_base = get_u64(c);
	get_str(c, pv->usdt_where, sizeof(pv->usdt_where), false);
	n = get_u32(c);
	if (c->bad)
		return;
	pv->has_usdt = true;
	for (uint32_t i = 0; n == pv->nprobes && i < n && !c->bad; i++) {
		pv->probes[i].usdt_stub = get_u64(c);
		pv->probes[i].usdt_sem = get_u64(c);
	}
}

static void backend_lttng(struct cursor *c, struct dp_intro_read_provider *pv)
{
	uint32_t n;

	pv->lttng_mode = get_u32(c);
	pv->lttng_loaded = get_u32(c);
	get_str(c, pv->lttng_object, sizeof(pv->lttng_object), false);
	n = get_u32(c);
	if (c->bad)
		return;
	pv->has_lttng = true;
	for (uint32_t i = 0; n == pv->nprobes && i < n && !c->bad; i++)
		pv->probes[i].lttng_state = get_u64(c);
}

/* A backend record belongs to the provider before it. */
static void parse_backend(struct cursor *c, struct dp_intro_read_provider *pv)
{
	uint32_t backend = get_u32(c), version = get_u32(c);

	if (c->bad || !pv)
		return;
	if (backend == DYNPROBE_BACKEND_USDT && version >= DP_INTRO_USDT_VERSION)
		backend_usdt(c, pv);
	else if (backend == DYNPROBE_BACKEND_LTTNG && version >= DP_INTRO_LTTNG_VERSION)
		backend_lttng(c, pv);
}

static bool header_ok(const uint8_t *buf, size_t len, struct dp_intro_header *h)
{
	if (!buf || len < sizeof(*h))
		return false;
	memcpy(h, buf, sizeof(*h));
	return h->magic == DP_INTRO_MAGIC && h->major == DP_INTRO_MAJOR &&
	       h->header_size >= sizeof(*h) && h->header_size <= h->size && h->size <= len &&
	       h->size <= DP_INTRO_MAX_SIZE;
}

/* Report the provider being built (if any) and forget it; 1 to stop. */
static int flush(struct dp_intro_read_provider *pv, bool *have, int *count, dp_intro_read_fn fn,
		 void *arg)
{
	int stop = 0;

	if (*have) {
		(*count)++;
		stop = fn ? fn(pv, arg) : 0;
		free(pv->probes);
		pv->probes = NULL;
		*have = false;
	}
	return stop;
}

int dp_intro_read(const uint8_t *buf, size_t len, uint32_t *ret_generation, dp_intro_read_fn fn,
		  void *arg)
{
	struct dp_intro_header h;
	struct dp_intro_read_provider pv = {0};
	struct cursor all;
	bool have = false;
	int count = 0, stop = 0;

	if (!header_ok(buf, len, &h))
		return -EINVAL;
	if (ret_generation)
		*ret_generation = h.generation;
	if (h.generation & 1)
		return -EAGAIN;
	all = (struct cursor){.p = buf + h.header_size, .left = h.size - h.header_size};
	for (uint32_t r = 0; r < h.nrecords && !stop; r++) {
		struct dp_intro_tlv t;
		if (!take(&all, &t, sizeof(t)) || t.len > all.left)
			break;
		struct cursor c = {.p = all.p, .left = t.len};
		size_t step = t.len + ((8 - t.len % 8) % 8);
		all.p += step <= all.left ? step : all.left;
		all.left -= step <= all.left ? step : all.left;
		if (t.type == DP_INTRO_PROVIDER) {
			stop = flush(&pv, &have, &count, fn, arg);
			if (!stop && parse_provider(&c, &pv) == 0) {
				have = true;
			} else {
				free(pv.probes);
				pv.probes = NULL;
			}
		} else if (t.type == DP_INTRO_BACKEND) {
			parse_backend(&c, have ? &pv : NULL);
		}
	}
	if (!stop)
		flush(&pv, &have, &count, fn, arg);
	free(pv.probes);
	return count;
}
