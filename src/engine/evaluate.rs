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
    Assumption, Billing, Component, Context, CostLine, Evaluation, PolicyCost, Warning, Window,
};
use super::exact;
use super::prices::{self, PriceError, Quote, Slice};
use crate::load::values::show_instant;
use crate::model::catalogue::{Catalogue, Model};
use crate::model::scenario::{Policy, PriceMode, Scenario, ServiceTier, Target, Workload};

const PER_MILLION: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    #[error("policy '{policy}' leaves workload '{workload}' unrouted")]
    Unrouted { policy: String, workload: String },
    #[error("unknown model '{0}'")]
    UnknownModel(String),
    #[error(transparent)]
    Price(#[from] PriceError),
    /// A product or sum that needs more than the 28 significant digits exact arithmetic holds.
    #[error("the cost of workload '{workload}' on '{model}' needs more than 28 significant digits ({what}), so it cannot be priced exactly")]
    Inexact {
        workload: String,
        model: String,
        what: &'static str,
    },
    #[error("model '{model}' was retired on {date}; it cannot be priced on {as_of}{}", successor.as_ref().map(|s| format!(" (its successor is '{s}')")).unwrap_or_default())]
    Retired {
        model: String,
        date: String,
        as_of: String,
        successor: Option<String>,
    },
    #[error("workload '{workload}' sends {tokens} input tokens per request to '{model}', whose context window on {as_of} is {window} tokens")]
    ContextExceeded {
        workload: String,
        model: String,
        tokens: u64,
        window: u64,
        as_of: String,
    },
}

/// Days a catalogue's newest `checked` date may lie before the date priced before results say
/// its prices may be stale.
pub const STALE_AFTER_DAYS: i64 = 60;

/// The warnings a result carries: each deprecated model that `models` names (as of `as_of`),
/// and a catalogue whose newest check is more than [`STALE_AFTER_DAYS`] before `as_of`.
pub fn lifecycle_warnings<'a>(
    catalogue: &Catalogue,
    as_of: Timestamp,
    models: impl IntoIterator<Item = &'a str>,
) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for id in models {
        if !seen.insert(id) {
            continue;
        }
        let Some(model) = catalogue.model(id) else {
            continue;
        };
        if let Some(deprecated) = model.deprecated.filter(|_| model.is_deprecated(as_of)) {
            let mut text = format!(
                "{} is deprecated since {}",
                model.id,
                show_instant(deprecated)
            );
            if let Some(retires) = model.retires {
                text.push_str(&format!("; it retires on {}", show_instant(retires)));
            }
            match &model.successor {
                Some(successor) => text.push_str(&format!("; its successor is {successor}")),
                None => text.push_str("; plan a replacement"),
            }
            warnings.push(Warning {
                model: Some(model.id.clone()),
                text,
            });
        }
    }
    if let Some(checked) = catalogue.newest_check() {
        let days = (as_of.as_second() - checked.as_second()) / 86_400;
        if days > STALE_AFTER_DAYS {
            warnings.push(Warning {
                model: None,
                text: format!(
                    "the catalogue's newest price check is {}, {days} days before {}: prices may have changed since; run `mixcost pricing update` or check the vendors' pages",
                    show_instant(checked),
                    show_instant(as_of)
                ),
            });
        }
    }
    warnings.sort();
    warnings
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

    let warnings = lifecycle_warnings(
        catalogue,
        scenario.as_of,
        priced
            .iter()
            .flat_map(|(cost, _)| cost.lines.iter().map(|line| line.model.as_str())),
    );
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
    let promotions = prices::promotions_used(&policies, scenario.as_of, catalogue);
    Ok(Evaluation {
        promotions,
        scenario: scenario.name.clone(),
        description: scenario.description.clone(),
        policy_descriptions: scenario
            .policies
            .iter()
            .filter_map(|policy| Some((policy.name.clone(), policy.description.clone()?)))
            .collect(),
        file: scenario.file.clone(),
        as_of: scenario.as_of,
        baseline: scenario.baseline.clone(),
        requests: scenario.workloads.iter().try_fold(0u64, |sum, workload| {
            sum.checked_add(workload.shape.as_ref()?.requests)
        }),
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
        warnings,
    })
}

fn evaluate_policy(
    scenario: &Scenario,
    market: Market,
    policy: &Policy,
) -> Result<(PolicyCost, Vec<Note>), EngineError> {
    let mut lines = Vec::new();
    let mut notes = Vec::new();
    // The running total, checked as lines are added, so the policy's total (their sum) is
    // exact; the workload that tips it past 28 digits is the one named.
    let mut total = Decimal::ZERO;
    for workload in &scenario.workloads {
        let target = route(policy, workload)?;
        let first = lines.len();
        price_workload(market, workload, target, &mut lines, &mut notes)?;
        for line in &lines[first..] {
            total = exact::add(total, line.cost).ok_or_else(|| EngineError::Inexact {
                workload: workload.name.clone(),
                model: target.model.clone(),
                what: "the policy's total",
            })?;
        }
    }
    notes.sort();
    notes.dedup();
    Ok((PolicyCost::from_lines(policy.name.clone(), lines), notes))
}

/// Where `policy` sends `workload`; the loader guarantees a route, overrides cannot remove one.
pub fn route<'p>(policy: &'p Policy, workload: &Workload) -> Result<&'p Target, EngineError> {
    policy.route(workload).ok_or_else(|| EngineError::Unrouted {
        policy: policy.name.clone(),
        workload: workload.name.clone(),
    })
}

/// Appends the lines for `workload` sent to `target`.
pub fn price_workload(
    market: Market,
    workload: &Workload,
    target: &Target,
    lines: &mut Vec<CostLine>,
    notes: &mut Vec<Note>,
) -> Result<(), EngineError> {
    let plan = WorkloadPlan::new(market, workload, target, notes)?;
    plan.each_line(&Volume::of(workload), |segment, component, tokens, cost| {
        for fallback in &segment.quote.fallbacks {
            if fallback.component.is_none_or(|c| c == component) {
                notes.push(Note {
                    model: plan.model.id.clone(),
                    workload: workload.name.clone(),
                    text: fallback.text.clone(),
                });
            }
        }
        lines.push(CostLine {
            workload: workload.name.clone(),
            model: plan.model.id.clone(),
            provider: plan.model.provider.clone(),
            component,
            billing: segment.billing,
            window: segment.window,
            context: plan.context,
            prices: plan.prices,
            tokens,
            unit_price: segment.quote.columns.get(component),
            discount: plan.discount,
            promotion: segment.quote.promotion.clone(),
            price_from: segment.quote.price_from,
            source: segment.quote.source.clone(),
            cost,
        });
    })
    .map_err(|what| EngineError::Inexact {
        workload: workload.name.clone(),
        model: plan.model.id.clone(),
        what,
    })
}

/// The numbers of a workload that sweeps vary: volumes and shares. Everything else about how a
/// workload is priced lives in its [`WorkloadPlan`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Volume {
    pub input_tokens: Decimal,
    pub output_tokens: Decimal,
    pub cache_hit_rate: Decimal,
    pub cache_write_rate: Decimal,
    pub batch_share: Decimal,
    pub off_peak_share: Decimal,
}

impl Volume {
    pub fn of(workload: &Workload) -> Volume {
        Volume {
            input_tokens: Decimal::from(workload.input_tokens),
            output_tokens: Decimal::from(workload.output_tokens),
            cache_hit_rate: workload.cache_hit_rate,
            cache_write_rate: workload.cache_write_rate,
            batch_share: workload.batch_share,
            off_peak_share: workload.off_peak_share.unwrap_or_default(),
        }
    }
}

/// One billing segment of a plan: a tier (or batch) in a time window, and its prices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub billing: Billing,
    pub window: Window,
    /// Batch segments take the batch share; the others the rest.
    pub is_batch: bool,
    /// Off-peak segments take the off-peak share; peak the rest; all-hours everything.
    pub quote: Quote,
    /// USD per token after the negotiated discount, per component (in [`Component::ALL`] order).
    rate_per_token: [Decimal; 4],
}

impl Segment {
    /// Per-token rates after the negotiated discount, in [`Component::ALL`] order.
    pub fn rates_per_token(&self) -> &[Decimal; 4] {
        &self.rate_per_token
    }

    /// The share of a workload's volume this segment bills: its billing share (the batch
    /// share, or the rest) times its window share (off-peak, peak or all hours). `None` when
    /// the product needs more than 28 significant digits.
    pub fn share_of(&self, volume: &Volume) -> Option<Decimal> {
        let billing_share = if self.is_batch {
            volume.batch_share
        } else {
            Decimal::ONE - volume.batch_share
        };
        let window_share = match self.window {
            Window::AllHours => Decimal::ONE,
            Window::Peak => Decimal::ONE - volume.off_peak_share,
            Window::OffPeak => volume.off_peak_share,
        };
        exact::mul(billing_share, window_share)
    }
}

/// Everything about pricing one workload on one target that does not depend on its volumes and
/// shares: the model, the context size, the discount and the quotes of every billing segment.
/// Computed once, then [`WorkloadPlan::each_line`] prices any [`Volume`] with a few exact
/// multiplications — the same arithmetic for `compare` and for every sweep point.
#[derive(Clone, Debug)]
pub struct WorkloadPlan<'a> {
    pub model: &'a Model,
    pub prices: PriceMode,
    pub context: Context,
    pub discount: Decimal,
    pub segments: Vec<Segment>,
}

impl<'a> WorkloadPlan<'a> {
    /// Resolves the model and quotes for `workload` sent to `target`; notes a missing
    /// `off_peak_share` for models with time-of-day billing.
    pub fn new(
        market: Market<'a>,
        workload: &Workload,
        target: &Target,
        notes: &mut Vec<Note>,
    ) -> Result<WorkloadPlan<'a>, EngineError> {
        let model = market
            .catalogue
            .model(&target.model)
            .ok_or_else(|| EngineError::UnknownModel(target.model.clone()))?;
        if let Some(retires) = model.retires.filter(|_| model.is_retired(market.as_of)) {
            return Err(EngineError::Retired {
                model: model.id.clone(),
                date: show_instant(retires),
                as_of: show_instant(market.as_of),
                successor: model.successor.clone(),
            });
        }
        if let Some(shape) = &workload.shape {
            let window = model.context_window_at(market.as_of).unwrap_or(u64::MAX);
            if shape.input_tokens_per_request > window {
                return Err(EngineError::ContextExceeded {
                    workload: workload.name.clone(),
                    model: model.id.clone(),
                    tokens: shape.input_tokens_per_request,
                    window,
                    as_of: show_instant(market.as_of),
                });
            }
        }
        let set = prices::price_set(model, market.as_of)?;
        let discount = market
            .discounts
            .get(&model.provider)
            .copied()
            .unwrap_or_default();
        let context = context_for(
            set.long_context.as_ref().map(|l| l.above_input_tokens),
            workload,
        );
        let tier = match target.tier.unwrap_or(workload.tier) {
            ServiceTier::Standard => Billing::Standard,
            ServiceTier::Flex => Billing::Flex,
            ServiceTier::Priority => Billing::Priority,
        };
        let windows: &[Window] = if set.off_peak.is_some() {
            if workload.off_peak_share.is_none() {
                notes.push(Note {
                    model: model.id.clone(),
                    workload: workload.name.clone(),
                    text: format!(
                        "workload '{}' gives no off_peak_share; all of it is billed at {}'s peak prices",
                        workload.name, model.id
                    ),
                });
            }
            &[Window::Peak, Window::OffPeak]
        } else {
            &[Window::AllHours]
        };
        let keep = Decimal::ONE - discount;
        let mut segments = Vec::with_capacity(4);
        for (billing, is_batch) in [(tier, false), (Billing::Batch, true)] {
            for &window in windows {
                let slice = Slice {
                    billing,
                    window,
                    context,
                    mode: target.prices,
                    regional_processing: workload.regional_processing,
                };
                let quote = prices::quote(model, market.as_of, slice)?;
                let mut rate_per_token = [Decimal::ZERO; 4];
                for (rate, component) in rate_per_token.iter_mut().zip(Component::ALL) {
                    *rate = exact::div_pow10(quote.columns.get(component), PER_MILLION)
                        .and_then(|per_token| exact::mul(per_token, keep))
                        .ok_or_else(|| EngineError::Inexact {
                            workload: workload.name.clone(),
                            model: model.id.clone(),
                            what: "a price per token after the discount",
                        })?;
                }
                segments.push(Segment {
                    billing,
                    window,
                    is_batch,
                    quote,
                    rate_per_token,
                });
            }
        }
        Ok(WorkloadPlan {
            model,
            prices: target.prices,
            context,
            discount,
            segments,
        })
    }

    /// Calls `line(segment, component, tokens, cost)` for every non-zero line of `volume`, in
    /// the order `compare` lists them. Every product is exact or an error saying which one
    /// needed more than 28 significant digits (see [`exact`]).
    #[inline]
    pub fn each_line(
        &self,
        volume: &Volume,
        mut line: impl FnMut(&Segment, Component, Decimal, Decimal),
    ) -> Result<(), &'static str> {
        const TOKENS: &str = "tokens × share";
        let input = volume.input_tokens;
        let component_tokens = [
            exact::mul(
                input,
                Decimal::ONE - volume.cache_hit_rate - volume.cache_write_rate,
            )
            .ok_or(TOKENS)?,
            exact::mul(input, volume.cache_hit_rate).ok_or(TOKENS)?,
            exact::mul(input, volume.cache_write_rate).ok_or(TOKENS)?,
            volume.output_tokens,
        ];
        for segment in &self.segments {
            let share = segment.share_of(volume).ok_or("share × share")?;
            if share.is_zero() {
                continue;
            }
            for (index, component) in Component::ALL.into_iter().enumerate() {
                let tokens = exact::mul(component_tokens[index], share).ok_or(TOKENS)?;
                if tokens.is_zero() {
                    continue;
                }
                let cost =
                    exact::mul(tokens, segment.rate_per_token[index]).ok_or("tokens × price")?;
                line(segment, component, tokens, cost);
            }
        }
        Ok(())
    }

    /// Adds the cost of `volume` to `total` line by line, in line order, so a policy's running
    /// total over its workloads is the very sum `compare` makes of its lines.
    #[inline]
    pub fn add_cost(&self, volume: &Volume, total: &mut Decimal) -> Result<(), &'static str> {
        let mut exact_so_far = true;
        self.each_line(volume, |_, _, _, cost| match exact::add(*total, cost) {
            Some(sum) => *total = sum,
            None => exact_so_far = false,
        })?;
        if exact_so_far {
            Ok(())
        } else {
            Err("the policy's total")
        }
    }
}

/// USD per token of each component (in [`Component::ALL`] order) after the negotiated
/// discount: `keep` is 1 − the discount. The one place a quote becomes per-token rates, for
/// `compare`'s plans and for replayed segments alike.
pub fn per_token_rates(quote: &Quote, keep: Decimal) -> [Decimal; 4] {
    Component::ALL.map(|component| quote.columns.get(component) / PER_MILLION * keep)
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
