# frozen_string_literal: true

# `require 'ruby-static-tracing'`: the whole gem.
require_relative 'ruby-static-tracing/core'
require_relative 'ruby-static-tracing/provider'
require_relative 'ruby-static-tracing/tracepoint'
require_relative 'ruby-static-tracing/configuration'
require_relative 'ruby-static-tracing/tracer'
require_relative 'ruby-static-tracing/tracers'
require_relative 'ruby-static-tracing/tracer/concerns/latency_tracer'
