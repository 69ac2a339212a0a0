# Adopt an event made in Ads Manager: the next plan imports it instead of creating it.
import {
  to = pinterest_custom_event.example
  id = "549755885175/Checkout_Started"
}

resource "pinterest_custom_event" "example" {
  ad_account_id          = "549755885175"
  name                   = "Checkout_Started"
  mapped_conversion_type = "INITIATE_CHECKOUT"
}
