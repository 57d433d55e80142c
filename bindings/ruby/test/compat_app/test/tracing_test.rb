# frozen_string_literal: true

require 'test_helper'

class TracingTest < Minitest::Test
  include BookstoreTestHelper

  def teardown
    StaticTracing.disable!
    StaticTracing::Tracers.clean
  end

  def test_platform
    assert StaticTracing::Platform.linux?
    assert StaticTracing::Platform.supported_platform?
    refute StaticTracing::Platform.darwin?
  end

  def test_nsec_is_the_monotonic_clock
    Process.expects(:clock_gettime).with(Process::CLOCK_MONOTONIC, :nanosecond).returns(42)
    assert_equal 42, StaticTracing.nsec
  end

  def test_configuration_modes
    Bookstore.configure_tracing
    config = StaticTracing::Configuration.instance
    assert_equal StaticTracing::Configuration::Modes::SIGNAL, config.mode
    assert_equal 'PROF', config.signal
    config.mode = StaticTracing::Configuration::Modes::ON
    assert StaticTracing.enabled?
    assert StaticTracing::Provider.fetch('bookstore_inventory').enabled?
    config.mode = StaticTracing::Configuration::Modes::OFF
    refute StaticTracing.enabled?
    refute StaticTracing::Provider.fetch('bookstore_inventory').enabled?
  ensure
    config.mode = StaticTracing::Configuration::Modes::SIGNAL
  end

  def test_toggle_tracing_wraps_and_unwraps
    Bookstore.configure_tracing
    StaticTracing.toggle_tracing!
    assert StaticTracing.enabled?
    StaticTracing::Tracepoint.any_instance.expects(:fire).with('lookup', anything).once
    inventory.lookup('9780131103627')
    StaticTracing.toggle_tracing!
    refute StaticTracing.enabled?
    StaticTracing::Tracepoint.any_instance.expects(:fire).never
    inventory.lookup('9780131103627')
  end

  def test_only_tracers_can_be_added
    assert_raises(StaticTracing::Tracers::InvalidTracerError) { StaticTracing::Tracers.add(String) }
    assert_raises(StaticTracing::Tracers::InvalidTracerError) do
      StaticTracing.configure { |c| c.add_tracer(Bookstore::Inventory) }
    end
  end

  def test_clean_keeps_registrations
    StaticTracing::Tracers.add(StaticTracing::Tracer::Latency)
    StaticTracing::Tracers.clean
    StaticTracing::Tracer::Latency.enable!
    StaticTracing::Tracepoint.any_instance.expects(:fire).with('lookup', anything).once
    inventory.lookup('9780201633610')
  ensure
    StaticTracing::Tracer::Latency.disable!
  end

  def test_errors_share_a_base
    assert StaticTracing::USDTError < StaticTracing::BaseError
    assert StaticTracing::InternalError < StaticTracing::BaseError
    assert StaticTracing::BaseError < StandardError
  end

  def test_logger_is_configurable
    assert_respond_to StaticTracing.logger, :info
    old = StaticTracing.logger
    StaticTracing.logger = Logger.new(File::NULL)
    StaticTracing.issue_disabled_tracepoints_warning
  ensure
    StaticTracing.logger = old
  end
end
