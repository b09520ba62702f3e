#!/usr/bin/env bash
# Parquet written by pyarrow (plain, dictionary, INT96) and by DuckDB (COPY TO parquet) from a
# generated CSV log must replay to the same JSON as the CSV. Installs pyarrow and duckdb with
# pip when missing; uses $MIXCOST or builds the binary. Exits non-zero on any difference.
set -euo pipefail
exec python3 "$(dirname "$0")/replay_parquet.py" "$@"
