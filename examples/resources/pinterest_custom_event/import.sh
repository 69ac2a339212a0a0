# A custom event is imported by <ad_account_id>/<name>. The name matches without
# regard to case; the state takes the case Pinterest shows.
terraform import pinterest_custom_event.example 549755885175/Checkout_Started
