#!/usr/bin/env bash
# run-install.sh - the bindings against an installed libdynprobe only.
#
# `meson install` of $DYNPROBE_BUILD_DIR into a temporary DESTDIR, then, in
# a private mount namespace, that tree bind-mounted over the prefix and an
# ld.so cache made by `ldconfig` bind-mounted over /etc/ld.so.cache: inside,
# the machine looks as after `meson install && ldconfig`, and nothing
# outside sees it.  With nothing else set (no DYNPROBE_*, LD_LIBRARY_PATH or
# PKG_CONFIG_PATH):
#
#   Python  `pip install bindings/python` in a fresh `python3 -m venv`; the
#           same with --no-build-isolation in a --system-site-packages venv;
#           a wheel built and installed; no build files left in the source;
#           then the Python example of bindings/README.md, as written, seen
#           by bpftrace;
#   Ruby    `gem build`, `gem install` (the extension found through
#           pkg-config), the hello world seen by bpftrace.
#
# Needs root (mount namespace, bpftrace), python3-venv, ruby-dev.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=${DYNPROBE_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
. "$src/tests/lib/common.sh"
: "${DYNPROBE_BUILD_DIR:?DYNPROBE_BUILD_DIR must point at the meson build directory}"
build=$(cd "$DYNPROBE_BUILD_DIR" && pwd)

if [ "${DYNPROBE_INSTALL_INNER:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || dp_skip "needs root (mount namespace, bpftrace)"
	command -v bpftrace >/dev/null || dp_skip "bpftrace not installed"
	command -v meson >/dev/null || dp_skip "meson not installed"
	unshare --mount --propagation private true 2>/dev/null || dp_skip "no mount namespaces"
	/usr/bin/python3 -c 'import ensurepip, venv' 2>/dev/null || dp_skip "python3-venv missing (apt-get install -y python3-venv)"
	command -v gem >/dev/null || dp_skip "rubygems missing (apt-get install -y ruby)"
	ruby -rrbconfig -e 'exit File.exist?(File.join(RbConfig::CONFIG["rubyhdrdir"], "ruby.h"))' ||
		dp_skip "Ruby headers missing (apt-get install -y ruby-dev)"
	prefix=$(meson introspect "$build" --buildoptions |
		/usr/bin/python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
	case $prefix in
	/ | /usr | /etc | /var | "") dp_fail "build prefix $prefix: reconfigure with a prefix of its own (meson configure -Dprefix=/usr/local)" ;;
	esac
	tmp=$(mktemp -d /tmp/dynprobe-install.XXXXXX)
	trap 'rm -rf "$tmp"' EXIT
	meson install -C "$build" --destdir "$tmp/dest" --no-rebuild --quiet >"$tmp/install.log" 2>&1 ||
		{ cat "$tmp/install.log" >&2; dp_fail "meson install failed"; }
	DYNPROBE_INSTALL_INNER=1 INSTALL_TMP=$tmp INSTALL_PREFIX=$prefix \
		unshare --mount --propagation private "$0" "$@"
	exit $?
fi

# ---- inside the private mount namespace -------------------------------------
tmp=$INSTALL_TMP
prefix=$INSTALL_PREFIX
mkdir -p "$prefix" "$tmp/dest$prefix"
mount --bind "$tmp/dest$prefix" "$prefix" || dp_fail "cannot bind $tmp/dest$prefix over $prefix"
ldconfig -C "$tmp/ld.so.cache" || dp_fail "ldconfig failed"
mount --bind "$tmp/ld.so.cache" /etc/ld.so.cache || dp_fail "cannot bind the ld.so cache"
unset DYNPROBE_BUILD_DIR DYNPROBE_LIB LD_LIBRARY_PATH PKG_CONFIG_PATH DYNPROBE_BACKENDS RUBYLIB PYTHONPATH
export HOME=$tmp/home PIP_DISABLE_PIP_VERSION_CHECK=1
mkdir -p "$HOME"
# What a user would run: the system's tools only.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# In an ASan build (the test setup exports DP_ASAN_RUNTIME) the installed
# library is instrumented, and an uninstrumented interpreter loading it
# needs the ASan runtime preloaded, as tests/lib/asan-host does for the
# other suites: "${host[@]}" PROGRAM ... (an env that execs PROGRAM, so a
# background job's $! is still the interpreter's pid).
host=()
[ -z "${DP_ASAN_RUNTIME:-}" ] ||
	host=(env "LD_PRELOAD=$DP_ASAN_RUNTIME" "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0")

[ "$(pkg-config --modversion dynprobe)" = "$(sed -n "s/^[[:space:]]*version: *'\([0-9.]*\)'.*/\1/p" "$src/meson.build" | head -1)" ] ||
	dp_fail "pkg-config --modversion dynprobe: $(pkg-config --modversion dynprobe 2>&1)"
ldconfig -p -C "$tmp/ld.so.cache" | grep -q 'libdynprobe.so.0 ' || dp_fail "libdynprobe.so.0 not in the ld.so cache"

pids=()
cleanup_bg() {
	local p
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	pids=()
}
trap cleanup_bg EXIT

# fire_seen NAME PID PROBE: bpftrace attached to PID sees one event of PROBE.
fire_seen() {
	local name=$1 pid=$2 probe=$3 out=$tmp/$1.bt
	bpftrace -p "$pid" -e "usdt::$probe { printf(\"seen %s\\n\", probe); exit(); }" >"$out" 2>&1 &
	pids+=($!)
	dp_wait_until 90 "grep -q '^seen ' '$out'" || dp_fail "$name: bpftrace saw no $probe: $(cat "$out")"
	echo "ok: $name: bpftrace saw $probe"
}

# ---- Python ----
py_src=$src/bindings/python
before=$(cd "$py_src" && find . -print | sort)
/usr/bin/python3 -m venv "$tmp/venv" || dp_fail "python3 -m venv failed"
"$tmp/venv/bin/pip" install "$py_src" >"$tmp/pip.log" 2>&1 ||
	{ cat "$tmp/pip.log" >&2; dp_fail "pip install bindings/python in a fresh venv failed"; }
echo "ok: pip install bindings/python (fresh venv)"
/usr/bin/python3 -m venv --system-site-packages "$tmp/venv-sys" || dp_fail "venv --system-site-packages failed"
"$tmp/venv-sys/bin/pip" install --no-build-isolation "$py_src" >"$tmp/pip-sys.log" 2>&1 ||
	{ cat "$tmp/pip-sys.log" >&2; dp_fail "pip install --no-build-isolation (system site packages) failed"; }
echo "ok: pip install --no-build-isolation bindings/python (--system-site-packages venv)"
"$tmp/venv/bin/pip" wheel --no-deps -w "$tmp/wheels" "$py_src" >"$tmp/wheel.log" 2>&1 ||
	{ cat "$tmp/wheel.log" >&2; dp_fail "pip wheel failed"; }
/usr/bin/python3 -m venv "$tmp/venv-whl" && "$tmp/venv-whl/bin/pip" install "$tmp"/wheels/dynprobe-*.whl >"$tmp/whl-install.log" 2>&1 ||
	{ cat "$tmp/whl-install.log" >&2; dp_fail "installing the wheel failed"; }
echo "ok: wheel $(basename "$tmp"/wheels/*.whl) built and installed"
after=$(cd "$py_src" && find . -print | sort)
[ "$before" = "$after" ] || dp_fail "building left files in bindings/python: $(diff <(echo "$before") <(echo "$after"))"
for v in venv venv-sys venv-whl; do
	"${host[@]}" "$tmp/$v/bin/python" -c 'import dynprobe, stapsdt; assert dynprobe.library_path()' ||
		dp_fail "$v: import dynprobe failed"
done

# The README's Python example, exactly as written.
awk '/^## Python/ { on = 1 } on && /^```python$/ { grab = 1; next } grab && /^```$/ { exit } grab { print }' \
	"$src/bindings/README.md" >"$tmp/example.py"
grep -q 'dynprobe.Provider' "$tmp/example.py" || dp_fail "no Python example found in bindings/README.md"
(cd "$tmp" && exec "${host[@]}" "$tmp/venv/bin/python" example.py) >"$tmp/example.out" 2>&1 &
pids+=($!)
py_pid=$!
dp_wait_until 60 "grep -q 'loaded' '$tmp/example.out'" || dp_fail "the README example did not load: $(cat "$tmp/example.out")"
fire_seen python-readme-example "$py_pid" pythonapp:firstProbe
dp_wait_until 30 "grep -q 'Probe fired!' '$tmp/example.out'" || dp_fail "the README example never saw its probe fire: $(tail -5 "$tmp/example.out")"
cleanup_bg

# ---- Ruby ----
command -v make >/dev/null || dp_fail "make missing"
mkdir -p "$tmp/rb" && cp -r "$src/bindings/ruby/." "$tmp/rb/"
(cd "$tmp/rb" && gem build dynprobe-static-tracing.gemspec -o "$tmp/dynprobe-static-tracing.gem") >"$tmp/gem-build.log" 2>&1 ||
	{ cat "$tmp/gem-build.log" >&2; dp_fail "gem build failed"; }
gem install --local --no-document --install-dir "$tmp/gems" "$tmp/dynprobe-static-tracing.gem" >"$tmp/gem-install.log" 2>&1 ||
	{ cat "$tmp/gem-install.log" >&2; find "$tmp/gems" -name mkmf.log -exec cat {} + >&2; dp_fail "gem install failed"; }
echo "ok: gem build + gem install (extension built against the installed library)"
GEM_PATH=$tmp/gems INTERVAL=0.05 "${host[@]}" ruby -e \
	'load File.join(Gem::Specification.find_by_name("dynprobe-static-tracing").gem_dir, "examples/helloworld.rb")' \
	>"$tmp/hello.out" 2>&1 &
pids+=($!)
rb_pid=$!
dp_wait_until 60 "grep -q 'Not enabled' '$tmp/hello.out'" || dp_fail "the Ruby hello world did not start: $(cat "$tmp/hello.out")"
fire_seen ruby-helloworld "$rb_pid" global:hello_nsec
cleanup_bg
echo "bindings-install: 6 passed, 0 failed"
