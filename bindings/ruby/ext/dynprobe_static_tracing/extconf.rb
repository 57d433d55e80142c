# extconf.rb - build the C extension against libdynprobe.
#
# Where libdynprobe comes from, in order:
#   DYNPROBE_BUILD_DIR=/path/to/meson-build   an uninstalled meson build:
#       the header from the source tree it was configured from (found via
#       meson-info, or DYNPROBE_SOURCE_DIR), the library from BUILD/src;
#       the extension gets an rpath to BUILD/src so tests need no
#       LD_LIBRARY_PATH;
#   pkg-config dynprobe                         an installed library.
require 'mkmf'
require 'json'

def dynprobe_source_dir(build)
  return ENV['DYNPROBE_SOURCE_DIR'] if ENV['DYNPROBE_SOURCE_DIR']

  info = File.join(build, 'meson-info', 'meson-info.json')
  return JSON.parse(File.read(info)).dig('directories', 'source') if File.exist?(info)

  File.expand_path('..', build)
end

build = ENV['DYNPROBE_BUILD_DIR']
if build && !build.empty?
  build = File.expand_path(build)
  src = dynprobe_source_dir(build)
  libdir = File.join(build, 'src')
  $INCFLAGS << " -I#{File.join(src, 'include')}"
  $LDFLAGS << " -L#{libdir} -Wl,-rpath,#{libdir}"
  $libs = "-ldynprobe #{$libs}"
elsif !pkg_config('dynprobe')
  abort 'libdynprobe not found: install it (pkg-config dynprobe) or set DYNPROBE_BUILD_DIR'
end

abort 'dynprobe.h not found' unless have_header('dynprobe.h')
abort 'libdynprobe not usable' unless have_func('dynprobe_fire', 'dynprobe.h')

$CFLAGS << ' -std=gnu11 -O2 -Wall -Wextra -Wno-unused-parameter'
create_makefile('dynprobe_static_tracing')
