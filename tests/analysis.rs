//! The finance analyst's commands on the seed scenario: whatif, sweep, sensitivity, solve.
//!
//! Exact output of each command (snapshots), the figures a user would check by hand, the bad
//! input cases, byte-identical output whatever the thread count, and JSON valid against the
//! shipped schemas.

mod common;
use common::{ok, rejected as bad, run_with};

fn assert_matches_schema(what: &str, text: &str) {
    let schema_text = std::fs::read_to_string(format!(
        "{}/schemas/{what}.schema.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("the schema is shipped");
    let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap();
    let instance: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:?}");
}

const CACHE_SWEEP: &str = "workloads.repetitive.cache_hit_rate=0:0.9:0.1";

#[test]
fn sweep_of_the_repetitive_cache_hit_rate() {
    let table = ok(&["sweep", "--vary", CACHE_SWEEP]);
    // At 0.5: GPT-5.5 repetitive 50M × 5 + 50M × 0.50 + 600 = 875, hard 450.
    assert!(
        table.contains(" 0.5 ") && table.contains("$1,325.00       $462.74     $607.33"),
        "{table}"
    );
    insta::assert_snapshot!("sweep_cache_table", table);
    insta::assert_snapshot!(
        "sweep_cache_csv",
        ok(&["sweep", "--vary", CACHE_SWEEP, "--format", "csv"])
    );
    let json = ok(&["sweep", "--vary", CACHE_SWEEP, "--format", "json"]);
    assert_matches_schema("sweep", &json);
    insta::assert_snapshot!("sweep_cache_json", json);
}

#[test]
fn sweep_of_two_parameters_is_a_pivot() {
    let output = ok(&[
        "sweep",
        "--vary",
        "workloads.*.batch_share=0,0.5,1",
        "--vary",
        "discounts.openai=0%:20%:10%",
        "--metric",
        "savings-pct",
        "--policy",
        "mixed-flash",
        "--format",
        "markdown",
    ]);
    insta::assert_snapshot!("sweep_pivot_markdown", output);
}

#[test]
fn readme_sweep_over_cache_batch_and_discount_rates() {
    let output = ok(&[
        "sweep",
        "--vary",
        "workloads.*.cache_hit_rate=0:0.6:0.3",
        "--vary",
        "workloads.*.batch_share=0,0.5",
        "--vary",
        "discounts.openai=0%,15%",
        "--policy",
        "mixed-flash",
        "--format",
        "csv",
    ]);
    insta::assert_snapshot!("sweep_three_parameters_csv", output);
}

#[test]
fn sweep_output_is_identical_whatever_the_thread_count() {
    let args = [
        "sweep",
        "--vary",
        "workloads.*.cache_hit_rate=0:0.99:0.01",
        "--vary",
        "workloads.hard.volume=x0.5:x2:x0.05",
        "--vary",
        "models.deepseek-v4-pro.output=3:4:0.25",
        "--format",
        "csv",
    ];
    let one = run_with(&[("RAYON_NUM_THREADS", "1")], &args);
    let two = run_with(&[("RAYON_NUM_THREADS", "2")], &args);
    assert_eq!(one.code, Some(0), "{}", one.stderr);
    assert!(one.stdout.lines().count() > 10_000);
    assert_eq!(one.stdout, two.stdout);
}

#[test]
fn whatif_before_and_after() {
    let output = ok(&[
        "whatif",
        "--set",
        "workloads.repetitive.cache_hit_rate=0.6",
        "--set",
        "models.deepseek-v4-pro.output=x1.2",
    ]);
    // all-gpt-5.5: 40M × 5 + 60M × 0.50 + 600 + 450 = 1,280.
    // mixed-pro: 40M × 1.74 + 60M × 0.0145 + 20M × 4.176 + 450 = 603.99.
    assert!(output.contains("$1,550.00   $1,280.00"), "{output}");
    assert!(output.contains("$693.60     $603.99"), "{output}");
    insta::assert_snapshot!("whatif_table", output);
    let json = ok(&[
        "whatif",
        "--set",
        "workloads.*.volume=x2",
        "--set",
        "discounts.openai=10%",
        "--format",
        "json",
    ]);
    assert_matches_schema("whatif", &json);
    insta::assert_snapshot!("whatif_json", json);
}

#[test]
fn sensitivity_ranks_inputs_by_swing() {
    let output = ok(&["sensitivity", "--policy", "mixed-pro"]);
    // The hard workload's volume moves GPT-5.5 spend of $450 by ±10%: a $90 swing, the widest.
    let first = output.lines().nth(5).unwrap_or_default();
    assert!(
        first.starts_with(" workloads.hard.volume                 $648.60   $738.60   $90.00"),
        "{output}"
    );
    insta::assert_snapshot!("sensitivity_table", output);
    let json = ok(&[
        "sensitivity",
        "--policy",
        "mixed-flash",
        "--metric",
        "savings",
        "--format",
        "json",
    ]);
    assert_matches_schema("sensitivity", &json);
    insta::assert_snapshot!("sensitivity_savings_json", json);
}

#[test]
fn solve_break_even_of_flash_output_price() {
    // mixed-flash = 14 + 20M × p + 450 = 1,550 ⇒ p = 54.3
    let output = ok(&[
        "solve",
        "--vary",
        "models.deepseek-v4-flash.output",
        "--policy",
        "mixed-flash",
        "--target",
        "equal=all-gpt-5.5",
    ]);
    assert!(
        output.contains(
            "answer: models.deepseek-v4-flash.output = $54.30 per 1M output tokens (closed form, exact)"
        ),
        "{output}"
    );
    insta::assert_snapshot!("solve_flash_break_even", output);
}

#[test]
fn solve_pro_output_price_where_savings_fall_to_40_percent() {
    // 40% savings ⇒ mixed-pro costs 930 = 174 + 20M × p + 450 ⇒ p = 15.3
    let json = ok(&[
        "solve",
        "--vary",
        "models.deepseek-v4-pro.output",
        "--policy",
        "mixed-pro",
        "--target",
        "savings-pct=40",
        "--format",
        "json",
    ]);
    assert_matches_schema("solve", &json);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["value"], "15.3");
    assert_eq!(value["method"], "closed form, exact");
    assert_eq!(value["residual"], "0");
}

#[test]
fn bad_analysis_input_is_refused_with_a_reason() {
    let cases: [(&str, &[&str]); 9] = [
        (
            "empty_range",
            &["sweep", "--vary", "workloads.*.cache_hit_rate="],
        ),
        (
            "inverted_range",
            &["sweep", "--vary", "workloads.*.cache_hit_rate=0.9:0:0.1"],
        ),
        (
            "zero_step",
            &["sweep", "--vary", "workloads.*.cache_hit_rate=0:0.9:0"],
        ),
        (
            "grid_too_large",
            &[
                "sweep",
                "--vary",
                "workloads.*.cache_hit_rate=0:1:0.01",
                "--vary",
                "discounts.openai=0:1:0.01",
                "--max-points",
                "1000",
            ],
        ),
        (
            "unknown_path",
            &["whatif", "--set", "workloads.repetitive.ouput_tokens=5M"],
        ),
        (
            "unknown_workload",
            &["whatif", "--set", "workloads.repetitve.batch_share=0.5"],
        ),
        (
            "share_out_of_range",
            &[
                "whatif",
                "scenarios/support-desk.yaml",
                "--set",
                "workloads.triage.cache_hit_rate=+50%",
            ],
        ),
        (
            "unknown_policy",
            &[
                "sweep",
                "--vary",
                "workloads.*.batch_share=0,1",
                "--policy",
                "mixed-flsh",
            ],
        ),
        (
            "unreachable_target",
            &[
                "solve",
                "--vary",
                "workloads.repetitive.cache_hit_rate",
                "--policy",
                "mixed-flash",
                "--target",
                "savings-pct=90",
            ],
        ),
    ];
    for (name, args) in cases {
        insta::assert_snapshot!(format!("bad_{name}"), bad(args));
    }
}
