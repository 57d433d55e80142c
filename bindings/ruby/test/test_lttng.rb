# frozen_string_literal: true

# The LTTng path under a real lttng session.  Runs inside a private
# lttng-sessiond (tests/lib/lttng-private.sh sets DYNPROBE_LTTNG_PRIVATE_INNER);
# elsewhere it skips.  Traces are read back with babeltrace2.
require_relative 'helper'

class TestLttng < Minitest::Test
  include DynprobeTestHelper

  def setup
    need_private_lttng
    clean_static_tracing
    ENV['DYNPROBE_CACHE_DIR'] = File.join(workdir, 'cache')
    @ex_env = { 'INTERVAL' => '0.05', 'DYNPROBE_BACKENDS' => 'lttng' }
  end

  def teardown
    system('lttng', 'destroy', '--all', out: File::NULL, err: File::NULL)
    clean_static_tracing
    super
  end

  def lttng(*args)
    out = `lttng #{args.map { |a| "'#{a}'" }.join(' ')} 2>&1`
    assert $?.success?, "lttng #{args.join(' ')}: #{out}"
    out
  end

  def session(name, events)
    dir = File.join(workdir, "trace-#{name}")
    lttng('create', name, "--output=#{dir}")
    lttng('enable-event', '-u', events)
    lttng('start')
    dir
  end

  # babeltrace2's text without timestamps, host and cpu: "prov:ev: { ... }"
  # The trace's events as babeltrace2 prints them; `limit` reads only the
  # first ones (an example firing in a tight loop fills the buffers between
  # two polls, and reading all of it is slow on a busy or sanitized run).
  def events(dir, limit = nil)
    return [] unless Dir.exist?(dir)

    head = limit ? " | head -n #{Integer(limit)}" : ''
    `babeltrace2 '#{dir}' 2>/dev/null#{head}`.lines.map do |l|
      l.sub(/\A\[[^\]]*\] \([^)]*\) \S+ /, '').sub(/\{ cpu_id = \d+ \}, /, '').chomp
    end
  end

  # Wait until the trace holds what the block accepts: stop the session (so
  # the buffers reach the disk), look, start again.
  def wait_trace(dir, what, seconds = 60, limit: nil)
    wait_until(seconds, what) do
      lttng('stop')
      got = yield events(dir, limit)
      lttng('start') unless got
      got
    end
  end

  def registered?(event)
    `lttng list -u 2>/dev/null`.include?(event)
  end

  def test_helloworld_example
    dir = session('hello', 'global:hello_nsec')
    pid, out = run_example('helloworld.rb', @ex_env)
    wait_until(60, "the example to fire: #{read(out)} #{read("#{out}.err")}") do
      read(out).scan('Probe fired!').size >= 3
    end
    stop_bg(pid)
    lttng('stop')
    lines = events(dir)
    assert_operator lines.size, :>=, 3
    lines.each { |l| assert_match(/\Aglobal:hello_nsec: \{ arg0 = \d+, arg1 = "Hello world" \}\z/, l) }
  end

  def test_randist_example
    dir = session('randist', 'global:randist')
    run_example('randist.rb', @ex_env)
    vals = wait_trace(dir, 'randist events', limit: 1000) do |ev|
      v = ev.grep(/global:randist/).map { |l| l[/arg0 = (\d+)/, 1].to_i }
      v.size >= 100 && v
    end
    assert(vals.all? { |v| (0...100).cover?(v) })
  end

  def test_nsec_example
    dir = session('nsec', 'global:nsec_latency')
    run_example('nsec.rb', @ex_env)
    vals = wait_trace(dir, 'nsec events') do |ev|
      v = ev.grep(/global:nsec_latency/).map { |l| l[/arg0 = (\d+)/, 1].to_i }
      v.size >= 20 && v
    end
    assert(vals.all?(&:positive?))
  end

  def test_latency_example_signal
    dir = session('latency', 'sample_controller:*')
    pid, out = run_example('latency.rb', @ex_env)
    wait_until(30, 'the example to start') { read(out).start_with?('ready') }
    refute registered?('sample_controller:slow'), 'providers load only on SIGPROF'
    Process.kill(:PROF, pid)
    wait_until(60, 'the provider to register') { registered?('sample_controller:slow') }
    seen = wait_trace(dir, 'events of all four actions') do |ev|
      h = {}
      ev.each do |l|
        m = l.match(/\Asample_controller:(\w+): \{ method = "(\w+)", duration = (\d+) \}\z/)
        h[m[2]] = m[3].to_i if m && m[1] == m[2]
      end
      h.size == 4 && h
    end
    assert_operator seen['slow'], :>=, 50_000_000
  end

  def test_stack_example
    dir = session('stack', 'worker:*')
    run_example('stack.rb', @ex_env)
    line = wait_trace(dir, 'a stack event') { |ev| ev.grep(/\Aworker:compute: /).first }
    assert_match(/method = "compute", stack = ".*stack\.rb:\d+:in `work\\?'/, line) # babeltrace2 escapes '
  end

  def test_types_recorded_exactly
    t = StaticTracing::Tracepoint.new('rblt', 'types', :i8, :u16, :i32, :u64, :str, :double, Integer,
                                      arg_names: %w[a b c d s x n], backends: [:lttng])
    dir = session('types', 'rblt:*')
    t.provider.enable
    assert_equal [:lttng], t.provider.loaded_backends
    wait_until(30, 'the event to read as enabled') { t.enabled? }
    assert t.fire(-128, 65_535, -2**31, 2**64 - 1, 'tëxt "q"', -0.125, -2**63)
    assert t.fire(1, 2, 3, 4, nil, 1e300, 5)
    lttng('stop')
    assert_equal ['rblt:types: { a = -128, b = 65535, c = -2147483648, d = 18446744073709551615, ' \
                  's = "tëxt \"q\"", x = -0.125, n = -9223372036854775808 }',
                  'rblt:types: { a = 1, b = 2, c = 3, d = 4, s = "(null)", x = 1e+300, n = 5 }'],
                 events(dir)
  end

  # backends: [:usdt, :lttng] - one fire reaches an lttng session and a
  # bpftrace attached at the same time.
  def test_both_backends_at_once
    need(system('command -v bpftrace >/dev/null 2>&1'), 'bpftrace not installed')
    t = StaticTracing::Tracepoint.new('rbboth', 'tick', Integer, backends: %i[usdt lttng])
    dir = session('both', 'rbboth:tick')
    t.provider.enable
    assert_equal %i[usdt lttng], t.provider.loaded_backends
    _bt, bto = bpftrace(Process.pid, 'usdt::rbboth:tick { printf("tick %d\n", arg0); }')
    i = 0
    wait_until(60, "bpftrace to see a tick: #{read("#{bto}.err")}") do
      t.fire(i += 1)
      read(bto).include?('tick ')
    end
    lttng('stop')
    assert_operator events(dir).grep(/rbboth:tick: \{ arg0 = \d+ \}/).size, :>=, i - 1
  end

  # loglevel: is the LTTng event's log level: a session enabling only
  # TRACE_INFO records the info tracepoint and not the debug one.
  def test_loglevel_filters_in_a_session
    info = StaticTracing::Tracepoint.new('rbll', 'info', Integer, loglevel: :info, backends: [:lttng])
    debug = StaticTracing::Tracepoint.new('rbll', 'debug', Integer, loglevel: 'TRACE_DEBUG')
    dir = File.join(workdir, 'trace-ll')
    lttng('create', 'll', "--output=#{dir}")
    lttng('enable-event', '-u', 'rbll:*', '--loglevel-only=TRACE_INFO')
    lttng('start')
    info.provider.enable
    assert_match(/rbll:info \(loglevel: TRACE_INFO \(6\)\)/, `lttng list -u 2>&1`)
    wait_until(30, 'the info event to read as enabled') { info.enabled? }
    refute debug.enabled?, 'TRACE_DEBUG is not enabled by --loglevel-only=TRACE_INFO'
    3.times { |i| info.fire(i); debug.fire(i) }
    lttng('stop')
    assert_equal ['rbll:info: { arg0 = 0 }', 'rbll:info: { arg0 = 1 }', 'rbll:info: { arg0 = 2 }'], events(dir)
  end
end
