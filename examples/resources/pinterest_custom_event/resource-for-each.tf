# Several events from one map: event name => the standard type it counts as.
locals {
  funnel_events = {
    Size_Guide_Opened = "VIEW_CONTENT"
    Demo_Booked       = "SCHEDULE"
    Trial_Started     = "START_TRIAL"
  }
}

resource "pinterest_custom_event" "funnel" {
  for_each = local.funnel_events

  name                   = each.key
  mapped_conversion_type = each.value
}
