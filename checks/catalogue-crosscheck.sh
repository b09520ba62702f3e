#!/usr/bin/env bash
# Prices the same requests through mixcost and through LiteLLM's map and genai-prices (the
# reference data beside the checkout, ../shared/data) and fails on any disagreement that is
# not on checks/catalogue-known-disagreements.tsv. Needs python3 (standard library only).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-../shared/data}"
if [ ! -f "$DATA/litellm_model_prices.json" ]; then
    echo "catalogue-crosscheck: no $DATA/litellm_model_prices.json (give the data folder as \$1)" >&2
    exit 2
fi
command -v python3 >/dev/null || { apt-get update -qq && apt-get install -y -qq python3; }
# The debug binary: built by `cargo test` already, and quick enough for ~1,150 small runs.
cargo build --locked --quiet --bin mixcost
python3 checks/catalogue_crosscheck.py "$DATA" target/debug/mixcost
