//! Writing results: to standard output, or to the file named with `-o`. Every command writes
//! through [`Sink`] (or [`emit`], its one-shot form), streamed output included.
//!
//! What `-o PATH` does depends on what PATH is:
//! - `-`: standard output.
//! - a regular file, new or existing: written to a temporary file in the same folder and
//!   renamed over it once complete, so an interrupted run never leaves half a report. An
//!   existing file keeps its permissions and owner; a symlink is followed and its target
//!   replaced, never the link; a read-only file is refused, not replaced.
//! - a character device or a FIFO (`/dev/null`, `/dev/stdout`, a named pipe): written directly,
//!   never replaced — renaming over `/dev/null` as root would replace the machine's `/dev/null`.
//!   Block devices, sockets and folders are refused.
//! - a file this run read (the scenario, a price file, a `--against` base, a diff input):
//!   refused before anything is written, since the report would overwrite its own input.
//!
//! SIGINT, SIGTERM and SIGHUP remove any temporary file (see [`watch_signals`]) and end the
//! process with 128 + the signal's number: 130, 143, 129. A closed pipe (`mixcost … | head`)
//! is not an error.

use std::fs::{File, Metadata, OpenOptions};
use std::io::{BufWriter, IsTerminal, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Once};

use anyhow::Context as _;
use tempfile::TempPath;

use crate::load::source;
use crate::model::text;

/// Where results go.
pub struct Sink {
    kind: Kind,
}

enum Kind {
    Stdout(BufWriter<std::io::Stdout>),
    /// A device or FIFO, written in place.
    Direct(BufWriter<File>, String),
    /// A regular file: a temporary file beside the target, renamed over it by [`Sink::finish`].
    Atomic {
        file: BufWriter<File>,
        temporary: Temporary,
        target: PathBuf,
        shown: String,
    },
}

/// A temporary file listed for removal on a signal; dropping it (an error, a closed pipe)
/// deletes the file and takes it off the list.
struct Temporary(Option<TempPath>);

impl Drop for Temporary {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let mut registry = lock_temporaries();
            registry.retain(|listed| listed != &*path);
            let _ = path.close();
        }
    }
}

/// `path` as shown in messages: escaped, so a hostile file name cannot reach the terminal raw.
fn show(path: &Path) -> String {
    text::escape(&path.display().to_string()).into_owned()
}

impl Sink {
    /// Opens the output: standard output when `output` is `None` or `-`, else the file, checked
    /// as the module says. Nothing at `output` changes until [`Sink::finish`].
    pub fn open(output: Option<&Path>) -> anyhow::Result<Sink> {
        let path = match output {
            None => return Ok(Sink::stdout()),
            Some(path) if path.as_os_str() == "-" => return Ok(Sink::stdout()),
            Some(path) => path,
        };
        let shown = show(path);
        match std::fs::metadata(path) {
            Ok(metadata) => Sink::existing(path, shown, &metadata),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                Sink::new_file(&follow_links(path)?, shown, None)
            }
            Err(error) => Err(anyhow::anyhow!("cannot write '{shown}': {error}")),
        }
    }

    fn stdout() -> Sink {
        Sink {
            kind: Kind::Stdout(BufWriter::new(std::io::stdout())),
        }
    }

    fn existing(path: &Path, shown: String, metadata: &Metadata) -> anyhow::Result<Sink> {
        let kind = metadata.file_type();
        if kind.is_dir() {
            anyhow::bail!("cannot write '{shown}': it is a folder; name a file");
        }
        if kind.is_block_device() {
            anyhow::bail!(
                "cannot write '{shown}': it is a block device (a disk); mixcost does not write reports onto disks\n  = help: name a regular file"
            );
        }
        if kind.is_socket() {
            anyhow::bail!("cannot write '{shown}': it is a socket; name a file, a FIFO or `-`");
        }
        if same_file(metadata, &stdout_metadata()) {
            // `-o /dev/stdout`, or the file standard output is redirected to: write through
            // standard output, so a `>>` redirection appends as the user asked.
            return Ok(Sink::stdout());
        }
        if !kind.is_file() {
            return Sink::direct(path, shown, kind.is_fifo());
        }
        refuse_existing(metadata, &shown)?;
        // Without write permission (another user's file) the user could not edit it either.
        if let Err(error) = OpenOptions::new().write(true).open(path) {
            anyhow::bail!("cannot write '{shown}': {error}\n  = help: name a file you can write");
        }
        let target = std::fs::canonicalize(path)
            .with_context(|| format!("cannot write '{shown}': cannot resolve its path"))?;
        Sink::new_file(&target, shown, Some(metadata))
    }

    /// A device or a FIFO: opened for writing in place. A FIFO is opened without blocking, so
    /// one with no reader is an error rather than a hang.
    fn direct(path: &Path, shown: String, fifo: bool) -> anyhow::Result<Sink> {
        let mut options = OpenOptions::new();
        options.write(true);
        if fifo {
            options.custom_flags(libc::O_NONBLOCK);
        }
        let file = match options.open(path) {
            Ok(file) => file,
            Err(error) if fifo && error.raw_os_error() == Some(libc::ENXIO) => anyhow::bail!(
                "cannot write '{shown}': it is a FIFO and no program is reading from it\n  = help: start the reader first, or name a regular file"
            ),
            Err(error) => anyhow::bail!("cannot write '{shown}': {error}"),
        };
        if fifo {
            source::set_blocking(&file).with_context(|| format!("cannot write '{shown}'"))?;
        }
        Ok(Sink {
            kind: Kind::Direct(BufWriter::new(file), shown),
        })
    }

    /// A temporary file beside `target` (a resolved path whose folder exists or not), with the
    /// permissions and owner of `existing` when it replaces a file.
    fn new_file(target: &Path, shown: String, existing: Option<&Metadata>) -> anyhow::Result<Sink> {
        let folder = match target.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        match std::fs::metadata(folder) {
            Ok(metadata) if metadata.is_dir() => {}
            Ok(_) => anyhow::bail!(
                "cannot write '{shown}': '{}' is not a folder",
                show(folder)
            ),
            Err(_) => anyhow::bail!(
                "cannot write '{shown}': the folder '{}' does not exist\n  = help: create it first (mkdir -p), or name a file in an existing folder",
                show(folder)
            ),
        }
        watch_signals();
        // Registered before it exists, so a signal arriving mid-creation still removes it.
        let mut registry = lock_temporaries();
        let named = tempfile::Builder::new()
            .prefix(".mixcost-")
            .suffix(".tmp")
            .tempfile_in(folder)
            .map_err(|error| {
                anyhow::anyhow!(
                    "cannot write '{shown}': cannot create a file in '{}': {}",
                    show(folder),
                    // The kind only: the error's own text names the internal temporary path.
                    std::io::Error::from(error.kind())
                )
            })?;
        let (file, temporary) = named.into_parts();
        registry.push(temporary.to_path_buf());
        drop(registry);
        let temporary = Temporary(Some(temporary));
        let mode = match existing {
            Some(metadata) => metadata.permissions().mode() & 0o7777,
            None => 0o666 & !umask(),
        };
        let _ = file.set_permissions(std::fs::Permissions::from_mode(mode));
        if let Some(metadata) = existing {
            // Root replacing another user's file gives it back to them; for anyone else this
            // is a no-op or not permitted, and the file stays theirs.
            let _ = std::os::unix::fs::fchown(&file, Some(metadata.uid()), Some(metadata.gid()));
        }
        Ok(Sink {
            kind: Kind::Atomic {
                file: BufWriter::new(file),
                temporary,
                target: target.to_path_buf(),
                shown,
            },
        })
    }

    /// Whether this writes to standard output (where a closed pipe is not an error).
    pub fn is_stdout(&self) -> bool {
        matches!(self.kind, Kind::Stdout(_))
    }

    /// Flushes and, for a regular file, renames the complete temporary file over the target.
    pub fn finish(self) -> anyhow::Result<()> {
        match self.kind {
            Kind::Stdout(mut out) => match out.flush() {
                Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other.context("cannot write to standard output"),
            },
            Kind::Direct(mut out, shown) => out
                .flush()
                .with_context(|| format!("cannot write '{shown}'")),
            Kind::Atomic {
                file,
                mut temporary,
                target,
                shown,
            } => {
                let file = file.into_inner().map_err(|error| {
                    anyhow::anyhow!("cannot write '{shown}': {}", error.error())
                })?;
                file.sync_all()
                    .with_context(|| format!("cannot write '{shown}'"))?;
                drop(file);
                let path = temporary.0.take().expect("a sink is finished once");
                // Held through the rename, so a signal either removes the file before it or
                // finds it renamed.
                let mut registry = lock_temporaries();
                registry.retain(|listed| listed != &*path);
                path.persist(&target)
                    .map_err(|error| anyhow::anyhow!("cannot write '{shown}': {}", error.error))?;
                Ok(())
            }
        }
    }
}

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match &mut self.kind {
            Kind::Stdout(out) => out.write(bytes),
            Kind::Direct(out, _) => out.write(bytes),
            Kind::Atomic { file, .. } => file.write(bytes),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.kind {
            Kind::Stdout(out) => out.flush(),
            Kind::Direct(out, _) => out.flush(),
            Kind::Atomic { file, .. } => file.flush(),
        }
    }
}

/// Writes `text` to `output` (standard output when `None` or `-`) in one go.
pub fn emit(text: &str, output: Option<&Path>) -> anyhow::Result<()> {
    emit_bytes(text.as_bytes(), output)
}

/// Writes the documents' headings and notes as CSV to `--assumptions FILE`, when given (the
/// documents are built only then), by the same rules as [`emit`]; `output` is the result's own
/// `-o`, which it may not name.
pub fn emit_assumptions(
    cli: &super::args::Cli,
    output: Option<&Path>,
    documents: impl FnOnce() -> Vec<crate::report::Document>,
) -> anyhow::Result<()> {
    let Some(path) = cli.assumptions.as_deref() else {
        return Ok(());
    };
    check_assumptions(Some(path), output)?;
    emit(&crate::report::csv::assumptions(&documents()), Some(path))
}

/// Refuses `--assumptions FILE` naming the result's own `-o` file, before any work (the second
/// file written would replace the first).
pub fn check_assumptions(assumptions: Option<&Path>, output: Option<&Path>) -> anyhow::Result<()> {
    let (Some(assumptions), Some(output)) = (assumptions, output) else {
        return Ok(());
    };
    let same = assumptions == output
        || std::fs::canonicalize(assumptions)
            .ok()
            .is_some_and(|a| std::fs::canonicalize(output).ok() == Some(a));
    if same && assumptions.as_os_str() != "-" {
        anyhow::bail!(
            "--assumptions and -o both name '{}'\n  = help: write the assumptions to another file",
            show(assumptions)
        );
    }
    Ok(())
}

/// Warnings about the figures (a deprecated model, a stale catalogue) that a CSV result does
/// not hold, on standard error, unless `--assumptions FILE` receives them.
pub fn warn_outside_csv(
    cli: &super::args::Cli,
    format: crate::report::Format,
    warnings: &[crate::engine::breakdown::Warning],
) {
    if format != crate::report::Format::Csv || cli.assumptions.is_some() {
        return;
    }
    for warning in warnings {
        match &warning.model {
            Some(model) => eprintln!("warning: {model}: {}", text::escape(&warning.text)),
            None => eprintln!("warning: {}", text::escape(&warning.text)),
        }
    }
}

/// Writes `bytes` (a workbook, a report) to `output` in one go, by the same rules as [`emit`].
pub fn emit_bytes(bytes: &[u8], output: Option<&Path>) -> anyhow::Result<()> {
    let mut sink = Sink::open(output)?;
    match sink.write_all(bytes) {
        Err(error) if sink.is_stdout() && error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(error) => Err(error).context(match output {
            Some(path) if path.as_os_str() != "-" => format!("cannot write '{}'", show(path)),
            _ => "cannot write to standard output".to_string(),
        }),
        Ok(()) => sink.finish(),
    }
}

/// Refuses `output` early, before a long computation, when it names a file this run read, a
/// read-only file, or a file in a missing folder; commands whose work takes a while call it
/// right after loading.
pub fn check(output: Option<&Path>) -> anyhow::Result<()> {
    let Some(path) = output.filter(|path| path.as_os_str() != "-") else {
        return Ok(());
    };
    let shown = show(path);
    match std::fs::metadata(path) {
        Ok(metadata) if metadata.is_file() => refuse_existing(&metadata, &shown),
        Ok(_) => Ok(()),
        Err(_) => {
            let target = follow_links(path)?;
            match target.parent() {
                Some(folder) if !folder.as_os_str().is_empty() && !folder.is_dir() => {
                    anyhow::bail!(
                        "cannot write '{shown}': the folder '{}' does not exist\n  = help: create it first (mkdir -p), or name a file in an existing folder",
                        show(folder)
                    )
                }
                _ => Ok(()),
            }
        }
    }
}

/// Refuses an existing regular file that is one of this run's inputs, or is read-only.
fn refuse_existing(metadata: &Metadata, shown: &str) -> anyhow::Result<()> {
    if let Some(input) = source::read_as_input(metadata) {
        anyhow::bail!(
            "cannot write '{shown}': it is also an input of this run ('{}'), which the report would overwrite\n  = help: name another output file",
            text::escape(&input)
        );
    }
    if metadata.permissions().readonly() {
        anyhow::bail!(
            "cannot write '{shown}': the file is read-only, and mixcost does not replace it\n  = help: make it writable (chmod u+w) or name another file"
        );
    }
    Ok(())
}

fn same_file(a: &Metadata, b: &Option<Metadata>) -> bool {
    b.as_ref()
        .is_some_and(|b| a.dev() == b.dev() && a.ino() == b.ino())
}

fn stdout_metadata() -> Option<Metadata> {
    use std::os::fd::AsFd;
    let fd = std::io::stdout().as_fd().try_clone_to_owned().ok()?;
    File::from(fd).metadata().ok()
}

/// The path a new file at `path` should take: `path` itself, or the target of the (dangling)
/// symlink chain it starts, so the link stays and its target is created.
fn follow_links(path: &Path) -> anyhow::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                let link = std::fs::read_link(&current)
                    .with_context(|| format!("cannot write '{}'", show(path)))?;
                current = match current.parent() {
                    Some(parent) => parent.join(link),
                    None => link,
                };
            }
            _ => return Ok(current),
        }
    }
    anyhow::bail!(
        "cannot write '{}': too many levels of symbolic links",
        show(path)
    )
}

/// The process's file-creation mask, so a new report gets the permissions `>` would give it.
fn umask() -> u32 {
    // SAFETY: umask cannot fail; it is set back at once. No other thread creates files now.
    let mask = unsafe { libc::umask(0o022) };
    unsafe { libc::umask(mask) };
    mask as u32
}

/// Temporary files not yet renamed into place: removed when a signal ends the process.
static TEMPORARIES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static WATCH: Once = Once::new();

fn lock_temporaries() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    TEMPORARIES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Installs (once) the handler for SIGINT, SIGTERM and SIGHUP: it removes every temporary
/// output file, says so, and exits with 128 + the signal's number. Runs on its own thread, so
/// it acts at once whatever the computation is doing.
pub fn watch_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    WATCH.call_once(|| {
        // If the handler cannot be installed the signals keep their default effect: the
        // process ends and the temporary file stays unrenamed, so no half report appears.
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        let _ = std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    INTERRUPTED.store(true, Ordering::SeqCst);
                    // Held until exit, so no rename can start after the removal.
                    let registry = lock_temporaries();
                    for path in registry.iter() {
                        let _ = std::fs::remove_file(path);
                    }
                    let name = match signal {
                        SIGINT => "SIGINT",
                        SIGTERM => "SIGTERM",
                        _ => "SIGHUP",
                    };
                    let written = if registry.is_empty() {
                        ""
                    } else {
                        "; the unfinished output file was removed"
                    };
                    // Off a progress bar's line first when there may be one.
                    let lead = if std::io::stderr().is_terminal() {
                        "\n"
                    } else {
                        ""
                    };
                    eprintln!("{lead}error: stopped by {name}{written}");
                    std::process::exit(128 + signal);
                }
            });
    });
}

/// Whether a signal has arrived (the process is about to exit).
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}
