//! CSV for spreadsheets: one table per file, one header row, plain numbers.
//!
//! The convention every command follows (the README's "CSV output" shows a sample):
//! - one table: the document's [`Document::csv_table`]; headings and notes go to a second CSV
//!   with `--assumptions FILE` ([`assumptions`]), and JSON carries everything;
//! - column names are snake-case keys with the kind of their values as suffix: money as
//!   `*_usd` rounded to the cent (per-item costs to four decimals) followed by `*_usd_exact`
//!   at full precision, always both; percentages as `*_pct` (`-69.7` is −69.7 %, never a
//!   fraction), unit prices as `*_usd_per_mtok`, token counts as `*_tokens`, counts as
//!   `requests` or `*_count`, multipliers as `*_ratio`, durations as `*_seconds`;
//! - numbers in ASCII: no `$`, `%` or thousands separators, `-` for minus; percentages and
//!   multipliers and durations to 12 significant digits ([`format::significant`]);
//! - dates ISO 8601; an empty cell where a figure does not apply (the baseline against itself).
//!
//! Text cells are user data (workload, policy and model names, sweep labels) and a spreadsheet
//! runs a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula, so
//! [`text`] prefixes such a cell with a single quote (OWASP's advice against CSV injection).
//! Numeric cells are typed ([`Cell`]) and written as plain numbers, negative ones included.

use std::borrow::Cow;

use rust_decimal::Decimal;

#[cfg(test)]
use super::Notes;
use super::{format, Cell, Document, Table};

/// A text cell made inert for spreadsheets: `'` before a leading `=`, `+`, `-`, `@`, tab or
/// carriage return. Text that is just a number (`-5`, `-10%`, `+0.25`) cannot hold a formula
/// and is kept as it is. Control characters other than line breaks and tabs (which CSV quotes)
/// are escaped as in tables, so CSV printed on a terminal cannot drive it either.
pub fn text(cell: &str) -> Cow<'_, str> {
    let cell = crate::model::text::escape_keep_newlines(cell);
    let risky = cell
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    if risky && !is_number(&cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        cell
    }
}

/// `-12`, `+0.5`, `-10%`, `-1.5e3`: a sign, digits, at most one point, an optional exponent
/// and percent sign.
fn is_number(cell: &str) -> bool {
    let body = cell.strip_prefix(['+', '-']).unwrap_or(cell);
    let body = body.strip_suffix('%').unwrap_or(body);
    let (mantissa, exponent) = match body.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (body, None),
    };
    let digits = |part: &str| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, fraction)) => {
            (digits(whole) || whole.is_empty()) && digits(fraction)
                || digits(whole) && fraction.is_empty()
        }
        None => digits(mantissa),
    };
    mantissa_ok && exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)))
}

/// A column name as a CSV key: lowercase ASCII words joined by `_` (`monthly cost` →
/// `monthly_cost`, `P(beats baseline)` → `p_beats_baseline`).
pub fn key(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

/// What a column holds, from its first numeric cell; it decides the suffix of its name and
/// whether an `_exact` column follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Text,
    /// Money rounded to `places` in `_usd`, exact in `_usd_exact`.
    Money(u32),
    Pct,
    Price,
    Tokens,
    Ratio,
    Seconds,
    Count,
}

fn kind(table: &Table, index: usize) -> Kind {
    let first = table
        .rows
        .iter()
        .chain(std::iter::once(&table.prototype))
        .find_map(|row| match row.get(index) {
            Some(Cell::Text(_) | Cell::Marker(_) | Cell::Empty) | None => None,
            Some(cell) => Some(cell),
        });
    match first {
        Some(Cell::Money(_) | Cell::MoneyDelta(_)) => Kind::Money(2),
        Some(Cell::UnitMoney(_)) => Kind::Money(4),
        Some(Cell::PercentDelta(_) | Cell::Share(_) | Cell::Percent(_)) => Kind::Pct,
        Some(Cell::Price(_) | Cell::ComputedPrice(_)) => Kind::Price,
        Some(Cell::Tokens(_)) => Kind::Tokens,
        Some(Cell::Ratio(_)) => Kind::Ratio,
        Some(Cell::Seconds(_)) => Kind::Seconds,
        Some(Cell::Count(_)) => Kind::Count,
        _ => Kind::Text,
    }
}

/// `key` with `suffix`, unless it already ends so (`tokens` stays `tokens`).
fn suffixed(key: &str, suffix: &str) -> String {
    let bare = suffix.trim_start_matches('_');
    if key == bare || key.ends_with(suffix) {
        key.to_string()
    } else {
        format!("{key}{suffix}")
    }
}

fn headers(key: &str, kind: Kind) -> Vec<String> {
    match kind {
        Kind::Text => vec![key.to_string()],
        Kind::Money(_) => {
            let usd = suffixed(key, "_usd");
            vec![usd.clone(), format!("{usd}_exact")]
        }
        Kind::Pct => vec![suffixed(key, "_pct")],
        Kind::Price => vec![suffixed(key, "_usd_per_mtok")],
        Kind::Tokens => vec![suffixed(key, "_tokens")],
        Kind::Ratio => vec![suffixed(key, "_ratio")],
        Kind::Seconds => vec![suffixed(key, "_seconds")],
        Kind::Count if key.ends_with("requests") => vec![key.to_string()],
        Kind::Count => vec![suffixed(key, "_count")],
    }
}

/// The cell's CSV values under `kind`: one per header.
fn values(cell: &Cell, kind: Kind) -> Vec<String> {
    let width = headers("", kind).len();
    let number = match cell {
        Cell::Text(value) => return padded(text(value).into_owned(), width),
        Cell::Marker(_) | Cell::Empty => return vec![String::new(); width],
        Cell::Money(value)
        | Cell::MoneyDelta(value)
        | Cell::UnitMoney(value)
        | Cell::PercentDelta(value)
        | Cell::Share(value)
        | Cell::Percent(value)
        | Cell::Price(value)
        | Cell::ComputedPrice(value)
        | Cell::Tokens(value)
        | Cell::Seconds(value) => *value,
        Cell::Ratio(None) => return vec![String::new(); width],
        Cell::Ratio(Some(value)) => *value,
        Cell::Count(count) => Decimal::from(*count),
    };
    match kind {
        Kind::Money(places) => vec![format::fixed(number, places), format::plain(number)],
        Kind::Pct | Kind::Ratio | Kind::Seconds => vec![format::significant(number)],
        Kind::Text | Kind::Price | Kind::Tokens | Kind::Count => {
            vec![format::plain(number)]
        }
    }
}

/// A text cell in a column of `width` values: the text, then empty cells.
fn padded(first: String, width: usize) -> Vec<String> {
    let mut out = vec![String::new(); width];
    out[0] = first;
    out
}

/// The table's CSV header and rows.
fn grid(table: &Table) -> (Vec<String>, Vec<Vec<String>>) {
    let kinds: Vec<Kind> = (0..table.columns.len())
        .map(|index| kind(table, index))
        .collect();
    let header = table
        .keys
        .iter()
        .zip(&kinds)
        .flat_map(|(key, kind)| headers(key, *kind))
        .collect();
    let rows = table
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .zip(&kinds)
                .flat_map(|(cell, kind)| values(cell, *kind))
                .collect()
        })
        .collect();
    (header, rows)
}

fn write(header: &[String], rows: &[Vec<String>]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail; a failure here would be a bug in the csv crate.
    writer
        .write_record(header.iter().map(|column| text(column).into_owned()))
        .expect("writing CSV to memory");
    for row in rows {
        writer.write_record(row).expect("writing CSV to memory");
    }
    let bytes = writer.into_inner().expect("flushing CSV to memory");
    String::from_utf8(bytes).expect("CSV of UTF-8 strings is UTF-8")
}

/// The document's CSV: its [`Document::csv_table`] alone, one header row.
pub fn render(document: &Document) -> String {
    render_all(std::slice::from_ref(document))
}

/// One CSV of several documents' tables (several scenarios): the columns of all of them in
/// order of first appearance, a cell left empty where a document has no such column.
pub fn render_all(documents: &[Document]) -> String {
    let mut header: Vec<String> = Vec::new();
    let mut parts = Vec::new();
    for document in documents {
        let Some((_, table)) = document.tables.get(document.csv_table) else {
            continue;
        };
        let (columns, rows) = grid(table);
        for column in &columns {
            if !header.contains(column) {
                header.push(column.clone());
            }
        }
        parts.push((columns, rows));
    }
    let mut rows = Vec::new();
    for (columns, part) in parts {
        let at: Vec<Option<usize>> = header
            .iter()
            .map(|name| columns.iter().position(|c| c == name))
            .collect();
        for row in part {
            rows.push(
                at.iter()
                    .map(|index| index.map(|i| row[i].clone()).unwrap_or_default())
                    .collect(),
            );
        }
    }
    write(&header, &rows)
}

/// The notes of documents as CSV for `--assumptions FILE`: one row per line of a document's
/// heading (section `heading`) and per note (section: the note block's heading).
pub fn assumptions(documents: &[Document]) -> String {
    let header = ["title", "section", "note"].map(String::from);
    let mut rows = Vec::new();
    for document in documents {
        let row = |section: &str, note: &str| {
            vec![
                text(&document.title).into_owned(),
                text(section).into_owned(),
                text(note).into_owned(),
            ]
        };
        for line in &document.subtitle {
            rows.push(row("heading", line));
        }
        for notes in &document.notes {
            if notes.items.is_empty() {
                if let Some(empty) = &notes.when_empty {
                    rows.push(row(&notes.heading, empty));
                }
            }
            for item in &notes.items {
                rows.push(row(&notes.heading, item));
            }
        }
    }
    write(&header, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Table;
    use rust_decimal::dec;

    #[test]
    fn formulas_in_text_are_neutralised() {
        for risky in ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx"] {
            assert_eq!(text(risky), format!("'{risky}"));
        }
        // A carriage return is escaped like other controls, which also defuses it.
        assert_eq!(text("\rx"), "\\rx");
        assert_eq!(text("a\u{1b}[2Jb\nc"), "a\\x1b[2Jb\nc");
        for plain in [
            "gpt-5.5", "a=b", "-5", "-10%", "+0.25", "-1.5e3", "x0.5", "",
        ] {
            assert_eq!(text(plain), plain);
        }
    }

    #[test]
    fn numbers_stay_numbers_and_text_cells_are_quoted() {
        let mut table = Table::new(&["name", "cost"]);
        table.push(vec![
            Cell::text("=HYPERLINK(\"x\")"),
            Cell::MoneyDelta(dec!(-12.5)),
        ]);
        table.push(vec![Cell::text("@evil"), Cell::Money(dec!(-3))]);
        let document = Document {
            tables: vec![(None, table)],
            ..Document::default()
        };
        assert_eq!(
            render(&document),
            "name,cost_usd,cost_usd_exact\n\"'=HYPERLINK(\"\"x\"\")\",-12.50,-12.5\n'@evil,-3.00,-3\n"
        );
    }
}

#[cfg(test)]
mod convention {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn keys_are_snake_case_ascii() {
        assert_eq!(key("monthly cost"), "monthly_cost");
        assert_eq!(key("P(beats baseline)"), "p_beats_baseline");
        assert_eq!(key("Δ%"), "");
        assert_eq!(key("cost per success"), "cost_per_success");
    }

    #[test]
    fn one_table_with_typed_columns_and_markers_left_empty() {
        let mut table = Table::new(&["policy", "monthly cost", "vs baseline", "change", "tokens"]);
        table.push(vec![
            Cell::text("a"),
            Cell::Money(dec!(1550)),
            Cell::Marker("baseline"),
            Cell::Empty,
            Cell::Tokens(dec!(1000)),
        ]);
        table.push(vec![
            Cell::text("b"),
            Cell::Money(dec!(469.605)),
            Cell::MoneyDelta(dec!(-1080.395)),
            Cell::PercentDelta(dec!(-200) / dec!(3)),
            Cell::Tokens(dec!(20)),
        ]);
        let document = Document {
            tables: vec![(None, table), (None, Table::new(&["ignored"]))],
            ..Document::default()
        };
        assert_eq!(
            render(&document),
            "policy,monthly_cost_usd,monthly_cost_usd_exact,vs_baseline_usd,vs_baseline_usd_exact,change_pct,tokens\n\
             a,1550.00,1550,,,,1000\n\
             b,469.61,469.605,-1080.40,-1080.395,-66.6666666667,20\n"
        );
    }

    #[test]
    fn several_documents_share_one_header() {
        let doc = |name: &str, extra: bool| {
            let mut table = Table::new(&["scenario", "cost"]);
            table.push(vec![Cell::text(name), Cell::Money(dec!(1))]);
            if extra {
                table.insert_column(2, "share", Cell::Share(dec!(50)));
            }
            Document {
                tables: vec![(None, table)],
                ..Document::default()
            }
        };
        assert_eq!(
            render_all(&[doc("x", false), doc("y", true)]),
            "scenario,cost_usd,cost_usd_exact,share_pct\nx,1.00,1,\ny,1.00,1,50\n"
        );
    }

    #[test]
    fn assumptions_carry_headings_and_notes() {
        let document = Document {
            title: "seed".into(),
            subtitle: vec!["prices as of 2026-11-30".into()],
            notes: vec![Notes {
                heading: "assumptions".into(),
                items: vec!["=cached at 90%".into()],
                when_empty: None,
            }],
            ..Document::default()
        };
        assert_eq!(
            assumptions(&[document]),
            "title,section,note\nseed,heading,prices as of 2026-11-30\nseed,assumptions,'=cached at 90%\n"
        );
    }
}
