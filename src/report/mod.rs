//! Turning results into text: one renderer per format, each returning a `String`.
//!
//! Commands describe what to show as a [`Document`] — heading lines, tables of typed [`Cell`]s,
//! and notes — and the table, CSV and Markdown renderers lay it out; JSON is serialized from
//! the result types directly (see [`json`]). Renderers return text so they can be snapshot-tested.
//!
//! CSV writes one table of a document (its [`Document::csv_table`]) with machine column names
//! (each table column's key, suffixed by the kind of its cells: `_usd`, `_pct`, …); the notes
//! are written as a second CSV with `--assumptions FILE` (see [`csv`]).

pub mod ascii;
pub mod budget;
pub mod charts;
pub mod comment;
pub mod csv;
pub mod emit;
pub mod format;
pub mod html;
pub mod json;
pub mod labels;
pub mod markdown;
pub mod table;
pub mod workflow;
pub mod xlsx;

use std::sync::OnceLock;

use rust_decimal::Decimal;

/// How text output is laid out for the terminal it goes to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    /// The widest a line may be, in display columns; `None` for no limit (piped output).
    pub width: Option<usize>,
    /// Plain ASCII: `-` rules, `-` for `−`, `x` for `×` (see [`ascii`]).
    pub ascii: bool,
}

static LAYOUT: OnceLock<Layout> = OnceLock::new();

/// Sets the layout every later [`Document::render`] uses; the command line calls it once,
/// before any output. Later calls are ignored, so one run never mixes two layouts.
pub fn set_layout(layout: Layout) {
    let _ = LAYOUT.set(layout);
}

/// The layout set with [`set_layout`]; no width limit and Unicode when none was set.
pub fn layout() -> Layout {
    LAYOUT.get().copied().unwrap_or_default()
}

/// Output formats every result command accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
    Markdown,
}

/// One typed value in a table; each renderer decides how it looks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    /// An amount of money, rounded to cents when shown.
    Money(Decimal),
    /// A change in money, sign always shown.
    MoneyDelta(Decimal),
    /// A change in percent, one decimal.
    PercentDelta(Decimal),
    /// A share of a whole in percent, one decimal, no sign.
    Share(Decimal),
    /// A unit price per 1M tokens, at full precision.
    Price(Decimal),
    /// A computed price per 1M tokens (a blend): cents from $1 up, else four significant
    /// digits; full precision in CSV.
    ComputedPrice(Decimal),
    Tokens(Decimal),
    /// A percentage at full precision (`50%`, `12.5%`), e.g. a discount.
    Percent(Decimal),
    /// A multiplier; `None` when undefined.
    Ratio(Option<Decimal>),
    /// Money per item (per task, per call), four decimals when shown.
    UnitMoney(Decimal),
    /// A duration in seconds, shown in s, min, h or d.
    Seconds(Decimal),
    /// A number of things (violations, requests).
    Count(u64),
    /// A word in place of a number (`baseline`, `—`): shown in tables, an empty cell in CSV.
    Marker(&'static str),
    Empty,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell::Text(text.into())
    }

    /// How people read it (tables, Markdown).
    pub fn human(&self) -> String {
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Money(value) => format::money(*value),
            Cell::MoneyDelta(value) => format::money_delta(*value),
            Cell::PercentDelta(value) => format::percent_delta(*value),
            Cell::Share(value) => format!("{}%", format::fixed(*value, 1)),
            Cell::Price(value) => format::price(*value),
            Cell::ComputedPrice(value) => format::computed_price(*value),
            Cell::Percent(value) => format!("{}%", format::plain(*value)),
            Cell::Tokens(value) => format::tokens(*value),
            Cell::Ratio(value) => format::ratio(*value),
            Cell::UnitMoney(value) => format::unit_money(*value),
            Cell::Seconds(value) => format::duration(*value),
            Cell::Count(count) => format::tokens(Decimal::from(*count)),
            Cell::Marker(word) => word.to_string(),
            Cell::Empty => String::new(),
        }
    }

    /// Whether it right-aligns its column. Markers are words; percentages at full precision
    /// (discounts) read as labels and stay left-aligned, as they always were.
    fn is_numeric(&self) -> bool {
        !matches!(
            self,
            Cell::Text(_) | Cell::Marker(_) | Cell::Percent(_) | Cell::Empty
        )
    }
}

/// A table: column names and rows of cells. Numeric columns are right-aligned.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    /// Column names as people read them.
    pub columns: Vec<String>,
    /// Column names in CSV, before the suffix of their kind (`monthly_cost` → `monthly_cost_usd`):
    /// by default the name in snake case.
    pub keys: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Columns a narrow terminal may hide, the first hidden first (indexes into `columns`).
    /// Other columns are always shown; their text wraps, their numbers never do.
    pub optional: Vec<usize>,
    /// One cell per column giving its kind when no row does (a CSV of no rows keeps the
    /// header it has with rows); empty when every column is text or rows always exist.
    pub prototype: Vec<Cell>,
}

impl Table {
    pub fn new(columns: &[&str]) -> Table {
        Table {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            keys: columns.iter().map(|c| csv::key(c)).collect(),
            rows: Vec::new(),
            optional: Vec::new(),
            prototype: Vec::new(),
        }
    }

    /// Declares each column's kind by a cell of it, for CSV headers that do not depend on
    /// whether there are rows.
    pub fn with_prototype(mut self, cells: Vec<Cell>) -> Table {
        debug_assert_eq!(cells.len(), self.columns.len());
        self.prototype = cells;
        self
    }

    /// Replaces the CSV keys (one per column).
    pub fn with_keys(mut self, keys: &[&str]) -> Table {
        debug_assert_eq!(keys.len(), self.columns.len());
        self.keys = keys.iter().map(|k| k.to_string()).collect();
        self
    }

    /// Puts a column at `index`, every row holding `cell` in it.
    pub fn insert_column(&mut self, index: usize, name: &str, cell: Cell) {
        self.columns.insert(index, name.to_string());
        self.keys.insert(index, csv::key(name));
        for optional in &mut self.optional {
            if *optional >= index {
                *optional += 1;
            }
        }
        if !self.prototype.is_empty() {
            self.prototype.insert(index, cell.clone());
        }
        for row in &mut self.rows {
            row.insert(index, cell.clone());
        }
    }

    /// Takes out the column at `index`.
    pub fn remove_column(&mut self, index: usize) {
        self.columns.remove(index);
        self.keys.remove(index);
        self.optional.retain(|optional| *optional != index);
        for optional in &mut self.optional {
            if *optional > index {
                *optional -= 1;
            }
        }
        if index < self.prototype.len() {
            self.prototype.remove(index);
        }
        for row in &mut self.rows {
            row.remove(index);
        }
    }

    /// Declares the columns a narrow terminal may hide, by name, least important first.
    /// Names that are not columns are ignored.
    pub fn optional_columns(mut self, names: &[&str]) -> Table {
        self.optional = names
            .iter()
            .filter_map(|name| self.columns.iter().position(|column| column == name))
            .collect();
        self
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    /// Whether column `index` holds numbers (and should be right-aligned).
    pub fn is_numeric_column(&self, index: usize) -> bool {
        self.rows
            .iter()
            .any(|row| row.get(index).is_some_and(Cell::is_numeric))
    }
}

/// A note block under the tables, e.g. the assumptions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Notes {
    pub heading: String,
    pub items: Vec<String>,
    /// Shown instead of the list when `items` is empty.
    pub when_empty: Option<String>,
}

/// What a command shows: a heading, tables, notes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Document {
    pub title: String,
    pub subtitle: Vec<String>,
    pub tables: Vec<(Option<String>, Table)>,
    pub notes: Vec<Notes>,
    /// The table CSV writes (one table per CSV); the first by default.
    pub csv_table: usize,
}

impl Document {
    /// Renders the document in `format` with the [`layout`] of this run; JSON is not a
    /// document format.
    pub fn render(&self, format: Format) -> String {
        self.render_with(format, layout())
    }

    /// Renders the document in `format` with `layout`.
    pub fn render_with(&self, format: Format, layout: Layout) -> String {
        match format {
            Format::Table => table::render_with(self, layout),
            Format::Csv => csv::render(self),
            Format::Markdown => ascii::fold_if(markdown::render(self), layout.ascii),
            Format::Json => unreachable!("JSON is serialized from the result, not a document"),
        }
    }
}
