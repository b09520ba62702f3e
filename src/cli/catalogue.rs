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
    /// Download a database into your data folder (layered under `--pricing` and the
    /// hand-checked files, over the shipped snapshot).
    Update(UpdateArgs),
    /// What the last `pricing update` changed, priced on a scenario (the seed by default).
    Diff(PricingDiffArgs),
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

pub fn run(cli: &Cli, args: &PricingArgs) -> anyhow::Result<ExitCode> {
    match &args.command {
        PricingCommand::Import(args) => run_import(args),
        PricingCommand::Update(args) => run_update(args),
        PricingCommand::Diff(args) => run_diff(cli, args),
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
    replace_folder(folder, &folder_files(imported))
}

/// The files of an import: one price file per provider and the report.
fn folder_files(imported: &Import) -> Vec<(String, String)> {
    imported
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
        .collect()
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
    replace_folder_keeping(folder, files, None)
}

/// Like [`replace_folder`], moving the old folder to `keep` (replacing what was there) instead
/// of removing it.
pub fn replace_folder_keeping(
    folder: &Path,
    files: &[(String, String)],
    keep: Option<&Path>,
) -> anyhow::Result<()> {
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
            match keep {
                Some(keep) => {
                    if let Some(parent) = keep.parent() {
                        std::fs::create_dir_all(parent)?;
                    }
                    if keep.exists() {
                        std::fs::remove_dir_all(keep)?;
                    }
                    std::fs::rename(&old, keep)
                        .with_context(|| format!("cannot keep the old '{shown}'"))?;
                }
                None => std::fs::remove_dir_all(&old)
                    .with_context(|| format!("cannot remove the old '{shown}'"))?,
            }
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

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The database to download.
    #[arg(long = "from", value_enum, default_value = "litellm")]
    pub from: Database,
    /// Download from this URL instead of the database's published one.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Do not download: show what the data folder holds.
    #[arg(long)]
    pub offline: bool,
}

#[derive(Debug, Args)]
pub struct PricingDiffArgs {
    /// The database whose update to show.
    #[arg(long = "from", value_enum, default_value = "litellm")]
    pub from: Database,
    /// The scenario to price with the previous and the current download.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    #[command(flatten)]
    pub output: super::args::OutputArgs,
}

/// Where `pricing update` keeps its downloads: `MIXCOST_DATA_DIR/pricing` when that is set,
/// else the platform's data folder (`$XDG_DATA_HOME/mixcost/pricing` on Linux,
/// `~/Library/Application Support/mixcost/pricing` on macOS, `%APPDATA%\mixcost\pricing` on
/// Windows).
pub fn update_folder() -> Option<PathBuf> {
    match std::env::var_os("MIXCOST_DATA_DIR") {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir).join("pricing")),
        _ => dirs::data_dir().map(|dir| dir.join("mixcost").join("pricing")),
    }
}

/// The folder the previous download of each database is kept in, for `pricing diff`.
fn previous_folder(update: &Path) -> PathBuf {
    update.with_file_name("pricing-previous")
}

/// The published file of each database.
fn default_url(database: Database) -> &'static str {
    match database {
        Database::Litellm => {
            "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
        }
        Database::GenaiPrices => {
            "https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/data-v2.json"
        }
    }
}

/// Downloads `url` as text: a 2xx answer within 5 redirects and the size limit, else an error
/// saying what happened.
fn download(url: &str) -> anyhow::Result<String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(std::time::Duration::from_secs(15)))
        .timeout_global(Some(std::time::Duration::from_secs(180)))
        .max_redirects(5)
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent.get(url).call().map_err(|error| match error {
        ureq::Error::TooManyRedirects => anyhow::anyhow!(
            "cannot download {url}: more than 5 redirects (a redirect loop?)\n  = help: check the URL; the previous download is kept"
        ),
        other => anyhow::anyhow!(
            "cannot download {url}: {other}\n  = help: check the network and the URL; `mixcost pricing update --offline` shows what is already downloaded"
        ),
    })?;
    let status = response.status();
    if !status.is_success() {
        anyhow::bail!(
            "cannot download {url}: the server answered HTTP {}\n  = help: check the URL; the previous download is kept",
            status.as_u16()
        );
    }
    response
        .body_mut()
        .with_config()
        .limit(import::MAX_DATABASE_BYTES)
        .read_to_string()
        .map_err(|error| {
            anyhow::anyhow!(
                "cannot download {url}: {error}\n  = help: try again; the previous download is kept"
            )
        })
}

fn run_update(args: &UpdateArgs) -> anyhow::Result<ExitCode> {
    let Some(update) = update_folder() else {
        anyhow::bail!(
            "cannot find your data folder\n  = help: set MIXCOST_DATA_DIR to a folder mixcost may write to"
        );
    };
    let folder = update.join(args.from.id());
    if args.offline {
        return match std::fs::read_to_string(folder.join(REPORT_FILE)) {
            Ok(report) => {
                let first = report.lines().next().unwrap_or_default();
                println!("{}: {}", folder.display(), first.trim_start_matches("# "));
                Ok(ExitCode::SUCCESS)
            }
            Err(_) => anyhow::bail!(
                "no {} prices downloaded in {}\n  = help: run `mixcost pricing update --from {}` with a network connection",
                args.from.id(),
                folder.display(),
                args.from.id()
            ),
        };
    }
    let url = args.url.as_deref().unwrap_or(default_url(args.from));
    let text = download(url)?;
    let today = jiff::Zoned::now().date();
    let version = format!("downloaded {today} from {url}");
    let imported = convert(args.from, &text, url, &version)?;
    let previous = previous_folder(&update).join(args.from.id());
    replace_folder_keeping(&folder, &folder_files(&imported), Some(&previous))?;
    eprint!("{}", summary(&imported, &folder));
    Ok(ExitCode::SUCCESS)
}

fn run_diff(cli: &Cli, args: &PricingDiffArgs) -> anyhow::Result<ExitCode> {
    let Some(update) = update_folder() else {
        anyhow::bail!("cannot find your data folder\n  = help: set MIXCOST_DATA_DIR");
    };
    let previous = previous_folder(&update);
    let has = |root: &Path| root.join(args.from.id()).is_dir();
    if !has(&update) || !has(&previous) {
        anyhow::bail!(
            "no two downloads of {} to compare in {}\n  = help: `mixcost pricing update --from {}` keeps the previous download; run it again later",
            args.from.id(),
            update.display(),
            args.from.id()
        );
    }
    let load = |root: &Path| -> anyhow::Result<crate::model::catalogue::Catalogue> {
        let (catalogue, warnings) =
            crate::load::pricing::load_catalogue_with_update(&cli.pricing, Some(root))?;
        for warning in warnings {
            eprint!("{warning}");
        }
        Ok(catalogue)
    };
    let (old, new) = (load(&previous)?, load(&update)?);
    super::diff::run_catalogues(
        cli,
        &previous.join(args.from.id()).display().to_string(),
        &update.join(args.from.id()).display().to_string(),
        &old,
        &new,
        args.scenario.as_deref(),
        &args.output,
    )
}
