/* SPDX-License-Identifier: MIT */
/*
 * ust_abi.h - the part of lttng-ust 2.13's provider ABI (liblttng-ust.so.1,
 * provider major 3) that the runtime mode speaks, declared from the
 * installed headers (lttng/ust-events.h, lttng/ust-ringbuffer-context.h,
 * lttng/tracepoint-types.h, lttng/tracepoint.h) read as a specification.
 *
 * Why our own declarations: the library must build and run where those
 * headers are absent, and lttng/tracepoint.h cannot be included by a
 * library anyway (it defines weak symbols and constructors that would
 * dlopen liblttng-ust into every program, USDT-only ones included).
 * tests/lttng/test-ust-abi.c compiles these next to the real headers and
 * checks every size and offset, so a drift is a test failure.
 *
 * The ABI's rules: every struct begins with its size, fields are only
 * appended, and a provider of major 3 registers with any liblttng-ust.so.1.
 * Only the base fields (those present in 2.13.0) are used here.
 */
#ifndef DYNPROBE_UST_ABI_H
#define DYNPROBE_UST_ABI_H

#include <stddef.h>
#include <stdint.h>

#define DP_UST_SONAME "liblttng-ust.so.1"
#define DP_UST_PROVIDER_MAJOR 3
#define DP_UST_PROVIDER_MINOR 0
/* "provider:event" plus its NUL */
#define DP_UST_NAME_LEN_MAX 256
/* Log level of an event that declares none (TRACE_DEBUG_LINE). */
#define DP_UST_LOGLEVEL_DEFAULT 13

/* Whether the ring buffer is packed is part of the ABI: x86 packs it
 * (every field's alignment is 1), other architectures align fields
 * naturally.  The runtime mode speaks the packed layout only. */
#if defined(__x86_64__) || defined(__i386__)
#define DP_UST_RB_PACKED 1
#else
#define DP_UST_RB_PACKED 0
#endif

/* ---- call sites (tracepoint-types.h) ---- */
struct dp_ust_tp_probe {
	void (*func)(void);
	void *data;
};

struct dp_ust_tracepoint {
	uint32_t struct_size;
	const char *provider_name;
	const char *event_name;
	int state;
	struct dp_ust_tp_probe *probes;
	int *tracepoint_provider_ref;
	const char *signature;
};

/* ---- types and fields (ust-events.h) ---- */
enum dp_ust_type {
	DP_UST_TYPE_INTEGER,
	DP_UST_TYPE_STRING,
	DP_UST_TYPE_FLOAT,
};

enum dp_ust_encoding {
	DP_UST_ENCODING_NONE = 0,
	DP_UST_ENCODING_UTF8 = 1,
};

struct dp_ust_type_common {
	enum dp_ust_type type;
};

struct dp_ust_type_integer {
	struct dp_ust_type_common parent;
	uint32_t struct_size;
	unsigned int size;              /* bits */
	unsigned short alignment;       /* bits */
	unsigned int signedness:1;
	unsigned int reverse_byte_order:1;
	unsigned int base;
};

struct dp_ust_type_float {
	struct dp_ust_type_common parent;
	uint32_t struct_size;
	unsigned int exp_dig;
	unsigned int mant_dig;
	unsigned short alignment;
	unsigned int reverse_byte_order:1;
};

struct dp_ust_type_string {
	struct dp_ust_type_common parent;
	uint32_t struct_size;
	enum dp_ust_encoding encoding;
};

struct dp_ust_event_field {
	uint32_t struct_size;
	const char *name;
	const struct dp_ust_type_common *type;
	unsigned int nowrite:1, nofilter:1;
};

struct dp_ust_probe_desc;

struct dp_ust_tracepoint_class {
	uint32_t struct_size;
	const struct dp_ust_event_field *const *fields;
	size_t nr_fields;
	void (*probe_callback)(void);
	const char *signature;
	const struct dp_ust_probe_desc *probe_desc;
};

struct dp_ust_event_desc {
	uint32_t struct_size;
	const char *event_name;
	const struct dp_ust_probe_desc *probe_desc;
	const struct dp_ust_tracepoint_class *tp_class;
	const int **loglevel;           /* NULL: the default level */
	const char **model_emf_uri;
};

struct dp_ust_probe_desc {
	uint32_t struct_size;
	const char *provider_name;
	const struct dp_ust_event_desc *const *event_desc;
	unsigned int nr_events;
	uint32_t major;
	uint32_t minor;
};

/* ---- what a probe callback receives (ust-events.h) ---- */
struct dp_ust_probe_ctx {
	uint32_t struct_size;
	void *ip;
};

enum dp_ust_event_type {
	DP_UST_EVENT_RECORDER = 0,
	DP_UST_EVENT_NOTIFIER = 1,
};

#define DP_UST_FILTER_ACCEPT 0

struct dp_ust_event_common {
	uint32_t struct_size;
	void *priv;
	enum dp_ust_event_type type;
	void *child;
	int enabled;
	int eval_filter;
	int (*run_filter)(const struct dp_ust_event_common *event, const char *stack_data,
			  struct dp_ust_probe_ctx *probe_ctx, void *filter_ctx);
};

struct dp_ust_channel_buffer;

struct dp_ust_event_recorder {
	uint32_t struct_size;
	struct dp_ust_event_common *parent;
	void *priv;
	struct dp_ust_channel_buffer *chan;
};

struct dp_ust_notification_ctx {
	uint32_t struct_size;
	int eval_capture;
};

struct dp_ust_event_notifier {
	uint32_t struct_size;
	struct dp_ust_event_common *parent;
	void *priv;
	int eval_capture;
	void (*notification_send)(const struct dp_ust_event_notifier *notifier,
				  const char *stack_data, struct dp_ust_probe_ctx *probe_ctx,
				  struct dp_ust_notification_ctx *notif_ctx);
};

struct dp_ust_rb_ctx {
	uint32_t struct_size;
	void *client_priv;
	size_t data_size;
	int largest_align;
	struct dp_ust_probe_ctx *probe_ctx;
	void *priv;
};

struct dp_ust_channel_ops {
	uint32_t struct_size;
	void *priv;
	int (*event_reserve)(struct dp_ust_rb_ctx *ctx);
	void (*event_commit)(struct dp_ust_rb_ctx *ctx);
	void (*event_write)(struct dp_ust_rb_ctx *ctx, const void *src, size_t len, size_t align);
	void (*event_strcpy)(struct dp_ust_rb_ctx *ctx, const char *src, size_t len);
	void (*event_pstrcpy_pad)(struct dp_ust_rb_ctx *ctx, const char *src, size_t len);
};

struct dp_ust_session {
	uint32_t struct_size;
	void *priv;
	int active;
};

struct dp_ust_channel_common {
	uint32_t struct_size;
	void *priv;
	int type;
	void *child;
	int enabled;
	struct dp_ust_session *session;
};

struct dp_ust_channel_buffer {
	uint32_t struct_size;
	struct dp_ust_channel_common *parent;
	void *priv;
	struct dp_ust_channel_ops *ops;
};

/* The filter interpreter's stack: one 8-byte slot per field here (an
 * integer widened to 64 bits with its sign, a double, or a string
 * pointer), in field order. */
#define DP_UST_STACK_SLOT 8

#endif /* DYNPROBE_UST_ABI_H */
