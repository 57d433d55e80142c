# frozen_string_literal: true

require_relative 'core'
require_relative 'provider'
require_relative 'tracer/helpers'

module StaticTracing
  # A typed probe of a provider.
  #
  #   t = StaticTracing::Tracepoint.new('global', 'hello_nsec', Integer, String)
  #   t.provider.enable
  #   t.fire(StaticTracing.nsec, 'Hello world') if t.enabled?
  #
  # Types: ruby-static-tracing's Integer (i64) and String, or a dynprobe
  # type as a Symbol or String: :i8 :u8 :i16 :u16 :i32 :u32 :i64 :u64 :str
  # :double (aliases :int, :uint, :string, :float).  Float, like every other
  # class, raises InvalidArgType, as it did in ruby-static-tracing: declare
  # :double.
  #
  # #fire (C) raises ArgumentError for a wrong argument count,
  # InvalidArgumentError (a TypeError) for a value of the wrong class (nil
  # passes only for :str, as a NULL string), RangeError for an integer that
  # does not fit its type - whether or not a tracer listens.  A String with
  # an embedded NUL is recorded up to the NUL.  It returns true when a
  # tracer recorded the event.
  class Tracepoint
    # Tracepoint.fetch found no such tracepoint.
    class TracepointMissingError < BaseError; end

    # A fired value of the wrong class.
    class InvalidArgumentError < TypeError
      attr_reader :argument, :expected_type

      def initialize(argument, expected_type, index = nil, tracepoint = nil)
        @argument = argument
        @expected_type = expected_type
        where = index ? "argument #{index}" : 'an argument'
        of = tracepoint ? "tracepoint #{tracepoint.provider_name}:#{tracepoint.probe_name}" : 'the tracepoint'
        super("#{where} of #{of} is #{argument.inspect} (#{argument.class}), " \
              "but it was declared #{expected_type.inspect}")
      end
    end

    # A type a tracepoint cannot be declared with.
    class InvalidArgType < ArgumentError; end

    # The classes ruby-static-tracing accepted as argument types.
    VALID_ARGS_TYPES = [Integer, String].freeze
    CLASS_TYPES = { Integer => 'i64', String => 'str' }.freeze

    class << self
      # The tracepoint `name` of provider `provider`, or
      # TracepointMissingError.  A method name finds the tracepoint a tracer
      # made for it (:save! finds save_bang).
      def fetch(provider, name)
        prov = Provider.fetch(provider)
        prov.tracepoints.fetch(name.to_s) do
          prov.tracepoint_published_as(probe_name_for(name)) ||
            raise(TracepointMissingError, "no tracepoint #{name} in provider #{provider}")
        end
      end

      # The name a tracepoint is published under: a C identifier as given;
      # a Ruby method name mapped to one (empty? -> empty_p, save! ->
      # save_bang, name= -> name_set, [] -> __), as ruby-static-tracing
      # accepted any name.  Anything else goes to the library, which refuses it.
      def probe_name_for(name)
        s = name.to_s
        return s if s.match?(/\A[A-Za-z_][A-Za-z0-9_]*\z/)
        return Tracer::Helpers.probe_name(s) if ruby_method_name?(s)

        s
      end

      def ruby_method_name?(s)
        s.match?(/\A[A-Za-z_][A-Za-z0-9_]*[?!=]\z/) ||
          %w[[] []= + - * / % ** == != < <= > >= <=> === =~ !~ ! ~ +@ -@ << >> & | ^].include?(s)
      end

      # A declared type -> [dynprobe type code, nil allowed?].
      def type_code(type)
        if CLASS_TYPES.key?(type)
          [Native.parse_type(CLASS_TYPES[type]), false]
        elsif type.is_a?(Symbol) || type.is_a?(String)
          [Native.parse_type(type.to_s), true]
        else
          hint = type == Float ? ' (declare :double for a floating-point value)' : ''
          raise InvalidArgType, "invalid tracepoint argument type #{type.inspect}: " \
                                "use Integer, String or a dynprobe type such as :u64#{hint}"
        end
      rescue ArgumentError => e
        raise if e.is_a?(InvalidArgType)

        raise InvalidArgType, "invalid tracepoint argument type #{type.inspect} (#{e.message})"
      end

      private :ruby_method_name?
    end

    attr_reader :provider_name, :name, :args, :arg_names, :loglevel
    # The name tracers see (Tracepoint.probe_name_for(name)).
    attr_reader :probe_name

    # Declare a tracepoint; the provider is registered on first use.  The
    # same provider and name declared again with the same types gives a
    # Tracepoint firing the same probe; with other types, ArgumentError.
    # dynprobe's options:
    #   arg_names: names of the LTTng fields (C identifiers; default argN)
    #   loglevel:  the LTTng event's log level (:info, 'debug', 'TRACE_ERR', ...)
    #   backends:  passed to Provider.register when this creates the provider
    def initialize(provider_name, name, *args, arg_names: nil, loglevel: nil, backends: nil)
      @provider_name = provider_name
      @name = name
      @args = args.freeze
      codes, nil_ok = args.map { |t| self.class.type_code(t) }.transpose
      codes ||= []
      nil_ok ||= []
      @arg_names = arg_names&.map { |n| n&.to_s }&.freeze
      @loglevel = loglevel
      level = loglevel.nil? ? 0 : Native.parse_loglevel(loglevel.to_s)
      @probe_name = self.class.probe_name_for(name)
      provider = Provider.register(provider_name, backends: backends)
      if (existing = provider.tracepoint_published_as(@probe_name))
        existing.send(:check_redeclaration, codes, @arg_names, level)
        _native_share(existing, nil_ok)
      else
        provider._with_unloaded { _native_init(provider, @probe_name, codes, nil_ok, @arg_names, level) }
      end
      @codes = codes.freeze
      @level = level
      provider.add_tracepoint(self)
    end

    # The provider this tracepoint belongs to.
    def provider
      Provider.fetch(@provider_name)
    end

    # The dynprobe types, e.g. ["i64", "str"].
    def types
      @codes.map { |c| Native::TYPES.key(c) }
    end

    def inspect
      "#<#{self.class} #{@provider_name}:#{@probe_name}(#{types.join(', ')})>"
    end

    private

    def check_redeclaration(codes, names, level)
      same = codes == @codes && (names.nil? || names == (@arg_names || @codes.each_index.map { |i| "arg#{i}" })) &&
             (level.zero? || level == @level)
      return if same

      raise ArgumentError, "tracepoint #{@provider_name}:#{@probe_name} is already declared as " \
                           "(#{types.join(', ')}); declare it again with the same types " \
                           '(a probe has one signature)'
    end
  end
  # This gem's 0.1 name.
  TracepointMissingError = Tracepoint::TracepointMissingError
end
