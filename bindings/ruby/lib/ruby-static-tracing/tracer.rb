# frozen_string_literal: true

require_relative 'tracer/base'
require_relative 'tracer/latency'
require_relative 'tracer/stack'
