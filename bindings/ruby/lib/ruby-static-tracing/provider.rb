# frozen_string_literal: true

require_relative 'core'
require_relative 'configuration'

module StaticTracing
  # A named group of tracepoints, published together.
  #
  #   provider = StaticTracing::Provider.register('global')
  #   provider.enable     # load: tracers can now see the tracepoints
  #   provider.disable    # unload
  #
  # The namespace is a C identifier; it is the USDT provider name
  # (`usdt::global:hello_nsec`) and the LTTng provider name
  # (`lttng enable-event -u 'global:*'`).  Providers are singletons per
  # namespace: use register (or a Tracepoint) rather than new.
  class Provider
    # Provider.fetch found no provider of that namespace.
    class ProviderMissingError < BaseError; end

    BACKENDS = { usdt: Native::BACKEND_USDT, lttng: Native::BACKEND_LTTNG }.freeze
    LTTNG_MODES = { auto: Native::LTTNG_MODE_AUTO, runtime: Native::LTTNG_MODE_RUNTIME,
                    compiled: Native::LTTNG_MODE_COMPILED }.freeze
    OPTIONS = %i[backends cache_dir prebuilt_path lttng_mode usdt_dir].freeze

    class << self
      # The provider for namespace, created on first use.  Options (all
      # dynprobe's; they apply when this call creates the provider):
      #   backends:      [:usdt], [:lttng] or both; nil means the configured
      #                  default (StaticTracing.configure { |c| c.backends = ... }),
      #                  itself [:usdt] unless changed
      #   lttng_mode:    :auto (default), :runtime (no compiler) or :compiled
      #   cache_dir:, prebuilt_path:, usdt_dir:  see dynprobe.h
      # Asking again with different explicit options is an ArgumentError.
      def register(namespace, **options)
        key = namespace.to_s
        existing = providers[key]
        return providers[key] = new(namespace, **options) unless existing

        existing.send(:check_same_options, options)
        existing
      end

      # The registered provider of namespace, or ProviderMissingError.
      def fetch(namespace)
        providers.fetch(namespace.to_s) do
          raise ProviderMissingError, "no provider registered as #{namespace.inspect}"
        end
      end

      # Fetch and enable (load) a provider; returns it.
      def load(namespace)
        fetch(namespace).tap(&:enable)
      end

      # Enable (load) every registered provider.
      def enable!
        providers.values.each(&:enable)
      end

      # Disable (unload) every registered provider.
      def disable!
        providers.values.each(&:disable)
      end

      # The registry: namespace String => Provider.
      def providers
        @providers ||= {}
      end

      # Destroy every provider and forget them (tests, shutdown).
      def clean
        providers.values.each(&:destroy)
        providers.clear
      end

      # [:usdt, :lttng] -> the DYNPROBE_BACKEND_* mask; ArgumentError if bad.
      def backend_mask_for(list)
        list = Array(list)
        raise ArgumentError, 'backends: needs at least one of :usdt, :lttng' if list.empty?

        list.reduce(0) do |mask, b|
          mask | BACKENDS.fetch(b.to_s.to_sym) do
            raise ArgumentError, "unknown backend #{b.inspect} (use :usdt or :lttng)"
          end
        end
      end
    end

    attr_reader :namespace, :tracepoints, :backend_mask_requested
    attr_writer :name

    # Prefer Provider.register: a second provider of the same namespace
    # cannot be created while the first exists (DynprobeError).
    def initialize(namespace, backends: nil, lttng_mode: nil, cache_dir: nil,
                   prebuilt_path: nil, usdt_dir: nil)
      @namespace = namespace
      @options = { backends: backends, lttng_mode: lttng_mode, cache_dir: cache_dir,
                   prebuilt_path: prebuilt_path, usdt_dir: usdt_dir }
      @backend_mask_requested = self.class.backend_mask_for(backends || Configuration.default_backends)
      mode = LTTNG_MODES.fetch((lttng_mode || :auto).to_sym) do
        raise ArgumentError, "unknown lttng_mode #{lttng_mode.inspect} (use :auto, :runtime or :compiled)"
      end
      _native_init(namespace.to_s, @backend_mask_requested, cache_dir&.to_s, prebuilt_path&.to_s,
                   mode, usdt_dir&.to_s)
      @tracepoints = {}
      @warned = false
      self.class.providers[namespace.to_s] ||= self
    end

    # The provider's name: its namespace unless set otherwise.
    def name
      @name || namespace
    end

    # Backends this provider publishes on (the DYNPROBE_BACKENDS
    # environment variable overrides the requested ones).
    def backends
      BACKENDS.select { |_, bit| backend_mask & bit != 0 }.keys
    end

    # Backends currently loaded.
    def loaded_backends
      BACKENDS.select { |_, bit| loaded_mask & bit != 0 }.keys
    end

    # Why a backend did not load: { lttng: "..." } (empty when all did).
    def backend_errors
      return {} if destroyed?

      backends.each_with_object({}) do |b, h|
        msg = _backend_error(BACKENDS[b])
        h[b] = msg if msg
      end
    end

    # Why the last enable returned false (nil when it did not).
    attr_reader :last_error

    # Load the provider: its tracepoints become visible to tracers.  True
    # when it is loaded on some backend.  As ruby-static-tracing did, a
    # failure returns false instead of raising (StaticTracing.logger and
    # #last_error say why).  When one backend fails and another loads (say,
    # LTTng without lttng-ust) the provider is enabled: a warning names the
    # failure once, and #backend_errors tells.
    def enable
      return true if enabled?

      @last_error = nil
      partial = _native_load == Native::LOAD_PARTIAL
      warn_partial if partial
      true
    rescue DynprobeError => e
      @last_error = e
      StaticTracing.logger&.error("provider #{namespace} not enabled: #{e.message}")
      false
    end
    alias load enable

    # Unload the provider.  Returns enabled?, so false once unloaded (as
    # ruby-static-tracing's did).
    def disable
      _native_unload if enabled?
      enabled?
    end
    alias unload disable

    # Is the provider loaded on some backend?
    def enabled?
      loaded_mask != 0
    end

    # The file tracers attach to while loaded on USDT: the shared image in
    # the trusted directory (`bpftrace -e 'usdt:PATH:ns:name ...'` without
    # -p traces every process that loads it), else "/proc/PID/fd/N" (a
    # private image); "lttng:NAMESPACE" while loaded on LTTng only (there is
    # no file: an lttng session names the events); "" while not loaded.
    def path
      loaded = loaded_mask
      if loaded & Native::BACKEND_USDT != 0
        shared = usdt_shared_path
        return shared if shared

        fd = usdt_fd
        return "/proc/#{Process.pid}/fd/#{fd}" if fd >= 0
      end
      return "lttng:#{namespace}" if loaded != 0

      ''
    end

    # Free the provider now: unload it, forget it (register then makes a new
    # one), and make its tracepoints raise BaseError.
    def destroy
      _native_destroy
      self.class.providers.delete(namespace.to_s) if self.class.providers[namespace.to_s].equal?(self)
      nil
    end

    # Add a tracepoint: add_tracepoint('name', Integer, String, ...) creates
    # it (Tracepoint.new's arguments after the provider name); a Tracepoint
    # of this provider is recorded.  Returns the Tracepoint.
    def add_tracepoint(tracepoint, *args, **kw)
      if tracepoint.is_a?(Tracepoint)
        @tracepoints[tracepoint.name.to_s] = tracepoint
      elsif tracepoint.is_a?(String) || tracepoint.is_a?(Symbol)
        Tracepoint.new(namespace, tracepoint, *args, **kw)
      end
    end

    # The tracepoint published under probe_name (a C identifier), or nil.
    def tracepoint_published_as(probe_name)
      @tracepoints.each_value.find { |t| t.probe_name == probe_name }
    end

    def inspect
      "#<#{self.class} #{namespace} #{enabled? ? "loaded on #{loaded_backends.join(',')}" : 'not loaded'}>"
    end

    # Run the block (which adds a probe) with the provider unloaded, and load
    # it again after when it was loaded.  Tracers attached to the old
    # objects must attach again: adding a probe builds new ones.
    def _with_unloaded
      was = enabled?
      _native_unload if was
      yield
    ensure
      enable if was
    end

    private

    def warn_partial
      return if @warned

      @warned = true
      StaticTracing.logger&.warn("provider #{namespace} loaded partially: #{backend_errors.inspect}")
    end

    def check_same_options(options)
      options.each do |key, value|
        next if value.nil?
        raise ArgumentError, "unknown option #{key}:" unless OPTIONS.include?(key)

        same = if key == :backends
                 self.class.backend_mask_for(value) == backend_mask_requested
               else
                 value.to_s == @options[key].to_s
               end
        next if same

        raise ArgumentError, "provider #{namespace} already registered with #{key}: #{@options[key].inspect}"
      end
    end
  end
  # This gem's 0.1 name.
  ProviderMissingError = Provider::ProviderMissingError
end
