#!/usr/bin/env bash
# The runtime mode needs nothing but liblttng-ust.so.1: in a private mount
# namespace where every C compiler and their back ends, the lttng-ust
# headers, the cache directory and $HOME are hidden or read-only, the
# default mode still loads and records every type's extreme values exactly
# (test-values.sh, run in there), while the compiled mode, asked for,
# fails as it must without a compiler.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lttng-lib.sh"
if [ "${DYNPROBE_NOCC_INNER:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || dp_skip "needs root for a private mount namespace"
	unshare --mount --propagation private true 2>/dev/null || dp_skip "no mount namespaces"
	DYNPROBE_NOCC_INNER=1 exec unshare --mount --propagation private "$0" "$@"
fi
unset DYNPROBE_LTTNG_MODE CC XDG_CACHE_HOME

# Every compiler driver (bind-mount /dev/null over it, through symlinks)
# and every compiler back end (empty read-only tmpfs over their trees).
hidden=0
for dir in /usr/local/bin /usr/bin /bin; do
	[ -d "$dir" ] || continue
	for f in "$dir"/*; do
		case $(basename "$f") in
		*gcc* | *g++* | *clang* | cc | c++ | c89* | c99* | cpp* | *-cpp* | tcc | icx | icc | pcc) ;;
		*) continue ;;
		esac
		target=$(readlink -f "$f") || continue
		[ -f "$target" ] || continue
		mount --bind /dev/null "$target" 2>/dev/null && hidden=$((hidden + 1))
	done
done
for d in /usr/lib/gcc /usr/libexec/gcc /usr/lib/llvm-* /usr/include/lttng /usr/include/*/lttng \
	 /usr/local/include/lttng; do
	[ -d "$d" ] || continue
	mount -t tmpfs -o ro,mode=0755 dynprobe-nocc "$d" || dp_fail "cannot hide $d"
done
[ "$hidden" -gt 0 ] || dp_fail "found no compiler to hide"
for cc in cc gcc clang c99; do
	if command -v "$cc" >/dev/null && "$cc" --version >/dev/null 2>&1; then
		dp_fail "$cc still works"
	fi
done
printf '#include <lttng/tracepoint.h>\n' | cpp >/dev/null 2>&1 && dp_fail "lttng-ust headers still visible"
ls /usr/include/*/lttng/tracepoint.h /usr/include/lttng/tracepoint.h 2>/dev/null && dp_fail "tracepoint.h visible"

# A read-only cache directory and $HOME.
ro=$(mktemp -d /tmp/dynprobe-nocc.XXXXXX)
trap 'umount "$ro/cache" "$ro/home" 2>/dev/null; rm -rf "$ro"' EXIT
mkdir -p "$ro/cache" "$ro/home"
mount -t tmpfs -o ro,mode=0700 dynprobe-nocc-cache "$ro/cache" || dp_fail "read-only cache"
mount -t tmpfs -o ro,mode=0700 dynprobe-nocc-home "$ro/home" || dp_fail "read-only home"
touch "$ro/cache/x" 2>/dev/null && dp_fail "cache is writable"
export HOME=$ro/home DP_TEST_CACHE_DIR=$ro/cache

out=$(DYNPROBE_DEBUG=1 "$DRIVER" load nocc 2>"$ro/err")
[ "$out" = ok ] || dp_fail "default mode without a compiler: $out $(cat "$ro/err")"
grep -q 'registered in runtime mode' "$ro/err" || dp_fail "not the runtime mode: $(cat "$ro/err")"
out=$(DYNPROBE_LTTNG_MODE=compiled "$DRIVER" load nocc 2>/dev/null)
[[ $out == "error 4008 "* ]] || dp_fail "compiled mode without a compiler: $out"
echo "ok: $hidden compiler drivers, their back ends and the lttng-ust headers hidden; cache and home read-only"
"$here/test-values.sh" || dp_fail "values not recorded exactly without a compiler"
echo PASS
