# frozen_string_literal: true

require_relative 'core'
require_relative 'tracer/base'

module StaticTracing
  # The tracers that StaticTracing.enable! and disable! switch: the classes
  # given to Configuration#add_tracer (or Tracers.add).
  class Tracers
    # Tracers.add was given something that is not a tracer.
    class InvalidTracerError < BaseError
      def initialize(msg = nil)
        super(msg || 'not a tracer: a tracer is a subclass of StaticTracing::Tracer::Base ' \
                     '(StaticTracing::Tracer::Latency, StaticTracing::Tracer::Stack or your own)')
      end
    end

    class << self
      # Add a tracer; returns the list of tracers.
      def add(tracer)
        raise InvalidTracerError unless tracer.is_a?(Class) && tracer < StaticTracing::Tracer::Base

        tracers << tracer unless tracers.include?(tracer)
        tracers
      end

      # Switch every added tracer on: its registered methods are wrapped.
      def enable!
        tracers.each(&:enable!)
      end

      # Switch every added tracer off: the methods are unwrapped.
      def disable!
        tracers.each(&:disable!)
      end

      # Forget the added tracers.  Each tracer keeps its registrations (as
      # in ruby-static-tracing): Tracer::Latency.enable! still wraps them.
      def clean
        @tracers = []
      end

      # The added tracers (a copy).
      def list
        tracers.dup
      end

      private

      def tracers
        @tracers ||= []
      end
    end
  end
end
