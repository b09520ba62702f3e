#!/usr/bin/env bash
# The Spark SQL mixcost emits, run on a local Spark (pyspark, one session, local[2]) over a
# Parquet file written here, priced with `replay --aggregates` (Spark's rows as JSON Lines)
# and compared with a local replay of the same rows: identical JSON, to the last digit.
# Installs pyspark and duckdb (to write the Parquet) with pip when missing; needs Java 17.
# Run by hand: checks/warehouse-spark.sh
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c "import duckdb" 2>/dev/null || pip install --quiet duckdb
python3 -c "import pyspark" 2>/dev/null || pip install --quiet pyspark
command -v java >/dev/null || { echo "FAIL: Spark needs Java (17)" >&2; exit 1; }
cargo build --quiet --locked
BIN="$PWD/target/debug/mixcost"
SCENARIO=checks/warehouse/scenario.yaml
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

python3 checks/warehouse/generate.py 3000 "$WORK/generated.csv"
"$BIN" replay --emit-sql spark --scenario "$SCENARIO" > "$WORK/query.sql"
python3 checks/warehouse/run_engine.py spark "$WORK/generated.csv" "$WORK/query.sql" "$WORK/spark.jsonl"
for by in "" "--by day" "--by model"; do
    # shellcheck disable=SC2086
    "$BIN" replay "$WORK/generated.csv" --log-format litellm --scenario "$SCENARIO" --format json $by > "$WORK/local.json"
    # shellcheck disable=SC2086
    "$BIN" replay --aggregates "$WORK/spark.jsonl" --scenario "$SCENARIO" --format json $by > "$WORK/pushed.json"
    python3 checks/warehouse/compare.py "$WORK/local.json" "$WORK/pushed.json" "spark ${by:-totals}"
done
echo "warehouse-spark: all checks passed"
