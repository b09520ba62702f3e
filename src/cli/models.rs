//! `mixcost models`: the catalogue with the prices in effect on a date, their start and source.

use std::process::ExitCode;

use rust_decimal::Decimal;
use serde::Serialize;

use super::args::{Cli, ModelsArgs};
use crate::engine::prices::{quote, Columns, Slice};
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
    let text = render(&catalogue, as_of, args.output.format);
    super::output::emit(&text, args.output.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

fn adjustment_label(adjustment: &Option<Adjustment>) -> String {
    match adjustment {
        None => "—".to_string(),
        Some(Adjustment::Discount(discount)) => {
            format!("{}% off", format::plain(discount * Decimal::ONE_HUNDRED))
        }
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

/// A model with its price set and quotes at the date, or `None` when not yet priced.
struct Priced<'a> {
    model: &'a Model,
    set: &'a PriceSet,
    list: Columns,
    effective: Columns,
}

fn priced(catalogue: &Catalogue, as_of: jiff::Timestamp) -> (Vec<Priced<'_>>, Vec<&Model>) {
    let mut priced = Vec::new();
    let mut unpriced = Vec::new();
    for model in catalogue.models.values() {
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
            }),
            _ => unpriced.push(model),
        }
    }
    (priced, unpriced)
}

pub fn render(catalogue: &Catalogue, as_of: jiff::Timestamp, format: Format) -> String {
    let (priced, unpriced) = priced(catalogue, as_of);
    if format == Format::Json {
        return json::to_string(&ModelsJson::new(&priced, as_of));
    }
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
            Cell::text(model.class.as_str()),
            Cell::Tokens(Decimal::from(model.context_window)),
            Cell::Price(entry.list.uncached_input),
            match entry.set.rates.cached_input {
                Some(price) => Cell::Price(price),
                None => Cell::text("—"),
            },
            Cell::Price(entry.list.output),
            Cell::text(adjustment_label(&entry.set.tiers.batch)),
            Cell::text(show_instant(entry.set.from)),
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
                "{}: deprecated {}{}",
                model.id,
                show_instant(deprecated),
                model
                    .successor
                    .as_ref()
                    .map(|s| format!(", successor {s}"))
                    .unwrap_or_default()
            ));
        }
    }
    for model in &unpriced {
        notes.push(format!(
            "{}: not yet priced on {}",
            model.id,
            show_instant(as_of)
        ));
    }
    let mut tables = vec![(None, table)];
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
    }
    .render(format)
}

#[derive(Serialize, schemars::JsonSchema)]
struct ModelsJson {
    #[schemars(extend("const" = "1"))]
    schema_version: &'static str,
    as_of: String,
    currency: &'static str,
    models: Vec<ModelJson>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct ModelJson {
    id: String,
    provider: String,
    class: &'static str,
    deployment: &'static str,
    open_weight: bool,
    license: String,
    context_window: u64,
    price_from: String,
    source: String,
    list: PricesJson,
    effective: PricesJson,
    promotion: Option<String>,
    deprecated: Option<String>,
    successor: Option<String>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct PricesJson {
    input: String,
    cached_input: String,
    cache_write: String,
    output: String,
}

impl PricesJson {
    fn new(columns: &Columns) -> Self {
        PricesJson {
            input: format::plain(columns.uncached_input),
            cached_input: format::plain(columns.cached_input),
            cache_write: format::plain(columns.cache_write),
            output: format::plain(columns.output),
        }
    }
}

impl ModelsJson {
    fn new(priced: &[Priced], as_of: jiff::Timestamp) -> Self {
        ModelsJson {
            schema_version: json::SCHEMA_VERSION,
            as_of: show_instant(as_of),
            currency: "USD",
            models: priced
                .iter()
                .map(|entry| ModelJson {
                    id: entry.model.id.clone(),
                    provider: entry.model.provider.clone(),
                    class: entry.model.class.as_str(),
                    deployment: entry.model.deployment.as_str(),
                    open_weight: entry.model.open_weight,
                    license: entry.model.license.clone(),
                    context_window: entry.model.context_window,
                    price_from: show_instant(entry.set.from),
                    source: entry.set.source.clone(),
                    list: PricesJson::new(&entry.list),
                    effective: PricesJson::new(&entry.effective),
                    promotion: entry.set.active_promotion(as_of).map(|p| p.name.clone()),
                    deprecated: entry.model.deprecated.map(show_instant),
                    successor: entry.model.successor.clone(),
                })
                .collect(),
        }
    }
}

/// The JSON Schema of `models --format json`.
pub fn json_schema() -> schemars::Schema {
    schemars::schema_for!(ModelsJson)
}
