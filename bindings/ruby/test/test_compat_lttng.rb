# frozen_string_literal: true

# bookstore (compat_app/), written for ruby-static-tracing 0.0.15, run
# unchanged with DYNPROBE_BACKENDS=lttng and recorded by an lttng session in
# the private session daemon: the hand-made tracepoints from the start, the
# tracers after SIGPROF, each with the fields the gem declares.
require_relative 'helper'

class TestCompatLttng < Minitest::Test
  include DynprobeTestHelper

  BIN = File.expand_path('compat_app/bin/bookstore', __dir__)

  def setup
    need_private_lttng
  end

  def teardown
    system('lttng', 'destroy', '--all', out: File::NULL, err: File::NULL)
    super
  end

  def lttng(*args)
    out = IO.popen(['lttng', *args], err: %i[child out], &:read)
    assert $?.success?, "lttng #{args.join(' ')}: #{out}"
    out
  end

  def events(dir)
    return [] unless Dir.exist?(dir)

    IO.popen(['babeltrace2', dir], err: File::NULL, &:read).lines.map do |l|
      l.sub(/\A\[[^\]]*\] \([^)]*\) \S+ /, '').sub(/\{ cpu_id = \d+ \}, /, '').chomp
    end
  end

  # Stop the session so the buffers reach the disk, look, start again.
  def wait_trace(dir, what, seconds = 90)
    wait_until(seconds, what) do
      lttng('stop')
      got = yield events(dir)
      lttng('start') unless got
      got
    end
  end

  def test_bookstore_on_lttng
    dir = File.join(workdir, 'trace')
    lttng('create', 'bookstore', "--output=#{dir}")
    lttng('enable-event', '-u', 'bookstore:*,bookstore_inventory:*,bookstore_checkout:*,bookstore_api:*,bookstore_audit:*')
    lttng('start')
    pid, out = spawn_bg({ 'DYNPROBE_BACKENDS' => 'lttng' }, RUBY, BIN, name: 'bookstore')
    wait_until(60, "bookstore to start: #{read("#{out}.err")}") { read(out).start_with?('ready') }
    orders = wait_trace(dir, 'order events') { |ev| ev.grep(/\Abookstore:order: /).first(3).then { |o| o.size == 3 && o } }
    assert_includes orders, 'bookstore:order: { arg0 = 9998, arg1 = "9780131103627" }'

    lttng('start')
    Process.kill(:PROF, pid)
    seen = wait_trace(dir, 'events of every tracer') do |ev|
      want = {
        lookup: ev.grep(/\Abookstore_inventory:lookup: \{ method = "lookup", duration = \d+ \}\z/).first,
        restock: ev.grep(/\Abookstore_inventory:restock_bang: \{ method = "restock!", duration = \d+ \}\z/).first,
        show: ev.grep(/\Abookstore_api:show: \{ method = "show", duration = \d+ \}\z/).first,
        pay: ev.grep(/\Abookstore_checkout:pay: \{ method = "pay", stack = ".*bookstore\.rb:\d+:in `buy/).first,
        record: ev.grep(/\Abookstore_audit:record: \{ arg0 = "record", arg1 = 1 \}\z/).first
      }
      want.values.all? && want
    end
    assert_operator seen[:lookup][/duration = (\d+)/, 1].to_i, :>, 0
    stop_bg(pid)
  end
end
