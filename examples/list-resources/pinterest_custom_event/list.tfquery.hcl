# Adopts the custom events an ad account already holds, with Terraform v1.14.0 or later.
#
# Put this file in the directory of a configuration whose required_providers names
# conversionops/pinterest; any name ending in .tfquery.hcl will do. Then run:
#
#   terraform init
#   terraform query                                     # shows what the blocks find
#   terraform query -generate-config-out=generated.tf   # writes import and resource blocks
#   terraform plan                                      # plans the imports, no change
#   terraform apply
#
# An event whose mapping is a type a mapping cannot be set to, such as CUSTOM, or none,
# needs one of the writable types in generated.tf before the plan accepts it.

# A query file configures the providers its list blocks use. The access token comes
# from PINTEREST_ACCESS_TOKEN.
provider "pinterest" {
  ad_account_id = "549755885175"
}

# Every custom event of the provider's ad account. include_resource returns each
# event's attributes, not only its identity, so that configuration can be generated.
list "pinterest_custom_event" "all" {
  provider         = pinterest
  include_resource = true
}

# Only the events of another ad account whose names start with "checkout", in any case,
# and that count as a started checkout.
list "pinterest_custom_event" "checkout_started" {
  provider         = pinterest
  include_resource = true

  config {
    ad_account_id          = "549755885176"
    name_prefix            = "checkout"
    mapped_conversion_type = "INITIATE_CHECKOUT"
  }
}
