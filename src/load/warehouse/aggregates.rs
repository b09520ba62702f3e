//! Segment rows as an engine exports them: CSV with a header, or JSON Lines (one object a
//! row), columns named as the emitted SQL aliases them. Numbers may come as JSON numbers or
//! as strings (BigQuery exports 64-bit integers as strings); money goes through its decimal
//! text. Every error names the file, the line, the column and the value.

use std::collections::HashMap;
use std::path::Path;

use crate::engine::pushdown::AggregateRow;

/// Reads an aggregates file; JSON Lines when its first non-blank byte is `{`, else CSV.
pub fn read(path: &Path) -> Result<Vec<AggregateRow>, String> {
    let bytes = std::fs::read(path)
        .map_err(|error| format!("cannot read aggregates '{}': {error}", path.display()))?;
    let shown = path.display().to_string();
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'{') {
        read_jsonl(&bytes, &shown)
    } else {
        read_csv(&bytes, &shown)
    }
}

fn read_csv(bytes: &[u8], shown: &str) -> Result<Vec<AggregateRow>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .map_err(|error| format!("{shown}:1: cannot read the CSV header: {error}"))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index as u64 + 2;
        let record = record.map_err(|error| format!("{shown}:{line}: {error}"))?;
        let fields: HashMap<&str, Option<String>> = header
            .iter()
            .zip(record.iter())
            .map(|(name, value)| (name.as_str(), Some(value.to_string())))
            .collect();
        rows.push(row_from(&fields, &format!("{shown}:{line}"))?);
    }
    Ok(rows)
}

fn read_jsonl(bytes: &[u8], shown: &str) -> Result<Vec<AggregateRow>, String> {
    let text =
        std::str::from_utf8(bytes).map_err(|error| format!("{shown}: not UTF-8 text: {error}"))?;
    let mut rows = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let place = format!("{shown}:{}", index + 1);
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(line)
            .map_err(|error| format!("{place}: not a JSON object: {error}"))?;
        let object = value
            .as_object()
            .ok_or_else(|| format!("{place}: not a JSON object"))?;
        let fields: HashMap<String, Option<String>> = object
            .iter()
            .map(|(key, value)| {
                let text = match value {
                    serde_json::Value::Null => None,
                    serde_json::Value::String(text) => Some(text.clone()),
                    serde_json::Value::Bool(flag) => Some(flag.to_string()),
                    // Numbers through their text: a float's shortest decimal form.
                    other => Some(other.to_string()),
                };
                (key.to_ascii_lowercase(), text)
            })
            .collect();
        let borrowed: HashMap<&str, Option<String>> = fields
            .iter()
            .map(|(key, value)| (key.as_str(), value.clone()))
            .collect();
        rows.push(row_from(&borrowed, &place)?);
    }
    Ok(rows)
}

/// One aggregate row from its fields by name; `place` is `file:line` for messages.
pub fn row_from(
    fields: &HashMap<&str, Option<String>>,
    place: &str,
) -> Result<AggregateRow, String> {
    for name in fields.keys() {
        if !crate::engine::pushdown::COLUMNS.contains(name) {
            return Err(format!(
                "{place}: unknown column '{name}'; aggregates have the columns the emitted SQL names ({})",
                crate::engine::pushdown::COLUMNS.join(", ")
            ));
        }
    }
    let text = |name: &str| -> Option<String> {
        fields
            .get(name)
            .cloned()
            .flatten()
            .filter(|t| !t.is_empty())
    };
    let required = |name: &str| -> Result<String, String> {
        text(name).ok_or_else(|| {
            format!("{place}: column '{name}' is missing or empty; run the SQL mixcost emitted, unchanged")
        })
    };
    fn number<T: std::str::FromStr>(value: &str, name: &str, place: &str) -> Result<T, String> {
        let trimmed = value.trim();
        let trimmed = trimmed.strip_suffix(".0").unwrap_or(trimmed);
        trimmed.parse::<T>().map_err(|_| {
            format!("{place}: column '{name}', value '{value}' is not a whole number in range")
        })
    }
    let int = |name: &str| -> Result<u64, String> { number(&required(name)?, name, place) };
    let has_spend = match required("has_spend")?.trim() {
        "1" | "true" | "t" | "TRUE" | "True" => true,
        "0" | "false" | "f" | "FALSE" | "False" => false,
        other => {
            return Err(format!(
                "{place}: column 'has_spend', value '{other}' is not 0 or 1"
            ))
        }
    };
    let spend = match text("spend") {
        None => None,
        Some(value) => Some(crate::load::log::parse_money(&value).ok_or_else(|| {
            format!("{place}: column 'spend', value '{value}' is not an amount of money")
        })?),
    };
    // The sum as a local replay shows it: as many places as its most precise request.
    let spend = match (spend, text("spend_places")) {
        (Some(sum), Some(places)) => {
            let places: u32 = number(&places, "spend_places", place)?;
            let mut sum = sum.normalize();
            if places <= 28 && sum.scale() < places {
                sum.rescale(places);
            }
            Some(sum)
        }
        (spend, _) => spend,
    };
    let optional_int = |name: &str| -> Result<Option<i64>, String> {
        text(name).map(|v| number(&v, name, place)).transpose()
    };
    let row = AggregateRow {
        segment_plan: text("segment_plan"),
        problem: text("problem").unwrap_or_default(),
        model: text("model"),
        workload: text("workload"),
        task: text("task"),
        data_class: text("data_class"),
        has_spend,
        outcomes: int("outcomes")?,
        day: number(&required("day")?, "day", place)?,
        period: number(&required("period")?, "period", place)?,
        off_peak: number(&required("off_peak")?, "off_peak", place)?,
        band: number(&required("band")?, "band", place)?,
        requests: int("requests")?,
        input_tokens: int("input_tokens")?,
        cached_tokens: int("cached_tokens")?,
        cache_write_tokens: int("cache_write_tokens")?,
        output_tokens: int("output_tokens")?,
        cached_requests: int("cached_requests")?,
        spend,
        first_us: optional_int("first_us")?,
        last_us: optional_int("last_us")?,
    };
    if row
        .cached_tokens
        .checked_add(row.cache_write_tokens)
        .is_none_or(|sum| sum > row.input_tokens)
    {
        return Err(format!(
            "{place}: cached_tokens ({}) + cache_write_tokens ({}) exceed input_tokens ({}); run the SQL mixcost emitted, unchanged",
            row.cached_tokens, row.cache_write_tokens, row.input_tokens
        ));
    }
    Ok(row)
}
