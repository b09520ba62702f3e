//! Finding the unit prices that apply to one slice of traffic on one model at one moment.
//!
//! A [`Quote`] starts from the price set in force at the scenario date, switches to long-context
//! prices when the request is large enough, applies the service tier (batch, flex, priority),
//! the time-of-day window, a promotion when effective prices are asked for, and a regional
//! uplift. Whenever a price the model does not publish has to be stood in for, the quote says
//! so in a [`Fallback`], which the evaluator turns into a visible assumption.

use jiff::Timestamp;
use rust_decimal::Decimal;

use super::breakdown::{Billing, Component, Context, PromotionUse, Window};
use crate::load::values::show_instant;
use crate::model::catalogue::{Adjustment, Model, PriceSet, Rates, Tiers};
use crate::model::scenario::PriceMode;

/// The four unit prices of a quote, USD per 1M tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Columns {
    pub uncached_input: Decimal,
    pub cached_input: Decimal,
    pub cache_write: Decimal,
    pub output: Decimal,
}

impl Columns {
    pub fn get(&self, component: Component) -> Decimal {
        match component {
            Component::UncachedInput => self.uncached_input,
            Component::CachedInput => self.cached_input,
            Component::CacheWrite => self.cache_write,
            Component::Output => self.output,
        }
    }

    fn scaled(self, factor: Decimal) -> Columns {
        Columns {
            uncached_input: self.uncached_input * factor,
            cached_input: self.cached_input * factor,
            cache_write: self.cache_write * factor,
            output: self.output * factor,
        }
    }

    /// `1 − share` on every column, cache reads excepted when `keeps_cache_reads`.
    fn discounted(self, share: Decimal, keeps_cache_reads: bool) -> Columns {
        let scaled = self.scaled(Decimal::ONE - share);
        Columns {
            cached_input: if keeps_cache_reads {
                self.cached_input
            } else {
                scaled.cached_input
            },
            ..scaled
        }
    }
}

/// A price that had to be stood in for. `component: None` concerns every column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fallback {
    pub component: Option<Component>,
    pub text: String,
}

/// What to price: which tier, window, context size and price mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slice {
    pub billing: Billing,
    pub window: Window,
    pub context: Context,
    pub mode: PriceMode,
    pub regional_processing: bool,
}

impl Slice {
    /// Standard tier, all hours, standard context.
    pub fn standard(mode: PriceMode) -> Slice {
        Slice {
            billing: Billing::Standard,
            window: Window::AllHours,
            context: Context::Standard,
            mode,
            regional_processing: false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quote {
    pub columns: Columns,
    pub promotion: Option<String>,
    pub price_from: Timestamp,
    pub source: String,
    pub fallbacks: Vec<Fallback>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PriceError {
    #[error("model '{model}' has no price on {date}: its price history starts {first}")]
    NotYetPriced {
        model: String,
        date: String,
        first: String,
    },
}

/// The price set of `model` in force at `at`.
pub fn price_set(model: &Model, at: Timestamp) -> Result<&PriceSet, PriceError> {
    model
        .price_set_at(at)
        .ok_or_else(|| PriceError::NotYetPriced {
            model: model.id.clone(),
            date: show_instant(at),
            first: model
                .prices
                .first()
                .map(|set| show_instant(set.from))
                .unwrap_or_else(|| "nowhere".to_string()),
        })
}

/// The promotions included in the prices of `policies` priced at `as_of`, in model then name
/// order. A result without any does not depend on a promotion.
pub fn promotions_used(
    policies: &[super::breakdown::PolicyCost],
    as_of: Timestamp,
    catalogue: &crate::model::catalogue::Catalogue,
) -> Vec<PromotionUse> {
    let mut uses: std::collections::BTreeMap<(String, String), Vec<String>> = Default::default();
    for policy in policies {
        for line in &policy.lines {
            if let Some(name) = &line.promotion {
                let policies = uses.entry((line.model.clone(), name.clone())).or_default();
                if !policies.contains(&policy.policy) {
                    policies.push(policy.policy.clone());
                }
            }
        }
    }
    uses.into_iter()
        .map(|((model, name), policies)| {
            let until = catalogue
                .model(&model)
                .and_then(|m| m.price_set_at(as_of))
                .and_then(|set| set.active_promotion(as_of))
                .map_or_else(|| "unknown".to_string(), |p| show_instant(p.until));
            PromotionUse {
                model,
                name,
                until,
                policies,
            }
        })
        .collect()
}

/// Prices `slice` of traffic on `model` at `at`.
pub fn quote(model: &Model, at: Timestamp, slice: Slice) -> Result<Quote, PriceError> {
    let set = price_set(model, at)?;
    let mut fallbacks = Vec::new();
    let (rates, tiers) = match (slice.context, &set.long_context) {
        (Context::Long, Some(long)) => (&long.rates, Some(&long.tiers)),
        _ => (&set.rates, None),
    };
    let context_label =
        (slice.context == Context::Long && set.long_context.is_some()).then_some("long-context");
    let base = resolve_rates(model, set, rates, context_label, &mut fallbacks);
    let mut columns = apply_tier(model, set, tiers, base, slice.billing, &mut fallbacks);

    if slice.window == Window::OffPeak {
        if let Some(off_peak) = &set.off_peak {
            columns = adjust(
                model,
                set,
                columns,
                &off_peak.adjustment,
                "off-peak",
                &mut fallbacks,
            );
        }
    }

    let promotion = match slice.mode {
        PriceMode::List => None,
        PriceMode::Effective => set.active_promotion(at),
    };
    if let Some(promotion) = promotion {
        columns = columns.scaled(Decimal::ONE - promotion.discount);
    }

    if slice.regional_processing {
        match set.regional_processing {
            Some(uplift) => columns = columns.scaled(Decimal::ONE + uplift),
            None => fallbacks.push(Fallback {
                component: None,
                text: format!(
                    "{} publishes no regional-processing uplift; none applied",
                    model.id
                ),
            }),
        }
    }

    Ok(Quote {
        columns,
        promotion: promotion.map(|promotion| promotion.name.clone()),
        price_from: set.from,
        source: set.source.clone(),
        fallbacks,
    })
}

/// Fills the optional columns of `rates` (cached input, cache write): from the price set's cache
/// multipliers when it has them (a published rule, not an assumption), else with the input
/// price of the same list, noted as a fallback. `tier` names the list for the assumption.
fn resolve_rates(
    model: &Model,
    set: &PriceSet,
    rates: &Rates,
    tier: Option<&str>,
    fallbacks: &mut Vec<Fallback>,
) -> Columns {
    let prefix = tier.map(|tier| format!("{tier} ")).unwrap_or_default();
    let multipliers = set.cache_multipliers.as_ref();
    let cached_input = rates.cached_input.or_else(|| {
        multipliers
            .and_then(|m| m.cached_input)
            .map(|m| m * rates.input)
    });
    let cache_write = rates.cache_write.or_else(|| {
        multipliers
            .and_then(|m| m.cache_write)
            .map(|m| m * rates.input)
    });
    let mut column = |value: Option<Decimal>, component: Component, name: &str| -> Decimal {
        value.unwrap_or_else(|| {
            fallbacks.push(Fallback {
                component: Some(component),
                text: format!(
                    "{} publishes no {prefix}{name} price; priced at its {prefix}input price",
                    model.id
                ),
            });
            rates.input
        })
    };
    Columns {
        uncached_input: rates.input,
        cached_input: column(cached_input, Component::CachedInput, "cached-input"),
        cache_write: column(cache_write, Component::CacheWrite, "cache-write"),
        output: rates.output,
    }
}

fn tier_of(tiers: &Tiers, billing: Billing) -> Option<&Adjustment> {
    match billing {
        Billing::Standard => None,
        Billing::Flex => tiers.flex.as_ref(),
        Billing::Priority => tiers.priority.as_ref(),
        Billing::Batch => tiers.batch.as_ref(),
    }
}

fn apply_tier(
    model: &Model,
    set: &PriceSet,
    long_context_tiers: Option<&Tiers>,
    base: Columns,
    billing: Billing,
    fallbacks: &mut Vec<Fallback>,
) -> Columns {
    if billing == Billing::Standard {
        return base;
    }
    let tier = billing.label();
    match long_context_tiers {
        None => match tier_of(&set.tiers, billing) {
            Some(adjustment) => adjust(model, set, base, adjustment, tier, fallbacks),
            None => {
                fallbacks.push(Fallback {
                    component: None,
                    text: format!(
                        "{} has no {tier} prices; its {tier} traffic is priced at standard prices",
                        model.id
                    ),
                });
                base
            }
        },
        Some(long_tiers) => match (tier_of(long_tiers, billing), tier_of(&set.tiers, billing)) {
            (Some(adjustment), _) => adjust(model, set, base, adjustment, tier, fallbacks),
            (
                None,
                Some(
                    adjustment @ Adjustment::Discount {
                        share,
                        keeps_cache_reads,
                    },
                ),
            ) => {
                fallbacks.push(Fallback {
                    component: None,
                    text: format!(
                        "{} publishes no long-context {tier} prices; derived from its {tier} rule ({adjustment})",
                        model.id,
                    ),
                });
                base.discounted(*share, *keeps_cache_reads)
            }
            (None, _) => {
                fallbacks.push(Fallback {
                    component: None,
                    text: format!(
                        "{} publishes no long-context {tier} prices; priced at its long-context standard prices",
                        model.id
                    ),
                });
                base
            }
        },
    }
}

fn adjust(
    model: &Model,
    set: &PriceSet,
    base: Columns,
    adjustment: &Adjustment,
    label: &str,
    fallbacks: &mut Vec<Fallback>,
) -> Columns {
    match adjustment {
        Adjustment::Discount {
            share,
            keeps_cache_reads,
        } => base.discounted(*share, *keeps_cache_reads),
        Adjustment::Rates(rates) => resolve_rates(model, set, rates, Some(label), fallbacks),
    }
}
