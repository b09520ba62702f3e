#!/usr/bin/env python3
"""Times mixcost's exact sweep against the same grid in NumPy (float64, vectorized).

The grid is the seed scenario's repetitive cache-hit rate x batch share x OpenAI discount,
100 values each (1,000,000 points), for its 3 policies: what an analyst would otherwise
write by hand. Prints both medians and their ratio, and checks that NumPy's floats agree with
mixcost's exact decimals at three sample points.

Run from the repository root:  python3 bench/sweep_vs_numpy.py
Needs: cargo, numpy (python3 -m pip install numpy).
"""

import json
import statistics
import subprocess
import time
from decimal import Decimal

import numpy as np

RUNS = 7


def mixcost_timing():
    output = subprocess.run(
        ["cargo", "run", "--quiet", "--release", "--example", "sweep_timing"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def numpy_grid(h, b, d):
    """The seed scenario's three policies over the grid; prices as of 2026-05-20."""
    rep_in, rep_out = 100e6, 20e6
    hard_in, hard_out = 30e6, 10e6
    # GPT-5.5: 5 / 0.50 / 30 per 1M, batch 50% off.
    batch_factor = (1 - b) + b * 0.5
    gpt_rep = (rep_in * (1 - h) * 5 + rep_in * h * 0.5 + rep_out * 30) / 1e6
    gpt_hard = (hard_in * 5 + hard_out * 30) / 1e6
    hard = batch_factor * gpt_hard * (1 - d)
    all_gpt = batch_factor * gpt_rep * (1 - d) + hard
    # DeepSeek has no batch tier (batch share priced at standard) and no discount here.
    flash = (rep_in * (1 - h) * 0.14 + rep_in * h * 0.0028 + rep_out * 0.28) / 1e6 + hard
    pro = (rep_in * (1 - h) * 1.74 + rep_in * h * 0.0145 + rep_out * 3.48) / 1e6 + hard
    shape = (100, 100, 100)
    return [np.ascontiguousarray(np.broadcast_to(x, shape)).ravel() for x in (all_gpt, flash, pro)]


def broadcast_axes():
    """Outer-product broadcasting: each formula runs on 100-element axes until the end."""
    values = np.arange(100) / 100.0
    return values[:, None, None], values[None, :, None], values[None, None, :]


def meshgrid_axes():
    """The common spreadsheet-style way: every parameter materialized on the full grid."""
    values = np.arange(100) / 100.0
    return np.meshgrid(values, values, values, indexing="ij")


def median_seconds(make_axes):
    times = []
    costs = None
    for _ in range(RUNS):
        started = time.perf_counter()
        costs = numpy_grid(*make_axes())
        times.append(time.perf_counter() - started)
    return statistics.median(times), costs


def main():
    broadcast_median, costs = median_seconds(broadcast_axes)
    meshgrid_median, meshgrid_costs = median_seconds(meshgrid_axes)
    assert all(np.array_equal(a, b) for a, b in zip(costs, meshgrid_costs))

    rust = mixcost_timing()
    worst = Decimal(0)
    for point, exact in rust["samples"]:
        for policy, text in enumerate(exact.split(",")):
            difference = abs(Decimal(repr(float(costs[policy][point]))) - Decimal(text))
            worst = max(worst, difference)

    seconds = rust["median_seconds"]
    print("grid: 1,000,000 points x 3 policies (seed scenario), medians")
    print(f"mixcost exact sweep:        {seconds:.4f} s on {rust['threads']} threads "
          f"({rust['evaluations_per_second'] / 1e6:.1f} M policy evaluations/s)")
    print(f"numpy float64, meshgrid:    {meshgrid_median:.4f} s  (mixcost / numpy = {seconds / meshgrid_median:.2f}x)")
    print(f"numpy float64, broadcast:   {broadcast_median:.4f} s  (mixcost / numpy = {seconds / broadcast_median:.2f}x)")
    print(f"largest float64 error at the sample points: ${worst:.2E} (mixcost is exact)")


if __name__ == "__main__":
    main()
