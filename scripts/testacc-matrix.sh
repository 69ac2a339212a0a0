#!/usr/bin/env bash
# Runs the acceptance tests once per Terraform (or OpenTofu) CLI and prints, for each,
# which tests passed, failed and were skipped.
#
# Usage: scripts/testacc-matrix.sh [CLI ...]      (or TF_VERSIONS="CLI ...")
#   local        the Terraform scripts/terraform-path.sh picks (the PATH's, usually)
#   1.5.7        Terraform v1.5.7, built with go install into .tools/terraform-1.5.7
#   tofu-1.6.3   OpenTofu v1.6.3, built with go install into .tools/tofu-1.6.3
# Default: "local 1.5.7 tofu-1.6.3". A CLI built once is kept; building one takes a few
# minutes. Extra go test flags can go in TESTACC_FLAGS, e.g. TESTACC_FLAGS="-run Lifecycle".
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [[ $# -eq 0 ]]; then
  # shellcheck disable=SC2086 # a list of words on purpose
  set -- ${TF_VERSIONS:-local 1.5.7 tofu-1.6.3}
fi

# cli_path NAME: prints the path of the CLI, building it first when needed.
cli_path() {
  local name=$1 dir bin pkg
  case "$name" in
    local)
      scripts/terraform-path.sh
      return
      ;;
    tofu-*)
      dir=".tools/$name" bin=tofu
      pkg="github.com/opentofu/opentofu/cmd/tofu@v${name#tofu-}"
      ;;
    [0-9]*)
      dir=".tools/terraform-$name" bin=terraform
      pkg="github.com/hashicorp/terraform@v$name"
      ;;
    *)
      echo "Unknown CLI $name: use local, a Terraform version such as 1.5.7, or tofu-1.6.3." >&2
      return 2
      ;;
  esac
  if [[ ! -x "$dir/$bin" ]]; then
    echo "==> Building $pkg into $dir (once; a few minutes)" >&2
    GOBIN="$root/$dir" go install "$pkg" 2>&1 | { grep -v '^go: downloading' || true; } >&2
  fi
  echo "$root/$dir/$bin"
}

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
summary=()
status=0
for name in "$@"; do
  cli=$(cli_path "$name")
  version=$(TF_CLI_CONFIG_FILE=/dev/null "$cli" version | head -n 1)
  echo
  echo "==> Acceptance tests on $version ($name)"
  env=(TF_ACC_TERRAFORM_PATH="$cli")
  if [[ "$name" == tofu-* ]]; then
    # OpenTofu resolves the in-process provider under its own registry's host.
    env+=(TF_ACC_PROVIDER_HOST=registry.opentofu.org)
  fi
  log="$logs/$name.log"
  # shellcheck disable=SC2086 # TESTACC_FLAGS is a list of flags
  if env "${env[@]}" scripts/test.sh -v -run 'TestAcc' ${TESTACC_FLAGS:-} \
    ./internal/provider/ >"$log" 2>&1; then
    result=ok
  else
    result=FAILED
    status=1
  fi
  passed=$(grep -c -- '^--- PASS' "$log" || true)
  failed=$(grep -c -- '^--- FAIL' "$log" || true)
  skipped=$(grep -c -- '^--- SKIP' "$log" || true)
  echo "    $result: $passed passed, $failed failed, $skipped skipped"
  grep -- '^--- FAIL' "$log" | sed 's/^/    /' || true
  grep -- '^--- SKIP' "$log" | sed 's/^/    /' || true
  if [[ "$result" == FAILED ]]; then
    # The failures' own words, without the passing tests' chatter.
    grep -v -- '^=== \(RUN\|PAUSE\|CONT\)\|^--- PASS' "$log" | tail -n 60 | sed 's/^/    | /'
  fi
  summary+=("$(printf '%-12s %-40s %-6s %3s passed %3s failed %3s skipped' \
    "$name" "$version" "$result" "$passed" "$failed" "$skipped")")
done

echo
echo "==> Summary"
printf '    %s\n' "${summary[@]}"
exit "$status"
