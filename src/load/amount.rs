//! Amounts of money and thresholds as users write them in budgets and on the command line.
//!
//! A budget is money: `500`, `$1,550.00`, `1550.5`. A threshold names its unit: `10%` of the
//! base cost or `$100`; a bare number is refused, so `10` never means ten dollars to one reader
//! and ten percent to another.

use rust_decimal::Decimal;

use super::values::{self, Problem};

/// USD, `$` optional, thousands separated by commas in groups of three, never negative.
pub fn money(text: &str) -> Result<Decimal, Problem> {
    let help = "write an amount of USD such as 500, $500 or $1,250.00";
    let not_money = || Problem::new(format!("'{text}' is not an amount of money"), help);
    let trimmed = text.trim();
    let number = trimmed.strip_prefix('$').unwrap_or(trimmed).trim();
    if number.is_empty() || number.starts_with('-') {
        return Err(if number.starts_with('-') {
            Problem::new(
                format!("amount '{text}' is negative"),
                "a budget or limit is at least $0",
            )
        } else {
            not_money()
        });
    }
    let (integer, fraction) = match number.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (number, None),
    };
    let groups: Vec<&str> = integer.split(',').collect();
    let grouped_well = groups.len() == 1
        || (!groups[0].is_empty()
            && groups[0].len() <= 3
            && groups[1..].iter().all(|group| group.len() == 3));
    let digits_only = |part: &str| part.chars().all(|c| c.is_ascii_digit());
    if !grouped_well
        || !groups.iter().all(|group| digits_only(group))
        || !fraction.is_none_or(|f| !f.is_empty() && digits_only(f))
    {
        return Err(not_money());
    }
    let plain = match fraction {
        Some(fraction) => format!("{}.{fraction}", groups.concat()),
        None => groups.concat(),
    };
    values::decimal(&plain).map_err(|_| not_money())
}

/// A limit on an increase: a share of the base cost, or an amount of money.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Threshold {
    /// Percent of the base cost (`10` for `10%`).
    Percent(Decimal),
    Money(Decimal),
}

/// `10%`, `12.5%` or `$100`, `$1,000.00`.
pub fn threshold(text: &str) -> Result<Threshold, Problem> {
    let trimmed = text.trim();
    if let Some(number) = trimmed.strip_suffix('%') {
        let value = values::decimal(number).map_err(|_| {
            Problem::new(
                format!("'{text}' is not a percentage"),
                "write a share of the base cost such as 10% or 2.5%",
            )
        })?;
        if value.is_sign_negative() && !value.is_zero() {
            return Err(Problem::new(
                format!("threshold '{text}' is negative"),
                "write how much the cost may rise, such as 10%",
            ));
        }
        return Ok(Threshold::Percent(value.normalize()));
    }
    if trimmed.starts_with('$') {
        return money(trimmed).map(|value| Threshold::Money(value.normalize()));
    }
    Err(Problem::new(
        format!("threshold '{text}' has no unit"),
        format!(
            "write a percentage of the base cost ({trimmed}%) or an amount of USD (${trimmed})"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn money_accepts_dollars_and_grouped_thousands() {
        assert_eq!(money("500"), Ok(dec!(500)));
        assert_eq!(money("$1,250.50"), Ok(dec!(1250.50)));
        assert_eq!(money(" $ 12 "), Ok(dec!(12)));
        assert_eq!(money("1234567"), Ok(dec!(1234567)));
    }

    #[test]
    fn money_refuses_what_is_not_money() {
        for bad in [
            "$1,2x",
            "1,2",
            "12,34,567",
            "$",
            "",
            "1.",
            "abc",
            "$1e3",
            ",100",
        ] {
            assert!(money(bad).is_err(), "{bad} should be refused");
        }
        assert!(money("-5").unwrap_err().message.contains("negative"));
    }

    #[test]
    fn thresholds_need_a_unit() {
        assert_eq!(threshold("10%"), Ok(Threshold::Percent(dec!(10))));
        assert_eq!(threshold("$1,000"), Ok(Threshold::Money(dec!(1000))));
        let problem = threshold("10").unwrap_err();
        assert_eq!(problem.message, "threshold '10' has no unit");
        assert!(problem.help.contains("10%") && problem.help.contains("$10"));
        assert!(threshold("-5%").is_err());
        assert!(threshold("ten%").is_err());
    }
}
