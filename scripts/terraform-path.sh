#!/usr/bin/env bash
# Prints the path of a Terraform CLI to use, installing one when the machine has none.
#
# Order: $TF_ACC_TERRAFORM_PATH, then `terraform` on the PATH, then a copy this script
# built before in .tools/bin, else it builds Terraform from source with `go install`
# (the newest release `go install` accepts), which takes a few minutes once.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
fallback_version=${TERRAFORM_FALLBACK_VERSION:-v1.8.5}
tools="$root/.tools/bin"

if [[ -n "${TF_ACC_TERRAFORM_PATH:-}" && -x "${TF_ACC_TERRAFORM_PATH}" ]]; then
  echo "$TF_ACC_TERRAFORM_PATH"
  exit 0
fi
if command -v terraform >/dev/null 2>&1; then
  command -v terraform
  exit 0
fi
if [[ -x "$tools/terraform" ]]; then
  echo "$tools/terraform"
  exit 0
fi

echo "No Terraform CLI found: building terraform $fallback_version with go install (a few minutes)..." >&2
mkdir -p "$tools"
GOBIN="$tools" go install "github.com/hashicorp/terraform@$fallback_version" >&2
echo "$tools/terraform"
