//! Exact fixed-point arithmetic for the sweep's hot loop.
//!
//! A sweep evaluates the same few products millions of times. `Decimal` keeps a scale per value
//! and rescales on every addition; here every quantity of one kind shares one scale for the
//! whole sweep (shares at `share_scale`, per-token rates at `rate_scale`), so a line's cost is
//! two `i128` multiplications and the sum is plain integer addition — still exact. A point
//! whose numbers do not fit these scales, or whose total does not fit a `Decimal`, returns
//! `None` and is priced by the `Decimal` path instead; both give the same value, because both
//! are exact.

use rust_decimal::Decimal;

use super::breakdown::Window;
use super::evaluate::WorkloadPlan;
use super::overrides::Numbers;

/// Powers of ten that fit an `i128`.
const POW10: [i128; 39] = {
    let mut table = [1i128; 39];
    let mut index = 1;
    while index < 39 {
        table[index] = table[index - 1] * 10;
        index += 1;
    }
    table
};

/// The largest scale a `Decimal` can carry.
const MAX_DECIMAL_SCALE: u32 = 28;

/// `value` as an integer at `scale` (value × 10^scale), if that is exact.
#[inline]
fn at_scale(value: Decimal, scale: u32) -> Option<i128> {
    let (mantissa, own) = (value.mantissa(), value.scale());
    if own <= scale {
        mantissa.checked_mul(POW10[(scale - own) as usize])
    } else {
        let divisor = POW10[(own - scale) as usize];
        (mantissa % divisor == 0).then(|| mantissa / divisor)
    }
}

/// The smallest scale that holds `value` exactly.
pub fn exact_scale(value: Decimal) -> u32 {
    value.normalize().scale()
}

/// One billing segment's rates per token, at the sweep's rate scale.
#[derive(Clone, Debug)]
struct FixedSegment {
    is_batch: bool,
    window: Window,
    rates: [i128; 4],
}

/// A workload's token split and shares at the sweep's scales, computed once per point.
#[derive(Clone, Copy, Debug)]
pub struct FixedVolume {
    /// Uncached input, cached input, cache write, output: tokens × 10^share.
    tokens: [i128; 4],
    batch: i128,
    off_peak: i128,
    one: i128,
}

/// A workload's numbers at the sweep's scales before its token split: what a point changes.
#[derive(Clone, Copy, Debug, Default)]
pub struct FixedNumbers {
    pub input: i128,
    pub output: i128,
    pub hit: i128,
    pub write: i128,
    pub batch: i128,
    pub off_peak: i128,
}

/// A [`WorkloadPlan`] in fixed point.
#[derive(Clone, Debug)]
pub struct FixedPlan {
    segments: Vec<FixedSegment>,
}

/// The scales of one sweep and the conversions between them.
#[derive(Clone, Copy, Debug)]
pub struct Scales {
    pub share: u32,
    pub rate: u32,
}

impl Scales {
    /// The scale of a line's cost: tokens × billing share × window share × rate.
    fn total(self) -> u32 {
        3 * self.share + self.rate
    }

    /// Scales for shares written with up to `share` decimals and the rates of `plans`, or `None`
    /// when the costs would need more decimals than a `Decimal` holds.
    pub fn for_plans<'p, 'a: 'p>(
        share: u32,
        plans: impl IntoIterator<Item = &'p WorkloadPlan<'a>>,
    ) -> Option<Scales> {
        let rate = plans
            .into_iter()
            .flat_map(|plan| plan.segments.iter())
            .flat_map(|segment| segment.rates_per_token().iter().copied())
            .map(exact_scale)
            .max()
            .unwrap_or(0);
        let scales = Scales { share, rate };
        (scales.total() <= MAX_DECIMAL_SCALE).then_some(scales)
    }

    pub fn plan(self, plan: &WorkloadPlan) -> Option<FixedPlan> {
        let segments = plan
            .segments
            .iter()
            .map(|segment| {
                let rates = segment.rates_per_token();
                Some(FixedSegment {
                    is_batch: segment.is_batch,
                    window: segment.window,
                    rates: [
                        at_scale(rates[0], self.rate)?,
                        at_scale(rates[1], self.rate)?,
                        at_scale(rates[2], self.rate)?,
                        at_scale(rates[3], self.rate)?,
                    ],
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(FixedPlan { segments })
    }

    /// A share at this sweep's scale, if it has no more decimals than the scale.
    #[inline]
    pub fn share(self, value: Decimal) -> Option<i128> {
        at_scale(value, self.share)
    }

    /// A workload's numbers at this sweep's scales; `None` when a share has more decimals.
    #[inline]
    pub fn numbers(self, numbers: &Numbers) -> Option<FixedNumbers> {
        Some(FixedNumbers {
            input: i128::from(numbers.input_tokens),
            output: i128::from(numbers.output_tokens),
            hit: self.share(numbers.cache_hit_rate)?,
            write: self.share(numbers.cache_write_rate)?,
            batch: self.share(numbers.batch_share)?,
            off_peak: self.share(numbers.off_peak_share.unwrap_or_default())?,
        })
    }

    /// The token split and shares of `numbers`; `None` when a product overflows or the cache
    /// shares add up to more than 1 (the `Decimal` path then reports it).
    #[inline]
    pub fn volume(self, numbers: &FixedNumbers) -> Option<FixedVolume> {
        let one = POW10[self.share as usize];
        let uncached = one - numbers.hit - numbers.write;
        if uncached < 0 {
            return None;
        }
        Some(FixedVolume {
            tokens: [
                numbers.input.checked_mul(uncached)?,
                numbers.input.checked_mul(numbers.hit)?,
                numbers.input.checked_mul(numbers.write)?,
                numbers.output.checked_mul(one)?,
            ],
            batch: numbers.batch,
            off_peak: numbers.off_peak,
            one,
        })
    }

    /// Adds the cost of `volume` on `plan` to `total` (at [`Scales::total`]); `None` when a
    /// product overflows.
    #[inline]
    pub fn add_cost(self, plan: &FixedPlan, volume: &FixedVolume, total: &mut i128) -> Option<()> {
        let one = volume.one;
        for segment in &plan.segments {
            let billing = if segment.is_batch {
                volume.batch
            } else {
                one - volume.batch
            };
            let window = match segment.window {
                Window::AllHours => one,
                Window::Peak => one - volume.off_peak,
                Window::OffPeak => volume.off_peak,
            };
            let share = billing * window;
            if share == 0 {
                continue;
            }
            let mut per_share = 0i128;
            for (amount, rate) in volume.tokens.iter().zip(segment.rates) {
                if *amount != 0 {
                    per_share = per_share.checked_add(amount.checked_mul(rate)?)?;
                }
            }
            *total = total.checked_add(per_share.checked_mul(share)?)?;
        }
        Some(())
    }

    /// The exact `Decimal` of a total, if it fits one.
    #[inline]
    pub fn to_decimal(self, total: i128) -> Option<Decimal> {
        Decimal::try_from_i128_with_scale(total, self.total()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn values_convert_exactly_or_not_at_all() {
        assert_eq!(at_scale(dec!(0.35), 4), Some(3500));
        assert_eq!(at_scale(dec!(0.3500), 2), Some(35));
        assert_eq!(at_scale(dec!(0.355), 2), None);
        assert_eq!(at_scale(dec!(100000000), 0), Some(100_000_000));
        assert_eq!(exact_scale(dec!(0.0000050000)), 6);
    }
}
