#!/usr/bin/env bash
# run-ruby.sh PART - the Ruby binding's tests: unit | usdt | lttng | compat-usdt | compat-lttng.
#
# Builds the C extension into a temporary directory against the dynprobe
# build in $DYNPROBE_BUILD_DIR (header from $DYNPROBE_SOURCE_DIR), then runs
# bindings/ruby/test/test_PART.rb with Debian's minitest.  usdt needs root
# and bpftrace; lttng runs inside a private lttng-sessiond
# (tests/lib/lttng-private.sh).
#
# compat-*: bookstore (bindings/ruby/test/compat_app), an application
# written for ruby-static-tracing 0.0.15, runs its own tests unchanged on
# this gem: on USDT its unit tests and its bpftrace integration test; on
# LTTng its unit tests with DYNPROBE_BACKENDS=lttng, then test_compat_lttng.rb
# records the running application with an lttng session.
# Exit 77 only when the machine truly cannot.
set -u
part=${1:?usage: run-ruby.sh unit|usdt|lttng|compat-usdt|compat-lttng}
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
case $part in
usdt | compat-usdt)
	command -v bpftrace >/dev/null || dp_skip "bpftrace not installed"
	[ "$(id -u)" = 0 ] || dp_skip "bpftrace needs root"
	;;
esac
case $part in
compat-*) ruby -e 'require "mocha/minitest"' 2>/dev/null || dp_skip "mocha missing (apt-get install -y ruby-mocha)" ;;
esac

tmp=$(mktemp -d /tmp/dynprobe-ruby-ext.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && ruby "$src/bindings/ruby/ext/dynprobe_static_tracing/extconf.rb" >build.log 2>&1 &&
	make >>build.log 2>&1) || { cat "$tmp/build.log" "$tmp/mkmf.log" >&2 2>/dev/null; dp_fail "building the Ruby extension failed"; }
export RUBYLIB=$tmp:$src/bindings/ruby/lib${RUBYLIB:+:$RUBYLIB}
export DYNPROBE_CACHE_DIR=$tmp/cache
test_dir=$src/bindings/ruby/test
app=$test_dir/compat_app

# The application's unit tests, as its developers run them.
app_unit_tests() {
	(cd "$app" && ruby -Ilib -Itest -e 'Dir["test/*_test.rb"].sort.each { |f| require "./#{f}" }' -- -v)
}

case $part in
unit | usdt)
	ruby -I "$test_dir" "$test_dir/test_$part.rb" -v
	;;
lttng)
	"$src/tests/lib/lttng-private.sh" ruby -I "$test_dir" "$test_dir/test_lttng.rb" -v
	;;
compat-usdt)
	DYNPROBE_BACKENDS=usdt app_unit_tests || exit 1
	(cd "$app" && DYNPROBE_BACKENDS=usdt ruby -Ilib -Itest test/integration/bookstore_integration_test.rb -v)
	;;
compat-lttng)
	# Inside the private session daemon: the unit tests, then the app traced.
	export -f app_unit_tests
	export app test_dir
	"$src/tests/lib/lttng-private.sh" bash -c \
		'DYNPROBE_BACKENDS=lttng app_unit_tests && ruby -I "$test_dir" "$test_dir/test_compat_lttng.rb" -v'
	;;
*)
	dp_fail "no such test part: $part"
	;;
esac
