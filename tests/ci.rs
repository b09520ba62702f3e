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
        json["scenarios"][0]["checks"]
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
        "validate",
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

#[test]
fn validate_warnings_fail_unless_warnings_ok() {
    let warning = ci("warning-only.yaml");
    let table = expect(1, &["validate", &warning]);
    assert!(
        table.ends_with("1 file checked: 0 errors, 1 warning\n"),
        "{table}"
    );
    let allowed = expect(0, &["validate", "--warnings-ok", &warning]);
    assert_eq!(allowed, table, "--warnings-ok reports the same findings");
    // Errors still fail with --warnings-ok.
    expect(
        1,
        &[
            "validate",
            "--warnings-ok",
            &ci("prices-deprecated/acme.yaml"),
        ],
    );
}

#[test]
fn validate_json_lists_each_finding_with_its_place() {
    let text = expect(
        1,
        &[
            "validate",
            "--format",
            "json",
            &ci("warning-only.yaml"),
            &ci("prices-deprecated/acme.yaml"),
        ],
    );
    let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_valid("validate", &json);
    assert_eq!(json["verdict"], "fail");
    assert_eq!(
        (
            json["files"].as_u64(),
            json["errors"].as_u64(),
            json["warnings"].as_u64()
        ),
        (Some(2), Some(1), Some(1))
    );
    let findings = json["findings"].as_array().expect("findings");
    let warning = findings
        .iter()
        .find(|f| f["severity"] == "warning")
        .expect("the warning");
    assert_eq!(warning["file"], ci("warning-only.yaml"));
    assert_eq!(
        (warning["line"].as_u64(), warning["column"].as_u64()),
        (Some(20), Some(9))
    );
    assert!(warning["message"]
        .as_str()
        .unwrap()
        .starts_with("route 2 of policy 'mixed-flash' never applies"));
    let passed = expect(
        0,
        &[
            "validate",
            "--format",
            "json",
            "--warnings-ok",
            &ci("warning-only.yaml"),
        ],
    );
    let passed: serde_json::Value = serde_json::from_str(&passed).expect("JSON");
    assert_eq!(passed["verdict"], "pass");
    let clean: serde_json::Value =
        serde_json::from_str(&expect(0, &["validate", "--format", "json", "scenarios"])).unwrap();
    assert_eq!(clean["findings"], serde_json::json!([]));
}

#[test]
fn validate_github_annotations_are_escaped_as_the_runner_reads_them() {
    let text = expect(
        1,
        &["validate", "--format", "github", &ci("warning-only.yaml")],
    );
    assert_eq!(
        text,
        format!(
            "::warning file={},line=20,col=9,title=mixcost validate::route 2 of policy 'mixed-flash' never applies: earlier routes take every workload it matches%0Ahelp: remove the route, or move it above the routes that take its workloads\n1 file checked: 0 errors, 1 warning\n",
            ci("warning-only.yaml")
        )
    );
    // A file name with the characters that end a property or a command: `,` `:` `%`.
    let folder = tempfile::tempdir().expect("a temporary folder");
    let odd = folder.path().join("a,b:50%.yaml");
    std::fs::write(&odd, "name: x\nbogus: 1\n").unwrap();
    let text = expect(
        1,
        &["validate", "--format", "github", odd.to_str().unwrap()],
    );
    let line = text.lines().next().expect("an annotation");
    let escaped = odd
        .to_str()
        .unwrap()
        .replace('%', "%25")
        .replace(':', "%3A")
        .replace(',', "%2C");
    assert!(
        line.starts_with(&format!("::error file={escaped},line=")),
        "{line}"
    );
    assert_eq!(
        text.lines().count(),
        2,
        "one line per finding, then the count: {text}"
    );
}

#[test]
fn schema_refuses_formats_a_json_schema_does_not_have() {
    for format in ["table", "markdown", "csv"] {
        let stderr = rejected(&["schema", "check", "--format", format]);
        assert!(stderr.contains("`schema` prints a JSON Schema"), "{stderr}");
    }
    assert_eq!(
        expect(0, &["schema", "check", "--format", "json"]),
        expect(0, &["schema", "check"])
    );
}

#[test]
fn check_of_several_scenarios_gives_one_verdict_each_and_one_report() {
    let desk = format!("{CI}/per-request/base.yaml");
    // The base branch holds only the seed scenario: the support desk is new.
    let base = ci("base.json");
    let args = |format: &'static str| -> Vec<String> {
        vec![
            "check".into(),
            ci("changed.yaml"),
            desk.clone(),
            "--against".into(),
            base.clone(),
            "--max-increase".into(),
            "10%".into(),
            "--format".into(),
            format.into(),
        ]
    };
    let strings = |v: &[String]| v.to_vec();
    let run = |format| {
        let owned = strings(&args(format));
        let borrowed: Vec<&str> = owned.iter().map(String::as_str).collect();
        expect(1, &borrowed)
    };
    let json: serde_json::Value = serde_json::from_str(&run("json")).expect("JSON");
    assert_valid("check", &json);
    assert_eq!(json["verdict"], "fail");
    let scenarios = json["scenarios"].as_array().expect("scenarios");
    assert_eq!(scenarios.len(), 2);
    assert_eq!(scenarios[0]["name"], "Two-bucket month (seed example)");
    assert_eq!(
        (
            scenarios[0]["verdict"].as_str(),
            scenarios[0]["new"].as_bool()
        ),
        (Some("fail"), Some(false))
    );
    assert_eq!(scenarios[1]["name"], "Support desk");
    assert_eq!(
        (
            scenarios[1]["verdict"].as_str(),
            scenarios[1]["new"].as_bool()
        ),
        (Some("warn"), Some(true))
    );
    assert_eq!(json["failed"], 3);
    let markdown = run("markdown");
    assert_eq!(
        markdown.matches("<!-- mixcost-report -->").count(),
        1,
        "one comment"
    );
    assert!(markdown.starts_with(
        "<!-- mixcost-report -->\n### mixcost check: FAILED (3 failed, 2 warnings, 2 passed) over 2 scenarios\n"
    ), "{markdown}");
    assert!(markdown.contains("#### Support desk: passed (0 failed, 2 warnings, 2 passed)"));
    assert!(markdown.contains("new: not in"));
    assert_eq!(
        markdown
            .matches("scenario 'Support desk' is not in the base (a new scenario)")
            .count(),
        1,
        "the new scenario is said once"
    );
    insta::assert_snapshot!("check_several_scenarios_markdown", markdown);
    let csv = run("csv");
    assert!(
        csv.contains(
            "scenario,verdict,check,policy,workload,per_request,exempt,cost_usd,cost_usd_exact"
        ),
        "{csv}"
    );
    // One scenario against a base of one keeps the single-scenario report.
    let one = expect(
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
    assert!(!one.contains("over 1 scenarios"), "{one}");
}

#[test]
fn an_empty_base_makes_every_scenario_new() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let empty = folder.path().join("empty.json");
    std::fs::write(
        &empty,
        r#"{"schema_version": "1", "currency": "USD", "scenarios": []}"#,
    )
    .unwrap();
    let table = expect(
        0,
        &[
            "check",
            &ci("changed.yaml"),
            "--against",
            empty.to_str().unwrap(),
            "--max-increase",
            "10%",
        ],
    );
    assert!(
        table.starts_with("mixcost check: passed (0 failed, 3 warnings, 0 passed)"),
        "{table}"
    );
    assert!(table.contains("$1,736.00 (no base)"), "{table}");
    // diff still refuses an empty result: there is nothing to compare.
    let stderr = rejected(&["diff", empty.to_str().unwrap(), &ci("base.json")]);
    assert!(stderr.contains("holds no scenarios"), "{stderr}");
}

#[test]
fn cost_per_request_tells_volume_growth_from_a_dearer_route() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let base = folder.path().join("desk.json");
    std::fs::write(
        &base,
        expect(
            0,
            &[
                "compare",
                &format!("{CI}/per-request/base.yaml"),
                "--format",
                "json",
            ],
        ),
    )
    .unwrap();
    let base = base.to_str().unwrap();
    let more = format!("{CI}/per-request/more-traffic.yaml");
    let dearer = format!("{CI}/per-request/dearer-route.yaml");
    let gate = |file: &str, per_request: bool| {
        let mut args = vec![
            "check",
            file,
            "--against",
            base,
            "--max-increase",
            "10%",
            "--policy",
            "mixed-flash",
            "--format",
            "json",
        ];
        if per_request {
            args.push("--per-request");
        }
        let out = common::run(&args);
        let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
        assert_valid("check", &json);
        let row = json["scenarios"][0]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["kind"] == "max_increase")
            .cloned()
            .expect("the increase check");
        (out.code, row)
    };
    // 12% more requests, same routes: +12.0% a month fails, +0.0% a request passes.
    let (code, row) = gate(&more, false);
    assert_eq!((code, row["delta_pct"].as_str()), (Some(1), Some("12")));
    let (code, row) = gate(&more, true);
    assert_eq!(code, Some(0));
    assert_eq!(row["per_request"], true);
    assert_eq!(
        (
            row["before"].as_str(),
            row["cost"].as_str(),
            row["delta_pct"].as_str()
        ),
        (Some("0.0051344"), Some("0.0051344"), Some("0"))
    );
    // Same requests, triage on a dearer model: fails either way.
    let (code, row) = gate(&dearer, true);
    assert_eq!((code, row["verdict"].as_str()), (Some(1), Some("fail")));
    assert_eq!(
        (
            row["before"].as_str(),
            row["cost"].as_str(),
            row["delta_pct"].as_str()
        ),
        (Some("0.0051344"), Some("0.0066704"), Some("29.9158616391"))
    );

    // The absolute gate: $5,134.40 over 1,000,000 requests is $0.0051344 a request.
    let table = expect(
        1,
        &[
            "check",
            &format!("{CI}/per-request/base.yaml"),
            "--policy",
            "mixed-flash",
            "--max-cost-per-request",
            "0.005",
        ],
    );
    let row = table
        .lines()
        .find(|line| line.contains("cost per request"))
        .expect("the cost-per-request row");
    let cells: Vec<&str> = row
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        cells,
        [
            "FAIL",
            "cost per request",
            "mixed-flash",
            "$0.0051344",
            "$0.005 per request"
        ]
    );
    expect(
        0,
        &[
            "check",
            &format!("{CI}/per-request/base.yaml"),
            "--policy",
            "mixed-flash",
            "--max-cost-per-request",
            "$0.0051344",
        ],
    );
    // The same gate written in the scenario, per policy.
    let folder = tempfile::tempdir().expect("a temporary folder");
    let budgeted = folder.path().join("budgeted.yaml");
    std::fs::write(
        &budgeted,
        std::fs::read_to_string(format!("{CI}/per-request/base.yaml")).unwrap()
            + "budgets:\n  per_request: {mixed-flash: $0.005}\n",
    )
    .unwrap();
    let table = expect(1, &["check", budgeted.to_str().unwrap()]);
    let row = table
        .lines()
        .find(|line| line.contains("per-request budget"))
        .expect("the per-request budget row");
    let cells: Vec<&str> = row
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        cells,
        [
            "FAIL",
            "per-request budget",
            "mixed-flash",
            "$0.0051344",
            "$0.005 per request"
        ]
    );
    // A per-request budget in a scenario without request counts is a load error at the key.
    let totals = folder.path().join("totals.yaml");
    std::fs::write(
        &totals,
        std::fs::read_to_string(ci("base.yaml")).unwrap()
            + "budgets:\n  per_request: {mixed-flash: $0.005}\n",
    )
    .unwrap();
    let stderr = rejected(&["check", totals.to_str().unwrap()]);
    assert!(
        stderr.contains("budgets.per_request needs each workload's request count, but workload 'repetitive' gives only token totals"),
        "{stderr}"
    );
    expect(1, &["validate", totals.to_str().unwrap()]);
    // Workloads given only as token totals have no request count: refused, not guessed.
    let stderr = rejected(&[
        "check",
        &ci("changed.yaml"),
        "--max-cost-per-request",
        "0.01",
    ]);
    assert!(stderr.contains("has no request count"), "{stderr}");
    let stderr = rejected(&[
        "check",
        &ci("changed.yaml"),
        "--against",
        &ci("base.json"),
        "--max-increase",
        "10%",
        "--per-request",
    ]);
    assert!(stderr.contains("has no request count"), "{stderr}");
}

#[test]
fn an_exempt_baseline_is_reported_exempt_not_failed() {
    let desk = format!("{CI}/per-request/base.yaml");
    // all-gpt-5.5 sends internal data to a closed model, but says `compliance: exempt`.
    let text = expect(0, &["check", &desk, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let checks = json["scenarios"][0]["checks"].as_array().unwrap();
    let baseline = checks
        .iter()
        .find(|c| c["policy"] == "all-gpt-5.5" && c["kind"] == "compliance")
        .expect("the baseline's compliance row");
    assert_eq!(
        (baseline["verdict"].as_str(), baseline["exempt"].as_bool()),
        (Some("pass"), Some(true))
    );
    assert!(baseline["notes"][0]
        .as_str()
        .unwrap()
        .contains("compliance: exempt"));
    assert_eq!(
        expect(0, &["validate", &desk]),
        "1 file checked: no problems found\n"
    );
    // Without the exemption the same policy fails, in check and in validate.
    let folder = tempfile::tempdir().expect("a temporary folder");
    let strict = folder.path().join("strict.yaml");
    std::fs::write(
        &strict,
        std::fs::read_to_string(&desk)
            .unwrap()
            .replace("    compliance: exempt", "    compliance: enforced"),
    )
    .unwrap();
    let table = expect(1, &["check", strict.to_str().unwrap()]);
    assert!(
        table.contains("FAIL      compliance   all-gpt-5.5   1 violation"),
        "{table}"
    );
    expect(1, &["validate", strict.to_str().unwrap()]);
    // Unknown values stay errors.
    std::fs::write(
        &strict,
        std::fs::read_to_string(&desk)
            .unwrap()
            .replace("    compliance: exempt", "    compliance: waived"),
    )
    .unwrap();
    let stderr = rejected(&["check", strict.to_str().unwrap()]);
    assert!(stderr.contains("waived"), "{stderr}");
}
