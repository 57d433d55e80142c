# frozen_string_literal: true

module StaticTracing
  module Tracer
    # Names for providers and probes made from Ruby classes and methods.
    module Helpers
      module_function

      # "Admin::SampleController" -> "admin_sample_controller"
      def underscore(class_name)
        raise ArgumentError, 'an anonymous class has no provider name' if class_name.nil?

        class_name.to_s.gsub('::', '_')
                  .gsub(/([A-Z]+)([A-Z][a-z])/, '\1_\2')
                  .gsub(/([a-z\d])([A-Z])/, '\1_\2')
                  .tr('-', '_').downcase
      end

      # A method name as a probe name (a C identifier):
      # empty? -> empty_p, save! -> save_bang, name= -> name_set, [] -> __
      def probe_name(method_name)
        s = method_name.to_s.sub(/\?\z/, '_p').sub(/!\z/, '_bang').sub(/=\z/, '_set')
        s = s.gsub(/[^A-Za-z0-9_]/, '_')
        s = "_#{s}" if s.match?(/\A\d/)
        s
      end
    end
  end
end
