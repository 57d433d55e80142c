#!/usr/bin/env bash
# No compiler and no prebuilt object: -DYNPROBE_ENOCOMPILER, whether $CC
# points nowhere or PATH has no cc; a failing compiler: -DYNPROBE_ECOMPILE;
# missing lttng-ust headers: -DYNPROBE_ENOLTTNG.  Failed builds leave nothing.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lttng-lib.sh"
dp_work
ENOCOMPILER=4008
ECOMPILE=4011
ENOLTTNG=4009

out=$(CC=/nonexistent PATH=/nonexistent dp_driver load nocc)
[[ $out == "error $ENOCOMPILER "* ]] || dp_fail "CC=/nonexistent: $out"
out=$(env -u CC PATH=/nonexistent "$DRIVER" load nocc)
[[ $out == "error $ENOCOMPILER "* ]] || dp_fail "no cc in PATH: $out"
out=$(CC=/bin/false dp_driver load nocc)
[[ $out == "error $ECOMPILE "* ]] || dp_fail "CC=/bin/false: $out"
# A name that is a macro in the headers a generated provider includes is
# refused when the provider is made (issue 13: names are checked up
# front), with a message naming it: never a build error, nor an abort
# inside lttng-ust's registration.
if DYNPROBE_DEBUG=1 dp_driver load EXIT_SUCCESS >"$work/out3" 2>"$work/err"; then
	dp_fail "macro-named provider was made: $(cat "$work/out3")"
fi
grep -q "dynprobe_provider_new.*invalid name" "$work/err" || dp_fail "macro-named provider: $(cat "$work/err")"
grep -q "'EXIT_SUCCESS' cannot be used: it is a macro" "$work/err" || dp_fail "no clear macro message"

# A compiler without the lttng-ust headers: -DYNPROBE_ENOLTTNG.
printf '#!/bin/sh\necho "x.c:1: fatal error: lttng/tracepoint.h: No such file or directory" >&2\nexit 1\n' \
	>"$work/nolttng-cc"
chmod +x "$work/nolttng-cc"
out2=$(CC=$work/nolttng-cc dp_driver load nocc)
[[ $out2 == "error $ENOLTTNG "* ]] || dp_fail "compiler without lttng-ust headers: $out2"
ls "$DYNPROBE_CACHE_DIR" | grep -q . && dp_fail "failed builds left files: $(ls -A "$DYNPROBE_CACHE_DIR")"
echo "ok: $out"
