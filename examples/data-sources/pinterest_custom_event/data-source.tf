# One event of the provider's ad account, whoever made it. The name matches without
# regard to case; reading fails when the ad account has no such event.
data "pinterest_custom_event" "checkout_started" {
  name = "checkout_started"
}

output "checkout_started_counts_as" {
  value = data.pinterest_custom_event.checkout_started.mapped_conversion_type
}
