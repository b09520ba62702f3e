//! A client budget report as data: every engine result a consultant hands over, composed once.
//!
//! [`BudgetReport::build`] runs the engine — the comparison and its cost breakdown, the
//! workflow metrics of scenarios with a `quality:` section, the sensitivity tornado, sweeps of
//! one input each, an optional Monte Carlo run — and gathers what the renderers show beside the
//! numbers: the prices used with their source and date, the assumptions, the catalogue's
//! notices about the models (deprecations, old price sets), and the scenario's own
//! descriptions. It also lays out the live workbook's formula model ([`WorkbookModel`]): every
//! cost line as tokens × a unit price derived from named input cells, each derivation checked
//! against the engine's exact price. The HTML and XLSX renderers only lay this out; neither
//! prices anything, so both show the very figures `compare --format json` prints.

use std::collections::BTreeMap;

use jiff::Timestamp;
use rust_decimal::Decimal;

use crate::engine::breakdown::{Billing, Component, Context, Evaluation, Window};
use crate::engine::evaluate::{route, EngineError, Market, Volume, WorkloadPlan};
use crate::engine::overrides::Override;
use crate::engine::prices::{price_set, Slice};
use crate::engine::quality::{QualityError, WorkflowEvaluation};
use crate::engine::sensitivity::{tornado, Tornado};
use crate::engine::simulate::{simulate, Plan, Settings, SimulateError, Simulation};
use crate::engine::whatif::{month, month_with, Figure, WhatifError};
use crate::load::overrides::Dimension;
use crate::model::catalogue::{Adjustment, Catalogue, Model, PriceSet, Rates, Tiers};
use crate::model::quality::Human;
use crate::model::scenario::{PriceMode, Scenario};

/// The parts of a report, in the order they are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Section {
    /// Monthly and annual cost per policy, savings, what drives them.
    Summary,
    /// The scenario's and the policies' own descriptions.
    Descriptions,
    /// The policy table.
    Policies,
    /// Spend by workload and by model, as stacked bars.
    Spend,
    /// Workflow metrics (scenarios with `quality:`).
    Workflow,
    /// The sensitivity tornado.
    Tornado,
    /// Cost against each swept input (`--sweep`).
    Sweep,
    /// The Monte Carlo spread (`--simulate`).
    Simulation,
    /// Every assumption.
    Assumptions,
    /// Every price used, with its source and date.
    Prices,
    /// Deprecations and old price sets.
    Deprecations,
}

impl Section {
    pub const ALL: [Section; 11] = [
        Section::Summary,
        Section::Descriptions,
        Section::Policies,
        Section::Spend,
        Section::Workflow,
        Section::Tornado,
        Section::Sweep,
        Section::Simulation,
        Section::Assumptions,
        Section::Prices,
        Section::Deprecations,
    ];
}

/// Who the report is for and by whom; printed on its cover.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Meta {
    pub title: Option<String>,
    pub client: Option<String>,
    pub author: Option<String>,
}

/// What to compute beyond the comparison.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Each dimension is one chart: cost against its values, one line per policy.
    pub sweeps: Vec<Dimension>,
    /// The policy of the tornado; the first policy that is not the baseline when `None`.
    pub sensitivity: Option<String>,
    /// Monte Carlo trials and seed.
    pub simulate: Option<(u64, u64)>,
    pub sections: Vec<Section>,
}

/// The most values one `--sweep` may take in a report (each is a full pricing of the month).
pub const MAX_SWEEP_VALUES: usize = 1_000;
/// The most Monte Carlo trials a report runs.
pub const MAX_TRIALS: u64 = 1_000_000;
/// The tornado's step: ±10%, as `mixcost sensitivity` by default.
const TORNADO_STEP: Decimal = Decimal::from_parts(1, 0, 0, false, 1);
/// A price set in force longer than this before the pricing date is flagged for checking.
const OLD_PRICE_DAYS: i64 = 365;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Quality(#[from] QualityError),
    #[error(transparent)]
    Whatif(#[from] WhatifError),
    #[error(transparent)]
    Simulate(#[from] SimulateError),
    #[error("no policy '{policy}' in '{file}'; its policies are: {known}")]
    UnknownPolicy {
        policy: String,
        file: String,
        known: String,
    },
    #[error("--sweep '{path}' has {count} values; a report shows at most {MAX_SWEEP_VALUES}")]
    SweepTooLong { path: String, count: usize },
    #[error("--simulate {0} asks for more than {MAX_TRIALS} trials, or none")]
    Trials(u64),
}

/// One policy's headline figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicySummary {
    pub name: String,
    pub description: Option<String>,
    /// The month: the expected cost with retries and review for scenarios with `quality:`,
    /// else the sum of the priced lines — the figure every analysis command uses.
    pub monthly: Decimal,
    /// The priced lines' total (first attempts only, for scenarios with `quality:`): what
    /// `compare --format json` prints as `monthly_cost_exact`.
    pub lines_total: Decimal,
    pub annual: Decimal,
    /// Policy minus baseline, per month; `None` when there is no baseline cost.
    pub delta: Option<Decimal>,
    pub delta_pct: Option<Decimal>,
    pub is_baseline: bool,
}

/// Cost against one swept input, one series per policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SweepSeries {
    pub path: String,
    pub labels: Vec<String>,
    /// `(policy, cost at each value)`, in scenario order.
    pub series: Vec<(String, Vec<Decimal>)>,
}

/// The unit prices of one billing slice of one model, as the lines used them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceUsed {
    pub model: String,
    pub provider: String,
    pub billing: Billing,
    pub window: Window,
    pub context: Context,
    pub prices: PriceMode,
    pub promotion: Option<String>,
    /// USD per 1M tokens per component ([`Component::ALL`] order); `None` when no line billed it.
    pub columns: [Option<Decimal>; 4],
    pub from: Timestamp,
    pub source: String,
}

/// Something the catalogue says about a model that a reader must know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub model: String,
    pub text: String,
}

/// One scenario's part of the report.
#[derive(Clone, Debug)]
pub struct ScenarioReport {
    pub scenario: Scenario,
    pub evaluation: Evaluation,
    pub workflow: Option<WorkflowEvaluation>,
    pub policies: Vec<PolicySummary>,
    pub tornado: Option<Tornado>,
    pub sweeps: Vec<SweepSeries>,
    pub simulation: Option<Simulation>,
    /// Notes about what was asked for and could not be shown (e.g. a simulation without
    /// uncertainty).
    pub notes: Vec<String>,
    pub prices: Vec<PriceUsed>,
    pub reviewers: Vec<Human>,
    pub notices: Vec<Notice>,
    pub workbook: WorkbookModel,
}

impl ScenarioReport {
    /// Whether the month includes retries and human review.
    pub fn is_expected(&self) -> bool {
        self.workflow.is_some()
    }

    pub fn baseline(&self) -> Option<&PolicySummary> {
        self.policies.iter().find(|p| p.is_baseline)
    }
}

/// The whole report.
#[derive(Clone, Debug)]
pub struct BudgetReport {
    pub meta: Meta,
    pub sections: Vec<Section>,
    pub scenarios: Vec<ScenarioReport>,
}

impl BudgetReport {
    /// Prices every scenario and composes its part of the report.
    pub fn build(
        meta: Meta,
        scenarios: &[Scenario],
        catalogue: &Catalogue,
        options: &Options,
    ) -> Result<BudgetReport, ReportError> {
        let mut sections = if options.sections.is_empty() {
            Section::ALL.to_vec()
        } else {
            options.sections.clone()
        };
        sections.sort();
        sections.dedup();
        if let Some((trials, _)) = options.simulate {
            if trials == 0 || trials > MAX_TRIALS {
                return Err(ReportError::Trials(trials));
            }
        }
        let parts = scenarios
            .iter()
            .map(|scenario| scenario_report(scenario, catalogue, options, &sections))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(BudgetReport {
            meta,
            sections,
            scenarios: parts,
        })
    }

    pub fn shows(&self, section: Section) -> bool {
        self.sections.contains(&section)
    }

    /// The report's title: `--title`, else the first scenario's name.
    pub fn title(&self) -> String {
        self.meta
            .title
            .clone()
            .or_else(|| self.scenarios.first().map(|s| s.scenario.name.clone()))
            .unwrap_or_else(|| "Budget report".to_string())
    }
}

fn scenario_report(
    scenario: &Scenario,
    catalogue: &Catalogue,
    options: &Options,
    sections: &[Section],
) -> Result<ScenarioReport, ReportError> {
    let priced = month(scenario, catalogue)?;
    let evaluation = priced.evaluation.clone();
    let workflow = priced.workflow.clone();
    let baseline_cost = priced.cost(&scenario.baseline);
    let twelve = Decimal::from(12);
    let policies = scenario
        .policies
        .iter()
        .zip(&evaluation.policies)
        .map(|(policy, lines)| {
            let monthly = priced.cost(&policy.name).unwrap_or(lines.total);
            let delta = baseline_cost.map(|base| monthly - base);
            let delta_pct = baseline_cost
                .filter(|base| !base.is_zero())
                .map(|base| (monthly - base) / base * Decimal::ONE_HUNDRED);
            PolicySummary {
                name: policy.name.clone(),
                description: policy.description.clone(),
                monthly,
                lines_total: lines.total,
                annual: monthly * twelve,
                delta,
                delta_pct,
                is_baseline: policy.name == scenario.baseline,
            }
        })
        .collect();

    let wants = |section: Section| sections.contains(&section);
    let tornado_policy = match &options.sensitivity {
        Some(name) => {
            if scenario.policy(name).is_none() {
                return Err(ReportError::UnknownPolicy {
                    policy: name.clone(),
                    file: scenario.file.clone(),
                    known: scenario
                        .policies
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
            Some(name.clone())
        }
        None => scenario
            .policies
            .iter()
            .find(|p| p.name != scenario.baseline)
            .or(scenario.policies.first())
            .map(|p| p.name.clone()),
    };
    let tornado = match tornado_policy {
        Some(policy) if wants(Section::Tornado) || wants(Section::Summary) => Some(tornado(
            scenario,
            catalogue,
            &policy,
            Figure::Cost,
            TORNADO_STEP,
            &|_| {},
        )?),
        _ => None,
    };

    let mut sweeps = Vec::new();
    for dimension in &options.sweeps {
        if dimension.values.len() > MAX_SWEEP_VALUES {
            return Err(ReportError::SweepTooLong {
                path: dimension.path_text.clone(),
                count: dimension.values.len(),
            });
        }
        let mut series: Vec<(String, Vec<Decimal>)> = scenario
            .policies
            .iter()
            .map(|p| (p.name.clone(), Vec::with_capacity(dimension.values.len())))
            .collect();
        for change in dimension.values.iter() {
            let item = Override {
                path_text: dimension.path_text.clone(),
                path: dimension.path.clone(),
                change,
            };
            let point = month_with(scenario, catalogue, &[item])?;
            for (name, costs) in &mut series {
                costs.push(point.cost(name).unwrap_or_default());
            }
        }
        sweeps.push(SweepSeries {
            path: dimension.path_text.clone(),
            labels: dimension.labels(),
            series,
        });
    }

    let mut notes = Vec::new();
    let simulation = match options.simulate {
        Some((trials, seed)) => {
            if !has_uncertainty(scenario) {
                notes.push(format!(
                    "--simulate was asked for, but '{}' has no `uncertainty:` section and no `quality:` section: every simulated month would be the same, so no spread is shown. Add an `uncertainty:` section (e.g. volume: {{distribution: normal, spread: 10%}}) to see one.",
                    scenario.file
                ));
                None
            } else {
                let plan = match &workflow {
                    Some(flow) => Plan::with_quality(scenario, catalogue, flow)?,
                    None => Plan::without_quality(scenario, catalogue, &evaluation)?,
                };
                let settings = Settings {
                    trials,
                    seed,
                    budget: None,
                };
                Some(simulate(&plan, settings, &|_| {})?)
            }
        }
        None => None,
    };

    let prices = prices_used(&evaluation);
    let reviewers = reviewers_used(scenario, catalogue);
    let mut used: Vec<&str> = prices.iter().map(|p| p.model.as_str()).collect();
    used.sort_unstable();
    used.dedup();
    let notices = used
        .iter()
        .filter_map(|id| catalogue.model(id))
        .flat_map(|model| model_notices(model, scenario.as_of))
        .collect();
    let workbook = WorkbookModel::build(scenario, catalogue, &evaluation)?;
    Ok(ScenarioReport {
        scenario: scenario.clone(),
        evaluation,
        workflow,
        policies,
        tornado,
        sweeps,
        simulation,
        notes,
        prices,
        reviewers,
        notices,
        workbook,
    })
}

/// Whether a simulation of `scenario` can spread at all: volumes with a spread, or pass rates
/// and validator outcomes drawn per request.
fn has_uncertainty(scenario: &Scenario) -> bool {
    let u = &scenario.uncertainty;
    scenario.quality.is_some()
        || u.volume.is_some_and(|s| !s.spread.is_zero())
        || u.workloads.values().any(|s| !s.spread.is_zero())
        || u.input_tokens.values().any(|s| !s.spread.is_zero())
}

/// Every billing slice the lines used, with its unit prices, in first-use order.
fn prices_used(evaluation: &Evaluation) -> Vec<PriceUsed> {
    let mut out: Vec<PriceUsed> = Vec::new();
    for policy in &evaluation.policies {
        for line in &policy.lines {
            let index = out.iter().position(|p| {
                p.model == line.model
                    && p.billing == line.billing
                    && p.window == line.window
                    && p.context == line.context
                    && p.prices == line.prices
                    && p.promotion == line.promotion
            });
            let index = match index {
                Some(index) => index,
                None => {
                    out.push(PriceUsed {
                        model: line.model.clone(),
                        provider: line.provider.clone(),
                        billing: line.billing,
                        window: line.window,
                        context: line.context,
                        prices: line.prices,
                        promotion: line.promotion.clone(),
                        columns: [None; 4],
                        from: line.price_from,
                        source: line.source.clone(),
                    });
                    out.len() - 1
                }
            };
            let slot = Component::ALL
                .iter()
                .position(|c| *c == line.component)
                .unwrap_or(0);
            out[index].columns[slot] = Some(line.unit_price);
        }
    }
    out
}

/// The reviewers a scenario's chains and sign-offs name.
fn reviewers_used(scenario: &Scenario, catalogue: &Catalogue) -> Vec<Human> {
    let Some(quality) = &scenario.quality else {
        return Vec::new();
    };
    let mut ids: Vec<&str> = quality.sign_off.values().map(String::as_str).collect();
    for chains in quality.chains.values() {
        for chain in chains.routes.values().chain(chains.default.as_ref()) {
            ids.extend(chain.human.as_deref());
        }
    }
    ids.sort_unstable();
    ids.dedup();
    ids.iter()
        .filter_map(|id| catalogue.humans.get(*id).cloned())
        .collect()
}

/// What the catalogue says about `model` that a budget priced at `as_of` must show: its
/// deprecation (and successor), and a price set in force for over a year. The one place that
/// reads a model's life-cycle facts, so retirement and `checked:` dates join here.
pub fn model_notices(model: &Model, as_of: Timestamp) -> Vec<Notice> {
    let mut notices = Vec::new();
    let day = |t: Timestamp| crate::load::values::show_instant(t);
    let successor = model
        .successor
        .as_ref()
        .map(|s| format!("; successor: {s}"))
        .unwrap_or_default();
    if let Some(deprecated) = model.deprecated {
        let text = if deprecated <= as_of {
            format!("deprecated since {}{successor}", day(deprecated))
        } else {
            format!(
                "deprecated from {}, after the pricing date {}{successor}",
                day(deprecated),
                day(as_of)
            )
        };
        notices.push(Notice {
            model: model.id.clone(),
            text,
        });
    }
    if let Some(set) = model.price_set_at(as_of) {
        let age = as_of.duration_since(set.from).as_hours() / 24;
        if age > OLD_PRICE_DAYS {
            notices.push(Notice {
                model: model.id.clone(),
                text: format!(
                    "prices in force since {}, {age} days before the pricing date; check them against the source",
                    day(set.from)
                ),
            });
        }
    }
    notices
}

// ---------------------------------------------------------------------------------------------
// The workbook's formula model.

/// A price cell in the workbook: given, or the same list's input price (a price the model
/// does not publish, as the engine stands in for it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateValue {
    Given(Decimal),
    /// Stands in with the input price of the same row.
    Input,
}

/// One price list of one model in the Inputs sheet: standard, long context, a tier with its
/// own prices, off-peak with its own prices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateRow {
    pub model: String,
    pub list: String,
    /// In [`Component::ALL`] order.
    pub values: [RateValue; 4],
    pub from: Timestamp,
    pub source: String,
}

impl RateRow {
    pub fn value(&self, column: usize) -> Decimal {
        match self.values[column] {
            RateValue::Given(value) => value,
            RateValue::Input => match self.values[0] {
                RateValue::Given(value) => value,
                RateValue::Input => Decimal::ZERO,
            },
        }
    }
}

/// Whether an adjustment takes a share off or adds one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FactorKind {
    /// × (1 − value): a tier or off-peak discount, a promotion.
    Discount,
    /// × (1 + value): a regional-processing uplift.
    Uplift,
}

/// A discount or uplift applied to a price list, in the Inputs sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Factor {
    pub model: String,
    pub label: String,
    pub value: Decimal,
    pub kind: FactorKind,
}

/// A unit price as the workbook computes it: a rate cell times factors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceExpr {
    pub row: usize,
    pub column: usize,
    pub factors: Vec<usize>,
}

/// One cost line of a policy sheet, zero lines included, so a share changed in Inputs moves
/// cost between lines as the engine would.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetLine {
    pub workload: usize,
    pub model: String,
    pub provider: String,
    pub component: Component,
    pub billing: Billing,
    pub window: Window,
    pub context: Context,
    pub is_batch: bool,
    pub tokens: Decimal,
    pub unit_price: Decimal,
    pub discount: Decimal,
    pub cost: Decimal,
    /// `None` when the engine's price could not be derived from the input cells: the sheet
    /// then writes the exact price with a note.
    pub price: Option<PriceExpr>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetPolicy {
    pub name: String,
    pub lines: Vec<SheetLine>,
    pub total: Decimal,
}

/// Everything the live workbook needs: input cells and policy lines over them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkbookModel {
    pub rows: Vec<RateRow>,
    pub factors: Vec<Factor>,
    /// Negotiated discounts of every provider a line uses (0 when none).
    pub discounts: BTreeMap<String, Decimal>,
    pub policies: Vec<SheetPolicy>,
}

impl WorkbookModel {
    /// Lays out every policy's lines — every segment and component of every workload, as
    /// [`WorkloadPlan`] prices them — and derives each unit price from the input cells.
    pub fn build(
        scenario: &Scenario,
        catalogue: &Catalogue,
        evaluation: &Evaluation,
    ) -> Result<WorkbookModel, EngineError> {
        let mut model = WorkbookModel::default();
        let market = Market::of(scenario, catalogue);
        for (policy, priced) in scenario.policies.iter().zip(&evaluation.policies) {
            let mut lines = Vec::new();
            for (index, workload) in scenario.workloads.iter().enumerate() {
                let target = route(policy, workload)?;
                let mut ignored = Vec::new();
                let plan = WorkloadPlan::new(market, workload, target, &mut ignored)?;
                let set = price_set(plan.model, scenario.as_of)?;
                model
                    .discounts
                    .entry(plan.model.provider.clone())
                    .or_insert(plan.discount);
                let volume = Volume::of(workload);
                let input = volume.input_tokens;
                let component_tokens = [
                    input * (Decimal::ONE - volume.cache_hit_rate - volume.cache_write_rate),
                    input * volume.cache_hit_rate,
                    input * volume.cache_write_rate,
                    volume.output_tokens,
                ];
                for segment in &plan.segments {
                    let share = segment
                        .share_of(&volume)
                        .ok_or_else(|| EngineError::Inexact {
                            workload: workload.name.clone(),
                            model: plan.model.id.clone(),
                            what: "a segment's share of the volume",
                        })?;
                    let slice = Slice {
                        billing: segment.billing,
                        window: segment.window,
                        context: plan.context,
                        mode: plan.prices,
                        regional_processing: workload.regional_processing,
                    };
                    for (column, component) in Component::ALL.into_iter().enumerate() {
                        let tokens = component_tokens[column] * share;
                        let cost = tokens * segment.rates_per_token()[column];
                        let unit_price = segment.quote.columns.get(component);
                        let expr = model.derive(plan.model, set, slice, scenario.as_of, column);
                        let price = (model.evaluate(&expr) == unit_price).then_some(expr);
                        lines.push(SheetLine {
                            workload: index,
                            model: plan.model.id.clone(),
                            provider: plan.model.provider.clone(),
                            component,
                            billing: segment.billing,
                            window: segment.window,
                            context: plan.context,
                            is_batch: segment.is_batch,
                            tokens,
                            unit_price,
                            discount: plan.discount,
                            cost,
                            price,
                        });
                    }
                }
            }
            model.policies.push(SheetPolicy {
                name: policy.name.clone(),
                lines,
                total: priced.total,
            });
        }
        Ok(model)
    }

    /// The value a price expression gives, as the workbook computes it (in exact decimals).
    pub fn evaluate(&self, expr: &PriceExpr) -> Decimal {
        let mut value = self.rows[expr.row].value(expr.column);
        for &index in &expr.factors {
            let factor = &self.factors[index];
            value *= match factor.kind {
                FactorKind::Discount => Decimal::ONE - factor.value,
                FactorKind::Uplift => Decimal::ONE + factor.value,
            };
        }
        value
    }

    fn row(&mut self, model: &Model, set: &PriceSet, list: &str, rates: &Rates) -> usize {
        if let Some(index) = self
            .rows
            .iter()
            .position(|r| r.model == model.id && r.list == list)
        {
            return index;
        }
        let given =
            |value: Option<Decimal>| value.map(RateValue::Given).unwrap_or(RateValue::Input);
        self.rows.push(RateRow {
            model: model.id.clone(),
            list: list.to_string(),
            values: [
                RateValue::Given(rates.input),
                given(rates.cached_input),
                given(rates.cache_write),
                RateValue::Given(rates.output),
            ],
            from: set.from,
            source: set.source.clone(),
        });
        self.rows.len() - 1
    }

    fn factor(&mut self, model: &Model, label: String, value: Decimal, kind: FactorKind) -> usize {
        if let Some(index) = self
            .factors
            .iter()
            .position(|f| f.model == model.id && f.label == label)
        {
            return index;
        }
        self.factors.push(Factor {
            model: model.id.clone(),
            label,
            value,
            kind,
        });
        self.factors.len() - 1
    }

    /// The price of `column` for `slice`, derived the way [`crate::engine::prices::quote`]
    /// derives it: base list (standard or long context), tier, off-peak window, promotion,
    /// regional uplift. The caller checks the result against the engine's own price.
    fn derive(
        &mut self,
        model: &Model,
        set: &PriceSet,
        slice: Slice,
        as_of: Timestamp,
        column: usize,
    ) -> PriceExpr {
        let long = match (slice.context, &set.long_context) {
            (Context::Long, Some(long)) => Some(long),
            _ => None,
        };
        let mut row = match long {
            Some(long) => self.row(model, set, "long context", &long.rates),
            None => self.row(model, set, "standard", &set.rates),
        };
        let mut factors = Vec::new();
        if slice.billing != Billing::Standard {
            let tier = slice.billing.label();
            let of = |tiers: &Tiers| match slice.billing {
                Billing::Batch => tiers.batch.clone(),
                Billing::Flex => tiers.flex.clone(),
                Billing::Priority => tiers.priority.clone(),
                Billing::Standard => None,
            };
            let (adjustment, prefix) = match long {
                None => (of(&set.tiers), ""),
                Some(long) => match of(&long.tiers) {
                    Some(adjustment) => (Some(adjustment), "long-context "),
                    None => match of(&set.tiers) {
                        Some(adjustment @ Adjustment::Discount { .. }) => (Some(adjustment), ""),
                        _ => (None, ""),
                    },
                },
            };
            match adjustment {
                // A discount that spares cache reads is applied to every column here; the
                // cached-input line then fails the exact-price check and is written as a value.
                Some(Adjustment::Discount { share: d, .. }) => factors.push(self.factor(
                    model,
                    format!("{prefix}{tier} discount"),
                    d,
                    FactorKind::Discount,
                )),
                Some(Adjustment::Rates(rates)) => {
                    row = self.row(model, set, &format!("{prefix}{tier}"), &rates);
                }
                None => {}
            }
        }
        if slice.window == Window::OffPeak {
            if let Some(off_peak) = &set.off_peak {
                match &off_peak.adjustment {
                    Adjustment::Discount { share: d, .. } => factors.push(self.factor(
                        model,
                        "off-peak discount".to_string(),
                        *d,
                        FactorKind::Discount,
                    )),
                    Adjustment::Rates(rates) => {
                        row = self.row(model, set, "off-peak", rates);
                        factors.clear();
                    }
                }
            }
        }
        if slice.mode == PriceMode::Effective {
            if let Some(promotion) = set.active_promotion(as_of) {
                factors.push(self.factor(
                    model,
                    format!("promotion '{}'", promotion.name),
                    promotion.discount,
                    FactorKind::Discount,
                ));
            }
        }
        if slice.regional_processing {
            if let Some(uplift) = set.regional_processing {
                factors.push(self.factor(
                    model,
                    "regional-processing uplift".to_string(),
                    uplift,
                    FactorKind::Uplift,
                ));
            }
        }
        PriceExpr {
            row,
            column,
            factors,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::evaluate::evaluate;
    use crate::load::source::SourceFile;
    use crate::load::{pricing, scenario};

    fn priced(text: &str) -> (Scenario, Catalogue, Evaluation) {
        let (catalogue, _) = pricing::load_catalogue(&[]).expect("the shipped catalogue");
        let (scenario, _) = scenario::load_scenario(&SourceFile::new("t.yaml", text), &catalogue)
            .expect("a valid scenario");
        let evaluation = evaluate(&scenario, &catalogue).expect("priced");
        (scenario, catalogue, evaluation)
    }

    /// Every line's unit price is derived from input cells, equals the engine's, and the lines
    /// (zero lines included) sum to the engine's total.
    fn assert_faithful(text: &str) -> WorkbookModel {
        let (scenario, catalogue, evaluation) = priced(text);
        let model = WorkbookModel::build(&scenario, &catalogue, &evaluation).unwrap();
        for (policy, priced) in model.policies.iter().zip(&evaluation.policies) {
            let sum: Decimal = policy.lines.iter().map(|l| l.cost).sum();
            assert_eq!(sum, priced.total, "{}", policy.name);
            for line in &policy.lines {
                let expr = line.price.as_ref().unwrap_or_else(|| {
                    panic!(
                        "{} {:?} {:?}: no formula",
                        line.model, line.billing, line.window
                    )
                });
                assert_eq!(model.evaluate(expr), line.unit_price);
            }
        }
        model
    }

    #[test]
    fn batch_off_peak_discounts_and_cached_stand_ins_are_formulas() {
        // 2026-09: V4 Flash bills off-peak at a 50% discount; GPT-5.5 has a batch discount;
        // a negotiated OpenAI discount; V4 Flash publishes no cache-write price.
        let model = assert_faithful(
            "name: t\nas_of: 2026-09-01\ndiscounts: {openai: 10%}\nworkloads:\n  - name: a\n    input_tokens: 10M\n    output_tokens: 1M\n    cache_hit_rate: 0.3\n    cache_write_rate: 0.1\n    batch_share: 0.5\n    off_peak_share: 0.4\npolicies:\n  - name: g\n    default: gpt-5.5\n  - name: f\n    default: deepseek-v4-flash\nbaseline: g\n",
        );
        let labels: Vec<&str> = model.factors.iter().map(|f| f.label.as_str()).collect();
        assert!(labels.contains(&"batch discount"), "{labels:?}");
        assert!(labels.contains(&"off-peak discount"), "{labels:?}");
        let flash = model
            .rows
            .iter()
            .find(|r| r.model == "deepseek-v4-flash" && r.list == "standard")
            .unwrap();
        assert_eq!(flash.values[2], RateValue::Input);
        assert_eq!(model.discounts["openai"], Decimal::new(1, 1));
    }

    #[test]
    fn off_peak_with_its_own_prices_is_its_own_row() {
        // From 2026-10-01 V4 Flash's off-peak hours have their own price list.
        let model = assert_faithful(
            "name: t\nas_of: 2026-10-15\nworkloads:\n  - name: a\n    input_tokens: 10M\n    output_tokens: 1M\n    off_peak_share: 0.25\npolicies:\n  - name: f\n    default: deepseek-v4-flash\nbaseline: f\n",
        );
        assert!(model.rows.iter().any(|r| r.list == "off-peak"));
    }

    #[test]
    fn promotions_and_long_context_are_formulas() {
        // V4 Pro's launch promotion (75% off) on effective prices; GPT-5.5 requests above
        // its long-context threshold.
        let model = assert_faithful(
            "name: t\nas_of: 2026-04-25\nworkloads:\n  - name: a\n    requests: 1k\n    input_tokens_per_request: 400k\n    output_tokens_per_request: 1k\n    batch_share: 0.5\npolicies:\n  - name: g\n    default: gpt-5.5\n  - name: p\n    default: deepseek-v4-pro\nbaseline: g\n",
        );
        assert!(model
            .factors
            .iter()
            .any(|f| f.label.starts_with("promotion")));
        assert!(model.rows.iter().any(|r| r.list == "long context"));
    }

    #[test]
    fn notices_say_deprecated_and_old_prices() {
        let (catalogue, _) = pricing::load_catalogue(&[]).unwrap();
        let deprecated = catalogue
            .models
            .values()
            .find(|m| m.deprecated.is_some())
            .expect("a deprecated model in the catalogue");
        let date = deprecated.deprecated.unwrap();
        let after = model_notices(deprecated, date);
        assert!(after[0].text.starts_with("deprecated since"), "{after:?}");
        let before = model_notices(deprecated, date - jiff::SignedDuration::from_hours(24));
        assert!(
            before[0].text.contains("after the pricing date"),
            "{before:?}"
        );
        let first = deprecated.prices.first().unwrap().from;
        let later = first + jiff::SignedDuration::from_hours(24 * 800);
        let mut old = deprecated.clone();
        old.prices.truncate(1);
        old.deprecated = None;
        let notices = model_notices(&old, later);
        assert_eq!(notices.len(), 1);
        assert!(notices[0].text.contains("800 days before"), "{notices:?}");
    }
}
