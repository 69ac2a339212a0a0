# The events the benchmark manages: var.events_per_account custom events in each of
# var.ad_accounts ad accounts, as one map keyed "<ad_account_id>/<name>" that the
# resources iterate with for_each. scripts/bench.sh copies this file next to either
# pinterest.tf or floor.tf, so both manage the same keys.

variable "ad_accounts" {
  description = "How many ad accounts: ids 100000000000000001, 100000000000000002, ..."
  type        = number
}

variable "events_per_account" {
  description = "How many custom events each ad account holds; Pinterest allows 15."
  type        = number
  default     = 15
}

locals {
  mapping_types = [
    "SIGNUP", "ADD_TO_CART", "LEAD", "CHECKOUT", "SUBSCRIBE", "ADD_TO_WISHLIST",
    "ADD_PAYMENT_INFO", "INITIATE_CHECKOUT", "CONTACT", "CUSTOMIZE_PRODUCT", "FIND_LOCATION",
    "SCHEDULE", "SUBMIT_APPLICATION", "START_TRIAL", "PAGE_VISIT", "VIEW_CATEGORY",
    "VIEW_CONTENT", "SEARCH", "WATCH_VIDEO",
  ]

  ad_account_ids = [for i in range(1, var.ad_accounts + 1) : format("1%017d", i)]

  events = merge([
    for account in local.ad_account_ids : {
      for i in range(1, var.events_per_account + 1) :
      "${account}/Bench_Event_${format("%02d", i)}" => {
        ad_account_id          = account
        name                   = "Bench_Event_${format("%02d", i)}"
        mapped_conversion_type = local.mapping_types[(i - 1) % length(local.mapping_types)]
      }
    }
  ]...)
}
