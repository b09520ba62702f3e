#!/usr/bin/env bash
# Warehouse-scale replay, measured: N generated LiteLLM spend-log rows in PostgreSQL
# (default 10,000,000), then
#   A. mixcost replay --database        (the GROUP BY runs in PostgreSQL; segments come back)
#   B. \copy the table to CSV + mixcost replay FILE --log-format litellm   (what a user does
#      without push-down)
#   C. the emitted Spark SQL on a local Spark (local[2]) over a Parquet of the same rows,
#      priced with --aggregates
# Wall time and peak memory (RSS of the client side: mixcost, psql, Spark's driver JVM and
# Python), and a check that A, B and C print identical results.
#
# usage: bench/warehouse.sh [N]          (needs PostgreSQL as for checks/warehouse-postgres.sh,
#                                          duckdb and pyspark; 10M rows take ~4.4 GB in PostgreSQL
#                                          and ~3.3 GB of CSV in $TMPDIR)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-10000000}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}" PGDATABASE="${PGDATABASE:-test}"
python3 -c "import duckdb, pyspark" 2>/dev/null || pip install --quiet duckdb pyspark
cargo build --release --quiet
BIN="$PWD/target/release/mixcost"
SCENARIO=checks/warehouse/scenario.yaml
WORK="$(mktemp -d)"
SCHEMA="mixcost_bench_$$"
cleanup() {
    psql -q -c "DROP SCHEMA IF EXISTS \"$SCHEMA\" CASCADE" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
TABLE="\"$SCHEMA\".\"LiteLLM_SpendLogs\""

measure() { # LABEL COMMAND… — prints wall seconds and peak RSS (MB)
    local label="$1"
    shift
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$@"
    read -r seconds kb < "$WORK/time"
    printf '%-44s %9.2f s %9.1f MB\n' "$label" "$seconds" "$(echo "$kb / 1024" | bc -l)"
}

echo "generating $N rows in PostgreSQL ($SCHEMA)…"
psql -q -v ON_ERROR_STOP=1 -c "CREATE SCHEMA \"$SCHEMA\""
psql -q -v ON_ERROR_STOP=1 -v schema="$SCHEMA" -f checks/warehouse/litellm_spendlogs.sql
# Lognormal sizes (Box–Muller), some above 200k/272k; 40 % with cached tokens in LiteLLM's
# usage object; routing tags; spread over 57 days across the 2026-11-01 price change.
psql -q -v ON_ERROR_STOP=1 <<SQL
SELECT setseed(0.2026);
INSERT INTO $TABLE (request_id, call_type, spend, total_tokens, prompt_tokens, completion_tokens,
                    "startTime", "endTime", model, metadata, request_tags)
SELECT 'req-' || g, 'acompletion', spend, size + output, size, output, at, at + interval '2 seconds',
       model,
       jsonb_build_object('usage_object', jsonb_build_object(
           'prompt_tokens', size, 'completion_tokens', output,
           'prompt_tokens_details', jsonb_build_object('cached_tokens', cached))),
       jsonb_build_array('env:prod', 'task:' || task, 'data_class:' || data_class)
FROM (
    SELECT g, size, output,
           CASE WHEN random() < 0.4 THEN floor(random() * size)::int ELSE 0 END AS cached,
           round((random() * 0.9)::numeric, 6)::float8 AS spend,
           timestamp '2026-10-02' + (random() * 57 * 86400000)::bigint * interval '1 millisecond' AS at,
           (ARRAY['gpt-5.5', 'openai/gpt-5-mini', 'gemini-2.5-pro', 'deepseek-v4-flash',
                  'deepseek-v4-pro', 'claude-sonnet-4-5'])[1 + floor(random() * 6)::int] AS model,
           (ARRAY['extraction', 'support', 'synthesis'])[1 + floor(random() * 3)::int] AS task,
           (ARRAY['public', 'internal', 'confidential'])[1 + floor(random() * 3)::int] AS data_class
    FROM (
        SELECT g,
               least(900000, greatest(1, exp(9.5 + 1.6 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))::int)) AS size,
               greatest(1, exp(6 + sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))::int) AS output
        FROM generate_series(1, $N) AS g
    ) sized
) rows;
ANALYZE $TABLE;
SQL
echo "table size: $(psql -At -c "SELECT pg_size_pretty(pg_total_relation_size('$TABLE'))")"
echo
printf '%-44s %11s %12s\n' "" "wall" "peak RSS"

measure "A. replay --database (push-down)" \
    "$BIN" replay --database "postgres://$PGUSER@$PGHOST:$PGPORT/$PGDATABASE" \
    --table "$SCHEMA.LiteLLM_SpendLogs" --scenario "$SCENARIO" --format json -o "$WORK/a.json"

measure "B1. psql \\copy to CSV" \
    psql -q -c "\\copy (SELECT * FROM $TABLE) TO '$WORK/export.csv' CSV HEADER"
echo "    CSV: $(du -h "$WORK/export.csv" | cut -f1)"
measure "B2. replay FILE --log-format litellm" \
    "$BIN" replay "$WORK/export.csv" --log-format litellm --scenario "$SCENARIO" --format json -o "$WORK/b.json"

python3 - "$WORK/export.csv" "$WORK/spendlogs.parquet" <<'PY'
import sys, duckdb
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
con.execute(f"""COPY (SELECT request_id, CAST(spend AS DOUBLE) AS spend,
    CAST(prompt_tokens AS INTEGER) AS prompt_tokens, CAST(completion_tokens AS INTEGER) AS completion_tokens,
    timezone('UTC', CAST("startTime" AS TIMESTAMP)) AS "startTime", model, metadata, request_tags
    FROM read_csv('{sys.argv[1]}', header = true, all_varchar = true)) TO '{sys.argv[2]}' (FORMAT parquet)""")
PY
echo "    Parquet for Spark: $(du -h "$WORK/spendlogs.parquet" | cut -f1)"
"$BIN" replay --emit-sql spark --scenario "$SCENARIO" > "$WORK/spark.sql"
cat > "$WORK/spark.py" <<'PY'
import json, sys, time
from decimal import Decimal
from pyspark.sql import SparkSession
start = time.time()
spark = (SparkSession.builder.master("local[2]").config("spark.sql.session.timeZone", "UTC")
         .config("spark.ui.enabled", "false").config("spark.driver.memory", "2g").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
ready = time.time()
spark.read.parquet(sys.argv[1]).createOrReplaceTempView("LiteLLM_SpendLogs")
rows = spark.sql(open(sys.argv[2]).read()).collect()
with open(sys.argv[3], "w") as out:
    for row in rows:
        out.write(json.dumps({k: (format(v, "f") if isinstance(v, Decimal) else v)
                              for k, v in row.asDict().items()}) + "\n")
done = time.time()
print(f"    Spark session start {ready - start:.1f} s, query {done - ready:.1f} s, {len(rows)} segment rows",
      file=sys.stderr)
spark.stop()
PY
measure "C1. Spark SQL over Parquet (local[2])" \
    python3 "$WORK/spark.py" "$WORK/spendlogs.parquet" "$WORK/spark.sql" "$WORK/segments.jsonl"
measure "C2. replay --aggregates (Spark's rows)" \
    "$BIN" replay --aggregates "$WORK/segments.jsonl" --scenario "$SCENARIO" --format json -o "$WORK/c.json"
echo
python3 checks/warehouse/compare.py "$WORK/b.json" "$WORK/a.json" "A (push-down) vs B (export + local)"
python3 checks/warehouse/compare.py "$WORK/b.json" "$WORK/c.json" "C (Spark) vs B (export + local)"
