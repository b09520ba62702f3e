"""Reads every command's CSV with pandas and checks the CSV convention (see csv-pandas.sh)."""

import io
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal

import pandas

MIXCOST = sys.argv[1]

COMMANDS = [
    ["compare"],
    ["compare", "--by", "workload"],
    ["compare", "--by", "model"],
    ["compare", "--by", "component"],
    ["compare", "--by", "line"],
    ["compare", "scenarios/seed.yaml", "scenarios/support-desk.yaml"],
    ["compare", "scenarios/cascade-wins.yaml"],
    ["compare", "scenarios/document-pipeline.yaml", "--by", "line"],
    ["models", "--as-of", "2026-11-30"],
    ["gap", "gpt-5.5", "deepseek-v4-flash", "--as-of", "2026-11-30"],
    ["whatif", "--set", "workloads.*.volume=x1.3"],
    ["sweep", "--vary", "workloads.*.cache_hit_rate=0:0.5:0.25"],
    ["sensitivity"],
    ["solve", "--vary", "models.deepseek-v4-pro.output", "--policy", "mixed-pro",
     "--target", "equal=all-gpt-5.5"],
    ["check", "scenarios/seed.yaml", "--budget", "1000"],
    ["check", "tests/fixtures/ci/changed.yaml", "--against", "tests/fixtures/ci/base.yaml",
     "--max-increase", "10%"],
    ["diff", "tests/fixtures/ci/base.yaml", "tests/fixtures/ci/changed.yaml"],
    ["simulate", "scenarios/cascade-wins.yaml", "--trials", "200"],
    ["replay", "tests/fixtures/replay/log.csv", "--scenario", "tests/fixtures/replay/scenario.yaml"],
]

NUMERIC = ("_usd", "_usd_exact", "_usd_per_mtok", "_pct", "_ratio", "_seconds", "_tokens",
           "tokens", "requests", "count")

failures = []


def fail(command, message):
    failures.append(f"mixcost {' '.join(command)}: {message}")


for command in COMMANDS:
    run = subprocess.run([MIXCOST, *command, "--format", "csv"], capture_output=True, text=True)
    # `replay` prints its row counts and notes on standard error when CSV is on standard output.
    noted = command[0] == "replay" and all(
        line.startswith("note: ") for line in run.stderr.splitlines()
    )
    if run.returncode not in (0, 1) or (run.stderr and not noted):
        fail(command, f"exit {run.returncode}: {run.stderr}")
        continue
    if "\n\n" in run.stdout:
        fail(command, "more than one table")
    frame = pandas.read_csv(io.StringIO(run.stdout))
    raw = pandas.read_csv(io.StringIO(run.stdout), dtype=str, keep_default_na=False)
    if len(frame) == 0:
        fail(command, "no rows")
    for column in frame.columns:
        if column.startswith("Unnamed") or column.endswith(".1"):
            fail(command, f"an empty or repeated column name: {column!r}")
        if column.endswith(NUMERIC) and not pandas.api.types.is_numeric_dtype(frame[column]):
            fail(command, f"{column} is read as {frame[column].dtype}, not a number")
        for cell in raw[column]:
            if column.endswith(NUMERIC) and any(c in cell for c in "$,%\u2212"):
                fail(command, f"{column} holds {cell!r}")
        if column.endswith("_usd"):
            exact = column + "_exact"
            if exact not in raw.columns:
                fail(command, f"{column} has no {exact}")
                continue
            for shown, full in zip(raw[column], raw[exact]):
                if not shown:
                    continue
                places = Decimal(shown).as_tuple().exponent
                rounded = Decimal(full).quantize(Decimal(1).scaleb(places), ROUND_HALF_UP)
                if rounded != Decimal(shown):
                    fail(command, f"{column} {shown} is not {exact} {full} rounded")
    print(f"ok: mixcost {' '.join(command)} --format csv ({len(frame)} rows, "
          f"{len(frame.columns)} columns)")

if failures:
    print("\n".join(failures), file=sys.stderr)
    sys.exit(1)
