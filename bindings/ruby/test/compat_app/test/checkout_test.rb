# frozen_string_literal: true

require 'test_helper'

class CheckoutTest < Minitest::Test
  include BookstoreTestHelper

  def setup
    @checkout = Bookstore::Checkout.new(inventory)
  end

  def teardown
    StaticTracing::Tracer::Stack.disable!
    StaticTracing::Tracers.clean
  end

  def test_pay_fires_the_callers_stack
    StaticTracing::Tracer::Stack.enable!
    StaticTracing::Tracepoint.any_instance.expects(:fire)
                             .with('pay', regexp_matches(/checkout_test\.rb:\d+/)).once
    assert_equal 9998, @checkout.pay('9780131103627', 2)
  end

  def test_pay_with_a_block_still_works
    StaticTracing::Tracer::Stack.enable!
    StaticTracing::Tracepoint.any_instance.stubs(:fire)
    assert_equal 'total 5499', @checkout.pay('9780201633610') { |t| "total #{t}" }
  end

  def test_untraced_when_the_tracer_is_off
    StaticTracing::Tracepoint.any_instance.expects(:fire).never
    assert_equal 3999, @checkout.pay('9781449373320')
  end
end
