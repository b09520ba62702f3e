//! The command line: parse arguments, load inputs, run the engine, render, write.
//!
//! [`run`] returns the exit code: 0 success, 1 a check failed, 2 bad input or I/O (a signal
//! ends the process with 128 + its number, see [`output`]). Loader
//! diagnostics are printed as they are (they already name file, line and column); warnings go
//! to standard error and never change the exit code.

pub mod args;
pub mod catalogue;
pub mod check;
pub mod compare;
pub mod diff;
pub mod gap;
pub mod models;
pub mod output;
pub mod progress;
pub mod replay;
pub mod report;
pub mod schema;
pub mod sensitivity;
pub mod simulate;
pub mod solve;
pub mod sweep;
pub mod validate;
pub mod warehouse;
pub mod whatif;
pub mod workflow;

use std::path::Path;
use std::process::ExitCode;

use clap::Parser;

use crate::load::diagnostic::{Diagnostic, LoadError};
use crate::load::{pricing, scenario, source::SourceFile};
use crate::model::catalogue::Catalogue;
use crate::model::scenario::Scenario;
use args::{Cli, Command};

/// Parses the command line and runs the command.
pub fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    output::check_assumptions(cli.assumptions.as_deref(), result_path(&cli.command))?;
    match &cli.command {
        Command::Compare(args) => compare::run(&cli, args),
        Command::Models(args) => models::run(&cli, args),
        Command::Gap(args) => gap::run(&cli, args),
        Command::Whatif(args) => whatif::run(&cli, args),
        Command::Sweep(args) => sweep::run(&cli, args),
        Command::Sensitivity(args) => sensitivity::run(&cli, args),
        Command::Solve(args) => solve::run(&cli, args),
        Command::Check(args) => check::run(&cli, args),
        Command::Diff(args) => diff::run(&cli, args),
        Command::Validate(args) => validate::run(&cli, args),
        Command::Schema(args) => schema::run(args),
        Command::Simulate(args) => simulate::run(&cli, args),
        Command::Report(args) => report::run(&cli, args),
        Command::Replay(args) => replay::run(&cli, args),
        Command::Pricing(args) => catalogue::run(&cli, args),
    }
}

/// The `-o` of the command's result, for the commands that write one.
fn result_path(command: &Command) -> Option<&Path> {
    let output = match command {
        Command::Compare(args) => &args.output,
        Command::Models(args) => &args.output,
        Command::Gap(args) => &args.output,
        Command::Whatif(args) => &args.output,
        Command::Sweep(args) => &args.output,
        Command::Sensitivity(args) => &args.output,
        Command::Solve(args) => &args.output,
        Command::Check(args) => &args.output,
        Command::Diff(args) => &args.output,
        Command::Simulate(args) => &args.output,
        Command::Replay(args) => &args.output,
        Command::Pricing(args) => match &args.command {
            catalogue::PricingCommand::Diff(args) => &args.output,
            _ => return None,
        },
        Command::Validate(_) | Command::Schema(_) | Command::Report(_) => return None,
    };
    output.output.as_deref()
}

/// Prints warnings to standard error.
fn report_warnings(warnings: &[Diagnostic]) {
    for warning in warnings {
        eprint!("{warning}");
    }
}

/// The shipped catalogue plus `--pricing` files.
pub fn load_catalogue(cli: &Cli) -> Result<Catalogue, LoadError> {
    let update = catalogue::update_folder();
    let (catalogue, warnings) = pricing::load_catalogue_with_update(
        &cli.pricing,
        update.as_deref().filter(|folder| folder.is_dir()),
    )?;
    report_warnings(&warnings);
    Ok(catalogue)
}

/// A scenario file, or the embedded seed when `path` is `None`.
pub fn load_scenario(path: Option<&Path>, catalogue: &Catalogue) -> Result<Scenario, LoadError> {
    let source = match path {
        Some(path) => SourceFile::read(path)?,
        None => scenario::seed_source(),
    };
    let (scenario, warnings) = scenario::load_scenario(&source, catalogue)?;
    report_warnings(&warnings);
    Ok(scenario)
}

/// Parses a `--as-of` argument.
pub fn parse_as_of(text: &str) -> anyhow::Result<jiff::Timestamp> {
    crate::load::values::instant(text).map_err(|problem| {
        anyhow::anyhow!("invalid --as-of: {}; {}", problem.message, problem.help)
    })
}

/// A pricing-under-overrides error as a user-facing error.
pub fn whatif_error(error: crate::engine::whatif::WhatifError) -> anyhow::Error {
    use crate::engine::whatif::WhatifError;
    match error {
        WhatifError::Override(error) => override_error(error),
        WhatifError::Engine(error) => engine_error(error),
        WhatifError::Quality(error) => anyhow::Error::new(error),
    }
}

/// An engine error with what to do about it.
pub fn engine_error(error: crate::engine::evaluate::EngineError) -> anyhow::Error {
    use crate::engine::evaluate::EngineError;
    let help = match &error {
        EngineError::Price(_) => {
            "choose a date on or after the model's first price; `mixcost models --as-of DATE` lists what is priced then"
        }
        EngineError::UnknownModel(_) => "`mixcost models` lists the catalogue",
        EngineError::Unrouted { .. } => "add a route that matches the workload, or a `default:` model",
        EngineError::Inexact { .. } => {
            "write shares, discounts and prices with fewer decimals, or use smaller token counts"
        }
        EngineError::Retired { .. } => "route the work to the successor (or another model), or price a date before the retirement",
        EngineError::ContextExceeded { .. } => "route the workload to a model with a larger context window, or split its requests",
    };
    anyhow::anyhow!("{error}\n  = help: {help}")
}

/// An override error as a user-facing error with its help line.
pub fn override_error(error: crate::engine::overrides::OverrideError) -> anyhow::Error {
    anyhow::anyhow!("invalid {error}\n  = help: {}", error.help)
}

/// Today at 00:00 UTC: the default `--as-of`, so two runs on one day print the same bytes and
/// the date shows as a date.
pub fn today() -> jiff::Timestamp {
    let now = jiff::Timestamp::now();
    now.to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map_or(now, |midnight| midnight.timestamp())
}
