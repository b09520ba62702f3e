//! Markdown for pull-request comments: a marker line, tables, folded details, and a length cap.
//!
//! A CI job finds its earlier comment by [`MARKER`] and edits it instead of adding another.
//! GitHub refuses comments over 65,536 characters, so [`fit`] cuts a long comment at a line
//! boundary under [`LIMIT`], closes any open `<details>` and says that it was cut.

/// A hidden line that identifies mixcost's comment on a pull request.
pub const MARKER: &str = "<!-- mixcost-report -->";

/// The longest comment written, in characters, leaving room under GitHub's limit.
pub const LIMIT: usize = 65_000;

pub use super::markdown::{escape, table};

/// `body` folded under `summary`.
pub fn details(summary: &str, body: &str) -> String {
    format!("<details><summary>{summary}</summary>\n\n{body}\n</details>\n")
}

/// `text` if it is at most `limit` characters; otherwise its first lines, any open `<details>`
/// closed, and a note saying how long the whole report is and how to get it.
pub fn fit(text: &str, limit: usize) -> String {
    let total = text.chars().count();
    if total <= limit {
        return text.to_string();
    }
    let note = format!(
        "\n> **Note:** this report is {total} characters, more than a comment holds; it was cut here. Write the whole report with `--format markdown -o report.md` and attach it.\n"
    );
    const CLOSE: &str = "\n</details>\n";
    let budget = limit.saturating_sub(note.chars().count() + CLOSE.chars().count());
    let mut kept = String::new();
    let mut used = 0;
    for line in text.split_inclusive('\n') {
        let length = line.chars().count();
        if used + length > budget {
            break;
        }
        kept.push_str(line);
        used += length;
    }
    let open = kept.matches("<details>").count();
    let closed = kept.matches("</details>").count();
    if open > closed {
        kept.push_str(CLOSE);
    }
    kept.push_str(&note);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_comments_are_kept_whole() {
        assert_eq!(fit("a\nb\n", 100), "a\nb\n");
    }

    #[test]
    fn long_comments_are_cut_at_a_line_and_close_their_details() {
        let mut text = String::from("# head\n<details><summary>all</summary>\n\n");
        for index in 0..2_000 {
            text.push_str(&format!("| row {index} | $1.00 |\n"));
        }
        text.push_str("</details>\n");
        let cut = fit(&text, 1_000);
        assert!(cut.chars().count() <= 1_000, "{}", cut.chars().count());
        assert!(cut.starts_with("# head\n"));
        assert!(cut.contains("| row 0 | $1.00 |\n"));
        assert!(!cut.contains("row 1999"));
        assert_eq!(
            cut.matches("<details>").count(),
            cut.matches("</details>").count()
        );
        assert!(cut.contains(&format!(
            "this report is {} characters",
            text.chars().count()
        )));
        for line in cut.lines().filter(|line| line.starts_with("| row")) {
            assert!(line.ends_with("$1.00 |"), "a row was cut in half: {line}");
        }
    }
}
