#!/usr/bin/env bash
# Measures what batching and shared reads save, with the real Terraform CLI against the
# emulator answering after a realistic latency. For 15 events in one ad account and for
# 100 ad accounts of 15 events, it applies, refreshes (plan -refresh-only) and destroys
# three ways: batching on (the default), PINTEREST_BATCHING=off, and as many
# terraform_data resources, which call no API and show what Terraform itself costs. Then
# it refreshes the 1,500 events against a per-minute request budget, to show which runs
# get throttled. It prints the tables and writes them into BENCHMARKS.md, which explains
# them.
#
# Settings, all optional:
#   BENCH_QUICK=1          the one-ad-account size only, and no rate-limit runs; writes no
#                          file unless BENCH_OUTPUT names one
#   BENCH_LATENCY=50ms     latency the emulator adds to every API request
#   BENCH_PARALLELISM=N    Terraform's -parallelism; unset keeps Terraform's default (10)
#   BENCH_REPEAT=7         how often the one-ad-account size runs; its tables show medians
#   BENCH_REFRESHES=3      how often the larger size refreshes; its table shows the median
#   BENCH_ACCOUNTS=100     ad accounts of the larger size
#   BENCH_RATE_LIMIT=1000  requests per window in the rate-limit runs
#   BENCH_RATE_WINDOW=1m   the window of that budget
#   BENCH_OUTPUT=FILE      where the results go; empty writes none (default BENCHMARKS.md)
#   BENCH_KEEP=1           keep the working directory (Terraform logs, raw results)
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [[ -z "${EPOCHREALTIME:-}" ]]; then
  echo "bench: bash 5 or later is required (for EPOCHREALTIME)" >&2
  exit 1
fi
case "${BENCH_QUICK:-}" in
  1 | true | yes | on) quick=1 ;;
  *) quick="" ;;
esac
latency=${BENCH_LATENCY:-50ms}
parallelism=${BENCH_PARALLELISM:-}
repeat=${BENCH_REPEAT:-7}
refreshes=${BENCH_REFRESHES:-3}
large_accounts=${BENCH_ACCOUNTS:-100}
rate_limit=${BENCH_RATE_LIMIT:-1000}
rate_window=${BENCH_RATE_WINDOW:-1m}
if [[ -n "$quick" ]]; then
  output=${BENCH_OUTPUT:-}
else
  output=${BENCH_OUTPUT-BENCHMARKS.md}
fi
events_per_account=15
runs=(on off floor)

for tool in curl jq; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "bench: $tool is required" >&2
    exit 1
  fi
done

terraform_bin=$(scripts/terraform-path.sh)
work=$(mktemp -d)
declare -A emulator_pids=() base_urls=()
cleanup() {
  local pid
  for pid in "${emulator_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -n "${BENCH_KEEP:-}" ]]; then
    echo "Kept the working directory $work." >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# Settings of the caller's shell must not change what is measured.
unset PINTEREST_BATCHING PINTEREST_MAX_RETRIES PINTEREST_MAX_CONCURRENT_REQUESTS \
  PINTEREST_REQUEST_TIMEOUT PINTEREST_AD_ACCOUNT_ID PINTEREST_REFRESH_TOKEN \
  PINTEREST_APP_ID PINTEREST_APP_SECRET PINTEREST_BASE_URL \
  TF_CLI_ARGS TF_CLI_ARGS_plan TF_CLI_ARGS_apply TF_CLI_ARGS_destroy

echo "==> Building the provider, the emulator and the measuring wrapper"
go build -o "$work/bin/real/terraform-provider-pinterest" .
go build -o "$work/bin/pinterest-emulator" ./cmd/pinterest-emulator
# Terraform starts whatever dev_overrides names; the wrapper starts the real provider and
# writes down its peak memory and CPU time when it exits.
go build -o "$work/bin/override/terraform-provider-pinterest" ./scripts/bench/rsswrap
export RSSWRAP_EXEC="$work/bin/real/terraform-provider-pinterest"

cat >"$work/terraformrc" <<CFG
provider_installation {
  dev_overrides {
    "conversionops/pinterest" = "$work/bin/override"
  }
  direct {}
}
CFG
export TF_CLI_CONFIG_FILE="$work/terraformrc"
export TF_IN_AUTOMATION=1
token="bench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
export PINTEREST_ACCESS_TOKEN="$token"

# start_emulator NAME [FLAG...] starts the emulator of one run on a free port, with the
# benchmark's latency and the events it saved when last stopped. Each run with the
# provider has an emulator of its own, so that the runs can take turns phase by phase
# without filling each other's ad accounts.
start_emulator() {
  local name=$1
  shift
  local ready="$work/base-url-$name"
  rm -f "$ready"
  PINTEREST_EMULATOR_TOKEN="$token" "$work/bin/pinterest-emulator" \
    -addr 127.0.0.1:0 -ready-file "$ready" -state "$work/emulator-$name.json" \
    -latency "$latency" "$@" >>"$work/emulator-$name.log" 2>&1 &
  emulator_pids[$name]=$!
  for _ in $(seq 1 100); do
    [[ -s "$ready" ]] && break
    sleep 0.1
  done
  if [[ ! -s "$ready" ]]; then
    echo "bench: the emulator did not start:" >&2
    cat "$work/emulator-$name.log" >&2
    exit 1
  fi
  base_urls[$name]=$(cat "$ready")
}

# stop_emulator NAME stops an emulator, which saves its events for the next start.
stop_emulator() {
  kill -TERM "${emulator_pids[$1]}"
  wait "${emulator_pids[$1]}" || true
  unset "emulator_pids[$1]"
}

# admin NAME prints the root of the admin routes of an emulator.
admin() { echo "${base_urls[$1]%/v5}/_emulator"; }

# workdir NAME KIND ACCOUNTS makes a Terraform working directory of the kind "pinterest"
# or "floor" for that many ad accounts.
workdir() {
  local dir="$work/$1"
  mkdir -p "$dir"
  cp scripts/bench/events.tf "scripts/bench/$2.tf" "$dir/"
  printf 'ad_accounts = %d\nevents_per_account = %d\n' "$3" "$events_per_account" \
    >"$dir/bench.auto.tfvars"
}

# children_cpu FILE prints the CPU seconds, user plus system, that the shell's finished
# children had used when `times` wrote FILE, descendants they waited for included.
# `times` must run in the shell itself: in a command substitution it would report the
# children of that subshell.
children_cpu() {
  awk 'NR == 2 {
    split($1, u, /[ms]/); split($2, s, /[ms]/)
    printf "%.3f", u[1] * 60 + u[2] + s[1] * 60 + s[2]
  }' "$1"
}

# A row of $results: size, run, phase, GET, POST, PATCH, DELETE, 429s, wall seconds,
# peak provider RSS in KiB, provider starts, outcome, errors, CPU seconds of Terraform and
# the provider together, CPU seconds of the provider. The provider's columns are empty for
# the floor. $summary has the same columns, one row for all the repeats of a phase.
results="$work/results.tsv"
summary="$work/summary.tsv"
: >"$results"

# run_phase SIZE RUN PHASE EMULATOR [NAME=VALUE...] runs one Terraform command in the
# working directory of the size and run, with the given environment and the provider
# pointed at the named emulator ("-" for none), and records what the emulator counted,
# how long it took and what it used. The phase starts with the command's name: apply,
# refresh (plan -refresh-only) or destroy. It returns Terraform's status.
run_phase() {
  local size=$1 run=$2 phase=$3 emulator=$4
  shift 4
  local dir="$work/$size-$run" args=()
  case "$phase" in
    apply*) args=(apply -auto-approve) ;;
    refresh*) args=(plan -refresh-only) ;;
    destroy*) args=(destroy -auto-approve) ;;
  esac
  args+=(-input=false -no-color)
  if [[ -n "$parallelism" ]]; then args+=("-parallelism=$parallelism"); fi
  local env=("$@")
  if [[ $emulator != - ]]; then
    env+=(PINTEREST_BASE_URL="${base_urls[$emulator]}")
    curl -fsS -X POST "$(admin "$emulator")/reset-stats" >/dev/null
  fi

  local usage="$work/usage-$size-$run-$phase" log="$dir/$phase.log"
  : >"$usage"
  local start end status=0
  times >"$work/times-before"
  start=$EPOCHREALTIME
  (cd "$dir" && env "${env[@]}" RSSWRAP_OUT="$usage" "$terraform_bin" "${args[@]}") \
    >"$log" 2>&1 || status=$?
  end=$EPOCHREALTIME
  times >"$work/times-after"

  local stats=$'0\t0\t0\t0\t0' wall cpu rss="" starts="" provider_cpu="" errors
  local outcome=succeeded
  if [[ $emulator != - ]]; then
    stats=$(curl -fsS "$(admin "$emulator")/stats" | jq -r \
      '[.requests.GET, .requests.POST, .requests.PATCH, .requests.DELETE, .throttled] | @tsv')
    rss=$(awk '$1 > m { m = $1 } END { print m + 0 }' "$usage")
    starts=$(awk 'END { print NR }' "$usage")
    provider_cpu=$(awk '{ t += $2 } END { printf "%.2f", t }' "$usage")
  fi
  wall=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }')
  cpu=$(awk -v a="$(children_cpu "$work/times-before")" \
    -v b="$(children_cpu "$work/times-after")" 'BEGIN { printf "%.2f", b - a }')
  errors=$(grep -c '^Error: ' "$log" || true)
  if [[ $status -ne 0 ]]; then outcome=failed; fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$run" "$phase" "$stats" \
    "$wall" "$rss" "$starts" "$outcome" "$errors" "$cpu" "$provider_cpu" >>"$results"
  printf '    %-7s %-5s %-21s %8ss  %s\n' "$size" "$run" "$phase" "$wall" "$outcome"
  return "$status"
}

# must SIZE RUN PHASE runs a phase that has to succeed for the benchmark to go on.
must() {
  local size=$1 run=$2 phase=$3
  local emulator=- env=()
  if [[ $run != floor ]]; then
    emulator=$run
    env=(PINTEREST_BATCHING="$run")
  fi
  if ! run_phase "$size" "$run" "$phase" "$emulator" "${env[@]}"; then
    echo "bench: terraform $phase failed for $size/$run; the end of its output:" >&2
    tail -n 40 "$work/$size-$run/$phase.log" >&2
    exit 1
  fi
}

# rate_limited_refreshes SIZE refreshes the events of the size's batching-on run, which
# its emulator holds, against a request budget: with batching on and off, first with
# retries switched off, so that throttling shows as errors, then with the provider's
# default retries, so that it shows as time. Each refresh starts the emulator anew and so
# with a whole budget.
rate_limited_refreshes() {
  local size=$1 run retries env
  stop_emulator on
  for retries in off on; do
    for run in on off; do
      env=(PINTEREST_BATCHING="$run")
      if [[ $retries == off ]]; then env+=(PINTEREST_MAX_RETRIES=0); fi
      start_emulator on -rate-limit "$rate_limit" -rate-window "$rate_window" \
        -retry-after=true
      # The rows are filed under their own size; the directory is that of the events.
      ln -sfn "$work/$size-on" "$work/limited-$run"
      run_phase limited "$run" "refresh-retries-$retries" on "${env[@]}" || true
      stop_emulator on
    done
  done
  start_emulator on
}

load_before=$(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo unknown)
start_emulator on
start_emulator off

# The runs take turns phase by phase, so that a change in the machine's load while the
# benchmark runs weighs on all three alike. The small size is over in seconds, too short
# for one run to tell the three ways apart: it runs several times and the tables show
# medians. The large size runs once, its refresh several times.
sizes=("small:1")
if [[ -z "$quick" ]]; then sizes+=("large:$large_accounts"); fi
for entry in "${sizes[@]}"; do
  size=${entry%%:*}
  accounts=${entry#*:}
  rounds=1 size_refreshes=$refreshes
  if [[ $size == small ]]; then rounds=$repeat size_refreshes=1; fi
  echo "==> $accounts ad account(s) x $events_per_account events"
  workdir "$size-on" pinterest "$accounts"
  workdir "$size-off" pinterest "$accounts"
  workdir "$size-floor" floor "$accounts"
  for ((round = 1; round <= rounds; round++)); do
    for run in "${runs[@]}"; do must "$size" "$run" apply; done
    for ((i = 1; i <= size_refreshes; i++)); do
      for run in "${runs[@]}"; do must "$size" "$run" refresh; done
    done
    if [[ $size == large ]]; then rate_limited_refreshes "$size"; fi
    for run in "${runs[@]}"; do must "$size" "$run" destroy; done
  done
done
load_after=$(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo unknown)
stop_emulator on
stop_emulator off

# ---- Reporting -------------------------------------------------------------------------

# median prints the middle of the numbers on its input, the lower one of an even count.
median() { sort -n | awk 'NF { v[++n] = $1 } END { if (n) print v[int((n + 1) / 2)] }'; }

# summarize writes $summary: per phase, the median of the counts and times, the largest
# peak memory and error count, and "failed" when any repeat failed.
summarize() {
  local size run phase col row values
  : >"$summary"
  while IFS=$'\t' read -r size run phase; do
    row="$size"$'\t'"$run"$'\t'"$phase"
    for col in 4 5 6 7 8 9 10 11 12 13 14 15; do
      values=$(awk -F '\t' -v s="$size" -v r="$run" -v p="$phase" -v c="$col" \
        '$1 == s && $2 == r && $3 == p { print $c }' "$results")
      case $col in
        10 | 13) values=$(sort -n <<<"$values" | tail -n 1) ;;
        12) if grep -q failed <<<"$values"; then values=failed; else values=succeeded; fi ;;
        *) values=$(median <<<"$values") ;;
      esac
      row+=$'\t'"$values"
    done
    printf '%s\n' "$row" >>"$summary"
  done < <(cut -f 1-3 "$results" | awk '!seen[$0]++')
}
summarize

# value SIZE RUN PHASE COLUMN prints one field of a summary row (columns count from 1).
value() {
  awk -F '\t' -v s="$1" -v r="$2" -v p="$3" -v c="$4" \
    '$1 == s && $2 == r && $3 == p { print $c }' "$summary"
}

# phase_table SIZE prints the Markdown table of one size.
phase_table() {
  local size=$1 phase run label
  printf '| phase | run | GET | POST | PATCH | DELETE | wall s | on/off | CPU s |'
  echo ' provider CPU s | provider peak RSS MiB | provider starts |'
  echo "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
  for phase in apply refresh destroy; do
    for run in "${runs[@]}"; do
      case $run in
        on) label="batching on" ;;
        off) label="batching off" ;;
        floor) label="terraform_data" ;;
      esac
      awk -F '\t' -v s="$size" -v r="$run" -v p="$phase" -v label="$label" \
        -v off="$(value "$size" off "$phase" 9)" '
        $1 == s && $2 == r && $3 == p {
          ratio = (r == "on" && off > 0) ? sprintf("%.2f", $9 / off) : ""
          if (r == "floor") {
            $4 = $5 = $6 = $7 = $11 = $15 = "-"; mem = "-"
          } else {
            mem = sprintf("%.1f", $10 / 1024)
          }
          printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", p, label,
            $4, $5, $6, $7, $9, ratio, $14, $15, mem, $11
        }' "$summary"
    done
  done
}

limited_table() {
  echo "| run | retries | GET | 429s | wall s | refresh |"
  echo "|---|---|--:|--:|--:|---|"
  awk -F '\t' '$1 == "limited" {
    run = ($2 == "on") ? "batching on" : "batching off"
    retries = ($3 == "refresh-retries-off") ? "off (PINTEREST_MAX_RETRIES=0)" : "on (default)"
    outcome = ($12 == "failed") ? sprintf("failed, %d errors", $13) : "succeeded"
    printf "| %s | %s | %s | %s | %s | %s |\n", run, retries, $4, $8, $9, outcome
  }' "$summary"
}

# check TARGET MEASURED MET prints one row of the targets table; MET is 1, 0, or - for a
# figure that is shown but is not a target.
check() {
  local met=missed
  if [[ $3 == 1 ]]; then met=met; fi
  if [[ $3 == - ]]; then met="not a target"; fi
  echo "| $1 | $2 | $met |"
}

# le A B prints 1 when the number A is at most B.
le() { awk -v a="$1" -v b="$2" 'BEGIN { print (a <= b) ? 1 : 0 }'; }

targets_table() {
  local entry size accounts events phase get posts deletes on off ratio
  echo "| target | measured | |"
  echo "|---|---|---|"
  for entry in "${sizes[@]}"; do
    size=${entry%%:*}
    accounts=${entry#*:}
    events=$((accounts * events_per_account))
    get=$(value "$size" on refresh 4)
    check "refresh of $events events: one list request per ad account ($accounts)" \
      "$get GET" "$(le "$get" "$accounts")"
    # Two requests of each kind is the target for one ad account; with many, Terraform
    # interleaves them and batches stay small (see "What bounds the batch sizes").
    local goal=-
    if [[ $accounts == 1 ]]; then goal=1; fi
    posts=$(value "$size" on apply 5)
    check "apply of $events new events: at most 2 create requests per ad account" \
      "$posts POST" "$([[ $goal == 1 ]] && le "$posts" $((2 * accounts)) || echo -)"
    deletes=$(value "$size" on destroy 7)
    check "destroy of $events events: at most 2 untrack requests per ad account" \
      "$deletes DELETE" "$([[ $goal == 1 ]] && le "$deletes" $((2 * accounts)) || echo -)"
    for phase in apply refresh destroy; do
      on=$(value "$size" on "$phase" 9)
      off=$(value "$size" off "$phase" 9)
      check "$phase of $events events: batching at least as fast as without" \
        "$on s vs $off s" "$(le "$on" "$off")"
    done
  done
  if [[ -z "$quick" ]]; then
    events=$((large_accounts * events_per_account))
    on=$(value large on refresh 9)
    off=$(value large off refresh 9)
    ratio=$(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.2f", a / b }')
    local floor floor_ratio
    floor=$(value large floor refresh 9)
    floor_ratio=$(awk -v a="$floor" -v b="$off" 'BEGIN { printf "%.2f", a / b }')
    check "refresh of $events events: batching at most 0.6 x the time without" \
      "$ratio x (Terraform alone, terraform_data: $floor_ratio x)" "$(le "$ratio" 0.6)"
    local on_throttled on_outcome off_throttled off_outcome met=0
    on_throttled=$(value limited on refresh-retries-off 8)
    on_outcome=$(value limited on refresh-retries-off 12)
    off_throttled=$(value limited off refresh-retries-off 8)
    off_outcome=$(value limited off refresh-retries-off 12)
    if [[ $on_throttled == 0 && $on_outcome == succeeded && $off_throttled -gt 0 ]]; then
      met=1
    fi
    check "rate-limited refresh of $events events: no 429 with batching, throttled without" \
      "on: $on_throttled 429s, $on_outcome; off: $off_throttled 429s, $off_outcome" "$met"
  fi
}

# report prints the results section, Markdown throughout.
report() {
  local p=${parallelism:-10 (default)} tf_version go_version cpu mem commit entry
  tf_version=$("$terraform_bin" version | head -n 1)
  go_version=$(go env GOVERSION)
  cpu=$(awk -F ': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
  mem=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || true)
  commit=$(git describe --always --dirty 2>/dev/null || echo unknown)
  echo "Run of $(date -u '+%Y-%m-%d %H:%M UTC') at commit \`$commit\`: $tf_version, $go_version,"
  echo "$(uname -sm), $(nproc) CPUs${cpu:+ ($cpu)}${mem:+, $mem}. Load average before:"
  echo "$load_before; after: $load_after. Emulator latency $latency; -parallelism $p."
  for entry in "${sizes[@]}"; do
    local size=${entry%%:*} accounts=${entry#*:} how="one run"
    if [[ $size == small && $repeat -gt 1 ]]; then
      how="median of $repeat runs"
    elif [[ $size == large && $refreshes -gt 1 ]]; then
      how="one run, refresh the median of $refreshes"
    fi
    echo
    echo "#### $accounts ad account(s) x $events_per_account events" \
      "($((accounts * events_per_account)) resources, $how)"
    echo
    phase_table "$size"
  done
  if [[ -z "$quick" ]]; then
    echo
    echo "#### Refresh of $large_accounts x $events_per_account events" \
      "under a budget of $rate_limit requests per $rate_window"
    echo
    limited_table
  fi
  echo
  echo "#### Targets"
  echo
  targets_table
}

report >"$work/report.md"
echo
cat "$work/report.md"

# write_report FILE puts the report between the results markers of FILE, creating the
# file when missing and keeping everything outside the markers.
write_report() {
  local file=$1 begin="<!-- bench:results:begin -->" end="<!-- bench:results:end -->"
  if [[ ! -f "$file" ]] || ! grep -qF "$begin" "$file"; then
    printf '# Benchmarks\n\n%s\n%s\n' "$begin" "$end" >>"$file"
  fi
  awk -v begin="$begin" -v end="$end" -v report="$work/report.md" '
    $0 == begin { print; while ((getline line < report) > 0) print line; skip = 1; next }
    $0 == end { skip = 0 }
    !skip { print }' "$file" >"$work/report.new"
  cat "$work/report.new" >"$file"
}

if [[ -n "$output" ]]; then
  write_report "$output"
  echo
  echo "Written to $output."
fi
