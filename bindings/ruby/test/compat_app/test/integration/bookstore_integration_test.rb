# frozen_string_literal: true

# Runs bin/bookstore and attaches bpftrace to it (root).  Waits on what the
# processes print, with deadlines.
require 'minitest/autorun'
require 'rbconfig'
require 'tmpdir'

class BookstoreIntegrationTest < Minitest::Test
  BIN = File.expand_path('../../bin/bookstore', __dir__)

  def setup
    skip 'bpftrace needs root' unless Process.uid.zero?
    @dir = Dir.mktmpdir('bookstore')
    @pids = []
  end

  def teardown
    @pids.each do |pid|
      Process.kill('KILL', pid)
      Process.wait(pid)
    rescue Errno::ESRCH, Errno::ECHILD
      nil
    end
    FileUtils.rm_rf(@dir) if @dir
  end

  def spawn(name, *cmd, env: {})
    out = File.join(@dir, "#{name}.out")
    @pids << Process.spawn(env, *cmd, out: out, err: "#{out}.err")
    [@pids.last, out]
  end

  def read(file)
    File.exist?(file) ? File.read(file) : ''
  end

  def eventually(what, seconds = 60)
    deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + seconds
    loop do
      result = yield
      return result if result
      flunk "timed out waiting for #{what}" if Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline
      sleep 0.05
    end
  end

  def bpftrace(pid, script, name)
    spawn(name, 'bpftrace', '-p', pid.to_s, '-e', script, env: { 'BPFTRACE_STRLEN' => '100' })
  end

  def probes(pid, pattern)
    `bpftrace -l '#{pattern}' -p #{pid} 2>/dev/null`.lines.map(&:strip)
  end

  def test_orders_are_traced_from_the_start
    pid, out = spawn('app', RbConfig.ruby, BIN)
    eventually('the app to start') { read(out).start_with?('ready') }
    _, bt = bpftrace(pid, 'usdt::bookstore:order { printf("order %d %s\n", arg0, str(arg1)); }', 'orders')
    lines = eventually("orders in #{bt}") { read(bt).lines.grep(/^order /).size >= 3 && read(bt).lines.grep(/^order /) }
    assert_includes lines, "order 9998 9780131103627\n"
  end

  def test_sigprof_switches_the_latency_tracers_on
    pid, out = spawn('app', RbConfig.ruby, BIN)
    eventually('the app to start') { read(out).start_with?('ready') }
    assert_empty probes(pid, 'usdt:*:bookstore_inventory:*'), 'loaded before SIGPROF'
    Process.kill('PROF', pid)
    eventually('the inventory probes') { probes(pid, 'usdt:*:bookstore_inventory:*').size == 2 }
    _, bt = bpftrace(pid, 'usdt::bookstore_inventory:lookup { printf("%s %d\n", str(arg0), arg1); }', 'lat')
    lines = eventually("lookup latencies in #{bt}") { read(bt).lines.grep(/^lookup \d+$/).size >= 5 && read(bt).lines.grep(/^lookup /) }
    assert(lines.all? { |l| l.split[1].to_i.positive? })
    _, st = bpftrace(pid, 'usdt::bookstore_checkout:pay { printf("%s|%s\n", str(arg0), str(arg1)); }', 'stack')
    stack = eventually("a checkout stack in #{st}") { read(st).lines.grep(/^pay\|/).first }
    assert_match(/bookstore\.rb:\d+:in `buy'/, stack)
  end
end
