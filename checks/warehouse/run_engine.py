#!/usr/bin/env python3
"""Runs the aggregation SQL mixcost emitted on a real engine over the generated spend logs
and writes the segment rows as the engine exports them.

  run_engine.py duckdb-parquet GENERATED.csv QUERY.sql OUT.csv   DuckDB over Parquet
  run_engine.py duckdb-csv     GENERATED.csv QUERY.sql OUT.csv   DuckDB over the CSV itself
  run_engine.py spark          GENERATED.csv QUERY.sql OUT.jsonl local Spark over Parquet

The table is exposed under LiteLLM's name, "LiteLLM_SpendLogs", with LiteLLM's column types:
timestamps, integers, a double `spend`, JSON text for `metadata` and `request_tags`. The
DuckDB and Spark sessions run in a time zone far from UTC on purpose: the query must not
depend on it.
"""
import json
import os
import sys
import tempfile
from decimal import Decimal

TYPED = """
SELECT request_id, CAST(spend AS DOUBLE) AS spend,
       CAST(prompt_tokens AS INTEGER) AS prompt_tokens,
       CAST(completion_tokens AS INTEGER) AS completion_tokens,
       CAST("startTime" AS TIMESTAMP) AS "startTime",
       model, metadata, request_tags
FROM read_csv('{path}', header = true, all_varchar = true)
"""


def duckdb_run(kind, generated, sql, out):
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'Pacific/Chatham'")
    if kind == "duckdb-parquet":
        parquet = os.path.join(tempfile.mkdtemp(), "spendlogs.parquet")
        con.execute(f"COPY ({TYPED.format(path=generated)}) TO '{parquet}' (FORMAT parquet)")
        con.execute(f"CREATE VIEW \"LiteLLM_SpendLogs\" AS SELECT * FROM read_parquet('{parquet}')")
    else:
        con.execute(f"CREATE VIEW \"LiteLLM_SpendLogs\" AS {TYPED.format(path=generated)}")
    query = sql.rstrip().rstrip(";")
    con.execute(f"COPY ({query}) TO '{out}' (FORMAT csv, HEADER true)")


def spark_run(generated, sql, out):
    import duckdb
    from pyspark.sql import SparkSession

    parquet = os.path.join(tempfile.mkdtemp(), "spendlogs.parquet")
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    # A UTC instant in Parquet (isAdjustedToUTC): Spark reads it as TIMESTAMP.
    con.execute(
        f"COPY (SELECT * REPLACE (timezone('UTC', \"startTime\") AS \"startTime\") "
        f"FROM ({TYPED.format(path=generated)})) TO '{parquet}' (FORMAT parquet)"
    )
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("mixcost-warehouse-check")
        .config("spark.sql.session.timeZone", "Asia/Kolkata")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    spark.read.parquet(parquet).createOrReplaceTempView("LiteLLM_SpendLogs")
    rows = spark.sql(sql.rstrip().rstrip(";")).collect()
    with open(out, "w", encoding="utf-8") as handle:
        for row in rows:
            record = {}
            for key, value in row.asDict().items():
                if isinstance(value, Decimal):
                    value = format(value, "f")
                record[key] = value
            handle.write(json.dumps(record) + "\n")
    spark.stop()


def main():
    kind, generated, sql_path, out = sys.argv[1:5]
    with open(sql_path, encoding="utf-8") as handle:
        sql = handle.read()
    if kind.startswith("duckdb"):
        duckdb_run(kind, generated, sql, out)
    elif kind == "spark":
        spark_run(generated, sql, out)
    else:
        sys.exit(f"unknown engine {kind}")


if __name__ == "__main__":
    main()
