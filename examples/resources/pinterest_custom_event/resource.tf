# Counts "Checkout_Started", as the tag and the Conversions API send it, as a checkout
# being started. The ad account is the provider's ad_account_id.
resource "pinterest_custom_event" "checkout_started" {
  name                   = "Checkout_Started"
  mapped_conversion_type = "INITIATE_CHECKOUT"
}

# An event of another ad account than the provider's default.
resource "pinterest_custom_event" "newsletter" {
  ad_account_id          = "549755885176"
  name                   = "Newsletter_Signup"
  mapped_conversion_type = "SIGNUP"
}
