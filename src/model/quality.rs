//! Quality, fallback chains, human reviewers and uncertainty as validated data.
//!
//! A scenario's `quality:` section says how often each model's output passes validation, how
//! noisy the validator is, and where failed requests go next; its `uncertainty:` section says
//! how much a month's volume can vary. The loader guarantees what these types do not spell out:
//! every named model and reviewer exists, chains never loop, every rate lies in 0–1, every
//! routed model has a pass rate for the work it gets, and every workload gives `requests`.
//! A pass rate may be conditional on earlier chain models' true outcomes (`given:`); the
//! loader also guarantees that each such rate sits beside an unconditional one of the same
//! scope, that no chain step depends on more than [`MAX_CONDITIONS`] earlier outcomes, and
//! that no pattern of earlier outcomes is matched by two rates with as many conditions.

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
    /// The true outcomes of earlier chain models this rate is conditional on (model → answered
    /// correctly); empty for the unconditional rate. Models fail together more often than
    /// independence predicts, so a cascade's later steps see the harder requests.
    pub given: BTreeMap<String, bool>,
}

/// The most conditions a pass rate of one chain step may depend on: the closed form tracks
/// 2^n patterns of earlier outcomes per step.
pub const MAX_CONDITIONS: usize = 16;

/// The true outcomes of a chain's earlier model steps: bit k of `known` says whether step k's
/// outcome is tracked, bit k of `passed` whether its answer was correct. Steps past 64 are
/// never tracked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct History {
    pub known: u64,
    pub passed: u64,
}

impl History {
    /// This history with step `step`'s outcome recorded.
    pub fn with(self, step: usize, passed: bool) -> History {
        if step >= 64 {
            return self;
        }
        let bit = 1u64 << step;
        History {
            known: self.known | bit,
            passed: if passed {
                self.passed | bit
            } else {
                self.passed & !bit
            },
        }
    }

    /// Step `step`'s outcome, when tracked.
    pub fn outcome(self, step: usize) -> Option<bool> {
        if step >= 64 || self.known & (1u64 << step) == 0 {
            return None;
        }
        Some(self.passed & (1u64 << step) != 0)
    }
}

/// `given: {a: fail, b: pass}` as written in a scenario.
pub fn show_given(given: &BTreeMap<String, bool>) -> String {
    let parts: Vec<String> = given
        .iter()
        .map(|(model, passed)| format!("{model}: {}", if *passed { "pass" } else { "fail" }))
        .collect();
    format!("given: {{{}}}", parts.join(", "))
}

/// One conditional rate of a chain step: it applies when the earlier steps in `mask` had the
/// outcomes in `passed`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Condition {
    pub index: usize,
    pub mask: u64,
    pub passed: u64,
}

/// The rates one chain step can use: its unconditional rate and its conditional ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepRates {
    pub unconditional: usize,
    pub conditional: Vec<Condition>,
}

impl StepRates {
    /// The rate for requests with the earlier outcomes `history`: the conditional rate with
    /// the most conditions that all hold (an untracked outcome holds no condition), else the
    /// unconditional one; two with as many conditions is ambiguous.
    pub fn pick(&self, history: History) -> Result<usize, AmbiguousRates> {
        let mut best: Option<&Condition> = None;
        let mut tie: Option<&Condition> = None;
        for condition in &self.conditional {
            let holds = history.known & condition.mask == condition.mask
                && history.passed & condition.mask == condition.passed;
            if !holds {
                continue;
            }
            let count = condition.mask.count_ones();
            match best.map(|current| current.mask.count_ones()) {
                Some(held) if count < held => {}
                Some(held) if count == held => tie = Some(condition),
                _ => {
                    best = Some(condition);
                    tie = None;
                }
            }
        }
        match (best, tie) {
            (Some(first), Some(second)) => Err(AmbiguousRates(first.index, second.index)),
            (Some(best), None) => Ok(best.index),
            (None, _) => Ok(self.unconditional),
        }
    }

    /// The earlier steps whose outcomes these rates depend on.
    pub fn depends_on(&self) -> u64 {
        self.conditional.iter().fold(0, |mask, c| mask | c.mask)
    }
}

/// Two conditional pass rates that match the same pattern of earlier outcomes with the same
/// number of conditions: indexes into `Quality::pass_rates`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AmbiguousRates(pub usize, pub usize);

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
    /// The unconditional pass rate of `model` on `workload`: one given for the workload, else
    /// for its task.
    pub fn pass_rate(&self, model: &str, workload: &Workload) -> Option<&PassRate> {
        let by_workload = PassScope::Workload(workload.name.clone());
        let unconditional =
            |rate: &&PassRate, scope: &PassScope| rate.model == model && &rate.scope == scope;
        self.pass_rates
            .iter()
            .filter(|rate| rate.given.is_empty())
            .find(|rate| unconditional(rate, &by_workload))
            .or_else(|| {
                let task = PassScope::Task(workload.task.clone()?);
                self.pass_rates
                    .iter()
                    .filter(|rate| rate.given.is_empty())
                    .find(|rate| unconditional(rate, &task))
            })
    }

    /// Whether any pass rate is conditional (`given:`); without one every chain is walked as
    /// a single pattern, as the independence formula does.
    pub fn has_conditions(&self) -> bool {
        self.pass_rates.iter().any(|rate| !rate.given.is_empty())
    }

    /// The conditional pass rates of `model` on `workload`, in the scope of its unconditional
    /// rate (a conditional rate refines the rate it sits beside): indexes into `pass_rates`.
    pub fn conditional_rates(&self, model: &str, workload: &Workload) -> Vec<usize> {
        let Some(base) = self.pass_rate(model, workload) else {
            return Vec::new();
        };
        self.pass_rates
            .iter()
            .enumerate()
            .filter(|(_, rate)| {
                rate.model == model && rate.scope == base.scope && !rate.given.is_empty()
            })
            .map(|(index, _)| index)
            .collect()
    }

    /// The rates the chain step `models[step]` can use on `workload`, with each conditional
    /// rate's conditions as bit masks over the chain's steps. A condition on a model that is
    /// not earlier in the chain can never hold, so such a rate is left out. `None` when the
    /// model has no pass rate at all.
    pub fn step_rates(
        &self,
        models: &[&str],
        step: usize,
        workload: &Workload,
    ) -> Option<StepRates> {
        let model = models[step];
        let unconditional = self.pass_rate_index(model, workload)?;
        let mut conditional = Vec::new();
        if self.has_conditions() {
            'rates: for index in self.conditional_rates(model, workload) {
                let mut condition = Condition {
                    index,
                    ..Condition::default()
                };
                for (name, &passed) in &self.pass_rates[index].given {
                    match models[..step].iter().position(|earlier| earlier == name) {
                        Some(earlier) if earlier < 64 => {
                            condition.mask |= 1u64 << earlier;
                            if passed {
                                condition.passed |= 1u64 << earlier;
                            }
                        }
                        _ => continue 'rates,
                    }
                }
                conditional.push(condition);
            }
        }
        Some(StepRates {
            unconditional,
            conditional,
        })
    }

    /// The pass rate of the chain step `models[step]` on `workload` when the earlier steps'
    /// true outcomes are `history` (see [`StepRates::pick`]). `Ok(None)` when the model has no
    /// pass rate at all.
    pub fn pass_rate_given(
        &self,
        models: &[&str],
        step: usize,
        workload: &Workload,
        history: History,
    ) -> Result<Option<usize>, AmbiguousRates> {
        match self.step_rates(models, step, workload) {
            Some(rates) => rates.pick(history).map(Some),
            None => Ok(None),
        }
    }

    /// Which of a chain's model steps have outcomes that a later step's pass rate depends on,
    /// as a bit mask by step (the steps whose patterns the closed form must keep apart).
    pub fn tracked_steps(&self, models: &[&str], workload: &Workload) -> u64 {
        if !self.has_conditions() {
            return 0;
        }
        (0..models.len())
            .filter_map(|step| self.step_rates(models, step, workload))
            .fold(0, |mask, rates| mask | rates.depends_on())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn condition(index: usize, conditions: &[(usize, bool)]) -> Condition {
        let mut condition = Condition {
            index,
            ..Condition::default()
        };
        for &(step, passed) in conditions {
            condition.mask |= 1 << step;
            if passed {
                condition.passed |= 1 << step;
            }
        }
        condition
    }

    fn history(outcomes: &[(usize, bool)]) -> History {
        outcomes
            .iter()
            .fold(History::default(), |h, &(step, passed)| {
                h.with(step, passed)
            })
    }

    #[test]
    fn the_most_specific_rate_whose_conditions_hold_wins() {
        // Step 2 of a chain: 0 is the unconditional rate; 1 given step 0 failed; 2 given
        // steps 0 and 1 failed; 3 given step 1 failed.
        let rates = StepRates {
            unconditional: 0,
            conditional: vec![
                condition(1, &[(0, false)]),
                condition(2, &[(0, false), (1, false)]),
                condition(3, &[(1, false)]),
            ],
        };
        assert_eq!(rates.pick(history(&[(0, false), (1, false)])), Ok(2));
        assert_eq!(rates.pick(history(&[(0, false), (1, true)])), Ok(1));
        assert_eq!(rates.pick(history(&[(0, true), (1, false)])), Ok(3));
        assert_eq!(rates.pick(history(&[(0, true), (1, true)])), Ok(0));
        // An untracked outcome holds no condition.
        assert_eq!(rates.pick(history(&[(1, true)])), Ok(0));
        assert_eq!(rates.depends_on(), 0b11);
        // Without the rate for both failing, the two single conditions tie, in any order.
        for order in [[0, 2], [2, 0]] {
            let conditional = order.iter().map(|&i| rates.conditional[i]).collect();
            let tied = StepRates {
                unconditional: 0,
                conditional,
            };
            let picked = tied.pick(history(&[(0, false), (1, false)]));
            assert!(matches!(picked, Err(AmbiguousRates(_, _))), "{picked:?}");
        }
    }

    #[test]
    fn histories_record_outcomes_by_step() {
        let h = History::default().with(0, false).with(3, true);
        assert_eq!(h.outcome(0), Some(false));
        assert_eq!(h.outcome(3), Some(true));
        assert_eq!(h.outcome(1), None);
        assert_eq!(h.with(3, false).outcome(3), Some(false));
        assert_eq!(h.with(64, true), h);
        assert_eq!(h.outcome(70), None);
    }
}
