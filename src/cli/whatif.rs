//! `mixcost whatif`: each policy before and after a set of overrides.
//!
//! For a scenario with a quality section the figures are the expected month with retries and
//! human review, as in `compare`'s workflow table.

use crate::engine::exact;
use std::process::ExitCode;

use rust_decimal::Decimal;
use serde::Serialize;

use super::args::{Cli, WhatifArgs};
use crate::engine::whatif::{month_with, Figure, Month};
use crate::load::overrides::parse_assignment;
use crate::load::values::show_instant;
use crate::report::{format, json, Cell, Document, Format, Table};

pub fn run(cli: &Cli, args: &WhatifArgs) -> anyhow::Result<ExitCode> {
    let catalogue = super::load_catalogue(cli)?;
    let scenario = super::load_priced_scenario(args.scenario.as_deref(), &catalogue, &args.prices)?;
    if args.list_paths {
        return super::paths::emit(&scenario, &catalogue, &args.output);
    }
    let overrides = args
        .set
        .iter()
        .map(|text| parse_assignment(text).map_err(super::override_error))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let before = month_with(&scenario, &catalogue, &[]).map_err(super::whatif_error)?;
    let after = month_with(&scenario, &catalogue, &overrides).map_err(super::whatif_error)?;
    let text = render(&before, &after, &args.set, args.output.format);
    super::output::emit(&text, args.output.output.as_deref())?;
    super::output::warn_outside_csv(cli, args.output.format, &after.evaluation.warnings);
    super::output::emit_assumptions(cli, args.output.output.as_deref(), || {
        vec![document(&before, &after, &args.set, Format::Csv)]
    })?;
    Ok(ExitCode::SUCCESS)
}

/// One policy before and after.
struct Change<'a> {
    policy: &'a str,
    before: Decimal,
    after: Decimal,
    /// Cost minus the baseline's, before and after; `None` for the baseline itself.
    versus_before: Option<Decimal>,
    versus_after: Option<Decimal>,
    percent_before: Option<Decimal>,
    percent_after: Option<Decimal>,
}

fn changes<'a>(before: &'a Month, after: &Month) -> Vec<Change<'a>> {
    let baseline = before.evaluation.baseline.as_str();
    before
        .costs
        .policies
        .iter()
        .map(|policy| {
            let name = policy.name.as_str();
            let versus = |month: &Month| {
                (name != baseline).then(|| -month.figure(name, Figure::Savings).unwrap_or_default())
            };
            let percent = |month: &Month| {
                (name != baseline)
                    .then(|| month.figure(name, Figure::SavingsPct).map(|p| -p))
                    .flatten()
            };
            Change {
                policy: name,
                before: policy.total,
                after: after.cost(name).unwrap_or_default(),
                versus_before: versus(before),
                versus_after: versus(after),
                percent_before: percent(before),
                percent_after: percent(after),
            }
        })
        .collect()
}

fn versus_text(delta: Option<Decimal>, percent: Option<Decimal>) -> String {
    match (delta, percent) {
        (None, _) => "baseline".to_string(),
        (Some(delta), Some(percent)) => format!(
            "{} ({})",
            format::money_delta(delta),
            format::percent_delta(percent)
        ),
        (Some(delta), None) => format::money_delta(delta),
    }
}

pub fn render(before: &Month, after: &Month, texts: &[String], format: Format) -> String {
    if format == Format::Json {
        let rows = changes(before, after);
        return json::to_string(&WhatifJson::new(before, after, texts, &rows));
    }
    document(before, after, texts, format).render(format)
}

/// The comparison as a document. Tables show the change against the baseline as one cell
/// (`−$52,596.09 (−64.1%)`); CSV as two numeric columns each, before and after.
fn document(before: &Month, after: &Month, texts: &[String], format: Format) -> Document {
    let rows = changes(before, after);
    let csv = format == Format::Csv;
    let mut columns = vec!["policy", "before", "after", "change", "change %"];
    if csv {
        columns.extend([
            "vs baseline before",
            "vs baseline before %",
            "vs baseline after",
            "vs baseline after %",
        ]);
    } else {
        columns.extend(["vs baseline before", "vs baseline after"]);
    }
    let mut table = Table::new(&columns);
    for row in &rows {
        let delta = row.after - row.before;
        let mut cells = vec![
            Cell::text(row.policy),
            Cell::Money(row.before),
            Cell::Money(row.after),
            Cell::MoneyDelta(delta),
            exact::percent(delta, row.before).map_or(Cell::Empty, Cell::PercentDelta),
        ];
        if csv {
            for (versus, percent) in [
                (row.versus_before, row.percent_before),
                (row.versus_after, row.percent_after),
            ] {
                cells.push(versus.map_or(Cell::Empty, Cell::MoneyDelta));
                cells.push(percent.map_or(Cell::Empty, Cell::PercentDelta));
            }
        } else {
            cells.push(Cell::text(versus_text(
                row.versus_before,
                row.percent_before,
            )));
            cells.push(Cell::text(versus_text(row.versus_after, row.percent_after)));
        }
        table.push(cells);
    }
    let evaluation = &before.evaluation;
    let mut subtitle = vec![
        format!(
            "{} · prices as of {} · baseline {}",
            evaluation.file,
            show_instant(after.evaluation.as_of),
            evaluation.baseline
        ),
        format!("overrides: {}", texts.join(", ")),
    ];
    if before.is_expected() {
        subtitle.push("expected month with retries and human review".to_string());
    }
    subtitle.extend(crate::report::labels::list_prices_line(&after.evaluation));
    let promotions = |month: &Month, when: &str| {
        crate::report::labels::promotion_notes(&month.evaluation.promotions).map(|mut notes| {
            notes.heading = format!("{} {when}", notes.heading);
            notes
        })
    };
    let mut document = Document {
        title: format!("{} — what if", evaluation.scenario),
        subtitle,
        tables: std::iter::once((
            None,
            table.optional_columns(&["vs baseline before", "change %"]),
        ))
        .chain(super::compare::warning_table(&after.evaluation.warnings))
        .collect(),
        notes: std::iter::once(super::compare::assumption_notes(&after.evaluation))
            .chain(
                if before.evaluation.promotions == after.evaluation.promotions {
                    crate::report::labels::promotion_notes(&after.evaluation.promotions)
                } else {
                    promotions(before, "before")
                },
            )
            .chain(
                (before.evaluation.promotions != after.evaluation.promotions)
                    .then(|| promotions(after, "after"))
                    .flatten(),
            )
            .collect(),
        csv_table: 0,
    };
    if csv {
        super::compare::warnings_to_notes(&mut document);
    }
    document
}

#[derive(Serialize, schemars::JsonSchema)]
struct WhatifJson<'a> {
    #[schemars(extend("const" = "1"))]
    schema_version: &'static str,
    scenario: &'a str,
    file: &'a str,
    as_of_before: String,
    as_of_after: String,
    baseline: &'a str,
    /// Whether the costs are the expected month with retries and human review.
    expected_with_retries: bool,
    overrides: &'a [String],
    policies: Vec<WhatifPolicyJson<'a>>,
    /// Deprecated models and a stale catalogue, after the overrides.
    warnings: Vec<crate::engine::breakdown::Warning>,
    /// The promotions included in the prices before and after the overrides, with their end.
    promotions_before: &'a [crate::engine::breakdown::PromotionUse],
    promotions_after: &'a [crate::engine::breakdown::PromotionUse],
}

#[derive(Serialize, schemars::JsonSchema)]
struct WhatifPolicyJson<'a> {
    name: &'a str,
    before: String,
    after: String,
    change: String,
    /// The change in percent of `before`, at most 12 significant digits; `null` from zero.
    change_pct: Option<String>,
    vs_baseline_before: Option<String>,
    vs_baseline_after: Option<String>,
    /// Cost against the baseline's in percent, before the overrides, at most 12 significant
    /// digits.
    vs_baseline_pct_before: Option<String>,
    /// Cost against the baseline's in percent, after the overrides, at most 12 significant
    /// digits.
    vs_baseline_pct_after: Option<String>,
}

impl<'a> WhatifJson<'a> {
    fn new(before: &'a Month, after: &'a Month, texts: &'a [String], rows: &[Change<'a>]) -> Self {
        let evaluation = &before.evaluation;
        WhatifJson {
            schema_version: json::SCHEMA_VERSION,
            scenario: &evaluation.scenario,
            file: &evaluation.file,
            as_of_before: show_instant(evaluation.as_of),
            as_of_after: show_instant(after.evaluation.as_of),
            baseline: &evaluation.baseline,
            expected_with_retries: before.is_expected(),
            overrides: texts,
            policies: rows
                .iter()
                .map(|row| {
                    let delta = row.after - row.before;
                    WhatifPolicyJson {
                        name: row.policy,
                        before: format::fixed(row.before, 2),
                        after: format::fixed(row.after, 2),
                        change: format::fixed(delta, 2),
                        change_pct: exact::percent(delta, row.before).map(json::rate),
                        // The baseline is 0.00 and 0.0% against itself.
                        vs_baseline_before: Some(format::fixed(
                            row.versus_before.unwrap_or_default(),
                            2,
                        )),
                        vs_baseline_after: Some(format::fixed(
                            row.versus_after.unwrap_or_default(),
                            2,
                        )),
                        vs_baseline_pct_before: percent_text(row.versus_before, row.percent_before),
                        vs_baseline_pct_after: percent_text(row.versus_after, row.percent_after),
                    }
                })
                .collect(),
            warnings: after.evaluation.warnings.clone(),
            promotions_before: &before.evaluation.promotions,
            promotions_after: &after.evaluation.promotions,
        }
    }
}

fn percent_text(versus: Option<Decimal>, percent: Option<Decimal>) -> Option<String> {
    match versus {
        None => Some("0".to_string()),
        Some(_) => percent.map(json::rate),
    }
}

pub fn json_schema() -> schemars::Schema {
    schemars::schema_for!(WhatifJson<'static>)
}
