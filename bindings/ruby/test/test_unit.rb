# frozen_string_literal: true

# Unit tests: types, errors, lifecycle, modes, tracers.  No tracer attached:
# every probe is disabled here.
require_relative 'helper'

class TestTypes < Minitest::Test
  include DynprobeTestHelper

  def setup
    clean_static_tracing
  end

  def teardown
    clean_static_tracing
    super
  end

  def test_gem_types_and_dynprobe_symbols
    t = StaticTracing::Tracepoint.new('ut', 'mixed', Integer, String, Float, :u64, :i32, :str,
                                      :double, 'u8', :int, :uint, :string, :float)
    assert_equal 12, t.args.size
    assert_equal false, t.fire(1, 's', 1.5, 2, -3, 'x', 2, 255, -1, 1, 'y', 0.5)
  end

  def test_invalid_declared_type
    e = assert_raises(StaticTracing::Tracepoint::InvalidArgType) do
      StaticTracing::Tracepoint.new('ut', 'bad', Hash)
    end
    assert_kind_of ArgumentError, e
    assert_raises(ArgumentError) { StaticTracing::Tracepoint.new('ut', 'bad2', :u128) }
  end

  def test_too_many_arguments
    e = assert_raises(ArgumentError) { StaticTracing::Tracepoint.new('ut', 'many', *([Integer] * 13)) }
    assert_match(/too many/, e.message)
  end

  def test_fire_arity
    t = StaticTracing::Tracepoint.new('ut', 'arity', Integer, String)
    e = assert_raises(ArgumentError) { t.fire(1) }
    assert_match(/given 1, expected 2/, e.message)
    assert_raises(ArgumentError) { t.fire(1, 'a', 'b') }
  end

  def test_fire_wrong_class_is_type_error
    t = StaticTracing::Tracepoint.new('ut', 'cls', Integer, String)
    e = assert_raises(TypeError) { t.fire('1', 'a') }
    assert_kind_of StaticTracing::Tracepoint::InvalidArgumentError, e
    assert_match(/ut:cls argument 0: expected Integer \(i64\), got String/, e.message)
    assert_raises(TypeError) { t.fire(1, :sym) }
    assert_raises(TypeError) { t.fire(1.5, 'a') }
    assert_equal false, t.fire(1, nil), 'nil is a NULL string'
  end

  def test_integer_ranges
    t = StaticTracing::Tracepoint.new('ut', 'ranges', :i8, :u8, :u16, :i32, :u64, :i64)
    assert_equal false, t.fire(-128, 255, 65_535, -2**31, 2**64 - 1, -2**63)
    assert_raises(RangeError) { t.fire(128, 0, 0, 0, 0, 0) }
    assert_raises(RangeError) { t.fire(0, -1, 0, 0, 0, 0) }
    assert_raises(RangeError) { t.fire(0, 0, 65_536, 0, 0, 0) }
    assert_raises(RangeError) { t.fire(0, 0, 0, 2**31, 0, 0) }
    assert_raises(RangeError) { t.fire(0, 0, 0, 0, -1, 0) }
    assert_raises(RangeError) { t.fire(0, 0, 0, 0, 2**64, 0) }
    assert_raises(RangeError) { t.fire(0, 0, 0, 0, 0, 2**63) }
  end

  def test_double_accepts_integer_and_float
    t = StaticTracing::Tracepoint.new('ut', 'dbl', :double)
    assert_equal false, t.fire(1)
    assert_equal false, t.fire(2.5)
    assert_raises(TypeError) { t.fire('2.5') }
  end

  def test_disabled_fire_allocates_nothing
    t = StaticTracing::Tracepoint.new('ut', 'alloc', Integer, String, Float)
    t.provider.enable
    s = 'hello'
    t.fire(1, s, 1.0)
    before = GC.stat(:total_allocated_objects)
    10_000.times { t.fire(42, s, 0.5) }
    # A constant few objects come from the measurement itself.
    assert_operator GC.stat(:total_allocated_objects) - before, :<, 10
  end

  def test_nsec
    a = StaticTracing.nsec
    b = StaticTracing.nsec
    assert_kind_of Integer, a
    assert_operator b, :>=, a
  end
end

class TestLifecycle < Minitest::Test
  include DynprobeTestHelper

  def setup
    clean_static_tracing
  end

  def teardown
    clean_static_tracing
    super
  end

  def test_register_fetch
    p = StaticTracing::Provider.register('lc')
    assert_same p, StaticTracing::Provider.register(:lc)
    assert_same p, StaticTracing::Provider.fetch('lc')
    assert_raises(StaticTracing::ProviderMissingError) { StaticTracing::Provider.fetch('nope') }
    assert_equal [:usdt], p.backends unless ENV['DYNPROBE_BACKENDS']
  end

  def test_tracepoint_registers_provider_implicitly
    t = StaticTracing::Tracepoint.new('lc2', 'tp', Integer)
    assert_same t, StaticTracing::Tracepoint.fetch('lc2', 'tp')
    assert_same t, t.provider.tracepoints['tp']
    assert_raises(StaticTracing::TracepointMissingError) { StaticTracing::Tracepoint.fetch('lc2', 'x') }
  end

  def test_enable_disable
    t = StaticTracing::Tracepoint.new('lc3', 'tp', Integer)
    p = t.provider
    refute p.enabled?
    assert p.enable
    assert p.enabled?
    assert_equal [:usdt], p.loaded_backends unless ENV['DYNPROBE_BACKENDS']
    assert_operator p.usdt_fd, :>=, 0 unless ENV['DYNPROBE_BACKENDS']
    assert p.enable, 'enable twice is fine'
    refute t.enabled?
    assert_equal false, t.fire(1)
    p.disable
    refute p.enabled?
    assert_equal false, t.fire(1)
    p.enable
    assert p.enabled?
  end

  def test_add_tracepoint_to_enabled_provider_reloads
    t1 = StaticTracing::Tracepoint.new('lc4', 'one', Integer)
    t1.provider.enable
    t2 = t1.provider.add_tracepoint('two', String)
    assert t1.provider.enabled?
    assert_equal %w[one two], t1.provider.tracepoints.keys
    assert_equal false, t2.fire('x')
  end

  def test_duplicate_tracepoint_refused
    StaticTracing::Tracepoint.new('lc5', 'dup', Integer)
    assert_raises(StaticTracing::BaseError, ArgumentError) do
      StaticTracing::Tracepoint.new('lc5', 'dup', Integer)
    end
  end

  def test_bad_names
    assert_raises(ArgumentError) { StaticTracing::Provider.register('bad name') }
    assert_raises(ArgumentError) { StaticTracing::Tracepoint.new('lc6', 'bad-name', Integer) }
    assert_raises(ArgumentError) { StaticTracing::Provider.register('x' * 200) }
  end

  def test_backends_keyword
    p = StaticTracing::Provider.register('lc7', backends: %i[usdt lttng])
    assert_equal %i[usdt lttng], p.backends unless ENV['DYNPROBE_BACKENDS']
    assert_raises(ArgumentError) { StaticTracing::Provider.register('lc7', backends: [:usdt]) }
    assert_same p, StaticTracing::Provider.register('lc7')
    assert_raises(ArgumentError) { StaticTracing::Provider.register('lc8', backends: [:dtrace]) }
    assert_raises(ArgumentError) { StaticTracing::Provider.register('lc9', backends: []) }
  end

  def test_destroy_invalidates_tracepoints
    t = StaticTracing::Tracepoint.new('lc10', 'tp', Integer)
    t.provider.enable
    t.provider.destroy
    assert t.provider.destroyed?
    refute t.provider.enabled?
    assert_raises(StaticTracing::BaseError) { t.fire(1) }
    assert_raises(StaticTracing::BaseError) { t.enabled? }
  end

  def test_provider_new_registers_and_names_are_unique
    p = StaticTracing::Provider.new('lc11')
    assert_same p, StaticTracing::Provider.fetch('lc11')
    p.add_tracepoint('tp', Integer)
    assert_raises(StaticTracing::DynprobeError) { StaticTracing::Provider.new('lc11') }
  end

  def test_gc_of_forgotten_providers
    100.times do |i|
      t = StaticTracing::Tracepoint.new("gc#{i}", 'tp', Integer, String)
      t.provider.enable
    end
    StaticTracing::Provider.providers.clear
    GC.start
    t = StaticTracing::Tracepoint.new('gc0', 'tp', Integer)
    assert_equal false, t.fire(1)
  end

  # A backend that cannot load (here: LTTng with a failing compiler) leaves
  # the other one working, with a warning and the reason.
  def test_partial_load_warns_and_keeps_usdt
    skip 'DYNPROBE_BACKENDS overrides backends:' if ENV['DYNPROBE_BACKENDS']
    saved = ENV.values_at('CC', 'DYNPROBE_CACHE_DIR')
    ENV['CC'] = '/bin/false'
    ENV['DYNPROBE_CACHE_DIR'] = workdir
    p = StaticTracing::Provider.register('lcpartial', backends: %i[usdt lttng])
    t = p.add_tracepoint('tp', Integer)
    _out, err = capture_io { assert p.enable }
    assert_match(/lcpartial loaded partially/, err)
    assert_equal [:usdt], p.loaded_backends
    assert_equal [:lttng], p.backend_errors.keys
    assert_equal false, t.fire(1)
  ensure
    ENV['CC'], ENV['DYNPROBE_CACHE_DIR'] = saved
  end

  def test_error_texts_come_from_the_library
    assert_match(/invalid name/, StaticTracing::Native.strerror(-4001))
  end
end

class TestModes < Minitest::Test
  include DynprobeTestHelper

  def setup
    clean_static_tracing
  end

  def teardown
    clean_static_tracing
    super
  end

  def test_on_and_off
    t = StaticTracing::Tracepoint.new('md1', 'tp', Integer)
    StaticTracing.configure { |c| c.mode = StaticTracing::Configuration::Modes::ON }
    assert StaticTracing.enabled?
    assert t.provider.enabled?
    StaticTracing.configure { |c| c.mode = StaticTracing::Configuration::Modes::OFF }
    refute StaticTracing.enabled?
    refute t.provider.enabled?
    assert_raises(ArgumentError) { StaticTracing.configure { |c| c.mode = 'SOMETIMES' } }
  end

  def test_signal_toggles
    t = StaticTracing::Tracepoint.new('md2', 'tp', Integer)
    StaticTracing.configure do |c|
      c.mode = StaticTracing::Configuration::Modes::SIGNAL
      c.signal = :USR2
    end
    assert_equal 'USR2', StaticTracing::Configuration.instance.signal
    refute StaticTracing.enabled?
    Process.kill(:USR2, Process.pid)
    wait_until(10, 'SIGUSR2 to enable tracing') { StaticTracing.enabled? }
    assert t.provider.enabled?
    Process.kill(:USR2, Process.pid)
    wait_until(10, 'SIGUSR2 to disable tracing') { !StaticTracing.enabled? }
    refute t.provider.enabled?
  end

  def test_signal_change_restores_old_handler
    got = false
    old = Signal.trap(:USR1) { got = true }
    StaticTracing.configure do |c|
      c.mode = StaticTracing::Configuration::Modes::SIGNAL
      c.signal = 'SIGUSR1'
    end
    StaticTracing.configure { |c| c.signal = :PROF }
    Process.kill(:USR1, Process.pid)
    wait_until(10, 'the previous USR1 handler') { got }
    refute StaticTracing.enabled?
  ensure
    Signal.trap(:USR1, old || 'DEFAULT')
  end

  def test_bad_signal
    assert_raises(ArgumentError) { StaticTracing.configure { |c| c.signal = :NOPE } }
  end

  def test_default_backends
    StaticTracing.configure { |c| c.backends = %i[usdt lttng] }
    t = StaticTracing::Tracepoint.new('md3', 'tp', Integer)
    assert_equal %i[usdt lttng], t.provider.backends unless ENV['DYNPROBE_BACKENDS']
    assert_raises(ArgumentError) { StaticTracing.configure { |c| c.backends = [:x] } }
  end
end

class TestTracers < Minitest::Test
  include DynprobeTestHelper

  class Sample
    def add(a, b = 1, scale: 1)
      (a + b) * scale
    end

    def each_twice
      yield 1
      yield 2
    end

    def done?
      true
    end
  end

  def setup
    clean_static_tracing
  end

  def teardown
    clean_static_tracing
    super
  end

  def test_helpers
    assert_equal 'admin_sample_controller',
                 StaticTracing::Tracer::Helpers.underscore('Admin::SampleController')
    assert_equal 'html_parser', StaticTracing::Tracer::Helpers.underscore('HTMLParser')
    assert_equal 'done_p', StaticTracing::Tracer::Helpers.probe_name(:done?)
    assert_equal 'save_bang', StaticTracing::Tracer::Helpers.probe_name(:save!)
    assert_equal 'name_set', StaticTracing::Tracer::Helpers.probe_name(:name=)
  end

  def test_latency_wraps_only_when_enabled
    tps = StaticTracing::Tracer::Latency.register(Sample, :add, :each_twice, :done?)
    assert_equal %w[add each_twice done_p], tps.map(&:name)
    assert_equal 'test_tracers_sample', tps.first.provider_name
    wrapper = StaticTracing::Tracer::Latency.send(:wrapper_module, Sample)
    assert_includes Sample.ancestors, wrapper
    refute wrapper.method_defined?(:add, false), 'no wrapper while disabled'
    StaticTracing.enable!
    assert wrapper.method_defined?(:add, false)
    assert tps.first.provider.enabled?
    s = Sample.new
    assert_equal 6, s.add(1, 2, scale: 2)
    assert_equal 3, s.add(2)
    seen = []
    s.each_twice { |x| seen << x }
    assert_equal [1, 2], seen
    assert s.done?
    StaticTracing.disable!
    refute wrapper.method_defined?(:add, false)
    refute tps.first.provider.enabled?
    assert_equal 6, s.add(1, 2, scale: 2)
  end

  def test_stack_tracer
    tps = StaticTracing::Tracer::Stack.register(Sample, :add, provider: 'stack_sample')
    assert_equal 'stack_sample', tps.first.provider_name
    StaticTracing.configure { |c| c.mode = StaticTracing::Configuration::Modes::ON }
    assert_equal 3, Sample.new.add(1, 2)
  end

  def test_concern_registers_methods_before_and_after_include
    Object.class_eval <<~RUBY, __FILE__, __LINE__ + 1
      class ConcernSample
        def early; :early; end
        include StaticTracing::Tracer::Concerns::Latency
        def late; :late; end
        private
        def hidden; :hidden; end
      end
    RUBY
    later = ::ConcernSample
    assert StaticTracing::Tracer::Latency.registered?(later, :early)
    assert StaticTracing::Tracer::Latency.registered?(later, :late)
    refute StaticTracing::Tracer::Latency.registered?(later, :hidden)
    StaticTracing.enable!
    assert_equal :late, later.new.late
    assert_equal 'concern_sample', StaticTracing::Tracepoint.fetch('concern_sample', 'late').provider_name
  end

  def test_add_tracer_in_on_mode
    StaticTracing.configure do |c|
      c.mode = StaticTracing::Configuration::Modes::ON
      c.add_tracer(StaticTracing::Tracer::Latency)
    end
    StaticTracing::Tracer::Latency.register(Sample, :add)
    assert StaticTracing::Provider.fetch('test_tracers_sample').enabled?
    assert_equal 3, Sample.new.add(1, 2)
  end
end
