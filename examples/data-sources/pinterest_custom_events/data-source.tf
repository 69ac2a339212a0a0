# Every custom event of an ad account, including those made in Ads Manager.
data "pinterest_custom_events" "all" {
  ad_account_id = "549755885175"
}

output "events_by_type" {
  value = {
    for e in data.pinterest_custom_events.all.events :
    coalesce(e.mapped_conversion_type, "UNMAPPED") => e.name...
  }
}

# How many of the 15 events an ad account may have are left.
output "events_left" {
  value = 15 - length(data.pinterest_custom_events.all.events)
}
