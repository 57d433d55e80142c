/* SPDX-License-Identifier: MIT */
/*
 * test-ust-abi.c - the runtime mode's own declaration of lttng-ust's
 * provider ABI (src/backends/lttng/ust_abi.h) against the installed
 * headers: every size and field offset, the bit-fields byte for byte, and
 * the constants.  Compile-time checks, plus a run that prints the count.
 */
#include <stdio.h>
#include <string.h>

#include <lttng/tracepoint-types.h>
#include <lttng/ust-events.h>
#include <lttng/ust-ringbuffer-context.h>
#include <lttng/ust-tracer.h>
#include <lttng/ust-version.h>

#include "../../src/backends/lttng/ust_abi.h"

#define SAME_SIZE(ours, theirs)                                                \
	_Static_assert(sizeof(struct ours) == sizeof(struct theirs), #ours " size")
#define SAME_FIELD(ours, theirs, f)                                            \
	_Static_assert(offsetof(struct ours, f) == offsetof(struct theirs, f),   \
		       #ours "." #f " offset")
#define SAME_FIELD2(ours, of, theirs, tf)                                      \
	_Static_assert(offsetof(struct ours, of) == offsetof(struct theirs, tf), \
		       #ours "." #of " offset")

SAME_SIZE(dp_ust_tp_probe, lttng_ust_tracepoint_probe);
SAME_FIELD(dp_ust_tp_probe, lttng_ust_tracepoint_probe, data);
SAME_SIZE(dp_ust_tracepoint, lttng_ust_tracepoint);
SAME_FIELD(dp_ust_tracepoint, lttng_ust_tracepoint, provider_name);
SAME_FIELD(dp_ust_tracepoint, lttng_ust_tracepoint, event_name);
SAME_FIELD(dp_ust_tracepoint, lttng_ust_tracepoint, state);
SAME_FIELD(dp_ust_tracepoint, lttng_ust_tracepoint, probes);
SAME_FIELD(dp_ust_tracepoint, lttng_ust_tracepoint, tracepoint_provider_ref);
SAME_FIELD(dp_ust_tracepoint, lttng_ust_tracepoint, signature);

SAME_SIZE(dp_ust_type_integer, lttng_ust_type_integer);
SAME_FIELD(dp_ust_type_integer, lttng_ust_type_integer, struct_size);
SAME_FIELD(dp_ust_type_integer, lttng_ust_type_integer, size);
SAME_FIELD(dp_ust_type_integer, lttng_ust_type_integer, alignment);
SAME_FIELD(dp_ust_type_integer, lttng_ust_type_integer, base);
SAME_SIZE(dp_ust_type_float, lttng_ust_type_float);
SAME_FIELD(dp_ust_type_float, lttng_ust_type_float, exp_dig);
SAME_FIELD(dp_ust_type_float, lttng_ust_type_float, mant_dig);
SAME_FIELD(dp_ust_type_float, lttng_ust_type_float, alignment);
SAME_SIZE(dp_ust_type_string, lttng_ust_type_string);
SAME_FIELD(dp_ust_type_string, lttng_ust_type_string, encoding);
SAME_SIZE(dp_ust_event_field, lttng_ust_event_field);
SAME_FIELD(dp_ust_event_field, lttng_ust_event_field, name);
SAME_FIELD(dp_ust_event_field, lttng_ust_event_field, type);
SAME_SIZE(dp_ust_tracepoint_class, lttng_ust_tracepoint_class);
SAME_FIELD(dp_ust_tracepoint_class, lttng_ust_tracepoint_class, fields);
SAME_FIELD(dp_ust_tracepoint_class, lttng_ust_tracepoint_class, nr_fields);
SAME_FIELD(dp_ust_tracepoint_class, lttng_ust_tracepoint_class, probe_callback);
SAME_FIELD(dp_ust_tracepoint_class, lttng_ust_tracepoint_class, signature);
SAME_FIELD(dp_ust_tracepoint_class, lttng_ust_tracepoint_class, probe_desc);
SAME_SIZE(dp_ust_event_desc, lttng_ust_event_desc);
SAME_FIELD(dp_ust_event_desc, lttng_ust_event_desc, event_name);
SAME_FIELD(dp_ust_event_desc, lttng_ust_event_desc, probe_desc);
SAME_FIELD(dp_ust_event_desc, lttng_ust_event_desc, tp_class);
SAME_FIELD(dp_ust_event_desc, lttng_ust_event_desc, loglevel);
SAME_FIELD(dp_ust_event_desc, lttng_ust_event_desc, model_emf_uri);
SAME_SIZE(dp_ust_probe_desc, lttng_ust_probe_desc);
SAME_FIELD(dp_ust_probe_desc, lttng_ust_probe_desc, provider_name);
SAME_FIELD(dp_ust_probe_desc, lttng_ust_probe_desc, event_desc);
SAME_FIELD(dp_ust_probe_desc, lttng_ust_probe_desc, nr_events);
SAME_FIELD(dp_ust_probe_desc, lttng_ust_probe_desc, major);
SAME_FIELD(dp_ust_probe_desc, lttng_ust_probe_desc, minor);

SAME_SIZE(dp_ust_probe_ctx, lttng_ust_probe_ctx);
SAME_FIELD(dp_ust_probe_ctx, lttng_ust_probe_ctx, ip);
SAME_SIZE(dp_ust_event_common, lttng_ust_event_common);
SAME_FIELD(dp_ust_event_common, lttng_ust_event_common, type);
SAME_FIELD(dp_ust_event_common, lttng_ust_event_common, child);
SAME_FIELD(dp_ust_event_common, lttng_ust_event_common, enabled);
SAME_FIELD(dp_ust_event_common, lttng_ust_event_common, eval_filter);
SAME_FIELD(dp_ust_event_common, lttng_ust_event_common, run_filter);
SAME_SIZE(dp_ust_event_recorder, lttng_ust_event_recorder);
SAME_FIELD(dp_ust_event_recorder, lttng_ust_event_recorder, chan);
SAME_SIZE(dp_ust_notification_ctx, lttng_ust_notification_ctx);
SAME_FIELD(dp_ust_notification_ctx, lttng_ust_notification_ctx, eval_capture);
SAME_SIZE(dp_ust_event_notifier, lttng_ust_event_notifier);
SAME_FIELD(dp_ust_event_notifier, lttng_ust_event_notifier, eval_capture);
SAME_FIELD(dp_ust_event_notifier, lttng_ust_event_notifier, notification_send);
SAME_SIZE(dp_ust_rb_ctx, lttng_ust_ring_buffer_ctx);
SAME_FIELD(dp_ust_rb_ctx, lttng_ust_ring_buffer_ctx, client_priv);
SAME_FIELD(dp_ust_rb_ctx, lttng_ust_ring_buffer_ctx, data_size);
SAME_FIELD(dp_ust_rb_ctx, lttng_ust_ring_buffer_ctx, largest_align);
SAME_FIELD(dp_ust_rb_ctx, lttng_ust_ring_buffer_ctx, probe_ctx);
SAME_FIELD(dp_ust_rb_ctx, lttng_ust_ring_buffer_ctx, priv);
SAME_SIZE(dp_ust_channel_ops, lttng_ust_channel_buffer_ops);
SAME_FIELD(dp_ust_channel_ops, lttng_ust_channel_buffer_ops, event_reserve);
SAME_FIELD(dp_ust_channel_ops, lttng_ust_channel_buffer_ops, event_commit);
SAME_FIELD(dp_ust_channel_ops, lttng_ust_channel_buffer_ops, event_write);
SAME_FIELD(dp_ust_channel_ops, lttng_ust_channel_buffer_ops, event_strcpy);
SAME_SIZE(dp_ust_session, lttng_ust_session);
SAME_FIELD(dp_ust_session, lttng_ust_session, active);
SAME_SIZE(dp_ust_channel_common, lttng_ust_channel_common);
SAME_FIELD(dp_ust_channel_common, lttng_ust_channel_common, enabled);
SAME_FIELD(dp_ust_channel_common, lttng_ust_channel_common, session);
SAME_SIZE(dp_ust_channel_buffer, lttng_ust_channel_buffer);
SAME_FIELD(dp_ust_channel_buffer, lttng_ust_channel_buffer, parent);
SAME_FIELD(dp_ust_channel_buffer, lttng_ust_channel_buffer, ops);

_Static_assert(DP_UST_PROVIDER_MAJOR == LTTNG_UST_PROVIDER_MAJOR, "provider major");
_Static_assert(DP_UST_NAME_LEN_MAX == LTTNG_UST_ABI_SYM_NAME_LEN, "name length");
_Static_assert((int)DP_UST_TYPE_INTEGER == (int)lttng_ust_type_integer, "type enum");
_Static_assert((int)DP_UST_TYPE_STRING == (int)lttng_ust_type_string, "type enum");
_Static_assert((int)DP_UST_TYPE_FLOAT == (int)lttng_ust_type_float, "type enum");
_Static_assert((int)DP_UST_ENCODING_UTF8 == (int)lttng_ust_string_encoding_UTF8, "encoding");
_Static_assert((int)DP_UST_EVENT_RECORDER == (int)LTTNG_UST_EVENT_TYPE_RECORDER, "event type");
_Static_assert((int)DP_UST_EVENT_NOTIFIER == (int)LTTNG_UST_EVENT_TYPE_NOTIFIER, "event type");
_Static_assert(DP_UST_FILTER_ACCEPT == LTTNG_UST_EVENT_FILTER_ACCEPT, "filter result");
_Static_assert(DP_UST_RB_PACKED == (lttng_ust_rb_alignof(uint64_t) == 1), "packed ring buffer");

static int failures;

/* Bit-fields: same bits in the same bytes. */
static void check_bytes(const void *a, const void *b, size_t n, const char *what)
{
	if (memcmp(a, b, n)) {
		fprintf(stderr, "FAIL: %s differ\n", what);
		failures++;
	}
}

int main(void)
{
	struct dp_ust_type_integer oi;
	struct lttng_ust_type_integer ti;
	struct dp_ust_type_float of;
	struct lttng_ust_type_float tf;
	struct dp_ust_event_field oe;
	struct lttng_ust_event_field te;

	memset(&oi, 0, sizeof(oi));
	memset(&ti, 0, sizeof(ti));
	oi.signedness = ti.signedness = 1;
	check_bytes(&oi, &ti, sizeof(oi), "integer signedness bits");
	oi.signedness = ti.signedness = 0;
	oi.reverse_byte_order = ti.reverse_byte_order = 1;
	check_bytes(&oi, &ti, sizeof(oi), "integer byte-order bits");
	memset(&of, 0, sizeof(of));
	memset(&tf, 0, sizeof(tf));
	of.reverse_byte_order = tf.reverse_byte_order = 1;
	check_bytes(&of, &tf, sizeof(of), "float byte-order bits");
	memset(&oe, 0, sizeof(oe));
	memset(&te, 0, sizeof(te));
	oe.nowrite = te.nowrite = 1;
	check_bytes(&oe, &te, sizeof(oe), "field nowrite bits");
	oe.nowrite = te.nowrite = 0;
	oe.nofilter = te.nofilter = 1;
	check_bytes(&oe, &te, sizeof(oe), "field nofilter bits");
	if (failures)
		return 1;
	printf("ok: ust_abi.h matches lttng-ust %s's headers (sizes, offsets, bit-fields, constants)\n",
	       LTTNG_UST_VERSION);
	return 0;
}
