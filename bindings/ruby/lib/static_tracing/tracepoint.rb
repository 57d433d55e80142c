# frozen_string_literal: true

module StaticTracing
  # A typed probe of a provider.
  #
  #   t = StaticTracing::Tracepoint.new('global', 'hello_nsec', Integer, String)
  #   t.provider.enable
  #   t.fire(StaticTracing.nsec, 'Hello world') if t.enabled?
  #
  # Types: Integer (i64), String (str), Float (double), or a dynprobe type
  # as a Symbol or String: :i8 :u8 :i16 :u16 :i32 :u32 :i64 :u64 :str
  # :double (aliases :int, :uint, :string, :float).
  #
  # #fire (C) raises ArgumentError for a wrong argument count,
  # InvalidArgumentError (a TypeError) for a value of the wrong class,
  # RangeError for an integer that does not fit its type, and - only while a
  # tracer listens, when strings are converted - ArgumentError for a string
  # with an embedded NUL.  It returns true when a tracer recorded the event.
  # A String argument may also be nil (recorded as a NULL string).
  class Tracepoint
    # The gem's error for an undeclarable type.
    class InvalidArgType < ArgumentError; end

    VALID_ARGS_TYPES = [Integer, String, Float].freeze
    CLASS_TYPES = { Integer => 'i64', String => 'str', Float => 'double' }.freeze

    class << self
      def fetch(provider, name)
        Provider.fetch(provider).tracepoints.fetch(name.to_s) do
          raise TracepointMissingError, "no tracepoint #{name} in provider #{provider}"
        end
      end

      def type_code(type)
        name = CLASS_TYPES[type] || (type.is_a?(Symbol) || type.is_a?(String) ? type.to_s : nil)
        raise InvalidArgType, "invalid tracepoint argument type #{type.inspect}" unless name

        begin
          Native.parse_type(name)
        rescue ArgumentError => e
          raise InvalidArgType, "invalid tracepoint argument type #{type.inspect} (#{e.message})"
        end
      end
    end

    attr_reader :provider_name, :name, :args

    # arg_names: names of the LTTng fields (C identifiers; default argN).
    # backends: passed to Provider.register when this creates the provider.
    def initialize(provider_name, name, *args, arg_names: nil, backends: nil)
      @provider_name = provider_name.to_s
      @name = name.to_s
      @args = args.freeze
      codes = args.map { |t| self.class.type_code(t) }
      provider = Provider.register(@provider_name, backends: backends)
      names = arg_names&.map { |n| n&.to_s }
      provider._with_unloaded { _native_init(provider, @name, codes, names) }
      provider.add_tracepoint(self)
    end

    def provider
      Provider.fetch(@provider_name)
    end

    def inspect
      "#<#{self.class} #{@provider_name}:#{@name}(#{@args.map(&:to_s).join(', ')})>"
    end
  end
end
