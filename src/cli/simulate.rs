//! `mixcost simulate`: Monte Carlo of a month per policy, with a progress bar on a terminal.

use std::io::IsTerminal;
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rust_decimal::Decimal;
use serde::Serialize;

use super::args::{Cli, SimulateArgs};
use crate::engine::evaluate::evaluate;
use crate::engine::quality::evaluate_workflow;
use crate::engine::simulate::{simulate, Plan, Settings, Simulation, Summary};
use crate::load::quality::money;
use crate::load::values::show_instant;
use crate::model::quality::Distribution;
use crate::model::scenario::Scenario;
use crate::report::{format, json, Cell, Document, Format, Notes, Table};

pub fn run(cli: &Cli, args: &SimulateArgs) -> anyhow::Result<ExitCode> {
    if args.trials == 0 {
        anyhow::bail!("--trials 0 runs nothing; give at least 1 (e.g. --trials 10000)");
    }
    // Checked before any work: every trial's cost is kept (percentiles are exact order
    // statistics), so the number of trials bounds the memory.
    if args.trials > args.max_trials {
        anyhow::bail!(
            "--trials {} is more than the limit of {} trials\n  = help: each trial keeps its cost for exact percentiles (about 40 bytes per trial and policy); use fewer trials, or raise the limit with --max-trials",
            args.trials,
            args.max_trials
        );
    }
    let budget = match &args.budget {
        Some(text) => Some(money(text).map_err(|problem| {
            anyhow::anyhow!("invalid --budget: {}; {}", problem.message, problem.help)
        })?),
        None => None,
    };
    let catalogue = super::load_catalogue(cli)?;
    let scenario = super::load_priced_scenario(args.scenario.as_deref(), &catalogue, &args.prices)?;
    // Before the work: an -o naming one of the inputs, or a missing folder, is refused now.
    super::output::check(args.output.output.as_deref())?;
    let plan = match scenario.quality {
        Some(_) => Plan::with_quality(
            &scenario,
            &catalogue,
            &evaluate_workflow(&scenario, &catalogue)?,
        )?,
        None => Plan::without_quality(&scenario, &catalogue, &evaluate(&scenario, &catalogue)?)?,
    };
    let settings = Settings {
        trials: args.trials,
        seed: args.seed,
        budget,
    };
    let bar = progress_bar(args.trials);
    let result = simulate(&plan, settings, &|done| bar.inc(done));
    bar.finish_and_clear();
    let simulation = result?;
    let marks = super::price_marks(&scenario, &catalogue);
    let text = if args.output.format == Format::Json {
        let mut json = SimulationJson::new(&scenario, &simulation);
        json.promotions = marks.promotions;
        json::to_string(&json)
    } else {
        let mut document = document(&scenario, &simulation);
        document.subtitle.extend(marks.header);
        document.notes.extend(marks.notes);
        document.render(args.output.format)
    };
    super::output::emit(&text, args.output.output.as_deref())?;
    super::output::emit_assumptions(cli, args.output.output.as_deref(), || {
        vec![document(&scenario, &simulation)]
    })?;
    Ok(ExitCode::SUCCESS)
}

/// A bar on standard error when it is a terminal; hidden otherwise.
fn progress_bar(trials: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(trials), ProgressDrawTarget::stderr());
    let template = if std::env::var_os("NO_COLOR").is_some() {
        "{bar:40} {pos}/{len} trials ({eta})"
    } else {
        "{bar:40.cyan/blue} {pos}/{len} trials ({eta})"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

/// Renders a simulation in `format`.
pub fn render(scenario: &Scenario, simulation: &Simulation, format: Format) -> String {
    if format == Format::Json {
        return json::to_string(&SimulationJson::new(scenario, simulation));
    }
    document(scenario, simulation).render(format)
}

fn probability(value: Option<Decimal>) -> Cell {
    value
        .map(|p| Cell::Share(p * Decimal::ONE_HUNDRED))
        .unwrap_or(Cell::Empty)
}

fn volume_line(scenario: &Scenario) -> String {
    let parts: Vec<String> = scenario
        .workloads
        .iter()
        .map(
            |workload| match scenario.uncertainty.volume_of(&workload.name) {
                Some(spread) if !spread.spread.is_zero() => format!(
                    "{} {} ±{}%",
                    workload.name,
                    spread.distribution.as_str(),
                    format::plain(spread.spread * Decimal::ONE_HUNDRED)
                ),
                _ => format!("{} fixed", workload.name),
            },
        )
        .collect();
    format!("volume: {}", parts.join(", "))
}

pub fn document(scenario: &Scenario, simulation: &Simulation) -> Document {
    let settings = simulation.settings;
    let mut columns = vec![
        "policy",
        "expected (exact)",
        "mean",
        "P5",
        "P50",
        "P95",
        "P99",
        "P(beats baseline)",
    ];
    if settings.budget.is_some() {
        columns.push("P(over budget)");
    }
    let mut cost = Table::new(&columns);
    // `expected_usd`, not `expected_exact_usd`: every money column has its exact twin.
    cost.keys[1] = "expected".to_string();
    for policy in &simulation.policies {
        let mut row = vec![
            Cell::text(&policy.policy),
            Cell::Money(policy.expected),
            Cell::Money(policy.cost.mean),
            Cell::Money(policy.cost.p5),
            Cell::Money(policy.cost.p50),
            Cell::Money(policy.cost.p95),
            Cell::Money(policy.cost.p99),
            match policy.beats_baseline {
                Some(p) => probability(Some(p)),
                None => Cell::Marker("baseline"),
            },
        ];
        if settings.budget.is_some() {
            row.push(probability(policy.over_budget));
        }
        cost.push(row);
    }
    // A narrow terminal keeps the expectation, the median and the tail.
    let cost = cost.optional_columns(&["mean", "P5", "P99", "P(over budget)"]);
    let mut tables = vec![(Some("monthly cost".to_string()), cost)];
    if simulation.policies.iter().any(|p| p.per_success.is_some()) {
        let mut per_success = Table::new(&["policy", "success", "mean", "P5", "P50", "P95", "P99"]);
        for policy in &simulation.policies {
            let cells = |s: Option<Summary>, f: fn(&Summary) -> Decimal| {
                s.map(|s| Cell::UnitMoney(f(&s))).unwrap_or(Cell::Empty)
            };
            per_success.push(vec![
                Cell::text(&policy.policy),
                probability(policy.success_rate),
                cells(policy.per_success, |s| s.mean),
                cells(policy.per_success, |s| s.p5),
                cells(policy.per_success, |s| s.p50),
                cells(policy.per_success, |s| s.p95),
                cells(policy.per_success, |s| s.p99),
            ]);
        }
        let per_success = per_success.optional_columns(&["P5", "P99", "mean"]);
        tables.push((Some("cost per successful task".to_string()), per_success));
    }
    let mut subtitle = vec![
        format!(
            "{} · prices as of {} · baseline {}",
            scenario.file,
            show_instant(scenario.as_of),
            simulation.baseline
        ),
        format!(
            "{} trials · seed {}{}",
            settings.trials,
            settings.seed,
            settings
                .budget
                .map(|b| format!(" · budget {}", format::money(b)))
                .unwrap_or_default()
        ),
        volume_line(scenario),
    ];
    if !scenario.uncertainty.input_tokens.is_empty() {
        let spreads: Vec<String> = scenario
            .uncertainty
            .input_tokens
            .iter()
            .map(|(workload, spread)| {
                format!(
                    "{workload} lognormal ±{}%",
                    format::plain(spread.spread * Decimal::ONE_HUNDRED)
                )
            })
            .collect();
        subtitle.push(format!("input tokens per request: {}", spreads.join(", ")));
    }
    if scenario.quality.is_some() {
        subtitle.push(
            "pass rates: Beta(passes, fails) where eval counts are given, else fixed; failures per step drawn as binomials".to_string(),
        );
    }
    let mut items = vec![
                "each trial has its own generator seeded from (seed, trial index): the same seed gives the same output on any number of threads".to_string(),
                "means are exact decimal sums of simulated request counts × exact per-request costs; percentiles are per-trial f64 totals rounded to cents".to_string(),
                format!(
                    "the mean converges to the exact expectation: standard errors {}",
                    simulation
                        .policies
                        .iter()
                        .map(|p| format!("{} {}", p.policy, format::money(p.standard_error)))
                        .collect::<Vec<_>>()
                        .join(", ")
        ),
    ];
    if !scenario.uncertainty.input_tokens.is_empty() {
        items.push("with input tokens spread per request, the share above a long-context threshold is drawn per step (binomial) and priced at its mean size there (lognormal partial expectations, in f64); the exact expectation prices every request at the mean size, so the mean can exceed it".to_string());
    }
    Document {
        title: scenario.name.clone(),
        subtitle,
        tables,
        notes: vec![Notes {
            heading: "method".to_string(),
            items,
            when_empty: None,
        }],
        csv_table: 0,
    }
}

#[derive(Serialize, schemars::JsonSchema)]
struct SimulationJson<'a> {
    #[schemars(extend("const" = "1"))]
    schema_version: &'static str,
    currency: &'static str,
    scenario: &'a str,
    file: &'a str,
    as_of: String,
    baseline: &'a str,
    trials: u64,
    seed: u64,
    budget: Option<String>,
    volume: Vec<VolumeJson<'a>>,
    policies: Vec<PolicyJson<'a>>,
    /// The promotions in the scenario's prices on its date, with their end.
    promotions: Vec<crate::engine::breakdown::PromotionUse>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct VolumeJson<'a> {
    workload: &'a str,
    distribution: Option<&'static str>,
    spread: Option<String>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct SummaryJson {
    mean: String,
    p5: String,
    p50: String,
    p95: String,
    p99: String,
}

#[derive(Serialize, schemars::JsonSchema)]
struct PolicyJson<'a> {
    name: &'a str,
    expected_monthly_cost: String,
    monthly_cost: SummaryJson,
    monthly_cost_mean_exact: String,
    standard_error: String,
    /// Expected share of tasks that succeed, 0 to 1, at most 12 significant digits.
    success_rate: Option<String>,
    cost_per_success: Option<SummaryJson>,
    /// Share of trials cheaper than the baseline, 0 to 1, at most 12 significant digits.
    p_beats_baseline: Option<String>,
    /// Share of trials over --budget, 0 to 1, at most 12 significant digits.
    p_over_budget: Option<String>,
}

fn summary_json(summary: &Summary, places: u32) -> SummaryJson {
    SummaryJson {
        mean: format::fixed(summary.mean, places),
        p5: format::fixed(summary.p5, places),
        p50: format::fixed(summary.p50, places),
        p95: format::fixed(summary.p95, places),
        p99: format::fixed(summary.p99, places),
    }
}

impl<'a> SimulationJson<'a> {
    fn new(scenario: &'a Scenario, simulation: &'a Simulation) -> Self {
        SimulationJson {
            promotions: Vec::new(),
            schema_version: json::SCHEMA_VERSION,
            currency: "USD",
            scenario: &scenario.name,
            file: &scenario.file,
            as_of: show_instant(scenario.as_of),
            baseline: &simulation.baseline,
            trials: simulation.settings.trials,
            seed: simulation.settings.seed,
            budget: simulation.settings.budget.map(|b| format::fixed(b, 2)),
            volume: scenario
                .workloads
                .iter()
                .map(|workload| {
                    let spread = scenario
                        .uncertainty
                        .volume_of(&workload.name)
                        .filter(|s| !s.spread.is_zero());
                    VolumeJson {
                        workload: &workload.name,
                        distribution: spread.map(|s| match s.distribution {
                            Distribution::Normal => "normal",
                            Distribution::LogNormal => "lognormal",
                        }),
                        spread: spread.map(|s| format::plain(s.spread)),
                    }
                })
                .collect(),
            policies: simulation
                .policies
                .iter()
                .map(|policy| PolicyJson {
                    name: &policy.policy,
                    expected_monthly_cost: format::fixed(policy.expected, 2),
                    monthly_cost: summary_json(&policy.cost, 2),
                    monthly_cost_mean_exact: format::plain(policy.cost.mean),
                    standard_error: format::fixed(policy.standard_error, 2),
                    success_rate: policy.success_rate.map(json::rate),
                    cost_per_success: policy.per_success.as_ref().map(|s| summary_json(s, 6)),
                    p_beats_baseline: policy.beats_baseline.map(json::rate),
                    p_over_budget: policy.over_budget.map(json::rate),
                })
                .collect(),
        }
    }
}

pub fn json_schema() -> schemars::Schema {
    schemars::schema_for!(SimulationJson<'static>)
}
