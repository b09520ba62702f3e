//! CSV for spreadsheets: plain numbers, one header row per table.
//!
//! A document with several tables writes them one after another, separated by a blank line.
//! Headings and notes are left out; JSON carries everything.

use super::Document;

pub fn render(document: &Document) -> String {
    let mut chunks = Vec::new();
    for (_, table) in &document.tables {
        let mut writer = csv::Writer::from_writer(Vec::new());
        // Writing to memory cannot fail; a failure here would be a bug in the csv crate.
        writer
            .write_record(&table.columns)
            .expect("writing CSV to memory");
        for row in &table.rows {
            writer
                .write_record(row.iter().map(|cell| cell.machine()))
                .expect("writing CSV to memory");
        }
        let bytes = writer.into_inner().expect("flushing CSV to memory");
        chunks.push(String::from_utf8(bytes).expect("CSV of UTF-8 strings is UTF-8"));
    }
    chunks.join("\n")
}
