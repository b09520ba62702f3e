//! The shipped quality scenarios through the real binary: workflow metrics in every format.
//!
//! scenarios/cascade-loses.yaml: a cheap-first cascade that costs more per month and per
//! successful task than going straight to the frontier model. scenarios/cascade-wins.yaml:
//! one that costs far less. Snapshots in tests/snapshots/quality_cli__*.snap.

mod common;
use common::ok as mixcost;

#[test]
fn the_cheap_first_cascade_loses_on_hard_coding_work() {
    let output = mixcost(&[
        "compare",
        "scenarios/cascade-loses.yaml",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&output).expect("valid JSON");
    let policies = &json["scenarios"][0]["workflow"]["policies"];
    // Per call the cascade looks 40% cheaper: $0.12 against $0.20.
    assert_eq!(policies[0]["cost_per_call"], "0.200000");
    assert_eq!(policies[1]["cost_per_call"], "0.120000");
    // With retries it costs more: 50k × (0.12 + 0.56 × 0.22) = $12,160 against $10,000.
    assert_eq!(policies[0]["expected_cost"], "10000.00");
    assert_eq!(policies[1]["expected_cost"], "12160.00");
    assert_eq!(policies[1]["delta_vs_baseline"], "2160.00");
    // And more per successful task.
    let per_success = |i: usize| -> f64 {
        policies[i]["cost_per_success"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(per_success(1) > per_success(0));
    assert_eq!(policies[1]["workloads"][0]["within_latency_target"], false);
    insta::assert_snapshot!("cascade_loses_json", output);
}

#[test]
fn the_cheap_first_cascade_wins_on_extraction() {
    let output = mixcost(&["compare", "scenarios/cascade-wins.yaml", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&output).expect("valid JSON");
    let policies = &json["scenarios"][0]["workflow"]["policies"];
    let cost = |i: usize| -> f64 {
        policies[i]["expected_cost"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(cost(1) < cost(0) / 2.0, "the cascade costs less than half");
    // Regulated decisions are signed off whatever the model.
    assert_eq!(policies[1]["workloads"][1]["escalation_rate"], "1");
    assert_eq!(policies[1]["workloads"][1]["sign_off"], true);
}

#[test]
fn workflow_tables_in_every_format() {
    for scenario in ["cascade-loses", "cascade-wins"] {
        let path = format!("scenarios/{scenario}.yaml");
        for format in ["table", "csv", "markdown"] {
            insta::assert_snapshot!(
                format!("{scenario}_{format}"),
                mixcost(&["compare", &path, "--format", format])
            );
        }
    }
}

#[test]
fn scenarios_without_quality_print_no_workflow() {
    for format in ["table", "csv", "markdown", "json"] {
        let output = mixcost(&["compare", "--format", format]);
        assert!(!output.contains("workflow"), "{format}: {output}");
    }
}

#[test]
fn analysis_commands_price_the_expected_month_with_retries() {
    // flash-then-gpt-5.5 bills $1,124.00 of first attempts but $68,577.00 expected with retries
    // and review: a $10,000 budget must fail, whatever the first attempts cost.
    let run = common::run(&[
        "check",
        "scenarios/cascade-wins.yaml",
        "--budget",
        "10000",
        "--policy",
        "flash-then-gpt-5.5",
    ]);
    assert_eq!(run.code, Some(1), "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("$68,577.00"), "{}", run.stdout);

    let whatif = mixcost(&[
        "whatif",
        "scenarios/cascade-wins.yaml",
        "--set",
        "workloads.*.volume=x2",
    ]);
    assert!(
        whatif.contains("expected month with retries and human review"),
        "{whatif}"
    );
    assert!(whatif.contains("$68,577.00   $137,154.00"), "{whatif}");

    let sweep = mixcost(&[
        "sweep",
        "scenarios/cascade-wins.yaml",
        "--vary",
        "workloads.*.volume=x1,x2",
        "--format",
        "csv",
    ]);
    assert!(sweep.contains("x1,flash-then-gpt-5.5,68577.00,"), "{sweep}");
    assert!(
        sweep.contains("x2,flash-then-gpt-5.5,137154.00,"),
        "{sweep}"
    );
}

/// scenarios/correlated-failures.yaml: with GPT-5.5's pass rate conditional on Flash having
/// failed (1,787/3,191 instead of 8,059/10,000), the cascade without a reviewer succeeds on
/// 84.86% of requests, not the 92.09% the independence formula predicts, and the reviewer at
/// the end of the longer chain gets 14.22% of requests, not 7.14%.
#[test]
fn correlated_failures_against_the_independence_formula() {
    let path = "scenarios/correlated-failures.yaml";
    let folder = tempfile::tempdir().expect("a temporary folder");
    let independent = folder.path().join("independent.yaml");
    let text = std::fs::read_to_string(path).expect("the scenario is shipped");
    let without_given: String = text
        .lines()
        .filter(|line| !line.contains("given: {"))
        .map(|line| format!("{line}\n"))
        .collect();
    assert_eq!(text.lines().count() - without_given.lines().count(), 2);
    std::fs::write(&independent, without_given).unwrap();
    let independent = independent.to_str().unwrap();

    let figures = |file: &str| -> Vec<(String, String, String)> {
        let output = mixcost(&["compare", file, "--format", "json"]);
        let json: serde_json::Value = serde_json::from_str(&output).expect("valid JSON");
        let policies = json["scenarios"][0]["workflow"]["policies"]
            .as_array()
            .unwrap()
            .clone();
        policies
            .iter()
            .map(|p| {
                let text = |key: &str| p[key].as_str().unwrap().to_string();
                (
                    text("expected_cost_exact"),
                    text("success_rate"),
                    text("escalation_rate"),
                )
            })
            .collect()
    };
    let measured = figures(path);
    let assumed = figures(independent);
    // GPT-5.5 alone does not depend on Flash: the same either way.
    assert_eq!(measured[0], assumed[0]);
    assert_eq!(measured[0].1, "0.781723");
    // Flash then GPT-5.5, validator 2% / 3%, in units of the 10,000 evals:
    //   Flash: 6,809 right → 6,604.73 accepted, 204.27 rejected; 3,191 wrong → 63.82
    //   accepted, 3,127.18 rejected (rework 33.31%).
    //   GPT-5.5 on the 204.27 at 6,272/6,809: 188.16 right → 182.5152 accepted;
    //   on the 3,127.18 at 1,787/3,191: 1,751.26 right → 1,698.7222 accepted.
    //   Success (6,604.73 + 182.5152 + 1,698.7222) / 10,000 = 84.859674%.
    assert_eq!(measured[1].1, "0.84859674");
    // Independence: GPT-5.5 at 8,059/10,000 on all 3,331.45 rejected: 92.0900108835%.
    assert_eq!(assumed[1].1, "0.920900108835");
    // The same requests reach GPT-5.5 either way, so the model calls cost the same.
    assert_eq!(measured[1].0, assumed[1].0);
    // With the analyst after GPT-5.5: 14.22372% reach it, not 7.1424622275%.
    assert_eq!(measured[2].2, "0.1422372");
    assert_eq!(assumed[2].2, "0.071424622275");
    assert_eq!(measured[2].0, "43352.99275");
    assert_eq!(assumed[2].0, "22109.2194325");

    insta::assert_snapshot!("correlated_failures_table", mixcost(&["compare", path]));
    insta::assert_snapshot!(
        "correlated_failures_independent_table",
        mixcost(&["compare", independent]).replace(independent, "independent.yaml")
    );
}
