# frozen_string_literal: true

module StaticTracing
  module Tracer
    # What tracers share: register(klass, *methods) adds one tracepoint per
    # method to the provider named after the class, and prepends to the
    # class a module that receives the wrapping methods.  The wrappers exist
    # only while the tracer is enabled (StaticTracing.enable!, mode ON, or
    # the signal); disabled, calls reach the original methods directly.
    #
    # Subclasses set data_types / arg_names and define
    # define_wrapper(mod, method_name, tracepoint, label).
    class Base
      class << self
        attr_reader :data_types, :arg_names

        def register(klass, *method_names, provider: nil)
          provider_name = provider || Helpers.underscore(klass.name)
          prov = Provider.register(provider_name)
          mod = wrapper_module(klass)
          added = method_names.flatten.map do |m|
            probe = Helpers.probe_name(m)
            tp = prov.tracepoints[probe] ||
                 Tracepoint.new(provider_name, probe, *data_types, arg_names: arg_names)
            entry = [mod, m.to_sym, tp, m.to_s]
            registry[[klass, m.to_sym]] = entry
            entry
          end
          Tracers.add(self)
          if enabled?
            added.each { |e| install(*e) }
            prov.enable
          end
          added.map { |e| e[2] }
        end

        def registered?(klass, method_name)
          registry.key?([klass, method_name.to_sym])
        end

        def enabled?
          @enabled ? true : false
        end

        def enable!
          registry.each_value { |e| install(*e) }
          @enabled = true
        end

        def disable!
          registry.each_value do |mod, name, _tp, _label|
            mod.send(:remove_method, name) if mod.method_defined?(name, false) ||
                                              mod.private_method_defined?(name, false)
          end
          @enabled = false
        end

        def clean
          disable!
          registry.clear
        end

        private

        def set_data_types(*types)
          @data_types = types
        end

        def set_arg_names(*names)
          @arg_names = names
        end

        def registry
          @registry ||= {}
        end

        def wrapper_module(klass)
          @wrappers ||= {}
          @wrappers[klass] ||= Module.new.tap do |m|
            m.define_singleton_method(:inspect) { "StaticTracing wrapper for #{klass}" }
            klass.prepend(m)
          end
        end

        def install(mod, name, tracepoint, label)
          return if mod.method_defined?(name, false) || mod.private_method_defined?(name, false)

          define_wrapper(mod, name, tracepoint, label)
          mod.send(:ruby2_keywords, name)
        end
      end
    end
  end
end
