//! `mixcost gap A B`: how many times dearer A is than B, column by column.

use std::process::ExitCode;

use serde::Serialize;

use super::args::{Cli, GapArgs};
use crate::engine::gap::{gap, Gap};
use crate::load::values::show_instant;
use crate::report::{format, json, Cell, Document, Format, Notes, Table};

pub fn run(cli: &Cli, args: &GapArgs) -> anyhow::Result<ExitCode> {
    let catalogue = super::load_catalogue(cli)?;
    for model in [&args.model_a, &args.model_b] {
        if catalogue.model(model).is_none() {
            let hint = match catalogue.nearest_model(model) {
                Some(name) => format!("did you mean '{name}'?"),
                None => "`mixcost models` lists the catalogue".to_string(),
            };
            anyhow::bail!("unknown model '{model}' — {hint}");
        }
    }
    let scenario = match &args.scenario {
        Some(path) => Some(super::load_scenario(Some(path), &catalogue)?),
        None => None,
    };
    let workload = match (&scenario, &args.workload) {
        (Some(scenario), Some(name)) => Some(scenario.workload(name).ok_or_else(|| {
            let names: Vec<&str> = scenario.workloads.iter().map(|w| w.name.as_str()).collect();
            anyhow::anyhow!(
                "workload '{name}' is not in '{}'; its workloads are: {}",
                scenario.file,
                names.join(", ")
            )
        })?),
        _ => None,
    };
    let as_of = match (&args.as_of, &scenario) {
        (Some(text), _) => super::parse_as_of(text)?,
        (None, Some(scenario)) => scenario.as_of,
        (None, None) => super::today(),
    };
    let result = gap(&catalogue, &args.model_a, &args.model_b, as_of, workload)
        .map_err(super::engine_error)?;
    let text = render(&result, args.output.format);
    super::output::emit(&text, args.output.output.as_deref())?;
    super::output::emit_assumptions(cli, args.output.output.as_deref(), || {
        vec![document(&result)]
    })?;
    Ok(ExitCode::SUCCESS)
}

pub fn render(result: &Gap, format: Format) -> String {
    if format == Format::Json {
        return json::to_string(&GapJson::new(result));
    }
    let mut document = document(result);
    if format != Format::Csv {
        // Tables name the models in the headers; the note is for CSV's a/b columns.
        document.notes.clear();
    }
    document.render(format)
}

/// The multipliers as a document; CSV names the models' columns a and b (see the notes).
fn document(result: &Gap) -> Document {
    let (a, b) = (&result.a, &result.b);
    let mut table = Table::new(&[
        "column",
        &format!("{a} list"),
        &format!("{a} effective"),
        &format!("{b} list"),
        &format!("{b} effective"),
        "× list",
        "× effective",
    ])
    .with_keys(&[
        "column",
        "a_list",
        "a_effective",
        "b_list",
        "b_effective",
        "list",
        "effective",
    ]);
    for row in &result.rows {
        // A blend is computed, so it is shown rounded; published prices are shown whole.
        let price = if row.column.starts_with("blended") {
            Cell::ComputedPrice
        } else {
            Cell::Price
        };
        table.push(vec![
            Cell::text(&row.column),
            price(row.a_list),
            price(row.a_effective),
            price(row.b_list),
            price(row.b_effective),
            Cell::Ratio(row.ratio_list),
            Cell::Ratio(row.ratio_effective),
        ]);
    }
    let mut subtitle = vec![format!(
        "prices as of {} · USD per 1M tokens, standard tier{}",
        show_instant(result.as_of),
        match &result.workload {
            Some(workload) => format!(" · blended at workload '{workload}''s token mix"),
            None => String::new(),
        }
    )];
    if let Some(output) = result.rows.iter().find(|row| row.column == "output") {
        subtitle.push(format!(
            "output: {a} is {} the price of {b} at list prices, {} at effective prices",
            format::ratio(output.ratio_list),
            format::ratio(output.ratio_effective)
        ));
    }
    Document {
        title: format!("{a} vs {b}"),
        subtitle,
        // A narrow terminal keeps the effective prices and both multipliers.
        tables: vec![(
            None,
            table.optional_columns(&[&format!("{a} list"), &format!("{b} list")]),
        )],
        notes: vec![Notes {
            heading: "columns".to_string(),
            items: vec![
                format!("a: {a}"),
                format!("b: {b}"),
                "prices in USD per 1M tokens; ratios are a's price over b's".to_string(),
            ],
            when_empty: None,
        }],
        csv_table: 0,
    }
}

#[derive(Serialize, schemars::JsonSchema)]
struct GapJson<'a> {
    #[schemars(extend("const" = "1"))]
    schema_version: &'static str,
    a: &'a str,
    b: &'a str,
    as_of: String,
    workload: Option<&'a str>,
    rows: Vec<GapRowJson<'a>>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct GapRowJson<'a> {
    column: &'a str,
    a_list: String,
    a_effective: String,
    b_list: String,
    b_effective: String,
    /// A's list price over b's, at most 12 significant digits; `null` when b's is zero.
    ratio_list: Option<String>,
    /// A's effective price over b's, at most 12 significant digits; `null` when b's is zero.
    ratio_effective: Option<String>,
}

impl<'a> GapJson<'a> {
    fn new(result: &'a Gap) -> Self {
        GapJson {
            schema_version: json::SCHEMA_VERSION,
            a: &result.a,
            b: &result.b,
            as_of: show_instant(result.as_of),
            workload: result.workload.as_deref(),
            rows: result
                .rows
                .iter()
                .map(|row| GapRowJson {
                    column: &row.column,
                    a_list: format::plain(row.a_list),
                    a_effective: format::plain(row.a_effective),
                    b_list: format::plain(row.b_list),
                    b_effective: format::plain(row.b_effective),
                    ratio_list: row.ratio_list.map(json::rate),
                    ratio_effective: row.ratio_effective.map(json::rate),
                })
                .collect(),
        }
    }
}

/// The JSON Schema of `gap --format json`.
pub fn json_schema() -> schemars::Schema {
    schemars::schema_for!(GapJson<'static>)
}
