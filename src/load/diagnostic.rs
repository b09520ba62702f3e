//! Diagnostics: what went wrong in an input file, where, and what to do about it.
//!
//! Every loader error ends up as a [`Diagnostic`] that names the file, line and column, shows the
//! offending line with a caret under the value, and carries a `help` line. Rendering follows the
//! `error: …` / `--> file:line:col` layout users know from compilers and `just`. What the user's
//! file holds is shown escaped (no control character reaches the terminal) and bounded (a long
//! line is cut around the column, a long message in its middle).

use std::fmt;

use crate::model::text;

/// A position in a source file, 1-based, in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

impl Position {
    pub const UNKNOWN: Position = Position { line: 0, column: 0 };

    pub fn is_known(self) -> bool {
        self.line > 0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One finding about one place in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    /// The file as the user named it (or `<built-in>/…` for the embedded catalogue).
    pub file: String,
    pub position: Position,
    /// The full text of the offending line, when known.
    pub source_line: Option<String>,
    /// Width of the caret underline, in characters.
    pub width: usize,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            file: file.into(),
            position: Position::UNKNOWN,
            source_line: None,
            width: 1,
            help: None,
        }
    }

    pub fn warning(file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Points the diagnostic at `position` in `text`, underlining `width` characters.
    pub fn at(mut self, text: &str, position: Position, width: usize) -> Self {
        self.position = position;
        self.width = width.max(1);
        if position.is_known() {
            self.source_line = text
                .lines()
                .nth(position.line as usize - 1)
                .map(|line| line.trim_end_matches('\r').to_string());
        }
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The widest source excerpt shown under an error, in characters; longer lines are cut around
/// the column so a 5 MB line prints a few dozen characters, not the whole line.
const MAX_EXCERPT_CHARS: usize = 120;

/// The longest message or help line shown; longer ones (a huge offending value) are cut.
const MAX_MESSAGE_CHARS: usize = 400;

/// The source line escaped and cut to a window around the caret: the text, the caret's
/// 0-based character position in it and its width.
fn excerpt(line: &str, column: usize, width: usize) -> (String, usize, usize) {
    let mut escaped = String::with_capacity(line.len());
    let (mut start, mut end) = (None, None);
    let mut shown = 0;
    for (index, c) in line.chars().enumerate() {
        if index == column {
            start = Some(shown);
        }
        if index == column + width {
            end = Some(shown);
        }
        let piece = text::escape(c.encode_utf8(&mut [0; 4])).into_owned();
        shown += piece.chars().count();
        escaped.push_str(&piece);
    }
    let start = start.unwrap_or(shown);
    let end = end.unwrap_or(shown.max(start + 1));
    let (window, at) = text::window(&escaped, start, MAX_EXCERPT_CHARS);
    let room = window.chars().count().saturating_sub(at).max(1);
    (window, at, (end - start).clamp(1, room))
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let message = text::shorten(&self.message, MAX_MESSAGE_CHARS);
        let file = text::escape(&self.file);
        let help = self
            .help
            .as_deref()
            .map(|help| text::shorten(help, MAX_MESSAGE_CHARS));
        writeln!(f, "{label}: {message}")?;
        if self.position.is_known() {
            let line_number = self.position.line.to_string();
            let gutter = " ".repeat(line_number.len());
            writeln!(
                f,
                "{gutter}--> {file}:{}:{}",
                self.position.line, self.position.column
            )?;
            if let Some(line) = &self.source_line {
                let column = self.position.column.saturating_sub(1) as usize;
                let (shown, at, width) = excerpt(line, column, self.width);
                writeln!(f, "{gutter} |")?;
                writeln!(f, "{line_number} | {shown}")?;
                writeln!(f, "{gutter} | {}{}", " ".repeat(at), "^".repeat(width))?;
            }
            if let Some(help) = &help {
                writeln!(f, "{gutter} = help: {help}")?;
            }
        } else {
            writeln!(f, " --> {file}")?;
            if let Some(help) = &help {
                writeln!(f, "  = help: {help}")?;
            }
        }
        Ok(())
    }
}

/// One or more diagnostics that stopped a load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub diagnostics: Vec<Diagnostic>,
}

impl LoadError {
    pub fn new(diagnostics: Vec<Diagnostic>) -> Self {
        LoadError { diagnostics }
    }
}

impl From<Diagnostic> for LoadError {
    fn from(diagnostic: Diagnostic) -> Self {
        LoadError {
            diagnostics: vec![diagnostic],
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, diagnostic) in self.diagnostics.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}
