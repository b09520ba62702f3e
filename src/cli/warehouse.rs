//! `replay --database`, `--emit-sql` and `--aggregates`: the replay's aggregation pushed down
//! to where the logs live, priced by the same engine.
//!
//! Wiring only: the plan comes from the scenario and catalogue, the SQL from
//! [`crate::engine::pushdown::query`], the rows from PostgreSQL
//! ([`crate::load::warehouse::postgres`]) or an engine's export
//! ([`crate::load::warehouse::aggregates`]); [`pushdown::segments`] turns them into the
//! replay's segments and [`replay::finish`] prices them, and the replay's own renderer prints
//! the result. Per-request percentiles need every request, so they are left empty here.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, ValueEnum};

use super::args::Cli;
use super::replay::{render, ReplayArgs};
use crate::engine::pushdown::{self, Dialect, Source};
use crate::engine::replay::{self, Histogram, Plan, Position};
use crate::load::log::Mapping;
use crate::load::warehouse::{aggregates, pgpass, postgres, tls};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SqlDialect {
    Postgres,
    Duckdb,
    Spark,
    Bigquery,
    Snowflake,
}

impl SqlDialect {
    fn engine(self) -> Dialect {
        match self {
            SqlDialect::Postgres => Dialect::Postgres,
            SqlDialect::Duckdb => Dialect::Duckdb,
            SqlDialect::Spark => Dialect::Spark,
            SqlDialect::Bigquery => Dialect::Bigquery,
            SqlDialect::Snowflake => Dialect::Snowflake,
        }
    }
}

/// Replay options for logs that live in a database or warehouse.
#[derive(Debug, Args)]
pub struct WarehouseArgs {
    /// Run the aggregation inside PostgreSQL: postgres://USER@HOST[:PORT]/DB[?sslmode=…&
    /// sslrootcert=…] (the password from PGPASSWORD or ~/.pgpass, never the URL; TLS as libpq:
    /// sslmode, sslrootcert, PGSSLMODE, PGSSLROOTCERT).
    #[arg(long, value_name = "URL", conflicts_with_all = ["emit_sql", "aggregates", "logs"])]
    pub database: Option<String>,

    /// Print the aggregation query for an engine instead of replaying.
    #[arg(long, value_enum, value_name = "DIALECT", conflicts_with_all = ["aggregates", "logs"])]
    pub emit_sql: Option<SqlDialect>,

    /// Price the segment rows an engine returned for the emitted query (CSV or JSON Lines).
    #[arg(long, value_name = "FILE", conflicts_with = "logs")]
    pub aggregates: Option<PathBuf>,

    /// The spend-log table (default "LiteLLM_SpendLogs"; schema.table allowed).
    #[arg(long, value_name = "NAME")]
    pub table: Option<String>,

    /// A SQL predicate on the table's rows, ANDed in as written.
    #[arg(long = "where", value_name = "SQL")]
    pub filter: Option<String>,

    /// Only requests at or after this instant (RFC 3339).
    #[arg(long, value_name = "TS")]
    pub from: Option<String>,

    /// Only requests before this instant (RFC 3339; the range is half-open).
    #[arg(long, value_name = "TS")]
    pub until: Option<String>,

    /// Let the server cancel the query after SECONDS (PostgreSQL's statement_timeout).
    #[arg(long, value_name = "SECONDS")]
    pub statement_timeout: Option<f64>,
}

impl WarehouseArgs {
    pub fn active(&self) -> bool {
        self.database.is_some() || self.emit_sql.is_some() || self.aggregates.is_some()
    }
}

const DEFAULT_TABLE: &str = "LiteLLM_SpendLogs";

fn instant(text: &Option<String>, flag: &str) -> anyhow::Result<Option<jiff::Timestamp>> {
    match text {
        None => Ok(None),
        Some(text) => text.parse::<jiff::Timestamp>().map(Some).map_err(|error| {
            anyhow::anyhow!(
                "{flag} '{text}' is not an instant ({error}); write RFC 3339 with a zone, e.g. 2026-05-01T00:00:00Z"
            )
        }),
    }
}

pub fn run(cli: &Cli, args: &ReplayArgs) -> anyhow::Result<ExitCode> {
    let warehouse = &args.warehouse;
    let (catalogue, scenario) = super::replay::catalogue_and_scenario(cli, args)?;
    let mut mapping = Mapping::default();
    if let Some(path) = &args.mapping {
        mapping.read_file(path).map_err(anyhow::Error::msg)?;
    }
    for entry in &args.map {
        mapping.add(entry, "--map").map_err(anyhow::Error::msg)?;
    }
    if !mapping.fields.is_empty() || !mapping.shadow_output.is_empty() {
        anyhow::bail!(
            "--map reads LiteLLM's own columns here; only outcome:MODEL=COLUMN entries apply to --database, --emit-sql and --aggregates"
        );
    }
    if args.pass_threshold.is_some() {
        anyhow::bail!(
            "--pass-threshold is not supported with --database, --emit-sql or --aggregates: outcome columns must hold true/false (or 1/0)"
        );
    }
    let outcome_models: Vec<String> = mapping.outcomes.iter().map(|(m, _)| m.clone()).collect();
    let plan = Plan::new(&scenario, &catalogue, outcome_models, Vec::new());
    let from = instant(&warehouse.from, "--from")?;
    let until = instant(&warehouse.until, "--until")?;
    if let (Some(from), Some(until)) = (from, until) {
        if from >= until {
            anyhow::bail!("--from {from} is not before --until {until}: the range would be empty");
        }
    }
    let table = warehouse.table.as_deref().unwrap_or(DEFAULT_TABLE);
    if table.trim().is_empty() {
        anyhow::bail!("--table is empty; name the spend-log table");
    }
    let source = |dialect: Dialect| Source {
        relation: match dialect {
            Dialect::Spark | Dialect::Bigquery => table
                .split('.')
                .map(|part| dialect.ident(part))
                .collect::<Vec<_>>()
                .join("."),
            _ => postgres::quote_table(table),
        },
        filter: warehouse.filter.clone(),
        from,
        until,
        outcomes: mapping.outcomes.clone(),
    };

    if let Some(dialect) = warehouse.emit_sql {
        for (given, flag) in [
            (args.emit_scenario.is_some(), "--emit-scenario"),
            (args.strict, "--strict"),
        ] {
            if given {
                anyhow::bail!(
                    "{flag} applies to the rows the query returns: give it with --database or --aggregates, not --emit-sql"
                );
            }
        }
        let sql = pushdown::query(&plan, dialect.engine(), &source(dialect.engine()));
        super::output::emit(&sql, args.output.output.as_deref())?;
        return Ok(ExitCode::SUCCESS);
    }

    let (rows, label) = if let Some(url) = &warehouse.database {
        let (target, query) = pgpass::parse_url(url).map_err(anyhow::Error::msg)?;
        let tls = tls::from_environment(query).map_err(anyhow::Error::msg)?;
        let timeout = match warehouse.statement_timeout {
            None => None,
            Some(seconds) if seconds.is_finite() && seconds > 0.0 && seconds < 1e9 => {
                Some(Duration::from_secs_f64(seconds))
            }
            Some(seconds) => {
                anyhow::bail!("--statement-timeout {seconds} is not a positive number of seconds")
            }
        };
        let sql = pushdown::query(&plan, Dialect::Postgres, &source(Dialect::Postgres));
        let extra: Vec<String> = mapping.outcomes.iter().map(|(_, c)| c.clone()).collect();
        let rows = postgres::run(
            &postgres::Request {
                target: &target,
                tls: &tls,
                table,
                extra_columns: &extra,
                statement_timeout: timeout,
                sql: &sql,
            },
            &mut |warning| eprintln!("{warning}"),
        )?;
        (rows, format!("{} table {}", target.shown(), table))
    } else if let Some(path) = &warehouse.aggregates {
        let rows = aggregates::read(path).map_err(anyhow::Error::msg)?;
        (rows, path.display().to_string())
    } else {
        anyhow::bail!("give --database, --emit-sql or --aggregates");
    };

    let (segments, skips, read) =
        pushdown::segments(&plan, &rows).map_err(|error| anyhow::anyhow!("{label}: {error}"))?;
    if args.strict && skips.total() > 0 {
        // The rows are sums: the first bad request has no line to point at, so the message
        // names how many requests failed and why, and how to find them.
        let reasons = skips
            .counts
            .iter()
            .map(|(reason, count)| format!("{}: {count}", reason.label()))
            .collect::<Vec<_>>()
            .join(", ");
        let first = skips
            .earliest()
            .map(|problem| format!("; the first kind: {}", problem.message))
            .unwrap_or_default();
        anyhow::bail!(
            "{} of {read} requests in {label} cannot be priced ({reasons}){first}\n  = help: find them with --emit-sql and the query's `problem` column (or `model` for unknown models), fix or exclude them with --where, or drop --strict to skip them (they are counted and reported)",
            skips.total()
        );
    }
    let histograms = vec![Histogram::default(); plan.columns()];
    let result = replay::finish(
        &plan,
        &segments,
        skips,
        &histograms,
        read,
        args.by.map(super::replay::ReplayBy::engine),
    )
    .map_err(|(_, message)| anyhow::anyhow!("{message}"))?;
    let shown = |_: Position| label.clone();
    if result.rows_priced == 0 {
        anyhow::bail!(
            "no request in {label} could be priced: all {} were skipped ({})",
            result.rows_read,
            result
                .skips
                .counts
                .iter()
                .map(|(reason, count)| format!("{}: {count}", reason.label()))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if let Some(path) = &args.emit_scenario {
        // Everything but the input-size spread, which needs each request's size: the rows
        // returned are sums, so `uncertainty:` is left out and the file says so.
        let text = crate::report::emit::scenario_yaml(
            &plan,
            &segments,
            &super::replay::fields(args),
            &[PathBuf::from(&label)],
        );
        let text = match text.split_once('\n') {
            Some((first, rest)) => format!(
                "{first}\n# Pushed down: no input-size spread (it needs every request); replay an export of the log for one.\n{rest}"
            ),
            None => text,
        };
        super::output::emit(&text, Some(path)).map_err(|error| {
            anyhow::anyhow!(
                "cannot write the emitted scenario '{}': {error}",
                path.display()
            )
        })?;
    }
    let text = render(
        &result,
        std::slice::from_ref(&label),
        args.by,
        args.output.format,
        &shown,
    );
    super::output::emit(&text, args.output.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
}
