//! LiteLLM's model map (`model_prices_and_context_window.json`): USD per token as JSON floats,
//! one flat object per model key, with tier prices in suffixed fields (`_batches`, `_flex`,
//! `_priority`, `_above_200k_tokens`).

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde_json::value::RawValue;

use super::{mixcost_id, price_per_million, undated, Database, Import, ImportError, SkipReason};
use crate::model::catalogue::{
    Adjustment, Deployment, LongContext, Model, Origin, PriceSet, Provenance, Rates, Tiers,
};

/// The modes LiteLLM uses for text generation; everything else (images, audio, embeddings) is
/// not priced per text token.
const TEXT_MODES: [&str; 3] = ["chat", "completion", "responses"];

/// The mixcost provider of a `litellm_provider` value.
pub fn provider_of(litellm: &str) -> String {
    match litellm {
        "gemini" => "google".to_string(),
        "cohere_chat" => "cohere".to_string(),
        "text-completion-openai" => "openai".to_string(),
        "bedrock_converse" => "bedrock".to_string(),
        other if other.starts_with("vertex_ai") => "vertex_ai".to_string(),
        other => other.to_string(),
    }
}

/// One entry's fields, with typed accessors that record what they could not read.
struct Entry<'a> {
    key: &'a str,
    fields: BTreeMap<String, &'a RawValue>,
    /// Fields the mapping used; every other cost field is reported as dropped.
    used: BTreeSet<String>,
}

impl<'a> Entry<'a> {
    fn string(&mut self, name: &str) -> Option<String> {
        let raw = self.fields.get(name)?;
        self.used.insert(name.to_string());
        serde_json::from_str::<String>(raw.get()).ok()
    }

    fn tokens(&mut self, name: &str) -> Option<u64> {
        let raw = self.fields.get(name)?;
        self.used.insert(name.to_string());
        raw.get()
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|tokens| *tokens > 0)
    }

    /// A price field in USD per 1M tokens; `Err` ends the entry's import.
    fn price(&mut self, name: &str) -> Result<Option<Decimal>, (SkipReason, String)> {
        let Some(raw) = self.fields.get(name) else {
            return Ok(None);
        };
        self.used.insert(name.to_string());
        if raw.get() == "null" {
            return Ok(None);
        }
        price_per_million(raw, 1)
            .map(Some)
            .map_err(|problem| (problem.reason, format!("{name}: {}", problem.detail)))
    }

    /// input / cached / cache write / output for a field suffix (`""`, `_batches`,
    /// `_above_200k_tokens_priority`, …); `None` unless both input and output exist.
    fn rates(&mut self, infix: &str, suffix: &str) -> Result<Option<Rates>, (SkipReason, String)> {
        let input = self.price(&format!("input_cost_per_token{infix}{suffix}"))?;
        let output = self.price(&format!("output_cost_per_token{infix}{suffix}"))?;
        let mut cached_input =
            self.price(&format!("cache_read_input_token_cost{infix}{suffix}"))?;
        if cached_input.is_none() && infix.is_empty() && suffix.is_empty() {
            cached_input = self.price("input_cost_per_token_cache_hit")?;
        }
        let cache_write = self.price(&format!("cache_creation_input_token_cost{infix}{suffix}"))?;
        let cache_write_1h = if suffix.is_empty() {
            self.price(&format!("cache_creation_input_token_cost_above_1hr{infix}"))?
        } else {
            None
        };
        Ok(match (input, output) {
            (Some(input), Some(output)) => Some(Rates {
                input,
                cached_input,
                cache_write,
                cache_write_1h,
                output,
            }),
            _ => None,
        })
    }
}

/// `_above_200k_tokens` thresholds named by an entry's fields, in tokens.
fn thresholds(fields: &BTreeMap<String, &RawValue>) -> BTreeSet<u64> {
    fields
        .keys()
        .filter_map(|name| {
            let rest = &name[name.find("_above_")? + "_above_".len()..];
            let digits = rest.strip_suffix("k_tokens").or_else(|| {
                let end = rest.find("k_tokens_")?;
                Some(&rest[..end])
            })?;
            digits.parse::<u64>().ok().map(|k| k * 1000)
        })
        .collect()
}

/// Converts the map in `text` (read from `file`) to mixcost models.
pub fn import(text: &str, file: &str, version: &str) -> Result<Import, ImportError> {
    let top: BTreeMap<String, Box<RawValue>> =
        serde_json::from_str(text).map_err(|error| match error.classify() {
            serde_json::error::Category::Data => ImportError::Shape {
                file: file.to_string(),
                database: "LiteLLM model map",
                what: format!("expected an object of model keys ({error})"),
            },
            _ => ImportError::not_json(file, &error),
        })?;
    let mut import = Import::new(Database::Litellm, version);
    for (key, raw) in &top {
        if key == "sample_spec" {
            import.skip(
                key,
                SkipReason::NotAnEntry,
                "LiteLLM's description of the format",
            );
            continue;
        }
        let Ok(fields) = serde_json::from_str::<BTreeMap<String, &RawValue>>(raw.get()) else {
            import.skip(key, SkipReason::NotAnEntry, "not an object");
            continue;
        };
        import_entry(&mut import, key, fields, version);
    }
    if import.models.is_empty() {
        return Err(ImportError::Empty {
            file: file.to_string(),
            skipped: import.skipped.len(),
        });
    }
    Ok(import)
}

fn import_entry(
    import: &mut Import,
    key: &str,
    fields: BTreeMap<String, &RawValue>,
    version: &str,
) {
    let mut entry = Entry {
        key,
        fields,
        used: BTreeSet::new(),
    };
    let mode = entry.string("mode");
    if !mode
        .as_deref()
        .is_some_and(|mode| TEXT_MODES.contains(&mode))
    {
        import.skip(
            key,
            SkipReason::NotTextGeneration,
            format!("mode {}", mode.as_deref().unwrap_or("(none)")),
        );
        return;
    }
    let Some(litellm_provider) = entry.string("litellm_provider") else {
        import.skip(key, SkipReason::NotAnEntry, "no litellm_provider");
        return;
    };
    let provider = provider_of(&litellm_provider);
    let prefixes = [litellm_provider.as_str(), provider.as_str()];
    match build(&mut entry, import, &provider, &prefixes, version) {
        Ok(Some(model)) => {
            for name in entry.fields.keys() {
                if !entry.used.contains(name) && (name.contains("cost") || name == "tiered_pricing")
                {
                    let reason = if name == "tiered_pricing" {
                        "tiered pricing by usage volume: not mapped"
                    } else if [
                        "audio",
                        "image",
                        "video",
                        "character",
                        "second",
                        "query",
                        "request",
                        "session",
                        "dbu",
                        "reasoning",
                        "citation",
                    ]
                    .iter()
                    .any(|unit| name.contains(unit))
                    {
                        "not a text-token price (audio, image, search, per second, …)"
                    } else {
                        "a tier mixcost has no column for"
                    };
                    import.drop_field(entry.key, name, reason);
                }
            }
            import.add(key, model);
        }
        Ok(None) => import.skip(
            key,
            SkipReason::NoTokenPrice,
            "no input_cost_per_token and output_cost_per_token",
        ),
        Err((reason, detail)) => import.skip(key, reason, detail),
    }
}

fn build(
    entry: &mut Entry,
    import: &mut Import,
    provider: &str,
    prefixes: &[&str],
    version: &str,
) -> Result<Option<Model>, (SkipReason, String)> {
    let key = entry.key.to_string();
    let Some(mut rates) = entry.rates("", "")? else {
        return Ok(None);
    };
    let deepseek = provider == "deepseek";
    if deepseek && rates.cache_write.is_some_and(|price| price.is_zero()) {
        // DeepSeek bills the tokens that fill its cache as cache misses (its pricing page).
        rates.cache_write = None;
        import.drop_field(
            &key,
            "cache_creation_input_token_cost",
            "DeepSeek bills cache writes as cache misses, not at $0 (https://api-docs.deepseek.com/quick_start/pricing)",
        );
    }
    let mut tiers = Tiers::default();
    for (suffix, slot) in [
        ("_batches", &mut tiers.batch),
        ("_flex", &mut tiers.flex),
        ("_priority", &mut tiers.priority),
    ] {
        if let Some(rates) = entry.rates("", suffix)? {
            if deepseek && suffix == "_batches" {
                import.drop_field(
                    &key,
                    "input_cost_per_token_batches",
                    "DeepSeek offers no batch tier (https://api-docs.deepseek.com/quick_start/pricing)",
                );
                continue;
            }
            *slot = Some(Adjustment::Rates(rates));
        }
    }
    let mut long_context = None;
    for threshold in thresholds(&entry.fields) {
        let infix = format!("_above_{}k_tokens", threshold / 1000);
        if long_context.is_some() {
            // Mark the fields of further thresholds as used and report them.
            let names: Vec<String> = entry
                .fields
                .keys()
                .filter(|name| name.contains(&infix))
                .cloned()
                .collect();
            for name in names {
                entry.used.insert(name.clone());
                import.drop_field(
                    &key,
                    &name,
                    "a second request-size threshold (mixcost holds one)",
                );
            }
            continue;
        }
        if let Some(rates) = entry.rates(&infix, "")? {
            let mut long_tiers = Tiers::default();
            for (suffix, slot) in [
                ("_batches", &mut long_tiers.batch),
                ("_flex", &mut long_tiers.flex),
                ("_priority", &mut long_tiers.priority),
            ] {
                if let Some(rates) = entry.rates(&infix, suffix)? {
                    if !(deepseek && suffix == "_batches") {
                        *slot = Some(Adjustment::Rates(rates));
                    }
                }
            }
            long_context = Some(LongContext {
                above_input_tokens: threshold,
                rates,
                tiers: long_tiers,
            });
        }
    }
    let source = entry
        .string("source")
        .filter(|source| !source.trim().is_empty())
        .unwrap_or_else(|| "LiteLLM model map (model_prices_and_context_window.json)".to_string());
    let deprecated = match entry.string("deprecation_date") {
        Some(text) => match crate::load::values::instant(&text) {
            Ok(date) => Some(date),
            Err(_) => {
                import.drop_field(&key, "deprecation_date", format!("'{text}' is not a date"));
                None
            }
        },
        None => None,
    };
    let successor = entry
        .string("successor_model")
        .map(|successor| mixcost_id(provider, &successor, prefixes));
    let context_window = entry.tokens("max_input_tokens");
    let max_output_tokens = entry.tokens("max_output_tokens");
    entry.used.insert("deprecation_source".to_string());
    let id = mixcost_id(provider, &key, prefixes);
    Ok(Some(Model {
        id,
        provider: provider.to_string(),
        class: None,
        deployment: Deployment::Hosted,
        open_weight: None,
        license: None,
        context_window,
        context_window_changes: Vec::new(),
        max_output_tokens,
        deprecated,
        retires: None,
        successor,
        checked: None,
        note: deprecated.map(|_| {
            "`deprecated` is LiteLLM's deprecation_date, which for most vendors is the shutdown date".to_string()
        }),
        prices: vec![PriceSet {
            from: undated(),
            source,
            note: Some("start date not given by LiteLLM's map".to_string()),
            rates,
            tiers,
            regional_processing: None,
            long_context,
            cache_multipliers: None,
            off_peak: None,
            promotions: Vec::new(),
            provenance: Some(Provenance {
                database: Database::Litellm.id().to_string(),
                version: version.to_string(),
                key,
            }),
        }],
        latency: None,
        origin: Origin {
            file: "<import>".to_string(),
            position: Default::default(),
        },
    }))
}
