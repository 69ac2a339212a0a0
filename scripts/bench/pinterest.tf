# The provider under test. Its token and base URL come from PINTEREST_ACCESS_TOKEN and
# PINTEREST_BASE_URL, which scripts/bench.sh points at the emulator.
terraform {
  required_providers {
    pinterest = {
      source = "conversionops/pinterest"
    }
  }
}

provider "pinterest" {}

resource "pinterest_custom_event" "bench" {
  for_each = local.events

  ad_account_id          = each.value.ad_account_id
  name                   = each.value.name
  mapped_conversion_type = each.value.mapped_conversion_type
}
