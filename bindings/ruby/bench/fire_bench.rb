# frozen_string_literal: true

# fire_bench.rb MODE [ITERATIONS] [RUNS] - ns per call, median of RUNS runs.
#   disabled  an empty method with the same arguments, then a disabled fire
#             (provider loaded, no tracer)
#   disabled_both  a disabled fire, provider loaded on USDT and LTTng
#   enabled   wait until a tracer listens (bench/bindings_bench.sh attaches
#             bpftrace count() or runs an lttng session), then fire
# Prints "ready PID" first, then "NAME NS" lines.
require 'ruby-static-tracing'

mode = ARGV.fetch(0)
iters = Integer(ARGV.fetch(1, '1000000'))
runs = Integer(ARGV.fetch(2, '7'))
$stdout.sync = true

class Empty
  def fire(_a, _b); end
end

def one_run(iters)
  t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC, :nanosecond)
  yield iters
  (Process.clock_gettime(Process::CLOCK_MONOTONIC, :nanosecond) - t0).fdiv(iters)
end

# Run the cases round-robin (the machine's load changes over time, so each
# round sees the same conditions), then print the median of each.
def medians(runs, iters, cases)
  samples = Hash.new { |h, k| h[k] = [] }
  runs.times do
    cases.each { |name, blk| samples[name] << one_run(iters, &blk) }
  end
  cases.each_key { |name| puts "#{name} #{samples[name].sort[runs / 2].round(1)}" }
end

backends = mode == 'disabled_both' ? %i[usdt lttng] : nil
t = StaticTracing::Tracepoint.new('rbbench', 'tick', :u64, String, backends: backends)
t.provider.enable
s = 'payload'
puts "ready #{Process.pid}"

case mode
when 'disabled'
  e = Empty.new
  medians(runs, iters,
          'empty' => proc { |n| i = 0; while i < n; e.fire(i, s); i += 1; end },
          'disabled' => proc { |n| i = 0; while i < n; t.fire(i, s); i += 1; end })
when 'disabled_both'
  # Loaded on USDT and LTTng: one inline check covers both.
  abort "not loaded on both: #{t.provider.backend_errors}" unless t.provider.loaded_backends.size == 2
  medians(runs, iters, 'disabled_both' => proc { |n| i = 0; while i < n; t.fire(i, s); i += 1; end })
when 'enabled'
  deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + 60
  until t.enabled?
    abort 'no tracer attached within 60 s' if Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline
    sleep 0.01
  end
  # The probe reads as enabled a moment before the tracer's program is
  # hooked: warm up for a while first.
  warm = Process.clock_gettime(Process::CLOCK_MONOTONIC) + 0.5
  t.fire(1, s) while Process.clock_gettime(Process::CLOCK_MONOTONIC) < warm
  medians(runs, iters, 'enabled' => proc { |n| i = 0; while i < n; t.fire(i, s); i += 1; end })
else
  abort "unknown mode #{mode}"
end
