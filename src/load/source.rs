//! Reading input files into memory, with the errors a user can act on. Every input mixcost
//! reads from a path — scenarios, price files and folders, `--against` bases, `diff` inputs,
//! JSON results — goes through [`SourceFile::read`].
//!
//! A [`SourceFile`] is the text of one file plus the name to show in diagnostics. Reading
//! refuses folders, missing files, files that are not UTF-8 (located by line and column) and
//! anything larger than [`MAX_INPUT_BYTES`] — whatever the file type: a device such as
//! `/dev/zero` is read only up to the cap, and a FIFO is opened without waiting for a writer
//! (one with no writer reads as empty), so no input can hang mixcost or exhaust its memory.
//! `/dev/stdin` and process substitution (`<(…)`) work, and are read once even when a command
//! looks at them twice.
//!
//! Each file read is remembered (device and inode) so the `-o` writer can refuse to write its
//! report over one of the run's own inputs.

use std::fs::{File, Metadata, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::Path;
use std::sync::Mutex;

use super::diagnostic::{Diagnostic, Position};

/// Input files larger than this are refused before parsing: no scenario or price list is this big.
pub const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path as the user gave it, or `<built-in>/pricing/openai.yaml` for embedded files.
    pub name: String,
    pub text: String,
}

/// One file this run read: its identity, its name as given, and — for a pipe or device, which
/// cannot be read twice — its text.
struct Input {
    device: u64,
    inode: u64,
    name: String,
    text: Option<String>,
}

static INPUTS: Mutex<Vec<Input>> = Mutex::new(Vec::new());

fn inputs() -> std::sync::MutexGuard<'static, Vec<Input>> {
    INPUTS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The name of the input this run read that is the same file as `metadata`, if any.
pub fn read_as_input(metadata: &Metadata) -> Option<String> {
    inputs()
        .iter()
        .find(|read| read.device == metadata.dev() && read.inode == metadata.ino())
        .map(|read| read.name.clone())
}

/// Records a file this run reads as a stream (a request log), so that `-o` refuses to
/// replace it; the text is not kept.
pub fn note_streamed_input(path: &Path, metadata: &Metadata) {
    inputs().push(Input {
        device: metadata.dev(),
        inode: metadata.ino(),
        name: path.display().to_string(),
        text: None,
    });
}

/// Clears `O_NONBLOCK` on `file`, opened without blocking only so that opening a FIFO does not
/// wait for the other end.
pub fn set_blocking(file: &File) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a file descriptor we own, with flags read from it.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags < 0 || libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) < 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile {
            name: name.into(),
            text: text.into(),
        }
    }

    /// Reads `path`, refusing anything that cannot be an input file.
    pub fn read(path: &Path) -> Result<SourceFile, Diagnostic> {
        let name = path.display().to_string();
        let cannot = |error: std::io::Error| {
            Diagnostic::error(&name, format!("cannot read '{name}': {error}"))
        };
        let metadata = std::fs::metadata(path).map_err(|error| {
            if error.kind() == std::io::ErrorKind::NotFound {
                Diagnostic::error(&name, format!("'{name}' does not exist"))
                    .with_help("check the path; it is relative to the current folder")
            } else {
                cannot(error)
            }
        })?;
        let kind = metadata.file_type();
        if kind.is_dir() {
            return Err(
                Diagnostic::error(&name, format!("'{name}' is a folder, not a file"))
                    .with_help("name a .yaml file inside it"),
            );
        }
        if kind.is_file() && metadata.len() > MAX_INPUT_BYTES {
            return Err(too_large(&name, &format!("is {} bytes,", metadata.len())));
        }
        let regular = kind.is_file();
        if !regular {
            let cached = inputs()
                .iter()
                .find(|read| read.device == metadata.dev() && read.inode == metadata.ino())
                .and_then(|read| read.text.clone());
            if let Some(text) = cached {
                return Ok(SourceFile { name, text });
            }
        }
        let mut options = OpenOptions::new();
        options.read(true);
        if kind.is_fifo() {
            options.custom_flags(libc::O_NONBLOCK);
        }
        let file = options.open(path).map_err(cannot)?;
        if kind.is_fifo() {
            set_blocking(&file).map_err(cannot)?;
        }
        // Also bounds a regular file that grows while it is read.
        let mut bytes = Vec::new();
        file.take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(cannot)?;
        if bytes.len() as u64 > MAX_INPUT_BYTES {
            let what = if regular {
                "grew while it was read to"
            } else {
                "is not a regular file and gave"
            };
            return Err(too_large(&name, what));
        }
        let text = decode(&name, bytes)?;
        inputs().push(Input {
            device: metadata.dev(),
            inode: metadata.ino(),
            name: name.clone(),
            text: (!regular).then(|| text.clone()),
        });
        Ok(SourceFile { name, text })
    }
}

fn too_large(name: &str, what: &str) -> Diagnostic {
    Diagnostic::error(
        name,
        format!("'{name}' {what} more than the {MAX_INPUT_BYTES}-byte limit for an input file"),
    )
    .with_help("no scenario or price file is this large: check the path, or split the file")
}

/// `bytes` as UTF-8, or an error at the line and column of the first invalid byte.
fn decode(name: &str, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    let error = match String::from_utf8(bytes) {
        Ok(text) => return Ok(text),
        Err(error) => error,
    };
    let valid = error.utf8_error().valid_up_to();
    let bytes = error.as_bytes();
    let line_start = bytes[..valid]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = bytes[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
    // The valid prefix is UTF-8, so its characters can be counted.
    let before = std::str::from_utf8(&bytes[line_start..valid]).unwrap_or_default();
    let column = before.chars().count() + 1;
    let line_end = bytes[valid..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| valid + i);
    let shown = String::from_utf8_lossy(&bytes[line_start..line_end]);
    let position = Position {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: u32::try_from(column).unwrap_or(u32::MAX),
    };
    let mut diagnostic = Diagnostic::error(
        name,
        format!(
            "'{name}' is not UTF-8 text: byte 0x{:02x} at line {line}, column {column} is not valid UTF-8",
            bytes[valid]
        ),
    )
    .with_help("save the file as UTF-8");
    diagnostic.position = position;
    diagnostic.source_line = Some(shown.into_owned());
    Err(diagnostic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_located_by_line_and_column() {
        let error = decode(
            "s.yaml",
            b"name: x\nworkloads: caf\xc3\xa9 \xff here\n".to_vec(),
        )
        .unwrap_err();
        assert_eq!(
            error.position,
            Position {
                line: 2,
                column: 17
            }
        );
        assert!(error.message.contains("byte 0xff at line 2, column 17"));
        let shown = error.to_string();
        assert!(shown.contains("--> s.yaml:2:17"), "{shown}");
        assert!(
            shown.contains("2 | workloads: café \u{fffd} here"),
            "{shown}"
        );
    }
}
