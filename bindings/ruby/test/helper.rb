# frozen_string_literal: true

# Shared by the binding's tests.  Integration tests drive real tracers and
# wait on conditions (polling with a deadline), never on fixed sleeps.
require 'minitest/autorun'
require 'ruby-static-tracing'
require 'rbconfig'
require 'tmpdir'
require 'fileutils'

module DynprobeTestHelper
  EXAMPLES = File.expand_path('../examples', __dir__)
  RUBY = RbConfig.ruby

  # Skip, or fail when DYNPROBE_TEST_NO_SKIP=1: nothing silently stops being
  # tested in CI.
  def need(cond, reason)
    return if cond

    flunk("cannot run (skip not allowed): #{reason}") if ENV['DYNPROBE_TEST_NO_SKIP'] == '1'
    skip(reason)
  end

  def need_bpftrace
    need(system('command -v bpftrace >/dev/null 2>&1'), 'bpftrace not installed')
    need(Process.uid.zero?, 'bpftrace needs root')
  end

  def need_private_lttng
    need(ENV['DYNPROBE_LTTNG_PRIVATE_INNER'] == '1',
         'not inside a private lttng-sessiond (run through tests/lib/lttng-private.sh)')
    need(system('command -v babeltrace2 >/dev/null 2>&1'), 'babeltrace2 not installed')
  end

  # Poll the block until it returns truthy or the deadline passes.
  def wait_until(seconds = 30, what = 'condition')
    deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + seconds
    loop do
      v = yield
      return v if v
      flunk("timed out after #{seconds}s waiting for #{what}") if
        Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline
      sleep 0.02
    end
  end

  def workdir
    @workdir ||= Dir.mktmpdir('dynprobe-rb-test')
  end

  # Start a background process writing stdout/stderr to files; killed in
  # teardown.
  def spawn_bg(env, *cmd, name:)
    out = File.join(workdir, "#{name}.out")
    pid = Process.spawn(env, *cmd, out: out, err: "#{out}.err", pgroup: false)
    (@bg ||= []) << pid
    [pid, out]
  end

  def run_example(name, env = {})
    spawn_bg(env, RUBY, File.join(EXAMPLES, name), name: File.basename(name, '.rb'))
  end

  # bpftrace -p PID -e PROGRAM in the background; returns [pid, outfile].
  def bpftrace(pid, program, env: {}, name: 'bt')
    spawn_bg(env, 'bpftrace', '-p', pid.to_s, '-e', program, name: name)
  end

  def stop_bg(pid, sig = :TERM)
    Process.kill(sig, pid)
    Process.wait(pid)
  rescue Errno::ESRCH, Errno::ECHILD
    nil
  ensure
    @bg&.delete(pid)
  end

  def exited?(pid)
    Process.wait(pid, Process::WNOHANG) ? true : false
  rescue Errno::ECHILD
    true
  end

  def read(file)
    File.exist?(file) ? File.read(file) : ''
  end

  def teardown
    (@bg || []).dup.each { |pid| stop_bg(pid, :KILL) }
    # lttng's consumer daemon may still be creating trace directories:
    # retry until the work directory is really gone.
    if @workdir
      deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + 10
      loop do
        FileUtils.rm_rf(@workdir)
        break if !File.exist?(@workdir) || Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline

        sleep 0.05
      end
    end
    super
  end

  # Run the block with a fresh StaticTracing state (providers, tracers,
  # configuration) before and after.
  def clean_static_tracing
    StaticTracing::Tracers.clean
    ObjectSpace.each_object(Class).select { |k| k < StaticTracing::Tracer::Base }.each(&:clean)
    StaticTracing::Provider.clean
    StaticTracing::Configuration.reset!
    StaticTracing.instance_variable_set(:@enabled, false)
  end
end
