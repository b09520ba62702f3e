//! The pricing catalogue as validated data: providers, models and their dated price history.
//!
//! Prices are USD per 1M tokens as exact decimals. Nothing here knows about YAML; the loader
//! builds these types and the engine reads them to find the price in effect at a point in time.

use std::collections::BTreeMap;

use jiff::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::load::diagnostic::Position;

#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum ModelClass {
    Economy,
    Balanced,
    Frontier,
}

impl ModelClass {
    pub fn as_str(self) -> &'static str {
        match self {
            ModelClass::Economy => "economy",
            ModelClass::Balanced => "balanced",
            ModelClass::Frontier => "frontier",
        }
    }
}

#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Deployment {
    Hosted,
    SelfHosted,
}

impl Deployment {
    pub fn as_str(self) -> &'static str {
        match self {
            Deployment::Hosted => "hosted",
            Deployment::SelfHosted => "self-hosted",
        }
    }
}

/// Where a definition came from, for diagnostics that point back at it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub position: Position,
}

/// The four per-token prices of one price column set, USD per 1M tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rates {
    pub input: Decimal,
    pub cached_input: Option<Decimal>,
    pub cache_write: Option<Decimal>,
    pub cache_write_1h: Option<Decimal>,
    pub output: Decimal,
}

/// A service tier or time window's price: a discount off the standard prices, or its own rates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Adjustment {
    /// Share taken off every standard price (0.5 for `50%`).
    Discount(Decimal),
    Rates(Rates),
}

/// Optional service tiers beside the standard one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tiers {
    pub batch: Option<Adjustment>,
    pub flex: Option<Adjustment>,
    pub priority: Option<Adjustment>,
}

/// Prices that apply to the whole request once its input passes a threshold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LongContext {
    pub above_input_tokens: u64,
    pub rates: Rates,
    pub tiers: Tiers,
}

/// Time-of-day billing: peak hours at the standard prices, all other hours adjusted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OffPeak {
    /// Peak windows as `(start, end)` minutes after 00:00 UTC.
    pub peak_hours_utc: Vec<(u16, u16)>,
    /// Peak days, 0 = Monday … 6 = Sunday.
    pub peak_days: Vec<u8>,
    pub adjustment: Adjustment,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Promotion {
    pub name: String,
    pub from: Timestamp,
    /// Inclusive end of the promotion.
    pub until: Timestamp,
    pub discount: Decimal,
    pub source: Option<String>,
    pub note: Option<String>,
}

impl Promotion {
    pub fn is_active(&self, at: Timestamp) -> bool {
        self.from <= at && at <= self.until
    }
}

/// One dated entry in a model's price history, in force until the next one starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceSet {
    pub from: Timestamp,
    pub source: String,
    pub note: Option<String>,
    pub rates: Rates,
    pub tiers: Tiers,
    /// Uplift for regional data processing (0.1 for `10%`).
    pub regional_processing: Option<Decimal>,
    pub long_context: Option<LongContext>,
    pub off_peak: Option<OffPeak>,
    pub promotions: Vec<Promotion>,
}

impl PriceSet {
    pub fn active_promotion(&self, at: Timestamp) -> Option<&Promotion> {
        self.promotions
            .iter()
            .find(|promotion| promotion.is_active(at))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Model {
    pub id: String,
    pub provider: String,
    pub class: ModelClass,
    pub deployment: Deployment,
    pub open_weight: bool,
    pub license: String,
    pub context_window: u64,
    pub max_output_tokens: Option<u64>,
    pub deprecated: Option<Timestamp>,
    pub successor: Option<String>,
    pub note: Option<String>,
    /// Price history in ascending order of `from`.
    pub prices: Vec<PriceSet>,
    /// Time to first token and output speed, when the catalogue gives them.
    pub latency: Option<super::quality::ModelLatency>,
    pub origin: Origin,
}

impl Model {
    /// The price set in force at `at`: the last one that started on or before it.
    pub fn price_set_at(&self, at: Timestamp) -> Option<&PriceSet> {
        self.prices.iter().rev().find(|set| set.from <= at)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provider {
    pub id: String,
    pub currency: String,
    pub file: String,
}

/// Every provider and model known to a run, keyed by id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Catalogue {
    pub providers: BTreeMap<String, Provider>,
    pub models: BTreeMap<String, Model>,
    /// Human reviewers (catalogue entries of kind `human`), keyed by id.
    pub humans: BTreeMap<String, super::quality::Human>,
}

impl Catalogue {
    pub fn model(&self, id: &str) -> Option<&Model> {
        self.models.get(id)
    }

    /// What to say about a provider id the catalogue does not have: the nearest known id, or
    /// the list of known ones.
    pub fn unknown_provider_help(&self, id: &str) -> String {
        match crate::load::suggest::nearest(id, self.providers.keys().map(String::as_str)) {
            Some(close) => format!("did you mean '{close}'?"),
            None => format!(
                "the catalogue's providers are: {}",
                self.providers
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// The known model id closest to `id`, for "did you mean" hints.
    pub fn nearest_model(&self, id: &str) -> Option<&str> {
        crate::load::suggest::nearest(id, self.models.keys().map(String::as_str))
    }
}
