/* SPDX-License-Identifier: MIT */
/*
 * sink.c - the sink component: babeltrace2 messages in, dp_report out.
 *
 * Per event the work is: one pointer compare (or a small hash probe) to
 * find the cached resolution of the event's class, then direct member
 * borrows by index and the aggregation.  Names, globs and field types are
 * looked at once per event class: at stream beginning for every class its
 * stream class holds (so a bad field fails before any event is read), and
 * lazily for classes that appear later (LTTng live metadata updates).
 * Discarded-events/packets and stream begin/end messages are counted for
 * the report, which always prints them.
 */
#include "report.h"

#include <fnmatch.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

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

/* Payload first (LTTng's fields), then the contexts `lttng add-context`
 * fills (vtid, procname...).  Also records the payload's names for the
 * "unknown field" message. */
static int resolve_field(struct dp_report *r, const bt_event_class *ec, const char *name,
			 struct dp_fieldref *ref)
{
	for (int scope = DP_SCOPE_PAYLOAD; scope <= DP_SCOPE_COMMON_CTX; scope++) {
		const bt_field_class *fc = scope_class(ec, scope);
		uint64_t n = fc ? bt_field_class_structure_get_member_count(fc) : 0;

		for (uint64_t i = 0; i < n; i++) {
			const bt_field_class_structure_member *m =
				bt_field_class_structure_borrow_member_by_index_const(fc, i);
			const char *mname = bt_field_class_structure_member_get_name(m);

			if (!strcmp(mname, name)) {
				ref->scope = (uint8_t)scope;
				ref->index = (uint32_t)i;
				ref->kind = (uint8_t)kind_of(
					bt_field_class_structure_member_borrow_field_class_const(m));
				return 1;
			}
		}
	}
	return 0;
}

/* Append `name` to a ", "-separated list unless already there. */
static void note_name(char *list, size_t len, const char *name)
{
	size_t used = strlen(list), n = strlen(name);

	for (const char *p = list; (p = strstr(p, name)); p++)
		if ((p == list || p[-1] == ' ') && (p[n] == ',' || !p[n]))
			return;
	if (used + n + 3 >= len)
		return;
	snprintf(list + used, len - used, "%s%s", used ? ", " : "", name);
}

static void note_payload_fields(struct dp_report *r, const bt_event_class *ec)
{
	const bt_field_class *fc = bt_event_class_borrow_payload_field_class_const(ec);
	uint64_t n = fc ? bt_field_class_structure_get_member_count(fc) : 0;

	for (uint64_t i = 0; i < n; i++)
		note_name(r->known_fields, sizeof(r->known_fields),
			  bt_field_class_structure_member_get_name(
				  bt_field_class_structure_borrow_member_by_index_const(fc, i)));
}

static int is_numeric(int kind)
{
	return kind == DP_FK_UINT || kind == DP_FK_INT || kind == DP_FK_F64 ||
	       kind == DP_FK_F32 || kind == DP_FK_BOOL;
}

/* Type rules checked once per class; a violation is fatal (one line). */
static int check_types(struct dp_report *r, const char *ecname, struct dp_ec *c)
{
	if (r->field && (r->spec.aggs & DP_AGG_NEEDS_FIELD) && !is_numeric(c->val.kind)) {
		snprintf(r->errmsg, sizeof(r->errmsg), "field '%s' of event '%s' is not numeric "
			 "(a %s); it can only be counted or used in --group-by/--filter", r->field,
			 ecname, c->val.kind == DP_FK_STR ? "string" : "compound field");
		return -1;
	}
	if (r->group_by && c->key.kind != DP_FK_STR && c->key.kind != DP_FK_INT &&
	    c->key.kind != DP_FK_UINT && c->key.kind != DP_FK_BOOL) {
		snprintf(r->errmsg, sizeof(r->errmsg), "group-by field '%s' of event '%s' must be "
			 "a string or an integer", r->group_by, ecname);
		return -1;
	}
	if (r->filter.field && is_numeric(c->filt.kind) && !r->filter.is_num) {
		snprintf(r->errmsg, sizeof(r->errmsg), "filter: field '%s' of event '%s' is "
			 "numeric but '%s' is not a number", r->filter.field, ecname, r->filter.text);
		return -1;
	}
	if (r->filter.field && !is_numeric(c->filt.kind) && c->filt.kind != DP_FK_STR) {
		snprintf(r->errmsg, sizeof(r->errmsg), "filter: field '%s' of event '%s' is "
			 "neither a number nor a string", r->filter.field, ecname);
		return -1;
	}
	if (r->filter.field && c->filt.kind == DP_FK_STR && r->filter.op != DP_OP_EQ &&
	    r->filter.op != DP_OP_NE) {
		snprintf(r->errmsg, sizeof(r->errmsg), "filter: string field '%s' compares only "
			 "with == and !=", r->filter.field);
		return -1;
	}
	return 0;
}

/* First sight of an event class: does it match, where are its fields. */
static int resolve_class(struct dp_report *r, const bt_event_class *ec, struct dp_ec *c)
{
	const char *name = bt_event_class_get_name(ec);
	int ok = 1;

	c->ec = ec;
	c->use = 0;
	name = name ? name : "";
	note_name(r->known_events, sizeof(r->known_events), name);
	if (fnmatch(r->event, name, 0))
		return 0;
	r->classes_matched++;
	if (r->field && !resolve_field(r, ec, r->field, &c->val))
		ok = 0, r->missing_field = r->field;
	if (ok && r->group_by && !resolve_field(r, ec, r->group_by, &c->key))
		ok = 0, r->missing_field = r->group_by;
	if (ok && r->filter.field && !resolve_field(r, ec, r->filter.field, &c->filt))
		ok = 0, r->missing_field = r->filter.field;
	if (!ok) {
		/* With a glob, classes lacking the field are skipped, not fatal:
		 * dp_report_check_end() complains if no class had it. */
		r->classes_without_field++;
		note_payload_fields(r, ec);
		return 0;
	}
	if (check_types(r, name, c))
		return -1;
	r->classes_used++;
	c->use = 1;
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

static const bt_field *borrow(const bt_event *ev, const struct dp_fieldref *ref)
{
	const bt_field *s;

	if (ref->scope == DP_SCOPE_PAYLOAD)
		s = bt_event_borrow_payload_field_const(ev);
	else if (ref->scope == DP_SCOPE_SPEC_CTX)
		s = bt_event_borrow_specific_context_field_const(ev);
	else
		s = bt_event_borrow_common_context_field_const(ev);
	return bt_field_structure_borrow_member_field_by_index_const(s, ref->index);
}

static int cmp_result(int op, int c)
{
	switch (op) {
	case DP_OP_EQ: return c == 0;
	case DP_OP_NE: return c != 0;
	case DP_OP_LT: return c < 0;
	case DP_OP_LE: return c <= 0;
	case DP_OP_GT: return c > 0;
	default: return c >= 0;
	}
}

static int filter_pass(const struct dp_report *r, const bt_field *f, int kind)
{
	const struct dp_filter *flt = &r->filter;
	__int128 iv;
	double dv;

	switch (kind) {
	case DP_FK_STR:
		return cmp_result(flt->op, strcmp(bt_field_string_get_value(f), flt->text));
	case DP_FK_UINT:
		iv = bt_field_integer_unsigned_get_value(f);
		break;
	case DP_FK_INT:
		iv = bt_field_integer_signed_get_value(f);
		break;
	case DP_FK_BOOL:
		iv = bt_field_bool_get_value(f);
		break;
	default:
		dv = kind == DP_FK_F64 ? bt_field_real_double_precision_get_value(f)
				       : bt_field_real_single_precision_get_value(f);
		return cmp_result(flt->op, (dv > flt->d) - (dv < flt->d));
	}
	if (flt->is_int)
		return cmp_result(flt->op, (iv > flt->i) - (iv < flt->i));
	dv = (double)iv;
	return cmp_result(flt->op, (dv > flt->d) - (dv < flt->d));
}

static struct dp_group *group_of(struct dp_report *r, const bt_field *f, int kind)
{
	switch (kind) {
	case DP_FK_STR:
		return dp_table_get_str(&r->table, bt_field_string_get_value(f),
					bt_field_string_get_length(f));
	case DP_FK_INT:
		return dp_table_get_int(&r->table, bt_field_integer_signed_get_value(f));
	case DP_FK_BOOL:
		return dp_table_get_uint(&r->table, bt_field_bool_get_value(f));
	default:
		return dp_table_get_uint(&r->table, bt_field_integer_unsigned_get_value(f));
	}
}

static int add_value(struct dp_report *r, struct dp_group *g, const bt_field *f, int kind)
{
	switch (kind) {
	case DP_FK_UINT:
		return dp_group_add_uint(g, &r->spec, bt_field_integer_unsigned_get_value(f));
	case DP_FK_INT:
		return dp_group_add_int(g, &r->spec, bt_field_integer_signed_get_value(f));
	case DP_FK_F64:
		return dp_group_add_real(g, &r->spec, bt_field_real_double_precision_get_value(f));
	case DP_FK_F32:
		return dp_group_add_real(g, &r->spec, bt_field_real_single_precision_get_value(f));
	case DP_FK_BOOL:
		return dp_group_add_uint(g, &r->spec, bt_field_bool_get_value(f));
	}
	dp_group_add_none(g);   /* count-only on a non-numeric field */
	return 0;
}

static int on_event(struct dp_report *r, const bt_message *m)
{
	const bt_event *ev = bt_message_event_borrow_event_const(m);
	const bt_event_class *ec = bt_event_borrow_class_const(ev);
	struct dp_ec *c = ec == r->last_ec ? r->last : ec_lookup(r, ec);
	struct dp_group *g = r->single;

	r->events_read++;
	if (!c)
		return -1;
	if (!c->use)
		return 0;
	if (r->filter.field && !filter_pass(r, borrow(ev, &c->filt), c->filt.kind)) {
		r->events_filtered++;
		return 0;
	}
	if (r->group_by)
		g = group_of(r, borrow(ev, &c->key), c->key.kind);
	if (!g)
		goto oom;
	r->events_matched++;
	if (!r->field) {
		dp_group_add_none(g);
		return 0;
	}
	if (add_value(r, g, borrow(ev, &c->val), c->val.kind))
		goto oom;
	return 0;
oom:
	snprintf(r->errmsg, sizeof(r->errmsg), "out of memory");
	return -1;
}

/* Resolve every class of a new stream now: type errors surface before the
 * first event, and the hot path then only hits the cache. */
static int on_stream_beginning(struct dp_report *r, const bt_message *m)
{
	const bt_stream *s = bt_message_stream_beginning_borrow_stream_const(m);
	const bt_stream_class *sc = bt_stream_borrow_class_const(s);
	uint64_t n = bt_stream_class_get_event_class_count(sc);

	r->streams_begun++;
	for (uint64_t i = 0; i < n; i++)
		if (!ec_lookup(r, bt_stream_class_borrow_event_class_by_index_const(sc, i)))
			return -1;
	return 0;
}

static void on_discarded(struct dp_report *r, const bt_message *m, int events)
{
	uint64_t count = 0;
	bt_property_availability av;

	if (events) {
		r->discarded_events_msgs++;
		av = bt_message_discarded_events_get_count(m, &count);
		if (av == BT_PROPERTY_AVAILABILITY_AVAILABLE)
			r->discarded_events += count;
		else
			r->discarded_events_unknown++;
	} else {
		r->discarded_packets_msgs++;
		av = bt_message_discarded_packets_get_count(m, &count);
		if (av == BT_PROPERTY_AVAILABILITY_AVAILABLE)
			r->discarded_packets += count;
		else
			r->discarded_packets_unknown++;
	}
}

int dp_report_process(struct dp_report *r, const bt_message *const *msgs, uint64_t n)
{
	int rc = 0;

	for (uint64_t i = 0; i < n; i++) {
		const bt_message *m = msgs[i];

		if (!rc) {
			switch (bt_message_get_type(m)) {
			case BT_MESSAGE_TYPE_EVENT:
				rc = on_event(r, m);
				break;
			case BT_MESSAGE_TYPE_STREAM_BEGINNING:
				rc = on_stream_beginning(r, m);
				break;
			case BT_MESSAGE_TYPE_STREAM_END:
				r->streams_ended++;
				break;
			case BT_MESSAGE_TYPE_DISCARDED_EVENTS:
				on_discarded(r, m, 1);
				break;
			case BT_MESSAGE_TYPE_DISCARDED_PACKETS:
				on_discarded(r, m, 0);
				break;
			default:
				break;
			}
		}
		bt_message_put_ref(m);  /* every message, also after an error */
	}
	return rc;
}

int dp_report_check_end(struct dp_report *r)
{
	if (r->errmsg[0])
		return -1;
	if (r->live && !r->streams_begun && !r->known_events[0]) {
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
		snprintf(r->errmsg, sizeof(r->errmsg), "unknown event '%s': no event class "
			 "matches it (the traces have: %.400s)", r->event,
			 r->known_events[0] ? r->known_events : "no event class at all");
		return -1;
	}
	if (!r->classes_used) {
		snprintf(r->errmsg, sizeof(r->errmsg), "unknown field '%s' in event '%s' "
			 "(payload fields: %.300s)", r->missing_field, r->event,
			 r->known_fields[0] ? r->known_fields : "none");
		return -1;
	}
	if (!r->events_matched && !r->events_filtered) {
		snprintf(r->errmsg, sizeof(r->errmsg), "no event matched: the traces hold no "
			 "'%s' event%s", r->event, r->nskipped ? " (some stream files were "
			 "unreadable and skipped: truncated or corrupt)" : "");
		return -1;
	}
	return 0;
}
