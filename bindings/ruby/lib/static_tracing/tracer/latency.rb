# frozen_string_literal: true

module StaticTracing
  module Tracer
    # Fires provider:method(method_name String, duration Integer ns) after
    # each call of a registered method, when a tracer listens:
    #
    #   bpftrace -e 'usdt::sample_controller:* { @[str(arg0)] = hist(arg1); }' -p PID
    class Latency < Base
      set_data_types String, Integer
      set_arg_names 'method', 'duration'

      def self.define_wrapper(mod, name, tracepoint, label)
        mod.send(:define_method, name) do |*args, &blk|
          return super(*args, &blk) unless tracepoint.enabled?

          start = StaticTracing.nsec
          begin
            super(*args, &blk)
          ensure
            tracepoint.fire(label, StaticTracing.nsec - start)
          end
        end
      end
    end
  end
end
