# frozen_string_literal: true

require_relative 'lib/ruby-static-tracing/version'

Gem::Specification.new do |s|
  s.name = 'dynprobe-static-tracing'
  s.version = StaticTracing::VERSION
  s.summary = 'ruby-static-tracing 0.0.15\'s API over libdynprobe: USDT and LTTng tracepoints'
  s.description = 'Runtime-defined tracepoints for Ruby, published on USDT (bpftrace, bcc, perf) ' \
                  'and/or LTTng (lttng sessions) through libdynprobe.'
  s.license = 'MIT'
  s.authors = ['dynprobe authors']
  s.required_ruby_version = '>= 2.7'
  s.files = Dir['lib/**/*.rb', 'ext/**/*.{c,rb}', 'examples/*.rb']
  s.extensions = ['ext/dynprobe_static_tracing/extconf.rb']
  s.require_paths = ['lib']
  s.add_development_dependency 'minitest'
  s.add_development_dependency 'mocha'
end
