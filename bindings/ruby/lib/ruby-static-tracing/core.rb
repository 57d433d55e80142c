# frozen_string_literal: true

require 'logger'
require_relative 'version'
require_relative 'platform'

# StaticTracing: ruby-static-tracing's API over libdynprobe.
#
# Providers publish their tracepoints on USDT (bpftrace, bcc, perf), on
# LTTng (lttng sessions), or both.  This file holds what the module itself
# offers (switching tracing on and off, the clock, the logger, the error
# classes); every other file of the gem requires it, so each of the
# original gem's require paths works on its own.
module StaticTracing
  extend self

  # Every error of the gem descends from BaseError.
  BaseError = Class.new(StandardError)
  # A failure of the tracing library (ruby-static-tracing's name).
  USDTError = Class.new(BaseError)
  # A bug of this gem rather than of its caller.
  InternalError = Class.new(BaseError)

  # A libdynprobe call failed; #errno is the library's (positive) code and
  # the message is dynprobe_strerror's text.
  class DynprobeError < USDTError
    attr_reader :errno
  end

  # Where the gem and the library write their messages (a Logger, or nil
  # for none).  The default prints warnings to standard error, and the
  # library's details too when DYNPROBE_DEBUG is set, as libdynprobe does
  # without a binding.
  attr_accessor :logger

  self.logger = Logger.new($stderr, level: ENV['DYNPROBE_DEBUG'].to_s.match?(/\A[^0]/) ? :debug : :warn,
                                    progname: 'static_tracing')

  # Logs, once per process, that tracepoints are inert on this platform.
  def issue_disabled_tracepoints_warning
    return if defined?(@warning_issued)

    @warning_issued = true
    logger&.info("tracepoints are not supported on #{RUBY_PLATFORM}: every operation does nothing")
  end

  # CLOCK_MONOTONIC in nanoseconds (an Integer).
  def nsec
    Process.clock_gettime(Process::CLOCK_MONOTONIC, :nanosecond)
  end

  # Is tracing switched on (StaticTracing.enable!, mode ON, or the signal)?
  def enabled?
    !!@enabled
  end

  # Switch tracing on: the added tracers wrap their methods and every
  # registered provider is loaded (visible to tracers).
  def enable!
    StaticTracing::Tracers.enable!
    StaticTracing::Provider.enable!
    @enabled = true
  end

  # Switch tracing off: the methods are unwrapped and the providers
  # unloaded.
  def disable!
    StaticTracing::Tracers.disable!
    StaticTracing::Provider.disable!
    @enabled = false
  end

  # Toggle between enable! and disable! (what the configured signal does).
  def toggle_tracing!
    enabled? ? disable! : enable!
  end

  #   StaticTracing.configure do |config|
  #     config.add_tracer(StaticTracing::Tracer::Latency)
  #   end
  def configure
    yield Configuration.instance
  end

  # The registered providers by namespace: a frozen snapshot whose [] raises
  # Provider::ProviderMissingError for an unknown namespace.
  def providers
    snapshot = Provider.providers.dup
    snapshot.default_proc = proc { |_, ns| Provider.fetch(ns) }
    snapshot.freeze
  end

  LIBRARY_SEVERITY = { 1 => :warn, 2 => :info, 3 => :debug }.freeze
  private_constant :LIBRARY_SEVERITY

  # Called by the native extension with each message of libdynprobe, once
  # the library call that produced it has returned.
  def _library_log(level, text)
    logger&.public_send(LIBRARY_SEVERITY.fetch(level, :debug), "dynprobe: #{text}")
  end
end

require 'dynprobe_static_tracing'
