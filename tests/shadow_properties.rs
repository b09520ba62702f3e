//! Shadow evaluation against the closed form, over generated logs of a three-model chain.
//!
//! For any set of requests with known outcomes on every chain model, and any validator:
//! - the requests' summed shadow expectation (engine::shadow) equals, exactly, the scenario's
//!   closed form when its pass rates are the same requests' counts — unconditional `evals:`
//!   for each model, and `given:` entries for every pattern of earlier outcomes;
//! - the aggregate's independence prediction costs exactly what the closed form with only the
//!   unconditional counts does (its shares agree to 25 digits).

use std::collections::BTreeMap;

use mixcost::engine::quality::{evaluate_workflow, Review, WorkloadWorkflow};
use mixcost::engine::shadow::{chain_plan, ShadowAggregate, ShadowChain};
use mixcost::load::pricing::load_catalogue;
use mixcost::load::scenario::load_scenario;
use mixcost::load::source::SourceFile;
use mixcost::model::catalogue::Catalogue;
use mixcost::model::quality::Validator;
use mixcost::model::scenario::Scenario;
use proptest::prelude::*;
use rust_decimal::Decimal;

const MODELS: [&str; 3] = ["deepseek-v4-flash", "gpt-5-mini", "gpt-5.5"];

fn outcome(passed: bool) -> &'static str {
    if passed {
        "pass"
    } else {
        "fail"
    }
}

/// The scenario whose pass rates are the counts of `requests` (outcome per model).
fn scenario_text(
    requests: &[[bool; 3]],
    (false_accept, false_reject): (u32, u32),
    reviewer: bool,
    conditional: bool,
) -> String {
    let n = requests.len();
    let fallback = if reviewer {
        "[gpt-5-mini, gpt-5.5, analyst]"
    } else {
        "[gpt-5-mini, gpt-5.5]"
    };
    let mut text = format!(
        "name: shadow property
as_of: 2026-05-20
workloads:
  - {{name: logged, task: extraction, requests: {n}, input_tokens_per_request: 1200, output_tokens_per_request: 300}}
policies:
  - name: cascade
    default: {{model: deepseek-v4-flash, fallback: {fallback}}}
baseline: cascade
quality:
  retry_context: 50%
  validator: {{false_accept: {false_accept}%, false_reject: {false_reject}%}}
  pass_rates:
"
    );
    for (step, model) in MODELS.iter().enumerate() {
        let passes = requests.iter().filter(|r| r[step]).count();
        text.push_str(&format!(
            "    - {{model: {model}, task: extraction, evals: {passes}/{n}}}\n"
        ));
        if !conditional {
            continue;
        }
        // One entry per pattern of the earlier models' outcomes that some request has.
        let mut patterns: BTreeMap<Vec<bool>, (usize, usize)> = BTreeMap::new();
        for request in requests {
            let entry = patterns.entry(request[..step].to_vec()).or_default();
            entry.1 += 1;
            if request[step] {
                entry.0 += 1;
            }
        }
        for (pattern, (passes, total)) in patterns {
            if pattern.is_empty() {
                continue;
            }
            let given: Vec<String> = pattern
                .iter()
                .enumerate()
                .map(|(earlier, passed)| format!("{}: {}", MODELS[earlier], outcome(*passed)))
                .collect();
            text.push_str(&format!(
                "    - {{model: {model}, task: extraction, given: {{{}}}, evals: {passes}/{total}}}\n",
                given.join(", ")
            ));
        }
    }
    text
}

fn closed_form(catalogue: &Catalogue, text: String) -> (Scenario, WorkloadWorkflow) {
    let scenario = load_scenario(&SourceFile::new("generated.yaml", text), catalogue)
        .expect("the generated scenario loads")
        .0;
    let workflow = evaluate_workflow(&scenario, catalogue).expect("the closed form evaluates");
    let flow = workflow.policies[0].workloads[0].clone();
    (scenario, flow)
}

fn requests_strategy() -> impl Strategy<Value = Vec<[bool; 3]>> {
    prop::collection::vec(prop::array::uniform3(any::<bool>()), 1..60)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn the_summed_shadow_expectation_is_the_conditional_closed_form(
        requests in requests_strategy(),
        false_accept in prop::sample::select(vec![0u32, 2, 10, 25]),
        false_reject in prop::sample::select(vec![0u32, 3, 5, 20]),
        reviewer in any::<bool>(),
    ) {
        let catalogue = load_catalogue(&[]).expect("the shipped catalogue loads").0;
        let validator = (false_accept, false_reject);
        let (scenario, exact) =
            closed_form(&catalogue, scenario_text(&requests, validator, reviewer, true));
        let (_, independent) =
            closed_form(&catalogue, scenario_text(&requests, validator, reviewer, false));

        // The chain and its per-request costs, as the closed form prices its steps.
        let n = Decimal::from(requests.len());
        let plan = chain_plan(&scenario, &catalogue, &scenario.policies[0], &scenario.workloads[0])
            .unwrap();
        let costs: Vec<Decimal> = exact.steps.iter().map(|s| s.full_cost / n).collect();
        prop_assert_eq!(&plan.step_costs[..], &costs[..3]);
        let chain = ShadowChain {
            models: MODELS.iter().map(|m| m.to_string()).collect(),
            review: if reviewer { Review::Fallback } else { Review::None },
            validator: Validator {
                false_accept: Decimal::new(false_accept.into(), 2),
                false_reject: Decimal::new(false_reject.into(), 2),
            },
        };
        prop_assert_eq!(&plan.chain, &chain);
        let human = plan.human_cost;
        if reviewer {
            prop_assert_eq!(human, costs[3]);
        }
        // Requests alike are one group, weighted by its count.
        let mut groups: BTreeMap<[bool; 3], u64> = BTreeMap::new();
        for request in &requests {
            *groups.entry(*request).or_default() += 1;
        }
        let mut aggregate = ShadowAggregate::new(chain);
        for (outcomes, count) in groups {
            let known: Vec<Option<bool>> = outcomes.iter().map(|&o| Some(o)).collect();
            aggregate.add(&plan.cases(&known), human, count).unwrap();
        }

        let replayed = &aggregate.totals;
        prop_assert_eq!(replayed.cost, exact.expected_cost);
        prop_assert_eq!(replayed.success_rate(), exact.success_rate);
        prop_assert_eq!(replayed.rework_rate(), exact.rework_rate);
        prop_assert_eq!(replayed.escalation_rate(), exact.escalation_rate);
        prop_assert_eq!(replayed.human_cost, exact.human_cost);
        prop_assert_eq!(replayed.failed / n, exact.failed_rate);
        prop_assert!(aggregate.assumed().is_empty());

        // The independence prediction costs exactly what the closed form does; its shares
        // go through × requests ÷ requests, so they agree to 25 digits.
        let predicted = aggregate.independence();
        prop_assert_eq!(predicted.cost, independent.expected_cost);
        prop_assert_eq!(predicted.human_cost, independent.human_cost);
        let close = |a: Decimal, b: Decimal| (a - b).abs() <= Decimal::new(1, 25);
        prop_assert!(close(predicted.success_rate(), independent.success_rate));
        prop_assert!(close(predicted.rework_rate(), independent.rework_rate));
        prop_assert!(close(predicted.escalation_rate(), independent.escalation_rate));
        // Correlated outcomes make the prediction differ; it must not be the replay itself.
        if exact.success_rate != independent.success_rate {
            prop_assert_ne!(predicted.success_rate(), replayed.success_rate());
        }
    }
}
