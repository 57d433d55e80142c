#!/usr/bin/env bash
# run-ruby.sh PART - the Ruby binding's tests: unit | usdt | lttng.
#
# Builds the C extension into a temporary directory against the dynprobe
# build in $DYNPROBE_BUILD_DIR (header from $DYNPROBE_SOURCE_DIR), then runs
# bindings/ruby/test/test_PART.rb with Debian's minitest.  usdt needs root
# and bpftrace; lttng runs inside a private lttng-sessiond
# (tests/lib/lttng-private.sh).  Exit 77 only when the machine truly cannot.
set -u
part=${1:?usage: run-ruby.sh unit|usdt|lttng}
here=$(cd "$(dirname "$0")" && pwd)
src=${DYNPROBE_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
. "$src/tests/lib/common.sh"
: "${DYNPROBE_BUILD_DIR:?DYNPROBE_BUILD_DIR must point at the meson build directory}"
export DYNPROBE_SOURCE_DIR=$src

command -v ruby >/dev/null || dp_skip "ruby not installed (apt-get install -y ruby ruby-dev ruby-minitest)"
ruby -e 'require "minitest"' 2>/dev/null || dp_skip "minitest missing (apt-get install -y ruby-minitest)"
ruby -rrbconfig -e 'exit File.exist?(File.join(RbConfig::CONFIG["rubyhdrdir"], "ruby.h"))' ||
	dp_skip "Ruby headers missing (apt-get install -y ruby-dev)"
command -v make >/dev/null || dp_skip "make not installed"
if [ "$part" = usdt ]; then
	command -v bpftrace >/dev/null || dp_skip "bpftrace not installed"
	[ "$(id -u)" = 0 ] || dp_skip "bpftrace needs root"
fi

tmp=$(mktemp -d /tmp/dynprobe-ruby-ext.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && ruby "$src/bindings/ruby/ext/dynprobe_static_tracing/extconf.rb" >build.log 2>&1 &&
	make >>build.log 2>&1) || { cat "$tmp/build.log" "$tmp/mkmf.log" >&2 2>/dev/null; dp_fail "building the Ruby extension failed"; }
export RUBYLIB=$tmp:$src/bindings/ruby/lib${RUBYLIB:+:$RUBYLIB}

test_file=$src/bindings/ruby/test/test_$part.rb
[ -f "$test_file" ] || dp_fail "no such test part: $part"
case $part in
lttng)
	export DYNPROBE_CACHE_DIR=$tmp/cache
	"$src/tests/lib/lttng-private.sh" ruby -I "$src/bindings/ruby/test" "$test_file" -v
	;;
*)
	ruby -I "$src/bindings/ruby/test" "$test_file" -v
	;;
esac
