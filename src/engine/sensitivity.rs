//! Sensitivity (tornado): which inputs move a policy's cost, and by how much.
//!
//! Each input that affects the policy — every workload's volume, cache-hit rate and batch share,
//! the input and output price of every model the policy uses, every negotiated discount — is
//! moved down and up by a relative step, all else fixed, and the inputs are ranked by the swing
//! of the chosen figure.

use rust_decimal::Decimal;

use super::overrides::{Change, Override, OverridePath, PriceField, WorkloadField};
use super::whatif::{month_with, Figure, WhatifError};
use crate::model::catalogue::Catalogue;
use crate::model::scenario::Scenario;

/// One bar of the tornado.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    pub path: String,
    /// The figure with the input moved down, and up.
    pub low: Decimal,
    pub high: Decimal,
    /// `|high − low|`, the ranking key.
    pub swing: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tornado {
    pub policy: String,
    pub figure: Figure,
    pub step: Decimal,
    pub base: Decimal,
    /// Widest swing first; ties by path.
    pub bars: Vec<Bar>,
    /// Inputs that could not move both ways (e.g. a share already at 0 or 1), with why.
    pub skipped: Vec<(String, String)>,
}

/// The inputs that can affect `policy`'s cost, as override paths.
pub fn inputs(
    scenario: &Scenario,
    catalogue: &Catalogue,
    policy: &str,
) -> Vec<(String, OverridePath)> {
    let mut paths = Vec::new();
    let Some(policy) = scenario.policy(policy) else {
        return paths;
    };
    let mut models: Vec<&str> = Vec::new();
    for workload in &scenario.workloads {
        for field in [
            WorkloadField::Volume,
            WorkloadField::CacheHitRate,
            WorkloadField::BatchShare,
        ] {
            paths.push((
                format!("workloads.{}.{}", workload.name, field.name()),
                OverridePath::Workload {
                    name: Some(workload.name.clone()),
                    field,
                },
            ));
        }
        if let Some(target) = policy.route(workload) {
            if !models.contains(&target.model.as_str()) {
                models.push(&target.model);
            }
        }
    }
    let mut providers: Vec<&str> = Vec::new();
    for model in models {
        for field in [PriceField::Input, PriceField::Output] {
            paths.push((
                format!("models.{model}.{}", field.name()),
                OverridePath::Model {
                    id: model.to_string(),
                    field,
                },
            ));
        }
        if let Some(found) = catalogue.model(model) {
            if !providers.contains(&found.provider.as_str()) {
                providers.push(&found.provider);
            }
        }
    }
    for provider in providers {
        paths.push((
            format!("discounts.{provider}"),
            OverridePath::Discount {
                provider: provider.to_string(),
            },
        ));
    }
    paths
}

/// How far down and up an input moves: volumes and prices by `step` relative to their value;
/// shares (cache-hit rate, batch share, discounts) by `step` in absolute points, kept within
/// 0–1, since a relative change of a share at 0 would show nothing.
fn moves(scenario: &Scenario, path: &OverridePath, step: Decimal) -> (Change, Change) {
    let clamp = |value: Decimal, ceiling: Decimal| {
        (
            Change::Set((value - step).max(Decimal::ZERO)),
            Change::Set((value + step).min(ceiling)),
        )
    };
    match path {
        OverridePath::Workload {
            name: Some(name),
            field,
        } if field.is_share() => {
            let Some(workload) = scenario.workload(name) else {
                return (Change::Relative(-step), Change::Relative(step));
            };
            match field {
                WorkloadField::CacheHitRate => clamp(
                    workload.cache_hit_rate,
                    Decimal::ONE - workload.cache_write_rate,
                ),
                _ => clamp(workload.batch_share, Decimal::ONE),
            }
        }
        OverridePath::Discount { provider } => clamp(
            scenario
                .discounts
                .get(provider)
                .copied()
                .unwrap_or_default(),
            Decimal::ONE,
        ),
        _ => (Change::Relative(-step), Change::Relative(step)),
    }
}

/// Moves each input down and up (volumes and prices relatively, shares by points) and ranks them by the swing of `which`.
pub fn tornado(
    scenario: &Scenario,
    catalogue: &Catalogue,
    policy: &str,
    which: Figure,
    step: Decimal,
) -> Result<Tornado, WhatifError> {
    let base = month_with(scenario, catalogue, &[])?
        .figure(policy, which)
        .unwrap_or_default();
    let mut bars = Vec::new();
    let mut skipped = Vec::new();
    for (path_text, path) in inputs(scenario, catalogue, policy) {
        let (down, up) = moves(scenario, &path, step);
        let moved = |change| {
            let item = Override {
                path_text: path_text.clone(),
                path: path.clone(),
                change,
            };
            month_with(scenario, catalogue, &[item])
        };
        match (moved(down), moved(up)) {
            (Ok(low), Ok(high)) => {
                let low = low.figure(policy, which).unwrap_or_default();
                let high = high.figure(policy, which).unwrap_or_default();
                bars.push(Bar {
                    path: path_text,
                    low,
                    high,
                    swing: (high - low).abs(),
                });
            }
            (Err(WhatifError::Override(error)), _) | (_, Err(WhatifError::Override(error))) => {
                skipped.push((path_text, error.message));
            }
            (Err(error), _) | (_, Err(error)) => return Err(error),
        }
    }
    bars.sort_by(|a, b| b.swing.cmp(&a.swing).then_with(|| a.path.cmp(&b.path)));
    Ok(Tornado {
        policy: policy.to_string(),
        figure: which,
        step,
        base,
        bars,
        skipped,
    })
}
