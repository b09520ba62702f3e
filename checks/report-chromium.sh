#!/usr/bin/env bash
# The HTML report in headless Chromium: no console errors, no network request, the figures in
# the DOM equal `compare --format json`, a full-page and a phone screenshot (PNG artefacts),
# and the print-to-PDF's page count (pdfinfo) with the executive summary alone on page 1.
# Runnable by hand from anywhere; installs Chromium, poppler-utils and `websockets` (PyPI) when
# they are missing. Artefacts go to $REPORT_ARTEFACTS (default target/checks/report-chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null || ! command -v pdfinfo >/dev/null || ! python3 -c "import ensurepip" 2>/dev/null; then
    apt-get update
    apt-get install -y chromium poppler-utils python3 python3-venv
fi

out="${REPORT_ARTEFACTS:-target/checks/report-chromium}"
mkdir -p "$out"
venv="target/checks/venv"
if ! "$venv/bin/python" -c "import websockets, openpyxl" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet websockets openpyxl
fi

cargo build --locked --quiet
"$venv/bin/python" checks/report_chromium.py target/debug/mixcost "$out"
