"""The simulate benchmark vectorized in NumPy: what a user would write instead of mixcost.

Same month as bench/bench-10x4.yaml (parameters from bench/scenario.py): per trial a volume
multiplier per workload, a Beta(passes, fails) pass rate per model × task, and binomial draws
of the good / wrongly accepted / rejected requests at every chain step. Prints the time of the
simulation (not of importing NumPy) and each policy's mean monthly cost.

    python3 bench/simulate_numpy.py [TRIALS] [REPEATS]
"""

import sys
import time

import numpy as np

import scenario as s


def simulate(trials, seed):
    rng = np.random.default_rng(seed)
    requests = []
    for i, (_, _, base, _, _, spread) in enumerate(s.WORKLOADS):
        if i % 2:
            sigma2 = np.log1p(spread * spread)
            m = rng.lognormal(-sigma2 / 2, np.sqrt(sigma2), trials)
        else:
            m = np.maximum(rng.normal(1.0, spread, trials), 0.0)
        requests.append(np.rint(base * m).astype(np.int64))
    passes = {}
    for model in s.PRICES:
        for task in s.TASKS:
            p, total = s.evals(model, task)
            if 0 < p < total:
                passes[model, task] = rng.beta(p, total - p, trials)
            else:  # as mixcost: all-pass or all-fail evals give a fixed rate
                passes[model, task] = np.full(trials, p / total)
    totals = {}
    for name, chain in s.POLICIES:
        cost = np.zeros(trials)
        for w, (_, task, _, tin, tout, _) in enumerate(s.WORKLOADS):
            n = requests[w].copy()
            for k, model in enumerate(chain):
                price_in, price_out = s.PRICES[model]
                per_request = (tin * price_in + tout * price_out) / 1e6
                if k > 0:
                    per_request += s.RETRY_CONTEXT * tout * price_in / 1e6
                cost += n * per_request
                p = passes[model, task]
                accept_good = p * (1 - s.FALSE_REJECT)
                accept_bad = (1 - p) * s.FALSE_ACCEPT
                good = rng.binomial(n, accept_good)
                bad = rng.binomial(n - good, accept_bad / (1 - accept_good))
                n = n - good - bad
            cost += n * s.ANALYST_PER_ITEM
        totals[name] = cost
    return totals


def main():
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    times = []
    for repeat in range(repeats):
        started = time.perf_counter()
        totals = simulate(trials, repeat)
        times.append(time.perf_counter() - started)
    times.sort()
    print(f"numpy {np.__version__}: {trials} trials, median {times[len(times) // 2]:.3f} s "
          f"(fastest {times[0]:.3f} s, slowest {times[-1]:.3f} s, {repeats} runs)")
    for name, cost in totals.items():
        print(f"  {name}: mean {cost.mean():,.2f}  P5 {np.percentile(cost, 5):,.2f}  "
              f"P95 {np.percentile(cost, 95):,.2f}")


if __name__ == "__main__":
    main()
