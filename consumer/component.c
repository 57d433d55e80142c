/* SPDX-License-Identifier: MIT */
/*
 * component.c - the sink component: inputs in, one message at a time out
 * to the report (sink.c).  Shared by the CLI's run-time component class
 * and the babeltrace2 plugin (plugin.c).
 *
 * The CLI connects every output port of its sources straight to one input
 * port of this sink each (no filter.utils.muxer in between), which buys
 * three things: a query that does not care about time (counts, sums,
 * histograms by key) reads each input in turn, without comparing
 * timestamps; a query that does (--interval, --begin/--end, --pair) gets
 * the inputs merged here by time, one run of messages at a time; and a
 * stream that fails to decode is known by name, reported, and the others
 * are still read.  Instantiated from a plugin there is one input ("in",
 * which the babeltrace2 CLI feeds from its own muxer), no initialize-method
 * data: the component builds its report from the parameters, owns it, and
 * prints it when its upstream ends.
 */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "worker.h"

struct dp_input {
	bt_message_iterator *it;
	bt_message_array_const msgs; /* current batch, owned by the iterator */
	uint64_t n, pos;
	int64_t head_ns; /* time of msgs[pos] when head_has_ns */
	int head_has_ns, done;
	uint64_t events;
	char *name; /* the stream it carries, once it began */
	char *port; /* upstream component and port, for messages */
};

struct dp_sink {
	struct dp_report *r;
	bt_self_component *self;
	struct dp_input *in;
	unsigned nin, rr;
};

static void sink_set_error(struct dp_sink *s, const char *msg)
{
	BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(s->self, "%s", msg);
}

static int add_ports(struct dp_sink *s, bt_self_component_sink *self)
{
	char name[32];

	for (unsigned i = 0; i < s->nin; i++) {
		if (s->nin == 1)
			snprintf(name, sizeof(name), "in");
		else
			snprintf(name, sizeof(name), "in%u", i);
		if (bt_self_component_sink_add_input_port(self, name, NULL, NULL) !=
		    BT_SELF_COMPONENT_ADD_PORT_STATUS_OK)
			return -1;
	}
	return 0;
}

bt_component_class_initialize_method_status
dp_sink_init(bt_self_component_sink *self, bt_self_component_sink_configuration *conf,
	     const bt_value *params, void *init_data)
{
	struct dp_sink *s = calloc(1, sizeof(*s));
	char err[512];

	if (!s)
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
	s->self = bt_self_component_sink_as_self_component(self);
	s->r = init_data;
	if (!s->r) {
		if (!(s->r = dp_report_from_params(params, err, sizeof(err)))) {
			sink_set_error(s, err);
			goto err;
		}
		s->r->owned_by_sink = 1;
	}
	s->nin = s->r->ninput_ports ? s->r->ninput_ports : 1;
	if (!(s->in = calloc(s->nin, sizeof(*s->in))) || add_ports(s, self))
		goto err;
	bt_self_component_set_data(s->self, s);
	return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_OK;
err:
	if (s->r && s->r->owned_by_sink)
		dp_report_free(s->r);
	free(s->in);
	free(s);
	return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_ERROR;
}

/* "a stream (port ...)" for messages about an input with no stream yet. */
static char *port_label(bt_self_component_port_input *in)
{
	const bt_port *p =
	    bt_self_component_port_as_port(bt_self_component_port_input_as_self_component_port(in));
	const bt_connection *c = bt_port_borrow_connection_const(p);
	const bt_port *up =
	    c ? bt_port_output_as_port_const(bt_connection_borrow_upstream_port_const(c)) : NULL;
	char buf[512];

	snprintf(buf, sizeof(buf), "a stream (port '%s')", up ? bt_port_get_name(up) : "?");
	return strdup(buf);
}

bt_component_class_sink_graph_is_configured_method_status
dp_sink_graph_is_configured(bt_self_component_sink *self)
{
	struct dp_sink *s =
	    bt_self_component_get_data(bt_self_component_sink_as_self_component(self));

	for (unsigned i = 0; i < s->nin; i++) {
		bt_self_component_port_input *in =
		    bt_self_component_sink_borrow_input_port_by_index(self, i);

		s->in[i].port = port_label(in);
		if (bt_message_iterator_create_from_sink_component(self, in, &s->in[i].it) !=
		    BT_MESSAGE_ITERATOR_CREATE_FROM_SINK_COMPONENT_STATUS_OK) {
			sink_set_error(s, "cannot create the input message iterator");
			return BT_COMPONENT_CLASS_SINK_GRAPH_IS_CONFIGURED_METHOD_STATUS_ERROR;
		}
	}
	return BT_COMPONENT_CLASS_SINK_GRAPH_IS_CONFIGURED_METHOD_STATUS_OK;
}

/* Plugin mode: the report is printed when every input ended. */
static bt_component_class_sink_consume_method_status sink_end(struct dp_sink *s)
{
	struct dp_report *r = s->r;

	if (dp_report_finish(r)) {
		sink_set_error(s, r->errmsg);
		return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR;
	}
	if (!r->owned_by_sink)
		return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_END;
	if (dp_report_check_end(r)) {
		sink_set_error(s, r->errmsg);
		return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR;
	}
	if (dp_report_print(r, r->out) || (r->svg_path && dp_report_write_svg(r, r->svg_path))) {
		sink_set_error(s, r->errmsg[0] ? r->errmsg : "cannot write the report");
		return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR;
	}
	return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_END;
}

/* Time of a message, when it has one (ns from the clock's origin). */
static int msg_time(const bt_message *m, int64_t *ns)
{
	const bt_clock_snapshot *cs = NULL;
	const bt_stream *st = NULL;
	bt_message_type t = bt_message_get_type(m);

	switch (t) {
	case BT_MESSAGE_TYPE_EVENT:
		st = bt_event_borrow_stream_const(bt_message_event_borrow_event_const(m));
		if (bt_stream_class_borrow_default_clock_class_const(
			bt_stream_borrow_class_const(st)))
			cs = bt_message_event_borrow_default_clock_snapshot_const(m);
		break;
	case BT_MESSAGE_TYPE_MESSAGE_ITERATOR_INACTIVITY:
		cs = bt_message_message_iterator_inactivity_borrow_clock_snapshot_const(m);
		break;
	case BT_MESSAGE_TYPE_DISCARDED_EVENTS:
		st = bt_message_discarded_events_borrow_stream_const(m);
		if (bt_stream_class_discarded_events_have_default_clock_snapshots(
			bt_stream_borrow_class_const(st)))
			cs =
			    bt_message_discarded_events_borrow_beginning_default_clock_snapshot_const(
				m);
		break;
	case BT_MESSAGE_TYPE_DISCARDED_PACKETS:
		st = bt_message_discarded_packets_borrow_stream_const(m);
		if (bt_stream_class_discarded_packets_have_default_clock_snapshots(
			bt_stream_borrow_class_const(st)))
			cs =
			    bt_message_discarded_packets_borrow_beginning_default_clock_snapshot_const(
				m);
		break;
	default:
		/* Stream and packet boundaries go with their neighbours. */
		return 0;
	}
	return cs && bt_clock_snapshot_get_ns_from_origin(cs, ns) ==
			 BT_CLOCK_SNAPSHOT_GET_NS_FROM_ORIGIN_STATUS_OK;
}

/* A stream that cannot be decoded further: name it, read the others. */
static void input_failed(struct dp_sink *s, struct dp_input *in)
{
	const bt_error *e = bt_current_thread_take_error();
	uint64_t n = e ? bt_error_get_cause_count(e) : 0;
	const char *cause =
	    n ? bt_error_cause_get_message(bt_error_borrow_cause_by_index(e, 0)) : "unknown error";
	char name[4096];

	dp_report_display_path(s->r,
			       in->name	  ? in->name
			       : in->port ? in->port
					  : "a stream",
			       name, sizeof(name));
	dp_report_note(s->r,
		       "%s: cannot be decoded after %" PRIu64 " events (%.200s): the "
		       "rest of it is missing",
		       name, in->events, cause);
	s->r->c.streams_failed++;
	if (e)
		bt_error_release(e);
	in->done = 1;
}

static void input_put_batch(struct dp_input *in)
{
	for (; in->pos < in->n; in->pos++)
		bt_message_put_ref(in->msgs[in->pos]);
}

/* Hand one message over; remember the stream an input carries. */
static int deliver(struct dp_sink *s, struct dp_input *in, unsigned idx, const bt_message *m,
		   int64_t ns, int has_ns)
{
	const char *name;
	int rc;

	if (bt_message_get_type(m) == BT_MESSAGE_TYPE_EVENT)
		in->events++;
	else if (bt_message_get_type(m) == BT_MESSAGE_TYPE_STREAM_BEGINNING &&
		 (name = bt_stream_get_name(bt_message_stream_beginning_borrow_stream_const(m)))) {
		free(in->name);
		in->name = strdup(name);
		dp_watch_name(s->r, idx, name);
	}
	rc = dp_report_message(s->r, m, ns, has_ns);
	bt_message_put_ref(m);
	return rc;
}

/* Next batch of one input: 1 got one, 0 ended or failed, -1 again/error. */
static int refill(struct dp_sink *s, struct dp_input *in, unsigned idx,
		  bt_component_class_sink_consume_method_status *st)
{
	dp_watch_at(s->r, idx);
	switch (bt_message_iterator_next(in->it, &in->msgs, &in->n)) {
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_OK:
		in->pos = 0;
		return 1;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_END:
		in->done = 1;
		return 0;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_AGAIN:
		*st = BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_AGAIN;
		return -1;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_MEMORY_ERROR:
		*st = BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_MEMORY_ERROR;
		return -1;
	default:
		/* Live: the relay daemon is gone, nothing else to read. */
		if (s->r->live) {
			*st = BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR;
			return -1;
		}
		input_failed(s, in);
		return 0;
	}
}

static void set_head(struct dp_input *in)
{
	in->head_has_ns = in->pos < in->n && msg_time(in->msgs[in->pos], &in->head_ns);
}

/* Time does not matter: read the inputs in turn, a batch each. */
static bt_component_class_sink_consume_method_status consume_any(struct dp_sink *s)
{
	bt_component_class_sink_consume_method_status st =
	    BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_OK;
	struct dp_input *in;
	unsigned idx;
	int rc = 0;

	for (unsigned tries = 0; tries < s->nin; tries++, s->rr = (s->rr + 1) % s->nin)
		if (!s->in[s->rr].done)
			break;
	idx = s->rr;
	in = &s->in[idx];
	s->rr = (s->rr + 1) % s->nin;
	if (in->done)
		return sink_end(s);
	if (refill(s, in, idx, &st) <= 0)
		return st;
	for (; in->pos < in->n && !rc; in->pos++)
		rc = deliver(s, in, idx, in->msgs[in->pos], 0, 0);
	input_put_batch(in);
	return rc ? BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR : st;
}

/* The input whose next message is the oldest; messages without a time
 * (stream and packet boundaries) go first. */
static int pick_oldest(struct dp_sink *s, int64_t *second)
{
	int best = -1;

	*second = INT64_MAX;
	for (unsigned i = 0; i < s->nin; i++) {
		struct dp_input *in = &s->in[i];

		if (in->done || in->pos >= in->n)
			continue;
		if (!in->head_has_ns) {
			*second = INT64_MIN; /* stop at its first timed message */
			return (int)i;
		}
		if (best < 0 || in->head_ns < s->in[best].head_ns) {
			if (best >= 0)
				*second = s->in[best].head_ns;
			best = (int)i;
		} else if (in->head_ns < *second) {
			*second = in->head_ns;
		}
	}
	return best;
}

/* Time matters: merge the inputs in time order, one run at a time. */
static bt_component_class_sink_consume_method_status consume_ordered(struct dp_sink *s)
{
	bt_component_class_sink_consume_method_status st =
	    BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_OK;
	struct dp_input *in;
	int64_t second;
	int best, rc = 0;

	for (unsigned i = 0; i < s->nin; i++) {
		in = &s->in[i];
		if (in->done || in->pos < in->n)
			continue;
		if ((rc = refill(s, in, i, &st)) < 0)
			return st;
		set_head(in);
	}
	if ((best = pick_oldest(s, &second)) < 0)
		return sink_end(s);
	in = &s->in[best];
	dp_watch_at(s->r, (unsigned)best);
	rc = 0;
	do {
		rc =
		    deliver(s, in, (unsigned)best, in->msgs[in->pos], in->head_ns, in->head_has_ns);
		in->pos++;
		set_head(in);
	} while (!rc && !s->r->stop && in->pos < in->n &&
		 (!in->head_has_ns || in->head_ns <= second));
	if (rc)
		return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR;
	return s->r->stop ? sink_end(s) : st;
}

bt_component_class_sink_consume_method_status dp_sink_consume(bt_self_component_sink *self)
{
	struct dp_sink *s =
	    bt_self_component_get_data(bt_self_component_sink_as_self_component(self));
	bt_component_class_sink_consume_method_status st;

	dp_watch_progress(s->r);
	st = s->r->ordered ? consume_ordered(s) : consume_any(s);
	if (st == BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR && s->r->errmsg[0])
		sink_set_error(s, s->r->errmsg);
	return st;
}

void dp_sink_finalize(bt_self_component_sink *self)
{
	struct dp_sink *s = bt_self_component_get_data(
		bt_self_component_sink_as_self_component(self));

	if (!s)
		return;
	for (unsigned i = 0; i < s->nin; i++) {
		input_put_batch(&s->in[i]);
		bt_message_iterator_put_ref(s->in[i].it);
		free(s->in[i].name);
		free(s->in[i].port);
	}
	free(s->in);
	if (s->r && s->r->owned_by_sink)
		dp_report_free(s->r);
	free(s);
}

bt_component_class_sink *dp_sink_class_create(void)
{
	bt_component_class_sink *cls = bt_component_class_sink_create("report", dp_sink_consume);

	if (!cls)
		return NULL;
	if (bt_component_class_sink_set_initialize_method(cls, dp_sink_init) ||
	    bt_component_class_sink_set_graph_is_configured_method(cls,
								     dp_sink_graph_is_configured) ||
	    bt_component_class_sink_set_finalize_method(cls, dp_sink_finalize)) {
		bt_component_class_sink_put_ref(cls);
		return NULL;
	}
	return cls;
}
