#!/usr/bin/env bash
# Where lttng-ust cannot work, loading an LTTng provider is a clear error
# (-DYNPROBE_ENOLTTNG, 4009) with a reason, never an abort or a crash, and
# nothing is registered:
#   - lttng-ust 2.12 (liblttng-ust.so.0) already in the process: two
#     tracers of different ABIs, which 2.13 itself reports as unsupported
#     (checked first, below);
#   - a liblttng-ust.so.1 that lacks the provider ABI's symbols;
#   - a fully static program (dlopen cannot load liblttng-ust).
# In the default mode a refused runtime ABI falls back to the compiled
# mode and says so.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lttng-lib.sh"
dp_work
command -v cc >/dev/null || dp_skip "needs a C compiler to build the fake libraries"
ENOLTTNG=4009

# lttng-ust 2.12's library: its soname and its ABI-0 symbol.
mkdir "$work/old"
printf 'int ltt_probe_register(void *d) { (void)d; return 0; }\n' >"$work/old.c"
cc -shared -fPIC -Wl,-soname,liblttng-ust.so.0 -o "$work/old/liblttng-ust.so.0" "$work/old.c" ||
	dp_fail "cannot build the fake liblttng-ust.so.0"
printf '#include <dlfcn.h>\nint main(void) { return !dlopen("liblttng-ust.so.1", RTLD_NOW | RTLD_GLOBAL); }\n' \
	>"$work/plain.c"
cc -o "$work/plain" "$work/plain.c" -ldl || dp_fail "cannot build the plain loader"
LTTNG_UST_DEBUG=1 LD_PRELOAD=$work/old/liblttng-ust.so.0 "$work/plain" >/dev/null 2>"$work/plain.err"
grep -q 'Critical: Incompatible library ABIs' "$work/plain.err" ||
	dp_fail "liblttng-ust.so.1 does not object to .so.0 next to it: the case is moot"
echo "ok: liblttng-ust.so.1 itself calls .so.0 next to it unsupported"
# Under ASan its runtime must come first in LD_PRELOAD.
asan=$(ldd "$DRIVER" | awk '/libasan/ { print $3 ":" }')
for mode in runtime compiled auto; do
	out=$(LD_PRELOAD=$asan$work/old/liblttng-ust.so.0 DYNPROBE_LTTNG_MODE=$mode DYNPROBE_DEBUG=1 \
		"$DRIVER" load abiold 2>"$work/err")
	st=$?
	[ $st = 0 ] || dp_fail "$mode: driver died (exit $st) next to liblttng-ust.so.0"
	[[ $out == "error $ENOLTTNG "* ]] || dp_fail "$mode: next to liblttng-ust.so.0: $out"
	grep -q 'lttng-ust 2.12 or older (liblttng-ust.so.0' "$work/err" || dp_fail "$mode: no reason: $(cat "$work/err")"
	echo "ok: $mode mode next to liblttng-ust.so.0: $out"
done

# A liblttng-ust.so.1 of another ABI: probe registration, no call sites.
mkdir "$work/other"
cat >"$work/other.c" <<EOC
#include <fcntl.h>
#include <unistd.h>
void *lttng_ust_probe_register(const void *d)
{
	(void)d;
	close(open("$work/registered", O_CREAT | O_WRONLY, 0600));
	return (void *)1;
}
EOC
cc -shared -fPIC -Wl,-soname,liblttng-ust.so.1 -o "$work/other/liblttng-ust.so.1" "$work/other.c" ||
	dp_fail "cannot build the fake liblttng-ust.so.1"
out=$(LD_LIBRARY_PATH=$work/other:${LD_LIBRARY_PATH:-} DYNPROBE_LTTNG_MODE=runtime DYNPROBE_DEBUG=1 \
	"$DRIVER" load abiother 2>"$work/err")
[[ $out == "error $ENOLTTNG "* ]] || dp_fail "runtime mode with another ABI: $out $(cat "$work/err")"
grep -q 'has no lttng_ust_probe_unregister' "$work/err" || dp_fail "no reason: $(cat "$work/err")"
[ ! -e "$work/registered" ] || dp_fail "registered something with a refused liblttng-ust"
echo "ok: runtime mode refuses a liblttng-ust.so.1 without the provider ABI, nothing registered"
out=$(LD_LIBRARY_PATH=$work/other:${LD_LIBRARY_PATH:-} DYNPROBE_DEBUG=1 "$DRIVER" load abiother 2>"$work/err")
grep -q 'runtime mode unavailable, trying the compiled mode' "$work/err" ||
	dp_fail "default mode did not fall back: $out $(cat "$work/err")"
[ ! -e "$work/registered" ] || dp_fail "registered something with a refused liblttng-ust"
echo "ok: default mode falls back to the compiled mode ($out)"

# A fully static program (not in a sanitized build: ASan cannot link one).
if [ -n "$asan" ]; then
	echo "note: sanitized build: the static program is checked by the ordinary build"
	echo PASS
	exit 0
fi
pc=$(dirname "$DRIVER")/../../meson-uninstalled
[ -f "$pc/dynprobe-uninstalled.pc" ] || dp_fail "no uninstalled pkg-config file in $pc"
if cc -static -o "$work/static-prog" "$here/static-prog.c" \
	$(PKG_CONFIG_PATH=$pc pkg-config --static --cflags --libs dynprobe) 2>"$work/cc.err"; then
	out=$(DYNPROBE_DEBUG=1 "$work/static-prog" 2>"$work/err")
	st=$?
	[ $st = 0 ] || dp_fail "static program died (exit $st)"
	[[ $out == "error $ENOLTTNG "* ]] || dp_fail "static program: $out"
	grep -q 'statically linked' "$work/err" || dp_fail "static program: no reason: $(cat "$work/err")"
	echo "ok: static program: $out"
else
	dp_skip "cannot link a static program here: $(head -3 "$work/cc.err")"
fi
echo PASS
