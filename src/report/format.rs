//! How numbers look to people and to machines.
//!
//! People get `$1,550.00`, `−69.7%` (a true minus sign), `100,000,000` and `8.6×`; machines
//! (CSV, JSON) get plain `1550.00`, `-69.7`, `100000000`. Money is rounded to cents only here,
//! half away from zero.

use rust_decimal::{Decimal, RoundingStrategy};

const MINUS: char = '−';

/// Rounds to `places`, half away from zero, keeping trailing zeros (`1550.00`).
pub fn fixed(value: Decimal, places: u32) -> String {
    let mut rounded = value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    if rounded.is_zero() {
        rounded = Decimal::ZERO;
    }
    rounded.rescale(places);
    rounded.to_string()
}

/// A rate, ratio, share or percentage for machines (CSV, JSON): at most 12 significant
/// digits, half away from zero, without trailing zeros (`0.9994005994005994…` →
/// `0.999400599401`, `69.70` → `69.7`). Money never goes through this: it stays exact.
pub fn significant(value: Decimal) -> String {
    let rounded = value
        .round_sf_with_strategy(12, RoundingStrategy::MidpointAwayFromZero)
        .unwrap_or(value);
    plain(rounded)
}

/// Groups the integer digits of a plain decimal string in thousands: `1550.00` → `1,550.00`.
fn group_thousands(plain: &str) -> String {
    let (sign, digits) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain),
    };
    let (integer, fraction) = match digits.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (digits, None),
    };
    let mut grouped = String::new();
    for (index, digit) in integer.chars().enumerate() {
        if index > 0 && (integer.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    match fraction {
        Some(fraction) => format!("{sign}{grouped}.{fraction}"),
        None => format!("{sign}{grouped}"),
    }
}

fn with_minus(text: String) -> String {
    match text.strip_prefix('-') {
        Some(rest) => format!("{MINUS}{rest}"),
        None => text,
    }
}

/// `$1,550.00`, or `−$1,080.40`.
pub fn money(value: Decimal) -> String {
    let plain = group_thousands(&fixed(value.abs(), 2));
    if fixed(value, 2).starts_with('-') {
        format!("{MINUS}${plain}")
    } else {
        format!("${plain}")
    }
}

/// A change in money with its sign always shown: `+$12.00`, `−$1,080.40`, `$0.00`.
pub fn money_delta(value: Decimal) -> String {
    let shown = money(value);
    if fixed(value, 2) == "0.00" || shown.starts_with(MINUS) {
        shown
    } else {
        format!("+{shown}")
    }
}

/// A change in percent with one decimal: `−69.7%`, `+12.0%`.
pub fn percent_delta(value: Decimal) -> String {
    let plain = fixed(value, 1);
    if plain == "0.0" {
        "0.0%".to_string()
    } else if plain.starts_with('-') {
        format!("{}%", with_minus(plain))
    } else {
        format!("+{plain}%")
    }
}

/// A unit price per 1M tokens at full precision, at least two decimals: `$5.00`, `$0.003625`.
pub fn price(value: Decimal) -> String {
    let normalized = value.normalize();
    let text = if normalized.scale() < 2 {
        fixed(normalized, 2)
    } else {
        normalized.to_string()
    };
    with_minus(format!("${}", group_thousands(&text)))
}

/// A plain machine-readable price: `5`, `0.003625`.
pub fn plain(value: Decimal) -> String {
    let normalized = value.normalize();
    if normalized.is_zero() {
        "0".to_string()
    } else {
        normalized.to_string()
    }
}

/// A token count with thousands separators; fractions (from shares) keep two decimals.
pub fn tokens(value: Decimal) -> String {
    if value.fract().is_zero() {
        group_thousands(&fixed(value, 0))
    } else {
        group_thousands(&fixed(value, 2))
    }
}

/// A computed price (a blend, an average) as people read it: cents from $1 up, four
/// significant digits below (`$6.89`, `$0.4796`, `$0.003625`). JSON keeps the exact value.
pub fn computed_price(value: Decimal) -> String {
    if value.abs() >= Decimal::ONE {
        money(value)
    } else {
        price(value.round_sf(4).unwrap_or(value))
    }
}

/// A multiplier with one decimal, or none from 100 up (three significant digits at least):
/// `8.6×`, `138×`; `—` when undefined.
pub fn ratio(value: Option<Decimal>) -> String {
    match value {
        Some(value) if value.abs() >= Decimal::ONE_HUNDRED => {
            format!("{}×", group_thousands(&fixed(value, 0)))
        }
        Some(value) => format!("{}×", group_thousands(&fixed(value, 1))),
        None => "—".to_string(),
    }
}

/// Money per item with four decimals: `$0.2477`, `$1,234.5000`.
pub fn unit_money(value: Decimal) -> String {
    let plain = group_thousands(&fixed(value.abs(), 4));
    if fixed(value, 4).starts_with('-') {
        format!("{MINUS}${plain}")
    } else {
        format!("${plain}")
    }
}

/// A duration given in seconds, in the largest unit that keeps it at 1 or more:
/// `58.2 s`, `2.8 min`, `4.0 h`, `1.0 d`.
pub fn duration(seconds: Decimal) -> String {
    let (value, unit) = if seconds < Decimal::from(60) {
        (seconds, "s")
    } else if seconds < Decimal::from(3_600) {
        (seconds / Decimal::from(60), "min")
    } else if seconds < Decimal::from(86_400) {
        (seconds / Decimal::from(3_600), "h")
    } else {
        (seconds / Decimal::from(86_400), "d")
    };
    format!("{} {unit}", fixed(value, 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn money_rounds_half_away_from_zero_and_groups() {
        assert_eq!(money(dec!(1550)), "$1,550.00");
        assert_eq!(money(dec!(469.6)), "$469.60");
        assert_eq!(money(dec!(-1080.4)), "−$1,080.40");
        assert_eq!(money(dec!(0.005)), "$0.01");
        assert_eq!(money(dec!(-0.004)), "$0.00");
        assert_eq!(money(dec!(1234567.891)), "$1,234,567.89");
        assert_eq!(money_delta(dec!(561)), "+$561.00");
        assert_eq!(money_delta(dec!(0)), "$0.00");
    }

    #[test]
    fn percentages_and_ratios_have_one_decimal() {
        assert_eq!(percent_delta(dec!(-69.677419)), "−69.7%");
        assert_eq!(percent_delta(dec!(-55.2516)), "−55.3%");
        assert_eq!(percent_delta(dec!(75.5)), "+75.5%");
        assert_eq!(ratio(Some(dec!(30) / dec!(3.48))), "8.6×");
        assert_eq!(ratio(Some(dec!(5) / dec!(1.74))), "2.9×");
        assert_eq!(ratio(Some(dec!(137.93))), "138×");
        assert_eq!(ratio(None), "—");
    }

    #[test]
    fn prices_keep_full_precision() {
        assert_eq!(price(dec!(5)), "$5.00");
        assert_eq!(price(dec!(0.003625)), "$0.003625");
        assert_eq!(price(dec!(0.50)), "$0.50");
        assert_eq!(tokens(dec!(100000000)), "100,000,000");
        assert_eq!(tokens(dec!(1234.5)), "1,234.50");
        assert_eq!(computed_price(dec!(6.885964912280701754386)), "$6.89");
        assert_eq!(computed_price(dec!(0.4796153846153846153846)), "$0.4796");
        assert_eq!(computed_price(dec!(0.003625)), "$0.003625");
    }

    #[test]
    fn rates_have_at_most_twelve_significant_digits() {
        assert_eq!(
            significant(dec!(0.9994005994005994005994005994)),
            "0.999400599401"
        );
        assert_eq!(significant(dec!(69.70)), "69.7");
        assert_eq!(significant(dec!(-200) / dec!(3)), "-66.6666666667");
        assert_eq!(
            significant(dec!(0.000012345678901234)),
            "0.0000123456789012"
        );
        assert_eq!(significant(dec!(0)), "0");
        assert_eq!(significant(dec!(1234567890123456)), "1234567890120000");
    }

    #[test]
    fn unit_money_and_durations() {
        assert_eq!(unit_money(dec!(0.24766)), "$0.2477");
        assert_eq!(unit_money(dec!(1234.5)), "$1,234.5000");
        assert_eq!(duration(dec!(58.2)), "58.2 s");
        assert_eq!(duration(dec!(170.5)), "2.8 min");
        assert_eq!(duration(dec!(14400)), "4.0 h");
        assert_eq!(duration(dec!(86400)), "1.0 d");
    }
}
