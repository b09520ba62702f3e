//! Reading input files into memory, with the errors a user can act on.
//!
//! A [`SourceFile`] is the text of one YAML file plus the name to show in diagnostics. Reading
//! refuses folders, missing files, empty files, files that are not UTF-8 and files too large to
//! be a scenario or a price list, each with a message naming the path.

use std::path::Path;

use super::diagnostic::Diagnostic;

/// Input files larger than this are refused before parsing: no scenario or price list is this big.
pub const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path as the user gave it, or `<built-in>/pricing/openai.yaml` for embedded files.
    pub name: String,
    pub text: String,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile {
            name: name.into(),
            text: text.into(),
        }
    }

    /// Reads `path`, refusing anything that cannot be a YAML input file.
    pub fn read(path: &Path) -> Result<SourceFile, Diagnostic> {
        let name = path.display().to_string();
        let metadata = std::fs::metadata(path).map_err(|error| {
            if error.kind() == std::io::ErrorKind::NotFound {
                Diagnostic::error(&name, format!("'{name}' does not exist"))
                    .with_help("check the path; it is relative to the current folder")
            } else {
                Diagnostic::error(&name, format!("cannot read '{name}': {error}"))
            }
        })?;
        if metadata.is_dir() {
            return Err(
                Diagnostic::error(&name, format!("'{name}' is a folder, not a file"))
                    .with_help("name a .yaml file inside it"),
            );
        }
        if metadata.len() > MAX_INPUT_BYTES {
            return Err(Diagnostic::error(
                &name,
                format!(
                    "'{name}' is {} bytes, more than the {MAX_INPUT_BYTES}-byte limit for an input file",
                    metadata.len()
                ),
            )
            .with_help("split it into smaller files"));
        }
        let bytes = std::fs::read(path)
            .map_err(|error| Diagnostic::error(&name, format!("cannot read '{name}': {error}")))?;
        let text = String::from_utf8(bytes).map_err(|error| {
            Diagnostic::error(
                &name,
                format!(
                    "'{name}' is not UTF-8 text (invalid byte at offset {})",
                    error.utf8_error().valid_up_to()
                ),
            )
            .with_help("save the file as UTF-8")
        })?;
        Ok(SourceFile { name, text })
    }
}
