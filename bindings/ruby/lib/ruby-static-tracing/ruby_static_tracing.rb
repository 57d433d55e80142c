# frozen_string_literal: true

# ruby-static-tracing's native extension path: here, libdynprobe's.
require_relative 'core'
