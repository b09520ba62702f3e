//! Property tests of the override and range parser (`--set PATH=VALUE`, `--vary PATH=RANGE`)
//! and of applying what it parses:
//!
//! - no string, however hostile, makes parsing or applying panic: it parses, or it is an
//!   error naming the path;
//! - a range's count, found without generating it, is the number of values it generates;
//! - parse → apply round-trips: an absolute share, token count or price written on the
//!   command line is exactly the value the scenario then holds, and a factor scales a token
//!   count to the whole number nearest the exact product.
//!
//! 256 cases per property keep `cargo test` quick; `PROPTEST_CASES=100000` runs longer.

use mixcost::engine::overrides::{apply, Change};
use mixcost::load::overrides::{dimension_len, parse_assignment, parse_dimension};
use mixcost::load::pricing::load_catalogue;
use mixcost::load::scenario::{load_scenario, seed_source};
use mixcost::model::catalogue::Catalogue;
use mixcost::model::scenario::Scenario;
use std::sync::OnceLock;

use proptest::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};

fn config() -> ProptestConfig {
    if std::env::var_os("PROPTEST_CASES").is_some() {
        ProptestConfig::default()
    } else {
        ProptestConfig::with_cases(256)
    }
}

/// The seed scenario and the shipped catalogue, loaded once.
fn seed() -> (&'static Scenario, &'static Catalogue) {
    static SEED: OnceLock<(Scenario, Catalogue)> = OnceLock::new();
    let (scenario, catalogue) = SEED.get_or_init(|| {
        let (catalogue, _) = load_catalogue(&[]).expect("the shipped catalogue loads");
        let (scenario, _) = load_scenario(&seed_source(), &catalogue).expect("the seed loads");
        (scenario, catalogue)
    });
    (scenario, catalogue)
}

/// Paths, valid and not, with a tail of arbitrary text.
fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("workloads.*.cache_hit_rate".to_string()),
        Just("workloads.hard.volume".to_string()),
        Just("workloads.repetitive.input_tokens".to_string()),
        Just("workloads.*.output_tokens".to_string()),
        Just("workloads.hard.requests".to_string()),
        Just("models.gpt-5.5.output".to_string()),
        Just("models.deepseek-v4-flash.cached_input".to_string()),
        Just("discounts.openai".to_string()),
        Just("as_of".to_string()),
        "[a-z_.*-]{0,30}",
        ".{0,20}",
    ]
}

/// Values shaped like what users write, numbers at every size, and arbitrary text.
fn value() -> impl Strategy<Value = String> {
    let number = prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        (any::<u32>(), 0u32..30).prop_map(|(m, e)| format!("{m}e{e}")),
        (any::<u64>(), 0u32..28)
            .prop_map(|(m, s)| Decimal::from_i128_with_scale(m as i128, s).to_string()),
        Just("79228162514264337593543950335".to_string()),
        Just("1e28".to_string()),
        Just("-0".to_string()),
        Just("NaN".to_string()),
    ];
    let number2 = number.clone();
    prop_oneof![
        number.clone(),
        number.clone().prop_map(|n| format!("x{n}")),
        number.clone().prop_map(|n| format!("+{n}%")),
        number.clone().prop_map(|n| format!("-{n}%")),
        number.clone().prop_map(|n| format!("{n}%")),
        number.clone().prop_map(|n| format!("{n}M")),
        (number.clone(), number2.clone(), number2.clone())
            .prop_map(|(a, b, c)| format!("{a}:{b}:{c}")),
        (number, number2.clone(), number2).prop_map(|(a, b, c)| format!("x{a}:x{b}:x{c}")),
        "[0-9x.:,%+eE-]{0,24}",
        ".{0,24}",
    ]
}

proptest! {
    #![proptest_config(config())]

    /// Parsing and applying any `--set` never panics.
    #[test]
    fn any_assignment_parses_and_applies_without_a_panic(path in path(), value in value()) {
        let (scenario, catalogue) = seed();
        let text = format!("{path}={value}");
        if let Ok(item) = parse_assignment(&text) {
            let _ = apply(scenario, catalogue, &[item]);
        }
        let _ = parse_assignment(&value);
    }

    /// Any `--vary` either parses, with as many values as its count says, or is an error; a
    /// range too long to generate is counted, never generated.
    #[test]
    fn any_range_parses_without_a_panic_and_counts_its_values(path in path(), value in value()) {
        let text = format!("{path}={value}");
        let counted = dimension_len(&text);
        if let Ok(count) = counted {
            if count <= 100_000 {
                match parse_dimension(&text) {
                    Ok(dimension) => {
                        prop_assert_eq!(dimension.values.len() as u64, count);
                        prop_assert_eq!(dimension.labels().len() as u64, count);
                    }
                    Err(error) => prop_assert!(!error.message.is_empty()),
                }
            }
        } else {
            prop_assert!(parse_dimension(&text).is_err());
        }
    }

    /// An absolute share set on the command line is the share the workloads then hold.
    #[test]
    fn a_share_round_trips(permille in 0u32..=1000) {
        let (scenario, catalogue) = seed();
        let share = Decimal::new(permille.into(), 3);
        let item = parse_assignment(&format!("workloads.*.batch_share={share}")).unwrap();
        let (changed, _) = apply(scenario, catalogue, &[item]).unwrap();
        for workload in &changed.workloads {
            prop_assert_eq!(workload.batch_share, share);
        }
    }

    /// A token count, with or without a suffix, is exactly the count the workload holds.
    #[test]
    fn a_token_count_round_trips(count in 0u64..=u64::MAX / 1000, suffix in prop_oneof![Just(""), Just("k")]) {
        let (scenario, catalogue) = seed();
        let item = parse_assignment(&format!("workloads.hard.output_tokens={count}{suffix}")).unwrap();
        let (changed, _) = apply(scenario, catalogue, &[item]).unwrap();
        let expected = if suffix == "k" { count * 1000 } else { count };
        prop_assert_eq!(changed.workload("hard").unwrap().output_tokens, expected);
    }

    /// A price at most the price-file cap is exactly the price then in effect; above it, an
    /// error naming the path.
    #[test]
    fn a_price_round_trips_or_is_refused(cents in 0u64..=200_000_000) {
        let (scenario, catalogue) = seed();
        let price = Decimal::new(cents as i64, 2);
        let text = format!("models.gpt-5.5.output={price}");
        match parse_assignment(&text) {
            Ok(item) => {
                prop_assert!(price <= Decimal::from(1_000_000));
                let (_, changed) = apply(scenario, catalogue, &[item]).unwrap();
                let model = changed.model("gpt-5.5").unwrap();
                let set = model.prices.iter().rev().find(|set| set.from <= scenario.as_of).unwrap();
                prop_assert_eq!(set.rates.output, price);
            }
            Err(error) => {
                prop_assert!(price > Decimal::from(1_000_000));
                prop_assert_eq!(error.path, "models.gpt-5.5.output");
            }
        }
    }

    /// A volume factor scales token counts to the whole number nearest the exact product, or
    /// is an error when the product is beyond what a count holds.
    #[test]
    fn a_volume_factor_scales_to_the_nearest_whole_count(mantissa in 0u64..u64::MAX, scale in 0u32..20) {
        let (scenario, catalogue) = seed();
        let factor = Decimal::from_i128_with_scale(mantissa as i128, scale);
        let item = parse_assignment(&format!("workloads.hard.volume=x{factor}")).unwrap();
        prop_assert_eq!(item.change, Change::Scale(factor));
        let before = scenario.workload("hard").unwrap().input_tokens;
        let exact = Decimal::from(before).checked_mul(factor);
        let expected = exact
            .map(|p| p.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero))
            .and_then(|p| u64::try_from(p).ok());
        match apply(scenario, catalogue, &[item]) {
            Ok((changed, _)) => prop_assert_eq!(Some(changed.workload("hard").unwrap().input_tokens), expected),
            Err(error) => {
                prop_assert_eq!(expected, None);
                prop_assert_eq!(error.path, "workloads.hard.volume");
            }
        }
    }
}
