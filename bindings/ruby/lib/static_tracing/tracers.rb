# frozen_string_literal: true

module StaticTracing
  # The tracer classes in use (StaticTracing::Tracer::Latency, ...).
  module Tracers
    class << self
      def add(tracer)
        list << tracer unless list.include?(tracer)
        tracer
      end

      def enable!
        list.each(&:enable!)
      end

      def disable!
        list.each(&:disable!)
      end

      def clean
        disable!
        list.each(&:clean)
        list.clear
      end

      def list
        @list ||= []
      end
    end
  end
end
