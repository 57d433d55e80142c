# frozen_string_literal: true

module StaticTracing
  # A named group of tracepoints, published together.
  #
  #   provider = StaticTracing::Provider.register('global', backends: [:usdt, :lttng])
  #   provider.enable     # load: tracers can now see the tracepoints
  #   provider.disable    # unload
  #
  # The namespace is a C identifier; it is the USDT provider name
  # (`usdt::global:hello_nsec`) and the LTTng provider name
  # (`lttng enable-event -u 'global:*'`).
  class Provider
    BACKENDS = { usdt: Native::BACKEND_USDT, lttng: Native::BACKEND_LTTNG }.freeze

    class << self
      # The provider for namespace, created on first use.  backends: nil
      # means the configured default (StaticTracing.configure { |c|
      # c.backends = [...] }), itself USDT unless changed.  Asking again with
      # different explicit backends is an ArgumentError.
      def register(namespace, backends: nil)
        namespace = namespace.to_s
        existing = providers[namespace]
        if existing
          if backends && backend_mask_for(backends) != existing.backend_mask_requested
            raise ArgumentError, "provider #{namespace} already registered with backends " \
                                 "#{existing.backends.inspect}"
          end
          return existing
        end
        providers[namespace] = new(namespace, backends: backends)
      end

      def fetch(namespace)
        providers.fetch(namespace.to_s) do
          raise ProviderMissingError, "no provider registered as #{namespace.inspect}"
        end
      end

      def providers
        @providers ||= {}
      end

      def enable!
        providers.each_value(&:enable)
      end

      def disable!
        providers.each_value(&:disable)
      end

      # Destroy every provider and forget them (tests, shutdown).
      def clean
        providers.each_value(&:destroy)
        providers.clear
      end

      def backend_mask_for(list)
        list = Array(list)
        raise ArgumentError, 'backends: needs at least one of :usdt, :lttng' if list.empty?

        list.reduce(0) do |mask, b|
          mask | BACKENDS.fetch(b.to_sym) do
            raise ArgumentError, "unknown backend #{b.inspect} (use :usdt or :lttng)"
          end
        end
      end
    end

    attr_reader :namespace, :tracepoints, :backend_mask_requested

    def initialize(namespace, backends: nil)
      @namespace = namespace.to_s
      backends ||= Configuration.default_backends
      @backend_mask_requested = self.class.backend_mask_for(backends)
      _native_init(@namespace, @backend_mask_requested)
      @tracepoints = {}
      @warned = false
      self.class.providers[@namespace] ||= self
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

    # Why a backend did not load (nil when it did or was not selected).
    def backend_errors
      return {} if destroyed?

      backends.each_with_object({}) do |b, h|
        msg = _backend_error(BACKENDS[b])
        h[b] = msg if msg
      end
    end

    # Load the provider: its tracepoints become visible to tracers.  When
    # some backend cannot load (say, LTTng without a compiler) the others
    # still do: a warning names the failure once, and #backend_errors tells.
    def enable
      return true if enabled?

      partial = _native_load == Native::LOAD_PARTIAL
      if partial && !@warned
        @warned = true
        warn "static_tracing: provider #{namespace} loaded partially: #{backend_errors.inspect}"
      end
      true
    end

    def disable
      _native_unload if enabled?
      true
    end

    def enabled?
      loaded_mask != 0
    end

    def destroy
      _native_destroy
      nil
    end

    # ruby-static-tracing's way of adding a tracepoint to this provider.
    def add_tracepoint(tracepoint, *args, **kw)
      if tracepoint.is_a?(Tracepoint)
        @tracepoints[tracepoint.name.to_s] = tracepoint
      else
        Tracepoint.new(namespace, tracepoint.to_s, *args, **kw)
      end
    end

    # Run the block (which adds a probe) with the provider unloaded, and load
    # it again after when it was loaded.  Tracers attached to the old
    # objects must attach again: adding a probe builds new ones.
    def _with_unloaded
      was = enabled?
      disable if was
      yield
    ensure
      enable if was
    end
  end
end
