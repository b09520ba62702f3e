#!/usr/bin/env python3
"""Writes a month of generated request logs as mixcost's native CSV, for the replay benchmark.

    python3 bench/replay_log.py ROWS OUT.csv [--seed 42]

Columns: timestamp, model, task, data_class, input_tokens, cached_tokens, output_tokens.
Timestamps are spread over May 2026 (UTC, ascending); input sizes are lognormal (median 3,000,
sigma 1.2: about 1 request in 10,000 passes GPT-5.5's 272k long-context threshold); a third of
requests hit a cache for part of their input; outputs are lognormal (median 400).
Deterministic for a given seed.
"""
import argparse

import numpy as np

MODELS = ["gpt-5.5", "deepseek-v4-flash", "claude-sonnet-4-5", "gemini-2.5-flash"]
TASKS = ["extraction", "classification", "summarization", "synthesis", "coding"]
CLASSES = ["public", "internal", "confidential"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", type=int)
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    start = np.datetime64("2026-05-01T00:00:00")
    month = 31 * 86400
    chunk = 1_000_000
    with open(args.out, "w", newline="") as out:
        out.write("timestamp,model,task,data_class,input_tokens,cached_tokens,output_tokens\n")
        for first in range(0, args.rows, chunk):
            n = min(chunk, args.rows - first)
            # Ascending times: this chunk's slice of the month.
            lo = month * first // args.rows
            hi = month * (first + n) // args.rows
            seconds = np.sort(rng.integers(lo, max(hi, lo + 1), n))
            stamps = (start + seconds.astype("timedelta64[s]")).astype(str)
            models = rng.choice(len(MODELS), n, p=[0.4, 0.3, 0.2, 0.1])
            tasks = rng.choice(len(TASKS), n)
            classes = rng.choice(len(CLASSES), n, p=[0.2, 0.6, 0.2])
            inputs = np.maximum(1, rng.lognormal(np.log(3000), 1.2, n)).astype(np.int64)
            hit = rng.random(n) < 1 / 3
            cached = np.where(hit, (inputs * rng.random(n) * 0.8).astype(np.int64), 0)
            outputs = np.maximum(1, rng.lognormal(np.log(400), 0.8, n)).astype(np.int64)
            lines = [
                f"{s}Z,{MODELS[m]},{TASKS[t]},{CLASSES[c]},{i},{k},{o}\n"
                for s, m, t, c, i, k, o in zip(
                    stamps, models.tolist(), tasks.tolist(), classes.tolist(),
                    inputs.tolist(), cached.tolist(), outputs.tolist())
            ]
            out.write("".join(lines))


if __name__ == "__main__":
    main()
