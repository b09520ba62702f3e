//! pydantic/genai-prices' compiled file (`data-v2.json`): a list of providers, each with models
//! whose prices are USD per 1M tokens, either one price map or a list of them under
//! `constraint`s (`start_date`, or a daily `start_time`–`end_time` window). A price is a number
//! or `{base, tiers: [{start, price}]}`: above `start` input tokens the whole request is billed
//! at the tier price.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::{
    mixcost_id, price_per_million, undated, Database, Import, ImportError, PriceProblem, SkipReason,
};
use crate::model::catalogue::{
    Adjustment, Deployment, LongContext, Model, OffPeak, Origin, PriceSet, Provenance, Rates, Tiers,
};

#[derive(Deserialize)]
struct RawProvider<'a> {
    id: String,
    #[serde(default)]
    pricing_urls: Vec<String>,
    #[serde(borrow)]
    models: Vec<RawModel<'a>>,
}

#[derive(Deserialize)]
struct RawModel<'a> {
    id: String,
    context_window: Option<&'a RawValue>,
    deprecated: Option<bool>,
    price_comments: Option<String>,
    #[serde(borrow)]
    prices: &'a RawValue,
}

#[derive(Deserialize)]
struct RawConstrained<'a> {
    constraint: Option<BTreeMap<String, String>>,
    #[serde(borrow)]
    prices: BTreeMap<String, &'a RawValue>,
}

#[derive(Deserialize)]
struct RawTiered<'a> {
    #[serde(borrow)]
    base: &'a RawValue,
    #[serde(borrow)]
    tiers: Vec<RawTier<'a>>,
}

#[derive(Deserialize)]
struct RawTier<'a> {
    start: u64,
    #[serde(borrow)]
    price: &'a RawValue,
}

/// The columns mixcost holds; genai-prices' other units (audio, images, searches, requests)
/// are reported as dropped.
const COLUMNS: [&str; 5] = [
    "input_mtok",
    "cache_read_mtok",
    "cache_write_mtok",
    "cache_write_1h_mtok",
    "output_mtok",
];

/// The mixcost provider of a genai-prices provider id.
pub fn provider_of(id: &str) -> String {
    match id {
        "x-ai" => "xai".to_string(),
        "moonshotai" => "moonshot".to_string(),
        other => other.to_string(),
    }
}

type Problem = (SkipReason, String);

fn problem(name: &str) -> impl Fn(PriceProblem) -> Problem + '_ {
    move |p| (p.reason, format!("{name}: {}", p.detail))
}

/// One column: its base price and, when tiered, `(start, price)`.
fn column(name: &str, raw: &RawValue) -> Result<(Decimal, Option<(u64, Decimal)>), Problem> {
    if raw.get().trim_start().starts_with('{') {
        let tiered: RawTiered = serde_json::from_str(raw.get()).map_err(|error| {
            (
                SkipReason::NotADecimal,
                format!("{name}: not a price or {{base, tiers}} ({error})"),
            )
        })?;
        let base = price_per_million(tiered.base, 1_000_000).map_err(problem(name))?;
        match tiered.tiers.as_slice() {
            [] => Ok((base, None)),
            [tier] => Ok((
                base,
                Some((
                    tier.start,
                    price_per_million(tier.price, 1_000_000).map_err(problem(name))?,
                )),
            )),
            _ => Err((
                SkipReason::UnsupportedTiers,
                format!(
                    "{name} has {} request-size tiers; mixcost holds one",
                    tiered.tiers.len()
                ),
            )),
        }
    } else {
        Ok((
            price_per_million(raw, 1_000_000).map_err(problem(name))?,
            None,
        ))
    }
}

/// The standard rates and the long-context ones of one price map.
fn level(
    import: &mut Import,
    key: &str,
    prices: &BTreeMap<String, &RawValue>,
) -> Result<Option<(Rates, Option<LongContext>)>, Problem> {
    let mut base: BTreeMap<&str, Decimal> = BTreeMap::new();
    let mut tiered: BTreeMap<&str, (u64, Decimal)> = BTreeMap::new();
    for (name, raw) in prices {
        let Some(column_name) = COLUMNS.iter().find(|c| **c == name.as_str()) else {
            import.drop_field(
                key,
                name,
                "not a text-token price (audio, image, searches, requests)",
            );
            continue;
        };
        let (price, tier) = column(name, raw)?;
        base.insert(column_name, price);
        if let Some(tier) = tier {
            tiered.insert(column_name, tier);
        }
    }
    let (Some(&input), Some(&output)) = (base.get("input_mtok"), base.get("output_mtok")) else {
        return Ok(None);
    };
    let rates = |pick: &dyn Fn(&str) -> Option<Decimal>| Rates {
        input: pick("input_mtok").unwrap_or(input),
        cached_input: pick("cache_read_mtok"),
        cache_write: pick("cache_write_mtok"),
        cache_write_1h: pick("cache_write_1h_mtok"),
        output: pick("output_mtok").unwrap_or(output),
    };
    let standard = rates(&|name| base.get(name).copied());
    let starts: BTreeSet<u64> = tiered.values().map(|(start, _)| *start).collect();
    let long_context = match starts.len() {
        0 => None,
        1 => {
            let start = *starts.first().expect("one start");
            Some(LongContext {
                above_input_tokens: start,
                rates: rates(&|name| {
                    tiered
                        .get(name)
                        .map(|(_, price)| *price)
                        .or_else(|| base.get(name).copied())
                }),
                tiers: Tiers::default(),
            })
        }
        _ => {
            return Err((
                SkipReason::UnsupportedTiers,
                format!("columns tiered at different thresholds: {starts:?}"),
            ))
        }
    };
    Ok(Some((standard, long_context)))
}

/// `00:30:00Z` as minutes after midnight UTC.
fn clock(text: &str) -> Option<u16> {
    let text = text.trim().trim_end_matches('Z');
    let mut parts = text.split(':');
    let hours: u16 = parts.next()?.parse().ok()?;
    let minutes: u16 = parts.next()?.parse().ok()?;
    let seconds: u16 = parts.next().unwrap_or("0").parse().ok()?;
    (hours < 24 && minutes < 60 && seconds == 0).then_some(hours * 60 + minutes)
}

/// Converts `data-v2.json` (read from `file`) to mixcost models.
pub fn import(text: &str, file: &str, version: &str) -> Result<Import, ImportError> {
    let providers: Vec<RawProvider> =
        serde_json::from_str(text).map_err(|error| match error.classify() {
            serde_json::error::Category::Data => ImportError::Shape {
                file: file.to_string(),
                database: "genai-prices data-v2.json",
                what: format!("expected a list of providers with models ({error})"),
            },
            _ => ImportError::not_json(file, &error),
        })?;
    let mut import = Import::new(Database::GenaiPrices, version);
    for provider in &providers {
        let provider_id = provider_of(&provider.id);
        let source = provider
            .pricing_urls
            .first()
            .cloned()
            .unwrap_or_else(|| "https://github.com/pydantic/genai-prices".to_string());
        for raw in &provider.models {
            let key = format!("{}/{}", provider.id, raw.id);
            match model(&mut import, &key, &provider_id, &source, raw, version) {
                Ok(Some(model)) => import.add(&key, model),
                Ok(None) => import.skip(
                    &key,
                    SkipReason::NotTextGeneration,
                    "no input_mtok and output_mtok prices",
                ),
                Err((reason, detail)) => import.skip(&key, reason, detail),
            }
        }
    }
    if import.models.is_empty() {
        return Err(ImportError::Empty {
            file: file.to_string(),
            skipped: import.skipped.len(),
        });
    }
    Ok(import)
}

fn model(
    import: &mut Import,
    key: &str,
    provider: &str,
    source: &str,
    raw: &RawModel,
    version: &str,
) -> Result<Option<Model>, Problem> {
    let entries: Vec<RawConstrained> = if raw.prices.get().trim_start().starts_with('[') {
        serde_json::from_str(raw.prices.get())
            .map_err(|error| (SkipReason::NotAnEntry, format!("prices: {error}")))?
    } else {
        vec![RawConstrained {
            constraint: None,
            prices: serde_json::from_str(raw.prices.get())
                .map_err(|error| (SkipReason::NotAnEntry, format!("prices: {error}")))?,
        }]
    };
    let provenance = Provenance {
        database: Database::GenaiPrices.id().to_string(),
        version: version.to_string(),
        key: key.to_string(),
    };
    let set = |from, rates, long_context, off_peak, note: Option<String>| PriceSet {
        from,
        source: source.to_string(),
        note,
        rates,
        tiers: Tiers::default(),
        regional_processing: None,
        long_context,
        cache_multipliers: None,
        off_peak,
        promotions: Vec::new(),
        provenance: Some(provenance.clone()),
    };
    let mut undated_level = None;
    let mut dated = Vec::new();
    let mut window = None;
    for entry in &entries {
        let Some(level) = level(import, key, &entry.prices)? else {
            return Ok(None);
        };
        match &entry.constraint {
            None => {
                if undated_level.replace(level).is_some() {
                    return Err((
                        SkipReason::UnsupportedConstraint,
                        "two price maps without a constraint".to_string(),
                    ));
                }
            }
            Some(constraint) => {
                let keys: Vec<&str> = constraint.keys().map(String::as_str).collect();
                match keys.as_slice() {
                    ["start_date"] => {
                        let date = crate::load::values::instant(&constraint["start_date"])
                            .map_err(|p| (SkipReason::UnsupportedConstraint, p.message))?;
                        dated.push((date, level));
                    }
                    ["end_time", "start_time"] => {
                        let (Some(start), Some(end)) = (
                            clock(&constraint["start_time"]),
                            clock(&constraint["end_time"]),
                        ) else {
                            return Err((
                                SkipReason::UnsupportedConstraint,
                                format!("time window {constraint:?} is not whole minutes UTC"),
                            ));
                        };
                        if window.replace((start, end, level)).is_some() {
                            return Err((
                                SkipReason::UnsupportedConstraint,
                                "more than one time-of-day window".to_string(),
                            ));
                        }
                    }
                    other => {
                        return Err((
                            SkipReason::UnsupportedConstraint,
                            format!("constraint on {}", other.join(", ")),
                        ))
                    }
                }
            }
        }
    }
    let comments = raw.price_comments.clone();
    let mut prices = Vec::new();
    match (window, undated_level) {
        (Some((start, end, (peak, peak_long))), Some((rest, _))) => {
            if !dated.is_empty() {
                return Err((
                    SkipReason::UnsupportedConstraint,
                    "a time-of-day window together with dated prices".to_string(),
                ));
            }
            // The window's prices apply inside it; the unconstrained ones at all other hours.
            let peak_hours_utc = if start < end {
                vec![(start, end)]
            } else {
                vec![(0, end), (start, 24 * 60)]
            };
            let off_peak = OffPeak {
                peak_hours_utc,
                peak_days: (0..7).collect(),
                adjustment: Adjustment::Rates(rest),
            };
            prices.push(set(undated(), peak, peak_long, Some(off_peak), comments));
        }
        (Some(_), None) => {
            return Err((
                SkipReason::UnsupportedConstraint,
                "a time-of-day window without prices for the other hours".to_string(),
            ))
        }
        (None, base) => {
            dated.sort_by_key(|(date, _)| *date);
            if let Some((rates, long)) = base {
                prices.push(set(
                    undated(),
                    rates,
                    long,
                    None,
                    Some(match &comments {
                        Some(c) => format!("start date not given by genai-prices. {c}"),
                        None => "start date not given by genai-prices".to_string(),
                    }),
                ));
            }
            for (date, (rates, long)) in dated {
                if prices
                    .last()
                    .is_some_and(|last: &PriceSet| last.from >= date)
                {
                    return Err((
                        SkipReason::UnsupportedConstraint,
                        "two price maps with the same start date".to_string(),
                    ));
                }
                prices.push(set(date, rates, long, None, comments.clone()));
            }
        }
    }
    if raw.deprecated == Some(true) {
        import.drop_field(
            key,
            "deprecated",
            "deprecated: true without a date (mixcost dates deprecations)",
        );
    }
    let context_window = match raw.context_window {
        Some(raw) => match raw.get().trim().parse::<u64>() {
            Ok(tokens) if tokens > 0 => Some(tokens),
            _ => {
                import.drop_field(
                    key,
                    "context_window",
                    format!("'{}' is not a token count", raw.get()),
                );
                None
            }
        },
        None => None,
    };
    Ok(Some(Model {
        id: mixcost_id(provider, &raw.id, &[]),
        provider: provider.to_string(),
        class: None,
        deployment: Deployment::Hosted,
        open_weight: None,
        license: None,
        context_window,
        context_window_changes: Vec::new(),
        max_output_tokens: None,
        deprecated: None,
        retires: None,
        successor: None,
        checked: None,
        note: None,
        prices,
        latency: None,
        origin: Origin {
            file: "<import>".to_string(),
            position: Default::default(),
        },
    }))
}
