//! The CSV adapter: native columns, or a preset's (LiteLLM's table export), or `--map`.
//!
//! The header names the columns; each canonical field becomes a column index (or a JSON path
//! inside a column, as LiteLLM keeps cached tokens in its `metadata` JSON). A block is read
//! line by line: a line without quotes or stray carriage returns (nearly every line of a
//! request log) is split at its delimiters in place, checked as UTF-8 once and handed over as
//! borrowed fields, with no allocation and no copy; any other line starts a record that the
//! `csv` crate reads (quoted fields, newlines inside quotes, lone `\r` terminators), after
//! which the fast reading resumes. Both give the same rows, and rows are numbered by the line
//! their first byte is on, so messages point at the right line whatever path read it.

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
    /// Whether plain lines are split in place; off, every record goes through `csv`.
    fast: bool,
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
                fast: true,
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

/// A plain line of the fast path: its text, checked as UTF-8 once, and where its fields end.
struct LineRow<'r> {
    text: &'r str,
    /// The offset of each field's end: the delimiter after it, or the end of the line.
    ends: &'r [usize],
}

impl Row for LineRow<'_> {
    fn get(&self, locator: &Locator) -> Option<Cow<'_, str>> {
        match locator {
            Locator::Column(index) => {
                let end = *self.ends.get(*index)?;
                let start = match index {
                    0 => 0,
                    _ => self.ends[index - 1] + 1,
                };
                Some(Cow::Borrowed(&self.text[start..end]))
            }
            other => super::jsonl::evaluate_nested(other, &|inner| self.get(inner)),
        }
    }
}

/// Line numbers of offsets in a block, counted forward from the last one asked.
struct Lines {
    offset: usize,
    line: u64,
}

impl Lines {
    /// The line of the record whose reading began at `from`: `csv` skips empty lines (and the
    /// `\n` of a `\r\n`) before a record, so the record starts at the first other byte.
    fn of_record(&mut self, bytes: &[u8], from: usize) -> u64 {
        let begin = bytes[from.min(bytes.len())..]
            .iter()
            .position(|b| *b != b'\n' && *b != b'\r')
            .map_or(bytes.len(), |skipped| from + skipped);
        self.advance(bytes, begin);
        self.line
    }

    fn advance(&mut self, bytes: &[u8], to: usize) {
        if to > self.offset {
            self.line += memchr::memchr_iter(b'\n', &bytes[self.offset..to]).count() as u64;
            self.offset = to;
        }
    }
}

impl CsvAdapter {
    /// Reads every record of `block` through `csv`: the reference path, and what the fast path
    /// must agree with.
    #[doc(hidden)]
    pub fn without_fast_path(mut self) -> CsvAdapter {
        self.fast = false;
        self
    }

    /// Reads records with `csv` from `bytes[from..]` (on line `line`), at most `limit` of them;
    /// returns the offset just after the last one read (the end of `bytes` when the reader
    /// cannot go on).
    fn parse_records(
        &self,
        block: &Block,
        from: usize,
        line: u64,
        limit: usize,
        sink: &mut dyn FnMut(Position, Result<Request<'_>, Problem>),
    ) -> usize {
        let bytes = &block.bytes[..];
        let mut reader = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(self.delimiter)
            .from_reader(&bytes[from..]);
        let mut record = ::csv::ByteRecord::new();
        let mut lines = Lines { offset: from, line };
        for _ in 0..limit {
            let began = from + reader.position().byte() as usize;
            match reader.read_byte_record(&mut record) {
                Ok(false) => return bytes.len(),
                Ok(true) => {
                    let position = Position {
                        file: block.file,
                        line: lines.of_record(bytes, began),
                    };
                    if record.len() == 1 && record.get(0).is_some_and(|f| f.is_empty()) {
                        continue;
                    }
                    build_request(&CsvRow { record: &record }, &self.layout, position, sink);
                }
                Err(error) => {
                    let position = Position {
                        file: block.file,
                        line: lines.of_record(bytes, began),
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
                        return bytes.len();
                    }
                }
            }
        }
        from + reader.position().byte() as usize
    }
}

impl Adapter for CsvAdapter {
    fn parse(&self, block: &Block, sink: &mut dyn FnMut(Position, Result<Request<'_>, Problem>)) {
        if !self.fast {
            self.parse_records(block, 0, block.first_line, usize::MAX, sink);
            return;
        }
        let bytes = &block.bytes[..];
        let mut ends: Vec<usize> = Vec::with_capacity(32);
        let mut start = 0;
        let mut line = block.first_line;
        while start < bytes.len() {
            // The line's end, whether anything in it needs `csv` (a quote or a carriage
            // return), and whether it is all ASCII: each a vectorised scan.
            let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |at| start + at);
            let content = match &bytes[start..end] {
                [rest @ .., b'\r'] => rest,
                content => content,
            };
            if content.is_empty() {
                // An empty line, which `csv` skips too.
                start = end + 1;
                line += 1;
                continue;
            }
            let text = match memchr::memchr2(b'"', b'\r', content) {
                Some(_) => None,
                // SAFETY: every byte of `content` is below 0x80, and ASCII is valid UTF-8.
                None if content.is_ascii() => {
                    Some(unsafe { std::str::from_utf8_unchecked(content) })
                }
                None => std::str::from_utf8(content).ok(),
            };
            let Some(text) = text else {
                // Quotes, a lone carriage return or bytes that are not UTF-8: one record
                // through `csv`, then plain lines again from where it ended.
                let after = self
                    .parse_records(block, start, line, 1, sink)
                    .max(start + 1);
                line += memchr::memchr_iter(b'\n', &bytes[start..after]).count() as u64;
                start = after;
                continue;
            };
            ends.clear();
            ends.extend(memchr::memchr_iter(self.delimiter, content));
            ends.push(content.len());
            let position = Position {
                file: block.file,
                line,
            };
            build_request(&LineRow { text, ends: &ends }, &self.layout, position, sink);
            start = end + 1;
            line += 1;
        }
    }

    fn shadow_names(&self) -> ShadowNames {
        ShadowNames::of_columns(&self.outcomes, &self.shadow_output)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::log::{Blocks, Mapping, Next};

    const HEADER: &str = "request_id,timestamp,model,workload,task,data_class,input_tokens,cached_tokens,output_tokens,spend,outcome:gpt-5.5\n";

    /// A deterministic mix of the rows a log can hold: plain, quoted (delimiters, newlines and
    /// doubled quotes inside), CRLF, lone carriage returns, blank lines, a byte-order mark,
    /// bytes that are not UTF-8, short and long rows, and values that do not parse.
    fn generated_log(seed: u64, rows: usize) -> Vec<u8> {
        let mut state = seed;
        let mut next = move |n: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % n
        };
        let mut log = HEADER.as_bytes().to_vec();
        for row in 0..rows {
            let input = next(400_000);
            let fields = [
                format!("r{row}"),
                format!(
                    "2026-05-{:02}T{:02}:{:02}:07Z",
                    1 + next(28),
                    next(24),
                    next(60)
                ),
                ["gpt-5.5", "deepseek-v4-flash", "nobody-9"][next(3) as usize].to_string(),
                ["", "support", "bulk"][next(3) as usize].to_string(),
                ["extraction", "coding", ""][next(3) as usize].to_string(),
                ["public", "internal", "secret"][next(3) as usize].to_string(),
                input.to_string(),
                (input / (1 + next(4))).to_string(),
                ["12", "-3", "x", "400"][next(4) as usize].to_string(),
                ["", "0.25", "$1.5"][next(3) as usize].to_string(),
                ["true", "false", "", "maybe"][next(4) as usize].to_string(),
            ];
            let mut line: Vec<u8> = match next(12) {
                0 => fields
                    .iter()
                    .map(|f| format!("\"{f}\""))
                    .collect::<Vec<_>>()
                    .join(",")
                    .into_bytes(),
                1 => {
                    let mut quoted = fields.clone();
                    quoted[3] = format!("\"sup,\"\"port\"\"\n{}\"", fields[3]);
                    quoted.join(",").into_bytes()
                }
                2 => fields[..5].join(",").into_bytes(),
                3 => format!("{},extra", fields.join(",")).into_bytes(),
                4 => {
                    let mut bytes = fields[..4].join(",").into_bytes();
                    bytes.extend_from_slice(b",\xff\xfe,");
                    bytes.extend_from_slice(fields[5..].join(",").as_bytes());
                    bytes
                }
                5 => format!("\u{feff}{}", fields.join(",")).into_bytes(),
                6 => format!("{}\r{}", fields[..6].join(","), fields.join(",")).into_bytes(),
                7 => format!("{}\"x\",{}", fields[0], fields[1..].join(",")).into_bytes(),
                _ => fields.join(",").into_bytes(),
            };
            match next(8) {
                0 => line.extend_from_slice(b"\r\n"),
                1 => line.extend_from_slice(b"\n\n"),
                2 => line.extend_from_slice(b"\n\r\n  \n"),
                _ => line.push(b'\n'),
            }
            log.extend_from_slice(&line);
        }
        if next(2) == 0 {
            log.truncate(log.len() - 1);
        }
        log
    }

    /// Every row the adapter hands over, as text: its place, and the request or the problem.
    fn rows(log: &[u8], fast: bool, block_size: usize) -> Vec<String> {
        let options = ReadOptions {
            format: LogFormat::Native,
            mapping: Mapping::default(),
            pass_threshold: None,
        };
        let (adapter, rest) = CsvAdapter::new(Path::new("log.csv"), log, &options).unwrap();
        let mut adapter = if fast {
            adapter
        } else {
            adapter.without_fast_path()
        };
        adapter.bind(&adapter.shadow_names());
        let mut blocks = Blocks::new(Box::new(std::io::Cursor::new(rest)), 0, 2, true);
        blocks.size = block_size;
        let mut seen = Vec::new();
        loop {
            match blocks.next_block() {
                Next::Block(block) => adapter.parse(&block, &mut |position, row| {
                    seen.push(format!("{}: {row:?}", position.line));
                }),
                Next::End => break,
                Next::Broken { message, .. } => panic!("{message}"),
            }
        }
        seen
    }

    #[test]
    fn plain_lines_read_in_place_give_what_csv_gives() {
        let mut all = Vec::new();
        for seed in 0..40 {
            let log = generated_log(seed, 60);
            let expected = rows(&log, false, 1 << 20);
            assert!(expected.len() >= 60, "seed {seed}: {}", expected.len());
            assert!(
                expected.iter().any(|row| row.contains(": Ok(")),
                "seed {seed}"
            );
            assert!(
                expected.iter().any(|row| row.contains(": Err(")),
                "seed {seed}"
            );
            all.extend(expected.iter().cloned());
            for block_size in [1 << 20, 300, 64] {
                let found = rows(&log, true, block_size);
                assert_eq!(
                    found,
                    expected,
                    "seed {seed}, blocks of {block_size}:\n{}",
                    String::from_utf8_lossy(&log)
                );
            }
        }
        // The mix reached the cases it is for: a quoted field with a delimiter, a doubled
        // quote and a newline inside, and a value that is not UTF-8, shown lossily.
        for case in [r#"Some("sup,\"port\"\n"#, "\u{fffd}"] {
            assert!(all.iter().any(|row| row.contains(case)), "{case}");
        }
    }

    #[test]
    fn rows_are_numbered_by_the_line_they_start_on() {
        let log = format!(
            "{HEADER}r1,2026-05-20T10:00:00Z,gpt-5.5,,extraction,public,10,0,x,,\r\n\r\n\n\"r2\",2026-05-20T10:00:00Z,gpt-5.5,\"a\nb\",extraction,public,10,0,y,,\nr3,2026-05-20T10:00:00Z,gpt-5.5,,extraction,public,10,0,z,,\n"
        );
        for fast in [true, false] {
            let lines: Vec<String> = rows(log.as_bytes(), fast, 1 << 20)
                .iter()
                .map(|row| row.split(':').next().unwrap().to_string())
                .collect();
            assert_eq!(lines, ["2", "5", "7"], "fast: {fast}");
        }
    }
}
