//! `replay --emit-sql`, `--aggregates` and `--database` without a database: the emitted SQL per
//! dialect (snapshots), pricing an engine's rows from CSV and JSON Lines, and the errors that
//! need no server. The engines themselves run in checks/warehouse-*.sh.

mod common;
use common::{assert_no_crash, ok, rejected, run_with};

const DIALECTS: [&str; 5] = ["postgres", "duckdb", "spark", "bigquery", "snowflake"];

fn emitted(dialect: &str) -> String {
    ok(&[
        "replay",
        "--emit-sql",
        dialect,
        "--scenario",
        "scenarios/seed.yaml",
    ])
}

#[test]
fn emitted_sql_per_dialect() {
    for dialect in DIALECTS {
        insta::assert_snapshot!(format!("emit_sql_seed_{dialect}"), emitted(dialect));
    }
}

#[test]
fn emitted_sql_takes_the_table_filter_and_half_open_range() {
    let sql = ok(&[
        "replay",
        "--emit-sql",
        "postgres",
        "--scenario",
        "scenarios/seed.yaml",
        "--table",
        "litellm.LiteLLM_SpendLogs",
        "--where",
        "team_id = 'search'",
        "--from",
        "2026-11-01T00:00:00Z",
        "--until",
        "2026-12-01T00:00:00Z",
    ]);
    assert!(
        sql.contains("FROM \"litellm\".\"LiteLLM_SpendLogs\"\n"),
        "{sql}"
    );
    assert!(sql.contains("WHERE (team_id = 'search')"), "{sql}");
    // 2026-11-01T00:00:00Z and 2026-12-01T00:00:00Z in epoch microseconds.
    assert!(sql.contains(">= 1793491200000000"), "{sql}");
    assert!(sql.contains("< 1796083200000000"), "{sql}");
}

/// The latest price period and the plan's fingerprint, read from the emitted SQL.
fn latest_period_and_plan() -> (String, String) {
    let sql = emitted("duckdb");
    let period = sql
        .lines()
        .find(|line| line.trim_start().starts_with("WHEN us >= "))
        .and_then(|line| line.rsplit(' ').next())
        .expect("a period branch")
        .to_string();
    let plan = sql
        .lines()
        .find(|line| line.contains("AS segment_plan"))
        .and_then(|line| line.split('\'').nth(1))
        .expect("the segment plan")
        .to_string();
    (period, plan)
}

const HEADER: &str = "segment_plan,problem,model,workload,task,data_class,has_spend,outcomes,day,period,off_peak,band,requests,input_tokens,cached_tokens,cache_write_tokens,output_tokens,cached_requests,spend,spend_places,first_us,last_us";

#[test]
fn aggregates_price_the_same_from_csv_and_json_lines() {
    let (period, plan) = latest_period_and_plan();
    let folder = tempfile::tempdir().unwrap();
    let csv = folder.path().join("segments.csv");
    // 2026-11-08 is day 20765; two segments and 4 requests that could not be read.
    std::fs::write(
        &csv,
        format!(
            "{HEADER}\n\
             {plan},,gpt-5.5,repetitive,,internal,1,0,20765,{period},1,0,3,30000,10000,0,900,2,0.0375,4,1794099600000000,1794103200000000\n\
             {plan},,openai/gpt-5.5,hard,,,1,0,20765,{period},1,2,1,300000,0,0,100,0,0.5,1,1794099600000000,1794099600000000\n\
             {plan},bad_tokens:cached_tokens,,,,,1,0,20765,{period},1,0,4,0,0,0,0,0,0.1,1,1794099600000000,1794099600000000\n"
        ),
    )
    .unwrap();
    let jsonl = folder.path().join("segments.jsonl");
    let mut lines = String::new();
    let mut reader = csv::Reader::from_path(&csv).unwrap();
    let names: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    for record in reader.records() {
        let record = record.unwrap();
        let object: serde_json::Map<String, serde_json::Value> = names
            .iter()
            .zip(record.iter())
            .map(|(name, value)| {
                // Engines export integers as numbers and empty text as null.
                let value = match value.parse::<i64>() {
                    Ok(number) if name != "model" => serde_json::json!(number),
                    _ if value.is_empty() => serde_json::Value::Null,
                    _ => serde_json::json!(value),
                };
                (name.clone(), value)
            })
            .collect();
        lines.push_str(&serde_json::to_string(&object).unwrap());
        lines.push('\n');
    }
    std::fs::write(&jsonl, lines).unwrap();

    let price = |path: &std::path::Path| {
        ok(&[
            "replay",
            "--aggregates",
            path.to_str().unwrap(),
            "--scenario",
            "scenarios/seed.yaml",
            "--format",
            "json",
        ])
    };
    let from_csv: serde_json::Value = serde_json::from_str(&price(&csv)).unwrap();
    let from_jsonl: serde_json::Value = serde_json::from_str(&price(&jsonl)).unwrap();
    assert_eq!(from_csv["policies"], from_jsonl["policies"]);
    assert_eq!(from_csv["reconciliation"], from_jsonl["reconciliation"]);
    assert_eq!(from_csv["rows"]["read"], 8);
    assert_eq!(from_csv["rows"]["priced"], 4);
    assert_eq!(from_csv["rows"]["skipped"], 4);
    assert_eq!(
        from_csv["rows"]["skipped_by_reason"][0]["reason"],
        "bad_tokens"
    );
    // The logged spend keeps the places of its most precise request (0.0375 + 0.5).
    assert_eq!(
        from_csv["reconciliation"]["by_model"][0]["logged_spend"],
        "0.5375"
    );
    assert_eq!(from_csv["first_request"], "2026-11-08T01:00Z");
}

#[test]
fn bad_aggregates_are_located() {
    let (period, plan) = latest_period_and_plan();
    let folder = tempfile::tempdir().unwrap();
    let write = |name: &str, text: String| {
        let path = folder.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let args = |path: &str| -> Vec<String> {
        [
            "replay",
            "--aggregates",
            path,
            "--scenario",
            "scenarios/seed.yaml",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let reject = |path: &str| {
        let owned = args(path);
        let refs: Vec<&str> = owned.iter().map(String::as_str).collect();
        rejected(&refs)
    };
    let row = format!("{plan},,gpt-5.5,,,,1,0,20765,{period},1,0,3,30000,0,0,900,0,0.1,1,1,2");

    let path = write("unknown.csv", format!("{HEADER},colour\n{row},red\n"));
    let error = reject(&path);
    assert!(
        error.contains("unknown.csv:2: unknown column 'colour'"),
        "{error}"
    );

    let bad = row.replace(",30000,", ",30k,");
    let path = write("number.csv", format!("{HEADER}\n{row}\n{bad}\n"));
    let error = reject(&path);
    assert!(
        error.contains("number.csv:3: column 'input_tokens', value '30k'"),
        "{error}"
    );

    let other = row.replace(&plan, "0000000000000000");
    let path = write("other.csv", format!("{HEADER}\n{other}\n"));
    let error = reject(&path);
    assert!(error.contains("another catalogue or scenario"), "{error}");

    let path = write("empty.csv", format!("{HEADER}\n"));
    let error = reject(&path);
    assert!(error.contains("hold no rows"), "{error}");

    let inconsistent = row.replace(",30000,0,0,900,", ",30000,40000,0,900,");
    let path = write("cached.csv", format!("{HEADER}\n{inconsistent}\n"));
    let error = reject(&path);
    assert!(
        error.contains("cached.csv:2: cached_tokens (40000)"),
        "{error}"
    );

    let path = write("broken.jsonl", "{\"requests\": 1\n".to_string());
    let error = reject(&path);
    assert!(
        error.contains("broken.jsonl:1: not a JSON object"),
        "{error}"
    );
}

#[test]
fn database_urls_never_carry_a_password() {
    let error = rejected(&[
        "replay",
        "--database",
        "postgres://litellm:hunter2@db.example/litellm",
        "--scenario",
        "scenarios/seed.yaml",
    ]);
    assert!(error.contains("PGPASSWORD"), "{error}");
    assert!(error.contains("~/.pgpass"), "{error}");
    assert!(!error.contains("hunter2"), "{error}");
}

#[test]
fn an_unreachable_database_exits_2_with_what_to_check() {
    // Port 1 on the loopback refuses at once: no server, no wait.
    let error = rejected(&[
        "replay",
        "--database",
        "postgres://postgres@127.0.0.1:1/test",
        "--scenario",
        "scenarios/seed.yaml",
    ]);
    assert!(
        error.contains("cannot connect to postgres://postgres@127.0.0.1:1/test"),
        "{error}"
    );
    assert!(error.contains("pg_isready"), "{error}");
}

#[test]
fn tls_settings_are_checked_before_connecting() {
    // Port 1 on the loopback: any of these reaching the network would say pg_isready instead.
    let database = |query: &str| format!("postgres://postgres@127.0.0.1:1/test?{query}");
    let refused = |url: &str, env: &[(&str, &str)]| {
        let run = run_with(
            env,
            &[
                "replay",
                "--database",
                url,
                "--scenario",
                "scenarios/seed.yaml",
            ],
        );
        assert_eq!(run.code, Some(2), "{url}: {}", run.stderr);
        assert_eq!(run.stdout, "");
        assert_no_crash(&run.stderr);
        assert!(!run.stderr.contains("pg_isready"), "{url}: {}", run.stderr);
        run.stderr
    };
    let error = refused(&database("sslmode=verify-full"), &[]);
    assert!(error.contains("no root certificate was given"), "{error}");
    assert!(error.contains("sslrootcert=FILE"), "{error}");
    let error = refused(&database(""), &[("PGSSLMODE", "verify-ca")]);
    assert!(error.contains("sslmode=verify-ca"), "{error}");
    let error = refused(&database("sslmode=secure"), &[]);
    assert!(error.contains("sslmode 'secure'"), "{error}");
    let error = refused(&database("sslmode=require&sslrootcert=system"), &[]);
    assert!(error.contains("sslrootcert=system"), "{error}");
    let error = refused(&database("sslmode=require&application_name=x"), &[]);
    assert!(
        error.contains("'application_name' is not supported"),
        "{error}"
    );
    let error = refused(
        &database("sslmode=verify-full&sslrootcert=tests/fixtures/no-such-ca.pem"),
        &[],
    );
    assert!(
        error.contains("sslrootcert") && error.contains("no-such-ca.pem"),
        "{error}"
    );
    let error = refused(
        &database("sslmode=verify-full&sslrootcert=scenarios/seed.yaml"),
        &[],
    );
    assert!(error.contains("holds no certificate"), "{error}");

    // Well-formed settings go on to connect: an unreachable server is still reported as one.
    let error = rejected(&[
        "replay",
        "--database",
        &database("sslmode=require"),
        "--scenario",
        "scenarios/seed.yaml",
    ]);
    assert!(error.contains("pg_isready"), "{error}");
}

#[test]
fn pushed_down_replays_are_strict_and_emit_scenarios() {
    let (period, plan) = latest_period_and_plan();
    let folder = tempfile::tempdir().unwrap();
    let good = format!(
        "{plan},,gpt-5.5,repetitive,extraction,internal,1,0,20765,{period},1,0,3,30000,15000,0,900,2,0.0375,4,1794099600000000,1794103200000000"
    );
    let bad = format!(
        "{plan},bad_tokens:cached_tokens,,,,,1,0,20765,{period},1,0,4,0,0,0,0,0,0.1,1,1794099600000000,1794099600000000"
    );
    let clean = folder.path().join("clean.csv");
    std::fs::write(&clean, format!("{HEADER}\n{good}\n")).unwrap();
    let mixed = folder.path().join("mixed.csv");
    std::fs::write(&mixed, format!("{HEADER}\n{good}\n{bad}\n")).unwrap();
    let args = |path: &std::path::Path, extra: &[&str]| -> Vec<String> {
        let mut args: Vec<String> = [
            "replay",
            "--aggregates",
            path.to_str().unwrap(),
            "--scenario",
            "scenarios/seed.yaml",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let run_ok = |owned: Vec<String>| ok(&owned.iter().map(String::as_str).collect::<Vec<_>>());
    let run_rejected =
        |owned: Vec<String>| rejected(&owned.iter().map(String::as_str).collect::<Vec<_>>());

    // --strict: a clean result prices as without it; any skipped request stops with the
    // count by reason, and nothing is printed as a result.
    assert_eq!(
        run_ok(args(&clean, &["--strict"])),
        run_ok(args(&clean, &[]))
    );
    let error = run_rejected(args(&mixed, &["--strict"]));
    assert!(
        error.contains("4 of 7 requests in") && error.contains("inconsistent tokens: 4"),
        "{error}"
    );
    assert!(error.contains("drop --strict"), "{error}");

    // --emit-scenario: the workloads measured from the sums, with no input-size spread.
    let emitted = folder.path().join("emitted.yaml");
    run_ok(args(
        &mixed,
        &["--emit-scenario", emitted.to_str().unwrap()],
    ));
    let yaml = std::fs::read_to_string(&emitted).unwrap();
    assert!(yaml.contains("no input-size spread"), "{yaml}");
    assert!(yaml.contains("  - name: repetitive\n"), "{yaml}");
    assert!(yaml.contains("    requests: 3\n"), "{yaml}");
    assert!(
        yaml.contains("    input_tokens_per_request: 10000\n"),
        "{yaml}"
    );
    assert!(
        yaml.contains("    output_tokens_per_request: 300\n"),
        "{yaml}"
    );
    assert!(yaml.contains("    cache_hit_rate: 0.5\n"), "{yaml}");
    assert!(!yaml.contains("uncertainty:"), "{yaml}");
    // The emitted scenario is one mixcost reads back.
    ok(&["compare", emitted.to_str().unwrap()]);
}

#[test]
fn emitted_sql_refuses_what_needs_the_rows() {
    for flag in [&["--emit-scenario", "out.yaml"][..], &["--strict"][..]] {
        let mut args = vec![
            "replay",
            "--emit-sql",
            "duckdb",
            "--scenario",
            "scenarios/seed.yaml",
        ];
        args.extend_from_slice(flag);
        let error = rejected(&args);
        assert!(error.contains(flag[0]), "{error}");
        assert!(error.contains("--database or --aggregates"), "{error}");
    }
    let error = rejected(&[
        "replay",
        "--emit-sql",
        "oracle",
        "--scenario",
        "scenarios/seed.yaml",
    ]);
    assert!(error.contains("oracle"), "{error}");
}
