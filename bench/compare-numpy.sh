#!/usr/bin/env bash
# Times `mixcost simulate` on the benchmark month (100,000 trials, 10 workloads, 4 policies,
# 3-model chains + reviewer) next to the same simulation vectorized in NumPy.
#
#   bash bench/compare-numpy.sh            (needs `python3 -m pip install numpy`)
#
# Respects CARGO_TARGET_DIR. Prints: the divan benchmark of the engine (median of 10 runs), the
# whole command on 1 and 2 threads (median of 5), and NumPy (median of 5).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
trials=100000

echo "== engine benchmark (cargo bench --bench simulate)"
cargo bench --quiet --bench simulate 2>/dev/null | grep -E "fastest|trials_100k"

cargo build --quiet --release
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
for threads in 1 2; do
  seconds=$(RAYON_NUM_THREADS=$threads median_of_5 "$target/release/mixcost" simulate \
    bench/bench-10x4.yaml --trials "$trials" --seed 1 --format json)
  echo "== mixcost simulate, whole command, RAYON_NUM_THREADS=$threads: median ${seconds} s"
done

echo "== NumPy, vectorized"
python3 bench/simulate_numpy.py "$trials" 5
