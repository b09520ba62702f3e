//! Every command's CSV follows one convention (README, "CSV output"): one table, a header row
//! of unique names, the same number of cells on every row, numbers in plain ASCII in columns
//! named by what they hold (`_usd` with `_usd_exact`, `_pct`, `_tokens`, …), and the notes in
//! a second file with `--assumptions FILE`.
//!
//! Each command runs on the shipped scenarios or the test fixtures, at a fixed date, and its
//! CSV is read back with the `csv` crate, strictly, and snapshotted (tests/snapshots/csv_output__*).

mod common;

use std::str::FromStr;

use common::{expect, run};
use rust_decimal::Decimal;

/// The commands and their arguments; each gets `--format csv`.
const COMMANDS: &[(&str, &[&str])] = &[
    ("compare_seed", &["compare"]),
    ("compare_by_workload", &["compare", "--by", "workload"]),
    ("compare_by_model", &["compare", "--by", "model"]),
    ("compare_by_component", &["compare", "--by", "component"]),
    ("compare_by_line", &["compare", "--by", "line"]),
    (
        "compare_two_scenarios",
        &[
            "compare",
            "scenarios/seed.yaml",
            "scenarios/support-desk.yaml",
        ],
    ),
    (
        "compare_pipeline_by_line",
        &[
            "compare",
            "scenarios/document-pipeline.yaml",
            "--by",
            "line",
        ],
    ),
    (
        "compare_multi_vendor",
        &["compare", "scenarios/multi-vendor.yaml"],
    ),
    (
        "compare_workflow",
        &["compare", "scenarios/cascade-wins.yaml"],
    ),
    (
        "compare_workflow_by_workload",
        &[
            "compare",
            "scenarios/correlated-failures.yaml",
            "--by",
            "workload",
        ],
    ),
    ("models", &["models", "--as-of", "2026-11-30"]),
    (
        "gap",
        &[
            "gap",
            "gpt-5.5",
            "deepseek-v4-flash",
            "--as-of",
            "2026-11-30",
        ],
    ),
    ("whatif", &["whatif", "--set", "workloads.*.volume=x1.3"]),
    (
        "whatif_workflow",
        &[
            "whatif",
            "scenarios/cascade-wins.yaml",
            "--set",
            "workloads.*.volume=x2",
        ],
    ),
    (
        "sweep",
        &["sweep", "--vary", "workloads.*.cache_hit_rate=0:0.5:0.25"],
    ),
    (
        "sweep_grid",
        &[
            "sweep",
            "--vary",
            "workloads.*.volume=x1,x2",
            "--vary",
            "discounts.openai=0,10%",
        ],
    ),
    ("sensitivity", &["sensitivity"]),
    (
        "sensitivity_pct",
        &["sensitivity", "--metric", "savings-pct"],
    ),
    (
        "solve",
        &[
            "solve",
            "--vary",
            "models.deepseek-v4-pro.output",
            "--policy",
            "mixed-pro",
            "--target",
            "equal=all-gpt-5.5",
        ],
    ),
    (
        "check_budget",
        &["check", "scenarios/seed.yaml", "--budget", "1000"],
    ),
    (
        "check_against",
        &[
            "check",
            "tests/fixtures/ci/changed.yaml",
            "--against",
            "tests/fixtures/ci/base.yaml",
            "--max-increase",
            "10%",
        ],
    ),
    (
        "diff_scenarios",
        &[
            "diff",
            "tests/fixtures/ci/base.yaml",
            "tests/fixtures/ci/changed.yaml",
        ],
    ),
    (
        "diff_prices",
        &["diff", "pricing", "tests/fixtures/ci/prices-new"],
    ),
    (
        "simulate",
        &[
            "simulate",
            "scenarios/cascade-wins.yaml",
            "--trials",
            "200",
            "--budget",
            "400000",
        ],
    ),
    (
        "replay",
        &[
            "replay",
            "tests/fixtures/replay/log.csv",
            "--scenario",
            "tests/fixtures/replay/scenario.yaml",
        ],
    ),
    (
        "replay_by_day",
        &[
            "replay",
            "tests/fixtures/replay/shadow.csv",
            "--scenario",
            "tests/fixtures/replay/shadow.yaml",
            "--by",
            "day",
        ],
    ),
];

/// The suffixes of columns that hold numbers.
const NUMERIC: &[&str] = &[
    "_usd",
    "_usd_exact",
    "_usd_per_mtok",
    "_share",
    "_pct",
    "_ratio",
    "_seconds",
    "_tokens",
    "tokens",
    "requests",
    "count",
];

/// The command's CSV; `check` exits 1 when a check fails, which some of these do.
fn csv_of(args: &[&str]) -> String {
    let mut full = args.to_vec();
    full.extend(["--format", "csv"]);
    let run = run(&full);
    // `replay` always prints its row counts (read = priced + skipped); with CSV on standard
    // output and no `--assumptions FILE` they and the notes go to standard error.
    let quiet = run.stderr.is_empty()
        || (args[0] == "replay" && run.stderr.lines().all(|line| line.starts_with("note: ")));
    assert!(
        matches!(run.code, Some(0 | 1)) && quiet,
        "mixcost {full:?}: exit {:?}\n{}",
        run.code,
        run.stderr
    );
    run.stdout
}

/// Reads `text` strictly: a header, the same number of cells on every row.
fn read(name: &str, text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap_or_else(|e| panic!("{name}: header: {e}"))
        .iter()
        .map(String::from)
        .collect();
    let rows = reader
        .records()
        .map(|record| {
            record
                .unwrap_or_else(|e| panic!("{name}: {e}\n{text}"))
                .iter()
                .map(String::from)
                .collect()
        })
        .collect();
    (header, rows)
}

/// `$1,550.00`, `−69.7%`, `8.6×`, `1,000`: a number with a symbol, separator or true minus.
fn formatted_number(cell: &str) -> bool {
    let body = cell.trim_start_matches(['−', '-', '+']);
    let body = body.strip_prefix('$').unwrap_or(body);
    let body = body.trim_end_matches(['%', '×']);
    let numeric = !body.is_empty()
        && body.starts_with(|c: char| c.is_ascii_digit())
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',');
    numeric && cell.contains(['$', ',', '−', '%', '×'])
}

fn check_convention(name: &str, text: &str) {
    assert!(!text.contains("\n\n"), "{name}: one table per CSV\n{text}");
    let (header, rows) = read(name, text);
    assert!(!rows.is_empty(), "{name}: no rows\n{text}");
    for (index, column) in header.iter().enumerate() {
        assert!(
            !column.is_empty(),
            "{name}: empty column name in {header:?}"
        );
        assert!(
            column.contains('.')
                || column
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "{name}: column '{column}' is not snake case"
        );
        assert!(
            !header[..index].contains(column),
            "{name}: column '{column}' twice in {header:?}"
        );
    }
    for (index, column) in header.iter().enumerate() {
        let numeric = NUMERIC.iter().any(|suffix| column.ends_with(suffix));
        for row in &rows {
            let cell = &row[index];
            // A sweep's parameter columns (named by their override path) hold the values as
            // written on the command line: `10%`, `x1.5`.
            let parameter = column.contains('.');
            assert!(
                parameter || !formatted_number(cell),
                "{name}: '{column}' holds '{cell}', a number formatted for people"
            );
            if !numeric || cell.is_empty() {
                continue;
            }
            let whole = column.ends_with("requests") || column.ends_with("count");
            if whole {
                assert!(
                    cell.parse::<u64>().is_ok(),
                    "{name}: '{column}' holds '{cell}', not a whole number"
                );
            }
            let value = Decimal::from_str(cell)
                .unwrap_or_else(|_| panic!("{name}: '{column}' holds '{cell}', not a number"));
            assert!(
                cell.chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c == '-'),
                "{name}: '{column}' holds '{cell}'"
            );
            if column.ends_with("_usd") {
                assert!(
                    [2, 4].contains(&value.scale()),
                    "{name}: '{column}' holds '{cell}', not cents (or four places per item)"
                );
                let exact = header
                    .iter()
                    .position(|c| *c == format!("{column}_exact"))
                    .unwrap_or_else(|| panic!("{name}: '{column}' has no '{column}_exact'"));
                let exact = Decimal::from_str(&row[exact]).unwrap();
                assert_eq!(
                    exact.round_dp_with_strategy(
                        value.scale(),
                        rust_decimal::RoundingStrategy::MidpointAwayFromZero
                    ),
                    value,
                    "{name}: '{column}' is not its exact value rounded"
                );
            }
            if column.ends_with("_pct") || column.ends_with("_ratio") {
                let digits = cell.trim_start_matches('-').replace('.', "");
                assert!(
                    digits.trim_start_matches('0').len() <= 12,
                    "{name}: '{column}' holds '{cell}', more than 12 significant digits"
                );
            }
        }
    }
}

#[test]
fn numbers_formatted_for_people_are_recognised() {
    for shown in ["$1,550.00", "−69.7%", "8.6×", "1,000", "−$0.25", "50%"] {
        assert!(formatted_number(shown), "{shown}");
    }
    for plain in [
        "1550.00",
        "-69.7",
        "gpt-5.5",
        "50% off",
        "derived: $3.99 per hour",
        "",
    ] {
        assert!(!formatted_number(plain), "{plain}");
    }
}

#[test]
fn every_command_writes_one_plain_table() {
    for (name, args) in COMMANDS {
        let text = csv_of(args);
        check_convention(name, &text);
        insta::assert_snapshot!(*name, text);
    }
}

#[test]
fn every_shipped_scenario_compares_to_a_plain_table() {
    let mut scenarios = 0;
    for entry in std::fs::read_dir("scenarios").unwrap() {
        let path = entry.unwrap().path();
        let path = path.to_str().unwrap();
        scenarios += 1;
        for by in ["workload", "model", "component", "line"] {
            let text = csv_of(&["compare", path, "--by", by]);
            check_convention(&format!("{path} --by {by}"), &text);
        }
        check_convention(path, &csv_of(&["compare", path]));
    }
    assert_eq!(scenarios, 7, "the shipped scenarios");
}

#[test]
fn assumptions_go_to_their_own_file() {
    let folder = tempfile::tempdir().unwrap();
    let notes = folder.path().join("notes.csv");
    let output = folder.path().join("lines.csv");
    let (notes_arg, output_arg) = (notes.to_str().unwrap(), output.to_str().unwrap());
    expect(
        0,
        &[
            "compare",
            "--by",
            "line",
            "--format",
            "csv",
            "-o",
            output_arg,
            "--assumptions",
            notes_arg,
        ],
    );
    let lines = std::fs::read_to_string(&output).unwrap();
    check_convention("compare --by line -o", &lines);
    assert!(lines.starts_with("policy,workload,model,billing,component,tokens,"));
    let notes = std::fs::read_to_string(&notes).unwrap();
    let (header, rows) = read("assumptions", &notes);
    assert_eq!(header, ["title", "section", "note"]);
    assert!(
        rows.iter()
            .any(|row| row[1] == "heading" && row[2].contains("prices as of 2026-05-20")),
        "{notes}"
    );
    insta::assert_snapshot!("compare_assumptions", notes);

    // The same file for both is refused before anything is written.
    let same = folder.path().join("same.csv");
    let same_arg = same.to_str().unwrap();
    let refused = run(&[
        "compare",
        "--format",
        "csv",
        "-o",
        same_arg,
        "--assumptions",
        same_arg,
    ]);
    assert!(!same.exists());
    assert_eq!(refused.code, Some(2), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("--assumptions and -o"),
        "{}",
        refused.stderr
    );
}

#[test]
fn every_command_takes_assumptions() {
    let folder = tempfile::tempdir().unwrap();
    for (name, args) in COMMANDS {
        let notes = folder.path().join(format!("{name}.csv"));
        let mut full = args.to_vec();
        full.extend(["--format", "json", "--assumptions", notes.to_str().unwrap()]);
        let run = run(&full);
        assert!(matches!(run.code, Some(0 | 1)), "{name}: {}", run.stderr);
        let text = std::fs::read_to_string(&notes).unwrap();
        let (header, rows) = read(name, &text);
        assert_eq!(header, ["title", "section", "note"], "{name}");
        assert!(!rows.is_empty(), "{name}: no notes\n{text}");
    }
}
