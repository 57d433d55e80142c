/* SPDX-License-Identifier: MIT */
/*
 * sink.c - what one babeltrace2 message means to a report.
 *
 * Per event the work is: one pointer compare (or a small hash probe) to
 * find the cached resolution of the event's class; the timestamp checks of
 * its stream; then, as the query asks, the time range and interval, the
 * --pair bookkeeping, the filter, the key tuple and the value, each field
 * borrowed by index and read at most once.  Names, globs and field types
 * are looked at once per event class: at stream beginning for every class
 * its stream class holds (so a bad field fails before any event is read),
 * and lazily for classes that appear later (LTTng live metadata updates).
 *
 * Field names resolve, in order, to the payload, the event's specific
 * context, the stream's event context (what `lttng add-context` records:
 * vpid, vtid, procname...), the packet context (cpu_id), then the
 * built-ins: `event` (alias `probe`), the event's name; and bpftrace's
 * `cpu`, `pid`, `tid`, `comm` for cpu_id, vpid, vtid, procname.
 *
 * Timestamps are checked per stream: an event earlier than the one before
 * it or than its packet's beginning, or a packet that ends before its last
 * event, means a damaged file; it is counted and named in the report.
 */
#include "report.h"

#include <fnmatch.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "pair.h"

static uint64_t ptr_hash(const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ull;
	return x ^ (x >> 32);
}

static const bt_field_class *scope_class(const bt_event_class *ec, int scope)
{
	const bt_stream_class *sc = bt_event_class_borrow_stream_class_const(ec);

	switch (scope) {
	case DP_SCOPE_PAYLOAD:
		return bt_event_class_borrow_payload_field_class_const(ec);
	case DP_SCOPE_SPEC_CTX:
		return bt_event_class_borrow_specific_context_field_class_const(ec);
	case DP_SCOPE_COMMON_CTX:
		return bt_stream_class_borrow_event_common_context_field_class_const(sc);
	case DP_SCOPE_PACKET_CTX:
		return bt_stream_class_supports_packets(sc)
			   ? bt_stream_class_borrow_packet_context_field_class_const(sc)
			   : NULL;
	}
	return NULL;
}

static int kind_of(const bt_field_class *fc)
{
	bt_field_class_type t = bt_field_class_get_type(fc);

	if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER))
		return DP_FK_UINT;
	if (bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_SIGNED_INTEGER))
		return DP_FK_INT;
	if (t == BT_FIELD_CLASS_TYPE_DOUBLE_PRECISION_REAL)
		return DP_FK_F64;
	if (t == BT_FIELD_CLASS_TYPE_SINGLE_PRECISION_REAL)
		return DP_FK_F32;
	if (t == BT_FIELD_CLASS_TYPE_STRING)
		return DP_FK_STR;
	if (t == BT_FIELD_CLASS_TYPE_BOOL)
		return DP_FK_BOOL;
	return DP_FK_OTHER;
}

static int find_member(const bt_event_class *ec, const char *name, struct dp_fieldref *ref)
{
	for (int scope = DP_SCOPE_PAYLOAD; scope <= DP_SCOPE_PACKET_CTX; scope++) {
		const bt_field_class *fc = scope_class(ec, scope);
		uint64_t n = fc ? bt_field_class_structure_get_member_count(fc) : 0;

		for (uint64_t i = 0; i < n; i++) {
			const bt_field_class_structure_member *m =
				bt_field_class_structure_borrow_member_by_index_const(fc, i);

			if (strcmp(bt_field_class_structure_member_get_name(m), name))
				continue;
			ref->scope = (uint8_t)scope;
			ref->index = (uint32_t)i;
			ref->kind = (uint8_t)kind_of(
			    bt_field_class_structure_member_borrow_field_class_const(m));
			return 1;
		}
	}
	return 0;
}

/* bpftrace's built-in names for what LTTng records as context. */
static const char *const aliases[][2] = {
    {"cpu", "cpu_id"},
    {"pid", "vpid"},
    {"tid", "vtid"},
    {"comm", "procname"},
};

static int resolve_name(const bt_event_class *ec, const char *name, struct dp_fieldref *ref)
{
	if (find_member(ec, name, ref))
		return 1;
	if (!strcmp(name, "event") || !strcmp(name, "probe")) {
		ref->scope = DP_SCOPE_EVENT_NAME;
		ref->kind = DP_FK_STR;
		return 1;
	}
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(name, aliases[i][0]))
			return find_member(ec, aliases[i][1], ref);
	return 0;
}

void dp_name_list_add(char *list, size_t len, const char *name)
{
	size_t used = strlen(list), n = strlen(name);

	for (const char *p = list; (p = strstr(p, name)); p++)
		if ((p == list || p[-1] == ' ') && (p[n] == ',' || !p[n]))
			return;
	if (used + n + 3 >= len)
		return;
	snprintf(list + used, len - used, "%s%s", used ? ", " : "", name);
}

static void note_fields(struct dp_report *r, const bt_event_class *ec)
{
	for (int scope = DP_SCOPE_PAYLOAD; scope <= DP_SCOPE_PACKET_CTX; scope++) {
		const bt_field_class *fc = scope_class(ec, scope);
		uint64_t n = fc ? bt_field_class_structure_get_member_count(fc) : 0;

		for (uint64_t i = 0; i < n; i++)
			dp_name_list_add(
			    r->known_fields, sizeof(r->known_fields),
			    bt_field_class_structure_member_get_name(
				bt_field_class_structure_borrow_member_by_index_const(fc, i)));
	}
}

static int is_numeric(int kind)
{
	return kind == DP_FK_UINT || kind == DP_FK_INT || kind == DP_FK_F64 ||
	       kind == DP_FK_F32 || kind == DP_FK_BOOL;
}

static int is_key_kind(int kind)
{
	return kind == DP_FK_STR || kind == DP_FK_INT || kind == DP_FK_UINT || kind == DP_FK_BOOL;
}

/* Type rules checked once per class; a violation is fatal (one line). */
static int check_types(struct dp_report *r, const char *ecname, struct dp_ec *c)
{
	int kinds[DP_MAX_SLOTS];

	if (r->val_slot >= 0 && (c->use & DP_ROLE_AGG) && (r->spec.aggs & DP_AGG_NEEDS_FIELD) &&
	    !is_numeric(c->ref[r->val_slot].kind)) {
		snprintf(r->errmsg, sizeof(r->errmsg),
			 "field '%s' of event '%s' is not numeric "
			 "(a %s); it can only be counted or used in --by/--filter",
			 r->field, ecname,
			 c->ref[r->val_slot].kind == DP_FK_STR ? "string" : "compound field");
		return -1;
	}
	for (unsigned i = 0; i < r->nkeys && !(c->use & DP_ROLE_START); i++)
		if (!is_key_kind(c->ref[r->key_slot[i]].kind))
			goto bad_key;
	for (unsigned i = 0; i < r->npair && (c->use & (DP_ROLE_START | DP_ROLE_END)); i++)
		if (!is_key_kind(c->ref[r->pair_slot[i]].kind)) {
			snprintf(r->errmsg, sizeof(r->errmsg),
				 "--key field '%s' of event '%s' must "
				 "be a string or an integer",
				 r->fields.names[r->pair_slot[i]], ecname);
			return -1;
		}
	if (c->use & DP_ROLE_START)
		return 0;
	for (unsigned i = 0; i < r->fields.n; i++)
		kinds[i] = c->ref[i].kind;
	return dp_expr_check(&r->filter, kinds, &r->fields, ecname, r->errmsg, sizeof(r->errmsg));
bad_key:
	for (unsigned i = 0; i < r->nkeys; i++)
		if (!is_key_kind(c->ref[r->key_slot[i]].kind))
			snprintf(r->errmsg, sizeof(r->errmsg),
				 "group-by field '%s' of event '%s' "
				 "must be a string or an integer",
				 r->fields.names[r->key_slot[i]], ecname);
	return -1;
}

/* The slots a class in `role` must have. */
static uint32_t slots_needed(const struct dp_report *r, int role)
{
	uint32_t m = 0;

	for (unsigned i = 0; i < r->npair && (role & (DP_ROLE_START | DP_ROLE_END)); i++)
		m |= 1u << r->pair_slot[i];
	if (role & DP_ROLE_START)
		return m;
	/* The value, the keys and the filter's fields: every other slot. */
	for (unsigned i = 0; i < r->fields.n; i++)
		m |= 1u << i;
	if (!(role & DP_ROLE_END))
		for (unsigned i = 0; i < r->npair; i++)
			m &= ~(1u << r->pair_slot[i]);
	return m;
}

static int role_of(struct dp_report *r, const char *name)
{
	int role = 0;

	if (!r->pair_start)
		return fnmatch(r->event, name, 0) ? 0 : DP_ROLE_AGG;
	if (!fnmatch(r->pair_start, name, 0))
		role |= DP_ROLE_START;
	if (!fnmatch(r->pair_end, name, 0))
		role |= DP_ROLE_END;
	return role;
}

/* First sight of an event class: does it take part, where are its fields. */
static int resolve_class(struct dp_report *r, const bt_event_class *ec, struct dp_ec *c)
{
	const char *name = bt_event_class_get_name(ec);
	uint32_t need;
	int role;

	memset(c, 0, sizeof(*c));
	c->ec = ec;
	c->name = name = name ? name : "";
	c->has_clock = bt_stream_class_borrow_default_clock_class_const(
			   bt_event_class_borrow_stream_class_const(ec)) != NULL;
	dp_name_list_add(r->known_events, sizeof(r->known_events), name);
	if (!(role = role_of(r, name)))
		return 0;
	if (role == (DP_ROLE_START | DP_ROLE_END)) {
		snprintf(r->errmsg, sizeof(r->errmsg),
			 "--pair: event '%s' matches both START "
			 "and END",
			 name);
		return -1;
	}
	r->classes_matched++;
	need = slots_needed(r, role);
	for (unsigned i = 0; i < r->fields.n; i++)
		if ((need & (1u << i)) && !resolve_name(ec, r->fields.names[i], &c->ref[i])) {
			/* With a glob, classes lacking a field are skipped, not fatal:
			 * dp_report_check_end() complains if no class had it. */
			r->missing_field = r->fields.names[i];
			r->classes_without_field++;
			note_fields(r, ec);
			return 0;
		}
	if (r->ordered && !c->has_clock) {
		snprintf(r->errmsg, sizeof(r->errmsg),
			 "event '%s' has no timestamps: "
			 "--interval, --begin, --end and --pair need them",
			 name);
		return -1;
	}
	c->use = (uint8_t)role;
	if (check_types(r, name, c))
		return -1;
	r->classes_used++;
	return 0;
}

static int ec_grow(struct dp_report *r)
{
	size_t cap = r->ecs_cap ? r->ecs_cap * 2 : 64;
	struct dp_ec *n = calloc(cap, sizeof(*n));

	if (!n)
		return -1;
	for (size_t i = 0; i < r->ecs_cap; i++) {
		size_t j;

		if (!r->ecs[i].ec)
			continue;
		for (j = ptr_hash(r->ecs[i].ec) & (cap - 1); n[j].ec; j = (j + 1) & (cap - 1))
			;
		n[j] = r->ecs[i];
	}
	free(r->ecs);
	r->ecs = n;
	r->ecs_cap = cap;
	r->last_ec = NULL;      /* `last` pointed into the old array */
	return 0;
}

static struct dp_ec *ec_lookup(struct dp_report *r, const bt_event_class *ec)
{
	size_t j;

	if ((r->necs + 1) * 2 > r->ecs_cap && ec_grow(r)) {
		snprintf(r->errmsg, sizeof(r->errmsg), "out of memory");
		return NULL;
	}
	for (j = ptr_hash(ec) & (r->ecs_cap - 1); r->ecs[j].ec; j = (j + 1) & (r->ecs_cap - 1))
		if (r->ecs[j].ec == ec)
			goto found;
	if (resolve_class(r, ec, &r->ecs[j]))
		return NULL;
	r->necs++;
found:
	r->last_ec = ec;
	r->last = &r->ecs[j];
	return r->last;
}

static int stream_grow(struct dp_report *r)
{
	size_t cap = r->streams_cap ? r->streams_cap * 2 : 16;
	struct dp_stream *n = calloc(cap, sizeof(*n));

	if (!n)
		return -1;
	for (size_t i = 0; i < r->streams_cap; i++) {
		size_t j;

		if (!r->streams[i].stream)
			continue;
		for (j = ptr_hash(r->streams[i].stream) & (cap - 1); n[j].stream;
		     j = (j + 1) & (cap - 1))
			;
		n[j] = r->streams[i];
	}
	free(r->streams);
	r->streams = n;
	r->streams_cap = cap;
	r->last_stream_key = NULL;
	return 0;
}

/* Per-stream state, created on first sight (named after its file). */
static struct dp_stream *stream_of(struct dp_report *r, const bt_stream *s)
{
	struct dp_stream *st;
	const char *name;
	size_t j;

	if (s == r->last_stream_key)
		return r->last_stream;
	if ((r->nstreams + 1) * 2 > r->streams_cap && stream_grow(r))
		return NULL;
	for (j = ptr_hash(s) & (r->streams_cap - 1); r->streams[j].stream;
	     j = (j + 1) & (r->streams_cap - 1))
		if (r->streams[j].stream == s)
			goto found;
	st = &r->streams[j];
	st->stream = s;
	name = bt_stream_get_name(s);
	st->name = strdup(name ? name : "(unnamed stream)");
	r->nstreams++;
found:
	r->last_stream_key = s;
	r->last_stream = &r->streams[j];
	return r->last_stream;
}

/* Raw clock value of a message that has one, else -1. */
static int raw_time(const bt_clock_snapshot *cs, uint64_t *v)
{
	if (!cs)
		return -1;
	*v = bt_clock_snapshot_get_value(cs);
	return 0;
}

static void check_event_time(struct dp_report *r, const bt_event *ev, const bt_message *m)
{
	struct dp_stream *st = stream_of(r, bt_event_borrow_stream_const(ev));
	uint64_t v =
	    bt_clock_snapshot_get_value(bt_message_event_borrow_default_clock_snapshot_const(m));

	if (!st)
		return;
	st->events++;
	if ((st->have_last && v < st->last) || (st->in_packet && v < st->pkt_begin)) {
		st->bad_ts++;
		r->c.bad_timestamps++;
	}
	st->last = v;
	st->have_last = 1;
}

/* Read one field of the current event; fields are read at most once. */
struct evctx {
	const bt_event *ev;
	const struct dp_ec *c;
	uint32_t have;
	struct dp_value v[DP_MAX_SLOTS];
};

static const bt_field *scope_field(const bt_event *ev, int scope)
{
	switch (scope) {
	case DP_SCOPE_PAYLOAD:
		return bt_event_borrow_payload_field_const(ev);
	case DP_SCOPE_SPEC_CTX:
		return bt_event_borrow_specific_context_field_const(ev);
	case DP_SCOPE_COMMON_CTX:
		return bt_event_borrow_common_context_field_const(ev);
	default:
		return bt_packet_borrow_context_field_const(bt_event_borrow_packet_const(ev));
	}
}

static void read_field(const struct evctx *x, const struct dp_fieldref *ref, struct dp_value *v)
{
	const bt_field *f;

	v->kind = ref->kind;
	if (ref->scope == DP_SCOPE_EVENT_NAME) {
		v->s = x->c->name;
		v->len = strlen(v->s);
		return;
	}
	f = bt_field_structure_borrow_member_field_by_index_const(scope_field(x->ev, ref->scope),
								  ref->index);
	switch (ref->kind) {
	case DP_FK_UINT:
		v->u = bt_field_integer_unsigned_get_value(f);
		break;
	case DP_FK_INT:
		v->i = bt_field_integer_signed_get_value(f);
		break;
	case DP_FK_BOOL:
		v->kind = DP_FK_UINT;
		v->u = bt_field_bool_get_value(f);
		break;
	case DP_FK_F64:
		v->d = bt_field_real_double_precision_get_value(f);
		break;
	case DP_FK_F32:
		v->kind = DP_FK_F64;
		v->d = bt_field_real_single_precision_get_value(f);
		break;
	case DP_FK_STR:
		v->s = bt_field_string_get_value(f);
		v->len = bt_field_string_get_length(f);
		break;
	}
}

static const struct dp_value *fetch(void *p, unsigned slot)
{
	struct evctx *x = p;

	if (!(x->have & (1u << slot))) {
		read_field(x, &x->c->ref[slot], &x->v[slot]);
		x->have |= 1u << slot;
	}
	return &x->v[slot];
}

/* The key tuple of the current event from `slots`, into r->keybuf. */
static int encode_key(struct dp_report *r, struct evctx *x, const int *slots, unsigned n)
{
	dp_key_reset(&r->keybuf);
	for (unsigned i = 0; i < n; i++) {
		const struct dp_value *v = fetch(x, (unsigned)slots[i]);

		if (v->kind == DP_FK_STR)
			r->c.keys_cut += (uint64_t)dp_key_add_str(&r->keybuf, v->s, v->len);
		else if (v->kind == DP_FK_INT)
			dp_key_add_int(&r->keybuf, v->i);
		else
			dp_key_add_uint(&r->keybuf, v->u);
	}
	return r->keybuf.oom ? -1 : 0;
}

static int add_value(struct dp_report *r, struct dp_group *g, const struct dp_value *v)
{
	switch (v->kind) {
	case DP_FK_UINT:
		return dp_group_add_uint(g, &r->spec, v->u);
	case DP_FK_INT:
		return dp_group_add_int(g, &r->spec, v->i);
	case DP_FK_F64:
		return dp_group_add_real(g, &r->spec, v->d);
	}
	dp_group_add_none(g);   /* count-only on a non-numeric field */
	return 0;
}

static int interval_flush(struct dp_report *r);

/* A long gap (or a damaged timestamp far ahead) would print millions of
 * empty intervals: past DP_MAX_EMPTY_RUN of them, one record covers all. */
#define DP_MAX_EMPTY_RUN 1000

static int fold_empty(struct dp_report *r, int64_t ns)
{
	__int128 k;

	if (ns < r->ivl_end)
		return 0;
	k = ((__int128)ns - r->ivl_begin) / (__int128)r->interval_ns;
	if (k <= DP_MAX_EMPTY_RUN)
		return 0;
	r->ivl_span = (uint64_t)k;
	r->ivl_end = (int64_t)(r->ivl_begin + k * (__int128)r->interval_ns);
	return interval_flush(r);
}

/* Time order: the range and the intervals.  1 = outside the range. */
static int at_time(struct dp_report *r, int64_t ns)
{
	if (!r->time_started) {
		r->time_started = 1;
		r->first_ns = ns;
		r->begin_ns = r->begin.kind ? dp_time_resolve(&r->begin, ns) : INT64_MIN;
		r->end_ns = r->end.kind ? dp_time_resolve(&r->end, ns) : INT64_MAX;
		if (r->interval_ns) {
			int64_t from = r->begin.kind && r->begin_ns > INT64_MIN ? r->begin_ns : ns;
			int64_t I = (int64_t)r->interval_ns;

			/* Clock-aligned (1 s intervals start on the second) unless
			 * --begin says where they start. */
			r->ivl_begin = r->begin.kind ? from : from - ((from % I) + I) % I;
			r->ivl_end = r->ivl_begin + I;
			r->ivl_span = 1;
			r->ivl_base = r->c;
		}
	}
	if (ns < r->begin_ns)
		return 1;
	if (!r->in_range) {
		/* Interval counters start with the first event in range. */
		r->in_range = 1;
		r->ivl_base = r->c;
	}
	if (ns >= r->end_ns) {
		/* Done: intervals run up to --end, the last one cut there. */
		r->stop = 1;
		while (r->interval_ns && r->ivl_begin < r->end_ns) {
			if (r->ivl_end > r->end_ns)
				r->ivl_end = r->end_ns;
			if (interval_flush(r) || fold_empty(r, r->end_ns - 1))
				return -1;
		}
		return 1;
	}
	while (r->interval_ns && ns >= r->ivl_end)
		if (interval_flush(r) || fold_empty(r, ns))
			return -1;
	return 0;
}

static int on_pair(struct dp_report *r, struct evctx *x, int64_t ns, int64_t *dur)
{
	int64_t t0;
	int rc;

	if (encode_key(r, x, r->pair_slot, r->npair))
		return -1;
	if (x->c->use & DP_ROLE_START) {
		rc = dp_pending_put(r->pending, r->keybuf.buf, r->keybuf.len, ns);
		if (rc > 0)
			r->c.unmatched_starts++; /* a second start replaced it */
		else if (rc < 0)
			r->c.pending_dropped++;
		return 1;
	}
	if (!dp_pending_take(r->pending, r->keybuf.buf, r->keybuf.len, &t0)) {
		r->c.unmatched_ends++;
		return 1;
	}
	r->c.pairs++;
	*dur = ns - t0;
	return 0;
}

/* Filter, key and value of an event that takes part. */
static int aggregate(struct dp_report *r, struct evctx *x, int is_pair, int64_t dur)
{
	struct dp_value pv = {.kind = DP_FK_INT, .i = dur};
	struct dp_group *g;

	if (r->filter.root >= 0 && !dp_expr_eval(&r->filter, fetch, x)) {
		r->c.events_filtered++;
		return 0;
	}
	if (!r->nkeys && r->table.ngroups)
		g = r->table.groups[0];
	else if (encode_key(r, x, r->key_slot, r->nkeys) ||
		 !(g = dp_table_get(&r->table, r->keybuf.buf, r->keybuf.len)))
		return -1;
	r->c.events_matched++;
	if (is_pair)
		return add_value(r, g, &pv);
	if (r->val_slot < 0) {
		dp_group_add_none(g);
		return 0;
	}
	return add_value(r, g, fetch(x, (unsigned)r->val_slot));
}

static int on_event(struct dp_report *r, const bt_message *m, int64_t ns, int has_ns)
{
	const bt_event *ev = bt_message_event_borrow_event_const(m);
	const bt_event_class *ec = bt_event_borrow_class_const(ev);
	struct dp_ec *c = ec == r->last_ec ? r->last : ec_lookup(r, ec);
	struct evctx x;
	int64_t dur = 0;
	int rc;

	if (!c)
		return -1;
	if (c->has_clock)
		check_event_time(r, ev, m);
	/* Time first: an event that closes an interval belongs to the next. */
	rc = r->ordered && has_ns ? at_time(r, ns) : 0;
	r->c.events_read++;
	if (rc) {
		r->c.events_outside += c->use != 0;
		return rc < 0 ? -1 : 0;
	}
	if (!c->use)
		return 0;
	x.ev = ev;
	x.c = c;
	x.have = 0;
	if (r->pair_start && (rc = on_pair(r, &x, ns, &dur)))
		return rc < 0 ? -1 : 0;
	return aggregate(r, &x, r->pair_start != NULL, dur);
}

/* Resolve every class of a new stream now: type errors surface before the
 * first event, and the hot path then only hits the cache. */
static int on_stream_beginning(struct dp_report *r, const bt_message *m)
{
	const bt_stream *s = bt_message_stream_beginning_borrow_stream_const(m);
	const bt_stream_class *sc = bt_stream_borrow_class_const(s);
	uint64_t n = bt_stream_class_get_event_class_count(sc);

	r->c.streams_begun++;
	if (!stream_of(r, s))
		goto oom;
	for (uint64_t i = 0; i < n; i++)
		if (!ec_lookup(r, bt_stream_class_borrow_event_class_by_index_const(sc, i)))
			return -1;
	return 0;
oom:
	snprintf(r->errmsg, sizeof(r->errmsg), "out of memory");
	return -1;
}

static void on_packet(struct dp_report *r, const bt_message *m, int beginning)
{
	const bt_packet *p = beginning ? bt_message_packet_beginning_borrow_packet_const(m)
				       : bt_message_packet_end_borrow_packet_const(m);
	const bt_stream *s = bt_packet_borrow_stream_const(p);
	const bt_stream_class *sc = bt_stream_borrow_class_const(s);
	struct dp_stream *st = stream_of(r, s);
	uint64_t v;

	if (!st)
		return;
	if (beginning && bt_stream_class_packets_have_beginning_default_clock_snapshot(sc) &&
	    !raw_time(bt_message_packet_beginning_borrow_default_clock_snapshot_const(m), &v)) {
		if (st->have_last && v < st->last)
			st->bad_ts++, r->c.bad_timestamps++;
		st->pkt_begin = v;
		st->in_packet = 1;
	} else if (!beginning && bt_stream_class_packets_have_end_default_clock_snapshot(sc) &&
		   !raw_time(bt_message_packet_end_borrow_default_clock_snapshot_const(m), &v)) {
		if (st->have_last && v < st->last)
			st->bad_ts++, r->c.bad_timestamps++;
		st->in_packet = 0;
	}
}

static void on_discarded(struct dp_report *r, const bt_message *m, int events)
{
	uint64_t count = 0;
	bt_property_availability av;

	if (events) {
		r->c.discarded_events_msgs++;
		av = bt_message_discarded_events_get_count(m, &count);
		if (av == BT_PROPERTY_AVAILABILITY_AVAILABLE)
			r->c.discarded_events += count;
		else
			r->c.discarded_events_unknown++;
	} else {
		r->c.discarded_packets_msgs++;
		av = bt_message_discarded_packets_get_count(m, &count);
		if (av == BT_PROPERTY_AVAILABILITY_AVAILABLE)
			r->c.discarded_packets += count;
		else
			r->c.discarded_packets_unknown++;
	}
}

int dp_report_message(struct dp_report *r, const bt_message *m, int64_t ns, int has_ns)
{
	switch (bt_message_get_type(m)) {
	case BT_MESSAGE_TYPE_EVENT:
		return on_event(r, m, ns, has_ns);
	case BT_MESSAGE_TYPE_STREAM_BEGINNING:
		return on_stream_beginning(r, m);
	case BT_MESSAGE_TYPE_STREAM_END:
		r->c.streams_ended++;
		return 0;
	case BT_MESSAGE_TYPE_PACKET_BEGINNING:
		on_packet(r, m, 1);
		return 0;
	case BT_MESSAGE_TYPE_PACKET_END:
		on_packet(r, m, 0);
		return 0;
	case BT_MESSAGE_TYPE_DISCARDED_EVENTS:
	case BT_MESSAGE_TYPE_DISCARDED_PACKETS:
		/* Losses outside --begin/--end are not this report's. */
		if (r->ordered && has_ns && r->time_started &&
		    (ns < r->begin_ns || ns >= r->end_ns))
			return 0;
		on_discarded(r, m, bt_message_get_type(m) == BT_MESSAGE_TYPE_DISCARDED_EVENTS);
		return 0;
	case BT_MESSAGE_TYPE_MESSAGE_ITERATOR_INACTIVITY:
		/* Live: time passes without events, intervals still close. */
		return r->ordered && has_ns && r->time_started && at_time(r, ns) < 0 ? -1 : 0;
	default:
		return 0;
	}
}

static int interval_flush(struct dp_report *r)
{
	if (dp_report_print_interval(r, r->out) || dp_table_clear(&r->table)) {
		if (!r->errmsg[0])
			snprintf(r->errmsg, sizeof(r->errmsg), "cannot write the report");
		return -1;
	}
	fflush(r->out);
	r->nintervals += r->ivl_span;
	r->ivl_span = 1;
	r->ivl_base = r->c;
	r->ivl_begin = r->ivl_end;
	r->ivl_end += (int64_t)r->interval_ns;
	return 0;
}

/* Name the streams whose timestamps failed the checks. */
static void note_bad_streams(struct dp_report *r)
{
	char name[4096];

	for (size_t i = 0; i < r->streams_cap; i++) {
		const struct dp_stream *st = &r->streams[i];

		if (!st->stream || !st->bad_ts)
			continue;
		dp_report_display_path(r, st->name, name, sizeof(name));
		dp_report_note(r,
			       "stream %s: %" PRIu64 " of %" PRIu64 " timestamps go back in "
			       "time (a damaged file?)",
			       name, st->bad_ts, st->events);
	}
}

int dp_report_finish(struct dp_report *r)
{
	if (r->ended)
		return 0;
	r->ended = 1;
	note_bad_streams(r);
	if (r->pending) {
		r->c.open_starts = dp_pending_count(r->pending);
		r->c.unmatched_starts += r->c.open_starts;
	}
	/* The last interval, unless --end closed it or no event was in range. */
	if (r->interval_ns && r->in_range && !r->stop && !r->errmsg[0])
		return interval_flush(r);
	return 0;
}

/* "record it with lttng add-context" for the context LTTng can add. */
static const char *context_hint(const char *name)
{
	static const char *const ctx[] = {"vpid", "vtid",  "procname", "pthread_id",
					  "ip",	  "vppid", "cpu_id"};

	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(name, aliases[i][0]))
			name = aliases[i][1];
	for (size_t i = 0; i < sizeof(ctx) / sizeof(ctx[0]); i++)
		if (!strcmp(name, ctx[i]) && strcmp(name, "cpu_id"))
			return ctx[i];
	return NULL;
}

int dp_report_check_end(struct dp_report *r)
{
	const char *hint;

	if (r->errmsg[0])
		return -1;
	if (r->live && !r->c.streams_begun && !r->known_events[0]) {
		snprintf(r->errmsg, sizeof(r->errmsg), "no data from %s: the session does not "
			 "exist (yet), or ended before any stream", r->live_url);
		return -1;
	}
	if (!r->classes_matched && !r->known_events[0] && r->traces_without_streams) {
		snprintf(r->errmsg, sizeof(r->errmsg), "no event: %" PRIu64 " trace(s) hold "
			 "metadata but no data stream file (missing streams)",
			 r->traces_without_streams);
		return -1;
	}
	if (!r->classes_matched) {
		snprintf(r->errmsg, sizeof(r->errmsg),
			 "unknown event '%s': no event class "
			 "matches it (the traces have: %.400s)",
			 r->pair_text ? r->pair_text : r->event,
			 r->known_events[0] ? r->known_events : "no event class at all");
		return -1;
	}
	if (!r->classes_used) {
		hint = r->missing_field ? context_hint(r->missing_field) : NULL;
		snprintf(r->errmsg, sizeof(r->errmsg),
			 "unknown field '%s' in event '%s' "
			 "(fields: %.300s%s%s%s)",
			 r->missing_field, r->pair_text ? r->pair_text : r->event,
			 r->known_fields[0] ? r->known_fields : "none",
			 hint ? "; record it with `lttng add-context -u -t " : "", hint ? hint : "",
			 hint ? "`" : "");
		return -1;
	}
	if (!r->c.events_matched && !r->c.events_filtered && !r->c.events_outside && !r->c.pairs &&
	    !r->c.unmatched_starts && !r->c.unmatched_ends) {
		/* Damaged or missing files may be why: say so. */
		snprintf(r->errmsg, sizeof(r->errmsg),
			 "no event matched: the traces hold no "
			 "'%s' event%s%.300s%s",
			 r->pair_text ? r->pair_text : r->event, r->nnotes ? " (" : "",
			 r->nnotes ? r->notes[0] : "", r->nnotes ? ")" : "");
		return -1;
	}
	return 0;
}
