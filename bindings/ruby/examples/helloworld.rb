#!/usr/bin/env ruby
# frozen_string_literal: true

# The report's hello world: fire (nsec, "Hello world") once a second while a
# tracer listens.
#   bpftrace -e 'usdt::global:hello_nsec { printf("%lld %s\n", arg0, str(arg1)) }' -p $(pgrep -f ./helloworld.rb)
#   DYNPROBE_BACKENDS=lttng ./helloworld.rb   +   lttng enable-event -u 'global:hello_nsec'
# INTERVAL=seconds changes the pause (tests use a short one).
require 'ruby-static-tracing'

t = StaticTracing::Tracepoint.new('global', 'hello_nsec', Integer, String)
p = StaticTracing::Provider.fetch(t.provider_name)
p.enable

$stdout.sync = true
loop do
  if t.enabled?
    t.fire(StaticTracing.nsec, 'Hello world')
    puts 'Probe fired!'
  else
    puts 'Not enabled'
  end
  sleep Float(ENV.fetch('INTERVAL', '1'))
end
