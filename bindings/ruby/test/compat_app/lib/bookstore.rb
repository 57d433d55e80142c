# frozen_string_literal: true

require 'ruby-static-tracing'

# A bookstore's back end, traced with ruby-static-tracing.
module Bookstore
  Book = Struct.new(:isbn, :title, :price_cents, :copies)

  # Latency of lookups and restocks (usdt::bookstore_inventory:lookup).
  class Inventory
    def initialize
      @books = {}
    end

    def add(isbn, title, price_cents:, copies: 1)
      @books[isbn] = Book.new(isbn, title, price_cents, copies)
    end

    def lookup(isbn)
      @books.fetch(isbn) { raise KeyError, "no book #{isbn}" }
    end

    def restock!(isbn, copies)
      lookup(isbn).copies += copies
    end

    def available?(isbn)
      @books.key?(isbn) && @books[isbn].copies.positive?
    end

    def each_title
      @books.each_value { |b| yield b.title }
    end

    StaticTracing::Tracer::Latency.register(self, :lookup, :restock!)
  end

  # Who pays? (usdt::bookstore_checkout:pay fires the caller's stack.)
  class Checkout
    def initialize(inventory)
      @inventory = inventory
    end

    def pay(isbn, quantity = 1)
      book = @inventory.lookup(isbn)
      total = book.price_cents * quantity
      Metrics.order_placed(total, isbn)
      block_given? ? yield(total) : total
    end

    StaticTracing::Tracer::Stack.register(self, :pay)
  end

  # A controller: every public action defined before the include is timed.
  class Api
    def initialize(inventory, checkout)
      @inventory = inventory
      @checkout = checkout
    end

    def index
      titles = []
      @inventory.each_title { |t| titles << t }
      titles.sort
    end

    def show(isbn)
      @inventory.lookup(isbn).title
    end

    def buy(isbn, quantity: 1)
      @checkout.pay(isbn, quantity)
    end

    include StaticTracing::Tracer::Concerns::Latency

    def health
      'ok'
    end
  end

  # A tracer of the application's own: counts calls (method name, 1).
  class CallCounter < StaticTracing::Tracer::Base
    set_wrapping_function lambda { |*args, &block|
      provider = StaticTracing::Tracer::Helpers.underscore(self.class.name)
      StaticTracing::Tracepoint.fetch(provider, __method__.to_s).fire(__method__.to_s, 1)
      super(*args, &block)
    }

    set_tracepoint_data_types(String, Integer)
  end

  # Audit log entries, counted by CallCounter.
  class Audit
    def record(event)
      event.to_s.upcase
    end

    CallCounter.register(self, :record)
  end

  # Hand-made tracepoints.
  module Metrics
    ORDER = StaticTracing::Tracepoint.new('bookstore', 'order', Integer, String)
    STOCK = StaticTracing::Provider.register('bookstore')
                                   .add_tracepoint('stock', String, Integer)

    module_function

    def order_placed(total_cents, isbn)
      ORDER.fire(total_cents, isbn) if ORDER.enabled?
    end

    def stock_level(isbn, copies)
      STOCK.fire(isbn, copies) if STOCK.enabled?
    end

    def provider
      StaticTracing::Provider.fetch('bookstore')
    end
  end

  module_function

  # SIGPROF switches tracing on and off (the gem's default mode).
  def configure_tracing
    StaticTracing.configure do |config|
      config.mode = StaticTracing::Configuration::Modes::SIGNAL
      config.signal = StaticTracing::Configuration::Modes::SIGNALS::SIGPROF
      config.add_tracer(StaticTracing::Tracer::Latency)
      config.add_tracer(StaticTracing::Tracer::Stack)
      config.add_tracer(CallCounter)
    end
  end

  def seed(inventory)
    inventory.add('9780131103627', 'The C Programming Language', price_cents: 4999, copies: 3)
    inventory.add('9780201633610', 'Design Patterns', price_cents: 5499)
    inventory.add('9781449373320', 'Designing Data-Intensive Applications', price_cents: 3999)
    inventory
  end
end
