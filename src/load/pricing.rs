//! Price files (`pricing/*.yaml`): their YAML shape and its validation into a [`Catalogue`].
//!
//! One file per provider. The shipped files are embedded in the binary so the tool works from
//! any folder; `--pricing DIR` adds files or replaces shipped ones with the same file name.
//! A model defined twice, in one file or across files, is an error naming both places.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use rust_decimal::Decimal;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::checker::Checker;
use super::diagnostic::{Diagnostic, LoadError};
use super::source::SourceFile;
use super::values;
use super::yaml::{self, Located};
use crate::model::catalogue::{
    Adjustment, CacheMultipliers, Catalogue, Deferred, DeferredSource, Deployment, LongContext,
    Model, ModelClass, OffPeak, Origin, PriceSet, Promotion, Provenance, Provider, Rates, Text,
    Tiers,
};

/// The shipped price files, embedded at build time.
pub const SHIPPED: &[(&str, &str)] = &[
    (
        "anthropic.yaml",
        include_str!("../../pricing/anthropic.yaml"),
    ),
    ("deepseek.yaml", include_str!("../../pricing/deepseek.yaml")),
    ("google.yaml", include_str!("../../pricing/google.yaml")),
    ("openai.yaml", include_str!("../../pricing/openai.yaml")),
    (
        "reviewers.yaml",
        include_str!("../../pricing/reviewers.yaml"),
    ),
    (
        "self-hosted.yaml",
        include_str!("../../pricing/self-hosted.yaml"),
    ),
];

/// The imported price files (`pricing/imported/DATABASE/*.yaml`), embedded with an index of
/// their models built by `build.rs`.
pub mod embedded {
    /// One generated price file and the byte range and first line of each model in it.
    pub struct ImportedFile {
        pub layer: &'static str,
        pub name: &'static str,
        pub provider: &'static str,
        pub text: &'static str,
        pub models: &'static [(&'static str, usize, usize, usize)],
    }

    include!(concat!(env!("OUT_DIR"), "/imported.rs"));
}

/// The shipped imported layers as deferred sources, lowest layer first.
pub fn shipped_imported() -> Vec<(String, DeferredSource)> {
    let mut sources = Vec::new();
    for file in embedded::IMPORTED {
        let name: std::sync::Arc<str> =
            format!("<built-in>/pricing/imported/{}/{}", file.layer, file.name).into();
        let provider: std::sync::Arc<str> = file.provider.into();
        for &(id, start, end, line) in file.models {
            sources.push((
                id.to_string(),
                DeferredSource {
                    file: name.clone(),
                    provider: provider.clone(),
                    text: Text::Static(file.text),
                    start,
                    end,
                    line,
                },
            ));
        }
    }
    sources
}

/// The databases of the imported layers, lowest first (as `build.rs` orders the shipped ones).
pub const IMPORT_LAYERS: [&str; 2] = ["genai-prices", "litellm"];

/// The models of a generated price file: its provider and, per model, `(id, byte start, byte
/// end, first line)`. The renderer puts each model key on its own line as `  "id":` (the same
/// scan `build.rs` makes of the shipped files).
pub fn index_generated(text: &str) -> (String, Vec<(String, usize, usize, usize)>) {
    let unquote = |text: &str| serde_json::from_str::<String>(text.trim()).ok();
    let mut provider = String::new();
    let mut models: Vec<(String, usize, usize, usize)> = Vec::new();
    let mut offset = 0;
    for (number, line) in text.split_inclusive('\n').enumerate() {
        let trimmed = line.trim_end();
        if let Some(rest) = trimmed.strip_prefix("provider: ") {
            provider = unquote(rest).unwrap_or_else(|| rest.trim().to_string());
        } else if let Some(key) = trimmed
            .strip_prefix("  \"")
            .and_then(|rest| rest.strip_suffix("\":"))
            .and_then(|key| unquote(&format!("\"{key}\"")))
        {
            if let Some(last) = models.last_mut() {
                last.2 = offset;
            }
            models.push((key, offset, text.len(), number + 1));
        }
        offset += line.len();
    }
    (provider, models)
}

/// The user's `pricing update` folder (`DIR/DATABASE/*.yaml`) as deferred sources, lowest
/// layer first. A file that cannot be read is an error naming it.
pub fn folder_imported(folder: &Path) -> Result<Vec<(String, DeferredSource)>, LoadError> {
    let mut sources = Vec::new();
    for layer in IMPORT_LAYERS {
        let layer_folder = folder.join(layer);
        if !layer_folder.is_dir() {
            continue;
        }
        for source in read_pricing_location(&layer_folder)? {
            let (provider, models) = index_generated(&source.text);
            let name: std::sync::Arc<str> = source.name.as_str().into();
            let provider: std::sync::Arc<str> = provider.into();
            let text = Text::Shared(source.text.into());
            for (id, start, end, line) in models {
                sources.push((
                    id,
                    DeferredSource {
                        file: name.clone(),
                        provider: provider.clone(),
                        text: text.clone(),
                        start,
                        end,
                        line,
                    },
                ));
            }
        }
    }
    Ok(sources)
}

/// Loads the shipped catalogue with the user's `pricing update` folder layered over the
/// shipped imported files (and under the hand-checked ones and `overrides`).
pub fn load_catalogue_with_update(
    overrides: &[std::path::PathBuf],
    update_folder: Option<&Path>,
) -> Result<(Catalogue, Vec<Diagnostic>), LoadError> {
    let (mut catalogue, warnings) = load_loaded_layers(overrides)?;
    let mut sources = shipped_imported();
    if let Some(folder) = update_folder {
        sources.extend(folder_imported(folder)?);
    }
    attach_imported(&mut catalogue, sources);
    Ok((catalogue, warnings))
}

/// Parses one deferred model: its block under a header that keeps line numbers as in the file.
pub fn parse_deferred(source: &DeferredSource) -> Result<Model, String> {
    let block = source
        .text
        .as_str()
        .get(source.start..source.end)
        .ok_or_else(|| format!("{}: model block out of range", source.file))?;
    let header = format!(
        "provider: {}\ncurrency: USD\nmodels:\n",
        serde_json::to_string(&*source.provider).unwrap_or_default()
    );
    let mut text = String::with_capacity(header.len() + source.line + block.len());
    text.push_str(&header);
    text.extend(std::iter::repeat_n('\n', source.line.saturating_sub(4)));
    text.push_str(block);
    let file = SourceFile::new(source.file.to_string(), text);
    match parse_pricing_file(&file) {
        Ok((_, (mut models, _), _)) if models.len() == 1 => Ok(models.remove(0)),
        Ok(_) => Err(format!("{}: expected one model block", source.file)),
        Err(error) => Err(error.to_string()),
    }
}

/// Adds the imported layers under the loaded models: an id already loaded (hand-checked or
/// `--pricing`) keeps its definition; the providers of imported files become known.
fn attach_imported(catalogue: &mut Catalogue, sources: Vec<(String, DeferredSource)>) {
    for (_, source) in &sources {
        if catalogue.providers.contains_key(&*source.provider) {
            continue;
        }
        let provider = source.provider.to_string();
        catalogue.providers.insert(
            provider.clone(),
            Provider {
                id: provider,
                currency: "USD".to_string(),
                file: source.file.to_string(),
            },
        );
    }
    let loaded = &catalogue.models;
    let humans = &catalogue.humans;
    let sources: Vec<_> = sources
        .into_iter()
        .filter(|(id, _)| !loaded.contains_key(id) && !humans.contains_key(id))
        .collect();
    catalogue.imported = Deferred::new(sources, parse_deferred);
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawPricingFile {
    provider: Located<String>,
    currency: Located<String>,
    #[schemars(with = "BTreeMap<String, RawModel>")]
    models: BTreeMap<Located<String>, Located<RawModel>>,
    /// Human reviewers (kind `human`), for fallback chains and sign-off.
    #[serde(default)]
    humans: BTreeMap<Located<String>, Located<super::quality::RawHuman>>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawModel {
    /// Routing tier; optional for imported models, which the databases do not classify.
    class: Option<ModelClass>,
    deployment: Deployment,
    open_weight: Option<bool>,
    license: Option<String>,
    context_window: Option<Located<String>>,
    /// Later context windows, each from a date (e.g. when a long-context beta ended).
    #[serde(default)]
    context_window_changes: Vec<RawContextWindowChange>,
    max_output_tokens: Option<Located<String>>,
    /// The date the vendor deprecates the model: results that price it warn.
    deprecated: Option<Located<String>>,
    /// The date the model stops answering: pricing it from then on is an error.
    retires: Option<Located<String>>,
    successor: Option<String>,
    /// The date the model's facts and prices were last compared with the vendor's page.
    checked: Option<Located<String>>,
    note: Option<String>,
    prices: Vec<Located<RawPriceSet>>,
    latency: Option<Located<super::quality::RawLatency>>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawContextWindowChange {
    from: Located<String>,
    tokens: Located<String>,
    /// Where the change is documented; for readers of the file.
    #[allow(dead_code)]
    source: Option<String>,
    #[allow(dead_code)]
    note: Option<String>,
}

/// Cache prices as multiples of the same list's input price (`cached_input: 0.1`).
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawCacheMultipliers {
    cached_input: Option<Located<String>>,
    cache_write: Option<Located<String>>,
    cache_write_1h: Option<Located<String>>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawPriceSet {
    from: Located<String>,
    source: Located<String>,
    note: Option<String>,
    input: Located<String>,
    cached_input: Option<Located<String>>,
    cache_write: Option<Located<String>>,
    cache_write_1h: Option<Located<String>>,
    output: Located<String>,
    batch: Option<Located<RawAdjustment>>,
    flex: Option<Located<RawAdjustment>>,
    priority: Option<Located<RawAdjustment>>,
    regional_processing: Option<Located<String>>,
    long_context: Option<RawLongContext>,
    cache_multipliers: Option<RawCacheMultipliers>,
    off_peak: Option<RawOffPeak>,
    #[serde(default)]
    promotions: Vec<RawPromotion>,
    /// Provenance of a generated price set: `{database, version, key}`.
    imported: Option<RawProvenance>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawProvenance {
    database: String,
    version: String,
    key: String,
}

#[derive(Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawRates {
    input: Located<String>,
    cached_input: Option<Located<String>>,
    cache_write: Option<Located<String>>,
    cache_write_1h: Option<Located<String>>,
    output: Located<String>,
}

/// Copies the five price columns out of a struct that holds them inline (serde's `flatten`
/// would lose both source positions and unknown-key detection).
macro_rules! raw_rates {
    ($raw:expr) => {
        RawRates {
            input: $raw.input.clone(),
            cached_input: $raw.cached_input.clone(),
            cache_write: $raw.cache_write.clone(),
            cache_write_1h: $raw.cache_write_1h.clone(),
            output: $raw.output.clone(),
        }
    };
}

/// `50%` (`+80%` for a surcharge), `{discount: 50%, except: [cached_input]}`, or a full set of
/// prices.
enum RawAdjustment {
    Discount(String),
    Map(RawAdjustmentMap),
}

/// The map form of a tier: a discount with exceptions, or prices.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawAdjustmentMap {
    discount: Option<Located<String>>,
    /// Columns the discount leaves at their standard price; only `cached_input` is known.
    except: Option<Vec<Located<String>>>,
    input: Option<Located<String>>,
    cached_input: Option<Located<String>>,
    cache_write: Option<Located<String>>,
    cache_write_1h: Option<Located<String>>,
    output: Option<Located<String>>,
}

impl schemars::JsonSchema for RawAdjustment {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Adjustment".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let rates = generator.subschema_for::<RawAdjustmentMap>();
        schemars::json_schema!({
            "description": "a discount such as 50% (+80% for a surcharge), {discount: 50%, except: [cached_input]}, or prices {input: …, output: …}",
            "oneOf": [{"type": "string", "pattern": "%\\s*$"}, rates]
        })
    }
}

/// The JSON Schema of a price file, for editors.
pub fn json_schema() -> schemars::Schema {
    super::schema::titled(schemars::schema_for!(RawPricingFile), "mixcost price file")
}

impl<'de> Deserialize<'de> for RawAdjustment {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AdjustmentVisitor;

        impl<'de> Visitor<'de> for AdjustmentVisitor {
            type Value = RawAdjustment;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a discount such as 50%, or prices {input: …, output: …}")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<RawAdjustment, E> {
                Ok(RawAdjustment::Discount(text.to_string()))
            }

            fn visit_f64<E: de::Error>(self, _: f64) -> Result<RawAdjustment, E> {
                Err(E::custom(
                    "write a discount as a percentage such as 50%, or give prices {input: …, output: …}",
                ))
            }

            fn visit_u64<E: de::Error>(self, value: u64) -> Result<RawAdjustment, E> {
                self.visit_f64(value as f64)
            }

            fn visit_i64<E: de::Error>(self, value: i64) -> Result<RawAdjustment, E> {
                self.visit_f64(value as f64)
            }

            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<RawAdjustment, M::Error> {
                RawAdjustmentMap::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(RawAdjustment::Map)
            }
        }

        deserializer.deserialize_any(AdjustmentVisitor)
    }
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawLongContext {
    above_input_tokens: Located<String>,
    input: Located<String>,
    cached_input: Option<Located<String>>,
    cache_write: Option<Located<String>>,
    cache_write_1h: Option<Located<String>>,
    output: Located<String>,
    batch: Option<Located<RawAdjustment>>,
    flex: Option<Located<RawAdjustment>>,
    priority: Option<Located<RawAdjustment>>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawOffPeak {
    peak_hours_utc: Vec<Located<String>>,
    peak_days: Vec<Located<String>>,
    discount: Option<Located<String>>,
    prices: Option<Located<RawRates>>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawPromotion {
    #[schemars(with = "String")]
    name: Located<String>,
    from: Option<Located<String>>,
    until: Located<String>,
    discount: Located<String>,
    source: Option<String>,
    note: Option<String>,
}

/// Loads the shipped catalogue plus any files in `overrides` (files with a shipped name replace
/// the shipped file). Warnings are returned beside the catalogue.
pub fn load_catalogue(
    overrides: &[std::path::PathBuf],
) -> Result<(Catalogue, Vec<Diagnostic>), LoadError> {
    load_catalogue_with_update(overrides, None)
}

/// The hand-checked files with `overrides` laid over them by file name.
fn load_loaded_layers(
    overrides: &[std::path::PathBuf],
) -> Result<(Catalogue, Vec<Diagnostic>), LoadError> {
    let mut files: BTreeMap<String, SourceFile> = SHIPPED
        .iter()
        .map(|(name, text)| {
            (
                name.to_string(),
                SourceFile::new(format!("<built-in>/pricing/{name}"), *text),
            )
        })
        .collect();
    for path in overrides {
        for source in read_pricing_location(path)? {
            let file_name = Path::new(&source.name)
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_else(|| source.name.clone());
            files.insert(file_name, source);
        }
    }
    build_catalogue(files.values())
}

/// A `--pricing` argument: a folder of `*.yaml` files, or one file.
fn read_pricing_location(path: &Path) -> Result<Vec<SourceFile>, LoadError> {
    if !path.is_dir() {
        return Ok(vec![SourceFile::read(path)?]);
    }
    let name = path.display().to_string();
    let entries = std::fs::read_dir(path).map_err(|error| {
        Diagnostic::error(&name, format!("cannot read folder '{name}': {error}"))
    })?;
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "yaml" || extension == "yml")
        })
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(Diagnostic::error(&name, format!("'{name}' holds no .yaml price files"))
            .with_help("--pricing takes a folder of price files like pricing/openai.yaml, or one such file")
            .into());
    }
    paths
        .iter()
        .map(|path| SourceFile::read(path).map_err(LoadError::from))
        .collect()
}

/// Validates price files into one catalogue; models must be unique across all of them.
pub fn build_catalogue<'a>(
    sources: impl IntoIterator<Item = &'a SourceFile>,
) -> Result<(Catalogue, Vec<Diagnostic>), LoadError> {
    let mut catalogue = Catalogue::default();
    let mut diagnostics = Vec::new();
    for source in sources {
        match parse_pricing_file(source) {
            Ok((provider, (models, humans), warnings)) => {
                diagnostics.extend(warnings);
                for human in humans {
                    let clash = catalogue
                        .humans
                        .get(&human.id)
                        .map(|h| &h.origin)
                        .or_else(|| catalogue.models.get(&human.id).map(|m| &m.origin));
                    if let Some(existing) = clash {
                        diagnostics.push(
                            Diagnostic::error(
                                &source.name,
                                format!(
                                    "'{}' is defined twice: here and in {}:{}",
                                    human.id, existing.file, existing.position.line
                                ),
                            )
                            .at(
                                &source.text,
                                human.origin.position,
                                human.id.chars().count(),
                            )
                            .with_help(
                                "models and human reviewers share one namespace; rename one",
                            ),
                        );
                        continue;
                    }
                    catalogue.humans.insert(human.id.clone(), human);
                }
                for model in models {
                    if let Some(human) = catalogue.humans.get(&model.id) {
                        diagnostics.push(
                            Diagnostic::error(
                                &source.name,
                                format!(
                                    "'{}' is both a human reviewer and a model (the reviewer is defined in {}:{})",
                                    model.id, human.origin.file, human.origin.position.line
                                ),
                            )
                            .at(
                                &source.text,
                                model.origin.position,
                                model.id.chars().count(),
                            )
                            .with_help(
                                "models and human reviewers share one namespace; rename one",
                            ),
                        );
                        continue;
                    }
                    if let Some(existing) = catalogue.models.get(&model.id) {
                        diagnostics.push(
                            Diagnostic::error(
                                &source.name,
                                format!(
                                    "model '{}' is defined twice: here and in {}:{}",
                                    model.id, existing.origin.file, existing.origin.position.line
                                ),
                            )
                            .at(&source.text, model.origin.position, model.id.chars().count())
                            .with_help("keep one definition; a file passed with --pricing replaces the shipped file of the same name"),
                        );
                        continue;
                    }
                    catalogue.models.insert(model.id.clone(), model);
                }
                catalogue.providers.insert(provider.id.clone(), provider);
            }
            Err(error) => diagnostics.extend(error.diagnostics),
        }
    }
    // A model loaded after a reviewer of the same name (humans are inserted first).
    for human in catalogue.humans.values() {
        if let Some(model) = catalogue.models.get(&human.id) {
            diagnostics.push(
                Diagnostic::error(
                    &human.origin.file,
                    format!(
                        "'{}' is both a human reviewer and a model (defined in {}:{})",
                        human.id, model.origin.file, model.origin.position.line
                    ),
                )
                .with_help("models and human reviewers share one namespace; rename one"),
            );
        }
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(LoadError::new(diagnostics));
    }
    Ok((catalogue, diagnostics))
}

type ParsedPricingFile = (
    Provider,
    (Vec<Model>, Vec<crate::model::quality::Human>),
    Vec<Diagnostic>,
);

fn parse_pricing_file(source: &SourceFile) -> Result<ParsedPricingFile, LoadError> {
    let raw: RawPricingFile = yaml::parse(source)?;
    let mut checker = Checker::new(source);
    if raw.currency.value != "USD" {
        checker.error_at(
            raw.currency.position,
            raw.currency.value.len(),
            format!("unsupported currency '{}'", raw.currency.value),
            "prices must be in USD per 1M tokens",
        );
    }
    let provider_id = raw.provider.value.trim().to_string();
    if provider_id.is_empty() {
        checker.error_at(
            raw.provider.position,
            1,
            "`provider` is empty",
            "name the provider, e.g. openai",
        );
    }
    let mut models = Vec::new();
    for (id, raw_model) in &raw.models {
        if let Some(model) = check_model(&mut checker, &provider_id, id, raw_model) {
            models.push(model);
        }
    }
    let provider = Provider {
        id: provider_id,
        currency: raw.currency.value.clone(),
        file: source.name.clone(),
    };
    let mut humans = Vec::new();
    for (id, raw_human) in &raw.humans {
        if let Some(human) = super::quality::check_human(&mut checker, id, raw_human) {
            humans.push(human);
        }
    }
    let (entries, warnings) = checker.finish(Some((models, humans)))?;
    Ok((provider, entries, warnings))
}

fn check_model(
    checker: &mut Checker,
    provider: &str,
    id: &Located<String>,
    located: &Located<RawModel>,
) -> Option<Model> {
    let raw = &located.value;
    let (id_position, id) = (id.position, id.value.as_str());
    if id.trim().is_empty() {
        checker.error_at(
            id_position,
            1,
            "a model has an empty name",
            "give the model the id scenarios route to, e.g. gpt-5.5",
        );
    }
    let context_window =
        checker.parse_optional("context_window", &raw.context_window, values::tokens);
    let max_output_tokens =
        checker.parse_optional("max_output_tokens", &raw.max_output_tokens, values::tokens);
    let deprecated = checker.parse_optional("deprecated", &raw.deprecated, values::instant);
    let retires = checker.parse_optional("retires", &raw.retires, values::instant);
    let checked = checker.parse_optional("checked", &raw.checked, values::instant);
    let mut context_window_changes = Vec::new();
    for change in &raw.context_window_changes {
        let from = checker.parse("from", &change.from, values::instant);
        let tokens = checker.parse("tokens", &change.tokens, values::tokens);
        if let (Some(from), Some(tokens)) = (from, tokens) {
            if context_window_changes
                .last()
                .is_some_and(|(last, _)| *last >= from)
            {
                checker.error_at(
                    change.from.position,
                    change.from.value.len(),
                    format!("context-window changes of '{id}' are out of order"),
                    "list `context_window_changes` oldest first, each with a later `from`",
                );
            }
            context_window_changes.push((from, tokens));
        }
    }
    if let (Some(Some(deprecated)), Some(Some(retires)), Some(raw_retires)) =
        (deprecated, retires, &raw.retires)
    {
        if retires < deprecated {
            checker.error_at(
                raw_retires.position,
                raw_retires.value.len(),
                format!("model '{id}' retires before it is deprecated"),
                "`retires` is when the model stops answering; it comes on or after `deprecated`",
            );
        }
    }
    let latency = match &raw.latency {
        Some(latency) => super::quality::check_latency(checker, latency).map(Some),
        None => Some(None),
    };
    if raw.prices.is_empty() {
        checker.error_at(
            id_position,
            id.chars().count(),
            format!("model '{id}' has no prices"),
            "add at least one entry under `prices:` with `from`, `source`, `input` and `output`",
        );
    }
    let mut prices = Vec::new();
    for set in &raw.prices {
        prices.push(check_price_set(checker, set));
    }
    let prices: Option<Vec<PriceSet>> = prices.into_iter().collect();
    let prices = prices?;
    for pair in raw.prices.windows(2).zip(prices.windows(2)) {
        let (raw_pair, sets) = pair;
        if sets[1].from <= sets[0].from {
            checker.error_at(
                raw_pair[1].value.from.position,
                raw_pair[1].value.from.value.len(),
                format!(
                    "price sets of '{id}' are out of order: {} does not come after {}",
                    raw_pair[1].value.from.value, raw_pair[0].value.from.value
                ),
                "list price sets oldest first, each with a later `from`",
            );
        }
    }
    Some(Model {
        id: id.to_string(),
        provider: provider.to_string(),
        class: raw.class,
        deployment: raw.deployment,
        open_weight: raw.open_weight,
        license: raw.license.clone(),
        context_window: context_window?,
        context_window_changes,
        max_output_tokens: max_output_tokens?,
        deprecated: deprecated?,
        retires: retires?,
        successor: raw.successor.clone(),
        checked: checked?,
        note: raw.note.clone(),
        prices,
        latency: latency?,
        origin: Origin {
            file: checker.source.name.clone(),
            position: id_position,
        },
    })
}

fn check_price_set(checker: &mut Checker, located: &Located<RawPriceSet>) -> Option<PriceSet> {
    let raw = &located.value;
    let from = checker.parse("from", &raw.from, values::instant);
    let rates = check_rates(checker, &raw_rates!(raw));
    let tiers = check_tiers(checker, &raw.batch, &raw.flex, &raw.priority);
    let regional_processing = checker.parse_optional(
        "regional_processing",
        &raw.regional_processing,
        values::share,
    );
    let long_context = match &raw.long_context {
        None => Some(None),
        Some(long) => {
            let threshold = checker.parse(
                "above_input_tokens",
                &long.above_input_tokens,
                values::tokens,
            );
            let rates = check_rates(checker, &raw_rates!(long));
            let tiers = check_tiers(checker, &long.batch, &long.flex, &long.priority);
            match (threshold, rates, tiers) {
                (Some(above_input_tokens), Some(rates), Some(tiers)) => Some(Some(LongContext {
                    above_input_tokens,
                    rates,
                    tiers,
                })),
                _ => None,
            }
        }
    };
    let off_peak = match &raw.off_peak {
        None => Some(None),
        Some(off_peak) => check_off_peak(checker, located, off_peak).map(Some),
    };
    let cache_multipliers = match &raw.cache_multipliers {
        None => Some(None),
        Some(multipliers) => {
            let cached_input =
                checker.parse_optional("cached_input", &multipliers.cached_input, multiplier);
            let cache_write =
                checker.parse_optional("cache_write", &multipliers.cache_write, multiplier);
            let cache_write_1h =
                checker.parse_optional("cache_write_1h", &multipliers.cache_write_1h, multiplier);
            match (cached_input, cache_write, cache_write_1h) {
                (Some(cached_input), Some(cache_write), Some(cache_write_1h)) => {
                    Some(Some(CacheMultipliers {
                        cached_input,
                        cache_write,
                        cache_write_1h,
                    }))
                }
                _ => None,
            }
        }
    };
    let mut promotions = Vec::new();
    for promotion in &raw.promotions {
        promotions.push(check_promotion(checker, promotion, from));
    }
    let promotions: Option<Vec<Promotion>> = promotions.into_iter().collect();
    if let Some(promotions) = &promotions {
        check_overlaps(checker, &raw.promotions, promotions);
    }
    if raw.source.value.trim().is_empty() {
        checker.error_at(
            raw.source.position,
            1,
            "`source` is empty",
            "every price set names where its prices come from (a URL)",
        );
    }
    Some(PriceSet {
        from: from?,
        source: raw.source.value.trim().to_string(),
        note: raw.note.clone(),
        rates: rates?,
        tiers: tiers?,
        regional_processing: regional_processing?,
        long_context: long_context?,
        cache_multipliers: cache_multipliers?,
        off_peak: off_peak?,
        promotions: promotions?,
        provenance: raw.imported.as_ref().map(|raw| Provenance {
            database: raw.database.clone(),
            version: raw.version.clone(),
            key: raw.key.clone(),
        }),
    })
}

fn check_rates(checker: &mut Checker, raw: &RawRates) -> Option<Rates> {
    let input = checker.parse("input", &raw.input, values::price);
    let cached_input = checker.parse_optional("cached_input", &raw.cached_input, values::price);
    let cache_write = checker.parse_optional("cache_write", &raw.cache_write, values::price);
    let cache_write_1h =
        checker.parse_optional("cache_write_1h", &raw.cache_write_1h, values::price);
    let output = checker.parse("output", &raw.output, values::price);
    Some(Rates {
        input: input?,
        cached_input: cached_input?,
        cache_write: cache_write?,
        cache_write_1h: cache_write_1h?,
        output: output?,
    })
}

fn check_tiers(
    checker: &mut Checker,
    batch: &Option<Located<RawAdjustment>>,
    flex: &Option<Located<RawAdjustment>>,
    priority: &Option<Located<RawAdjustment>>,
) -> Option<Tiers> {
    let batch = check_adjustment(checker, "batch", batch);
    let flex = check_adjustment(checker, "flex", flex);
    let priority = check_adjustment(checker, "priority", priority);
    Some(Tiers {
        batch: batch?,
        flex: flex?,
        priority: priority?,
    })
}

fn check_adjustment(
    checker: &mut Checker,
    key: &str,
    raw: &Option<Located<RawAdjustment>>,
) -> Option<Option<Adjustment>> {
    let Some(located) = raw else {
        return Some(None);
    };
    match &located.value {
        RawAdjustment::Discount(text) => {
            let field = Located::new(text.clone(), located.position);
            checker
                .parse(key, &field, tier_discount)
                .map(|share| Some(Adjustment::discount(share)))
        }
        RawAdjustment::Map(map) => check_adjustment_map(checker, key, located.position, map),
    }
}

fn check_adjustment_map(
    checker: &mut Checker,
    key: &str,
    position: super::diagnostic::Position,
    map: &RawAdjustmentMap,
) -> Option<Option<Adjustment>> {
    let has_prices = map.input.is_some()
        || map.cached_input.is_some()
        || map.cache_write.is_some()
        || map.cache_write_1h.is_some()
        || map.output.is_some();
    if let Some(text) = &map.discount {
        if has_prices {
            checker.error_at(
                text.position,
                text.value.chars().count(),
                format!("`{key}` gives both a discount and prices"),
                "write either `discount: 50%` (with `except`) or the prices, not both",
            );
            return None;
        }
        let share = checker.parse(key, text, tier_discount);
        let mut keeps_cache_reads = false;
        let mut ok = true;
        for column in map.except.iter().flatten() {
            if column.value.trim() == "cached_input" {
                keeps_cache_reads = true;
            } else {
                checker.error_at(
                    column.position,
                    column.value.chars().count(),
                    format!("`except` lists unknown column '{}'", column.value),
                    "only `cached_input` can be left out of a tier's discount",
                );
                ok = false;
            }
        }
        return (ok && share.is_some()).then(|| {
            Some(Adjustment::Discount {
                share: share.unwrap_or_default(),
                keeps_cache_reads,
            })
        });
    }
    if let Some(except) = map.except.as_ref().and_then(|except| except.first()) {
        checker.error_at(
            except.position,
            except.value.chars().count(),
            format!("`{key}` has `except` but no `discount`"),
            "`except` names columns a discount leaves alone; add `discount: 50%` or remove it",
        );
        return None;
    }
    let (Some(input), Some(output)) = (&map.input, &map.output) else {
        checker.error_at(
            position,
            1,
            format!("`{key}` prices need both `input` and `output`"),
            "give `{input: …, output: …}` (and optionally cached_input, cache_write), or a discount such as 50%",
        );
        return None;
    };
    let rates = RawRates {
        input: input.clone(),
        cached_input: map.cached_input.clone(),
        cache_write: map.cache_write.clone(),
        cache_write_1h: map.cache_write_1h.clone(),
        output: output.clone(),
    };
    check_rates(checker, &rates).map(|rates| Some(Adjustment::Rates(rates)))
}

/// A discount must be written as a percentage, so `0.5` and `50` are never confused.
fn discount(text: &str) -> Result<Decimal, values::Problem> {
    if !text.trim().ends_with('%') {
        return Err(values::Problem::new(
            format!("'{text}' is not a percentage"),
            "write a discount as a percentage such as 50%, or give prices {input: …, output: …}",
        ));
    }
    values::share(text)
}

/// A service tier's price change: a discount (`50%`) or, with a leading `+`, a surcharge
/// (`+80%`, stored as a negative discount). Surcharges above +1000% are refused as typos.
fn tier_discount(text: &str) -> Result<Decimal, values::Problem> {
    let trimmed = text.trim();
    let Some(surcharge) = trimmed.strip_prefix('+') else {
        return discount(text);
    };
    let Some(number) = surcharge.strip_suffix('%') else {
        return Err(values::Problem::new(
            format!("'{text}' is not a percentage"),
            "write a surcharge as a percentage such as +80%",
        ));
    };
    let value = values::decimal(number)? / Decimal::ONE_HUNDRED;
    if value <= Decimal::ZERO || value > Decimal::TEN {
        return Err(values::Problem::new(
            format!("surcharge '{text}' is outside +0%–+1000%"),
            "write a surcharge as a percentage such as +80%",
        ));
    }
    Ok(-value.normalize())
}

/// A multiple of an input price (`0.1`, `1.25`), between 0 and 100.
fn multiplier(text: &str) -> Result<Decimal, values::Problem> {
    let value = values::decimal(text.trim().trim_end_matches(['x', '×']))?;
    if value < Decimal::ZERO || value > Decimal::ONE_HUNDRED {
        return Err(values::Problem::new(
            format!("multiplier '{text}' is outside 0–100"),
            "write a multiple of the input price such as 0.1 (cache read) or 1.25 (cache write)",
        ));
    }
    Ok(value.normalize())
}

fn check_off_peak(
    checker: &mut Checker,
    set: &Located<RawPriceSet>,
    raw: &RawOffPeak,
) -> Option<OffPeak> {
    let mut ok = true;
    let mut peak_hours_utc = Vec::new();
    for window in &raw.peak_hours_utc {
        match checker.parse("peak_hours_utc", window, hour_window) {
            Some(window) => peak_hours_utc.push(window),
            None => ok = false,
        }
    }
    let mut peak_days = Vec::new();
    for day in &raw.peak_days {
        match checker.parse("peak_days", day, weekday) {
            Some(day) => peak_days.push(day),
            None => ok = false,
        }
    }
    let adjustment = match (&raw.discount, &raw.prices) {
        (Some(text), None) => checker
            .parse("discount", text, discount)
            .map(Adjustment::discount),
        (None, Some(prices)) => check_rates(checker, &prices.value).map(Adjustment::Rates),
        _ => {
            checker.error_at(
                set.position,
                1,
                "`off_peak` needs exactly one of `discount` and `prices`",
                "write `discount: 50%` or `prices: {input: …, cached_input: …, output: …}`",
            );
            None
        }
    };
    if !ok {
        return None;
    }
    Some(OffPeak {
        peak_hours_utc,
        peak_days,
        adjustment: adjustment?,
    })
}

/// `"01:00-04:00"` as minutes after midnight.
fn hour_window(text: &str) -> Result<(u16, u16), values::Problem> {
    let problem = || {
        values::Problem::new(
            format!("'{text}' is not a time window"),
            "write a UTC window as HH:MM-HH:MM, e.g. 01:00-04:00",
        )
    };
    let (start, end) = text.split_once('-').ok_or_else(problem)?;
    let minutes = |clock: &str| -> Option<u16> {
        let (hours, minutes) = clock.trim().split_once(':')?;
        let hours: u16 = hours.parse().ok()?;
        let minutes: u16 = minutes.parse().ok()?;
        (hours <= 24 && minutes < 60 && hours * 60 + minutes <= 24 * 60)
            .then_some(hours * 60 + minutes)
    };
    let (start, end) = (
        minutes(start).ok_or_else(problem)?,
        minutes(end).ok_or_else(problem)?,
    );
    if start >= end {
        return Err(values::Problem::new(
            format!("time window '{text}' ends before it starts"),
            "write the earlier time first; split windows that cross midnight in two",
        ));
    }
    Ok((start, end))
}

fn weekday(text: &str) -> Result<u8, values::Problem> {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    DAYS.iter()
        .position(|day| text.trim().eq_ignore_ascii_case(day))
        .map(|index| index as u8)
        .ok_or_else(|| {
            values::Problem::new(
                format!("'{text}' is not a weekday"),
                "write days as mon, tue, wed, thu, fri, sat, sun",
            )
        })
}

/// Two promotions of one price set in force at the same instant: the engine would apply the
/// first listed and silently ignore the other, so the overlap is refused, naming both.
fn check_overlaps(checker: &mut Checker, raw: &[RawPromotion], promotions: &[Promotion]) {
    for (index, later) in promotions.iter().enumerate() {
        let overlapping = promotions[..index]
            .iter()
            .zip(raw)
            .find(|(earlier, _)| earlier.from <= later.until && later.from <= earlier.until);
        if let Some((earlier, earlier_raw)) = overlapping {
            let name = &raw[index].name;
            checker.error_at(
                name.position,
                name.value.chars().count(),
                format!(
                    "promotions '{}' (line {}) and '{}' overlap from {} to {}",
                    earlier.name,
                    earlier_raw.name.position.line,
                    later.name,
                    values::show_instant(earlier.from.max(later.from)),
                    values::show_instant(earlier.until.min(later.until)),
                ),
                "only one promotion can apply at a time: end one before the other starts, or merge them into one",
            );
        }
    }
}

fn check_promotion(
    checker: &mut Checker,
    raw: &RawPromotion,
    set_from: Option<jiff::Timestamp>,
) -> Option<Promotion> {
    let from = checker.parse_optional("from", &raw.from, values::instant);
    let until = checker.parse("until", &raw.until, values::instant);
    let discount = checker.parse("discount", &raw.discount, discount);
    let from = from?.or(set_from)?;
    let until = until?;
    if until < from {
        checker.error_at(
            raw.until.position,
            raw.until.value.len(),
            format!("promotion '{}' ends before it starts", raw.name.value),
            "check `from` and `until`; `until` is the last moment the promotion applies",
        );
        return None;
    }
    Some(Promotion {
        name: raw.name.value.clone(),
        from,
        until,
        discount: discount?,
        source: raw.source.clone(),
        note: raw.note.clone(),
    })
}
