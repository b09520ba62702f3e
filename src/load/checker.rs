//! Collects every problem found while turning parsed YAML into validated data.
//!
//! Validation does not stop at the first bad value: a [`Checker`] records each diagnostic and
//! hands back `None` for the value, so one run reports all the mistakes in a file.

use super::diagnostic::{Diagnostic, LoadError, Position};
use super::source::SourceFile;
use super::values::Problem;
use super::yaml::Located;

pub struct Checker<'a> {
    pub source: &'a SourceFile,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Checker<'a> {
    pub fn new(source: &'a SourceFile) -> Self {
        Checker {
            source,
            diagnostics: Vec::new(),
        }
    }

    /// Parses a scalar with `parse`, recording a diagnostic that names `key` when it fails.
    pub fn parse<T>(
        &mut self,
        key: &str,
        field: &Located<String>,
        parse: impl FnOnce(&str) -> Result<T, Problem>,
    ) -> Option<T> {
        match parse(&field.value) {
            Ok(value) => Some(value),
            Err(problem) => {
                self.error_at(
                    field.position,
                    field.value.chars().count(),
                    format!("invalid `{key}`: {}", problem.message),
                    problem.help,
                );
                None
            }
        }
    }

    /// Like [`Checker::parse`] for an optional key.
    pub fn parse_optional<T>(
        &mut self,
        key: &str,
        field: &Option<Located<String>>,
        parse: impl FnOnce(&str) -> Result<T, Problem>,
    ) -> Option<Option<T>> {
        match field {
            None => Some(None),
            Some(field) => self.parse(key, field, parse).map(Some),
        }
    }

    pub fn error_at(
        &mut self,
        position: Position,
        width: usize,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let diagnostic = Diagnostic::error(&self.source.name, message)
            .at(&self.source.text, position, width)
            .with_help(help);
        self.diagnostics.push(diagnostic);
    }

    pub fn warning_at(
        &mut self,
        position: Position,
        width: usize,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let diagnostic = Diagnostic::warning(&self.source.name, message)
            .at(&self.source.text, position, width)
            .with_help(help);
        self.diagnostics.push(diagnostic);
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Returns `value` with the warnings, or every diagnostic when any is an error.
    pub fn finish<T>(self, value: Option<T>) -> Result<(T, Vec<Diagnostic>), LoadError> {
        match value {
            Some(value) if !self.has_errors() => Ok((value, self.diagnostics)),
            _ => Err(LoadError::new(self.diagnostics)),
        }
    }
}
