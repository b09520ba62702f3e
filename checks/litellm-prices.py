#!/usr/bin/env python3
"""Cross-check the shipped catalogue's current prices against LiteLLM's public price map.

Reads ../shared/data/litellm_model_prices.json (or $MIXCOST_SHARED_DATA/litellm_model_prices.json)
with its floats parsed through their decimal text (parse_float=decimal.Decimal), and compares
them with what `mixcost models --format json` (standard list prices) and `mixcost compare --by
line --format json` on a generated all-batch scenario (batch list prices) print. Exits 1 on any
mismatch, 2 when the data or the binary cannot be found.

Run by hand from the repository: `bash checks/litellm-prices.sh`. It runs `cargo run` unless
$MIXCOST names a built binary (CI sets it to the one it just built).
"""

import decimal
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

AS_OF = "2026-11-29"
MILLION = decimal.Decimal(1_000_000)
# Our model id → LiteLLM's key.
PAIRS = [
    ("gpt-5.5", "gpt-5.5"),
    ("gpt-5", "gpt-5"),
    ("gpt-5-mini", "gpt-5-mini"),
    ("gpt-5-nano", "gpt-5-nano"),
    ("deepseek-v4-flash", "deepseek/deepseek-v4-flash"),
    ("deepseek-v4-pro", "deepseek/deepseek-v4-pro"),
    ("claude-opus-4-5", "claude-opus-4-5"),
    ("claude-sonnet-4-5", "claude-sonnet-4-5"),
    ("claude-haiku-4-5", "claude-haiku-4-5"),
    ("gemini-2.5-pro", "gemini/gemini-2.5-pro"),
    ("gemini-2.5-flash", "gemini/gemini-2.5-flash"),
    ("gemini-2.5-flash-lite", "gemini/gemini-2.5-flash-lite"),
]
STANDARD = [
    ("input_cost_per_token", "input"),
    ("output_cost_per_token", "output"),
    ("cache_read_input_token_cost", "cached_input"),
]
BATCH = [
    ("input_cost_per_token_batches", "uncached_input"),
    ("output_cost_per_token_batches", "output"),
]


def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


def data_file() -> Path:
    folder = os.environ.get("MIXCOST_SHARED_DATA")
    if folder:
        return Path(folder) / "litellm_model_prices.json"
    # shared/ sits beside the checkout; look in each enclosing folder in turn.
    for parent in repo_root().parents:
        candidate = parent / "shared" / "data" / "litellm_model_prices.json"
        if candidate.is_file():
            return candidate
    return repo_root().parent / "shared" / "data" / "litellm_model_prices.json"


def mixcost(*args: str) -> dict:
    binary = os.environ.get("MIXCOST")
    command = [binary] if binary else ["cargo", "run", "--quiet", "--locked", "--"]
    done = subprocess.run(
        command + list(args), cwd=repo_root(), capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"error: mixcost {' '.join(args)} exited {done.returncode}:\n{done.stderr}")
    return json.loads(done.stdout, parse_float=decimal.Decimal)


def per_million(value) -> decimal.Decimal:
    if not isinstance(value, (decimal.Decimal, int)):
        raise SystemExit(f"error: LiteLLM price {value!r} is not a number")
    return (decimal.Decimal(value) * MILLION).normalize()


def batch_scenario(models: list[str]) -> str:
    policies = "\n".join(f"  - name: {m}\n    default: {{model: {m}, prices: list}}" for m in models)
    return (
        f"name: LiteLLM batch cross-check\nas_of: {AS_OF}\n"
        "workloads:\n  - name: all-batch\n    input_tokens: 1M\n    output_tokens: 1M\n"
        f"    batch_share: 1\npolicies:\n{policies}\nbaseline: {models[0]}\n"
    )


def main() -> int:
    path = data_file()
    if not path.is_file():
        print(
            f"error: {path} not found; run from a checkout with shared/ beside it "
            "or set MIXCOST_SHARED_DATA to the folder holding litellm_model_prices.json",
            file=sys.stderr,
        )
        return 2
    theirs_all = json.loads(path.read_text(), parse_float=decimal.Decimal)
    ours_all = {m["id"]: m for m in mixcost("models", "--as-of", AS_OF, "--format", "json")["models"]}

    failures: list[str] = []
    compared = 0
    batch_models = []
    for ours, key in PAIRS:
        entry = theirs_all.get(key)
        model = ours_all.get(ours)
        if not isinstance(entry, dict):
            failures.append(f"LiteLLM has no key '{key}'")
            continue
        if model is None:
            failures.append(f"mixcost models lists no '{ours}'")
            continue
        for field, column in STANDARD:
            expected = per_million(entry.get(field))
            got = decimal.Decimal(model["list"][column]).normalize()
            compared += 1
            if got != expected:
                failures.append(f"{ours} {column}: mixcost {got:f}, LiteLLM {key}.{field} {expected:f}")
        if "input_cost_per_token_batches" in entry:
            batch_models.append((ours, key))

    if batch_models:
        with tempfile.TemporaryDirectory() as folder:
            scenario = Path(folder) / "batch.yaml"
            scenario.write_text(batch_scenario([m for m, _ in batch_models]))
            result = mixcost("compare", str(scenario), "--by", "line", "--format", "json")
        policies = {p["name"]: p for p in result["scenarios"][0]["policies"]}
        for ours, key in batch_models:
            lines = policies[ours]["lines"]
            for field, component in BATCH:
                expected = per_million(theirs_all[key][field])
                prices = {
                    decimal.Decimal(line["unit_price"]).normalize()
                    for line in lines
                    if line["component"] == component and line["billing"] == "batch"
                }
                compared += 1
                if prices != {expected}:
                    failures.append(
                        f"{ours} batch {component}: mixcost "
                        f"{', '.join(f'{p:f}' for p in sorted(prices)) or 'no batch line'}, "
                        f"LiteLLM {key}.{field} {expected:f}"
                    )

    for failure in failures:
        print(f"mismatch: {failure}", file=sys.stderr)
    if compared < 36 + 2 * 10:
        failures.append(f"only {compared} prices compared")
        print(f"error: only {compared} prices compared; expected at least 56", file=sys.stderr)
    if failures:
        print(f"litellm-prices: {len(failures)} problem(s), {compared} prices compared", file=sys.stderr)
        return 1
    print(f"litellm-prices: {compared} prices agree with {path.name} ({len(batch_models)} models with batch prices)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
