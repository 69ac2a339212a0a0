# The custom events of several ad accounts, declared as one map: ad account id => event
# name => the standard type the event counts as. The map is flattened into one
# pinterest_custom_event per account and event, keyed "<ad_account_id>/<name>", the same
# form as the resource's id and import id.
#
# Against Pinterest: export PINTEREST_ACCESS_TOKEN (scopes ads:read and ads:write) and set
# var.events to your ad accounts. Against the local emulator, also export
# PINTEREST_BASE_URL with the URL it prints.
terraform {
  required_version = ">= 1.5.0"

  required_providers {
    pinterest = {
      source  = "conversionops/pinterest"
      version = "~> 0.1"
    }
  }
}

provider "pinterest" {
  # No default ad_account_id: every event names its own.
}

variable "events" {
  description = "Custom events per ad account: ad account id => event name => mapping."
  type        = map(map(string))
  default = {
    "549755885175" = {
      Checkout_Started  = "INITIATE_CHECKOUT"
      Newsletter_Signup = "SIGNUP"
    }
    "549755885176" = {
      Checkout_Started = "INITIATE_CHECKOUT"
      Quote_Requested  = "LEAD"
      Store_Finder     = "FIND_LOCATION"
    }
  }

  validation {
    condition     = alltrue([for account, events in var.events : length(events) <= 15])
    error_message = "Pinterest allows at most 15 custom events per ad account."
  }
}

locals {
  # One entry per account and event. Pinterest compares names without regard to case,
  # so the key lower-cases the name: two spellings of one name collide here, at plan
  # time, rather than at Pinterest.
  custom_events = merge([
    for account, events in var.events : {
      for name, mapping in events : "${account}/${lower(name)}" => {
        ad_account_id = account
        name          = name
        mapping       = mapping
      }
    }
  ]...)
}

resource "pinterest_custom_event" "this" {
  for_each = local.custom_events

  ad_account_id          = each.value.ad_account_id
  name                   = each.value.name
  mapped_conversion_type = each.value.mapping
}

# Everything each ad account tracks once the apply is done, including events made in
# Ads Manager.
data "pinterest_custom_events" "account" {
  for_each = var.events

  ad_account_id = each.key
  depends_on    = [pinterest_custom_event.this]
}

output "tracked_events" {
  description = "Ad account id => event name => mapping, as Pinterest reports them."
  value = {
    for account, listing in data.pinterest_custom_events.account :
    account => { for e in listing.events : e.name => e.mapped_conversion_type }
  }
}

output "events_left" {
  description = "How many more custom events each ad account can take."
  value = {
    for account, listing in data.pinterest_custom_events.account :
    account => 15 - length(listing.events)
  }
}
