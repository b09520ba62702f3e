//! Text that came from a user's file, made safe to show: control characters escaped and very
//! long values shortened.
//!
//! Names in scenarios and price files are free text. Shown raw, an ANSI escape sequence in a
//! workload name could recolour or rewrite the user's terminal, a newline could forge a line of
//! output, and a 5 MB value would flood it. Every renderer meant for people (tables, Markdown,
//! error messages) passes user text through [`escape`] (or [`escape_keep_newlines`] for whole
//! messages whose own layout uses line breaks). Machine formats keep the exact text: JSON
//! escapes it itself, CSV quotes it.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal raw: C0 and C1 controls, DEL, and the Unicode
/// bidirectional overrides and isolates that can make text read differently from its bytes.
fn is_hazard(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// How a hazardous character is shown: `\n`, `\r`, `\t`, `\x1b` for the other ASCII controls,
/// `\u{9b}` beyond ASCII.
fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
        c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
    }
}

/// `text` with every control character escaped (newline as `\n`, ESC as `\x1b`, …).
pub fn escape(text: &str) -> Cow<'_, str> {
    escape_except(text, |_| false)
}

/// Like [`escape`] but keeps line breaks and tabs: for whole messages whose layout uses them.
pub fn escape_keep_newlines(text: &str) -> Cow<'_, str> {
    escape_except(text, |c| c == '\n' || c == '\t')
}

fn escape_except(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(|c| is_hazard(c) && !keep(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_hazard(c) && !keep(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The longest piece of user text a message shows whole; longer text is cut in the middle.
pub const MAX_SHOWN_CHARS: usize = 200;

/// `text` escaped, and if longer than `max` characters, its start and end around a note of how
/// many characters were left out.
pub fn shorten(text: &str, max: usize) -> Cow<'_, str> {
    let escaped = escape(text);
    let count = escaped.chars().count();
    if count <= max {
        return escaped;
    }
    let keep = max / 2;
    let head: String = escaped.chars().take(keep).collect();
    let tail: String = escaped.chars().skip(count - keep).collect();
    Cow::Owned(format!(
        "{head}…[{} characters left out]…{tail}",
        count - 2 * keep
    ))
}

/// How an error message puts its advice on a line of its own: the only line break a message
/// of mixcost's makes (loader diagnostics have their own layout, see `load::diagnostic`).
pub const HELP_LINE: &str = "\n  = help: ";

/// An error message made safe to print: each part between [`HELP_LINE`]s escaped (a newline in
/// a name shows as `\n`) and shortened to `max` characters.
pub fn escape_message(message: &str, max: usize) -> String {
    message
        .split(HELP_LINE)
        .map(|part| shorten(part, max))
        .collect::<Vec<_>>()
        .join(HELP_LINE)
}

/// A long line cut to at most about `max` characters around character `column` (0-based):
/// the shown text and where `column` falls in it. Used for source excerpts under an error.
pub fn window(line: &str, column: usize, max: usize) -> (String, usize) {
    let count = line.chars().count();
    if count <= max {
        return (line.to_string(), column);
    }
    let before = max / 3;
    let start = column.saturating_sub(before).min(count.saturating_sub(max));
    let end = (start + max).min(count);
    let mut shown = String::new();
    let mut offset = 0;
    if start > 0 {
        shown.push('…');
        offset = 1;
    }
    shown.extend(line.chars().skip(start).take(end - start));
    if end < count {
        shown.push('…');
    }
    (shown, column - start + offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_plain_text_is_borrowed() {
        assert!(matches!(escape("gpt-5.5 — ünïcode"), Cow::Borrowed(_)));
        assert_eq!(escape("a\u{1b}[31mred"), "a\\x1b[31mred");
        assert_eq!(escape("two\nlines\r\t"), "two\\nlines\\r\\t");
        assert_eq!(escape("\u{7f}\u{9b}\u{202e}"), "\\x7f\\u{9b}\\u{202e}");
        assert_eq!(
            escape_keep_newlines("a\u{1b}b\n  = help\tx"),
            "a\\x1bb\n  = help\tx"
        );
    }

    #[test]
    fn a_message_keeps_its_help_line_and_nothing_else() {
        assert_eq!(
            escape_message(
                "no policy 'a\nerror: b\u{1b}[2J'\n  = help: its policies are: x",
                100
            ),
            "no policy 'a\\nerror: b\\x1b[2J'\n  = help: its policies are: x"
        );
    }

    #[test]
    fn long_text_keeps_its_ends() {
        let long = format!("start{}end", "x".repeat(10_000));
        let short = shorten(&long, 20);
        assert!(short.starts_with("startxxxxx…[") && short.ends_with("xxxxxxxend"));
        assert!(short.contains("9988 characters left out"));
        assert_eq!(shorten("short", 20), "short");
    }

    #[test]
    fn a_window_keeps_the_column_in_view() {
        let line = "a".repeat(1_000) + "B" + &"c".repeat(1_000);
        let (shown, at) = window(&line, 1_000, 90);
        assert_eq!(shown.chars().nth(at), Some('B'));
        assert!(shown.chars().count() <= 92);
        assert!(shown.starts_with('…') && shown.ends_with('…'));
        assert_eq!(window("short", 2, 90), ("short".to_string(), 2));
        let (shown, at) = window(&line, 5, 90);
        assert!(!shown.starts_with('…'));
        assert_eq!(at, 5);
    }
}
