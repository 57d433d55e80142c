# frozen_string_literal: true

require_relative 'core'

module StaticTracing
  # How tracing is switched on and off, process-wide.
  #
  #   StaticTracing.configure do |config|
  #     config.mode = StaticTracing::Configuration::Modes::SIGNAL  # the default
  #     config.signal = 'USR2'            # toggles tracing (SIGPROF is the default)
  #     config.add_tracer(StaticTracing::Tracer::Latency)
  #     config.backends = [:usdt, :lttng] # dynprobe: default for new providers
  #   end
  #
  # ON: tracing on now (StaticTracing.enable!).  OFF: off now.  SIGNAL:
  # each delivery of the signal toggles tracing.  The signal is trapped as
  # soon as the configuration exists (the first configure), as in
  # ruby-static-tracing.
  #
  # compat (true by default) keeps ruby-static-tracing 0.0.15's behaviour
  # where it differs from what its documentation promises; false asks for
  # the documented behaviour (see bindings/README.md, "Compatibility").
  class Configuration
    # Modes of operation.
    module Modes
      ON = 'ON'
      OFF = 'OFF'
      SIGNAL = 'SIGNAL'

      # Signals, by the names Signal.trap takes.
      module SIGNALS
        SIGPROF = 'PROF'
      end
    end

    MODES = [Modes::ON, Modes::OFF, Modes::SIGNAL].freeze
    KEEP_HANDLERS = %w[IGNORE SIG_IGN EXIT].freeze
    private_constant :KEEP_HANDLERS

    class << self
      def instance
        @instance ||= new
      end

      # Configuration.mode = ... (the form docs/ruby-interface.md shows).
      def mode=(new_mode)
        instance.mode = new_mode
      end

      def signal=(new_signal)
        instance.signal = new_signal
      end

      # Backends of providers registered without backends: (USDT unless
      # configured).  Does not create the configuration.
      def default_backends
        @instance ? @instance.backends : [:usdt]
      end

      # compat of the configuration, without creating it.
      def compat?
        @instance ? @instance.compat : true
      end

      # Forget the configuration and give the signal back (for tests).
      def reset!
        @instance&.send(:release_trap)
        @instance = nil
      end
    end

    attr_reader :mode, :signal, :backends, :compat

    def initialize
      @mode = Modes::SIGNAL
      @signal = Modes::SIGNALS::SIGPROF
      @backends = [:usdt]
      @compat = true
      @saved_handlers = {}
      enable_trap
    end

    # Sets the mode: Modes::ON, Modes::OFF or Modes::SIGNAL (the default).
    # With compat, any other value is stored and does nothing, as in
    # ruby-static-tracing; without, it is an ArgumentError.
    def mode=(new_mode)
      new_mode = checked_mode(new_mode) unless compat
      disable_trap if @mode == Modes::SIGNAL
      @mode = new_mode
      case new_mode
      when Modes::SIGNAL then enable_trap
      when Modes::ON then StaticTracing.enable!
      when Modes::OFF then StaticTracing.disable!
      end
    end

    # Sets the signal that toggles tracing (default 'PROF'): anything
    # Signal.trap takes ('USR2', :USR2, 'SIGUSR2', 12).  With compat the
    # signal is trapped whatever the mode, as in ruby-static-tracing;
    # without, only in SIGNAL mode, and a bad signal is an ArgumentError.
    def signal=(new_signal)
      check_signal(new_signal) unless compat
      disable_trap if compat || @mode == Modes::SIGNAL
      @signal = new_signal
      enable_trap if compat || @mode == Modes::SIGNAL
    end

    # Adds a tracer (a subclass of StaticTracing::Tracer::Base) to those
    # StaticTracing.enable! switches on.  Without compat, a tracer added
    # while tracing is on is switched on at once.
    def add_tracer(tracer)
      list = Tracers.add(tracer)
      tracer.enable! if !compat && StaticTracing.enabled?
      list
    end

    # dynprobe: the backends of providers registered without backends:.
    def backends=(list)
      Provider.backend_mask_for(list) # validates
      @backends = Array(list).map { |b| b.to_s.to_sym }.freeze
    end

    # dynprobe: false switches to the documented behaviour where
    # ruby-static-tracing 0.0.15 behaved otherwise.
    def compat=(value)
      @compat = value ? true : false
    end

    private

    def checked_mode(new_mode)
      m = new_mode.to_s.upcase
      return m if MODES.include?(m)

      raise ArgumentError, "unknown mode #{new_mode.inspect} (ON, OFF or SIGNAL)"
    end

    def check_signal(sig)
      name = sig.is_a?(Integer) ? Signal.signame(sig) : sig.to_s.sub(/\ASIG/, '')
      raise ArgumentError, "unknown signal #{sig.inspect}" unless name && Signal.list.key?(name)
    end

    # Gives the signal back: the handler it had before we trapped it, or
    # DEFAULT (ruby-static-tracing always reset it to DEFAULT).
    def disable_trap
      old = @saved_handlers.delete(@signal)
      keep = old.respond_to?(:call) || KEEP_HANDLERS.include?(old)
      Signal.trap(@signal, keep ? old : 'DEFAULT')
    end

    def enable_trap
      old = Signal.trap(@signal) { StaticTracing.toggle_tracing! }
      @saved_handlers[@signal] = old unless @saved_handlers.key?(@signal)
    end

    def release_trap
      disable_trap if @saved_handlers.key?(@signal)
    end
  end
end
