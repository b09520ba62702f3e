//! Plain ASCII for terminals that cannot show Unicode (`--ascii`, `TERM=dumb`).
//!
//! Tables and Markdown use a few typographic characters: a true minus sign in `−$12.00`, `×`
//! in multipliers, `─` rules, `—` for "none", `→` in changes, `·` between facts. [`fold`]
//! replaces each with its ASCII spelling. Other text (names from the user's files) is left as
//! written, so a name is never changed behind the user's back.

use std::borrow::Cow;

/// The ASCII spelling of a typographic character, or `None` to keep it.
fn spelling(c: char) -> Option<&'static str> {
    Some(match c {
        '−' | '–' | '—' | '─' | '‐' | '‑' => "-",
        '×' => "x",
        '→' => "->",
        '←' => "<-",
        '·' | '•' => "*",
        '…' => "...",
        '≈' => "~",
        '≤' => "<=",
        '≥' => ">=",
        '±' => "+/-",
        'Δ' => "delta",
        'Σ' => "sum",
        '✓' => "ok",
        '✗' => "x",
        '‘' | '’' => "'",
        '“' | '”' => "\"",
        '\u{a0}' | '\u{202f}' => " ",
        _ => return None,
    })
}

/// `text` with typographic characters spelled in ASCII.
pub fn fold(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| spelling(c).is_some()) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match spelling(c) {
            Some(ascii) => out.push_str(ascii),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `text` folded when `ascii` is set, else as it is.
pub fn fold_if(text: String, ascii: bool) -> String {
    if ascii {
        fold(&text).into_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typographic_characters_become_ascii() {
        assert_eq!(fold("−$1,080.40 (−69.7%)"), "-$1,080.40 (-69.7%)");
        assert_eq!(
            fold("8.6× · $743.00 → $1,304.00"),
            "8.6x * $743.00 -> $1,304.00"
        );
        assert_eq!(fold("────"), "----");
        assert_eq!(fold("Δ%"), "delta%");
        assert_eq!(fold("café"), "café");
    }
}
