//! `mixcost validate FILES…`: lint scenario and price files without pricing anything.
//!
//! Price files are laid over the shipped catalogue (a file named like a shipped one replaces
//! it) and scenarios are checked against the result. Every finding is printed with its file,
//! line and column; exit 0 when there are none, 1 when there are any (warnings included: a
//! lint that passes warnings is no lint, unless `--warnings-ok` says so), 2 when a file cannot
//! be read at all.
//!
//! `--format table` (the default) prints the findings as a compiler does; `json` prints them as
//! one document (`mixcost schema validate`); `github` prints workflow commands
//! (`::error file=…,line=…,col=…::message`) that GitHub shows as annotations on the pull
//! request's files, escaped as GitHub's runner expects.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::args::Cli;
use crate::load::diagnostic::{Diagnostic, LoadError};
use crate::load::source::SourceFile;
use crate::load::{pricing, scenario, validate};

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario and price files, or folders of them (their *.yaml files).
    #[arg(value_name = "FILES", required = true)]
    pub files: Vec<PathBuf>,

    /// How findings are printed: as a compiler does, as JSON, or as GitHub annotations.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ValidateFormat,

    /// Report warnings but exit 0 when there are no errors.
    #[arg(long)]
    pub warnings_ok: bool,

    /// Write to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ValidateFormat {
    /// `error: …` / `--> file:line:col`, with the line and a caret.
    Table,
    /// One JSON document (`mixcost schema validate`).
    Json,
    /// GitHub workflow commands: `::error file=…,line=…,col=…::message`.
    Github,
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
    let text = match args.format {
        ValidateFormat::Table => render(&findings, paths.len()),
        ValidateFormat::Json => crate::report::json::to_string(&ValidateJson::new(
            &findings,
            paths.len(),
            args.warnings_ok,
        )),
        ValidateFormat::Github => github(&findings, paths.len()),
    };
    super::output::emit(&text, args.output.as_deref())?;
    Ok(if passes(&findings, args.warnings_ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Whether the findings let the lint pass: none at all, or only warnings with `--warnings-ok`.
fn passes(findings: &[Diagnostic], warnings_ok: bool) -> bool {
    findings.is_empty() || (warnings_ok && !findings.iter().any(Diagnostic::is_error))
}

/// The JSON shape of `validate --format json`.
#[derive(Serialize, schemars::JsonSchema)]
pub struct ValidateJson {
    #[schemars(extend("const" = "1"))]
    schema_version: &'static str,
    /// `fail` when the lint fails (exit 1), else `pass`.
    verdict: crate::engine::check::Verdict,
    /// Files read (folders expanded to their .yaml files).
    files: usize,
    errors: usize,
    warnings: usize,
    findings: Vec<FindingJson>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct FindingJson {
    /// `error` or `warning`.
    severity: &'static str,
    file: String,
    /// 1-based; absent when the finding is about the whole file.
    line: Option<u32>,
    /// 1-based, in characters.
    column: Option<u32>,
    message: String,
    /// What to do about it.
    help: Option<String>,
}

impl ValidateJson {
    fn new(findings: &[Diagnostic], files: usize, warnings_ok: bool) -> Self {
        use crate::engine::check::Verdict;
        let errors = findings.iter().filter(|d| d.is_error()).count();
        ValidateJson {
            schema_version: crate::report::json::SCHEMA_VERSION,
            verdict: if passes(findings, warnings_ok) {
                Verdict::Pass
            } else {
                Verdict::Fail
            },
            files,
            errors,
            warnings: findings.len() - errors,
            findings: findings
                .iter()
                .map(|d| FindingJson {
                    severity: if d.is_error() { "error" } else { "warning" },
                    file: d.file.clone(),
                    line: d.position.is_known().then_some(d.position.line),
                    column: d.position.is_known().then_some(d.position.column),
                    message: d.message.clone(),
                    help: d.help.clone(),
                })
                .collect(),
        }
    }
}

/// The JSON Schema of `validate --format json`.
pub fn json_schema() -> schemars::Schema {
    schemars::schema_for!(ValidateJson)
}

/// GitHub workflow commands, one per finding, then the summary line as plain text.
fn github(findings: &[Diagnostic], files: usize) -> String {
    let mut out = String::new();
    for finding in findings {
        let command = if finding.is_error() {
            "error"
        } else {
            "warning"
        };
        let mut properties = vec![format!("file={}", github_property(&finding.file))];
        if finding.position.is_known() {
            properties.push(format!("line={}", finding.position.line));
            properties.push(format!("col={}", finding.position.column));
        }
        properties.push("title=mixcost validate".to_string());
        let mut message = finding.message.clone();
        if let Some(help) = &finding.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{command} {}::{}\n",
            properties.join(","),
            github_data(&message)
        ));
    }
    // The last line of the table form is the count of findings.
    if let Some(summary) = render(findings, files).lines().last() {
        out.push_str(summary);
        out.push('\n');
    }
    out
}

/// A workflow command's message, escaped as GitHub's runner reads it: `%`, CR and LF.
pub fn github_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: as a message, plus `:` and `,`, which end a value.
pub fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_command_values_are_escaped_as_github_reads_them() {
        assert_eq!(github_data("50% of\r\nit"), "50%25 of%0D%0Ait");
        assert_eq!(github_data("a, b: c"), "a, b: c");
        assert_eq!(github_property("dir,x/a:b%.yaml"), "dir%2Cx/a%3Ab%25.yaml");
        // `%` first, so an escape is never escaped twice.
        assert_eq!(github_data("%0A"), "%250A");
    }

    #[test]
    fn warnings_ok_passes_warnings_but_never_errors() {
        let warning = Diagnostic::warning("a.yaml", "w");
        let error = Diagnostic::error("a.yaml", "e");
        assert!(passes(&[], false));
        assert!(!passes(std::slice::from_ref(&warning), false));
        assert!(passes(std::slice::from_ref(&warning), true));
        assert!(!passes(&[warning, error], true));
    }
}
