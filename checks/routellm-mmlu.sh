#!/usr/bin/env bash
# Shadow replay against RouteLLM's per-question MMLU outcomes in ../shared/data (or
# $MIXCOST_SHARED_DATA): the replayed weak-then-strong cascade's success must equal the count
# taken straight from the CSVs, and the emitted scenario's closed form must reproduce it.
# Needs Python 3 and cargo (or $MIXCOST); exits non-zero on any difference.
set -euo pipefail
exec python3 "$(dirname "$0")/routellm-mmlu.py" "$@"
