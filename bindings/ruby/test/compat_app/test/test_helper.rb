# frozen_string_literal: true

require 'minitest/autorun'
require 'mocha/minitest'
$LOAD_PATH.unshift File.expand_path('../lib', __dir__)
require 'bookstore'

module BookstoreTestHelper
  def inventory
    @inventory ||= Bookstore.seed(Bookstore::Inventory.new)
  end

  def api
    @api ||= Bookstore::Api.new(inventory, Bookstore::Checkout.new(inventory))
  end
end
