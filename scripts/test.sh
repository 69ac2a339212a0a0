#!/usr/bin/env bash
# Runs every test: unit tests, fuzz seed corpora, and the acceptance tests, which drive
# the real Terraform CLI against the emulator started in-process on a loopback port.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# A CLI configuration of the tests' own: the machine's may name a missing file or carry
# dev_overrides. The provider tests write their own too; this covers everything else.
cli_config=$(mktemp)
trap 'rm -f "$cli_config"' EXIT
export TF_CLI_CONFIG_FILE="$cli_config"

terraform_bin=$(scripts/terraform-path.sh)
echo "Using $("$terraform_bin" version | head -n 1) at $terraform_bin"

export TF_ACC=1
export TF_ACC_TERRAFORM_PATH="$terraform_bin"
if [[ $# -eq 0 ]]; then set -- ./...; fi
go test -race -count=1 -timeout 45m "$@"
