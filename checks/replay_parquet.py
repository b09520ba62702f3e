#!/usr/bin/env python3
"""Parquet written by real tools replays exactly as the CSV it came from.

Generates a CSV request log (spend, an outcome column, empty cached counts, an unknown model),
writes it as Parquet with pyarrow (plain, dictionary-typed strings with small zstd row groups,
Spark's legacy INT96 timestamps) and with DuckDB (COPY TO parquet: snappy, gzip, naive
TIMESTAMP, timestamps as text), replays each with `mixcost replay --by day --format json`, and
checks every output equals the CSV's (the file names and the first skipped row's place aside,
since a CSV counts lines and Parquet rows). Exits 1 on any difference.

    python3 checks/replay_parquet.py [ROWS]      (default 30000; MIXCOST=binary to skip the build)
"""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

from mixcost_bin import ROOT, mixcost_binary

SCENARIO = os.path.join(ROOT, "bench", "replay-scenario.yaml")
MODELS = ["gpt-5.5", "deepseek-v4-flash", "claude-sonnet-4-5", "gemini-2.5-flash"]
TASKS = ["extraction", "classification", "summarization", "synthesis", "coding"]
CLASSES = ["public", "internal", "confidential"]


def fail(message):
    print(f"replay-parquet: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def ensure_modules():
    try:
        import duckdb  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "pyarrow", "duckdb"], check=True
        )


def write_csv(path, rows):
    """A month of requests: ~1 in 50 with no cached count (an empty cell), 1 in 500 on a
    model the catalogue does not know, spend with six decimals, a shadow outcome."""
    rng = random.Random(7)
    start = 1_777_593_600  # 2026-05-01T00:00:00Z
    with open(path, "w") as out:
        out.write(
            "request_id,timestamp,model,task,data_class,input_tokens,cached_tokens,"
            "output_tokens,spend,outcome:deepseek-v4-flash\n"
        )
        for row in range(rows):
            seconds = start + row * (31 * 86400) // rows
            stamp = f"2026-05-{1 + (seconds - start) // 86400:02d}T" + (
                f"{(seconds % 86400) // 3600:02d}:{(seconds % 3600) // 60:02d}:{seconds % 60:02d}Z"
            )
            model = "gpt-9" if rng.random() < 0.002 else rng.choice(MODELS)
            inputs = max(1, int(rng.lognormvariate(8.0, 1.2)))
            cached = "" if rng.random() < 0.02 else str(int(inputs * rng.random() * 0.5))
            outputs = max(1, int(rng.lognormvariate(6.0, 0.8)))
            spend = f"{rng.random() * 0.05:.6f}"
            outcome = "true" if rng.random() < 0.7 else "false"
            out.write(
                f"r{row},{stamp},{model},{rng.choice(TASKS)},{rng.choice(CLASSES)},"
                f"{inputs},{cached},{outputs},{spend},{outcome}\n"
            )


def write_parquet(csv_path, folder):
    """Every Parquet variant of the CSV: name → path."""
    import duckdb
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    table = pcsv.read_csv(csv_path)
    files = {}

    def out(name):
        files[name] = os.path.join(folder, name + ".parquet")
        return files[name]

    pq.write_table(table, out("pyarrow"))
    dictionary = table
    for column in ["model", "task", "data_class"]:
        index = dictionary.schema.get_field_index(column)
        dictionary = dictionary.set_column(
            index, column, pc.dictionary_encode(dictionary[column])
        )
    pq.write_table(dictionary, out("pyarrow-dictionary-zstd"), row_group_size=4096,
                   compression="zstd")
    pq.write_table(table, out("pyarrow-int96"), use_deprecated_int96_timestamps=True)
    if pq.read_schema(files["pyarrow-int96"]).field("timestamp").type != pa.timestamp("ns"):
        fail("pyarrow did not write INT96 timestamps")
    meta = pq.ParquetFile(files["pyarrow-int96"]).schema
    if meta.column(1).physical_type != "INT96":
        fail(f"pyarrow wrote {meta.column(1).physical_type}, not INT96")

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    source = f"read_csv('{csv_path}', header = true)"
    con.execute(f"COPY (FROM {source}) TO '{out('duckdb')}' (FORMAT parquet)")
    con.execute(
        f"COPY (FROM {source}) TO '{out('duckdb-gzip-small-groups')}' "
        "(FORMAT parquet, COMPRESSION gzip, ROW_GROUP_SIZE 5000)"
    )
    con.execute(
        f"COPY (SELECT * REPLACE (timestamp::TIMESTAMP AS timestamp) FROM {source}) "
        f"TO '{out('duckdb-naive-timestamp')}' (FORMAT parquet)"
    )
    con.execute(
        f"COPY (SELECT * REPLACE (strftime(timestamp, '%Y-%m-%dT%H:%M:%SZ') AS timestamp) "
        f"FROM {source}) TO '{out('duckdb-text-timestamp')}' (FORMAT parquet)"
    )
    kinds = con.execute(
        f"SELECT name, type FROM parquet_schema('{files['duckdb-naive-timestamp']}')"
    ).fetchall()
    print("  duckdb naive schema:", ", ".join(f"{n} {t}" for n, t in kinds if t))
    return files


def replay(mixcost, log):
    run = subprocess.run(
        [mixcost, "replay", log, "--scenario", SCENARIO, "--by", "day", "--threads", "2",
         "--format", "json"],
        capture_output=True, text=True,
    )
    if run.returncode != 0:
        fail(f"replay of {log} exited {run.returncode}: {run.stderr.strip()}")
    result = json.loads(run.stdout)
    result.pop("files")
    for reason in result["rows"]["skipped_by_reason"]:
        reason.pop("first")
    return result


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 30_000
    ensure_modules()
    mixcost = mixcost_binary()
    folder = tempfile.mkdtemp(prefix="replay-parquet-")
    try:
        csv_path = os.path.join(folder, "log.csv")
        write_csv(csv_path, rows)
        expected = replay(mixcost, csv_path)
        if expected["rows"]["read"] != rows or expected["rows"]["skipped"] == 0:
            fail(f"the CSV replay read {expected['rows']}; expected {rows} rows, some skipped")
        print(f"  csv: {expected['rows']['priced']} priced, {expected['rows']['skipped']} skipped")
        failed = []
        for name, path in write_parquet(csv_path, folder).items():
            got = replay(mixcost, path)
            same = got == expected
            print(f"  {name}: {'same' if same else 'DIFFERENT'}")
            if not same:
                for key in expected:
                    if got.get(key) != expected[key]:
                        print(f"    {key}: {json.dumps(got.get(key))[:400]}\n"
                              f"    csv: {json.dumps(expected[key])[:400]}", file=sys.stderr)
                failed.append(name)
        if failed:
            fail("Parquet replays differ from the CSV's: " + ", ".join(failed))
        print("replay-parquet: every Parquet variant replays exactly as the CSV")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
