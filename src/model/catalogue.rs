//! The pricing catalogue as validated data: providers, models and their dated price history.
//!
//! Prices are USD per 1M tokens as exact decimals. Nothing here knows about YAML; the loader
//! builds these types and the engine reads them to find the price in effect at a point in time.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

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
    /// Share taken off the standard prices (0.5 for `50%`); negative for a surcharge (`+80%`
    /// is -0.8). `keeps_cache_reads` leaves the cached-input price as it is: Google bills cache
    /// hits in batch and flex traffic at the standard cache-hit price.
    Discount {
        share: Decimal,
        keeps_cache_reads: bool,
    },
    Rates(Rates),
}

impl Adjustment {
    /// A discount on every column.
    pub fn discount(share: Decimal) -> Adjustment {
        Adjustment::Discount {
            share,
            keeps_cache_reads: false,
        }
    }
}

impl std::fmt::Display for Adjustment {
    /// `50% off`, `80% more`, `50% off (cache reads at standard)`, or `in / out` prices.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Adjustment::Discount {
                share,
                keeps_cache_reads,
            } => {
                let percent = (share.abs() * Decimal::ONE_HUNDRED).normalize();
                if share.is_sign_negative() {
                    write!(f, "{percent}% more")?;
                } else {
                    write!(f, "{percent}% off")?;
                }
                if *keeps_cache_reads {
                    write!(f, " (cache reads at standard)")?;
                }
                Ok(())
            }
            Adjustment::Rates(rates) => write!(
                f,
                "${} / ${}",
                rates.input.normalize(),
                rates.output.normalize()
            ),
        }
    }
}

/// Cache prices as multiples of the input price of the same list, so that the long-context list
/// (whose cache prices vendors do not print) follows from its input price by the vendor's rule:
/// Anthropic bills a cache read at 0.1×, a 5-minute write at 1.25× and a 1-hour write at 2× the
/// input price, long-context input included.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CacheMultipliers {
    pub cached_input: Option<Decimal>,
    pub cache_write: Option<Decimal>,
    pub cache_write_1h: Option<Decimal>,
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

/// Where an imported price set came from: the database, its version or date, and the model's
/// key in it, so every imported number can be traced back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provenance {
    pub database: String,
    pub version: String,
    pub key: String,
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
    /// Cache prices a list does not give, as multiples of that list's input price.
    pub cache_multipliers: Option<CacheMultipliers>,
    pub off_peak: Option<OffPeak>,
    pub promotions: Vec<Promotion>,
    /// For price sets generated from a public database.
    pub provenance: Option<Provenance>,
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
    /// The routing tier; imported models carry none until someone classifies them.
    pub class: Option<ModelClass>,
    pub deployment: Deployment,
    /// Whether the weights are published; `None` when the source does not say.
    pub open_weight: Option<bool>,
    pub license: Option<String>,
    /// The context window from the model's launch (or as far back as known); `None` when the
    /// source does not give one.
    pub context_window: Option<u64>,
    /// Later changes to the context window, ascending: `(from, tokens)`. Claude Sonnet 4.5's
    /// 1M-token beta ended on 2026-04-30, after which requests above 200k tokens fail.
    pub context_window_changes: Vec<(Timestamp, u64)>,
    pub max_output_tokens: Option<u64>,
    /// From this date the vendor calls the model deprecated: it still answers, results warn.
    pub deprecated: Option<Timestamp>,
    /// From this date the model no longer answers: pricing it is an error.
    pub retires: Option<Timestamp>,
    pub successor: Option<String>,
    /// When the model's facts and prices were last compared with the vendor's page.
    pub checked: Option<Timestamp>,
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

    /// The context window in force at `at`.
    pub fn context_window_at(&self, at: Timestamp) -> Option<u64> {
        self.context_window_changes
            .iter()
            .rev()
            .find(|(from, _)| *from <= at)
            .map_or(self.context_window, |(_, tokens)| Some(*tokens))
    }

    /// Whether the model has been retired by `at`.
    pub fn is_retired(&self, at: Timestamp) -> bool {
        self.retires.is_some_and(|retires| retires <= at)
    }

    /// Whether the model is deprecated (but perhaps not yet retired) at `at`.
    pub fn is_deprecated(&self, at: Timestamp) -> bool {
        self.deprecated.is_some_and(|deprecated| deprecated <= at)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provider {
    pub id: String,
    pub currency: String,
    pub file: String,
}

/// Where a deferred model's text lives: a slice of an embedded or downloaded price file.
#[derive(Clone, Debug)]
pub struct DeferredSource {
    /// The file's name as diagnostics show it.
    pub file: Arc<str>,
    pub provider: Arc<str>,
    pub text: Text,
    /// Byte range of the model's block in `text`, and the block's first line (1-based).
    pub start: usize,
    pub end: usize,
    pub line: usize,
}

/// Embedded text, or text read at run time.
#[derive(Clone, Debug)]
pub enum Text {
    Static(&'static str),
    Shared(Arc<str>),
}

impl Text {
    pub fn as_str(&self) -> &str {
        match self {
            Text::Static(text) => text,
            Text::Shared(text) => text,
        }
    }
}

/// Turns a deferred model's text into a model (the price-file loader), or says why not.
pub type ParseDeferred = fn(&DeferredSource) -> Result<Model, String>;

struct DeferredEntry {
    source: DeferredSource,
    /// Boxed: a model is large, and thousands of unparsed entries should stay small.
    parsed: OnceLock<Box<Result<Model, String>>>,
}

/// The imported layers of the catalogue (thousands of models): indexed up front, each model
/// parsed on first use, so a run that prices three models parses three.
#[derive(Clone, Default)]
pub struct Deferred(Arc<DeferredModels>);

#[derive(Default)]
struct DeferredModels {
    entries: BTreeMap<String, DeferredEntry>,
    parse: Option<ParseDeferred>,
}

impl Deferred {
    /// Models from `sources`, later sources replacing earlier ones of the same id.
    pub fn new(
        sources: impl IntoIterator<Item = (String, DeferredSource)>,
        parse: ParseDeferred,
    ) -> Self {
        let mut entries = BTreeMap::new();
        for (id, source) in sources {
            entries.insert(
                id,
                DeferredEntry {
                    source,
                    parsed: OnceLock::new(),
                },
            );
        }
        Deferred(Arc::new(DeferredModels {
            entries,
            parse: Some(parse),
        }))
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.0.entries.keys().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.0.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.entries.is_empty()
    }

    pub fn source(&self, id: &str) -> Option<&DeferredSource> {
        self.0.entries.get(id).map(|entry| &entry.source)
    }

    /// The model, parsed on first use; `Err` says why its text does not load.
    pub fn get(&self, id: &str) -> Option<&Result<Model, String>> {
        let entry = self.0.entries.get(id)?;
        let parse = self.0.parse?;
        Some(
            entry
                .parsed
                .get_or_init(|| Box::new(parse(&entry.source)))
                .as_ref(),
        )
    }
}

impl std::fmt::Debug for Deferred {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Deferred({} models)", self.0.entries.len())
    }
}

impl PartialEq for Deferred {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Deferred {}

/// Every provider and model known to a run, keyed by id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Catalogue {
    pub providers: BTreeMap<String, Provider>,
    /// The hand-checked models and those of `--pricing` files, loaded whole.
    pub models: BTreeMap<String, Model>,
    /// Imported models (the shipped snapshots and the user's `pricing update` folder) that no
    /// hand-checked or `--pricing` model of the same id replaces; parsed on first use.
    pub imported: Deferred,
    /// Human reviewers (catalogue entries of kind `human`), keyed by id.
    pub humans: BTreeMap<String, super::quality::Human>,
}

impl Catalogue {
    /// A model by id: hand-checked and `--pricing` models first, then the imported layers.
    pub fn model(&self, id: &str) -> Option<&Model> {
        self.models.get(id).or_else(|| {
            self.imported
                .get(id)
                .and_then(|parsed| parsed.as_ref().ok())
        })
    }

    /// Every model id, sorted, each once.
    pub fn model_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self
            .models
            .keys()
            .map(String::as_str)
            .chain(self.imported.ids())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Every model, the imported ones parsed now; those whose text does not load are returned
    /// beside, with the reason.
    pub fn all_models(&self) -> (Vec<&Model>, Vec<(&str, &str)>) {
        let mut models = Vec::new();
        let mut broken = Vec::new();
        for id in self.model_ids() {
            match self.models.get(id) {
                Some(model) => models.push(model),
                None => match self.imported.get(id) {
                    Some(Ok(model)) => models.push(model),
                    Some(Err(reason)) => broken.push((id, reason.as_str())),
                    None => {}
                },
            }
        }
        (models, broken)
    }

    /// Whether `id` is the same imported text in both catalogues (so a diff need not parse it).
    pub fn same_definition(&self, other: &Catalogue, id: &str) -> bool {
        if self.models.contains_key(id) || other.models.contains_key(id) {
            return false;
        }
        match (self.imported.source(id), other.imported.source(id)) {
            (Some(a), Some(b)) => {
                a.text.as_str().get(a.start..a.end) == b.text.as_str().get(b.start..b.end)
            }
            _ => false,
        }
    }

    /// Whether `id` comes from an imported layer rather than a hand-checked or `--pricing` file.
    pub fn is_imported(&self, id: &str) -> bool {
        !self.models.contains_key(id) && self.imported.source(id).is_some()
    }

    /// A model to change (what-if overrides): an imported model is copied into the loaded ones.
    pub fn model_mut(&mut self, id: &str) -> Option<&mut Model> {
        if !self.models.contains_key(id) {
            let model = self.model(id)?.clone();
            self.models.insert(id.to_string(), model);
        }
        self.models.get_mut(id)
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

    /// The newest `checked` date of any model, if any model has one.
    pub fn newest_check(&self) -> Option<Timestamp> {
        self.models.values().filter_map(|model| model.checked).max()
    }

    /// The known model id closest to `id`, for "did you mean" hints.
    pub fn nearest_model(&self, id: &str) -> Option<&str> {
        crate::load::suggest::nearest(id, self.model_ids())
    }
}
