//! `mixcost schema [WHAT]`: the JSON Schema of a command's JSON output or of an input file.
//!
//! Schemas are generated from the Rust types that write (or read) the JSON and YAML, so they
//! cannot drift from the program; the copies in `schemas/` are checked against them in tests.
//! `--format json` is the only format; any other is refused (exit 2), never silently ignored.

use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::load::{pricing, scenario};
use crate::report::json;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SchemaOf {
    /// `compare --format json`
    Compare,
    /// `check --format json`
    Check,
    /// `diff --format json`
    Diff,
    /// `models --format json`
    Models,
    /// `gap --format json`
    Gap,
    /// `whatif --format json`
    Whatif,
    /// `sweep --format json`
    Sweep,
    /// `sensitivity --format json`
    Sensitivity,
    /// `solve --format json`
    Solve,
    /// `simulate --format json`
    Simulate,
    /// `replay --format json`
    Replay,
    /// `validate --format json`
    Validate,
    /// scenario files (scenarios/*.yaml)
    Scenario,
    /// price files (pricing/*.yaml)
    Pricing,
}

impl SchemaOf {
    pub const ALL: [SchemaOf; 14] = [
        SchemaOf::Compare,
        SchemaOf::Check,
        SchemaOf::Diff,
        SchemaOf::Models,
        SchemaOf::Gap,
        SchemaOf::Whatif,
        SchemaOf::Sweep,
        SchemaOf::Sensitivity,
        SchemaOf::Solve,
        SchemaOf::Simulate,
        SchemaOf::Replay,
        SchemaOf::Validate,
        SchemaOf::Scenario,
        SchemaOf::Pricing,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SchemaOf::Compare => "compare",
            SchemaOf::Check => "check",
            SchemaOf::Diff => "diff",
            SchemaOf::Models => "models",
            SchemaOf::Gap => "gap",
            SchemaOf::Whatif => "whatif",
            SchemaOf::Sweep => "sweep",
            SchemaOf::Sensitivity => "sensitivity",
            SchemaOf::Solve => "solve",
            SchemaOf::Simulate => "simulate",
            SchemaOf::Replay => "replay",
            SchemaOf::Validate => "validate",
            SchemaOf::Scenario => "scenario",
            SchemaOf::Pricing => "pricing",
        }
    }
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which schema: a command's JSON output, or an input file.
    #[arg(value_enum, default_value = "compare")]
    pub what: SchemaOf,

    /// Output format: a JSON Schema is JSON, so `json` is the only one; the others are refused
    /// with a pointer to it rather than ignored.
    #[arg(long, value_enum, default_value = "json")]
    pub format: crate::report::Format,

    /// Write to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

/// The schema as pretty JSON with a trailing newline.
pub fn text(what: SchemaOf) -> String {
    let schema = match what {
        SchemaOf::Compare => super::compare::json_schema(),
        SchemaOf::Check => super::check::json_schema(),
        SchemaOf::Diff => super::diff::json_schema(),
        SchemaOf::Models => super::models::json_schema(),
        SchemaOf::Gap => super::gap::json_schema(),
        SchemaOf::Whatif => super::whatif::json_schema(),
        SchemaOf::Sweep => super::sweep::json_schema(),
        SchemaOf::Sensitivity => super::sensitivity::json_schema(),
        SchemaOf::Solve => super::solve::json_schema(),
        SchemaOf::Simulate => super::simulate::json_schema(),
        SchemaOf::Replay => super::replay::json_schema(),
        SchemaOf::Validate => super::validate::json_schema(),
        SchemaOf::Scenario => scenario::json_schema(),
        SchemaOf::Pricing => pricing::json_schema(),
    };
    json::to_string(&schema)
}

pub fn run(args: &SchemaArgs) -> anyhow::Result<ExitCode> {
    if args.format != crate::report::Format::Json {
        anyhow::bail!(
            "`schema` prints a JSON Schema, which has no {} form; drop --format (json is the default), or read the schema in an editor: {}",
            match args.format {
                crate::report::Format::Table => "table",
                crate::report::Format::Csv => "CSV",
                crate::report::Format::Markdown => "Markdown",
                crate::report::Format::Json => "JSON",
            },
            "the README's \"Editor set-up\" turns it into completion while you type"
        );
    }
    super::output::emit(&text(args.what), args.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
}
