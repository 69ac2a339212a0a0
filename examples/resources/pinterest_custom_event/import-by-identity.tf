# Adopt an event by its identity instead of its id (Terraform v1.12 and later).
import {
  to = pinterest_custom_event.by_identity
  identity = {
    ad_account_id = "549755885175"
    name          = "Newsletter_Signup"
  }
}

resource "pinterest_custom_event" "by_identity" {
  ad_account_id          = "549755885175"
  name                   = "Newsletter_Signup"
  mapped_conversion_type = "SIGNUP"
}
