//! Importing the public price databases (LiteLLM's model map, pydantic/genai-prices) into the
//! catalogue's own types, and writing them out as mixcost price files.
//!
//! An importer is an adapter: it reads a database's JSON, turns each entry it can map into a
//! [`Model`] with dated [`crate::model::catalogue::PriceSet`]s (every one carrying its
//! [`Provenance`]), and lists every entry — or part of an entry — it could not map, with the
//! reason. Prices are read from the numbers' decimal text, never through `f64`. The generated
//! files are rendered by [`render`] and load through the ordinary price-file loader.

pub mod genai_prices;
pub mod litellm;
pub mod render;

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::value::RawValue;

use crate::load::values::MAX_PRICE_PER_MTOK;
use crate::model::catalogue::Model;

/// The largest database file read (the LiteLLM map is about 3.5 MB).
pub const MAX_DATABASE_BYTES: u64 = 64 * 1024 * 1024;

/// Which public database a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Database {
    Litellm,
    GenaiPrices,
}

impl Database {
    pub fn id(self) -> &'static str {
        match self {
            Database::Litellm => "litellm",
            Database::GenaiPrices => "genai-prices",
        }
    }

    /// How the generated files credit the database.
    pub fn attribution(self) -> &'static str {
        match self {
            Database::Litellm => {
                "LiteLLM's model map (model_prices_and_context_window.json, BerriAI/litellm, MIT licence)"
            }
            Database::GenaiPrices => {
                "pydantic/genai-prices (data-v2.json, MIT licence, Copyright (c) Pydantic Services Inc.)"
            }
        }
    }
}

/// Why an entry is not in the generated catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SkipReason {
    NotAnEntry,
    NotTextGeneration,
    NoTokenPrice,
    NotADecimal,
    NegativePrice,
    AbsurdPrice,
    NameCollision,
    UnsupportedTiers,
    UnsupportedConstraint,
}

impl SkipReason {
    pub fn label(self) -> &'static str {
        match self {
            SkipReason::NotAnEntry => "not a model entry",
            SkipReason::NotTextGeneration => {
                "not a text-generation model (images, audio, embeddings, …)"
            }
            SkipReason::NoTokenPrice => "no per-token input and output price",
            SkipReason::NotADecimal => "a price that is not a decimal number",
            SkipReason::NegativePrice => "a negative price",
            SkipReason::AbsurdPrice => "a price above $1,000,000 per 1M tokens",
            SkipReason::NameCollision => "maps to the same mixcost name as another entry",
            SkipReason::UnsupportedTiers => {
                "request-size tiers mixcost cannot hold (several thresholds)"
            }
            SkipReason::UnsupportedConstraint => {
                "dated or time-of-day constraints mixcost cannot hold"
            }
        }
    }
}

/// One database entry left out, and why.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skip {
    pub key: String,
    pub reason: SkipReason,
    pub detail: String,
}

/// A field of an imported entry that was left out while the rest was imported.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dropped {
    pub key: String,
    pub field: String,
    pub reason: String,
}

/// What an import produced: models grouped by mixcost provider, and everything left out.
#[derive(Clone, Debug, Default)]
pub struct Import {
    pub database: Option<Database>,
    pub version: String,
    /// Keyed by model id; each model names its provider.
    pub models: BTreeMap<String, Model>,
    pub skipped: Vec<Skip>,
    pub dropped: Vec<Dropped>,
}

impl Import {
    pub fn new(database: Database, version: &str) -> Import {
        Import {
            database: Some(database),
            version: version.to_string(),
            ..Import::default()
        }
    }

    /// Adds `model` unless its id is taken, in which case the entry is listed as skipped.
    pub fn add(&mut self, key: &str, model: Model) {
        if let Some(existing) = self.models.get(&model.id) {
            let first = existing
                .prices
                .first()
                .and_then(|set| set.provenance.as_ref())
                .map(|p| p.key.clone())
                .unwrap_or_default();
            self.skip(
                key,
                SkipReason::NameCollision,
                format!("'{}' is already the name of key '{first}'", model.id),
            );
            return;
        }
        self.models.insert(model.id.clone(), model);
    }

    pub fn skip(&mut self, key: &str, reason: SkipReason, detail: impl Into<String>) {
        self.skipped.push(Skip {
            key: key.to_string(),
            reason,
            detail: detail.into(),
        });
    }

    pub fn drop_field(&mut self, key: &str, field: &str, reason: impl Into<String>) {
        self.dropped.push(Dropped {
            key: key.to_string(),
            field: field.to_string(),
            reason: reason.into(),
        });
    }

    /// Models per provider, for one file each.
    pub fn by_provider(&self) -> BTreeMap<&str, Vec<&Model>> {
        let mut providers: BTreeMap<&str, Vec<&Model>> = BTreeMap::new();
        for model in self.models.values() {
            providers.entry(&model.provider).or_default().push(model);
        }
        providers
    }

    /// Skips counted by reason, in reason order.
    pub fn skip_counts(&self) -> BTreeMap<SkipReason, usize> {
        let mut counts = BTreeMap::new();
        for skip in &self.skipped {
            *counts.entry(skip.reason).or_insert(0) += 1;
        }
        counts
    }

    /// Dropped fields counted by reason.
    pub fn dropped_counts(&self) -> BTreeMap<&str, usize> {
        let mut counts = BTreeMap::new();
        for dropped in &self.dropped {
            *counts.entry(dropped.reason.as_str()).or_insert(0) += 1;
        }
        counts
    }

    /// The per-entry list of what was left out, one line each, sorted.
    pub fn report(&self) -> String {
        let mut skipped = self.skipped.clone();
        skipped.sort();
        let mut dropped = self.dropped.clone();
        dropped.sort();
        let mut out = String::new();
        out.push_str(&format!(
            "# What `mixcost pricing import {}` (version {}) left out, and why.\n",
            self.database.map_or("?", Database::id),
            self.version
        ));
        out.push_str("# skipped entries: key<TAB>reason<TAB>detail\n");
        for skip in &skipped {
            out.push_str(&format!(
                "skipped\t{}\t{}\t{}\n",
                skip.key,
                skip.reason.label(),
                skip.detail
            ));
        }
        out.push_str("# dropped fields of imported entries: key<TAB>field<TAB>reason\n");
        for dropped in &dropped {
            out.push_str(&format!(
                "dropped\t{}\t{}\t{}\n",
                dropped.key, dropped.field, dropped.reason
            ));
        }
        out
    }
}

/// Errors that leave nothing usable.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: not JSON: {message} at line {line}, column {column}")]
    NotJson {
        file: String,
        message: String,
        line: usize,
        column: usize,
    },
    #[error("{file}: not a {database} file: {what}")]
    Shape {
        file: String,
        database: &'static str,
        what: String,
    },
    #[error("{file}: no entry could be imported ({skipped} skipped)")]
    Empty { file: String, skipped: usize },
}

impl ImportError {
    pub fn not_json(file: &str, error: &serde_json::Error) -> ImportError {
        ImportError::NotJson {
            file: file.to_string(),
            message: error.to_string(),
            line: error.line(),
            column: error.column(),
        }
    }
}

/// Why a number could not become a price.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceProblem {
    pub reason: SkipReason,
    pub detail: String,
}

/// The exact decimal written in a JSON number's text (`3e-06`, `0.15`), never through `f64`.
pub fn exact_decimal(raw: &RawValue) -> Result<Decimal, PriceProblem> {
    let text = raw.get().trim();
    let not_decimal = || PriceProblem {
        reason: SkipReason::NotADecimal,
        detail: format!("{text} is not a decimal number"),
    };
    if !text.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
        return Err(not_decimal());
    }
    let parsed = if text.contains(['e', 'E']) {
        Decimal::from_scientific(text)
    } else {
        Decimal::from_str(text)
    };
    parsed.map_err(|_| not_decimal())
}

/// A price in USD per 1M tokens from a number in `unit` tokens (1 for LiteLLM's per-token
/// prices, 1,000,000 for genai-prices' per-1M prices), checked for sign and size.
pub fn price_per_million(raw: &RawValue, per_tokens: u64) -> Result<Decimal, PriceProblem> {
    let value = exact_decimal(raw)?;
    let per_million = value
        .checked_mul(Decimal::from(1_000_000u64 / per_tokens))
        .ok_or_else(|| PriceProblem {
            reason: SkipReason::AbsurdPrice,
            detail: format!("{} is too large", raw.get()),
        })?;
    if per_million.is_sign_negative() && !per_million.is_zero() {
        return Err(PriceProblem {
            reason: SkipReason::NegativePrice,
            detail: format!("{} is negative", raw.get()),
        });
    }
    if per_million > MAX_PRICE_PER_MTOK {
        return Err(PriceProblem {
            reason: SkipReason::AbsurdPrice,
            detail: format!("{} is ${per_million} per 1M tokens", raw.get()),
        });
    }
    Ok(per_million.normalize())
}

/// Providers whose own API serves their models: their models keep bare names (`gpt-5.6-sol`);
/// every other provider's model is named `provider/model`.
pub fn is_first_party(provider: &str) -> bool {
    matches!(
        provider,
        "openai"
            | "anthropic"
            | "google"
            | "deepseek"
            | "mistral"
            | "xai"
            | "moonshot"
            | "zai"
            | "minimax"
            | "cohere"
            | "ai21"
    )
}

/// The mixcost id of database key `key` served by `provider`, with any of `prefixes` (the
/// database's own routing prefixes, such as `gemini/`) removed first.
pub fn mixcost_id(provider: &str, key: &str, prefixes: &[&str]) -> String {
    let bare = prefixes
        .iter()
        .find_map(|prefix| key.strip_prefix(prefix).and_then(|k| k.strip_prefix('/')))
        .unwrap_or(key);
    if is_first_party(provider) {
        bare.to_string()
    } else {
        format!("{provider}/{bare}")
    }
}

/// The first instant of the catalogue: the `from` of price sets whose database gives no start.
pub fn undated() -> jiff::Timestamp {
    jiff::Timestamp::UNIX_EPOCH
}

/// Reads a database file with the size limit, as text.
pub fn read_database(path: &std::path::Path) -> anyhow::Result<String> {
    use anyhow::Context as _;
    use std::io::Read as _;
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot open database file '{}'", path.display()))?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        anyhow::bail!(
            "'{}' is not a regular file\n  = help: give the path of the database's JSON file",
            path.display()
        );
    }
    let mut text = String::new();
    file.take(MAX_DATABASE_BYTES + 1)
        .read_to_string(&mut text)
        .with_context(|| format!("cannot read '{}' as UTF-8 text", path.display()))?;
    if text.len() as u64 > MAX_DATABASE_BYTES {
        anyhow::bail!(
            "'{}' is larger than {} MB\n  = help: a price database is a few MB; check the file",
            path.display(),
            MAX_DATABASE_BYTES / 1024 / 1024
        );
    }
    Ok(text)
}
