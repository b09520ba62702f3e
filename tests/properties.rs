//! Invariants of the engine over generated scenarios.
//!
//! - a policy's total is the sum of its lines, and equals the cost formula of PRODUCT.md
//!   computed independently here;
//! - every input and output token of a workload is billed exactly once across its lines;
//! - the result does not depend on the order of workloads, policies or catalogue files.

use mixcost::engine::breakdown::{Component, Evaluation};
use mixcost::engine::evaluate::evaluate;
use mixcost::load::pricing::{build_catalogue, load_catalogue, SHIPPED};
use mixcost::load::scenario::load_scenario;
use mixcost::load::source::SourceFile;
use mixcost::model::catalogue::Catalogue;
use proptest::prelude::*;
use rust_decimal::Decimal;

#[derive(Clone, Debug)]
struct GeneratedWorkload {
    input: u64,
    output: u64,
    /// Percentages, so the YAML text and the expected value agree exactly.
    cache_hit_pct: u32,
    batch_pct: u32,
}

fn workload_strategy() -> impl Strategy<Value = GeneratedWorkload> {
    (
        0u64..5_000_000_000,
        0u64..1_000_000_000,
        0u32..=100,
        0u32..=100,
    )
        .prop_map(
            |(input, output, cache_hit_pct, batch_pct)| GeneratedWorkload {
                input,
                output,
                cache_hit_pct,
                batch_pct,
            },
        )
}

const MODELS: [&str; 5] = [
    "gpt-5.5",
    "deepseek-v4-flash",
    "claude-haiku-4-5",
    "gemini-2.5-flash",
    "gpt-5-mini",
];

/// A scenario text with the workloads in the given order and one policy per model, each
/// policy listing its routes in the given order.
fn scenario_text(
    workloads: &[(usize, GeneratedWorkload)],
    policy_order: &[usize],
    discount_pct: u32,
) -> String {
    let mut text = format!(
        "name: generated\nas_of: 2026-06-01\ndiscounts: {{openai: {discount_pct}%}}\nworkloads:\n"
    );
    for (index, workload) in workloads {
        text.push_str(&format!(
            "  - name: w{index}\n    input_tokens: {}\n    output_tokens: {}\n    cache_hit_rate: {}%\n    batch_share: {}%\n",
            workload.input, workload.output, workload.cache_hit_pct, workload.batch_pct
        ));
    }
    text.push_str("policies:\n");
    for &model_index in policy_order {
        let model = MODELS[model_index];
        text.push_str(&format!("  - name: on-{model}\n    routes:\n"));
        for (index, _) in workloads {
            // Even workloads go to the policy's model, odd ones to gpt-5.5.
            let routed = if index % 2 == 0 { model } else { "gpt-5.5" };
            text.push_str(&format!(
                "      - match: {{workload: w{index}}}\n        model: {routed}\n"
            ));
        }
    }
    text.push_str(&format!("baseline: on-{}\n", MODELS[policy_order[0]]));
    text
}

fn catalogue() -> Catalogue {
    load_catalogue(&[]).expect("the shipped catalogue loads").0
}

fn run(catalogue: &Catalogue, text: String) -> Evaluation {
    let source = SourceFile::new("generated.yaml", text);
    let (scenario, _) = load_scenario(&source, catalogue).expect("the generated scenario is valid");
    evaluate(&scenario, catalogue).expect("the generated scenario prices")
}

/// Totals per policy name, sorted, for order-independent comparison.
fn totals(evaluation: &Evaluation) -> Vec<(String, Decimal)> {
    let mut totals: Vec<_> = evaluation
        .policies
        .iter()
        .map(|p| (p.policy.clone(), p.total))
        .collect();
    totals.sort();
    totals
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn totals_are_sums_of_lines_and_tokens_are_billed_once(
        workloads in prop::collection::vec(workload_strategy(), 1..6),
        discount_pct in 0u32..=30,
    ) {
        let catalogue = catalogue();
        let indexed: Vec<_> = workloads.iter().cloned().enumerate().collect();
        let evaluation = run(&catalogue, scenario_text(&indexed, &[0, 1, 2, 3, 4], discount_pct));
        for policy in &evaluation.policies {
            let sum: Decimal = policy.lines.iter().map(|line| line.cost).sum();
            prop_assert_eq!(policy.total, sum);
            for (index, workload) in &indexed {
                let name = format!("w{index}");
                let lines: Vec<_> = policy.lines.iter().filter(|l| l.workload == name).collect();
                let input: Decimal = lines.iter().filter(|l| l.component != Component::Output).map(|l| l.tokens).sum();
                let output: Decimal = lines.iter().filter(|l| l.component == Component::Output).map(|l| l.tokens).sum();
                prop_assert_eq!(input, Decimal::from(workload.input));
                prop_assert_eq!(output, Decimal::from(workload.output));
            }
        }
    }

    #[test]
    fn gpt55_cost_matches_the_product_formula(
        workloads in prop::collection::vec(workload_strategy(), 1..6),
        discount_pct in 0u32..=30,
    ) {
        // Policy on-gpt-5.5 sends every workload to GPT-5.5: in 5, cached 0.50, out 30,
        // batch 50% off; the OpenAI discount applies to all of it.
        let catalogue = catalogue();
        let indexed: Vec<_> = workloads.iter().cloned().enumerate().collect();
        let evaluation = run(&catalogue, scenario_text(&indexed, &[0], discount_pct));
        let hundred = Decimal::ONE_HUNDRED;
        let expected: Decimal = workloads.iter().map(|w| {
            let (input, output) = (Decimal::from(w.input), Decimal::from(w.output));
            let h = Decimal::from(w.cache_hit_pct) / hundred;
            let b = Decimal::from(w.batch_pct) / hundred;
            let standard = (input * (Decimal::ONE - h) * Decimal::from(5)
                + input * h * Decimal::new(5, 1)
                + output * Decimal::from(30)) / Decimal::from(1_000_000);
            let batch = standard / Decimal::TWO;
            ((Decimal::ONE - b) * standard + b * batch)
                * (Decimal::ONE - Decimal::from(discount_pct) / hundred)
        }).sum();
        let difference = (evaluation.policies[0].total - expected).abs();
        // Both sides are exact up to Decimal's 28-digit scale; allow rounding at that scale.
        prop_assert!(difference < Decimal::new(1, 15), "engine {} vs formula {expected}", evaluation.policies[0].total);
    }

    #[test]
    fn results_do_not_depend_on_the_order_of_workloads_or_policies(
        workloads in prop::collection::vec(workload_strategy(), 1..6),
        seed in any::<u64>(),
    ) {
        let catalogue = catalogue();
        let indexed: Vec<_> = workloads.iter().cloned().enumerate().collect();
        let forward = run(&catalogue, scenario_text(&indexed, &[0, 1, 2, 3, 4], 10));
        let mut shuffled = indexed.clone();
        let mut policies = vec![0usize, 1, 2, 3, 4];
        // A deterministic shuffle driven by the generated seed.
        let mut state = seed | 1;
        let mut next = |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound as u64) as usize
        };
        for i in (1..shuffled.len()).rev() { let j = next(i + 1); shuffled.swap(i, j); }
        for i in (1..policies.len()).rev() { let j = next(i + 1); policies.swap(i, j); }
        let reordered = run(&catalogue, scenario_text(&shuffled, &policies, 10));
        prop_assert_eq!(totals(&forward), totals(&reordered));
    }
}

#[test]
fn catalogue_does_not_depend_on_the_order_of_its_files() {
    let sources: Vec<SourceFile> = SHIPPED
        .iter()
        .map(|(name, text)| SourceFile::new(*name, *text))
        .collect();
    let (forward, _) = build_catalogue(sources.iter()).unwrap();
    let (backward, _) = build_catalogue(sources.iter().rev()).unwrap();
    assert_eq!(forward.models, backward.models);
    let seed = SourceFile::new("seed.yaml", mixcost::load::scenario::SEED);
    let (scenario, _) = load_scenario(&seed, &forward).unwrap();
    assert_eq!(
        evaluate(&scenario, &forward).unwrap(),
        evaluate(&scenario, &backward).unwrap()
    );
}
