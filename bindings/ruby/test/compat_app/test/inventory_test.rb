# frozen_string_literal: true

require 'test_helper'

class InventoryTest < Minitest::Test
  include BookstoreTestHelper

  def setup
    StaticTracing::Tracer::Latency.enable!
  end

  def teardown
    StaticTracing::Tracer::Latency.disable!
    StaticTracing::Tracers.clean
  end

  def test_lookup_fires_its_latency
    StaticTracing::Tracepoint.any_instance.expects(:fire).with('lookup', instance_of(Integer)).once
    assert_equal 'Design Patterns', inventory.lookup('9780201633610').title
  end

  def test_restock_fires_for_the_bang_method
    StaticTracing::Tracepoint.any_instance.expects(:fire).with('restock!', anything).once
    StaticTracing::Tracepoint.any_instance.expects(:fire).with('lookup', anything).once
    assert_equal 5, inventory.restock!('9780131103627', 2)
  end

  def test_untraced_methods_do_not_fire
    StaticTracing::Tracepoint.any_instance.expects(:fire).never
    assert inventory.available?('9780131103627')
    titles = []
    inventory.each_title { |t| titles << t }
    assert_equal 3, titles.size
  end

  def test_disabled_tracer_does_not_fire
    StaticTracing::Tracer::Latency.disable!
    StaticTracing::Tracepoint.any_instance.expects(:fire).never
    inventory.lookup('9780201633610')
  end

  def test_errors_pass_through_the_wrapper
    assert_raises(KeyError) { inventory.lookup('0000000000') }
  end

  def test_provider_named_after_the_class
    provider = StaticTracing::Provider.fetch('bookstore_inventory')
    assert_equal %w[lookup restock!], provider.tracepoints.keys.sort
    tp = StaticTracing::Tracepoint.fetch('bookstore_inventory', 'lookup')
    assert_equal [String, Integer], tp.args
  end
end
