#!/usr/bin/env bash
# Checks that the registry documentation and the examples are what they should be:
#
#   1. every example is formatted (terraform fmt, .tfquery.hcl files included);
#   2. docs/ is what `make generate` renders now, so that nobody forgets to regenerate;
#   3. tfplugindocs validate accepts docs/ against the provider's schema;
#   4. every example directory validates against the provider built from this tree,
#      through a CLI configuration with dev_overrides (no init, no registry).
#
# Fails on the first problem, saying how to fix it. make docs-check and CI run it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

terraform_bin=$(scripts/terraform-path.sh)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A CLI configuration of our own: the machine's may name a missing file, and the
# overrides below must point at the provider built here.
cat >"$work/terraformrc" <<CFG
provider_installation {
  dev_overrides {
    "conversionops/pinterest" = "$work/bin"
  }
  direct {}
}
CFG
export TF_CLI_CONFIG_FILE="$work/terraformrc"
export TF_IN_AUTOMATION=1

tf_version=$("$terraform_bin" version -json | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p')
echo "==> Using Terraform $tf_version at $terraform_bin"

# version_at_least A B: whether Terraform version A is B or later.
version_at_least() {
  [[ "$(printf '%s\n%s\n' "$2" "${1%%-*}" | sort -V | head -n 1)" == "$2" ]]
}

echo "==> terraform fmt -check examples/"
if ! "$terraform_bin" fmt -check -recursive -diff examples/; then
  echo "Examples are not formatted: run make generate (or terraform fmt -recursive examples/)." >&2
  exit 1
fi
while IFS= read -r -d '' file; do
  # fmt -recursive skips query files before Terraform v1.14; stdin takes any HCL.
  if ! "$terraform_bin" fmt -check - <"$file" >/dev/null; then
    echo "$file is not formatted: run make generate." >&2
    exit 1
  fi
done < <(find examples -name '*.tfquery.hcl' -print0)

echo "==> Rendering docs/ and comparing it with the committed pages"
mkdir -p "$work/docs-before"
if [[ -d docs ]]; then cp -R docs/. "$work/docs-before/"; fi
scripts/docs.sh >/dev/null
if ! diff -ru "$work/docs-before" docs; then
  echo >&2
  echo "docs/ is out of date with templates/, examples/ or the schema's descriptions." >&2
  echo "It has now been regenerated in the work tree: review and commit it." >&2
  exit 1
fi
echo "    docs/ is up to date"

echo "==> tfplugindocs validate"
go run ./tools/providerschema >"$work/schema.json"
if ! .tools/bin/tfplugindocs validate --provider-name pinterest \
  --providers-schema "$work/schema.json" >"$work/validate.log" 2>&1; then
  cat "$work/validate.log" >&2
  exit 1
fi
echo "    ok"

echo "==> terraform validate of every example, against the provider built here"
go build -o "$work/bin/terraform-provider-pinterest" .
failed=0
while IFS= read -r dir; do
  dest="$work/examples/$dir"
  mkdir -p "$dest"
  skipped=()
  for file in "$dir"/*.tf "$dir"/*.tfquery.hcl; do
    [[ -e "$file" ]] || continue
    base=$(basename "$file")
    # Import by identity needs Terraform v1.12, query files v1.14.
    if [[ "$base" == import-by-identity*.tf ]] && ! version_at_least "$tf_version" 1.12.0; then
      skipped+=("$base (needs Terraform v1.12)")
      continue
    fi
    if [[ "$base" == *.tfquery.hcl ]] && ! version_at_least "$tf_version" 1.14.0; then
      skipped+=("$base (needs Terraform v1.14)")
      continue
    fi
    cp "$file" "$dest/"
  done
  # Examples that leave out required_providers would otherwise ask for hashicorp/pinterest.
  # An override file merges into a terraform block the example may already have.
  cat >"$dest/zz_docs_check_override.tf" <<'HCL'
terraform {
  required_providers {
    pinterest = {
      source = "conversionops/pinterest"
    }
  }
}
HCL
  note=""
  if [[ ${#skipped[@]} -gt 0 ]]; then note=" (skipped: ${skipped[*]})"; fi
  if out=$("$terraform_bin" -chdir="$dest" validate -no-color 2>&1); then
    echo "    ok      $dir$note"
  else
    echo "    FAILED  $dir$note"
    echo "$out" | grep -v '^$' | sed 's/^/        /'
    failed=1
  fi
done < <(find examples -type f \( -name '*.tf' -o -name '*.tfquery.hcl' \) -exec dirname {} \; | sort -u)
if [[ $failed -ne 0 ]]; then
  echo "Some examples do not validate against the provider's schema." >&2
  exit 1
fi

echo "==> Docs and examples are in order"
