#!/usr/bin/env ruby
# frozen_string_literal: true

# The report's Rails latency example without Rails: the sample controller's
# actions (times divided by 10), traced by the Latency tracer, switched on
# and off with SIGPROF.
#   ./latency.rb &                 # providers not loaded yet
#   kill -PROF $!                  # now: bpftrace -l 'usdt:*:sample_controller:*' -p $!
#   bpftrace -e 'usdt::sample_controller:* { @[str(arg0)] = lhist(arg1 / 1000000, 0, 200, 10); }' -p $!
require 'ruby-static-tracing'

StaticTracing.configure do |config|
  config.mode = StaticTracing::Configuration::Modes::SIGNAL
  config.signal = StaticTracing::Configuration::Modes::SIGNALS::SIGPROF
  config.add_tracer(StaticTracing::Tracer::Latency)
end

class SampleController
  def all
    100.times do
      ([] << 1) * 100_000
    end
  end

  def welcome
    10.times do
      ([] << 1) * 100_000
    end
  end

  def slow
    sleep(rand(0.05..0.15))
  end

  def random
    sleep(rand(0..0.09))
  end

  # Traces the public methods defined above (as ruby-static-tracing does).
  include StaticTracing::Tracer::Concerns::Latency
end

$stdout.sync = true
puts "ready #{Process.pid}"
controller = SampleController.new
loop do
  %i[all welcome slow random].each { |action| controller.public_send(action) }
end
