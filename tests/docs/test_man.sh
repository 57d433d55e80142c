#!/usr/bin/env bash
# test_man.sh DYNPROBE.1 LIBDYNPROBE.3 - the generated manual is complete
# and clean: every subcommand has its section; every long option of every
# command (its getopt table) is in its --help text and so in the page;
# every exported symbol (src/libdynprobe.sym) is in libdynprobe(3); every
# variable src/env.c reads is in README's Environment list and so in both
# pages; groff renders both without a warning; `meson install` installs
# the pages and the completion, which completes commands and options.
set -u
. "$SOURCE_ROOT/tests/lib/common.sh"
: "${DYNPROBE:?}" "${BUILD_ROOT:?}"
man1=$1 man3=$2
src=$SOURCE_ROOT
WORK=$(mktemp -d /tmp/dynprobe-man-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
command -v groff >/dev/null || dp_skip "groff not installed (apt-get install groff-base)"

render() { LC_ALL=C.UTF-8 MANWIDTH=200 groff -man -Tutf8 -ww -rLL=200n "$1" 2>"$WORK/groff.err" | col -b; }
render "$man1" >"$WORK/man1.txt"
[ -s "$WORK/groff.err" ] && dp_fail "groff warns on $man1: $(cat "$WORK/groff.err")"
render "$man3" >"$WORK/man3.txt"
[ -s "$WORK/groff.err" ] && dp_fail "groff warns on $man3: $(cat "$WORK/groff.err")"
echo "ok: both pages render without warnings"

cmds=$("$DYNPROBE" --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p')
[ -n "$cmds" ] || dp_fail "no commands in dynprobe --help"
for c in $cmds; do
	grep -q "^   dynprobe $c\$" "$WORK/man1.txt" || dp_fail "dynprobe(1) has no section for '$c'"
	f=$src/tools/cmd_$c.c
	[ -f "$f" ] || dp_fail "no $f for command $c"
	# The long options of the command's getopt table.
	# (or an abbreviation of at least 4 characters that getopt_long accepts,
	# as `--desc` for `--descending`).
	for o in $(sed -n '/struct option/,/^[[:space:]]*};/p' "$f" | grep -o '{ *"[a-z][a-z-]*"' | grep -o '[a-z][a-z-]*'); do
		found=0
		for ((n = ${#o}; n >= 4 || n == ${#o}; n--)); do
			grep -qE -- "--${o:0:n}([^a-z-]|\$)" "$WORK/man1.txt" && { found=1; break; }
		done
		[ "$found" = 1 ] || dp_fail "dynprobe(1) (dynprobe help $c) does not mention --$o"
	done
done
echo "ok: a section per command ($(echo $cmds)), every long option documented"

for sym in $(sed -n 's/^[[:space:]]*\([a-z_][a-z0-9_]*\);.*/\1/p' "$src/src/libdynprobe.sym"); do
	case $sym in dynprobe__*) continue ;; esac # the private inline-check ABI
	grep -qw -- "$sym" "$WORK/man3.txt" || dp_fail "libdynprobe(3) does not document $sym"
done
echo "ok: every exported symbol in libdynprobe(3)"

envsec=$(sed -n '/^## Environment$/,/^## /p' "$src/README.md")
for v in $(grep -o '\] = "[A-Za-z_]*"' "$src/src/env.c" | tr -d '"] =' ); do
	grep -q "\`$v\`" <<<"$envsec" || dp_fail "README's Environment list lacks $v (src/env.c reads it)"
	grep -qw -- "$v" "$WORK/man1.txt" && grep -qw -- "$v" "$WORK/man3.txt" ||
		dp_fail "$v missing from a man page's ENVIRONMENT"
done
echo "ok: every environment variable documented"

# Installed where man and bash-completion look.
DESTDIR=$WORK/root meson install -C "$BUILD_ROOT" --no-rebuild --quiet >"$WORK/install.log" 2>&1 ||
	dp_fail "meson install: $(cat "$WORK/install.log")"
prefix=$(meson introspect "$BUILD_ROOT" --buildoptions | python3 -c '
import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
print(o["prefix"], o["mandir"], o["datadir"])')
read -r pfx mandir datadir <<<"$prefix"
for f in "$mandir/man1/dynprobe.1" "$mandir/man3/libdynprobe.3" "$datadir/bash-completion/completions/dynprobe"; do
	case $f in /*) ;; *) f=$pfx/$f ;; esac
	[ -s "$WORK/root$f" ] || dp_fail "meson install did not install $f"
done
echo "ok: meson install installs both pages and the completion"

# The completion, as bash would call it.
complete_words() { # WORD... (the last is being completed)
	bash -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_dynprobe; printf "%s\n" "${COMPREPLY[@]}"' _ "$src/tools/dynprobe.bash-completion" "$@"
}
PATH=$(dirname "$DYNPROBE"):$PATH
[ "$(complete_words dynprobe em)" = emit ] || dp_fail "completion of 'em': $(complete_words dynprobe em)"
complete_words dynprobe emit --se | grep -qx -- --settle-ms || dp_fail "completion of emit --se"
complete_words dynprobe tp --ou | grep -qx -- --output || dp_fail "completion of tp --ou"
complete_words dynprobe emit --backend us | grep -qx usdt,lttng || dp_fail "completion of --backend"
complete_words dynprobe help re | grep -qx report || dp_fail "completion of help re"
echo "ok: bash completion of commands, options and values"
echo PASS
