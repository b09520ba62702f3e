//! `mixcost pricing import|update|diff`: converting the public price databases into mixcost
//! price files, keeping a downloaded copy in the user's data folder, and showing what changed.
//!
//! Folders are written whole or not at all: into a temporary folder beside the target, then
//! renamed over it, so an interrupted run leaves the previous folder as it was.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Subcommand};

use super::args::Cli;
use crate::load::import::{self, render, Database, Import};

#[derive(Debug, Args)]
pub struct PricingArgs {
    #[command(subcommand)]
    pub command: PricingCommand,
}

#[derive(Debug, Subcommand)]
pub enum PricingCommand {
    /// Convert a price database file (LiteLLM's map, genai-prices' data-v2.json) to mixcost
    /// price files, one per provider, and list what could not be mapped.
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Which database the file is.
    #[arg(value_enum)]
    pub database: Database,
    /// The database file (JSON).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The folder to write (replaced whole, atomically).
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: PathBuf,
    /// The database's version or date, recorded as provenance on every price set.
    #[arg(long = "db-version", value_name = "TEXT", default_value = "unknown")]
    pub db_version: String,
    /// Also print every skipped entry and dropped field.
    #[arg(long)]
    pub verbose: bool,
}

pub fn run(_cli: &Cli, args: &PricingArgs) -> anyhow::Result<ExitCode> {
    match &args.command {
        PricingCommand::Import(args) => run_import(args),
    }
}

/// Converts `text` of `database`.
pub fn convert(
    database: Database,
    text: &str,
    file: &str,
    version: &str,
) -> anyhow::Result<Import> {
    let result = match database {
        Database::Litellm => import::litellm::import(text, file, version),
        Database::GenaiPrices => import::genai_prices::import(text, file, version),
    };
    result.map_err(|error| {
        anyhow::anyhow!(
            "{error}\n  = help: give the database's own JSON file (LiteLLM's model_prices_and_context_window.json or genai-prices' data-v2.json)"
        )
    })
}

fn run_import(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let text = import::read_database(&args.file)?;
    let file = args.file.display().to_string();
    let imported = convert(args.database, &text, &file, &args.db_version)?;
    write_folder(&args.output, &imported)?;
    eprint!("{}", summary(&imported, &args.output));
    if args.verbose {
        eprint!("{}", imported.report());
    }
    Ok(ExitCode::SUCCESS)
}

/// What an import kept and left out, by reason.
pub fn summary(imported: &Import, folder: &Path) -> String {
    let mut out = format!(
        "imported {} models from {} providers into {}\n",
        imported.models.len(),
        imported.by_provider().len(),
        folder.display()
    );
    let counts = imported.skip_counts();
    out.push_str(&format!("skipped {} entries:\n", imported.skipped.len()));
    for (reason, count) in counts {
        out.push_str(&format!("  {count:>6}  {}\n", reason.label()));
    }
    out.push_str(&format!(
        "dropped {} fields of imported entries:\n",
        imported.dropped.len()
    ));
    for (reason, count) in imported.dropped_counts() {
        out.push_str(&format!("  {count:>6}  {reason}\n"));
    }
    out.push_str(&format!(
        "the per-entry list is in {}\n",
        folder.join(REPORT_FILE).display()
    ));
    out
}

/// The per-entry list of skips beside the generated files (not a price file: not loaded).
pub const REPORT_FILE: &str = "IMPORT-REPORT.txt";

/// Writes one price file per provider and the report into `folder`, replacing it whole.
pub fn write_folder(folder: &Path, imported: &Import) -> anyhow::Result<()> {
    let files: Vec<(String, String)> = imported
        .by_provider()
        .into_iter()
        .map(|(provider, models)| {
            (
                format!("{}.yaml", file_stem(provider)),
                render::provider_file(imported, provider, &models),
            )
        })
        .chain(std::iter::once((
            REPORT_FILE.to_string(),
            imported.report(),
        )))
        .collect();
    replace_folder(folder, &files)
}

/// A provider id as a file name: letters, digits, `-`, `_` and `.` kept, the rest `_`.
fn file_stem(provider: &str) -> String {
    provider
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes `files` into a temporary folder beside `folder` and renames it into place; the old
/// folder is removed only once the new one is complete.
pub fn replace_folder(folder: &Path, files: &[(String, String)]) -> anyhow::Result<()> {
    let shown = folder.display();
    if folder.exists() && !folder.is_dir() {
        anyhow::bail!("cannot write '{shown}': it is a file; name a folder");
    }
    let parent = match folder.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)
        .with_context(|| format!("cannot create folder '{}'", parent.display()))?;
    let staging = tempfile::Builder::new()
        .prefix(".mixcost-new-")
        .tempdir_in(&parent)
        .with_context(|| format!("cannot create a folder in '{}'", parent.display()))?;
    for (name, text) in files {
        std::fs::write(staging.path().join(name), text)
            .with_context(|| format!("cannot write '{name}' for '{shown}'"))?;
    }
    let staged = staging.keep();
    let result = (|| -> anyhow::Result<()> {
        if folder.exists() {
            let old = tempfile::Builder::new()
                .prefix(".mixcost-old-")
                .tempdir_in(&parent)?
                .keep();
            std::fs::remove_dir(&old)?;
            std::fs::rename(folder, &old)
                .with_context(|| format!("cannot move the old '{shown}' aside"))?;
            if let Err(error) = std::fs::rename(&staged, folder) {
                let _ = std::fs::rename(&old, folder);
                return Err(error)
                    .with_context(|| format!("cannot put the new '{shown}' in place"));
            }
            std::fs::remove_dir_all(&old)
                .with_context(|| format!("cannot remove the old '{shown}'"))?;
        } else {
            std::fs::rename(&staged, folder)
                .with_context(|| format!("cannot put the new '{shown}' in place"))?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staged);
    }
    result
}
