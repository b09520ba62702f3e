//! Pricing a scenario under overrides: the one function `whatif`, `sensitivity` and `solve`
//! share, so every command gives the same figure for the same overrides.

use rust_decimal::Decimal;

use super::breakdown::Evaluation;
use super::evaluate::{evaluate, EngineError};
use super::overrides::{apply, Override, OverrideError};
use crate::model::catalogue::Catalogue;
use crate::model::scenario::Scenario;

#[derive(Debug, thiserror::Error)]
pub enum WhatifError {
    #[error(transparent)]
    Override(#[from] OverrideError),
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// Evaluates `scenario` with `overrides` applied.
pub fn evaluate_with(
    scenario: &Scenario,
    catalogue: &Catalogue,
    overrides: &[Override],
) -> Result<Evaluation, WhatifError> {
    let (changed, changed_catalogue) = apply(scenario, catalogue, overrides)?;
    Ok(evaluate(&changed, &changed_catalogue)?)
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

/// `figure` of `policy` in `evaluation`; `None` when undefined (a share of a zero baseline).
pub fn figure(evaluation: &Evaluation, policy: &str, figure: Figure) -> Option<Decimal> {
    let cost = evaluation
        .policies
        .iter()
        .find(|p| p.policy == policy)?
        .total;
    let baseline = evaluation.baseline_cost()?.total;
    match figure {
        Figure::Cost => Some(cost),
        Figure::Savings => Some(baseline - cost),
        Figure::SavingsPct => {
            (!baseline.is_zero()).then(|| (baseline - cost) / baseline * Decimal::ONE_HUNDRED)
        }
    }
}
