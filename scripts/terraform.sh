#!/usr/bin/env bash
# Runs the Terraform CLI that scripts/terraform-path.sh picks (building one when the
# machine has none) with a CLI configuration of its own, since the machine's may name a
# missing file or carry dev_overrides. Arguments go to Terraform unchanged.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
terraform_bin=$("$root/scripts/terraform-path.sh")

cli_config=$(mktemp)
trap 'rm -f "$cli_config"' EXIT
export TF_CLI_CONFIG_FILE="$cli_config"
"$terraform_bin" "$@"
