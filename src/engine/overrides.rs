//! Overrides: one path syntax for every numeric input of a scenario or the catalogue.
//!
//! `workloads.NAME.FIELD`, `workloads.*.FIELD`, `models.MODEL.FIELD` (the price set in effect
//! at `as_of`), `discounts.PROVIDER` and `as_of`, each set to an absolute value, scaled (`x1.5`)
//! or moved by a percentage (`+10%`, `-5%`). Applying them yields a new scenario and catalogue;
//! the workload arithmetic lives in [`apply_to_numbers`] so that sweeps, which apply the same
//! changes to bare numbers millions of times, get exactly the same values as `whatif`.

use std::borrow::Cow;

use jiff::Timestamp;
use rust_decimal::{Decimal, RoundingStrategy};

use super::evaluate::Volume;
use crate::load::suggest::nearest;
use crate::load::values::{show_instant, MAX_PRICE_PER_MTOK};
use crate::model::catalogue::Catalogue;
use crate::model::scenario::{RequestShape, Scenario, Workload};

/// A numeric field of a workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WorkloadField {
    InputTokens,
    OutputTokens,
    Requests,
    InputTokensPerRequest,
    OutputTokensPerRequest,
    CacheHitRate,
    CacheWriteRate,
    BatchShare,
    OffPeakShare,
    /// Scales tokens and requests together.
    Volume,
}

impl WorkloadField {
    pub const ALL: [(&'static str, WorkloadField); 10] = [
        ("input_tokens", WorkloadField::InputTokens),
        ("output_tokens", WorkloadField::OutputTokens),
        ("requests", WorkloadField::Requests),
        (
            "input_tokens_per_request",
            WorkloadField::InputTokensPerRequest,
        ),
        (
            "output_tokens_per_request",
            WorkloadField::OutputTokensPerRequest,
        ),
        ("cache_hit_rate", WorkloadField::CacheHitRate),
        ("cache_write_rate", WorkloadField::CacheWriteRate),
        ("batch_share", WorkloadField::BatchShare),
        ("off_peak_share", WorkloadField::OffPeakShare),
        ("volume", WorkloadField::Volume),
    ];

    pub fn name(self) -> &'static str {
        name_in(&Self::ALL, self)
    }

    pub fn is_share(self) -> bool {
        matches!(
            self,
            WorkloadField::CacheHitRate
                | WorkloadField::CacheWriteRate
                | WorkloadField::BatchShare
                | WorkloadField::OffPeakShare
        )
    }

    /// Whether changing this field can change how the workload is priced (its request size,
    /// hence long-context pricing), not only how much of it there is.
    pub fn changes_plan(self) -> bool {
        matches!(
            self,
            WorkloadField::InputTokensPerRequest | WorkloadField::OutputTokensPerRequest
        )
    }
}

/// The name a field is written with in override paths.
fn name_in<T: PartialEq>(names: &[(&'static str, T)], field: T) -> &'static str {
    names
        .iter()
        .find(|(_, candidate)| *candidate == field)
        .map_or("?", |(name, _)| *name)
}

/// A price column of a model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PriceField {
    Input,
    CachedInput,
    CacheWrite,
    Output,
}

impl PriceField {
    pub const ALL: [(&'static str, PriceField); 4] = [
        ("input", PriceField::Input),
        ("cached_input", PriceField::CachedInput),
        ("cache_write", PriceField::CacheWrite),
        ("output", PriceField::Output),
    ];

    pub fn name(self) -> &'static str {
        name_in(&Self::ALL, self)
    }
}

/// What an override changes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum OverridePath {
    /// `None` is `*`: every workload.
    Workload {
        name: Option<String>,
        field: WorkloadField,
    },
    Model {
        id: String,
        field: PriceField,
    },
    Discount {
        provider: String,
    },
    AsOf,
}

impl OverridePath {
    /// Whether the path only changes workload volumes and shares (cheap to vary in a sweep).
    pub fn changes_only_volumes(&self) -> bool {
        matches!(self, OverridePath::Workload { field, .. } if !field.changes_plan())
    }
}

/// How the value changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Change {
    Set(Decimal),
    /// `x1.5`
    Scale(Decimal),
    /// `+10%` is `Relative(0.1)`, `-5%` is `Relative(-0.05)`.
    Relative(Decimal),
    SetDate(Timestamp),
}

/// Why a change cannot give a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeFailure {
    /// A date was given for a number.
    NotANumber,
    /// The product does not fit a `Decimal` (about 7.9 × 10²⁸).
    Overflow,
}

impl Change {
    /// The new value of a number that was `old`. Products are checked: a factor such as `x1e27`
    /// on a large value is an error, never a panic.
    pub fn apply(self, old: Decimal) -> Result<Decimal, ChangeFailure> {
        match self {
            Change::Set(value) => Ok(value),
            Change::Scale(factor) => old.checked_mul(factor).ok_or(ChangeFailure::Overflow),
            Change::Relative(share) => Decimal::ONE
                .checked_add(share)
                .and_then(|factor| old.checked_mul(factor))
                .ok_or(ChangeFailure::Overflow),
            Change::SetDate(_) => Err(ChangeFailure::NotANumber),
        }
    }

    /// Whether the change is relative to the old value (`x1.5`, `+10%`).
    pub fn is_relative(self) -> bool {
        matches!(self, Change::Scale(_) | Change::Relative(_))
    }

    /// The change as a user would write it, for messages.
    pub fn show(self) -> String {
        match self {
            Change::Set(value) => value.normalize().to_string(),
            Change::Scale(factor) => format!("x{}", factor.normalize()),
            Change::Relative(share) => {
                let percent = (share * Decimal::ONE_HUNDRED).normalize();
                if percent.is_sign_negative() {
                    format!("{percent}%")
                } else {
                    format!("+{percent}%")
                }
            }
            Change::SetDate(date) => show_instant(date),
        }
    }
}

/// The error for a change that cannot give a number at `path`: a date where a number belongs,
/// or a product too large for exact arithmetic.
fn change_error(path: &str, change: Change, old: Decimal, failure: ChangeFailure) -> OverrideError {
    match failure {
        ChangeFailure::NotANumber => OverrideError::new(
            path,
            "takes a number, not a date",
            "write e.g. 0.5, 50%, x1.5 or +10%",
        ),
        ChangeFailure::Overflow => OverrideError::new(
            path,
            format!(
                "'{}' applied to {} overflows exact arithmetic",
                change.show(),
                old.normalize()
            ),
            "use a smaller value; exact amounts hold at most about 7.9 × 10^28",
        ),
    }
}

/// A relative change of a value at 0 leaves it at 0, which is never what was meant.
fn refuse_relative_zero(
    path: &str,
    what: &str,
    change: Change,
    old: Decimal,
) -> Result<(), OverrideError> {
    if change.is_relative() && old.is_zero() {
        return Err(OverrideError::new(
            path,
            format!(
                "'{}' changes {what}, which is 0: a relative change of 0 stays 0",
                change.show()
            ),
            "give an absolute value instead, e.g. 0.1 or 10%",
        ));
    }
    Ok(())
}

/// One override: the text the user wrote (for messages), the path and the change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Override {
    /// The path as written, e.g. `workloads.repetitive.cache_hit_rate`.
    pub path_text: String,
    pub path: OverridePath,
    pub change: Change,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("override '{path}': {message}")]
pub struct OverrideError {
    pub path: String,
    pub message: String,
    pub help: String,
}

impl OverrideError {
    fn new(path: &str, message: impl Into<String>, help: impl Into<String>) -> Self {
        OverrideError {
            path: path.to_string(),
            message: message.into(),
            help: help.into(),
        }
    }
}

/// The numbers of a workload that overrides change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Numbers {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub shape: Option<(u64, u64, u64)>,
    pub cache_hit_rate: Decimal,
    pub cache_write_rate: Decimal,
    pub batch_share: Decimal,
    pub off_peak_share: Option<Decimal>,
}

impl Numbers {
    pub fn of(workload: &Workload) -> Numbers {
        Numbers {
            input_tokens: workload.input_tokens,
            output_tokens: workload.output_tokens,
            shape: workload.shape.as_ref().map(|shape| {
                (
                    shape.requests,
                    shape.input_tokens_per_request,
                    shape.output_tokens_per_request,
                )
            }),
            cache_hit_rate: workload.cache_hit_rate,
            cache_write_rate: workload.cache_write_rate,
            batch_share: workload.batch_share,
            off_peak_share: workload.off_peak_share,
        }
    }

    pub fn volume(&self) -> Volume {
        Volume {
            input_tokens: Decimal::from(self.input_tokens),
            output_tokens: Decimal::from(self.output_tokens),
            cache_hit_rate: self.cache_hit_rate,
            cache_write_rate: self.cache_write_rate,
            batch_share: self.batch_share,
            off_peak_share: self.off_peak_share.unwrap_or_default(),
        }
    }

    fn write_to(&self, workload: &mut Workload) {
        workload.input_tokens = self.input_tokens;
        workload.output_tokens = self.output_tokens;
        workload.shape = self.shape.map(|(requests, input, output)| RequestShape {
            requests,
            input_tokens_per_request: input,
            output_tokens_per_request: output,
        });
        workload.cache_hit_rate = self.cache_hit_rate;
        workload.cache_write_rate = self.cache_write_rate;
        workload.batch_share = self.batch_share;
        workload.off_peak_share = self.off_peak_share;
    }
}

/// A token count from a computed decimal: rounded to whole tokens, half away from zero.
fn whole_tokens(path: &str, value: Decimal) -> Result<u64, OverrideError> {
    if value.is_sign_negative() && !value.is_zero() {
        return Err(OverrideError::new(
            path,
            format!("gives a negative token count ({})", value.normalize()),
            "token counts cannot be below 0",
        ));
    }
    let whole = value.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    u64::try_from(whole).map_err(|_| {
        OverrideError::new(
            path,
            format!("gives a count too large to hold ({})", whole.normalize()),
            "token counts and requests are at most 18,446,744,073,709,551,615 a month; use a smaller value",
        )
    })
}

fn checked_product(path: &str, a: u64, b: u64) -> Result<u64, OverrideError> {
    a.checked_mul(b).ok_or_else(|| {
        OverrideError::new(
            path,
            "gives more tokens per month than can be held",
            "use a smaller value",
        )
    })
}

/// `count × factor`, checked: a volume factor such as `x1e22` is an error naming the path.
fn scaled(path: &str, count: u64, factor: Decimal) -> Result<Decimal, OverrideError> {
    Decimal::from(count).checked_mul(factor).ok_or_else(|| {
        OverrideError::new(
            path,
            format!(
                "scales {count} tokens or requests by {} beyond any count that can be held",
                factor.normalize()
            ),
            "token counts and requests are at most 18,446,744,073,709,551,615 a month; use a smaller factor",
        )
    })
}

/// Applies one workload-field change to `numbers`: the single implementation behind `whatif`,
/// `sweep`, `sensitivity` and `solve`.
pub fn apply_to_numbers(
    numbers: &mut Numbers,
    workload: &str,
    path: &str,
    field: WorkloadField,
    change: Change,
) -> Result<(), OverrideError> {
    let new = |old: Decimal| {
        change
            .apply(old)
            .map_err(|failure| change_error(path, change, old, failure))
    };
    let per_request = |what: &str| {
        OverrideError::new(
            path,
            format!("workload '{workload}' is given {what}"),
            match what {
                "per request" => "override `requests`, `input_tokens_per_request` or `output_tokens_per_request`, or `volume`",
                _ => "override `input_tokens` or `output_tokens`, or `volume`",
            },
        )
    };
    match field {
        WorkloadField::InputTokens | WorkloadField::OutputTokens => {
            if numbers.shape.is_some() {
                return Err(per_request("per request"));
            }
            let target = if field == WorkloadField::InputTokens {
                &mut numbers.input_tokens
            } else {
                &mut numbers.output_tokens
            };
            *target = whole_tokens(path, new(Decimal::from(*target))?)?;
        }
        WorkloadField::Requests
        | WorkloadField::InputTokensPerRequest
        | WorkloadField::OutputTokensPerRequest => {
            let Some((mut requests, mut input, mut output)) = numbers.shape else {
                return Err(per_request("as monthly totals"));
            };
            let target = match field {
                WorkloadField::Requests => &mut requests,
                WorkloadField::InputTokensPerRequest => &mut input,
                _ => &mut output,
            };
            *target = whole_tokens(path, new(Decimal::from(*target))?)?;
            numbers.shape = Some((requests, input, output));
            numbers.input_tokens = checked_product(path, requests, input)?;
            numbers.output_tokens = checked_product(path, requests, output)?;
        }
        WorkloadField::Volume => {
            let factor = match change {
                Change::Scale(factor) => factor,
                Change::Relative(share) => Decimal::ONE + share,
                _ => {
                    return Err(OverrideError::new(
                        path,
                        "volume is relative",
                        "write a factor or a change: x2, x0.5, +10%, -20%",
                    ))
                }
            };
            match numbers.shape.as_mut() {
                Some((requests, input, output)) => {
                    *requests = whole_tokens(path, scaled(path, *requests, factor)?)?;
                    numbers.input_tokens = checked_product(path, *requests, *input)?;
                    numbers.output_tokens = checked_product(path, *requests, *output)?;
                }
                None => {
                    numbers.input_tokens =
                        whole_tokens(path, scaled(path, numbers.input_tokens, factor)?)?;
                    numbers.output_tokens =
                        whole_tokens(path, scaled(path, numbers.output_tokens, factor)?)?;
                }
            }
        }
        WorkloadField::CacheHitRate
        | WorkloadField::CacheWriteRate
        | WorkloadField::BatchShare
        | WorkloadField::OffPeakShare => {
            let target = match field {
                WorkloadField::CacheHitRate => &mut numbers.cache_hit_rate,
                WorkloadField::CacheWriteRate => &mut numbers.cache_write_rate,
                WorkloadField::BatchShare => &mut numbers.batch_share,
                _ => numbers.off_peak_share.get_or_insert(Decimal::ZERO),
            };
            refuse_relative_zero(
                path,
                &format!("{} of workload '{workload}'", field.name()),
                change,
                *target,
            )?;
            let value = new(*target)?;
            if value < Decimal::ZERO || value > Decimal::ONE {
                return Err(OverrideError::new(
                    path,
                    format!(
                        "puts {} of workload '{workload}' at {}, outside 0–1",
                        field.name(),
                        value.normalize()
                    ),
                    "a share lies between 0 and 1 (0% and 100%)",
                ));
            }
            *target = value;
            if numbers.cache_hit_rate + numbers.cache_write_rate > Decimal::ONE {
                return Err(OverrideError::new(
                    path,
                    format!("makes workload '{workload}' read and write more than all of its input from cache"),
                    "cache_hit_rate + cache_write_rate must be at most 1",
                ));
            }
        }
    }
    Ok(())
}

/// The indices of the workloads a workload path names (`None` = all).
pub fn select_workloads(
    scenario: &Scenario,
    path: &str,
    name: &Option<String>,
) -> Result<Vec<usize>, OverrideError> {
    match name {
        None => Ok((0..scenario.workloads.len()).collect()),
        Some(name) => match scenario.workloads.iter().position(|w| &w.name == name) {
            Some(index) => Ok(vec![index]),
            None => {
                let names = scenario.workloads.iter().map(|w| w.name.as_str());
                Err(OverrideError::new(
                    path,
                    format!("the scenario has no workload '{name}'"),
                    match nearest(name, names) {
                        Some(close) => format!("did you mean '{close}'?"),
                        None => format!(
                            "its workloads are: {}",
                            scenario
                                .workloads
                                .iter()
                                .map(|w| w.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    },
                ))
            }
        },
    }
}

/// Applies `overrides` in order (an `as_of` change first, so model prices are those in effect at
/// the new date). The catalogue is cloned only when a model price changes.
pub fn apply<'a>(
    scenario: &Scenario,
    catalogue: &'a Catalogue,
    overrides: &[Override],
) -> Result<(Scenario, Cow<'a, Catalogue>), OverrideError> {
    let mut scenario = scenario.clone();
    let mut catalogue = Cow::Borrowed(catalogue);
    for item in overrides.iter().filter(|o| o.path == OverridePath::AsOf) {
        match item.change {
            Change::SetDate(date) => scenario.as_of = date,
            _ => {
                return Err(OverrideError::new(
                    &item.path_text,
                    "as_of takes a date",
                    "write as_of=2026-06-01",
                ))
            }
        }
    }
    for item in overrides {
        let path = item.path_text.as_str();
        match &item.path {
            OverridePath::AsOf => {}
            OverridePath::Workload { name, field } => {
                for index in select_workloads(&scenario, path, name)? {
                    let workload = &mut scenario.workloads[index];
                    let mut numbers = Numbers::of(workload);
                    apply_to_numbers(&mut numbers, &workload.name, path, *field, item.change)?;
                    numbers.write_to(workload);
                }
            }
            OverridePath::Discount { provider } => {
                if !catalogue.providers.contains_key(provider) {
                    return Err(OverrideError::new(
                        path,
                        format!("no provider '{provider}' in the catalogue"),
                        catalogue.unknown_provider_help(provider),
                    ));
                }
                let old = scenario
                    .discounts
                    .get(provider)
                    .copied()
                    .unwrap_or_default();
                refuse_relative_zero(
                    path,
                    &format!("the discount of '{provider}'"),
                    item.change,
                    old,
                )?;
                let value = item
                    .change
                    .apply(old)
                    .map_err(|failure| change_error(path, item.change, old, failure))?;
                if value < Decimal::ZERO || value > Decimal::ONE {
                    return Err(OverrideError::new(
                        path,
                        format!("puts the discount at {}, outside 0–1", value.normalize()),
                        "a discount lies between 0% and 100%",
                    ));
                }
                scenario.discounts.insert(provider.clone(), value);
            }
            OverridePath::Model { id, field } => {
                if catalogue.model(id).is_none() {
                    return Err(OverrideError::new(
                        path,
                        format!("no model '{id}' in the catalogue"),
                        match catalogue.nearest_model(id) {
                            Some(close) => format!("did you mean '{close}'?"),
                            None => "`mixcost models` lists the catalogue".to_string(),
                        },
                    ));
                }
                let as_of = scenario.as_of;
                let Some(model) = catalogue.to_mut().model_mut(id) else {
                    continue;
                };
                let model_id = model.id.clone();
                let Some(set) = model.prices.iter_mut().rev().find(|set| set.from <= as_of) else {
                    return Err(OverrideError::new(
                        path,
                        format!("model '{model_id}' has no price on {}", show_instant(as_of)),
                        "move as_of to a date the model was priced",
                    ));
                };
                let rates = &mut set.rates;
                let slot = match field {
                    PriceField::Input => Some(&mut rates.input),
                    PriceField::Output => Some(&mut rates.output),
                    PriceField::CachedInput => None,
                    PriceField::CacheWrite => None,
                };
                let what = format!("the {} price of '{model_id}'", field.name());
                let priced = |old: Decimal| {
                    refuse_relative_zero(path, &what, item.change, old)?;
                    item.change.apply(old).map_err(|failure| match failure {
                        ChangeFailure::NotANumber => price_not_date(path)(),
                        ChangeFailure::Overflow => change_error(path, item.change, old, failure),
                    })
                };
                let value = match slot {
                    Some(slot) => {
                        let value = priced(*slot)?;
                        *slot = value;
                        value
                    }
                    None => {
                        let optional = if *field == PriceField::CachedInput {
                            &mut rates.cached_input
                        } else {
                            &mut rates.cache_write
                        };
                        // A missing column stands in at the input price, as in pricing.
                        let old = optional.unwrap_or(rates.input);
                        let value = priced(old)?;
                        *optional = Some(value);
                        value
                    }
                };
                // The bound price files obey: it keeps every product of a token count and a
                // price far inside exact arithmetic.
                if value > MAX_PRICE_PER_MTOK {
                    return Err(OverrideError::new(
                        path,
                        format!(
                            "puts {what} at {} per 1M tokens, above the limit of $1,000,000 that price files obey",
                            value.normalize()
                        ),
                        "prices are USD per 1M tokens; use a smaller value or factor",
                    ));
                }
                if value.is_sign_negative() && !value.is_zero() {
                    return Err(OverrideError::new(
                        path,
                        format!(
                            "puts the {} price of '{model_id}' below 0 ({})",
                            field.name(),
                            value.normalize()
                        ),
                        "prices cannot be negative",
                    ));
                }
            }
        }
    }
    Ok((scenario, catalogue))
}

fn price_not_date(path: &str) -> impl FnOnce() -> OverrideError + '_ {
    move || {
        OverrideError::new(
            path,
            "takes a price, not a date",
            "write e.g. 25, x1.1 or -10%",
        )
    }
}
