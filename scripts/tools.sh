#!/usr/bin/env bash
# Installs the pinned development tools into .tools/bin with `go install`, so that a
# fresh machine (or CI) gets the same versions without touching go.mod. A tool already
# built at its pinned version is left alone; building one takes a minute or three.
#
# Usage: scripts/tools.sh [tfplugindocs|golangci-lint|goreleaser ...]   (default: all)
# Prints nothing on success but the tools it built.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.tools/bin"
stamps="$root/.tools/stamps"

# name => module path@version. Bump a version here and every machine rebuilds it.
declare -A tools=(
  [tfplugindocs]="github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs@v0.25.0"
  [golangci-lint]="github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0"
  [goreleaser]="github.com/goreleaser/goreleaser/v2@v2.17.0"
)

if [[ $# -eq 0 ]]; then set -- tfplugindocs golangci-lint goreleaser; fi
mkdir -p "$bin" "$stamps"
for name in "$@"; do
  pkg=${tools[$name]:-}
  if [[ -z "$pkg" ]]; then
    echo "scripts/tools.sh: unknown tool $name (known: ${!tools[*]})" >&2
    exit 2
  fi
  stamp="$stamps/$name@${pkg##*@}"
  if [[ -x "$bin/$name" && -f "$stamp" ]]; then
    continue
  fi
  echo "==> Building $name ${pkg##*@} into .tools/bin (once; a minute or three)" >&2
  # The tools' own modules decide their dependencies; our go.mod never sees them.
  (cd "$root" && GOBIN="$bin" go install "$pkg")
  rm -f "$stamps/$name@"*
  touch "$stamp"
done
