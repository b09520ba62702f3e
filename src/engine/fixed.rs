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

/// `a × b`, checked for overflow unless the caller proved it cannot happen.
#[inline(always)]
fn mul<const CHECKED: bool>(a: i128, b: i128) -> Option<i128> {
    if CHECKED {
        a.checked_mul(b)
    } else {
        Some(a * b)
    }
}

/// `a + b`, checked for overflow unless the caller proved it cannot happen.
#[inline(always)]
fn add<const CHECKED: bool>(a: i128, b: i128) -> Option<i128> {
    if CHECKED {
        a.checked_add(b)
    } else {
        Some(a + b)
    }
}

/// The share of a workload a billing segment takes (at twice the share scale): batch or the
/// rest, times off-peak, peak or all hours.
#[inline(always)]
fn segment_share(is_batch: bool, window: Window, batch: i128, off_peak: i128, one: i128) -> i128 {
    let billing = if is_batch { batch } else { one - batch };
    let window = match window {
        Window::AllHours => one,
        Window::Peak => one - off_peak,
        Window::OffPeak => off_peak,
    };
    billing * window
}

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

/// One workload's cost on one plan as a function of its shares alone, for sweeps that vary
/// only shares: per segment, `cost = share × (k0 + hit·k1 + write·k2)`, where
/// `k0 = input·one·r_uncached + output·one·r_output`, `k1 = input·(r_cached − r_uncached)` and
/// `k2 = input·(r_write − r_uncached)` — the same integer as the line-by-line sum, regrouped.
#[derive(Clone, Debug)]
pub struct ShareKernel {
    segments: Vec<KernelSegment>,
}

#[derive(Clone, Copy, Debug)]
struct KernelSegment {
    is_batch: bool,
    window: Window,
    k0: i128,
    k1: i128,
    k2: i128,
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

    /// 1 at the share scale.
    #[inline]
    pub fn one(self) -> i128 {
        POW10[self.share as usize]
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
    /// shares add up to more than 1 (the `Decimal` path then reports it). With `CHECKED` false
    /// the caller has proven, with [`Scales::bounded`], that nothing can overflow.
    #[inline]
    pub fn volume<const CHECKED: bool>(self, numbers: &FixedNumbers) -> Option<FixedVolume> {
        let one = POW10[self.share as usize];
        let uncached = one - numbers.hit - numbers.write;
        if uncached < 0 {
            return None;
        }
        Some(FixedVolume {
            tokens: [
                mul::<CHECKED>(numbers.input, uncached)?,
                mul::<CHECKED>(numbers.input, numbers.hit)?,
                mul::<CHECKED>(numbers.input, numbers.write)?,
                mul::<CHECKED>(numbers.output, one)?,
            ],
            batch: numbers.batch,
            off_peak: numbers.off_peak,
            one,
        })
    }

    /// Adds the cost of `volume` on `plan` to `total` (at the sweep's total scale); `None` when a
    /// product overflows (only possible with `CHECKED`).
    #[inline]
    pub fn add_cost<const CHECKED: bool>(
        self,
        plan: &FixedPlan,
        volume: &FixedVolume,
        total: &mut i128,
    ) -> Option<()> {
        let one = volume.one;
        for segment in &plan.segments {
            let share = segment_share(
                segment.is_batch,
                segment.window,
                volume.batch,
                volume.off_peak,
                one,
            );
            if share == 0 {
                continue;
            }
            let mut per_share = 0i128;
            for (amount, rate) in volume.tokens.iter().zip(segment.rates) {
                if *amount != 0 {
                    per_share = add::<CHECKED>(per_share, mul::<CHECKED>(*amount, rate)?)?;
                }
            }
            *total = add::<CHECKED>(*total, mul::<CHECKED>(per_share, share)?)?;
        }
        Some(())
    }

    /// The share kernel of `plan` for a workload with `numbers`' token counts; `None` on
    /// overflow.
    pub fn kernel(self, plan: &FixedPlan, numbers: &FixedNumbers) -> Option<ShareKernel> {
        let one = POW10[self.share as usize];
        let segments = plan
            .segments
            .iter()
            .map(|segment| {
                let [uncached, cached, write, output] = segment.rates;
                let input = numbers.input;
                Some(KernelSegment {
                    is_batch: segment.is_batch,
                    window: segment.window,
                    k0: input
                        .checked_mul(one)?
                        .checked_mul(uncached)?
                        .checked_add(numbers.output.checked_mul(one)?.checked_mul(output)?)?,
                    k1: input.checked_mul(cached - uncached)?,
                    k2: input.checked_mul(write - uncached)?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(ShareKernel { segments })
    }

    /// Adds the cost of a workload with these shares to `total`, without overflow checks: the
    /// caller has proven with [`Scales::bounded`] that none can occur.
    #[inline]
    pub fn add_kernel_cost(self, kernel: &ShareKernel, numbers: &FixedNumbers, total: &mut i128) {
        let one = POW10[self.share as usize];
        for segment in &kernel.segments {
            let share = segment_share(
                segment.is_batch,
                segment.window,
                numbers.batch,
                numbers.off_peak,
                one,
            );
            if share == 0 {
                continue;
            }
            let mut per_share = segment.k0 + numbers.hit * segment.k1;
            if numbers.write != 0 {
                per_share += numbers.write * segment.k2;
            }
            *total += per_share * share;
        }
    }

    /// Whether no product or sum of a point can overflow when every token count is at most
    /// `max_tokens` on `plans`: then the unchecked loop (`CHECKED = false`) is exact.
    pub fn bounded<'p>(
        self,
        max_tokens: u64,
        plans: impl IntoIterator<Item = &'p FixedPlan>,
    ) -> bool {
        let one = POW10[self.share as usize];
        let mut max_rate = 0i128;
        let mut lines = 0i128;
        for plan in plans {
            for segment in &plan.segments {
                lines += segment.rates.len() as i128;
                for rate in segment.rates {
                    max_rate = max_rate.max(rate.abs());
                }
            }
        }
        // A line is at most tokens · one (the token split) · rate · one² (the segment share);
        // a total at most `lines` of them. Keep 8 bits of headroom.
        i128::from(max_tokens)
            .checked_mul(one)
            .and_then(|x| x.checked_mul(max_rate))
            .and_then(|x| x.checked_mul(one * one))
            .and_then(|x| x.checked_mul(lines.max(1)))
            .is_some_and(|bound| bound < i128::MAX >> 8)
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
