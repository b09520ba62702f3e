//! Workflow metrics: what a policy costs per *successful* task, with retries and human review.
//!
//! Each workload's route is a chain: its model, then the fallback models, then a human reviewer
//! or nothing. At step k a request's answer passes validation with probability p_k; the
//! validator accepts a good answer with probability 1 − false_reject and a bad one with
//! probability false_accept; rejected answers move on. With r_k the share of requests reaching
//! step k (r_1 = 1) and C_k the month's cost if every request ran step k,
//!
//! ```text
//! accept_good_k = p_k·(1 − false_reject)      accept_bad_k = (1 − p_k)·false_accept
//! r_{k+1}       = r_k·(1 − accept_good_k − accept_bad_k)
//! E[cost]       = Σ_k r_k·C_k + r_human·requests·cost_per_item
//! ```
//!
//! which is c₁ + (1−p₁)·c₂ + (1−p₁)(1−p₂)·c₃ + … when the validator is perfect. Models do not
//! fail independently, so a pass rate may be conditional on earlier steps' *true* outcomes
//! (`given:`); the walk ([`walk_chain`]) then keeps the requests reaching a step apart by their
//! pattern of earlier outcomes (at most 2^steps patterns) and uses, per pattern, the most
//! specific rate whose conditions hold. The same walk prices one logged request whose outcomes
//! are known (see `engine::shadow`). Everything is
//! exact `Decimal` arithmetic. A retry's input is the first attempt's plus `retry_context` × the
//! failed answer's output tokens (billed as uncached input). A reviewer fixes what reaches it;
//! data classes under `sign_off` send every answer to the reviewer. Latency is the simple sum
//! of time to first token + output tokens / speed per step, plus the review latency; batch
//! traffic counts as 24 h.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::breakdown::CostLine;
use super::evaluate::{price_workload, EngineError, Market};
use crate::model::catalogue::Catalogue;
use crate::model::quality::{
    route_index, show_given, AmbiguousRates, Chain, History, PassRate, Quality, Validator,
    MAX_CONDITIONS,
};
use crate::model::scenario::{Policy, RequestShape, Scenario, Target, Workload};

/// A day: how long batch-tier traffic may take.
pub const BATCH_WINDOW_SECONDS: Decimal = Decimal::from_parts(86_400, 0, 0, false, 0);
const P95: Decimal = Decimal::from_parts(95, 0, 0, false, 2);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QualityError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("the scenario has no `quality:` section; add pass rates to get workflow metrics")]
    NoQuality,
    #[error("no pass rate for model '{model}' on workload '{workload}'")]
    NoPassRate { model: String, workload: String },
    #[error("workload '{0}' gives no request count; workflow metrics count tasks")]
    NoRequests(String),
    #[error("unknown human reviewer '{0}'")]
    UnknownHuman(String),
    #[error(
        "two pass rates of model '{model}' on workload '{workload}' match the same earlier outcomes ({}, {}); add one with both conditions",
        show_given(first),
        show_given(second)
    )]
    AmbiguousPassRate {
        model: String,
        workload: String,
        first: BTreeMap<String, bool>,
        second: BTreeMap<String, bool>,
    },
    #[error(
        "the chain of policy '{policy}' for workload '{workload}' conditions on more than {MAX_CONDITIONS} earlier outcomes"
    )]
    TooManyConditions { policy: String, workload: String },
}

/// One step of a chain as it applies to one workload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The model or reviewer id.
    pub name: String,
    pub human: bool,
    /// Share of the workload's requests that reach this step.
    pub reach: Decimal,
    /// The same in the unit of the chain's walk ([`ChainWalk::scale`]), for exact sums.
    pub mass: Decimal,
    /// The month's cost if every request ran this step (for a reviewer: requests × cost per item).
    pub full_cost: Decimal,
    /// Index into `Quality::pass_rates` of the step's unconditional rate (model steps).
    pub pass_rate: Option<usize>,
    /// The conditional rates used instead, by pattern of earlier true outcomes.
    pub given_rates: Vec<(History, usize)>,
    /// Whether a later step's rate depends on this step's true outcome.
    pub tracked: bool,
    /// Share of all requests whose answer here is good and accepted.
    pub accepted_good: Decimal,
    /// Share of all requests whose answer here is bad and accepted anyway (false accept).
    pub accepted_bad: Decimal,
    /// Seconds this step takes for one request; `None` when the catalogue gives no speed.
    pub seconds: Option<Decimal>,
}

/// End-to-end latency of a workload or policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Latency {
    pub expected_seconds: Decimal,
    pub p95_seconds: Decimal,
}

/// One workload under one policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadWorkflow {
    pub workload: String,
    pub requests: u64,
    /// The model steps then, when there is one, the reviewer.
    pub steps: Vec<Step>,
    /// Whether every answer goes to the reviewer (data-class sign-off).
    pub sign_off: bool,
    pub expected_cost: Decimal,
    pub first_attempt_cost: Decimal,
    pub human_cost: Decimal,
    /// Shares of requests: answered correctly (or fixed by the reviewer), delivered wrong
    /// (validator false accepts), failed (rejected by the last model with no reviewer).
    pub success_rate: Decimal,
    pub accepted_bad_rate: Decimal,
    pub failed_rate: Decimal,
    /// Share whose first answer was rejected.
    pub rework_rate: Decimal,
    /// Share reaching a human reviewer.
    pub escalation_rate: Decimal,
    /// Latency outcomes: (seconds, share of requests), sorted by time.
    pub outcomes: Option<Vec<(Decimal, Decimal)>>,
    pub latency: Option<Latency>,
    pub latency_target: Option<Decimal>,
}

impl WorkloadWorkflow {
    pub fn successes(&self) -> Decimal {
        self.success_rate * Decimal::from(self.requests)
    }

    /// Whether the P95 latency is above the workload's target.
    pub fn breaks_target(&self) -> bool {
        match (self.latency, self.latency_target) {
            (Some(latency), Some(target)) => latency.p95_seconds > target,
            _ => false,
        }
    }

    /// `first → fallback → reviewer`, for tables.
    pub fn chain_label(&self) -> String {
        let names: Vec<&str> = self.steps.iter().map(|step| step.name.as_str()).collect();
        let mut label = names.join(" → ");
        if self.sign_off {
            label.push_str(" (sign-off)");
        }
        label
    }
}

/// One policy: its workloads and totals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyWorkflow {
    pub policy: String,
    pub workloads: Vec<WorkloadWorkflow>,
    pub expected_cost: Decimal,
    pub first_attempt_cost: Decimal,
    pub human_cost: Decimal,
    pub requests: u64,
    pub successes: Decimal,
    pub reworked: Decimal,
    pub escalated: Decimal,
    pub latency: Option<Latency>,
}

impl PolicyWorkflow {
    fn new(policy: String, workloads: Vec<WorkloadWorkflow>) -> Self {
        let sum = |f: &dyn Fn(&WorkloadWorkflow) -> Decimal| workloads.iter().map(f).sum();
        let requests: u64 = workloads.iter().map(|w| w.requests).sum();
        let count = |w: &WorkloadWorkflow, rate: Decimal| rate * Decimal::from(w.requests);
        let mut outcomes = Vec::new();
        let mut known = true;
        for workload in &workloads {
            match &workload.outcomes {
                Some(list) if requests > 0 => {
                    let weight = Decimal::from(workload.requests) / Decimal::from(requests);
                    outcomes.extend(list.iter().map(|&(t, share)| (t, share * weight)));
                }
                _ => known = false,
            }
        }
        PolicyWorkflow {
            expected_cost: sum(&|w| w.expected_cost),
            first_attempt_cost: sum(&|w| w.first_attempt_cost),
            human_cost: sum(&|w| w.human_cost),
            successes: sum(&|w| w.successes()),
            reworked: sum(&|w| count(w, w.rework_rate)),
            escalated: sum(&|w| count(w, w.escalation_rate)),
            latency: known.then(|| latency_of(&mut outcomes)).flatten(),
            requests,
            policy,
            workloads,
        }
    }

    fn rate(&self, count: Decimal) -> Decimal {
        if self.requests == 0 {
            Decimal::ZERO
        } else {
            count / Decimal::from(self.requests)
        }
    }

    pub fn success_rate(&self) -> Decimal {
        self.rate(self.successes)
    }

    pub fn rework_rate(&self) -> Decimal {
        self.rate(self.reworked)
    }

    pub fn escalation_rate(&self) -> Decimal {
        self.rate(self.escalated)
    }

    /// Expected cost ÷ expected successful tasks; `None` when nothing succeeds.
    pub fn cost_per_success(&self) -> Option<Decimal> {
        (!self.successes.is_zero()).then(|| self.expected_cost / self.successes)
    }

    /// The first attempt's cost per request: what a per-call price list suggests.
    pub fn cost_per_call(&self) -> Option<Decimal> {
        (self.requests > 0).then(|| self.first_attempt_cost / Decimal::from(self.requests))
    }
}

/// Workflow metrics of every policy of a scenario with a `quality:` section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkflowEvaluation {
    pub baseline: String,
    pub policies: Vec<PolicyWorkflow>,
    /// Workloads and models without latency figures, for a note under the table.
    pub missing_latency: Vec<String>,
}

impl WorkflowEvaluation {
    pub fn baseline(&self) -> Option<&PolicyWorkflow> {
        self.policies.iter().find(|p| p.policy == self.baseline)
    }
}

/// The target and chain that serve `workload` under `policy`.
pub fn chain_for<'a>(
    quality: &'a Quality,
    policy: &'a Policy,
    workload: &Workload,
) -> Option<(&'a Target, &'a Chain)> {
    let chains = quality.chains.get(&policy.name)?;
    match route_index(policy, workload)? {
        Some(index) => Some((&policy.routes[index].target, chains.routes.get(&index)?)),
        None => Some((policy.default.as_ref()?, chains.default.as_ref()?)),
    }
}

/// Prices every policy's chains, exactly.
pub fn evaluate_workflow(
    scenario: &Scenario,
    catalogue: &Catalogue,
) -> Result<WorkflowEvaluation, QualityError> {
    let quality = scenario.quality.as_ref().ok_or(QualityError::NoQuality)?;
    let market = Market::of(scenario, catalogue);
    let mut missing_latency = Vec::new();
    let mut policies = Vec::new();
    for policy in &scenario.policies {
        let mut workloads = Vec::new();
        for workload in &scenario.workloads {
            let flow = workload_workflow(market, quality, policy, workload, &mut missing_latency)?;
            workloads.push(flow);
        }
        policies.push(PolicyWorkflow::new(policy.name.clone(), workloads));
    }
    missing_latency.sort();
    missing_latency.dedup();
    Ok(WorkflowEvaluation {
        baseline: scenario.baseline.clone(),
        policies,
        missing_latency,
    })
}

fn cost_of(market: Market, workload: &Workload, target: &Target) -> Result<Decimal, EngineError> {
    let mut lines: Vec<CostLine> = Vec::new();
    let mut notes = Vec::new();
    price_workload(market, workload, target, &mut lines, &mut notes)?;
    Ok(lines.iter().map(|line| line.cost).sum())
}

/// The failed answer's output tokens, sent again as uncached input to a retry.
fn retry_context_workload(workload: &Workload, shape: &RequestShape) -> Workload {
    Workload {
        input_tokens: workload.output_tokens,
        output_tokens: 0,
        shape: Some(RequestShape {
            requests: shape.requests,
            input_tokens_per_request: shape.output_tokens_per_request,
            output_tokens_per_request: 0,
        }),
        cache_hit_rate: Decimal::ZERO,
        cache_write_rate: Decimal::ZERO,
        ..workload.clone()
    }
}

fn workload_workflow(
    market: Market,
    quality: &Quality,
    policy: &Policy,
    workload: &Workload,
    missing_latency: &mut Vec<String>,
) -> Result<WorkloadWorkflow, QualityError> {
    let shape = workload
        .shape
        .as_ref()
        .ok_or_else(|| QualityError::NoRequests(workload.name.clone()))?;
    let requests = Decimal::from(shape.requests);
    let (target, chain) =
        chain_for(quality, policy, workload).ok_or_else(|| EngineError::Unrouted {
            policy: policy.name.clone(),
            workload: workload.name.clone(),
        })?;
    let models: Vec<&str> = std::iter::once(target.model.as_str())
        .chain(chain.fallback.iter().map(String::as_str))
        .collect();

    let mut rates = Vec::with_capacity(models.len());
    for (step, model) in models.iter().enumerate() {
        let step_rates = quality.step_rates(&models, step, workload).ok_or_else(|| {
            QualityError::NoPassRate {
                model: model.to_string(),
                workload: workload.name.clone(),
            }
        })?;
        rates.push(step_rates);
    }
    let unconditional: Vec<usize> = rates.iter().map(|r| r.unconditional).collect();
    let tracked = rates.iter().fold(0, |mask, r| mask | r.depends_on());
    if tracked.count_ones() as usize > MAX_CONDITIONS {
        return Err(QualityError::TooManyConditions {
            workload: workload.name.clone(),
            policy: policy.name.clone(),
        });
    }
    // With conditional rates, eval counts stay counts and the first step's count sets the
    // walk's unit, so that rates counted from the same requests (`evals:` and `given:` entries
    // emitted from a log) multiply back to exact counts. Without them the rates are used as
    // loaded, with no division per step: the independence formula's arithmetic, unchanged.
    let counts = quality.has_conditions();
    let scale = match quality.pass_rates[unconditional[0]].evals {
        Some(evals) if counts => Decimal::from(evals.total),
        _ => Decimal::ONE,
    };
    let chance = |index: usize| {
        let rate = &quality.pass_rates[index];
        if counts {
            Chance::of(rate)
        } else {
            Chance::rate(rate.rate)
        }
    };
    let mut given_rates: Vec<Vec<(History, usize)>> = vec![Vec::new(); models.len()];
    let walk = walk_chain(
        models.len(),
        chain.validator,
        scale,
        tracked,
        |step, history| {
            let index = rates[step]
                .pick(history)
                .map_err(
                    |AmbiguousRates(first, second)| QualityError::AmbiguousPassRate {
                        model: models[step].to_string(),
                        workload: workload.name.clone(),
                        first: quality.pass_rates[first].given.clone(),
                        second: quality.pass_rates[second].given.clone(),
                    },
                )?;
            if index != unconditional[step] {
                given_rates[step].push((history, index));
            }
            Ok::<_, QualityError>(chance(index))
        },
    )?;

    let full_costs = chain_step_costs(market, workload, target, chain)?;
    let mut steps = Vec::new();
    for (index, (model, full_cost)) in models.iter().zip(full_costs).enumerate() {
        let seconds = market
            .catalogue
            .model(model)
            .and_then(|m| m.latency)
            .map(|latency| latency.seconds_for(shape.output_tokens_per_request));
        if seconds.is_none() {
            missing_latency.push(format!("model '{model}' gives no latency figures"));
        }
        let mass = walk.steps[index];
        steps.push(Step {
            name: model.to_string(),
            human: false,
            reach: walk.share(mass.reach),
            mass: mass.reach,
            full_cost,
            pass_rate: Some(unconditional[index]),
            given_rates: std::mem::take(&mut given_rates[index]),
            tracked: index < 64 && tracked & (1u64 << index) != 0,
            accepted_good: walk.share(mass.accepted_good),
            accepted_bad: walk.share(mass.accepted_bad),
            seconds,
        });
    }
    let sign_off = quality.sign_off.get(&workload.data_class);
    let human_id = sign_off.or(chain.human.as_ref());
    let review = match (sign_off, human_id) {
        (Some(_), _) => Review::SignOff,
        (None, Some(_)) => Review::Fallback,
        (None, None) => Review::None,
    };
    let outcome = walk.outcome(review);
    if let Some(id) = human_id {
        let human = market
            .catalogue
            .humans
            .get(id)
            .ok_or_else(|| QualityError::UnknownHuman(id.clone()))?;
        steps.push(Step {
            name: human.id.clone(),
            human: true,
            reach: walk.share(outcome.escalation),
            mass: outcome.escalation,
            full_cost: human.cost_per_item * requests,
            pass_rate: None,
            given_rates: Vec::new(),
            tracked: false,
            accepted_good: walk.share(outcome.escalation),
            accepted_bad: Decimal::ZERO,
            seconds: Some(human.review_latency_seconds),
        });
    }
    let human_cost = steps
        .iter()
        .filter(|step| step.human)
        .map(|step| walk.part(step.mass, step.full_cost))
        .sum();
    let expected_cost = steps
        .iter()
        .map(|step| walk.part(step.mass, step.full_cost))
        .sum();
    let mut outcomes = latency_outcomes(&steps, sign_off.is_some(), workload.batch_share);
    let latency = outcomes.as_mut().and_then(|list| latency_of(list));
    Ok(WorkloadWorkflow {
        workload: workload.name.clone(),
        requests: shape.requests,
        first_attempt_cost: steps[0].full_cost,
        sign_off: sign_off.is_some(),
        expected_cost,
        human_cost,
        success_rate: walk.share(outcome.success),
        accepted_bad_rate: walk.share(outcome.accepted_bad),
        failed_rate: walk.share(outcome.failed),
        rework_rate: walk.share(outcome.rework),
        escalation_rate: walk.share(outcome.escalation),
        outcomes,
        latency,
        latency_target: quality.latency_targets.get(&workload.name).copied(),
        steps,
    })
}

/// The month's cost of each model step of `chain` if every request of `workload` ran it: the
/// route's model on the first attempt, then each fallback model on a retry whose input adds
/// `retry_context` × the failed answer's output tokens (billed as uncached input).
pub fn chain_step_costs(
    market: Market,
    workload: &Workload,
    target: &Target,
    chain: &Chain,
) -> Result<Vec<Decimal>, QualityError> {
    let shape = workload
        .shape
        .as_ref()
        .ok_or_else(|| QualityError::NoRequests(workload.name.clone()))?;
    let context = retry_context_workload(workload, shape);
    let models =
        std::iter::once(target.model.as_str()).chain(chain.fallback.iter().map(String::as_str));
    let mut costs = Vec::new();
    for (index, model) in models.enumerate() {
        let step_target = Target {
            model: model.to_string(),
            ..target.clone()
        };
        let mut full_cost = cost_of(market, workload, &step_target)?;
        if index > 0 && !chain.retry_context.is_zero() {
            full_cost += chain.retry_context * cost_of(market, &context, &step_target)?;
        }
        costs.push(full_cost);
    }
    Ok(costs)
}

/// How likely a step's answer is correct: `passes` out of `total`. A rate r is r out of 1, a
/// known outcome 1 or 0 out of 1, eval counts their own counts. Kept as a ratio so that rates
/// counted from the same requests multiply back to exact counts (no 28-digit rounding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chance {
    pub passes: Decimal,
    pub total: Decimal,
}

impl Chance {
    pub fn rate(rate: Decimal) -> Chance {
        Chance {
            passes: rate,
            total: Decimal::ONE,
        }
    }

    /// A request whose true outcome is known: a pattern with probability 1.
    pub fn known(passed: bool) -> Chance {
        Chance::rate(if passed { Decimal::ONE } else { Decimal::ZERO })
    }

    /// A scenario's pass rate, as its eval counts when it has them.
    pub fn of(rate: &PassRate) -> Chance {
        match rate.evals {
            Some(evals) => Chance {
                passes: Decimal::from(evals.passes),
                total: Decimal::from(evals.total),
            },
            None => Chance::rate(rate.rate),
        }
    }

    /// The part of `mass` whose answer is correct.
    fn good(self, mass: Decimal) -> Decimal {
        scaled(mass, self.passes, self.total)
    }
}

/// `mass × value ÷ scale`, multiplying first (exact when the division comes out even), or
/// dividing first when the product would not fit a `Decimal`.
fn scaled(mass: Decimal, value: Decimal, scale: Decimal) -> Decimal {
    if scale == Decimal::ONE {
        return mass * value;
    }
    if scale.is_zero() {
        return Decimal::ZERO;
    }
    match mass.checked_mul(value) {
        Some(product) => product / scale,
        None => mass / scale * value,
    }
}

/// What happens to the requests the last model rejects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Review {
    /// They fail.
    None,
    /// A reviewer fixes them.
    Fallback,
    /// A reviewer signs off every answer (data-class sign-off): all succeed, all are reviewed.
    SignOff,
}

/// One model step of a walked chain, in the walk's unit (`ChainWalk::scale` = every request).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StepMass {
    /// Requests reaching the step.
    pub reach: Decimal,
    /// Correct answers the validator accepts.
    pub accepted_good: Decimal,
    /// Wrong answers the validator accepts (false accepts).
    pub accepted_bad: Decimal,
}

/// Outcome masses of a walked chain, in the walk's unit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChainOutcome {
    /// Answered correctly, or fixed by the reviewer.
    pub success: Decimal,
    /// Delivered wrong (false accepts).
    pub accepted_bad: Decimal,
    /// Rejected by the last model with no reviewer.
    pub failed: Decimal,
    /// First answer rejected.
    pub rework: Decimal,
    /// Reaching the reviewer.
    pub escalation: Decimal,
}

/// A chain walked over the patterns of earlier true outcomes: the closed form of a workload
/// (rates from the scenario) and the expectation of one logged request (known outcomes, each a
/// pattern of probability 1) are both this walk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainWalk {
    /// The mass of every request: 1, or the eval count of the first step's rate.
    pub scale: Decimal,
    pub steps: Vec<StepMass>,
    /// Rejected by the last model.
    pub rejected: Decimal,
}

impl ChainWalk {
    /// A mass as a share of all requests.
    pub fn share(&self, mass: Decimal) -> Decimal {
        scaled(mass, Decimal::ONE, self.scale)
    }

    /// `value` (a cost if every request ran the step) weighted by the share `mass` stands for.
    pub fn part(&self, mass: Decimal, value: Decimal) -> Decimal {
        scaled(mass, value, self.scale)
    }

    pub fn outcome(&self, review: Review) -> ChainOutcome {
        let accepted_good: Decimal = self.steps.iter().map(|s| s.accepted_good).sum();
        let accepted_bad: Decimal = self.steps.iter().map(|s| s.accepted_bad).sum();
        let rework = match self.steps.first() {
            Some(first) => self.scale - first.accepted_good - first.accepted_bad,
            None => Decimal::ZERO,
        };
        match review {
            Review::None => ChainOutcome {
                success: accepted_good,
                accepted_bad,
                failed: self.rejected,
                rework,
                escalation: Decimal::ZERO,
            },
            Review::Fallback => ChainOutcome {
                success: accepted_good + self.rejected,
                accepted_bad,
                failed: Decimal::ZERO,
                rework,
                escalation: self.rejected,
            },
            Review::SignOff => ChainOutcome {
                success: self.scale,
                accepted_bad: Decimal::ZERO,
                failed: Decimal::ZERO,
                rework,
                escalation: self.scale,
            },
        }
    }
}

/// Walks a chain of `steps` model steps, keeping apart the patterns of true outcomes of the
/// steps in `tracked` (a bit mask). At each step every pattern's mass m splits by `chance(step,
/// pattern)` = passes / total into good g = m·passes/total and bad m − g; the validator accepts
/// g·(1 − false_reject) and (m − g)·false_accept, and the rest moves on (as two patterns when
/// the step is tracked, else as one). With nothing tracked this is the independence formula.
pub fn walk_chain<E>(
    steps: usize,
    validator: Validator,
    scale: Decimal,
    tracked: u64,
    mut chance: impl FnMut(usize, History) -> Result<Chance, E>,
) -> Result<ChainWalk, E> {
    let keep_good = Decimal::ONE - validator.false_reject;
    let mut patterns: Vec<(History, Decimal)> = vec![(History::default(), scale)];
    let mut next = Vec::new();
    let mut masses = Vec::with_capacity(steps);
    for step in 0..steps {
        let split = step < 64 && tracked & (1u64 << step) != 0;
        let mut mass = StepMass::default();
        next.clear();
        for &(history, reach) in &patterns {
            if reach.is_zero() {
                continue;
            }
            let good = chance(step, history)?.good(reach);
            let bad = reach - good;
            let accepted_good = good * keep_good;
            let accepted_bad = bad * validator.false_accept;
            mass.reach += reach;
            mass.accepted_good += accepted_good;
            mass.accepted_bad += accepted_bad;
            if split {
                next.push((history.with(step, true), good - accepted_good));
                next.push((history.with(step, false), bad - accepted_bad));
            } else {
                next.push((history, reach - accepted_good - accepted_bad));
            }
        }
        masses.push(mass);
        std::mem::swap(&mut patterns, &mut next);
    }
    Ok(ChainWalk {
        scale,
        steps: masses,
        rejected: patterns.iter().map(|(_, mass)| *mass).sum(),
    })
}

/// When each share of a workload's requests gets its final answer.
fn latency_outcomes(
    steps: &[Step],
    sign_off: bool,
    batch_share: Decimal,
) -> Option<Vec<(Decimal, Decimal)>> {
    let live = Decimal::ONE - batch_share;
    let mut outcomes = Vec::new();
    if !batch_share.is_zero() {
        outcomes.push((BATCH_WINDOW_SECONDS, batch_share));
    }
    let human = steps.iter().find(|step| step.human);
    let review = match human {
        Some(step) => step.seconds?,
        None => Decimal::ZERO,
    };
    let mut elapsed = Decimal::ZERO;
    let mut last_reach = Decimal::ZERO;
    for step in steps.iter().filter(|step| !step.human) {
        elapsed += step.seconds?;
        let done = step.accepted_good + step.accepted_bad;
        let time = if sign_off { elapsed + review } else { elapsed };
        outcomes.push((time, done * live));
        last_reach = step.reach - done;
    }
    if !last_reach.is_zero() {
        let time = if human.is_some() {
            elapsed + review
        } else {
            elapsed
        };
        outcomes.push((time, last_reach * live));
    }
    outcomes.retain(|(_, share)| !share.is_zero());
    Some(outcomes)
}

/// Expected value and 95th percentile of a discrete latency distribution (sorts `outcomes`).
fn latency_of(outcomes: &mut [(Decimal, Decimal)]) -> Option<Latency> {
    outcomes.sort();
    let total: Decimal = outcomes.iter().map(|(_, share)| *share).sum();
    if total.is_zero() {
        return None;
    }
    let expected = outcomes.iter().map(|(t, share)| t * share).sum::<Decimal>() / total;
    let mut cumulative = Decimal::ZERO;
    let mut p95 = outcomes.last()?.0;
    for &(time, share) in outcomes.iter() {
        cumulative += share;
        if cumulative >= P95 * total {
            p95 = time;
            break;
        }
    }
    Some(Latency {
        expected_seconds: expected,
        p95_seconds: p95,
    })
}
