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
    assert!(sweep.contains("x1,flash-then-gpt-5.5,68577,"), "{sweep}");
    assert!(sweep.contains("x2,flash-then-gpt-5.5,137154,"), "{sweep}");
}
