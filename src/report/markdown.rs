//! Markdown for pull-request comments and documents.

use super::{Document, Table};

/// Escapes what would break a table cell (pipes) and control characters, line breaks included
/// (shown as `\n`, `\x1b`, …; see [`crate::model::text::escape`]).
pub fn escape(text: &str) -> String {
    crate::model::text::escape(text).replace('|', "\\|")
}

/// A Markdown table, numeric columns right-aligned.
pub fn table(table: &Table) -> String {
    let mut out = format!(
        "| {} |\n",
        table
            .columns
            .iter()
            .map(|c| escape(c))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let rule: Vec<&str> = (0..table.columns.len())
        .map(|index| {
            if table.is_numeric_column(index) {
                "---:"
            } else {
                "---"
            }
        })
        .collect();
    out.push_str(&format!("| {} |\n", rule.join(" | ")));
    for row in &table.rows {
        let cells: Vec<String> = row.iter().map(|cell| escape(&cell.human())).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

pub fn render(document: &Document) -> String {
    let mut out = format!("### {}\n\n", escape(&document.title));
    for line in &document.subtitle {
        out.push_str(&format!("{}  \n", escape(line)));
    }
    for (heading, rows) in &document.tables {
        out.push('\n');
        if let Some(heading) = heading {
            out.push_str(&format!("**{}**\n\n", escape(heading)));
        }
        out.push_str(&table(rows));
    }
    for notes in &document.notes {
        out.push('\n');
        if notes.items.is_empty() {
            if let Some(empty) = &notes.when_empty {
                out.push_str(&format!(
                    "**{}:** {}\n",
                    escape(&notes.heading),
                    escape(empty)
                ));
            }
            continue;
        }
        out.push_str(&format!("**{}:**\n\n", escape(&notes.heading)));
        for item in &notes.items {
            out.push_str(&format!("- {}\n", escape(item)));
        }
    }
    out
}
