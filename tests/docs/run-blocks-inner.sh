#!/usr/bin/env bash
# run-blocks-inner.sh - the loop of run-blocks.sh, next to the private
# lttng-sessiond: every block of $DOCS_BLOCKS/*/ in order (see there).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/common.sh"
: "${DOCS_COPY:?}" "${DOCS_BLOCKS:?}"
# A block's time limit: the install blocks build a release tree.
limit=${DOCS_BLOCK_TIMEOUT:-900}
failed=0 ran=0 checked=0

# A reader runs a README's blocks one after the other in one terminal:
# what a block exports and where it cd's carry over to the next block of
# the same README (saved in $dir/state after each block), while each block
# still runs in its own process session with its own time limit.
run_block() { # BLOCK.sh
	local b=$1 base=${1%.sh} where st re sid dir
	dir=$(dirname "$b")
	where=$(cat "$base.where")
	{
		printf '[ -f %q ] && . %q\n' "$dir/state" "$dir/state"
		cat "$b"
		# Background jobs the block started must end, and succeed (or
		# end by the SIGINT or SIGTERM the block itself sends them).
		printf '\n__st=0\nfor __j in $(jobs -p); do wait "$__j" || { __s=$?; case $__s in 130|143) ;; *) __st=$__s ;; esac; }; done\n'
		printf '{ export -p | grep -Ev %q; printf "cd %%q\\n" "$PWD"; } >%q\n' \
			'^declare -x (PWD|OLDPWD|SHLVL|_)=' "$dir/state"
		printf 'exit $__st\n'
	} >"$base.run"
	echo "---- $where"
	# Its own session, so that whatever it leaves behind can be stopped.
	# (the subshell is not a group leader, so setsid makes it the
	# leader of a new session whose ID is its PID).
	(cd "$DOCS_COPY" && exec setsid timeout -k 10 "$limit" bash -e "$base.run") >"$base.out" 2>&1 &
	sid=$!
	wait "$sid"
	st=$?
	pkill -KILL -s "$sid" 2>/dev/null
	sed 's/^/    | /' "$base.out" | tail -n 60
	if [ "$st" != 0 ]; then
		echo "FAIL: $where: exit status $st${st/124/ (timed out after $limit s)}"
		return 1
	fi
	while IFS= read -r re; do
		[ -n "$re" ] || continue
		if ! grep -Eq -- "$re" "$base.out"; then
			echo "FAIL: $where: no output line matches /$re/"
			return 1
		fi
	done <"$base.expect"
	echo "ok: $where"
}

for b in "$DOCS_BLOCKS"/*/*.sh; do
	base=${b%.sh}
	if [ "$(cat "$base.kind")" = illustration ]; then
		bash -n "$b" || { echo "FAIL: $(cat "$base.where"): illustration is not valid shell"; failed=1; }
		checked=$((checked + 1))
		continue
	fi
	ran=$((ran + 1))
	run_block "$b" || failed=1
done
echo "$ran blocks run, $checked illustrations syntax-checked"
[ "$failed" = 0 ] || dp_fail "some README blocks do not work as written"
echo PASS
