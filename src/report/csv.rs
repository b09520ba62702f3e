//! CSV for spreadsheets: plain numbers, one header row per table.
//!
//! A document with several tables writes them one after another, separated by a blank line.
//! Headings and notes are left out; JSON carries everything.
//!
//! Text cells are user data (workload, policy and model names, sweep labels) and a spreadsheet
//! runs a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula, so
//! [`text`] prefixes such a cell with a single quote (OWASP's advice against CSV injection).
//! Numeric cells are typed ([`Cell`]) and written as plain numbers, negative ones included.

use std::borrow::Cow;

use super::{Cell, Document};

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

fn machine(cell: &Cell) -> String {
    match cell {
        Cell::Text(value) => text(value).into_owned(),
        other => other.machine(),
    }
}

pub fn render(document: &Document) -> String {
    let mut chunks = Vec::new();
    for (_, table) in &document.tables {
        let mut writer = csv::Writer::from_writer(Vec::new());
        // Writing to memory cannot fail; a failure here would be a bug in the csv crate.
        writer
            .write_record(table.columns.iter().map(|column| text(column).into_owned()))
            .expect("writing CSV to memory");
        for row in &table.rows {
            writer
                .write_record(row.iter().map(machine))
                .expect("writing CSV to memory");
        }
        let bytes = writer.into_inner().expect("flushing CSV to memory");
        chunks.push(String::from_utf8(bytes).expect("CSV of UTF-8 strings is UTF-8"));
    }
    chunks.join("\n")
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
            "name,cost\n\"'=HYPERLINK(\"\"x\"\")\",-12.50\n'@evil,-3.00\n"
        );
    }
}
