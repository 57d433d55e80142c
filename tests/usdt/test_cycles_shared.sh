#!/usr/bin/env bash
# test_cycles with shared image files, in a private directory removed after.
. "$(dirname "$0")/lib.sh"
"$1" shared 2000 "$WORK/images" || dp_fail "test_cycles shared"
n=$(ls "$WORK/images" | wc -l)
expect "one file per provider" "$n" 2000
echo PASS
