//! The CSV adapter: native columns, or a preset's (LiteLLM's table export), or `--map`.
//!
//! The header names the columns; each canonical field becomes a column index (or a JSON path
//! inside a column, as LiteLLM keeps cached tokens in its `metadata` JSON). Rows are parsed
//! with `csv`'s `ByteRecord`, reused from row to row: the native path allocates nothing per row.

use std::borrow::Cow;
use std::path::Path;

use super::{
    build_request, preset_spec, Adapter, Block, Field, Layout, Locator, LogFormat, ReadOptions,
    Row, ShadowNames,
};
use crate::engine::replay::{Position, Problem, SkipReason};
use crate::model::request::Request;

pub struct CsvAdapter {
    header: Vec<String>,
    layout: Layout,
    delimiter: u8,
    /// This file's shadow columns: (model, column index).
    outcomes: Vec<(String, usize, String)>,
    shadow_output: Vec<(String, usize, String)>,
}

impl CsvAdapter {
    /// Reads the header from the first bytes of the file; returns the adapter and the bytes
    /// after the header.
    pub fn new(
        path: &Path,
        first: &[u8],
        options: &ReadOptions,
    ) -> Result<(CsvAdapter, Vec<u8>), String> {
        let shown = path.display();
        let delimiter = if path.to_string_lossy().to_ascii_lowercase().contains(".tsv") {
            b'\t'
        } else {
            b','
        };
        let end = memchr::memchr(b'\n', first)
            .map(|at| at + 1)
            .unwrap_or(first.len());
        let header_bytes = &first[..end];
        if header_bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(format!(
                "log '{shown}' is empty: no header and no rows; a log needs at least one request"
            ));
        }
        let mut reader = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(delimiter)
            .from_reader(header_bytes);
        let mut record = ::csv::StringRecord::new();
        reader.read_record(&mut record).map_err(|error| {
            format!("log '{shown}', line 1: the header does not parse: {error}")
        })?;
        let header: Vec<String> = record
            .iter()
            .map(|name| name.trim().trim_start_matches('\u{feff}').to_string())
            .collect();

        let mut layout = Layout {
            pass_threshold: options.pass_threshold,
            ..Layout::default()
        };
        let spec = preset_spec(options.format, &options.mapping);
        for (field, locator) in spec {
            match resolve(&locator, &header) {
                Some(resolved) => layout.set(field, resolved, shown_name(&locator)),
                None if field.required() && options.mapping.fields.contains_key(&field) => {
                    return Err(missing_column(&shown.to_string(), field, &locator, &header))
                }
                None if field.required() && options.format == LogFormat::Native => {
                    return Err(missing_column(&shown.to_string(), field, &locator, &header))
                }
                None if field.required() && !is_alternative(&locator) => {
                    return Err(missing_column(&shown.to_string(), field, &locator, &header))
                }
                None => {}
            }
        }
        let mut outcomes = Vec::new();
        let mut shadow_output = Vec::new();
        for (index, name) in header.iter().enumerate() {
            if let Some(model) = name.strip_prefix("outcome:") {
                outcomes.push((model.trim().to_string(), index, name.clone()));
            } else if let Some(model) = name.strip_prefix("output_tokens:") {
                shadow_output.push((model.trim().to_string(), index, name.clone()));
            }
        }
        for (model, column) in &options.mapping.outcomes {
            let index = header
                .iter()
                .position(|name| name == column)
                .ok_or_else(|| {
                    format!("log '{shown}' has no column '{column}' (mapped to outcome:{model})")
                })?;
            outcomes.push((model.clone(), index, column.clone()));
        }
        for (model, column) in &options.mapping.shadow_output {
            let index = header
                .iter()
                .position(|name| name == column)
                .ok_or_else(|| {
                    format!(
                        "log '{shown}' has no column '{column}' (mapped to output_tokens:{model})"
                    )
                })?;
            shadow_output.push((model.clone(), index, column.clone()));
        }
        Ok((
            CsvAdapter {
                header,
                layout,
                delimiter,
                outcomes,
                shadow_output,
            },
            first[end..].to_vec(),
        ))
    }
}

pub(super) fn is_alternative(locator: &Locator) -> bool {
    matches!(locator, Locator::First(_) | Locator::Sum(_))
}

pub(super) fn missing_column(
    shown: &str,
    field: Field,
    locator: &Locator,
    header: &[String],
) -> String {
    let wanted = shown_name(locator);
    let hint = match crate::load::suggest::nearest(&wanted, header.iter().map(String::as_str)) {
        Some(close) => format!(
            " — did you mean '{close}'? (or --map {}={close})",
            field.name()
        ),
        None => format!("; name the column with --map {}=COLUMN", field.name()),
    };
    format!(
        "log '{shown}' has no column '{wanted}' for {}, which every request needs{hint}\n  = help: the columns are {}",
        field.name(),
        header.join(", ")
    )
}

/// How a locator reads in messages: the column (or `column.path`).
pub(super) fn shown_name(locator: &Locator) -> String {
    match locator {
        Locator::Column(index) => format!("column {}", index + 1),
        Locator::Path(path) => path.join("."),
        Locator::Nested(inner, path) => format!("{}.{}", shown_name(inner), path.join(".")),
        Locator::Tag(inner, key) => format!("{} tag '{key}:'", shown_name(inner)),
        Locator::Attribute(key) => key.clone(),
        Locator::First(list) | Locator::Sum(list) => {
            list.first().map(shown_name).unwrap_or_default()
        }
    }
}

/// Column names → indices: a one-step path is a column; a longer one a column then JSON inside.
pub(super) fn resolve(locator: &Locator, header: &[String]) -> Option<Locator> {
    let column = |name: &str| header.iter().position(|h| h == name);
    match locator {
        Locator::Path(path) => {
            let whole = path.join(".");
            if let Some(index) = column(&whole) {
                return Some(Locator::Column(index));
            }
            let index = column(&path[0])?;
            if path.len() == 1 {
                Some(Locator::Column(index))
            } else {
                Some(Locator::Nested(
                    Box::new(Locator::Column(index)),
                    path[1..].to_vec(),
                ))
            }
        }
        Locator::Nested(inner, path) => Some(Locator::Nested(
            Box::new(resolve(inner, header)?),
            path.clone(),
        )),
        Locator::Tag(inner, key) => {
            Some(Locator::Tag(Box::new(resolve(inner, header)?), key.clone()))
        }
        Locator::First(list) => {
            let found: Vec<Locator> = list.iter().filter_map(|l| resolve(l, header)).collect();
            (!found.is_empty()).then_some(Locator::First(found))
        }
        Locator::Sum(list) => {
            let found: Vec<Locator> = list.iter().filter_map(|l| resolve(l, header)).collect();
            (!found.is_empty()).then_some(Locator::Sum(found))
        }
        Locator::Column(_) | Locator::Attribute(_) => Some(locator.clone()),
    }
}

struct CsvRow<'r> {
    record: &'r ::csv::ByteRecord,
}

impl Row for CsvRow<'_> {
    fn get(&self, locator: &Locator) -> Option<Cow<'_, str>> {
        match locator {
            Locator::Column(index) => self.record.get(*index).map(|bytes| {
                // Valid UTF-8 borrows (the common case); anything else is shown lossily.
                match std::str::from_utf8(bytes) {
                    Ok(text) => Cow::Borrowed(text),
                    Err(_) => String::from_utf8_lossy(bytes),
                }
            }),
            other => super::jsonl::evaluate_nested(other, &|inner| self.get(inner)),
        }
    }
}

impl Adapter for CsvAdapter {
    fn parse(&self, block: &Block, sink: &mut dyn FnMut(Position, Result<Request<'_>, Problem>)) {
        let mut reader = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(self.delimiter)
            .from_reader(&block.bytes[..]);
        let mut record = ::csv::ByteRecord::new();
        loop {
            let line_before = reader.position().line();
            match reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    let line =
                        block.first_line + record.position().map_or(line_before, |p| p.line()) - 1;
                    let position = Position {
                        file: block.file,
                        line,
                    };
                    if record.len() == 1 && record.get(0).is_some_and(|f| f.is_empty()) {
                        continue;
                    }
                    build_request(&CsvRow { record: &record }, &self.layout, position, sink);
                }
                Err(error) => {
                    let line =
                        block.first_line + error.position().map_or(line_before, |p| p.line()) - 1;
                    let position = Position {
                        file: block.file,
                        line,
                    };
                    sink(
                        position,
                        Err(Problem {
                            position,
                            reason: SkipReason::BadValue,
                            column: None,
                            value: None,
                            message: format!("the row does not parse as CSV: {error}"),
                        }),
                    );
                    if !matches!(error.kind(), ::csv::ErrorKind::Utf8 { .. }) {
                        // The reader cannot resynchronise after a malformed record.
                        break;
                    }
                }
            }
        }
    }

    fn shadow_names(&self) -> ShadowNames {
        ShadowNames {
            outcomes: self.outcomes.iter().map(|(m, _, _)| m.clone()).collect(),
            shadow_output: self
                .shadow_output
                .iter()
                .map(|(m, _, _)| m.clone())
                .collect(),
        }
    }

    fn bind(&mut self, global: &ShadowNames) {
        let _ = &self.header;
        self.layout.outcomes = global
            .outcomes
            .iter()
            .map(|model| {
                self.outcomes
                    .iter()
                    .find(|(m, _, _)| m == model)
                    .map(|(_, index, name)| (Locator::Column(*index), name.clone()))
            })
            .collect();
        self.layout.shadow_output = global
            .shadow_output
            .iter()
            .map(|model| {
                self.shadow_output
                    .iter()
                    .find(|(m, _, _)| m == model)
                    .map(|(_, index, name)| (Locator::Column(*index), name.clone()))
            })
            .collect();
    }
}
