//! Plain-text tables for the terminal.
//!
//! Layout depends only on the [`Layout`] given (a width and ASCII mode), never on the clock or
//! the thread count, so the same input and layout give the same bytes. With no width, tables
//! take the room they need (piped output). With a width, a table too wide first hides its
//! optional columns, least important first, and says under it which ones and how to see them;
//! if still too wide, its text cells wrap. Numbers are never cut or wrapped. Headings and notes
//! wrap at word boundaries. Every piece of text is shown through [`text::escape`], so a name
//! holding an ANSI escape sequence or a newline reaches the terminal as `\x1b[…` or `\n`,
//! never raw.

use comfy_table::{presets, CellAlignment, Table as TextTable, TableComponent};
use unicode_width::UnicodeWidthStr;

use super::{ascii, Document, Layout, Table};
use crate::model::text;

/// Renders `document` with no width limit and Unicode rules.
pub fn render(document: &Document) -> String {
    render_with(document, Layout::default())
}

/// Renders `document` for a terminal of `layout`.
pub fn render_with(document: &Document, layout: Layout) -> String {
    let shown = |value: &str| -> String {
        let escaped = text::escape(value);
        if layout.ascii {
            ascii::fold(&escaped).into_owned()
        } else {
            escaped.into_owned()
        }
    };
    let mut out = String::new();
    let line = |out: &mut String, text: &str, indent: &str, hanging: &str| {
        for piece in wrap(text, layout.width, indent, hanging) {
            out.push_str(&piece);
            out.push('\n');
        }
    };
    line(&mut out, &shown(&document.title), "", "");
    for subtitle in &document.subtitle {
        line(&mut out, &shown(subtitle), "", "  ");
    }
    for (heading, table) in &document.tables {
        out.push('\n');
        if let Some(heading) = heading {
            line(&mut out, &shown(heading), "", "  ");
        }
        let (grid, hidden) = fit(table, layout, &shown);
        out.push_str(&grid);
        if !hidden.is_empty() {
            let names: Vec<String> = hidden.iter().map(|&i| shown(&table.columns[i])).collect();
            line(
                &mut out,
                &format!(
                    "({} hidden to fit {} columns: {}; see {} with --format csv, or in a wider terminal)",
                    if hidden.len() == 1 { "1 column" } else { "columns" },
                    layout.width.unwrap_or_default(),
                    names.join(", "),
                    if hidden.len() == 1 { "it" } else { "them" },
                ),
                "",
                " ",
            );
        }
    }
    for notes in &document.notes {
        out.push('\n');
        if notes.items.is_empty() {
            if let Some(empty) = &notes.when_empty {
                let text = format!("{}: {}", shown(&notes.heading), shown(empty));
                line(&mut out, &text, "", "  ");
            }
            continue;
        }
        out.push_str(&format!("{}:\n", shown(&notes.heading)));
        for item in &notes.items {
            line(&mut out, &shown(item), "  - ", "    ");
        }
    }
    out
}

/// The table laid out within `layout.width`, and the optional columns it hid to fit.
fn fit(table: &Table, layout: Layout, shown: &dyn Fn(&str) -> String) -> (String, Vec<usize>) {
    let cells: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|row| row.iter().map(|cell| shown(&cell.human())).collect())
        .collect();
    let header: Vec<String> = table.columns.iter().map(|c| shown(c)).collect();
    let Some(width) = layout.width else {
        return (grid(table, &header, &cells, &[], layout), Vec::new());
    };
    // Hide optional columns while the table is too wide at its natural width; then wrap its
    // text. If even wrapped text cannot fit, hide the next optional column and try again.
    let mut hidden: Vec<usize> = Vec::new();
    let mut next = table.optional.iter().copied();
    let mut text = grid(table, &header, &cells, &hidden, layout);
    while widest(&text) > width {
        match next.next() {
            // Never hide every column.
            Some(column) if hidden.len() + 1 < table.columns.len() => {
                hidden.push(column);
                text = grid(table, &header, &cells, &hidden, layout);
            }
            _ => break,
        }
    }
    loop {
        let overflow = widest(&text).saturating_sub(width);
        if overflow == 0 {
            break;
        }
        let widths = narrowed(table, &header, &cells, &hidden, (overflow, width));
        let wrapped = |row: &[String]| -> Vec<String> {
            row.iter()
                .zip(&widths)
                .map(|(text, &width)| wrap_cell(text, width))
                .collect()
        };
        let narrow_header = wrapped(&header);
        let narrow_cells: Vec<Vec<String>> = cells.iter().map(|row| wrapped(row)).collect();
        text = grid(table, &narrow_header, &narrow_cells, &hidden, layout);
        match next.next() {
            Some(column) if widest(&text) > width && hidden.len() + 1 < table.columns.len() => {
                hidden.push(column);
                text = grid(table, &header, &cells, &hidden, layout);
            }
            _ => break,
        }
    }
    hidden.sort_unstable();
    (text, hidden)
}

/// The widest line of `text`, in display columns.
fn widest(text: &str) -> usize {
    text.lines().map(UnicodeWidthStr::width).max().unwrap_or(0)
}

/// Column widths (in display columns, one per column, hidden ones included) that take
/// `overflow` columns off a table meant for `width` by narrowing its text columns, widest first. A number
/// keeps its width (its heading may wrap between words); text keeps room for its longest word,
/// up to a third of the table, so names break between words where they can.
fn narrowed(
    table: &Table,
    header: &[String],
    cells: &[Vec<String>],
    hidden: &[usize],
    (overflow, width): (usize, usize),
) -> Vec<usize> {
    let column = |index: usize| {
        std::iter::once(&header[index]).chain(cells.iter().map(move |row| &row[index]))
    };
    let natural: Vec<usize> = (0..header.len())
        .map(|index| column(index).map(|text| text.width()).max().unwrap_or(0))
        .collect();
    let longest_word = |index: usize| {
        column(index)
            .flat_map(|text| text.split(' '))
            .map(UnicodeWidthStr::width)
            .max()
            .unwrap_or(0)
    };
    let least: Vec<usize> = (0..header.len())
        .map(|index| {
            if table.is_numeric_column(index) {
                let numbers = cells
                    .iter()
                    .map(|row| row[index].width())
                    .max()
                    .unwrap_or(0);
                let heading = header[index].split(' ').map(UnicodeWidthStr::width).max();
                numbers.max(heading.unwrap_or(0).min(10))
            } else {
                longest_word(index).min((width / 3).max(1))
            }
        })
        .collect();
    // As a last resort, text breaks inside words, down to a few columns.
    let last_resort: Vec<usize> = (0..header.len())
        .map(|index| {
            if table.is_numeric_column(index) {
                least[index]
            } else {
                least[index].min(6)
            }
        })
        .collect();
    let mut widths = natural.clone();
    let mut left = overflow;
    for floor in [&least, &last_resort] {
        while left > 0 {
            let widest = (0..widths.len())
                .filter(|index| !hidden.contains(index) && widths[*index] > floor[*index])
                .max_by_key(|index| (widths[*index], std::cmp::Reverse(*index)));
            let Some(widest) = widest else { break };
            widths[widest] -= 1;
            left -= 1;
        }
    }
    widths
}

/// `text` broken into lines of at most `width` display columns, between words where it can,
/// inside a word longer than a line.
fn wrap_cell(text: &str, width: usize) -> String {
    if text.width() <= width || width == 0 {
        return text.to_string();
    }
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        if !current.is_empty() && current.width() + 1 + word.width() <= width {
            current.push(' ');
            current.push_str(word);
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        for c in word.chars() {
            let c_width = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if current.width() + c_width > width && !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            current.push(c);
        }
    }
    lines.push(current);
    lines.join("\n")
}

/// One layout of the table, `hidden` columns left out.
fn grid(
    table: &Table,
    header: &[String],
    cells: &[Vec<String>],
    hidden: &[usize],
    layout: Layout,
) -> String {
    let kept: Vec<usize> = (0..table.columns.len())
        .filter(|index| !hidden.contains(index))
        .collect();
    let mut grid = TextTable::new();
    grid.load_preset(presets::NOTHING);
    let rule = if layout.ascii { '-' } else { '─' };
    grid.set_style(TableComponent::HeaderLines, rule);
    grid.set_style(TableComponent::MiddleHeaderIntersections, rule);
    grid.set_header(kept.iter().map(|&i| header[i].clone()).collect::<Vec<_>>());
    for row in cells {
        grid.add_row(kept.iter().map(|&i| row[i].clone()).collect::<Vec<_>>());
    }
    for (position, &index) in kept.iter().enumerate() {
        if table.is_numeric_column(index) {
            if let Some(column) = grid.column_mut(position) {
                column.set_cell_alignment(CellAlignment::Right);
            }
        }
    }
    let rendered = grid.to_string();
    let lines: Vec<&str> = rendered.lines().map(str::trim_end).collect();
    let is_rule = |line: &str| !line.is_empty() && line.chars().all(|c| c == rule);
    // With a width to keep to, the rule under the header spans the text, not the last
    // column's padding; without one, the layout stays as it always was.
    let text_width = lines
        .iter()
        .filter(|line| !is_rule(line))
        .map(|line| line.width())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for line in lines {
        if is_rule(line) && layout.width.is_some() {
            out.extend(std::iter::repeat_n(rule, text_width));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// `text` broken at spaces into lines of at most `width` display columns, the first starting
/// with `indent` and the rest with `hanging`. A word longer than a line stays whole.
fn wrap(text: &str, width: Option<usize>, indent: &str, hanging: &str) -> Vec<String> {
    let Some(width) = width else {
        return vec![format!("{indent}{text}")];
    };
    let mut lines = Vec::new();
    let mut current = indent.to_string();
    for (index, word) in text.split(' ').enumerate() {
        if index == 0 {
            current.push_str(word);
        } else if current.width() + 1 + word.width() <= width {
            current.push(' ');
            current.push_str(word);
        } else {
            lines.push(current);
            current = format!("{hanging}{word}");
        }
    }
    lines.push(current);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Cell;
    use rust_decimal::dec;

    fn wide() -> Document {
        let mut table = Table::new(&["name", "cost", "note", "source"]);
        table.push(vec![
            Cell::text("a-rather-long-model-name"),
            Cell::Money(dec!(-1234567.891)),
            Cell::text("a long note that can wrap over several lines of text"),
            Cell::text("https://example.com/a/long/page/about/prices"),
        ]);
        Document {
            title: "title".into(),
            subtitle: vec!["one · two".into()],
            tables: vec![(None, table.optional_columns(&["source"]))],
            notes: Vec::new(),
            csv_table: 0,
        }
    }

    #[test]
    fn no_width_means_no_change() {
        let text = render(&wide());
        assert!(text.contains("https://example.com/a/long/page/about/prices"));
        assert!(!text.contains("hidden"));
    }

    #[test]
    fn narrow_tables_hide_optional_columns_then_wrap_text_but_never_numbers() {
        let layout = Layout {
            width: Some(44),
            ascii: false,
        };
        let text = render_with(&wide(), layout);
        for line in text.lines() {
            assert!(line.width() <= 44, "{line:?} is wider than 44");
        }
        assert!(!text.contains("example.com"));
        assert!(text.contains("−$1,234,567.89"), "{text}");
        assert!(text.contains("hidden to fit 44 columns: source"));
    }

    #[test]
    fn ascii_layout_is_plain_ascii() {
        let layout = Layout {
            width: None,
            ascii: true,
        };
        let text = render_with(&wide(), layout);
        assert!(text.is_ascii(), "{text}");
        assert!(text.contains("-$1,234,567.89"));
    }

    #[test]
    fn words_wrap_with_a_hanging_indent() {
        assert_eq!(
            wrap("aa bb cc dd", Some(8), "- ", "  "),
            vec!["- aa bb", "  cc dd"]
        );
        assert_eq!(
            wrap("averyveryverylongword x", Some(8), "", ""),
            vec!["averyveryverylongword", "x"]
        );
    }
}
