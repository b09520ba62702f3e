//! A new user's first hour with an installed binary: `init` writes the shipped scenarios, every
//! example in every command's `--help` runs as printed, the override paths are listed, and
//! `--prices` / `--as-of` answer "what if the promotion ends?" on every pricing command.
//!
//! Each run happens in a fresh temporary folder (no checkout beside it), with the binary this
//! crate built.

use std::path::Path;

use assert_cmd::Command;

mod common;

/// The commands whose `--help` shows examples.
const COMMANDS: [&str; 15] = [
    "compare",
    "models",
    "gap",
    "whatif",
    "sweep",
    "sensitivity",
    "solve",
    "check",
    "diff",
    "validate",
    "schema",
    "simulate",
    "report",
    "replay",
    "init",
];

/// A small request log, as a user would bring one.
const REQUESTS: &str =
    "request_id,timestamp,model,task,data_class,input_tokens,cached_tokens,output_tokens,spend
r1,2026-05-20T10:00:00Z,gpt-5.5,extraction,internal,100000,20000,10000,0.80
r2,2026-05-21T11:00:00Z,gpt-5.5,synthesis,internal,300000,0,10000,3.45
";

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run_in(dir: &Path, args: &[&str]) -> Run {
    let output = Command::cargo_bin("mixcost")
        .expect("the mixcost binary is built")
        .current_dir(dir)
        .env_clear()
        .env("HOME", dir)
        .args(args)
        .timeout(common::TIMEOUT)
        .output()
        .expect("mixcost runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8"),
    }
}

fn ok_in(dir: &Path, args: &[&str]) -> String {
    let run = run_in(dir, args);
    assert_eq!(
        run.code,
        Some(0),
        "mixcost {args:?}\nstdout:\n{}\nstderr:\n{}",
        run.stdout,
        run.stderr
    );
    run.stdout
}

/// The example lines of `mixcost COMMAND --help`: each line after `Examples:` that starts with
/// `mixcost`, with the exit code a trailing `# exit N` announces (0 otherwise).
fn examples(help: &str) -> Vec<(Vec<String>, i32)> {
    let Some((_, after)) = help.split_once("Examples:\n") else {
        return Vec::new();
    };
    after
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("mixcost "))
        .map(|line| {
            let (command, comment) = line.split_once('#').unwrap_or((line, ""));
            let code = comment
                .trim()
                .strip_prefix("exit ")
                .and_then(|rest| rest.split(':').next())
                .map_or(0, |code| code.trim().parse().expect("an exit code"));
            let words = command
                .split_whitespace()
                .skip(1)
                .map(String::from)
                .collect();
            (words, code)
        })
        .collect()
}

#[test]
fn init_writes_every_shipped_scenario_and_each_one_prices() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok_in(dir.path(), &["init"]);
    assert!(out.contains("wrote scenarios/seed.yaml"), "{out}");
    assert!(
        out.contains("next: mixcost compare scenarios/seed.yaml"),
        "{out}"
    );
    let mut written: Vec<_> = std::fs::read_dir(dir.path().join("scenarios"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    written.sort();
    assert_eq!(
        written,
        [
            "cascade-loses.yaml",
            "cascade-wins.yaml",
            "correlated-failures.yaml",
            "document-pipeline.yaml",
            "multi-vendor.yaml",
            "seed.yaml",
            "support-desk.yaml"
        ]
    );
    for name in &written {
        let path = format!("scenarios/{name}");
        let out = ok_in(dir.path(), &["compare", &path]);
        assert!(out.contains(&path), "{out}");
    }
    // The written seed prices as the embedded one does.
    assert_eq!(
        ok_in(dir.path(), &["compare", "scenarios/seed.yaml"]),
        ok_in(dir.path(), &["compare"])
    );
}

#[test]
fn init_refuses_to_overwrite_without_force_and_never_writes_through_a_link() {
    let dir = tempfile::tempdir().unwrap();
    ok_in(dir.path(), &["init", "costs"]);
    let seed = dir.path().join("costs/scenarios/seed.yaml");
    std::fs::write(&seed, "# my edits\n").unwrap();
    let run = run_in(dir.path(), &["init", "costs"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("init does not overwrite them"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&seed).unwrap(), "# my edits\n");

    ok_in(dir.path(), &["init", "costs", "--force"]);
    assert!(std::fs::read_to_string(&seed)
        .unwrap()
        .contains("name: Two-bucket month"));

    std::fs::remove_file(&seed).unwrap();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "keep").unwrap();
    std::os::unix::fs::symlink(&victim, &seed).unwrap();
    let run = run_in(dir.path(), &["init", "costs", "--force"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("replaces only regular files"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
}

#[test]
fn init_with_pricing_writes_price_files_that_load_as_the_shipped_ones() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok_in(dir.path(), &["init", "--with-pricing"]);
    assert!(out.contains("wrote pricing/deepseek.yaml"), "{out}");
    assert!(
        out.contains("next: mixcost compare --pricing pricing scenarios/seed.yaml"),
        "{out}"
    );
    assert_eq!(
        ok_in(
            dir.path(),
            &["compare", "--pricing", "pricing", "scenarios/seed.yaml"]
        ),
        ok_in(dir.path(), &["compare"])
    );
}

#[test]
fn every_help_example_runs_as_printed() {
    let mut count = 0;
    for command in COMMANDS {
        let dir = tempfile::tempdir().unwrap();
        let help = ok_in(dir.path(), &[command, "--help"]);
        let lines = examples(&help);
        assert!(
            (2..=3).contains(&lines.len()),
            "`mixcost {command} --help` shows {} examples:\n{help}",
            lines.len()
        );
        if command != "init" {
            ok_in(dir.path(), &["init", "--with-pricing"]);
            std::fs::write(dir.path().join("requests.csv"), REQUESTS).unwrap();
        }
        for (words, code) in lines {
            let args: Vec<&str> = words.iter().map(String::as_str).collect();
            let run = run_in(dir.path(), &args);
            assert_eq!(
                run.code,
                Some(code),
                "example `mixcost {}` of `{command} --help`\nstdout:\n{}\nstderr:\n{}",
                args.join(" "),
                run.stdout,
                run.stderr
            );
            assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
            count += 1;
        }
    }
    assert!(count >= 30, "{count} examples");
}

#[test]
fn list_paths_shows_every_override_path_with_its_value_and_unit() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok_in(dir.path(), &["whatif", "--list-paths"]);
    for line in [
        "workloads.repetitive.volume             x1                factor on tokens and requests",
        "models.deepseek-v4-pro.output           3.48              USD per 1M tokens, list price",
        "discounts.openai                        0                 share 0–1 off every price",
        "as_of                                   2026-05-20        date or UTC time",
    ] {
        assert!(out.contains(line), "{line}\n{out}");
    }
    // The same list from sweep, sensitivity and solve; every listed path is accepted by --set.
    assert_eq!(out, ok_in(dir.path(), &["sweep", "--list-paths"]));
    assert_eq!(out, ok_in(dir.path(), &["sensitivity", "--list-paths"]));
    assert_eq!(out, ok_in(dir.path(), &["solve", "--list-paths"]));
    let json: serde_json::Value = serde_json::from_str(&ok_in(
        dir.path(),
        &["whatif", "--list-paths", "--format", "json"],
    ))
    .unwrap();
    for entry in json["paths"].as_array().unwrap() {
        let path = entry["path"].as_str().unwrap();
        let value = entry["value"].as_str().unwrap();
        let set = if value.starts_with('(') {
            format!("{path}=0")
        } else {
            format!("{path}={value}")
        };
        ok_in(dir.path(), &["whatif", "--set", &set, "--format", "json"]);
    }
}

/// The seed on its own date: mixed-pro routes V4 Pro with `prices: list`; `--prices effective`
/// applies the launch promotion (75% off until 2026-05-31T15:59Z).
#[test]
fn prices_list_and_effective_and_the_promotion_is_named_with_its_end() {
    let dir = tempfile::tempdir().unwrap();
    let effective = ok_in(dir.path(), &["compare", "--prices", "effective"]);
    assert!(
        effective.contains("mixed-pro          $510.90"),
        "{effective}"
    );
    assert!(
        effective.contains(
            "uses promotion 'launch 75% off' on deepseek-v4-pro until 2026-05-31T15:59Z — policies: mixed-pro"
        ),
        "{effective}"
    );
    let list = ok_in(dir.path(), &["compare", "--prices", "list"]);
    assert!(list.contains("list prices: promotions ignored"), "{list}");
    assert!(list.contains("mixed-pro          $693.60"), "{list}");
    assert!(!list.contains("uses promotion"), "{list}");

    let json: serde_json::Value = serde_json::from_str(&ok_in(
        dir.path(),
        &["compare", "--prices", "effective", "--format", "json"],
    ))
    .unwrap();
    assert_eq!(
        json["scenarios"][0]["promotions"],
        serde_json::json!([{
            "model": "deepseek-v4-pro",
            "name": "launch 75% off",
            "until": "2026-05-31T15:59Z",
            "policies": ["mixed-pro"]
        }])
    );
    let list: serde_json::Value = serde_json::from_str(&ok_in(
        dir.path(),
        &["compare", "--prices", "list", "--format", "json"],
    ))
    .unwrap();
    assert_eq!(list["scenarios"][0]["promotions"], serde_json::json!([]));
}

/// After the promotion's end the promotional price is V4 Pro's list price (PRICES.md): the
/// month on 2026-06-01 costs what the promotion cost, on list and effective prices alike.
#[test]
fn as_of_after_the_promotion_prices_the_new_list_price() {
    let dir = tempfile::tempdir().unwrap();
    for prices in ["list", "effective"] {
        let out = ok_in(
            dir.path(),
            &["compare", "--as-of", "2026-06-01", "--prices", prices],
        );
        assert!(out.contains("prices as of 2026-06-01"), "{out}");
        assert!(out.contains("mixed-pro          $510.90"), "{out}");
        assert!(!out.contains("uses promotion"), "{out}");
    }
    let today = ok_in(dir.path(), &["compare", "--as-of", "today"]);
    assert!(!today.contains("prices as of 2026-05-20"), "{today}");
    let run = run_in(dir.path(), &["compare", "--as-of", "soon"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("invalid --as-of"), "{}", run.stderr);
    assert!(run.stderr.contains("`today`"), "{}", run.stderr);
}

#[test]
fn every_pricing_command_takes_prices_and_as_of() {
    let dir = tempfile::tempdir().unwrap();
    ok_in(dir.path(), &["init"]);
    std::fs::write(dir.path().join("requests.csv"), REQUESTS).unwrap();
    let common = ["--prices", "list", "--as-of", "2026-05-20"];
    let commands: [&[&str]; 7] = [
        &["whatif", "--set", "workloads.*.volume=x2"],
        &["check", "scenarios/seed.yaml", "--budget", "100000"],
        &["sweep", "--vary", "workloads.hard.volume=x1,x2"],
        &["sensitivity"],
        &[
            "solve",
            "--vary",
            "models.deepseek-v4-pro.output=0:100",
            "--policy",
            "mixed-pro",
            "--target",
            "cost=700",
        ],
        &["simulate", "--trials", "100"],
        &["compare", "scenarios/support-desk.yaml"],
    ];
    for command in commands {
        let args: Vec<&str> = command.iter().chain(&common).copied().collect();
        let out = ok_in(dir.path(), &args);
        assert!(
            out.contains("list prices: promotions ignored"),
            "{args:?}\n{out}"
        );
    }
    // Effective prices in the seed include the promotion: every command names it.
    for command in [
        &["whatif", "--set", "workloads.*.volume=x2"][..],
        &["check", "scenarios/seed.yaml", "--budget", "100000"],
        &["sweep", "--vary", "workloads.hard.volume=x1,x2"],
        &["sensitivity", "--policy", "mixed-pro"],
        &["simulate", "--trials", "100"],
    ] {
        let args: Vec<&str> = command
            .iter()
            .chain(&["--prices", "effective"])
            .copied()
            .collect();
        let out = ok_in(dir.path(), &args);
        assert!(
            out.contains(
                "uses promotion 'launch 75% off' on deepseek-v4-pro until 2026-05-31T15:59Z"
            ),
            "{args:?}\n{out}"
        );
    }
    // And carries it in JSON.
    for (command, field) in [
        (
            &["whatif", "--set", "workloads.*.volume=x2"][..],
            "promotions_after",
        ),
        (
            &["sweep", "--vary", "workloads.hard.volume=x1,x2"],
            "promotions",
        ),
        (&["sensitivity", "--policy", "mixed-pro"], "promotions"),
        (
            &[
                "solve",
                "--vary",
                "models.deepseek-v4-pro.output=0:100",
                "--policy",
                "mixed-pro",
                "--target",
                "cost=500",
            ],
            "promotions",
        ),
        (&["simulate", "--trials", "100"], "promotions"),
    ] {
        let args: Vec<&str> = command
            .iter()
            .chain(&["--prices", "effective", "--format", "json"])
            .copied()
            .collect();
        let json: serde_json::Value = serde_json::from_str(&ok_in(dir.path(), &args)).unwrap();
        assert_eq!(json[field][0]["name"], "launch 75% off", "{args:?}");
        assert_eq!(json[field][0]["until"], "2026-05-31T15:59Z", "{args:?}");
    }
    ok_in(
        dir.path(),
        &[
            "report", "-o", "r.html", "--prices", "list", "--as-of", "today",
        ],
    );
    ok_in(
        dir.path(),
        &[
            "replay",
            "requests.csv",
            "--scenario",
            "scenarios/seed.yaml",
            "--prices",
            "list",
        ],
    );
}

#[test]
fn sensitivity_step_replaces_by_which_still_works_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let step = ok_in(dir.path(), &["sensitivity", "--step", "5%"]);
    assert!(step.contains("moved ±5%"), "{step}");
    let run = run_in(dir.path(), &["sensitivity", "--by", "5%"]);
    assert_eq!(run.code, Some(0));
    assert_eq!(run.stdout, step);
    assert!(
        run.stderr.starts_with("warning: --by is now --step"),
        "{}",
        run.stderr
    );
    let help = ok_in(dir.path(), &["sensitivity", "--help"]);
    assert!(help.contains("--step") && !help.contains("--by"), "{help}");
    let run = run_in(dir.path(), &["sensitivity", "--step", "0"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("invalid --step '0'"), "{}", run.stderr);
}

#[test]
fn solve_vary_takes_the_range_as_sweep_does() {
    let dir = tempfile::tempdir().unwrap();
    let target = ["--policy", "mixed-pro", "--target", "cost=700"];
    let with_range: Vec<&str> = ["solve", "--vary", "models.deepseek-v4-pro.output=0:100"]
        .iter()
        .chain(&target)
        .copied()
        .collect();
    let with_between: Vec<&str> = [
        "solve",
        "--vary",
        "models.deepseek-v4-pro.output",
        "--between",
        "0:100",
    ]
    .iter()
    .chain(&target)
    .copied()
    .collect();
    let out = ok_in(dir.path(), &with_range);
    assert!(
        out.contains("answer: models.deepseek-v4-pro.output = $3.80 per 1M output tokens"),
        "{out}"
    );
    assert_eq!(out, ok_in(dir.path(), &with_between));

    for (vary, message) in [
        (
            "models.deepseek-v4-pro.output=0:1:0.1",
            "not a list or a step",
        ),
        ("models.deepseek-v4-pro.output=0,1", "not a list or a step"),
        ("models.deepseek-v4-pro.output=5:1", "empty or inverted"),
    ] {
        let run = run_in(
            dir.path(),
            &[
                "solve",
                "--vary",
                vary,
                "--policy",
                "mixed-pro",
                "--target",
                "cost=700",
            ],
        );
        assert_eq!(run.code, Some(2), "{vary}");
        assert!(run.stderr.contains(message), "{vary}: {}", run.stderr);
    }
    let both: Vec<&str> = with_range
        .iter()
        .chain(&["--between", "0:5"])
        .copied()
        .collect();
    let run = run_in(dir.path(), &both);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("give the range once"), "{}", run.stderr);
}

const BUDGET_SCENARIO: &str = "name: budgeted
as_of: 2026-05-20
workloads:
  - name: chat
    input_tokens: 100M
    output_tokens: 10M
policies:
  - name: production
    default: gpt-5.5
baseline: production
budgets:
";

#[test]
fn a_thousands_separated_budget_in_a_flow_mapping_is_explained_and_quoted_forms_work() {
    let dir = tempfile::tempdir().unwrap();
    let write = |budgets: &str| {
        std::fs::write(
            dir.path().join("s.yaml"),
            format!("{BUDGET_SCENARIO}{budgets}\n"),
        )
        .unwrap();
    };
    write("  policies: {production: $30,000}");
    let run = run_in(dir.path(), &["check", "s.yaml"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.starts_with(
            "error: the amount `$30,000` is cut in two at its comma: inside `{…}` or `[…]` YAML reads a comma as the end of an entry\n  --> s.yaml:12:26"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("quote it (\"$30,000\")"),
        "{}",
        run.stderr
    );
    for accepted in [
        "  policies: {production: \"$30,000\"}",
        "  policies: {production: $30000}",
        "  policies:\n    production: $30,000",
    ] {
        write(accepted);
        let out = ok_in(dir.path(), &["check", "s.yaml"]);
        assert!(out.contains("$30,000.00"), "{accepted}\n{out}");
    }
}
