# frozen_string_literal: true

# `require 'ruby-static-tracing'`, as the original gem's users write it.
require_relative 'static_tracing'
