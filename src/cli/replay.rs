//! `mixcost replay LOG… --scenario S`: every logged request priced under every policy.
//!
//! Wiring only: open the logs through their adapters ([`crate::load::log`]), stream their
//! blocks to worker threads that each fill an [`Accumulator`], merge, price the segments
//! ([`replay::finish`]) and render. Reading is the one sequential part (and unpacking gzip or
//! zstd); parsing and aggregating run on `--threads` workers (default: rayon's thread count,
//! so `RAYON_NUM_THREADS` applies). Memory is a few blocks per worker plus the segments.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex};

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use rust_decimal::Decimal;
use serde::Serialize;

use super::args::{Cli, OutputArgs};
use crate::engine::replay::{
    self, Accumulator, GroupBy, Plan, Position, Problem, Replay, SkipReason,
};
use crate::load::log::{self, Adapter, Blocks, LogFormat, Mapping, Next, ReadOptions, ShadowNames};
use crate::report::{format, json, Cell, Document, Format, Notes, Table};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReplayBy {
    Day,
    Week,
    Month,
    Workload,
    Model,
}

impl ReplayBy {
    pub fn engine(self) -> GroupBy {
        match self {
            ReplayBy::Day => GroupBy::Day,
            ReplayBy::Week => GroupBy::Week,
            ReplayBy::Month => GroupBy::Month,
            ReplayBy::Workload => GroupBy::Workload,
            ReplayBy::Model => GroupBy::Model,
        }
    }

    fn label(self) -> &'static str {
        match self {
            ReplayBy::Day => "day",
            ReplayBy::Week => "week",
            ReplayBy::Month => "month",
            ReplayBy::Workload => "workload",
            ReplayBy::Model => "model",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GroupField {
    Workload,
    Task,
    DataClass,
    Model,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Request logs: CSV, JSON Lines (optionally .gz / .zst) or Parquet files, or folders of them.
    #[arg(value_name = "LOG", required_unless_present_any = ["database", "emit_sql", "aggregates"])]
    pub logs: Vec<PathBuf>,

    /// The scenario whose policies to replay.
    #[arg(long, value_name = "SCENARIO")]
    pub scenario: PathBuf,

    /// Where the log comes from: mixcost's own columns, or a preset.
    #[arg(long, value_enum, default_value = "native")]
    pub log_format: LogFormat,

    /// Read FIELD from COLUMN (a column name, or a dotted JSON path). May be repeated.
    #[arg(long = "map", value_name = "FIELD=COLUMN")]
    pub map: Vec<String>,

    /// A mapping file: one `FIELD: COLUMN` a line.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,

    /// Outcome columns hold scores: a score at or above this passes.
    #[arg(long, value_name = "SCORE")]
    pub pass_threshold: Option<f64>,

    /// Break costs down by day, week, month, workload or model.
    #[arg(long, value_enum)]
    pub by: Option<ReplayBy>,

    /// Stop at the first row that cannot be priced (exit 2) instead of skipping it.
    #[arg(long)]
    pub strict: bool,

    /// Write the log aggregated into a scenario (workloads, volumes, rates, pass rates).
    #[arg(long, value_name = "FILE")]
    pub emit_scenario: Option<PathBuf>,

    /// Fields the emitted workloads are grouped by (default: workload, else task × data class).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "FIELD,…")]
    pub group_by: Vec<GroupField>,

    /// Worker threads (default: RAYON_NUM_THREADS, else the number of cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// `list` prices every policy without promotions; `effective` applies the promotions in
    /// force at each request's time. When omitted each route pays what its `prices:` says.
    /// (There is no --as-of: every request is priced at its own time.)
    #[arg(long, value_enum, value_name = "list|effective")]
    pub prices: Option<super::args::PricesArg>,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub warehouse: Box<super::warehouse::WarehouseArgs>,
}

/// The catalogue and the replay's scenario, on the `--prices` list (each request is priced at
/// its own time, so there is no `--as-of`).
pub fn catalogue_and_scenario(
    cli: &Cli,
    args: &ReplayArgs,
) -> anyhow::Result<(
    crate::model::catalogue::Catalogue,
    crate::model::scenario::Scenario,
)> {
    let catalogue = super::load_catalogue(cli)?;
    let mut scenario = super::load_scenario(Some(&args.scenario), &catalogue)?;
    super::apply_price_args(
        &mut scenario,
        &super::args::PriceArgs {
            prices: args.prices,
            as_of: None,
        },
    )?;
    Ok((catalogue, scenario))
}

pub fn run(cli: &Cli, args: &ReplayArgs) -> anyhow::Result<ExitCode> {
    if args.warehouse.active() {
        return super::warehouse::run(cli, args);
    }
    let (catalogue, scenario) = catalogue_and_scenario(cli, args)?;

    let mut mapping = Mapping::default();
    if let Some(path) = &args.mapping {
        mapping.read_file(path).map_err(anyhow::Error::msg)?;
    }
    for entry in &args.map {
        mapping.add(entry, "--map").map_err(anyhow::Error::msg)?;
    }
    if let Some(threshold) = args.pass_threshold {
        if !threshold.is_finite() {
            anyhow::bail!("invalid --pass-threshold {threshold}: give a number");
        }
    }
    let options = ReadOptions {
        format: args.log_format,
        mapping,
        pass_threshold: args.pass_threshold,
    };
    let paths = log::expand_inputs(&args.logs).map_err(anyhow::Error::msg)?;
    let mut adapters: Vec<Box<dyn Adapter>> = Vec::new();
    let mut streams: Vec<Blocks> = Vec::new();
    let mut names = ShadowNames::default();
    for (index, path) in paths.iter().enumerate() {
        let file = log::open_log(path, index as u32, &options).map_err(anyhow::Error::msg)?;
        names.merge(&file.adapter.shadow_names());
        adapters.push(file.adapter);
        streams.push(file.blocks);
    }
    if names.outcomes.len() > 32 || names.shadow_output.len() > 32 {
        anyhow::bail!(
            "the logs name {} outcome and {} output_tokens models; replay reads at most 32 of each",
            names.outcomes.len(),
            names.shadow_output.len()
        );
    }
    for adapter in &mut adapters {
        adapter.bind(&names);
    }
    let plan = Plan::new(
        &scenario,
        &catalogue,
        names.outcomes.clone(),
        names.shadow_output.clone(),
    );
    let threads = args
        .threads
        .unwrap_or_else(rayon::current_num_threads)
        .clamp(1, 256);
    let accumulator = read_all(&plan, &adapters, streams, threads, args.strict);

    // A Parquet file's positions are row numbers, a text file's line numbers.
    let by_row: Vec<bool> = paths.iter().map(|p| log::parquet::has_magic(p)).collect();
    let shown = |position: Position| -> String {
        let path = paths
            .get(position.file as usize)
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        match by_row.get(position.file as usize) {
            Some(true) if position.line == 0 => path,
            Some(true) => format!("{path}, row {}", position.line),
            _ => format!("{path}:{}", position.line),
        }
    };
    if args.strict {
        if let Some(problem) = accumulator.skips.earliest() {
            anyhow::bail!(
                "{}\n  = help: fix the row, or drop --strict to skip such rows (they are counted and reported)",
                describe(problem, &shown)
            );
        }
    }
    let (segments, skips, histograms, rows) = accumulator.into_segments();
    if rows == 0 {
        anyhow::bail!(
            "the log has no rows: {} holds no requests; replay needs at least one",
            paths
                .iter()
                .map(|p| format!("'{}'", p.display()))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let result = replay::finish(
        &plan,
        &segments,
        skips,
        &histograms,
        rows,
        args.by.map(ReplayBy::engine),
    )
    .map_err(|(_, message)| anyhow::anyhow!("{message}"))?;
    if result.rows_priced == 0 {
        let first = result
            .skips
            .earliest()
            .map(|problem| describe(problem, &shown))
            .unwrap_or_default();
        anyhow::bail!(
            "no request in the log could be priced: {} skipped; the first: {first}",
            match result.rows_read {
                1 => "its one row was".to_string(),
                rows => format!("all {rows} rows were"),
            }
        );
    }
    if let Some(path) = &args.emit_scenario {
        let text = crate::report::emit::scenario_yaml(&plan, &segments, &fields(args), &paths);
        super::output::emit(&text, Some(path))
            .with_context(|| format!("cannot write the emitted scenario '{}'", path.display()))?;
    }
    let files: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let text = render(&result, &files, args.by, args.output.format, &shown);
    super::output::emit(&text, args.output.output.as_deref())?;
    if args.output.format == Format::Csv && cli.assumptions.is_none() {
        // CSV holds one table only; without `--assumptions FILE` the row counts, assumptions
        // and skips go to standard error, so they are still seen.
        let document = document(&result, &files, args.by, &shown);
        eprintln!("note: {}", rows_line(&result));
        for notes in &document.notes {
            let heading = notes.heading.to_lowercase();
            match (&notes.items[..], &notes.when_empty) {
                ([], Some(empty)) => eprintln!("note: {heading}: {empty}"),
                (items, _) => {
                    for item in items {
                        eprintln!("note: {heading}: {item}");
                    }
                }
            }
        }
    }
    super::output::emit_assumptions(cli, args.output.output.as_deref(), || {
        vec![document(&result, &files, args.by, &shown)]
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The fields `--group-by` names, as the engine's.
pub(super) fn fields(args: &ReplayArgs) -> Vec<replay::Field> {
    args.group_by
        .iter()
        .map(|f| match f {
            GroupField::Workload => replay::Field::Workload,
            GroupField::Task => replay::Field::Task,
            GroupField::DataClass => replay::Field::DataClass,
            GroupField::Model => replay::Field::Model,
        })
        .collect()
}

/// Streams every file's blocks to `threads` workers and merges what they found.
fn read_all(
    plan: &Plan,
    adapters: &[Box<dyn Adapter>],
    streams: Vec<Blocks>,
    threads: usize,
    strict: bool,
) -> Accumulator {
    let stop = AtomicBool::new(false);
    let (sender, receiver) = mpsc::sync_channel::<log::Block>(threads * 2);
    let receiver = Mutex::new(receiver);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut accumulator = Accumulator::new(plan);
                    loop {
                        let block = match receiver.lock() {
                            Ok(guard) => guard.recv(),
                            Err(_) => break,
                        };
                        let Ok(block) = block else { break };
                        let adapter = &adapters[block.file as usize];
                        adapter.parse(&block, &mut |position, row| match row {
                            Ok(request) => {
                                accumulator.add(plan, &request, position);
                            }
                            Err(problem) => accumulator.skip(problem),
                        });
                        if strict && accumulator.skips.total() > 0 {
                            stop.store(true, Ordering::Relaxed);
                        }
                    }
                    accumulator
                })
            })
            .collect();

        let mut reader_side = Accumulator::new(plan);
        'files: for mut stream in streams {
            loop {
                if stop.load(Ordering::Relaxed) {
                    break 'files;
                }
                match stream.next_block() {
                    Next::Block(block) => {
                        if !block.bytes.is_empty() && sender.send(block).is_err() {
                            break 'files;
                        }
                    }
                    Next::Broken {
                        message,
                        partial_line,
                    } => {
                        let position = Position {
                            file: stream_file(&stream),
                            line: partial_line.unwrap_or(u64::MAX),
                        };
                        reader_side.skip(Problem {
                            position,
                            reason: SkipReason::Truncated,
                            column: None,
                            value: None,
                            message: format!(
                                "the file ends early ({message}): it is truncated or corrupt; the rows before are read, the rest is lost"
                            ),
                        });
                        if strict {
                            stop.store(true, Ordering::Relaxed);
                        }
                        break;
                    }
                    Next::End => break,
                }
            }
        }
        drop(sender);
        for worker in workers {
            if let Ok(accumulator) = worker.join() {
                reader_side.merge(accumulator);
            }
        }
        reader_side
    })
}

fn stream_file(stream: &Blocks) -> u32 {
    stream.file()
}

fn describe(problem: &Problem, shown: &dyn Fn(Position) -> String) -> String {
    let place = if problem.position.line == u64::MAX {
        shown(Position {
            line: 0,
            ..problem.position
        })
        .trim_end_matches(":0")
        .to_string()
    } else {
        shown(problem.position)
    };
    let mut text = place;
    if let Some(column) = &problem.column {
        text.push_str(&format!(", {column}"));
    }
    if let Some(value) = &problem.value {
        text.push_str(&format!(", value '{value}'"));
    }
    format!("{text}: {}", problem.message)
}

/// Renders a replay in `format`.
pub fn render(
    replay: &Replay,
    files: &[String],
    by: Option<ReplayBy>,
    format: Format,
    shown: &dyn Fn(Position) -> String,
) -> String {
    if format == Format::Json {
        return json::to_string(&ReplayJson::new(replay, files, by, shown));
    }
    document(replay, files, by, shown).render(format)
}

fn share(part: u64, whole: u64) -> Decimal {
    if whole == 0 {
        Decimal::ZERO
    } else {
        Decimal::from(part) * Decimal::ONE_HUNDRED / Decimal::from(whole)
    }
}

fn approximate(value: Option<f64>) -> Cell {
    match value.and_then(|v| Decimal::try_from(v).ok()) {
        Some(value) => Cell::UnitMoney(value.round_dp(6)),
        None => Cell::Empty,
    }
}

/// The replay as a document: totals, the breakdown, reconciliation, assumptions, rows.
pub fn document(
    replay: &Replay,
    files: &[String],
    by: Option<ReplayBy>,
    shown: &dyn Fn(Position) -> String,
) -> Document {
    let period = match (replay.first, replay.last) {
        (Some(first), Some(last)) => format!(
            "{} → {}",
            crate::load::values::show_instant(first),
            crate::load::values::show_instant(last)
        ),
        _ => String::new(),
    };
    let mut document = Document {
        title: format!("Replay of {} — {}", files.join(", "), replay.scenario),
        subtitle: vec![
            format!(
                "{} priced, {period}; baseline: {}",
                requests(replay.rows_priced),
                replay.baseline
            ),
            rows_line(replay),
        ],
        ..Document::default()
    };
    let baseline = replay
        .columns
        .iter()
        .find(|column| column.name == replay.baseline)
        .map(|column| column.total);
    let mut totals = Table::new(&[
        "policy",
        "requests",
        "cost",
        "vs baseline",
        "vs baseline %",
        "per request",
        "P50 ≈",
        "P90 ≈",
        "P99 ≈",
        "max ≈",
    ])
    .optional_columns(&[
        "max ≈",
        "P90 ≈",
        "P99 ≈",
        "per request",
        "vs baseline",
        "P50 ≈",
    ]);
    for column in &replay.columns {
        let (delta, percent) = match baseline {
            Some(base) => (
                Cell::MoneyDelta(column.total - base),
                if base.is_zero() {
                    Cell::Empty
                } else {
                    Cell::PercentDelta((column.total - base) / base * Decimal::ONE_HUNDRED)
                },
            ),
            None => (Cell::Empty, Cell::Empty),
        };
        let per_request = if column.requests == 0 {
            Cell::Empty
        } else {
            Cell::UnitMoney(column.total / Decimal::from(column.requests))
        };
        totals.push(vec![
            Cell::text(&column.name),
            Cell::Count(column.requests),
            Cell::Money(column.total),
            delta,
            percent,
            per_request,
            approximate(column.percentiles[0]),
            approximate(column.percentiles[1]),
            approximate(column.percentiles[2]),
            approximate(column.percentiles[3]),
        ]);
    }
    document.tables.push((None, totals));

    if let Some(by) = by {
        let mut headers = vec![by.label().to_string(), "requests".to_string()];
        headers.extend(replay.columns.iter().map(|c| c.name.clone()));
        let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
        let mut table = Table::new(&header_refs);
        for group in &replay.groups {
            let mut row = vec![
                Cell::text(&group.key),
                if by == ReplayBy::Model {
                    Cell::Empty
                } else {
                    Cell::Count(group.requests[0])
                },
            ];
            for (index, cost) in group.costs.iter().enumerate() {
                row.push(if by == ReplayBy::Model && group.requests[index] == 0 {
                    Cell::Empty
                } else {
                    Cell::Money(*cost)
                });
            }
            table.push(row);
        }
        document
            .tables
            .push((Some(format!("Cost by {}", by.label())), table));
        // The CSV is the breakdown asked for, else the totals.
        document.csv_table = 1;
    }

    if let Some(reconciliation) = &replay.reconciliation {
        let mut by_model = Table::new(&[
            "model",
            "requests",
            "logged spend",
            "mixcost price",
            "difference",
            "difference %",
        ])
        .optional_columns(&["requests", "logged spend"]);
        let row = |row: &replay::ReconcileRow, first: Cell| -> Vec<Cell> {
            let percent = if row.priced.is_zero() {
                Cell::Empty
            } else {
                Cell::PercentDelta(row.difference() / row.priced * Decimal::ONE_HUNDRED)
            };
            vec![
                first,
                Cell::Count(row.requests),
                Cell::Money(row.logged),
                Cell::Money(row.priced),
                Cell::MoneyDelta(row.difference()),
                percent,
            ]
        };
        for entry in &reconciliation.by_model {
            by_model.push(row(entry, Cell::text(&entry.model)));
        }
        document.tables.push((
            Some(format!(
                "Reconciliation: the log's spend against mixcost's price of the logged model ({} with a spend)",
                requests(reconciliation.requests_with_spend)
            )),
            by_model,
        ));
        let mut largest = Table::new(&[
            "model · day",
            "requests",
            "logged spend",
            "mixcost price",
            "difference",
            "difference %",
        ])
        .optional_columns(&["requests", "logged spend"]);
        for entry in &reconciliation.largest {
            let label = format!(
                "{} · {}",
                entry.model,
                entry.day.clone().unwrap_or_default()
            );
            largest.push(row(entry, Cell::text(label)));
        }
        document.tables.push((
            Some("Largest differences (model × day)".to_string()),
            largest,
        ));
    }

    if !replay.shadow.is_empty() {
        let mut table = Table::new(&[
            "policy",
            "expected cost",
            "success",
            "cost per success",
            "rework",
            "escalation",
            "human cost",
            "success if independent",
            "cost per success if independent",
        ])
        .optional_columns(&[
            "human cost",
            "escalation",
            "rework",
            "cost per success if independent",
            "success if independent",
        ]);
        for row in &replay.shadow {
            let replayed = &row.replayed;
            let independent = &row.independent;
            let per_success =
                |totals: &crate::engine::shadow::ShadowTotals| match totals.cost_per_success() {
                    Some(value) => Cell::UnitMoney(value),
                    None => Cell::Empty,
                };
            table.push(vec![
                Cell::text(&row.policy),
                Cell::Money(replayed.cost),
                Cell::Share(replayed.success_rate() * Decimal::ONE_HUNDRED),
                per_success(replayed),
                Cell::Share(replayed.rework_rate() * Decimal::ONE_HUNDRED),
                Cell::Share(replayed.escalation_rate() * Decimal::ONE_HUNDRED),
                Cell::Money(replayed.human_cost),
                Cell::Share(independent.success_rate() * Decimal::ONE_HUNDRED),
                per_success(independent),
            ]);
        }
        document.tables.push((
            Some(
                "Shadow evaluation: each policy's chain replayed on every request's logged outcomes (exact expectation), and what the independence formula predicts from the same pass rates"
                    .to_string(),
            ),
            table,
        ));
    }

    document.notes.push(Notes {
        heading: "Assumptions".to_string(),
        items: replay
            .assumptions
            .iter()
            .map(|assumption| {
                format!(
                    "{} — {} ({}%) — {}",
                    assumption.text,
                    requests(assumption.requests),
                    format::fixed(share(assumption.requests, replay.rows_priced), 1),
                    assumption.columns.join(", ")
                )
            })
            .collect(),
        when_empty: Some(
            "none: every price is published and every request's own tokens apply".to_string(),
        ),
    });
    document.notes.push(Notes {
        heading: "Rows skipped".to_string(),
        items: skipped_items(replay, shown),
        when_empty: Some("none".to_string()),
    });
    document
}

/// `1 request`, `12,345 requests`.
fn requests(count: u64) -> String {
    let noun = if count == 1 { "request" } else { "requests" };
    format!("{} {noun}", format::tokens(Decimal::from(count)))
}

fn rows_line(replay: &Replay) -> String {
    format!(
        "rows read {} = priced {} + skipped {}",
        replay.rows_read,
        replay.rows_priced,
        replay.skips.total()
    )
}

fn skipped_items(replay: &Replay, shown: &dyn Fn(Position) -> String) -> Vec<String> {
    let mut items = Vec::new();
    for (reason, count) in &replay.skips.counts {
        let first = replay
            .skips
            .first
            .get(reason)
            .map(|problem| format!("; first: {}", describe(problem, shown)))
            .unwrap_or_default();
        items.push(format!("{}: {count}{first}", reason.label()));
    }
    for (name, count) in &replay.skips.unknown_models {
        items.push(format!(
            "unknown model '{name}': {} (not priced; add it with --pricing)",
            requests(*count)
        ));
    }
    if replay.skips.unknown_unnamed > 0 {
        items.push(format!(
            "{} more of other unknown models",
            requests(replay.skips.unknown_unnamed)
        ));
    }
    items
}

/// `replay --format json`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ReplayJson {
    pub scenario: String,
    pub files: Vec<String>,
    pub baseline: String,
    pub first_request: Option<String>,
    pub last_request: Option<String>,
    pub rows: RowsJson,
    pub policies: Vec<ColumnJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breakdown: Option<BreakdownJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reconciliation: Option<ReconciliationJson>,
    pub assumptions: Vec<AssumptionJson>,
    /// Fallback chains replayed on the logged outcomes; absent without outcome columns.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shadow: Vec<ShadowJson>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ShadowJson {
    pub policy: String,
    pub replayed: ShadowTotalsJson,
    /// The independence formula on the same requests' marginal pass rates.
    pub independent: ShadowTotalsJson,
}

/// Expected totals over the requests: counts of requests and USD, exact.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ShadowTotalsJson {
    pub requests: u64,
    #[schemars(with = "String")]
    pub cost: Decimal,
    #[schemars(with = "String")]
    pub successes: Decimal,
    /// Expected successes over requests, 0 to 1, at most 12 significant digits.
    #[schemars(with = "String")]
    #[serde(serialize_with = "crate::report::json::serialize_rate")]
    pub success_rate: Decimal,
    #[schemars(with = "Option<String>")]
    pub cost_per_success: Option<Decimal>,
    #[schemars(with = "String")]
    pub reworked: Decimal,
    #[schemars(with = "String")]
    pub escalated: Decimal,
    #[schemars(with = "String")]
    pub human_cost: Decimal,
}

impl ShadowTotalsJson {
    fn new(totals: &crate::engine::shadow::ShadowTotals) -> Self {
        ShadowTotalsJson {
            requests: totals.requests,
            cost: totals.cost,
            successes: totals.successes,
            success_rate: totals.success_rate(),
            cost_per_success: totals.cost_per_success(),
            reworked: totals.reworked,
            escalated: totals.escalated,
            human_cost: totals.human_cost,
        }
    }
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct RowsJson {
    pub read: u64,
    pub priced: u64,
    pub skipped: u64,
    /// Skipped rows by reason, with the first of each.
    pub skipped_by_reason: Vec<SkipJson>,
    /// Requests per model the catalogue does not know (never priced at $0).
    pub unknown_models: Vec<UnknownModelJson>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct SkipJson {
    pub reason: String,
    pub count: u64,
    pub first: String,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct UnknownModelJson {
    pub model: String,
    pub requests: u64,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ColumnJson {
    /// `as logged`, or a policy name.
    pub policy: String,
    pub requests: u64,
    /// USD, exact.
    #[schemars(with = "String")]
    pub cost: Decimal,
    /// Approximate cost per request (within 0.4 %): P50, P90, P99, max.
    pub per_request_percentiles: Vec<Option<f64>>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct BreakdownJson {
    pub by: String,
    pub rows: Vec<GroupJson>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct GroupJson {
    pub key: String,
    /// Per column (as logged, then policies): requests in the group.
    pub requests: Vec<u64>,
    /// Per column: USD, exact.
    #[schemars(with = "Vec<String>")]
    pub costs: Vec<Decimal>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ReconciliationJson {
    pub requests_with_spend: u64,
    pub by_model: Vec<ReconcileJson>,
    pub largest_differences: Vec<ReconcileJson>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ReconcileJson {
    pub model: String,
    pub day: Option<String>,
    pub requests: u64,
    #[schemars(with = "String")]
    pub logged_spend: Decimal,
    #[schemars(with = "String")]
    pub mixcost_price: Decimal,
    #[schemars(with = "String")]
    pub difference: Decimal,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct AssumptionJson {
    pub text: String,
    pub requests: u64,
    pub policies: Vec<String>,
}

impl ReplayJson {
    pub fn new(
        replay: &Replay,
        files: &[String],
        by: Option<ReplayBy>,
        shown: &dyn Fn(Position) -> String,
    ) -> ReplayJson {
        let reconcile = |row: &replay::ReconcileRow| ReconcileJson {
            model: row.model.clone(),
            day: row.day.clone(),
            requests: row.requests,
            logged_spend: row.logged,
            mixcost_price: row.priced,
            difference: row.difference(),
        };
        ReplayJson {
            scenario: replay.scenario.clone(),
            files: files.to_vec(),
            baseline: replay.baseline.clone(),
            first_request: replay.first.map(crate::load::values::show_instant),
            last_request: replay.last.map(crate::load::values::show_instant),
            rows: RowsJson {
                read: replay.rows_read,
                priced: replay.rows_priced,
                skipped: replay.skips.total(),
                skipped_by_reason: replay
                    .skips
                    .counts
                    .iter()
                    .map(|(reason, count)| SkipJson {
                        reason: reason.key().to_string(),
                        count: *count,
                        first: replay
                            .skips
                            .first
                            .get(reason)
                            .map(|p| describe(p, shown))
                            .unwrap_or_default(),
                    })
                    .collect(),
                unknown_models: replay
                    .skips
                    .unknown_models
                    .iter()
                    .map(|(model, requests)| UnknownModelJson {
                        model: model.clone(),
                        requests: *requests,
                    })
                    .collect(),
            },
            policies: replay
                .columns
                .iter()
                .map(|column| ColumnJson {
                    policy: column.name.clone(),
                    requests: column.requests,
                    cost: column.total,
                    per_request_percentiles: column
                        .percentiles
                        .iter()
                        .map(|p| p.map(|v| (v * 1e6).round() / 1e6))
                        .collect(),
                })
                .collect(),
            breakdown: by.map(|by| BreakdownJson {
                by: by.label().to_string(),
                rows: replay
                    .groups
                    .iter()
                    .map(|group| GroupJson {
                        key: group.key.clone(),
                        requests: group.requests.clone(),
                        costs: group.costs.clone(),
                    })
                    .collect(),
            }),
            reconciliation: replay.reconciliation.as_ref().map(|r| ReconciliationJson {
                requests_with_spend: r.requests_with_spend,
                by_model: r.by_model.iter().map(reconcile).collect(),
                largest_differences: r.largest.iter().map(reconcile).collect(),
            }),
            assumptions: replay
                .assumptions
                .iter()
                .map(|a| AssumptionJson {
                    text: a.text.clone(),
                    requests: a.requests,
                    policies: a.columns.clone(),
                })
                .collect(),
            shadow: replay
                .shadow
                .iter()
                .map(|row| ShadowJson {
                    policy: row.policy.clone(),
                    replayed: ShadowTotalsJson::new(&row.replayed),
                    independent: ShadowTotalsJson::new(&row.independent),
                })
                .collect(),
        }
    }
}

pub fn json_schema() -> schemars::Schema {
    schemars::schema_for!(ReplayJson)
}
