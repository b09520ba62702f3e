//! `mixcost sweep`: a grid over override paths, every point priced exactly, in parallel.

use crate::engine::exact;
use std::process::ExitCode;

use rust_decimal::Decimal;
use serde::Serialize;

use super::args::{Cli, Metric, SweepArgs};
use crate::engine::sweep::{Axis, Sweep, SweepError};
use crate::load::overrides::{dimension_len, parse_dimension, Dimension};
use crate::model::scenario::Scenario;
use crate::report::csv::text as csv_text;
use crate::report::{format, json, Cell, Document, Format, Table};

/// Points evaluated between two looks at Ctrl-C and two progress updates.
const CHUNK: u64 = 65_536;

pub fn run(cli: &Cli, args: &SweepArgs) -> anyhow::Result<ExitCode> {
    let catalogue = super::load_catalogue(cli)?;
    let scenario = super::load_priced_scenario(args.scenario.as_deref(), &catalogue, &args.prices)?;
    if args.list_paths {
        return super::paths::emit(&scenario, &catalogue, &args.output);
    }
    // Before the work: an -o naming one of the inputs, or a missing folder, is refused now.
    super::output::check(args.output.output.as_deref())?;
    // Each axis is counted before its values are generated: a grid over --max-points is
    // refused before anything is allocated.
    let mut points = Some(1u64);
    for text in &args.vary {
        let len = dimension_len(text).map_err(super::override_error)?;
        points = points.and_then(|p| p.checked_mul(len));
    }
    if points.is_none_or(|points| points > args.max_points) {
        return Err(sweep_error(SweepError::TooLarge {
            points: points.map_or_else(|| "too many".to_string(), |p| p.to_string()),
            limit: args.max_points,
        }));
    }
    let dimensions = args
        .vary
        .iter()
        .map(|text| parse_dimension(text).map_err(super::override_error))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let axes: Vec<Axis> = dimensions.iter().map(Dimension::axis).collect();
    let sweep = Sweep::new(&scenario, &catalogue, axes, &args.policy, args.max_points)
        .map_err(sweep_error)?;
    super::progress::watch_interrupts();
    let shown: Vec<usize> = if args.policy.is_empty() {
        (0..sweep.policies.len()).collect()
    } else {
        (0..sweep.policies.len())
            .filter(|&i| {
                args.policy
                    .contains(&scenario.policies[sweep.policies[i]].name)
            })
            .collect()
    };
    let names: Vec<&str> = sweep
        .policies
        .iter()
        .map(|&p| scenario.policies[p].name.as_str())
        .collect();
    let marks = super::price_marks(&scenario, &catalogue);
    let context = Context {
        scenario: &scenario,
        dimensions: &dimensions,
        sweep: &sweep,
        shown: &shown,
        names: &names,
        marks: &marks,
    };
    let result = match args.output.format {
        Format::Csv => stream_csv(&context, args.output.output.as_deref()),
        format => collect(&sweep).and_then(|points| {
            let text = if format == Format::Json {
                json::to_string(&SweepJson::new(&context, &points))
            } else {
                document(&context, &points, args.metric).render(format)
            };
            super::output::emit(&text, args.output.output.as_deref())
        }),
    };
    match result {
        Err(error) if super::progress::interrupted() => {
            // Ctrl-C: the conventional exit status of a process ended by SIGINT.
            eprintln!("error: {error}");
            Ok(ExitCode::from(130))
        }
        Err(error) => Err(error),
        Ok(()) => {
            let heading = Document {
                title: format!("{} — sweep", scenario.name),
                subtitle: vec![format!(
                    "{} · {} points · baseline {}",
                    scenario.file, sweep.points, scenario.baseline
                )],
                ..Document::default()
            };
            super::output::emit_assumptions(cli, args.output.output.as_deref(), || vec![heading])?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn sweep_error(error: SweepError) -> anyhow::Error {
    match error {
        SweepError::Override(error) => super::override_error(error),
        SweepError::TooLarge { points, limit } => anyhow::anyhow!(
            "the grid has {points} points, more than the limit of {limit}\n  = help: use larger steps or fewer values, or raise the limit with --max-points"
        ),
        SweepError::UnknownPolicy(name) => {
            anyhow::anyhow!("no policy '{name}' in the scenario\n  = help: --policy names a policy of the scenario")
        }
        SweepError::Repeated(path) => {
            anyhow::anyhow!("'{path}' is varied twice\n  = help: give each path one --vary with all its values")
        }
        SweepError::TooManyAxes => anyhow::anyhow!(
            "{error}\n  = help: vary fewer parameters at once, or fix some with a scenario copy"
        ),
        SweepError::Interrupted => anyhow::anyhow!("interrupted; no output file was written"),
        SweepError::Engine(error) => super::engine_error(error),
        SweepError::Quality(error) => anyhow::Error::new(error),
    }
}

struct Context<'a> {
    scenario: &'a Scenario,
    dimensions: &'a [Dimension],
    sweep: &'a Sweep<'a>,
    /// Positions in `sweep.policies` to show (the baseline may be evaluated only for savings).
    shown: &'a [usize],
    names: &'a [&'a str],
    marks: &'a super::PriceMarks,
}

/// The three figures of one policy at one point.
#[derive(Clone, Copy)]
struct Figures {
    cost: Decimal,
    savings: Decimal,
    savings_pct: Option<Decimal>,
}

fn figures(costs: &[Decimal], policy: usize, baseline: usize) -> Figures {
    let cost = costs[policy];
    let base = costs[baseline];
    let savings = base - cost;
    Figures {
        cost,
        savings,
        savings_pct: exact::percent(savings, base),
    }
}

/// Runs the whole grid into memory (table, Markdown and JSON need every point).
fn collect(sweep: &Sweep) -> anyhow::Result<Vec<Decimal>> {
    let bar = super::progress::bar(sweep.points, "sweep");
    let mut all = Vec::with_capacity(sweep.points as usize * sweep.policies.len());
    sweep
        .run(CHUNK, |_, costs| {
            all.extend_from_slice(costs);
            bar.inc((costs.len() / sweep.policies.len()) as u64);
            !super::progress::interrupted()
        })
        .map_err(sweep_error)?;
    bar.finish_and_clear();
    Ok(all)
}

/// Streams long-form CSV, point by point, so memory stays flat however large the grid.
fn stream_csv(context: &Context, output: Option<&std::path::Path>) -> anyhow::Result<()> {
    let sweep = context.sweep;
    let sink = super::output::Sink::open(output)?;
    let to_stdout = sink.is_stdout();
    let mut writer = csv::Writer::from_writer(sink);
    let mut header: Vec<String> = context
        .dimensions
        .iter()
        .map(|d| d.path_text.clone())
        .collect();
    header.extend(
        [
            "policy",
            "cost_usd",
            "cost_usd_exact",
            "savings_usd",
            "savings_usd_exact",
            "savings_pct",
        ]
        .map(String::from),
    );
    writer.write_record(header.iter().map(|cell| csv_text(cell).into_owned()))?;
    let bar = super::progress::bar(sweep.points, "sweep");
    let mut write_error = None;
    let result = sweep.run(CHUNK, |start, costs| {
        let width = sweep.policies.len();
        for (offset, point) in costs.chunks(width).enumerate() {
            let coordinates = sweep.coordinates(start + offset as u64);
            for &policy in context.shown {
                let f = figures(point, policy, sweep.baseline);
                let mut record: Vec<String> = coordinates
                    .iter()
                    .zip(context.dimensions)
                    .map(|(&index, d)| csv_text(&d.label(index)).into_owned())
                    .collect();
                record.push(csv_text(context.names[policy]).into_owned());
                record.push(format::fixed(f.cost, 2));
                record.push(format::plain(f.cost));
                record.push(format::fixed(f.savings, 2));
                record.push(format::plain(f.savings));
                record.push(f.savings_pct.map(format::significant).unwrap_or_default());
                if let Err(error) = writer.write_record(&record) {
                    write_error = Some(error);
                    return false;
                }
            }
        }
        bar.inc((costs.len() / width) as u64);
        !super::progress::interrupted()
    });
    bar.finish_and_clear();
    if let Some(error) = write_error {
        if error.is_io_error() && to_stdout {
            // A closed pipe (`mixcost sweep … | head`) is not an error.
            return Ok(());
        }
        return Err(error.into());
    }
    result.map_err(sweep_error)?;
    match writer.into_inner() {
        Ok(sink) => sink.finish(),
        Err(error) if to_stdout && error.error().kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(error) => Err(anyhow::anyhow!("cannot write the CSV: {}", error.error())),
    }
}

fn metric_cell(f: Figures, metric: Metric) -> Cell {
    match metric {
        Metric::Cost => Cell::Money(f.cost),
        Metric::Savings => Cell::MoneyDelta(f.savings),
        Metric::SavingsPct => f.savings_pct.map(Cell::PercentDelta).unwrap_or(Cell::Empty),
    }
}

fn metric_label(metric: Metric) -> &'static str {
    match metric {
        Metric::Cost => "monthly cost",
        Metric::Savings => "savings vs baseline",
        Metric::SavingsPct => "savings vs baseline, %",
    }
}

fn document(context: &Context, all: &[Decimal], metric: Metric) -> Document {
    let sweep = context.sweep;
    let width = sweep.policies.len();
    let point = |index: usize| &all[index * width..(index + 1) * width];
    let mut tables = Vec::new();
    match context.dimensions {
        [only] => {
            let mut columns = vec![only.path_text.as_str()];
            columns.extend(context.shown.iter().map(|&p| context.names[p]));
            let mut table = Table::new(&columns);
            for (index, label) in only.labels().iter().enumerate() {
                let mut row = vec![Cell::text(label)];
                row.extend(
                    context
                        .shown
                        .iter()
                        .map(|&p| metric_cell(figures(point(index), p, sweep.baseline), metric)),
                );
                table.push(row);
            }
            tables.push((None, table));
        }
        [rows, columns] => {
            for &policy in context.shown {
                let mut headings = vec![format!("{} ↓ {} →", rows.path_text, columns.path_text)];
                let column_labels = columns.labels();
                headings.extend(column_labels.iter().cloned());
                let headings: Vec<&str> = headings.iter().map(String::as_str).collect();
                let mut table = Table::new(&headings);
                for (r, label) in rows.labels().iter().enumerate() {
                    let mut row = vec![Cell::text(label)];
                    for c in 0..column_labels.len() {
                        let index = r * column_labels.len() + c;
                        row.push(metric_cell(
                            figures(point(index), policy, sweep.baseline),
                            metric,
                        ));
                    }
                    table.push(row);
                }
                tables.push((
                    Some(format!(
                        "{}: {}",
                        context.names[policy],
                        metric_label(metric)
                    )),
                    table,
                ));
            }
        }
        _ => {
            let mut headings: Vec<&str> = context
                .dimensions
                .iter()
                .map(|d| d.path_text.as_str())
                .collect();
            headings.extend(["policy", metric_label(metric)]);
            let mut table = Table::new(&headings);
            for index in 0..sweep.points as usize {
                let coordinates = sweep.coordinates(index as u64);
                for &policy in context.shown {
                    let mut row: Vec<Cell> = coordinates
                        .iter()
                        .zip(context.dimensions)
                        .map(|(&i, d)| Cell::text(d.label(i)))
                        .collect();
                    row.push(Cell::text(context.names[policy]));
                    row.push(metric_cell(
                        figures(point(index), policy, sweep.baseline),
                        metric,
                    ));
                    table.push(row);
                }
            }
            tables.push((None, table));
        }
    }
    Document {
        title: format!("{} — sweep", context.scenario.name),
        subtitle: vec![format!(
            "{} · {} points · {} · baseline {}",
            context.scenario.file,
            sweep.points,
            metric_label(metric),
            context.scenario.baseline
        )]
        .into_iter()
        .chain(context.marks.header.clone())
        .collect(),
        tables,
        notes: context.marks.notes.iter().cloned().collect(),
        csv_table: 0,
    }
}

#[derive(Serialize, schemars::JsonSchema)]
struct SweepJson<'a> {
    #[schemars(extend("const" = "1"))]
    schema_version: &'static str,
    scenario: &'a str,
    file: &'a str,
    baseline: &'a str,
    parameters: Vec<&'a str>,
    points: Vec<PointJson<'a>>,
    /// The promotions in the scenario's prices on its date, with their end.
    promotions: &'a [crate::engine::breakdown::PromotionUse],
}

#[derive(Serialize, schemars::JsonSchema)]
struct PointJson<'a> {
    values: Vec<String>,
    policy: &'a str,
    cost: String,
    savings: String,
    /// Savings in percent of the baseline's cost, at most 12 significant digits; `null` when
    /// the baseline costs nothing.
    savings_pct: Option<String>,
}

impl<'a> SweepJson<'a> {
    fn new(context: &'a Context<'a>, all: &[Decimal]) -> Self {
        let sweep = context.sweep;
        let width = sweep.policies.len();
        let mut points = Vec::new();
        for index in 0..sweep.points as usize {
            let coordinates = sweep.coordinates(index as u64);
            for &policy in context.shown {
                let f = figures(
                    &all[index * width..(index + 1) * width],
                    policy,
                    sweep.baseline,
                );
                points.push(PointJson {
                    values: coordinates
                        .iter()
                        .zip(context.dimensions)
                        .map(|(&i, d)| d.label(i))
                        .collect(),
                    policy: context.names[policy],
                    cost: format::plain(f.cost),
                    savings: format::plain(f.savings),
                    savings_pct: f.savings_pct.map(json::rate),
                });
            }
        }
        SweepJson {
            schema_version: json::SCHEMA_VERSION,
            scenario: &context.scenario.name,
            file: &context.scenario.file,
            baseline: &context.scenario.baseline,
            parameters: context
                .dimensions
                .iter()
                .map(|d| d.path_text.as_str())
                .collect(),
            points,
            promotions: &context.marks.promotions,
        }
    }
}

pub fn json_schema() -> schemars::Schema {
    schemars::schema_for!(SweepJson<'static>)
}
