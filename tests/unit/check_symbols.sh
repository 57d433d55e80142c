#!/usr/bin/env bash
# check_symbols.sh LIB.so VERSION_SCRIPT: the library exports exactly the
# symbols the version script lists, no more, no fewer.
set -eu
lib=$1 script=$2
exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /[TDBRW]/ {print $3}' | sed 's/@.*//' | grep -v '^DYNPROBE_' | sort -u)
listed=$(sed -n 's/^[[:space:]]*\(dynprobe_[a-z0-9_]*\);.*/\1/p' "$script" | sort -u)
if [ "$exported" != "$listed" ]; then
	echo "exported symbols differ from $script:"
	diff <(echo "$listed") <(echo "$exported") || true
	exit 1
fi
echo "ok: $(echo "$exported" | wc -l) symbols"
