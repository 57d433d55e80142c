# frozen_string_literal: true

# The path of this gem's 0.1 releases; the same as `require 'ruby-static-tracing'`.
require_relative 'ruby-static-tracing'
