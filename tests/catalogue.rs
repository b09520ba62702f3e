//! The shipped catalogue: the dated facts of ../shared/PRICES.md. The cross-check of the current
//! prices against LiteLLM's public price map needs ../shared/data, which a fresh clone lacks, so
//! it is a script run by CI and by hand: `checks/litellm-prices.sh`.

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
