//! Command-line arguments: declarations only. Validation and work live in the command modules.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::report::Format;

#[derive(Debug, Parser)]
#[command(
    name = "mixcost",
    version,
    about = "Cost modeller for mixed-model LLM architectures: which model should do which work, and what it costs",
    after_help = "Run `mixcost compare` to price the shipped reference scenario."
)]
pub struct Cli {
    /// Extra price files: a folder of *.yaml files or one file. A file named like a shipped one
    /// (openai.yaml, …) replaces it. May be repeated.
    #[arg(long, global = true, value_name = "DIR")]
    pub pricing: Vec<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Price every policy of one or more scenarios against the baseline.
    Compare(CompareArgs),
    /// List the catalogue with the prices in effect on a date.
    Models(ModelsArgs),
    /// The price multiplier between two models, per column.
    Gap(GapArgs),
    /// Monte Carlo of a month: P5–P99 spend and cost per successful task per policy.
    Simulate(SimulateArgs),
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,

    /// Write to FILE instead of standard output (atomically: no half-written file).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum BreakdownBy {
    Workload,
    Model,
    Component,
    /// Every line: workload × model × billing × component, with tokens and unit prices.
    Line,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Scenario files; the shipped seed scenario when none is given.
    #[arg(value_name = "SCENARIO")]
    pub scenarios: Vec<PathBuf>,

    /// Break each policy's cost down.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub by: Option<BreakdownBy>,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ModelsArgs {
    /// Show the prices in effect on this date (YYYY-MM-DD or a UTC time); today when omitted.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct GapArgs {
    /// The model whose prices are divided (numerator).
    pub model_a: String,
    /// The model compared against (denominator).
    pub model_b: String,

    /// Compare the prices in effect on this date; the scenario's date, else today.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,

    /// A scenario whose workload gives the token mix for a blended multiplier.
    #[arg(long, value_name = "FILE", requires = "workload")]
    pub scenario: Option<PathBuf>,

    /// The workload of --scenario to blend at.
    #[arg(long, value_name = "NAME", requires = "scenario")]
    pub workload: Option<String>,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The scenario file; the shipped seed scenario when omitted.
    #[arg(value_name = "SCENARIO")]
    pub scenario: Option<PathBuf>,

    /// Number of simulated months.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub trials: u64,

    /// Seed of the random draws; the same seed gives the same output on any thread count.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,

    /// Monthly budget in USD (`1500`, `$1,500.00`): report each policy's chance of exceeding it.
    #[arg(long, value_name = "AMOUNT")]
    pub budget: Option<String>,

    #[command(flatten)]
    pub output: OutputArgs,
}
