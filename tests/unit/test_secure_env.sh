#!/usr/bin/env bash
# Set-user-ID programs ignore the library's environment (issue 13).
#
# A copy of secure_env_helper, owned by root and mode 4755, run by an
# unprivileged user with every variable of src/env.c set to something
# hostile (CC pointing at a script that would leave a mark, a cache and
# TP path of that user's, DYNPROBE_BACKENDS=bogus): the library must see
# none of them (secure_getenv: AT_SECURE), and dynprobe_provider_new()
# must succeed with the defaults.  The same copy without the set-user-ID
# bit, run by the same user, is the control: it must see every variable,
# so this test fails if the library ever reads one with plain getenv().
set -u
. "$TESTS_LIB/common.sh"
helper=${1:?usage: test_secure_env.sh SECURE_ENV_HELPER}

[ "$(id -u)" = 0 ] || dp_skip "needs root (installs a set-user-ID root copy)"
command -v setpriv >/dev/null || dp_skip "setpriv (util-linux) not installed"
user=$(id -u nobody 2>/dev/null) || dp_skip "no user 'nobody' to run as"

work=$(mktemp -d /tmp/dynprobe-secure-env.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
install -o root -g root -m 4755 "$helper" "$work/suid"
install -o root -g root -m 0755 "$helper" "$work/plain"
# Some file systems are mounted nosuid: then the bit means nothing here.
if findmnt -n -o OPTIONS -T "$work" | tr , '\n' | grep -qx nosuid; then
	dp_skip "$work is on a nosuid mount"
fi
printf '#!/bin/sh\ntouch %s/cc-ran\nexit 1\n' "$work" >"$work/evil-cc"
chmod 755 "$work/evil-cc"

# run WHICH: the helper as 'nobody' with every variable set.
run() {
	# Sanitizer builds: the runtime's leak checker cannot stop the world
	# of a set-user-ID process (it is not dumpable); leaks are checked by
	# every other test.
	setpriv --reuid="$user" --regid="$user" --clear-groups \
		env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		DYNPROBE_DEBUG=1 DYNPROBE_BACKENDS=bogus DYNPROBE_LTTNG_MODE=compiled \
		DYNPROBE_CACHE_DIR="$work" DYNPROBE_TP_PATH="$work" DYNPROBE_USDT_DIR="$work" \
		DYNPROBE_USDT_STUB=nop1 DYNPROBE_USDT_NO_MEMFD=1 CC="$work/evil-cc" \
		PATH="$work:/usr/bin:/bin" TMPDIR="$work" HOME="$work" XDG_CACHE_HOME="$work" \
		XDG_RUNTIME_DIR="$work" "$work/$1" >"$work/out-$1" 2>"$work/err-$1" ||
		dp_fail "$1 helper failed: $(cat "$work/err-$1")"
}

run plain
vars=$(grep -c ' set$' "$work/out-plain")
[ "$vars" -ge 14 ] || dp_fail "control run sees $vars variables set: $(cat "$work/out-plain")"
grep -qx "provider_new -22" "$work/out-plain" ||
	dp_fail "control run: DYNPROBE_BACKENDS=bogus not refused: $(cat "$work/out-plain")"
echo "ok: without set-user-ID the library sees all $vars variables (bogus backends refused)"

run suid
grep ' set$' "$work/out-suid" && dp_fail "set-user-ID run read the variables above"
[ "$(grep -c ' unset$' "$work/out-suid")" = "$vars" ] ||
	dp_fail "set-user-ID run: $(cat "$work/out-suid")"
grep -qx "provider_new 0" "$work/out-suid" ||
	dp_fail "set-user-ID run: provider_new with defaults failed: $(cat "$work/out-suid")"
[ ! -e "$work/cc-ran" ] || dp_fail "the user's CC ran"
echo "ok: set-user-ID: all $vars variables read as unset, provider made with the defaults"
