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

printf 'provider pre\nprobe ev u64:latency str\n' >"$work/other.tp"
"$DYNPROBE_TOOL" tp "$work/other.tp" -o "$work/tp2" >/dev/null || dp_fail "dynprobe tp (other)"
out=$(DYNPROBE_TP_PATH=$work/tp2 nocc load pre 2>/dev/null)
[[ $out == "error $ENOCOMPILER "* ]] || dp_fail "stale prebuilt picked: $out"

chmod g+w "$obj"
out=$(DYNPROBE_TP_PATH=$work/tp nocc load pre 2>/dev/null)
[[ $out == "error $ENOCOMPILER "* ]] || dp_fail "group-writable prebuilt used: $out"

# An object from a future, incompatible generator under the right name: its
# descriptor is refused with a clear message, never an abort.
name=$(basename "$obj")
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
