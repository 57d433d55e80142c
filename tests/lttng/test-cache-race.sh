#!/usr/bin/env bash
# Check-then-use: an object swapped (renameat2 RENAME_EXCHANGE) between
# the trust check and the load must never be loaded.  In a private mount
# namespace on its own tmpfs, an attacker process keeps exchanging a good
# prebuilt object with an untrusted one (mode 0666, a constructor that
# leaves a mark) while the driver loads the provider again and again.  The
# loader checks and dlopen()s the same descriptor, so each load either
# uses the good object or refuses the untrusted one; the mark never
# appears.  (The loader of 0.2.0, which checked by path and loaded by path
# again, ran the attacker's constructor within the first few loads here.)
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lttng-lib.sh"
if [ "${DYNPROBE_RACE_INNER:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || dp_skip "needs root for a private mount namespace"
	unshare --mount --propagation private true 2>/dev/null || dp_skip "no mount namespaces"
	DYNPROBE_RACE_INNER=1 exec unshare --mount --propagation private "$0" "$@"
fi
[ -n "${SWAPPER:-}" ] || dp_fail "SWAPPER not set (run through meson test)"
command -v cc >/dev/null || dp_skip "needs a C compiler to build the attacker's object"
dp_work
ns=$work/ns
mkdir -m 0755 "$ns"
mount -t tmpfs -o mode=0755 dynprobe-race "$ns" || dp_fail "tmpfs"
trap 'kill $dp_bg_pids 2>/dev/null; umount "$ns"; rm -rf "$work"' EXIT

printf 'provider race_pre\nprobe ev u64 str\n' >"$work/pre.tp"
mkdir -m 0755 "$ns/tp"
obj=$("$DYNPROBE_TOOL" tp "$work/pre.tp" -o "$ns/tp") || dp_fail "dynprobe tp"
name=$(basename "$obj")
cat >"$work/evil.c" <<EOC
#include <fcntl.h>
#include <unistd.h>
__attribute__((constructor)) static void evil(void)
{
	close(open("$ns/pwned", O_CREAT | O_WRONLY | O_APPEND, 0600));
}
EOC
cc -shared -fPIC -o "$ns/tp/evil.so" "$work/evil.c" || dp_fail "cannot build the attacker's object"
chmod 0666 "$ns/tp/evil.so"

load() { CC=/nonexistent PATH=/nonexistent DYNPROBE_LTTNG_MODE=compiled DYNPROBE_TP_PATH=$ns/tp "$DRIVER" load race_pre; }
[ "$(load)" = ok ] || dp_fail "the good object does not load"

"$SWAPPER" "$ns/tp" "$name" evil.so 20 >"$work/swaps" &
dp_bg_pids+=" $!"
ok=0 refused=0 n=0 end=$((SECONDS + 15))
while [ $SECONDS -lt $end ] && [ $n -lt 400 ]; do
	out=$(load 2>/dev/null)
	n=$((n + 1))
	case $out in
	ok) ok=$((ok + 1)) ;;
	"error 4008 "*) refused=$((refused + 1)) ;;
	*) dp_fail "load $n: $out" ;;
	esac
	[ ! -e "$ns/pwned" ] || dp_fail "load $n ran the swapped-in object's constructor ($ok ok, $refused refused before)"
done
[ $ok -gt 0 ] && [ $refused -gt 0 ] || dp_fail "the race was not exercised: $ok loaded, $refused refused of $n"
echo "ok: $n loads under a swapping attacker: $ok used the checked object, $refused refused the untrusted one, none ran it"
