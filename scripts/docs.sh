#!/usr/bin/env bash
# Renders docs/ with tfplugindocs from templates/, examples/ and the provider's schema.
#
# The schema comes from tools/providerschema, which asks the provider itself: tfplugindocs
# would otherwise ask the Terraform CLI, which reports resource identities only from
# v1.12 and list resources only from v1.14. This way every machine renders the same
# pages, whatever Terraform it has.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/tools.sh tfplugindocs

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# terraform fmt -recursive skips .tfquery.hcl files before Terraform v1.14; format them
# through stdin, which takes any HCL.
while IFS= read -r -d '' file; do
  scripts/terraform.sh fmt - <"$file" >"$work/formatted"
  if ! cmp -s "$file" "$work/formatted"; then
    cp "$work/formatted" "$file"
    echo "$file"
  fi
done < <(find examples -name '*.tfquery.hcl' -print0)

go run ./tools/providerschema >"$work/schema.json"
.tools/bin/tfplugindocs generate --provider-name pinterest \
  --providers-schema "$work/schema.json" >"$work/tfplugindocs.log" 2>&1 || {
  cat "$work/tfplugindocs.log" >&2
  exit 1
}
echo "docs/ rendered"
