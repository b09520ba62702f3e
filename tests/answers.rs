//! Answers people can read: `solve` gives its answer with a unit, `gap` shows blends as money,
//! `diff` of two JSON results names the inputs that changed, and descriptions are printed.

mod common;

use common::ok;

#[test]
fn solve_answers_with_a_unit() {
    let out = ok(&[
        "solve",
        "--vary",
        "models.deepseek-v4-flash.output",
        "--policy",
        "mixed-flash",
        "--target",
        "equal=all-gpt-5.5",
    ]);
    assert!(
        out.contains("answer: models.deepseek-v4-flash.output = $54.30 per 1M output tokens"),
        "{out}"
    );
    // The exact value stays in JSON.
    let json = ok(&[
        "solve",
        "--vary",
        "models.deepseek-v4-flash.output",
        "--policy",
        "mixed-flash",
        "--target",
        "equal=all-gpt-5.5",
        "--format",
        "json",
    ]);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(
        value["value"].as_str().unwrap().starts_with("54.3"),
        "{json}"
    );
}

#[test]
fn gap_shows_a_blend_as_money_and_large_multipliers_whole() {
    let out = ok(&[
        "gap",
        "gpt-5.5",
        "deepseek-v4-pro",
        "--scenario",
        "scenarios/support-desk.yaml",
        "--workload",
        "triage",
    ]);
    let blended = out
        .lines()
        .find(|line| line.starts_with(" blended"))
        .unwrap();
    assert!(blended.contains("$0.4796"), "{blended}");
    assert!(!blended.contains("$0.47961"), "{blended}");
    assert!(out.contains("138×"), "{out}");
}

#[test]
fn compare_prints_the_descriptions() {
    let out = ok(&["compare", "scenarios/support-desk.yaml"]);
    assert!(
        out.contains("Ticket triage (short classification answers)"),
        "{out}"
    );
    assert!(
        out.contains("flash-triage: triage on DeepSeek V4 Flash, replies stay on GPT-5.5"),
        "{out}"
    );
}

#[test]
fn diff_of_two_results_names_the_volume_that_changed() {
    let folder = tempfile::tempdir().unwrap();
    let seed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed.yaml"),
    )
    .unwrap();
    let grown = seed.replace("input_tokens: 30M", "input_tokens: 39M");
    assert_ne!(seed, grown);
    let new_scenario = folder.path().join("grown.yaml");
    std::fs::write(&new_scenario, grown).unwrap();
    let (old, new) = (
        folder.path().join("old.json"),
        folder.path().join("new.json"),
    );
    let old = old.to_str().unwrap();
    let new = new.to_str().unwrap();
    ok(&["compare", "--format", "json", "-o", old]);
    ok(&[
        "compare",
        new_scenario.to_str().unwrap(),
        "--format",
        "json",
        "-o",
        new,
    ]);
    for format in ["table", "markdown"] {
        let out = ok(&["diff", old, new, "--format", format]);
        assert!(!out.contains("No input changed"), "{out}");
        let line = out
            .lines()
            .find(|line| line.contains("workload 'hard'"))
            .unwrap_or_else(|| panic!("no change named for workload 'hard':\n{out}"));
        assert!(line.contains("uncached input tokens"), "{line}");
        assert!(
            line.contains("30,000,000") && line.contains("39,000,000"),
            "{line}"
        );
    }
}
