//! Hostile numbers: overflowing overrides and bounds, limits that must hold before any work,
//! results that exact arithmetic cannot hold, and the inputs that used to print a wrong number
//! with exit 0. Each case asserts the exit code, a message naming the path, flag or value, no
//! crash, inputs unchanged and nothing left behind (see `tests/common/hostile.rs`).

mod common;
use common::hostile::Case;

/// A scenario given per request, so `requests` and the per-request sizes can be overridden.
const PER_REQUEST: &str = "name: per request
as_of: 2026-05-20
workloads:
  - name: chat
    requests: 2M
    input_tokens_per_request: 3k
    output_tokens_per_request: 400
policies:
  - name: all-gpt-5.5
    default: gpt-5.5
  - name: flash
    default: deepseek-v4-flash
baseline: all-gpt-5.5
";

/// A month whose cost needs more than 28 significant digits: the most tokens a count holds,
/// at a cache-hit rate written with nine decimals.
const TOO_PRECISE: &str = "name: too precise
as_of: 2026-05-20
workloads:
  - name: huge
    input_tokens: 18446744073709551615
    output_tokens: 1
    cache_hit_rate: 0.123456789
policies:
  - name: all-gpt-5.5
    default: gpt-5.5
  - name: flash
    default: deepseek-v4-flash
baseline: all-gpt-5.5
";

/// A `compare --format json` result with the given scenarios (name, policy costs).
fn result(scenarios: &[(&str, &[(&str, &str)])]) -> String {
    let scenarios: Vec<String> = scenarios
        .iter()
        .map(|(name, policies)| {
            let policies: Vec<String> = policies
                .iter()
                .map(|(policy, cost)| {
                    format!(
                        r#"{{"name": "{policy}", "monthly_cost_exact": "{cost}", "lines": [{{"workload": "w", "model": "gpt-5.5", "cost_exact": "{cost}"}}]}}"#
                    )
                })
                .collect();
            format!(
                r#"{{"name": "{name}", "as_of": "2026-05-20", "policies": [{}]}}"#,
                policies.join(", ")
            )
        })
        .collect();
    format!(
        r#"{{"schema_version": "1", "currency": "USD", "scenarios": [{}]}}"#,
        scenarios.join(", ")
    )
}

// ---- whatif: overrides that overflow or leave their bounds -------------------------------

#[test]
fn whatif_volume_factor_beyond_any_count() {
    Case::new(
        "volume x1e22",
        &["whatif", "--set", "workloads.hard.volume=x1e22"],
    )
    .mentions("workloads.hard.volume")
    .mentions("10000000000000000000000")
    .check();
}

#[test]
fn whatif_price_factor_above_the_price_file_cap() {
    Case::new(
        "price x1e27",
        &["whatif", "--set", "models.gpt-5.5.input=x1e27"],
    )
    .mentions("models.gpt-5.5.input")
    .mentions("above the limit of $1,000,000")
    .check();
}

#[test]
fn whatif_price_factor_just_above_the_cap() {
    // gpt-5.5 output is $30: x40000 gives $1,200,000 per 1M tokens.
    Case::new(
        "price x40000",
        &["whatif", "--set", "models.gpt-5.5.output=x40000"],
    )
    .mentions("models.gpt-5.5.output")
    .mentions("1200000")
    .check();
}

#[test]
fn whatif_absolute_price_above_the_cap() {
    Case::new(
        "price 2000000",
        &["whatif", "--set", "models.gpt-5.5.output=2000000"],
    )
    .mentions("models.gpt-5.5.output")
    .mentions("above $1,000,000")
    .check();
}

#[test]
fn whatif_relative_price_change_beyond_decimal() {
    Case::new(
        "price +1e27%",
        &["whatif", "--set", "models.gpt-5.5.output=+1e27%"],
    )
    .mentions("models.gpt-5.5.output")
    .check();
}

#[test]
fn whatif_relative_change_overflowing_exact_arithmetic() {
    Case::new(
        "price x1e28 twice",
        &[
            "whatif",
            "--set",
            "models.gpt-5.5.output=x79228162514264337593543950335",
        ],
    )
    .mentions("models.gpt-5.5.output")
    .mentions("overflows exact arithmetic")
    .check();
}

#[test]
fn whatif_token_factor_beyond_64_bits() {
    Case::new(
        "input_tokens x1e12",
        &["whatif", "--set", "workloads.hard.input_tokens=x1e12"],
    )
    .mentions("workloads.hard.input_tokens")
    .mentions("too large to hold")
    .check();
}

#[test]
fn whatif_absolute_token_count_beyond_64_bits() {
    Case::new(
        "output_tokens 1e30",
        &["whatif", "--set", "workloads.hard.output_tokens=1e30"],
    )
    .mentions("workloads.hard.output_tokens")
    .check();
}

#[test]
fn whatif_requests_times_size_beyond_64_bits() {
    Case::new(
        "requests x1e13",
        &["whatif", "p.yaml", "--set", "workloads.chat.requests=x1e13"],
    )
    .file("p.yaml", PER_REQUEST)
    .mentions("workloads.chat.requests")
    .mentions("too large to hold")
    .mentions("20000000000000000000")
    .check();
}

#[test]
fn whatif_overflow_with_output_file_leaves_nothing() {
    Case::new(
        "volume x1e22 -o",
        &[
            "whatif",
            "--set",
            "workloads.*.volume=x1e22",
            "-o",
            "report.txt",
        ],
    )
    .mentions("workloads.*.volume")
    .check();
}

#[test]
fn whatif_relative_change_of_a_zero_share_is_refused() {
    Case::new(
        "+10% of a zero share",
        &["whatif", "--set", "workloads.hard.cache_hit_rate=+10%"],
    )
    .mentions("workloads.hard.cache_hit_rate")
    .mentions("a relative change of 0 stays 0")
    .mentions("absolute value")
    .check();
}

#[test]
fn whatif_factor_of_a_zero_discount_is_refused() {
    Case::new(
        "x2 of no discount",
        &["whatif", "--set", "discounts.openai=x2"],
    )
    .mentions("discounts.openai")
    .mentions("a relative change of 0 stays 0")
    .check();
}

// ---- sweep: limits before work, overflow inside the grid ---------------------------------

#[test]
fn sweep_two_price_axes_over_the_limit_allocate_nothing() {
    let outcome = Case::new(
        "10^8-point price grid",
        &[
            "sweep",
            "--vary",
            "models.gpt-5.5.output=0:9999:1",
            "--vary",
            "models.gpt-5.5.input=0:9999:1",
        ],
    )
    .mentions("100000000 points")
    .mentions("--max-points")
    .check();
    assert!(outcome.stdout.is_empty());
}

#[test]
fn sweep_range_above_the_range_limit() {
    Case::new(
        "range of 10^9 values",
        &[
            "sweep",
            "--vary",
            "workloads.*.cache_hit_rate=0:1:0.000000001",
            "--max-points",
            "100000000000",
        ],
    )
    .mentions("workloads.*.cache_hit_rate")
    .mentions("more than 10000000 values")
    .check();
}

#[test]
fn sweep_negative_step_says_the_step_must_be_positive() {
    let outcome = Case::new(
        "negative step",
        &["sweep", "--vary", "workloads.*.cache_hit_rate=0:0.5:-0.1"],
    )
    .mentions("workloads.*.cache_hit_rate")
    .mentions("negative step")
    .mentions("must be positive")
    .check();
    assert!(
        !outcome.stderr.contains("outside 0–1"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn sweep_negative_factor_step() {
    Case::new(
        "negative factor step",
        &["sweep", "--vary", "workloads.*.volume=x0.5:x2:x-0.5"],
    )
    .mentions("must be positive")
    .check();
}

#[test]
fn sweep_volume_factors_beyond_any_count() {
    Case::new(
        "volume x1e21..x1e22",
        &[
            "sweep",
            "--vary",
            "workloads.*.volume=x1e21:x1e22:x1e21",
            "--format",
            "csv",
            "-o",
            "grid.csv",
        ],
    )
    .mentions("workloads.*.volume")
    .check();
}

#[test]
fn sweep_price_factors_above_the_cap_leave_no_file() {
    Case::new(
        "price x1..x1e27",
        &[
            "sweep",
            "--vary",
            "models.gpt-5.5.output=x1:x1e27:x1e26",
            "--format",
            "csv",
            "-o",
            "grid.csv",
        ],
    )
    .mentions("models.gpt-5.5.output")
    .mentions("above the limit of $1,000,000")
    .check();
}

#[test]
fn sweep_absolute_prices_above_the_cap() {
    Case::new(
        "price up to 1,001,000",
        &[
            "sweep",
            "--vary",
            "models.gpt-5.5.output=999000:1001000:1000",
        ],
    )
    .mentions("models.gpt-5.5.output")
    .check();
}

#[test]
fn sweep_range_whose_width_overflows() {
    Case::new(
        "factor range to 7.9e28",
        &[
            "sweep",
            "--vary",
            "workloads.*.volume=x0:x79228162514264337593543950335:x0.5",
        ],
    )
    .mentions("workloads.*.volume")
    .check();
}

#[test]
fn sweep_of_a_month_too_precise_for_exact_arithmetic() {
    Case::new(
        "sweep too precise",
        &["sweep", "s.yaml", "--vary", "discounts.openai=0,0.1"],
    )
    .file("s.yaml", TOO_PRECISE)
    .mentions("28 significant digits")
    .mentions("huge")
    .check();
}

// ---- solve: bounds, targets and whole answers ---------------------------------------------

#[test]
fn solve_between_above_the_price_cap() {
    Case::new(
        "between 0:1e28",
        &[
            "solve",
            "--vary",
            "models.deepseek-v4-flash.output",
            "--policy",
            "mixed-flash",
            "--target",
            "equal=all-gpt-5.5",
            "--between",
            "0:1e28",
        ],
    )
    .mentions("models.deepseek-v4-flash.output")
    .mentions("above the limit of $1,000,000")
    .check();
}

#[test]
fn solve_between_beyond_decimal() {
    Case::new(
        "between 0:1e30",
        &[
            "solve",
            "--vary",
            "workloads.hard.volume",
            "--policy",
            "mixed-flash",
            "--target",
            "cost=500",
            "--between",
            "0:1e30",
        ],
    )
    .mentions("--between")
    .check();
}

#[test]
fn solve_volume_bound_beyond_any_count() {
    Case::new(
        "volume between 0:7e28",
        &[
            "solve",
            "--vary",
            "workloads.hard.volume",
            "--policy",
            "mixed-flash",
            "--target",
            "cost=500",
            "--between",
            "0:70000000000000000000000000000",
        ],
    )
    .mentions("workloads.hard.volume")
    .check();
}

#[test]
fn solve_target_beyond_exact_arithmetic() {
    Case::new(
        "savings-pct=1e27",
        &[
            "solve",
            "--vary",
            "models.deepseek-v4-flash.output",
            "--policy",
            "mixed-flash",
            "--target",
            "savings-pct=1e27",
        ],
    )
    .mentions("models.deepseek-v4-flash.output")
    .mentions("overflows exact arithmetic")
    .check();
}

#[test]
fn solve_equal_to_itself_is_refused() {
    Case::new(
        "equal=self",
        &[
            "solve",
            "--vary",
            "models.deepseek-v4-flash.output",
            "--policy",
            "mixed-flash",
            "--target",
            "equal=mixed-flash",
        ],
    )
    .mentions("--target 'equal=mixed-flash'")
    .mentions("itself")
    .check();
}

#[test]
fn solve_over_a_token_count_answers_a_whole_number() {
    // mixed-flash costs $500 at 36,080,000 input tokens of `hard` (gpt-5.5, $5 per 1M): a
    // tenth of a micro-dollar more is reached at 36,080,000.02 tokens, so at 36,080,001.
    let outcome = Case::new(
        "whole tokens",
        &[
            "solve",
            "--vary",
            "workloads.hard.input_tokens",
            "--policy",
            "mixed-flash",
            "--target",
            "cost=500.0000001",
        ],
    )
    .exit(0)
    .check();
    assert!(
        outcome
            .stdout
            .contains("answer: workloads.hard.input_tokens = 36,080,001 input tokens a month (closed form; the smallest whole value at which the target is reached)"),
        "{}",
        outcome.stdout
    );
}

// ---- sensitivity ---------------------------------------------------------------------------

#[test]
fn sensitivity_of_a_month_too_precise_for_exact_arithmetic() {
    Case::new("sensitivity too precise", &["sensitivity", "s.yaml"])
        .file("s.yaml", TOO_PRECISE)
        .mentions("28 significant digits")
        .check();
}

#[test]
fn sensitivity_step_beyond_decimal() {
    Case::new("--by 1e30%", &["sensitivity", "--by", "1e30%"])
        .mentions("--by")
        .check();
}

#[test]
fn compare_of_a_month_too_precise_for_exact_arithmetic() {
    Case::new(
        "compare too precise",
        &["compare", "s.yaml", "--format", "json"],
    )
    .file("s.yaml", TOO_PRECISE)
    .mentions("workload 'huge'")
    .mentions("28 significant digits")
    .check();
}

// ---- simulate ------------------------------------------------------------------------------

#[test]
fn simulate_trials_over_the_limit_before_any_work() {
    Case::new("10^12 trials", &["simulate", "--trials", "1000000000000"])
        .mentions("--trials 1000000000000")
        .mentions("--max-trials")
        .check();
}

#[test]
fn simulate_trials_over_a_lowered_limit() {
    Case::new(
        "11 trials, limit 10",
        &["simulate", "--trials", "11", "--max-trials", "10"],
    )
    .mentions("--max-trials")
    .check();
}

#[test]
fn simulate_wide_normal_spread_is_refused() {
    let scenario = "name: wide
as_of: 2026-05-20
workloads:
  - name: chat
    requests: 2M
    input_tokens_per_request: 3k
    output_tokens_per_request: 400
policies:
  - name: all-gpt-5.5
    default: gpt-5.5
  - name: flash
    default: deepseek-v4-flash
baseline: all-gpt-5.5
uncertainty:
  volume: {distribution: normal, spread: 100%}
";
    Case::new("normal 100%", &["simulate", "s.yaml", "--trials", "100"])
        .file("s.yaml", scenario)
        .mentions("workload 'chat'")
        .mentions("100%")
        .mentions("lognormal")
        .check();
}

// ---- check and diff against results -------------------------------------------------------

#[test]
fn check_against_a_negative_base_is_refused() {
    Case::new(
        "negative base",
        &[
            "check",
            "s.yaml",
            "--against",
            "base.json",
            "--max-increase",
            "10%",
        ],
    )
    .file("s.yaml", PER_REQUEST)
    .file(
        "base.json",
        result(&[("per request", &[("all-gpt-5.5", "-1550"), ("flash", "100")])]),
    )
    .mentions("base.json")
    .mentions("negative")
    .mentions("-1550")
    .check();
}

#[test]
fn check_against_a_base_whose_lines_overflow() {
    let max = "79228162514264337593543950335";
    let base = format!(
        r#"{{"schema_version": "1", "scenarios": [{{"name": "per request", "as_of": "2026-05-20", "policies": [{{"name": "flash", "monthly_cost_exact": "1", "lines": [{{"workload": "chat", "model": "m", "cost_exact": "{max}"}}, {{"workload": "chat", "model": "m", "cost_exact": "{max}"}}]}}]}}]}}"#
    );
    Case::new(
        "overflowing base lines",
        &[
            "check",
            "s.yaml",
            "--against",
            "base.json",
            "--max-increase",
            "10%",
        ],
    )
    .file("s.yaml", PER_REQUEST)
    .file("base.json", base)
    .mentions("base.json")
    .mentions("beyond exact arithmetic")
    .check();
}

#[test]
fn check_against_a_tiny_base_fails_the_rise_without_a_panic() {
    // A rise from $0.0000000001 is a percentage beyond exact arithmetic: it fails the check.
    let outcome = Case::new(
        "tiny base",
        &[
            "check",
            "s.yaml",
            "--against",
            "base.json",
            "--max-increase",
            "10%",
            "--policy",
            "flash",
        ],
    )
    .file("s.yaml", PER_REQUEST)
    .file(
        "base.json",
        result(&[(
            "per request",
            &[
                ("all-gpt-5.5", "0.0000000000000000000001"),
                ("flash", "0.0000000000000000000001"),
            ],
        )]),
    )
    .exit(1)
    .check();
    assert!(outcome.stdout.contains("fail"), "{}", outcome.stdout);
}

#[test]
fn check_budget_beyond_decimal() {
    Case::new(
        "budget of 40 digits",
        &[
            "check",
            "s.yaml",
            "--budget",
            "9999999999999999999999999999999999999999",
        ],
    )
    .file("s.yaml", PER_REQUEST)
    .mentions("--budget")
    .check();
}

#[test]
fn diff_lists_a_scenario_present_on_one_side_only() {
    let old = result(&[
        ("one", &[("p", "10")]),
        ("two", &[("p", "20")]),
        ("three", &[("p", "30")]),
    ]);
    let new = result(&[
        ("one", &[("p", "10")]),
        ("two", &[("p", "25")]),
        ("four", &[("p", "40")]),
    ]);
    let outcome = Case::new("diff added and removed", &["diff", "old.json", "new.json"])
        .file("old.json", old)
        .file("new.json", new)
        .exit(0)
        .check();
    assert!(
        outcome.stdout.contains("scenario 'three'"),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome.stdout.contains("removed (was $30.00)"),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome.stdout.contains("scenario 'four'"),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome.stdout.contains("added ($40.00)") || outcome.stdout.contains("$40.00"),
        "{}",
        outcome.stdout
    );
}

#[test]
fn diff_of_a_negative_result_is_refused() {
    Case::new("diff negative", &["diff", "old.json", "new.json"])
        .file("old.json", result(&[("one", &[("p", "-3100")])]))
        .file("new.json", result(&[("one", &[("p", "10")])]))
        .mentions("old.json")
        .mentions("negative")
        .check();
}

// ---- models and gap: the default date ------------------------------------------------------

#[test]
fn models_without_as_of_prints_a_date_and_the_same_bytes_twice() {
    let first = Case::new("models today", &["models", "--format", "json"])
        .exit(0)
        .check();
    let second = Case::new("models today again", &["models", "--format", "json"])
        .exit(0)
        .check();
    assert_eq!(first.stdout, second.stdout);
    let as_of = first
        .stdout
        .lines()
        .find(|line| line.contains("\"as_of\""))
        .expect("an as_of field")
        .to_string();
    let value = as_of
        .split('"')
        .nth(3)
        .expect("a quoted as_of value")
        .to_string();
    // A date (today at 00:00 UTC), not a timestamp with nanoseconds.
    assert_eq!(value.len(), 10, "{as_of}");
    assert!(value.parse::<jiff::civil::Date>().is_ok(), "{as_of}");
}

#[test]
fn gap_without_as_of_prints_a_date() {
    let outcome = Case::new("gap today", &["gap", "gpt-5.5", "deepseek-v4-flash"])
        .exit(0)
        .check();
    let line = outcome
        .stdout
        .lines()
        .nth(1)
        .unwrap_or_default()
        .to_string();
    assert!(line.starts_with("prices as of "), "{line}");
    let date = line["prices as of ".len()..]
        .split(' ')
        .next()
        .unwrap_or_default();
    assert_eq!(date.len(), 10, "{line}");
}

#[test]
fn models_as_of_beyond_the_calendar() {
    Case::new("as of year 99999", &["models", "--as-of", "99999-01-01"])
        .mentions("--as-of")
        .check();
}

// ---- reviewers: costs and latencies that would overflow the expected month ------------------

/// A price file of reviewers with the given entry for `analyst`.
fn reviewers(analyst: &str) -> String {
    format!(
        "provider: in-house\ncurrency: USD\nmodels: {{}}\nhumans:\n  analyst:\n    kind: human\n{analyst}    source: test\n  compliance-officer:\n    kind: human\n    cost_per_item: 12.50\n    review_latency: 1d\n    source: test\n"
    )
}

#[test]
fn reviewer_hourly_rate_beyond_decimal_is_refused_at_its_place() {
    Case::new(
        "hourly rate x minutes overflow",
        &["compare", "--pricing", "rev"],
    )
    .file(
        "rev/reviewers.yaml",
        reviewers("    hourly_rate: 79228162514264337593543950335\n    minutes_per_item: 100000\n    review_latency: 4h\n"),
    )
    .mentions("rev/reviewers.yaml:5:3")
    .mentions("more than $1,000,000 per reviewed item")
    .check();
}

#[test]
fn reviewer_latency_beyond_a_year_is_refused_at_its_place() {
    Case::new("latency of 10^27 days", &["compare", "--pricing", "rev"])
        .file(
            "rev/reviewers.yaml",
            reviewers("    cost_per_item: 3\n    review_latency: 792281625142643375935439503d\n"),
        )
        .mentions("rev/reviewers.yaml:8:21")
        .mentions("longer than a year")
        .check();
}

#[test]
fn check_against_a_zero_base_fails_a_rise_and_shows_no_percentage() {
    let outcome = Case::new(
        "zero base",
        &[
            "check",
            "s.yaml",
            "--against",
            "base.json",
            "--max-increase",
            "10%",
            "--policy",
            "flash",
            "--format",
            "json",
        ],
    )
    .file("s.yaml", PER_REQUEST)
    .file(
        "base.json",
        result(&[("per request", &[("all-gpt-5.5", "0"), ("flash", "0")])]),
    )
    .exit(1)
    .check();
    assert!(outcome.stdout.contains("\"fail\""), "{}", outcome.stdout);
    assert!(!outcome.stdout.contains("Infinity"), "{}", outcome.stdout);
}
