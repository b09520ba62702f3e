"""RouteLLM's per-question MMLU outcomes, loaded once for the checks that replay them.

Reads ../shared/data/routellm-mmlu (or $MIXCOST_SHARED_DATA/routellm-mmlu), drops the prompts
listed in contaminated_prompts.jsonl as RouteLLM does, and returns one (subject, Mixtral right,
GPT-4 right) triple per question. Also finds the mixcost binary ($MIXCOST, else built with
cargo, see mixcost_bin). Python 3 standard library only.
"""

import csv
import glob
import json
import os
import sys

from mixcost_bin import ROOT
WEAK_COLUMN = "mistralai/Mixtral-8x7B-Instruct-v0.1"
STRONG_COLUMN = "gpt-4-1106-preview"


class DataError(Exception):
    """The shared data is missing or not as published."""


def fail(check, message):
    print(f"{check}: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def data_folder():
    base = os.environ.get("MIXCOST_SHARED_DATA") or os.path.join(ROOT, "..", "shared", "data")
    folder = os.path.join(base, "routellm-mmlu")
    if not os.path.isdir(folder):
        raise DataError(f"{folder} does not exist; set MIXCOST_SHARED_DATA to the shared data folder")
    return folder


def truth(value, where):
    if value in ("True", "False"):
        return value == "True"
    raise DataError(f"{where}: '{value}' is not True or False")


def load_outcomes(folder):
    """(subject, weak right, strong right) per question, contaminated prompts dropped."""
    csv.field_size_limit(1 << 30)
    contaminated = set()
    with open(os.path.join(folder, "contaminated_prompts.jsonl"), encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                contaminated.add(json.loads(line)["eval_prompt"])
    files = sorted(glob.glob(os.path.join(folder, "mmlu_*.csv")))
    if len(files) != 57:
        raise DataError(f"expected 57 subject files in {folder}, found {len(files)}")
    outcomes = []
    for path in files:
        subject = os.path.basename(path)[len("mmlu_"):-len(".csv")]
        with open(path, newline="", encoding="utf-8") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=2):
                if row["prompt"] in contaminated:
                    continue
                where = f"{os.path.basename(path)}:{number}"
                outcomes.append(
                    (subject, truth(row[WEAK_COLUMN], where), truth(row[STRONG_COLUMN], where))
                )
    return outcomes
