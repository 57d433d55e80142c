# frozen_string_literal: true

module StaticTracing
  # How tracing is switched on and off, process-wide.
  #
  #   StaticTracing.configure do |config|
  #     config.mode = StaticTracing::Configuration::Modes::SIGNAL  # the default
  #     config.signal = :PROF            # toggles tracing (SIGPROF is the default)
  #     config.backends = [:usdt, :lttng] # default for providers made implicitly
  #     config.add_tracer(StaticTracing::Tracer::Latency)
  #   end
  #
  # ON: tracing on now (StaticTracing.enable!).  OFF: off, no signal
  # handler.  SIGNAL: each delivery of the signal toggles tracing (starts
  # off); the previous handler comes back when the mode or signal changes.
  class Configuration
    module Modes
      ON = 'ON'
      OFF = 'OFF'
      SIGNAL = 'SIGNAL'

      module SIGNALS
        SIGPROF = 'PROF'
      end
    end

    class << self
      def instance
        @instance ||= new
      end

      # Backends of providers registered without backends: (USDT unless
      # configured).
      def default_backends
        @instance ? @instance.backends : [:usdt]
      end

      # Forget the configuration (restores the signal handler); for tests.
      def reset!
        @instance&.send(:disable_trap)
        @instance = nil
      end
    end

    attr_reader :mode, :signal, :backends

    def initialize
      @mode = Modes::SIGNAL
      @signal = Modes::SIGNALS::SIGPROF
      @backends = [:usdt]
      @old_handler = nil
      @trapped = false
      enable_trap
    end

    def mode=(new_mode)
      new_mode = new_mode.to_s.upcase
      unless [Modes::ON, Modes::OFF, Modes::SIGNAL].include?(new_mode)
        raise ArgumentError, "unknown mode #{new_mode.inspect} (ON, OFF or SIGNAL)"
      end

      disable_trap
      @mode = new_mode
      case new_mode
      when Modes::ON then StaticTracing.enable!
      when Modes::OFF then StaticTracing.disable!
      when Modes::SIGNAL then enable_trap
      end
    end

    # A signal name (:PROF, 'SIGUSR2', 'USR2') or number.
    def signal=(new_signal)
      name = new_signal.is_a?(Integer) ? Signal.signame(new_signal) : new_signal.to_s.sub(/\ASIG/, '')
      raise ArgumentError, "unknown signal #{new_signal.inspect}" unless name && Signal.list.key?(name)

      disable_trap
      @signal = name
      enable_trap if @mode == Modes::SIGNAL
    end

    def backends=(list)
      Provider.backend_mask_for(list) # validates
      @backends = Array(list).map(&:to_sym).freeze
    end

    def add_tracer(tracer)
      Tracers.add(tracer)
      tracer.enable! if StaticTracing.enabled?
      tracer
    end

    private

    def enable_trap
      return if @trapped || @mode != Modes::SIGNAL

      @old_handler = Signal.trap(@signal) { StaticTracing.toggle_tracing! }
      @trapped = true
    end

    def disable_trap
      return unless @trapped

      Signal.trap(@signal, @old_handler || 'DEFAULT')
      @trapped = false
    end
  end
end
