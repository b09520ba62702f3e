//! Writing results: to standard output, or atomically to a file.
//!
//! A file is written to a temporary file in the same folder and renamed over the target, so an
//! interrupted run never leaves half a report. A closed pipe (`mixcost … | head`) is not an error.

use std::io::Write;
use std::path::Path;

use anyhow::Context as _;

pub fn emit(text: &str, output: Option<&Path>) -> anyhow::Result<()> {
    match output {
        Some(path) => write_atomic(path, text.as_bytes()),
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(text.as_bytes())
                .and_then(|_| stdout.flush())
            {
                Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other.context("cannot write to standard output"),
            }
        }
    }
}

/// A temporary file in `path`'s folder, to be persisted over `path` once complete.
pub fn temporary_beside(path: &Path) -> anyhow::Result<tempfile::NamedTempFile> {
    let shown = path.display();
    if path.is_dir() {
        anyhow::bail!("cannot write '{shown}': it is a folder; name a file");
    }
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let temporary = tempfile::NamedTempFile::new_in(folder).with_context(|| {
        format!(
            "cannot write '{shown}': cannot create a file in '{}'",
            folder.display()
        )
    })?;
    // Temporary files are private (0600); a report is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = temporary
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    Ok(temporary)
}

pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let shown = path.display();
    let mut temporary = temporary_beside(path)?;
    temporary
        .write_all(bytes)
        .and_then(|_| temporary.as_file().sync_all())
        .with_context(|| format!("cannot write '{shown}'"))?;
    temporary
        .persist(path)
        .map_err(|error| error.error)
        .with_context(|| format!("cannot write '{shown}'"))?;
    Ok(())
}
