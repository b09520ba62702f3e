#!/usr/bin/env bash
# Times `mixcost replay` (three policies, exact, the whole command) against DuckDB computing
# only the GROUP BY such a replay needs (model, task, data class, UTC day, off-peak window,
# long-context band; counts and token sums), on the same generated CSV, both on 2 threads; then
# both again on the same log converted to Parquet by DuckDB.
#
#   bash bench/replay-vs-duckdb.sh [ROWS…]      (default: 1000000 10000000)
#
# Needs python3 with numpy and duckdb (`python3 -m pip install numpy duckdb`); generated logs
# are kept in $REPLAY_BENCH_DIR (default target/replay-bench, ~68 MB per million rows).
# Prints, per size, the median of 3 runs: wall seconds, CPU seconds (user + system) and peak
# memory (max RSS; DuckDB's includes its Python interpreter, ~40 MB). MIXCOST=path skips the
# release build and times that binary.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
dir="${REPLAY_BENCH_DIR:-$target/replay-bench}"
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000000 10000000)
mkdir -p "$dir"
python3 -c "import numpy, duckdb" 2>/dev/null || python3 -m pip install --quiet numpy duckdb
if [ -n "${MIXCOST:-}" ]; then
  mixcost="$MIXCOST"
else
  cargo build --quiet --release
  mixcost="$target/release/mixcost"
fi

# Runs a command 3 times; prints the median (by wall time) "wall cpu max_rss_mb inner" of the
# runs, where inner is the first word the command printed (DuckDB's own query time).
median_of_3() {
  local runs=() out
  out=$(mktemp)
  for _ in 1 2 3; do
    local stats
    stats=$( { /usr/bin/time -f "%e %U %S %M" "$@" >"$out"; } 2>&1 | tail -1)
    runs+=("$(echo "$stats $(head -c 40 "$out" | awk '{print $1; exit}')" \
      | awk '{printf "%.2f %.2f %.0f %s\n", $1, $2 + $3, $4 / 1024, ($5 ~ /^[0-9.]+$/ ? $5 : "-")}')")
  done
  rm -f "$out"
  printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p
}

printf '%-12s %-8s %10s %10s %10s %14s\n' rows engine wall_s cpu_s peak_MB query_only_s
for rows in "${sizes[@]}"; do
  log="$dir/log-$rows.csv"
  [ -f "$log" ] || python3 bench/replay_log.py "$rows" "$log"
  # The results must agree: mixcost's as-logged request count is the log's rows.
  "$mixcost" replay "$log" --scenario bench/replay-scenario.yaml --threads 2 --format json \
    | python3 -c "import json,sys; d=json.load(sys.stdin); assert d['rows']['priced'] == $rows, d['rows']"
  read -r wall cpu mem _ < <(median_of_3 "$mixcost" replay "$log" --scenario bench/replay-scenario.yaml --threads 2)
  printf '%-12s %-8s %10s %10s %10s %14s\n' "$rows" mixcost "$wall" "$cpu" "$mem" "$wall"
  read -r wall cpu mem inner < <(median_of_3 python3 bench/duckdb_group_by.py "$log" 2)
  printf '%-12s %-8s %10s %10s %10s %14s\n' "$rows" duckdb "$wall" "$cpu" "$mem" "$inner"
  # The same log as Parquet (DuckDB's COPY: snappy, 122,880-row groups), read by both.
  parquet="$dir/log-$rows.parquet"
  [ -f "$parquet" ] || python3 -c "import duckdb, sys; duckdb.sql(f\"COPY (FROM read_csv('{sys.argv[1]}', header = true, columns = {{'timestamp': 'TIMESTAMPTZ', 'model': 'VARCHAR', 'task': 'VARCHAR', 'data_class': 'VARCHAR', 'input_tokens': 'BIGINT', 'cached_tokens': 'BIGINT', 'output_tokens': 'BIGINT'}})) TO '{sys.argv[2]}' (FORMAT parquet)\")" "$log" "$parquet"
  "$mixcost" replay "$parquet" --scenario bench/replay-scenario.yaml --threads 2 --format json \
    | python3 -c "import json,sys; d=json.load(sys.stdin); assert d['rows']['priced'] == $rows, d['rows']"
  read -r wall cpu mem _ < <(median_of_3 "$mixcost" replay "$parquet" --scenario bench/replay-scenario.yaml --threads 2)
  printf '%-12s %-8s %10s %10s %10s %14s\n' "$rows" mixcost-parquet "$wall" "$cpu" "$mem" "$wall"
  read -r wall cpu mem inner < <(median_of_3 python3 bench/duckdb_group_by.py "$parquet" 2)
  printf '%-12s %-8s %10s %10s %10s %14s\n' "$rows" duckdb-parquet "$wall" "$cpu" "$mem" "$inner"
done
