#!/usr/bin/env bash
# `dynprobe list` runs as root over bytes other processes control: a
# process maps each fuzz seed (damaged images and introspection records)
# as a "dynprobe:..." memfd or as its introspection record, and list must
# end normally, listing nothing it cannot read (and, in the ASan+UBSan
# build, read nothing out of bounds).
. "$(dirname "$0")/lib.sh"
: "${HOSTILE_PROC:?}" "${FUZZ_CORPUS:?}"
n=0
for pair in "dynprobe:evil_$RUN_ID list_reader" "dynprobe-introspect list_record"; do
	set -- $pair
	for seed in "$FUZZ_CORPUS/$2"/*; do
		coproc HP { exec "$HOSTILE_PROC" "$1" "$seed"; }
		read -r -t 10 ready pid <&"${HP[0]}" || dp_fail "hostile_proc did not start on $seed"
		"$DYNPROBE" list "$pid" >"$WORK/out" 2>&1 || dp_fail "list failed on $seed: $(cat "$WORK/out")"
		eval "exec ${HP[1]}>&-"
		wait "$pid" 2>/dev/null
		n=$((n + 1))
	done
done
[ "$n" -ge 10 ] || dp_fail "only $n seeds"
echo "ok: list survived $n hostile processes"
echo PASS
