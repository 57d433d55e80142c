#!/usr/bin/env ruby
# frozen_string_literal: true

# The Stack tracer: who calls Worker#compute?
#   BPFTRACE_STRLEN=200 bpftrace -e 'usdt::worker:compute { printf("%s\n", str(arg1)); }' -p $(pgrep -f ./stack.rb)
require 'ruby-static-tracing'

class Worker
  def work(n)
    compute(n)
  end

  def compute(n)
    (1..n).sum
  end
end

StaticTracing::Tracer::Stack.register(Worker, :compute)
StaticTracing.configure do |config|
  config.add_tracer(StaticTracing::Tracer::Stack)
  config.mode = StaticTracing::Configuration::Modes::ON
end

$stdout.sync = true
puts "ready #{Process.pid}"
loop do
  Worker.new.work(10)
  sleep 0.01
end
