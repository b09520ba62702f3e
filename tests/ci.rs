//! The CI job, played end to end: `compare` on the base branch, `check` and `diff` on the pull
//! request, `validate` on the files, and every JSON output held against its shipped schema.
//!
//! The base scenario is the seed example; the changed one has 12% more of every workload, so
//! every policy costs 12.0% more. Fixtures live in tests/fixtures/ci/; snapshots in
//! tests/snapshots/ci__*.snap.

mod common;
use common::{expect, rejected};

const CI: &str = "tests/fixtures/ci";

fn ci(name: &str) -> String {
    format!("{CI}/{name}")
}

#[test]
fn the_base_result_is_what_compare_prints_on_the_base_branch() {
    let base = std::fs::read_to_string(ci("base.json")).expect("the base result is shipped");
    assert_eq!(
        expect(0, &["compare", &ci("base.yaml"), "--format", "json"]),
        base,
        "regenerate tests/fixtures/ci/base.json with `mixcost compare tests/fixtures/ci/base.yaml --format json`"
    );
}

#[test]
fn a_twelve_percent_rise_fails_a_ten_percent_limit() {
    let markdown = expect(
        1,
        &[
            "check",
            &ci("changed.yaml"),
            "--against",
            &ci("base.json"),
            "--max-increase",
            "10%",
            "--format",
            "markdown",
        ],
    );
    assert!(markdown.starts_with("<!-- mixcost-report -->\n"));
    assert!(markdown.contains(
        "| FAIL | max increase | mixed-flash | +$56.35 ($469.60 → $525.95, +12.0%) | 10% |"
    ));
    let failed = markdown
        .find("#### Failed checks")
        .expect("failed checks are listed");
    let details = markdown.find("<details>").expect("details are folded");
    assert!(failed < details, "failed checks come before the details");
    insta::assert_snapshot!("check_fails_markdown", markdown);
}

#[test]
fn a_twelve_percent_rise_passes_a_fifteen_percent_limit() {
    let table = expect(
        0,
        &[
            "check",
            &ci("changed.yaml"),
            "--against",
            &ci("base.json"),
            "--max-increase",
            "15%",
        ],
    );
    assert!(table.starts_with("mixcost check: passed (0 failed, 0 warnings, 3 passed)"));
    insta::assert_snapshot!("check_passes_table", table);
}

#[test]
fn a_base_scenario_file_gives_the_same_verdicts_as_its_result() {
    let against_result = expect(
        1,
        &[
            "check",
            &ci("changed.yaml"),
            "--against",
            &ci("base.json"),
            "--max-increase",
            "$100",
            "--format",
            "json",
        ],
    );
    let against_scenario = expect(
        1,
        &[
            "check",
            &ci("changed.yaml"),
            "--against",
            &ci("base.yaml"),
            "--max-increase",
            "$100",
            "--format",
            "json",
        ],
    );
    let verdicts = |text: &str| {
        let json: serde_json::Value = serde_json::from_str(text).expect("JSON");
        json["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .map(|c| {
                (
                    c["policy"].to_string(),
                    c["verdict"].to_string(),
                    c["delta"].to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(verdicts(&against_result), verdicts(&against_scenario));
    // +$186.00 on all-gpt-5.5 breaks a $100 limit; +$56.35 and +$83.23 do not.
    assert_eq!(
        verdicts(&against_result)
            .iter()
            .map(|(_, verdict, _)| verdict.as_str())
            .collect::<Vec<_>>(),
        ["\"fail\"", "\"pass\"", "\"pass\""]
    );
}

#[test]
fn warnings_never_fail_the_run() {
    let table = expect(
        0,
        &[
            "check",
            &ci("changed.yaml"),
            "--against",
            &ci("base.json"),
            "--max-increase",
            "15%",
            "--warn-increase",
            "10%",
        ],
    );
    assert!(
        table.contains("warn      warn increase   mixed-flash"),
        "{table}"
    );
    assert!(table.starts_with("mixcost check: passed (0 failed, 3 warnings, 3 passed)"));
}

#[test]
fn budgets_from_the_flag_and_the_scenario_with_compliance() {
    let table = expect(
        1,
        &[
            "check",
            "--pricing",
            "tests/fixtures/pricing",
            &ci("compliance.yaml"),
            "--budget",
            "$400",
        ],
    );
    insta::assert_snapshot!("check_budgets_and_compliance", table);
    let only_compliant = expect(
        1,
        &[
            "check",
            "--pricing",
            "tests/fixtures/pricing",
            &ci("compliance.yaml"),
            "--policy",
            "compliant",
            "--budget",
            "$400",
        ],
    );
    // $401.20 is over the $400 flag but under the scenario's $600 for `compliant`.
    assert!(
        only_compliant.contains("FAIL      budget (--budget)   compliant"),
        "{only_compliant}"
    );
    assert!(!only_compliant.contains("cheap"));
}

#[test]
fn validate_finds_compliance_violations_and_dead_routes() {
    let output = expect(
        1,
        &[
            "validate",
            "--pricing",
            "tests/fixtures/pricing",
            &ci("compliance.yaml"),
        ],
    );
    assert!(output.contains("error: the default of policy 'cheap' sends workload 'claims' (regulated data) to 'deepseek-v4-flash', a hosted model; constraints.regulated allows deployment: self-hosted"));
    assert!(output.ends_with("1 file checked: 3 errors, 1 warning\n"));
    insta::assert_snapshot!("validate_compliance", output);
}

#[test]
fn validate_finds_price_file_problems() {
    insta::assert_snapshot!(
        "validate_deprecated_prices",
        expect(1, &["validate", &ci("prices-deprecated/acme.yaml")])
    );
    let promotion = expect(1, &["validate", &ci("prices-promotion")]);
    assert!(promotion.contains("error: promotion 'spring' ends before it starts\n  --> tests/fixtures/ci/prices-promotion/acme.yaml:23:20"), "{promotion}");
}

#[test]
fn validate_collects_every_value_error_of_a_file() {
    let output = expect(
        1,
        &[
            "validate",
            "tests/fixtures/bad/unknown-model.yaml",
            "tests/fixtures/bad/rate-out-of-range.yaml",
        ],
    );
    assert!(output.matches("error:").count() >= 2, "{output}");
    assert!(output.contains("--> tests/fixtures/bad/unknown-model.yaml:"));
    assert!(output.contains("--> tests/fixtures/bad/rate-out-of-range.yaml:"));
}

#[test]
fn validate_passes_the_shipped_files() {
    assert_eq!(
        expect(0, &["validate", "scenarios", "pricing"]),
        "13 files checked: no problems found\n"
    );
}

#[test]
fn validate_exits_2_when_a_file_cannot_be_read() {
    let stderr = rejected(&["validate", "scenarios/seed.yaml", "no/such.yaml"]);
    assert!(stderr.contains("'no/such.yaml' does not exist"), "{stderr}");
}

#[test]
fn diff_of_two_scenarios() {
    let table = expect(0, &["diff", &ci("base.yaml"), &ci("changed.yaml")]);
    assert!(
        table.contains("mixed-flash   (total)      +$56.35 ($469.60 → $525.95, +12.0%)"),
        "{table}"
    );
    insta::assert_snapshot!("diff_scenarios_table", table);
    insta::assert_snapshot!(
        "diff_scenarios_markdown",
        expect(
            0,
            &[
                "diff",
                &ci("base.yaml"),
                &ci("changed.yaml"),
                "--format",
                "markdown"
            ]
        )
    );
}

#[test]
fn diff_of_two_price_folders_collapses_unchanged_policies() {
    let table = expect(0, &["diff", "pricing", &ci("prices-new")]);
    assert!(
        table.contains("model 'gpt-5.5'   output   $30.00   $33.00"),
        "{table}"
    );
    insta::assert_snapshot!("diff_prices_table", table);
    let multi = expect(
        0,
        &[
            "diff",
            "pricing",
            &ci("prices-new"),
            "--scenario",
            "scenarios/multi-vendor.yaml",
        ],
    );
    assert!(multi.contains("unchanged: "), "{multi}");
}

#[test]
fn diff_of_two_results() {
    let new = expect(0, &["compare", &ci("changed.yaml"), "--format", "json"]);
    let folder = tempfile::tempdir().expect("a temporary folder");
    let path = folder.path().join("new.json");
    std::fs::write(&path, new).expect("written");
    let json = expect(
        0,
        &[
            "diff",
            &ci("base.json"),
            path.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(value["kind"], "results");
    let flash = &value["sections"][0]["policies"][1];
    assert_eq!(flash["name"], "mixed-flash");
    assert_eq!(flash["before"], "469.60");
    assert_eq!(flash["after"], "525.95");
    assert_eq!(flash["delta_pct"], "12");
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let changed = ci("changed.yaml");
    let base = ci("base.json");
    let budget = rejected(&["check", &changed, "--budget", "$1,2x"]);
    assert_eq!(budget, "error: invalid --budget: '$1,2x' is not an amount of money; write an amount of USD such as 500, $500 or $1,250.00\n");
    let unit = rejected(&[
        "check",
        &changed,
        "--against",
        &base,
        "--max-increase",
        "10",
    ]);
    assert_eq!(unit, "error: invalid --max-increase: threshold '10' has no unit; write a percentage of the base cost (10%) or an amount of USD ($10)\n");
    let missing = rejected(&[
        "check",
        &changed,
        "--against",
        "no/base.json",
        "--max-increase",
        "10%",
    ]);
    assert!(
        missing.contains("'no/base.json' does not exist"),
        "{missing}"
    );
    let nothing = rejected(&["check", &changed]);
    assert!(nothing.contains("there is nothing to check"), "{nothing}");

    let folder = tempfile::tempdir().expect("a temporary folder");
    let future = folder.path().join("future.json");
    let text = std::fs::read_to_string(&base)
        .unwrap()
        .replace("\"schema_version\": \"1\"", "\"schema_version\": \"2\"");
    std::fs::write(&future, text).unwrap();
    let version = rejected(&[
        "check",
        &changed,
        "--against",
        future.to_str().unwrap(),
        "--max-increase",
        "10%",
    ]);
    assert!(
        version.contains("has schema_version '2'; this mixcost reads schema_version '1'"),
        "{version}"
    );
    let version = rejected(&["diff", &base, future.to_str().unwrap()]);
    assert!(version.contains("schema_version '2'"), "{version}");

    let unrelated = rejected(&["diff", &ci("base.yaml"), &ci("unrelated.yaml")]);
    assert!(unrelated.contains("have nothing in common"), "{unrelated}");
    let other = folder.path().join("other.json");
    std::fs::write(
        &other,
        expect(0, &["compare", &ci("unrelated.yaml"), "--format", "json"]),
    )
    .unwrap();
    let unrelated = rejected(&[
        "check",
        &changed,
        "--against",
        other.to_str().unwrap(),
        "--max-increase",
        "10%",
    ]);
    assert!(unrelated.contains("no policy in common"), "{unrelated}");
    let mixed = rejected(&["diff", &ci("base.yaml"), &base]);
    assert!(mixed.contains("cannot diff a scenario file"), "{mixed}");
}

#[test]
fn budgets_in_the_scenario_are_checked_when_loaded() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let path = folder.path().join("budget.yaml");
    let text = std::fs::read_to_string(ci("base.yaml")).unwrap()
        + "budgets:\n  policies:\n    mixed-flsh: $1,2x\n";
    std::fs::write(&path, text).unwrap();
    let stderr = rejected(&["check", path.to_str().unwrap()]);
    assert!(
        stderr.contains("error: budget for unknown policy 'mixed-flsh'"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean 'mixed-flash'?"), "{stderr}");
    assert!(
        stderr.contains(
            "error: invalid `budgets.policies.mixed-flsh`: '$1,2x' is not an amount of money"
        ),
        "{stderr}"
    );
}

/// The shipped schemas are the generated ones.
#[test]
fn shipped_schemas_are_current() {
    for what in [
        "compare",
        "check",
        "diff",
        "models",
        "gap",
        "whatif",
        "sweep",
        "sensitivity",
        "solve",
        "simulate",
        "scenario",
        "pricing",
    ] {
        let shipped = std::fs::read_to_string(format!("schemas/{what}.schema.json"))
            .expect("a schema is shipped for every JSON output and input file");
        assert_eq!(
            expect(0, &["schema", what]),
            shipped,
            "regenerate schemas/{what}.schema.json with `mixcost schema {what} -o schemas/{what}.schema.json`"
        );
    }
}

fn validator(what: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(format!("schemas/{what}.schema.json")).expect("shipped");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("a schema is JSON");
    jsonschema::validator_for(&schema).expect("a valid JSON Schema")
}

fn assert_valid(what: &str, instance: &serde_json::Value) {
    let validator = validator(what);
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|error| format!("{error} at {}", error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

#[test]
fn json_outputs_match_their_shipped_schemas() {
    let runs: Vec<(&str, i32, Vec<&str>)> = vec![
        (
            "compare",
            0,
            vec!["compare", "scenarios/multi-vendor.yaml", "--format", "json"],
        ),
        (
            "models",
            0,
            vec!["models", "--as-of", "2026-05-20", "--format", "json"],
        ),
        (
            "gap",
            0,
            vec![
                "gap",
                "gpt-5.5",
                "deepseek-v4-pro",
                "--scenario",
                "scenarios/seed.yaml",
                "--workload",
                "hard",
                "--format",
                "json",
            ],
        ),
        (
            "check",
            1,
            vec![
                "check",
                "tests/fixtures/ci/changed.yaml",
                "--against",
                "tests/fixtures/ci/base.json",
                "--max-increase",
                "10%",
                "--warn-increase",
                "$1",
                "--format",
                "json",
            ],
        ),
        (
            "diff",
            0,
            vec![
                "diff",
                "tests/fixtures/ci/base.yaml",
                "tests/fixtures/ci/changed.yaml",
                "--format",
                "json",
            ],
        ),
        (
            "diff",
            0,
            vec![
                "diff",
                "pricing",
                "tests/fixtures/ci/prices-new",
                "--format",
                "json",
            ],
        ),
    ];
    for (what, code, args) in runs {
        let output = expect(code, &args);
        let instance: serde_json::Value = serde_json::from_str(&output).expect("JSON");
        assert_eq!(instance["schema_version"], "1");
        assert_valid(what, &instance);
    }
    // A schema that cannot fail proves nothing: a changed schema_version and a money number
    // must both be rejected.
    let mut wrong: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ci("base.json")).unwrap()).unwrap();
    wrong["schema_version"] = "2".into();
    assert!(!validator("compare").is_valid(&wrong));
    wrong["schema_version"] = "1".into();
    wrong["scenarios"][0]["policies"][0]["monthly_cost"] = 1550.into();
    assert!(!validator("compare").is_valid(&wrong));
}

#[test]
fn shipped_input_files_match_their_schemas() {
    let read = |path: &str| -> serde_json::Value {
        serde_saphyr::from_str(&std::fs::read_to_string(path).unwrap()).expect("YAML")
    };
    for scenario in ["seed", "support-desk", "document-pipeline", "multi-vendor"] {
        assert_valid("scenario", &read(&format!("scenarios/{scenario}.yaml")));
    }
    assert_valid("scenario", &read(&ci("compliance.yaml")));
    for provider in ["anthropic", "deepseek", "google", "openai"] {
        assert_valid("pricing", &read(&format!("pricing/{provider}.yaml")));
    }
    let mut typo = read("scenarios/seed.yaml");
    typo["workloads"][0]["ouput_tokens"] = "20M".into();
    assert!(
        !validator("scenario").is_valid(&typo),
        "unknown keys are errors"
    );
}
