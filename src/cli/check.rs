//! `mixcost check`: the CI gate. Budgets, increases against a base run, and compliance, each
//! with a verdict and its numbers; exit 1 when any check fails.
//!
//! The base (`--against`) is a `compare --format json` result or another scenario file, e.g.
//! the same scenario on the base branch. Bad amounts, thresholds without a unit, an unreadable
//! or incompatible base, or a base with nothing in common exit 2 before anything is judged.

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
    /// The scenario to check.
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,

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
    let catalogue = super::load_catalogue(cli)?;
    let scenario = super::load_scenario(Some(&args.scenario), &catalogue)?;
    let policies = if args.policy.is_empty() {
        scenario.policies.iter().map(|p| p.name.clone()).collect()
    } else {
        for name in &args.policy {
            if scenario.policy(name).is_none() {
                let names = scenario.policies.iter().map(|p| p.name.as_str());
                let hint = match nearest(name, names.clone()) {
                    Some(close) => format!("did you mean '{close}'?"),
                    None => format!("name one of: {}", names.collect::<Vec<_>>().join(", ")),
                };
                anyhow::bail!(
                    "--policy '{name}' is not a policy of '{}'; {hint}",
                    args.scenario.display()
                );
            }
        }
        args.policy.clone()
    };
    let month = month(&scenario, &catalogue).map_err(super::whatif_error)?;
    let evaluation = &month.evaluation;
    let base = match &args.against {
        Some(path) => Some(read_base(path, evaluation, &catalogue)?),
        None => None,
    };
    let violations = compliance::violations(&scenario, &catalogue);
    let gate = Gate {
        policies,
        budget,
        base: base.as_ref(),
        max_increase,
        warn_increase,
    };
    let results = check::run(&scenario, &month.costs, &violations, &gate)?;
    let report = Report {
        evaluation,
        base: base.as_ref(),
        against: args.against.as_ref().map(|p| p.display().to_string()),
        policies: &gate.policies,
        results,
    };
    let text = report.render(args.output.format);
    super::output::emit(&text, args.output.output.as_deref())?;
    super::output::emit_assumptions(
        cli,
        args.output.output.as_deref(),
        &[report.document(Format::Csv)],
    )?;
    Ok(if report.failed() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
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
    evaluation: &Evaluation,
    catalogue: &crate::model::catalogue::Catalogue,
) -> anyhow::Result<Costs> {
    let source = SourceFile::read(path)
        .map_err(crate::load::diagnostic::LoadError::from)
        .context("cannot read the base given with --against")?;
    if result::is_json(&source) {
        let scenarios = result::read(&source).map_err(crate::load::diagnostic::LoadError::from)?;
        return pick(scenarios, &evaluation.scenario, &source.name);
    }
    let (scenario, warnings) = crate::load::scenario::load_scenario(&source, catalogue)?;
    super::report_warnings(&warnings);
    Ok(month(&scenario, catalogue)
        .map_err(super::whatif_error)?
        .costs)
}

/// The scenario of a compare result with the checked scenario's name, or its only scenario.
pub fn pick(scenarios: Vec<Costs>, name: &str, file: &str) -> anyhow::Result<Costs> {
    let count = scenarios.len();
    let names: Vec<String> = scenarios.iter().map(|s| s.scenario.clone()).collect();
    let mut scenarios = scenarios;
    if let Some(index) = scenarios.iter().position(|s| s.scenario == name) {
        return Ok(scenarios.swap_remove(index));
    }
    if count == 1 {
        return Ok(scenarios.remove(0));
    }
    anyhow::bail!(
        "'{file}' holds no scenario named '{name}' (it holds: {}); compare the same scenario on both sides",
        names.join(", ")
    )
}

struct Report<'a> {
    evaluation: &'a Evaluation,
    base: Option<&'a Costs>,
    against: Option<String>,
    policies: &'a [String],
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
    }
}

fn limit_label(limit: Option<Threshold>) -> String {
    match limit {
        None => String::new(),
        Some(Threshold::Money(amount)) => format::money(amount),
        Some(Threshold::Percent(percent)) => format!("{}%", format::plain(percent)),
    }
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
        CheckKind::Compliance => match result.notes.len() {
            0 => "no violations".to_string(),
            1 => "1 violation".to_string(),
            n => format!("{n} violations"),
        },
        CheckKind::MaxIncrease | CheckKind::WarnIncrease => match (result.before, result.cost) {
            (Some(before), Some(after)) => change_text(before, after),
            _ => "not evaluated".to_string(),
        },
        _ => result.cost.map(format::money).unwrap_or_default(),
    }
}

impl Report<'_> {
    fn count(&self, verdict: Verdict) -> usize {
        self.results.iter().filter(|r| r.verdict == verdict).count()
    }

    fn failed(&self) -> usize {
        self.count(Verdict::Fail)
    }

    fn headline(&self) -> String {
        let (fail, warn, pass) = (
            self.count(Verdict::Fail),
            self.count(Verdict::Warn),
            self.count(Verdict::Pass),
        );
        let verdict = if fail > 0 { "FAILED" } else { "passed" };
        format!(
            "{verdict} ({fail} failed, {warn} {}, {pass} passed)",
            if warn == 1 { "warning" } else { "warnings" }
        )
    }

    fn subtitle(&self) -> String {
        let mut line = format!(
            "{} · prices as of {}",
            self.evaluation.file,
            show_instant(self.evaluation.as_of)
        );
        if let Some(against) = &self.against {
            line.push_str(&format!(" · against {against}"));
        }
        line
    }

    /// Policy, before, after, Δ, Δ% (before columns only with a base).
    fn summary(&self) -> Table {
        let mut table = match self.base {
            Some(_) => Table::new(&["policy", "before", "after", "Δ", "Δ%"]),
            None => Table::new(&["policy", "monthly cost"]),
        };
        for policy in &self.evaluation.policies {
            if !self.policies.contains(&policy.policy) {
                continue;
            }
            match self.base {
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
                Cell::text(limit_label(result.limit)),
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
            .collect()
    }

    fn render(&self, format: Format) -> String {
        match format {
            Format::Json => json::to_string(&CheckJson::new(self)),
            Format::Markdown => comment::fit(&self.markdown(), comment::LIMIT),
            Format::Table | Format::Csv => self.document(format).render(format),
        }
    }

    /// The summary and the checks; CSV writes the checks, as numbers.
    fn document(&self, format: Format) -> Document {
        let all = [Verdict::Fail, Verdict::Warn, Verdict::Pass];
        let checks = if format == Format::Csv {
            self.checks_csv()
        } else {
            self.checks(&all)
        };
        Document {
            title: format!("mixcost check: {}", self.headline()),
            subtitle: vec![self.evaluation.scenario.clone(), self.subtitle()],
            tables: vec![(None, self.summary()), (Some("checks".to_string()), checks)],
            notes: vec![Notes {
                heading: "notes".to_string(),
                items: self.notes(),
                when_empty: None,
            }],
            csv_table: 1,
        }
    }

    fn markdown(&self) -> String {
        let mut out = format!(
            "{}\n### mixcost check: {}\n\n",
            comment::MARKER,
            self.headline()
        );
        out.push_str(&format!(
            "**{}** · {}\n\n",
            comment::escape(&self.evaluation.scenario),
            comment::escape(&self.subtitle())
        ));
        out.push_str(&comment::table(&self.summary()));
        for (verdict, heading) in [
            (Verdict::Fail, "Failed checks"),
            (Verdict::Warn, "Warnings"),
        ] {
            if self.count(verdict) > 0 {
                out.push_str(&format!("\n#### {heading}\n\n"));
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

/// The JSON shape of `check`.
#[derive(Serialize, schemars::JsonSchema)]
pub struct CheckJson {
    #[schemars(extend("const" = "1"))]
    schema_version: &'static str,
    currency: &'static str,
    scenario: String,
    file: String,
    as_of: String,
    /// The base given with --against, if any.
    against: Option<String>,
    /// `fail` when any check failed, else `warn` when any warned, else `pass`.
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
}

#[derive(Serialize, schemars::JsonSchema)]
struct CheckRowJson {
    verdict: Verdict,
    kind: CheckKind,
    policy: String,
    workload: Option<String>,
    /// The cost checked, rounded to cents.
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

impl CheckJson {
    fn new(report: &Report) -> Self {
        let money = |d: Decimal| format::fixed(d, 2);
        let verdict = report
            .results
            .iter()
            .map(|r| r.verdict)
            .min()
            .unwrap_or(Verdict::Pass);
        CheckJson {
            schema_version: json::SCHEMA_VERSION,
            currency: "USD",
            scenario: report.evaluation.scenario.clone(),
            file: report.evaluation.file.clone(),
            as_of: show_instant(report.evaluation.as_of),
            against: report.against.clone(),
            verdict,
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
                    }
                })
                .collect(),
            checks: report
                .results
                .iter()
                .map(|r| CheckRowJson {
                    verdict: r.verdict,
                    kind: r.kind,
                    policy: r.policy.clone(),
                    workload: r.workload.clone(),
                    cost: r.cost.map(money),
                    before: r.before.map(money),
                    delta: r.delta().map(money),
                    delta_pct: r.percent().map(json::rate),
                    limit: r.limit.map(|l| match l {
                        Threshold::Money(amount) => money(amount),
                        Threshold::Percent(percent) => format!("{}%", format::plain(percent)),
                    }),
                    notes: r.notes.clone(),
                })
                .collect(),
        }
    }
}

/// The JSON Schema of `check --format json`.
pub fn json_schema() -> schemars::Schema {
    schemars::schema_for!(CheckJson)
}
