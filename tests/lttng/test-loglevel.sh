#!/usr/bin/env bash
# Per-probe log levels: `lttng list -u` shows each probe's level, and
# `--loglevel` (this level or more severe) and `--loglevel-only` select on
# it; a probe without one has lttng-ust's default, TRACE_DEBUG_LINE.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lttng-lib.sh"
dp_lttng_private "$@"
dp_work

dp_session upto
lttng enable-event -u 'll:*' --loglevel=TRACE_WARNING >/dev/null || dp_fail "enable-event --loglevel"
lttng start >/dev/null
dp_session only
lttng enable-event -u 'll:*' --loglevel-only=TRACE_INFO >/dev/null || dp_fail "enable-event --loglevel-only"
lttng start >/dev/null
dp_session all
lttng enable-event -u 'll:*' >/dev/null || dp_fail "enable-event"
lttng start >/dev/null

dp_driver loglevel >"$work/out" 2>&1 || dp_fail "driver failed: $(cat "$work/out")"
# (listed only while the program runs: checked through the metadata below)
for s in upto only all; do
	lttng stop "$s" >/dev/null
	lttng destroy "$s" >/dev/null
done
[ "$(dp_bt upto)" = "$(printf '%s\n' 'll:crit: { arg0 = "crit" }' 'll:warn: { arg0 = "warn" }')" ] ||
	dp_fail "--loglevel=TRACE_WARNING recorded: $(dp_bt upto)"
[ "$(dp_bt only)" = 'll:info: { arg0 = "info" }' ] || dp_fail "--loglevel-only=TRACE_INFO recorded: $(dp_bt only)"
[ "$(dp_bt all | wc -l)" = 5 ] || dp_fail "no log level selection recorded: $(dp_bt all)"
# The trace metadata carries the levels too.
babeltrace2 --output-format=ctf-metadata "$work/trace-all"/ust/uid/*/64-bit >"$work/meta" 2>&1 ||
	dp_fail "metadata: $(cat "$work/meta")"
for want in 'll:crit 2' 'll:warn 4' 'll:info 6' 'll:dbg 14' 'll:none 13'; do
	set -- $want
	awk -v n="$1" -v l="$2" '/name = "/ { cur = $3 } /loglevel = / { if (cur == "\"" n "\";" && $3 == l ";") ok = 1 } END { exit !ok }' \
		"$work/meta" || dp_fail "metadata: $1 has no loglevel $2"
done
echo "ok: --loglevel and --loglevel-only select on per-probe levels"
