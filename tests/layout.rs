//! Tables on an 80-column terminal: every command's table fits in 80 display columns (hiding
//! optional columns and wrapping text, never cutting numbers), `--ascii` prints pure ASCII,
//! and the layout of each command at 80 columns is snapshotted.

mod common;

use common::run_with;
use unicode_width::UnicodeWidthStr;

const COMMANDS: &[&[&str]] = &[
    &["compare"],
    &["compare", "scenarios/support-desk.yaml", "--by", "line"],
    &["models", "--as-of", "2026-11-30"],
    &[
        "gap",
        "claude-opus-4-5",
        "deepseek-v4-pro",
        "--as-of",
        "2026-11-30",
    ],
    &[
        "gap",
        "gpt-5.5",
        "deepseek-v4-pro",
        "--scenario",
        "scenarios/support-desk.yaml",
        "--workload",
        "triage",
    ],
    &["whatif", "--set", "workloads.*.volume=x1.3"],
    &["sweep", "--vary", "workloads.*.volume=x0.5:x2:x0.5"],
    &["sensitivity"],
    &[
        "solve",
        "--vary",
        "models.deepseek-v4-flash.output",
        "--policy",
        "mixed-flash",
        "--target",
        "equal=all-gpt-5.5",
    ],
    &["simulate", "--trials", "200"],
    &["diff", "scenarios/seed.yaml", "scenarios/support-desk.yaml"],
    &["compare", "scenarios/cascade-wins.yaml"],
    &[
        "replay",
        "tests/fixtures/replay/shadow.csv",
        "--scenario",
        "tests/fixtures/replay/shadow.yaml",
    ],
];

fn at_80(extra: &[&str], args: &[&str]) -> String {
    let mut all: Vec<&str> = args.to_vec();
    all.extend_from_slice(extra);
    let run = run_with(&[("COLUMNS", "80")], &all);
    assert_eq!(run.code, Some(0), "mixcost {all:?}: {}", run.stderr);
    run.stdout
}

#[test]
fn every_table_fits_80_columns() {
    for args in COMMANDS {
        for format in ["table", "markdown"] {
            if format == "markdown" && args[0] != "compare" {
                continue;
            }
            let out = at_80(&["--format", format], args);
            if format == "markdown" {
                continue;
            }
            for line in out.lines() {
                assert!(
                    line.width() <= 80,
                    "mixcost {args:?}: a line is {} columns wide:\n{line}",
                    line.width()
                );
            }
        }
    }
}

#[test]
fn piped_output_without_columns_keeps_every_column() {
    let run = run_with(&[], &["models", "--as-of", "2026-11-30"]);
    assert!(run.stdout.contains("https://"), "{}", run.stdout);
    assert!(!run.stdout.contains("hidden to fit"));
}

#[test]
fn ascii_output_is_pure_ascii() {
    for args in COMMANDS {
        for format in ["table", "markdown"] {
            let out = at_80(&["--ascii", "--format", format], args);
            if let Some(line) = out.lines().find(|line| !line.is_ascii()) {
                panic!("mixcost {args:?} --ascii --format {format}: not ASCII:\n{line}");
            }
        }
    }
    let run = run_with(&[("TERM", "dumb")], &["compare"]);
    assert!(run.stdout.is_ascii(), "{}", run.stdout);
    assert!(run.stdout.contains("-$1,080.40"), "{}", run.stdout);
}

#[test]
fn tables_at_80_columns() {
    for args in COMMANDS {
        let name = args
            .iter()
            .map(|arg| {
                arg.chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("_");
        insta::assert_snapshot!(format!("at_80_{name}"), at_80(&[], args));
        insta::assert_snapshot!(
            format!("markdown_{name}"),
            at_80(&["--format", "markdown"], args)
        );
    }
}
