//! The one place that talks to the YAML parser.
//!
//! Everything else in the crate deserializes through [`parse`] and reads source positions through
//! [`Located`], so swapping the YAML crate means changing this file only. Parsing runs with
//! resource limits (events, aliases, nesting), so an alias bomb fails fast with bounded memory.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_saphyr::MessageFormatter;

use super::diagnostic::{Diagnostic, Position};
use super::source::SourceFile;

/// A deserialized value together with where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub position: Position,
}

impl<T> Located<T> {
    pub fn new(value: T, position: Position) -> Self {
        Located { value, position }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Located<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<T>::deserialize(deserializer)?;
        Ok(Located {
            value: spanned.value,
            position: Position {
                line: clamp(spanned.referenced.line()),
                column: clamp(spanned.referenced.column()),
            },
        })
    }
}

/// Parses one YAML document into `T`, turning parser errors into a [`Diagnostic`].
pub fn parse<T: DeserializeOwned>(source: &SourceFile) -> Result<T, Diagnostic> {
    if source.text.trim().is_empty() {
        return Err(Diagnostic::error(
            &source.name,
            format!("'{}' is empty", source.name),
        )
        .with_help("a scenario needs `name`, `as_of`, `workloads` and `policies`; see scenarios/seed.yaml"));
    }
    let budget = serde_saphyr::budget! {
        max_events: 200_000,
        max_aliases: 1_000,
        max_anchors: 1_000,
        max_depth: 64,
    };
    let options = serde_saphyr::options! {
        budget: budget,
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 100_000,
        },
    };
    serde_saphyr::from_str_with_options(&source.text, options).map_err(|error| {
        let inner = error.without_snippet();
        let message = serde_saphyr::UserMessageFormatter.format_message(inner);
        let position = error
            .location()
            .map(|location| Position {
                line: clamp(location.line()),
                column: clamp(location.column()),
            })
            .unwrap_or(Position::UNKNOWN);
        let help = help_for(&message);
        Diagnostic::error(&source.name, tidy(&message))
            .at(&source.text, position, 1)
            .with_help(help)
    })
}

/// Parser messages end with their own location suffix; ours carries the location separately.
fn tidy(message: &str) -> String {
    let message = message.trim();
    match message.find(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
    }
}

fn help_for(message: &str) -> String {
    if let Some(hint) = unknown_field_hint(message) {
        hint
    } else if message.contains("unknown field") {
        "check the spelling of the key; unknown keys are errors so a typo never prices anything at $0"
            .to_string()
    } else if message.contains("missing field") {
        "add the missing key".to_string()
    } else if message.contains("duplicate") {
        "each key may appear once in a mapping; remove or rename the repeated one".to_string()
    } else if message.contains("budget") || message.contains("alias") || message.contains("limit") {
        "the file is too large or too deeply aliased to be a scenario or price list".to_string()
    } else {
        "fix the YAML at this place; the reference shapes are in scenarios/seed.yaml and pricing/"
            .to_string()
    }
}

fn clamp(value: u64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// For "unknown field `ouput`, expected one of …", suggests the nearest expected key.
fn unknown_field_hint(message: &str) -> Option<String> {
    let rest = message.split("unknown field `").nth(1)?;
    let (field, rest) = rest.split_once('`')?;
    let expected = rest.split("expected one of ").nth(1)?;
    let candidates = expected
        .split(',')
        .map(|name| name.trim().trim_matches('`'));
    let close = super::suggest::nearest_key(field, candidates)?;
    Some(format!(
        "did you mean `{close}`? unknown keys are errors so a typo never prices anything at $0"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_get_the_nearest_expected_key() {
        let message = "unknown field `ouput`, expected one of name, input_tokens, output_tokens";
        assert!(unknown_field_hint(message)
            .unwrap()
            .starts_with("did you mean `output_tokens`?"));
    }
}
