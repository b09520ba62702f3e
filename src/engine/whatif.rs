//! The month a scenario costs, under overrides: the one function `whatif`, `sensitivity`,
//! `solve`, `sweep` (for scenarios with a quality section), `check` and `diff` share, so every
//! command gives the same figure for the same inputs.
//!
//! A policy's month is the sum of its priced lines; for a scenario with a `quality:` section it
//! is the expected cost with retries and human review, since that is what the month will bill.

use rust_decimal::Decimal;

use super::breakdown::Evaluation;
use super::diff::Costs;
use super::evaluate::{evaluate, EngineError};
use super::overrides::{apply, Override, OverrideError};
use super::quality::{evaluate_workflow, QualityError, WorkflowEvaluation};
use crate::load::values::show_instant;
use crate::model::catalogue::Catalogue;
use crate::model::scenario::Scenario;

#[derive(Debug, thiserror::Error)]
pub enum WhatifError {
    #[error(transparent)]
    Override(#[from] OverrideError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Quality(#[from] QualityError),
}

/// A priced month: the lines, the workflow when the scenario has a quality section, and the
/// cost of each policy and workload that comparisons use.
#[derive(Clone, Debug)]
pub struct Month {
    pub evaluation: Evaluation,
    pub workflow: Option<WorkflowEvaluation>,
    pub costs: Costs,
}

impl Month {
    /// `which` figure of `policy`; `None` for an unknown policy or a share of a zero baseline.
    pub fn figure(&self, policy: &str, which: Figure) -> Option<Decimal> {
        let cost = self.cost(policy)?;
        let baseline = self.cost(&self.evaluation.baseline)?;
        match which {
            Figure::Cost => Some(cost),
            Figure::Savings => Some(baseline - cost),
            Figure::SavingsPct => super::exact::percent(baseline - cost, baseline),
        }
    }

    /// The month's cost of `policy`.
    pub fn cost(&self, policy: &str) -> Option<Decimal> {
        self.costs.policy(policy).map(|p| p.total)
    }

    /// Whether the costs include retries and human review.
    pub fn is_expected(&self) -> bool {
        self.workflow.is_some()
    }
}

/// Prices `scenario`: its lines, and its workflow when it has a quality section.
pub fn month(scenario: &Scenario, catalogue: &Catalogue) -> Result<Month, WhatifError> {
    let evaluation = evaluate(scenario, catalogue)?;
    let workflow = match scenario.quality {
        Some(_) => Some(evaluate_workflow(scenario, catalogue)?),
        None => None,
    };
    let costs = Costs::of_month(&evaluation, workflow.as_ref(), show_instant(scenario.as_of));
    Ok(Month {
        evaluation,
        workflow,
        costs,
    })
}

/// Prices `scenario` with `overrides` applied.
pub fn month_with(
    scenario: &Scenario,
    catalogue: &Catalogue,
    overrides: &[Override],
) -> Result<Month, WhatifError> {
    let (changed, changed_catalogue) = apply(scenario, catalogue, overrides)?;
    month(&changed, &changed_catalogue)
}

/// The figure a goal or a ranking is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    /// A policy's monthly cost.
    Cost,
    /// Baseline cost minus the policy's cost.
    Savings,
    /// Savings as a percentage of the baseline cost.
    SavingsPct,
}
