//! `mixcost init [DIR]`: writes the shipped example scenarios (and, with `--with-pricing`, the
//! shipped price files) into a folder, so a user of an installed binary can start from one.
//!
//! Nothing is written when any target exists, unless `--force`; even then only regular files
//! are replaced (through the safe writer, atomically): a symlink, device, FIFO or folder in the
//! way is refused, so `init` never writes through a link or into a device.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use crate::model::text;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to write into: scenarios go to DIR/scenarios/, price files to DIR/pricing/.
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,

    /// Also write the shipped price files, to edit and pass back with `--pricing DIR/pricing`.
    #[arg(long)]
    pub with_pricing: bool,

    /// Replace files that already exist (regular files only).
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: &InitArgs) -> anyhow::Result<ExitCode> {
    let mut files: Vec<(PathBuf, &str)> = crate::load::scenario::SHIPPED
        .iter()
        .map(|(name, body)| (args.dir.join("scenarios").join(name), *body))
        .collect();
    if args.with_pricing {
        files.extend(
            crate::load::pricing::SHIPPED
                .iter()
                .map(|(name, body)| (args.dir.join("pricing").join(name), *body)),
        );
    }
    // Every target is checked before anything is written: a refusal leaves the folder as it was.
    let mut existing = Vec::new();
    for (path, _) in &files {
        match std::fs::symlink_metadata(path) {
            Ok(metadata) if metadata.is_file() => existing.push(show(path)),
            Ok(_) => anyhow::bail!(
                "cannot write '{}': something other than a regular file is there (a folder, a link or a device), and init replaces only regular files\n  = help: move it away, or run init into another folder",
                show(path)
            ),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => anyhow::bail!("cannot write '{}': {error}", show(path)),
        }
    }
    if !existing.is_empty() && !args.force {
        anyhow::bail!(
            "{} of the files exist already, and init does not overwrite them: {}\n  = help: run init into another folder, or add --force to replace them with the shipped versions",
            existing.len(),
            existing.join(", ")
        );
    }
    for folder in files.iter().filter_map(|(path, _)| path.parent()) {
        if let Err(error) = std::fs::create_dir_all(folder) {
            anyhow::bail!("cannot create the folder '{}': {error}", show(folder));
        }
    }
    let mut out = String::new();
    for (path, body) in &files {
        super::output::emit(body, Some(path))?;
        out.push_str(&format!("wrote {}\n", show(path)));
    }
    let seed = args.dir.join("scenarios").join("seed.yaml");
    let pricing = if args.with_pricing {
        format!(" --pricing {}", show(&args.dir.join("pricing")))
    } else {
        String::new()
    };
    out.push_str(&format!(
        "\nnext: mixcost compare{pricing} {}\n",
        show(&seed)
    ));
    if args.with_pricing {
        out.push_str(
            "      (price files in that folder replace the shipped ones of the same name)\n",
        );
    }
    super::output::emit(&out, None)?;
    Ok(ExitCode::SUCCESS)
}

/// A path as shown: without a leading `./`, escaped.
fn show(path: &Path) -> String {
    let path = path.strip_prefix(".").unwrap_or(path);
    text::escape(&path.display().to_string()).into_owned()
}
