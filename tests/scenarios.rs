//! The shipped scenarios, priced and checked against totals computed by hand.
//!
//! Each expected figure is worked out in the comment above it from the prices in
//! the verified price list (PRICES.md), so a change to the catalogue or the engine that moves a total shows up
//! here with the arithmetic to check it against.

use mixcost::engine::breakdown::Evaluation;
use mixcost::engine::evaluate::evaluate;
use mixcost::load::pricing::load_catalogue;
use mixcost::load::scenario::load_scenario;
use mixcost::load::source::SourceFile;
use rust_decimal::{dec, Decimal};

fn priced(path: &str) -> Evaluation {
    let (catalogue, _) = load_catalogue(&[]).expect("the shipped catalogue loads");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = SourceFile::read(&root.join(path)).expect("the scenario file reads");
    let (scenario, warnings) = load_scenario(&source, &catalogue).expect("the scenario is valid");
    assert!(warnings.is_empty(), "unexpected warnings: {warnings:?}");
    evaluate(&scenario, &catalogue).expect("the scenario prices")
}

fn total(evaluation: &Evaluation, policy: &str) -> Decimal {
    evaluation
        .policies
        .iter()
        .find(|p| p.policy == policy)
        .unwrap_or_else(|| panic!("no policy {policy}"))
        .total
}

fn assumptions(evaluation: &Evaluation) -> Vec<String> {
    evaluation
        .assumptions
        .iter()
        .map(|a| format!("{} | {} | {}", a.workload, a.text, a.policies.join(",")))
        .collect()
}

#[test]
fn seed_reproduces_the_reference_example() {
    let evaluation = priced("scenarios/seed.yaml");
    // 130M × $5 + 30M × $30 = 650 + 900
    assert_eq!(total(&evaluation, "all-gpt-5.5"), dec!(1550));
    // repetitive on V4 Flash: 100M × 0.14 + 20M × 0.28 = 14 + 5.60; hard on GPT-5.5: 150 + 300
    assert_eq!(total(&evaluation, "mixed-flash"), dec!(469.60));
    // repetitive on V4 Pro at list: 100M × 1.74 + 20M × 3.48 = 174 + 69.60; hard: 450
    assert_eq!(total(&evaluation, "mixed-pro"), dec!(693.60));
    assert!(evaluation.assumptions.is_empty());
}

#[test]
fn seed_with_effective_pro_prices_applies_the_launch_promotion() {
    let (catalogue, _) = load_catalogue(&[]).unwrap();
    let text = mixcost::load::scenario::SEED.replace(
        "        prices: list          # ignore promotions; default is `effective`\n",
        "",
    );
    let (scenario, _) =
        load_scenario(&SourceFile::new("seed-effective.yaml", text), &catalogue).unwrap();
    let evaluation = evaluate(&scenario, &catalogue).unwrap();
    // 75% off on 2026-05-20: 100M × 0.435 + 20M × 0.87 = 43.50 + 17.40; hard: 450
    assert_eq!(total(&evaluation, "mixed-pro"), dec!(510.90));
}

#[test]
fn support_desk_prices_cache_hits_at_the_cached_rate() {
    let evaluation = priced("scenarios/support-desk.yaml");
    // triage: 1.2M requests × 1,500 in = 1.8B input, 80% cached; 72M output.
    //   GPT-5.5: 360M × 5 + 1,440M × 0.50 + 72M × 30 = 1,800 + 720 + 2,160 = 4,680
    // replies: 400k × 6,000 = 2.4B input, 60% cached; 200M output.
    //   GPT-5.5: 960M × 5 + 1,440M × 0.50 + 200M × 30 = 4,800 + 720 + 6,000 = 11,520
    assert_eq!(total(&evaluation, "all-gpt-5.5"), dec!(16200));
    // triage on V4 Flash (cache hit 0.0028 since 2026-04-26):
    //   360M × 0.14 + 1,440M × 0.0028 + 72M × 0.28 = 50.40 + 4.032 + 20.16 = 74.592
    assert_eq!(total(&evaluation, "flash-triage"), dec!(11594.592));
    // triage on GPT-5 mini: 360M × 0.25 + 1,440M × 0.025 + 72M × 2 = 90 + 36 + 144 = 270
    // replies on GPT-5.5 flex (50% off): 11,520 / 2 = 5,760
    assert_eq!(total(&evaluation, "mini-triage-flex-replies"), dec!(6030));
    assert!(evaluation.assumptions.is_empty());
}

#[test]
fn document_pipeline_applies_batch_prices_and_the_negotiated_discount() {
    let evaluation = priced("scenarios/document-pipeline.yaml");
    // ingest on GPT-5.5, 75% batch (50% off): standard 200M × 5 + 30M × 30 = 1,900;
    //   batch 600M × 2.5 + 90M × 15 = 2,850; 4,750 × (1 − 10%) = 4,275
    // summaries, 50% batch: 1,100 + 550 = 1,650 × 0.9 = 1,485
    assert_eq!(total(&evaluation, "all-gpt-5.5"), dec!(5760));
    // ingest on GPT-5 mini: standard 200M × 0.25 + 30M × 2 = 110; batch 600M × 0.125 + 90M × 1
    //   = 165; 275 × 0.9 = 247.50; summaries 1,485
    assert_eq!(total(&evaluation, "mini-ingest"), dec!(1732.50));
    // ingest on V4 Pro after the promotion became list (0.435 / 0.87), no batch tier and no
    //   OpenAI discount: 800M × 0.435 + 120M × 0.87 = 348 + 104.40; summaries 1,485
    assert_eq!(total(&evaluation, "pro-ingest"), dec!(1937.40));
    assert_eq!(
        assumptions(&evaluation),
        ["ingest | deepseek-v4-pro has no batch prices; its batch traffic is priced at standard prices | pro-ingest"]
    );
}

#[test]
fn multi_vendor_uses_long_context_prices_and_cache_writes() {
    let evaluation = priced("scenarios/multi-vendor.yaml");
    // contracts: 10k × 300k = 3B input, 40M output, each request above Sonnet's 200k threshold:
    //   3B × 6.00 + 40M × 22.50 = 18,000 + 900 = 18,900
    // tagging on Sonnet: 200M × 3 + 250M × 0.30 + 50M × 3.75 (5-min write) + 25M × 15
    //   = 600 + 75 + 187.50 + 375 = 1,237.50
    assert_eq!(total(&evaluation, "all-sonnet"), dec!(20137.50));
    // contracts on Gemini 2.5 Pro above 200k: 3B × 2.50 + 40M × 15 = 7,500 + 600 = 8,100
    // tagging on Flash-Lite (no cache-write price → input price 0.10):
    //   200M × 0.10 + 250M × 0.01 + 50M × 0.10 + 25M × 0.40 = 20 + 2.50 + 5 + 10 = 37.50
    assert_eq!(total(&evaluation, "gemini-mix"), dec!(8137.50));
    // tagging on Haiku: 200M × 1 + 250M × 0.10 + 50M × 1.25 + 25M × 5 = 200 + 25 + 62.50 + 125
    assert_eq!(total(&evaluation, "haiku-tagging"), dec!(19312.50));
    assert_eq!(
        assumptions(&evaluation),
        ["tagging | gemini-2.5-flash-lite publishes no cache-write price; priced at its input price | gemini-mix"]
    );
}
