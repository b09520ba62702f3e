//! `replay --database postgres://…`: the aggregation run inside PostgreSQL, read-only.
//!
//! The sync `postgres` client (rust-postgres): a blocking CLI needs one connection and one
//! query, so the synchronous wrapper keeps tokio an implementation detail, and the crate is
//! the maintained pure-Rust client (no libpq to install); TLS is rustls ([`super::tls`]).
//! The session opens a transaction
//! set `READ ONLY` (the server refuses any write in it), sets `statement_timeout` when asked,
//! checks that the table has LiteLLM's columns with the types mixcost reads, then runs the
//! emitted query through the simple-query protocol, which returns every value as text — the
//! same text a `\copy` export carries — so the rows go through the one aggregates parser.
//! Nothing is returned unless the whole result arrived.

use std::collections::HashMap;
use std::time::Duration;

use super::aggregates::row_from;
use super::pgpass::{self, Target};
use super::tls;
use crate::engine::pushdown::AggregateRow;

/// A failure, worded for the user: the server's own message, then what to check.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct DatabaseError(pub String);

/// The table's name quoted for SQL: `name` or `schema.name`, each part as written (LiteLLM's
/// table name is mixed case); an already quoted name is taken as it is.
pub fn quote_table(table: &str) -> String {
    if table.contains('"') {
        return table.to_string();
    }
    table
        .split('.')
        .map(|part| format!("\"{part}\""))
        .collect::<Vec<_>>()
        .join(".")
}

/// Columns the query reads, with the types accepted for each (PostgreSQL's `format_type`).
const EXPECTED: [(&str, &[&str], &str); 7] = [
    (
        "startTime",
        &["timestamp"],
        "timestamp(3) without time zone",
    ),
    ("model", &["text", "character varying"], "text"),
    (
        "prompt_tokens",
        &["integer", "bigint", "smallint"],
        "integer",
    ),
    (
        "completion_tokens",
        &["integer", "bigint", "smallint"],
        "integer",
    ),
    (
        "spend",
        &["double precision", "real", "numeric"],
        "double precision",
    ),
    ("metadata", &["jsonb", "json"], "jsonb"),
    ("request_tags", &["jsonb", "json"], "jsonb"),
];

fn describe(error: &postgres::Error, target: &Target, stage: &str) -> DatabaseError {
    let Some(db) = error.as_db_error() else {
        let text = error.to_string();
        let source = std::error::Error::source(error)
            .map(|s| format!(": {s}"))
            .unwrap_or_default();
        if source.contains("password missing") {
            return DatabaseError(format!(
                "cannot connect to {}: the server asks for a password and none was found{source}\n  = help: set PGPASSWORD, or add a line {}:{}:{}:{}:PASSWORD to ~/.pgpass (or the file PGPASSFILE names), mode 0600",
                target.shown(),
                target.host,
                target.port,
                target.database,
                target.user
            ));
        }
        return DatabaseError(format!(
            "cannot {stage} {}: {text}{source}\n  = help: check that the server runs and listens on {}:{} (pg_isready -h {} -p {}), and that no firewall is in the way",
            target.shown(),
            target.host,
            target.port,
            target.host,
            target.port
        ));
    };
    let code = db.code().code();
    let mut text = format!(
        "cannot {stage} {}: the server says: {} [SQLSTATE {code}]",
        target.shown(),
        db.message()
    );
    if let Some(detail) = db.detail() {
        text.push_str(&format!("\n  detail: {detail}"));
    }
    if let Some(hint) = db.hint() {
        text.push_str(&format!("\n  server hint: {hint}"));
    }
    let help = match code {
        "28000" if db.message().contains("no encryption") => "the server accepts this connection only over TLS (a hostssl line in pg_hba.conf): leave sslmode out (prefer, the default, uses TLS when the server offers it) or set sslmode=require or verify-full",
        "28P01" | "28000" => "check the user name and the password (PGPASSWORD, or a line host:port:database:user:password in ~/.pgpass, mode 0600), and pg_hba.conf on the server",
        "3D000" => "check the database name in the URL (psql -l lists them)",
        "57014" => "the query was cancelled, by --statement-timeout or the server's own limit: allow more time, or narrow the rows with --from/--until or --where; no result was printed",
        "42P01" => "check --table (default \"LiteLLM_SpendLogs\"; write schema.table when it is not on the search path)",
        "42703" => "a column the query reads is missing: check that --table is LiteLLM's spend-log table, and the columns named in --where and --map",
        "42883" | "42804" | "22P02" => "a column has a type the query cannot read: compare the table with LiteLLM's schema (startTime timestamp, prompt_tokens integer, spend double precision, metadata jsonb)",
        "42501" => "the user may not read the table: GRANT SELECT on it to this user",
        "25006" => "the query tried to write inside the read-only transaction; mixcost only reads",
        "53300" => "the server has no free connection slot; try again later",
        _ => "check --table, --where and the connection settings",
    };
    text.push_str(&format!("\n  = help: {help}"));
    DatabaseError(text)
}

/// What to run and how long the server may take.
pub struct Request<'a> {
    pub target: &'a Target,
    pub tls: &'a tls::Settings,
    pub table: &'a str,
    /// Extra columns the query reads (outcome columns).
    pub extra_columns: &'a [String],
    pub statement_timeout: Option<Duration>,
    pub sql: &'a str,
}

/// Connects, checks the table, runs the aggregation in a read-only transaction and returns
/// its rows; `warn` receives a warning to print (an ignored password file).
pub fn run(
    request: &Request,
    warn: &mut dyn FnMut(&str),
) -> Result<Vec<AggregateRow>, DatabaseError> {
    let target = request.target;
    let (password, warning) = pgpass::password(target);
    if let Some(warning) = warning {
        warn(&warning);
    }
    let mut config = postgres::Config::new();
    config
        .host(&target.host)
        .port(target.port)
        .user(&target.user)
        .dbname(&target.database)
        .application_name("mixcost replay")
        .connect_timeout(Duration::from_secs(10));
    if let Some(password) = &password {
        config.password(password);
    }
    let (ssl_mode, connector) = request.tls.connector().map_err(DatabaseError)?;
    config.ssl_mode(ssl_mode);
    let mut client = config.connect(connector).map_err(|error| {
        DatabaseError(
            tls::describe(&error, target, request.tls)
                .unwrap_or_else(|| describe(&error, target, "connect to").0),
        )
    })?;
    let mut transaction = client
        .build_transaction()
        .read_only(true)
        .start()
        .map_err(|error| describe(&error, target, "start a read-only transaction on"))?;
    // Planner and output settings for this transaction only. JIT compiles the long per-row
    // expressions for longer than they run (50 s of 106 s at 1M rows); with sorts off the
    // planner hashes the few thousand segments instead of sorting every row; enough memory
    // keeps that hash table in one batch; floats print as their shortest exact text, the text a
    // `\copy` export carries, whatever the role's own setting.
    transaction
        .batch_execute(
            "SET LOCAL jit = off; SET LOCAL enable_sort = off; SET LOCAL extra_float_digits = 1; \
             SELECT set_config('work_mem', '64MB', true) \
             WHERE pg_size_bytes(current_setting('work_mem')) < 64 * 1024 * 1024",
        )
        .map_err(|error| describe(&error, target, "set up the session on"))?;
    if let Some(timeout) = request.statement_timeout {
        transaction
            .batch_execute(&format!(
                "SET LOCAL statement_timeout = {}",
                timeout.as_millis().max(1)
            ))
            .map_err(|error| describe(&error, target, "set the statement timeout on"))?;
    }

    let relation = quote_table(request.table);
    let found = transaction
        .query("SELECT to_regclass($1)::text", &[&relation])
        .map_err(|error| describe(&error, target, "look up the table on"))?;
    let exists = found
        .first()
        .and_then(|row| row.get::<_, Option<String>>(0))
        .is_some();
    if !exists {
        return Err(DatabaseError(format!(
            "table {relation} does not exist in {} (or this user cannot see it)\n  = help: check --table (LiteLLM's is \"LiteLLM_SpendLogs\"; write schema.table when it is not on the search path) and the database name",
            target.shown()
        )));
    }
    let columns = transaction
        .query(
            "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a \
             WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped",
            &[&relation],
        )
        .map_err(|error| describe(&error, target, "read the table's columns on"))?;
    let types: HashMap<String, String> = columns
        .iter()
        .map(|row| (row.get::<_, String>(0), row.get::<_, String>(1)))
        .collect();
    for (name, accepted, litellm) in EXPECTED {
        match types.get(name) {
            None => {
                return Err(DatabaseError(format!(
                    "table {relation} has no column \"{name}\" ({litellm} in LiteLLM's schema)\n  = help: check that --table is LiteLLM's spend-log table (LiteLLM_SpendLogs)"
                )))
            }
            Some(found) if !accepted.iter().any(|a| found.starts_with(a)) => {
                return Err(DatabaseError(format!(
                    "column \"{name}\" of {relation} is {found}, not {litellm} as LiteLLM defines it\n  = help: point --table at LiteLLM's spend-log table, or cast the column in a view of your own"
                )))
            }
            Some(_) => {}
        }
    }
    for name in request.extra_columns {
        if !types.contains_key(name) {
            return Err(DatabaseError(format!(
                "table {relation} has no column \"{name}\" (named by --map)\n  = help: check the --map entries against the table's columns"
            )));
        }
    }

    let messages = transaction
        .simple_query(request.sql)
        .map_err(|error| describe(&error, target, "run the aggregation on"))?;
    let mut rows = Vec::new();
    for (index, message) in messages.iter().enumerate() {
        if let postgres::SimpleQueryMessage::Row(row) = message {
            let fields: HashMap<&str, Option<String>> = row
                .columns()
                .iter()
                .enumerate()
                .map(|(i, column)| (column.name(), row.get(i).map(str::to_string)))
                .collect();
            rows.push(
                row_from(&fields, &format!("{} row {}", target.shown(), index + 1))
                    .map_err(DatabaseError)?,
            );
        }
    }
    transaction
        .commit()
        .map_err(|error| describe(&error, target, "finish the transaction on"))?;
    Ok(rows)
}
