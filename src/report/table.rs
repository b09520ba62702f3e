//! Plain-text tables for the terminal.
//!
//! Layout never depends on the terminal's width, so the same input gives the same bytes.

use comfy_table::{presets, CellAlignment, Table as TextTable, TableComponent};

use super::Document;

pub fn render(document: &Document) -> String {
    let mut out = String::new();
    out.push_str(&document.title);
    out.push('\n');
    for line in &document.subtitle {
        out.push_str(line);
        out.push('\n');
    }
    for (heading, table) in &document.tables {
        out.push('\n');
        if let Some(heading) = heading {
            out.push_str(heading);
            out.push('\n');
        }
        let mut text = TextTable::new();
        text.load_preset(presets::NOTHING);
        text.set_style(TableComponent::HeaderLines, '─');
        text.set_style(TableComponent::MiddleHeaderIntersections, '─');
        text.set_header(table.columns.clone());
        for row in &table.rows {
            text.add_row(row.iter().map(|cell| cell.human()).collect::<Vec<_>>());
        }
        for index in 0..table.columns.len() {
            if table.is_numeric_column(index) {
                if let Some(column) = text.column_mut(index) {
                    column.set_cell_alignment(CellAlignment::Right);
                }
            }
        }
        for line in text.to_string().lines() {
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    for notes in &document.notes {
        out.push('\n');
        if notes.items.is_empty() {
            if let Some(empty) = &notes.when_empty {
                out.push_str(&format!("{}: {empty}\n", notes.heading));
            }
            continue;
        }
        out.push_str(&format!("{}:\n", notes.heading));
        for item in &notes.items {
            out.push_str(&format!("  - {item}\n"));
        }
    }
    out
}
