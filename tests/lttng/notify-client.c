/* SPDX-License-Identifier: MIT */
/*
 * notify-client - an lttng trigger with field captures, for test-trigger.sh.
 *
 *   notify-client NAME_PATTERN FILTER COUNT FIELD...
 *
 * Registers a trigger (event-rule-matches on the user tracepoint pattern,
 * with FILTER, capturing the payload FIELDs, action notify), subscribes to
 * it, prints "ready", then prints one line per notification, the captured
 * values space-separated (integers, strings, reals with %g), until COUNT
 * notifications arrived; unregisters the trigger.  Gives up after 60 s.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <lttng/lttng.h>

static void print_value(const struct lttng_event_field_value *v)
{
	uint64_t u;
	int64_t i;
	double d;
	const char *s;

	switch (lttng_event_field_value_get_type(v)) {
	case LTTNG_EVENT_FIELD_VALUE_TYPE_UNSIGNED_INT:
		lttng_event_field_value_unsigned_int_get_value(v, &u);
		printf("%llu", (unsigned long long)u);
		break;
	case LTTNG_EVENT_FIELD_VALUE_TYPE_SIGNED_INT:
		lttng_event_field_value_signed_int_get_value(v, &i);
		printf("%lld", (long long)i);
		break;
	case LTTNG_EVENT_FIELD_VALUE_TYPE_REAL:
		lttng_event_field_value_real_get_value(v, &d);
		printf("%g", d);
		break;
	case LTTNG_EVENT_FIELD_VALUE_TYPE_STRING:
		lttng_event_field_value_string_get_value(v, &s);
		printf("\"%s\"", s);
		break;
	default:
		printf("?");
	}
}

static struct lttng_trigger *make_trigger(char **argv, int nfields)
{
	struct lttng_event_rule *rule = lttng_event_rule_user_tracepoint_create();
	struct lttng_condition *cond;

	if (!rule || lttng_event_rule_user_tracepoint_set_name_pattern(rule, argv[1]) ||
	    lttng_event_rule_user_tracepoint_set_filter(rule, argv[2]))
		return NULL;
	cond = lttng_condition_event_rule_matches_create(rule);
	for (int i = 0; cond && i < nfields; i++)
		if (lttng_condition_event_rule_matches_append_capture_descriptor(
			    cond, lttng_event_expr_event_payload_field_create(argv[4 + i])))
			return NULL;
	return cond ? lttng_trigger_create(cond, lttng_action_notify_create()) : NULL;
}

int main(int argc, char **argv)
{
	struct lttng_notification_channel *ch;
	struct lttng_trigger *trigger;
	char name[64];
	int want, got = 0;

	if (argc < 5)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(60);
	want = atoi(argv[3]);
	trigger = make_trigger(argv, argc - 4);
	snprintf(name, sizeof(name), "dynprobe-test-%d", (int)getpid());
	if (!trigger || lttng_register_trigger_with_name(trigger, name) != LTTNG_OK) {
		fprintf(stderr, "cannot register the trigger\n");
		return 1;
	}
	ch = lttng_notification_channel_create(lttng_session_daemon_notification_endpoint);
	if (!ch || lttng_notification_channel_subscribe(
			   ch, lttng_trigger_get_const_condition(trigger)) !=
			   LTTNG_NOTIFICATION_CHANNEL_STATUS_OK) {
		fprintf(stderr, "cannot subscribe\n");
		return 1;
	}
	printf("ready\n");
	while (got < want) {
		struct lttng_notification *n = NULL;
		const struct lttng_event_field_value *arr, *v;
		unsigned int len = 0;

		if (lttng_notification_channel_get_next_notification(ch, &n) !=
		    LTTNG_NOTIFICATION_CHANNEL_STATUS_OK)
			continue;
		if (lttng_evaluation_event_rule_matches_get_captured_values(
			    lttng_notification_get_evaluation(n), &arr) == 0)
			lttng_event_field_value_array_get_length(arr, &len);
		for (unsigned int i = 0; i < len; i++) {
			lttng_event_field_value_array_get_element_at_index(arr, i, &v);
			if (i)
				putchar(' ');
			print_value(v);
		}
		putchar('\n');
		lttng_notification_destroy(n);
		got++;
	}
	lttng_unregister_trigger(trigger);
	lttng_notification_channel_destroy(ch);
	lttng_trigger_destroy(trigger);
	return 0;
}
