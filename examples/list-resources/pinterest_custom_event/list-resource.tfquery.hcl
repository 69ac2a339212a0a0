# Every custom event of the provider's ad account, as `terraform query` shows them.
list "pinterest_custom_event" "all" {
  provider = pinterest
}

# The checkout events of another ad account: names compared without regard to case.
list "pinterest_custom_event" "checkout" {
  provider = pinterest

  config {
    ad_account_id = "549755885176"
    name_prefix   = "checkout"
  }
}
