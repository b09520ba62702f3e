//! Sweeps: a grid over one or more override paths, evaluated exactly and in parallel.
//!
//! Dimensions that change how work is priced (model prices, discounts, `as_of`, request sizes)
//! are applied per combination of their values, building a [`WorkloadPlan`] per policy and
//! workload — lazily, inside the parallel loop, for each run of consecutive points that share a
//! combination, so memory stays flat in the number of values of every kind of axis; dimensions that only change volumes and shares are then applied per point with
//! the very function `whatif` uses ([`apply_to_numbers`]), so every point equals `whatif` with
//! the same overrides. Three exact loops price a point, fastest first: when only shares vary
//! and a bound proves no overflow, a regrouped integer kernel ([`ShareKernel`], three
//! multiplications a segment); otherwise fixed point with overflow checks ([`Scales`]); and
//! `Decimal` for points whose numbers fit no common scale. Scenarios with a quality section
//! price the expected month through the ordinary path at every point. Points are numbered in
//! row-major order (the last dimension varies fastest) and evaluated in chunks, so output
//! order never depends on the thread count and can be streamed.

use std::borrow::Cow;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use rust_decimal::Decimal;

use super::evaluate::{route, EngineError, Market, WorkloadPlan};
use super::fixed::{exact_scale, FixedNumbers, FixedPlan, Scales, ShareKernel};
use super::overrides::{
    apply, apply_to_numbers, select_workloads, Change, Numbers, Override, OverrideError,
    OverridePath, WorkloadField,
};
use super::whatif::{month_with, WhatifError};
use crate::model::catalogue::Catalogue;
use crate::model::scenario::Scenario;

/// One varied parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Axis {
    pub path_text: String,
    pub path: OverridePath,
    pub values: Values,
}

/// The values an axis takes: a list, or a range whose values are made when asked for, so a
/// range of a million values holds three numbers rather than a million.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Values {
    List(Arc<[Change]>),
    /// `start + step × index` for `index` below `count`, each normalized; factors when `scaled`.
    Range {
        start: Decimal,
        step: Decimal,
        count: usize,
        scaled: bool,
    },
}

impl Values {
    pub fn len(&self) -> usize {
        match self {
            Values::List(values) => values.len(),
            Values::Range { count, .. } => *count,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at `index` (below [`Values::len`]).
    #[inline]
    pub fn get(&self, index: usize) -> Change {
        match self {
            Values::List(values) => values[index],
            Values::Range {
                start,
                step,
                scaled,
                ..
            } => {
                let value = (*start + *step * Decimal::from(index)).normalize();
                if *scaled {
                    Change::Scale(value)
                } else {
                    Change::Set(value)
                }
            }
        }
    }

    /// Every value, in order.
    pub fn iter(&self) -> impl Iterator<Item = Change> + '_ {
        (0..self.len()).map(|index| self.get(index))
    }
}

impl From<Vec<Change>> for Values {
    fn from(values: Vec<Change>) -> Self {
        Values::List(values.into())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error(transparent)]
    Override(#[from] OverrideError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Quality(#[from] super::quality::QualityError),
    #[error("the grid has {points} points, more than the limit of {limit}")]
    TooLarge { points: String, limit: u64 },
    #[error("no policy '{0}' in the scenario")]
    UnknownPolicy(String),
    #[error("'{0}' is varied twice")]
    Repeated(String),
    #[error("a sweep varies at most {MAX_AXES} parameters")]
    TooManyAxes,
    #[error("interrupted")]
    Interrupted,
}

/// Everything precomputed for one combination of the pricing dimensions.
struct PlanSet<'a> {
    /// `plans[policy][workload]`
    plans: Vec<Vec<WorkloadPlan<'a>>>,
    /// The scales of this combination: the sweep's share scale and these plans' rate scale.
    scales: Option<Scales>,
    /// The same plans in fixed point, when the numbers fit one set of scales.
    fixed: Option<Vec<Vec<FixedPlan>>>,
    numbers: Vec<Numbers>,
    /// The workloads' names, for messages.
    names: Vec<String>,
    /// `numbers` in fixed point, for sweeps whose volume axes only set shares.
    fixed_numbers: Option<Vec<FixedNumbers>>,
    /// Whether the share-only loop provably cannot overflow on these plans.
    unchecked: bool,
    /// `kernels[policy][workload]`, when the share-only loop provably cannot overflow.
    kernels: Option<Vec<Vec<ShareKernel>>>,
}

/// Workloads a point keeps on the stack; scenarios with more use the `Decimal` path.
const INLINE_WORKLOADS: usize = 16;

/// Points one parallel task prices in a row.
const BLOCK: usize = 256;

/// The most parameters one sweep varies.
pub const MAX_AXES: usize = 16;

/// A volume axis that only sets a share, with its values in fixed point: such axes skip the
/// `Decimal` override arithmetic entirely.
struct ShareAxis {
    axis: usize,
    field: WorkloadField,
    workloads: Vec<usize>,
    values: Vec<i128>,
}

/// Shares written with more decimals than this are priced by the `Decimal` path.
const MAX_SHARE_SCALE: u32 = 6;

/// A prepared sweep: the axes split into pricing and volume dimensions, plans built.
pub struct Sweep<'a> {
    pub axes: Vec<Axis>,
    /// Indices into the scenario's policies of the policies evaluated (the baseline included).
    pub policies: Vec<usize>,
    /// Position of the baseline in `policies`.
    pub baseline: usize,
    pub points: u64,
    scenario: &'a Scenario,
    catalogue: &'a Catalogue,
    plan_axes: Vec<usize>,
    volume_axes: Vec<VolumeAxis>,
    /// The one plan set of a sweep with no pricing axis, built once.
    only_set: Option<PlanSet<'a>>,
    /// Decimals of every share the scenario and the axes write (capped).
    share_scale: u32,
    /// Present when every volume axis sets a share and every value fits the share scale.
    share_axes: Option<Vec<ShareAxis>>,
    /// For a scenario with a quality section: every point is the expected month with retries
    /// and human review, priced through the ordinary path.
    expected: bool,
}

/// A dimension that changes only volumes and shares, with the workloads it touches.
struct VolumeAxis {
    axis: usize,
    workloads: Vec<(usize, String)>,
}

/// Mixed-radix digits of `index` (last digit fastest).
fn decode(mut index: u64, sizes: &[usize]) -> Vec<usize> {
    let mut digits = vec![0; sizes.len()];
    for position in (0..sizes.len()).rev() {
        let size = sizes[position] as u64;
        digits[position] = (index % size) as usize;
        index /= size;
    }
    digits
}

impl<'a> Sweep<'a> {
    /// Prepares a sweep of `axes` over `policy_names` (all policies when empty). `max_points`
    /// bounds the grid.
    pub fn new(
        scenario: &'a Scenario,
        catalogue: &'a Catalogue,
        axes: Vec<Axis>,
        policy_names: &[String],
        max_points: u64,
    ) -> Result<Sweep<'a>, SweepError> {
        if axes.len() > MAX_AXES {
            return Err(SweepError::TooManyAxes);
        }
        for (index, axis) in axes.iter().enumerate() {
            if axes[..index].iter().any(|other| other.path == axis.path) {
                return Err(SweepError::Repeated(axis.path_text.clone()));
            }
        }
        let points = axes.iter().try_fold(1u64, |total, axis| {
            total.checked_mul(axis.values.len() as u64)
        });
        match points {
            Some(points) if points <= max_points => {}
            _ => {
                return Err(SweepError::TooLarge {
                    points: points.map_or_else(|| "too many".to_string(), |p| p.to_string()),
                    limit: max_points,
                })
            }
        }
        let points = points.unwrap_or(0);
        let mut policies = Vec::new();
        for name in policy_names {
            let index = scenario
                .policies
                .iter()
                .position(|policy| &policy.name == name)
                .ok_or_else(|| SweepError::UnknownPolicy(name.clone()))?;
            if !policies.contains(&index) {
                policies.push(index);
            }
        }
        if policies.is_empty() {
            policies = (0..scenario.policies.len()).collect();
        }
        let baseline_index = scenario
            .policies
            .iter()
            .position(|policy| policy.name == scenario.baseline)
            .unwrap_or(0);
        let baseline = match policies.iter().position(|&p| p == baseline_index) {
            Some(position) => position,
            None => {
                policies.push(baseline_index);
                policies.len() - 1
            }
        };

        let plan_axes: Vec<usize> = (0..axes.len())
            .filter(|&i| !axes[i].path.changes_only_volumes())
            .collect();
        let mut volume_axes = Vec::new();
        for (index, axis) in axes.iter().enumerate() {
            if let OverridePath::Workload { name, .. } = &axis.path {
                if axis.path.changes_only_volumes() {
                    let workloads = select_workloads(scenario, &axis.path_text, name)?
                        .into_iter()
                        .map(|w| (w, scenario.workloads[w].name.clone()))
                        .collect();
                    volume_axes.push(VolumeAxis {
                        axis: index,
                        workloads,
                    });
                }
            }
        }

        let share_scale = share_scale(scenario, &axes);
        let share_axes = share_axes(share_scale, &axes, &volume_axes);
        let mut sweep = Sweep {
            axes,
            policies,
            baseline,
            points,
            scenario,
            catalogue,
            plan_axes,
            volume_axes,
            only_set: None,
            share_scale,
            share_axes,
            expected: scenario.quality.is_some(),
        };
        if sweep.plan_axes.is_empty() && !sweep.expected {
            sweep.only_set = Some(sweep.plan_set(scenario, catalogue)?);
        } else if sweep.points > 0 && !sweep.plan_axes.is_empty() {
            // The first combination, priced now, so an override that can never apply (an
            // unknown model or provider) is an error before any output.
            let (variant, catalogue) = sweep.variant(0)?;
            if !sweep.expected {
                sweep.plan_set(&variant, &catalogue)?;
            }
        }
        Ok(sweep)
    }

    /// The scenario and catalogue of pricing combination `combo`.
    fn variant(&self, combo: usize) -> Result<(Scenario, Cow<'a, Catalogue>), SweepError> {
        let sizes: Vec<usize> = self
            .plan_axes
            .iter()
            .map(|&i| self.axes[i].values.len())
            .collect();
        let indices = decode(combo as u64, &sizes);
        let overrides: Vec<Override> = self
            .plan_axes
            .iter()
            .zip(&indices)
            .map(|(&axis, &index)| Override {
                path_text: self.axes[axis].path_text.clone(),
                path: self.axes[axis].path.clone(),
                change: self.axes[axis].values.get(index),
            })
            .collect();
        Ok(apply(self.scenario, self.catalogue, &overrides)?)
    }

    /// The plans of one pricing combination, with its fixed-point forms when they fit.
    fn plan_set<'p>(
        &self,
        variant: &'p Scenario,
        catalogue: &'p Catalogue,
    ) -> Result<PlanSet<'p>, SweepError> {
        let market = Market::of(variant, catalogue);
        let mut notes = Vec::new();
        let mut plans = Vec::with_capacity(self.policies.len());
        for &policy_index in &self.policies {
            let policy = &variant.policies[policy_index];
            let mut row = Vec::with_capacity(variant.workloads.len());
            for workload in &variant.workloads {
                let target = route(policy, workload)?;
                row.push(WorkloadPlan::new(market, workload, target, &mut notes)?);
            }
            plans.push(row);
        }
        let numbers: Vec<Numbers> = variant.workloads.iter().map(Numbers::of).collect();
        let scales = Scales::for_plans(self.share_scale, plans.iter().flatten());
        let mut set = PlanSet {
            plans,
            scales,
            fixed: None,
            numbers,
            names: variant.workloads.iter().map(|w| w.name.clone()).collect(),
            fixed_numbers: None,
            unchecked: false,
            kernels: None,
        };
        let Some(scales) = scales else {
            return Ok(set);
        };
        set.fixed = set
            .plans
            .iter()
            .map(|row| row.iter().map(|plan| scales.plan(plan)).collect())
            .collect();
        set.fixed_numbers = set.numbers.iter().map(|n| scales.numbers(n)).collect();
        // Share axes leave token counts as the scenario (or its pricing variant) gives them.
        if self.share_axes.is_some() {
            let max_tokens = set
                .numbers
                .iter()
                .map(|n| n.input_tokens.max(n.output_tokens))
                .max()
                .unwrap_or(0);
            set.unchecked = set
                .fixed
                .as_ref()
                .is_some_and(|fixed| scales.bounded(max_tokens, fixed.iter().flatten()));
        }
        if set.unchecked {
            if let (Some(fixed), Some(numbers)) = (&set.fixed, &set.fixed_numbers) {
                set.kernels = fixed
                    .iter()
                    .map(|row| {
                        row.iter()
                            .zip(numbers)
                            .map(|(plan, numbers)| scales.kernel(plan, numbers))
                            .collect::<Option<Vec<_>>>()
                    })
                    .collect();
            }
        }
        Ok(set)
    }

    /// The pricing combination of the point at `digits`.
    #[inline]
    fn combo(&self, digits: &[usize; MAX_AXES]) -> usize {
        let mut combo = 0usize;
        for &axis in &self.plan_axes {
            combo = combo * self.axes[axis].values.len() + digits[axis];
        }
        combo
    }

    /// The coordinates of point `index` in a fixed array (axes beyond the sweep's stay 0).
    fn digits(&self, index: u64) -> [usize; MAX_AXES] {
        let mut digits = [0usize; MAX_AXES];
        let mut remainder = index;
        for position in (0..self.axes.len()).rev() {
            let size = self.axes[position].values.len() as u64;
            digits[position] = (remainder % size) as usize;
            remainder /= size;
        }
        digits
    }

    /// Steps `digits` to the next point: the last axis fastest.
    #[inline]
    fn advance(&self, digits: &mut [usize; MAX_AXES]) {
        for position in (0..self.axes.len()).rev() {
            digits[position] += 1;
            if digits[position] < self.axes[position].values.len() {
                return;
            }
            digits[position] = 0;
        }
    }

    /// Value indices of point `index`, one per axis.
    pub fn coordinates(&self, index: u64) -> Vec<usize> {
        let sizes: Vec<usize> = self.axes.iter().map(|axis| axis.values.len()).collect();
        decode(index, &sizes)
    }

    /// Evaluates the point at `digits` on `set` (its pricing combination's plans) into `costs`
    /// (one per entry of `policies`), reusing `scratch`.
    fn evaluate_point(
        &self,
        set: &PlanSet,
        digits: &[usize; MAX_AXES],
        scratch: &mut Vec<Numbers>,
        costs: &mut [Decimal],
    ) -> Result<(), SweepError> {
        if let (Some(scales), Some(share_axes), Some(fixed), Some(base)) =
            (set.scales, &self.share_axes, &set.fixed, &set.fixed_numbers)
        {
            let priced = if let Some(kernels) = &set.kernels {
                kernel_costs(scales, share_axes, digits, kernels, base, costs)
            } else if set.unchecked {
                shares_only_costs::<false>(scales, share_axes, digits, fixed, base, costs)
            } else {
                shares_only_costs::<true>(scales, share_axes, digits, fixed, base, costs)
            };
            if priced.is_some() {
                return Ok(());
            }
        }
        scratch.clear();
        scratch.extend_from_slice(&set.numbers);
        for volume_axis in &self.volume_axes {
            let axis = &self.axes[volume_axis.axis];
            let OverridePath::Workload { field, .. } = &axis.path else {
                continue;
            };
            let change = axis.values.get(digits[volume_axis.axis]);
            for (workload, name) in &volume_axis.workloads {
                apply_to_numbers(
                    &mut scratch[*workload],
                    name,
                    &axis.path_text,
                    *field,
                    change,
                )?;
            }
        }
        if let (Some(scales), Some(fixed)) = (set.scales, &set.fixed) {
            if fixed_costs(scales, fixed, scratch, costs).is_some() {
                return Ok(());
            }
        }
        for (slot, plans) in costs.iter_mut().zip(&set.plans) {
            let mut total = Decimal::ZERO;
            for ((plan, numbers), workload) in plans.iter().zip(scratch.iter()).zip(&set.names) {
                plan.add_cost(&numbers.volume(), &mut total)
                    .map_err(|what| EngineError::Inexact {
                        workload: workload.clone(),
                        model: plan.model.id.clone(),
                        what,
                    })?;
            }
            *slot = total;
        }
        Ok(())
    }

    /// The expected month at a point of a scenario with a quality section: the pricing
    /// combination's scenario with the volume axes applied, priced with retries and review.
    fn expected_costs(
        &self,
        variant: &Scenario,
        catalogue: &Catalogue,
        digits: &[usize; MAX_AXES],
        costs: &mut [Decimal],
    ) -> Result<(), SweepError> {
        let overrides: Vec<Override> = self
            .volume_axes
            .iter()
            .map(|volume_axis| {
                let axis = &self.axes[volume_axis.axis];
                Override {
                    path_text: axis.path_text.clone(),
                    path: axis.path.clone(),
                    change: axis.values.get(digits[volume_axis.axis]),
                }
            })
            .collect();
        let month = month_with(variant, catalogue, &overrides).map_err(|error| match error {
            WhatifError::Override(error) => SweepError::Override(error),
            WhatifError::Engine(error) => SweepError::Engine(error),
            WhatifError::Quality(error) => SweepError::Quality(error),
        })?;
        for (slot, &policy) in costs.iter_mut().zip(&self.policies) {
            *slot = month.costs.policies[policy].total;
        }
        Ok(())
    }

    /// Prices `costs` (point-major, `policies.len()` per point) for the consecutive points
    /// starting at `digits`. Runs of points sharing a pricing combination share one variant
    /// and one plan set, built here and dropped when the run ends. Returns the offset of the
    /// first point that failed, with its error.
    fn evaluate_run(
        &self,
        mut digits: [usize; MAX_AXES],
        costs: &mut [Decimal],
        scratch: &mut Vec<Numbers>,
    ) -> Result<(), (usize, SweepError)> {
        let width = self.policies.len();
        let count = costs.len() / width;
        let mut offset = 0;
        while offset < count {
            let combo = self.combo(&digits);
            let owned;
            let (variant, catalogue): (&Scenario, &Catalogue) = if self.plan_axes.is_empty() {
                (self.scenario, self.catalogue)
            } else {
                owned = self.variant(combo).map_err(|error| (offset, error))?;
                (&owned.0, &owned.1)
            };
            let built;
            let set = match (&self.only_set, self.expected) {
                (_, true) => None,
                (Some(set), false) => Some(set),
                (None, false) => {
                    built = self
                        .plan_set(variant, catalogue)
                        .map_err(|error| (offset, error))?;
                    Some(&built)
                }
            };
            loop {
                let slot = &mut costs[offset * width..(offset + 1) * width];
                let priced = match set {
                    Some(set) => self.evaluate_point(set, &digits, scratch, slot),
                    None => self.expected_costs(variant, catalogue, &digits, slot),
                };
                priced.map_err(|error| (offset, error))?;
                offset += 1;
                if offset == count {
                    break;
                }
                self.advance(&mut digits);
                if !self.plan_axes.is_empty() && self.combo(&digits) != combo {
                    break;
                }
            }
        }
        Ok(())
    }

    /// Evaluates every point in parallel, `chunk` points at a time, handing each chunk's costs
    /// (point-major, `policies.len()` per point) to `consume` in point order. `consume`
    /// returns `false` to stop (e.g. on Ctrl-C).
    pub fn run(
        &self,
        chunk: u64,
        mut consume: impl FnMut(u64, &[Decimal]) -> bool,
    ) -> Result<(), SweepError> {
        let width = self.policies.len();
        let mut buffer = vec![Decimal::ZERO; (chunk.min(self.points) as usize) * width];
        let mut start = 0u64;
        while start < self.points {
            let count = chunk.min(self.points - start) as usize;
            let slots = &mut buffer[..count * width];
            let first_error: Mutex<Option<(u64, SweepError)>> = Mutex::new(None);
            // Each task prices a block of consecutive points, stepping the coordinates like an
            // odometer instead of dividing the point index for every point. Block boundaries
            // depend only on the point index, so the result does not depend on the threads.
            slots
                .par_chunks_mut(width * BLOCK)
                .enumerate()
                .for_each_init(Vec::new, |scratch, (block, costs)| {
                    let first = start + (block * BLOCK) as u64;
                    if let Err((offset, error)) =
                        self.evaluate_run(self.digits(first), costs, scratch)
                    {
                        let index = first + offset as u64;
                        let mut first_seen = first_error.lock().unwrap_or_else(|e| e.into_inner());
                        if first_seen.as_ref().is_none_or(|(at, _)| index < *at) {
                            *first_seen = Some((index, error));
                        }
                    }
                });
            if let Some((_, error)) = first_error.into_inner().unwrap_or_else(|e| e.into_inner()) {
                return Err(error);
            }
            if !consume(start, slots) {
                return Err(SweepError::Interrupted);
            }
            start += count as u64;
        }
        Ok(())
    }
}

/// Share axes in fixed point, when every volume axis sets a share to values that fit `scales`.
fn share_axes(
    share_scale: u32,
    axes: &[Axis],
    volume_axes: &[VolumeAxis],
) -> Option<Vec<ShareAxis>> {
    let scales = Scales {
        share: share_scale,
        rate: 0,
    };
    volume_axes
        .iter()
        .map(|volume_axis| {
            let axis = &axes[volume_axis.axis];
            let OverridePath::Workload { field, .. } = &axis.path else {
                return None;
            };
            if !field.is_share() {
                return None;
            }
            let values = axis
                .values
                .iter()
                .map(|change| match change {
                    Change::Set(value) if value >= Decimal::ZERO && value <= Decimal::ONE => {
                        scales.share(value)
                    }
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()?;
            Some(ShareAxis {
                axis: volume_axis.axis,
                field: *field,
                workloads: volume_axis.workloads.iter().map(|(w, _)| *w).collect(),
                values,
            })
        })
        .collect()
}

/// Prices a point whose volume axes only set shares, without any `Decimal` arithmetic until the
/// totals; `None` sends it to the general path (which also reports invalid combinations).
#[inline]
fn shares_only_costs<const CHECKED: bool>(
    scales: Scales,
    share_axes: &[ShareAxis],
    digits: &[usize; MAX_AXES],
    fixed: &[Vec<FixedPlan>],
    base: &[FixedNumbers],
    costs: &mut [Decimal],
) -> Option<()> {
    let mut numbers = [FixedNumbers::default(); INLINE_WORKLOADS];
    set_shares(share_axes, digits, base, &mut numbers)?;
    let mut volumes = [None; INLINE_WORKLOADS];
    for (volume, numbers) in volumes.iter_mut().zip(&numbers[..base.len()]) {
        *volume = Some(scales.volume::<CHECKED>(numbers)?);
    }
    for (slot, plans) in costs.iter_mut().zip(fixed) {
        let mut total = 0i128;
        for (plan, volume) in plans.iter().zip(&volumes) {
            scales.add_cost::<CHECKED>(plan, volume.as_ref()?, &mut total)?;
        }
        *slot = scales.to_decimal(total)?;
    }
    Some(())
}

/// The point's numbers: the pricing variant's, with the share axes' values set.
#[inline]
fn set_shares(
    share_axes: &[ShareAxis],
    digits: &[usize; MAX_AXES],
    base: &[FixedNumbers],
    numbers: &mut [FixedNumbers; INLINE_WORKLOADS],
) -> Option<()> {
    if base.len() > INLINE_WORKLOADS {
        return None;
    }
    numbers[..base.len()].copy_from_slice(base);
    for axis in share_axes {
        let value = axis.values[digits[axis.axis]];
        for &workload in &axis.workloads {
            let slot = &mut numbers[workload];
            match axis.field {
                WorkloadField::CacheHitRate => slot.hit = value,
                WorkloadField::CacheWriteRate => slot.write = value,
                WorkloadField::BatchShare => slot.batch = value,
                _ => slot.off_peak = value,
            }
        }
    }
    Some(())
}

/// Prices a share-only point with the precomputed kernels: three multiplications a segment.
/// `None` (cache shares above 1, or a total beyond a `Decimal`) sends it to the general path.
#[inline]
fn kernel_costs(
    scales: Scales,
    share_axes: &[ShareAxis],
    digits: &[usize; MAX_AXES],
    kernels: &[Vec<ShareKernel>],
    base: &[FixedNumbers],
    costs: &mut [Decimal],
) -> Option<()> {
    let mut numbers = [FixedNumbers::default(); INLINE_WORKLOADS];
    set_shares(share_axes, digits, base, &mut numbers)?;
    let one = scales.one();
    if numbers[..base.len()].iter().any(|n| n.hit + n.write > one) {
        return None;
    }
    for (slot, row) in costs.iter_mut().zip(kernels) {
        let mut total = 0i128;
        for (kernel, numbers) in row.iter().zip(&numbers) {
            scales.add_kernel_cost(kernel, numbers, &mut total);
        }
        *slot = scales.to_decimal(total)?;
    }
    Some(())
}

/// Prices one point in fixed point; `None` sends it to the `Decimal` path.
#[inline]
fn fixed_costs(
    scales: Scales,
    fixed: &[Vec<FixedPlan>],
    numbers: &[Numbers],
    costs: &mut [Decimal],
) -> Option<()> {
    const INLINE: usize = 16;
    let mut volumes = [None; INLINE];
    if numbers.len() > INLINE {
        return None;
    }
    for (slot, numbers) in volumes.iter_mut().zip(numbers) {
        *slot = Some(scales.volume::<true>(&scales.numbers(numbers)?)?);
    }
    for (slot, plans) in costs.iter_mut().zip(fixed) {
        let mut total = 0i128;
        for (plan, volume) in plans.iter().zip(&volumes) {
            scales.add_cost::<true>(plan, volume.as_ref()?, &mut total)?;
        }
        *slot = scales.to_decimal(total)?;
    }
    Some(())
}

/// One share scale for the whole sweep: enough decimals for every share the scenario and the
/// axes write, capped. Pricing axes never change shares, so the scenario's own numbers decide.
fn share_scale(scenario: &Scenario, axes: &[Axis]) -> u32 {
    let base = scenario.workloads.iter().map(Numbers::of).flat_map(|n| {
        [
            n.cache_hit_rate,
            n.cache_write_rate,
            n.batch_share,
            n.off_peak_share.unwrap_or_default(),
        ]
    });
    let varied = axes.iter().flat_map(|axis| {
        axis.values.iter().filter_map(|change| match change {
            Change::Set(value) if value.abs() <= Decimal::ONE => Some(value),
            _ => None,
        })
    });
    base.chain(varied)
        .map(exact_scale)
        .max()
        .unwrap_or(0)
        .min(MAX_SHARE_SCALE)
}
