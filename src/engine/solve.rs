//! Goal seek and break-even: the value of one input at which a target holds.
//!
//! The target is a policy's cost reaching an amount, its savings reaching an amount or a
//! share of the baseline, or two policies costing the same. Most inputs enter the cost
//! linearly, so the engine first checks linearity exactly (the midpoint of the range must give
//! the mean of the ends) and then solves in closed form; otherwise it bisects. Either way the
//! answer is checked by pricing the scenario at it.

use rust_decimal::Decimal;

use super::overrides::{Change, Override, OverridePath, WorkloadField};
use super::whatif::{month_with, Figure, WhatifError};
use crate::model::catalogue::Catalogue;
use crate::model::scenario::Scenario;

/// What must hold at the answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Goal {
    /// `figure` of `policy` equals `value`.
    Reach {
        policy: String,
        figure: Figure,
        value: Decimal,
    },
    /// `policy` costs the same as `other`.
    Equal { policy: String, other: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Linear in the input: solved in closed form.
    ClosedForm,
    /// Not linear: bisection to the given tolerance.
    Bisection,
}

/// How a fractional answer for an integer input (a token or request count) was made whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Whole {
    /// The smallest whole value, from the low end of the range, at which the target is reached
    /// or passed.
    Smallest,
    /// The largest whole value in the range, when no whole value beyond the crossing lies in it.
    Largest,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Solution {
    pub value: Decimal,
    pub method: Method,
    /// Set when the input is a whole number and the exact crossing was not.
    pub whole: Option<Whole>,
    /// The goal's gap at the answer (0 when exact).
    pub residual: Decimal,
    /// Cost of each policy at the answer, in scenario order.
    pub costs: Vec<(String, Decimal)>,
}

#[derive(Debug, thiserror::Error)]
pub enum SolveError {
    #[error(transparent)]
    Whatif(#[from] WhatifError),
    #[error("no value of {path} between {low} and {high} reaches the target")]
    Unreachable {
        path: String,
        low: Decimal,
        high: Decimal,
        /// The goal's figure at both ends (for `equal`, the cost difference).
        figure_low: Decimal,
        figure_high: Decimal,
    },
    #[error("the target is undefined here (a share of a baseline that costs nothing)")]
    Undefined,
    #[error("solving for {path} overflows exact arithmetic ({what})")]
    Overflow { path: String, what: String },
}

/// Whether `path` names a count that only takes whole values.
fn is_whole(path: &OverridePath) -> bool {
    matches!(path, OverridePath::Workload { field, .. }
        if !field.is_share() && *field != WorkloadField::Volume)
}

/// The default search range for `path`: shares 0–1, volume factors 0–100, and prices or token
/// counts from 0 to 100 times their current value (at least 1,000).
pub fn default_range(path: &OverridePath) -> (Decimal, Decimal) {
    match path {
        OverridePath::Workload { field, .. } if field.is_share() => (Decimal::ZERO, Decimal::ONE),
        OverridePath::Discount { .. } => (Decimal::ZERO, Decimal::ONE),
        OverridePath::Workload {
            field: WorkloadField::Volume,
            ..
        } => (Decimal::ZERO, Decimal::ONE_HUNDRED),
        OverridePath::Model { .. } => (Decimal::ZERO, Decimal::from(1_000)),
        _ => (Decimal::ZERO, Decimal::from(1_000_000_000_000u64)),
    }
}

/// Volume is relative: its value is a factor.
fn change_for(path: &OverridePath, value: Decimal) -> Change {
    match path {
        OverridePath::Workload {
            field: WorkloadField::Volume,
            ..
        } => Change::Scale(value),
        _ => Change::Set(value),
    }
}

/// The goal's gap, its figure as shown, and every policy's cost, at one value.
struct Priced {
    gap: Decimal,
    shown: Decimal,
    costs: Vec<(String, Decimal)>,
}

struct Problem<'a> {
    scenario: &'a Scenario,
    catalogue: &'a Catalogue,
    path_text: &'a str,
    path: &'a OverridePath,
    goal: &'a Goal,
}

impl Problem<'_> {
    /// The goal's gap at `value` (zero at the answer, and linear in the costs: a savings share
    /// is compared as `100 × savings − share × baseline`, never divided), the goal's figure as
    /// a user reads it, and every policy's cost.
    fn gap(&self, value: Decimal) -> Result<Priced, SolveError> {
        let item = Override {
            path_text: self.path_text.to_string(),
            path: self.path.clone(),
            change: change_for(self.path, value),
        };
        let month = month_with(self.scenario, self.catalogue, &[item])?;
        let cost = |name: &str| {
            month
                .figure(name, Figure::Cost)
                .ok_or(SolveError::Undefined)
        };
        let overflow = || {
            let target = match self.goal {
                Goal::Reach { value, .. } => value.normalize().to_string(),
                Goal::Equal { other, .. } => other.clone(),
            };
            self.overflow(format!(
                "the target {target} checked at {} = {}",
                self.path_text,
                value.normalize()
            ))
        };
        let (gap, shown) = match self.goal {
            Goal::Reach {
                policy,
                figure: which,
                value,
            } => {
                let shown = month.figure(policy, *which).ok_or(SolveError::Undefined)?;
                let gap = match which {
                    Figure::SavingsPct => {
                        let baseline = cost(&month.evaluation.baseline)?;
                        (baseline - cost(policy)?)
                            .checked_mul(Decimal::ONE_HUNDRED)
                            .zip(value.checked_mul(baseline))
                            .and_then(|(savings, target)| savings.checked_sub(target))
                            .ok_or_else(overflow)?
                    }
                    _ => shown.checked_sub(*value).ok_or_else(overflow)?,
                };
                (gap, shown)
            }
            Goal::Equal { policy, other } => {
                let difference = cost(policy)? - cost(other)?;
                (difference, difference)
            }
        };
        let costs = month
            .costs
            .policies
            .iter()
            .map(|p| (p.name.clone(), p.total))
            .collect();
        Ok(Priced { gap, shown, costs })
    }

    fn overflow(&self, what: String) -> SolveError {
        SolveError::Overflow {
            path: self.path_text.to_string(),
            what,
        }
    }

    /// For a whole-number input, the whole value next to `value` on the far side of the
    /// crossing: the smallest one at which the target is reached, or the largest in range.
    fn whole(&self, value: Decimal, (low, high): (Decimal, Decimal)) -> (Decimal, Option<Whole>) {
        if !is_whole(self.path) || value.fract().is_zero() {
            return (value, None);
        }
        let up = value.ceil();
        if up <= high {
            (up, Some(Whole::Smallest))
        } else {
            (value.floor().max(low.ceil()), Some(Whole::Largest))
        }
    }
}

/// Finds the value of `path` in `[low, high]` at which `goal` holds.
pub fn solve(
    scenario: &Scenario,
    catalogue: &Catalogue,
    path_text: &str,
    path: &OverridePath,
    goal: &Goal,
    (low, high): (Decimal, Decimal),
) -> Result<Solution, SolveError> {
    let problem = Problem {
        scenario,
        catalogue,
        path_text,
        path,
        goal,
    };
    let Priced {
        gap: gap_low,
        shown: figure_low,
        ..
    } = problem.gap(low)?;
    let Priced {
        gap: gap_high,
        shown: figure_high,
        ..
    } = problem.gap(high)?;
    let unreachable = || SolveError::Unreachable {
        path: path_text.to_string(),
        low,
        high,
        figure_low,
        figure_high,
    };
    if gap_low.is_sign_positive() == gap_high.is_sign_positive()
        && !gap_low.is_zero()
        && !gap_high.is_zero()
    {
        return Err(unreachable());
    }
    // Both ends priced, so both lie in the input's bounds (a price at most the price-file cap,
    // a count that fits 64 bits): their midpoint and width cannot overflow.
    let overflow = |what: &str| problem.overflow(what.to_string());
    let width = high.checked_sub(low).ok_or_else(|| overflow("the range"))?;
    let middle = low + width / Decimal::TWO;
    let gap_middle = problem.gap(middle)?.gap;
    let mean_gap = gap_low / Decimal::TWO + gap_high / Decimal::TWO;
    let linear = gap_middle == mean_gap;
    if linear && gap_high != gap_low {
        // low − gap_low·(high − low)/(gap_high − gap_low), with the product checked; the
        // ratio form (a share of the width, at most 1) cannot overflow where it might.
        let spread = gap_high
            .checked_sub(gap_low)
            .ok_or_else(|| overflow("the costs at the ends"))?;
        let step = match gap_low.checked_mul(width) {
            Some(product) => product.checked_div(spread),
            None => gap_low
                .checked_div(spread)
                .and_then(|share| share.checked_mul(width)),
        }
        .ok_or_else(|| overflow("the closed form"))?;
        let value = low
            .checked_sub(step)
            .ok_or_else(|| overflow("the answer"))?;
        let (value, whole) = problem.whole(value, (low, high));
        let Priced {
            gap: residual,
            costs,
            ..
        } = problem.gap(value)?;
        return Ok(Solution {
            value: value.normalize(),
            method: Method::ClosedForm,
            whole,
            residual,
            costs,
        });
    }
    // Bisection on the sign change.
    let (mut below, mut above) = (low, high);
    let low_negative = gap_low.is_sign_negative();
    let tolerance = width * Decimal::new(1, 12);
    for _ in 0..200 {
        if above - below <= tolerance {
            break;
        }
        let point = below + (above - below) / Decimal::TWO;
        let gap = problem.gap(point)?.gap;
        if gap.is_zero() {
            below = point;
            above = point;
            break;
        }
        if gap.is_sign_negative() == low_negative {
            below = point;
        } else {
            above = point;
        }
    }
    let value = below + (above - below) / Decimal::TWO;
    let (value, whole) = problem.whole(value, (low, high));
    let Priced {
        gap: residual,
        costs,
        ..
    } = problem.gap(value)?;
    Ok(Solution {
        value: value.normalize(),
        method: Method::Bisection,
        whole,
        residual,
        costs,
    })
}
