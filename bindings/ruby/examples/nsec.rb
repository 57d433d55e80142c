#!/usr/bin/env ruby
# frozen_string_literal: true

# The report's nsec latency: how long StaticTracing.nsec takes.
#   bpftrace -e 'usdt::global:nsec_latency { @ = hist(arg0) }' -p $(pgrep -f ./nsec.rb)
require 'ruby-static-tracing'

t = StaticTracing::Tracepoint.new('global', 'nsec_latency', Integer)
t.provider.enable

loop do
  s = StaticTracing.nsec
  StaticTracing.nsec
  f = StaticTracing.nsec
  t.fire(f - s)
  sleep 0.001
end
