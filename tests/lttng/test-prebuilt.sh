#!/usr/bin/env bash
# `dynprobe tp` builds an object that a program finds through
# DYNPROBE_TP_PATH and loads without any compiler; a spec that differs from
# the program's probes is never picked; an untrusted prebuilt is skipped.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lttng-lib.sh"
dp_work
ENOCOMPILER=4008
[ -n "${DYNPROBE_TOOL:-}" ] || dp_fail "DYNPROBE_TOOL not set"

# Same probes as `lttng-driver load pre`: ev(u64 arg0, str arg1).
printf '# driver load\nprovider pre\nprobe ev u64 str\n' >"$work/pre.tp"
obj=$("$DYNPROBE_TOOL" tp "$work/pre.tp" -o "$work/tp") || dp_fail "dynprobe tp failed"
[ -f "$obj" ] || dp_fail "dynprobe tp printed $obj, which does not exist"
[ "$(basename "$obj")" = "$("$DYNPROBE_TOOL" tp --name "$work/pre.tp")" ] || dp_fail "--name differs"
"$DYNPROBE_TOOL" tp --source "$work/pre.tp" | grep -q 'LTTNG_UST_TRACEPOINT_EVENT(pre, ev,' ||
	dp_fail "--source"

nocc() { CC=/nonexistent PATH=/nonexistent DYNPROBE_DEBUG=1 "$DRIVER" "$@"; }
out=$(DYNPROBE_TP_PATH=/nonexistent:$work/tp nocc load pre 2>"$work/err")
[ "$out" = ok ] || dp_fail "prebuilt not used: $out $(cat "$work/err")"
grep -qF "loaded $obj" "$work/err" || dp_fail "did not load $obj: $(cat "$work/err")"
[ ! -e "$DYNPROBE_CACHE_DIR" ] || [ -z "$(ls -A "$DYNPROBE_CACHE_DIR")" ] || dp_fail "cache written"
# `dynprobe list` says the provider runs a prebuilt object.
DYNPROBE_TP_PATH=$work/tp CC=/nonexistent "$DYNPROBE_TOOL" emit --provider pre --probe ev \
	--arg u64:1 --arg str:x --backend lttng --count 0 --interval-ms 100 --quiet >"$work/emit" 2>&1 &
emit=$!
dp_bg_pids+=" $emit"
dp_wait_until 30 '"$DYNPROBE_TOOL" list "$emit" 2>/dev/null | grep -q "^$emit  *pre  *ev .* loaded/prebuilt  *no "' ||
	dp_fail "dynprobe list does not show pre:ev loaded/prebuilt: $("$DYNPROBE_TOOL" list "$emit" 2>&1) $(cat "$work/emit")"
kill "$emit"
wait "$emit" 2>/dev/null

printf 'provider pre\nprobe ev u64:latency str\n' >"$work/other.tp"
"$DYNPROBE_TOOL" tp "$work/other.tp" -o "$work/tp2" >/dev/null || dp_fail "dynprobe tp (other)"
out=$(DYNPROBE_TP_PATH=$work/tp2 nocc load pre 2>/dev/null)
[[ $out == "error $ENOCOMPILER "* ]] || dp_fail "stale prebuilt picked: $out"
# A prebuilt object that exists under the right name but was built for
# other probes is logged, not skipped silently.
name=$(basename "$obj")
other=$(ls "$work/tp2"/*.so)
mkdir -m 0755 "$work/tp5" && cp "$other" "$work/tp5/$name"
out=$(DYNPROBE_TP_PATH=$work/tp5 nocc load pre 2>"$work/err")
[[ $out == "error $ENOCOMPILER "* ]] || dp_fail "mismatched prebuilt used: $out"
grep -q "prebuilt $work/tp5/$name exists but was not used" "$work/err" || dp_fail "mismatch not logged: $(cat "$work/err")"
grep -q "does not match probe ev" "$work/err" || dp_fail "no reason for the mismatch: $(cat "$work/err")"

# A DYNPROBE_TP_PATH entry that is a symlink is refused, also behind a
# trailing "/" or "/.", and says so.
ln -s "$work/tp" "$work/tplink"
for d in "$work/tplink" "$work/tplink/" "$work/tplink/."; do
	out=$(DYNPROBE_TP_PATH=$d nocc load pre 2>"$work/err")
	[[ $out == "error $ENOCOMPILER "* ]] || dp_fail "prebuilt through symlink $d used: $out"
	grep -q "prebuilt directory $d skipped: .*symlink" "$work/err" || dp_fail "message for $d: $(cat "$work/err")"
done

chmod g+w "$obj"
out=$(DYNPROBE_TP_PATH=$work/tp nocc load pre 2>/dev/null)
[[ $out == "error $ENOCOMPILER "* ]] || dp_fail "group-writable prebuilt used: $out"

# An object from a future, incompatible generator under the right name: its
# descriptor is refused with a clear message, never an abort.
mkdir -m 0755 "$work/tp4"
printf '%s\n' '#include <stdint.h>' \
	'struct d { uint32_t struct_size; uint16_t major, minor; char pad[120]; };' \
	'__attribute__((visibility("default"))) const struct d dynprobe_tp_desc = { sizeof(struct d), 99, 0, { 0 } };' \
	>"$work/future.c"
cc -shared -fPIC -o "$work/tp4/$name" "$work/future.c" || dp_fail "cannot build the fake object"
out=$(DYNPROBE_TP_PATH=$work/tp4 nocc load pre 2>"$work/err")
[[ $out == "error $ENOCOMPILER "* ]] || dp_fail "future descriptor accepted: $out"
grep -q 'descriptor ABI 99.0' "$work/err" || dp_fail "no clear ABI message: $(cat "$work/err")"
out=$(DYNPROBE_TP_PATH=$work/tp4 dp_driver load pre)
[ "$out" = ok ] || dp_fail "refused prebuilt did not fall back to compiling: $out"

printf 'provider pre\nprobe ev u65\n' >"$work/bad.tp"
"$DYNPROBE_TOOL" tp "$work/bad.tp" -o "$work/tp3" 2>"$work/err" && dp_fail "bad spec accepted"
grep -q "line 2: probe ev: unknown type 'u65'" "$work/err" || dp_fail "bad spec message: $(cat "$work/err")"
echo "ok: prebuilt found and used without a compiler"
