//! JSON for machines: money as decimal strings, a `schema_version` on every document.
//!
//! Each command serializes its own view of the result; this module holds the shared pieces.
//! Money keeps full exactness (`*_exact`, or cents where a field says so); rates, ratios,
//! shares and percentages go through [`rate`], at most 12 significant digits, and each such
//! field says so in its schema's description.

use rust_decimal::Decimal;
use serde::Serialize;

/// A rate, ratio, share or percentage as a JSON decimal string: at most 12 significant digits
/// (`"0.999400599401"`, `"-69.7032258065"`), no trailing zeros.
pub fn rate(value: Decimal) -> String {
    super::format::significant(value)
}

/// [`rate`] for a `Decimal` field (`#[serde(serialize_with = "…")]`).
pub fn serialize_rate<S: serde::Serializer>(
    value: &Decimal,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&rate(*value))
}

/// Bumped whenever a field is renamed or removed (adding fields keeps the version).
pub const SCHEMA_VERSION: &str = "1";

/// Pretty JSON with a trailing newline.
pub fn to_string<T: Serialize>(value: &T) -> String {
    // Serializing plain structs of strings and numbers cannot fail.
    let mut text = serde_json::to_string_pretty(value).expect("serializing a result to JSON");
    text.push('\n');
    text
}
