//! `mixcost models`: the catalogue with the prices in effect on a date, their start and source.

use std::process::ExitCode;

use rust_decimal::Decimal;
use serde::Serialize;

use super::args::{Cli, ModelsArgs};
use crate::engine::breakdown::Component;
use crate::engine::prices::{quote, Columns, Fallback, Slice};
use crate::load::values::show_instant;
use crate::model::catalogue::{Adjustment, Catalogue, Model, PriceSet};
use crate::model::scenario::PriceMode;
use crate::report::{format, json, Cell, Document, Format, Notes, Table};

pub fn run(cli: &Cli, args: &ModelsArgs) -> anyhow::Result<ExitCode> {
    let catalogue = super::load_catalogue(cli)?;
    let as_of = match &args.as_of {
        Some(text) => super::parse_as_of(text)?,
        None => super::today(),
    };
    if let Some(provider) = &args.provider {
        if !catalogue.providers.contains_key(provider) {
            anyhow::bail!(
                "unknown provider '{provider}'\n  = help: {}",
                catalogue.unknown_provider_help(provider)
            );
        }
    }
    let filter = Filter {
        provider: args.provider.clone(),
        search: args.search.as_ref().map(|text| text.to_lowercase()),
        imported: args.all || args.provider.is_some() || args.search.is_some(),
    };
    let text = render_filtered(&catalogue, as_of, &filter, args.output.format);
    super::output::emit(&text, args.output.output.as_deref())?;
    super::output::emit_assumptions(cli, args.output.output.as_deref(), || {
        vec![document(&catalogue, as_of, &filter)]
    })?;
    Ok(ExitCode::SUCCESS)
}

fn adjustment_label(adjustment: &Option<Adjustment>) -> String {
    match adjustment {
        None => "—".to_string(),
        Some(adjustment @ Adjustment::Discount { .. }) => adjustment.to_string(),
        Some(Adjustment::Rates(rates)) => format!(
            "{} / {}",
            format::price(rates.input),
            format::price(rates.output)
        ),
    }
}

/// `Mon–Fri`, or the days listed.
fn day_names(days: &[u8]) -> String {
    const NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    if days == [0, 1, 2, 3, 4] {
        return "Mon–Fri".to_string();
    }
    days.iter()
        .filter_map(|day| NAMES.get(*day as usize).copied())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Which models to list.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub provider: Option<String>,
    /// Lowercase text the id or provider must contain.
    pub search: Option<String>,
    /// Whether to list imported models as well as the hand-checked ones.
    pub imported: bool,
}

impl Filter {
    fn keeps(&self, model: &Model) -> bool {
        self.provider
            .as_ref()
            .is_none_or(|provider| &model.provider == provider)
            && self.search.as_ref().is_none_or(|text| {
                model.id.to_lowercase().contains(text)
                    || model.provider.to_lowercase().contains(text)
            })
    }
}

/// A model with its price set and quotes at the date, or `None` when not yet priced.
struct Priced<'a> {
    model: &'a Model,
    set: &'a PriceSet,
    list: Columns,
    effective: Columns,
    /// Columns the model does not publish (and the quote stood in for), as the engine says.
    stand_ins: Vec<Fallback>,
}

impl Priced<'_> {
    /// Whether `component` is a stand-in rather than a published price.
    fn stands_in(&self, component: Component) -> bool {
        self.stand_ins
            .iter()
            .any(|fallback| fallback.component == Some(component))
    }
}

/// Models priced at `as_of`, models not yet priced, and models retired by then.
type Listing<'a> = (Vec<Priced<'a>>, Vec<&'a Model>, Vec<&'a Model>);

fn priced<'a>(catalogue: &'a Catalogue, as_of: jiff::Timestamp, filter: &Filter) -> Listing<'a> {
    let mut priced = Vec::new();
    let mut unpriced = Vec::new();
    let mut retired = Vec::new();
    let models: Vec<&Model> = if filter.imported {
        catalogue.all_models().0
    } else {
        catalogue.models.values().collect()
    };
    for model in models.into_iter().filter(|model| filter.keeps(model)) {
        if model.is_retired(as_of) {
            retired.push(model);
            continue;
        }
        match (
            model.price_set_at(as_of),
            quote(model, as_of, Slice::standard(PriceMode::List)),
            quote(model, as_of, Slice::standard(PriceMode::Effective)),
        ) {
            (Some(set), Ok(list), Ok(effective)) => priced.push(Priced {
                model,
                set,
                list: list.columns,
                effective: effective.columns,
                stand_ins: list.fallbacks,
            }),
            _ => unpriced.push(model),
        }
    }
    (priced, unpriced, retired)
}

/// The whole catalogue at `as_of`.
pub fn render(catalogue: &Catalogue, as_of: jiff::Timestamp, format: Format) -> String {
    render_filtered(catalogue, as_of, &Filter::default(), format)
}

/// The models `filter` keeps, at `as_of`.
pub fn render_filtered(
    catalogue: &Catalogue,
    as_of: jiff::Timestamp,
    filter: &Filter,
    format: Format,
) -> String {
    let (priced, _, retired) = priced(catalogue, as_of, filter);
    let warnings = crate::engine::evaluate::lifecycle_warnings(catalogue, as_of, []);
    if format == Format::Json {
        return json::to_string(&ModelsJson::new(&priced, &retired, &warnings, as_of));
    }
    document(catalogue, as_of, filter).render(format)
}

/// The catalogue as a document: models, then promotions in effect; CSV writes the models.
pub fn document(catalogue: &Catalogue, as_of: jiff::Timestamp, filter: &Filter) -> Document {
    let (priced, unpriced, retired) = priced(catalogue, as_of, filter);
    let warnings = crate::engine::evaluate::lifecycle_warnings(catalogue, as_of, []);
    let mut table = Table::new(&[
        "model",
        "provider",
        "class",
        "context",
        "input",
        "cached input",
        "output",
        "batch",
        "since",
        "checked",
        "source",
    ]);
    let mut promotions = Table::new(&[
        "model",
        "promotion",
        "until",
        "input",
        "cached input",
        "output",
    ]);
    let mut notes = Vec::new();
    for entry in &priced {
        let model = entry.model;
        table.push(vec![
            Cell::text(&model.id),
            Cell::text(&model.provider),
            Cell::text(model.class.map_or("—", |class| class.as_str())),
            match model.context_window_at(as_of) {
                Some(tokens) => Cell::Tokens(Decimal::from(tokens)),
                None => Cell::Marker("—"),
            },
            Cell::Price(entry.list.uncached_input),
            if entry.stands_in(Component::CachedInput) {
                Cell::Marker("—")
            } else {
                Cell::Price(entry.list.cached_input)
            },
            Cell::Price(entry.list.output),
            match &entry.set.tiers.batch {
                None => Cell::Marker("—"),
                batch => Cell::text(adjustment_label(batch)),
            },
            Cell::text(show_instant(entry.set.from)),
            model.checked.map_or(Cell::Marker("—"), |checked| {
                Cell::text(show_instant(checked))
            }),
            Cell::text(&entry.set.source),
        ]);
        if let Some(promotion) = entry.set.active_promotion(as_of) {
            promotions.push(vec![
                Cell::text(&model.id),
                Cell::text(&promotion.name),
                Cell::text(show_instant(promotion.until)),
                Cell::Price(entry.effective.uncached_input),
                Cell::Price(entry.effective.cached_input),
                Cell::Price(entry.effective.output),
            ]);
        }
        if let Some(long) = &entry.set.long_context {
            notes.push(format!(
                "{}: requests above {} input tokens are billed entirely at {} in / {} out",
                model.id,
                format::tokens(Decimal::from(long.above_input_tokens)),
                format::price(long.rates.input),
                format::price(long.rates.output)
            ));
        }
        if let Some(off_peak) = &entry.set.off_peak {
            let hours: Vec<String> = off_peak
                .peak_hours_utc
                .iter()
                .map(|(start, end)| {
                    format!(
                        "{:02}:{:02}–{:02}:{:02}",
                        start / 60,
                        start % 60,
                        end / 60,
                        end % 60
                    )
                })
                .collect();
            notes.push(format!(
                "{}: peak {} UTC {}; all other hours off-peak at {}",
                model.id,
                hours.join(" and "),
                day_names(&off_peak.peak_days),
                adjustment_label(&Some(off_peak.adjustment.clone()))
            ));
        }
        if let Some(deprecated) = model.deprecated {
            notes.push(format!(
                "{}: deprecated {}{}{}",
                model.id,
                show_instant(deprecated),
                model
                    .retires
                    .map(|r| format!(", retires {}", show_instant(r)))
                    .unwrap_or_default(),
                model
                    .successor
                    .as_ref()
                    .map(|s| format!(", successor {s}"))
                    .unwrap_or_default()
            ));
        } else if let Some(retires) = model.retires {
            notes.push(format!(
                "{}: retires {}{}",
                model.id,
                show_instant(retires),
                model
                    .successor
                    .as_ref()
                    .map(|s| format!(", successor {s}"))
                    .unwrap_or_default()
            ));
        }
        if let Some((from, tokens)) = model
            .context_window_changes
            .iter()
            .find(|(from, _)| *from > as_of)
        {
            notes.push(format!(
                "{}: context window {} tokens from {}",
                model.id,
                format::tokens(Decimal::from(*tokens)),
                show_instant(*from)
            ));
        }
    }
    for model in &retired {
        notes.push(format!(
            "{}: retired on {}{}",
            model.id,
            model.retires.map(show_instant).unwrap_or_default(),
            model
                .successor
                .as_ref()
                .map(|s| format!(", successor {s}"))
                .unwrap_or_default()
        ));
    }
    for model in &unpriced {
        notes.push(format!(
            "{}: not yet priced on {}",
            model.id,
            show_instant(as_of)
        ));
    }
    if !filter.imported && !catalogue.imported.is_empty() {
        notes.push(format!(
            "{} more models imported from LiteLLM's map and genai-prices: list them with --all, --provider NAME or --search TEXT",
            catalogue.imported.len()
        ));
    }
    // A narrow terminal keeps the model and its prices.
    let table = table.optional_columns(&[
        "source", "checked", "since", "batch", "class", "provider", "context",
    ]);
    let mut tables = vec![(None, table)];
    tables.extend(super::compare::warning_table(&warnings));
    if !promotions.rows.is_empty() {
        tables.push((
            Some("promotions in effect (effective prices)".to_string()),
            promotions,
        ));
    }
    Document {
        title: format!("Model catalogue as of {}", show_instant(as_of)),
        subtitle: vec!["USD per 1M tokens; list prices of the price set in effect".to_string()],
        tables,
        notes: vec![Notes {
            heading: "notes".to_string(),
            items: notes,
            when_empty: None,
        }],
        csv_table: 0,
    }
}

#[derive(Serialize, schemars::JsonSchema)]
struct ModelsJson {
    #[schemars(extend("const" = "1"))]
    schema_version: &'static str,
    as_of: String,
    currency: &'static str,
    models: Vec<ModelJson>,
    /// Models retired by `as_of`: no longer priced.
    retired: Vec<RetiredJson>,
    /// A stale catalogue.
    warnings: Vec<crate::engine::breakdown::Warning>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct RetiredJson {
    id: String,
    provider: String,
    retired: String,
    successor: Option<String>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct ModelJson {
    id: String,
    provider: String,
    class: Option<&'static str>,
    deployment: &'static str,
    open_weight: Option<bool>,
    license: Option<String>,
    context_window: Option<u64>,
    price_from: String,
    source: String,
    list: PricesJson,
    effective: PricesJson,
    promotion: Option<String>,
    deprecated: Option<String>,
    retires: Option<String>,
    successor: Option<String>,
    checked: Option<String>,
    /// Prices the model does not publish and pricing stands in for (shown as `null` above).
    assumptions: Vec<String>,
}

/// Published prices only: a column the model does not publish is `null`, never a stand-in.
#[derive(Serialize, schemars::JsonSchema)]
struct PricesJson {
    input: String,
    cached_input: Option<String>,
    cache_write: Option<String>,
    output: String,
}

impl PricesJson {
    fn new(columns: &Columns, entry: &Priced) -> Self {
        let published = |component: Component, value: Decimal| {
            (!entry.stands_in(component)).then(|| format::plain(value))
        };
        PricesJson {
            input: format::plain(columns.uncached_input),
            cached_input: published(Component::CachedInput, columns.cached_input),
            cache_write: published(Component::CacheWrite, columns.cache_write),
            output: format::plain(columns.output),
        }
    }
}

impl ModelsJson {
    fn new(
        priced: &[Priced],
        retired: &[&Model],
        warnings: &[crate::engine::breakdown::Warning],
        as_of: jiff::Timestamp,
    ) -> Self {
        ModelsJson {
            schema_version: json::SCHEMA_VERSION,
            as_of: show_instant(as_of),
            currency: "USD",
            models: priced
                .iter()
                .map(|entry| ModelJson {
                    id: entry.model.id.clone(),
                    provider: entry.model.provider.clone(),
                    class: entry.model.class.map(|class| class.as_str()),
                    deployment: entry.model.deployment.as_str(),
                    open_weight: entry.model.open_weight,
                    license: entry.model.license.clone(),
                    context_window: entry.model.context_window_at(as_of),
                    price_from: show_instant(entry.set.from),
                    source: entry.set.source.clone(),
                    list: PricesJson::new(&entry.list, entry),
                    effective: PricesJson::new(&entry.effective, entry),
                    promotion: entry.set.active_promotion(as_of).map(|p| p.name.clone()),
                    deprecated: entry.model.deprecated.map(show_instant),
                    retires: entry.model.retires.map(show_instant),
                    successor: entry.model.successor.clone(),
                    checked: entry.model.checked.map(show_instant),
                    assumptions: entry.stand_ins.iter().map(|f| f.text.clone()).collect(),
                })
                .collect(),
            retired: retired
                .iter()
                .map(|model| RetiredJson {
                    id: model.id.clone(),
                    provider: model.provider.clone(),
                    retired: model.retires.map(show_instant).unwrap_or_default(),
                    successor: model.successor.clone(),
                })
                .collect(),
            warnings: warnings.to_vec(),
        }
    }
}

/// The JSON Schema of `models --format json`.
pub fn json_schema() -> schemars::Schema {
    schemars::schema_for!(ModelsJson)
}
