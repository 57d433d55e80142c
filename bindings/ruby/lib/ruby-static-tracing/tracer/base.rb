# frozen_string_literal: true

require_relative '../core'
require_relative '../provider'
require_relative '../tracepoint'
require_relative 'helpers'

module StaticTracing
  module Tracer
    # What tracers share.  register(klass, *methods) adds one tracepoint per
    # method to the provider named after the class, and prepends to the
    # class a module that receives the wrapping methods.  The wrappers exist
    # only while the tracer is enabled (Tracer::X.enable!, or
    # StaticTracing.enable! for a tracer added with config.add_tracer);
    # disabled, calls reach the original methods directly.
    #
    # A tracer of your own, as with ruby-static-tracing:
    #
    #   class CallCount < StaticTracing::Tracer::Base
    #     set_wrapping_function lambda { |*args, &block|
    #       provider = StaticTracing::Tracer::Helpers.underscore(self.class.name)
    #       StaticTracing::Tracepoint.fetch(provider, __method__).fire(__method__.to_s)
    #       super(*args, &block)
    #     }
    #     set_tracepoint_data_types(String)
    #   end
    #
    # The wrapping function becomes the method of the prepended module
    # (define_method), so super reaches the original.
    class Base
      class << self
        include Tracer::Helpers

        attr_reader :arg_names

        # Trace methods of klass: one tracepoint per method, named after it
        # (published under a C identifier: save! -> save_bang), in the
        # provider named after the class.  Returns the
        # method names.  provider: names the provider instead - but, as in
        # ruby-static-tracing 0.0.15, only with config.compat = false (with
        # compat it is ignored, with a warning).
        def register(klass, *method_names, provider: nil)
          provider_name = provider_for(klass, provider)
          prov = Provider.register(provider_name)
          mod = wrapper_module(klass)
          names = method_names.flatten
          names.each do |m|
            tp = tracepoint_for(prov, provider_name, m)
            registry[[klass, m.to_sym]] = [mod, m.to_sym, tp, m.to_s]
            install(mod, m.to_sym, tp, m.to_s) if enabled?
          end
          # Tracing is on: a class registered now is traced now.
          prov.enable if StaticTracing.enabled?
          names
        end

        def registered?(klass, method_name)
          registry.key?([klass, method_name.to_sym])
        end

        def enabled?
          @enabled ? true : false
        end

        # Wrap every registered method.
        def enable!
          registry.each_value { |e| install(*e) }
          @enabled = true
        end

        # Unwrap every registered method.
        def disable!
          registry.each_value do |mod, name, _tp, _label|
            mod.send(:remove_method, name) if mod.method_defined?(name, false) ||
                                              mod.private_method_defined?(name, false)
          end
          @enabled = false
        end

        # Unwrap and forget every registration of this tracer.
        def clean
          disable!
          registry.clear
        end

        # The tracepoint types (ruby-static-tracing's name).
        def tracepoint_data_types
          @data_types || []
        end
        alias data_types tracepoint_data_types

        private

        def set_tracepoint_data_types(*types)
          @data_types = types.flatten
        end

        # dynprobe: names of the LTTng fields of the tracer's tracepoints.
        def set_arg_names(*names)
          @arg_names = names.flatten.map(&:to_s)
        end

        # The method body of every wrapped method (see the class comment).
        def set_wrapping_function(callable)
          @wrapping_function = callable
        end

        def provider_for(klass, provider)
          return underscore(klass.name) unless provider
          return provider.to_s unless Configuration.compat?

          StaticTracing.logger&.warn("#{name}.register(#{klass}, provider: #{provider.inspect}): " \
                                     'provider: is ignored with config.compat (as in ' \
                                     'ruby-static-tracing 0.0.15); set config.compat = false to use it')
          underscore(klass.name)
        end

        def tracepoint_for(prov, provider_name, method)
          prov.tracepoints[method.to_s] ||
            Tracepoint.new(provider_name, method.to_s, *tracepoint_data_types, arg_names: arg_names)
        end

        def registry
          @registry ||= {}
        end

        def wrapper_module(klass)
          @wrappers ||= {}
          @wrappers[klass] ||= Module.new.tap do |m|
            tracer = self
            m.define_singleton_method(:inspect) { "#<#{tracer} wrapper for #{klass}>" }
            klass.prepend(m)
          end
        end

        def install(mod, name, tracepoint, label)
          return if mod.method_defined?(name, false) || mod.private_method_defined?(name, false)

          visibility = visibility_of(@wrappers.key(mod), name)
          if @wrapping_function
            mod.send(:define_method, name, @wrapping_function)
          else
            define_wrapper(mod, name, tracepoint, label, Configuration.compat?)
          end
          mod.send(:ruby2_keywords, name) if mod.instance_method(name).parameters.any? { |t, _| t == :rest }
          mod.send(visibility, name)
        end

        # The traced method's visibility, kept on its wrapper.
        def visibility_of(klass, name)
          if klass.private_method_defined?(name) then :private
          elsif klass.protected_method_defined?(name) then :protected
          else :public
          end
        end

        # Subclasses without a wrapping function define
        # define_wrapper(mod, name, tracepoint, label, compat).
        def define_wrapper(_mod, _name, _tracepoint, _label, _compat)
          raise InternalError, "#{self} has neither a wrapping function nor define_wrapper"
        end
      end
    end
  end
end
