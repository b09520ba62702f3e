#!/usr/bin/env python3
"""Conditional pass rates on real outcomes: RouteLLM's per-question MMLU results.

Reads ../shared/data/routellm-mmlu (or $MIXCOST_SHARED_DATA/routellm-mmlu), drops the prompts
listed in contaminated_prompts.jsonl as RouteLLM does, and checks the published figures (14,037
questions, Mixtral 68.09%, GPT-4 80.59%). It then counts, straight from the CSVs, how often a
Mixtral-then-GPT-4 cascade succeeds, and writes a scenario whose pass rates are those counts
(`evals:` unconditional and `given:` on Mixtral's outcome). `mixcost compare --format json`
on it must print the directly counted success to every digit it prints (rates are printed to 12 significant digits), with a perfect
validator and with a noisy one, and the same scenario without the `given:` entries must print
what the independence formula predicts. The catalogue has neither Mixtral nor GPT-4, so
DeepSeek V4 Flash and GPT-5.5 stand in for them: only the quality figures are checked.

Exits non-zero on any difference. Needs Python 3 (standard library only) and mixcost ($MIXCOST,
else built with cargo).
"""

import json
import os
import subprocess
import sys
import tempfile
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from mixcost_bin import mixcost_binary
from mmlu_data import DataError, data_folder, load_outcomes

WEAK, STRONG = "deepseek-v4-flash", "gpt-5.5"
NOISY = (Fraction(2, 100), Fraction(3, 100))  # false accept, false reject


def fail(message):
    print(f"routellm-conditional: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def chain(weak_right, strong_right, validator, reviewer):
    """Exact expectation for one question: (success, escalation)."""
    false_accept, false_reject = validator
    success = Fraction(0)
    reach = Fraction(1)
    for right in (weak_right, strong_right):
        accept = (1 - false_reject) if right else false_accept
        if right:
            success += reach * accept
        reach *= 1 - accept
    if reviewer:
        return success + reach, reach
    return success, Fraction(0)


def independent(p_weak, p_strong, validator, reviewer):
    false_accept, false_reject = validator
    success, reach = Fraction(0), Fraction(1)
    for p in (p_weak, p_strong):
        good = p * (1 - false_reject)
        bad = (1 - p) * false_accept
        success += reach * good
        reach *= 1 - good - bad
    if reviewer:
        return success + reach, reach
    return success, Fraction(0)


def rounded(value):
    """A fraction as mixcost prints a rate in JSON: rust_decimal's 28-digit quotient, then at
    most 12 significant digits (half away from zero), normalized."""
    with localcontext() as context:
        context.prec = 28
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    if exact == 0:
        return "0"
    with localcontext() as context:
        context.prec = 12
        context.rounding = ROUND_HALF_UP
        text = format((+exact).normalize(), "f")
    return "0" if Decimal(text) == 0 else text


def scenario(n, rates, conditional):
    lines = [
        "name: RouteLLM MMLU cascade (Mixtral → GPT-4 outcomes on stand-in models)",
        "as_of: 2026-05-20",
        "workloads:",
        f"  - {{name: mmlu, task: mmlu, requests: {n}, input_tokens_per_request: 600, "
        "output_tokens_per_request: 5}",
        "policies:",
        "  - name: perfect-validator",
        f"    default: {{model: {WEAK}, fallback: [{STRONG}]}}",
        "  - name: noisy-validator",
        f"    default: {{model: {WEAK}, fallback: [{STRONG}], "
        "validator: {false_accept: 2%, false_reject: 3%}}",
        "  - name: noisy-with-analyst",
        f"    default: {{model: {WEAK}, fallback: [{STRONG}, analyst], "
        "validator: {false_accept: 2%, false_reject: 3%}}",
        "baseline: perfect-validator",
        "quality:",
        "  pass_rates:",
    ]
    for model, given, passes, total in rates:
        if given and not conditional:
            continue
        condition = f" given: {{{WEAK}: {given}}}," if given else ""
        lines.append(f"    - {{model: {model}, task: mmlu,{condition} evals: {passes}/{total}}}")
    return "\n".join(lines) + "\n"


def compare(binary, text, folder, name):
    path = os.path.join(folder, name)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    run = subprocess.run(
        [binary, "compare", path, "--format", "json"], capture_output=True, text=True
    )
    if run.returncode != 0:
        fail(f"mixcost compare {name} exited {run.returncode}: {run.stderr}")
    policies = json.loads(run.stdout)["scenarios"][0]["workflow"]["policies"]
    return {p["name"]: p["workloads"][0] for p in policies}


def main():
    try:
        outcomes = [(w, s) for _, w, s in load_outcomes(data_folder())]
    except DataError as error:
        fail(error)
    n = len(outcomes)
    weak = sum(1 for w, _ in outcomes if w)
    strong = sum(1 for _, s in outcomes if s)
    weak_wrong = n - weak
    strong_given_wrong = sum(1 for w, s in outcomes if not w and s)
    strong_given_right = sum(1 for w, s in outcomes if w and s)
    if n != 14037:
        fail(f"{n} questions after decontamination, expected 14,037")
    for label, count, percent in (("Mixtral", weak, "68.09"), ("GPT-4", strong, "80.59")):
        shown = f"{100 * count / n:.2f}"
        if shown != percent:
            fail(f"{label} answers {shown}% correctly, expected {percent}%")

    conditional = Fraction(strong_given_wrong, weak_wrong)
    direct = Fraction(weak + strong_given_wrong, n)
    p_weak, p_strong = Fraction(weak, n), Fraction(strong, n)
    print(f"questions: {n}; Mixtral right {weak} ({float(p_weak):.2%}), GPT-4 right {strong} "
          f"({float(p_strong):.2%})")
    print(f"P(GPT-4 right | Mixtral wrong) = {strong_given_wrong}/{weak_wrong} = "
          f"{float(conditional):.2%} (against {float(p_strong):.2%} overall)")

    rates = [
        (WEAK, None, weak, n),
        (STRONG, None, strong, n),
        (STRONG, "fail", strong_given_wrong, weak_wrong),
        (STRONG, "pass", strong_given_right, weak),
    ]
    perfect = (Fraction(0), Fraction(0))
    expected = {}
    predicted = {}
    for policy, validator, reviewer in (
        ("perfect-validator", perfect, False),
        ("noisy-validator", NOISY, False),
        ("noisy-with-analyst", NOISY, True),
    ):
        total_success, total_escalation = Fraction(0), Fraction(0)
        for w, s in outcomes:
            success, escalation = chain(w, s, validator, reviewer)
            total_success += success
            total_escalation += escalation
        expected[policy] = (total_success / n, total_escalation / n)
        predicted[policy] = independent(p_weak, p_strong, validator, reviewer)
    if expected["perfect-validator"][0] != direct:
        fail("the per-question expectation with a perfect validator is not the direct count")

    with tempfile.TemporaryDirectory() as folder:
        measured = compare(mixcost_binary(), scenario(n, rates, True), folder, "conditional.yaml")
        assumed = compare(mixcost_binary(), scenario(n, rates, False), folder, "independent.yaml")

    problems = []
    for policy, (success, escalation) in expected.items():
        for key, value in (("success_rate", success), ("escalation_rate", escalation)):
            if measured[policy][key] != rounded(value):
                problems.append(
                    f"{policy} {key}: mixcost prints {measured[policy][key]}, counted {rounded(value)}"
                )
        # The independence formula: the same rational, printed to 12 significant digits.
        for key, value in zip(("success_rate", "escalation_rate"), predicted[policy]):
            printed = Fraction(Decimal(assumed[policy][key]))
            if abs(printed - value) > Fraction(1, 10**12):
                problems.append(
                    f"{policy} {key} (independent): mixcost prints {assumed[policy][key]}, "
                    f"the formula gives {float(value)}"
                )
        gap = predicted[policy][0] - success
        printed_gap = Fraction(Decimal(assumed[policy]["success_rate"])) - Fraction(
            Decimal(measured[policy]["success_rate"])
        )
        if abs(printed_gap - gap) > Fraction(2, 10**12):
            problems.append(f"{policy}: independence overstates success by {float(printed_gap)}, "
                            f"expected {float(gap)}")
    if problems:
        fail("\n  " + "\n  ".join(problems))

    for policy in expected:
        success, escalation = expected[policy]
        line = (f"{policy}: success {float(success):.4%} counted = mixcost "
                f"{measured[policy]['success_rate']}; independence predicts "
                f"{float(predicted[policy][0]):.4%} (+{float(predicted[policy][0] - success):.4%})")
        if escalation:
            line += (f"; reaching the analyst {float(escalation):.4%} "
                     f"(independence: {float(predicted[policy][1]):.4%})")
        print(line)
    print("routellm-conditional: ok")


if __name__ == "__main__":
    main()
