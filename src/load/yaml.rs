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

/// A deserialized value together with where it was written. Orders by value, then position, so
/// it can key a map (`models:` keeps where each model id was written).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
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

/// Parser limits: far above any real scenario or price list, far below an alias bomb.
const MAX_EVENTS: usize = 200_000;
const MAX_ALIASES: usize = 1_000;
const MAX_ANCHORS: usize = 1_000;
const MAX_DEPTH: usize = 64;
const MAX_REPLAYED_EVENTS: usize = 100_000;

/// Parses one YAML document into `T`, turning parser errors into a [`Diagnostic`].
pub fn parse<T: DeserializeOwned>(source: &SourceFile) -> Result<T, Diagnostic> {
    if let Some(what) = emptiness(&source.text) {
        return Err(Diagnostic::error(
            &source.name,
            format!("'{}' {what}", source.name),
        )
        .with_help("a scenario needs `name`, `as_of`, `workloads`, `policies` and `baseline` (see scenarios/seed.yaml); a price file needs `provider`, `currency` and `models` (see pricing/openai.yaml)"));
    }
    if let Some((position, amount)) = amount_split_by_flow_comma(&source.text) {
        let width = amount.chars().count();
        return Err(Diagnostic::error(
            &source.name,
            format!("the amount `{amount}` is cut in two at its comma: inside `{{…}}` or `[…]` YAML reads a comma as the end of an entry"),
        )
        .at(&source.text, position, width)
        .with_help(format!(
            "quote it (\"{amount}\"), write it without the thousands separator ({}), or put each entry on its own line",
            amount.replace(',', "")
        )));
    }
    let budget = serde_saphyr::budget! {
        max_events: MAX_EVENTS,
        max_aliases: MAX_ALIASES,
        max_anchors: MAX_ANCHORS,
        max_depth: MAX_DEPTH,
    };
    let options = serde_saphyr::options! {
        budget: budget,
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: MAX_REPLAYED_EVENTS,
        },
    };
    let parsed = serde_saphyr::from_str_with_options(&source.text, options.clone());
    if parsed.is_ok() && may_hold_an_empty_value(&source.text) {
        if let Some((key, position)) = first_empty_value(&source.text, options) {
            let width = key.chars().count();
            return Err(Diagnostic::error(&source.name, format!("`{key}` has no value"))
                .at(&source.text, position, width)
                .with_help(format!(
                    "write a value after `{key}:`, or remove the key to leave it out (an empty value is not read as the default)"
                )));
        }
    }
    parsed.map_err(|error| {
        let position = error
            .location()
            .map(|location| Position {
                line: clamp(location.line()),
                column: clamp(location.column()),
            })
            .unwrap_or(Position::UNKNOWN);
        let (message, help) = match limit_message(&error) {
            Some(message) => (
                message,
                "the file is too large or too deeply aliased to be a scenario or price list"
                    .to_string(),
            ),
            None => {
                let inner = error.without_snippet();
                let raw = tidy(&serde_saphyr::UserMessageFormatter.format_message(inner));
                let about_tab =
                    raw.contains("a tab") || raw.contains("tabs ") || raw.starts_with("tab ");
                if let Some(tab) = about_tab
                    .then(|| tab_at_or_after(&source.text, position))
                    .flatten()
                {
                    return Diagnostic::error(
                        &source.name,
                        "a tab is used for indentation; YAML indents with spaces only",
                    )
                    .at(&source.text, tab, 1)
                    .with_help(
                        "replace the tab with spaces (two per level, as in scenarios/seed.yaml)",
                    );
                }
                let (message, value_help) =
                    plain_value_message(&raw, key_before(&source.text, position));
                // Reported at the colon of a key with nothing after it (`match:` then a sibling).
                let missing = line_at(&source.text, position).is_some_and(|rest| {
                    let rest = rest.strip_prefix(':').unwrap_or(rest).trim();
                    rest.is_empty() || rest.starts_with('#')
                });
                let (message, value_help) = match key_before(&source.text, position) {
                    Some(key) if missing && message.starts_with("expected a ") => (
                        format!("`{key}` has no value"),
                        Some(format!(
                            "it takes {}; indent what belongs to `{key}` under it",
                            message
                                .trim_start_matches("expected ")
                                .trim_end_matches(" here")
                        )),
                    ),
                    _ => (message, value_help),
                };
                let help = match unclosed_bracket(&source.text, position) {
                    Some((bracket, at)) => format!(
                        "the `{bracket}` on line {}, column {} is never closed; close it with `{}`",
                        at.line,
                        at.column,
                        if bracket == '{' { '}' } else { ']' }
                    ),
                    None => value_help.unwrap_or_else(|| help_for(&message)),
                };
                (message, help)
            }
        };
        let width = quoted_key(&message)
            .filter(|key| line_at(&source.text, position).is_some_and(|rest| rest.starts_with(key)))
            .map_or(1, |key| key.chars().count());
        Diagnostic::error(&source.name, message)
            .at(&source.text, position, width)
            .with_help(help)
    })
}

/// The first unquoted dollar amount with a thousands separator (`$30,000`) inside a flow
/// collection (`{production: $30,000}`), and where it starts. YAML splits it at the comma into
/// `$30` and a second entry `000`, which is never what was meant, so it is reported before
/// parsing rather than as whatever the second entry breaks later. Quoted text and comments are
/// skipped.
fn amount_split_by_flow_comma(text: &str) -> Option<(Position, String)> {
    if !text.contains('$') {
        return None;
    }
    let mut depth = 0usize;
    for (index, line) in text.lines().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        let mut quote: Option<char> = None;
        let mut at = 0;
        while at < chars.len() {
            let c = chars[at];
            match quote {
                Some(q) => {
                    if c == q {
                        quote = None;
                    }
                }
                None => match c {
                    // A quote opens a quoted scalar only where a value starts (`it's` is plain).
                    '"' | '\''
                        if at == 0 || matches!(chars[at - 1], ' ' | '{' | '[' | ',' | ':') =>
                    {
                        quote = Some(c)
                    }
                    '#' if at == 0 || chars[at - 1].is_whitespace() => break,
                    '{' | '[' => depth += 1,
                    '}' | ']' => depth = depth.saturating_sub(1),
                    '$' if depth > 0 => {
                        let mut end = at + 1;
                        let digits = |from: usize| {
                            chars[from..]
                                .iter()
                                .take_while(|c| c.is_ascii_digit())
                                .count()
                        };
                        let lead = digits(end);
                        end += lead;
                        let mut groups = 0;
                        while lead > 0
                            && end < chars.len()
                            && chars[end] == ','
                            && digits(end + 1) == 3
                        {
                            end += 4;
                            groups += 1;
                        }
                        if groups > 0 {
                            return Some((
                                Position {
                                    line: clamp(index as u64 + 1),
                                    column: clamp(at as u64 + 1),
                                },
                                chars[at..end].iter().collect(),
                            ));
                        }
                    }
                    _ => {}
                },
            }
            at += 1;
        }
    }
    None
}

/// For a parser error about a tab, the tab itself: the parser reports where the value it was
/// reading began (often the line above), so look from the start of that line for the first tab
/// in a line's indentation, else the first tab at all.
fn tab_at_or_after(text: &str, reported: Position) -> Option<Position> {
    if !reported.is_known() {
        return None;
    }
    let lines = || {
        text.lines()
            .enumerate()
            .skip(reported.line as usize - 1)
            .map(|(index, line)| (clamp(index as u64 + 1), line))
    };
    let in_indent = lines().find_map(|(line, text)| {
        let indent = text.len() - text.trim_start_matches([' ', '\t']).len();
        text[..indent].find('\t').map(|column| Position {
            line,
            column: clamp(column as u64 + 1),
        })
    });
    in_indent.or_else(|| {
        lines().find_map(|(line, text)| {
            text.chars().position(|c| c == '\t').map(|column| Position {
                line,
                column: clamp(column as u64 + 1),
            })
        })
    })
}

/// The key whose value starts at `position` (`tier` for `    tier: [x]`, `open_weight` for
/// `{open_weight: 1}`), read from the source line.
fn key_before(text: &str, position: Position) -> Option<String> {
    if !position.is_known() {
        return None;
    }
    let line = text.lines().nth(position.line as usize - 1)?;
    let column = (position.column as usize).saturating_sub(1);
    let mut before: String = line.chars().take(column).collect();
    // A missing value is reported at the colon itself (`baseline:` with nothing after it).
    if line.chars().nth(column) == Some(':') {
        before.push(':');
    }
    let before = before.trim_end().strip_suffix(':')?;
    let key = before
        .rsplit([' ', '{', ',', '-', '\t'])
        .next()?
        .trim_matches(['"', '\'']);
    (!key.is_empty()).then(|| key.to_string())
}

/// The allowed values of each key that takes one word from a fixed list, read from the types
/// themselves so a new variant shows up here without an edit.
fn allowed_values(key: &str) -> Option<&'static [&'static str]> {
    use crate::model::catalogue::{Deployment, ModelClass};
    use crate::model::scenario::{DataClass, PriceMode, ServiceTier};
    Some(match key {
        "tier" => variants::<ServiceTier>(),
        "data_class" => variants::<DataClass>(),
        "prices" => variants::<PriceMode>(),
        "class" => variants::<ModelClass>(),
        "deployment" => variants::<Deployment>(),
        "human_review" => variants::<super::rules::HumanReview>(),
        "distribution" => variants::<super::quality::RawDistribution>(),
        _ => return None,
    })
}

/// The variant names serde would accept for the unit enum `T`.
fn variants<T: DeserializeOwned>() -> &'static [&'static str] {
    use serde::de::value::Error;
    use serde::de::{Error as _, Visitor};
    use std::cell::Cell;

    struct Capture<'a>(&'a Cell<&'static [&'static str]>);

    impl<'de> Deserializer<'de> for Capture<'_> {
        type Error = Error;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Error> {
            Err(Error::custom("not an enum"))
        }

        fn deserialize_enum<V: Visitor<'de>>(
            self,
            _: &'static str,
            variants: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Error> {
            self.0.set(variants);
            Err(Error::custom("captured"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map struct identifier
            ignored_any
        }
    }

    let found = Cell::new(&[][..]);
    let _ = T::deserialize(Capture(&found));
    found.get()
}

/// Generic parser messages about one value, said in the file's terms: which key, and what it
/// takes. Returns the message and, when there is a better one than the generic help, the help.
fn plain_value_message(message: &str, key: Option<String>) -> (String, Option<String>) {
    let one_of = |values: &[&str]| format!("write one of: {}", values.join(", "));
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        if let Some((_, expected)) = rest.split_once("expected one of ") {
            let values: Vec<&str> = expected
                .split(',')
                .map(|v| v.trim().trim_matches('`'))
                .collect();
            return (message.to_string(), Some(one_of(&values)));
        }
    }
    if message == "reference to unknown value" {
        return (
            "an alias (`*name`) refers to no anchor (`&name`) defined before it".to_string(),
            Some(
                "define the anchor with `&name` above the alias, or write the value out"
                    .to_string(),
            ),
        );
    }
    let Some(key) = key else {
        if message.starts_with("null is not allowed") {
            return (
                "a value is missing here".to_string(),
                Some(
                    "write a value after the colon, or remove the key if it is optional"
                        .to_string(),
                ),
            );
        }
        return (message.to_string(), None);
    };
    if message.contains("externally tagged enum") {
        let help = allowed_values(&key).map(one_of);
        return (
            format!("`{key}` takes one value here, not a list or mapping"),
            help.or_else(|| Some("write a single word after the key".to_string())),
        );
    }
    if message == "invalid boolean" {
        return (
            format!("`{key}` takes true or false"),
            Some("write `true` or `false`".to_string()),
        );
    }
    if message.starts_with("null is not allowed") {
        let help = match allowed_values(&key) {
            Some(values) => one_of(values),
            None => {
                "write a value after the colon, or remove the key if it is optional".to_string()
            }
        };
        return (format!("`{key}` has no value"), Some(help));
    }
    if let Some((_, expected)) = message.split_once(", expected ") {
        return (
            message.to_string(),
            Some(format!("`{key}` takes {expected}")),
        );
    }
    (message.to_string(), None)
}

/// Whether `text` may hold a key with no value, decided from the text alone so that files
/// without one (nearly all) are parsed once, not twice. Errs towards yes: a `~` or `null`
/// anywhere, a `?` key, a flow-mapping entry without a colon or with nothing after it, or a
/// block key ending its line whose next line is not indented below it (or a `-` list at its
/// own indent).
fn may_hold_an_empty_value(text: &str) -> bool {
    // Each line without its comment and with quoted scalars blanked (`"a, b"` → `xxxxxx`), so
    // notes and URLs do not count; `None` when a quote is not where a scalar starts or does
    // not close on its line, and the cheap reading cannot be trusted.
    let content = |line: &str| -> Option<String> {
        let mut out = String::with_capacity(line.len());
        let mut quote = None;
        let mut previous = ' ';
        for c in line.chars() {
            match quote {
                Some(q) if c == q => {
                    quote = None;
                    out.push('x');
                }
                Some(_) => out.push('x'),
                None if c == '"' || c == '\'' => {
                    let before = out.trim_end();
                    let starts_scalar = before.is_empty()
                        || before.ends_with(['[', '{', ','])
                        || (before.ends_with(':') && before.len() < out.len())
                        || (before.ends_with('-') && {
                            let marker = &before[..before.len() - 1];
                            marker.trim_end().is_empty() || marker.ends_with(' ')
                        });
                    if !starts_scalar {
                        return None;
                    }
                    quote = Some(c);
                    out.push('x');
                }
                None if c == '#' && previous.is_whitespace() => break,
                None => out.push(c),
            }
            previous = c;
        }
        quote.is_none().then_some(out)
    };
    let Some(lines) = text.lines().map(content).collect::<Option<Vec<String>>>() else {
        return true;
    };
    // `~` and `null` are nulls; an anchor, alias or tag may stand alone before nothing.
    let unquoted = lines.join("\n");
    if unquoted.contains(['~', '&', '*', '!']) || unquoted.to_ascii_lowercase().contains("null") {
        return true;
    }
    let indent = |line: &str| line.len() - line.trim_start_matches(' ').len();
    for (index, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        // Explicit keys (`? a`) and lone values (`: b`) are rare enough to always scan.
        if trimmed.contains('?') || trimmed.starts_with(':') || trimmed.starts_with("- :") {
            return true;
        }
        if !trimmed.ends_with(':') {
            continue;
        }
        // The key's own column: after any `- ` list markers.
        let mut column = indent(line);
        let mut rest = &line[column..];
        while let Some(after) = rest.strip_prefix("- ") {
            let spaces = after.len() - after.trim_start_matches(' ').len();
            column += 2 + spaces;
            rest = &after[spaces..];
        }
        let next = lines[index + 1..].iter().find(|l| !l.trim().is_empty());
        let nested = next.is_some_and(|next| {
            indent(next) > column || (indent(next) == column && next.trim_start().starts_with('-'))
        });
        if !nested {
            return true;
        }
    }
    flow_mapping_has_an_empty_entry(&unquoted)
}

/// Whether a `{…}` holds an entry with no colon (`{a, b: 1}`) or nothing after its colon
/// (`{a: , b: 1}`, `{a:}`), in text whose quoted scalars are blanked; lists (`[…]`) are not
/// mappings.
fn flow_mapping_has_an_empty_entry(text: &str) -> bool {
    // Per open bracket: is it a mapping, has the current entry a colon, and anything after it.
    struct Level {
        mapping: bool,
        colon: bool,
        before: bool,
        after: bool,
    }
    let mut stack: Vec<Level> = Vec::new();
    let close_entry =
        |level: &Level| level.mapping && level.before && (!level.colon || !level.after);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' | '[' => {
                if let Some(level) = stack.last_mut() {
                    mark(level);
                }
                stack.push(Level {
                    mapping: c == '{',
                    colon: false,
                    before: false,
                    after: false,
                });
            }
            '}' | ']' | ',' => {
                if let Some(level) = stack.last() {
                    if close_entry(level) {
                        return true;
                    }
                }
                if c == ',' {
                    if let Some(level) = stack.last_mut() {
                        (level.colon, level.before, level.after) = (false, false, false);
                    }
                } else {
                    stack.pop();
                }
            }
            // A colon separates only before a space, an indicator or the end (`:a` is text).
            ':' if stack
                .last()
                .is_some_and(|level| level.mapping && !level.colon)
                && chars
                    .peek()
                    .is_none_or(|next| next.is_whitespace() || ",[]{}".contains(*next)) =>
            {
                if let Some(level) = stack.last_mut() {
                    level.colon = true;
                }
            }
            c if !c.is_whitespace() => {
                if let Some(level) = stack.last_mut() {
                    mark(level);
                }
            }
            _ => {}
        }
    }
    return false;

    /// Something was written in the current entry: before its colon, or after it.
    fn mark(level: &mut Level) {
        if level.colon {
            level.after = true;
        } else {
            level.before = true;
        }
    }
}

/// The first key written with no value (`cache_hit_rate:` and nothing after it, `~` or
/// `null`). Serde reads such a key as absent, so a forgotten number would silently become the
/// default (a cache-hit rate of 0, internal data): the loader refuses it instead.
fn first_empty_value(text: &str, options: serde_saphyr::Options) -> Option<(String, Position)> {
    use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
    use std::fmt;

    /// What a walk over one value found: whether it is null, and the first empty key inside.
    struct Scan {
        null: bool,
        empty: Option<(String, Position)>,
    }

    /// A mapping key as text, whatever scalar it is written as; `None` for a complex key.
    struct Key(Option<String>);

    impl<'de> Deserialize<'de> for Key {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct KeyVisitor;
            impl<'de> Visitor<'de> for KeyVisitor {
                type Value = Key;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a key")
                }
                fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Key, E> {
                    Ok(Key(Some(text.to_string())))
                }
                fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Key, E> {
                    Ok(Key(Some(value.to_string())))
                }
                fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Key, E> {
                    Ok(Key(Some(value.to_string())))
                }
                fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Key, E> {
                    Ok(Key(Some(value.to_string())))
                }
                fn visit_bool<E: serde::de::Error>(self, value: bool) -> Result<Key, E> {
                    Ok(Key(Some(value.to_string())))
                }
                fn visit_unit<E: serde::de::Error>(self) -> Result<Key, E> {
                    Ok(Key(None))
                }
                fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Key, S::Error> {
                    while seq.next_element::<IgnoredAny>()?.is_some() {}
                    Ok(Key(None))
                }
                fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Key, M::Error> {
                    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                    Ok(Key(None))
                }
            }
            deserializer.deserialize_any(KeyVisitor)
        }
    }

    impl<'de> Deserialize<'de> for Scan {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct ScanVisitor;
            impl<'de> Visitor<'de> for ScanVisitor {
                type Value = Scan;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("any value")
                }
                fn visit_unit<E: serde::de::Error>(self) -> Result<Scan, E> {
                    Ok(Scan {
                        null: true,
                        empty: None,
                    })
                }
                fn visit_none<E: serde::de::Error>(self) -> Result<Scan, E> {
                    self.visit_unit()
                }
                fn visit_some<D: Deserializer<'de>>(self, inner: D) -> Result<Scan, D::Error> {
                    Scan::deserialize(inner)
                }
                fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Scan, E> {
                    Ok(Scan {
                        null: false,
                        empty: None,
                    })
                }
                fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Scan, E> {
                    self.visit_bool(false)
                }
                fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Scan, E> {
                    self.visit_bool(false)
                }
                fn visit_i128<E: serde::de::Error>(self, _: i128) -> Result<Scan, E> {
                    self.visit_bool(false)
                }
                fn visit_u128<E: serde::de::Error>(self, _: u128) -> Result<Scan, E> {
                    self.visit_bool(false)
                }
                fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Scan, E> {
                    self.visit_bool(false)
                }
                fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Scan, E> {
                    self.visit_bool(false)
                }
                fn visit_bytes<E: serde::de::Error>(self, _: &[u8]) -> Result<Scan, E> {
                    self.visit_bool(false)
                }
                fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Scan, S::Error> {
                    let mut empty = None;
                    while let Some(item) = seq.next_element::<Scan>()? {
                        empty = empty.or(item.empty);
                    }
                    Ok(Scan { null: false, empty })
                }
                fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Scan, M::Error> {
                    let mut empty = None;
                    while let Some(key) = map.next_key::<serde_saphyr::Spanned<Key>>()? {
                        let value = map.next_value::<Scan>()?;
                        let here = match (&key.value.0, value.null) {
                            (Some(name), true) => Some((
                                name.clone(),
                                Position {
                                    line: clamp(key.referenced.line()),
                                    column: clamp(key.referenced.column()),
                                },
                            )),
                            _ => None,
                        };
                        empty = empty.or(here).or(value.empty);
                    }
                    Ok(Scan { null: false, empty })
                }
            }
            deserializer.deserialize_any(ScanVisitor)
        }
    }

    serde_saphyr::from_str_with_options::<Scan>(text, options)
        .ok()?
        .empty
}

/// Why a file holds no YAML document, if it holds none: nothing at all, or only comments.
fn emptiness(text: &str) -> Option<&'static str> {
    if text.trim().is_empty() {
        return Some("is empty");
    }
    text.lines()
        .all(|line| {
            let line = line.trim();
            line.is_empty() || line.starts_with('#')
        })
        .then_some("holds only comments")
}

/// The message for a breached parser limit, naming the limit (the parser's own message is a
/// debug dump of its internal counters).
fn limit_message(error: &serde_saphyr::Error) -> Option<String> {
    use serde_saphyr::budget::BudgetBreach;
    use serde_saphyr::Error;

    let mut error = error;
    while let Error::WithSnippet { error: inner, .. } | Error::AliasError { error: inner, .. } =
        error
    {
        error = inner;
    }
    let message = match error {
        Error::Budget { breach, .. } => match breach {
            BudgetBreach::Events { .. } | BudgetBreach::Nodes { .. } => {
                format!("the YAML is too large: more than {MAX_EVENTS} keys, values and brackets")
            }
            BudgetBreach::Aliases { .. } => {
                format!("the YAML uses more than {MAX_ALIASES} aliases (`*name`)")
            }
            BudgetBreach::Anchors { .. } => {
                format!("the YAML defines more than {MAX_ANCHORS} anchors (`&name`)")
            }
            BudgetBreach::Depth { .. } => {
                format!("the YAML is nested more than {MAX_DEPTH} levels deep")
            }
            _ => "the YAML is too large or too complex to load".to_string(),
        },
        Error::AliasReplayLimitExceeded { .. } | Error::AliasReplayCounterOverflow { .. } => {
            format!("aliases (`*name`) expand to more than {MAX_REPLAYED_EVENTS} keys and values")
        }
        Error::AliasExpansionLimitExceeded { .. } | Error::AliasReplayStackDepthExceeded { .. } => {
            "aliases (`*name`) expand too often or too deeply".to_string()
        }
        _ => return None,
    };
    Some(message)
}

/// A `{` or `[` opened at or before `position` and never closed in the whole file: the usual
/// cause of a syntax error further down. Skips comments and quoted text; a heuristic for help.
fn unclosed_bracket(text: &str, position: Position) -> Option<(char, Position)> {
    if !position.is_known() {
        return None;
    }
    let mut open: Vec<(char, Position)> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let mut quote: Option<char> = None;
        let mut previous = ' ';
        for (column, c) in line.chars().enumerate() {
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None => match c {
                    '#' if previous.is_whitespace() => break,
                    '"' | '\'' if previous.is_whitespace() || "[{,:".contains(previous) => {
                        quote = Some(c)
                    }
                    '{' | '[' => open.push((
                        c,
                        Position {
                            line: clamp(index as u64 + 1),
                            column: clamp(column as u64 + 1),
                        },
                    )),
                    '}' | ']' => {
                        open.pop();
                    }
                    _ => {}
                },
            }
            previous = c;
        }
    }
    open.into_iter().rev().find(|(_, at)| *at <= position)
}

/// The first `quoted` name in a parser message (the unknown or repeated key).
fn quoted_key(message: &str) -> Option<&str> {
    let rest = message.split_once('`')?.1;
    Some(rest.split_once('`')?.0).filter(|key| !key.is_empty())
}

/// The text of `position`'s line from its column on.
fn line_at(text: &str, position: Position) -> Option<&str> {
    if !position.is_known() {
        return None;
    }
    let line = text.lines().nth(position.line as usize - 1)?;
    let start = line
        .char_indices()
        .nth((position.column as usize).saturating_sub(1))
        .map(|(index, _)| index)?;
    Some(&line[start..])
}

/// Parser messages end with their own location suffix; ours carries the location separately.
/// Messages about the shape of a value are reworded for someone who writes YAML, not a parser.
fn tidy(message: &str) -> String {
    let message = message.trim();
    let message = match message.find(" at line ") {
        Some(index) => &message[..index],
        None => message,
    };
    match message {
        "expected string scalar" => {
            "expected a single value here, not a list or mapping".to_string()
        }
        "expected mapping start" => "expected a mapping (`key: value` pairs) here".to_string(),
        "expected sequence start" => {
            "expected a list (`- item` lines or `[a, b]`) here".to_string()
        }
        _ => message.to_string(),
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
    } else if message.contains("duplicate mapping key") || message.contains("duplicate field") {
        "each key may appear once in a mapping; remove or rename the repeated one".to_string()
    } else if message.starts_with("expected a single value") {
        "this key takes one value, e.g. `name: chat`; compare with scenarios/seed.yaml and pricing/"
            .to_string()
    } else if message.starts_with("expected a mapping") || message.starts_with("expected a list") {
        "compare the shape with scenarios/seed.yaml and pricing/; indentation decides what belongs to what"
            .to_string()
    } else if message.contains("multiple found") {
        "a file holds one scenario or one price list; remove the `---` and what follows it, or split the file".to_string()
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

    fn error_of(text: &str) -> Diagnostic {
        parse::<serde::de::IgnoredAny>(&SourceFile::new("t.yaml", text)).unwrap_err()
    }

    #[test]
    fn a_dollar_amount_with_a_comma_in_a_flow_mapping_is_explained() {
        let error = error_of("budgets:\n  policies: {production: $30,000}\n");
        assert!(
            error.message.contains("`$30,000` is cut in two"),
            "{}",
            error.message
        );
        assert_eq!(
            error.help.as_deref(),
            Some("quote it (\"$30,000\"), write it without the thousands separator ($30000), or put each entry on its own line")
        );
        let error = error_of("b: [$1,250,000.50, $3]\n");
        assert!(error.message.contains("`$1,250,000`"), "{}", error.message);
    }

    #[test]
    fn quoted_block_and_commented_amounts_are_left_alone() {
        for text in [
            "budgets: {policies: {production: \"$30,000\"}}\n",
            "budgets:\n  policies:\n    production: $30,000\n",
            "a: {b: 1} # {c: $30,000}\n",
            "a: {b: '$1,000', c: \"it's $2,000\"}\n",
        ] {
            assert!(amount_split_by_flow_comma(text).is_none(), "{text}");
        }
    }

    #[test]
    fn files_without_a_document_are_empty() {
        assert!(error_of("").message.ends_with("is empty"));
        assert!(error_of("# later\n\n  # much later\n")
            .message
            .ends_with("holds only comments"));
    }

    #[test]
    fn an_unclosed_flow_mapping_is_named_in_the_help() {
        let error = error_of("a:\n  - {b: 1, c: 2\nd:\n  - e\n");
        assert_eq!(
            error.help.as_deref(),
            Some("the `{` on line 2, column 5 is never closed; close it with `}`")
        );
    }

    #[test]
    fn breached_limits_are_named_without_parser_internals() {
        let mut bomb = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (name, previous) in "bcdefghi".chars().zip("abcdefgh".chars()) {
            let alias = format!("*{previous}");
            let row = [alias.as_str(); 9].join(", ");
            bomb.push_str(&format!("{name}: &{name} [{row}]\n"));
        }
        let error = error_of(&bomb);
        assert!(
            error.message.starts_with("aliases (`*name`) expand"),
            "{error}"
        );
        let deep = format!("a: {}{}\n", "[".repeat(100), "]".repeat(100));
        assert_eq!(
            error_of(&deep).message,
            "the YAML is nested more than 64 levels deep"
        );
        let anchors: String = (0..1_001).map(|i| format!("k{i}: &a{i} v\n")).collect();
        assert!(error_of(&anchors)
            .message
            .contains("more than 1000 anchors"));
    }

    #[test]
    fn a_key_with_no_value_is_refused_at_the_key() {
        let error = error_of("a: 1\nb:\n  c: ~\n");
        assert_eq!(error.message, "`c` has no value");
        assert_eq!(error.position, Position { line: 3, column: 3 });
        assert!(parse::<serde::de::IgnoredAny>(&SourceFile::new(
            "t.yaml",
            "a: {b: [1, {c: d}]}\n"
        ))
        .is_ok());
    }

    fn options() -> serde_saphyr::Options {
        serde_saphyr::options! {}
    }

    #[test]
    fn the_cheap_test_for_empty_values_knows_the_usual_shapes() {
        for (text, may) in [
            ("a:\n  b: 1\n", false),
            ("a:\n- 1\n", false),
            ("a:\n  - b:\n      c: 1\n", false),
            ("a: {b: 1, c: [1, 2], d: 'x, y'}\n", false),
            ("a: 1\nb:\nc: 2\n", true),
            ("a:\n  - b:\n    c: 1\n", true),
            ("a: {b: 1, c}\n", true),
            ("a: {b: }\n", true),
            ("a: {b:}\n", true),
            ("a: ~\n", true),
            ("a: 1\nb: # later\n", true),
        ] {
            assert_eq!(may_hold_an_empty_value(text), may, "{text:?}");
            if !may {
                assert_eq!(first_empty_value(text, options()), None, "{text:?}");
            }
        }
    }

    /// The shipped files, like most files, are parsed once: the empty-value scan is skipped.
    #[test]
    fn shipped_files_are_parsed_once() {
        let scenarios = [
            crate::load::scenario::SEED,
            include_str!("../../scenarios/cascade-wins.yaml"),
            include_str!("../../scenarios/multi-vendor.yaml"),
        ];
        let prices = crate::load::pricing::SHIPPED.iter().map(|(_, text)| *text);
        for text in scenarios.into_iter().chain(prices) {
            assert!(!may_hold_an_empty_value(text), "{}", &text[..80]);
        }
    }

    proptest::proptest! {
        /// The cheap test never says no when the full scan finds an empty value: it only
        /// decides whether the scan is worth running.
        #[test]
        fn the_cheap_test_never_misses_an_empty_value(
            parts in proptest::collection::vec(proptest::sample::select(&[
                "a", "b", ":", ": ", "1", "x", "- ", "-", "\n", "\n", "  ", "    ", "{", "}", "[",
                "]", ",", ", ", "'q'", "\"q, r\"", "#", " # c", "|", ">", "&k ", "*k", "? ",
                "~", "null", "!!str ", "!t ", "\"a # b:\"", "'x: '", "\"", "'", "\t",
            ][..]), 0..40)
        ) {
            let text = parts.concat();
            if first_empty_value(&text, options()).is_some() {
                proptest::prop_assert!(may_hold_an_empty_value(&text), "{text:?}");
            }
        }
    }

    #[test]
    fn a_tab_error_points_at_the_tab() {
        let error = error_of("a:\n  b: 1\n\tc: 2\n");
        assert_eq!(error.position, Position { line: 3, column: 1 }, "{error}");
        assert!(error.message.contains("a tab"), "{error}");
    }

    #[test]
    fn one_word_keys_list_their_values_from_the_types() {
        assert_eq!(
            variants::<crate::model::scenario::ServiceTier>(),
            ["standard", "flex", "priority"]
        );
        assert_eq!(
            allowed_values("deployment"),
            Some(&["hosted", "self-hosted"][..])
        );
        assert_eq!(
            key_before(
                "  x: {open_weight: 1}\n",
                Position {
                    line: 1,
                    column: 20
                }
            )
            .as_deref(),
            Some("open_weight")
        );
        assert_eq!(
            key_before("baseline:\n", Position { line: 1, column: 9 }).as_deref(),
            Some("baseline")
        );
    }

    #[test]
    fn unknown_keys_get_the_nearest_expected_key() {
        let message = "unknown field `ouput`, expected one of name, input_tokens, output_tokens";
        assert!(unknown_field_hint(message)
            .unwrap()
            .starts_with("did you mean `output_tokens`?"));
    }
}
