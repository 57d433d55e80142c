# frozen_string_literal: true

require_relative 'base'

module StaticTracing
  module Tracer
    # Fires provider:method(method String, stack String) before each call of
    # a registered method; the stack is Kernel#caller joined with newlines.
    #
    #   BPFTRACE_STRLEN=200 bpftrace -e 'usdt::my_class:work { printf("%s\n", str(arg1)); }' -p PID
    #
    # With compat (the default) the stack is built for every call, as
    # ruby-static-tracing did; with config.compat = false only while a
    # tracer listens.
    class Stack < Base
      set_tracepoint_data_types String, String
      set_arg_names 'method', 'stack'

      def self.define_wrapper(mod, name, tracepoint, label, compat)
        mod.send(:define_method, name) do |*args, &blk|
          tracepoint.fire(label, caller.join("\n")) if compat || tracepoint.enabled?
          super(*args, &blk)
        end
      end
      private_class_method :define_wrapper
    end
  end
end
