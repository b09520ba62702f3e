//! Plain-text tables for the terminal.
//!
//! Layout never depends on the terminal's width, so the same input gives the same bytes. Every
//! piece of text is shown through [`text::escape`], so a name holding an ANSI escape sequence
//! or a newline reaches the terminal as `\x1b[…` or `\n`, never raw.

use comfy_table::{presets, CellAlignment, Table as TextTable, TableComponent};

use super::Document;
use crate::model::text;

fn shown(value: &str) -> String {
    text::escape(value).into_owned()
}

pub fn render(document: &Document) -> String {
    let mut out = String::new();
    out.push_str(&shown(&document.title));
    out.push('\n');
    for line in &document.subtitle {
        out.push_str(&shown(line));
        out.push('\n');
    }
    for (heading, table) in &document.tables {
        out.push('\n');
        if let Some(heading) = heading {
            out.push_str(&shown(heading));
            out.push('\n');
        }
        let mut grid = TextTable::new();
        grid.load_preset(presets::NOTHING);
        grid.set_style(TableComponent::HeaderLines, '─');
        grid.set_style(TableComponent::MiddleHeaderIntersections, '─');
        grid.set_header(table.columns.iter().map(|c| shown(c)).collect::<Vec<_>>());
        for row in &table.rows {
            grid.add_row(
                row.iter()
                    .map(|cell| shown(&cell.human()))
                    .collect::<Vec<_>>(),
            );
        }
        for index in 0..table.columns.len() {
            if table.is_numeric_column(index) {
                if let Some(column) = grid.column_mut(index) {
                    column.set_cell_alignment(CellAlignment::Right);
                }
            }
        }
        for line in grid.to_string().lines() {
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    for notes in &document.notes {
        out.push('\n');
        if notes.items.is_empty() {
            if let Some(empty) = &notes.when_empty {
                out.push_str(&format!("{}: {}\n", shown(&notes.heading), shown(empty)));
            }
            continue;
        }
        out.push_str(&format!("{}:\n", shown(&notes.heading)));
        for item in &notes.items {
            out.push_str(&format!("  - {}\n", shown(item)));
        }
    }
    out
}
