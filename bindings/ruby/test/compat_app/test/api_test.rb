# frozen_string_literal: true

require 'test_helper'
require 'ruby-static-tracing/tracer/concerns/latency_tracer'

class ApiTest < Minitest::Test
  include BookstoreTestHelper

  def setup
    StaticTracing::Tracer::Latency.enable!
  end

  def teardown
    StaticTracing::Tracer::Latency.disable!
    StaticTracing::Tracers.clean
  end

  def test_actions_defined_before_the_include_are_timed
    StaticTracing::Tracepoint.any_instance.expects(:fire).with('show', instance_of(Integer)).once
    StaticTracing::Tracepoint.any_instance.expects(:fire).with('lookup', anything).once
    assert_equal 'The C Programming Language', api.show('9780131103627')
  end

  def test_keyword_arguments_reach_the_action
    StaticTracing::Tracepoint.any_instance.stubs(:fire)
    assert_equal 10_998, api.buy('9780201633610', quantity: 2)
  end

  def test_actions_defined_after_the_include_are_not
    StaticTracing::Tracepoint.any_instance.expects(:fire).never
    assert_equal 'ok', api.health
  end

  def test_one_tracepoint_per_action
    tps = StaticTracing::Provider.fetch('bookstore_api').tracepoints
    assert_equal %w[buy index show], tps.keys.sort
    assert(tps.values.all? { |t| t.is_a?(StaticTracing::Tracepoint) })
  end
end
