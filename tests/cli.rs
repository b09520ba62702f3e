//! The real binary on the shipped scenarios: exact output of every command and format.
//!
//! Each test runs `mixcost` from the crate root with a cleared environment and snapshots
//! standard output (tests/snapshots/cli__*.snap); standard error must be empty and the exit
//! code 0.

use assert_cmd::Command;

mod common;
use common::ok as mixcost;

#[test]
fn compare_with_no_argument_prints_the_reference_comparison() {
    let output = mixcost(&["compare"]);
    assert!(output.contains("all-gpt-5.5      $1,550.00      baseline"));
    assert!(output.contains("mixed-flash        $469.60    −$1,080.40   −69.7%"));
    assert!(output.contains("mixed-pro          $693.60      −$856.40   −55.3%"));
    insta::assert_snapshot!("compare_seed_table", output);
}

#[test]
fn compare_formats() {
    insta::assert_snapshot!("compare_seed_csv", mixcost(&["compare", "--format", "csv"]));
    insta::assert_snapshot!(
        "compare_seed_markdown",
        mixcost(&["compare", "--format", "markdown"])
    );
    insta::assert_snapshot!(
        "compare_seed_json",
        mixcost(&["compare", "--format", "json"])
    );
}

#[test]
fn compare_json_writes_money_as_strings() {
    let output = mixcost(&["compare", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&output).expect("valid JSON");
    assert_eq!(json["schema_version"], "1");
    let policies = &json["scenarios"][0]["policies"];
    assert_eq!(policies[1]["name"], "mixed-flash");
    assert_eq!(policies[1]["monthly_cost"], "469.60");
    assert_eq!(policies[1]["delta_pct"], "-69.7032258065");
    assert_eq!(policies[2]["monthly_cost"], "693.60");
}

#[test]
fn compare_breakdowns() {
    for by in ["workload", "model", "component", "line"] {
        insta::assert_snapshot!(
            format!("compare_seed_by_{by}"),
            mixcost(&["compare", "--by", by])
        );
    }
    insta::assert_snapshot!(
        "compare_pipeline_by_line_csv",
        mixcost(&[
            "compare",
            "scenarios/document-pipeline.yaml",
            "--by",
            "line",
            "--format",
            "csv"
        ])
    );
}

#[test]
fn compare_shipped_scenarios_with_assumptions() {
    for name in ["support-desk", "document-pipeline", "multi-vendor"] {
        let path = format!("scenarios/{name}.yaml");
        insta::assert_snapshot!(format!("compare_{name}"), mixcost(&["compare", &path]));
    }
    insta::assert_snapshot!(
        "compare_multi_vendor_markdown",
        mixcost(&[
            "compare",
            "scenarios/multi-vendor.yaml",
            "--format",
            "markdown"
        ])
    );
}

#[test]
fn compare_several_scenarios_in_one_csv_keeps_a_scenario_column() {
    let output = mixcost(&[
        "compare",
        "scenarios/seed.yaml",
        "scenarios/support-desk.yaml",
        "--format",
        "csv",
    ]);
    insta::assert_snapshot!("compare_two_scenarios_csv", output);
}

#[test]
fn output_file_is_written_whole_and_nothing_else_is_left() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let path = folder.path().join("report.json");
    let stdout = mixcost(&["compare", "--format", "json", "-o", path.to_str().unwrap()]);
    assert_eq!(stdout, "");
    let written = std::fs::read_to_string(&path).expect("the report exists");
    assert_eq!(written, mixcost(&["compare", "--format", "json"]));
    let entries: Vec<_> = std::fs::read_dir(folder.path()).unwrap().collect();
    assert_eq!(entries.len(), 1, "a temporary file was left behind");
}

#[test]
fn models_lists_prices_in_effect_with_dates_and_sources() {
    let output = mixcost(&["models", "--as-of", "2026-05-20"]);
    insta::assert_snapshot!("models_2026_05_20", output);
    insta::assert_snapshot!(
        "models_2026_11_01_json",
        mixcost(&["models", "--as-of", "2026-11-01", "--format", "json"])
    );
}

#[test]
fn gap_answers_seven_or_eight_point_six() {
    let output = mixcost(&["gap", "gpt-5.5", "deepseek-v4-pro", "--as-of", "2026-05-20"]);
    assert!(output.contains("output: gpt-5.5 is 8.6× the price of deepseek-v4-pro at list prices"));
    insta::assert_snapshot!("gap_gpt55_pro", output);
    insta::assert_snapshot!(
        "gap_gpt55_pro_blended_json",
        mixcost(&[
            "gap",
            "gpt-5.5",
            "deepseek-v4-pro",
            "--scenario",
            "scenarios/seed.yaml",
            "--workload",
            "repetitive",
            "--format",
            "json",
        ])
    );
}

#[test]
fn pricing_folder_adds_models_and_assumptions_name_the_stand_ins() {
    let output = mixcost(&[
        "compare",
        "--pricing",
        "tests/fixtures/pricing",
        "tests/fixtures/scenarios/acme.yaml",
    ]);
    // acme-small publishes no cached-input price and no batch tier: 1B × 0.05 + 100M × 0.10
    // = 50 + 10, every token at the standard price, with both stand-ins listed.
    assert!(output.contains(" acme                $60.00"), "{output}");
    assert!(
        output.contains("acme-small has no batch prices"),
        "{output}"
    );
    assert!(
        output.contains("acme-small publishes no cached-input price"),
        "{output}"
    );
    insta::assert_snapshot!("compare_acme_pricing_folder", output);
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let run = |threads: &str| {
        let output = Command::cargo_bin("mixcost")
            .unwrap()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_clear()
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "compare",
                "scenarios/seed.yaml",
                "scenarios/support-desk.yaml",
            ])
            .args([
                "scenarios/document-pipeline.yaml",
                "scenarios/multi-vendor.yaml",
            ])
            .args(["--by", "line", "--format", "json"])
            .output()
            .unwrap();
        assert!(output.status.success());
        output.stdout
    };
    assert_eq!(run("1"), run("2"));
}

#[test]
fn models_and_gap_in_csv_and_markdown() {
    insta::assert_snapshot!(
        "models_2026_09_01_csv",
        mixcost(&["models", "--as-of", "2026-09-01", "--format", "csv"])
    );
    insta::assert_snapshot!(
        "models_2026_09_01_markdown",
        mixcost(&["models", "--as-of", "2026-09-01", "--format", "markdown"])
    );
    let gap = [
        "gap",
        "gpt-5.5",
        "deepseek-v4-flash",
        "--as-of",
        "2026-05-20",
    ];
    insta::assert_snapshot!(
        "gap_gpt55_flash_csv",
        mixcost(&[&gap[..], &["--format", "csv"]].concat())
    );
    insta::assert_snapshot!(
        "gap_gpt55_flash_markdown",
        mixcost(&[&gap[..], &["--format", "markdown"]].concat())
    );
}
