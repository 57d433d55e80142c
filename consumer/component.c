/* SPDX-License-Identifier: MIT */
/*
 * component.c - sink component methods, shared by the CLI's run-time
 * component class and the babeltrace2 plugin (plugin.c).
 *
 * The CLI passes its already-parsed `struct dp_report` as initialize-method
 * data and prints the results itself after the graph ends (or on every live
 * refresh).  Instantiated from a plugin there is no such data: the
 * component builds its report from the parameters, owns it, and prints it
 * when its upstream ends.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

struct dp_sink {
	struct dp_report *r;
	bt_message_iterator *it;
	bt_self_component *self;
};

static void sink_set_error(struct dp_sink *s, const char *msg)
{
	BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(s->self, "%s", msg);
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
	if (bt_self_component_sink_add_input_port(self, "in", NULL, NULL) !=
	    BT_SELF_COMPONENT_ADD_PORT_STATUS_OK)
		goto err;
	bt_self_component_set_data(s->self, s);
	return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_OK;
err:
	if (s->r && s->r->owned_by_sink)
		dp_report_free(s->r);
	free(s);
	return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_ERROR;
}

bt_component_class_sink_graph_is_configured_method_status
dp_sink_graph_is_configured(bt_self_component_sink *self)
{
	struct dp_sink *s = bt_self_component_get_data(
		bt_self_component_sink_as_self_component(self));
	bt_self_component_port_input *in =
		bt_self_component_sink_borrow_input_port_by_name(self, "in");

	if (bt_message_iterator_create_from_sink_component(self, in, &s->it) !=
	    BT_MESSAGE_ITERATOR_CREATE_FROM_SINK_COMPONENT_STATUS_OK) {
		sink_set_error(s, "cannot create the input message iterator");
		return BT_COMPONENT_CLASS_SINK_GRAPH_IS_CONFIGURED_METHOD_STATUS_ERROR;
	}
	return BT_COMPONENT_CLASS_SINK_GRAPH_IS_CONFIGURED_METHOD_STATUS_OK;
}

/* Plugin mode: the report is printed when the upstream ends. */
static bt_component_class_sink_consume_method_status sink_end(struct dp_sink *s)
{
	struct dp_report *r = s->r;

	r->ended = 1;
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

bt_component_class_sink_consume_method_status dp_sink_consume(bt_self_component_sink *self)
{
	struct dp_sink *s = bt_self_component_get_data(
		bt_self_component_sink_as_self_component(self));
	bt_message_array_const msgs;
	uint64_t n;

	switch (bt_message_iterator_next(s->it, &msgs, &n)) {
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_OK:
		break;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_AGAIN:
		return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_AGAIN;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_END:
		return sink_end(s);
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_MEMORY_ERROR:
		return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_MEMORY_ERROR;
	default:
		return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR;
	}
	if (dp_report_process(s->r, msgs, n)) {
		sink_set_error(s, s->r->errmsg);
		return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR;
	}
	return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_OK;
}

void dp_sink_finalize(bt_self_component_sink *self)
{
	struct dp_sink *s = bt_self_component_get_data(
		bt_self_component_sink_as_self_component(self));

	if (!s)
		return;
	bt_message_iterator_put_ref(s->it);
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
