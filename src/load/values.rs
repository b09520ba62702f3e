//! Parsing the scalar values users write: token counts, shares, prices, dates.
//!
//! Each parser takes the text exactly as written in the file (never an `f64`) and returns either
//! the exact value or a [`Problem`] that says what is wrong and what to write instead. Callers
//! attach the file position to turn a problem into a diagnostic.

use std::str::FromStr;

use jiff::Timestamp;
use rust_decimal::Decimal;

/// What is wrong with a value, and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub help: String,
}

impl Problem {
    pub fn new(message: impl Into<String>, help: impl Into<String>) -> Self {
        Problem {
            message: message.into(),
            help: help.into(),
        }
    }
}

/// The highest price per 1M tokens accepted; anything above is almost certainly a unit mistake.
pub const MAX_PRICE_PER_MTOK: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

/// Parses a plain decimal number written in the file, refusing NaN, infinity and exponents
/// the user probably did not mean.
pub fn decimal(text: &str) -> Result<Decimal, Problem> {
    let cleaned = text.trim().replace('_', "");
    let lowered = cleaned.to_ascii_lowercase();
    if lowered.contains("nan") || lowered.contains("inf") {
        return Err(Problem::new(
            format!("'{text}' is not a finite number"),
            "write a plain decimal number such as 0.145",
        ));
    }
    let parsed = if lowered.contains('e') {
        Decimal::from_scientific(&cleaned)
    } else {
        Decimal::from_str(&cleaned)
    };
    parsed.map_err(|_| {
        Problem::new(
            format!("'{text}' is not a number"),
            "write a plain decimal number such as 0.145",
        )
    })
}

/// A price in USD per 1M tokens: a non-negative decimal, at most [`MAX_PRICE_PER_MTOK`].
pub fn price(text: &str) -> Result<Decimal, Problem> {
    let value = decimal(text.trim().trim_start_matches('$'))?;
    if value.is_sign_negative() && !value.is_zero() {
        return Err(Problem::new(
            format!("price '{text}' is negative"),
            "prices are USD per 1M tokens and cannot be below 0",
        ));
    }
    if value > MAX_PRICE_PER_MTOK {
        return Err(Problem::new(
            format!("price '{text}' is above $1,000,000 per 1M tokens"),
            "prices are USD per 1M tokens, not per token or per 1k tokens",
        ));
    }
    Ok(value.normalize())
}

/// A share between 0 and 1, written as a fraction (`0.35`) or a percentage (`35%`).
pub fn share(text: &str) -> Result<Decimal, Problem> {
    let trimmed = text.trim();
    let (number, scale) = match trimmed.strip_suffix('%') {
        Some(number) => (number, Decimal::ONE_HUNDRED),
        None => (trimmed, Decimal::ONE),
    };
    let value = decimal(number)? / scale;
    if value < Decimal::ZERO || value > Decimal::ONE {
        return Err(Problem::new(
            format!("'{text}' is outside 0–1"),
            "write a share as a fraction between 0 and 1 (0.35) or a percentage between 0% and 100% (35%)",
        ));
    }
    Ok(value.normalize())
}

/// A token count: a non-negative integer, optionally with a `k`, `M` or `B` suffix (`100M`,
/// `1.5k`). Suffixed fractions must come out whole.
pub fn tokens(text: &str) -> Result<u64, Problem> {
    let trimmed = text.trim();
    let help = "write a whole number of tokens, optionally with k, M or B (e.g. 250k, 100M, 1.5B)";
    let (number, multiplier) = match trimmed.chars().last() {
        Some('k' | 'K') => (&trimmed[..trimmed.len() - 1], 1_000u64),
        Some('M') => (&trimmed[..trimmed.len() - 1], 1_000_000),
        Some('B') => (&trimmed[..trimmed.len() - 1], 1_000_000_000),
        Some('m') => {
            return Err(Problem::new(
                format!("'{text}' uses a lowercase m"),
                "write M for millions (100M); k is thousands, B is billions",
            ))
        }
        _ => (trimmed, 1),
    };
    let value = decimal(number)
        .map_err(|_| Problem::new(format!("'{text}' is not a token count"), help))?;
    if value.is_sign_negative() && !value.is_zero() {
        return Err(Problem::new(
            format!("token count '{text}' is negative"),
            "token counts cannot be below 0",
        ));
    }
    let total = value
        .checked_mul(Decimal::from(multiplier))
        .ok_or_else(|| too_large(text))?;
    if !total.fract().is_zero() {
        return Err(Problem::new(
            format!("'{text}' is not a whole number of tokens"),
            help,
        ));
    }
    u64::try_from(total).map_err(|_| too_large(text))
}

fn too_large(text: &str) -> Problem {
    Problem::new(
        format!("token count '{text}' is too large to hold"),
        "token counts must be at most 18,446,744,073,709,551,615 per month; check the k, M or B suffix",
    )
}

/// A point in time: a date (`2026-05-20`, meaning 00:00 UTC) or a UTC instant
/// (`2026-05-05T15:59:00Z`).
pub fn instant(text: &str) -> Result<Timestamp, Problem> {
    let trimmed = text.trim();
    let help = "write a date as YYYY-MM-DD (2026-05-20) or a UTC time as 2026-05-05T15:59:00Z";
    if trimmed.len() == 10 {
        let date: jiff::civil::Date = trimmed
            .parse()
            .map_err(|_| Problem::new(format!("'{text}' is not a date"), help))?;
        return date
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|zoned| zoned.timestamp())
            .map_err(|_| out_of_range(text));
    }
    if let Some(problem) = leap_second(text, trimmed) {
        return Err(problem);
    }
    trimmed.parse::<Timestamp>().map_err(|_| {
        // A well-formed date and time beyond the supported range is not "not a date".
        let civil = trimmed.strip_suffix(['Z', 'z']);
        match civil.map(str::parse::<jiff::civil::DateTime>) {
            Some(Ok(_)) => out_of_range(text),
            _ => Problem::new(format!("'{text}' is not a date or UTC time"), help),
        }
    })
}

/// A real date outside the instants that can be held (up to 9999-12-30, UTC).
fn out_of_range(text: &str) -> Problem {
    Problem::new(
        format!("'{text}' is past the last supported instant (9999-12-30)"),
        "write a date up to 9999-12-30; for a promotion or price with no known end, use a far but real date such as 2099-12-31",
    )
}

/// A time whose seconds are `60`: the parser would silently read `23:59:60Z` as `23:59:59Z`,
/// a second early, so a leap second is refused rather than moved.
fn leap_second(text: &str, trimmed: &str) -> Option<Problem> {
    let time = &trimmed[trimmed.find(['T', 't', ' '])? + 1..];
    let end = time.find(['Z', 'z', '+', '-']).unwrap_or(time.len());
    let seconds = time[..end].split(':').nth(2)?;
    let whole = seconds.split(['.', ',']).next()?;
    (whole == "60").then(|| {
        Problem::new(
            format!("'{text}' is a leap second (:60)"),
            "prices change on whole seconds from 00 to 59: write the second before (…:59Z) or after (the next minute's :00Z)",
        )
    })
}

/// Shows an instant the way it was most likely written: a bare date at midnight UTC,
/// otherwise the UTC time to the minute, or to the second when it has seconds.
pub fn show_instant(instant: Timestamp) -> String {
    let zoned = instant.to_zoned(jiff::tz::TimeZone::UTC);
    let time = zoned.time();
    if time == jiff::civil::Time::midnight() {
        zoned.date().to_string()
    } else if time.second() == 0 && time.subsec_nanosecond() == 0 {
        format!("{}T{:02}:{:02}Z", zoned.date(), time.hour(), time.minute())
    } else {
        // To the second: a price date never needs nanoseconds, and `2026-11-30T12:04:34Z`
        // reads better than `2026-11-30T12:04:34.859509237Z`.
        format!(
            "{}T{:02}:{:02}:{:02}Z",
            zoned.date(),
            time.hour(),
            time.minute(),
            time.second()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn tokens_accept_suffixes_and_reject_fractions() {
        assert_eq!(tokens("100M"), Ok(100_000_000));
        assert_eq!(tokens("1.5k"), Ok(1_500));
        assert_eq!(tokens("2B"), Ok(2_000_000_000));
        assert_eq!(tokens("100_000"), Ok(100_000));
        assert_eq!(tokens("0"), Ok(0));
        assert!(tokens("1.5").is_err());
        assert!(tokens("-5").unwrap_err().message.contains("negative"));
        assert!(tokens("20000000000B")
            .unwrap_err()
            .message
            .contains("too large"));
        assert!(tokens("5m").is_err());
        assert!(tokens("lots").is_err());
    }

    #[test]
    fn shares_accept_fractions_and_percentages_in_range() {
        assert_eq!(share("0.35"), Ok(dec!(0.35)));
        assert_eq!(share("35%"), Ok(dec!(0.35)));
        assert_eq!(share("100%"), Ok(Decimal::ONE));
        assert!(share("1.5").unwrap_err().message.contains("outside 0–1"));
        assert!(share("150%").unwrap_err().message.contains("outside 0–1"));
        assert!(share("-0.1").is_err());
        assert!(share(".nan")
            .unwrap_err()
            .message
            .contains("not a finite number"));
    }

    #[test]
    fn prices_are_exact_and_bounded() {
        assert_eq!(price("0.003625"), Ok(dec!(0.003625)));
        assert_eq!(price("5.00"), Ok(dec!(5)));
        assert!(price("-1").unwrap_err().message.contains("negative"));
        assert!(price(".inf").is_err());
        assert!(price("2000000").is_err());
    }

    #[test]
    fn instants_accept_dates_and_utc_times() {
        let date = instant("2026-05-20").unwrap();
        assert_eq!(show_instant(date), "2026-05-20");
        let time = instant("2026-05-05T15:59:00Z").unwrap();
        assert_eq!(show_instant(time), "2026-05-05T15:59Z");
        let precise: Timestamp = "2026-11-30T12:04:34.859509237Z".parse().unwrap();
        assert_eq!(show_instant(precise), "2026-11-30T12:04:34Z");
        assert!(instant("2026-02-30").is_err());
        assert!(instant("May 20").is_err());
    }

    #[test]
    fn leap_seconds_are_refused_not_moved() {
        for text in [
            "2026-06-30T23:59:60Z",
            "2026-06-30t23:59:60.5Z",
            "2026-06-30 23:59:60+00:00",
        ] {
            let problem = instant(text).unwrap_err();
            assert!(
                problem.message.contains("leap second"),
                "{text}: {problem:?}"
            );
        }
        assert!(instant("2026-06-30T23:59:59Z").is_ok());
        let far = instant("9999-12-31").unwrap_err();
        assert!(
            far.message.contains("past the last supported instant"),
            "{far:?}"
        );
        let far = instant("9999-12-31T12:00:00Z").unwrap_err();
        assert!(
            far.message.contains("past the last supported instant"),
            "{far:?}"
        );
        assert!(instant("2026-06-30T23:60:00Z").is_err());
    }
}
