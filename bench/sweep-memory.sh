#!/usr/bin/env bash
# Peak memory and time of 1,000,000-point sweeps of the seed scenario, streamed as CSV:
# a price axis alone, a price axis times a share axis, and a share axis alone for contrast.
# Memory should stay flat in the number of points whatever kind of axis is swept (goal:
# under 50 MB). Each sweep's CSV is also checked to be byte-identical on 1 and 2 threads.
#
#   bash bench/sweep-memory.sh                       (builds the release binary)
#   MIXCOST=/path/to/mixcost bash bench/sweep-memory.sh   (another binary)
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
if [ -z "${MIXCOST:-}" ]; then
  cargo build --quiet --release
  MIXCOST="$target/release/mixcost"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() {
  local label=$1
  shift
  # /usr/bin/time -f: elapsed seconds and maximum resident set size in KB.
  local stats
  stats=$( { /usr/bin/time -f "%e %M" "$MIXCOST" sweep "$@" --format csv >"$work/out.csv"; } 2>&1 | tail -1)
  local seconds=${stats% *} kb=${stats#* }
  local rows
  rows=$(($(wc -l <"$work/out.csv") - 1))
  RAYON_NUM_THREADS=1 "$MIXCOST" sweep "$@" --format csv >"$work/one.csv"
  local same=identical
  cmp -s "$work/out.csv" "$work/one.csv" || same=DIFFERENT
  printf '%-34s %10s rows %8s s %8s MB   1 vs 2 threads: %s\n' "$label" "$rows" "$seconds" "$((kb / 1024))" "$same"
  [ "$same" = identical ]
}

run "price axis, 1,000,000 values" --vary 'models.gpt-5.5.output=1:1000000:1' --policy mixed-flash
run "price 1,000 x share 1,000" --vary 'models.gpt-5.5.output=1:1000:1' \
  --vary 'workloads.*.cache_hit_rate=0:0.999:0.001' --policy mixed-flash
run "share 1,000 x price 1,000" --vary 'workloads.*.cache_hit_rate=0:0.999:0.001' \
  --vary 'models.gpt-5.5.output=1:1000:1' --policy mixed-flash
run "discount axis, 1,000,000 values" --vary 'discounts.openai=0:0.999999:0.000001' --policy mixed-flash
run "share axis, 1,000,000 values" --vary 'workloads.*.cache_hit_rate=0:0.999999:0.000001' --policy mixed-flash
