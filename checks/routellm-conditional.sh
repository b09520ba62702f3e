#!/usr/bin/env bash
# Conditional pass rates against RouteLLM's per-question MMLU outcomes in ../shared/data (or
# $MIXCOST_SHARED_DATA): the closed form with `given:` rates counted from the questions must
# print the cascade success counted directly. Needs only Python 3 and cargo (or $MIXCOST);
# exits non-zero on any difference.
set -euo pipefail
exec python3 "$(dirname "$0")/routellm-conditional.py" "$@"
