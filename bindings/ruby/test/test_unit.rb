# frozen_string_literal: true

# Unit tests: types, errors, lifecycle, modes, tracers, compatibility with
# ruby-static-tracing 0.0.15, messages.  No tracer attached: every probe is
# disabled here.
require_relative 'helper'
require 'minitest/mock'
require 'stringio'

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
    t = StaticTracing::Tracepoint.new('ut', 'mixed', Integer, String, :double, :u64, :i32, :str,
                                      'u8', :int, :uint, :string, :float, :i16)
    assert_equal 12, t.args.size
    assert_equal %w[i64 str double u64 i32 str u8 i64 u64 str double i16], t.types
    assert_equal false, t.fire(1, 's', 1.5, 2, -3, 'x', 255, -1, 1, 'y', 0.5, -2)
  end

  # As in ruby-static-tracing: only Integer and String classes; Float is an
  # InvalidArgType (the dynprobe spelling is :double).
  def test_invalid_declared_types
    assert_equal [Integer, String], StaticTracing::Tracepoint::VALID_ARGS_TYPES
    e = assert_raises(StaticTracing::Tracepoint::InvalidArgType) do
      StaticTracing::Tracepoint.new('ut', 'bad', Float)
    end
    assert_match(/:double/, e.message)
    assert_kind_of ArgumentError, e
    assert_raises(StaticTracing::Tracepoint::InvalidArgType) { StaticTracing::Tracepoint.new('ut', 'bad', Hash) }
    assert_raises(StaticTracing::Tracepoint::InvalidArgType) { StaticTracing::Tracepoint.new('ut', 'bad', :u128) }
    assert_raises(StaticTracing::ProviderMissingError) { StaticTracing::Provider.fetch('ut') }
  end

  def test_too_many_arguments
    e = assert_raises(ArgumentError) { StaticTracing::Tracepoint.new('ut', 'many', *([Integer] * 13)) }
    assert_match(/too many/, e.message)
  end

  def test_fire_arity
    t = StaticTracing::Tracepoint.new('ut', 'arity', Integer, String)
    e = assert_raises(ArgumentError) { t.fire(1) }
    assert_match(/ut:arity \(given 1, expected 2\)/, e.message)
    assert_raises(ArgumentError) { t.fire(1, 'a', 'b') }
  end

  def test_fire_wrong_class
    t = StaticTracing::Tracepoint.new('ut', 'cls', Integer, String, :str)
    e = assert_raises(StaticTracing::Tracepoint::InvalidArgumentError) { t.fire('1', 'a', 'b') }
    assert_kind_of TypeError, e
    assert_equal '1', e.argument
    assert_equal Integer, e.expected_type
    assert_equal 'argument 0 of tracepoint ut:cls is "1" (String), but it was declared Integer', e.message
    assert_raises(TypeError) { t.fire(1, :sym, 'b') }
    assert_raises(TypeError) { t.fire(1.5, 'a', 'b') }
    # nil: refused for String (ruby-static-tracing's is_a? check), a NULL
    # string for :str.
    assert_raises(StaticTracing::Tracepoint::InvalidArgumentError) { t.fire(1, nil, 'b') }
    assert_equal false, t.fire(1, 'a', nil)
    # The gem's constructor (value, expected type) still works.
    assert_kind_of StandardError, StaticTracing::Tracepoint::InvalidArgumentError.new(1, String)
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
    assert_raises(RangeError) { t.fire(0, 0, 0, 0, -2**64, 0) }
    assert_raises(RangeError) { t.fire(0, 0, 0, 0, 0, 2**63) }
  end

  def test_double_accepts_integer_and_float
    t = StaticTracing::Tracepoint.new('ut', 'dbl', :double)
    assert_equal false, t.fire(1)
    assert_equal false, t.fire(2.5)
    assert_equal false, t.fire(2**70)
    assert_raises(TypeError) { t.fire('2.5') }
  end

  def allocations_of(count)
    before = GC.stat(:total_allocated_objects)
    count.times { yield }
    GC.stat(:total_allocated_objects) - before
  end

  # Nobody listening: loaded on USDT, on both backends, and unloaded.
  def test_disabled_fire_allocates_nothing
    [[:usdt], %i[usdt lttng]].each do |backends|
      t = StaticTracing::Tracepoint.new("ut_alloc_#{backends.size}", 'alloc', Integer, String, :double, :u64,
                                        backends: backends)
      assert t.provider.enable, t.provider.last_error.inspect
      s = 'hello'
      big = 2**63
      t.fire(1, s, 1.0, big)
      # A constant few objects come from the measurement itself.
      assert_operator allocations_of(10_000) { t.fire(42, s, 0.5, big) }, :<, 10, backends.inspect
      t.provider.disable
      assert_operator allocations_of(10_000) { t.fire(42, s, 0.5, big) }, :<, 10, "#{backends} unloaded"
    end
  end

  def test_nsec
    a = StaticTracing.nsec
    b = StaticTracing.nsec
    assert_kind_of Integer, a
    assert_operator b, :>=, a
  end

  def test_loglevel
    t = StaticTracing::Tracepoint.new('ut', 'lvl', Integer, loglevel: :info)
    assert_equal :info, t.loglevel
    StaticTracing::Tracepoint.new('ut', 'lvl2', Integer, loglevel: 'TRACE_DEBUG_LINE')
    e = assert_raises(ArgumentError) { StaticTracing::Tracepoint.new('ut', 'lvl3', Integer, loglevel: :loud) }
    assert_match(/unknown LTTng log level/, e.message)
    assert_equal 'info', StaticTracing::Native.loglevel_name(StaticTracing::Native.parse_loglevel('info'))
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
    assert_same p, StaticTracing.providers['lc']
    assert_raises(StaticTracing::Provider::ProviderMissingError) { StaticTracing::Provider.fetch('nope') }
    assert_raises(StaticTracing::Provider::ProviderMissingError) { StaticTracing.providers['nope'] }
    assert_equal [:usdt], p.backends unless ENV['DYNPROBE_BACKENDS']
    assert_equal 'lc', p.name
    p.name = 'shown'
    assert_equal 'shown', p.name
    assert_equal 'lc', p.namespace
  end

  def test_tracepoint_registers_provider_implicitly
    t = StaticTracing::Tracepoint.new('lc2', 'tp', Integer)
    assert_same t, StaticTracing::Tracepoint.fetch('lc2', 'tp')
    assert_same t, t.provider.tracepoints['tp']
    assert_raises(StaticTracing::Tracepoint::TracepointMissingError) { StaticTracing::Tracepoint.fetch('lc2', 'x') }
  end

  def test_enable_disable_path
    t = StaticTracing::Tracepoint.new('lc3', 'tp', Integer)
    p = t.provider
    refute p.enabled?
    assert_equal '', p.path
    assert p.enable
    assert p.enabled?
    unless ENV['DYNPROBE_BACKENDS']
      assert_equal [:usdt], p.loaded_backends
      assert_equal p.usdt_shared_path || "/proc/#{Process.pid}/fd/#{p.usdt_fd}", p.path
      assert File.exist?(p.path)
    end
    assert p.enable, 'enable twice is fine'
    refute t.enabled?
    assert_equal false, t.fire(1)
    assert_equal false, p.disable, 'disable returns enabled? (false), as the original gem did'
    refute p.enabled?
    assert_equal '', p.path
    assert_equal false, t.fire(1)
    assert_same p, StaticTracing::Provider.load('lc3')
    assert p.enabled?
    p.unload
    refute p.enabled?
  end

  def test_add_tracepoint_to_enabled_provider_reloads
    t1 = StaticTracing::Tracepoint.new('lc4', 'one', Integer)
    t1.provider.enable
    t2 = t1.provider.add_tracepoint('two', String)
    assert_instance_of StaticTracing::Tracepoint, t2
    assert t1.provider.enabled?
    assert_equal %w[one two], t1.provider.tracepoints.keys
    assert_equal false, t2.fire('x')
  end

  # Declaring the same tracepoint again (a constructor, a test's setup)
  # gives a Tracepoint of the same probe, as ruby-static-tracing allowed.
  def test_duplicate_declaration_shares_the_probe
    a = StaticTracing::Tracepoint.new('lc5', 'dup', Integer, String)
    a.provider.enable
    b = StaticTracing::Tracepoint.new('lc5', 'dup', Integer, String)
    refute_same a, b
    assert_same b, StaticTracing::Tracepoint.fetch('lc5', 'dup')
    assert_equal 1, a.provider.tracepoints.size
    assert a.provider.enabled?, 'no reload for a redeclaration'
    assert_equal false, b.fire(1, 'x')
    assert_raises(TypeError) { b.fire('x', 1) }
    e = assert_raises(ArgumentError) { StaticTracing::Tracepoint.new('lc5', 'dup', Integer) }
    assert_match(/already declared as \(i64, str\)/, e.message)
    assert_raises(ArgumentError) { StaticTracing::Tracepoint.new('lc5', 'dup', Integer, String, arg_names: %w[x y]) }
  end

  def test_method_names_are_published_as_identifiers
    t = StaticTracing::Tracepoint.new('lc12', 'save!', Integer)
    assert_equal 'save!', t.name
    assert_equal 'save_bang', t.probe_name
    assert_same t, StaticTracing::Tracepoint.fetch('lc12', 'save!')
    assert_same t, StaticTracing::Tracepoint.fetch('lc12', 'save_bang')
    assert_same t, StaticTracing::Tracepoint.new('lc12', 'save_bang', Integer).then { StaticTracing::Tracepoint.fetch('lc12', 'save!') }
  end

  def test_bad_names
    assert_raises(ArgumentError) { StaticTracing::Provider.register('bad name') }
    assert_raises(ArgumentError) { StaticTracing::Tracepoint.new('lc6', 'bad-name', Integer) }
    assert_raises(ArgumentError) { StaticTracing::Provider.register('x' * 200) }
  end

  # A NUL byte must not cut a name short (issue 13): "good\0evil" would
  # register "good".
  def test_names_with_nul_refused
    e = assert_raises(ArgumentError) { StaticTracing::Provider.register("good\0evil") }
    assert_match(/null byte/, e.message)
    assert_raises(ArgumentError) { StaticTracing::Provider.register(:"good\0evil") }
    assert_raises(StaticTracing::Provider::ProviderMissingError) { StaticTracing::Provider.fetch('good') }
    assert_raises(ArgumentError) { StaticTracing::Tracepoint.new('lc13', "tp\0x", Integer) }
    assert_raises(StaticTracing::Tracepoint::TracepointMissingError) { StaticTracing::Tracepoint.fetch('lc13', 'tp') }
    assert_raises(ArgumentError) { StaticTracing::Tracepoint.new('lc13', 'tp2', Integer, arg_names: ["a\0b"]) }
    assert_raises(ArgumentError) { StaticTracing::Provider.register('lc14', cache_dir: "/tmp\0/x") }
  end

  def test_provider_options
    p = StaticTracing::Provider.register('lc7', backends: %i[usdt lttng], lttng_mode: :runtime)
    assert_equal %i[usdt lttng], p.backends unless ENV['DYNPROBE_BACKENDS']
    assert_raises(ArgumentError) { StaticTracing::Provider.register('lc7', backends: [:usdt]) }
    assert_raises(ArgumentError) { StaticTracing::Provider.register('lc7', lttng_mode: :compiled) }
    assert_same p, StaticTracing::Provider.register('lc7')
    assert_same p, StaticTracing::Provider.register('lc7', lttng_mode: :runtime)
    assert_raises(ArgumentError) { StaticTracing::Provider.register('lc8', backends: [:dtrace]) }
    assert_raises(ArgumentError) { StaticTracing::Provider.register('lc9', backends: []) }
    assert_raises(ArgumentError) { StaticTracing::Provider.register('lc9', lttng_mode: :fast) }
    assert_raises(ArgumentError) { StaticTracing::Provider.register('lc9', colour: :red) }
  end

  def test_destroy_forgets_and_invalidates
    t = StaticTracing::Tracepoint.new('lc10', 'tp', Integer)
    p = t.provider
    p.enable
    assert_nil p.destroy
    assert p.destroyed?
    refute p.enabled?
    assert_raises(StaticTracing::Provider::ProviderMissingError) { StaticTracing::Provider.fetch('lc10') }
    assert_raises(StaticTracing::BaseError) { t.fire(1) }
    assert_raises(StaticTracing::BaseError) { t.enabled? }
    t2 = StaticTracing::Tracepoint.new('lc10', 'tp', Integer)
    refute_same p, t2.provider
    assert_equal false, t2.fire(1)
  end

  def test_provider_new_registers_and_names_are_unique
    p = StaticTracing::Provider.new('lc11')
    assert_same p, StaticTracing::Provider.fetch('lc11')
    p.add_tracepoint('tp', Integer)
    assert_raises(StaticTracing::DynprobeError) { StaticTracing::Provider.new('lc11') }
    assert StaticTracing::DynprobeError < StaticTracing::USDTError
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

  def with_logger(level = :debug)
    io = StringIO.new
    old = StaticTracing.logger
    StaticTracing.logger = Logger.new(io, level: level)
    yield io
  ensure
    StaticTracing.logger = old
  end

  def with_env(vars)
    saved = vars.keys.to_h { |k| [k, ENV[k]] }
    vars.each { |k, v| ENV[k] = v }
    yield
  ensure
    saved.each { |k, v| ENV[k] = v }
  end

  # A backend that cannot load (here: LTTng with a failing compiler) leaves
  # the other one working, with a warning and the reason; the library's own
  # messages reach StaticTracing.logger with their levels.
  def test_partial_load_warns_and_keeps_usdt
    skip 'DYNPROBE_BACKENDS overrides backends:' if ENV['DYNPROBE_BACKENDS']
    with_env('CC' => '/bin/false', 'DYNPROBE_CACHE_DIR' => workdir, 'DYNPROBE_LTTNG_MODE' => 'compiled') do
      with_logger do |io|
        p = StaticTracing::Provider.register('lcpartial', backends: %i[usdt lttng])
        t = p.add_tracepoint('tp', Integer)
        assert p.enable
        assert_match(/WARN -- .*provider lcpartial loaded partially/, io.string)
        assert_match(/DEBUG -- .*dynprobe: .*lcpartial/, io.string)
        assert_equal [:usdt], p.loaded_backends
        assert_equal [:lttng], p.backend_errors.keys
        assert_equal false, t.fire(1)
      end
    end
  end

  # enable returns false instead of raising when nothing loads (as the
  # original gem did), and says why.
  def test_enable_failure_returns_false
    skip 'DYNPROBE_BACKENDS overrides backends:' if ENV['DYNPROBE_BACKENDS']
    with_env('CC' => '/bin/false', 'DYNPROBE_CACHE_DIR' => workdir, 'DYNPROBE_LTTNG_MODE' => 'compiled') do
      with_logger(:warn) do |io|
        p = StaticTracing::Provider.register('lcfail', backends: [:lttng])
        p.add_tracepoint('tp', Integer)
        assert_equal false, p.enable
        refute p.enabled?
        assert_kind_of StaticTracing::DynprobeError, p.last_error
        assert_match(/ERROR -- .*provider lcfail not enabled: cannot load provider: /, io.string)
      end
    end
  end

  def test_error_texts_come_from_the_library
    assert_match(/invalid name/, StaticTracing::Native.strerror(-4001))
  end

  def test_platform_and_require_paths
    assert StaticTracing::Platform.linux?
    assert StaticTracing::Platform.supported_platform?
    refute StaticTracing::Platform.darwin?
    %w[ruby-static-tracing/version ruby-static-tracing/platform ruby-static-tracing/provider
       ruby-static-tracing/tracepoint ruby-static-tracing/configuration ruby-static-tracing/tracer
       ruby-static-tracing/tracers ruby-static-tracing/tracer/base ruby-static-tracing/tracer/helpers
       ruby-static-tracing/tracer/latency ruby-static-tracing/tracer/stack
       ruby-static-tracing/tracer/concerns/latency_tracer ruby-static-tracing/ruby_static_tracing
       static_tracing].each { |path| require path }
    assert_equal '0.0.15', StaticTracing::COMPATIBLE_VERSION
    assert_kind_of Class, StaticTracing::Tracers
    assert StaticTracing::InternalError < StaticTracing::BaseError
  end

  def test_each_require_path_loads_alone
    lib = File.expand_path('../lib', __dir__)
    Dir.glob('ruby-static-tracing/**/*.rb', base: lib).each do |rel|
      out = IO.popen([RUBY, '-e', "require #{rel.delete_suffix('.rb').dump}", err: %i[child out]], &:read)
      assert $?.success?, "require '#{rel}' alone: #{out}"
    end
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
    StaticTracing::Configuration.mode = StaticTracing::Configuration::Modes::OFF
    refute StaticTracing.enabled?
    refute t.provider.enabled?
  end

  # With compat (the default) an unknown mode is stored and does nothing,
  # as in ruby-static-tracing; without, it is an error.
  def test_unknown_mode
    StaticTracing.configure { |c| c.mode = 'tracing' }
    assert_equal 'tracing', StaticTracing::Configuration.instance.mode
    refute StaticTracing.enabled?
    StaticTracing.configure { |c| c.compat = false }
    assert_raises(ArgumentError) { StaticTracing.configure { |c| c.mode = 'SOMETIMES' } }
    StaticTracing.configure { |c| c.mode = :on }
    assert StaticTracing.enabled?
  end

  def test_signal_toggles
    t = StaticTracing::Tracepoint.new('md2', 'tp', Integer)
    StaticTracing.configure do |c|
      c.mode = StaticTracing::Configuration::Modes::SIGNAL
      c.signal = 'USR2'
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

  # Changing the signal gives the old one back its previous handler.
  def test_signal_change_restores_old_handler
    got = false
    old = Signal.trap(:USR1) { got = true }
    StaticTracing.configure { |c| c.signal = 'USR1' }
    StaticTracing.configure { |c| c.signal = 'PROF' }
    Process.kill(:USR1, Process.pid)
    wait_until(10, 'the previous USR1 handler') { got }
    refute StaticTracing.enabled?
  ensure
    Signal.trap(:USR1, old || 'DEFAULT')
  end

  def test_bad_signal_without_compat
    StaticTracing.configure { |c| c.compat = false }
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

    def fail!
      raise 'boom'
    end

    private

    def secret
      :secret
    end
  end

  def setup
    clean_static_tracing
  end

  def teardown
    clean_static_tracing
    super
  end

  # Records the fires of every tracepoint of the provider.
  def recording_fires(provider, calls, &blk)
    tps = StaticTracing::Provider.fetch(provider).tracepoints.values
    tps.reverse.reduce(blk) do |inner, tp|
      -> { tp.stub(:fire, ->(*a) { calls << a; false }) { inner.call } }
    end.call
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
    assert_equal %i[add each_twice done? secret],
                 StaticTracing::Tracer::Latency.register(Sample, :add, :each_twice, :done?, :secret)
    tps = StaticTracing::Provider.fetch('test_tracers_sample').tracepoints
    assert_equal %w[add each_twice done? secret], tps.keys
    assert_equal 'done_p', tps['done?'].probe_name
    assert_equal [String, Integer], tps['add'].args
    wrapper = StaticTracing::Tracer::Latency.send(:wrapper_module, Sample)
    refute wrapper.method_defined?(:add, false), 'no wrapper while disabled'
    StaticTracing.configure { |c| c.add_tracer(StaticTracing::Tracer::Latency) }
    StaticTracing.enable!
    assert wrapper.method_defined?(:add, false)
    assert wrapper.private_method_defined?(:secret, false), 'visibility kept'
    assert tps['add'].provider.enabled?
    s = Sample.new
    calls = []
    recording_fires('test_tracers_sample', calls) do
      assert_equal 6, s.add(1, 2, scale: 2)
      assert_equal 3, s.add(2)
      seen = []
      s.each_twice { |x| seen << x }
      assert_equal [1, 2], seen
      assert s.done?
      assert_equal :secret, s.send(:secret)
    end
    assert_equal %w[add add each_twice done? secret], calls.map(&:first)
    assert(calls.all? { |_, ns| ns.is_a?(Integer) && ns >= 0 })
    StaticTracing.disable!
    refute wrapper.method_defined?(:add, false)
    refute tps['add'].provider.enabled?
    assert_equal 6, s.add(1, 2, scale: 2)
  end

  # compat: timed and fired on every call, a call that raises fires nothing
  # (ruby-static-tracing); compat off: only while traced, raises too.
  def test_latency_compat_and_not
    StaticTracing::Tracer::Latency.register(Sample, :add, :fail!)
    StaticTracing::Tracer::Latency.enable!
    calls = []
    recording_fires('test_tracers_sample', calls) do
      Sample.new.add(1)
      assert_raises(RuntimeError) { Sample.new.fail! }
    end
    assert_equal ['add'], calls.map(&:first)

    StaticTracing::Tracer::Latency.disable!
    StaticTracing.configure { |c| c.compat = false }
    StaticTracing::Tracer::Latency.enable!
    calls.clear
    recording_fires('test_tracers_sample', calls) { Sample.new.add(1) }
    assert_empty calls, 'nobody listens: not even timed'
  end

  def test_stack_tracer
    StaticTracing::Tracer::Stack.register(Sample, :add)
    StaticTracing.configure do |c|
      c.add_tracer(StaticTracing::Tracer::Stack)
      c.mode = StaticTracing::Configuration::Modes::ON
    end
    calls = []
    recording_fires('test_tracers_sample', calls) { assert_equal 3, Sample.new.add(1, 2) }
    assert_equal 1, calls.size
    assert_equal 'add', calls[0][0]
    assert_match(/test_unit\.rb:\d+/, calls[0][1].lines.first)
  end

  def test_provider_keyword
    with_logger = StringIO.new
    old = StaticTracing.logger
    StaticTracing.logger = Logger.new(with_logger)
    StaticTracing::Tracer::Stack.register(Sample, :add, provider: 'stack_sample')
    assert StaticTracing::Provider.fetch('test_tracers_sample')
    assert_match(/provider: is ignored with config.compat/, with_logger.string)
    StaticTracing.configure { |c| c.compat = false }
    StaticTracing::Tracer::Stack.register(Sample, :done?, provider: 'stack_sample')
    assert StaticTracing::Tracepoint.fetch('stack_sample', 'done?')
  ensure
    StaticTracing.logger = old
  end

  def define_concern_sample(name)
    Object.class_eval <<~RUBY, __FILE__, __LINE__ + 1
      class #{name}
        def early
          :early
        end

        include StaticTracing::Tracer::Concerns::Latency

        def late
          :late
        end

        private

        def hidden
          :hidden
        end
      end
    RUBY
    Object.const_get(name)
  end

  def test_concern_registers_methods_defined_before_include
    klass = define_concern_sample(:ConcernSample)
    assert StaticTracing::Tracer::Latency.registered?(klass, :early)
    refute StaticTracing::Tracer::Latency.registered?(klass, :late), 'as in ruby-static-tracing'
    refute StaticTracing::Tracer::Latency.registered?(klass, :hidden)
  ensure
    Object.send(:remove_const, :ConcernSample)
  end

  def test_concern_without_compat_registers_later_methods_too
    StaticTracing.configure { |c| c.compat = false }
    klass = define_concern_sample(:ConcernSample2)
    assert StaticTracing::Tracer::Latency.registered?(klass, :early)
    assert StaticTracing::Tracer::Latency.registered?(klass, :late)
    refute StaticTracing::Tracer::Latency.registered?(klass, :hidden)
    StaticTracing::Tracer::Latency.enable!
    assert_equal :late, klass.new.late
  ensure
    Object.send(:remove_const, :ConcernSample2)
  end

  def test_tracers_add_validates_and_clean_keeps_registrations
    assert_raises(StaticTracing::Tracers::InvalidTracerError) { StaticTracing::Tracers.add(String) }
    assert_raises(StaticTracing::Tracers::InvalidTracerError) { StaticTracing::Tracers.add('Latency') }
    assert_raises(StaticTracing::Tracers::InvalidTracerError) { StaticTracing::Tracers.add(StaticTracing::Tracer::Base) }
    assert_equal [StaticTracing::Tracer::Latency], StaticTracing::Tracers.add(StaticTracing::Tracer::Latency)
    StaticTracing::Tracer::Latency.register(Sample, :add)
    StaticTracing::Tracers.clean
    assert_empty StaticTracing::Tracers.list
    StaticTracing::Tracer::Latency.enable!
    assert StaticTracing::Tracer::Latency.send(:wrapper_module, Sample).method_defined?(:add, false),
           'registrations survive Tracers.clean'
  end

  # A tracer of one's own, the way ruby-static-tracing documents it.
  class Counter < StaticTracing::Tracer::Base
    set_wrapping_function lambda { |*args, &block|
      provider = StaticTracing::Tracer::Helpers.underscore(self.class.name)
      StaticTracing::Tracepoint.fetch(provider, __method__).fire(__method__.to_s)
      super(*args, &block)
    }
    set_tracepoint_data_types(String)
  end

  def test_custom_tracer
    assert_equal [:done?], Counter.register(Sample, :done?)
    assert_equal [String], Counter.tracepoint_data_types
    Counter.enable!
    calls = []
    recording_fires('test_tracers_sample', calls) { assert Sample.new.done? }
    assert_equal [['done?']], calls
  ensure
    Counter.clean
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
