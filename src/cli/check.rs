//! `mixcost check`: the CI gate. Budgets, increases against a base run, and compliance, each
//! with a verdict and its numbers; exit 1 when any check fails.
//!
//! The base (`--against`) is a `compare --format json` result or another scenario file, e.g.
//! the same scenario on the base branch. Bad amounts, thresholds without a unit, an unreadable
//! or incompatible base, or a base with nothing in common exit 2 before anything is judged.
//!
//! Several scenarios are checked in one run, each against the base's scenario of the same name,
//! and reported together: one comment, one JSON document, exit 1 if any check of any scenario
//! fails. A scenario the base does not hold is new (the pull request adds it): its increase
//! checks are warnings that say so, its other checks run as usual. One scenario against a base
//! of one scenario pairs them whatever their names, as before. A base result with
//! `"scenarios": []` says the base branch has none of them yet: every scenario is new.

use crate::engine::exact;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use rust_decimal::Decimal;
use serde::Serialize;

use super::args::{Cli, OutputArgs};
use crate::engine::breakdown::Evaluation;
use crate::engine::check::{self, CheckKind, CheckResult, Gate, Verdict};
use crate::engine::compliance;
use crate::engine::diff::Costs;
use crate::engine::whatif::month;
use crate::load::amount::{self, Threshold};
use crate::load::source::SourceFile;
use crate::load::suggest::nearest;
use crate::load::values::show_instant;
use crate::load::{result, values};
use crate::report::{comment, format, json, Cell, Document, Format, Notes, Table};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The scenarios to check, each against the base's scenario of the same name.
    #[arg(value_name = "SCENARIO", required = true)]
    pub scenarios: Vec<PathBuf>,

    /// The price list and date, for the scenarios and a base given as a scenario file.
    #[command(flatten)]
    pub prices: super::args::PriceArgs,

    /// Fail when a checked policy's month costs more than AMOUNT (USD, e.g. 500 or $1,250).
    #[arg(long, value_name = "AMOUNT")]
    pub budget: Option<String>,

    /// Check only this policy (repeatable); every policy when omitted.
    #[arg(long, value_name = "NAME")]
    pub policy: Vec<String>,

    /// Fail when a policy costs more than the base by more than this: 10% or $100.
    #[arg(long, value_name = "AMOUNT|PCT", requires = "against")]
    pub max_increase: Option<String>,

    /// Warn (never fail) when a policy costs more than the base by more than this.
    #[arg(long, value_name = "AMOUNT|PCT", requires = "against")]
    pub warn_increase: Option<String>,

    /// The base: a `mixcost compare --format json` result or another scenario file.
    #[arg(long, value_name = "BASE")]
    pub against: Option<PathBuf>,

    /// Fail when a policy's month divided by its requests costs more than AMOUNT (USD, e.g.
    /// 0.002). Every workload must give `requests:`.
    #[arg(long, value_name = "AMOUNT")]
    pub max_cost_per_request: Option<String>,

    /// --max-increase and --warn-increase compare cost per request instead of the month's
    /// total, so more traffic at the same cost per request passes and a dearer route fails.
    #[arg(long, requires = "against")]
    pub per_request: bool,

    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(cli: &Cli, args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let budget = args
        .budget
        .as_deref()
        .map(|text| flag("--budget", text, amount::money))
        .transpose()?;
    let max_increase = args
        .max_increase
        .as_deref()
        .map(|text| flag("--max-increase", text, amount::threshold))
        .transpose()?;
    let warn_increase = args
        .warn_increase
        .as_deref()
        .map(|text| flag("--warn-increase", text, amount::threshold))
        .transpose()?;
    let max_cost_per_request = args
        .max_cost_per_request
        .as_deref()
        .map(|text| flag("--max-cost-per-request", text, amount::money))
        .transpose()?;
    let catalogue = super::load_catalogue(cli)?;
    let base = match &args.against {
        Some(path) => Some(read_base(path, &catalogue, &args.prices)?),
        None => None,
    };
    let mut reports = Vec::with_capacity(args.scenarios.len());
    for path in &args.scenarios {
        let scenario = super::load_priced_scenario(Some(path), &catalogue, &args.prices)?;
        let policies = chosen_policies(args, path, &scenario)?;
        let month = month(&scenario, &catalogue).map_err(super::whatif_error)?;
        let base = match &base {
            None => None,
            Some(scenarios) => pick(scenarios, &scenario.name, args.scenarios.len())?,
        };
        let violations = compliance::violations(&scenario, &catalogue);
        let gate = Gate {
            policies,
            budget,
            base: base.as_ref(),
            max_increase,
            warn_increase,
            max_cost_per_request,
            per_request: args.per_request,
            base_missing: args.against.is_some() && base.is_none(),
        };
        let results = check::run(&scenario, &month.costs, &violations, &gate)?;
        let (new, policies) = (gate.base_missing, gate.policies);
        reports.push(Report {
            base,
            new,
            against: args.against.as_ref().map(|p| p.display().to_string()),
            policies,
            evaluation: month.evaluation,
            results,
        });
    }
    let run = Run { reports };
    let text = run.render(args.output.format);
    super::output::emit(&text, args.output.output.as_deref())?;
    let documents = || {
        run.reports
            .iter()
            .map(|report| report.document(Format::Csv))
            .collect()
    };
    super::output::emit_assumptions(cli, args.output.output.as_deref(), documents)?;
    Ok(if run.count(Verdict::Fail) > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The policies `--policy` names (each must exist), or every policy of the scenario.
fn chosen_policies(
    args: &CheckArgs,
    path: &Path,
    scenario: &crate::model::scenario::Scenario,
) -> anyhow::Result<Vec<String>> {
    if args.policy.is_empty() {
        return Ok(scenario.policies.iter().map(|p| p.name.clone()).collect());
    }
    for name in &args.policy {
        if scenario.policy(name).is_none() {
            let names = scenario.policies.iter().map(|p| p.name.as_str());
            let hint = match nearest(name, names.clone()) {
                Some(close) => format!("did you mean '{close}'?"),
                None => format!("name one of: {}", names.collect::<Vec<_>>().join(", ")),
            };
            anyhow::bail!(
                "--policy '{name}' is not a policy of '{}'; {hint}",
                path.display()
            );
        }
    }
    Ok(args.policy.clone())
}

fn flag<T>(
    name: &str,
    text: &str,
    parse: fn(&str) -> Result<T, values::Problem>,
) -> anyhow::Result<T> {
    parse(text)
        .map_err(|problem| anyhow::anyhow!("invalid {name}: {}; {}", problem.message, problem.help))
}

/// The base run's costs: read from a compare result, or priced from a scenario file.
fn read_base(
    path: &Path,
    catalogue: &crate::model::catalogue::Catalogue,
    prices: &super::args::PriceArgs,
) -> anyhow::Result<Vec<Costs>> {
    let source = SourceFile::read(path)
        .map_err(crate::load::diagnostic::LoadError::from)
        .context("cannot read the base given with --against")?;
    if result::is_json(&source) {
        return Ok(result::read_possibly_empty(&source)
            .map_err(crate::load::diagnostic::LoadError::from)?);
    }
    let (mut scenario, warnings) = crate::load::scenario::load_scenario(&source, catalogue)?;
    super::report_warnings(&warnings);
    super::apply_price_args(&mut scenario, prices)?;
    Ok(vec![
        month(&scenario, catalogue)
            .map_err(super::whatif_error)?
            .costs,
    ])
}

/// The base's scenario named `name`; with one scenario checked against a base of one, that
/// one whatever its name. `None`: a new scenario, not in the base.
fn pick(scenarios: &[Costs], name: &str, checked: usize) -> anyhow::Result<Option<Costs>> {
    if let Some(found) = scenarios.iter().find(|s| s.scenario == name) {
        return Ok(Some(found.clone()));
    }
    if checked == 1 && scenarios.len() == 1 {
        return Ok(Some(scenarios[0].clone()));
    }
    Ok(None)
}

/// Every scenario checked, in the order given.
struct Run {
    reports: Vec<Report>,
}

/// One scenario's checks.
struct Report {
    evaluation: Evaluation,
    base: Option<Costs>,
    /// A base was given but does not hold this scenario.
    new: bool,
    against: Option<String>,
    policies: Vec<String>,
    results: Vec<CheckResult>,
}

fn kind_label(kind: CheckKind) -> &'static str {
    match kind {
        CheckKind::Budget => "budget (--budget)",
        CheckKind::PolicyBudget => "policy budget",
        CheckKind::WorkloadBudget => "workload budget",
        CheckKind::MaxIncrease => "max increase",
        CheckKind::WarnIncrease => "warn increase",
        CheckKind::Compliance => "compliance",
        CheckKind::CostPerRequest => "cost per request",
        CheckKind::PolicyCostPerRequest => "per-request budget",
    }
}

fn limit_label(result: &CheckResult) -> String {
    match result.limit {
        None => String::new(),
        Some(Threshold::Money(amount)) if result.per_request => {
            format!("{} per request", format::price(amount))
        }
        Some(Threshold::Money(amount)) => format::money(amount),
        Some(Threshold::Percent(percent)) if result.per_request => {
            format!("{}% per request", format::plain(percent))
        }
        Some(Threshold::Percent(percent)) => format!("{}%", format::plain(percent)),
    }
}

/// A cost per request, to eight decimal places: `$0.0025`, `$0.0051344`.
fn per_request_money(value: Decimal) -> String {
    format::price(value.round_dp(8))
}

/// `+$0.0003 ($0.0021 → $0.0024, +14.3%)`, per request.
fn per_request_change(before: Decimal, after: Decimal) -> String {
    let delta = after - before;
    let percent = exact::percent(delta, before)
        .map(|pct| format!(", {}", format::percent_delta(pct)))
        .unwrap_or_default();
    let sign = if delta < Decimal::ZERO { "−" } else { "+" };
    format!(
        "{sign}{} ({} → {}{percent})",
        per_request_money(delta.abs()),
        per_request_money(before),
        per_request_money(after)
    )
}

/// `+$56.35 ($469.60 → $525.95, +12.0%)`
pub fn change_text(before: Decimal, after: Decimal) -> String {
    let delta = after - before;
    let percent = exact::percent(delta, before)
        .map(|pct| format!(", {}", format::percent_delta(pct)))
        .unwrap_or_default();
    format!(
        "{} ({} → {}{percent})",
        format::money_delta(delta),
        format::money(before),
        format::money(after)
    )
}

fn value_text(result: &CheckResult) -> String {
    match result.kind {
        CheckKind::Compliance if result.exempt => "exempt".to_string(),
        CheckKind::Compliance => match result.notes.len() {
            0 => "no violations".to_string(),
            1 => "1 violation".to_string(),
            n => format!("{n} violations"),
        },
        CheckKind::MaxIncrease | CheckKind::WarnIncrease => match (result.before, result.cost) {
            (Some(before), Some(after)) if result.per_request => per_request_change(before, after),
            (Some(before), Some(after)) => change_text(before, after),
            (None, Some(after)) => format!("{} (no base)", format::money(after)),
            _ => "not evaluated".to_string(),
        },
        CheckKind::CostPerRequest | CheckKind::PolicyCostPerRequest => {
            result.cost.map(per_request_money).unwrap_or_default()
        }
        _ => result.cost.map(format::money).unwrap_or_default(),
    }
}

/// `FAILED (1 failed, 0 warnings, 5 passed)` from the count of each verdict.
fn verdict_line(count: impl Fn(Verdict) -> usize) -> String {
    let (fail, warn, pass) = (
        count(Verdict::Fail),
        count(Verdict::Warn),
        count(Verdict::Pass),
    );
    let verdict = if fail > 0 { "FAILED" } else { "passed" };
    format!(
        "{verdict} ({fail} failed, {warn} {}, {pass} passed)",
        if warn == 1 { "warning" } else { "warnings" }
    )
}

impl Report {
    fn count(&self, verdict: Verdict) -> usize {
        self.results.iter().filter(|r| r.verdict == verdict).count()
    }

    fn headline(&self) -> String {
        verdict_line(|verdict| self.count(verdict))
    }

    fn subtitle(&self) -> String {
        let mut line = format!(
            "{} · prices as of {}",
            self.evaluation.file,
            show_instant(self.evaluation.as_of)
        );
        match &self.against {
            Some(against) if self.new => line.push_str(&format!(
                " · new: not in {against}, so no increase is checked"
            )),
            Some(against) => line.push_str(&format!(" · against {against}")),
            None => {}
        }
        if let Some(requests) = self.evaluation.requests {
            line.push_str(&format!(
                " · {} requests a month",
                format::tokens(Decimal::from(requests))
            ));
        }
        line
    }

    /// Policy, before, after, Δ, Δ% (before columns only with a base).
    fn summary(&self) -> Table {
        let mut table = match &self.base {
            Some(_) => Table::new(&["policy", "before", "after", "Δ", "Δ%"]),
            None => Table::new(&["policy", "monthly cost"]),
        };
        for policy in &self.evaluation.policies {
            if !self.policies.contains(&policy.policy) {
                continue;
            }
            match &self.base {
                None => table.push(vec![Cell::text(&policy.policy), Cell::Money(policy.total)]),
                Some(base) => {
                    let before = base.policy(&policy.policy).map(|p| p.total);
                    table.push(vec![
                        Cell::text(&policy.policy),
                        before.map_or(Cell::text("—"), Cell::Money),
                        Cell::Money(policy.total),
                        before.map_or(Cell::Empty, |b| Cell::MoneyDelta(policy.total - b)),
                        match before.and_then(|b| exact::percent(policy.total - b, b)) {
                            Some(pct) => Cell::PercentDelta(pct),
                            None => Cell::Empty,
                        },
                    ]);
                }
            }
        }
        table
    }

    fn checks(&self, verdicts: &[Verdict]) -> Table {
        let mut table = Table::new(&["verdict", "check", "policy", "workload", "value", "limit"]);
        let mut sorted: Vec<&CheckResult> = self
            .results
            .iter()
            .filter(|r| verdicts.contains(&r.verdict))
            .collect();
        sorted.sort_by_key(|r| r.verdict);
        for result in sorted {
            table.push(vec![
                Cell::text(result.verdict.label()),
                Cell::text(kind_label(result.kind)),
                Cell::text(&result.policy),
                Cell::text(result.workload.clone().unwrap_or_default()),
                Cell::text(value_text(result)),
                Cell::text(limit_label(result)),
            ]);
        }
        if self.results.iter().all(|r| r.workload.is_none()) {
            table.columns.remove(3);
            for row in &mut table.rows {
                row.remove(3);
            }
        }
        table
    }

    /// The checks as numbers, for CSV: the cost checked, the base and the change, the limit in
    /// money or percent, and the compliance violations counted.
    fn checks_csv(&self) -> Table {
        let mut table = Table::new(&[
            "verdict",
            "check",
            "policy",
            "workload",
            "per request",
            "exempt",
            "cost",
            "before",
            "change",
            "change %",
            "limit",
            "limit %",
            "violations count",
        ])
        .with_prototype(vec![
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Money(Decimal::ZERO),
            Cell::Money(Decimal::ZERO),
            Cell::MoneyDelta(Decimal::ZERO),
            Cell::PercentDelta(Decimal::ZERO),
            Cell::Money(Decimal::ZERO),
            Cell::Percent(Decimal::ZERO),
            Cell::Count(0),
        ]);
        let mut sorted: Vec<&CheckResult> = self.results.iter().collect();
        sorted.sort_by_key(|r| r.verdict);
        let money = |value: Option<Decimal>| value.map_or(Cell::Empty, Cell::Money);
        for result in sorted {
            let (limit, limit_pct) = match result.limit {
                None => (Cell::Empty, Cell::Empty),
                Some(Threshold::Money(amount)) => (Cell::Money(amount), Cell::Empty),
                Some(Threshold::Percent(percent)) => (Cell::Empty, Cell::Percent(percent)),
            };
            let compliance = result.kind == CheckKind::Compliance;
            table.push(vec![
                Cell::text(result.verdict.label()),
                Cell::text(kind_label(result.kind)),
                Cell::text(&result.policy),
                Cell::text(result.workload.clone().unwrap_or_default()),
                Cell::text(result.per_request.to_string()),
                Cell::text(result.exempt.to_string()),
                money(result.cost),
                money(result.before),
                result.delta().map_or(Cell::Empty, Cell::MoneyDelta),
                result.percent().map_or(Cell::Empty, Cell::PercentDelta),
                limit,
                limit_pct,
                if compliance {
                    Cell::Count(result.notes.len() as u64)
                } else {
                    Cell::Empty
                },
            ]);
        }
        table.with_keys(&[
            "verdict",
            "check",
            "policy",
            "workload",
            "per_request",
            "exempt",
            "cost",
            "before",
            "change",
            "change",
            "limit",
            "limit",
            "violations",
        ])
    }

    fn notes(&self) -> Vec<String> {
        let mut notes: Vec<&CheckResult> = self
            .results
            .iter()
            .filter(|r| !r.notes.is_empty())
            .collect();
        notes.sort_by_key(|r| r.verdict);
        notes
            .iter()
            .flat_map(|r| {
                r.notes
                    .iter()
                    .map(move |n| format!("{} {}: {n}", r.verdict.label(), kind_label(r.kind)))
            })
            .fold(Vec::new(), |mut unique, note| {
                // A new scenario says so once, not once per policy.
                if !unique.contains(&note) {
                    unique.push(note);
                }
                unique
            })
    }

    /// The summary and the checks of this scenario alone; CSV writes the checks, as numbers.
    fn document(&self, format: Format) -> Document {
        let all = [Verdict::Fail, Verdict::Warn, Verdict::Pass];
        let checks = if format == Format::Csv {
            self.checks_csv()
        } else {
            self.checks(&all)
        };
        Document {
            title: format!("mixcost check: {}", self.headline()),
            subtitle: vec![self.evaluation.scenario.clone(), self.subtitle()]
                .into_iter()
                .chain(crate::report::labels::list_prices_line(&self.evaluation))
                .collect(),
            tables: vec![(None, self.summary()), (Some("checks".to_string()), checks)],
            notes: std::iter::once(Notes {
                heading: "notes".to_string(),
                items: self.notes(),
                when_empty: None,
            })
            .chain(crate::report::labels::promotion_notes(
                &self.evaluation.promotions,
            ))
            .collect(),
            csv_table: 1,
        }
    }

    /// The Markdown of this scenario under its heading: subtitle, summary, failed checks and
    /// warnings under headings of `level`, every check folded.
    fn section(&self, level: usize) -> String {
        let hashes = "#".repeat(level);
        let mut out = format!(
            "**{}** · {}\n\n",
            comment::escape(&self.evaluation.scenario),
            comment::escape(&self.subtitle())
        );
        out.push_str(&comment::table(&self.summary()));
        for (verdict, heading) in [
            (Verdict::Fail, "Failed checks"),
            (Verdict::Warn, "Warnings"),
        ] {
            if self.count(verdict) > 0 {
                out.push_str(&format!("\n{hashes} {heading}\n\n"));
                out.push_str(&comment::table(&self.checks(&[verdict])));
            }
        }
        let mut body = comment::table(&self.checks(&[Verdict::Fail, Verdict::Warn, Verdict::Pass]));
        let notes = self.notes();
        if !notes.is_empty() {
            body.push('\n');
            for note in notes {
                body.push_str(&format!("- {}\n", comment::escape(&note)));
            }
        }
        out.push('\n');
        out.push_str(&comment::details(
            &format!("All {} checks", self.results.len()),
            &body,
        ));
        out
    }
}

impl Run {
    fn count(&self, verdict: Verdict) -> usize {
        self.reports.iter().map(|r| r.count(verdict)).sum()
    }

    /// `FAILED (1 failed, 0 warnings, 5 passed) over 2 scenarios`
    fn headline(&self) -> String {
        format!(
            "{} over {} scenarios",
            verdict_line(|verdict| self.count(verdict)),
            self.reports.len()
        )
    }

    fn render(&self, format: Format) -> String {
        if let ([report], false) = (self.reports.as_slice(), format == Format::Json) {
            return match format {
                Format::Markdown => crate::report::ascii::fold_if(
                    comment::fit(
                        &format!(
                            "{}\n### mixcost check: {}\n\n{}",
                            comment::MARKER,
                            report.headline(),
                            report.section(4)
                        ),
                        comment::LIMIT,
                    ),
                    crate::report::layout().ascii,
                ),
                _ => report.document(format).render(format),
            };
        }
        match format {
            Format::Json => json::to_string(&CheckJson::new(self)),
            Format::Markdown => crate::report::ascii::fold_if(
                comment::fit(&self.markdown(), comment::LIMIT),
                crate::report::layout().ascii,
            ),
            Format::Table => {
                let mut out = String::new();
                for report in &self.reports {
                    out.push_str(&report.document(format).render(format));
                    out.push('\n');
                }
                out.push_str(&format!("mixcost check: {}\n", self.headline()));
                out
            }
            Format::Csv => {
                // One table: each scenario's checks under a `scenario` column.
                let mut tables = self.reports.iter().map(|report| {
                    let mut table = report.checks_csv();
                    table.insert_column(0, "scenario", Cell::text(&report.evaluation.scenario));
                    table
                });
                let mut table = tables.next().unwrap_or_else(Table::default);
                for more in tables {
                    table.rows.extend(more.rows);
                }
                Document {
                    title: format!("mixcost check: {}", self.headline()),
                    subtitle: Vec::new(),
                    tables: vec![(Some("checks".to_string()), table)],
                    notes: Vec::new(),
                    csv_table: 0,
                }
                .render(format)
            }
        }
    }

    /// One comment for every scenario: the overall verdict, a line per scenario, then each
    /// scenario's section.
    fn markdown(&self) -> String {
        let mut out = format!(
            "{}\n### mixcost check: {}\n\n",
            comment::MARKER,
            self.headline()
        );
        let mut overview = Table::new(&["scenario", "verdict", "file"]);
        for report in &self.reports {
            overview.push(vec![
                Cell::text(&report.evaluation.scenario),
                Cell::text(report.headline()),
                Cell::text(&report.evaluation.file),
            ]);
        }
        out.push_str(&comment::table(&overview));
        for report in &self.reports {
            out.push_str(&format!(
                "\n#### {}: {}\n\n",
                comment::escape(&report.evaluation.scenario),
                report.headline()
            ));
            out.push_str(&report.section(5));
        }
        out
    }
}

/// The JSON shape of `check`: the verdict over every scenario, then each scenario's.
#[derive(Serialize, schemars::JsonSchema)]
pub struct CheckJson {
    #[schemars(extend("const" = "1"))]
    schema_version: &'static str,
    currency: &'static str,
    /// `fail` when any check of any scenario failed, else `warn` when any warned, else `pass`.
    verdict: Verdict,
    failed: usize,
    warnings: usize,
    passed: usize,
    /// The base given with --against, if any.
    against: Option<String>,
    scenarios: Vec<CheckScenarioJson>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct CheckScenarioJson {
    name: String,
    file: String,
    as_of: String,
    /// `true` when a base was given but does not hold this scenario (its increases are
    /// warnings, not checked).
    new: bool,
    /// Requests per month, when every workload gives `requests`.
    requests: Option<String>,
    /// `fail`, `warn` or `pass`, as the top-level verdict but for this scenario.
    verdict: Verdict,
    failed: usize,
    warnings: usize,
    passed: usize,
    policies: Vec<CheckPolicyJson>,
    checks: Vec<CheckRowJson>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct CheckPolicyJson {
    name: String,
    /// The base's monthly cost, when there is a base holding the policy.
    before: Option<String>,
    monthly_cost: String,
    delta: Option<String>,
    /// The change in percent of the base (`-69.7` is −69.7 %), at most 12 significant digits;
    /// `null` when the base is zero or absent.
    delta_pct: Option<String>,
    /// Month divided by requests, to eight decimal places, when the scenario has requests.
    cost_per_request: Option<String>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct CheckRowJson {
    verdict: Verdict,
    kind: CheckKind,
    policy: String,
    workload: Option<String>,
    /// `true`: `cost`, `before`, `delta` and an amount `limit` are per request (to eight
    /// decimal places); otherwise per month, rounded to cents.
    per_request: bool,
    /// A compliance check waived by `compliance: exempt` on the policy.
    exempt: bool,
    /// The cost checked.
    cost: Option<String>,
    before: Option<String>,
    delta: Option<String>,
    /// The change in percent of the base (`-69.7` is −69.7 %), at most 12 significant digits;
    /// `null` when the base is zero or absent.
    delta_pct: Option<String>,
    /// `"500.00"` for an amount, `"10%"` for a share of the base.
    limit: Option<String>,
    notes: Vec<String>,
}

fn overall(verdicts: impl Iterator<Item = Verdict>) -> Verdict {
    verdicts.min().unwrap_or(Verdict::Pass)
}

impl CheckJson {
    fn new(run: &Run) -> Self {
        CheckJson {
            schema_version: json::SCHEMA_VERSION,
            currency: "USD",
            verdict: overall(
                run.reports
                    .iter()
                    .flat_map(|r| r.results.iter().map(|c| c.verdict)),
            ),
            failed: run.count(Verdict::Fail),
            warnings: run.count(Verdict::Warn),
            passed: run.count(Verdict::Pass),
            against: run.reports.first().and_then(|r| r.against.clone()),
            scenarios: run.reports.iter().map(CheckScenarioJson::new).collect(),
        }
    }
}

impl CheckScenarioJson {
    fn new(report: &Report) -> Self {
        let money = |d: Decimal| format::fixed(d, 2);
        let unit = |d: Decimal| format::plain(d.round_dp(8));
        let requests = report.evaluation.requests;
        CheckScenarioJson {
            name: report.evaluation.scenario.clone(),
            file: report.evaluation.file.clone(),
            as_of: show_instant(report.evaluation.as_of),
            new: report.new,
            requests: requests.map(|n| n.to_string()),
            verdict: overall(report.results.iter().map(|r| r.verdict)),
            failed: report.count(Verdict::Fail),
            warnings: report.count(Verdict::Warn),
            passed: report.count(Verdict::Pass),
            policies: report
                .evaluation
                .policies
                .iter()
                .filter(|p| report.policies.contains(&p.policy))
                .map(|p| {
                    let before = report
                        .base
                        .as_ref()
                        .and_then(|b| b.policy(&p.policy))
                        .map(|b| b.total);
                    CheckPolicyJson {
                        name: p.policy.clone(),
                        before: before.map(money),
                        monthly_cost: money(p.total),
                        delta: before.map(|b| money(p.total - b)),
                        delta_pct: before
                            .and_then(|b| exact::percent(p.total - b, b))
                            .map(json::rate),
                        cost_per_request: requests
                            .and_then(|n| check::per_request(p.total, n))
                            .map(unit),
                    }
                })
                .collect(),
            checks: report
                .results
                .iter()
                .map(|r| {
                    let amount = |d: Decimal| if r.per_request { unit(d) } else { money(d) };
                    CheckRowJson {
                        verdict: r.verdict,
                        kind: r.kind,
                        policy: r.policy.clone(),
                        workload: r.workload.clone(),
                        per_request: r.per_request,
                        exempt: r.exempt,
                        cost: r.cost.map(amount),
                        before: r.before.map(amount),
                        delta: r.delta().map(amount),
                        delta_pct: r.percent().map(json::rate),
                        limit: r.limit.map(|l| match l {
                            Threshold::Money(value) => amount(value),
                            Threshold::Percent(percent) => {
                                format!("{}%", format::plain(percent))
                            }
                        }),
                        notes: r.notes.clone(),
                    }
                })
                .collect(),
        }
    }
}

/// The JSON Schema of `check --format json`.
pub fn json_schema() -> schemars::Schema {
    schemars::schema_for!(CheckJson)
}
