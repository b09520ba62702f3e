#!/usr/bin/env bash
# Start-up time of `mixcost compare` with the ~4,700-model embedded catalogue, against what a
# user would otherwise pay: parsing every imported model (`models --all`, the eager load).
# Optionally pass a second binary (e.g. one built from an older commit) to compare against.
# Needs hyperfine (apt-get install hyperfine).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
new=target/release/mixcost
old="${1:-}"
runs=(--warmup 20 --runs 200 -N)
if [ -n "$old" ]; then
    hyperfine "${runs[@]}" "$old compare" "$new compare"
else
    hyperfine "${runs[@]}" "$new compare"
fi
hyperfine --warmup 2 --runs 10 -N "$new models --all --format csv --as-of 2026-11-30"
