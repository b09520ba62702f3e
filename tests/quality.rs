//! Workflow metrics computed by hand: a two-step chain with a human tail, priced exactly.
//!
//! tests/fixtures/quality/two-step.yaml sends 1M requests (1,000 input, 100 output tokens) to
//! DeepSeek V4 Flash ($0.14 / $0.28 per 1M), then GPT-5.5 ($5 / $30) with half the failed
//! output as context, then the shipped analyst ($60/h × 3 min = $3.00 per item).

use mixcost::engine::quality::evaluate_workflow;
use mixcost::load::{pricing, scenario, source::SourceFile};
use mixcost::model::catalogue::Catalogue;
use rust_decimal::{dec, Decimal};

fn catalogue() -> Catalogue {
    pricing::load_catalogue(&[])
        .expect("the shipped catalogue loads")
        .0
}

fn load(path: &str) -> mixcost::model::scenario::Scenario {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).expect("fixture exists");
    scenario::load_scenario(&SourceFile::new(path, text), &catalogue())
        .expect("the scenario loads")
        .0
}

#[test]
fn a_two_step_chain_with_a_human_tail_matches_the_hand_computation() {
    let scenario = load("tests/fixtures/quality/two-step.yaml");
    let workflow = evaluate_workflow(&scenario, &catalogue()).unwrap();
    let cascade = &workflow.policies[1];
    assert_eq!(cascade.policy, "cascade");
    let flow = &cascade.workloads[0];

    // Step costs if every request ran them:
    //   flash   = 1e9 × 0.14 / 1e6 + 1e8 × 0.28 / 1e6          = 140 + 28   = 168
    //   gpt-5.5 = 1e9 × 5 / 1e6 + 1e8 × 30 / 1e6 + 0.5 × 1e8 × 5 / 1e6 = 5000 + 3000 + 250 = 8250
    //   analyst = 1e6 × 3                                                      = 3,000,000
    let full: Vec<Decimal> = flow.steps.iter().map(|s| s.full_cost).collect();
    assert_eq!(full, vec![dec!(168), dec!(8250), dec!(3000000)]);

    // Step 1: good and accepted 0.8 × 0.95 = 0.76, bad but accepted 0.2 × 0.1 = 0.02,
    // rejected 0.22. Step 2: 0.9 × 0.95 = 0.855, 0.1 × 0.1 = 0.01, rejected 0.135.
    // The analyst gets 0.22 × 0.135 = 0.0297 of the requests.
    let reach: Vec<Decimal> = flow.steps.iter().map(|s| s.reach).collect();
    assert_eq!(reach, vec![dec!(1), dec!(0.22), dec!(0.0297)]);

    // E[cost] = 168 + 0.22 × 8250 + 0.0297 × 3,000,000 = 168 + 1815 + 89,100 = 91,083.
    assert_eq!(flow.expected_cost, dec!(91083));
    assert_eq!(flow.human_cost, dec!(89100));
    assert_eq!(flow.first_attempt_cost, dec!(168));
    // Success 0.76 + 0.22 × 0.855 + 0.0297 = 0.9778; wrong accepted 0.02 + 0.22 × 0.01 = 0.0222.
    assert_eq!(flow.success_rate, dec!(0.9778));
    assert_eq!(flow.accepted_bad_rate, dec!(0.0222));
    assert_eq!(flow.failed_rate, dec!(0));
    assert_eq!(flow.rework_rate, dec!(0.22));
    assert_eq!(flow.escalation_rate, dec!(0.0297));
    assert_eq!(cascade.cost_per_success(), Some(dec!(91083) / dec!(977800)));
    assert_eq!(cascade.cost_per_call(), Some(dec!(0.000168)));

    // Direct: one step, a perfect validator (none given for it), no reviewer: 8000, success
    // 0.9, failed 0.1.
    let direct = &workflow.policies[0].workloads[0];
    assert_eq!(direct.expected_cost, dec!(8000));
    assert_eq!(direct.success_rate, dec!(0.9));
    assert_eq!(direct.failed_rate, dec!(0.1));
    assert_eq!(direct.escalation_rate, dec!(0));
}

#[test]
fn latency_adds_retries_and_review_and_takes_the_95th_percentile() {
    let scenario = load("tests/fixtures/quality/two-step.yaml");
    let workflow = evaluate_workflow(&scenario, &catalogue()).unwrap();
    let flow = &workflow.policies[1].workloads[0];
    // flash 0.6 s + 100 / 90 s; gpt-5.5 0.9 s + 100 / 55 s; analyst 4 h.
    let flash = dec!(0.6) + dec!(100) / dec!(90);
    let gpt = dec!(0.9) + dec!(100) / dec!(55);
    let latency = flow.latency.expect("every step has figures");
    // 78% finish after flash and 0.22 × 0.865 = 19.03% after gpt-5.5: 97.03% ≥ 95%.
    assert_eq!(latency.p95_seconds, flash + gpt);
    let expected = dec!(0.78) * flash
        + dec!(0.1903) * (flash + gpt)
        + dec!(0.0297) * (flash + gpt + dec!(14400));
    assert_eq!(latency.expected_seconds, expected);
}

#[test]
fn conditional_pass_rates_follow_each_pattern_of_earlier_outcomes() {
    // tests/fixtures/quality/conditional.yaml: two-step.yaml with GPT-5.5 passing 50/100 when
    // Flash failed and 95/100 when Flash was right (its unconditional 90/100 is unused here).
    let scenario = load("tests/fixtures/quality/conditional.yaml");
    let workflow = evaluate_workflow(&scenario, &catalogue()).unwrap();
    let flow = &workflow.policies[1].workloads[0];

    // Step 1 (Flash, 0.8): accepted good 0.76, accepted bad 0.02; rejected while right
    // 0.8 × 0.05 = 0.04, rejected while wrong 0.2 × 0.9 = 0.18 (reach 0.22, as before).
    // Step 2, Flash right (0.04 at 0.95): good 0.038 → accepted 0.0361, rejected 0.0019;
    //   bad 0.002 → accepted 0.0002, rejected 0.0018.
    // Step 2, Flash wrong (0.18 at 0.5): good 0.09 → accepted 0.0855, rejected 0.0045;
    //   bad 0.09 → accepted 0.009, rejected 0.081.
    // The analyst gets 0.0019 + 0.0018 + 0.0045 + 0.081 = 0.0892 (0.0297 under independence).
    let reach: Vec<Decimal> = flow.steps.iter().map(|s| s.reach).collect();
    assert_eq!(reach, vec![dec!(1), dec!(0.22), dec!(0.0892)]);
    assert_eq!(flow.steps[1].given_rates.len(), 2);
    assert!(flow.steps[0].tracked && !flow.steps[1].tracked);

    // E[cost] = 168 + 0.22 × 8250 + 0.0892 × 3,000,000 = 168 + 1815 + 267,600 = 269,583.
    assert_eq!(flow.expected_cost, dec!(269583));
    assert_eq!(flow.human_cost, dec!(267600));
    // Success 0.76 + 0.0361 + 0.0855 + 0.0892 = 0.9708; wrong accepted 0.02 + 0.0002 + 0.009.
    assert_eq!(flow.success_rate, dec!(0.9708));
    assert_eq!(flow.accepted_bad_rate, dec!(0.0292));
    assert_eq!(flow.rework_rate, dec!(0.22));
    assert_eq!(flow.escalation_rate, dec!(0.0892));

    // Direct GPT-5.5 has no earlier step: its conditions never hold, the 90/100 applies.
    let direct = &workflow.policies[0].workloads[0];
    assert_eq!(direct.success_rate, dec!(0.9));
    assert_eq!(direct.expected_cost, dec!(8000));
}

#[test]
fn without_conditions_the_walk_is_the_independence_formula() {
    // The same file with its `given:` entries removed prices exactly like two-step.yaml.
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/quality/conditional.yaml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let independent: String = text
        .lines()
        .filter(|line| !line.contains("given:"))
        .map(|line| format!("{line}\n"))
        .collect();
    let scenario = scenario::load_scenario(&SourceFile::new("x.yaml", independent), &catalogue())
        .unwrap()
        .0;
    let flow = evaluate_workflow(&scenario, &catalogue()).unwrap().policies[1].workloads[0].clone();
    assert_eq!(flow.expected_cost, dec!(91083));
    assert_eq!(flow.success_rate, dec!(0.9778));
    assert!(flow
        .steps
        .iter()
        .all(|s| !s.tracked && s.given_rates.is_empty()));
}

#[test]
fn the_most_specific_conditional_rate_wins() {
    // Flash → GPT-5 mini → GPT-5.5, perfect validator. GPT-5.5 passes 0.9 unconditionally,
    // 0.6 given Flash failed, 0.5 given Flash and mini both failed. Only requests both failed
    // reach GPT-5.5, so 0.5 applies: reach 1, 0.2, 0.2 × 0.15 = 0.03; success
    // 0.8 + 0.2 × 0.85 + 0.03 × 0.5 = 0.985.
    let text = r#"
name: specific
as_of: 2026-05-20
workloads:
  - {name: tickets, task: extraction, requests: 1M, input_tokens_per_request: 1000, output_tokens_per_request: 100}
policies:
  - name: cascade
    default: {model: deepseek-v4-flash, fallback: [gpt-5-mini, gpt-5.5]}
baseline: cascade
quality:
  pass_rates:
    - {model: deepseek-v4-flash, task: extraction, rate: 0.8}
    - {model: gpt-5-mini, task: extraction, rate: 0.85}
    - {model: gpt-5.5, task: extraction, rate: 0.9}
    - {model: gpt-5.5, task: extraction, given: {deepseek-v4-flash: fail}, rate: 0.6}
    - {model: gpt-5.5, task: extraction, given: {deepseek-v4-flash: fail, gpt-5-mini: fail}, rate: 0.5}
"#;
    let scenario =
        scenario::load_scenario(&SourceFile::new("x.yaml", text.to_string()), &catalogue())
            .unwrap()
            .0;
    let flow = evaluate_workflow(&scenario, &catalogue()).unwrap().policies[0].workloads[0].clone();
    let reach: Vec<Decimal> = flow.steps.iter().map(|s| s.reach).collect();
    assert_eq!(reach, vec![dec!(1), dec!(0.2), dec!(0.03)]);
    assert_eq!(flow.success_rate, dec!(0.985));
    assert_eq!(flow.failed_rate, dec!(0.015));
}

#[test]
fn a_chain_plan_prices_one_request_as_the_closed_form_does() {
    use mixcost::engine::quality::Review;
    use mixcost::engine::shadow::{chain_plan, expect, ShadowAggregate};
    // two-step.yaml's cascade per request: Flash $0.000168, GPT-5.5 $0.00825 (with half the
    // failed output as context), the analyst $3.00; fallback rates 0.8 and 0.9.
    let catalogue = catalogue();
    let scenario = load("tests/fixtures/quality/two-step.yaml");
    let plan = chain_plan(
        &scenario,
        &catalogue,
        &scenario.policies[1],
        &scenario.workloads[0],
    )
    .unwrap();
    assert_eq!(plan.step_costs, vec![dec!(0.000168), dec!(0.00825)]);
    assert_eq!(plan.human.as_deref(), Some("analyst"));
    assert_eq!(plan.human_cost, dec!(3));
    assert_eq!(plan.pass_rates, vec![dec!(0.8), dec!(0.9)]);
    assert_eq!(plan.chain.review, Review::Fallback);

    // With no outcome known, a request's expectation is the closed form per request:
    // 91,083 / 1M = 0.091083, success 0.9778, and both steps are reported as assumed.
    let unknown = expect(&plan.chain, &plan.cases(&[]), plan.human_cost).unwrap();
    assert_eq!(unknown.cost, dec!(0.091083));
    assert_eq!(unknown.success, dec!(0.9778));
    assert_eq!(unknown.assumed, vec![true, true]);
    let mut aggregate = ShadowAggregate::new(plan.chain.clone());
    aggregate
        .add(&plan.cases(&[]), plan.human_cost, 1_000_000)
        .unwrap();
    assert_eq!(aggregate.totals.cost, dec!(91083));
    assert_eq!(
        aggregate.assumed(),
        vec![("deepseek-v4-flash", 1_000_000), ("gpt-5.5", 1_000_000)]
    );
    // Flash known wrong, GPT-5.5 known right, validator 10% / 5%: Flash's wrong answer is
    // accepted 10% of the time; 0.9 reach GPT-5.5, which is accepted 95%: 0.045 reach the
    // analyst. Cost 0.000168 + 0.9 × 0.00825 + 0.045 × 3 = 0.142593.
    let known = expect(
        &plan.chain,
        &plan.cases(&[Some(false), Some(true)]),
        plan.human_cost,
    )
    .unwrap();
    assert_eq!(known.cost, dec!(0.142593));
    assert_eq!(known.escalation, dec!(0.045));
    assert_eq!(known.accepted_bad, dec!(0.1));
}
