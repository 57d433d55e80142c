# frozen_string_literal: true

require 'test_helper'

class CallCounterTest < Minitest::Test
  def setup
    Bookstore::CallCounter.enable!
  end

  def teardown
    Bookstore::CallCounter.disable!
  end

  def test_a_custom_tracer_fires_through_its_wrapping_function
    StaticTracing::Tracepoint.any_instance.expects(:fire).with('record', 1).once
    assert_equal 'SOLD', Bookstore::Audit.new.record(:sold)
  end

  def test_it_is_a_tracer
    StaticTracing::Tracers.add(Bookstore::CallCounter)
  ensure
    StaticTracing::Tracers.clean
  end

  def test_disabled_it_stays_out_of_the_way
    Bookstore::CallCounter.disable!
    StaticTracing::Tracepoint.any_instance.expects(:fire).never
    assert_equal 'X', Bookstore::Audit.new.record(:x)
  end
end
