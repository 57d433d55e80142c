# frozen_string_literal: true

module StaticTracing
  module Tracer
    # Fires provider:method(method_name String, stack String) before each
    # call of a registered method, when a tracer listens; the stack is
    # Kernel#caller joined with newlines.
    #
    #   bpftrace -e 'usdt::my_class:work { printf("%s\n", str(arg1)); }' -p PID
    class Stack < Base
      set_data_types String, String
      set_arg_names 'method', 'stack'

      def self.define_wrapper(mod, name, tracepoint, label)
        mod.send(:define_method, name) do |*args, &blk|
          tracepoint.fire(label, caller.join("\n")) if tracepoint.enabled?
          super(*args, &blk)
        end
      end
    end
  end
end
