//! Bad input: every kind of broken scenario or price file exits with code 2, prints nothing on
//! standard output, and explains itself on standard error (file, line, column, the line itself
//! and what to do). A route that matches nothing is the one warning: exit 0, output unchanged.
//!
//! The binary runs in the crate root and is given paths relative to it, so the snapshots in
//! `tests/snapshots/` hold no machine-specific paths.

mod common;
use common::{assert_no_crash, rejected, run as mixcost};

/// Fixtures for this file, relative to the crate root.
const FIXTURES: &str = "tests/fixtures/bad";

fn fixture(name: &str) -> String {
    format!("{FIXTURES}/{name}")
}

/// `mixcost compare FIXTURE` is rejected; returns standard error.
fn rejected_scenario(name: &str) -> String {
    rejected(&["compare", &fixture(name)])
}

#[test]
fn malformed_yaml() {
    let stderr = rejected_scenario("malformed.yaml");
    insta::assert_snapshot!("malformed_yaml", stderr);
}

#[test]
fn misspelt_key_suggests_the_right_one() {
    let stderr = rejected_scenario("unknown-key.yaml");
    assert!(stderr.contains("output_tokens"), "{stderr}");
    insta::assert_snapshot!("misspelt_key", stderr);
}

#[test]
fn unknown_model_suggests_the_nearest() {
    let stderr = rejected_scenario("unknown-model.yaml");
    assert!(stderr.contains("did you mean 'gpt-5.5'"), "{stderr}");
    insta::assert_snapshot!("unknown_model", stderr);
}

#[test]
fn negative_price() {
    let stderr = rejected(&[
        "--pricing",
        "tests/fixtures/bad/pricing-negative/",
        "models",
    ]);
    insta::assert_snapshot!("negative_price", stderr);
}

#[test]
fn negative_token_count() {
    let stderr = rejected_scenario("negative-tokens.yaml");
    insta::assert_snapshot!("negative_token_count", stderr);
}

#[test]
fn rates_outside_zero_to_one() {
    let stderr = rejected_scenario("rate-out-of-range.yaml");
    assert!(stderr.contains("cache_hit_rate"), "{stderr}");
    assert!(stderr.contains("batch_share"), "{stderr}");
    insta::assert_snapshot!("rates_outside_zero_to_one", stderr);
}

#[test]
fn non_numeric_value() {
    let stderr = rejected_scenario("non-numeric.yaml");
    insta::assert_snapshot!("non_numeric_value", stderr);
}

#[test]
fn nan_value() {
    let stderr = rejected_scenario("nan.yaml");
    insta::assert_snapshot!("nan_value", stderr);
}

#[test]
fn infinite_value() {
    let stderr = rejected_scenario("inf.yaml");
    insta::assert_snapshot!("infinite_value", stderr);
}

#[test]
fn token_count_too_large() {
    let stderr = rejected_scenario("tokens-too-large.yaml");
    insta::assert_snapshot!("token_count_too_large", stderr);
}

#[test]
fn route_matching_nothing_is_a_warning() {
    let run = mixcost(&["compare", &fixture("route-matches-nothing.yaml")]);
    assert_eq!(
        run.code,
        Some(0),
        "a warning exits 0\nstderr:\n{}",
        run.stderr
    );
    assert!(run.stdout.contains("all-gpt-5.5"), "{}", run.stdout);
    assert!(run.stdout.contains("mixed"), "{}", run.stdout);
    assert!(run.stdout.contains("monthly cost"), "{}", run.stdout);
    assert_no_crash(&run.stderr);
    assert!(!run.stderr.contains("error:"), "{}", run.stderr);
    insta::assert_snapshot!("route_matching_nothing", run.stderr);
}

#[test]
fn baseline_naming_no_policy() {
    let stderr = rejected_scenario("baseline-unknown.yaml");
    insta::assert_snapshot!("baseline_naming_no_policy", stderr);
}

#[test]
fn duplicate_workload_names() {
    let stderr = rejected_scenario("duplicate-workload.yaml");
    insta::assert_snapshot!("duplicate_workload_names", stderr);
}

#[test]
fn duplicate_policy_names() {
    let stderr = rejected_scenario("duplicate-policy.yaml");
    insta::assert_snapshot!("duplicate_policy_names", stderr);
}

#[test]
fn model_defined_in_two_price_files() {
    let stderr = rejected(&[
        "--pricing",
        "tests/fixtures/bad/pricing-duplicate/",
        "models",
    ]);
    insta::assert_snapshot!("model_defined_twice", stderr);
}

#[test]
fn impossible_date() {
    let stderr = rejected_scenario("date-invalid.yaml");
    insta::assert_snapshot!("impossible_date", stderr);
}

#[test]
fn date_in_words() {
    let stderr = rejected_scenario("date-text.yaml");
    insta::assert_snapshot!("date_in_words", stderr);
}

#[test]
fn empty_file() {
    let stderr = rejected_scenario("empty.yaml");
    insta::assert_snapshot!("empty_file", stderr);
}

#[test]
fn comment_only_file() {
    let stderr = rejected_scenario("comments-only.yaml");
    insta::assert_snapshot!("comment_only_file", stderr);
}

#[test]
fn missing_file() {
    let stderr = rejected_scenario("does-not-exist.yaml");
    insta::assert_snapshot!("missing_file", stderr);
}

#[test]
fn folder_given_as_scenario() {
    let stderr = rejected(&["compare", "tests/fixtures/bad/"]);
    insta::assert_snapshot!("folder_given_as_scenario", stderr);
}

#[test]
fn alias_bomb_fails_fast() {
    let run = mixcost(&["compare", &fixture("alias-bomb.yaml")]);
    assert_eq!(run.code, Some(2), "stderr:\n{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert_no_crash(&run.stderr);
    insta::assert_snapshot!("alias_bomb", run.stderr);
}

#[test]
fn model_without_a_price_on_the_scenario_date() {
    let stderr = rejected_scenario("no-price-on-date.yaml");
    insta::assert_snapshot!("no_price_on_date", stderr);
}

#[test]
fn duplicate_key_in_one_mapping() {
    let stderr = rejected_scenario("duplicate-key.yaml");
    insta::assert_snapshot!("duplicate_key", stderr);
}

#[test]
fn price_file_with_unknown_key() {
    let stderr = rejected(&[
        "--pricing",
        "tests/fixtures/bad/pricing-unknown-key.yaml",
        "models",
    ]);
    assert!(stderr.contains("output"), "{stderr}");
    insta::assert_snapshot!("price_file_unknown_key", stderr);
}
