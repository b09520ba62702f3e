//! Replaying a scenario's workloads through each routing policy, exactly.
//!
//! For each policy (in parallel) and each workload, the route picks a model; the workload is
//! split into billing segments (tier vs batch share, peak vs off-peak) and each segment into
//! components (uncached input, cached input, cache write, output). Every piece becomes a
//! [`CostLine`]; stand-in prices become [`Assumption`]s.

use std::collections::BTreeMap;

use jiff::Timestamp;
use rayon::prelude::*;
use rust_decimal::Decimal;

use super::breakdown::{
    Assumption, Billing, Component, Context, CostLine, Evaluation, PolicyCost, Window,
};
use super::prices::{self, PriceError, Slice};
use crate::model::catalogue::Catalogue;
use crate::model::scenario::{Policy, Scenario, ServiceTier, Target, Workload};

const PER_MILLION: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    #[error("policy '{policy}' leaves workload '{workload}' unrouted")]
    Unrouted { policy: String, workload: String },
    #[error("unknown model '{0}'")]
    UnknownModel(String),
    #[error(transparent)]
    Price(#[from] PriceError),
}

/// What a workload is priced against: the catalogue, the date and the negotiated discounts.
#[derive(Clone, Copy)]
pub struct Market<'a> {
    pub catalogue: &'a Catalogue,
    pub as_of: Timestamp,
    pub discounts: &'a BTreeMap<String, Decimal>,
}

impl<'a> Market<'a> {
    pub fn of(scenario: &'a Scenario, catalogue: &'a Catalogue) -> Self {
        Market {
            catalogue,
            as_of: scenario.as_of,
            discounts: &scenario.discounts,
        }
    }
}

/// A note produced while pricing one workload on one policy.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Note {
    pub model: String,
    pub workload: String,
    pub text: String,
}

/// Prices every policy of `scenario`. Policies run in parallel; the result keeps scenario order.
pub fn evaluate(scenario: &Scenario, catalogue: &Catalogue) -> Result<Evaluation, EngineError> {
    let priced: Vec<(PolicyCost, Vec<Note>)> = scenario
        .policies
        .par_iter()
        .map(|policy| evaluate_policy(scenario, Market::of(scenario, catalogue), policy))
        .collect::<Result<_, _>>()?;

    let mut assumptions: BTreeMap<Note, Vec<String>> = BTreeMap::new();
    let mut policies = Vec::with_capacity(priced.len());
    for (cost, notes) in priced {
        for note in notes {
            let names = assumptions.entry(note).or_default();
            if !names.contains(&cost.policy) {
                names.push(cost.policy.clone());
            }
        }
        policies.push(cost);
    }
    Ok(Evaluation {
        scenario: scenario.name.clone(),
        file: scenario.file.clone(),
        as_of: scenario.as_of,
        baseline: scenario.baseline.clone(),
        policies,
        assumptions: assumptions
            .into_iter()
            .map(|(note, policies)| Assumption {
                model: note.model,
                workload: note.workload,
                text: note.text,
                policies,
            })
            .collect(),
    })
}

fn evaluate_policy(
    scenario: &Scenario,
    market: Market,
    policy: &Policy,
) -> Result<(PolicyCost, Vec<Note>), EngineError> {
    let mut lines = Vec::new();
    let mut notes = Vec::new();
    for workload in &scenario.workloads {
        let target = policy
            .route(workload)
            .ok_or_else(|| EngineError::Unrouted {
                policy: policy.name.clone(),
                workload: workload.name.clone(),
            })?;
        price_workload(market, workload, target, &mut lines, &mut notes)?;
    }
    notes.sort();
    notes.dedup();
    Ok((PolicyCost::from_lines(policy.name.clone(), lines), notes))
}

/// Appends the lines for `workload` sent to `target`.
pub fn price_workload(
    market: Market,
    workload: &Workload,
    target: &Target,
    lines: &mut Vec<CostLine>,
    notes: &mut Vec<Note>,
) -> Result<(), EngineError> {
    let model = market
        .catalogue
        .model(&target.model)
        .ok_or_else(|| EngineError::UnknownModel(target.model.clone()))?;
    let set = prices::price_set(model, market.as_of)?;
    let discount = market
        .discounts
        .get(&model.provider)
        .copied()
        .unwrap_or_default();
    let mut note = |text: String| {
        notes.push(Note {
            model: model.id.clone(),
            workload: workload.name.clone(),
            text,
        })
    };

    let context = context_for(
        set.long_context.as_ref().map(|l| l.above_input_tokens),
        workload,
    );
    let tier = match target.tier.unwrap_or(workload.tier) {
        ServiceTier::Standard => Billing::Standard,
        ServiceTier::Flex => Billing::Flex,
        ServiceTier::Priority => Billing::Priority,
    };
    let billing_shares = [
        (tier, Decimal::ONE - workload.batch_share),
        (Billing::Batch, workload.batch_share),
    ];
    let window_shares: Vec<(Window, Decimal)> = if set.off_peak.is_some() {
        let off_peak = workload.off_peak_share.unwrap_or_else(|| {
            note(format!(
                "workload '{}' gives no off_peak_share; all of it is billed at {}'s peak prices",
                workload.name, model.id
            ));
            Decimal::ZERO
        });
        vec![
            (Window::Peak, Decimal::ONE - off_peak),
            (Window::OffPeak, off_peak),
        ]
    } else {
        vec![(Window::AllHours, Decimal::ONE)]
    };

    let input = Decimal::from(workload.input_tokens);
    let output = Decimal::from(workload.output_tokens);
    let component_tokens = [
        (
            Component::UncachedInput,
            input * (Decimal::ONE - workload.cache_hit_rate - workload.cache_write_rate),
        ),
        (Component::CachedInput, input * workload.cache_hit_rate),
        (Component::CacheWrite, input * workload.cache_write_rate),
        (Component::Output, output),
    ];

    for (billing, billing_share) in billing_shares {
        for &(window, window_share) in &window_shares {
            let share = billing_share * window_share;
            if share.is_zero() {
                continue;
            }
            let slice = Slice {
                billing,
                window,
                context,
                mode: target.prices,
                regional_processing: workload.regional_processing,
            };
            let quote = prices::quote(model, market.as_of, slice)?;
            for (component, tokens) in component_tokens {
                let tokens = tokens * share;
                if tokens.is_zero() {
                    continue;
                }
                let unit_price = quote.columns.get(component);
                for fallback in &quote.fallbacks {
                    if fallback.component.is_none_or(|c| c == component) {
                        note(fallback.text.clone());
                    }
                }
                let cost = tokens * unit_price / PER_MILLION * (Decimal::ONE - discount);
                lines.push(CostLine {
                    workload: workload.name.clone(),
                    model: model.id.clone(),
                    provider: model.provider.clone(),
                    component,
                    billing,
                    window,
                    context,
                    prices: target.prices,
                    tokens,
                    unit_price,
                    discount,
                    promotion: quote.promotion.clone(),
                    price_from: quote.price_from,
                    source: quote.source.clone(),
                    cost,
                });
            }
        }
    }
    Ok(())
}

/// Long-context prices apply to the whole request once its input passes the threshold; only
/// workloads given per request say how large a request is.
fn context_for(threshold: Option<u64>, workload: &Workload) -> Context {
    match (threshold, &workload.shape) {
        (Some(threshold), Some(shape)) if shape.input_tokens_per_request > threshold => {
            Context::Long
        }
        _ => Context::Standard,
    }
}
