//! Exact decimal arithmetic that says when it is not exact.
//!
//! `rust_decimal` holds 28–29 significant digits and silently rounds a product or a sum that
//! needs more. Money in mixcost must be exact, so the pricing path multiplies and adds through
//! these functions, which return `None` when the result overflowed or dropped a non-zero digit;
//! the caller turns that into an error naming what was being priced.

use rust_decimal::Decimal;

/// The exponent of `prime` (2 or 5) in `value` (non-zero).
fn power_of(mut value: u128, prime: u128) -> u32 {
    let mut count = 0;
    while value.is_multiple_of(prime) {
        value /= prime;
        count += 1;
    }
    count
}

/// `a × b`, or `None` when it overflows or rounds. A product drops `k` decimals when its scale
/// falls below `scale(a) + scale(b)`; it is still exact when `10^k` divides the product of the
/// mantissas, that is when both its factors of 2 and of 5 number at least `k`.
#[inline]
pub fn mul(a: Decimal, b: Decimal) -> Option<Decimal> {
    let product = a.checked_mul(b)?;
    let dropped = (a.scale() + b.scale()).saturating_sub(product.scale());
    if dropped == 0 || a.is_zero() || b.is_zero() {
        return Some(product);
    }
    let (ma, mb) = (a.mantissa().unsigned_abs(), b.mantissa().unsigned_abs());
    let twos = ma.trailing_zeros() + mb.trailing_zeros();
    let fives = power_of(ma, 5) + power_of(mb, 5);
    (twos >= dropped && fives >= dropped).then_some(product)
}

/// `a + b`, or `None` when it overflows or rounds: a sum rounds only when its scale falls below
/// an operand's, and is exact when the digits beyond it are zero in both operands.
#[inline]
pub fn add(a: Decimal, b: Decimal) -> Option<Decimal> {
    let sum = a.checked_add(b)?;
    let scale = sum.scale();
    if scale >= a.scale() && scale >= b.scale() {
        return Some(sum);
    }
    let fits = |x: Decimal| x.scale() <= scale || x.round_dp(scale) == x;
    (fits(a) && fits(b)).then_some(sum)
}

/// `a / b` for a divisor that is a power of ten (per million tokens), or `None` when the
/// quotient needs more decimals than a `Decimal` holds.
#[inline]
pub fn div_pow10(a: Decimal, b: Decimal) -> Option<Decimal> {
    let quotient = a.checked_div(b)?;
    mul(quotient, b).filter(|back| *back == a).map(|_| quotient)
}

/// The exact sum of `values`, or `None` when it overflows or rounds.
pub fn sum(values: impl IntoIterator<Item = Decimal>) -> Option<Decimal> {
    values.into_iter().try_fold(Decimal::ZERO, add)
}

/// `part` as a percentage of `base`: `None` for a base of 0 or below (no percentage means
/// anything there) and for a ratio too large to hold (a rise from a base of a fraction of a
/// cent), so a percentage is never a panic and never a misleading sign.
#[inline]
pub fn percent(part: Decimal, base: Decimal) -> Option<Decimal> {
    if base <= Decimal::ZERO {
        return None;
    }
    part.checked_div(base)?.checked_mul(Decimal::ONE_HUNDRED)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;
    use std::str::FromStr;

    #[test]
    fn exact_products_pass_and_rounded_ones_do_not() {
        assert_eq!(mul(dec!(100000000), dec!(0.0000014)), Some(dec!(140)));
        assert_eq!(mul(dec!(0.5), dec!(0.2)), Some(dec!(0.1)));
        // 29 significant digits: rust_decimal rounds the last one away.
        let big = Decimal::from(u64::MAX);
        let rate = Decimal::from_str("0.0000012345678901").unwrap();
        assert!(big.checked_mul(rate).is_some());
        assert_eq!(mul(big, rate), None);
        // Dropped digits that are zeros keep the product exact.
        let tokens = Decimal::from(10u64.pow(19));
        let price = Decimal::from_str("0.0000000000000000001234").unwrap();
        assert_eq!(mul(tokens, price).map(|p| p.normalize()), Some(dec!(1.234)));
        assert_eq!(mul(Decimal::MAX, dec!(2)), None);
    }

    #[test]
    fn exact_sums_pass_and_rounded_ones_do_not() {
        assert_eq!(add(dec!(1.5), dec!(2.25)), Some(dec!(3.75)));
        let big = Decimal::from_str("100000000000000000000000000").unwrap();
        assert_eq!(add(big, dec!(0.001)), None);
        assert_eq!(add(big, dec!(1)), Some(big + dec!(1)));
        assert_eq!(sum([dec!(0.1), dec!(0.2), dec!(0.3)]), Some(dec!(0.6)));
        assert_eq!(add(Decimal::MAX, Decimal::ONE), None);
    }

    #[test]
    fn percentages_need_a_positive_base_and_a_ratio_that_fits() {
        assert_eq!(percent(dec!(10), dec!(200)), Some(dec!(5)));
        assert_eq!(percent(dec!(3100), dec!(-1550)), None);
        assert_eq!(percent(dec!(1), Decimal::ZERO), None);
        assert_eq!(percent(Decimal::MAX, dec!(0.0000000001)), None);
    }

    #[test]
    fn per_million_is_exact_or_refused() {
        assert_eq!(
            div_pow10(dec!(0.145), dec!(1000000)),
            Some(dec!(0.000000145))
        );
        let long = Decimal::from_str("0.1234567890123456789012345").unwrap();
        assert_eq!(div_pow10(long, dec!(1000000)), None);
    }
}
