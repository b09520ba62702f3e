//! `mixcost sensitivity`: a tornado of the inputs that move a policy's cost.

use std::process::ExitCode;

use rust_decimal::Decimal;
use serde::Serialize;

use super::args::{Cli, Metric, SensitivityArgs};
use crate::engine::sensitivity::{tornado, Tornado};
use crate::engine::whatif::Figure;
use crate::load::values;
use crate::report::{format, json, Cell, Document, Format, Notes, Table};

/// Width of the widest bar, in characters.
const BAR_WIDTH: usize = 24;

pub fn run(cli: &Cli, args: &SensitivityArgs) -> anyhow::Result<ExitCode> {
    let catalogue = super::load_catalogue(cli)?;
    let scenario = super::load_priced_scenario(args.scenario.as_deref(), &catalogue, &args.prices)?;
    if args.list_paths {
        return super::paths::emit(&scenario, &catalogue, &args.output);
    }
    // Before the work: an -o naming one of the inputs, or a missing folder, is refused now.
    super::output::check(args.output.output.as_deref())?;
    let policy = match &args.policy {
        Some(name) => {
            if scenario.policy(name).is_none() {
                anyhow::bail!(
                    "no policy '{name}' in '{}'\n  = help: its policies are: {}",
                    scenario.file,
                    scenario
                        .policies
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            name.clone()
        }
        None => scenario
            .policies
            .iter()
            .find(|p| p.name != scenario.baseline)
            .unwrap_or(&scenario.policies[0])
            .name
            .clone(),
    };
    let (flag, step_text) = match (&args.step, &args.by) {
        (_, Some(by)) => {
            eprintln!(
                "warning: --by is now --step in `sensitivity` (`--by` is a breakdown in `compare`); --by will be removed in the next release\n  = help: write --step {by}"
            );
            ("--by", by.as_str())
        }
        (Some(step), None) => ("--step", step.as_str()),
        (None, None) => ("--step", "10%"),
    };
    let step = values::share(step_text)
        .ok()
        .filter(|step| !step.is_zero())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "invalid {flag} '{step_text}'\n  = help: write a step above 0 and at most 100%, e.g. --step 10%"
            )
        })?;
    let which = match args.metric {
        Metric::Cost => Figure::Cost,
        Metric::Savings => Figure::Savings,
        Metric::SavingsPct => Figure::SavingsPct,
    };
    let inputs = crate::engine::sensitivity::inputs(&scenario, &catalogue, &policy).len();
    let bar = super::progress::bar_at_least(inputs as u64, "sensitivity", 1_000);
    let result = tornado(&scenario, &catalogue, &policy, which, step, &|done| {
        bar.inc(done)
    });
    bar.finish_and_clear();
    let result = result.map_err(super::whatif_error)?;
    let marks = super::price_marks(&scenario, &catalogue);
    let text = render_marked(&result, &scenario.name, &marks, args.output.format);
    super::output::emit(&text, args.output.output.as_deref())?;
    super::output::emit_assumptions(cli, args.output.output.as_deref(), || {
        vec![document(&result, &scenario.name, &marks, Format::Csv)]
    })?;
    Ok(ExitCode::SUCCESS)
}

fn figure_cell(figure: Figure, value: Decimal) -> Cell {
    match figure {
        Figure::Cost | Figure::Savings => Cell::Money(value),
        Figure::SavingsPct => Cell::Share(value),
    }
}

fn figure_label(figure: Figure) -> &'static str {
    match figure {
        Figure::Cost => "monthly cost",
        Figure::Savings => "savings vs baseline",
        Figure::SavingsPct => "savings vs baseline, %",
    }
}

/// `████│███`: the share of the swing below and above the base value, scaled to the widest.
fn bar(low: Decimal, high: Decimal, base: Decimal, widest: Decimal) -> String {
    let scale = |amount: Decimal| -> usize {
        if widest.is_zero() {
            return 0;
        }
        let cells = (amount / widest * Decimal::from(BAR_WIDTH)).round();
        usize::try_from(cells).unwrap_or(0).min(BAR_WIDTH)
    };
    let (least, most) = (low.min(high), low.max(high));
    let left = scale((base - least).max(Decimal::ZERO));
    let right = scale((most - base).max(Decimal::ZERO));
    format!(
        "{}{}│{}",
        " ".repeat(BAR_WIDTH - left),
        "█".repeat(left),
        "█".repeat(right)
    )
}

pub fn render(result: &Tornado, scenario: &str, format: Format) -> String {
    render_marked(result, scenario, &super::PriceMarks::default(), format)
}

/// [`render`] with the list-price header and the promotions the month uses.
pub fn render_marked(
    result: &Tornado,
    scenario: &str,
    marks: &super::PriceMarks,
    format: Format,
) -> String {
    if format == Format::Json {
        return json::to_string(&SensitivityJson::new(result, scenario, marks));
    }
    document(result, scenario, marks, format).render(format)
}

/// The tornado as a document; the bars are for tables only.
fn document(
    result: &Tornado,
    scenario: &str,
    marks: &super::PriceMarks,
    format: Format,
) -> Document {
    let widest = result
        .bars
        .iter()
        .map(|b| b.swing)
        .max()
        .unwrap_or_default();
    let mut table = Table::new(&["input", "down", "up", "swing", "effect"]);
    for item in &result.bars {
        let mut row = vec![
            Cell::text(&item.path),
            figure_cell(result.figure, item.low),
            figure_cell(result.figure, item.high),
            figure_cell(result.figure, item.swing),
        ];
        if format == Format::Table {
            row.push(Cell::text(bar(item.low, item.high, result.base, widest)));
        } else {
            row.push(Cell::Empty);
        }
        table.push(row);
    }
    if format != Format::Table {
        table.remove_column(table.columns.len() - 1);
    }
    let step = format::plain(result.step * Decimal::ONE_HUNDRED);
    Document {
        title: format!("{scenario} — sensitivity of {}", result.policy),
        subtitle: vec![format!(
            "{} {} at base; volumes and prices moved ±{step}%, shares ±{step} points (within 0–1)",
            figure_label(result.figure),
            figure_cell(result.figure, result.base).human()
        )]
        .into_iter()
        .chain(marks.header.clone())
        .collect(),
        // A narrow terminal keeps the figures; the bars are their picture.
        tables: vec![(None, table.optional_columns(&["effect"]))],
        notes: std::iter::once(Notes {
            heading: "not moved".to_string(),
            items: result
                .skipped
                .iter()
                .map(|(path, why)| format!("{path}: {why}"))
                .collect(),
            when_empty: None,
        })
        .chain(marks.notes.clone())
        .collect(),
        csv_table: 0,
    }
}

#[derive(Serialize, schemars::JsonSchema)]
struct SensitivityJson {
    #[schemars(extend("const" = "1"))]
    schema_version: &'static str,
    scenario: String,
    policy: String,
    figure: &'static str,
    /// The step as a fraction (0.1 is ±10 %), at most 12 significant digits.
    step: String,
    /// The figure at the base: USD exact for cost and savings; for savings in percent, at
    /// most 12 significant digits.
    base: String,
    inputs: Vec<BarJson>,
    /// The promotions in the scenario's prices on its date, with their end.
    promotions: Vec<crate::engine::breakdown::PromotionUse>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct BarJson {
    path: String,
    /// The figure with the input moved down: USD exact for cost and savings; for savings in
    /// percent, at most 12 significant digits (as `up`, `swing` and the document's `base`).
    down: String,
    up: String,
    swing: String,
}

impl SensitivityJson {
    fn new(result: &Tornado, scenario: &str, marks: &super::PriceMarks) -> Self {
        // Money exact; a percentage (savings vs baseline, %) through the rate helper.
        let figure = |value: Decimal| match result.figure {
            Figure::SavingsPct => json::rate(value),
            Figure::Cost | Figure::Savings => format::plain(value),
        };
        SensitivityJson {
            promotions: marks.promotions.clone(),
            schema_version: json::SCHEMA_VERSION,
            scenario: scenario.to_string(),
            policy: result.policy.clone(),
            figure: figure_label(result.figure),
            step: json::rate(result.step),
            base: figure(result.base),
            inputs: result
                .bars
                .iter()
                .map(|b| BarJson {
                    path: b.path.clone(),
                    down: figure(b.low),
                    up: figure(b.high),
                    swing: figure(b.swing),
                })
                .collect(),
        }
    }
}

pub fn json_schema() -> schemars::Schema {
    schemars::schema_for!(SensitivityJson)
}
