//! Quality, fallback chains, human reviewers and uncertainty as validated data.
//!
//! A scenario's `quality:` section says how often each model's output passes validation, how
//! noisy the validator is, and where failed requests go next; its `uncertainty:` section says
//! how much a month's volume can vary. The loader guarantees what these types do not spell out:
//! every named model and reviewer exists, chains never loop, every rate lies in 0–1, every
//! routed model has a pass rate for the work it gets, and every workload gives `requests`.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::catalogue::Origin;
use super::scenario::{DataClass, Policy, Workload};

/// A human reviewer (tier 4): a catalogue entry of kind `human`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Human {
    pub id: String,
    /// USD per reviewed item: given directly, or hourly rate × minutes per item / 60.
    pub cost_per_item: Decimal,
    /// Time from hand-over to a reviewed answer, in seconds.
    pub review_latency_seconds: Decimal,
    pub source: Option<String>,
    pub origin: Origin,
}

/// Optional speed figures of a model, for the simple latency estimate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModelLatency {
    pub time_to_first_token_seconds: Decimal,
    pub output_tokens_per_second: Decimal,
}

impl ModelLatency {
    /// Seconds for one request producing `output_tokens`.
    pub fn seconds_for(&self, output_tokens: u64) -> Decimal {
        self.time_to_first_token_seconds
            + Decimal::from(output_tokens) / self.output_tokens_per_second
    }
}

/// What a pass rate applies to: one workload, or every workload of a task.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PassScope {
    Workload(String),
    Task(String),
}

/// Eval counts behind a pass rate: `passes` out of `total`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Evals {
    pub passes: u64,
    pub total: u64,
}

/// The share of a model's answers that pass validation, for a workload or a task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PassRate {
    pub model: String,
    pub scope: PassScope,
    pub rate: Decimal,
    /// Present when the rate came from eval counts; the simulation draws from Beta(passes, fails).
    pub evals: Option<Evals>,
}

/// How often the validator is wrong: accepting a bad answer, or rejecting a good one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Validator {
    pub false_accept: Decimal,
    pub false_reject: Decimal,
}

/// Where a route's failed requests go: the fallback models in order, then a reviewer or nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Chain {
    /// Models tried after the route's own model, in order.
    pub fallback: Vec<String>,
    /// The reviewer that gets what the last model fails; `None` counts those requests failed.
    pub human: Option<String>,
    /// Share of the failed attempt's output added to the retry's input as context.
    pub retry_context: Decimal,
    pub validator: Validator,
}

/// The chains of one policy: by route index, and for the default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyChains {
    pub routes: BTreeMap<usize, Chain>,
    pub default: Option<Chain>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Quality {
    pub pass_rates: Vec<PassRate>,
    /// Data classes whose every answer a reviewer signs off (`regulated: analyst`).
    pub sign_off: BTreeMap<DataClass, String>,
    /// Latency target per workload name, in seconds.
    pub latency_targets: BTreeMap<String, Decimal>,
    /// Chains by policy name; a route without `fallback:` has an empty chain.
    pub chains: BTreeMap<String, PolicyChains>,
}

impl Quality {
    /// The pass rate of `model` on `workload`: one given for the workload, else for its task.
    pub fn pass_rate(&self, model: &str, workload: &Workload) -> Option<&PassRate> {
        let by_workload = PassScope::Workload(workload.name.clone());
        self.pass_rates
            .iter()
            .find(|rate| rate.model == model && rate.scope == by_workload)
            .or_else(|| {
                let task = PassScope::Task(workload.task.clone()?);
                self.pass_rates
                    .iter()
                    .find(|rate| rate.model == model && rate.scope == task)
            })
    }

    /// Index of [`Quality::pass_rate`] in `pass_rates`.
    pub fn pass_rate_index(&self, model: &str, workload: &Workload) -> Option<usize> {
        let found = self.pass_rate(model, workload)?;
        self.pass_rates
            .iter()
            .position(|rate| std::ptr::eq(rate, found))
    }
}

/// A distribution of a multiplier around 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Distribution {
    /// Normal with mean 1 and standard deviation `spread` (draws below 0 count as 0).
    Normal,
    /// Lognormal with mean 1 and coefficient of variation `spread`.
    LogNormal,
}

impl Distribution {
    pub fn as_str(self) -> &'static str {
        match self {
            Distribution::Normal => "normal",
            Distribution::LogNormal => "lognormal",
        }
    }
}

/// How much a quantity can vary: a distribution and its relative spread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spread {
    pub distribution: Distribution,
    /// Standard deviation relative to the mean (0.15 for `15%`).
    pub spread: Decimal,
}

/// Monthly volume uncertainty for the simulation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Uncertainty {
    /// Applies to every workload not listed in `workloads`.
    pub volume: Option<Spread>,
    pub workloads: BTreeMap<String, Spread>,
    /// Lognormal spread of input tokens per request, by workload: a share of requests then
    /// crosses long-context thresholds that the mean request size does not.
    pub input_tokens: BTreeMap<String, Spread>,
}

impl Uncertainty {
    pub fn volume_of(&self, workload: &str) -> Option<Spread> {
        self.workloads.get(workload).copied().or(self.volume)
    }
}

/// Which route serves `workload`: `Some(Some(i))` for route `i`, `Some(None)` for the default.
pub fn route_index(policy: &Policy, workload: &Workload) -> Option<Option<usize>> {
    match policy
        .routes
        .iter()
        .position(|route| route.matcher.matches(workload))
    {
        Some(index) => Some(Some(index)),
        None => policy.default.as_ref().map(|_| None),
    }
}
