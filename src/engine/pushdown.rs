//! The replay's aggregation written as SQL, and the rows an engine returns turned back into
//! the replay's own segments.
//!
//! A replay groups requests by [`SegmentKey`] and sums integers ([`Sums`]); nothing in the
//! grouping needs mixcost. [`query`] writes that GROUP BY for PostgreSQL, DuckDB, Spark,
//! BigQuery or Snowflake over LiteLLM's `LiteLLM_SpendLogs` columns, with the plan's own
//! boundaries written in as integer literals: the price periods (epoch microseconds), the
//! off-peak windows (minutes of the UTC day and weekdays), the long-context thresholds. Every
//! time computation starts from the epoch in microseconds and uses integer arithmetic only, so
//! no session time zone and no float enters a key. [`segments`] reads the returned rows back
//! into the same `SegmentKey → Sums` map a local replay builds, and the replay engine prices it
//! ([`super::replay::finish`]) — there is no second pricing path. Rows that cannot be priced
//! are counted as skipped, by reason, exactly as a local replay counts them.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use jiff::Timestamp;
use rust_decimal::Decimal;

use super::replay::{price_segment, Plan, Position, Problem, SegmentKey, SkipReason, Skips, Sums};
use crate::model::request::LoggedTier;
use crate::model::scenario::DataClass;

/// The SQL engines mixcost writes the aggregation for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    Duckdb,
    Spark,
    Bigquery,
    Snowflake,
}

impl Dialect {
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::Duckdb => "duckdb",
            Dialect::Spark => "spark",
            Dialect::Bigquery => "bigquery",
            Dialect::Snowflake => "snowflake",
        }
    }

    /// A column name as the engine quotes it (LiteLLM's `startTime` is mixed case).
    pub fn ident(self, name: &str) -> String {
        match self {
            Dialect::Spark | Dialect::Bigquery => format!("`{}`", name.replace('`', "``")),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// Epoch microseconds of a timestamp column, as an integer. PostgreSQL's `EXTRACT(EPOCH …)`
    /// of a `timestamp without time zone` is its nominal UTC value whatever the session zone;
    /// the others' functions take an instant.
    fn epoch_us(self, column: &str) -> String {
        match self {
            Dialect::Postgres => {
                format!("CAST(EXTRACT(EPOCH FROM {column}) * 1000000 AS BIGINT)")
            }
            Dialect::Duckdb => format!("epoch_us({column})"),
            Dialect::Spark => format!("unix_micros({column})"),
            Dialect::Bigquery => format!("UNIX_MICROS({column})"),
            Dialect::Snowflake => format!("DATE_PART(EPOCH_MICROSECOND, {column})"),
        }
    }

    /// Integer division of non-negative integers (truncating is flooring there).
    fn div(self, a: &str, b: i64) -> String {
        match self {
            Dialect::Postgres => format!("({a} / {b})"),
            Dialect::Duckdb => format!("({a} // {b})"),
            Dialect::Spark => format!("({a} DIV {b})"),
            Dialect::Bigquery => format!("DIV({a}, {b})"),
            Dialect::Snowflake => format!("TRUNC({a} / {b})"),
        }
    }

    fn modulo(self, a: &str, b: i64) -> String {
        match self {
            Dialect::Duckdb | Dialect::Spark => format!("({a} % {b})"),
            _ => format!("MOD({a}, {b})"),
        }
    }

    /// The text at a JSON path (`a.b.c`) inside a JSON column, NULL when absent or JSON null.
    fn json_text(self, column: &str, path: &[&str]) -> String {
        match self {
            Dialect::Postgres => {
                let mut text = column.to_string();
                for (index, key) in path.iter().enumerate() {
                    let arrow = if index + 1 == path.len() { "->>" } else { "->" };
                    let _ = write!(text, "{arrow}'{key}'");
                }
                text
            }
            Dialect::Duckdb => format!("json_extract_string({column}, '$.{}')", path.join(".")),
            Dialect::Spark => format!("get_json_object({column}, '$.{}')", path.join(".")),
            Dialect::Bigquery => format!("JSON_VALUE({column}, '$.{}')", path.join(".")),
            Dialect::Snowflake => format!(
                "GET_PATH(TRY_PARSE_JSON({column}), '{}')::VARCHAR",
                path.join(".")
            ),
        }
    }

    /// The value of the first `key:value` (or `key=value`) string in a JSON array of tags.
    fn tag(self, column: &str, key: &str) -> String {
        let split = |t: &str| -> (String, String) {
            // Where the separator is: the first ':', else the first '='.
            let (position, substring, length) = match self {
                Dialect::Postgres | Dialect::Duckdb => ("strpos", "substr", "length"),
                Dialect::Spark => ("instr", "substr", "length"),
                Dialect::Bigquery => ("STRPOS", "SUBSTR", "LENGTH"),
                Dialect::Snowflake => ("POSITION", "SUBSTR", "LENGTH"),
            };
            let at = if self == Dialect::Snowflake {
                format!(
                    "CASE WHEN {position}(':', {t}) > 0 THEN {position}(':', {t}) ELSE {position}('=', {t}) END"
                )
            } else {
                format!(
                    "CASE WHEN {position}({t}, ':') > 0 THEN {position}({t}, ':') ELSE {position}({t}, '=') END"
                )
            };
            let _ = length;
            (
                format!("TRIM({substring}({t}, 1, ({at}) - 1))"),
                format!("TRIM({substring}({t}, ({at}) + 1))"),
            )
        };
        match self {
            Dialect::Postgres => {
                // The first matching tag is found once per row, in the query's `tags` step
                // ([`Dialect::postgres_tag_match`]); here only its value is cut out.
                let _ = column;
                split(&format!("tag_{key}")).1
            }
            Dialect::Duckdb => {
                let (name, value) = split("t");
                format!(
                    "list_transform(list_filter(CAST(json_extract_string({column}, '$[*]') AS VARCHAR[]), lambda t: t IS NOT NULL AND (strpos(t, ':') > 0 OR strpos(t, '=') > 0) AND {name} = '{key}'), lambda t: {value})[1]"
                )
            }
            Dialect::Spark => {
                let (name, value) = split("t");
                format!(
                    "get(transform(filter(from_json({column}, 'array<string>'), t -> t IS NOT NULL AND (instr(t, ':') > 0 OR instr(t, '=') > 0) AND {name} = '{key}'), t -> {value}), 0)"
                )
            }
            Dialect::Bigquery => {
                let (name, value) = split("t");
                format!(
                    "(SELECT {value} FROM UNNEST(JSON_VALUE_ARRAY({column})) AS t WITH OFFSET AS n WHERE (STRPOS(t, ':') > 0 OR STRPOS(t, '=') > 0) AND {name} = '{key}' ORDER BY n LIMIT 1)"
                )
            }
            Dialect::Snowflake => {
                let (name, value) = split("t.value::VARCHAR");
                format!(
                    "(SELECT {value} FROM TABLE(FLATTEN(INPUT => TRY_PARSE_JSON({column}))) AS t WHERE (POSITION(':', t.value::VARCHAR) > 0 OR POSITION('=', t.value::VARCHAR) > 0) AND {name} = '{key}' ORDER BY t.index LIMIT 1)"
                )
            }
        }
    }

    /// PostgreSQL: the first string in a JSON array of tags whose name is `key`, as text. A
    /// JSON path filter, not a set-returning subquery per row: three times faster on
    /// PostgreSQL 15. The regex is the adapter's rule: the name before the first ':' (or, with
    /// no ':', the first '='), trimmed.
    fn postgres_tag_match(column: &str, key: &str) -> String {
        format!(
            "jsonb_path_query_first(CASE WHEN jsonb_typeof({column}::jsonb) = 'array' THEN {column}::jsonb END, '$[*] ? (@ like_regex \"^\\\\s*{key}\\\\s*(:|=[^:]*$)\")') #>> '{{}}'"
        )
    }

    /// `text` matches a whole-string regular expression.
    fn matches(self, text: &str, pattern: &str) -> String {
        match self {
            Dialect::Postgres => format!("{text} ~ '{pattern}'"),
            Dialect::Duckdb => format!("regexp_full_match({text}, '{pattern}')"),
            Dialect::Spark => format!("{text} RLIKE '{pattern}'"),
            Dialect::Bigquery => format!("REGEXP_CONTAINS({text}, r'{pattern}')"),
            Dialect::Snowflake => format!("REGEXP_LIKE({text}, '{pattern}')"),
        }
    }

    fn text_type(self) -> &'static str {
        match self {
            Dialect::Postgres => "TEXT",
            Dialect::Duckdb | Dialect::Snowflake => "VARCHAR",
            Dialect::Spark | Dialect::Bigquery => "STRING",
        }
    }

    fn bigint(self) -> &'static str {
        match self {
            Dialect::Bigquery => "INT64",
            _ => "BIGINT",
        }
    }

    /// A float column's value as an exact decimal: through its shortest decimal text, as an
    /// exported log carries it, never summed as a float. PostgreSQL's NUMERIC is unbounded;
    /// the others get 24 decimal places (BigQuery's BIGNUMERIC 38).
    fn exact_decimal(self, column: &str) -> String {
        match self {
            Dialect::Postgres => format!("CAST(CAST({column} AS TEXT) AS NUMERIC)"),
            Dialect::Duckdb => format!("CAST(CAST({column} AS VARCHAR) AS DECIMAL(38, 24))"),
            Dialect::Spark => format!("CAST(CAST({column} AS STRING) AS DECIMAL(38, 24))"),
            Dialect::Bigquery => format!("CAST(CAST({column} AS STRING) AS BIGNUMERIC)"),
            Dialect::Snowflake => format!("CAST(CAST({column} AS VARCHAR) AS NUMBER(38, 24))"),
        }
    }
}

/// Decimal places kept for a float's exact value outside PostgreSQL.
const SPEND_PLACES: u32 = 24;

/// The number of decimal places a value needs (its shortest text's), from 0 to
/// [`SPEND_PLACES`]: a local replay's sum carries the largest of its requests', so the
/// pushed-down sum is shown with the same digits.
fn places(value: &str) -> String {
    let mut text = String::from("CASE");
    for places in 0..SPEND_PLACES {
        let _ = write!(
            text,
            " WHEN {value} = ROUND({value}, {places}) THEN {places}"
        );
    }
    let _ = write!(text, " ELSE {SPEND_PLACES} END");
    text
}

impl std::str::FromStr for Dialect {
    type Err = String;
    fn from_str(text: &str) -> Result<Dialect, String> {
        match text {
            "postgres" | "postgresql" => Ok(Dialect::Postgres),
            "duckdb" => Ok(Dialect::Duckdb),
            "spark" | "databricks" => Ok(Dialect::Spark),
            "bigquery" => Ok(Dialect::Bigquery),
            "snowflake" => Ok(Dialect::Snowflake),
            other => Err(format!(
                "unknown SQL dialect '{other}'; write postgres, duckdb, spark, bigquery or snowflake"
            )),
        }
    }
}

/// What the aggregation reads: the table and which rows.
#[derive(Clone, Debug)]
pub struct Source {
    /// The relation as the engine should read it, already quoted (or a file function).
    pub relation: String,
    /// A predicate of the user's, ANDed in as written.
    pub filter: Option<String>,
    /// Half-open time range `[from, until)` on `startTime`.
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
    /// `outcome:MODEL` columns: (model, column), in the plan's outcome order.
    pub outcomes: Vec<(String, String)>,
}

/// Microseconds since the epoch, rounded up: for a microsecond-precise time `t`,
/// `t ≥ ceil(b)` exactly when `t ≥ b`.
fn ceil_micros(at: Timestamp) -> i64 {
    let nanos = at.as_nanosecond();
    nanos
        .div_euclid(1_000)
        .saturating_add(i128::from(nanos.rem_euclid(1_000) != 0)) as i64
}

/// A fingerprint of everything the keys' numbering depends on: the breakpoints, thresholds,
/// off-peak schedules and outcome models. Aggregates computed under another catalogue would
/// number periods differently, so they are refused rather than mispriced.
pub fn fingerprint(plan: &Plan) -> String {
    let mut text = String::new();
    for at in plan.breakpoints() {
        let _ = write!(text, "b{};", ceil_micros(*at));
    }
    for threshold in plan.thresholds() {
        let _ = write!(text, "t{threshold};");
    }
    for schedule in plan.off_peaks() {
        let _ = write!(
            text,
            "o{:?}{:?};",
            schedule.peak_hours_utc, schedule.peak_days
        );
    }
    for model in &plan.outcome_models {
        let _ = write!(text, "m{model};");
    }
    // FNV-1a, 64 bits: stable across builds and platforms.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// The output columns of the query, in order; [`segments`] reads them by these names.
pub const COLUMNS: [&str; 22] = [
    "segment_plan",
    "problem",
    "model",
    "workload",
    "task",
    "data_class",
    "has_spend",
    "outcomes",
    "day",
    "period",
    "off_peak",
    "band",
    "requests",
    "input_tokens",
    "cached_tokens",
    "cache_write_tokens",
    "output_tokens",
    "cached_requests",
    "spend",
    "spend_places",
    "first_us",
    "last_us",
];

const DAY_US: i64 = 86_400_000_000;

fn sql_string(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The aggregation query for `dialect` over LiteLLM's spend-log columns.
pub fn query(plan: &Plan, dialect: Dialect, source: &Source) -> String {
    let d = dialect;
    let q = |name: &str| d.ident(name);
    let text = d.text_type();
    let int = d.bigint();
    let metadata = q("metadata");
    let tags = q("request_tags");
    let token_pattern = "^[0-9]+([.]0)?$";
    let negative_pattern = "^-[0-9]+([.]0)?$";

    let mut sql = String::new();
    let _ = writeln!(
        sql,
        "-- mixcost replay aggregation ({}) for scenario '{}'",
        d.name(),
        plan.scenario.name.replace('\n', " ")
    );
    let _ = writeln!(
        sql,
        "-- Segment keys as a local replay forms them; price the result with\n--   mixcost replay --aggregates FILE --scenario SCENARIO\n-- Times: epoch microseconds of \"startTime\" (LiteLLM writes UTC into a timestamp without\n-- time zone), then integer arithmetic only: no session time zone enters a key."
    );
    let _ = writeln!(
        sql,
        "-- {} price periods, {} long-context thresholds, {} off-peak schedules.",
        plan.breakpoints().len() + 1,
        plan.thresholds().len(),
        plan.off_peaks().len()
    );

    // 1. The columns a request needs, as text where the local adapter reads text.
    let routing = |name: &str| {
        format!(
            "COALESCE({}, {})",
            d.tag(&tags, name),
            d.json_text(&metadata, &["spend_logs_metadata", name])
        )
    };
    let cached = [
        ["usage_object", "prompt_tokens_details", "cached_tokens"].as_slice(),
        ["usage_object", "cache_read_input_tokens"].as_slice(),
        [
            "additional_usage_values",
            "prompt_tokens_details",
            "cached_tokens",
        ]
        .as_slice(),
        ["additional_usage_values", "cache_read_input_tokens"].as_slice(),
    ]
    .iter()
    .map(|path| d.json_text(&metadata, path))
    .collect::<Vec<_>>()
    .join(", ");
    let write = [
        ["usage_object", "cache_creation_input_tokens"].as_slice(),
        ["additional_usage_values", "cache_creation_input_tokens"].as_slice(),
    ]
    .iter()
    .map(|path| d.json_text(&metadata, path))
    .collect::<Vec<_>>()
    .join(", ");
    let mut raw: Vec<(String, String)> = Vec::new();
    let item = |items: &mut Vec<(String, String)>, expr: String, name: &str| {
        items.push((expr, name.to_string()));
    };
    item(&mut raw, d.epoch_us(&q("startTime")), "us");
    item(
        &mut raw,
        format!("TRIM(CAST({} AS {text}))", q("model")),
        "model",
    );
    item(
        &mut raw,
        format!("NULLIF(TRIM(CAST({} AS {text})), '')", q("prompt_tokens")),
        "input_text",
    );
    item(
        &mut raw,
        format!("NULLIF(TRIM(COALESCE({cached})), '')"),
        "cached_text",
    );
    item(
        &mut raw,
        format!("NULLIF(TRIM(COALESCE({write})), '')"),
        "write_text",
    );
    item(
        &mut raw,
        format!(
            "NULLIF(TRIM(CAST({} AS {text})), '')",
            q("completion_tokens")
        ),
        "output_text",
    );
    item(
        &mut raw,
        format!("NULLIF(TRIM({}), '')", routing("workload")),
        "workload",
    );
    item(
        &mut raw,
        format!("NULLIF(TRIM({}), '')", routing("task")),
        "task",
    );
    item(
        &mut raw,
        format!("LOWER(NULLIF(TRIM({}), ''))", routing("data_class")),
        "data_class",
    );
    let mut outcome_terms = Vec::new();
    let mut outcome_checks = Vec::new();
    for (index, (_, column)) in source.outcomes.iter().enumerate() {
        let alias = format!("outcome_{index}");
        item(
            &mut raw,
            format!("LOWER(NULLIF(TRIM(CAST({} AS {text})), ''))", q(column)),
            &alias,
        );
        outcome_terms.push(format!(
            "CASE WHEN {alias} IN ('true', 'pass', 'passed', 'yes', '1', '1.0') THEN {} WHEN {alias} IN ('false', 'fail', 'failed', 'no', '0', '0.0') THEN {} ELSE 0 END",
            1u64 << (2 * index),
            2u64 << (2 * index)
        ));
        outcome_checks.push((alias, column.clone()));
    }
    item(&mut raw, q("spend"), "spend");
    let mut conditions = Vec::new();
    if let Some(filter) = &source.filter {
        conditions.push(format!("({filter})"));
    }
    if let Some(from) = source.from {
        conditions.push(format!(
            "{} >= {}",
            d.epoch_us(&q("startTime")),
            ceil_micros(from)
        ));
    }
    if let Some(until) = source.until {
        conditions.push(format!(
            "{} < {}",
            d.epoch_us(&q("startTime")),
            ceil_micros(until)
        ));
    }
    if d == Dialect::Postgres {
        // The table's own columns stay inside `source`, so the steps' column names (model,
        // spend) are never ambiguous with them; the filter still reaches the scan.
        let _ = writeln!(sql, "WITH raw AS (\n  SELECT step.*");
        if conditions.is_empty() {
            let _ = writeln!(sql, "  FROM {} AS source", source.relation);
        } else {
            let _ = writeln!(
                sql,
                "  FROM (SELECT * FROM {}\n    WHERE {}) AS source",
                source.relation,
                conditions.join("\n      AND ")
            );
        }
        let tag_matches: Vec<(String, String)> = ["workload", "task", "data_class"]
            .iter()
            .map(|key| {
                (
                    Dialect::postgres_tag_match(&tags, key),
                    format!("tag_{key}"),
                )
            })
            .collect();
        postgres_step(&mut sql, "tags", &tag_matches);
        postgres_step(&mut sql, "step", &raw);
        let _ = writeln!(sql, "),");
    } else {
        let _ = writeln!(sql, "WITH raw AS (\n  SELECT");
        let _ = writeln!(sql, "{}", generic_items(&raw));
        let _ = writeln!(sql, "  FROM {}", source.relation);
        if !conditions.is_empty() {
            let _ = writeln!(sql, "  WHERE {}", conditions.join("\n    AND "));
        }
        let _ = writeln!(sql, "),");
    }

    // 2. Why a row cannot be read, in the order a local replay checks.
    let token_checks = [
        ("input_text", "prompt_tokens", true),
        ("cached_text", "cached_tokens", false),
        ("write_text", "cache_write_tokens", false),
        ("output_text", "completion_tokens", true),
    ];
    let mut problem = String::from("CASE\n");
    let _ = writeln!(problem, "      WHEN us IS NULL THEN 'bad_value:startTime'");
    let _ = writeln!(
        problem,
        "      WHEN model IS NULL OR model = '' THEN 'bad_value:model'"
    );
    for (alias, column, required) in token_checks {
        if required {
            let _ = writeln!(
                problem,
                "      WHEN {alias} IS NULL THEN 'bad_value:{column}'"
            );
        }
        let _ = writeln!(
            problem,
            "      WHEN {alias} IS NOT NULL AND {} THEN 'bad_tokens:{column}'",
            d.matches(alias, negative_pattern)
        );
        let _ = writeln!(
            problem,
            "      WHEN {alias} IS NOT NULL AND NOT ({}) THEN 'bad_value:{column}'",
            d.matches(alias, token_pattern)
        );
    }
    let as_int = |alias: &str| {
        format!(
            "CASE WHEN {alias} IS NULL THEN 0 ELSE CAST(REPLACE({alias}, '.0', '') AS {int}) END"
        )
    };
    let _ = writeln!(
        problem,
        "      WHEN {} + {} > {} THEN 'bad_tokens:cached_tokens'",
        as_int("cached_text"),
        as_int("write_text"),
        as_int("input_text")
    );
    let _ = writeln!(
        problem,
        "      WHEN data_class IS NOT NULL AND data_class NOT IN ('public', 'internal', 'confidential', 'regulated') THEN 'bad_value:data_class'"
    );
    for (alias, column) in &outcome_checks {
        let _ = writeln!(
            problem,
            "      WHEN {alias} IS NOT NULL AND {alias} NOT IN ('true', 'pass', 'passed', 'yes', '1', '1.0', 'false', 'fail', 'failed', 'no', '0', '0.0') THEN {}",
            sql_string(&format!("bad_value:{column}"))
        );
    }
    problem.push_str("      ELSE '' END");
    let checked = vec![(problem, "problem".to_string())];
    if d == Dialect::Postgres {
        let _ = writeln!(sql, "checked AS (\n  SELECT raw.*, step.*\n  FROM raw");
        postgres_step(&mut sql, "step", &checked);
        let _ = writeln!(sql, "),");
    } else {
        let _ = writeln!(sql, "checked AS (\n  SELECT raw.*,");
        let _ = writeln!(sql, "{}", generic_items(&checked));
        let _ = writeln!(sql, "  FROM raw\n),");
    }

    // 3. Integers, and the time keys from the epoch.
    let mut typed: Vec<(String, String)> = Vec::new();
    item(&mut typed, d.exact_decimal("spend"), "spend_exact");
    item(
        &mut typed,
        format!(
            "CASE WHEN problem = '' THEN {} ELSE 0 END",
            if outcome_terms.is_empty() {
                "0".to_string()
            } else {
                outcome_terms.join("\n      + ")
            }
        ),
        "outcomes",
    );
    for (alias, name) in [
        ("input_text", "input_n"),
        ("cached_text", "cached_n"),
        ("write_text", "write_n"),
        ("output_text", "output_n"),
    ] {
        item(
            &mut typed,
            format!("CASE WHEN problem = '' THEN {} ELSE 0 END", as_int(alias)),
            name,
        );
    }
    item(
        &mut typed,
        format!(
            "CASE WHEN us IS NULL THEN 0 ELSE {} END",
            d.div("us", DAY_US)
        ),
        "day",
    );
    item(
        &mut typed,
        format!(
            "CASE WHEN us IS NULL THEN 0 ELSE {} END",
            d.div(&d.modulo(&d.div("us", 1_000_000), 86_400), 60)
        ),
        "minute_of_day",
    );
    if d == Dialect::Postgres {
        let _ = writeln!(
            sql,
            "typed AS (\n  SELECT checked.*, step.*\n  FROM checked"
        );
        postgres_step(&mut sql, "step", &typed);
        let _ = writeln!(sql, "),");
    } else {
        // The columns the later steps read, then the new ones.
        let _ = writeln!(sql, "typed AS (\n  SELECT");
        let _ = writeln!(sql, "    problem, model, workload, task, data_class,");
        let _ = writeln!(sql, "    spend,");
        let _ = writeln!(sql, "{},", generic_items(&typed[..2]));
        let _ = writeln!(sql, "    us,");
        let _ = writeln!(sql, "{}", generic_items(&typed[2..]));
        let _ = writeln!(sql, "  FROM checked\n),");
    }

    // 4. The price keys.
    let mut keyed: Vec<(String, String)> = Vec::new();
    let spend_places = if d == Dialect::Postgres {
        // PostgreSQL 13+: the fewest decimal places that show the value exactly.
        format!("LEAST(min_scale(spend_exact), {SPEND_PLACES})")
    } else {
        places("spend_exact")
    };
    item(
        &mut keyed,
        format!("CASE WHEN spend_exact IS NULL THEN 0 ELSE {spend_places} END"),
        "spend_places",
    );
    let mut period = String::from("CASE");
    for (index, at) in plan.breakpoints().iter().enumerate().rev() {
        let _ = write!(
            period,
            "\n      WHEN us >= {} THEN {}",
            ceil_micros(*at),
            index + 1
        );
    }
    period.push_str("\n      ELSE 0 END");
    if plan.breakpoints().is_empty() {
        period = "0".to_string();
    }
    item(&mut keyed, period, "period");
    let weekday = d.modulo("(day + 3)", 7);
    let mut off_peak_terms = Vec::new();
    for (index, schedule) in plan.off_peaks().iter().enumerate() {
        let days = schedule
            .peak_days
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let windows = schedule
            .peak_hours_utc
            .iter()
            .map(|(start, end)| format!("(minute_of_day >= {start} AND minute_of_day < {end})"))
            .collect::<Vec<_>>()
            .join(" OR ");
        let peak = if days.is_empty() || windows.is_empty() {
            "FALSE".to_string()
        } else {
            format!("{weekday} IN ({days}) AND ({windows})")
        };
        off_peak_terms.push(format!(
            "CASE WHEN {peak} THEN 0 ELSE {} END",
            1u32 << index
        ));
    }
    item(
        &mut keyed,
        if off_peak_terms.is_empty() {
            "0".to_string()
        } else {
            off_peak_terms.join("\n      + ")
        },
        "off_peak",
    );
    let band = plan
        .thresholds()
        .iter()
        .map(|t| format!("CASE WHEN input_n > {t} THEN 1 ELSE 0 END"))
        .collect::<Vec<_>>();
    item(
        &mut keyed,
        if band.is_empty() {
            "0".to_string()
        } else {
            band.join("\n      + ")
        },
        "band",
    );
    if d == Dialect::Postgres {
        let _ = writeln!(sql, "keyed AS (\n  SELECT typed.*, step.*\n  FROM typed");
        postgres_step(&mut sql, "step", &keyed);
        let _ = writeln!(sql, "),");
    } else {
        let _ = writeln!(sql, "keyed AS (\n  SELECT typed.*,");
        let _ = writeln!(sql, "{}", generic_items(&keyed));
        let _ = writeln!(sql, "  FROM typed\n)");
    }

    // 5. The GROUP BY.
    if d == Dialect::Postgres {
        // Its own plan, so PostgreSQL can hash the few thousand segments instead of sorting
        // every row for the ORDER BY (`replay --database` turns sorts off while planning it).
        let _ = writeln!(sql, "segments AS MATERIALIZED (");
    }
    let _ = writeln!(sql, "SELECT");
    let _ = writeln!(sql, "  '{}' AS segment_plan,", fingerprint(plan));
    let _ = writeln!(sql, "  problem,");
    let _ = writeln!(sql, "  model, workload, task, data_class,");
    let _ = writeln!(
        sql,
        "  CASE WHEN spend IS NULL THEN 0 ELSE 1 END AS has_spend,"
    );
    let _ = writeln!(sql, "  outcomes, day, period, off_peak, band,");
    let _ = writeln!(sql, "  COUNT(*) AS requests,");
    for (name, alias) in [
        ("input_n", "input_tokens"),
        ("cached_n", "cached_tokens"),
        ("write_n", "cache_write_tokens"),
        ("output_n", "output_tokens"),
    ] {
        let _ = writeln!(sql, "  SUM({name}) AS {alias},");
    }
    let _ = writeln!(
        sql,
        "  SUM(CASE WHEN cached_n > 0 OR write_n > 0 THEN 1 ELSE 0 END) AS cached_requests,"
    );
    let _ = writeln!(sql, "  SUM(spend_exact) AS spend,");
    let _ = writeln!(sql, "  MAX(spend_places) AS spend_places,");
    let _ = writeln!(sql, "  MIN(us) AS first_us,\n  MAX(us) AS last_us");
    let _ = writeln!(sql, "FROM keyed");
    let groups = "problem, model, workload, task, data_class, CASE WHEN spend IS NULL THEN 0 ELSE 1 END, outcomes, day, period, off_peak, band";
    let _ = writeln!(sql, "GROUP BY {groups}");
    if d == Dialect::Postgres {
        let _ = writeln!(sql, ")\nSELECT * FROM segments");
        let _ = writeln!(
            sql,
            "ORDER BY {}",
            groups.replace("CASE WHEN spend IS NULL THEN 0 ELSE 1 END", "has_spend")
        );
    } else {
        let _ = writeln!(sql, "ORDER BY {groups}");
    }
    sql
}

/// A step's new columns as a SELECT list, one `expression AS name` a line.
fn generic_items(items: &[(String, String)]) -> String {
    items
        .iter()
        .map(|(expression, name)| format!("    {expression} AS {name}"))
        .collect::<Vec<_>>()
        .join(",\n")
}

/// PostgreSQL: a step's new columns computed once per row. PostgreSQL inlines a CTE that is
/// read once and substitutes each column's expression wherever a later step names it, so a
/// column named ten times was computed ten times per row (the JSON tag search, the row's
/// problem). Expressions in `LATERAL ROWS FROM (…)` are evaluated once per row, and the scan
/// still runs in parallel workers; `COALESCE(x)` is `x`, written as a function call because
/// ROWS FROM takes only those.
fn postgres_step(sql: &mut String, alias: &str, items: &[(String, String)]) {
    let _ = writeln!(sql, "  CROSS JOIN LATERAL ROWS FROM (");
    let expressions = items
        .iter()
        .map(|(expression, _)| format!("    COALESCE({expression})"))
        .collect::<Vec<_>>()
        .join(",\n");
    let _ = writeln!(sql, "{expressions}");
    let names = items
        .iter()
        .map(|(_, name)| name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let _ = writeln!(sql, "  ) AS {alias}({names})");
}

/// One row an engine returned, as text by column name (CSV and JSON Lines exports, and
/// PostgreSQL's text protocol, all hand text).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AggregateRow {
    pub segment_plan: Option<String>,
    pub problem: String,
    pub model: Option<String>,
    pub workload: Option<String>,
    pub task: Option<String>,
    pub data_class: Option<String>,
    pub has_spend: bool,
    pub outcomes: u64,
    pub day: i32,
    pub period: u16,
    pub off_peak: u8,
    pub band: u8,
    pub requests: u64,
    pub input_tokens: u64,
    pub cached_tokens: u64,
    pub cache_write_tokens: u64,
    pub output_tokens: u64,
    pub cached_requests: u64,
    /// Σ spend, shown with `spend_places` decimal places.
    pub spend: Option<Decimal>,
    pub first_us: Option<i64>,
    pub last_us: Option<i64>,
}

/// What [`segments`] found wrong with the rows as a whole.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AggregateError {
    #[error("the aggregates were computed for another catalogue or scenario (segment plan '{found}', this one is '{expected}'): emit the SQL again with this catalogue and scenario and re-run it")]
    OtherPlan { found: String, expected: String },
    #[error("the aggregates hold no rows: the query matched no request")]
    Empty,
}

/// The aggregates as the replay's segments: rows that cannot be priced are counted in
/// `Skips` by reason (their requests, not their aggregate rows), as a local replay counts
/// them. Returns the segments, the skips and the number of requests read.
pub fn segments(
    plan: &Plan,
    rows: &[AggregateRow],
) -> Result<(BTreeMap<SegmentKey, Sums>, Skips, u64), AggregateError> {
    let expected = fingerprint(plan);
    for row in rows {
        if let Some(found) = &row.segment_plan {
            if *found != expected {
                return Err(AggregateError::OtherPlan {
                    found: found.clone(),
                    expected,
                });
            }
        }
    }
    let mut segments: BTreeMap<SegmentKey, Sums> = BTreeMap::new();
    let mut skips = Skips::default();
    let mut read = 0u64;
    let skip = |skips: &mut Skips, reason, column: Option<String>, value, message, count| {
        if count == 0 {
            return;
        }
        let before = skips.counts.get(&reason).copied().unwrap_or(0);
        skips.record(Problem {
            position: Position::default(),
            reason,
            column,
            value,
            message,
        });
        skips.counts.insert(reason, before + count);
    };
    for row in rows {
        read += row.requests;
        if !row.problem.is_empty() {
            let (reason, column) = row.problem.split_once(':').unwrap_or((&row.problem, ""));
            let reason = match reason {
                "bad_tokens" => SkipReason::BadTokens,
                _ => SkipReason::BadValue,
            };
            let message = match reason {
                SkipReason::BadTokens => {
                    format!("negative or inconsistent token counts in '{column}'")
                }
                _ => format!("a value in '{column}' is missing or does not parse"),
            };
            skip(
                &mut skips,
                reason,
                Some(column.to_string()),
                None,
                message,
                row.requests,
            );
            continue;
        }
        let model = row.model.clone().unwrap_or_default();
        let data_class = match row.data_class.as_deref() {
            None => DataClass::Internal,
            Some(text) => match crate::load::log::parse_data_class(text) {
                Some(data_class) => data_class,
                None => {
                    skip(
                        &mut skips,
                        SkipReason::BadValue,
                        Some("data_class".to_string()),
                        Some(text.to_string()),
                        format!("'{text}' is not a data class (public, internal, confidential, regulated)"),
                        row.requests,
                    );
                    continue;
                }
            },
        };
        let key = SegmentKey {
            model: model.clone(),
            workload: row.workload.clone().filter(|w| !w.trim().is_empty()),
            task: row.task.clone().filter(|t| !t.trim().is_empty()),
            data_class,
            day: row.day,
            period: row.period,
            off_peak: row.off_peak,
            band: row.band,
            tier: LoggedTier::Standard,
            has_spend: row.has_spend,
            outcomes: row.outcomes,
        };
        let first = row
            .first_us
            .and_then(|us| Timestamp::from_microsecond(us).ok());
        let last = row
            .last_us
            .and_then(|us| Timestamp::from_microsecond(us).ok());
        if let Err((reason, message)) =
            price_segment(plan, &key, first.unwrap_or(Timestamp::UNIX_EPOCH))
        {
            if reason == SkipReason::UnknownModel {
                *skips.unknown_models.entry(model.clone()).or_default() += row.requests;
            }
            let column = matches!(reason, SkipReason::UnknownModel | SkipReason::NoPrice)
                .then(|| "model".to_string());
            skip(
                &mut skips,
                reason,
                column,
                Some(model),
                message,
                row.requests,
            );
            continue;
        }
        let sums = Sums {
            requests: row.requests,
            input_tokens: row.input_tokens,
            cached_tokens: row.cached_tokens,
            cache_write_tokens: row.cache_write_tokens,
            output_tokens: row.output_tokens,
            cached_requests: row.cached_requests,
            spend: if row.has_spend {
                row.spend.unwrap_or_default()
            } else {
                Decimal::ZERO
            },
            first,
            last,
            ..Sums::default()
        };
        segments.entry(key).or_default().merge(&sums);
    }
    if read == 0 {
        return Err(AggregateError::Empty);
    }
    Ok((segments, skips, read))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::replay::{finish, Accumulator, Histogram};
    use crate::model::catalogue::Catalogue;
    use crate::model::request::Request;
    use crate::model::scenario::Scenario;

    fn seed() -> (Catalogue, Scenario) {
        let (catalogue, _) = crate::load::pricing::load_catalogue(&[]).unwrap();
        let (scenario, _) =
            crate::load::scenario::load_scenario(&crate::load::scenario::seed_source(), &catalogue)
                .unwrap();
        (catalogue, scenario)
    }

    fn request(
        at: &str,
        model: &'static str,
        workload: Option<&'static str>,
        input: u64,
        cached: u64,
        output: u64,
    ) -> Request<'static> {
        Request {
            at: at.parse().unwrap(),
            model,
            workload,
            task: None,
            data_class: DataClass::Internal,
            input_tokens: input,
            cached_tokens: cached,
            cache_write_tokens: 0,
            output_tokens: output,
            tier: LoggedTier::Standard,
            spend: Some(Decimal::new(125, 4)),
            outcomes: &[],
            shadow_output: &[],
        }
    }

    /// The rows an engine would return for these segments, as the SQL names them.
    fn rows_of(plan: &Plan, segments: &BTreeMap<SegmentKey, Sums>) -> Vec<AggregateRow> {
        segments
            .iter()
            .map(|(key, sums)| AggregateRow {
                segment_plan: Some(fingerprint(plan)),
                problem: String::new(),
                model: Some(key.model.clone()),
                workload: key.workload.clone(),
                task: key.task.clone(),
                data_class: Some(key.data_class.as_str().to_string()),
                has_spend: key.has_spend,
                outcomes: key.outcomes,
                day: key.day,
                period: key.period,
                off_peak: key.off_peak,
                band: key.band,
                requests: sums.requests,
                input_tokens: sums.input_tokens,
                cached_tokens: sums.cached_tokens,
                cache_write_tokens: sums.cache_write_tokens,
                output_tokens: sums.output_tokens,
                cached_requests: sums.cached_requests,
                spend: Some(sums.spend),
                first_us: sums.first.map(|t| t.as_microsecond()),
                last_us: sums.last.map(|t| t.as_microsecond()),
            })
            .collect()
    }

    #[test]
    fn returned_segments_price_exactly_as_the_local_replay() {
        let (catalogue, scenario) = seed();
        let plan = Plan::new(&scenario, &catalogue, Vec::new(), Vec::new());
        let requests = [
            // Peak and off-peak hours, either side of GPT-5.5's 272k threshold, cached input.
            request(
                "2026-11-02T03:00:00Z",
                "gpt-5.5",
                Some("repetitive"),
                12_000,
                4_000,
                800,
            ),
            request(
                "2026-11-02T12:00:00Z",
                "gpt-5.5",
                Some("repetitive"),
                272_001,
                0,
                800,
            ),
            request(
                "2026-11-02T12:00:00.5Z",
                "openai/gpt-5.5",
                Some("hard"),
                272_000,
                100,
                9,
            ),
            request(
                "2026-11-03T23:59:59.999Z",
                "deepseek-v4-flash",
                None,
                5_000,
                0,
                70,
            ),
        ];
        let mut local = Accumulator::new(&plan);
        for (line, r) in requests.iter().enumerate() {
            let position = Position {
                file: 0,
                line: line as u64 + 1,
            };
            assert!(local.add(&plan, r, position));
        }
        let (segments, skips, histograms, read) = local.into_segments();
        let expected = finish(&plan, &segments, skips, &histograms, read, None).unwrap();

        let rows = rows_of(&plan, &segments);
        let (pushed, skips, read) = super::segments(&plan, &rows).unwrap();
        let empty = vec![Histogram::default(); plan.columns()];
        let got = finish(&plan, &pushed, skips, &empty, read, None).unwrap();
        assert_eq!(got.rows_read, 4);
        assert_eq!(got.rows_priced, 4);
        assert_eq!(got.reconciliation, expected.reconciliation);
        assert_eq!(got.assumptions, expected.assumptions);
        assert_eq!((got.first, got.last), (expected.first, expected.last));
        for (a, b) in got.columns.iter().zip(&expected.columns) {
            assert_eq!(
                (&a.name, a.total, a.requests),
                (&b.name, b.total, b.requests)
            );
        }
    }

    #[test]
    fn rows_that_cannot_be_priced_are_counted_by_request() {
        let (catalogue, scenario) = seed();
        let plan = Plan::new(&scenario, &catalogue, Vec::new(), Vec::new());
        let latest = plan.breakpoints().len() as u16;
        let good = AggregateRow {
            model: Some("gpt-5.5".into()),
            workload: Some("hard".into()),
            period: latest,
            requests: 3,
            input_tokens: 300,
            output_tokens: 30,
            has_spend: true,
            spend: Some(Decimal::new(3, 2)),
            first_us: Some(1_794_000_000_000_000),
            last_us: Some(1_794_000_000_000_001),
            ..AggregateRow::default()
        };
        let rows = vec![
            good.clone(),
            AggregateRow {
                problem: "bad_tokens:cached_tokens".into(),
                requests: 5,
                ..AggregateRow::default()
            },
            AggregateRow {
                problem: "bad_value:startTime".into(),
                requests: 2,
                ..AggregateRow::default()
            },
            AggregateRow {
                model: Some("no-such-model".into()),
                ..good.clone()
            },
            AggregateRow {
                data_class: Some("secret".into()),
                ..good.clone()
            },
            AggregateRow {
                period: 0,
                ..good.clone()
            },
        ];
        let (segments, skips, read) = super::segments(&plan, &rows).unwrap();
        assert_eq!(read, 3 + 5 + 2 + 3 + 3 + 3);
        assert_eq!(segments.values().map(|s| s.requests).sum::<u64>(), 3);
        assert_eq!(skips.counts[&SkipReason::BadTokens], 5);
        assert_eq!(skips.counts[&SkipReason::BadValue], 2 + 3);
        assert_eq!(skips.counts[&SkipReason::UnknownModel], 3);
        assert_eq!(skips.counts[&SkipReason::NoPrice], 3);
        assert_eq!(skips.unknown_models["no-such-model"], 3);
        assert_eq!(skips.total() + 3, read);
    }

    #[test]
    fn aggregates_from_another_plan_are_refused() {
        let (catalogue, scenario) = seed();
        let plan = Plan::new(&scenario, &catalogue, Vec::new(), Vec::new());
        let row = AggregateRow {
            segment_plan: Some("0123456789abcdef".into()),
            requests: 1,
            ..AggregateRow::default()
        };
        let error = super::segments(&plan, &[row]).unwrap_err();
        assert!(matches!(error, AggregateError::OtherPlan { .. }));
        assert_eq!(
            super::segments(&plan, &[]).unwrap_err(),
            AggregateError::Empty
        );
    }

    #[test]
    fn boundaries_round_up_to_the_microsecond() {
        let at: Timestamp = "2026-05-31T15:59:00Z".parse().unwrap();
        assert_eq!(ceil_micros(at), at.as_microsecond());
        let just_after = at.checked_add(jiff::SignedDuration::from_nanos(1)).unwrap();
        // A promotion ending at 15:59:00 (inclusive) ends for every µs-precise time after it.
        assert_eq!(ceil_micros(just_after), at.as_microsecond() + 1);
    }

    #[test]
    fn every_period_boundary_is_in_the_query() {
        let (catalogue, scenario) = seed();
        let plan = Plan::new(&scenario, &catalogue, Vec::new(), Vec::new());
        for dialect in [
            Dialect::Postgres,
            Dialect::Duckdb,
            Dialect::Spark,
            Dialect::Bigquery,
            Dialect::Snowflake,
        ] {
            let source = Source {
                relation: dialect.ident("LiteLLM_SpendLogs"),
                filter: None,
                from: None,
                until: None,
                outcomes: Vec::new(),
            };
            let sql = query(&plan, dialect, &source);
            for (index, at) in plan.breakpoints().iter().enumerate() {
                let branch = format!("WHEN us >= {} THEN {}\n", ceil_micros(*at), index + 1);
                assert!(sql.contains(&branch), "{}: no '{branch}'", dialect.name());
            }
            for threshold in plan.thresholds() {
                assert!(sql.contains(&format!("input_n > {threshold} THEN 1")));
            }
            // The final SELECT names every column the aggregates reader expects.
            let select = sql.rsplit("\nSELECT\n").next().unwrap_or_default();
            for column in COLUMNS {
                let named = select
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .any(|word| word == column);
                assert!(named, "{}: no column {column}", dialect.name());
            }
        }
    }
}
