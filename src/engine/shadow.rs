//! Shadow evaluation: a policy's fallback chain replayed on one logged request's real outcomes.
//!
//! A log with per-model outcomes (did each candidate model answer this request correctly?)
//! says which chain steps a request would have passed. The validator is still noisy, so the
//! result is an exact expectation, not a sample: a request with known outcomes is a single
//! pattern of probability 1 walked through the same chain walk as the scenario's closed form
//! ([`walk_chain`]); a step whose outcome the log lacks falls back to its pass rate, and is
//! reported. [`ShadowAggregate`] sums many requests of one chain (a group of alike requests
//! counts once, weighted by its count) and keeps the marginal pass counts of the same
//! requests, so the independence formula's prediction can be shown beside the replayed one.
//!
//! Units: an expectation is per request (shares in 0–1, costs in USD); a total is a sum over
//! requests (counts and USD). Everything is exact `Decimal` arithmetic.

use rust_decimal::Decimal;

use super::evaluate::{EngineError, Market};
use super::quality::{
    chain_for, chain_step_costs, walk_chain, ChainWalk, Chance, QualityError, Review,
};
use crate::model::catalogue::Catalogue;
use crate::model::quality::Validator;
use crate::model::scenario::{Policy, Scenario, Workload};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShadowError {
    #[error("the request gives {given} chain steps, and the chain has {expected}")]
    StepCount { given: usize, expected: usize },
    #[error("pass rate {rate} of chain step {step} is outside 0–1")]
    RateOutside { step: usize, rate: Decimal },
    #[error("validator rates must lie in 0–1")]
    Validator,
    #[error("the chains differ: '{0}' and '{1}'")]
    DifferentChains(String, String),
}

/// A policy's chain as the requests it serves meet it: model steps, then what happens to the
/// requests the last model rejects, and the validator judging every answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShadowChain {
    pub models: Vec<String>,
    pub review: Review,
    pub validator: Validator,
}

impl ShadowChain {
    /// `a → b → reviewer`, for messages.
    pub fn label(&self) -> String {
        let mut label = self.models.join(" → ");
        match self.review {
            Review::None => {}
            Review::Fallback => label.push_str(" → reviewer"),
            Review::SignOff => label.push_str(" (sign-off)"),
        }
        label
    }
}

/// What shadow evaluation needs of a scenario for the requests of one workload under one
/// policy: the chain, each step's cost per request, the reviewer and the fallback pass rates.
/// A replay can write one request (or a segment of alike requests) as a workload and ask.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainPlan {
    pub chain: ShadowChain,
    /// The reviewer at the end of the chain or signing off every answer.
    pub human: Option<String>,
    /// Per request: each model step's exact cost (first attempt, then retries with context).
    pub step_costs: Vec<Decimal>,
    /// The reviewer's cost per item (0 without one).
    pub human_cost: Decimal,
    /// Each model's unconditional pass rate on the workload, used when an outcome is unknown.
    pub pass_rates: Vec<Decimal>,
}

impl ChainPlan {
    /// The steps of a request with these outcomes (one per chain model, in order; missing
    /// entries count as unknown).
    pub fn cases(&self, outcomes: &[Option<bool>]) -> Vec<StepCase> {
        self.step_costs
            .iter()
            .zip(&self.pass_rates)
            .enumerate()
            .map(|(step, (&cost, &pass_rate))| StepCase {
                cost,
                outcome: outcomes.get(step).copied().flatten(),
                pass_rate,
            })
            .collect()
    }
}

/// The chain that serves `workload` under `policy`, priced as the closed form prices it.
pub fn chain_plan(
    scenario: &Scenario,
    catalogue: &Catalogue,
    policy: &Policy,
    workload: &Workload,
) -> Result<ChainPlan, QualityError> {
    let quality = scenario.quality.as_ref().ok_or(QualityError::NoQuality)?;
    let (target, chain) =
        chain_for(quality, policy, workload).ok_or_else(|| EngineError::Unrouted {
            policy: policy.name.clone(),
            workload: workload.name.clone(),
        })?;
    let requests = match &workload.shape {
        Some(shape) if shape.requests > 0 => Decimal::from(shape.requests),
        _ => return Err(QualityError::NoRequests(workload.name.clone())),
    };
    let models: Vec<String> = std::iter::once(target.model.clone())
        .chain(chain.fallback.iter().cloned())
        .collect();
    let mut pass_rates = Vec::with_capacity(models.len());
    for model in &models {
        let rate = quality
            .pass_rate(model, workload)
            .ok_or_else(|| QualityError::NoPassRate {
                model: model.clone(),
                workload: workload.name.clone(),
            })?;
        pass_rates.push(rate.rate);
    }
    let market = Market::of(scenario, catalogue);
    let step_costs = chain_step_costs(market, workload, target, chain)?
        .into_iter()
        .map(|full| full / requests)
        .collect();
    let sign_off = quality.sign_off.get(&workload.data_class);
    let human = sign_off.or(chain.human.as_ref()).cloned();
    let human_cost = match &human {
        Some(id) => {
            catalogue
                .humans
                .get(id)
                .ok_or_else(|| QualityError::UnknownHuman(id.clone()))?
                .cost_per_item
        }
        None => Decimal::ZERO,
    };
    let review = match (sign_off, &human) {
        (Some(_), _) => Review::SignOff,
        (None, Some(_)) => Review::Fallback,
        (None, None) => Review::None,
    };
    Ok(ChainPlan {
        chain: ShadowChain {
            models,
            review,
            validator: chain.validator,
        },
        human,
        step_costs,
        human_cost,
        pass_rates,
    })
}

/// One chain step for one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepCase {
    /// The request's exact cost on this step; a retry's includes its retry context.
    pub cost: Decimal,
    /// Whether this model answers the request correctly; `None` when the log does not say.
    pub outcome: Option<bool>,
    /// The chance of a correct answer used when `outcome` is `None`.
    pub pass_rate: Decimal,
}

/// The exact expectation for one request (shares of 0–1, costs in USD).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShadowExpectation {
    /// Model calls and review.
    pub cost: Decimal,
    /// Answered correctly and accepted, or fixed by a reviewer.
    pub success: Decimal,
    /// Wrong and accepted (validator false accepts).
    pub accepted_bad: Decimal,
    /// Rejected by the last model with no reviewer.
    pub failed: Decimal,
    /// First answer rejected.
    pub rework: Decimal,
    /// Reaching a human reviewer.
    pub escalation: Decimal,
    pub human_cost: Decimal,
    /// Probability of reaching each model step.
    pub reach: Vec<Decimal>,
    /// Which steps used their pass rate because the outcome was unknown.
    pub assumed: Vec<bool>,
}

fn check_rates(chain: &ShadowChain, steps: &[StepCase]) -> Result<(), ShadowError> {
    if steps.len() != chain.models.len() {
        return Err(ShadowError::StepCount {
            given: steps.len(),
            expected: chain.models.len(),
        });
    }
    let share = |value: Decimal| (Decimal::ZERO..=Decimal::ONE).contains(&value);
    if !share(chain.validator.false_accept) || !share(chain.validator.false_reject) {
        return Err(ShadowError::Validator);
    }
    for (step, case) in steps.iter().enumerate() {
        if case.outcome.is_none() && !share(case.pass_rate) {
            return Err(ShadowError::RateOutside {
                step,
                rate: case.pass_rate,
            });
        }
    }
    Ok(())
}

/// Costs weighted by a walk: Σ reach_k × cost_k + escalation × per-item review cost, in the
/// walk's unit.
fn walk_cost(
    walk: &ChainWalk,
    costs: impl Iterator<Item = Decimal>,
    escalation: Decimal,
    human: Decimal,
) -> (Decimal, Decimal) {
    let models: Decimal = walk
        .steps
        .iter()
        .zip(costs)
        .map(|(step, cost)| walk.part(step.reach, cost))
        .sum();
    let human = walk.part(escalation, human);
    (models + human, human)
}

/// The exact expectation of one request on `chain`: each step's answer is correct when the
/// log says so (else with its pass rate), the validator accepts a correct answer with
/// probability 1 − false_reject and a wrong one with probability false_accept, and rejected
/// requests move on. `human_cost` is the reviewer's cost per item (unused without one).
pub fn expect(
    chain: &ShadowChain,
    steps: &[StepCase],
    human_cost: Decimal,
) -> Result<ShadowExpectation, ShadowError> {
    check_rates(chain, steps)?;
    let walk = walk_chain(steps.len(), chain.validator, Decimal::ONE, 0, |step, _| {
        Ok::<_, ShadowError>(match steps[step].outcome {
            Some(passed) => Chance::known(passed),
            None => Chance::rate(steps[step].pass_rate),
        })
    })?;
    let outcome = walk.outcome(chain.review);
    let (cost, human) = walk_cost(
        &walk,
        steps.iter().map(|step| step.cost),
        outcome.escalation,
        human_cost,
    );
    Ok(ShadowExpectation {
        cost,
        success: outcome.success,
        accepted_bad: outcome.accepted_bad,
        failed: outcome.failed,
        rework: outcome.rework,
        escalation: outcome.escalation,
        human_cost: human,
        reach: walk.steps.iter().map(|step| step.reach).collect(),
        assumed: steps.iter().map(|step| step.outcome.is_none()).collect(),
    })
}

/// Expected totals over many requests: counts of requests and USD.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShadowTotals {
    pub requests: u64,
    pub cost: Decimal,
    pub successes: Decimal,
    pub accepted_bad: Decimal,
    pub failed: Decimal,
    pub reworked: Decimal,
    pub escalated: Decimal,
    pub human_cost: Decimal,
}

impl ShadowTotals {
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
        (!self.successes.is_zero()).then(|| self.cost / self.successes)
    }

    /// Adds `count` requests with this expectation.
    pub fn add(&mut self, expectation: &ShadowExpectation, count: u64) {
        let n = Decimal::from(count);
        self.requests += count;
        self.cost += n * expectation.cost;
        self.successes += n * expectation.success;
        self.accepted_bad += n * expectation.accepted_bad;
        self.failed += n * expectation.failed;
        self.reworked += n * expectation.rework;
        self.escalated += n * expectation.escalation;
        self.human_cost += n * expectation.human_cost;
    }

    pub fn merge(&mut self, other: &ShadowTotals) {
        self.requests += other.requests;
        self.cost += other.cost;
        self.successes += other.successes;
        self.accepted_bad += other.accepted_bad;
        self.failed += other.failed;
        self.reworked += other.reworked;
        self.escalated += other.escalated;
        self.human_cost += other.human_cost;
    }
}

/// What the requests of one chain say about one of its steps.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StepTally {
    /// Σ the step's cost over the requests (whether or not they reach it).
    pub cost: Decimal,
    /// Requests whose outcome on this model is known, and how many of them pass.
    pub known: u64,
    pub passes: u64,
    /// Requests whose outcome is not known, and Σ of the pass rates they used instead.
    pub assumed: u64,
    pub assumed_passes: Decimal,
}

/// Many requests of one chain: their replayed expectation, and what their marginal pass
/// rates would predict under independence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShadowAggregate {
    pub chain: ShadowChain,
    /// The replayed expectation, summed over requests.
    pub totals: ShadowTotals,
    pub steps: Vec<StepTally>,
    /// Σ the reviewer's per-item cost over the requests.
    pub human_cost: Decimal,
}

impl ShadowAggregate {
    pub fn new(chain: ShadowChain) -> Self {
        let steps = vec![StepTally::default(); chain.models.len()];
        ShadowAggregate {
            chain,
            totals: ShadowTotals::default(),
            steps,
            human_cost: Decimal::ZERO,
        }
    }

    /// Adds `count` requests alike (same outcomes, same costs) and returns their expectation
    /// per request.
    pub fn add(
        &mut self,
        steps: &[StepCase],
        human_cost: Decimal,
        count: u64,
    ) -> Result<ShadowExpectation, ShadowError> {
        let expectation = expect(&self.chain, steps, human_cost)?;
        let n = Decimal::from(count);
        self.totals.add(&expectation, count);
        self.human_cost += n * human_cost;
        for (tally, step) in self.steps.iter_mut().zip(steps) {
            tally.cost += n * step.cost;
            match step.outcome {
                Some(passed) => {
                    tally.known += count;
                    if passed {
                        tally.passes += count;
                    }
                }
                None => {
                    tally.assumed += count;
                    tally.assumed_passes += n * step.pass_rate;
                }
            }
        }
        Ok(expectation)
    }

    /// Adds another aggregate of the same chain (for parallel replays).
    pub fn merge(&mut self, other: &ShadowAggregate) -> Result<(), ShadowError> {
        if other.chain != self.chain {
            return Err(ShadowError::DifferentChains(
                self.chain.label(),
                other.chain.label(),
            ));
        }
        self.totals.merge(&other.totals);
        self.human_cost += other.human_cost;
        for (mine, theirs) in self.steps.iter_mut().zip(&other.steps) {
            mine.cost += theirs.cost;
            mine.known += theirs.known;
            mine.passes += theirs.passes;
            mine.assumed += theirs.assumed;
            mine.assumed_passes += theirs.assumed_passes;
        }
        Ok(())
    }

    /// Each step's marginal pass rate over these requests, as passes out of requests (known
    /// passes plus the pass rates used for unknown outcomes).
    pub fn marginal_pass_rates(&self) -> Vec<Chance> {
        let requests = Decimal::from(self.totals.requests);
        self.steps
            .iter()
            .map(|tally| Chance {
                passes: Decimal::from(tally.passes) + tally.assumed_passes,
                total: requests,
            })
            .collect()
    }

    /// What the independence formula predicts for these requests from their marginal pass
    /// rates: every request reaches step k with the same probability r_k, so the expected cost
    /// is Σ_k r_k × (Σ of the step's cost over the requests). The arithmetic is the closed
    /// form's for a scenario with these rates and no `given:` entries, so `compare` on such a
    /// scenario prints the same expected cost.
    pub fn independence(&self) -> ShadowTotals {
        let requests = self.totals.requests;
        if requests == 0 {
            return ShadowTotals::default();
        }
        let rates: Vec<Chance> = self
            .marginal_pass_rates()
            .into_iter()
            .map(|chance| Chance::rate(chance.passes / chance.total))
            .collect();
        let walk = walk_chain(
            rates.len(),
            self.chain.validator,
            Decimal::ONE,
            0,
            |step, _| Ok::<_, ShadowError>(rates[step]),
        );
        let Ok(walk) = walk else {
            return ShadowTotals::default();
        };
        let outcome = walk.outcome(self.chain.review);
        let (cost, human_cost) = walk_cost(
            &walk,
            self.steps.iter().map(|tally| tally.cost),
            outcome.escalation,
            self.human_cost,
        );
        let n = Decimal::from(requests);
        ShadowTotals {
            requests,
            cost,
            successes: outcome.success * n,
            accepted_bad: outcome.accepted_bad * n,
            failed: outcome.failed * n,
            reworked: outcome.rework * n,
            escalated: outcome.escalation * n,
            human_cost,
        }
    }

    /// Requests whose outcome on a step's model was assumed from its pass rate, by model.
    pub fn assumed(&self) -> Vec<(&str, u64)> {
        self.chain
            .models
            .iter()
            .zip(&self.steps)
            .filter(|(_, tally)| tally.assumed > 0)
            .map(|(model, tally)| (model.as_str(), tally.assumed))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn chain(review: Review, false_accept: Decimal, false_reject: Decimal) -> ShadowChain {
        ShadowChain {
            models: vec!["weak".into(), "strong".into()],
            review,
            validator: Validator {
                false_accept,
                false_reject,
            },
        }
    }

    fn case(cost: Decimal, outcome: Option<bool>) -> StepCase {
        StepCase {
            cost,
            outcome,
            pass_rate: dec!(0.5),
        }
    }

    #[test]
    fn a_perfect_validator_follows_the_outcomes() {
        // Weak wrong, strong right: weak ($0.01) then strong ($0.10), success certain.
        let perfect = chain(Review::None, dec!(0), dec!(0));
        let e = expect(
            &perfect,
            &[case(dec!(0.01), Some(false)), case(dec!(0.10), Some(true))],
            dec!(0),
        )
        .unwrap();
        assert_eq!(e.cost, dec!(0.11));
        assert_eq!(e.success, dec!(1));
        assert_eq!(e.rework, dec!(1));
        assert_eq!(e.reach, vec![dec!(1), dec!(1)]);
        // Both wrong, no reviewer: both steps paid, the request fails.
        let both_wrong = [case(dec!(0.01), Some(false)), case(dec!(0.10), Some(false))];
        let e = expect(&perfect, &both_wrong, dec!(0)).unwrap();
        assert_eq!(
            (e.cost, e.success, e.failed),
            (dec!(0.11), dec!(0), dec!(1))
        );
        // Weak right: only weak is paid.
        let e = expect(
            &perfect,
            &[case(dec!(0.01), Some(true)), case(dec!(0.10), Some(false))],
            dec!(0),
        )
        .unwrap();
        assert_eq!(
            (e.cost, e.success, e.rework),
            (dec!(0.01), dec!(1), dec!(0))
        );
    }

    #[test]
    fn a_noisy_validator_gives_an_exact_expectation() {
        // false accept 10%, false reject 5%, reviewer $3 per item.
        // Weak right: accepted 0.95, rejected 0.05 → strong (wrong): accepted 0.05 × 0.1 =
        // 0.005, rejected 0.045 → reviewer. Cost 0.01 + 0.05 × 0.10 + 0.045 × 3 = 0.15.
        // Success 0.95 + 0.045 = 0.995; wrong accepted 0.005; rework 0.05.
        let noisy = chain(Review::Fallback, dec!(0.1), dec!(0.05));
        let e = expect(
            &noisy,
            &[case(dec!(0.01), Some(true)), case(dec!(0.10), Some(false))],
            dec!(3),
        )
        .unwrap();
        assert_eq!(e.cost, dec!(0.15));
        assert_eq!(e.human_cost, dec!(0.135));
        assert_eq!(e.success, dec!(0.995));
        assert_eq!(e.accepted_bad, dec!(0.005));
        assert_eq!(e.rework, dec!(0.05));
        assert_eq!(e.escalation, dec!(0.045));
        assert_eq!(e.failed, dec!(0));
        assert_eq!(e.success + e.accepted_bad + e.failed, dec!(1));
    }

    #[test]
    fn an_unknown_outcome_falls_back_to_the_pass_rate_and_is_reported() {
        // Weak unknown at 0.5 with a perfect validator: reach strong 0.5; strong right.
        // Cost 0.01 + 0.5 × 0.10 = 0.06; success 0.5 + 0.5 = 1.
        let perfect = chain(Review::None, dec!(0), dec!(0));
        let mut aggregate = ShadowAggregate::new(perfect);
        let e = aggregate
            .add(
                &[case(dec!(0.01), None), case(dec!(0.10), Some(true))],
                dec!(0),
                4,
            )
            .unwrap();
        assert_eq!(e.cost, dec!(0.06));
        assert_eq!(e.assumed, vec![true, false]);
        assert_eq!(aggregate.assumed(), vec![("weak", 4)]);
        assert_eq!(aggregate.totals.cost, dec!(0.24));
        assert_eq!(aggregate.totals.successes, dec!(4));
    }

    #[test]
    fn the_aggregate_and_the_independence_prediction() {
        // 10 requests, perfect validator, weak $0.01, strong $0.10, no reviewer:
        //   6 weak right (strong right), 2 weak wrong & strong right, 2 both wrong.
        // Replayed: cost 6 × 0.01 + 4 × 0.11 = 0.50; successes 8; failed 2.
        // Marginals: weak 6/10, strong 8/10. Independence: reach strong 0.4, cost
        // 10 × 0.01 + 0.4 × 10 × 0.10 = 0.50; successes 6 + 4 × 0.8 = 9.2 (overstated by
        // 1.2: given weak wrong, strong passes 2/4, not 8/10); failed 0.8 (understated).
        let perfect = chain(Review::None, dec!(0), dec!(0));
        let mut aggregate = ShadowAggregate::new(perfect);
        let (weak, strong) = (dec!(0.01), dec!(0.10));
        for (w, s, count) in [(true, true, 6), (false, true, 2), (false, false, 2)] {
            aggregate
                .add(
                    &[case(weak, Some(w)), case(strong, Some(s))],
                    dec!(0),
                    count,
                )
                .unwrap();
        }
        assert_eq!(aggregate.totals.requests, 10);
        assert_eq!(aggregate.totals.cost, dec!(0.50));
        assert_eq!(aggregate.totals.successes, dec!(8));
        assert_eq!(aggregate.totals.failed, dec!(2));
        assert_eq!(aggregate.totals.success_rate(), dec!(0.8));
        let independent = aggregate.independence();
        assert_eq!(independent.cost, dec!(0.50));
        assert_eq!(independent.successes, dec!(9.2));
        assert_eq!(independent.failed, dec!(0.8));
        assert_eq!(independent.reworked, dec!(4));

        // Merging two halves gives the whole.
        let mut first = ShadowAggregate::new(aggregate.chain.clone());
        let mut second = ShadowAggregate::new(aggregate.chain.clone());
        for (w, s, count) in [(true, true, 6), (false, true, 2), (false, false, 2)] {
            let half = if w { &mut first } else { &mut second };
            half.add(
                &[case(weak, Some(w)), case(strong, Some(s))],
                dec!(0),
                count,
            )
            .unwrap();
        }
        first.merge(&second).unwrap();
        assert_eq!(first, aggregate);
    }

    #[test]
    fn bad_requests_are_errors() {
        let perfect = chain(Review::None, dec!(0), dec!(0));
        assert_eq!(
            expect(&perfect, &[case(dec!(1), Some(true))], dec!(0)),
            Err(ShadowError::StepCount {
                given: 1,
                expected: 2
            })
        );
        let bad_rate = StepCase {
            cost: dec!(1),
            outcome: None,
            pass_rate: dec!(1.5),
        };
        assert!(matches!(
            expect(&perfect, &[bad_rate, case(dec!(1), None)], dec!(0)),
            Err(ShadowError::RateOutside { step: 0, .. })
        ));
        let mut other = ShadowAggregate::new(chain(Review::Fallback, dec!(0), dec!(0)));
        assert!(other.merge(&ShadowAggregate::new(perfect)).is_err());
    }
}
