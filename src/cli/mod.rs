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
pub mod init;
pub mod models;
pub mod output;
pub mod paths;
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
use crate::model::scenario::{PriceMode, Scenario};
use args::{Cli, Command};

/// Parses the command line and runs the command.
pub fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    crate::report::set_layout(layout(&cli));
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
        Command::Init(args) => init::run(args),
    }
}

/// The layout of text output: `COLUMNS` when it holds a width, else the terminal's width when
/// standard output is one and the output goes there (not to `-o FILE`), else no limit (piped
/// output keeps every column); ASCII with `--ascii` or `TERM=dumb`.
fn layout(cli: &Cli) -> crate::report::Layout {
    let environment = |name: &str| std::env::var(name).ok();
    let to_file = result_path(&cli.command).is_some_and(|path| path != Path::new("-"));
    let terminal = if to_file { || None } else { terminal_width };
    crate::report::Layout {
        width: width_from(environment("COLUMNS").as_deref(), terminal),
        ascii: cli.ascii || environment("TERM").as_deref() == Some("dumb"),
    }
}

/// The width `COLUMNS` gives (a positive whole number), else what `terminal` says.
fn width_from(columns: Option<&str>, terminal: fn() -> Option<usize>) -> Option<usize> {
    match columns
        .map(str::trim)
        .and_then(|text| text.parse::<usize>().ok())
    {
        Some(width) if width > 0 => Some(width),
        _ => terminal(),
    }
}

/// The width of the terminal standard output is, or `None` when it is not one.
fn terminal_width() -> Option<usize> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return None;
    }
    // SAFETY: TIOCGWINSZ fills a `winsize` the call owns; on failure it is left zeroed.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    let result = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) };
    (result == 0 && size.ws_col > 0).then_some(usize::from(size.ws_col))
}

/// The `-o` of the command's text result, for the commands that print one.
fn result_path(command: &Command) -> Option<&Path> {
    let output = match command {
        Command::Validate(args) => return args.output.as_deref(),
        Command::Schema(args) => return args.output.as_deref(),
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
        Command::Report(_) | Command::Init(_) => return None,
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

/// A scenario file (or the seed) priced as `--prices` and `--as-of` say.
pub fn load_priced_scenario(
    path: Option<&Path>,
    catalogue: &Catalogue,
    prices: &args::PriceArgs,
) -> anyhow::Result<Scenario> {
    let mut scenario = load_scenario(path, catalogue)?;
    apply_price_args(&mut scenario, prices)?;
    Ok(scenario)
}

/// Applies `--as-of` (the pricing date) and `--prices` (every route, fallback step and default
/// then pays that list) to a loaded scenario.
pub fn apply_price_args(scenario: &mut Scenario, prices: &args::PriceArgs) -> anyhow::Result<()> {
    if let Some(text) = &prices.as_of {
        scenario.as_of = parse_as_of(text)?;
    }
    if let Some(mode) = prices.prices {
        let mode = match mode {
            args::PricesArg::List => PriceMode::List,
            args::PricesArg::Effective => PriceMode::Effective,
        };
        for policy in &mut scenario.policies {
            for route in &mut policy.routes {
                route.target.prices = mode;
            }
            if let Some(default) = &mut policy.default {
                default.prices = mode;
            }
        }
    }
    Ok(())
}

/// How a result depends on prices, for commands that show no breakdown of their own: a header
/// line when every route pays list prices, and the promotions in the scenario's month.
#[derive(Clone, Debug, Default)]
pub struct PriceMarks {
    pub header: Option<String>,
    pub notes: Option<crate::report::Notes>,
    pub promotions: Vec<crate::engine::breakdown::PromotionUse>,
}

/// The price marks of `scenario` as loaded, from one evaluation; none when it does not price
/// (the command reports that error itself).
pub fn price_marks(scenario: &Scenario, catalogue: &Catalogue) -> PriceMarks {
    match crate::engine::evaluate::evaluate(scenario, catalogue) {
        Ok(evaluation) => PriceMarks {
            header: crate::report::labels::list_prices_line(&evaluation),
            notes: crate::report::labels::promotion_notes(&evaluation.promotions),
            promotions: evaluation.promotions,
        },
        Err(_) => PriceMarks::default(),
    }
}

/// Parses a `--as-of` argument: a date, a UTC time, or `today` (00:00 UTC today).
pub fn parse_as_of(text: &str) -> anyhow::Result<jiff::Timestamp> {
    if text.trim().eq_ignore_ascii_case("today") {
        return Ok(today());
    }
    crate::load::values::instant(text).map_err(|problem| {
        anyhow::anyhow!(
            "invalid --as-of: {}; {}, or `today`",
            problem.message,
            problem.help
        )
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

#[cfg(test)]
mod tests {
    use super::width_from;

    #[test]
    fn columns_wins_when_it_is_a_width() {
        let terminal = || Some(120);
        assert_eq!(width_from(Some("80"), terminal), Some(80));
        assert_eq!(width_from(Some(" 100 "), terminal), Some(100));
        assert_eq!(width_from(Some("0"), terminal), Some(120));
        assert_eq!(width_from(Some("wide"), terminal), Some(120));
        assert_eq!(width_from(None, terminal), Some(120));
        assert_eq!(width_from(None, || None), None);
    }

    #[test]
    fn output_files_are_told_apart_from_standard_output() {
        use clap::Parser;
        let to_file = |args: &[&str]| {
            let cli =
                super::Cli::try_parse_from(std::iter::once("mixcost").chain(args.iter().copied()))
                    .expect("valid arguments");
            super::result_path(&cli.command).is_some_and(|path| path != std::path::Path::new("-"))
        };
        assert!(to_file(&["models", "-o", "models.txt"]));
        assert!(to_file(&["models", "--output", "models.txt"]));
        assert!(to_file(&["models", "--output=models.txt"]));
        assert!(to_file(&["models", "-omodels.txt"]));
        assert!(to_file(&["validate", "scenarios", "-o", "findings.txt"]));
        assert!(!to_file(&["models", "-o", "-"]));
        assert!(!to_file(&["models", "--ascii"]));
        // A scenario file named `-o` is not an output.
        assert!(!to_file(&["compare", "--", "-o"]));
    }
}
