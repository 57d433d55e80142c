# frozen_string_literal: true

module StaticTracing
  # The gem's version; it implements ruby-static-tracing 0.0.15's API.
  VERSION = '0.2.0'
  # The version of ruby-static-tracing whose API this gem keeps.
  COMPATIBLE_VERSION = '0.0.15'
end
