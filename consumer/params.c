/* SPDX-License-Identifier: MIT */
/*
 * params.c - babeltrace2 component parameters -> dp_report.
 *
 * Used when sink.dynprobe.report is instantiated from a plugin (the CLI
 * hands over a ready report instead).  The parameters are the CLI's long
 * options (plugin.c lists them); unknown ones are refused so a misspelt
 * one does not silently change the result.
 */
#include "report.h"

#include <string.h>

static const char *const known_params[] = {
    "event", "field",  "by",	   "group-by",	 "filter", "agg", "format",
    "svg",   "output", "max-keys", "interval",	 "begin",  "end", "pair",
    "key",   "top",    "sort",	   "descending", NULL,
};

static int get_str(const bt_value *params, const char *name, const char **ret,
		   char *err, size_t errlen)
{
	const bt_value *v = bt_value_map_borrow_entry_value_const(params, name);

	if (!v)
		return 0;
	if (!bt_value_is_string(v)) {
		snprintf(err, errlen, "parameter '%s' must be a string", name);
		return -1;
	}
	*ret = bt_value_string_get(v);
	return 0;
}

static bt_value_map_foreach_entry_const_func_status check_key(const char *key,
							      const bt_value *v, void *data)
{
	for (size_t i = 0; known_params[i]; i++)
		if (!strcmp(key, known_params[i]))
			return BT_VALUE_MAP_FOREACH_ENTRY_CONST_FUNC_STATUS_OK;
	snprintf(data, 512,
		 "unknown parameter '%s' (known: event field by filter agg format "
		 "svg output max-keys interval begin end pair key top sort descending)",
		 key);
	return BT_VALUE_MAP_FOREACH_ENTRY_CONST_FUNC_STATUS_INTERRUPT;
}

/* A positive integer parameter (babeltrace2 parses `top=10` as signed). */
static int get_count(const bt_value *params, const char *name, size_t *ret, char *err,
		     size_t errlen)
{
	const bt_value *v = bt_value_map_borrow_entry_value_const(params, name);

	if (!v)
		return 0;
	if (bt_value_is_unsigned_integer(v) && bt_value_integer_unsigned_get(v) > 0)
		*ret = bt_value_integer_unsigned_get(v);
	else if (bt_value_is_signed_integer(v) && bt_value_integer_signed_get(v) > 0)
		*ret = (size_t)bt_value_integer_signed_get(v);
	else {
		snprintf(err, errlen, "parameter '%s' must be a positive integer", name);
		return -1;
	}
	return 0;
}

static int get_bool(const bt_value *params, const char *name, int *ret, char *err, size_t errlen)
{
	const bt_value *v = bt_value_map_borrow_entry_value_const(params, name);

	if (!v)
		return 0;
	if (!bt_value_is_bool(v)) {
		snprintf(err, errlen, "parameter '%s' must be true or false", name);
		return -1;
	}
	*ret = bt_value_bool_get(v);
	return 0;
}

static int get_format(const bt_value *params, struct dp_report_config *cfg, char *err,
		      size_t errlen)
{
	const char *format = "text";

	if (get_str(params, "format", &format, err, errlen))
		return -1;
	if (!strcmp(format, "json"))
		cfg->format = DP_FORMAT_JSON;
	else if (!strcmp(format, "csv"))
		cfg->format = DP_FORMAT_CSV;
	else if (strcmp(format, "text")) {
		snprintf(err, errlen, "parameter 'format' must be text, json or csv");
		return -1;
	}
	return 0;
}

struct dp_report *dp_report_from_params(const bt_value *params, char *err, size_t errlen)
{
	struct dp_report_config cfg = { 0 };
	const char *output = NULL;
	struct dp_report *r;

	err[0] = 0;
	if (bt_value_map_foreach_entry_const(params, check_key, err) ||
	    get_str(params, "event", &cfg.event, err, errlen) ||
	    get_str(params, "field", &cfg.field, err, errlen) ||
	    get_str(params, "by", &cfg.group_by, err, errlen) ||
	    get_str(params, "group-by", &cfg.group_by, err, errlen) ||
	    get_str(params, "filter", &cfg.filter, err, errlen) ||
	    get_str(params, "agg", &cfg.aggs, err, errlen) ||
	    get_str(params, "svg", &cfg.svg_path, err, errlen) ||
	    get_str(params, "output", &output, err, errlen) ||
	    get_str(params, "interval", &cfg.interval, err, errlen) ||
	    get_str(params, "begin", &cfg.begin, err, errlen) ||
	    get_str(params, "end", &cfg.end, err, errlen) ||
	    get_str(params, "pair", &cfg.pair, err, errlen) ||
	    get_str(params, "key", &cfg.pair_key, err, errlen) ||
	    get_str(params, "sort", &cfg.sort, err, errlen) ||
	    get_bool(params, "descending", &cfg.descending, err, errlen) ||
	    get_count(params, "max-keys", &cfg.max_keys, err, errlen) ||
	    get_count(params, "top", &cfg.top, err, errlen) ||
	    get_format(params, &cfg, err, errlen))
		return NULL;
	if (!(r = dp_report_new(&cfg, err, errlen)))
		return NULL;
	if (output && !(r->out = fopen(output, "w"))) {
		snprintf(err, errlen, "%s: cannot open for writing", output);
		return dp_report_free(r);
	}
	return r;
}
