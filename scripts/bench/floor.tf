# The floor: as many resources as pinterest.tf, of Terraform's built-in terraform_data,
# which calls no API. What these cost is what Terraform itself costs.
resource "terraform_data" "bench" {
  for_each = local.events

  input = each.value
}
