#!/usr/bin/env python3
"""Compares two `mixcost replay --format json` results byte for byte, after removing the two
fields a pushed-down replay cannot have: `files` (where the rows came from) and
`per_request_percentiles` (they need every request; a pushed-down replay leaves them empty).
Everything else — every cost to the last digit, request counts, reconciliation, breakdowns,
assumptions, first and last request — must be identical. Exits 1 with a diff otherwise.

With --skips-by-count, the first skipped row of each reason is not compared either: a local
replay names its file and line, a pushed-down one has no lines; the counts must still agree.

usage: compare.py LOCAL.json PUSHED.json LABEL [--skips-by-count]
"""
import difflib
import json
import sys


def canonical(path, skips_by_count=False):
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    data = json.loads(text)
    data.pop("files", None)
    for column in data["policies"]:
        column.pop("per_request_percentiles", None)
    if skips_by_count:
        for reason in data["rows"]["skipped_by_reason"]:
            reason.pop("first", None)
    return json.dumps(data, indent=2, ensure_ascii=False), data


def main():
    by_count = "--skips-by-count" in sys.argv[4:]
    local, local_data = canonical(sys.argv[1], by_count)
    pushed, _ = canonical(sys.argv[2], by_count)
    label = sys.argv[3]
    if local_data["rows"]["priced"] == 0:
        print(f"FAIL {label}: the local replay priced nothing; the comparison would prove nothing")
        sys.exit(1)
    if local != pushed:
        print(f"FAIL {label}: the pushed-down replay differs from the local replay")
        diff = difflib.unified_diff(local.splitlines(), pushed.splitlines(), "local", label, lineterm="")
        print("\n".join(list(diff)[:80]))
        sys.exit(1)
    costs = ", ".join(f"{c['policy']} ${c['cost']}" for c in local_data["policies"])
    skipped = local_data["rows"]["skipped"]
    print(f"ok {label}: identical ({local_data['rows']['priced']} requests priced, {skipped} skipped; {costs})")


if __name__ == "__main__":
    main()
