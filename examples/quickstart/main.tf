# A few custom events in one ad account. `make demo` applies this against the local
# emulator; against Pinterest, set PINTEREST_ACCESS_TOKEN and your ad account id.
terraform {
  required_providers {
    pinterest = {
      source = "conversionops/pinterest"
    }
  }
}

variable "ad_account_id" {
  description = "Ad account that holds the events."
  type        = string
  default     = "549755885175"
}

# The token and base URL come from PINTEREST_ACCESS_TOKEN and PINTEREST_BASE_URL.
provider "pinterest" {
  ad_account_id = var.ad_account_id
}

locals {
  # Event name, as the tag and the Conversions API send it => standard type it counts as.
  events = {
    Checkout_Started  = "INITIATE_CHECKOUT"
    Newsletter_Signup = "SIGNUP"
    Demo_Booked       = "SCHEDULE"
    Size_Guide_Opened = "VIEW_CONTENT"
  }
}

resource "pinterest_custom_event" "this" {
  for_each = local.events

  name                   = each.key
  mapped_conversion_type = each.value
}

# Everything the ad account tracks, including events made in Ads Manager.
data "pinterest_custom_events" "all" {
  depends_on = [pinterest_custom_event.this]
}

output "tracked_events" {
  value = {
    for e in data.pinterest_custom_events.all.events : e.name => e.mapped_conversion_type
  }
}
