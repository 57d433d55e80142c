# frozen_string_literal: true

require_relative 'base'

module StaticTracing
  module Tracer
    # Fires provider:method(method String, duration Integer ns) after each
    # call of a registered method:
    #
    #   bpftrace -e 'usdt::sample_controller:* { @[str(arg0)] = hist(arg1); }' -p PID
    #
    # With compat (the default) it times every call and fires, as
    # ruby-static-tracing did, and a call that raises fires nothing.  With
    # config.compat = false it times only while a tracer listens (a disabled
    # probe costs one check) and fires for calls that raise too.  Python's
    # dynprobe.latency fires the same signature, in the same order.
    class Latency < Base
      set_tracepoint_data_types String, Integer
      set_arg_names 'method', 'duration'

      def self.define_wrapper(mod, name, tracepoint, label, compat)
        if compat
          mod.send(:define_method, name) do |*args, &blk|
            start = StaticTracing.nsec
            result = super(*args, &blk)
            tracepoint.fire(label, StaticTracing.nsec - start)
            result
          end
        else
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
      private_class_method :define_wrapper
    end
  end
end
