//! Request logs → one stream of typed [`Request`]s, whatever the source.
//!
//! Every source is an adapter in front of the same engine: the native CSV and JSON Lines log
//! ([`csv`], [`jsonl`]), LiteLLM's spend logs ([`litellm`]), OpenAI and Anthropic responses
//! ([`openai`], [`anthropic`]), OpenTelemetry GenAI spans ([`otel`]) and Parquet
//! ([`parquet`]). An adapter turns a file's header (or first record) into [`Locator`]s — where
//! each canonical field lives — and each row into a [`Request`] through [`build_request`], the
//! one place values are parsed and checked. Files are read in [`Block`]s that end on a record
//! boundary, so workers can parse blocks in parallel; gzip and zstd are unpacked on the way.

pub mod anthropic;
pub mod csv;
pub mod jsonl;
pub mod litellm;
pub mod openai;
pub mod otel;
pub mod parquet;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use rust_decimal::Decimal;

use crate::engine::replay::{Position, Problem, SkipReason};
use crate::model::request::{LoggedTier, Request};
use crate::model::scenario::DataClass;

/// Which source a log comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// mixcost's own columns (CSV or JSON Lines).
    Native,
    /// LiteLLM proxy spend logs (`LiteLLM_SpendLogs`, exported as CSV or JSON Lines).
    Litellm,
    /// OpenAI responses with their `usage` object, one JSON a line.
    Openai,
    /// Anthropic messages with their `usage` object, one JSON a line.
    Anthropic,
    /// OpenTelemetry GenAI spans as OTLP JSON, one export request (or span) a line.
    Otel,
}

/// The canonical fields of a logged request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    RequestId,
    Timestamp,
    Model,
    Workload,
    Task,
    DataClass,
    InputTokens,
    CachedTokens,
    CacheWriteTokens,
    OutputTokens,
    Tier,
    Spend,
}

impl Field {
    pub const ALL: [Field; 12] = [
        Field::RequestId,
        Field::Timestamp,
        Field::Model,
        Field::Workload,
        Field::Task,
        Field::DataClass,
        Field::InputTokens,
        Field::CachedTokens,
        Field::CacheWriteTokens,
        Field::OutputTokens,
        Field::Tier,
        Field::Spend,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Field::RequestId => "request_id",
            Field::Timestamp => "timestamp",
            Field::Model => "model",
            Field::Workload => "workload",
            Field::Task => "task",
            Field::DataClass => "data_class",
            Field::InputTokens => "input_tokens",
            Field::CachedTokens => "cached_tokens",
            Field::CacheWriteTokens => "cache_write_tokens",
            Field::OutputTokens => "output_tokens",
            Field::Tier => "tier",
            Field::Spend => "spend",
        }
    }

    pub fn parse(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|field| field.name() == name)
    }

    /// Fields without which a row cannot be priced.
    pub fn required(self) -> bool {
        matches!(
            self,
            Field::Timestamp | Field::Model | Field::InputTokens | Field::OutputTokens
        )
    }
}

/// `--map FIELD=COLUMN` entries and a mapping file, merged: the column or JSON path (dotted)
/// each field is read from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mapping {
    pub fields: BTreeMap<Field, String>,
    /// `outcome:MODEL` and `output_tokens:MODEL` columns under other names: (model, column).
    pub outcomes: Vec<(String, String)>,
    pub shadow_output: Vec<(String, String)>,
}

impl Mapping {
    /// Adds one `FIELD=COLUMN` entry; `origin` names where it came from for messages.
    pub fn add(&mut self, entry: &str, origin: &str) -> Result<(), String> {
        let (field, column) = entry.split_once('=').ok_or_else(|| {
            format!("{origin}: '{entry}' is not FIELD=COLUMN; write e.g. timestamp=created_at")
        })?;
        let (field, column) = (field.trim(), column.trim());
        if column.is_empty() {
            return Err(format!("{origin}: '{entry}' names no column"));
        }
        if let Some(model) = field.strip_prefix("outcome:") {
            self.outcomes.push((model.to_string(), column.to_string()));
            return Ok(());
        }
        if let Some(model) = field.strip_prefix("output_tokens:") {
            self.shadow_output
                .push((model.to_string(), column.to_string()));
            return Ok(());
        }
        let parsed = Field::parse(field).ok_or_else(|| {
            let names: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
            match crate::load::suggest::nearest(field, names.iter().copied()) {
                Some(close) => format!("{origin}: unknown field '{field}' — did you mean '{close}'?"),
                None => format!(
                    "{origin}: unknown field '{field}'; fields are {}, outcome:MODEL, output_tokens:MODEL",
                    names.join(", ")
                ),
            }
        })?;
        self.fields.insert(parsed, column.to_string());
        Ok(())
    }

    /// Reads a mapping file: one `FIELD: COLUMN` (or `FIELD=COLUMN`) a line; `#` comments.
    pub fn read_file(&mut self, path: &Path) -> Result<(), String> {
        let text = crate::load::source::SourceFile::read(path)
            .map_err(|error| format!("cannot read mapping file '{}': {error}", path.display()))?
            .text;
        for (index, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let entry = match line.split_once(':') {
                Some((field, column))
                    if !line.contains('=')
                        && !field.starts_with("outcome")
                        && !field.starts_with("output_tokens") =>
                {
                    format!("{}={}", field.trim(), column.trim())
                }
                _ => line.replacen(": ", "=", 1),
            };
            self.add(&entry, &format!("{}:{}", path.display(), index + 1))?;
        }
        Ok(())
    }
}

/// Where a field is found in a row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Locator {
    /// A CSV or Parquet column, by index.
    Column(usize),
    /// A JSON path from the row's root.
    Path(Vec<String>),
    /// JSON text (or an object) found by the inner locator, then a path inside it.
    Nested(Box<Locator>, Vec<String>),
    /// A JSON array of `key:value` strings found by the inner locator; the value of `key`.
    Tag(Box<Locator>, String),
    /// An OpenTelemetry span attribute.
    Attribute(String),
    /// The first locator that finds a value.
    First(Vec<Locator>),
    /// The sum of the integers the locators find (a missing one counts 0).
    Sum(Vec<Locator>),
}

impl Locator {
    pub fn path(dotted: &str) -> Locator {
        Locator::Path(dotted.split('.').map(str::to_string).collect())
    }
}

/// A row of any source: the text of a located value.
pub trait Row {
    fn get(&self, locator: &Locator) -> Option<Cow<'_, str>>;
}

/// Where every field of a file's rows is found, with the names to show in messages.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    /// Indexed by `Field as usize`.
    pub fields: Vec<Option<(Locator, String)>>,
    /// Per global outcome column: where this file has it.
    pub outcomes: Vec<Option<(Locator, String)>>,
    pub shadow_output: Vec<Option<(Locator, String)>>,
    /// Score at or above which an outcome passes; `None` accepts true/false only.
    pub pass_threshold: Option<f64>,
}

impl Layout {
    pub fn field(&self, field: Field) -> Option<&(Locator, String)> {
        self.fields.get(field as usize).and_then(Option::as_ref)
    }

    pub fn set(&mut self, field: Field, locator: Locator, shown: String) {
        if self.fields.len() < Field::ALL.len() {
            self.fields.resize(Field::ALL.len(), None);
        }
        self.fields[field as usize] = Some((locator, shown));
    }
}

/// Shadow columns named by a file: models with `outcome:` and `output_tokens:` columns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShadowNames {
    pub outcomes: Vec<String>,
    pub shadow_output: Vec<String>,
}

impl ShadowNames {
    /// The model names of a tabular file's shadow columns, each `(model, column, header)`.
    pub fn of_columns(
        outcomes: &[(String, usize, String)],
        shadow_output: &[(String, usize, String)],
    ) -> ShadowNames {
        let models =
            |list: &[(String, usize, String)]| list.iter().map(|(m, _, _)| m.clone()).collect();
        ShadowNames {
            outcomes: models(outcomes),
            shadow_output: models(shadow_output),
        }
    }

    pub fn merge(&mut self, other: &ShadowNames) {
        for name in &other.outcomes {
            if !self.outcomes.contains(name) {
                self.outcomes.push(name.clone());
            }
        }
        for name in &other.shadow_output {
            if !self.shadow_output.contains(name) {
                self.shadow_output.push(name.clone());
            }
        }
    }
}

/// Reads one row into a request and hands it to `sink`; a row that does not parse becomes a
/// [`Problem`] naming the column and value.
pub fn build_request(
    row: &dyn Row,
    layout: &Layout,
    position: Position,
    sink: &mut dyn FnMut(Position, Result<Request<'_>, Problem>),
) {
    let problem =
        |reason: SkipReason, column: &str, value: Option<&str>, message: String| Problem {
            position,
            reason,
            column: Some(column.to_string()),
            value: value.map(|v| truncate(v, 80)),
            message,
        };
    macro_rules! fail {
        ($reason:expr, $column:expr, $value:expr, $($message:tt)*) => {{
            sink(position, Err(problem($reason, $column, $value, format!($($message)*))));
            return;
        }};
    }
    let get = |field: Field| -> (Option<Cow<'_, str>>, &str) {
        match layout.field(field) {
            Some((locator, name)) => (
                row.get(locator).filter(|text| !is_blank(text)),
                name.as_str(),
            ),
            None => (None, field.name()),
        }
    };

    let (timestamp_text, timestamp_column) = get(Field::Timestamp);
    let Some(timestamp_text) = timestamp_text else {
        fail!(
            SkipReason::BadValue,
            timestamp_column,
            None,
            "no timestamp; every request needs its time (RFC 3339, e.g. 2026-05-20T14:03:00Z)"
        )
    };
    let at = match parse_timestamp(&timestamp_text) {
        Some(at) => at,
        None => fail!(
            SkipReason::BadValue,
            timestamp_column,
            Some(&timestamp_text),
            "'{}' is not a timestamp; write RFC 3339 (2026-05-20T14:03:00Z), 'YYYY-MM-DD HH:MM:SS' (UTC) or Unix seconds",
            truncate(&timestamp_text, 40)
        ),
    };
    let (model, model_column) = get(Field::Model);
    let Some(model) = model else {
        fail!(
            SkipReason::BadValue,
            model_column,
            None,
            "no model; every request needs the model that served it"
        )
    };
    let mut tokens = [0u64; 4];
    for (index, field) in [
        Field::InputTokens,
        Field::CachedTokens,
        Field::CacheWriteTokens,
        Field::OutputTokens,
    ]
    .into_iter()
    .enumerate()
    {
        let (text, column) = get(field);
        match text {
            None if field.required() => fail!(
                SkipReason::BadValue,
                column,
                None,
                "no {}; every request needs its token counts",
                field.name()
            ),
            None => {}
            Some(text) => match parse_tokens(&text) {
                Ok(value) => tokens[index] = value,
                Err(TokenError::Negative) => fail!(
                    SkipReason::BadTokens,
                    column,
                    Some(&text),
                    "negative token count '{}'",
                    text.trim()
                ),
                Err(TokenError::NotANumber) => fail!(
                    SkipReason::BadValue,
                    column,
                    Some(&text),
                    "'{}' is not a token count (a whole number ≥ 0)",
                    truncate(&text, 40)
                ),
            },
        }
    }
    let [input, cached, write, output] = tokens;
    if cached.checked_add(write).is_none_or(|sum| sum > input) {
        let column = layout
            .field(Field::CachedTokens)
            .map(|(_, name)| name.as_str())
            .unwrap_or("cached_tokens");
        fail!(
            SkipReason::BadTokens,
            column,
            Some(&format!("{cached}")),
            "cached ({cached}) + cache-write ({write}) tokens exceed the input tokens ({input}); input_tokens counts all input, cached included"
        )
    }
    let (workload, _) = get(Field::Workload);
    let (task, _) = get(Field::Task);
    let (data_class_text, data_class_column) = get(Field::DataClass);
    let data_class = match &data_class_text {
        None => DataClass::Internal,
        Some(text) => match parse_data_class(text) {
            Some(data_class) => data_class,
            None => fail!(
                SkipReason::BadValue,
                data_class_column,
                Some(text),
                "'{}' is not a data class (public, internal, confidential, regulated)",
                truncate(text, 40)
            ),
        },
    };
    let (tier_text, tier_column) = get(Field::Tier);
    let tier = match &tier_text {
        None => LoggedTier::Standard,
        Some(text) => match LoggedTier::parse(text) {
            Some(tier) => tier,
            None => fail!(
                SkipReason::BadValue,
                tier_column,
                Some(text),
                "'{}' is not a tier (standard, flex, priority, batch)",
                truncate(text, 40)
            ),
        },
    };
    let (spend_text, spend_column) = get(Field::Spend);
    let spend = match &spend_text {
        None => None,
        Some(text) => match parse_money(text) {
            Some(spend) => Some(spend),
            None => fail!(
                SkipReason::BadValue,
                spend_column,
                Some(text),
                "'{}' is not an amount of money",
                truncate(text, 40)
            ),
        },
    };
    let mut outcomes = [None; 32];
    for (index, located) in layout.outcomes.iter().enumerate().take(32) {
        let Some((locator, column)) = located else {
            continue;
        };
        let Some(text) = row.get(locator).filter(|t| !is_blank(t)) else {
            continue;
        };
        match parse_outcome(&text, layout.pass_threshold) {
            Ok(outcome) => outcomes[index] = Some(outcome),
            Err(help) => fail!(SkipReason::BadValue, column, Some(&text), "{help}"),
        }
    }
    let mut shadow_output = [None; 32];
    for (index, located) in layout.shadow_output.iter().enumerate().take(32) {
        let Some((locator, column)) = located else {
            continue;
        };
        let Some(text) = row.get(locator).filter(|t| !is_blank(t)) else {
            continue;
        };
        match parse_tokens(&text) {
            Ok(value) => shadow_output[index] = Some(value),
            Err(_) => fail!(
                SkipReason::BadValue,
                column,
                Some(&text),
                "'{}' is not a token count (a whole number ≥ 0)",
                truncate(&text, 40)
            ),
        }
    }
    let request = Request {
        at,
        model: trim(&model),
        workload: workload.as_deref().map(trim),
        task: task.as_deref().map(trim),
        data_class,
        input_tokens: input,
        cached_tokens: cached,
        cache_write_tokens: write,
        output_tokens: output,
        tier,
        spend,
        outcomes: &outcomes[..layout.outcomes.len().min(32)],
        shadow_output: &shadow_output[..layout.shadow_output.len().min(32)],
    };
    sink(position, Ok(request));
}

/// Empty or only whitespace; checks the first byte before scanning.
#[inline]
fn is_blank(text: &str) -> bool {
    match text.as_bytes().first() {
        None => true,
        Some(byte) if byte.is_ascii_whitespace() => text.trim().is_empty(),
        Some(_) => false,
    }
}

/// `str::trim`, skipped when neither end is whitespace (the common case, and the hot path).
#[inline]
pub fn trim(text: &str) -> &str {
    let bytes = text.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last))
            if !first.is_ascii_whitespace() && !last.is_ascii_whitespace() =>
        {
            text
        }
        _ => text.trim(),
    }
}

pub(crate) fn truncate(text: &str, limit: usize) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { '·' } else { c })
        .collect();
    if cleaned.chars().count() <= limit {
        cleaned
    } else {
        let cut: String = cleaned.chars().take(limit).collect();
        format!("{cut}…")
    }
}

pub enum TokenError {
    Negative,
    NotANumber,
}

/// A token count: a whole number, optionally written as `12.0` (JSON exporters do).
pub fn parse_tokens(text: &str) -> Result<u64, TokenError> {
    let text = trim(text);
    let bytes = text.as_bytes();
    if !bytes.is_empty() && bytes.len() <= 19 && bytes.iter().all(u8::is_ascii_digit) {
        let mut value = 0u64;
        for byte in bytes {
            value = value * 10 + (byte - b'0') as u64;
        }
        return Ok(value);
    }
    if text.starts_with('-') && text[1..].trim_end_matches(".0").parse::<u64>().is_ok() {
        return Err(TokenError::Negative);
    }
    match text.strip_suffix(".0").map(str::parse::<u64>) {
        Some(Ok(value)) => Ok(value),
        _ => text.parse::<u64>().map_err(|_| TokenError::NotANumber),
    }
}

/// An amount of money as exact decimal text (floats from JSON pass through their text).
pub fn parse_money(text: &str) -> Option<Decimal> {
    let text = text.trim().trim_start_matches('$');
    text.parse::<Decimal>()
        .ok()
        .or_else(|| Decimal::from_scientific(text).ok())
}

pub fn parse_data_class(text: &str) -> Option<DataClass> {
    // The names as written, the common case, before any case folding.
    match text {
        "public" => return Some(DataClass::Public),
        "internal" => return Some(DataClass::Internal),
        "confidential" => return Some(DataClass::Confidential),
        "regulated" => return Some(DataClass::Regulated),
        _ => {}
    }
    let text = trim(text);
    [
        ("public", DataClass::Public),
        ("internal", DataClass::Internal),
        ("confidential", DataClass::Confidential),
        ("regulated", DataClass::Regulated),
    ]
    .into_iter()
    .find(|(name, _)| text.eq_ignore_ascii_case(name))
    .map(|(_, class)| class)
}

/// A shadow outcome: true/false (pass/fail, yes/no, 1/0), or a score against the threshold.
pub fn parse_outcome(text: &str, threshold: Option<f64>) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "pass" | "passed" | "yes" => return Ok(true),
        "false" | "fail" | "failed" | "no" => return Ok(false),
        _ => {}
    }
    let score: f64 = text.trim().parse().map_err(|_| {
        format!(
            "'{}' is not an outcome; write true/false, or a score with --pass-threshold",
            truncate(text, 40)
        )
    })?;
    match threshold {
        Some(threshold) => Ok(score >= threshold),
        None if score == 1.0 => Ok(true),
        None if score == 0.0 => Ok(false),
        None => Err(format!(
            "outcome score {} needs --pass-threshold to say what passes",
            text.trim()
        )),
    }
}

/// A request time: RFC 3339 with a zone, `YYYY-MM-DD HH:MM:SS[.fff]` read as UTC (how
/// PostgreSQL exports LiteLLM's `timestamp(3)` columns), or Unix seconds / nanoseconds.
pub fn parse_timestamp(text: &str) -> Option<Timestamp> {
    let text = trim(text);
    let bytes = text.as_bytes();
    if bytes.iter().all(u8::is_ascii_digit) && !bytes.is_empty() {
        let value: i64 = text.parse().ok()?;
        // Nanoseconds (OpenTelemetry) are 19 digits today; seconds 10.
        return if bytes.len() >= 16 {
            Timestamp::from_nanosecond(value as i128).ok()
        } else {
            Timestamp::from_second(value).ok()
        };
    }
    if let Some(at) = fast_rfc3339(bytes) {
        return Some(at);
    }
    if let Ok(at) = text.parse::<Timestamp>() {
        return Some(at);
    }
    // No zone: UTC.
    let civil: jiff::civil::DateTime = text.parse().ok()?;
    civil
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

/// `YYYY-MM-DD[T ]HH:MM:SS[.f{1,9}](Z|±HH:MM)?` without allocation; `None` hands over to jiff.
fn fast_rfc3339(b: &[u8]) -> Option<Timestamp> {
    fn digits(b: &[u8]) -> Option<i64> {
        let mut value = 0i64;
        for byte in b {
            if !byte.is_ascii_digit() {
                return None;
            }
            value = value * 10 + (byte - b'0') as i64;
        }
        Some(value)
    }
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut rest = &b[19..];
    let mut nanos = 0i64;
    if let Some((b'.', fraction)) = rest.split_first() {
        let length = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if length == 0 || length > 9 {
            return None;
        }
        nanos = digits(&fraction[..length])? * 10i64.pow(9 - length as u32);
        rest = &fraction[length..];
    }
    let offset_seconds = match rest {
        [] | [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = digits(&[*h1, *h2])?;
            let minutes = digits(&[*m1, *m2])?;
            let offset = hours * 3600 + minutes * 60;
            if *sign == b'+' {
                offset
            } else {
                -offset
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds;
    Timestamp::new(seconds, nanos as i32).ok()
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// How a file's records are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Csv,
    JsonLines,
    Parquet,
}

/// The files named on the command line, folders expanded (their log files, sorted by name).
pub fn expand_inputs(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path)
            .map_err(|error| format!("cannot read log '{}': {error}", path.display()))?;
        if metadata.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|error| format!("cannot list folder '{}': {error}", path.display()))?
                .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                .filter(|path| path.is_file() && encoding_by_name(path).is_some())
                .collect();
            inside.sort();
            if inside.is_empty() {
                return Err(format!(
                    "folder '{}' holds no log files (.csv, .jsonl, .json, .ndjson, .parquet, optionally .gz or .zst)",
                    path.display()
                ));
            }
            files.extend(inside);
        } else if metadata.is_file() {
            files.push(path.clone());
        } else {
            return Err(format!(
                "cannot read log '{}': not a regular file or folder",
                path.display()
            ));
        }
    }
    Ok(files)
}

/// The encoding a file name says, compression suffixes aside.
pub fn encoding_by_name(path: &Path) -> Option<Encoding> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    let name = name
        .strip_suffix(".gz")
        .or_else(|| name.strip_suffix(".zst"))
        .or_else(|| name.strip_suffix(".zstd"))
        .unwrap_or(&name);
    if name.ends_with(".csv") || name.ends_with(".tsv") {
        Some(Encoding::Csv)
    } else if name.ends_with(".jsonl") || name.ends_with(".ndjson") || name.ends_with(".json") {
        Some(Encoding::JsonLines)
    } else if name.ends_with(".parquet") {
        Some(Encoding::Parquet)
    } else {
        None
    }
}

/// Opens a log, unpacking gzip or zstd (recognised by their magic bytes, whatever the name).
pub fn open(path: &Path) -> Result<Box<dyn Read + Send>, String> {
    let shown = path.display();
    let mut file =
        std::fs::File::open(path).map_err(|error| format!("cannot read log '{shown}': {error}"))?;
    if let Ok(metadata) = file.metadata() {
        crate::load::source::note_streamed_input(path, &metadata);
    }
    let mut magic = [0u8; 4];
    let mut filled = 0;
    while filled < 4 {
        match file.read(&mut magic[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(error) => return Err(format!("cannot read log '{shown}': {error}")),
        }
    }
    let head = std::io::Cursor::new(magic[..filled].to_vec());
    let stream = head.chain(file);
    if filled >= 2 && magic[..2] == [0x1f, 0x8b] {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(stream)))
    } else if filled >= 4 && magic == [0x28, 0xb5, 0x2f, 0xfd] {
        let decoder = zstd::stream::read::Decoder::new(stream)
            .map_err(|error| format!("cannot read log '{shown}': {error}"))?;
        Ok(Box::new(decoder))
    } else {
        Ok(Box::new(stream))
    }
}

/// A piece of a file that ends on a record boundary.
#[derive(Debug, Default)]
pub struct Block {
    pub file: u32,
    /// Line number of the block's first line (1-based).
    pub first_line: u64,
    pub bytes: Vec<u8>,
}

/// Cuts a byte stream into blocks of about `size` bytes ending after a newline that is not
/// inside a quoted CSV field.
pub struct Blocks {
    reader: Box<dyn Read + Send>,
    file: u32,
    carry: Vec<u8>,
    next_line: u64,
    size: usize,
    quoted: bool,
    done: bool,
    pending_break: Option<(String, Option<u64>)>,
    /// Blocks made up front (a Parquet file's row groups), handed out before the stream.
    queued: std::collections::VecDeque<Block>,
}

/// What reading a block found.
pub enum Next {
    Block(Block),
    /// The stream failed (a truncated or corrupt compressed file); the partial last line, if
    /// any, is dropped and its line number given.
    Broken {
        message: String,
        partial_line: Option<u64>,
    },
    End,
}

impl Blocks {
    /// `quoted`: whether quotes can hide newlines (CSV); JSON Lines escape theirs.
    pub fn new(reader: Box<dyn Read + Send>, file: u32, first_line: u64, quoted: bool) -> Blocks {
        Blocks {
            reader,
            file,
            carry: Vec::new(),
            next_line: first_line,
            size: 4 << 20,
            quoted,
            done: false,
            pending_break: None,
            queued: std::collections::VecDeque::new(),
        }
    }

    /// Blocks made by the adapter up front (one per Parquet row group), in order.
    pub fn from_blocks(file: u32, blocks: Vec<Block>) -> Blocks {
        let mut made = Blocks::new(Box::new(std::io::empty()), file, 1, false);
        made.queued = blocks.into();
        made
    }

    /// Bytes already read past the header, handed back by the caller.
    pub fn with_carry(mut self, carry: Vec<u8>) -> Blocks {
        self.carry = carry;
        self
    }

    /// The index of the file these blocks come from.
    pub fn file(&self) -> u32 {
        self.file
    }

    pub fn next_block(&mut self) -> Next {
        if let Some(block) = self.queued.pop_front() {
            return Next::Block(block);
        }
        if self.done {
            if !self.carry.is_empty() {
                let bytes = std::mem::take(&mut self.carry);
                let block = Block {
                    file: self.file,
                    first_line: self.next_line,
                    bytes,
                };
                self.next_line += memchr::memchr_iter(b'\n', &block.bytes).count() as u64;
                return Next::Block(block);
            }
            return match self.pending_break.take() {
                Some((message, partial_line)) => Next::Broken {
                    message,
                    partial_line,
                },
                None => Next::End,
            };
        }
        let mut buffer = std::mem::take(&mut self.carry);
        let target = self.size.max(buffer.len() + 1);
        buffer.reserve(target.saturating_sub(buffer.len()));
        let mut eof = false;
        let mut broken = None;
        while buffer.len() < target {
            let want = (target - buffer.len()) as u64;
            // `read_to_end` fills spare capacity without zeroing it first.
            match (&mut self.reader).take(want).read_to_end(&mut buffer) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(_) => {}
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(error) => {
                    broken = Some(error.to_string());
                    eof = true;
                    break;
                }
            }
        }
        let cut = if eof {
            match broken {
                // Keep whole lines; the partial last one is lost.
                Some(_) => self.last_boundary(&buffer).unwrap_or(0),
                None => buffer.len(),
            }
        } else {
            match self.last_boundary(&buffer) {
                Some(cut) => cut,
                None => {
                    // One record longer than a block: read on.
                    self.carry = buffer;
                    self.size *= 2;
                    return self.next_block();
                }
            }
        };
        let rest = buffer.split_off(cut);
        let block = Block {
            file: self.file,
            first_line: self.next_line,
            bytes: buffer,
        };
        self.next_line += memchr::memchr_iter(b'\n', &block.bytes).count() as u64;
        if let Some(message) = broken {
            self.done = true;
            let partial = rest.iter().any(|b| !b.is_ascii_whitespace());
            if block.bytes.is_empty() {
                return Next::Broken {
                    message,
                    partial_line: partial.then_some(self.next_line),
                };
            }
            self.carry = Vec::new();
            self.pending_break = Some((message, partial.then_some(self.next_line)));
            return Next::Block(block);
        }
        self.carry = rest;
        if eof {
            self.done = true;
        }
        Next::Block(block)
    }

    /// The offset just after the last newline outside quotes.
    fn last_boundary(&mut self, buffer: &[u8]) -> Option<usize> {
        if !self.quoted || memchr::memchr(b'"', buffer).is_none() {
            return memchr::memrchr(b'\n', buffer).map(|at| at + 1);
        }
        let mut quoted = false;
        let mut last = None;
        for (index, byte) in buffer.iter().enumerate() {
            match byte {
                b'"' => quoted = !quoted,
                b'\n' if !quoted => last = Some(index + 1),
                _ => {}
            }
        }
        last
    }
}

/// Turns a block of a file into requests.
pub trait Adapter: Send + Sync {
    /// Hands every row of `block` to `sink`, in order.
    fn parse(&self, block: &Block, sink: &mut dyn FnMut(Position, Result<Request<'_>, Problem>));

    /// The shadow models this file names (outcome and output columns).
    fn shadow_names(&self) -> ShadowNames;

    /// Points the file's shadow columns at the run's global order of outcome models.
    fn bind(&mut self, global: &ShadowNames);
}

/// One opened log: where its rows come from and how to read them.
pub struct LogFile {
    pub path: PathBuf,
    pub adapter: Box<dyn Adapter>,
    pub blocks: Blocks,
}

/// What every adapter needs beyond the file: the preset, `--map`, `--pass-threshold`.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    pub format: LogFormat,
    pub mapping: Mapping,
    pub pass_threshold: Option<f64>,
}

/// Opens log `path` (the `index`th input) and reads what its adapter needs up front (a CSV
/// header, a JSON record's keys).
pub fn open_log(path: &Path, index: u32, options: &ReadOptions) -> Result<LogFile, String> {
    // Parquet by its magic bytes first, whatever the name says.
    let encoding = match encoding_by_name(path) {
        _ if parquet::has_magic(path) => Encoding::Parquet,
        Some(encoding) => encoding,
        None => sniff(path)?,
    };
    if encoding == Encoding::Parquet {
        return parquet::open(path, index, options);
    }
    let reader = open(path)?;
    let mut blocks = Blocks::new(reader, index, 1, encoding == Encoding::Csv);
    let first = match blocks.next_block() {
        Next::Block(block) => block,
        Next::End => Block {
            file: index,
            first_line: 1,
            bytes: Vec::new(),
        },
        Next::Broken { message, .. } => {
            return Err(format!(
                "cannot read log '{}': {message}; the file is truncated or corrupt",
                path.display()
            ))
        }
    };
    match encoding {
        Encoding::Csv => {
            let (adapter, rest) = csv::CsvAdapter::new(path, &first.bytes, options)?;
            let blocks = Blocks::new(Box::new(std::io::empty()), index, 2, true)
                .with_carry(rest)
                .chain_from(blocks);
            Ok(LogFile {
                path: path.to_path_buf(),
                adapter: Box::new(adapter),
                blocks,
            })
        }
        Encoding::JsonLines => {
            let adapter: Box<dyn Adapter> = match options.format {
                LogFormat::Otel => Box::new(otel::OtelAdapter::new(options)?),
                _ => Box::new(jsonl::JsonAdapter::new(path, &first.bytes, options)?),
            };
            let blocks = Blocks::new(Box::new(std::io::empty()), index, 1, false)
                .with_carry(first.bytes)
                .chain_from(blocks);
            Ok(LogFile {
                path: path.to_path_buf(),
                adapter,
                blocks,
            })
        }
        Encoding::Parquet => unreachable!("handled above"),
    }
}

/// CSV or JSON Lines, from the first byte that is not blank (after unpacking).
fn sniff(path: &Path) -> Result<Encoding, String> {
    let mut reader = open(path)?;
    let mut head = [0u8; 512];
    let read = reader.read(&mut head).unwrap_or(0);
    if head[..read].starts_with(b"PAR1") {
        return Ok(Encoding::Parquet);
    }
    match head[..read].iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => Ok(Encoding::JsonLines),
        Some(_) => Ok(Encoding::Csv),
        None => Ok(Encoding::Csv),
    }
}

impl Blocks {
    /// These blocks first (the carried bytes), then the rest of `other`'s stream.
    pub fn chain_from(mut self, other: Blocks) -> Blocks {
        let carry = std::mem::take(&mut self.carry);
        let mut rest = other;
        let mut joined = carry;
        joined.extend_from_slice(&rest.carry);
        rest.carry = joined;
        rest.next_line = self.next_line;
        rest.quoted = self.quoted;
        rest
    }
}

/// The fields of a preset, then `--map` on top: a mapped field replaces the preset's.
pub fn preset_spec(format: LogFormat, mapping: &Mapping) -> Vec<(Field, Locator)> {
    let mut spec: Vec<(Field, Locator)> = match format {
        LogFormat::Native => Field::ALL
            .iter()
            .map(|field| (*field, Locator::path(field.name())))
            .collect(),
        LogFormat::Litellm => litellm::spec(),
        LogFormat::Openai => openai::spec(),
        LogFormat::Anthropic => anthropic::spec(),
        LogFormat::Otel => otel::spec(),
    };
    for (field, column) in &mapping.fields {
        let locator = match format {
            LogFormat::Otel => Locator::Attribute(column.clone()),
            _ => Locator::path(column),
        };
        match spec.iter_mut().find(|(f, _)| f == field) {
            Some(entry) => entry.1 = locator,
            None => spec.push((*field, locator)),
        }
    }
    spec
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_end_on_records_even_with_quoted_newlines() {
        let text = "a,b\n1,\"x\ny\"\n2,\"p,q\"\n3,\"long\nquoted\nfield\"\n4,z\n";
        for size in [1, 3, 7, 16, 64] {
            let mut blocks = Blocks::new(
                Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
                0,
                1,
                true,
            );
            blocks.size = size;
            let mut joined = Vec::new();
            let mut records = 0;
            loop {
                match blocks.next_block() {
                    Next::Block(block) => {
                        let mut reader = ::csv::ReaderBuilder::new()
                            .has_headers(false)
                            .from_reader(&block.bytes[..]);
                        for record in reader.records() {
                            assert_eq!(record.unwrap().len(), 2, "size {size}");
                            records += 1;
                        }
                        joined.extend_from_slice(&block.bytes);
                    }
                    Next::End => break,
                    Next::Broken { message, .. } => panic!("{message}"),
                }
            }
            assert_eq!(joined, text.as_bytes(), "size {size}");
            assert_eq!(records, 5, "size {size}");
        }
    }

    #[test]
    fn the_fast_timestamp_parser_agrees_with_jiff() {
        for text in [
            "2026-05-20T10:00:00Z",
            "2026-05-20T10:00:00.5Z",
            "2026-05-20T10:00:00.123456789Z",
            "2026-05-20T12:00:00+02:00",
            "2026-05-20T07:30:00-02:30",
            "2024-02-29T23:59:59Z",
        ] {
            let expected: Timestamp = text.parse().unwrap();
            assert_eq!(parse_timestamp(text), Some(expected), "{text}");
        }
        assert_eq!(
            parse_timestamp("2026-05-20 10:00:00.123"),
            Some("2026-05-20T10:00:00.123Z".parse().unwrap())
        );
        assert_eq!(
            parse_timestamp("1779271200"),
            Some("2026-05-20T10:00:00Z".parse().unwrap())
        );
        for bad in [
            "2026-02-30T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "yesterday",
            "2026-05-20T25:00:00Z",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn tokens_and_outcomes_parse_strictly() {
        assert!(matches!(parse_tokens("12"), Ok(12)));
        assert!(matches!(parse_tokens(" 12.0 "), Ok(12)));
        assert!(matches!(parse_tokens("-3"), Err(TokenError::Negative)));
        assert!(matches!(parse_tokens("1e3"), Err(TokenError::NotANumber)));
        assert_eq!(parse_outcome("PASS", None), Ok(true));
        assert_eq!(parse_outcome("0", None), Ok(false));
        assert_eq!(parse_outcome("0.7", Some(0.5)), Ok(true));
        assert!(parse_outcome("0.7", None).is_err());
    }
}
