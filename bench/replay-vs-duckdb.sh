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
# Prints a table: per size, the medians of RUNS runs (default 5) of wall seconds, CPU seconds
# (user + system) and peak memory (max RSS; DuckDB's includes its Python interpreter, ~40 MB),
# then the ratio mixcost / DuckDB of each (the last column: mixcost's wall against DuckDB's
# query alone). The load average before and after is printed too: on a shared machine, compare
# CPU seconds when it is high. MIXCOST=path skips the release build and times that binary.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
dir="${REPLAY_BENCH_DIR:-$target/replay-bench}"
runs="${RUNS:-5}"
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

# Runs a command $runs times; prints the medians "wall cpu max_rss_mb inner" of the runs
# (each column's own median), where inner is the first word the command printed (DuckDB's own
# query time).
median_of_runs() {
  local out all
  out=$(mktemp)
  all=$(mktemp)
  for _ in $(seq "$runs"); do
    local stats
    stats=$( { /usr/bin/time -f "%e %U %S %M" "$@" >"$out"; } 2>&1 | tail -1)
    echo "$stats $(head -c 40 "$out" | awk '{print $1; exit}')" \
      | awk '{printf "%.2f %.2f %.0f %s\n", $1, $2 + $3, $4 / 1024, ($5 ~ /^[0-9.]+$/ ? $5 : "-")}' >>"$all"
  done
  local medians=()
  for column in 1 2 3 4; do
    medians+=("$(awk -v c="$column" '{print $c}' "$all" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')")
  done
  rm -f "$out" "$all"
  echo "${medians[@]}"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $runs runs each, medians; 2 threads"
printf '| %-10s | %-16s | %8s | %8s | %8s | %12s |\n' rows engine wall_s cpu_s peak_MB query_only_s
printf '|%s|%s|%s|%s|%s|%s|\n' ------------ ------------------ ---------- ---------- ---------- --------------
for rows in "${sizes[@]}"; do
  log="$dir/log-$rows.csv"
  [ -f "$log" ] || python3 bench/replay_log.py "$rows" "$log"
  # The results must agree: mixcost's as-logged request count is the log's rows.
  "$mixcost" replay "$log" --scenario bench/replay-scenario.yaml --threads 2 --format json \
    | python3 -c "import json,sys; d=json.load(sys.stdin); assert d['rows']['priced'] == $rows, d['rows']"
  read -r m_wall m_cpu m_mem _ < <(median_of_runs "$mixcost" replay "$log" --scenario bench/replay-scenario.yaml --threads 2)
  printf '| %-10s | %-16s | %8s | %8s | %8s | %12s |\n' "$rows" mixcost "$m_wall" "$m_cpu" "$m_mem" "$m_wall"
  read -r d_wall d_cpu d_mem d_inner < <(median_of_runs python3 bench/duckdb_group_by.py "$log" 2)
  printf '| %-10s | %-16s | %8s | %8s | %8s | %12s |\n' "$rows" duckdb "$d_wall" "$d_cpu" "$d_mem" "$d_inner"
  printf '| %-10s | %-16s | %8s | %8s | %8s | %12s |\n' "$rows" "mixcost / duckdb" \
    "$(ratio "$m_wall" "$d_wall")" "$(ratio "$m_cpu" "$d_cpu")" "$(ratio "$m_mem" "$d_mem")" \
    "$(ratio "$m_wall" "$d_inner")"
  # The same log as Parquet (DuckDB's COPY: snappy, 122,880-row groups), read by both.
  parquet="$dir/log-$rows.parquet"
  [ -f "$parquet" ] || python3 -c "import duckdb, sys; duckdb.sql('SET enable_progress_bar = false'); duckdb.sql(f\"COPY (FROM read_csv('{sys.argv[1]}', header = true, columns = {{'timestamp': 'TIMESTAMPTZ', 'model': 'VARCHAR', 'task': 'VARCHAR', 'data_class': 'VARCHAR', 'input_tokens': 'BIGINT', 'cached_tokens': 'BIGINT', 'output_tokens': 'BIGINT'}})) TO '{sys.argv[2]}' (FORMAT parquet)\")" "$log" "$parquet"
  "$mixcost" replay "$parquet" --scenario bench/replay-scenario.yaml --threads 2 --format json \
    | python3 -c "import json,sys; d=json.load(sys.stdin); assert d['rows']['priced'] == $rows, d['rows']"
  read -r m_wall m_cpu m_mem _ < <(median_of_runs "$mixcost" replay "$parquet" --scenario bench/replay-scenario.yaml --threads 2)
  printf '| %-10s | %-16s | %8s | %8s | %8s | %12s |\n' "$rows" mixcost-parquet "$m_wall" "$m_cpu" "$m_mem" "$m_wall"
  read -r d_wall d_cpu d_mem d_inner < <(median_of_runs python3 bench/duckdb_group_by.py "$parquet" 2)
  printf '| %-10s | %-16s | %8s | %8s | %8s | %12s |\n' "$rows" duckdb-parquet "$d_wall" "$d_cpu" "$d_mem" "$d_inner"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
