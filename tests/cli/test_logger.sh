#!/usr/bin/env bash
# `dynprobe emit --stdin` (the logger, issue 14 item 10): a bad line is
# reported with its line number and skipped, every later good line still
# reaches the tracer, and the count of rejected lines is printed at exit
# (status 1).  Real bpftrace counts what arrives.
set -u
. "$TESTS_LIB/common.sh"
: "${DYNPROBE:?DYNPROBE must point at the dynprobe tool}"
command -v bpftrace >/dev/null || dp_skip "bpftrace not installed"
[ "$(id -u)" = 0 ] || dp_skip "bpftrace needs root"
WORK=$(mktemp -d /tmp/dynprobe-logger-test.XXXXXX)
BT=
cleanup() {
	[ -n "$BT" ] && kill "$BT" 2>/dev/null
	[ -n "${LOGGER:-}" ] && kill "$LOGGER" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
prov=log$$

mkfifo "$WORK/in"
"$DYNPROBE" emit --provider "$prov" --probe line --arg u32 --arg str --stdin --wait-attached 60 \
	>"$WORK/out" 2>"$WORK/err" <"$WORK/in" &
LOGGER=$!
exec 7>"$WORK/in"
dp_wait_until 20 "grep -q '^usdt:' '$WORK/out'" || dp_fail "logger printed no path: $(cat "$WORK/err")"
pid=$(awk '/^pid/ {print $2}' "$WORK/out")
bpftrace -p "$pid" -e "usdt::$prov:line { printf(\"<%d|%s>\\n\", arg0, str(arg1)); }" \
	>"$WORK/bt" 2>"$WORK/bt.err" 7>&- &
BT=$!
# Line 2 has an empty number, line 4 is not a number, line 5 lacks the
# string, line 7 is out of range; the others are good.
printf '1\tone\n\tempty\n3\tthree\nx\tbad\n5\n6\tsix\t(tab kept)\n4294967296\tbig\n8\teight\n' >&7
exec 7>&-
dp_wait_until 60 "! kill -0 $LOGGER 2>/dev/null" || dp_fail "logger did not end at EOF"
wait "$LOGGER"
st=$?
LOGGER=
[ "$st" = 1 ] || dp_fail "logger exit status $st, want 1 (lines were rejected)"
dp_wait_until 20 "grep -q '<8|eight>' '$WORK/bt'" || dp_fail "bpftrace saw: $(cat "$WORK/bt") $(cat "$WORK/bt.err")"
kill -INT "$BT"
dp_wait_until 20 "! kill -0 $BT 2>/dev/null"
BT=
got=$(grep '^<' "$WORK/bt" | tr '\n' ' ')
want="<1|one> <3|three> <6|six	(tab kept)> <8|eight> "
[ "$got" = "$want" ] || dp_fail "bpftrace saw '$got', want '$want'"
echo "ok: the good lines after bad ones all arrived"
for m in "<stdin>:2: field 1: empty value, expected u32" "<stdin>:4: field 1: 'x' is not a valid u32" \
	"<stdin>:5: 1 field, the probe takes 2" "<stdin>:7: field 1: '4294967296' is not a valid u32 (out of range)" \
	"4 of 8 lines rejected"; do
	grep -qF "$m" "$WORK/err" || dp_fail "stderr lacks '$m': $(cat "$WORK/err")"
done
echo "ok: each rejected line named, the count at exit"
echo PASS
