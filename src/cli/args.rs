//! Command-line arguments: declarations only. Validation and work live in the command modules.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::report::Format;

#[derive(Debug, Parser)]
#[command(
    name = "mixcost",
    version,
    about = "Cost modeller for mixed-model LLM architectures: which model should do which work, and what it costs",
    after_help = "Run `mixcost compare` to price the shipped reference scenario, and `mixcost init` to write the example scenarios into this folder to start from. Each command's --help ends with examples."
)]
pub struct Cli {
    /// Extra price files: a folder of *.yaml files or one file. A file named like a shipped one
    /// (openai.yaml, …) replaces it. May be repeated.
    #[arg(long, global = true, value_name = "DIR")]
    pub pricing: Vec<PathBuf>,

    /// Plain ASCII in tables and Markdown: `-` rules and minus signs, `x` for `×` (also when
    /// TERM=dumb).
    #[arg(long, global = true)]
    pub ascii: bool,

    /// Also write the result's headings, assumptions, warnings and notes as CSV to FILE (one
    /// row per note: title, section, note), so a CSV result stays one plain table.
    #[arg(long, global = true, value_name = "FILE")]
    pub assumptions: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Price every policy of one or more scenarios against the baseline.
    #[command(
        after_help = "Examples:\n  mixcost compare\n  mixcost compare scenarios/support-desk.yaml --by model\n  mixcost compare scenarios/seed.yaml --prices effective --format json -o compare.json"
    )]
    Compare(CompareArgs),
    /// List the catalogue with the prices in effect on a date.
    #[command(
        after_help = "Examples:\n  mixcost models --as-of today\n  mixcost models --provider deepseek --as-of 2026-05-20\n  mixcost models --search gpt-5 --format csv"
    )]
    Models(ModelsArgs),
    /// The price multiplier between two models, per column.
    #[command(
        after_help = "Examples:\n  mixcost gap gpt-5.5 deepseek-v4-flash\n  mixcost gap gpt-5.5 deepseek-v4-pro --as-of 2026-06-01\n  mixcost gap gpt-5.5 deepseek-v4-flash --scenario scenarios/seed.yaml --workload hard"
    )]
    Gap(GapArgs),
    /// Each policy before and after overrides (`--set PATH=VALUE`).
    #[command(
        after_help = "Examples:\n  mixcost whatif --set workloads.*.volume=x2\n  mixcost whatif scenarios/seed.yaml --prices list --set as_of=2026-06-01\n  mixcost whatif scenarios/support-desk.yaml --list-paths"
    )]
    Whatif(WhatifArgs),
    /// Price a grid of override values, in parallel (`--vary PATH=RANGE`).
    #[command(
        after_help = "Examples:\n  mixcost sweep --vary workloads.repetitive.cache_hit_rate=0:0.9:0.1\n  mixcost sweep --vary models.deepseek-v4-pro.output=x0.5:x2:x0.5 --metric savings-pct\n  mixcost sweep --list-paths"
    )]
    Sweep(SweepArgs),
    /// Tornado: each input moved down and up, ranked by its effect on a policy.
    #[command(
        after_help = "Examples:\n  mixcost sensitivity\n  mixcost sensitivity scenarios/support-desk.yaml --step 20% --metric savings"
    )]
    Sensitivity(SensitivityArgs),
    /// Goal seek / break-even: the value of one input at which a target holds.
    #[command(
        after_help = "Examples:\n  mixcost solve --vary models.deepseek-v4-pro.output=0:100 --policy mixed-pro --target cost=700\n  mixcost solve --vary workloads.*.volume=0:100 --policy mixed-pro --target savings=2000"
    )]
    Solve(SolveArgs),
    /// CI gate: budgets, increases against a base run, compliance; exit 1 when a check fails.
    #[command(
        after_help = "Examples:\n  mixcost check scenarios/seed.yaml --budget 2000\n  mixcost check scenarios/seed.yaml --budget 500            # exit 1: a policy is over budget"
    )]
    Check(super::check::CheckArgs),
    /// What changed between two scenarios, price folders or JSON results, and its cost effect.
    #[command(
        after_help = "Examples:\n  mixcost compare --format json -o before.json\n  mixcost compare --prices effective --format json -o after.json\n  mixcost diff before.json after.json --format markdown"
    )]
    Diff(super::diff::DiffArgs),
    /// Lint scenario and price files: schema, unknown models, dead routes, compliance.
    #[command(
        after_help = "Examples:\n  mixcost validate scenarios\n  mixcost validate scenarios pricing"
    )]
    Validate(super::validate::ValidateArgs),
    /// Print the JSON Schema of a JSON output or of an input file.
    #[command(after_help = "Examples:\n  mixcost schema compare\n  mixcost schema scenario")]
    Schema(super::schema::SchemaArgs),
    /// Monte Carlo of a month: P5–P99 spend and cost per successful task per policy.
    #[command(
        after_help = "Examples:\n  mixcost simulate --trials 1000 --seed 7\n  mixcost simulate scenarios/support-desk.yaml --trials 1000 --budget 20000"
    )]
    Simulate(SimulateArgs),
    /// A client budget report: one self-contained HTML page, or an XLSX of live formulas.
    #[command(
        after_help = "Examples:\n  mixcost report scenarios/seed.yaml -o budget.html\n  mixcost report scenarios/seed.yaml scenarios/support-desk.yaml -o budget.xlsx"
    )]
    Report(super::report::ReportArgs),
    /// Price every logged request under every policy: replay, reconciliation, shadow evaluation.
    #[command(
        after_help = "Examples:\n  mixcost replay requests.csv --scenario scenarios/seed.yaml\n  mixcost replay requests.csv --scenario scenarios/seed.yaml --by day --prices list"
    )]
    Replay(super::replay::ReplayArgs),
    /// Import public price databases, update the downloaded catalogue, show what changed.
    Pricing(super::catalogue::PricingArgs),
    /// Write the shipped example scenarios (and price files) into a folder to start from.
    #[command(after_help = "Examples:\n  mixcost init\n  mixcost init my-costs --with-pricing")]
    Init(super::init::InitArgs),
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

/// Which price list every route pays, whatever its own `prices:` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PricesArg {
    /// Published list prices: promotions are ignored.
    List,
    /// List prices less the promotions in force on the date.
    Effective,
}

/// The price list and the date of a pricing command.
#[derive(Debug, Args)]
pub struct PriceArgs {
    /// `list` ignores promotions on every route; `effective` applies the promotions in force.
    /// When omitted each route pays what its `prices:` says (effective unless it says list).
    #[arg(long, value_enum, value_name = "list|effective")]
    pub prices: Option<PricesArg>,

    /// Price on this date instead of the scenario's `as_of`: YYYY-MM-DD, a UTC time
    /// (2026-05-31T16:00:00Z) or `today` (00:00 UTC today).
    #[arg(long, value_name = "DATE|today")]
    pub as_of: Option<String>,
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
    pub prices: PriceArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ModelsArgs {
    /// Show the prices in effect on this date (YYYY-MM-DD, a UTC time or `today`); today when
    /// omitted.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,

    /// Only models of this provider (e.g. anthropic, openai, together).
    #[arg(long, value_name = "NAME")]
    pub provider: Option<String>,

    /// Only models whose id or provider contains TEXT (case-insensitive).
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,

    /// List the imported models too (thousands); --provider and --search always search them.
    #[arg(long)]
    pub all: bool,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct GapArgs {
    /// The model whose prices are divided (numerator).
    pub model_a: String,
    /// The model compared against (denominator).
    pub model_b: String,

    /// Compare the prices in effect on this date (YYYY-MM-DD, a UTC time or `today`); the
    /// scenario's date, else today.
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
pub struct WhatifArgs {
    /// Scenario file; the shipped seed scenario when omitted.
    #[arg(value_name = "SCENARIO")]
    pub scenario: Option<PathBuf>,

    /// An override: workloads.NAME.FIELD, workloads.*.FIELD, models.MODEL.FIELD,
    /// discounts.PROVIDER or as_of, set to a value, `x1.5`, `+10%` or `-5%`. Repeatable.
    /// `--list-paths` lists every path with its value.
    #[arg(
        long = "set",
        value_name = "PATH=VALUE",
        required_unless_present = "list_paths"
    )]
    pub set: Vec<String>,

    /// List every override path of the scenario with its current value and unit, and stop.
    #[arg(long)]
    pub list_paths: bool,

    #[command(flatten)]
    pub prices: PriceArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// The figure a sweep table shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Metric {
    Cost,
    /// Baseline cost minus the policy's cost.
    Savings,
    /// Savings as a percentage of the baseline cost.
    SavingsPct,
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Scenario file; the shipped seed scenario when omitted.
    #[arg(value_name = "SCENARIO")]
    pub scenario: Option<PathBuf>,

    /// A parameter and its values: PATH=START:END:STEP (0:0.9:0.1, x0.5:x2:x0.5) or
    /// PATH=V1,V2,… Repeat for a grid; the last one varies fastest. `--list-paths` lists
    /// every path with its value.
    #[arg(
        long,
        value_name = "PATH=RANGE",
        required_unless_present = "list_paths"
    )]
    pub vary: Vec<String>,

    /// List every override path of the scenario with its current value and unit, and stop.
    #[arg(long)]
    pub list_paths: bool,

    /// Show only these policies (the baseline is always priced, for savings). Repeatable.
    #[arg(long, value_name = "NAME")]
    pub policy: Vec<String>,

    /// The figure tables show; CSV and JSON always carry cost, savings and savings_pct.
    #[arg(long, value_enum, default_value = "cost")]
    pub metric: Metric,

    /// Refuse grids with more points than this.
    #[arg(long, value_name = "N", default_value_t = 10_000_000)]
    pub max_points: u64,

    #[command(flatten)]
    pub prices: PriceArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// Scenario file; the shipped seed scenario when omitted.
    #[arg(value_name = "SCENARIO")]
    pub scenario: Option<PathBuf>,

    /// The policy to study; the first policy that is not the baseline when omitted.
    #[arg(long, value_name = "NAME")]
    pub policy: Option<String>,

    /// The step: volumes and prices move by this share of their value, shares by this many
    /// points. 10% when omitted.
    #[arg(long, value_name = "STEP", conflicts_with = "by")]
    pub step: Option<String>,

    /// The former name of --step, kept for one release; prints a deprecation warning.
    #[arg(long, value_name = "STEP", hide = true)]
    pub by: Option<String>,

    /// The figure to rank by.
    #[arg(long, value_enum, default_value = "cost")]
    pub metric: Metric,

    /// List every override path of the scenario with its current value and unit, and stop.
    #[arg(long)]
    pub list_paths: bool,

    #[command(flatten)]
    pub prices: PriceArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct SolveArgs {
    /// Scenario file; the shipped seed scenario when omitted.
    #[arg(value_name = "SCENARIO")]
    pub scenario: Option<PathBuf>,

    /// The input to solve for, as an override path (e.g. models.deepseek-v4-pro.output), with
    /// its search range as in `sweep`: PATH=LOW:HIGH (or PATH with --between).
    #[arg(
        long,
        value_name = "PATH[=LOW:HIGH]",
        required_unless_present = "list_paths"
    )]
    pub vary: Option<String>,

    /// The policy the target is about.
    #[arg(long, value_name = "NAME", required_unless_present = "list_paths")]
    pub policy: Option<String>,

    /// cost=AMOUNT, savings=AMOUNT, savings-pct=PERCENT or equal=POLICY.
    #[arg(long, value_name = "GOAL", required_unless_present = "list_paths")]
    pub target: Option<String>,

    /// List every override path of the scenario with its current value and unit, and stop.
    #[arg(long)]
    pub list_paths: bool,

    /// Search range LOW:HIGH, when --vary gives none; shares 0:1, volume factors 0:100,
    /// prices 0:1000 by default.
    #[arg(long, value_name = "LOW:HIGH")]
    pub between: Option<String>,

    #[command(flatten)]
    pub prices: PriceArgs,

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

    /// Refuse more trials than this: every trial's cost is kept for exact percentiles (about
    /// 40 bytes per trial and policy).
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    pub max_trials: u64,

    /// Monthly budget in USD (`1500`, `$1,500.00`): report each policy's chance of exceeding it.
    #[arg(long, value_name = "AMOUNT")]
    pub budget: Option<String>,

    #[command(flatten)]
    pub prices: PriceArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}
