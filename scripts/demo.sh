#!/usr/bin/env bash
# Tries the provider end to end with nothing but this repository: builds the provider and
# the emulator, starts the emulator on a free loopback port, points Terraform at both
# through a CLI configuration with dev_overrides (no registry needed), applies the
# quickstart example, shows the result, destroys it, and stops the emulator.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

terraform_bin=$(scripts/terraform-path.sh)
work=$(mktemp -d)
emulator_pid=""
cleanup() {
  if [[ -n "$emulator_pid" ]]; then kill "$emulator_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "==> Building the provider and the emulator"
go build -o "$work/bin/terraform-provider-pinterest" .
go build -o "$work/bin/pinterest-emulator" ./cmd/pinterest-emulator

echo "==> Starting the emulator"
token="demo-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
PINTEREST_EMULATOR_TOKEN="$token" "$work/bin/pinterest-emulator" \
  -addr 127.0.0.1:0 -ready-file "$work/base-url" >"$work/emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 1 100); do
  [[ -s "$work/base-url" ]] && break
  sleep 0.1
done
if [[ ! -s "$work/base-url" ]]; then
  echo "The emulator did not start:" >&2
  cat "$work/emulator.log" >&2
  exit 1
fi
base_url=$(cat "$work/base-url")
echo "    listening at $base_url"

cat >"$work/terraformrc" <<CFG
provider_installation {
  dev_overrides {
    "conversionops/pinterest" = "$work/bin"
  }
  direct {}
}
CFG
export TF_CLI_CONFIG_FILE="$work/terraformrc"
export PINTEREST_BASE_URL="$base_url"
export PINTEREST_ACCESS_TOKEN="$token"
export TF_IN_AUTOMATION=1

cp examples/quickstart/*.tf "$work/"
cd "$work"

echo "==> terraform apply"
# dev_overrides make Terraform warn that the provider is a local build; that is the point.
"$terraform_bin" apply -auto-approve -input=false -compact-warnings
echo
echo "==> What Pinterest (the emulator) now holds"
curl -s "${base_url%/v5}/_emulator/events/549755885175"
echo
echo
echo "==> A second plan, which must show no changes"
"$terraform_bin" plan -input=false -no-color -detailed-exitcode >/dev/null 2>&1 &&
  echo "    No changes." || { echo "    The second plan is not empty." >&2; exit 1; }

echo "==> terraform destroy"
"$terraform_bin" destroy -auto-approve -input=false -compact-warnings
echo "==> Stopping the emulator"
