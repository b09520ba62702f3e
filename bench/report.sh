#!/usr/bin/env bash
# Size and time of `mixcost report` for the seed scenario and a generated 50-workload month
# (3 policies; cache hits, batch shares, off-peak shares, per-request sizes that cross GPT-5.5's
# long-context threshold), HTML and XLSX, each with a sweep of 7 values. The alternative a
# consultant would otherwise use is several commands pasted together: their time is printed too.
#
#   bash bench/report.sh
#
# Respects CARGO_TARGET_DIR. Prints bytes, the median wall time of 5 runs and peak memory.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
cargo build --quiet --release
bin="$target/release/mixcost"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

{
  echo "name: Fifty workloads (generated for bench/report.sh)"
  echo "as_of: 2026-05-20"
  echo "discounts: {openai: 8%}"
  echo "workloads:"
  for i in $(seq 1 50); do
    echo "  - name: workload-$i"
    echo "    task: task-$((i % 7))"
    if (( i % 3 == 0 )); then
      echo "    requests: $((i * 10))k"
      echo "    input_tokens_per_request: $(( (i % 5 == 0) ? 300 : 4 ))k"
      echo "    output_tokens_per_request: 400"
    else
      echo "    input_tokens: $((i * 3))M"
      echo "    output_tokens: $((i))M"
    fi
    echo "    cache_hit_rate: 0.$((i % 6))"
    echo "    batch_share: 0.$((i % 4))"
    echo "    off_peak_share: 0.$((i % 9))"
  done
  echo "policies:"
  echo "  - name: all-gpt-5.5"
  echo "    default: gpt-5.5"
  echo "  - name: flash-for-easy"
  echo "    routes:"
  echo "      - match: {task: [task-0, task-1, task-2, task-3]}"
  echo "        model: deepseek-v4-flash"
  echo "    default: gpt-5.5"
  echo "  - name: pro-for-easy"
  echo "    routes:"
  echo "      - match: {task: [task-0, task-1, task-2, task-3]}"
  echo "        model: deepseek-v4-pro"
  echo "    default: gpt-5.5"
  echo "baseline: all-gpt-5.5"
} > "$work/fifty.yaml"

median_of_5() {
  local times=()
  for _ in 1 2 3 4 5; do
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc)")
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 3p
}

printf '%-10s %-5s %10s %10s %12s\n' scenario fmt bytes seconds "peak KiB"
for scenario in scenarios/seed.yaml "$work/fifty.yaml"; do
  name=$(basename "$scenario" .yaml)
  for format in html xlsx; do
    out="$work/$name.$format"
    run() { rm -f "$out"; "$bin" report "$scenario" --sweep 'workloads.*.cache_hit_rate=0:0.6:0.1' -o "$out"; }
    seconds=$(median_of_5 run)
    rm -f "$out"
    peak=$( { /usr/bin/time -f '%M' "$bin" report "$scenario" --sweep 'workloads.*.cache_hit_rate=0:0.6:0.1' -o "$out"; } 2>&1 | tail -1)
    printf '%-10s %-5s %10s %10s %12s\n' "$name" "$format" "$(stat -c %s "$out")" "$seconds" "$peak"
  done
  pasted() {
    "$bin" compare "$scenario" --by model --format markdown
    "$bin" sensitivity "$scenario" --format markdown
    "$bin" sweep "$scenario" --vary 'workloads.*.cache_hit_rate=0:0.6:0.1' --format markdown
  }
  echo "$name: compare + sensitivity + sweep as Markdown (no charts, no workbook): $(median_of_5 pasted) s"
done
