# frozen_string_literal: true

require 'test_helper'

class MetricsTest < Minitest::Test
  def setup
    # Declared again on purpose: tests build their tracepoints in setup.
    @order = StaticTracing::Tracepoint.new('bookstore', 'order', Integer, String)
    @provider = StaticTracing::Provider.register('bookstore')
  end

  def teardown
    @provider.disable
  end

  def test_tracepoints_are_registered_on_the_provider
    assert_same @provider, StaticTracing::Provider.fetch('bookstore')
    assert_instance_of StaticTracing::Tracepoint, @provider.tracepoints['order']
    assert_instance_of StaticTracing::Tracepoint, StaticTracing::Tracepoint.fetch('bookstore', 'stock')
    assert_equal 'bookstore', @order.provider.namespace
    assert_equal 'bookstore', @order.provider_name
  end

  def test_missing_things_raise
    assert_raises(StaticTracing::Provider::ProviderMissingError) { StaticTracing::Provider.fetch('warehouse') }
    assert_raises(StaticTracing::Tracepoint::TracepointMissingError) do
      StaticTracing::Tracepoint.fetch('bookstore', 'refund')
    end
  end

  def test_fire_checks_argument_types
    assert_raises(StaticTracing::Tracepoint::InvalidArgumentError) { @order.fire('4999', 'isbn') }
    error = assert_raises(StandardError) { @order.fire(4999, :isbn) }
    assert_kind_of StaticTracing::Tracepoint::InvalidArgumentError, error
  end

  def test_only_integer_and_string_are_valid_types
    assert_equal [Integer, String], StaticTracing::Tracepoint::VALID_ARGS_TYPES
    assert_raises(StaticTracing::Tracepoint::InvalidArgType) do
      StaticTracing::Tracepoint.new('bookstore', 'discount', Float)
    end
  end

  def test_enable_and_disable_the_provider
    assert_empty @provider.path
    refute @provider.enabled?
    assert @provider.enable
    assert @provider.enabled?
    refute_empty @provider.path
    refute @order.enabled?, 'nobody traces in unit tests'
    @order.fire(4999, '9780131103627')
    @provider.disable
    refute @provider.enabled?
    assert_empty @provider.path
  end

  def test_order_placed_only_fires_when_enabled
    @provider.enable
    Bookstore::Metrics::ORDER.expects(:fire).never
    Bookstore::Metrics.order_placed(100, 'x')
  end

  def test_fire_is_stubbable
    @order.expects(:fire).with(4999, '9780131103627').once
    @order.fire(4999, '9780131103627')
  end
end
