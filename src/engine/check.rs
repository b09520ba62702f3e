//! The CI gate: budgets, cost increases against a base run, and compliance, each a verdict.
//!
//! Every check is evaluated for every policy checked and yields a [`CheckResult`] with the
//! numbers behind its [`Verdict`]. A check that cannot be evaluated (a policy missing from the
//! base) is a warning, never a pass; when nothing at all can be checked the caller gets a
//! [`CheckError`] instead of an empty success.

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
}

/// What to check.
pub struct Gate<'a> {
    /// The policies to check, in scenario order.
    pub policies: Vec<String>,
    pub budget: Option<Decimal>,
    pub base: Option<&'a Costs>,
    pub max_increase: Option<Threshold>,
    pub warn_increase: Option<Threshold>,
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
        if !scenario.constraints.is_empty() {
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
}
