//! Hostile scenario and price files, through every command that loads them: files the loader
//! must refuse (overlapping promotions, `match: {}`, empty names, leap seconds, …), messages that
//! must say what is wrong in the file's own terms (a reviewer used as a model, a value outside a
//! fixed list, a tab), and YAML built to hurt a parser (alias bombs, deep nesting, duplicate
//! keys, huge numbers, several documents). Each case asserts the exit code, a `file:line:col`
//! and the key or value in the message, no crash, inputs unchanged and nothing left behind (see
//! `tests/common/hostile.rs`).

mod common;
use common::hostile::Case;

/// A scenario with one workload `a`, routed by `policy_body` (the lines under `- name: p`).
fn scenario(head: &str, workload_extra: &str, policy_body: &str, tail: &str) -> String {
    format!(
        "name: x\nas_of: 2026-05-20\n{head}workloads:\n  - name: a\n    input_tokens: 1M\n    output_tokens: 1M\n{workload_extra}policies:\n  - name: p\n{policy_body}baseline: p\n{tail}"
    )
}

/// The plainest valid scenario: everything on GPT-5.5.
fn plain() -> String {
    scenario("", "", "    default: gpt-5.5\n", "")
}

/// A price file for provider `acme` with one model, whose first price set gets `set_extra`
/// (lines indented by 8 spaces) and whose model gets `model_extra`.
fn prices(model_extra: &str, set_extra: &str) -> String {
    format!(
        "provider: acme\ncurrency: USD\nmodels:\n  acme-small:\n    class: economy\n    deployment: hosted\n    open_weight: true\n    license: MIT\n    context_window: 128k\n{model_extra}    prices:\n      - from: 2026-01-01\n        source: https://example.com/prices\n        input: 1\n        output: 2\n{set_extra}"
    )
}

/// Two promotions on one price set; `second_from` decides whether they overlap.
fn promotions(second_from: &str) -> String {
    prices(
        "",
        &format!(
            "        promotions:\n          - name: spring\n            from: 2026-03-01\n            until: 2026-05-31T23:59:59Z\n            discount: 50%\n          - name: may\n            from: {second_from}\n            until: 2026-06-30\n            discount: 20%\n"
        ),
    )
}

/// A scenario routed to `acme-small` from the price file above.
fn on_acme() -> String {
    scenario("", "", "    default: acme-small\n", "")
}

// ---- overlapping promotions --------------------------------------------------------------

#[test]
fn overlapping_promotions_are_refused_naming_both() {
    Case::new("overlapping promotions", &["models", "--pricing", "p"])
        .file("p/acme.yaml", promotions("2026-05-01"))
        .mentions("p/acme.yaml:20:19")
        .mentions("promotions 'spring' (line 16) and 'may' overlap from 2026-05-01 to 2026-05-31T23:59:59Z")
        .mentions("only one promotion can apply at a time")
        .check();
}

#[test]
fn overlapping_promotions_are_a_validate_finding() {
    Case::new(
        "overlapping promotions, validate",
        &["validate", "p/acme.yaml"],
    )
    .file("p/acme.yaml", promotions("2026-05-31T23:59:59Z"))
    .exit(1)
    .reports("p/acme.yaml:20:19")
    .reports("overlap from 2026-05-31T23:59:59Z to 2026-05-31T23:59:59Z")
    .check();
}

#[test]
fn overlapping_promotions_stop_compare_of_a_scenario_using_them() {
    Case::new(
        "overlapping promotions, compare",
        &["compare", "s.yaml", "--pricing", "p"],
    )
    .file("p/acme.yaml", promotions("2026-05-01"))
    .file("s.yaml", on_acme())
    .mentions("p/acme.yaml:20:19")
    .check();
}

#[test]
fn back_to_back_promotions_are_fine() {
    let outcome = Case::new(
        "promotions that touch but do not overlap",
        &["compare", "s.yaml", "--pricing", "p"],
    )
    .file("p/acme.yaml", promotions("2026-06-01"))
    .file("s.yaml", on_acme())
    .exit(0)
    .check();
    // 1M input at $1 and 1M output at $2, half off on 2026-05-20 (spring).
    assert!(outcome.stdout.contains("$1.50"), "{}", outcome.stdout);
}

// ---- match: {} ---------------------------------------------------------------------------

fn match_all(matcher: &str) -> String {
    scenario(
        "",
        "",
        &format!("    routes:\n      - match: {matcher}\n        model: gpt-5.5\n"),
        "",
    )
}

#[test]
fn match_everything_is_refused_with_default_as_the_fix() {
    Case::new("match: {}", &["compare", "s.yaml"])
        .file("s.yaml", match_all("{}"))
        .mentions("s.yaml:10:16")
        .mentions("`match: {}` matches every workload")
        .mentions("`default: MODEL`")
        .check();
}

#[test]
fn match_everything_is_a_validate_finding() {
    Case::new("match: {}, validate", &["validate", "s.yaml"])
        .file("s.yaml", match_all("{}"))
        .exit(1)
        .reports("s.yaml:10:16")
        .reports("1 error")
        .check();
}

#[test]
fn match_with_an_empty_list_is_refused() {
    Case::new(
        "match: {workload: []}",
        &["whatif", "s.yaml", "--set", "workloads.a.batch_share=0.5"],
    )
    .file("s.yaml", match_all("{workload: []}"))
    .mentions("s.yaml:10:27")
    .mentions("`match: {workload: []}` is an empty list")
    .check();
}

#[test]
fn match_naming_an_empty_task_is_refused() {
    Case::new("match: {task: ''}", &["check", "s.yaml", "--budget", "100"])
        .file("s.yaml", match_all("{task: ''}"))
        .mentions("s.yaml:10:23")
        .mentions("`match:` names an empty workload or task")
        .check();
}

// ---- empty names -------------------------------------------------------------------------

#[test]
fn an_empty_workload_name_is_refused() {
    Case::new("empty workload name", &["compare", "s.yaml"])
        .file("s.yaml", plain().replace("- name: a", "- name: \"\""))
        .mentions("s.yaml:4:11")
        .mentions("a workload has an empty name")
        .check();
}

#[test]
fn a_blank_workload_name_is_a_validate_finding() {
    Case::new("blank workload name, validate", &["validate", "s.yaml"])
        .file("s.yaml", plain().replace("- name: a", "- name: '   '"))
        .exit(1)
        .reports("s.yaml:4:11")
        .reports("a workload has an empty name")
        .check();
}

#[test]
fn an_empty_policy_name_is_refused() {
    Case::new("empty policy name", &["sensitivity", "s.yaml"])
        .file(
            "s.yaml",
            plain()
                .replace("- name: p", "- name: ''")
                .replace("baseline: p", "baseline: ''"),
        )
        .mentions("s.yaml:8:11")
        .mentions("a policy has an empty name")
        .check();
}

#[test]
fn an_empty_model_id_is_refused() {
    Case::new("empty model id", &["models", "--pricing", "p/acme.yaml"])
        .file(
            "p/acme.yaml",
            prices("", "").replace("  acme-small:", "  \"\":"),
        )
        .mentions("p/acme.yaml:4:3")
        .mentions("a model has an empty name")
        .check();
}

#[test]
fn an_empty_provider_is_refused() {
    Case::new("empty provider", &["validate", "p/acme.yaml"])
        .file(
            "p/acme.yaml",
            prices("", "").replace("provider: acme", "provider: ' '"),
        )
        .exit(1)
        .reports("p/acme.yaml:1:11")
        .reports("`provider` is empty")
        .check();
}

#[test]
fn an_empty_reviewer_name_is_refused() {
    Case::new("empty reviewer name", &["models", "--pricing", "p/people.yaml"])
        .file(
            "p/people.yaml",
            "provider: people\ncurrency: USD\nmodels: {}\nhumans:\n  '':\n    cost_per_item: 2\n    review_latency: 1h\n",
        )
        .mentions("p/people.yaml:5:3")
        .mentions("a human reviewer has an empty name")
        .check();
}

// ---- leap seconds ------------------------------------------------------------------------

#[test]
fn a_leap_second_as_of_is_refused() {
    Case::new("leap second as_of", &["compare", "s.yaml"])
        .file(
            "s.yaml",
            plain().replace("2026-05-20", "2026-06-30T23:59:60Z"),
        )
        .mentions("s.yaml:2:8")
        .mentions("invalid `as_of`: '2026-06-30T23:59:60Z' is a leap second")
        .check();
}

#[test]
fn a_leap_second_price_date_is_a_validate_finding() {
    Case::new("leap second from, validate", &["validate", "p/acme.yaml"])
        .file(
            "p/acme.yaml",
            prices("", "").replace("2026-01-01", "2026-01-01T23:59:60Z"),
        )
        .exit(1)
        .reports("p/acme.yaml:11:15")
        .reports("invalid `from`")
        .reports("leap second")
        .check();
}

#[test]
fn a_leap_second_promotion_end_is_refused() {
    Case::new(
        "leap second until",
        &[
            "sweep",
            "s.yaml",
            "--pricing",
            "p",
            "--vary",
            "workloads.a.batch_share=0,0.5",
        ],
    )
    .file(
        "p/acme.yaml",
        promotions("2026-06-01").replace("2026-05-31T23:59:59Z", "2026-05-31T23:59:60Z"),
    )
    .file("s.yaml", on_acme())
    .mentions("p/acme.yaml:18:20")
    .mentions("invalid `until`")
    .check();
}

// ---- misleading messages -----------------------------------------------------------------

#[test]
fn a_reviewer_routed_as_a_model_is_named_as_a_reviewer() {
    let outcome = Case::new("model: analyst", &["compare", "s.yaml"])
        .file(
            "s.yaml",
            match_all("{workload: a}").replace("model: gpt-5.5", "model: analyst"),
        )
        .mentions("s.yaml:11:16")
        .mentions("'analyst' is a human reviewer, not a model")
        .mentions("end of a `fallback:` chain or in `quality.sign_off:`")
        .check();
    assert!(!outcome.stderr.contains("--pricing"), "{}", outcome.stderr);
}

#[test]
fn a_reviewer_as_the_default_is_named_as_a_reviewer() {
    Case::new(
        "default: analyst",
        &[
            "solve",
            "s.yaml",
            "--vary",
            "workloads.a.batch_share",
            "--policy",
            "p",
            "--target",
            "cost=10",
        ],
    )
    .file(
        "s.yaml",
        plain().replace("default: gpt-5.5", "default: compliance-officer"),
    )
    .mentions("s.yaml:9:14")
    .mentions("'compliance-officer' is a human reviewer, not a model")
    .check();
}

#[test]
fn a_pass_rate_for_a_reviewer_is_named_as_a_reviewer() {
    let text = "name: x\nas_of: 2026-05-20\nworkloads:\n  - {name: a, task: t, requests: 1k, input_tokens_per_request: 1k, output_tokens_per_request: 100}\npolicies:\n  - name: p\n    default: gpt-5.5\nbaseline: p\nquality:\n  pass_rates:\n    - {model: gpt-5.5, task: t, rate: 0.9}\n    - {model: analyst, task: t, rate: 0.99}\n";
    Case::new(
        "pass rate for analyst",
        &["simulate", "s.yaml", "--trials", "10"],
    )
    .file("s.yaml", text)
    .mentions("s.yaml:12:15")
    .mentions("'analyst' is a human reviewer, not a model")
    .check();
}

fn reviewer(costs: &str) -> String {
    format!("provider: people\ncurrency: USD\nmodels: {{}}\nhumans:\n  bob:\n{costs}    review_latency: 1h\n")
}

#[test]
fn a_reviewer_with_two_costs_is_told_to_give_one() {
    let outcome = Case::new(
        "reviewer with two costs",
        &["models", "--pricing", "p/people.yaml"],
    )
    .file(
        "p/people.yaml",
        reviewer("    cost_per_item: 2\n    hourly_rate: 60\n    minutes_per_item: 3\n"),
    )
    .mentions("p/people.yaml:7:18")
    .mentions("human reviewer 'bob' gives both `cost_per_item` and `hourly_rate`")
    .mentions("give one or the other")
    .check();
    assert!(
        !outcome.stderr.contains("has no cost"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn a_reviewer_with_an_hourly_rate_but_no_minutes_is_told_what_is_missing() {
    Case::new(
        "reviewer with hourly rate only",
        &["validate", "p/people.yaml"],
    )
    .file("p/people.yaml", reviewer("    hourly_rate: 60\n"))
    .exit(1)
    .reports("p/people.yaml:6:18")
    .reports("has an `hourly_rate` but no `minutes_per_item`")
    .check();
}

fn with_constraint(rule: &str) -> String {
    scenario(
        "",
        "    data_class: regulated\n",
        "    default: gpt-5.5\n",
        &format!("constraints:\n  regulated:\n{rule}"),
    )
}

#[test]
fn an_unknown_deployment_in_a_constraint_lists_the_allowed_values() {
    let outcome = Case::new("deployment: on-moon", &["check", "s.yaml"])
        .file("s.yaml", with_constraint("    deployment: on-moon\n"))
        .mentions("s.yaml:14:17")
        .mentions("`on-moon` is not allowed here, expected hosted | self-hosted, or a list of them")
        .check();
    assert!(!outcome.stderr.contains("untagged"), "{}", outcome.stderr);
}

#[test]
fn an_unknown_deployment_in_a_constraint_list_lists_the_allowed_values() {
    Case::new("deployment: [hosted, on-moon]", &["validate", "s.yaml"])
        .file(
            "s.yaml",
            with_constraint("    deployment: [hosted, on-moon]\n"),
        )
        .exit(1)
        .reports("s.yaml:14:26")
        .reports("write one of: hosted, self-hosted")
        .check();
}

#[test]
fn a_mapping_for_constraint_providers_says_what_it_takes() {
    let outcome = Case::new("providers: {a: 1}", &["compare", "s.yaml"])
        .file("s.yaml", with_constraint("    providers: {openai: 1}\n"))
        .mentions("s.yaml:14:16")
        .mentions("expected a name or a list of names")
        .check();
    assert!(!outcome.stderr.contains("untagged"), "{}", outcome.stderr);
}

#[test]
fn an_unknown_deployment_in_a_price_file_lists_the_allowed_values() {
    Case::new(
        "price file deployment: on-moon",
        &["models", "--pricing", "p"],
    )
    .file(
        "p/acme.yaml",
        prices("", "").replace("deployment: hosted", "deployment: on-moon"),
    )
    .mentions("p/acme.yaml:6:17")
    .mentions("write one of: hosted, self-hosted")
    .check();
}

#[test]
fn a_list_for_a_one_word_key_lists_the_allowed_values() {
    Case::new("tier: [flex]", &["compare", "s.yaml"])
        .file(
            "s.yaml",
            scenario("", "    tier: [flex]\n", "    default: gpt-5.5\n", ""),
        )
        .mentions("s.yaml:7:11")
        .mentions("`tier` takes one value here, not a list or mapping")
        .mentions("write one of: standard, flex, priority")
        .check();
}

#[test]
fn a_word_for_a_boolean_says_true_or_false() {
    Case::new(
        "open_weight: maybe",
        &["models", "--pricing", "p/acme.yaml"],
    )
    .file(
        "p/acme.yaml",
        prices("", "").replace("open_weight: true", "open_weight: maybe"),
    )
    .mentions("p/acme.yaml:7:18")
    .mentions("`open_weight` takes true or false")
    .check();
}

#[test]
fn a_null_required_value_names_the_key() {
    Case::new("as_of: ~", &["compare", "s.yaml"])
        .file("s.yaml", plain().replace("as_of: 2026-05-20", "as_of: ~"))
        .mentions("s.yaml:2:8")
        .mentions("`as_of` has no value")
        .check();
}

#[test]
fn a_tab_is_pointed_at_not_the_line_above() {
    let outcome = Case::new("tab indentation", &["compare", "s.yaml"])
        .file(
            "s.yaml",
            plain().replace("    default: gpt-5.5", "\tdefault: gpt-5.5"),
        )
        .mentions("s.yaml:9:1")
        .mentions("a tab is used for indentation")
        .check();
    assert!(!outcome.stderr.contains("s.yaml:8:"), "{}", outcome.stderr);
}

#[test]
fn a_tab_in_a_price_file_is_pointed_at() {
    Case::new("tab in a price file", &["validate", "p/acme.yaml"])
        .file(
            "p/acme.yaml",
            prices("", "").replace("    license: MIT", "  \tlicense: MIT"),
        )
        .exit(1)
        .reports("p/acme.yaml:8:3")
        .reports("a tab is used for indentation")
        .check();
}

#[test]
fn an_unknown_discount_provider_is_marked_at_its_key() {
    let outcome = Case::new("discounts: {acme: 10%}", &["compare", "s.yaml"])
        .file(
            "s.yaml",
            scenario("discounts: {acme: 10%}\n", "", "    default: gpt-5.5\n", ""),
        )
        .mentions("s.yaml:3:13")
        .mentions("discount for unknown provider 'acme'")
        .check();
    assert!(
        outcome.stderr.contains("           ^^^^\n"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn an_unknown_budget_policy_is_marked_at_its_key() {
    Case::new("budget for unknown policy", &["check", "s.yaml"])
        .file(
            "s.yaml",
            scenario(
                "",
                "",
                "    default: gpt-5.5\n",
                "budgets:\n  policies: {q: $5}\n",
            ),
        )
        .mentions("s.yaml:12:14")
        .mentions("budget for unknown policy 'q'")
        .check();
}

// ---- hostile YAML ------------------------------------------------------------------------

#[test]
fn an_alias_flood_is_refused() {
    let mut text = String::from(
        "name: x\nas_of: 2026-05-20\nworkloads:\n  - &w {name: a, input_tokens: 1M, output_tokens: 1M}\n",
    );
    text.push_str(&"  - *w\n".repeat(1_001));
    text.push_str("policies:\n  - name: p\n    default: gpt-5.5\nbaseline: p\n");
    Case::new("1,001 aliases", &["compare", "s.yaml"])
        .file("s.yaml", text)
        .mentions("s.yaml:")
        .mentions("the YAML uses more than 1000 aliases (`*name`)")
        .check();
}

#[test]
fn a_billion_laughs_under_a_real_key_is_refused() {
    let mut text = String::from("name: x\nas_of: 2026-05-20\nworkloads:\n  - &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (name, previous) in "bcdefghi".chars().zip("abcdefgh".chars()) {
        let row = vec![format!("*{previous}"); 9].join(", ");
        text.push_str(&format!("  - &{name} [{row}]\n"));
    }
    Case::new("billion laughs", &["compare", "s.yaml"])
        .file("s.yaml", text)
        .mentions("s.yaml:4:8")
        .mentions("expected a mapping")
        .check();
}

#[test]
fn deep_nesting_is_refused_at_its_first_bracket() {
    let text = format!("provider: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    Case::new("deep nesting", &["models", "--pricing", "p.yaml"])
        .file("p.yaml", text)
        .mentions("p.yaml:1:11")
        .mentions("expected a single value here")
        .check();
}

#[test]
fn a_duplicate_key_is_located() {
    Case::new("duplicate key", &["compare", "s.yaml"])
        .file(
            "s.yaml",
            scenario("", "    input_tokens: 2M\n", "    default: gpt-5.5\n", ""),
        )
        .mentions("s.yaml:7:5")
        .mentions("duplicate mapping key `input_tokens`")
        .check();
}

#[test]
fn a_huge_integer_is_refused_as_too_large() {
    Case::new("huge token count", &["compare", "s.yaml"])
        .file(
            "s.yaml",
            plain().replace(
                "input_tokens: 1M",
                "input_tokens: 99999999999999999999999999999999",
            ),
        )
        .mentions("s.yaml:5:19")
        .mentions("invalid `input_tokens`")
        .check();
}

#[test]
fn an_exponent_beyond_any_number_is_refused() {
    Case::new("1e400", &["compare", "s.yaml"])
        .file(
            "s.yaml",
            scenario(
                "",
                "    cache_hit_rate: 1e400\n",
                "    default: gpt-5.5\n",
                "",
            ),
        )
        .mentions("s.yaml:7:21")
        .mentions("invalid `cache_hit_rate`: '1e400' is not a number")
        .check();
}

#[test]
fn a_nan_price_is_refused() {
    Case::new("input: .nan", &["models", "--pricing", "p"])
        .file(
            "p/acme.yaml",
            prices("", "").replace("input: 1\n", "input: .nan\n"),
        )
        .mentions("p/acme.yaml:13:16")
        .mentions("invalid `input`: '.nan' is not a finite number")
        .check();
}

#[test]
fn an_infinite_share_is_refused() {
    Case::new("batch_share: .inf", &["compare", "s.yaml"])
        .file(
            "s.yaml",
            scenario("", "    batch_share: -.inf\n", "    default: gpt-5.5\n", ""),
        )
        .mentions("s.yaml:7:18")
        .mentions("'-.inf' is not a finite number")
        .check();
}

#[test]
fn negative_zero_is_zero_not_a_negative_price() {
    let outcome = Case::new(
        "negative zero",
        &["compare", "s.yaml", "--pricing", "p", "--format", "csv"],
    )
    .file(
        "p/acme.yaml",
        prices("", "").replace("input: 1\n", "input: -0.0\n"),
    )
    .file("s.yaml", on_acme())
    .exit(0)
    .check();
    assert!(outcome.stdout.contains("p,2"), "{}", outcome.stdout);
    assert!(!outcome.stdout.contains("-0"), "{}", outcome.stdout);
}

#[test]
fn a_day_that_does_not_exist_is_refused() {
    Case::new("2026-02-30", &["compare", "s.yaml"])
        .file("s.yaml", plain().replace("2026-05-20", "2026-02-30"))
        .mentions("s.yaml:2:8")
        .mentions("'2026-02-30' is not a date")
        .check();
}

#[test]
fn an_empty_file_is_refused() {
    Case::new("empty scenario", &["compare", "s.yaml"])
        .file("s.yaml", "")
        .mentions("'s.yaml' is empty")
        .check();
}

#[test]
fn a_price_file_of_comments_is_refused() {
    Case::new("comments only", &["models", "--pricing", "p.yaml"])
        .file("p.yaml", "# prices to come\n\n   # later\n")
        .mentions("'p.yaml' holds only comments")
        .check();
}

#[test]
fn several_documents_are_refused() {
    Case::new("two documents", &["compare", "s.yaml"])
        .file("s.yaml", format!("{}---\n{}", plain(), plain()))
        .mentions("s.yaml:12:1")
        .mentions("multiple found")
        .check();
}

#[test]
fn a_byte_order_mark_is_read_as_the_start_of_the_file() {
    let outcome = Case::new("BOM", &["compare", "s.yaml"])
        .file("s.yaml", format!("\u{feff}{}", plain()))
        .exit(0)
        .check();
    assert!(outcome.stdout.contains("$35.00"), "{}", outcome.stdout);
}

#[test]
fn crlf_line_endings_keep_their_locations() {
    let text = plain()
        .replace("output_tokens: 1M", "ouput_tokens: 1M")
        .replace('\n', "\r\n");
    let outcome = Case::new("CRLF with an unknown key", &["compare", "s.yaml"])
        .file("s.yaml", text)
        .mentions("s.yaml:6:5")
        .mentions("did you mean `output_tokens`?")
        .check();
    assert!(!outcome.stderr.contains('\r'), "{:?}", outcome.stderr);
}

#[test]
fn a_key_in_another_case_is_unknown_with_a_suggestion() {
    Case::new("Name:", &["compare", "s.yaml"])
        .file("s.yaml", plain().replace("name: x", "Name: x"))
        .mentions("s.yaml:1:1")
        .mentions("unknown field `Name`")
        .mentions("did you mean `name`?")
        .check();
}

#[test]
fn a_route_to_an_unknown_model_suggests_the_nearest() {
    Case::new("unknown model", &["compare", "s.yaml"])
        .file(
            "s.yaml",
            plain().replace("default: gpt-5.5", "default: gpt-5.55"),
        )
        .mentions("s.yaml:9:14")
        .mentions("unknown model 'gpt-5.55'")
        .mentions("did you mean 'gpt-5.5'?")
        .check();
}

#[test]
fn a_route_to_a_retired_model_is_a_validate_finding() {
    Case::new("retired model", &["validate", "s.yaml", "--pricing", "p"])
        .file(
            "p/acme.yaml",
            prices(
                "    deprecated: 2026-04-01\n    successor: acme-large\n",
                "",
            ),
        )
        .file("s.yaml", on_acme())
        .exit(1)
        .reports("s.yaml:9:14")
        .reports("model 'acme-small' is deprecated since 2026-04-01")
        .reports("its successor is 'acme-large'")
        .check();
}

#[test]
fn a_route_to_a_model_before_its_first_price_is_refused() {
    Case::new(
        "model not yet priced",
        &["compare", "s.yaml", "--pricing", "p"],
    )
    .file(
        "p/acme.yaml",
        prices("", "").replace("2026-01-01", "2026-09-01"),
    )
    .file("s.yaml", on_acme())
    .mentions("s.yaml:9:14")
    .mentions("model 'acme-small' has no price on 2026-05-20")
    .check();
}

#[test]
fn a_fallback_chain_that_loops_is_refused() {
    let text = "name: x\nas_of: 2026-05-20\nworkloads:\n  - {name: a, task: t, requests: 1k, input_tokens_per_request: 1k, output_tokens_per_request: 100}\npolicies:\n  - name: p\n    routes:\n      - match: {task: t}\n        model: deepseek-v4-flash\n        fallback: [gpt-5.5, deepseek-v4-flash]\n    default: gpt-5.5\nbaseline: p\nquality:\n  pass_rates:\n    - {model: gpt-5.5, task: t, rate: 0.9}\n    - {model: deepseek-v4-flash, task: t, rate: 0.8}\n";
    Case::new("fallback cycle", &["compare", "s.yaml"])
        .file("s.yaml", text)
        .mentions("s.yaml:10:29")
        .mentions("the fallback chain loops: 'deepseek-v4-flash' is tried twice")
        .check();
}

#[test]
fn a_model_and_a_reviewer_of_one_name_are_located() {
    let text = format!(
        "{}humans:\n  acme-small:\n    cost_per_item: 2\n    review_latency: 1h\n",
        prices("", "")
    );
    Case::new(
        "model named like a reviewer",
        &["models", "--pricing", "p/acme.yaml"],
    )
    .file("p/acme.yaml", text)
    .mentions("p/acme.yaml:4:3")
    .mentions("'acme-small' is both a human reviewer and a model")
    .check();
}

#[test]
fn a_bad_scenario_on_one_side_of_diff_is_refused() {
    Case::new("diff with match: {}", &["diff", "a.yaml", "b.yaml"])
        .file("a.yaml", plain())
        .file("b.yaml", match_all("{}"))
        .mentions("b.yaml:10:16")
        .mentions("`match: {}` matches every workload")
        .check();
}

#[test]
fn a_bad_price_file_stops_gap() {
    Case::new(
        "gap with overlapping promotions",
        &["gap", "acme-small", "gpt-5.5", "--pricing", "p"],
    )
    .file("p/acme.yaml", promotions("2026-05-01"))
    .mentions("p/acme.yaml:20:19")
    .check();
}

#[test]
fn a_scenario_that_is_a_list_is_refused() {
    Case::new("a list, not a scenario", &["compare", "s.yaml"])
        .file("s.yaml", "- name: x\n- as_of: 2026-05-20\n")
        .mentions("s.yaml:1:1")
        .mentions("expected a mapping")
        .check();
}

#[test]
fn clean_files_pass_validate() {
    let outcome = Case::new("clean files", &["validate", "s.yaml", "p/acme.yaml"])
        .file("p/acme.yaml", promotions("2026-06-01"))
        .file("s.yaml", on_acme())
        .exit(0)
        .check();
    assert!(
        outcome
            .stdout
            .contains("2 files checked: no problems found"),
        "{}",
        outcome.stdout
    );
}

#[test]
fn an_alias_to_no_anchor_is_explained() {
    Case::new("alias to nothing", &["compare", "s.yaml"])
        .file(
            "s.yaml",
            plain().replace("default: gpt-5.5", "default: *model"),
        )
        .mentions("s.yaml:9:")
        .mentions("an alias (`*name`) refers to no anchor (`&name`) defined before it")
        .check();
}

#[test]
fn a_missing_value_names_its_key() {
    Case::new("baseline: with nothing", &["validate", "s.yaml"])
        .file("s.yaml", plain().replace("baseline: p", "baseline:"))
        .exit(1)
        .reports("s.yaml:10:")
        .reports("`baseline` has no value")
        .check();
}

#[test]
fn a_date_past_the_supported_range_is_not_called_a_non_date() {
    let outcome = Case::new("until: 9999-12-31", &["models", "--pricing", "p"])
        .file(
            "p/acme.yaml",
            promotions("2026-06-01").replace("until: 2026-06-30", "until: 9999-12-31"),
        )
        .mentions("p/acme.yaml:22:20")
        .mentions("'9999-12-31' is past the last supported instant (9999-12-30)")
        .mentions("2099-12-31")
        .check();
    assert!(
        !outcome.stderr.contains("is not a date"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn a_workload_named_by_a_number_can_be_matched() {
    let text = scenario("", "", "    routes:\n      - match: {workload: 2026}\n        model: deepseek-v4-flash\n    default: gpt-5.5\n", "")
        .replace("- name: a", "- name: 2026");
    let outcome = Case::new("workload: 2026", &["compare", "s.yaml", "--by", "workload"])
        .file("s.yaml", text)
        .exit(0)
        .check();
    assert!(
        outcome.stdout.contains("2026       deepseek-v4-flash"),
        "{}",
        outcome.stdout
    );
    assert_eq!(outcome.stderr, "", "no warning: the route matches");
}

#[test]
fn a_key_left_without_its_list_says_so() {
    Case::new("workloads: with nothing", &["compare", "s.yaml"])
        .file(
            "s.yaml",
            "name: x\nas_of: 2026-05-20\nworkloads:\npolicies:\n  - name: p\n    default: gpt-5.5\nbaseline: p\n",
        )
        .mentions("s.yaml:3:10")
        .mentions("`workloads` has no value")
        .mentions("it takes a list")
        .check();
}

#[test]
fn an_optional_key_left_empty_is_not_read_as_its_default() {
    Case::new("cache_hit_rate: with nothing", &["compare", "s.yaml"])
        .file(
            "s.yaml",
            scenario(
                "",
                "    cache_hit_rate:\n    batch_share: 0.5\n",
                "    default: gpt-5.5\n",
                "",
            ),
        )
        .mentions("s.yaml:7:5")
        .mentions("`cache_hit_rate` has no value")
        .check();
}

#[test]
fn a_null_data_class_is_not_read_as_internal() {
    Case::new("data_class: ~", &["validate", "s.yaml"])
        .file(
            "s.yaml",
            scenario("", "    data_class: ~\n", "    default: gpt-5.5\n", ""),
        )
        .exit(1)
        .reports("s.yaml:7:5")
        .reports("`data_class` has no value")
        .check();
}

#[test]
fn a_leap_second_on_the_command_line_is_refused() {
    Case::new(
        "--as-of leap second",
        &["models", "--as-of", "2026-06-30T23:59:60Z"],
    )
    .mentions("invalid --as-of: '2026-06-30T23:59:60Z' is a leap second")
    .check();
}
