# frozen_string_literal: true

module StaticTracing
  # Which platform this is.  libdynprobe is Linux only: supported_platform?
  # is linux?.
  module Platform
    module_function

    # Truthy (a MatchData) on Linux.
    def linux?
      /linux/.match(RUBY_PLATFORM)
    end

    # Truthy (a MatchData) on macOS.
    def darwin?
      /darwin/.match(RUBY_PLATFORM)
    end

    # Can tracepoints be published here?
    def supported_platform?
      linux?
    end
  end
end
