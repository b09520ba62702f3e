//! `mixcost compare`: every policy's monthly cost next to the baseline, with the assumptions.

use crate::engine::exact;
use std::process::ExitCode;

use rust_decimal::Decimal;
use serde::Serialize;

use super::args::{BreakdownBy, Cli, CompareArgs};
use crate::engine::breakdown::Evaluation;
use crate::engine::evaluate::evaluate;
use crate::engine::quality::WorkflowEvaluation;
use crate::load::values::show_instant;
pub use crate::report::labels::assumption_notes;
use crate::report::labels::billing_label;
use crate::report::{format, json, Cell, Document, Format, Table};

pub fn run(cli: &Cli, args: &CompareArgs) -> anyhow::Result<ExitCode> {
    let catalogue = super::load_catalogue(cli)?;
    let paths: Vec<Option<&std::path::Path>> = if args.scenarios.is_empty() {
        vec![None]
    } else {
        args.scenarios.iter().map(|p| Some(p.as_path())).collect()
    };
    let mut evaluations = Vec::new();
    let mut workflows = Vec::new();
    for path in paths {
        let scenario = super::load_priced_scenario(path, &catalogue, &args.prices)?;
        evaluations.push(evaluate(&scenario, &catalogue).map_err(super::engine_error)?);
        workflows.push(match scenario.quality {
            Some(_) => Some(crate::engine::quality::evaluate_workflow(
                &scenario, &catalogue,
            )?),
            None => None,
        });
    }
    let text = render_with_workflows(&evaluations, &workflows, args.by, args.output.format);
    super::output::emit(&text, args.output.output.as_deref())?;
    for evaluation in &evaluations {
        super::output::warn_outside_csv(cli, args.output.format, &evaluation.warnings);
    }
    let format = match args.output.format {
        Format::Json => Format::Csv,
        other => other,
    };
    super::output::emit_assumptions(cli, args.output.output.as_deref(), || {
        documents(&evaluations, &workflows, args.by, format)
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Renders one or more evaluations in `format`.
pub fn render(evaluations: &[Evaluation], by: Option<BreakdownBy>, format: Format) -> String {
    render_with_workflows(evaluations, &[], by, format)
}

/// Renders evaluations with the workflow metrics of those whose scenario has a `quality:`
/// section (`workflows[i]` belongs to `evaluations[i]`; missing entries mean none).
pub fn render_with_workflows(
    evaluations: &[Evaluation],
    workflows: &[Option<WorkflowEvaluation>],
    by: Option<BreakdownBy>,
    format: Format,
) -> String {
    let workflow_of = |index: usize| workflows.get(index).and_then(Option::as_ref);
    if format == Format::Json {
        let mut json = CompareJson::new(evaluations);
        for (index, scenario) in json.scenarios.iter_mut().enumerate() {
            scenario.workflow = workflow_of(index).map(super::workflow::WorkflowJson::new);
        }
        return json::to_string(&json);
    }
    let documents = documents(evaluations, workflows, by, format);
    if format == Format::Csv {
        return crate::report::csv::render_all(&documents);
    }
    documents
        .iter()
        .map(|document| document.render(format))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One document per evaluation. For CSV the warnings join the notes (a CSV is one table) and,
/// with several scenarios, every table starts with a `scenario` column.
fn documents(
    evaluations: &[Evaluation],
    workflows: &[Option<WorkflowEvaluation>],
    by: Option<BreakdownBy>,
    format: Format,
) -> Vec<Document> {
    let with_scenario_column = format == Format::Csv && evaluations.len() > 1;
    evaluations
        .iter()
        .enumerate()
        .map(|(index, evaluation)| {
            let mut document = document(evaluation, by, false);
            if let Some(workflow) = workflows.get(index).and_then(Option::as_ref) {
                crate::report::workflow::extend_document(&mut document, workflow);
            }
            if with_scenario_column {
                add_scenario_column(&mut document, &evaluation.scenario);
            }
            if format == Format::Csv {
                warnings_to_notes(&mut document);
            }
            document
        })
        .collect()
}

/// Moves the warnings table (see [`warning_table`]) into the notes, where `--assumptions`
/// finds it and the CSV's one table stays the figures.
pub fn warnings_to_notes(document: &mut Document) {
    let Some(index) = document
        .tables
        .iter()
        .position(|(heading, _)| heading.as_deref() == Some("warnings"))
    else {
        return;
    };
    let (_, table) = document.tables.remove(index);
    if document.csv_table > index {
        document.csv_table -= 1;
    }
    document.notes.push(crate::report::Notes {
        heading: "warnings".to_string(),
        items: table
            .rows
            .iter()
            .map(|row| match (&row[0], &row[1]) {
                (Cell::Text(text), Cell::Text(model)) => format!("{model}: {text}"),
                (text, _) => text.human(),
            })
            .collect(),
        when_empty: None,
    });
}

/// The comparison as a document: totals, then the breakdown asked for, then assumptions.
pub fn document(
    evaluation: &Evaluation,
    by: Option<BreakdownBy>,
    scenario_column: bool,
) -> Document {
    let mut totals = Table::new(&["policy", "monthly cost", "vs baseline", "change"]);
    for policy in &evaluation.policies {
        let versus = evaluation.versus_baseline(policy);
        let (delta, percent) = if policy.policy == evaluation.baseline {
            (Cell::Marker("baseline"), Cell::Empty)
        } else {
            match versus {
                Some(versus) => (
                    Cell::MoneyDelta(versus.delta),
                    versus
                        .percent
                        .map(Cell::PercentDelta)
                        .unwrap_or(Cell::Empty),
                ),
                None => (Cell::Empty, Cell::Empty),
            }
        };
        totals.push(vec![
            Cell::text(&policy.policy),
            Cell::Money(policy.total),
            delta,
            percent,
        ]);
    }
    let mut tables = vec![(None, totals)];
    // The CSV is the breakdown asked for, else the totals (`compare` without `--by`).
    let csv_table = usize::from(by.is_some());
    if let Some(by) = by {
        tables.push((
            Some(format!("by {}", by_label(by))),
            breakdown(evaluation, by),
        ));
    }
    tables.extend(warning_table(&evaluation.warnings));
    // Descriptions are free text, often folded over several YAML lines: shown as one line.
    let one_line = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut subtitle = Vec::new();
    if let Some(description) = &evaluation.description {
        subtitle.push(one_line(description));
    }
    subtitle.push(format!(
        "{} · prices as of {} · baseline {}",
        evaluation.file,
        show_instant(evaluation.as_of),
        evaluation.baseline
    ));
    let mut notes = Vec::new();
    if !evaluation.policy_descriptions.is_empty() {
        notes.push(crate::report::Notes {
            heading: "policies".to_string(),
            items: evaluation
                .policy_descriptions
                .iter()
                .map(|(policy, description)| format!("{policy}: {}", one_line(description)))
                .collect(),
            when_empty: None,
        });
    }
    notes.push(assumption_notes(evaluation));
    let mut document = Document {
        title: evaluation.scenario.clone(),
        subtitle: subtitle
            .into_iter()
            .chain(crate::report::labels::list_prices_line(evaluation))
            .collect(),
        tables,
        notes: notes
            .into_iter()
            .chain(crate::report::labels::promotion_notes(
                &evaluation.promotions,
            ))
            .collect(),
        csv_table,
    };
    if scenario_column {
        add_scenario_column(&mut document, &evaluation.scenario);
    }
    document
}

/// Puts a first column naming the scenario in every table (CSV of several scenarios).
fn add_scenario_column(document: &mut Document, scenario: &str) {
    for (_, table) in &mut document.tables {
        table.insert_column(0, "scenario", Cell::text(scenario));
    }
}

/// Deprecated models and a stale catalogue as a table, so that every format — CSV included —
/// carries them with the figures. `None` when there is nothing to warn about.
pub fn warning_table(
    warnings: &[crate::engine::breakdown::Warning],
) -> Option<(Option<String>, Table)> {
    if warnings.is_empty() {
        return None;
    }
    let mut table = Table::new(&["warning", "model"]);
    for warning in warnings {
        table.push(vec![
            Cell::text(&warning.text),
            Cell::text(warning.model.as_deref().unwrap_or("(catalogue)")),
        ]);
    }
    Some((Some("warnings".to_string()), table))
}

fn by_label(by: BreakdownBy) -> &'static str {
    match by {
        BreakdownBy::Workload => "workload",
        BreakdownBy::Model => "model",
        BreakdownBy::Component => "component",
        BreakdownBy::Line => "line",
    }
}

fn breakdown(evaluation: &Evaluation, by: BreakdownBy) -> Table {
    match by {
        BreakdownBy::Workload => {
            let mut table = Table::new(&["policy", "workload", "model", "tokens", "cost", "share"]);
            for policy in &evaluation.policies {
                let groups = policy.group_by(|line| (line.workload.clone(), line.model.clone()));
                for ((workload, model), group) in groups {
                    table.push(vec![
                        Cell::text(&policy.policy),
                        Cell::text(workload),
                        Cell::text(model),
                        Cell::Tokens(group.tokens),
                        Cell::Money(group.cost),
                        share(group.cost, policy.total),
                    ]);
                }
            }
            table
        }
        BreakdownBy::Model => {
            let mut table = Table::new(&["policy", "model", "tokens", "cost", "share"]);
            for policy in &evaluation.policies {
                for (model, group) in policy.group_by(|line| line.model.clone()) {
                    table.push(vec![
                        Cell::text(&policy.policy),
                        Cell::text(model),
                        Cell::Tokens(group.tokens),
                        Cell::Money(group.cost),
                        share(group.cost, policy.total),
                    ]);
                }
            }
            table
        }
        BreakdownBy::Component => {
            let mut table = Table::new(&["policy", "component", "tokens", "cost", "share"]);
            for policy in &evaluation.policies {
                for (component, group) in policy.group_by(|line| line.component) {
                    table.push(vec![
                        Cell::text(&policy.policy),
                        Cell::text(component.label()),
                        Cell::Tokens(group.tokens),
                        Cell::Money(group.cost),
                        share(group.cost, policy.total),
                    ]);
                }
            }
            table
        }
        BreakdownBy::Line => {
            let mut table = Table::new(&[
                "policy",
                "workload",
                "model",
                "billing",
                "component",
                "tokens",
                "unit price",
                "discount",
                "cost",
            ]);
            table = table.optional_columns(&["discount", "billing", "unit price", "tokens"]);
            for policy in &evaluation.policies {
                for line in &policy.lines {
                    table.push(vec![
                        Cell::text(&policy.policy),
                        Cell::text(&line.workload),
                        Cell::text(&line.model),
                        Cell::text(billing_label(line)),
                        Cell::text(line.component.label()),
                        Cell::Tokens(line.tokens),
                        Cell::Price(line.unit_price),
                        Cell::Percent(line.discount * Decimal::ONE_HUNDRED),
                        Cell::Money(line.cost),
                    ]);
                }
            }
            table
        }
    }
}

/// Share of the policy total, as a percentage cell without sign.
fn share(part: Decimal, total: Decimal) -> Cell {
    exact::percent(part, total).map_or(Cell::Empty, Cell::Share)
}

/// The JSON shape of `compare`: money as strings, exact and rounded.
#[derive(Serialize, schemars::JsonSchema)]
struct CompareJson<'a> {
    #[schemars(extend("const" = "1"))]
    schema_version: &'static str,
    currency: &'static str,
    scenarios: Vec<ScenarioJson<'a>>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct ScenarioJson<'a> {
    name: &'a str,
    file: &'a str,
    as_of: String,
    baseline: &'a str,
    /// Requests per month, the sum of the workloads' `requests`; null when a workload gives
    /// only token totals. `check --per-request` divides by it.
    requests: Option<String>,
    policies: Vec<PolicyJson<'a>>,
    assumptions: Vec<AssumptionJson<'a>>,
    /// Deprecated models the policies use, and a stale catalogue.
    warnings: &'a [crate::engine::breakdown::Warning],
    /// The promotions included in the prices, with their end; empty on list prices.
    promotions: &'a [crate::engine::breakdown::PromotionUse],
    /// Workflow metrics, for scenarios with a `quality:` section.
    #[serde(skip_serializing_if = "Option::is_none")]
    workflow: Option<super::workflow::WorkflowJson<'a>>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct PolicyJson<'a> {
    name: &'a str,
    monthly_cost: String,
    monthly_cost_exact: String,
    delta_vs_baseline: Option<String>,
    /// The change in percent of the base (`-69.7` is −69.7 %), at most 12 significant digits;
    /// `null` when the base is zero or absent.
    delta_pct: Option<String>,
    lines: Vec<LineJson<'a>>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct LineJson<'a> {
    workload: &'a str,
    model: &'a str,
    provider: &'a str,
    component: crate::engine::breakdown::Component,
    billing: crate::engine::breakdown::Billing,
    window: crate::engine::breakdown::Window,
    context: crate::engine::breakdown::Context,
    prices: crate::model::scenario::PriceMode,
    tokens: String,
    unit_price: String,
    /// The discount as a fraction (0.5 is 50 % off), at most 12 significant digits.
    discount: String,
    promotion: Option<&'a str>,
    price_from: String,
    source: &'a str,
    cost: String,
    cost_exact: String,
}

#[derive(Serialize, schemars::JsonSchema)]
struct AssumptionJson<'a> {
    model: &'a str,
    workload: &'a str,
    text: &'a str,
    policies: &'a [String],
}

impl<'a> CompareJson<'a> {
    fn new(evaluations: &'a [Evaluation]) -> Self {
        CompareJson {
            schema_version: json::SCHEMA_VERSION,
            currency: "USD",
            scenarios: evaluations.iter().map(ScenarioJson::new).collect(),
        }
    }
}

impl<'a> ScenarioJson<'a> {
    fn new(evaluation: &'a Evaluation) -> Self {
        ScenarioJson {
            name: &evaluation.scenario,
            file: &evaluation.file,
            as_of: show_instant(evaluation.as_of),
            baseline: &evaluation.baseline,
            requests: evaluation.requests.map(|n| n.to_string()),
            policies: evaluation
                .policies
                .iter()
                .map(|policy| {
                    let versus = evaluation.versus_baseline(policy);
                    PolicyJson {
                        name: &policy.policy,
                        monthly_cost: format::fixed(policy.total, 2),
                        monthly_cost_exact: format::plain(policy.total),
                        delta_vs_baseline: versus.map(|v| format::fixed(v.delta, 2)),
                        delta_pct: versus.and_then(|v| v.percent).map(json::rate),
                        lines: policy
                            .lines
                            .iter()
                            .map(|line| LineJson {
                                workload: &line.workload,
                                model: &line.model,
                                provider: &line.provider,
                                component: line.component,
                                billing: line.billing,
                                window: line.window,
                                context: line.context,
                                prices: line.prices,
                                tokens: format::plain(line.tokens),
                                unit_price: format::plain(line.unit_price),
                                discount: json::rate(line.discount),
                                promotion: line.promotion.as_deref(),
                                price_from: show_instant(line.price_from),
                                source: &line.source,
                                cost: format::fixed(line.cost, 2),
                                cost_exact: format::plain(line.cost),
                            })
                            .collect(),
                    }
                })
                .collect(),
            assumptions: evaluation
                .assumptions
                .iter()
                .map(|assumption| AssumptionJson {
                    model: &assumption.model,
                    workload: &assumption.workload,
                    text: &assumption.text,
                    policies: &assumption.policies,
                })
                .collect(),
            warnings: &evaluation.warnings,
            promotions: &evaluation.promotions,
            workflow: None,
        }
    }
}

/// The JSON Schema of `compare --format json`.
pub fn json_schema() -> schemars::Schema {
    schemars::schema_for!(CompareJson<'static>)
}
