//! JSON for machines: money as decimal strings, a `schema_version` on every document.
//!
//! Each command serializes its own view of the result; this module holds the shared pieces.

use serde::Serialize;

/// Bumped whenever a field is renamed or removed (adding fields keeps the version).
pub const SCHEMA_VERSION: &str = "1";

/// Pretty JSON with a trailing newline.
pub fn to_string<T: Serialize>(value: &T) -> String {
    // Serializing plain structs of strings and numbers cannot fail.
    let mut text = serde_json::to_string_pretty(value).expect("serializing a result to JSON");
    text.push('\n');
    text
}
