//! Monte Carlo of a month: volume and pass-rate uncertainty, failures drawn per chain step.
//!
//! Each trial draws a volume multiplier per workload (normal or lognormal around 1 with the
//! scenario's spread), a pass rate per eval-count entry (Beta(passes, fails), whose mean is the
//! closed form's passes / total), then walks every policy's chains: of the n requests reaching a
//! step, the good-and-accepted and the bad-but-accepted are binomial draws, and the rest move
//! on. A trial's cost is Σ requests at a step × that step's exact per-request cost. With
//! conditional pass rates (`given:`), the requests reaching a step are kept apart by their
//! pattern of earlier true outcomes, and each pattern draws with its own rate.
//!
//! Determinism: trial `t` has its own generator seeded from `(seed, t)`, and trials are
//! collected in index order, so the same seed gives the same bytes whatever the thread count.
//! Money: per-trial totals are f64 (sampled quantities); the reported means are exact `Decimal`
//! sums of integer request counts × exact per-request costs, and percentiles are the f64 totals
//! rounded to cents.

use rand::{Rng, SeedableRng};
use rand_distr::{Beta, Binomial, Distribution as _, LogNormal, Normal};
use rand_pcg::Pcg64Mcg;
use rayon::prelude::*;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::breakdown::{CostLine, Evaluation};
use super::evaluate::{price_workload, EngineError, Market};
use super::quality::WorkflowEvaluation;
use crate::model::catalogue::Catalogue;
use crate::model::quality::{Distribution, History, Spread};
use crate::model::scenario::{RequestShape, Scenario, Target, Workload};

/// Trials per parallel chunk: large enough to amortize scheduling, small for a smooth bar.
const CHUNK: u64 = 1_000;
/// Units a workload given as monthly totals is split into (it has no request count).
const UNITS_WITHOUT_REQUESTS: u64 = 1_000_000;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SimulateError {
    #[error("--trials must be at least 1")]
    NoTrials,
    #[error("workload '{0}' has an impossible volume distribution")]
    BadSpread(String),
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// What to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    pub trials: u64,
    pub seed: u64,
    pub budget: Option<Decimal>,
}

/// A pass rate as the simulation draws it.
#[derive(Clone, Copy, Debug)]
enum PassDraw {
    Fixed(f64),
    Beta(Beta<f64>),
}

#[derive(Clone, Debug)]
struct StepPlan {
    /// Index into the pass draws; `None` always accepts (scenarios without quality).
    pass: Option<usize>,
    /// Conditional rates used instead of `pass` for requests with these earlier outcomes,
    /// sorted by pattern.
    given: Vec<(History, usize)>,
    /// Whether later steps' rates depend on this step's true outcome: the rejected requests
    /// are then split into rejected-good and rejected-bad patterns.
    tracked: bool,
    false_accept: f64,
    false_reject: f64,
    /// Per-request cost (of a standard-context request when `long` is given).
    cost: f64,
    /// With a token distribution crossing the model's long-context threshold: the share of
    /// requests above it and their mean per-request cost.
    long: Option<(f64, f64)>,
}

#[derive(Clone, Debug)]
struct ChainPlan {
    workload: usize,
    steps: Vec<StepPlan>,
    /// Per-item cost of the reviewer at the end, and whether every item goes to it.
    human: Option<(f64, bool)>,
}

#[derive(Clone, Debug)]
struct WorkloadPlan {
    requests: u64,
    volume: Option<VolumeDraw>,
}

#[derive(Clone, Copy, Debug)]
enum VolumeDraw {
    Normal(Normal<f64>),
    LogNormal(LogNormal<f64>),
}

/// Everything a trial needs, precomputed from the exact evaluation.
#[derive(Clone, Debug)]
pub struct Plan {
    workloads: Vec<WorkloadPlan>,
    passes: Vec<PassDraw>,
    policies: Vec<Vec<ChainPlan>>,
    /// Exact per-request cost of every (policy, chain, step), reviewer last, in walk order.
    exact_costs: Vec<Decimal>,
    /// Where each policy's slots start in `exact_costs`.
    slot_start: Vec<usize>,
    names: Vec<String>,
    closed_form: Vec<Decimal>,
    baseline: usize,
    with_quality: bool,
}

fn f64_of(value: Decimal) -> f64 {
    value.to_f64().unwrap_or(0.0)
}

fn volume_draw(spread: Spread) -> Option<VolumeDraw> {
    let s = f64_of(spread.spread);
    match spread.distribution {
        Distribution::Normal => Normal::new(1.0, s).ok().map(VolumeDraw::Normal),
        Distribution::LogNormal => {
            let sigma2 = (1.0 + s * s).ln();
            LogNormal::new(-sigma2 / 2.0, sigma2.sqrt())
                .ok()
                .map(VolumeDraw::LogNormal)
        }
    }
}

impl Plan {
    /// A plan from a scenario with a `quality:` section and its exact workflow evaluation.
    pub fn with_quality(
        scenario: &Scenario,
        catalogue: &Catalogue,
        workflow: &WorkflowEvaluation,
    ) -> Result<Plan, SimulateError> {
        let market = Market::of(scenario, catalogue);
        let quality = scenario.quality.as_ref();
        let passes = quality
            .map(|q| q.pass_rates.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|rate| match rate.evals {
                Some(evals) if evals.passes > 0 && evals.passes < evals.total => {
                    Beta::new(evals.passes as f64, (evals.total - evals.passes) as f64)
                        .map(PassDraw::Beta)
                        .unwrap_or(PassDraw::Fixed(f64_of(rate.rate)))
                }
                _ => PassDraw::Fixed(f64_of(rate.rate)),
            })
            .collect();
        let workloads = workload_plans(scenario, |index| {
            workflow
                .policies
                .first()
                .map_or(0, |p| p.workloads[index].requests)
        })?;
        let mut plan = Plan::empty(scenario, workloads, passes, true);
        for (policy_index, policy) in workflow.policies.iter().enumerate() {
            plan.slot_start.push(plan.exact_costs.len());
            let mut chains = Vec::new();
            let policy_spec = &scenario.policies[policy_index];
            for (workload_index, flow) in policy.workloads.iter().enumerate() {
                let requests = Decimal::from(flow.requests.max(1));
                let chain = quality.and_then(|q| {
                    super::quality::chain_for(q, policy_spec, &scenario.workloads[workload_index])
                });
                let validator = chain.map(|(_, c)| c.validator).unwrap_or_default();
                let workload = &scenario.workloads[workload_index];
                let mut steps = Vec::new();
                let mut human = None;
                for step in &flow.steps {
                    let per_request = step.full_cost / requests;
                    if step.human {
                        plan.exact_costs.push(per_request);
                        human = Some((f64_of(per_request), flow.sign_off));
                        continue;
                    }
                    let target = chain.map(|(target, _)| Target {
                        model: step.name.clone(),
                        ..target.clone()
                    });
                    let (cost, long) =
                        plan.step_costs(market, scenario, workload, target.as_ref(), per_request)?;
                    steps.push(StepPlan {
                        pass: step.pass_rate,
                        given: {
                            let mut given = step.given_rates.clone();
                            given.sort_unstable();
                            given
                        },
                        tracked: step.tracked,
                        false_accept: f64_of(validator.false_accept),
                        false_reject: f64_of(validator.false_reject),
                        cost,
                        long,
                    });
                }
                chains.push(ChainPlan {
                    workload: workload_index,
                    steps,
                    human,
                });
            }
            plan.policies.push(chains);
            plan.closed_form.push(policy.expected_cost);
        }
        Ok(plan)
    }

    /// A plan for a scenario without quality data: each workload's first-attempt cost, split
    /// into units so the volume draw can scale it; every answer is accepted.
    pub fn without_quality(
        scenario: &Scenario,
        catalogue: &Catalogue,
        evaluation: &Evaluation,
    ) -> Result<Plan, SimulateError> {
        let market = Market::of(scenario, catalogue);
        let units = |index: usize| {
            scenario.workloads[index]
                .shape
                .as_ref()
                .map_or(UNITS_WITHOUT_REQUESTS, |shape| shape.requests.max(1))
        };
        let workloads = workload_plans(scenario, units)?;
        let mut plan = Plan::empty(scenario, workloads, Vec::new(), false);
        for policy in &evaluation.policies {
            plan.slot_start.push(plan.exact_costs.len());
            let mut chains = Vec::new();
            for (index, workload) in scenario.workloads.iter().enumerate() {
                let cost: Decimal = policy
                    .lines
                    .iter()
                    .filter(|line| line.workload == workload.name)
                    .map(|line| line.cost)
                    .sum();
                let per_unit = cost / Decimal::from(units(index));
                let spec = scenario.policy(&policy.policy);
                let target = spec.and_then(|p| p.route(workload));
                let (cost, long) = plan.step_costs(market, scenario, workload, target, per_unit)?;
                chains.push(ChainPlan {
                    workload: index,
                    steps: vec![StepPlan {
                        pass: None,
                        given: Vec::new(),
                        tracked: false,
                        false_accept: 0.0,
                        false_reject: 0.0,
                        cost,
                        long,
                    }],
                    human: None,
                });
            }
            plan.policies.push(chains);
            plan.closed_form.push(policy.total);
        }
        Ok(plan)
    }

    fn empty(
        scenario: &Scenario,
        workloads: Vec<WorkloadPlan>,
        passes: Vec<PassDraw>,
        with_quality: bool,
    ) -> Plan {
        Plan {
            workloads,
            passes,
            policies: Vec::new(),
            exact_costs: Vec::new(),
            slot_start: Vec::new(),
            names: scenario.policies.iter().map(|p| p.name.clone()).collect(),
            closed_form: Vec::new(),
            baseline: scenario
                .policies
                .iter()
                .position(|p| p.name == scenario.baseline)
                .unwrap_or(0),
            with_quality,
        }
    }

    fn slots(&self) -> usize {
        self.exact_costs.len()
    }

    /// Records the exact cost of one step per request (split into below and above the
    /// long-context threshold when the workload's request sizes are spread) and returns it as
    /// the simulation's f64 cost, with the long-context share and cost when split.
    fn step_costs(
        &mut self,
        market: Market,
        scenario: &Scenario,
        workload: &Workload,
        target: Option<&Target>,
        per_request: Decimal,
    ) -> Result<(f64, Option<(f64, f64)>), EngineError> {
        let split = match (
            target,
            scenario.uncertainty.input_tokens.get(&workload.name),
        ) {
            (Some(target), Some(spread)) => {
                token_split(market, workload, target, *spread, per_request)?
            }
            _ => None,
        };
        Ok(match split {
            Some((standard, share, long)) => {
                self.exact_costs.push(standard);
                self.exact_costs.push(long);
                (f64_of(standard), Some((share, f64_of(long))))
            }
            None => {
                self.exact_costs.push(per_request);
                (f64_of(per_request), None)
            }
        })
    }
}

/// Per-request cost of `workload` on `target` with every request of `input` tokens.
fn cost_per_request(
    market: Market,
    workload: &Workload,
    target: &Target,
    shape: &RequestShape,
    input: u64,
) -> Result<Decimal, EngineError> {
    let sized = Workload {
        input_tokens: shape.requests.saturating_mul(input),
        output_tokens: shape
            .requests
            .saturating_mul(shape.output_tokens_per_request),
        shape: Some(RequestShape {
            input_tokens_per_request: input,
            ..shape.clone()
        }),
        ..workload.clone()
    };
    let mut lines: Vec<CostLine> = Vec::new();
    price_workload(market, &sized, target, &mut lines, &mut Vec::new())?;
    let total: Decimal = lines.iter().map(|line| line.cost).sum();
    Ok(total / Decimal::from(shape.requests.max(1)))
}

/// Intercept and slope of the per-request cost in input tokens, between two request sizes in
/// the same context (costs are linear in tokens within a context).
fn line_through(
    market: Market,
    workload: &Workload,
    target: &Target,
    shape: &RequestShape,
    (x1, x2): (u64, u64),
) -> Result<(f64, f64), EngineError> {
    let c1 = cost_per_request(market, workload, target, shape, x1)?;
    let c2 = cost_per_request(market, workload, target, shape, x2)?;
    let slope = f64_of(c2 - c1) / (x2 - x1) as f64;
    Ok((f64_of(c1) - slope * x1 as f64, slope))
}

/// The standard normal distribution function, from erfc (Numerical Recipes' Chebyshev fit,
/// relative error below 1.2e-7).
fn normal_cdf(z: f64) -> f64 {
    let x = -z / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * x.abs());
    let poly = -x * x - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let erfc = t * poly.exp();
    let erfc = if x >= 0.0 { erfc } else { 2.0 - erfc };
    erfc / 2.0
}

/// With lognormal input tokens per request (mean = the workload's, coefficient of variation
/// `spread`), the share q of requests above the model's long-context threshold T and the
/// mean per-request cost of each side: (standard cost, q, long cost). `None` when the model
/// has no threshold or no request can cross it. `mean_cost` is the per-request cost at the
/// mean size (retry context included); what it holds beyond the size-dependent part is kept.
fn token_split(
    market: Market,
    workload: &Workload,
    target: &Target,
    spread: Spread,
    mean_cost: Decimal,
) -> Result<Option<(Decimal, f64, Decimal)>, EngineError> {
    let Some(shape) = &workload.shape else {
        return Ok(None);
    };
    let model = market
        .catalogue
        .model(&target.model)
        .ok_or_else(|| EngineError::UnknownModel(target.model.clone()))?;
    let set = super::prices::price_set(model, market.as_of)?;
    let Some(threshold) = set.long_context.as_ref().map(|l| l.above_input_tokens) else {
        return Ok(None);
    };
    let s = f64_of(spread.spread);
    let mean = shape.input_tokens_per_request as f64;
    if s <= 0.0 || mean <= 0.0 || threshold == 0 {
        return Ok(None);
    }
    let sigma2 = (1.0 + s * s).ln();
    let sigma = sigma2.sqrt();
    let mu = mean.ln() - sigma2 / 2.0;
    let ln_t = (threshold as f64).ln();
    let q = 1.0 - normal_cdf((ln_t - mu) / sigma);
    if !(1e-12..=1.0 - 1e-12).contains(&q) {
        return Ok(None);
    }
    // E[x; x > T] for a lognormal: mean · Φ((μ + σ² − ln T) / σ).
    let above = mean * normal_cdf((mu + sigma2 - ln_t) / sigma);
    let (mean_long, mean_standard) = (above / q, (mean - above) / (1.0 - q));
    let (a_s, b_s) = line_through(market, workload, target, shape, (0, threshold))?;
    let (a_l, b_l) = line_through(
        market,
        workload,
        target,
        shape,
        (threshold + 1, 2 * threshold + 2),
    )?;
    let at_mean = if shape.input_tokens_per_request > threshold {
        a_l + b_l * mean
    } else {
        a_s + b_s * mean
    };
    let extra = f64_of(mean_cost) - at_mean;
    let money = |value: f64| Decimal::from_f64_retain(value).unwrap_or_default();
    Ok(Some((
        money(a_s + b_s * mean_standard + extra),
        q,
        money(a_l + b_l * mean_long + extra),
    )))
}

fn workload_plans(
    scenario: &Scenario,
    requests: impl Fn(usize) -> u64,
) -> Result<Vec<WorkloadPlan>, SimulateError> {
    scenario
        .workloads
        .iter()
        .enumerate()
        .map(|(index, workload)| {
            let volume = match scenario.uncertainty.volume_of(&workload.name) {
                Some(spread) if !spread.spread.is_zero() => Some(
                    volume_draw(spread)
                        .ok_or_else(|| SimulateError::BadSpread(workload.name.clone()))?,
                ),
                _ => None,
            };
            Ok(WorkloadPlan {
                requests: requests(index),
                volume,
            })
        })
        .collect()
}

/// The generator of trial `trial`: SplitMix64 of the seed and index, so neighbouring trials
/// and seeds get unrelated streams.
fn trial_rng(seed: u64, trial: u64) -> Pcg64Mcg {
    let mut z = seed
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(trial)
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    Pcg64Mcg::seed_from_u64(z)
}

fn binomial<R: Rng>(rng: &mut R, n: u64, p: f64) -> u64 {
    if n == 0 || p <= 0.0 {
        0
    } else if p >= 1.0 {
        n
    } else {
        Binomial::new(n, p).map_or(0, |d| d.sample(rng))
    }
}

/// One trial's outcome per policy, and its request counts per slot.
struct Chunk {
    costs: Vec<f64>,
    successes: Vec<u64>,
    counts: Vec<u128>,
    requests: u128,
}

fn run_trial(plan: &Plan, seed: u64, trial: u64, chunk: &mut Chunk, scratch: &mut Scratch) {
    let mut rng = trial_rng(seed, trial);
    scratch.requests.clear();
    for workload in &plan.workloads {
        let multiplier = match workload.volume {
            None => 1.0,
            Some(VolumeDraw::Normal(d)) => d.sample(&mut rng).max(0.0),
            Some(VolumeDraw::LogNormal(d)) => d.sample(&mut rng),
        };
        let n = (workload.requests as f64 * multiplier).round() as u64;
        scratch.requests.push(n);
        chunk.requests += u128::from(n);
    }
    scratch.passes.clear();
    for pass in &plan.passes {
        scratch.passes.push(match pass {
            PassDraw::Fixed(p) => *p,
            PassDraw::Beta(d) => d.sample(&mut rng),
        });
    }
    let mut slot = 0;
    for chains in &plan.policies {
        let mut cost = 0.0;
        let mut successes = 0u64;
        for chain in chains {
            let total = scratch.requests[chain.workload];
            let mut n = total;
            let mut good_total = 0;
            // Requests still in the chain by pattern of earlier true outcomes: one pattern
            // unless a later step's pass rate is conditional on an earlier outcome.
            scratch.patterns.clear();
            scratch.patterns.push((History::default(), total));
            for (index, step) in chain.steps.iter().enumerate() {
                match step.long {
                    None => {
                        chunk.counts[slot] += u128::from(n);
                        cost += n as f64 * step.cost;
                        slot += 1;
                    }
                    Some((share, long_cost)) => {
                        let long = binomial(&mut rng, n, share);
                        chunk.counts[slot] += u128::from(n - long);
                        chunk.counts[slot + 1] += u128::from(long);
                        cost += (n - long) as f64 * step.cost + long as f64 * long_cost;
                        slot += 2;
                    }
                }
                scratch.next.clear();
                for &(history, reaching) in &scratch.patterns {
                    if reaching == 0 {
                        // Draws of nothing take no random numbers: skipping them changes nothing.
                        continue;
                    }
                    let pass = step
                        .given
                        .binary_search_by_key(&history, |&(pattern, _)| pattern)
                        .map(|found| step.given[found].1)
                        .ok()
                        .or(step.pass);
                    let p = pass.map_or(1.0, |i| scratch.passes[i]);
                    let accept_good = p * (1.0 - step.false_reject);
                    let accept_bad = (1.0 - p) * step.false_accept;
                    let good = binomial(&mut rng, reaching, accept_good);
                    let bad = if accept_bad > 0.0 {
                        binomial(&mut rng, reaching - good, accept_bad / (1.0 - accept_good))
                    } else {
                        0
                    };
                    good_total += good;
                    n -= good + bad;
                    let rejected = reaching - good - bad;
                    if step.tracked {
                        // Of the rejected, the correct answers (false rejects) are a share
                        // p·false_reject / (1 − accept_good − accept_bad).
                        let left = 1.0 - accept_good - accept_bad;
                        let share = if left > 0.0 {
                            p * step.false_reject / left
                        } else {
                            0.0
                        };
                        let rejected_good = binomial(&mut rng, rejected, share);
                        scratch
                            .next
                            .push((history.with(index, true), rejected_good));
                        scratch
                            .next
                            .push((history.with(index, false), rejected - rejected_good));
                    } else {
                        scratch.next.push((history, rejected));
                    }
                }
                std::mem::swap(&mut scratch.patterns, &mut scratch.next);
            }
            match chain.human {
                Some((per_item, sign_off)) => {
                    let reviewed = if sign_off { total } else { n };
                    chunk.counts[slot] += u128::from(reviewed);
                    cost += reviewed as f64 * per_item;
                    slot += 1;
                    successes += if sign_off { total } else { good_total + n };
                }
                None => successes += good_total,
            }
        }
        chunk.costs.push(cost);
        chunk.successes.push(successes);
    }
}

#[derive(Default)]
struct Scratch {
    requests: Vec<u64>,
    passes: Vec<f64>,
    patterns: Vec<(History, u64)>,
    next: Vec<(History, u64)>,
}

/// Percentiles and mean of one quantity across trials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    pub mean: Decimal,
    pub p5: Decimal,
    pub p50: Decimal,
    pub p95: Decimal,
    pub p99: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicySimulation {
    pub policy: String,
    /// The closed-form expectation the mean converges to.
    pub expected: Decimal,
    pub cost: Summary,
    /// Standard error of the mean monthly cost.
    pub standard_error: Decimal,
    /// Cost per successful task; `None` without quality data.
    pub per_success: Option<Summary>,
    pub success_rate: Option<Decimal>,
    /// Share of trials in which this policy costs less than the baseline; `None` for it.
    pub beats_baseline: Option<Decimal>,
    pub over_budget: Option<Decimal>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Simulation {
    pub settings: Settings,
    pub baseline: String,
    pub policies: Vec<PolicySimulation>,
}

/// Runs the plan; `progress` is told how many trials finished, chunk by chunk.
pub fn simulate(
    plan: &Plan,
    settings: Settings,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Simulation, SimulateError> {
    if settings.trials == 0 {
        return Err(SimulateError::NoTrials);
    }
    let policies = plan.policies.len();
    let chunks = settings.trials.div_ceil(CHUNK);
    let results: Vec<Chunk> = (0..chunks)
        .into_par_iter()
        .map(|index| {
            let start = index * CHUNK;
            let end = (start + CHUNK).min(settings.trials);
            let size = (end - start) as usize;
            let mut chunk = Chunk {
                costs: Vec::with_capacity(size * policies),
                successes: Vec::with_capacity(size * policies),
                counts: vec![0; plan.slots()],
                requests: 0,
            };
            let mut scratch = Scratch::default();
            for trial in start..end {
                run_trial(plan, settings.seed, trial, &mut chunk, &mut scratch);
            }
            progress(end - start);
            chunk
        })
        .collect();

    let trials = settings.trials as usize;
    let mut costs = vec![Vec::with_capacity(trials); policies];
    let mut successes = vec![Vec::with_capacity(trials); policies];
    let mut counts = vec![0u128; plan.slots()];
    for chunk in &results {
        for (index, cost) in chunk.costs.iter().enumerate() {
            costs[index % policies].push(*cost);
        }
        for (index, success) in chunk.successes.iter().enumerate() {
            successes[index % policies].push(*success);
        }
        for (total, count) in counts.iter_mut().zip(&chunk.counts) {
            *total += count;
        }
    }
    let trials_decimal = Decimal::from(settings.trials);
    let baseline_costs = costs[plan.baseline].clone();
    let mut out = Vec::new();
    for policy in 0..policies {
        let start = plan.slot_start[policy];
        let end = plan
            .slot_start
            .get(policy + 1)
            .copied()
            .unwrap_or(plan.slots());
        let total_cost: Decimal = (start..end)
            .map(|slot| Decimal::from(counts[slot]) * plan.exact_costs[slot])
            .sum();
        let mean = total_cost / trials_decimal;
        let total_successes: u128 = successes[policy].iter().map(|&s| u128::from(s)).sum();
        let total_requests: u128 = results.iter().map(|c| c.requests).sum();
        let ratios: Vec<f64> = costs[policy]
            .iter()
            .zip(&successes[policy])
            .filter(|(_, &s)| s > 0)
            .map(|(&c, &s)| c / s as f64)
            .collect();
        let per_success = (plan.with_quality && total_successes > 0)
            .then(|| summary(total_cost / Decimal::from(total_successes), &ratios, 6));
        let beats = (policy != plan.baseline).then(|| {
            let wins = costs[policy]
                .iter()
                .zip(&baseline_costs)
                .filter(|(cost, baseline)| cost < baseline)
                .count();
            Decimal::from(wins) / trials_decimal
        });
        let over = settings.budget.map(|budget| {
            let limit = f64_of(budget);
            let over = costs[policy].iter().filter(|&&cost| cost > limit).count();
            Decimal::from(over) / trials_decimal
        });
        out.push(PolicySimulation {
            policy: plan.names[policy].clone(),
            expected: plan.closed_form[policy],
            standard_error: standard_error(&costs[policy]),
            cost: summary(mean, &costs[policy], 2),
            per_success,
            success_rate: (plan.with_quality && total_requests > 0)
                .then(|| Decimal::from(total_successes) / Decimal::from(total_requests)),
            beats_baseline: beats,
            over_budget: over,
        });
    }
    Ok(Simulation {
        settings,
        baseline: plan.names[plan.baseline].clone(),
        policies: out,
    })
}

fn decimal_of(value: f64, places: u32) -> Decimal {
    Decimal::from_f64_retain(value)
        .unwrap_or_default()
        .round_dp(places)
}

/// Nearest-rank percentiles of `values` (sorted here); `mean` is given exactly by the caller.
fn summary(mean: Decimal, values: &[f64], places: u32) -> Summary {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| -> Decimal {
        if sorted.is_empty() {
            return Decimal::ZERO;
        }
        let rank = (q * sorted.len() as f64).ceil() as usize;
        decimal_of(sorted[rank.clamp(1, sorted.len()) - 1], places)
    };
    Summary {
        mean,
        p5: at(0.05),
        p50: at(0.50),
        p95: at(0.95),
        p99: at(0.99),
    }
}

/// Sample standard deviation / √n, summed in trial order (deterministic).
fn standard_error(values: &[f64]) -> Decimal {
    let n = values.len() as f64;
    if values.len() < 2 {
        return Decimal::ZERO;
    }
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
    decimal_of((variance / n).sqrt(), 4)
}
