# frozen_string_literal: true

module StaticTracing
  module Tracer
    module Concerns
      # include StaticTracing::Tracer::Concerns::Latency
      #
      # Traces the latency of every public instance method the class defines,
      # those defined before the include and those defined after it.
      module Latency
        def self.included(base)
          StaticTracing::Tracer::Latency.register(base, base.public_instance_methods(false))
          base.singleton_class.prepend(MethodAdded)
        end

        # Registers public methods defined after the include.
        module MethodAdded
          def method_added(name)
            super
            return unless public_method_defined?(name, false)
            return if StaticTracing::Tracer::Latency.registered?(self, name)

            StaticTracing::Tracer::Latency.register(self, name)
          end
        end
      end
    end
  end
end
