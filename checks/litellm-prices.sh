#!/usr/bin/env bash
# Cross-checks the shipped catalogue against LiteLLM's price map in ../shared/data (or
# $MIXCOST_SHARED_DATA). Needs only Python 3 and cargo; exits non-zero on any mismatch.
set -euo pipefail
exec python3 "$(dirname "$0")/litellm-prices.py" "$@"
