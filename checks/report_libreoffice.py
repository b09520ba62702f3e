#!/usr/bin/env python3
"""The XLSX report recalculated by LibreOffice: every total must equal mixcost's exact figure.

For each shipped scenario: `mixcost report S -o S.xlsx`; strip every cached formula result
(openpyxl round trip), let LibreOffice recalculate and save, and compare each policy's total,
its change against the baseline and its annual figure with `compare --format json`, to the cent.
Then change one input cell — DeepSeek V4 Flash's output price — recalculate, and compare with
`mixcost whatif --set models.deepseek-v4-flash.output=…` for the same change.

Usage: report_libreoffice.py MIXCOST WORKDIR
"""
import json
import os
import subprocess
import sys
from decimal import Decimal, ROUND_HALF_UP

import openpyxl

MIXCOST, WORK = sys.argv[1], sys.argv[2]
PROFILE = os.path.join(WORK, "lo-profile")
NEW_FLASH_OUTPUT = "0.42"
failures = []


def cents(value):
    """Rounds half away from zero to cents, as mixcost shows money."""
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def mixcost(*args):
    return subprocess.run([MIXCOST, *args], check=True, capture_output=True, text=True).stdout


def prepare_profile():
    """A fresh LibreOffice profile that recalculates every formula when it loads an XLSX."""
    user = os.path.join(PROFILE, "user")
    os.makedirs(user, exist_ok=True)
    with open(os.path.join(user, "registrymodifications.xcu"), "w") as f:
        f.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
            '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
            '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'
            '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
            '<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'
            "</oor:items>\n"
        )


def recalculate(path):
    """LibreOffice loads `path` (recalculating everything), saves it as XLSX; returns the copy."""
    out = os.path.join(WORK, "recalculated")
    os.makedirs(out, exist_ok=True)
    subprocess.run(
        [
            "soffice", f"-env:UserInstallation=file://{PROFILE}", "--headless", "--norestore",
            "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", out, path,
        ],
        check=True, capture_output=True, timeout=180,
    )
    return os.path.join(out, os.path.basename(path))


def strip_cached(path):
    """Rewrites `path` with openpyxl, which keeps formulas but drops every cached result."""
    book = openpyxl.load_workbook(path)
    book.save(path)


def named_values(path):
    """Every defined name → the value LibreOffice computed for its cell."""
    formulas = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    out = {}
    for name, defined in formulas.defined_names.items():
        for sheet, ref in defined.destinations:
            out[name] = values[sheet][ref.replace("$", "")].value
    return out, values


def summary_rows(values):
    """policy → (monthly, vs baseline, annual) from the Summary sheet."""
    sheet = values["Summary"]
    rows = {}
    for row in sheet.iter_rows(min_row=1, values_only=True):
        if row and isinstance(row[0], str) and isinstance(row[1], (int, float)):
            rows[row[0]] = row
    return rows


def total_name(names, policy):
    cleaned = "".join(c if c.isascii() and c.isalnum() else "_" for c in policy)[:48]
    key = f"total_{cleaned}"
    if key not in names:
        failures.append(f"no defined name {key}")
        return None
    return names[key]


def check_scenario(scenario):
    stem = os.path.splitext(os.path.basename(scenario))[0]
    path = os.path.join(WORK, f"{stem}.xlsx")
    if os.path.exists(path):
        os.remove(path)
    mixcost("report", scenario, "-o", path)
    strip_cached(path)
    names, values = named_values(recalculate(path))
    expected = json.loads(mixcost("compare", scenario, "--format", "json"))["scenarios"][0]
    summary = summary_rows(values)
    checked = 0
    for policy in expected["policies"]:
        got = total_name(names, policy["name"])
        if got is None or cents(got) != Decimal(policy["monthly_cost"]):
            failures.append(f"{stem}: {policy['name']} total {got} != {policy['monthly_cost']}")
        row = summary.get(policy["name"])
        if row is None:
            failures.append(f"{stem}: {policy['name']} missing from Summary")
            continue
        if cents(row[1]) != Decimal(policy["monthly_cost"]):
            failures.append(f"{stem}: Summary {policy['name']} {row[1]} != {policy['monthly_cost']}")
        if policy["delta_vs_baseline"] is not None and cents(row[2]) != Decimal(policy["delta_vs_baseline"]):
            failures.append(f"{stem}: Summary Δ {policy['name']} {row[2]} != {policy['delta_vs_baseline']}")
        annual = cents(Decimal(policy["monthly_cost_exact"]) * 12)
        if cents(row[4]) != annual:
            failures.append(f"{stem}: Summary annual {policy['name']} {row[4]} != {annual}")
        checked += 1
    print(f"{stem}: {checked} policies recalculated by LibreOffice equal compare --format json")
    return path, names, expected


def check_whatif(scenario, path):
    """Changes V4 Flash's output price in Inputs, recalculates, compares with `whatif`."""
    stem = os.path.splitext(os.path.basename(scenario))[0]
    book = openpyxl.load_workbook(path)
    defined = book.defined_names.get("p_deepseek_v4_flash_standard_output")
    if defined is None:
        failures.append(f"{stem}: no named cell p_deepseek_v4_flash_standard_output")
        return
    for sheet, ref in defined.destinations:
        book[sheet][ref.replace("$", "")].value = float(NEW_FLASH_OUTPUT)
    changed = os.path.join(WORK, f"{stem}-changed.xlsx")
    book.save(changed)
    names, _ = named_values(recalculate(changed))
    whatif = json.loads(
        mixcost("whatif", scenario, "--set", f"models.deepseek-v4-flash.output={NEW_FLASH_OUTPUT}",
                "--format", "json")
    )
    moved = 0
    for policy in whatif["policies"]:
        got = total_name(names, policy["name"])
        if got is None or cents(got) != Decimal(policy["after"]):
            failures.append(f"{stem} after the change: {policy['name']} {got} != whatif {policy['after']}")
        if policy["change"] != "0.00":
            moved += 1
    if moved == 0:
        failures.append(f"{stem}: the change moved no policy; the check proves nothing")
    print(f"{stem}: V4 Flash output {NEW_FLASH_OUTPUT} → {moved} policies moved, every total equals whatif")


def main():
    prepare_profile()
    scenarios = sorted(
        os.path.join("scenarios", name) for name in os.listdir("scenarios") if name.endswith(".yaml")
    )
    for scenario in scenarios:
        path, _, _ = check_scenario(scenario)
        text = open(scenario).read()
        if "deepseek-v4-flash" in text and "quality:" not in text:
            check_whatif(scenario, path)
    if failures:
        print("FAILED:", *failures, sep="\n  ")
        sys.exit(1)
    print("report-libreoffice: ok")


main()
