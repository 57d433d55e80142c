#!/usr/bin/env bash
# The dynprobe command's strictness (issue 14, items 2, 8, 9; issue 13 spec
# files): every bad value is refused with a message naming the option or
# the line and word at fault, nothing is published, and what --help
# promises happens.
set -u
. "$TESTS_LIB/common.sh"
: "${DYNPROBE:?DYNPROBE must point at the dynprobe tool}"
WORK=$(mktemp -d /tmp/dynprobe-cli-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# refuse WANT_STATUS WANT_MESSAGE CMD...: CMD exits WANT_STATUS and its
# stderr contains WANT_MESSAGE (a CMD that runs on, e.g. `--count abc`
# read as "forever", is killed after 30 s and fails).
refuse() {
	local want=$1 msg=$2 st
	shift 2
	timeout 30 "$@" >"$WORK/out" 2>"$WORK/err"
	st=$?
	[ "$st" = "$want" ] || dp_fail "$*: status $st, want $want; stderr: $(cat "$WORK/err")"
	grep -qF -- "$msg" "$WORK/err" || dp_fail "$*: stderr '$(cat "$WORK/err")' lacks '$msg'"
	[ ! -s "$WORK/out" ] || dp_fail "$*: printed '$(cat "$WORK/out")' (nothing may be published)"
	echo "ok: $* -> $msg"
}

E=("$DYNPROBE" emit --provider cli$$ --probe p)
refuse 2 "--count: 'abc' is not a whole number" "${E[@]}" --count abc
refuse 2 "--count: '-1' is out of range" "${E[@]}" --count -1
refuse 2 "--count: '1.5' is not a whole number" "${E[@]}" --count 1.5
refuse 2 "--count: '99999999999999999999' is out of range" "${E[@]}" --count 99999999999999999999
refuse 2 "--interval-ms: '-5' is out of range" "${E[@]}" --interval-ms -5
refuse 2 "--settle-ms: 'x' is not a whole number" "${E[@]}" --settle-ms x
refuse 2 "--wait-attached: '-1' is out of range" "${E[@]}" --wait-attached -1
refuse 2 "--wait-attached: 'nan' is out of range" "${E[@]}" --wait-attached nan
refuse 2 "--backend 'bogus': use usdt, lttng, or both" "${E[@]}" --backend bogus
refuse 2 "--backend 'usdt,': use usdt, lttng" "${E[@]}" --backend usdt,
refuse 2 "--arg u8:300: '300' is not a valid u8 (out of range)" "${E[@]}" --arg u8:300
refuse 2 "--arg i32: 12: ' 12' is not a valid i32 (leading blank)" "${E[@]}" --arg "i32: 12"
refuse 2 "--arg u32 needs a value" "${E[@]}" --arg u32
refuse 2 "unexpected argument 'extra'" "${E[@]}" extra
# The library's refusal reaches stderr with its reason (default log handler
# prints warnings), not only strerror's "Invalid argument".
refuse 1 "DYNPROBE_BACKENDS='bogus': use usdt, lttng or usdt,lttng" \
	env DYNPROBE_BACKENDS=bogus "${E[@]}" --count 1

# --backend takes the DYNPROBE_BACKENDS syntax.
"${E[@]}" --backend usdt,lttng --count 1 -q >"$WORK/out" 2>"$WORK/err" ||
	dp_fail "--backend usdt,lttng: $(cat "$WORK/err")"
grep -q "^usdt:/.*:cli$$:p$" "$WORK/out" && grep -q "^lttng:cli$$:p$" "$WORK/out" ||
	dp_fail "--backend usdt,lttng loaded: $(cat "$WORK/out") $(cat "$WORK/err")"
echo "ok: --backend usdt,lttng loads both"

# The usage names every option, help reaches each command.
"$DYNPROBE" emit --help >"$WORK/help" || dp_fail "emit --help failed"
for o in --provider --probe --arg --count --interval-ms --wait-attached --settle-ms --backend --stdin --quiet; do
	grep -q -- "$o" <(sed -n '1,3p' "$WORK/help") || dp_fail "emit usage line lacks $o"
done
echo "ok: emit usage names every option"
for c in emit list tp report; do
	"$DYNPROBE" help "$c" >"$WORK/help" 2>&1 || dp_fail "dynprobe help $c failed: $(cat "$WORK/help")"
	head -n 1 "$WORK/help" | grep -q "^usage: dynprobe $c" || dp_fail "help $c: $(head -n 2 "$WORK/help")"
done
refuse 2 "unknown command 'bogus'" "$DYNPROBE" help bogus
echo "ok: dynprobe help COMMAND"
[ "$("$DYNPROBE" --version)" = "dynprobe $DYNPROBE_VERSION" ] || dp_fail "--version: $("$DYNPROBE" --version)"
echo "ok: --version"

# ---- dynprobe tp and its spec files (needs the LTTng generator) ----
if ! "$DYNPROBE" tp --help >/dev/null 2>&1; then
	echo "no LTTng backend in this build: tp checks not run"
	echo PASS
	exit 0
fi
T=("$DYNPROBE" tp --name)
printf 'provider 1app\nprobe x\n' >"$WORK/s1"
refuse 1 "s1: line 1: invalid provider name '1app'" "${T[@]}" "$WORK/s1"
printf 'provider app\nprobe 9x\n\n\n\n\n\n\n\n\n\nprobe y\n' >"$WORK/s2"
refuse 1 "s2: line 2: invalid probe name '9x'" "${T[@]}" "$WORK/s2"
printf 'provider app\nprobe ok u8:bad-field\n' >"$WORK/s3"
refuse 1 "s3: line 2: probe ok: invalid field name 'bad-field'" "${T[@]}" "$WORK/s3"
printf 'provider app\nprobe a\n\0probe b\n' >"$WORK/s4"
refuse 1 "s4: line 3: NUL byte" "${T[@]}" "$WORK/s4"
refuse 1 "cannot read $WORK: Is a directory" "${T[@]}" "$WORK"
printf 'provider app\nprobe a\n# x\nprobe a u8\n' >"$WORK/s5"
refuse 1 "s5: line 4: probe 'a' already declared on line 2" "${T[@]}" "$WORK/s5"
printf 'provider app\nprobe a u8 loglevel=loud\n' >"$WORK/s6"
refuse 1 "s6: line 2: probe a: unknown log level 'loud'" "${T[@]}" "$WORK/s6"
printf '# nothing\n\n' >"$WORK/s7"
refuse 1 "s7: line 2: no 'provider' line" "${T[@]}" "$WORK/s7"
printf 'provider app\nprobe a u8 loglevel=info\nprobe b loglevel=TRACE_DEBUG_LINE\n' | "${T[@]}" - >/dev/null ||
	dp_fail "loglevel= refused"
echo "ok: loglevel= accepted"

# -o creates the directory and its parents, as --help says.
printf 'provider cli%s\nprobe request u64:latency str:path\nprobe tick\n' $$ >"$WORK/app.tp"
obj=$("$DYNPROBE" tp "$WORK/app.tp" -o "$WORK/opt/app/tp") || dp_fail "tp -o into a missing directory failed"
[ -f "$obj" ] && [[ "$obj" == "$WORK/opt/app/tp/"* ]] || dp_fail "tp printed '$obj'"
echo "ok: tp -o creates missing parents"
: >"$WORK/file"
refuse 1 "cannot create $WORK/file/sub: Not a directory" "$DYNPROBE" tp "$WORK/app.tp" -o "$WORK/file/sub"
echo PASS
