#!/usr/bin/env python3
"""The aggregation a replay needs, in DuckDB, on the benchmark log: per model, task, data class,
UTC day, DeepSeek's off-peak window and the long-context band (GPT-5.5's 272k, Claude's 200k),
the count and the token sums.

    python3 bench/duckdb_group_by.py LOG.csv|LOG.parquet THREADS

Prints the seconds the query took (reading the file included) and the number of groups.
"""
import sys
import time

import duckdb

log, threads = sys.argv[1], int(sys.argv[2])
con = duckdb.connect()
con.execute(f"SET threads = {threads}")
source = (
    f"read_parquet('{log}')"
    if log.endswith(".parquet")
    else f"""read_csv('{log}', header = true,
              columns = {{'timestamp': 'TIMESTAMPTZ', 'model': 'VARCHAR', 'task': 'VARCHAR',
                         'data_class': 'VARCHAR', 'input_tokens': 'BIGINT',
                         'cached_tokens': 'BIGINT', 'output_tokens': 'BIGINT'}})"""
)
query = f"""
SELECT model, task, data_class,
       CAST(timestamp AT TIME ZONE 'UTC' AS DATE) AS day,
       NOT (isodow(timestamp AT TIME ZONE 'UTC') <= 5 AND (
             (hour(timestamp AT TIME ZONE 'UTC') * 60 + minute(timestamp AT TIME ZONE 'UTC')) BETWEEN 60 AND 239
          OR (hour(timestamp AT TIME ZONE 'UTC') * 60 + minute(timestamp AT TIME ZONE 'UTC')) BETWEEN 360 AND 599)) AS off_peak,
       (input_tokens > 200000)::INT + (input_tokens > 272000)::INT AS band,
       count(*) AS requests,
       sum(input_tokens) AS input_tokens,
       sum(cached_tokens) AS cached_tokens,
       sum(output_tokens) AS output_tokens
FROM {source}
GROUP BY ALL
"""
start = time.perf_counter()
rows = con.execute(query).fetchall()
elapsed = time.perf_counter() - start
print(f"{elapsed:.3f} {len(rows)}")
