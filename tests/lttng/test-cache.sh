#!/usr/bin/env bash
# The cache is only trusted when nobody else can write it: a cache dir that
# is group-writable, a symlink, or owned by another user is refused
# (-DYNPROBE_ECACHE); a cached object owned by another user is not loaded
# but rebuilt.  No session daemon needed.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lttng-lib.sh"
dp_work
ECACHE=4010

load() { dp_driver load "$1" 2>"$work/err"; }

export DYNPROBE_CACHE_DIR=$work/c1
[ "$(load ca)" = ok ] || dp_fail "fresh cache: $(cat "$work/err")"
[ "$(stat -c %a "$work/c1")" = 700 ] || dp_fail "cache dir not created 0700"
obj=$(ls "$work/c1"/libdynprobe-lttng-ca-*.so) || dp_fail "no object named libdynprobe-lttng-ca-HASH.so"

chmod 0770 "$work/c1"
out=$(load ca)
[[ $out == "error $ECACHE "* ]] || dp_fail "group-writable cache accepted: $out"
chmod 0700 "$work/c1"

ln -s "$work/c1" "$work/link"
# Also with a trailing "/" or "/.", which used to make the check follow the
# link; the message names the directory and the rule.
for d in "$work/link" "$work/link/" "$work/link/."; do
	export DYNPROBE_CACHE_DIR=$d
	out=$(DYNPROBE_DEBUG=1 load ca)
	[[ $out == "error $ECACHE "* ]] || dp_fail "symlinked cache $d accepted: $out"
	grep -q "cache directory $d not used: .*symlink" "$work/err" || dp_fail "message for $d: $(cat "$work/err")"
done
chmod 0770 "$work/c1"
export DYNPROBE_CACHE_DIR=$work/c1
out=$(DYNPROBE_DEBUG=1 load ca)
grep -q "cache directory $work/c1 not used: .*group- or world-writable" "$work/err" ||
	dp_fail "group-writable message: $(cat "$work/err")"
chmod 0700 "$work/c1"

if [ "$(id -u)" = 0 ]; then
	mkdir -m 0700 "$work/other"
	chown 65534:65534 "$work/other"
	export DYNPROBE_CACHE_DIR=$work/other
	out=$(load ca)
	[[ $out == "error $ECACHE "* ]] || dp_fail "cache owned by another user accepted: $out"

	export DYNPROBE_CACHE_DIR=$work/c1
	chown 65534:65534 "$obj"
	[ "$(DYNPROBE_DEBUG=1 load ca)" = ok ] || dp_fail "foreign object not rebuilt: $(cat "$work/err")"
	grep -q 'not trusted' "$work/err" || dp_fail "foreign object not reported"
	[ "$(stat -c %u "$obj")" = 0 ] || dp_fail "foreign object still in place"
else
	echo "not root: other-user cases not run" >&2
fi

export DYNPROBE_CACHE_DIR=$work/c1
chmod 0666 "$obj"
[ "$(DYNPROBE_DEBUG=1 load ca)" = ok ] || dp_fail "world-writable object not rebuilt"
[ "$(stat -c %a "$obj")" = 600 ] || dp_fail "world-writable object still in place"
echo "ok: untrusted caches refused, untrusted objects rebuilt"
