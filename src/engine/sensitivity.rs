//! Sensitivity (tornado): which inputs move a policy's cost, and by how much.
//!
//! Each input that affects the policy — every workload's volume, cache-hit rate and batch share,
//! the input and output price of every model the policy uses, every negotiated discount — is
//! moved down and up by a relative step, all else fixed, and the inputs are ranked by the swing
//! of the chosen figure.
//!
//! The work is linear in the number of workloads: a workload's own inputs change only that
//! workload's cost, so each is priced on a one-workload copy of the scenario and the policy's
//! month is the base month with that workload's cost swapped (exact, since a month is the sum of
//! its workloads' unrounded costs). Only prices and discounts, which may touch every workload,
//! re-price the whole month — a few times, not once per workload.

use std::collections::HashMap;

use rayon::prelude::*;
use rust_decimal::Decimal;

use super::overrides::{Change, Override, OverridePath, PriceField, WorkloadField};
use super::whatif::{month, month_with, Figure, Month, WhatifError};
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

/// A policy's cost and the baseline's, the two numbers every figure is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Pair {
    policy: Decimal,
    baseline: Decimal,
}

impl Pair {
    fn of(month: &Month, policy: &str) -> Pair {
        Pair {
            policy: month.cost(policy).unwrap_or_default(),
            baseline: month.cost(&month.evaluation.baseline).unwrap_or_default(),
        }
    }

    /// `self − old + new`, both costs: the month with one workload's cost swapped.
    fn swap(self, old: Pair, new: Pair) -> Pair {
        Pair {
            policy: self.policy - old.policy + new.policy,
            baseline: self.baseline - old.baseline + new.baseline,
        }
    }

    /// `which` figure, as [`Month::figure`] computes it (0 for a share of a zero baseline).
    fn figure(self, which: Figure) -> Decimal {
        match which {
            Figure::Cost => self.policy,
            Figure::Savings => self.baseline - self.policy,
            Figure::SavingsPct => super::exact::percent(self.baseline - self.policy, self.baseline)
                .unwrap_or_default(),
        }
    }
}

/// `scenario` with only the studied policy and the baseline, and with only workload `only`
/// when given: what pricing one input needs.
fn narrowed(scenario: &Scenario, policy: &str, only: Option<usize>) -> Scenario {
    let keep = |name: &str| name == policy || name == scenario.baseline;
    Scenario {
        name: scenario.name.clone(),
        description: None,
        file: scenario.file.clone(),
        as_of: scenario.as_of,
        workloads: match only {
            Some(index) => vec![scenario.workloads[index].clone()],
            None => scenario.workloads.clone(),
        },
        policies: scenario
            .policies
            .iter()
            .filter(|p| keep(&p.name))
            .cloned()
            .collect(),
        baseline: scenario.baseline.clone(),
        discounts: scenario.discounts.clone(),
        constraints: scenario.constraints.clone(),
        budgets: scenario.budgets.clone(),
        quality: scenario.quality.clone(),
        uncertainty: scenario.uncertainty.clone(),
    }
}

/// What moving one input gave: a bar, a reason it could not move, or an error.
enum Moved {
    Bar(Bar),
    Skipped(String, String),
}

/// Moves each input down and up (volumes and prices relatively, shares by points) and ranks
/// them by the swing of `which`. `progress` is told of each input done.
pub fn tornado(
    scenario: &Scenario,
    catalogue: &Catalogue,
    policy: &str,
    which: Figure,
    step: Decimal,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Tornado, WhatifError> {
    let whole = narrowed(scenario, policy, None);
    let base_pair = Pair::of(&month(&whole, catalogue)?, policy);
    let base = base_pair.figure(which);
    let inputs = inputs(scenario, catalogue, policy);
    // Workloads by name, so finding an input's workload does not scan them all.
    let positions: HashMap<&str, usize> = scenario
        .workloads
        .iter()
        .enumerate()
        .map(|(index, workload)| (workload.name.as_str(), index))
        .collect();
    let moved: Vec<Result<Moved, WhatifError>> = inputs
        .into_par_iter()
        .map(|(path_text, path)| {
            let only = match &path {
                OverridePath::Workload {
                    name: Some(name), ..
                } => positions.get(name.as_str()).copied(),
                _ => None,
            };
            let result = move_input(
                scenario, catalogue, &whole, base_pair, policy, which, step, only, path_text, path,
            );
            progress(1);
            result
        })
        .collect();
    let mut bars = Vec::new();
    let mut skipped = Vec::new();
    for result in moved {
        match result? {
            Moved::Bar(bar) => bars.push(bar),
            Moved::Skipped(path, why) => skipped.push((path, why)),
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

/// Prices one input moved down and up: a workload's own input on a copy holding only that
/// workload, anything else on the whole (narrowed) scenario.
#[allow(clippy::too_many_arguments)]
fn move_input(
    scenario: &Scenario,
    catalogue: &Catalogue,
    whole: &Scenario,
    base_pair: Pair,
    policy: &str,
    which: Figure,
    step: Decimal,
    only: Option<usize>,
    path_text: String,
    path: OverridePath,
) -> Result<Moved, WhatifError> {
    let part = only.map(|index| narrowed(scenario, policy, Some(index)));
    let (priced, part_base) = match &part {
        Some(part) => (part, Some(Pair::of(&month(part, catalogue)?, policy))),
        None => (whole, None),
    };
    // On the one-workload copy, finding the workload is a single comparison.
    let (down, up) = moves(priced, &path, step);
    let moved = |change| {
        let item = Override {
            path_text: path_text.clone(),
            path: path.clone(),
            change,
        };
        month_with(priced, catalogue, &[item]).map(|month| {
            let pair = Pair::of(&month, policy);
            match part_base {
                Some(old) => base_pair.swap(old, pair),
                None => pair,
            }
        })
    };
    match (moved(down), moved(up)) {
        (Ok(low), Ok(high)) => {
            let (low, high) = (low.figure(which), high.figure(which));
            Ok(Moved::Bar(Bar {
                path: path_text,
                low,
                high,
                swing: (high - low).abs(),
            }))
        }
        (Err(WhatifError::Override(error)), _) | (_, Err(WhatifError::Override(error))) => {
            Ok(Moved::Skipped(path_text, error.message))
        }
        (Err(error), _) | (_, Err(error)) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{pricing, scenario, source::SourceFile};

    /// The tornado as it was first written: every input moved on the whole scenario, so the
    /// work grew with the square of the workloads. The linear tornado must equal it exactly.
    fn reference(
        scenario: &Scenario,
        catalogue: &Catalogue,
        policy: &str,
        which: Figure,
        step: Decimal,
    ) -> (Vec<Bar>, Vec<(String, String)>) {
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
                (Err(WhatifError::Override(e)), _) | (_, Err(WhatifError::Override(e))) => {
                    skipped.push((path_text, e.message))
                }
                (Err(e), _) | (_, Err(e)) => panic!("{e}"),
            }
        }
        bars.sort_by(|a, b| b.swing.cmp(&a.swing).then_with(|| a.path.cmp(&b.path)));
        (bars, skipped)
    }

    #[test]
    fn the_linear_tornado_equals_moving_each_input_on_the_whole_scenario() {
        let (catalogue, _) = pricing::load_catalogue(&[]).unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let files = [
            "scenarios/seed.yaml",
            "scenarios/support-desk.yaml",
            "scenarios/document-pipeline.yaml",
            "scenarios/multi-vendor.yaml",
            "scenarios/cascade-loses.yaml",
            "scenarios/cascade-wins.yaml",
            "tests/fixtures/quality/two-step.yaml",
        ];
        let mut compared = 0;
        for file in files {
            let source = SourceFile::read(&root.join(file)).unwrap();
            let (scenario, _) = scenario::load_scenario(&source, &catalogue).unwrap();
            for policy in &scenario.policies {
                for which in [Figure::Cost, Figure::Savings, Figure::SavingsPct] {
                    for step in [Decimal::new(1, 1), Decimal::new(35, 2)] {
                        let fast =
                            tornado(&scenario, &catalogue, &policy.name, which, step, &|_| {})
                                .unwrap();
                        let (bars, skipped) =
                            reference(&scenario, &catalogue, &policy.name, which, step);
                        assert_eq!(fast.bars, bars, "{file} {} {which:?}", policy.name);
                        assert_eq!(fast.skipped, skipped, "{file} {}", policy.name);
                        compared += bars.len();
                    }
                }
            }
        }
        assert!(compared > 100, "only {compared} bars compared");
    }
}
