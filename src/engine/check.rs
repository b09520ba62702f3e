//! The CI gate: budgets, cost increases against a base run, and compliance, each a verdict.
//!
//! Every check is evaluated for every policy checked and yields a [`CheckResult`] with the
//! numbers behind its [`Verdict`]. A check that cannot be evaluated (a policy missing from the
//! base) is a warning, never a pass; when nothing at all can be checked the caller gets a
//! [`CheckError`] instead of an empty success.
//!
//! Cost per request tells volume growth from routing changes: a month that costs 12% more
//! because it carries 12% more requests costs the same per request. `--max-cost-per-request`
//! caps it, and with `per_request` the increase checks compare it instead of the month's
//! total. Both divide by the scenario's requests per month, compared exactly (cross-multiplied,
//! never through a rounded quotient). A policy marked `compliance: exempt` gets an explicit
//! exempt compliance row, never a silent pass.

use rust_decimal::Decimal;

use super::compliance::Violation;
use super::diff::Costs;
use super::exact::percent as percent_of;
use crate::load::amount::Threshold;
use crate::model::scenario::Scenario;

/// Failures sort first.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Fail,
    Warn,
    Pass,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Fail => "FAIL",
            Verdict::Warn => "warn",
            Verdict::Pass => "pass",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// `--budget` on a policy's total.
    Budget,
    /// `budgets.policies` in the scenario.
    PolicyBudget,
    /// `budgets.workloads` in the scenario.
    WorkloadBudget,
    /// `--max-increase` against the base.
    MaxIncrease,
    /// `--warn-increase` against the base.
    WarnIncrease,
    /// `--max-cost-per-request`: a policy's month divided by its requests.
    CostPerRequest,
    /// `budgets.per_request` in the scenario: the same, per policy.
    PolicyCostPerRequest,
    /// The scenario's `constraints:`.
    Compliance,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckResult {
    pub verdict: Verdict,
    pub kind: CheckKind,
    pub policy: String,
    pub workload: Option<String>,
    /// The cost checked (a policy's total or one workload's cost).
    pub cost: Option<Decimal>,
    /// The base cost, for increases.
    pub before: Option<Decimal>,
    pub limit: Option<Threshold>,
    /// `cost`, `before` and a money `limit` are per request, not per month.
    pub per_request: bool,
    /// A compliance check waived by `compliance: exempt` on the policy.
    pub exempt: bool,
    /// Why the verdict is what it is, when the numbers do not say it.
    pub notes: Vec<String>,
}

impl CheckResult {
    pub fn delta(&self) -> Option<Decimal> {
        self.cost?.checked_sub(self.before?)
    }

    /// The change as a percentage of a positive base; `None` for a base of $0 (no percentage
    /// means anything there) or a change too large to express.
    pub fn percent(&self) -> Option<Decimal> {
        let before = self.before?;
        if before <= Decimal::ZERO {
            return None;
        }
        percent_of(self.delta()?, before)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    #[error("there is nothing to check: give --budget, --max-increase or --warn-increase with --against, or add `budgets:` or `constraints:` to the scenario")]
    NothingToCheck,
    #[error("the base and the scenario have no policy in common ({base} vs {new}); compare the same scenario on both sides")]
    NothingInCommon { base: String, new: String },
    #[error("{what} has no request count, so cost per request cannot be checked: give every workload `requests:` with `input_tokens_per_request` and `output_tokens_per_request`, or drop --max-cost-per-request and --per-request")]
    NoRequests { what: String },
}

/// What to check.
pub struct Gate<'a> {
    /// The policies to check, in scenario order.
    pub policies: Vec<String>,
    pub budget: Option<Decimal>,
    pub base: Option<&'a Costs>,
    pub max_increase: Option<Threshold>,
    pub warn_increase: Option<Threshold>,
    /// The most a request may cost, on average over the month.
    pub max_cost_per_request: Option<Decimal>,
    /// Increases compare cost per request instead of the month's total.
    pub per_request: bool,
    /// A base was given but holds no scenario of this name: a new scenario, whose increases
    /// cannot be checked (a warning each, saying so).
    pub base_missing: bool,
}

/// `total / requests` for display, rounded to eight decimal places (1e-8 USD).
pub fn per_request(total: Decimal, requests: u64) -> Option<Decimal> {
    if requests == 0 {
        return None;
    }
    total
        .checked_div(Decimal::from(requests))
        .map(|value| value.round_dp(8))
}

/// Runs every check of `gate` on the scenario's month (`now`: its priced lines, or the expected
/// cost with retries and human review when it has a quality section); results keep policy
/// order.
pub fn run(
    scenario: &Scenario,
    now: &Costs,
    violations: &[Violation],
    gate: &Gate,
) -> Result<Vec<CheckResult>, CheckError> {
    if let Some(base) = gate.base {
        if !gate.policies.iter().any(|name| base.policy(name).is_some()) {
            return Err(CheckError::NothingInCommon {
                base: names(base),
                new: gate.policies.join(", "),
            });
        }
    }
    let requests = match now.requests {
        Some(n) if n > 0 => Some(n),
        _ => None,
    };
    if requests.is_none()
        && (gate.max_cost_per_request.is_some()
            || gate.per_request
            || !scenario.budgets.per_request.is_empty())
    {
        return Err(CheckError::NoRequests {
            what: format!("scenario '{}'", scenario.name),
        });
    }
    let base_requests = match gate.base {
        Some(base) if gate.per_request => match base.requests {
            Some(n) if n > 0 => Some(n),
            _ => {
                return Err(CheckError::NoRequests {
                    what: format!("the base of scenario '{}'", scenario.name),
                })
            }
        },
        _ => None,
    };
    let mut results = Vec::new();
    for name in &gate.policies {
        let Some(policy) = now.policy(name) else {
            continue;
        };
        let result = |kind, verdict, cost, limit| CheckResult {
            verdict,
            kind,
            policy: name.clone(),
            workload: None,
            cost: Some(cost),
            before: None,
            limit,
            per_request: false,
            exempt: false,
            notes: Vec::new(),
        };
        let within = |cost: Decimal, limit: Decimal| {
            if cost <= limit {
                Verdict::Pass
            } else {
                Verdict::Fail
            }
        };
        if let Some(budget) = gate.budget {
            results.push(result(
                CheckKind::Budget,
                within(policy.total, budget),
                policy.total,
                Some(Threshold::Money(budget)),
            ));
        }
        if let Some(budget) = scenario.budgets.policies.get(name) {
            results.push(result(
                CheckKind::PolicyBudget,
                within(policy.total, budget.amount),
                policy.total,
                Some(Threshold::Money(budget.amount)),
            ));
        }
        for (workload, budget) in &scenario.budgets.workloads {
            let cost = policy
                .workloads
                .iter()
                .find(|w| &w.name == workload)
                .map(|w| w.cost)
                .unwrap_or_default();
            let mut check = result(
                CheckKind::WorkloadBudget,
                within(cost, budget.amount),
                cost,
                Some(Threshold::Money(budget.amount)),
            );
            check.workload = Some(workload.clone());
            results.push(check);
        }
        let budget = scenario.budgets.per_request.get(name).map(|b| b.amount);
        for (kind, limit) in [
            (CheckKind::CostPerRequest, gate.max_cost_per_request),
            (CheckKind::PolicyCostPerRequest, budget),
        ] {
            let (Some(limit), Some(requests)) = (limit, requests) else {
                continue;
            };
            // total / requests <= limit, exactly: total <= limit × requests.
            let verdict = match limit.checked_mul(Decimal::from(requests)) {
                Some(cap) => within(policy.total, cap),
                None => Verdict::Pass,
            };
            let mut check = result(
                kind,
                verdict,
                per_request(policy.total, requests).unwrap_or_default(),
                Some(Threshold::Money(limit)),
            );
            check.per_request = true;
            results.push(check);
        }
        if gate.base_missing {
            for (kind, threshold) in [
                (CheckKind::MaxIncrease, gate.max_increase),
                (CheckKind::WarnIncrease, gate.warn_increase),
            ] {
                let Some(threshold) = threshold else {
                    continue;
                };
                let mut check = result(kind, Verdict::Warn, policy.total, Some(threshold));
                check.notes.push(format!(
                    "scenario '{}' is not in the base (a new scenario), so its increase could not be checked",
                    scenario.name
                ));
                results.push(check);
            }
        }
        if let Some(base) = gate.base {
            for (kind, threshold, over) in [
                (CheckKind::MaxIncrease, gate.max_increase, Verdict::Fail),
                (CheckKind::WarnIncrease, gate.warn_increase, Verdict::Warn),
            ] {
                let Some(threshold) = threshold else {
                    continue;
                };
                let mut check = result(kind, Verdict::Pass, policy.total, Some(threshold));
                match base.policy(name) {
                    None => {
                        check.verdict = Verdict::Warn;
                        check.notes.push(format!(
                            "policy '{name}' is not in the base, so its increase could not be checked"
                        ));
                    }
                    Some(before) if gate.per_request => {
                        let (now_n, base_n) = (requests.unwrap_or(1), base_requests.unwrap_or(1));
                        check.per_request = true;
                        check.cost = per_request(policy.total, now_n);
                        check.before = per_request(before.total, base_n);
                        if exceeds_per_request(
                            (before.total, base_n),
                            (policy.total, now_n),
                            threshold,
                        ) {
                            check.verdict = over;
                            if before.total.is_zero() {
                                check.notes.push("the base cost was $0.00".to_string());
                            }
                        }
                    }
                    Some(before) => {
                        check.before = Some(before.total);
                        if exceeds(before.total, policy.total, threshold) {
                            check.verdict = over;
                            if before.total.is_zero() {
                                check.notes.push("the base cost was $0.00".to_string());
                            }
                        }
                    }
                }
                results.push(check);
            }
        }
        let exempt = scenario.policy(name).is_some_and(|p| p.compliance_exempt);
        if !scenario.constraints.is_empty() && exempt {
            results.push(CheckResult {
                verdict: Verdict::Pass,
                kind: CheckKind::Compliance,
                policy: name.clone(),
                workload: None,
                cost: None,
                before: None,
                limit: None,
                per_request: false,
                exempt: true,
                notes: vec![format!(
                    "policy '{name}' is marked `compliance: exempt` in the scenario (a hypothetical priced for comparison), so its routes were not held to `constraints:`"
                )],
            });
        } else if !scenario.constraints.is_empty() {
            let broken: Vec<String> = violations
                .iter()
                .filter(|v| &v.policy == name)
                .map(Violation::message)
                .collect();
            results.push(CheckResult {
                verdict: if broken.is_empty() {
                    Verdict::Pass
                } else {
                    Verdict::Fail
                },
                kind: CheckKind::Compliance,
                policy: name.clone(),
                workload: None,
                cost: None,
                before: None,
                limit: None,
                per_request: false,
                exempt: false,
                notes: broken,
            });
        }
    }
    if results.is_empty() {
        return Err(CheckError::NothingToCheck);
    }
    Ok(results)
}

fn names(costs: &Costs) -> String {
    costs
        .policies
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether going from `before` to `after` rises past `threshold`.
/// Bases are never negative (the result reader refuses them), so a rise is always a rise; a
/// change too large for exact arithmetic exceeds every threshold.
pub fn exceeds(before: Decimal, after: Decimal, threshold: Threshold) -> bool {
    let Some(delta) = after.checked_sub(before) else {
        return true;
    };
    match threshold {
        Threshold::Money(limit) => delta > limit,
        Threshold::Percent(limit) => {
            if before <= Decimal::ZERO || delta <= Decimal::ZERO {
                delta > Decimal::ZERO
            } else {
                percent_of(delta, before).is_none_or(|percent| percent > limit)
            }
        }
    }
}

/// Whether cost per request rises past `threshold` from `before` (month total, requests) to
/// `after`, exactly: both sides are multiplied by both request counts instead of divided, so
/// the percentage is the same and no quotient is rounded. Too large for exact arithmetic
/// exceeds every threshold, as in [`exceeds`].
pub fn exceeds_per_request(
    before: (Decimal, u64),
    after: (Decimal, u64),
    threshold: Threshold,
) -> bool {
    let (before_total, before_n) = (before.0, Decimal::from(before.1));
    let (after_total, after_n) = (after.0, Decimal::from(after.1));
    let scaled = || {
        let old = before_total.checked_mul(after_n)?;
        let new = after_total.checked_mul(before_n)?;
        let threshold = match threshold {
            Threshold::Percent(_) => threshold,
            Threshold::Money(limit) => {
                Threshold::Money(limit.checked_mul(before_n)?.checked_mul(after_n)?)
            }
        };
        Some(exceeds(old, new, threshold))
    };
    scaled().unwrap_or(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn increases_compare_against_the_threshold_exactly() {
        let ten = Threshold::Percent(dec!(10));
        assert!(!exceeds(dec!(100), dec!(110), ten));
        assert!(exceeds(dec!(100), dec!(110.01), ten));
        assert!(!exceeds(dec!(100), dec!(50), ten));
        assert!(exceeds(dec!(0), dec!(0.01), ten));
        assert!(!exceeds(dec!(0), dec!(0), ten));
        let money = Threshold::Money(dec!(5));
        assert!(!exceeds(dec!(100), dec!(105), money));
        assert!(exceeds(dec!(100), dec!(105.001), money));
    }

    #[test]
    fn volume_growth_is_no_increase_per_request() {
        let ten = Threshold::Percent(dec!(10));
        // 12% more requests at the same cost each: +12% a month, +0% a request.
        assert!(exceeds(dec!(469.60), dec!(525.952), ten));
        assert!(!exceeds_per_request(
            (dec!(469.60), 1_000_000),
            (dec!(525.952), 1_120_000),
            ten
        ));
        // The same volume on a dearer route: +12% both ways.
        assert!(exceeds_per_request(
            (dec!(469.60), 1_000_000),
            (dec!(525.952), 1_000_000),
            ten
        ));
        // $0.0001 a request more, against a $0.0001 limit: not over; a hair more is.
        let cent = Threshold::Money(dec!(0.0001));
        assert!(!exceeds_per_request(
            (dec!(100), 1_000_000),
            (dec!(200), 1_000_000),
            cent
        ));
        assert!(exceeds_per_request(
            (dec!(100), 1_000_000),
            (dec!(200.01), 1_000_000),
            cent
        ));
        // Thirds that no decimal holds exactly are still compared exactly.
        assert!(!exceeds_per_request(
            (dec!(1), 3),
            (dec!(2), 6),
            Threshold::Percent(dec!(0))
        ));
    }
}
