#!/usr/bin/env ruby
# frozen_string_literal: true

# The report's randist: random integers in [0, 100).
#   bpftrace -e 'usdt::global:randist { @ = lhist(arg0, 0, 100, 10) }' -p $(pgrep -f ./randist.rb)
require 'ruby-static-tracing'

t = StaticTracing::Tracepoint.new('global', 'randist', Integer)
t.provider.enable

r = Random.new

loop do
  t.fire(r.rand(100))
end
