# frozen_string_literal: true

require_relative '../latency'

module StaticTracing
  module Tracer
    module Concerns
      # include StaticTracing::Tracer::Concerns::Latency
      #
      # Traces, with Tracer::Latency, the public instance methods the class
      # defines itself before the include (as ruby-static-tracing did).
      # With config.compat = false, public methods defined after the include
      # are traced too.
      module Latency
        def self.included(base)
          StaticTracing::Tracer::Latency.register(base, base.public_instance_methods(false))
          base.singleton_class.prepend(MethodAdded)
        end

        # Registers public methods defined after the include (compat off).
        module MethodAdded
          def method_added(name)
            super
            return if StaticTracing::Configuration.compat?
            return unless public_method_defined?(name, false)
            return if StaticTracing::Tracer::Latency.registered?(self, name)

            StaticTracing::Tracer::Latency.register(self, name)
          end
        end
      end
    end
  end
end
