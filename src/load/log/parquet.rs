//! The Parquet adapter: the CSV path's columns, presets and `--map`, read by row group.
//!
//! The file's footer names the columns (the top-level fields of its schema); each canonical
//! field becomes a column, checked against its type when the file is opened, so a column of the
//! wrong type is one clear error rather than a skip on every row. Only the columns a field
//! reads are decoded. Each row group is one [`Block`] (its bytes are the row group's index);
//! workers decode their row group in record batches of [`BATCH_ROWS`] rows, so memory holds a
//! batch and a page per column, whatever the file's size. A row's position is its row number in
//! the file (1-based), shown as `file, row N`.
//!
//! Values reach [`build_request`] as the text the CSV path would read: strings as they are
//! (plain or dictionary-encoded), integers in decimal, doubles by their shortest decimal text
//! (never through arithmetic), DECIMAL by its exact digits, booleans as `true`/`false`, lists
//! and structs (LiteLLM's `request_tags`, `metadata`) as JSON. Timestamps of any unit are
//! instants; one written without `isAdjustedToUTC` (a "naive" local time) is read as UTC, as
//! the CSV path reads a time without a zone. Spark's legacy INT96 timestamps are read the same
//! way. A DATE column is a day, not an instant, and is refused as the timestamp.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Decimal256Type, Decimal32Type, Decimal64Type,
    Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type,
    UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrowPrimitiveType, PrimitiveArray, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::arrow::ProjectionMask;

use super::csv::{is_alternative, missing_column, resolve, shown_name};
use super::{
    build_request, preset_spec, Adapter, Block, Blocks, Field, Layout, Locator, LogFile, LogFormat,
    ReadOptions, Row, ShadowNames,
};
use crate::engine::replay::{Position, Problem, SkipReason};
use crate::model::request::Request;

/// Rows per decoded batch: a few hundred kilobytes for a log's columns.
pub const BATCH_ROWS: usize = 8192;

/// Whether `path` starts with Parquet's magic bytes `PAR1`, whatever its name.
pub fn has_magic(path: &Path) -> bool {
    use std::io::Read as _;
    let mut magic = [0u8; 4];
    File::open(path)
        .and_then(|mut file| file.read_exact(&mut magic))
        .is_ok()
        && &magic == b"PAR1"
}

pub struct ParquetAdapter {
    path: PathBuf,
    metadata: ArrowReaderMetadata,
    layout: Layout,
    /// Schema column index → its place in a decoded batch (only read columns have one).
    places: Vec<Option<usize>>,
    projection: ProjectionMask,
    /// First row (0-based) of each row group.
    row_starts: Vec<u64>,
    outcomes: Vec<(String, usize, String)>,
    shadow_output: Vec<(String, usize, String)>,
}

/// Opens a Parquet log: reads its footer, resolves the columns, checks their types, and lays
/// out one block per row group.
pub fn open(path: &Path, index: u32, options: &ReadOptions) -> Result<LogFile, String> {
    let shown = path.display().to_string();
    let file = File::open(path).map_err(|error| format!("cannot read log '{shown}': {error}"))?;
    if let Ok(metadata) = file.metadata() {
        crate::load::source::note_streamed_input(path, &metadata);
    }
    let metadata = ArrowReaderMetadata::load(&file, ArrowReaderOptions::new()).map_err(|error| {
        format!(
            "cannot read log '{shown}' as Parquet: {error}; the file is truncated or corrupt (its footer, which names the columns, is unreadable)"
        )
    })?;
    let schema = metadata.schema().clone();
    let header: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();

    let mut layout = Layout {
        pass_threshold: options.pass_threshold,
        ..Layout::default()
    };
    for (field, locator) in preset_spec(options.format, &options.mapping) {
        match resolve(&locator, &header) {
            Some(resolved) => layout.set(field, resolved, shown_name(&locator)),
            None if field.required()
                && (options.mapping.fields.contains_key(&field)
                    || options.format == LogFormat::Native
                    || !is_alternative(&locator)) =>
            {
                return Err(missing_column(&shown, field, &locator, &header))
            }
            None => {}
        }
    }
    let mut outcomes = Vec::new();
    let mut shadow_output = Vec::new();
    for (column, name) in header.iter().enumerate() {
        if let Some(model) = name.strip_prefix("outcome:") {
            outcomes.push((model.trim().to_string(), column, name.clone()));
        } else if let Some(model) = name.strip_prefix("output_tokens:") {
            shadow_output.push((model.trim().to_string(), column, name.clone()));
        }
    }
    let find = |column: &str, what: &str| {
        header
            .iter()
            .position(|name| name == column)
            .ok_or_else(|| format!("log '{shown}' has no column '{column}' (mapped to {what})"))
    };
    for (model, column) in &options.mapping.outcomes {
        let at = find(column, &format!("outcome:{model}"))?;
        outcomes.push((model.clone(), at, column.clone()));
    }
    for (model, column) in &options.mapping.shadow_output {
        let at = find(column, &format!("output_tokens:{model}"))?;
        shadow_output.push((model.clone(), at, column.clone()));
    }

    // Every column a field reads, with the kind of value it must hold.
    let mut used: Vec<(usize, Kind)> = Vec::new();
    for field in Field::ALL {
        if let Some((locator, _)) = layout.field(field) {
            collect_columns(locator, Kind::of(field), &mut used);
        }
    }
    for (_, column, _) in &outcomes {
        used.push((*column, Kind::Outcome));
    }
    for (_, column, _) in &shadow_output {
        used.push((*column, Kind::Tokens));
    }
    for (column, kind) in &used {
        let field = &schema.fields()[*column];
        check_type(field.data_type(), *kind).map_err(|problem| {
            format!(
                "log '{shown}': column '{}' is {problem}\n  = help: {}",
                field.name(),
                kind.help()
            )
        })?;
    }
    let mut columns: Vec<usize> = used.iter().map(|(column, _)| *column).collect();
    columns.sort_unstable();
    columns.dedup();
    let mut places = vec![None; header.len()];
    for (place, column) in columns.iter().enumerate() {
        places[*column] = Some(place);
    }
    let projection = ProjectionMask::roots(metadata.parquet_schema(), columns.iter().copied());

    let mut row_starts = Vec::new();
    let mut blocks = Vec::new();
    let mut next = 0u64;
    for (group, row_group) in metadata.metadata().row_groups().iter().enumerate() {
        row_starts.push(next);
        let rows = u64::try_from(row_group.num_rows()).unwrap_or(0);
        if rows > 0 {
            blocks.push(Block {
                file: index,
                first_line: next + 1,
                bytes: (group as u64).to_le_bytes().to_vec(),
            });
        }
        next += rows;
    }
    Ok(LogFile {
        path: path.to_path_buf(),
        adapter: Box::new(ParquetAdapter {
            path: path.to_path_buf(),
            metadata,
            layout,
            places,
            projection,
            row_starts,
            outcomes,
            shadow_output,
        }),
        blocks: Blocks::from_blocks(index, blocks),
    })
}

/// What a field's column must hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Timestamp,
    Tokens,
    Money,
    Outcome,
    Text,
    /// JSON text (or a list or struct) read by a path inside it.
    Json,
}

impl Kind {
    fn of(field: Field) -> Kind {
        match field {
            Field::Timestamp => Kind::Timestamp,
            Field::InputTokens
            | Field::CachedTokens
            | Field::CacheWriteTokens
            | Field::OutputTokens => Kind::Tokens,
            Field::Spend => Kind::Money,
            _ => Kind::Text,
        }
    }

    fn help(self) -> &'static str {
        match self {
            Kind::Timestamp => "the timestamp column must be a TIMESTAMP (any unit; INT96 too), a string (RFC 3339) or Unix seconds; map another column with --map timestamp=COLUMN",
            Kind::Tokens => "token columns must be integers (or whole-number strings or doubles); map another column with --map FIELD=COLUMN",
            Kind::Money => "spend must be a DECIMAL, a double, an integer or a string amount",
            Kind::Outcome => "outcome columns must be booleans, numeric scores (with --pass-threshold) or strings",
            Kind::Text => "routing and model columns must be strings (plain or dictionary), integers or booleans",
            Kind::Json => "a JSON path reads a string column holding JSON, a struct or a list",
        }
    }
}

fn collect_columns(locator: &Locator, kind: Kind, used: &mut Vec<(usize, Kind)>) {
    match locator {
        Locator::Column(column) => used.push((*column, kind)),
        Locator::Nested(inner, _) | Locator::Tag(inner, _) => {
            collect_columns(inner, Kind::Json, used)
        }
        Locator::First(list) | Locator::Sum(list) => {
            for item in list {
                collect_columns(item, kind, used);
            }
        }
        Locator::Path(_) | Locator::Attribute(_) => {}
    }
}

fn is_string(data_type: &DataType) -> bool {
    match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, values) => is_string(values),
        _ => false,
    }
}

fn is_integer(data_type: &DataType) -> bool {
    data_type.is_integer()
        || matches!(data_type, DataType::Dictionary(_, values) if values.is_integer())
}

/// Whether a column of `data_type` can hold `kind`; else what it is, for the message.
fn check_type(data_type: &DataType, kind: Kind) -> Result<(), String> {
    let float = matches!(data_type, DataType::Float32 | DataType::Float64);
    let decimal = matches!(
        data_type,
        DataType::Decimal32(..)
            | DataType::Decimal64(..)
            | DataType::Decimal128(..)
            | DataType::Decimal256(..)
    );
    let fine = is_string(data_type)
        || matches!(data_type, DataType::Null)
        || match kind {
            Kind::Timestamp => {
                matches!(data_type, DataType::Timestamp(..)) || is_integer(data_type)
            }
            Kind::Tokens => is_integer(data_type) || float || decimal,
            Kind::Money => is_integer(data_type) || float || decimal,
            Kind::Outcome => {
                is_integer(data_type) || float || decimal || *data_type == DataType::Boolean
            }
            Kind::Text => is_integer(data_type) || *data_type == DataType::Boolean,
            Kind::Json => matches!(
                data_type,
                DataType::List(_)
                    | DataType::LargeList(_)
                    | DataType::ListView(_)
                    | DataType::Struct(_)
                    | DataType::Map(..)
            ),
        };
    if fine {
        return Ok(());
    }
    let what = match data_type {
        DataType::Date32 | DataType::Date64 if kind == Kind::Timestamp => {
            "a DATE: a day, not an instant, and requests are priced at their time (peak hours, price changes)".to_string()
        }
        other => format!("{other}, which cannot hold {}", kind.noun()),
    };
    Err(what)
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Timestamp => "a request's time",
            Kind::Tokens => "a token count",
            Kind::Money => "an amount of money",
            Kind::Outcome => "an outcome",
            Kind::Text => "a name",
            Kind::Json => "JSON",
        }
    }
}

/// One decoded column of a batch, readable as text per row.
enum Column<'a> {
    Utf8(&'a arrow_array::StringArray),
    LargeUtf8(&'a arrow_array::LargeStringArray),
    View(&'a arrow_array::StringViewArray),
    /// Dictionary-encoded: each row's key into the values.
    Dictionary {
        keys: Vec<usize>,
        source: &'a dyn Array,
        values: Box<Column<'a>>,
    },
    /// Anything else, written out as text once per batch.
    Text {
        text: String,
        ends: Vec<usize>,
        valid: Vec<bool>,
    },
}

impl<'a> Column<'a> {
    fn new(array: &'a dyn Array) -> Column<'a> {
        match array.data_type() {
            DataType::Utf8 => return Column::Utf8(array.as_string::<i32>()),
            DataType::LargeUtf8 => return Column::LargeUtf8(array.as_string::<i64>()),
            DataType::Utf8View => return Column::View(array.as_string_view()),
            _ => {}
        }
        if let Some(dictionary) = array.as_any_dictionary_opt() {
            return Column::Dictionary {
                keys: dictionary.normalized_keys(),
                source: array,
                values: Box::new(Column::new(dictionary.values().as_ref())),
            };
        }
        let rows = array.len();
        let mut text = String::with_capacity(rows * 8);
        let mut ends = Vec::with_capacity(rows);
        let mut valid = Vec::with_capacity(rows);
        for row in 0..rows {
            let present = array.is_valid(row);
            if present {
                write_value(array, row, &mut text);
            }
            valid.push(present);
            ends.push(text.len());
        }
        Column::Text { text, ends, valid }
    }

    fn text(&self, row: usize) -> Option<&str> {
        match self {
            Column::Utf8(array) => array.is_valid(row).then(|| array.value(row)),
            Column::LargeUtf8(array) => array.is_valid(row).then(|| array.value(row)),
            Column::View(array) => array.is_valid(row).then(|| array.value(row)),
            Column::Dictionary {
                keys,
                source,
                values,
            } => {
                if source.is_null(row) {
                    return None;
                }
                values.text(*keys.get(row)?)
            }
            Column::Text { text, ends, valid } => {
                if !*valid.get(row)? {
                    return None;
                }
                let start = if row == 0 { 0 } else { ends[row - 1] };
                Some(&text[start..ends[row]])
            }
        }
    }
}

fn primitive<T: ArrowPrimitiveType>(array: &dyn Array) -> &PrimitiveArray<T> {
    array.as_primitive::<T>()
}

/// Writes one non-null value as the text a CSV export would hold.
fn write_value(array: &dyn Array, row: usize, out: &mut String) {
    macro_rules! plain {
        ($type:ty) => {{
            let _ = write!(out, "{}", primitive::<$type>(array).value(row));
        }};
    }
    match array.data_type() {
        DataType::Int8 => plain!(Int8Type),
        DataType::Int16 => plain!(Int16Type),
        DataType::Int32 => plain!(Int32Type),
        DataType::Int64 => plain!(Int64Type),
        DataType::UInt8 => plain!(UInt8Type),
        DataType::UInt16 => plain!(UInt16Type),
        DataType::UInt32 => plain!(UInt32Type),
        DataType::UInt64 => plain!(UInt64Type),
        // Rust writes a float's shortest decimal that reads back to it, never an exponent:
        // the same text a CSV export holds.
        DataType::Float32 => plain!(Float32Type),
        DataType::Float64 => plain!(Float64Type),
        DataType::Boolean => {
            out.push_str(if array.as_boolean().value(row) {
                "true"
            } else {
                "false"
            });
        }
        DataType::Decimal32(..) => {
            out.push_str(&primitive::<Decimal32Type>(array).value_as_string(row))
        }
        DataType::Decimal64(..) => {
            out.push_str(&primitive::<Decimal64Type>(array).value_as_string(row))
        }
        DataType::Decimal128(..) => {
            out.push_str(&primitive::<Decimal128Type>(array).value_as_string(row))
        }
        DataType::Decimal256(..) => {
            out.push_str(&primitive::<Decimal256Type>(array).value_as_string(row))
        }
        DataType::Timestamp(unit, _) => {
            let value = match unit {
                TimeUnit::Second => {
                    array
                        .as_primitive::<arrow_array::types::TimestampSecondType>()
                        .value(row) as i128
                        * 1_000_000_000
                }
                TimeUnit::Millisecond => {
                    array
                        .as_primitive::<arrow_array::types::TimestampMillisecondType>()
                        .value(row) as i128
                        * 1_000_000
                }
                TimeUnit::Microsecond => {
                    array
                        .as_primitive::<arrow_array::types::TimestampMicrosecondType>()
                        .value(row) as i128
                        * 1_000
                }
                TimeUnit::Nanosecond => array
                    .as_primitive::<arrow_array::types::TimestampNanosecondType>()
                    .value(row) as i128,
            };
            write_instant(value, out);
        }
        DataType::Date32 => {
            let days = primitive::<Date32Type>(array).value(row) as i64;
            write_date(days.checked_mul(86_400), out);
        }
        DataType::Date64 => {
            let millis = primitive::<Date64Type>(array).value(row);
            write_date(Some(millis.div_euclid(1000)), out);
        }
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => {
            let bytes: &[u8] = match array.data_type() {
                DataType::Binary => array.as_binary::<i32>().value(row),
                DataType::LargeBinary => array.as_binary::<i64>().value(row),
                _ => array.as_binary_view().value(row),
            };
            out.push_str(&String::from_utf8_lossy(bytes));
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            out.push_str(Column::new(array).text(row).unwrap_or(""));
        }
        _ => {
            let value = json_value(array, row);
            let _ = write!(out, "{value}");
        }
    }
}

/// An instant in nanoseconds as text [`super::parse_timestamp`] reads back exactly: the digits
/// (read as nanoseconds from 16 digits on) for today's times, else RFC 3339.
fn write_instant(nanos: i128, out: &mut String) {
    if (1_000_000_000_000_000..=i64::MAX as i128).contains(&nanos) {
        let _ = write!(out, "{nanos}");
        return;
    }
    match jiff::Timestamp::from_nanosecond(nanos) {
        Ok(at) => {
            let _ = write!(out, "{at}");
        }
        Err(_) => {
            let _ = write!(out, "{nanos} ns since 1970 (out of range)");
        }
    }
}

fn write_date(seconds: Option<i64>, out: &mut String) {
    match seconds.and_then(|s| jiff::Timestamp::from_second(s).ok()) {
        Some(at) => {
            let _ = write!(out, "{}", at.strftime("%Y-%m-%d"));
        }
        None => out.push_str("date out of range"),
    }
}

/// Lists, structs and maps as JSON, for the JSON paths a preset reads inside them.
fn json_value(array: &dyn Array, row: usize) -> serde_json::Value {
    use serde_json::Value;
    if array.is_null(row) {
        return Value::Null;
    }
    let list = |values: &dyn Array| -> Value {
        Value::Array((0..values.len()).map(|i| json_value(values, i)).collect())
    };
    match array.data_type() {
        DataType::List(_) => list(array.as_list::<i32>().value(row).as_ref()),
        DataType::LargeList(_) => list(array.as_list::<i64>().value(row).as_ref()),
        DataType::Struct(fields) => {
            let array = array.as_struct();
            Value::Object(
                fields
                    .iter()
                    .zip(array.columns())
                    .map(|(field, column)| (field.name().clone(), json_value(column.as_ref(), row)))
                    .collect(),
            )
        }
        DataType::Map(..) => {
            let entries = array.as_map().value(row);
            let keys = entries.column(0);
            let values = entries.column(1);
            Value::Object(
                (0..entries.len())
                    .map(|i| {
                        let key = match json_value(keys.as_ref(), i) {
                            Value::String(text) => text,
                            other => other.to_string(),
                        };
                        (key, json_value(values.as_ref(), i))
                    })
                    .collect(),
            )
        }
        DataType::Null => Value::Null,
        DataType::Boolean => Value::Bool(array.as_boolean().value(row)),
        data_type => {
            let mut text = String::new();
            if is_string(data_type) {
                text.push_str(Column::new(array).text(row).unwrap_or(""));
                return Value::String(text);
            }
            write_value(array, row, &mut text);
            // Numbers keep their exact text (serde_json's arbitrary precision is not on, so
            // a number that is not an integer stays a string, read back as the same text).
            match text.parse::<i64>() {
                Ok(number) if data_type.is_integer() => Value::from(number),
                _ => Value::String(text),
            }
        }
    }
}

struct ParquetRow<'b> {
    columns: &'b [Column<'b>],
    places: &'b [Option<usize>],
    row: usize,
}

impl Row for ParquetRow<'_> {
    fn get(&self, locator: &Locator) -> Option<Cow<'_, str>> {
        match locator {
            Locator::Column(column) => {
                let place = (*self.places.get(*column)?)?;
                self.columns[place].text(self.row).map(Cow::Borrowed)
            }
            other => super::jsonl::evaluate_nested(other, &|inner| self.get(inner)),
        }
    }
}

impl ParquetAdapter {
    /// Decodes row group `group`, handing each batch to `each`; a batch that cannot be read
    /// ends the row group with the error and the row (0-based, in the group) it starts at.
    fn read_group(
        &self,
        group: usize,
        each: &mut dyn FnMut(&RecordBatch, u64),
    ) -> Result<(), (String, u64)> {
        let file = File::open(&self.path).map_err(|error| (error.to_string(), 0))?;
        let mut reader =
            ParquetRecordBatchReaderBuilder::new_with_metadata(file, self.metadata.clone())
                .with_projection(self.projection.clone())
                .with_row_groups(vec![group])
                .with_batch_size(BATCH_ROWS)
                .build()
                .map_err(|error| (error.to_string(), 0))?;
        let mut done = 0u64;
        loop {
            // A corrupt page must not take the process down with it.
            let next = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| reader.next()))
                .unwrap_or_else(|_| {
                    Some(Err(arrow_schema::ArrowError::ParquetError(
                        "the decoder failed on a corrupt page".to_string(),
                    )))
                });
            match next {
                None => return Ok(()),
                Some(Ok(batch)) => {
                    each(&batch, done);
                    done += batch.num_rows() as u64;
                }
                Some(Err(error)) => return Err((error.to_string(), done)),
            }
        }
    }
}

impl Adapter for ParquetAdapter {
    fn parse(&self, block: &Block, sink: &mut dyn FnMut(Position, Result<Request<'_>, Problem>)) {
        let mut index = [0u8; 8];
        let Some(bytes) = block.bytes.get(..8) else {
            return;
        };
        index.copy_from_slice(bytes);
        let group = u64::from_le_bytes(index) as usize;
        let first = self.row_starts.get(group).copied().unwrap_or(0);
        let result = self.read_group(group, &mut |batch, offset| {
            let columns: Vec<Column<'_>> = batch
                .columns()
                .iter()
                .map(|array| Column::new(array.as_ref()))
                .collect();
            for row in 0..batch.num_rows() {
                let position = Position {
                    file: block.file,
                    line: first + offset + row as u64 + 1,
                };
                let view = ParquetRow {
                    columns: &columns,
                    places: &self.places,
                    row,
                };
                build_request(&view, &self.layout, position, sink);
            }
        });
        if let Err((message, done)) = result {
            let rows = self.metadata.metadata().row_group(group).num_rows().max(0) as u64;
            let lost = rows.saturating_sub(done).max(1);
            let problem = Problem {
                position: Position {
                    file: block.file,
                    line: first + done + 1,
                },
                reason: SkipReason::Truncated,
                column: None,
                value: None,
                message: format!(
                    "row group {} cannot be read from this row on ({message}): the file is corrupt; its {lost} remaining rows are counted as skipped, the other row groups are read",
                    group + 1
                ),
            };
            for _ in 0..lost {
                sink(problem.position, Err(problem.clone()));
            }
        }
    }

    fn shadow_names(&self) -> ShadowNames {
        ShadowNames::of_columns(&self.outcomes, &self.shadow_output)
    }

    fn bind(&mut self, global: &ShadowNames) {
        let locate = |list: &[(String, usize, String)], model: &String| {
            list.iter()
                .find(|(m, _, _)| m == model)
                .map(|(_, column, name)| (Locator::Column(*column), name.clone()))
        };
        self.layout.outcomes = global
            .outcomes
            .iter()
            .map(|model| locate(&self.outcomes, model))
            .collect();
        self.layout.shadow_output = global
            .shadow_output
            .iter()
            .map(|model| locate(&self.shadow_output, model))
            .collect();
    }
}
