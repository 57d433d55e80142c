# frozen_string_literal: true

# The USDT path under a real bpftrace.  A probe reads as enabled as soon as
# the kernel installs the uprobe, a moment before bpftrace hooks its BPF
# program: fire until bpftrace has printed, never once.
require_relative 'helper'

class TestUsdt < Minitest::Test
  include DynprobeTestHelper

  EX_ENV = { 'INTERVAL' => '0.05', 'DYNPROBE_BACKENDS' => 'usdt' }.freeze

  def setup
    need_bpftrace
    clean_static_tracing
  end

  def teardown
    clean_static_tracing
    super
  end

  def bt_lines(out, pattern)
    read(out).lines.grep(pattern)
  end

  # The report's hello world: bpftrace prints "<nsec> Hello world", the
  # program prints "Probe fired!"; after bpftrace leaves, "Not enabled".
  def test_helloworld_example
    pid, out = run_example('helloworld.rb', EX_ENV)
    wait_until(30, 'the example to start') { read(out).include?('Not enabled') }
    _bt, bto = bpftrace(pid, 'usdt::global:hello_nsec { printf("%lld %s\n", arg0, str(arg1)); ' \
                             '@i++; if (@i >= 3) { exit(); } }')
    wait_until(60, "3 events in bpftrace: #{read(bto)} #{read("#{bto}.err")}") do
      bt_lines(bto, /^\d+ Hello world$/).size >= 3
    end
    assert_includes read(out), 'Probe fired!'
    nsecs = bt_lines(bto, /Hello world/).map(&:to_i)
    assert_equal nsecs.sort, nsecs
    n = read(out).lines.size
    wait_until(30, 'the probe to read as disabled again') do
      read(out).lines.drop(n).include?("Not enabled\n")
    end
  end

  def test_randist_example
    pid, = run_example('randist.rb', EX_ENV)
    wait_until(30, 'the provider to load') { system("bpftrace -l 'usdt:*:global:randist' -p #{pid} 2>/dev/null | grep -q randist") }
    _bt, bto = bpftrace(pid, 'usdt::global:randist { printf("v %d\n", arg0); @i++; if (@i >= 200) { exit(); } }')
    vals = wait_until(60, 'randist values') do
      v = bt_lines(bto, /^v /).map { |l| l.split[1].to_i }
      v.size >= 200 && v
    end
    assert(vals.all? { |v| (0...100).cover?(v) })
    assert_operator vals.uniq.size, :>, 20
  end

  def test_nsec_example
    pid, = run_example('nsec.rb', EX_ENV)
    wait_until(30, 'the provider to load') { system("bpftrace -l 'usdt:*:global:nsec_latency' -p #{pid} 2>/dev/null | grep -q nsec") }
    _bt, bto = bpftrace(pid, 'usdt::global:nsec_latency { printf("ns %d\n", arg0); @i++; if (@i >= 20) { exit(); } }')
    vals = wait_until(60, 'nsec values') do
      v = bt_lines(bto, /^ns /).map { |l| l.split[1].to_i }
      v.size >= 20 && v
    end
    assert(vals.all? { |v| v.positive? && v < 100_000_000 })
  end

  # The Rails latency example: nothing listed until SIGPROF, then one probe
  # per action with (name, duration ns).
  def test_latency_example_signal
    pid, out = run_example('latency.rb', EX_ENV)
    wait_until(30, 'the example to start') { read(out).start_with?('ready') }
    list = -> { `bpftrace -l 'usdt:*:sample_controller:*' -p #{pid} 2>/dev/null` }
    assert_equal '', list.call, 'providers load only on SIGPROF'
    Process.kill(:PROF, pid)
    wait_until(30, 'four sample_controller probes') { list.call.lines.size == 4 }
    _bt, bto = bpftrace(pid, 'usdt::sample_controller:* { printf("%s %d\n", str(arg0), arg1); ' \
                             '@i++; if (@i >= 12) { exit(); } }')
    seen = wait_until(60, "events of all four actions: #{read(bto)}") do
      h = bt_lines(bto, /^(all|welcome|slow|random) \d+$/).to_h { |l| l.split.then { |a, b| [a, b.to_i] } }
      h.size == 4 && h
    end
    assert_operator seen['slow'], :>=, 50_000_000, 'slow sleeps at least 50 ms'
    assert_operator seen['slow'], :<, 5_000_000_000
  end

  def test_stack_example
    pid, out = run_example('stack.rb', EX_ENV)
    wait_until(30, 'the example to start') { read(out).start_with?('ready') }
    # Two 200-byte strings would not fit the 512-byte BPF stack.
    _bt, bto = bpftrace(pid, 'usdt::worker:compute { printf("%s\n", str(arg1)); ' \
                             '@i++; if (@i >= 3) { exit(); } }', env: { 'BPFTRACE_STRLEN' => '200' })
    line = wait_until(60, "a stack: #{read(bto)} #{read("#{bto}.err")}") do
      bt_lines(bto, /stack\.rb/).first
    end
    assert_match(/stack\.rb:\d+:in `work'/, line)
  end

  # Every type through the uprobe's registers; zero allocations per fire
  # while traced.
  def test_types_reach_bpftrace_and_enabled_fire_allocates_nothing
    t = StaticTracing::Tracepoint.new('rbt', 'types', :i8, :u16, :i32, :u64, :str, :double)
    t.provider.enable
    refute t.enabled?
    _bt, bto = bpftrace(Process.pid, 'usdt::rbt:types { printf("%d %d %d %lu %s %lu\n", ' \
                                     'arg0, arg1, arg2, arg3, str(arg4), arg5); }')
    s = 'héllo'
    wait_until(60, "bpftrace to print: #{read("#{bto}.err")}") do
      t.fire(-5, 65_535, -2**31, 2**64 - 1, s, 2.5) && !read(bto).lines.grep(/^-5 /).empty?
    end
    assert t.enabled?
    bits = [2.5].pack('d').unpack1('Q')
    assert_includes read(bto).lines, "-5 65535 -2147483648 18446744073709551615 héllo #{bits}\n"
    before = GC.stat(:total_allocated_objects)
    1000.times { t.fire(1, 2, 3, 4, s, 0.5) }
    assert_operator GC.stat(:total_allocated_objects) - before, :<, 10
    # A String with an embedded NUL is recorded up to the NUL (a C string),
    # as ruby-static-tracing did; never an error that only a tracer causes.
    wait_until(30, 'bpftrace to print the cut string') do
      t.fire(-6, 1, 2, 3, "cut\0here", 0.5) && read(bto).lines.grep(/^-6 /).first
    end
    assert_includes read(bto).lines, "-6 1 2 3 cut #{[0.5].pack('d').unpack1('Q')}\n"
  end
end
