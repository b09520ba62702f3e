#!/usr/bin/env bash
# The DuckDB SQL mixcost emits, run in DuckDB (the Python package: no C++ build in `cargo
# build`) over Parquet and over CSV written here, priced with `replay --aggregates` and
# compared with a local replay of the same rows: identical JSON, to the last digit.
# Installs duckdb with pip when missing. Run by hand: checks/warehouse-duckdb.sh
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c "import duckdb" 2>/dev/null || pip install --quiet duckdb
cargo build --quiet --locked
BIN="$PWD/target/debug/mixcost"
SCENARIO=checks/warehouse/scenario.yaml
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

python3 checks/warehouse/generate.py 4000 "$WORK/generated.csv"
"$BIN" replay --emit-sql duckdb --scenario "$SCENARIO" > "$WORK/query.sql"
for by in "" "--by day"; do
    # shellcheck disable=SC2086
    "$BIN" replay "$WORK/generated.csv" --log-format litellm --scenario "$SCENARIO" --format json $by > "$WORK/local.json"
    for kind in duckdb-parquet duckdb-csv; do
        python3 checks/warehouse/run_engine.py "$kind" "$WORK/generated.csv" "$WORK/query.sql" "$WORK/$kind.csv"
        # shellcheck disable=SC2086
        "$BIN" replay --aggregates "$WORK/$kind.csv" --scenario "$SCENARIO" --format json $by > "$WORK/pushed.json"
        python3 checks/warehouse/compare.py "$WORK/local.json" "$WORK/pushed.json" "$kind ${by:-totals}"
    done
done
echo "warehouse-duckdb: all checks passed"
