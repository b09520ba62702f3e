//! `mixcost validate FILES…`: lint scenario and price files without pricing anything.
//!
//! Price files are laid over the shipped catalogue (a file named like a shipped one replaces
//! it) and scenarios are checked against the result. Every finding is printed with its file,
//! line and column; exit 0 when there are none, 1 when there are any (warnings included: a
//! lint that passes warnings is no lint), 2 when a file cannot be read at all.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::args::Cli;
use crate::load::diagnostic::{Diagnostic, LoadError};
use crate::load::source::SourceFile;
use crate::load::{pricing, scenario, validate};

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario and price files, or folders of them (their *.yaml files).
    #[arg(value_name = "FILES", required = true)]
    pub files: Vec<PathBuf>,
}

/// The files named, with folders expanded to their `*.yaml` and `*.yml` files, sorted.
fn expand(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        match std::fs::read_dir(path) {
            Ok(entries) if path.is_dir() => {
                let mut inside: Vec<PathBuf> = entries
                    .filter_map(Result::ok)
                    .map(|entry| entry.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
                    .collect();
                inside.sort();
                files.extend(inside);
            }
            _ => files.push(path.clone()),
        }
    }
    files
}

pub fn run(cli: &Cli, args: &ValidateArgs) -> anyhow::Result<ExitCode> {
    let paths = expand(&args.files);
    let mut unreadable = Vec::new();
    let mut sources = Vec::new();
    for path in &paths {
        match SourceFile::read(path) {
            Ok(source) => sources.push((path.as_path(), source)),
            Err(diagnostic) => unreadable.push(diagnostic),
        }
    }
    if !unreadable.is_empty() {
        return Err(LoadError::new(unreadable).into());
    }
    if sources.is_empty() {
        anyhow::bail!("no .yaml files to validate in the folders given");
    }
    let (price_files, scenarios): (Vec<_>, Vec<_>) = sources
        .into_iter()
        .partition(|(_, source)| validate::is_price_file(source));

    let mut findings: Vec<Diagnostic> = Vec::new();
    let mut overlay = cli.pricing.clone();
    overlay.extend(price_files.iter().map(|(path, _)| path.to_path_buf()));
    let catalogue = match pricing::load_catalogue(&overlay) {
        Ok((catalogue, warnings)) => {
            findings.extend(warnings);
            let given: Vec<SourceFile> = price_files.iter().map(|(_, s)| s.clone()).collect();
            findings.extend(validate::deprecated_prices(&catalogue, &given));
            catalogue
        }
        Err(error) => {
            findings.extend(error.diagnostics);
            // The scenarios are still checked, against the catalogue without the broken files.
            pricing::load_catalogue(&cli.pricing)?.0
        }
    };
    for (_, source) in &scenarios {
        match scenario::load_scenario(source, &catalogue) {
            Ok((loaded, warnings)) => {
                findings.extend(warnings);
                findings.extend(validate::scenario_findings(&loaded, &catalogue, source));
            }
            Err(error) => findings.extend(error.diagnostics),
        }
    }
    let text = render(&findings, paths.len());
    super::output::emit(&text, None)?;
    Ok(if findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn render(findings: &[Diagnostic], files: usize) -> String {
    let mut out = String::new();
    for finding in findings {
        out.push_str(&finding.to_string());
        out.push('\n');
    }
    let errors = findings.iter().filter(|d| d.is_error()).count();
    let warnings = findings.len() - errors;
    let files = format!("{files} {}", if files == 1 { "file" } else { "files" });
    if findings.is_empty() {
        out.push_str(&format!("{files} checked: no problems found\n"));
    } else {
        out.push_str(&format!(
            "{files} checked: {errors} {}, {warnings} {}\n",
            if errors == 1 { "error" } else { "errors" },
            if warnings == 1 { "warning" } else { "warnings" }
        ));
    }
    out
}
