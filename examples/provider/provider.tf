terraform {
  required_providers {
    pinterest = {
      source  = "conversionops/pinterest"
      version = "~> 0.1"
    }
  }
}

# Signs in with an access token read from PINTEREST_ACCESS_TOKEN; the token's app needs
# the ads:read and ads:write scopes.
provider "pinterest" {
  ad_account_id = "549755885175"
}
