//! `mixcost report`: a client budget report as one HTML page or a live XLSX workbook.
//!
//! Wiring only: load the scenarios, parse `--sweep`, build [`BudgetReport`], render it in the
//! format the `-o` file's extension (or `--format`) names, and write it through the shared
//! atomic writer.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::args::Cli;
use crate::load::overrides::parse_dimension;
use crate::report::budget::{BudgetReport, Meta, Options, ReportError, Section};

/// The formats a report is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// One self-contained HTML page (inline CSS and SVG charts, no network).
    Html,
    /// A workbook whose costs are formulas over named input cells.
    Xlsx,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Scenario files; the shipped seed scenario when none is given.
    #[arg(value_name = "SCENARIO")]
    pub scenarios: Vec<PathBuf>,

    /// A chart of cost against one input: PATH=START:END:STEP or PATH=V1,V2,… Repeatable,
    /// one chart each.
    #[arg(long, value_name = "PATH=RANGE")]
    pub sweep: Vec<String>,

    /// The policy of the tornado; the first policy that is not the baseline when omitted.
    #[arg(long, value_name = "POLICY")]
    pub sensitivity: Option<String>,

    /// Run a Monte Carlo of N months and show its spread.
    #[arg(long, value_name = "N", requires = "seed")]
    pub simulate: Option<u64>,

    /// Seed of the Monte Carlo draws.
    #[arg(long, value_name = "S", requires = "simulate")]
    pub seed: Option<u64>,

    /// The report's title; the first scenario's name when omitted.
    #[arg(long)]
    pub title: Option<String>,

    /// Who the report is prepared for.
    #[arg(long)]
    pub client: Option<String>,

    /// Who prepared it.
    #[arg(long)]
    pub author: Option<String>,

    /// Only these sections, comma-separated (all by default).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "SECTION,…")]
    pub sections: Vec<Section>,

    /// html or xlsx; taken from the output file's extension when omitted.
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,

    /// The report file to write (report.html or report.xlsx).
    #[arg(short = 'o', long = "output", value_name = "FILE", required = true)]
    pub output: PathBuf,

    #[command(flatten)]
    pub prices: super::args::PriceArgs,
}

/// The format `--format` names, else the one the file's extension names.
fn format_of(args: &ReportArgs) -> anyhow::Result<ReportFormat> {
    if let Some(format) = args.format {
        return Ok(format);
    }
    let extension = args
        .output
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("html") | Some("htm") => Ok(ReportFormat::Html),
        Some("xlsx") => Ok(ReportFormat::Xlsx),
        _ => anyhow::bail!(
            "cannot tell the report format from '{}'\n  = help: name the file *.html or *.xlsx, or give --format html|xlsx",
            args.output.display()
        ),
    }
}

pub fn run(cli: &Cli, args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let format = format_of(args)?;
    let sweeps = args
        .sweep
        .iter()
        .map(|text| parse_dimension(text).map_err(super::override_error))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let catalogue = super::load_catalogue(cli)?;
    let paths: Vec<Option<&Path>> = if args.scenarios.is_empty() {
        vec![None]
    } else {
        args.scenarios.iter().map(|p| Some(p.as_path())).collect()
    };
    let scenarios = paths
        .into_iter()
        .map(|path| super::load_priced_scenario(path, &catalogue, &args.prices))
        .collect::<anyhow::Result<Vec<_>>>()?;
    // Before the work: an output that names an input, or sits in a missing folder, is refused.
    super::output::check(Some(&args.output))?;
    let options = Options {
        sweeps,
        sensitivity: args.sensitivity.clone(),
        simulate: args.simulate.zip(args.seed),
        sections: args.sections.clone(),
    };
    let meta = Meta {
        title: args.title.clone(),
        client: args.client.clone(),
        author: args.author.clone(),
    };
    let report =
        BudgetReport::build(meta, &scenarios, &catalogue, &options).map_err(report_error)?;
    let bytes = match format {
        ReportFormat::Html => crate::report::html::render(&report).into_bytes(),
        ReportFormat::Xlsx => crate::report::xlsx::render(&report)?,
    };
    super::output::emit_bytes(&bytes, Some(&args.output))?;
    Ok(ExitCode::SUCCESS)
}

fn report_error(error: ReportError) -> anyhow::Error {
    match error {
        ReportError::Engine(error) => super::engine_error(error),
        ReportError::Whatif(error) => super::whatif_error(error),
        ReportError::Quality(error) => anyhow::Error::new(error),
        ReportError::Simulate(error) => anyhow::Error::new(error),
        ReportError::UnknownPolicy { .. } => anyhow::anyhow!(
            "{error}\n  = help: --sensitivity names a policy of every scenario in the report"
        ),
        ReportError::SweepTooLong { .. } => {
            anyhow::anyhow!("{error}\n  = help: use a larger step or fewer values")
        }
        ReportError::Trials(_) => anyhow::anyhow!(
            "invalid {error}\n  = help: give between 1 and 1000000 trials, e.g. --simulate 10000 --seed 1"
        ),
    }
}
