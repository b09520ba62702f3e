#!/usr/bin/env python3
"""Cross-check mixcost's prices against LiteLLM's map and genai-prices, request by request.

For every first-party model that mixcost and a database both price, a month of requests of
several kinds (plain, 50% cached, batch, flex, priority, above each long-context threshold)
is priced by `mixcost compare` and by the database's own numbers (read as exact decimals from
the JSON text, never as floats), and the two must agree to the cent, or the pair must be on
the written list of known disagreements (checks/catalogue-known-disagreements.tsv) with its
reason and the vendor page that decides it. Exits 1 on any unexplained disagreement.

The oracle is the databases' data with their documented rule (tokens x price per token, the
whole request at the tier price above a threshold), not their Python packages: `litellm`
installs ~100 MB of dependencies, too slow for CI; genai-prices' rule is the same arithmetic.

usage: catalogue_crosscheck.py DATA_DIR MIXCOST_BINARY
"""

import csv
import json
import os
import subprocess
import sys
import tempfile
from decimal import ROUND_HALF_EVEN, Decimal as D

AS_OF = "2026-11-29"
REQUESTS = 1000
INPUT, OUTPUT = 10_000, 1_000
# mixcost provider -> LiteLLM routing prefix and litellm_provider values.
LITELLM_PROVIDERS = {
    "openai": ("openai", {"openai"}),
    "anthropic": ("anthropic", {"anthropic"}),
    "google": ("gemini", {"gemini"}),
    "deepseek": ("deepseek", {"deepseek"}),
    "mistral": ("mistral", {"mistral"}),
    "xai": ("xai", {"xai"}),
}
GENAI_PROVIDERS = {"openai": "openai", "anthropic": "anthropic", "google": "google",
                   "deepseek": "deepseek", "mistral": "mistral", "xai": "x-ai"}


def cents(value):
    return value.quantize(D("0.01"), rounding=ROUND_HALF_EVEN)


def mixcost(binary, *args):
    run = subprocess.run([binary, *args], capture_output=True, text=True)
    return run.returncode, run.stdout, run.stderr


def request_kinds(prices, context):
    """Requests as (name, input per request, cache-hit share, tier, batch, expected cost)."""
    kinds = []
    INPUT = min(10_000, (context or 20_000) // 2)
    def cost(n_in, hit, p_in, p_cached, p_out):
        return REQUESTS * (n_in * (1 - hit) * p_in + n_in * hit * (p_cached or 0) + OUTPUT * p_out) / 1_000_000
    std = prices["standard"]
    kinds.append(("plain", INPUT, D(0), "standard", 0, cost(INPUT, D(0), std["in"], None, std["out"])))
    if std.get("cached") is not None:
        kinds.append(("cached", INPUT, D("0.5"), "standard", 0,
                      cost(INPUT, D("0.5"), std["in"], std["cached"], std["out"])))
    for tier in ("batch", "flex", "priority"):
        p = prices.get(tier)
        if p:
            kinds.append((tier, INPUT, D(0), "standard" if tier == "batch" else tier,
                          1 if tier == "batch" else 0, cost(INPUT, D(0), p["in"], None, p["out"])))
    long = prices.get("long")
    if long:
        n_in = long["above"] + 1000
        if context is None or n_in <= context:
            kinds.append((f"above {long['above']}", n_in, D(0), "standard", 0,
                          cost(n_in, D(0), long["in"], None, long["out"])))
    return kinds


def litellm_prices(entry):
    def per_m(name):
        value = entry.get(name)
        return None if value is None else D(value) * 1_000_000
    prices = {"standard": {"in": per_m("input_cost_per_token"), "out": per_m("output_cost_per_token"),
                           "cached": per_m("cache_read_input_token_cost")}}
    for tier, suffix in (("batch", "_batches"), ("flex", "_flex"), ("priority", "_priority")):
        i, o = per_m("input_cost_per_token" + suffix), per_m("output_cost_per_token" + suffix)
        if i is not None and o is not None:
            prices[tier] = {"in": i, "out": o}
    above = sorted({int(k.split("_above_")[1].split("k_tokens")[0]) for k in entry
                    if k.startswith("input_cost_per_token_above_") and k.endswith("k_tokens")})
    if above:
        n = above[0]
        i, o = per_m(f"input_cost_per_token_above_{n}k_tokens"), per_m(f"output_cost_per_token_above_{n}k_tokens")
        if i is not None and o is not None:
            prices["long"] = {"above": n * 1000, "in": i, "out": o}
    return prices


def genai_prices(model):
    entries = model["prices"] if isinstance(model["prices"], list) else [{"prices": model["prices"]}]
    chosen = None
    for entry in entries:
        constraint = entry.get("constraint") or {}
        if set(constraint) - {"start_date"}:
            return None  # time-of-day windows: not a plain request
        if constraint.get("start_date", "0000") <= AS_OF:
            chosen = entry["prices"]
    if not chosen or "input_mtok" not in chosen or "output_mtok" not in chosen:
        return None
    def base(name):
        v = chosen.get(name)
        return None if v is None else (D(v["base"]) if isinstance(v, dict) else D(v))
    prices = {"standard": {"in": base("input_mtok"), "out": base("output_mtok"), "cached": base("cache_read_mtok")}}
    tiered = {k: v for k, v in chosen.items() if isinstance(v, dict) and v.get("tiers")}
    if tiered:
        starts = {t["start"] for v in tiered.values() for t in v["tiers"]}
        if len(starts) == 1:
            start = starts.pop()
            def tier(name):
                v = chosen.get(name)
                if isinstance(v, dict):
                    return D(v["tiers"][0]["price"]) if v.get("tiers") else D(v["base"])
                return D(v)
            prices["long"] = {"above": start, "in": tier("input_mtok"), "out": tier("output_mtok")}
    return prices


def main():
    data, binary = sys.argv[1], sys.argv[2]
    with open(os.path.join(data, "litellm_model_prices.json")) as f:
        litellm = json.load(f, parse_float=D, parse_int=D)
    with open(os.path.join(data, "genai-prices", "data-v2.json")) as f:
        genai = json.load(f, parse_float=D, parse_int=D)
    known = {}
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "catalogue-known-disagreements.tsv")) as f:
        for row in csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t"):
            known[(row["model"], row["database"], row["request"])] = row
    code, out, err = mixcost(binary, "models", "--all", "--format", "json", "--as-of", AS_OF)
    if code != 0:
        sys.exit(f"mixcost models failed: {err}")
    models = [m for m in json.loads(out)["models"] if m["provider"] in LITELLM_PROVIDERS]
    genai_index = {(p["id"], m["id"]): m for p in genai for m in p["models"]}
    rows, unexplained, seen_known = [], 0, set()
    with tempfile.TemporaryDirectory() as tmp:
        for model in models:
            oracles = []
            prefix, providers = LITELLM_PROVIDERS[model["provider"]]
            for key in (model["id"], f"{prefix}/{model['id']}"):
                entry = litellm.get(key)
                if isinstance(entry, dict) and entry.get("litellm_provider") in providers \
                        and entry.get("mode") in ("chat", "completion", "responses") \
                        and entry.get("input_cost_per_token") is not None \
                        and entry.get("output_cost_per_token") is not None:
                    oracles.append(("litellm", litellm_prices(entry)))
                    break
            g = genai_index.get((GENAI_PROVIDERS[model["provider"]], model["id"]))
            if g:
                p = genai_prices(g)
                if p:
                    oracles.append(("genai-prices", p))
            for database, prices in oracles:
                kinds = request_kinds(prices, model.get("context_window"))
                workloads, routes = [], []
                for i, (name, n_in, hit, tier, batch, _) in enumerate(kinds):
                    workloads.append(
                        f"  - {{name: w{i}, task: extraction, requests: {REQUESTS}, "
                        f"input_tokens_per_request: {n_in}, output_tokens_per_request: {OUTPUT}, "
                        f"cache_hit_rate: {hit}, batch_share: {batch}, tier: {tier}}}")
                scenario = os.path.join(tmp, "s.yaml")
                with open(scenario, "w") as f:
                    f.write(f"name: crosscheck\nas_of: {AS_OF}\nworkloads:\n" + "\n".join(workloads)
                            + f"\npolicies:\n  - name: p\n    default: {json.dumps(model['id'])}\nbaseline: p\n")
                code, out, err = mixcost(binary, "compare", scenario, "--format", "json")
                if code != 0:
                    first = [l for l in err.splitlines() if l.startswith("error")] or err.splitlines() or [""]
                    rows.append((model["id"], database, "all", "", "", "ERROR " + first[0]))
                    unexplained += 1
                    continue
                lines = json.loads(out)["scenarios"][0]["policies"][0]["lines"]
                for i, (name, *_rest, expected) in enumerate(kinds):
                    ours = sum((D(l["cost_exact"]) for l in lines if l["workload"] == f"w{i}"), D(0))
                    agree = cents(ours) == cents(expected)
                    entry = known.get((model["id"], database, name))
                    if agree:
                        status = "agree"
                    elif entry:
                        status = "known"
                        seen_known.add((model["id"], database, name))
                    else:
                        status = "DISAGREE"
                        unexplained += 1
                    rows.append((model["id"], database, name, str(cents(ours)), str(cents(expected)), status))
    counts = {}
    for row in rows:
        counts[row[5].split()[0]] = counts.get(row[5].split()[0], 0) + 1
    for row in rows:
        if row[5] != "agree":
            print("\t".join(row))
    for key in sorted(set(known) - seen_known):
        print("note: known disagreement no longer seen (remove it from the list?): " + " / ".join(key))
    print(f"{len(rows)} request sets on {len({r[0] for r in rows})} models: "
          + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    sys.exit(1 if unexplained else 0)


if __name__ == "__main__":
    main()
