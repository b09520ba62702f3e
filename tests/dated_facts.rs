//! Dated model facts in results: effective-dated context windows, retirement as an error naming
//! the successor, deprecation and a stale catalogue as warnings inside every output format.

mod common;

use common::{expect, run};

#[test]
fn sonnet_4_5_long_request_after_the_beta_is_an_error() {
    let run = run(&["compare", "tests/fixtures/catalogue/sonnet-300k-june.yaml"]);
    assert_eq!(run.code, Some(2));
    insta::assert_snapshot!("sonnet_300k_june_error", run.stderr);
}

#[test]
fn sonnet_4_5_long_request_during_the_beta_uses_cache_multipliers() {
    let output = expect(
        0,
        &[
            "compare",
            "tests/fixtures/catalogue/sonnet-300k-april.yaml",
            "--by",
            "line",
        ],
    );
    insta::assert_snapshot!("sonnet_300k_april_lines", output);
}

#[test]
fn deprecation_is_a_warning_inside_every_format() {
    let path = "tests/fixtures/catalogue/gpt-5-after-deprecation.yaml";
    let warning = "gpt-5 is deprecated since 2026-12-11; its successor is gpt-5.6-sol";
    for format in ["table", "csv", "markdown", "json"] {
        let run = run(&["compare", path, "--format", format]);
        assert_eq!(run.code, Some(0), "{format}: {}", run.stderr);
        // A CSV is one table of figures: the warning goes to standard error, or to the
        // --assumptions file when there is one.
        let shown = if format == "csv" {
            &run.stderr
        } else {
            &run.stdout
        };
        assert!(
            shown.contains(warning),
            "{format} output lacks the deprecation warning:\n{shown}"
        );
        insta::assert_snapshot!(format!("gpt_5_deprecated_{format}"), run.stdout);
    }
    let folder = tempfile::tempdir().unwrap();
    let notes = folder.path().join("assumptions.csv");
    let run = run(&[
        "compare",
        path,
        "--format",
        "csv",
        "--assumptions",
        notes.to_str().unwrap(),
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(!run.stderr.contains(warning), "{}", run.stderr);
    let notes = std::fs::read_to_string(notes).unwrap();
    assert!(
        notes.contains(&format!("warnings,gpt-5: {warning}")),
        "{notes}"
    );
}

#[test]
fn a_stale_catalogue_says_so_in_the_result() {
    // The shipped catalogue's newest check is 2026-11-30; 2027-03-01 is 91 days later.
    let output = run(&[
        "whatif",
        "tests/fixtures/catalogue/gemini-tiers.yaml",
        "--set",
        "as_of=2027-03-01",
        "--format",
        "csv",
    ]);
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    let output = output.stderr;
    assert!(
        output.contains(
            "the catalogue's newest price check is 2026-11-30, 91 days before 2027-03-01"
        ),
        "{output}"
    );
    // 60 days or fewer: no warning.
    let fresh = run(&[
        "whatif",
        "tests/fixtures/catalogue/gemini-tiers.yaml",
        "--set",
        "as_of=2027-01-29",
        "--format",
        "csv",
    ]);
    assert_eq!(fresh.code, Some(0), "{}", fresh.stderr);
    assert!(
        !fresh.stderr.contains("newest price check"),
        "{}",
        fresh.stderr
    );
}

#[test]
fn gemini_batch_keeps_cache_hits_and_flex_and_priority_are_priced() {
    let output = expect(
        0,
        &[
            "compare",
            "tests/fixtures/catalogue/gemini-tiers.yaml",
            "--by",
            "line",
        ],
    );
    insta::assert_snapshot!("gemini_tiers_lines", output);
}

#[test]
fn a_retired_model_is_an_error_naming_its_successor() {
    let run = run(&[
        "whatif",
        "tests/fixtures/catalogue/sonnet-300k-april.yaml",
        "--set",
        "as_of=2026-12-01",
    ]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr
            .contains("model 'claude-sonnet-4-5' was retired on 2026-11-30")
            && run.stderr.contains("claude-sonnet-5-5"),
        "{}",
        run.stderr
    );
}

#[test]
fn bad_dated_facts_and_tier_rules_are_located_errors() {
    let folder = tempfile::tempdir().unwrap();
    let cases = [
        (
            "retires: 2026-01-01\n    deprecated: 2026-02-01",
            "batch: 50%",
            "retires before it is deprecated",
        ),
        (
            "checked: 2026-01-01",
            "batch: {discount: 50%, except: [output]}",
            "`except` lists unknown column 'output'",
        ),
        (
            "checked: 2026-01-01",
            "priority: +2000%",
            "surcharge '+2000%' is outside +0%–+1000%",
        ),
        (
            "checked: 2026-01-01",
            "batch: {discount: 50%, input: 1}",
            "gives both a discount and prices",
        ),
        (
            "context_window_changes: [{from: 2026-05-01, tokens: 100k}, {from: 2026-04-01, tokens: 50k}]",
            "batch: 50%",
            "context-window changes of 'm' are out of order",
        ),
    ];
    for (facts, tier, message) in cases {
        let path = folder.path().join("acme.yaml");
        std::fs::write(
            &path,
            format!(
                "provider: acme\ncurrency: USD\nmodels:\n  m:\n    class: economy\n    deployment: hosted\n    open_weight: false\n    license: x\n    context_window: 200k\n    {facts}\n    prices:\n      - from: 2026-01-01\n        source: https://example.com\n        input: 1\n        output: 2\n        {tier}\n"
            ),
        )
        .unwrap();
        let run = run(&["models", "--pricing", path.to_str().unwrap()]);
        assert_eq!(run.code, Some(2), "{facts} / {tier}: {}", run.stdout);
        assert!(
            run.stderr.contains(message) && run.stderr.contains("acme.yaml:"),
            "expected '{message}' located in the file:\n{}",
            run.stderr
        );
    }
}

#[test]
fn gap_between_gpt_5_and_its_successor() {
    let output = expect(0, &["gap", "gpt-5", "gpt-5.6-sol", "--as-of", "2026-11-30"]);
    insta::assert_snapshot!("gap_gpt_5_gpt_5_6_sol", output);
}

#[test]
fn compare_claude_sonnet_5_with_gemini_3_5_flash() {
    let output = expect(
        0,
        &[
            "compare",
            "tests/fixtures/catalogue/current-models.yaml",
            "--by",
            "line",
        ],
    );
    insta::assert_snapshot!("compare_sonnet_5_gemini_3_5_flash", output);
}
