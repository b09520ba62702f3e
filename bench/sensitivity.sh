#!/usr/bin/env bash
# Times `mixcost sensitivity` on generated scenarios of 1,000, 2,000 and 15,000 workloads
# (3 policies, routes by task), next to `mixcost compare` of the same file — the work a user
# would otherwise do by hand, one whatif per input. Prints the median of 3 runs and the peak
# resident memory of one.
#
#   bash bench/sensitivity.sh                 (builds the release binary)
#   MIXCOST=/path/to/mixcost bash bench/sensitivity.sh 1000 2000   (another binary, sizes)
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
if [ -z "${MIXCOST:-}" ]; then
  cargo build --quiet --release
  MIXCOST="$target/release/mixcost"
fi
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000 2000 15000)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

scenario() {
  local n=$1
  {
    echo "name: Sensitivity benchmark ($n workloads)"
    echo "as_of: 2026-05-20"
    echo "workloads:"
    for ((i = 0; i < n; i++)); do
      case $((i % 3)) in
        0) task=extraction ;; 1) task=synthesis ;; *) task=chat ;;
      esac
      # Five keys a workload keeps 15,000 workloads under the loader's 200,000-node limit.
      echo "  - {name: w$i, task: $task, input_tokens: $((1000000 + i * 1000)), output_tokens: $((200000 + i * 100)), cache_hit_rate: 0.$((i % 9 + 1))}"
    done
    cat <<'YAML'
policies:
  - name: all-gpt-5.5
    default: gpt-5.5
  - name: mixed-flash
    routes:
      - match: {task: extraction}
        model: deepseek-v4-flash
    default: gpt-5.5
  - name: mixed-pro
    routes:
      - match: {task: [extraction, chat]}
        model: deepseek-v4-pro
    default: gpt-5.5
baseline: all-gpt-5.5
YAML
  } >"$work/s$n.yaml"
}

median_of_3() {
  local times=()
  for _ in 1 2 3; do
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc)")
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 2p
}

peak_kb() {
  /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -1
}

printf '%-10s %-14s %-14s %-14s\n' workloads sensitivity "peak memory" compare
for n in "${sizes[@]}"; do
  scenario "$n"
  file="$work/s$n.yaml"
  s=$(median_of_3 "$MIXCOST" sensitivity "$file" --policy mixed-flash)
  m=$(peak_kb "$MIXCOST" sensitivity "$file" --policy mixed-flash)
  c=$(median_of_3 "$MIXCOST" compare "$file")
  printf '%-10s %-14s %-14s %-14s\n' "$n" "${s} s" "$((m / 1024)) MB" "${c} s"
done
