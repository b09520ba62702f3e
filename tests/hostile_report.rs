//! Hostile inputs to `mixcost report`: names that are markup or formulas, outputs that cannot
//! be written, unknown sections, sweeps of nothing, a simulation of a certain month. Each case
//! asserts the exit code, the message, no crash, inputs unchanged and nothing left behind (see
//! `tests/common/hostile.rs`).

mod common;

use calamine::{open_workbook, Data, Reader, Xlsx};
use common::hostile::Case;

const SCRIPT: &str = "<script>alert(1)</script>";
const SVG_BREAK: &str = "</svg><img src=x onerror=alert(2)>";
const FORMULA: &str = "=cmd|' /C calc'!A0";
const QUOTES: &str = "Tom's \"fast\" & cheap";

/// A scenario whose every name is hostile.
fn hostile_scenario() -> String {
    format!(
        r#"name: '{SCRIPT} month'
description: '{QUOTES} — a description with <b>markup</b>'
as_of: 2026-05-20
workloads:
  - name: '{SCRIPT}'
    task: extraction
    input_tokens: 100M
    output_tokens: 20M
  - name: '{FORMULA}'
    task: synthesis
    input_tokens: 30M
    output_tokens: 10M
policies:
  - name: '{SVG_BREAK}'
    description: '{QUOTES}'
    default: gpt-5.5
  - name: '{FORMULA}'
    routes:
      - match: {{task: extraction}}
        model: deepseek-v4-flash
    default: gpt-5.5
baseline: '{SVG_BREAK}'
"#,
        SCRIPT = SCRIPT,
        QUOTES = QUOTES.replace('\'', "''"),
        FORMULA = FORMULA.replace('\'', "''"),
        SVG_BREAK = SVG_BREAK,
    )
}

#[test]
fn hostile_names_are_escaped_in_html() {
    let outcome = Case::new(
        "hostile names, html",
        &[
            "report",
            "s.yaml",
            "-o",
            "r.html",
            "--title",
            "</title><script>alert(3)</script>",
            "--client",
            "\"><svg onload=alert(4)>",
            "--sweep",
            "workloads.*.cache_hit_rate=0,0.5",
        ],
    )
    .file("s.yaml", hostile_scenario())
    .exit(0)
    .may_create("r.html")
    .check();
    let html = std::fs::read_to_string(outcome.dir.path().join("r.html")).unwrap();
    for raw in [
        SCRIPT,
        SVG_BREAK,
        "<b>markup</b>",
        "<script>alert(3)",
        "<svg onload",
        "\"fast\"",
    ] {
        assert!(!html.contains(raw), "unescaped in the page: {raw}");
    }
    assert!(!html.contains("<script"), "a script element in the page");
    assert!(!html.contains("<img"), "an image element in the page");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&lt;/svg&gt;&lt;img src=x onerror=alert(2)&gt;"));
    assert!(html.contains("Tom&#39;s &quot;fast&quot; &amp; cheap"));
    // Every chart is whole: as many closing as opening svg tags, none broken by a name.
    assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
    assert!(html.matches("<svg").count() >= 4);
}

#[test]
fn hostile_names_are_text_in_xlsx() {
    let outcome = Case::new("hostile names, xlsx", &["report", "s.yaml", "-o", "r.xlsx"])
        .file("s.yaml", hostile_scenario())
        .exit(0)
        .may_create("r.xlsx")
        .check();
    let mut book: Xlsx<_> = open_workbook(outcome.dir.path().join("r.xlsx")).unwrap();
    let sheets = book.sheet_names();
    // Sheet names lose the characters Excel forbids, and stay unique.
    assert_eq!(sheets.len(), 5, "{sheets:?}");
    for sheet in &sheets {
        assert!(
            !sheet.contains(['[', ']', ':', '*', '?', '/', '\\']),
            "{sheet}"
        );
        assert!(sheet.chars().count() <= 31, "{sheet}");
    }
    // The formula-like policy name is a string on its sheet, never a formula.
    let formula_sheet = sheets
        .iter()
        .find(|s| s.starts_with("=cmd"))
        .expect("a sheet for the formula-named policy")
        .clone();
    let values = book.worksheet_range(&formula_sheet).unwrap();
    assert_eq!(
        values.get_value((0, 0)),
        Some(&Data::String(FORMULA.to_string()))
    );
    let formulas = book.worksheet_formula(&formula_sheet).unwrap();
    assert!(formulas.get_value((0, 0)).is_none_or(String::is_empty));
    // Wherever a user string sits, it is a string cell, and no formula mentions it.
    for sheet in &sheets {
        let values = book.worksheet_range(sheet).unwrap();
        let formulas = book.worksheet_formula(sheet).unwrap();
        for (row, column, formula) in formulas.cells() {
            // Formulas are built from generated names, cell references, numbers and
            // operators only: no quote, pipe, bang or angle bracket a user wrote.
            let allowed = |c: char| c.is_ascii_alphanumeric() || "_*+-/().,=:".contains(c);
            assert!(
                formula.replace("\"\"", "").chars().all(allowed),
                "{sheet}!{row},{column}: {formula}"
            );
        }
        for text in [FORMULA, SCRIPT] {
            let found = values
                .cells()
                .filter(|(_, _, cell)| matches!(cell, Data::String(s) if s == text))
                .count();
            if sheet == "Inputs" {
                assert!(found >= 1, "{text} missing as text on Inputs");
            }
        }
    }
    for (name, _) in book.defined_names() {
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "defined name {name}"
        );
    }
}

#[test]
fn an_output_folder_that_does_not_exist_is_an_error() {
    Case::new("unwritable output", &["report", "-o", "missing/r.html"])
        .mentions("missing/r.html")
        .check();
}

#[test]
fn an_output_that_is_a_folder_is_an_error() {
    Case::new("output is a folder", &["report", "-o", "out.html"])
        .file("out.html/keep", "")
        .mentions("out.html")
        .check();
}

#[test]
fn an_unknown_extension_asks_for_a_format() {
    Case::new("unknown extension", &["report", "-o", "r.pdf"])
        .mentions("--format html|xlsx")
        .check();
}

#[test]
fn an_unknown_section_is_named() {
    Case::new(
        "unknown section",
        &["report", "-o", "r.html", "--sections", "summary,charts"],
    )
    .mentions("'charts'")
    .check();
}

#[test]
fn a_sweep_path_that_names_nothing_is_an_error() {
    Case::new(
        "sweep of nothing",
        &[
            "report",
            "-o",
            "r.html",
            "--sweep",
            "workloads.nope.cache_hit_rate=0,0.5",
        ],
    )
    .mentions("nope")
    .check();
    Case::new(
        "sweep of an unknown model",
        &[
            "report",
            "-o",
            "r.html",
            "--sweep",
            "models.gpt-5.55.output=1,2",
        ],
    )
    .mentions("gpt-5.55")
    .check();
    Case::new(
        "sweep without values",
        &[
            "report",
            "-o",
            "r.xlsx",
            "--sweep",
            "workloads.*.cache_hit_rate",
        ],
    )
    .mentions("workloads.*.cache_hit_rate")
    .check();
}

#[test]
fn an_unknown_sensitivity_policy_is_named() {
    Case::new(
        "unknown sensitivity policy",
        &["report", "-o", "r.html", "--sensitivity", "mixed-flsh"],
    )
    .mentions("mixed-flsh")
    .mentions("mixed-flash")
    .check();
}

#[test]
fn simulate_needs_a_seed_and_some_trials() {
    Case::new(
        "simulate without seed",
        &["report", "-o", "r.html", "--simulate", "100"],
    )
    .mentions("--seed")
    .check();
    Case::new(
        "simulate zero trials",
        &["report", "-o", "r.html", "--simulate", "0", "--seed", "1"],
    )
    .mentions("--simulate")
    .check();
}

#[test]
fn simulating_a_certain_month_is_a_note() {
    let outcome = Case::new(
        "simulate without uncertainty",
        &["report", "-o", "r.html", "--simulate", "100", "--seed", "1"],
    )
    .exit(0)
    .may_create("r.html")
    .check();
    let html = std::fs::read_to_string(outcome.dir.path().join("r.html")).unwrap();
    assert!(html.contains("no `uncertainty:` section"));
}
