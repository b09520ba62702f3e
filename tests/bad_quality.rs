//! Bad quality input: rates outside 0–1, chains that loop or name unknown models, reviewers
//! with no cost, impossible distributions, and bad `simulate` flags. Each exits with code 2,
//! prints nothing on standard output, and names the place and what to do on standard error.

mod common;
use common::rejected;

const FIXTURES: &str = "tests/fixtures/bad-quality";

fn compare(name: &str) -> String {
    rejected(&["compare", &format!("{FIXTURES}/{name}")])
}

#[test]
fn pass_rate_above_one() {
    let stderr = compare("pass-rate-above-one.yaml");
    assert!(
        stderr.contains("pass-rate-above-one.yaml:22:58"),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("error:").count(),
        1,
        "one error, not a cascade"
    );
    insta::assert_snapshot!(stderr);
}

#[test]
fn eval_counts_with_more_passes_than_evals() {
    insta::assert_snapshot!(compare("evals-above-total.yaml"));
}

#[test]
fn chain_that_loops() {
    insta::assert_snapshot!(compare("chain-loop.yaml"));
}

#[test]
fn chain_naming_an_unknown_model() {
    insta::assert_snapshot!(compare("chain-unknown-model.yaml"));
}

#[test]
fn chain_going_on_after_a_reviewer() {
    insta::assert_snapshot!(compare("chain-human-not-last.yaml"));
}

#[test]
fn chain_model_without_a_pass_rate() {
    insta::assert_snapshot!(compare("missing-pass-rate.yaml"));
}

#[test]
fn fallback_without_a_quality_section() {
    insta::assert_snapshot!(compare("fallback-without-quality.yaml"));
}

#[test]
fn negative_spread() {
    insta::assert_snapshot!(compare("negative-spread.yaml"));
}

#[test]
fn human_reviewer_with_no_cost() {
    insta::assert_snapshot!(rejected(&[
        "compare",
        "--pricing",
        &format!("{FIXTURES}/human-no-cost"),
        "tests/fixtures/quality/two-step.yaml",
    ]));
}

#[test]
fn zero_trials() {
    insta::assert_snapshot!(rejected(&["simulate", "--trials", "0"]));
}

#[test]
fn a_budget_that_is_not_money() {
    insta::assert_snapshot!(rejected(&["simulate", "--budget", "lots"]));
    let negative = rejected(&["simulate", "--budget=-5"]);
    assert!(negative.contains("amount '-5' is negative"), "{negative}");
}

#[test]
fn reviewer_named_like_a_model() {
    let stderr = rejected(&[
        "compare",
        "--pricing",
        &format!("{FIXTURES}/human-named-like-model"),
    ]);
    assert!(stderr.contains("'gpt-5.5' is defined twice"), "{stderr}");
}

#[test]
fn reviewer_named_like_a_model_loaded_later() {
    let stderr = rejected(&[
        "compare",
        "--pricing",
        &format!("{FIXTURES}/human-named-like-model-first"),
    ]);
    assert!(
        stderr.contains("'gpt-5.5' is both a human reviewer and a model"),
        "{stderr}"
    );
}

#[test]
fn normal_tokens_per_request() {
    insta::assert_snapshot!(compare("normal-token-spread.yaml"));
}

#[test]
fn given_naming_an_unknown_model() {
    insta::assert_snapshot!(compare("given-unknown-model.yaml"));
}

#[test]
fn given_naming_the_model_itself() {
    insta::assert_snapshot!(compare("given-own-model.yaml"));
}

#[test]
fn given_with_an_outcome_other_than_pass_or_fail() {
    insta::assert_snapshot!(compare("given-bad-outcome.yaml"));
}

#[test]
fn conditional_rate_above_one() {
    insta::assert_snapshot!(compare("given-rate-above-one.yaml"));
}

#[test]
fn duplicate_conditional_rates() {
    insta::assert_snapshot!(compare("given-duplicate.yaml"));
}

#[test]
fn conditional_rate_without_an_unconditional_one() {
    insta::assert_snapshot!(compare("given-without-base.yaml"));
}

#[test]
fn conditional_rates_tied_on_one_pattern() {
    insta::assert_snapshot!(compare("given-ambiguous.yaml"));
}

#[test]
fn given_with_no_condition_or_a_reviewer() {
    let fixture = format!("{FIXTURES}/given-own-model.yaml");
    let text = std::fs::read_to_string(&fixture).unwrap();
    let dir = std::env::temp_dir().join(format!("mixcost-given-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (given, message) in [
        ("{}", "lists no condition"),
        ("{analyst: fail}", "names human reviewer 'analyst'"),
    ] {
        let path = dir.join("case.yaml");
        std::fs::write(&path, text.replace("{gpt-5.5: fail}", given)).unwrap();
        let stderr = rejected(&["compare", path.to_str().unwrap()]);
        assert!(stderr.contains(message), "{stderr}");
        assert!(stderr.contains("case.yaml:24:"), "{stderr}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn too_many_conditions_in_one_chain() {
    // An 18-model chain whose last model's rate is conditional on all 17 before it would
    // track 2^17 patterns: refused, at the route, before any work. The models are a private
    // price file's, added with --pricing.
    let folder = tempfile::tempdir().unwrap();
    let names: Vec<String> = (1..=18).map(|i| format!("tier-{i}")).collect();
    let models: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut prices = String::from("provider: acme\ncurrency: USD\nmodels:\n");
    for model in &models {
        prices.push_str(&format!(
            "  {model}:\n    class: economy\n    deployment: self-hosted\n    open_weight: true\n    license: Apache-2.0\n    context_window: 128k\n    prices:\n      - from: 2026-01-01\n        source: a test\n        input: 0.05\n        output: 0.10\n"
        ));
    }
    let pricing = folder.path().join("pricing");
    std::fs::create_dir(&pricing).unwrap();
    std::fs::write(pricing.join("acme.yaml"), prices).unwrap();
    let mut text = format!(
        "name: long chain
as_of: 2026-05-20
workloads:
  - {{name: w, task: t, requests: 10, input_tokens_per_request: 10, output_tokens_per_request: 10}}
policies:
  - name: long
    default: {{model: {}, fallback: [{}]}}
baseline: long
quality:
  pass_rates:
",
        models[0],
        models[1..].join(", ")
    );
    for model in &models {
        text.push_str(&format!("    - {{model: {model}, task: t, rate: 0.5}}\n"));
    }
    let given: Vec<String> = models[..17].iter().map(|m| format!("{m}: fail")).collect();
    text.push_str(&format!(
        "    - {{model: {}, task: t, given: {{{}}}, rate: 0.1}}\n",
        models[17],
        given.join(", ")
    ));
    let path = folder.path().join("long.yaml");
    std::fs::write(&path, text).unwrap();
    let stderr = rejected(&[
        "compare",
        "--pricing",
        pricing.to_str().unwrap(),
        path.to_str().unwrap(),
    ]);
    assert!(stderr.contains("depend on 17 earlier outcomes"), "{stderr}");
    assert!(stderr.contains("long.yaml:7:14"), "{stderr}");
    assert!(stderr.contains("at most 16"), "{stderr}");
}
