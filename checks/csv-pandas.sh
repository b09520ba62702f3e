#!/usr/bin/env bash
# Every command's CSV read by pandas the way an analyst would (`pandas.read_csv`, no options):
# each file is one table, every column named *_usd, *_usd_exact, *_pct, *_tokens, *_ratio,
# *_seconds, *_usd_per_mtok, requests or *_count comes out numeric, *_usd equals *_usd_exact
# rounded to its places, and no cell holds `$`, a thousands separator or a true minus sign.
# Runnable by hand; installs pandas (PyPI) in a virtual environment when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

python=python3
if ! "$python" -c "import pandas" 2>/dev/null; then
    venv="target/checks/venv"
    if ! "$venv/bin/python" -c "import pandas" 2>/dev/null; then
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet pandas
    fi
    python="$venv/bin/python"
fi

if [ -z "${MIXCOST:-}" ]; then
    cargo build --locked --quiet
    MIXCOST="target/debug/mixcost"
fi
"$python" checks/csv_pandas.py "$MIXCOST"
