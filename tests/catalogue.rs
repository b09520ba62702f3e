//! The shipped catalogue: the dated facts of the verified price list (PRICES.md), the imported
//! layers, and where the hand-checked prices and the imported snapshots disagree.

use jiff::Timestamp;
use mixcost::engine::breakdown::{Billing, Window};
use mixcost::engine::prices::{quote, Columns, Slice};
use mixcost::load::pricing::load_catalogue;
use mixcost::load::values::instant;
use mixcost::model::catalogue::Catalogue;
use mixcost::model::scenario::PriceMode;
use rust_decimal::{dec, Decimal};

fn catalogue() -> Catalogue {
    load_catalogue(&[]).expect("the shipped catalogue loads").0
}

fn at(text: &str) -> Timestamp {
    instant(text).unwrap()
}

fn prices(catalogue: &Catalogue, model: &str, when: &str, slice: Slice) -> Columns {
    quote(catalogue.model(model).unwrap(), at(when), slice)
        .unwrap()
        .columns
}

/// (input, cached input, output)
fn triple(columns: Columns) -> (Decimal, Decimal, Decimal) {
    (columns.uncached_input, columns.cached_input, columns.output)
}

#[test]
fn deepseek_history_on_the_reference_date() {
    let c = catalogue();
    let list = Slice::standard(PriceMode::List);
    let effective = Slice::standard(PriceMode::Effective);
    assert_eq!(
        triple(prices(&c, "deepseek-v4-flash", "2026-05-20", effective)),
        (dec!(0.14), dec!(0.0028), dec!(0.28))
    );
    assert_eq!(
        triple(prices(&c, "deepseek-v4-pro", "2026-05-20", list)),
        (dec!(1.74), dec!(0.0145), dec!(3.48))
    );
    assert_eq!(
        triple(prices(&c, "deepseek-v4-pro", "2026-05-20", effective)),
        (dec!(0.435), dec!(0.003625), dec!(0.87))
    );
    // Launch day, before the cache-hit cut of 2026-04-26T12:15Z.
    assert_eq!(
        triple(prices(
            &c,
            "deepseek-v4-flash",
            "2026-04-26T12:14:00Z",
            list
        ))
        .1,
        dec!(0.028)
    );
}

#[test]
fn pro_promotion_ends_and_becomes_the_list_price() {
    let c = catalogue();
    let effective = Slice::standard(PriceMode::Effective);
    let list = Slice::standard(PriceMode::List);
    // Last minute of the extended promotion.
    assert_eq!(
        triple(prices(
            &c,
            "deepseek-v4-pro",
            "2026-05-31T15:59:00Z",
            effective
        ))
        .0,
        dec!(0.435)
    );
    assert_eq!(
        triple(prices(&c, "deepseek-v4-pro", "2026-05-31T15:59:00Z", list)).0,
        dec!(1.74)
    );
    // From 16:00 the discounted price is the list price.
    assert_eq!(
        triple(prices(&c, "deepseek-v4-pro", "2026-05-31T16:00:00Z", list)),
        (dec!(0.435), dec!(0.003625), dec!(0.87))
    );
}

#[test]
fn off_peak_billing_and_the_newest_prices() {
    let c = catalogue();
    let off_peak = Slice {
        window: Window::OffPeak,
        ..Slice::standard(PriceMode::List)
    };
    // From 2026-08-16T16:00Z off-peak hours cost half.
    assert_eq!(
        triple(prices(&c, "deepseek-v4-flash", "2026-09-01", off_peak)),
        (dec!(0.07), dec!(0.0014), dec!(0.14))
    );
    assert_eq!(
        triple(prices(
            &c,
            "deepseek-v4-pro",
            "2026-11-01",
            Slice::standard(PriceMode::List)
        )),
        (dec!(1.32), dec!(0.044), dec!(3.96))
    );
    assert_eq!(
        triple(prices(&c, "deepseek-v4-pro", "2026-11-01", off_peak)),
        (dec!(0.66), dec!(0.022), dec!(1.98))
    );
}

#[test]
fn openai_tiers_and_long_context() {
    let c = catalogue();
    let tier = |billing| Slice {
        billing,
        ..Slice::standard(PriceMode::List)
    };
    assert_eq!(
        triple(prices(&c, "gpt-5.5", "2026-05-20", tier(Billing::Priority))),
        (dec!(12.50), dec!(1.25), dec!(75))
    );
    assert_eq!(
        triple(prices(&c, "gpt-5.5", "2026-05-20", tier(Billing::Batch))),
        (dec!(2.5), dec!(0.25), dec!(15))
    );
    let long_batch = Slice {
        context: mixcost::engine::breakdown::Context::Long,
        ..tier(Billing::Batch)
    };
    assert_eq!(
        triple(prices(&c, "gpt-5.5", "2026-05-20", long_batch)),
        (dec!(5), dec!(0.5), dec!(22.5))
    );
}

// The comparison of the current prices with LiteLLM's map (which needs the reference data) is
// checks/catalogue-crosscheck.sh, run by .ci/run: every hand-checked model, plain, cached,
// batch, flex, priority and long-context requests, against both databases, to the cent.

#[test]
fn self_hosted_prices_follow_from_gpu_cost_and_throughput() {
    // 11,361 tokens/s on one 8×H100 node → 40,899,600 tokens per hour.
    let tokens_per_hour = Decimal::from(11_361 * 3_600);
    let per_million = |node_per_hour: Decimal| {
        (node_per_hour / tokens_per_hour * Decimal::from(1_000_000)).round_dp(5)
    };
    let c = catalogue();
    let list = Slice::standard(PriceMode::List);
    // Lambda: 8 × $3.99 per GPU-hour; AWS p5.48xlarge: $55.04 per instance-hour.
    let lambda = prices(&c, "deepseek-v4-flash-8xh100-lambda", "2026-11-29", list);
    assert_eq!(
        lambda.uncached_input,
        per_million(dec!(3.99) * Decimal::from(8))
    );
    assert_eq!(lambda.output, lambda.uncached_input);
    let aws = prices(&c, "deepseek-v4-flash-8xh100-aws", "2026-11-29", list);
    assert_eq!(aws.uncached_input, per_million(dec!(55.04)));
    assert_eq!(aws.uncached_input, dec!(1.34573));
}

#[test]
fn sonnet_4_5_long_context_cache_prices_follow_the_multipliers() {
    let c = catalogue();
    let long = Slice {
        context: mixcost::engine::breakdown::Context::Long,
        ..Slice::standard(PriceMode::List)
    };
    let quote = quote(
        c.model("claude-sonnet-4-5").unwrap(),
        at("2026-04-01"),
        long,
    )
    .unwrap();
    assert_eq!(quote.columns.uncached_input, dec!(6));
    assert_eq!(quote.columns.cached_input, dec!(0.6));
    assert_eq!(quote.columns.cache_write, dec!(7.5));
    assert_eq!(quote.columns.output, dec!(22.5));
    assert!(quote.fallbacks.is_empty(), "{:?}", quote.fallbacks);
    let batch = Slice {
        billing: Billing::Batch,
        ..long
    };
    let columns = prices(&c, "claude-sonnet-4-5", "2026-04-01", batch);
    assert_eq!(
        (columns.cached_input, columns.cache_write),
        (dec!(0.3), dec!(3.75))
    );
}

#[test]
fn context_windows_and_retirement_carry_dates() {
    let c = catalogue();
    let sonnet = c.model("claude-sonnet-4-5").unwrap();
    assert_eq!(sonnet.context_window_at(at("2026-04-29")), Some(1_000_000));
    assert_eq!(sonnet.context_window_at(at("2026-04-30")), Some(200_000));
    assert!(!sonnet.is_retired(at("2026-11-29T23:59:59Z")));
    assert!(sonnet.is_retired(at("2026-11-30")));
    let gpt5 = c.model("gpt-5").unwrap();
    assert!(!gpt5.is_deprecated(at("2026-12-10")));
    assert!(gpt5.is_deprecated(at("2026-12-11")));
    assert_eq!(gpt5.successor.as_deref(), Some("gpt-5.6-sol"));
    assert!(c.models.values().all(|model| model.deployment
        == mixcost::model::catalogue::Deployment::SelfHosted
        || model.checked.is_some()));
}

#[test]
fn gemini_tiers_keep_cache_hits_at_standard() {
    let c = catalogue();
    let tier = |billing| Slice {
        billing,
        ..Slice::standard(PriceMode::List)
    };
    assert_eq!(
        triple(prices(
            &c,
            "gemini-2.5-pro",
            "2026-11-01",
            tier(Billing::Batch)
        )),
        (dec!(0.625), dec!(0.125), dec!(5))
    );
    assert_eq!(
        triple(prices(
            &c,
            "gemini-2.5-pro",
            "2026-11-01",
            tier(Billing::Flex)
        )),
        (dec!(0.625), dec!(0.125), dec!(5))
    );
    assert_eq!(
        triple(prices(
            &c,
            "gemini-2.5-pro",
            "2026-11-01",
            tier(Billing::Priority)
        )),
        (dec!(2.25), dec!(0.225), dec!(18))
    );
    let long_batch = Slice {
        context: mixcost::engine::breakdown::Context::Long,
        ..tier(Billing::Batch)
    };
    assert_eq!(
        triple(prices(&c, "gemini-2.5-pro", "2026-11-01", long_batch)),
        (dec!(1.25), dec!(0.25), dec!(7.5))
    );
}

/// Every imported model in the shipped snapshots loads: the lazy layer hides nothing broken.
#[test]
fn every_shipped_imported_model_loads() {
    let c = catalogue();
    let (models, broken) = c.all_models();
    assert!(broken.is_empty(), "{broken:#?}");
    assert!(models.len() > 4000, "only {} models", models.len());
    let providers: std::collections::BTreeSet<&str> =
        models.iter().map(|m| m.provider.as_str()).collect();
    assert!(providers.len() > 100, "only {} providers", providers.len());
    // Every imported price set names its database, version and key.
    for model in models.iter().filter(|m| c.is_imported(&m.id)) {
        for set in &model.prices {
            let provenance = set.provenance.as_ref().expect("provenance");
            assert!(!provenance.key.is_empty() && !provenance.version.is_empty());
        }
    }
}

/// Hand-checked models that an imported snapshot also prices, and where their current prices
/// disagree, with the reason the hand-checked (vendor-page) figure stands.
const KNOWN_DISAGREEMENTS: &[(&str, &str, &str)] = &[
    (
        "claude-sonnet-5",
        "litellm",
        "LiteLLM 1.110.2 keeps the introductory 2 / 0.20 / 10 past its end (2026-08-31); Anthropic's price is 3 / 0.30 / 15 from 2026-09-01 (https://platform.claude.com/docs/en/about-claude/pricing)",
    ),
    (
        "deepseek-v4-flash",
        "genai-prices",
        "the 2026-08-21 snapshot predates DeepSeek's Oct 2026 page (0.30 / 0.006 / 1.20 peak, https://api-docs.deepseek.com/quick_start/pricing) and has no peak / off-peak window",
    ),
    (
        "deepseek-v4-pro",
        "genai-prices",
        "the 2026-08-21 snapshot predates DeepSeek's Oct 2026 page (1.32 / 0.044 / 3.96 peak, https://api-docs.deepseek.com/quick_start/pricing) and has no peak / off-peak window",
    ),
];

#[test]
fn curated_and_imported_prices_disagree_only_where_listed() {
    let c = catalogue();
    let when = at("2026-11-29");
    let mut found = Vec::new();
    for file in mixcost::load::pricing::embedded::IMPORTED {
        for &(id, ..) in file.models {
            let Some(curated) = c.models.get(id) else {
                continue;
            };
            let source = mixcost::model::catalogue::DeferredSource {
                file: file.name.into(),
                provider: file.provider.into(),
                text: mixcost::model::catalogue::Text::Static(file.text),
                start: file.models.iter().find(|m| m.0 == id).unwrap().1,
                end: file.models.iter().find(|m| m.0 == id).unwrap().2,
                line: file.models.iter().find(|m| m.0 == id).unwrap().3,
            };
            let imported = mixcost::load::pricing::parse_deferred(&source).unwrap();
            let list = Slice::standard(PriceMode::List);
            let (Ok(ours), Ok(theirs)) = (quote(curated, when, list), quote(&imported, when, list))
            else {
                continue;
            };
            if triple(ours.columns) != triple(theirs.columns) {
                found.push((id.to_string(), file.layer.to_string()));
            }
        }
    }
    found.sort();
    found.dedup();
    let expected: Vec<(String, String)> = KNOWN_DISAGREEMENTS
        .iter()
        .map(|(id, layer, _)| (id.to_string(), layer.to_string()))
        .collect();
    assert_eq!(
        found, expected,
        "curated vs imported disagreements changed: add each with its reason"
    );
}
