#!/usr/bin/env python3
"""`mixcost replay` on real shadow outcomes: RouteLLM's per-question MMLU results.

Reads ../shared/data/routellm-mmlu (or $MIXCOST_SHARED_DATA/routellm-mmlu), drops the prompts
in contaminated_prompts.jsonl as RouteLLM does, and checks the published figures (14,037
questions; Mixtral 68.09%, GPT-4 80.59%). It writes the questions as a native shadow log (one
request a question, `outcome:MODEL` columns; Mixtral and GPT-4 are not in the catalogue, so
DeepSeek V4 Flash and GPT-5.5 stand in for them and only the quality figures matter) and runs
`mixcost replay --emit-scenario` under a strong-only policy and a weak-then-strong cascade,
with a perfect validator and with a noisy one (2% false accept, 3% false reject).

Checks, exactly (as fractions):
- the replayed cascade's expected successes equal the count taken straight from the CSVs
  (perfect validator: weak right, or weak wrong and strong right), and the per-question
  expectation summed in Python for the noisy validator;
- the independence prediction printed beside it equals the formula on the marginal rates;
- `mixcost compare` on the emitted scenario prints the replay's success rate and expected cost.

Prints the figures; exits non-zero on any difference. Python 3 standard library only.
"""

import json
import os
import subprocess
import sys
import tempfile
from decimal import Decimal
from fractions import Fraction

from mixcost_bin import mixcost_binary
from mmlu_data import DataError, data_folder, load_outcomes

WEAK, STRONG = "deepseek-v4-flash", "gpt-5.5"
NOISY = (Fraction(2, 100), Fraction(3, 100))


def fail(message):
    print(f"routellm-mmlu: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def cascade(weak_right, strong_right, validator):
    """Exact expected success of one question on weak → strong (no reviewer)."""
    false_accept, false_reject = validator
    success, reach = Fraction(0), Fraction(1)
    for right in (weak_right, strong_right):
        accept = (1 - false_reject) if right else false_accept
        if right:
            success += reach * accept
        reach *= 1 - accept
    return success


def independent(p_weak, p_strong, validator):
    false_accept, false_reject = validator
    success, reach = Fraction(0), Fraction(1)
    for p in (p_weak, p_strong):
        good, bad = p * (1 - false_reject), (1 - p) * false_accept
        success += reach * good
        reach *= 1 - good - bad
    return success


SCENARIO = """name: MMLU shadow replay
as_of: 2026-05-20
workloads:
  - name: mmlu
    task: mmlu
    requests: 1k
    input_tokens_per_request: 1000
    output_tokens_per_request: 100
policies:
  - name: strong-only
    default: {strong}
  - name: cascade
    default:
      model: {weak}
      fallback: [{strong}]
  - name: cascade-noisy
    default:
      model: {weak}
      fallback: [{strong}]
      validator: {{false_accept: 2%, false_reject: 3%}}
baseline: strong-only
quality:
  pass_rates:
    - {{model: {weak}, task: mmlu, rate: 0.5}}
    - {{model: {strong}, task: mmlu, rate: 0.5}}
"""


def main():
    try:
        outcomes = load_outcomes(data_folder())
    except DataError as error:
        fail(error)
    n = len(outcomes)
    weak = sum(1 for _, w, _ in outcomes if w)
    strong = sum(1 for _, _, s in outcomes if s)
    if n != 14037:
        fail(f"{n} questions after decontamination, expected 14,037")
    for name, count, expected in (("Mixtral", weak, "68.09"), ("GPT-4", strong, "80.59")):
        if f"{100 * count / n:.2f}" != expected:
            fail(f"{name} answers {100 * count / n:.2f}%, expected {expected}%")
    direct = sum(1 for _, w, s in outcomes if w or (not w and s))
    noisy = sum(cascade(w, s, NOISY) for _, w, s in outcomes)
    p_weak, p_strong = Fraction(weak, n), Fraction(strong, n)

    binary = mixcost_binary()
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "mmlu-shadow.csv")
        with open(log, "w", newline="") as handle:
            handle.write(f"timestamp,model,task,input_tokens,output_tokens,outcome:{WEAK},outcome:{STRONG}\n")
            for index, (_, w, s) in enumerate(outcomes):
                # One question a second from 10:00 UTC: one price period, uniform sizes.
                minute, second = divmod(index, 60)
                hour, minute = divmod(minute, 60)
                handle.write(
                    f"2026-05-20T{10 + hour:02}:{minute:02}:{second:02}Z,{STRONG},mmlu,1000,100,"
                    f"{str(w).lower()},{str(s).lower()}\n"
                )
        scenario = os.path.join(tmp, "scenario.yaml")
        with open(scenario, "w") as handle:
            handle.write(SCENARIO.format(weak=WEAK, strong=STRONG))
        emitted = os.path.join(tmp, "emitted.yaml")
        run = subprocess.run(
            [binary, "replay", log, "--scenario", scenario, "--emit-scenario", emitted,
             "--format", "json"],
            capture_output=True, text=True,
        )
        if run.returncode != 0:
            fail(f"mixcost replay exited {run.returncode}: {run.stderr}")
        replay = json.loads(run.stdout)
        if replay["rows"]["priced"] != n or replay["rows"]["skipped"] != 0:
            fail(f"rows: {replay['rows']}")
        shadow = {row["policy"]: row for row in replay["shadow"]}
        exact = lambda text: Fraction(Decimal(text))

        checks = [
            ("strong-only", Fraction(strong), Fraction(strong)),
            ("cascade", Fraction(direct), independent(p_weak, p_strong, (0, 0)) * n),
            ("cascade-noisy", noisy, independent(p_weak, p_strong, NOISY) * n),
        ]
        for policy, replayed, predicted in checks:
            got = exact(shadow[policy]["replayed"]["successes"])
            if got != replayed:
                fail(f"{policy}: replay says {got} successes, counted {replayed}")
            got = exact(shadow[policy]["independent"]["successes"])
            if abs(got - predicted) > Fraction(1, 10**18):
                fail(f"{policy}: independence says {got}, the formula {float(predicted)}")

        run = subprocess.run([binary, "compare", emitted, "--format", "json"],
                             capture_output=True, text=True)
        if run.returncode != 0:
            fail(f"mixcost compare on the emitted scenario exited {run.returncode}: {run.stderr}")
        closed = {p["name"]: p for p in json.loads(run.stdout)["scenarios"][0]["workflow"]["policies"]}
        for policy, row in shadow.items():
            if exact(closed[policy]["success_rate"]) != exact(row["replayed"]["success_rate"]):
                fail(f"{policy}: the emitted scenario's closed form says success "
                     f"{closed[policy]['success_rate']}, the replay {row['replayed']['success_rate']}")
            if exact(closed[policy]["expected_cost_exact"]) != exact(row["replayed"]["cost"]):
                fail(f"{policy}: the emitted scenario's closed form says cost "
                     f"{closed[policy]['expected_cost_exact']}, the replay {row['replayed']['cost']}")

    print(f"routellm-mmlu: {n} questions; Mixtral {100 * weak / n:.2f}%, GPT-4 {100 * strong / n:.2f}%")
    for policy, replayed, predicted in checks:
        print(f"  {policy:14} replayed success {float(replayed) / n:.4%} "
              f"({float(replayed):.2f} of {n}); independence predicts {float(predicted) / n:.4%}")
    print("  the emitted scenario's closed form reproduces every policy's success and expected cost exactly")


if __name__ == "__main__":
    main()
