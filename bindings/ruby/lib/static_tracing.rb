# frozen_string_literal: true

# StaticTracing: the ruby-static-tracing API over libdynprobe.
#
# Providers publish their tracepoints on USDT (bpftrace, bcc, perf), on
# LTTng (lttng sessions), or both.  A disabled Tracepoint#fire costs about
# one Ruby method call: it is a C method that checks the arguments' classes
# and the probe's inline watch words and returns false.
require 'dynprobe_static_tracing'
require_relative 'static_tracing/version'
require_relative 'static_tracing/provider'
require_relative 'static_tracing/tracepoint'
require_relative 'static_tracing/configuration'
require_relative 'static_tracing/tracers'
require_relative 'static_tracing/tracer/helpers'
require_relative 'static_tracing/tracer/base'
require_relative 'static_tracing/tracer/latency'
require_relative 'static_tracing/tracer/stack'
require_relative 'static_tracing/tracer/concerns/latency'

module StaticTracing
  USDTError = DynprobeError
  ProviderMissingError = Class.new(BaseError)
  TracepointMissingError = Class.new(BaseError)

  extend self

  # Is tracing switched on (StaticTracing.enable!, mode ON, or the signal)?
  def enabled?
    @enabled ? true : false
  end

  # Switch tracing on: wrap the registered tracers' methods and load every
  # registered provider.
  def enable!
    Tracers.enable!
    Provider.enable!
    @enabled = true
  end

  # Switch tracing off: unwrap the methods and unload the providers.
  def disable!
    Tracers.disable!
    Provider.disable!
    @enabled = false
  end

  def toggle_tracing!
    enabled? ? disable! : enable!
  end

  def configure
    yield Configuration.instance
  end
end
