#!/usr/bin/env bash
# The XLSX report recalculated by LibreOffice headless: every policy total, change against
# the baseline and annual figure equals `compare --format json` to the cent for every shipped
# scenario; then V4 Flash's output price is changed in Inputs (openpyxl), the workbook is
# recalculated again, and every total must equal `mixcost whatif` for the same change.
# Runnable by hand; installs libreoffice-calc and `openpyxl` (PyPI) when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v soffice >/dev/null || ! python3 -c "import ensurepip" 2>/dev/null; then
    apt-get update
    apt-get install -y libreoffice-calc python3 python3-venv
fi

out="${REPORT_ARTEFACTS:-target/checks/report-libreoffice}"
rm -rf "$out"
mkdir -p "$out"
venv="target/checks/venv"
if ! "$venv/bin/python" -c "import websockets, openpyxl" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet websockets openpyxl
fi

cargo build --locked --quiet
"$venv/bin/python" checks/report_libreoffice.py target/debug/mixcost "$(cd "$out" && pwd)"
