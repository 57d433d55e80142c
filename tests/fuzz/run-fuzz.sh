#!/usr/bin/env bash
# run-fuzz.sh FUZZER CORPUS_DIR NAME - one libFuzzer run in the clang build
# (meson suite 'fuzz'): DYNPROBE_FUZZ_SECONDS (default 60) of exploration
# starting from the committed corpus.  New inputs go to a scratch directory,
# never into the source tree; a crash, leak, sanitizer report or timeout
# leaves its input as NAME-crash-* / NAME-leak-* / NAME-timeout-* next to
# the fuzzer in the build directory and fails the test.  Reproduce one with
#   FUZZER NAME-crash-<hash>
set -euo pipefail
fuzzer=$1 corpus=$2 name=$3
seconds=${DYNPROBE_FUZZ_SECONDS:-60}
out=$(dirname "$fuzzer")
scratch=$(mktemp -d "${TMPDIR:-/tmp}/dynprobe-fuzz-$name.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
# -rss_limit_mb/-malloc_limit_mb: a target must not need more; -timeout: a
# single input running 10 s is a hang.  The first directory receives new
# inputs; the committed corpus is read only.
set +e
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	-malloc_limit_mb=512 -print_final_stats=1 -artifact_prefix="$out/$name-" \
	"$scratch" "$corpus" >"$scratch.log" 2>&1
status=$?
set -e
# The whole log on failure (the sanitizer report), its tail otherwise.
if [ "$status" -ne 0 ]; then cat "$scratch.log"; else tail -n 12 "$scratch.log"; fi
rm -f "$scratch.log"
new=$(find "$scratch" -type f | wc -l)
echo "[$name] $seconds s, $new new inputs in the scratch corpus (not kept)"
exit "$status"
