#!/usr/bin/env bash
# report_errors.sh - every user error ends with a non-zero status and one
# line on stderr that names the problem.
set -u
. "$(dirname "$0")/report_common.sh"

record_trace t 200 7
record_trace z 0 1      # the provider registers, no event is fired

# expect_error STATUS PATTERN ARGS...: exit status, one stderr line matching.
expect_error() {
	local want=$1 pattern=$2 rc
	shift 2
	"$DYNPROBE" report "$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	[ "$rc" = "$want" ] || dp_fail "report $*: exit $rc, want $want ($(cat "$WORK/err"))"
	[ "$(wc -l <"$WORK/err")" = 1 ] || dp_fail "report $*: stderr is not one line: $(cat "$WORK/err")"
	grep -qE -- "$pattern" "$WORK/err" || dp_fail "report $*: '$(cat "$WORK/err")' !~ /$pattern/"
	echo "ok: $* -> $(cat "$WORK/err")"
}

mkdir "$WORK/empty"
echo hello >"$WORK/file"
expect_error 1 'not a trace \(expected a directory' "$WORK/file"
expect_error 1 'not a trace \(no CTF .metadata.' "$WORK/empty"
expect_error 1 'No such file or directory' "$WORK/nonexistent"
expect_error 1 "unknown event 'app:nothing'.*dpgen:req" "$WORK/t" -e app:nothing
expect_error 1 "no event matched: the traces hold no 'dpgen:req' event" "$WORK/z" -e dpgen:req -f arg1
expect_error 1 "unknown field 'latency' in event 'dpgen:req'.*arg0, arg1" "$WORK/t" -e dpgen:req -f latency
expect_error 1 "unknown field 'nope'" "$WORK/t" -e dpgen:req -f arg1 -b nope
expect_error 1 "field 'arg0' of event 'dpgen:req' is not numeric" "$WORK/t" -e dpgen:req -f arg0 -a p99
expect_error 1 "group-by field 'arg3' .* must be a string or an integer" "$WORK/t" -e dpgen:req -a count -b arg3

expect_error 1 "filter: field 'arg1' .* numeric but 'abc' is not a number" "$WORK/t" -e dpgen:req -a count -F 'arg1 == "abc"'
expect_error 1 "filter: field 'arg0' of event 'dpgen:req' is a string; compare it with a quoted string" "$WORK/t" -e dpgen:req -a count -F 'arg0 < 5'
expect_error 1 "filter: string field 'arg0' compares only with == and !=" "$WORK/t" -e dpgen:req -a count -F 'arg0 < "x"'
expect_error 1 "unknown field 'abc' in event 'dpgen:req'" "$WORK/t" -e dpgen:req -a count -F 'arg1 == abc'
expect_error 2 "unknown aggregation 'median'" "$WORK/t" -e dpgen:req -f arg1 -a median
expect_error 2 "needs a value field" "$WORK/t" -e dpgen:req -a hist
expect_error 2 "bad filter" "$WORK/t" -e dpgen:req -F '> 3'
expect_error 2 "lhist: need min < max" "$WORK/t" -e dpgen:req -f arg1 -a 'lhist(5,1,1)'
expect_error 2 "give trace directories or --live" -e dpgen:req

expect_error 2 "unknown option '--bogus' \\(dynprobe report --help lists them\\)" "$WORK/t" --bogus
expect_error 2 "option '--by' needs a value" "$WORK/t" --by
expect_error 2 "bad duration '1 s'" "$WORK/t" -i '1 s'
expect_error 2 "bad time 'noon'" "$WORK/t" --begin noon
expect_error 2 "--begin 20 is not before --end 10" "$WORK/t" --begin 20 --end 10
expect_error 2 "bad --sort 'size'" "$WORK/t" --sort size
expect_error 2 "--sort p99 needs a value field" "$WORK/t" --sort p99
expect_error 2 "bad --pair 'dpgen:req'" "$WORK/t" --pair dpgen:req
expect_error 2 "--pair START,END names the events: drop --event" "$WORK/t" -e x --pair a,b
expect_error 2 "--pair aggregates the durations: it takes no --field" "$WORK/t" -f arg1 --pair a,b
expect_error 2 "--svg draws one histogram: not with --interval" "$WORK/t" -i 1s --svg "$WORK/x.svg"
expect_error 2 "--by 'arg0,,arg1': empty name" "$WORK/t" -b arg0,,arg1
expect_error 2 "bad filter 'arg0 == \"GET\" & arg1 > 3': use && and \\|\\| at column 15" "$WORK/t" -F 'arg0 == "GET" & arg1 > 3'
# Context the trace lacks: the message says how to record it.
expect_error 1 "unknown field 'tid' in event 'dpgen:req' .*record it with .lttng add-context -u -t vtid." "$WORK/t" -e dpgen:req -b tid
expect_error 1 "unknown field 'vtid' in event 'dpgen:req,dpgen:tick'.*lttng add-context -u -t vtid" "$WORK/t" --pair dpgen:req,dpgen:tick
expect_error 1 "--pair: event 'dpgen:req' matches both START and END" "$WORK/t" --pair 'dpgen:*,*req'
# cpu_id is in every LTTng packet context (issue 14, item 7).
"$DYNPROBE" report "$WORK/t" -b cpu_id >"$WORK/out" || dp_fail "-b cpu_id"
grep -qE '^@count\[[0-9]+\]: [0-9]+$' "$WORK/out" || dp_fail "-b cpu_id: $(cat "$WORK/out")"
! grep -rq -- "--group-by" "$WORK/out" || dp_fail "a message names --group-by"

# A count of a string field is fine (it only needs events).
"$DYNPROBE" report "$WORK/t" -e dpgen:req -f arg0 -a count >/dev/null || dp_fail "count of a string field"

# The plugin refuses unknown parameters and reports unknown events.
bt_plugin "$WORK/t" -c sink.dynprobe.report -p 'evnt="x"' \
	>/dev/null 2>"$WORK/err" && dp_fail "plugin accepted an unknown parameter"
grep -q "unknown parameter 'evnt'" "$WORK/err" || dp_fail "plugin: $(cat "$WORK/err")"
bt_plugin "$WORK/t" -c sink.dynprobe.report -p 'event="x:y"' \
	>/dev/null 2>"$WORK/err" && dp_fail "plugin accepted an unknown event"
grep -q "unknown event 'x:y'" "$WORK/err" || dp_fail "plugin: $(cat "$WORK/err")"
echo "PASS"
