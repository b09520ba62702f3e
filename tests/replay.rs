//! `mixcost replay`: small logs the tests write, priced by hand in the comments.

mod common;

use std::io::Write;
use std::path::Path;

use rust_decimal::Decimal;
use serde_json::Value;

/// The replay tests' scenario: all on GPT-5.5, or extraction on V4 Flash.
const SCENARIO: &str = include_str!("fixtures/replay/scenario.yaml");

/// Three requests, priced by hand (USD per 1M tokens: GPT-5.5 5 / 0.5 cached / 30, above 272k
/// input 10 / 1 / 45; V4 Flash after 2026-04-26T12:15Z 0.14 / 0.0028 / 0.28):
///
/// - r1 GPT-5.5, 100k in (20k cached), 10k out: 0.40 + 0.01 + 0.30 = 0.71 (log: 0.80)
/// - r2 GPT-5.5, 300k in (> 272k: long context), 10k out: 3.00 + 0.45 = 3.45 (log: 3.45)
/// - r3 Flash, 1M in (500k cached), 1M out: 0.07 + 0.0014 + 0.28 = 0.3514 (log: 0.35)
///
/// As logged 4.5114. All on GPT-5.5: r3 is long context there, 5.0 + 0.5 + 45 = 50.5, so
/// 0.71 + 3.45 + 50.5 = 54.66. Mixed-flash sends extraction (r1, r3) to Flash: r1 =
/// 0.0112 + 0.000056 + 0.0028 = 0.014056, so 0.014056 + 3.45 + 0.3514 = 3.815456.
const LOG: &str = include_str!("fixtures/replay/log.csv");

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path.display().to_string()
}

fn json(args: &[&str]) -> Value {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--format", "json"]);
    let run = common::run(&all);
    assert_eq!(
        run.code,
        Some(0),
        "mixcost {all:?}: {}\n{}",
        run.stdout,
        run.stderr
    );
    serde_json::from_str(&run.stdout).expect("JSON output")
}

fn cost(value: &Value, policy: &str) -> Decimal {
    let entry = value["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["policy"] == policy)
        .unwrap_or_else(|| panic!("no policy {policy} in {value}"));
    entry["cost"].as_str().unwrap().parse().unwrap()
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

#[test]
fn every_request_is_priced_exactly_under_every_policy() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "s.yaml", SCENARIO);
    let log = write(dir.path(), "log.csv", LOG);
    let out = json(&["replay", &log, "--scenario", &scenario]);
    assert_eq!(cost(&out, "as logged"), dec("4.5114"));
    assert_eq!(cost(&out, "all-gpt-5.5"), dec("54.66"));
    assert_eq!(cost(&out, "mixed-flash"), dec("3.815456"));
    assert_eq!(out["rows"]["read"], 3);
    assert_eq!(out["rows"]["priced"], 3);
    assert_eq!(out["rows"]["skipped"], 0);
    // Reconciliation: GPT-5.5 logged 4.25 against 4.16 (r1 +0.09); Flash 0.35 against 0.3514.
    let by_model = out["reconciliation"]["by_model"].as_array().unwrap();
    let gpt = by_model.iter().find(|r| r["model"] == "gpt-5.5").unwrap();
    assert_eq!(dec(gpt["logged_spend"].as_str().unwrap()), dec("4.25"));
    assert_eq!(dec(gpt["mixcost_price"].as_str().unwrap()), dec("4.16"));
    assert_eq!(dec(gpt["difference"].as_str().unwrap()), dec("0.09"));
    let largest = &out["reconciliation"]["largest_differences"][0];
    assert_eq!(largest["model"], "gpt-5.5");
    assert_eq!(largest["day"], "2026-05-20");
}

#[test]
fn compressed_split_and_json_lines_logs_give_the_same_totals() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "s.yaml", SCENARIO);
    let plain = write(dir.path(), "log.csv", LOG);
    let reference = json(&["replay", &plain, "--scenario", &scenario]);

    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gzip.write_all(LOG.as_bytes()).unwrap();
    let gz = write(dir.path(), "log.csv.gz", gzip.finish().unwrap());
    let zst = write(
        dir.path(),
        "log.csv.zst",
        zstd::encode_all(LOG.as_bytes(), 3).unwrap(),
    );
    let folder = dir.path().join("parts");
    std::fs::create_dir(&folder).unwrap();
    let lines: Vec<&str> = LOG.lines().collect();
    write(&folder, "a.csv", format!("{}\n{}\n", lines[0], lines[1]));
    write(
        &folder,
        "b.csv",
        format!("{}\n{}\n{}\n", lines[0], lines[2], lines[3]),
    );
    let jsonl = write(
        dir.path(),
        "log.jsonl",
        "{\"timestamp\":\"2026-05-20T10:00:00Z\",\"model\":\"gpt-5.5\",\"task\":\"extraction\",\"input_tokens\":100000,\"cached_tokens\":20000,\"output_tokens\":10000,\"spend\":0.80}
{\"timestamp\":\"2026-05-20T11:00:00+00:00\",\"model\":\"gpt-5.5\",\"task\":\"synthesis\",\"input_tokens\":300000,\"output_tokens\":10000,\"spend\":3.45}

{\"timestamp\":\"2026-05-21 11:00:00\",\"model\":\"deepseek-v4-flash\",\"task\":\"extraction\",\"input_tokens\":1000000,\"cached_tokens\":500000,\"output_tokens\":1000000,\"spend\":0.35}
",
    );
    let folder = folder.display().to_string();
    for log in [&gz, &zst, &folder, &jsonl] {
        let out = json(&["replay", log, "--scenario", &scenario]);
        assert_eq!(out["policies"], reference["policies"], "{log}");
        assert_eq!(
            out["reconciliation"]["by_model"], reference["reconciliation"]["by_model"],
            "{log}"
        );
    }
}

#[test]
fn each_request_is_priced_at_its_own_time_promotion_and_window() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "s.yaml", SCENARIO);
    // V4 Pro's launch promotion (75% off 1.74) runs until 2026-05-31T15:59:00Z inclusive; from
    // 16:00 the list price is 0.435. Half a second after the promotion ends, the list price of
    // the old set applies: 1M input tokens cost 0.435, 1.74, 0.435.
    // V4 Flash bills off-peak at half price from 2026-08-16T16:00Z; Monday 2026-08-17 02:00Z is
    // peak (0.14 per 1M), 05:00Z off-peak (0.07).
    let log = write(
        dir.path(),
        "log.csv",
        "timestamp,model,task,input_tokens,output_tokens
2026-05-31T15:59:00Z,deepseek-v4-pro,synthesis,1000000,0
2026-05-31T15:59:00.5Z,deepseek-v4-pro,synthesis,1000000,0
2026-05-31T16:00:00Z,deepseek-v4-pro,synthesis,1000000,0
2026-08-17T02:00:00Z,deepseek-v4-flash,synthesis,1000000,0
2026-08-17T05:00:00Z,deepseek-v4-flash,synthesis,1000000,0
",
    );
    let out = json(&["replay", &log, "--scenario", &scenario, "--by", "day"]);
    // 0.435 + 1.74 + 0.435 + 0.14 + 0.07
    assert_eq!(cost(&out, "as logged"), dec("2.82"));
    let rows = out["breakdown"]["rows"].as_array().unwrap();
    assert_eq!(rows[0]["key"], "2026-05-31");
    assert_eq!(dec(rows[0]["costs"][0].as_str().unwrap()), dec("2.61"));
    assert_eq!(dec(rows[1]["costs"][0].as_str().unwrap()), dec("0.21"));
}

#[test]
fn bad_rows_are_counted_by_reason_and_rows_add_up() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "s.yaml", SCENARIO);
    let log = write(
        dir.path(),
        "log.csv",
        "timestamp,model,task,input_tokens,cached_tokens,output_tokens
2026-05-20T10:00:00Z,gpt-5.5,extraction,1000,0,100
2026-05-20T10:00:00Z,gpt-9,extraction,1000,0,100
2026-05-20T10:00:00Z,gpt-9,extraction,1000,0,100
2026-05-20T10:00:00Z,gpt-5.5,extraction,1000,2000,100
2026-05-20T10:00:00Z,gpt-5.5,extraction,-5,0,100
2026-05-20T10:00:00Z,gpt-5.5,extraction,lots,0,100
yesterday,gpt-5.5,extraction,1000,0,100
2020-01-01T00:00:00Z,gpt-5.5,extraction,1000,0,100
",
    );
    let out = json(&["replay", &log, "--scenario", &scenario]);
    assert_eq!(out["rows"]["read"], 8);
    assert_eq!(out["rows"]["priced"], 1);
    assert_eq!(out["rows"]["skipped"], 7);
    let reasons: Vec<(String, u64)> = out["rows"]["skipped_by_reason"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["reason"].as_str().unwrap().to_string(),
                r["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        reasons,
        [
            ("bad_value".to_string(), 2),
            ("bad_tokens".to_string(), 2),
            ("unknown_model".to_string(), 2),
            ("no_price".to_string(), 1),
        ]
    );
    assert_eq!(out["rows"]["unknown_models"][0]["model"], "gpt-9");
    assert_eq!(out["rows"]["unknown_models"][0]["requests"], 2);
    // 1000 × 5 + 100 × 30 per 1M: the one priced row, never a $0 stand-in for the others.
    assert_eq!(cost(&out, "as logged"), dec("0.008"));

    let table = common::ok(&["replay", &log, "--scenario", &scenario]);
    assert!(
        table.contains("rows read 8 = priced 1 + skipped 7"),
        "{table}"
    );
    assert!(
        table.contains("unknown model 'gpt-9': 2 requests"),
        "{table}"
    );
    assert!(table.contains("log.csv:3, model, value 'gpt-9'"), "{table}");
}

#[test]
fn strict_stops_at_the_first_bad_row_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "s.yaml", SCENARIO);
    let log = write(
        dir.path(),
        "log.csv",
        "timestamp,model,input_tokens,output_tokens
2026-05-20T10:00:00Z,gpt-5.5,1000,100
2026-05-20T10:00:00Z,gpt-5.5,10x0,100
2026-05-20T10:00:00Z,gpt-9,1000,100
",
    );
    let run = common::run(&["replay", &log, "--scenario", &scenario, "--strict"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("log.csv:3, input_tokens, value '10x0'"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("drop --strict"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
}

#[test]
fn the_result_does_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "s.yaml", SCENARIO);
    // 120,000 rows (about 7 MB: two blocks), varied sizes and times.
    let mut text = String::from("timestamp,model,task,input_tokens,cached_tokens,output_tokens\n");
    for i in 0..120_000u64 {
        let model = ["gpt-5.5", "deepseek-v4-flash", "claude-sonnet-4-5"][(i % 3) as usize];
        let task = ["extraction", "synthesis"][(i % 2) as usize];
        let input = 1000 + (i * 7919) % 400_000;
        let cached = (i % 5) * input / 10;
        text.push_str(&format!(
            "2026-05-{:02}T{:02}:{:02}:00Z,{model},{task},{input},{cached},{}\n",
            1 + i % 28,
            i % 24,
            i % 60,
            10 + i % 900
        ));
    }
    let log = write(dir.path(), "log.csv", text);
    let one = common::ok(&[
        "replay",
        &log,
        "--scenario",
        &scenario,
        "--threads",
        "1",
        "--by",
        "week",
        "--format",
        "json",
    ]);
    let four = common::ok(&[
        "replay",
        &log,
        "--scenario",
        &scenario,
        "--threads",
        "4",
        "--by",
        "week",
        "--format",
        "json",
    ]);
    assert_eq!(one, four);
    let value: Value = serde_json::from_str(&one).unwrap();
    assert_eq!(value["rows"]["priced"], 120_000);
    // The breakdown adds up to the total, exactly.
    let total: Decimal = value["breakdown"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| dec(row["costs"][1].as_str().unwrap()))
        .sum();
    assert_eq!(total, cost(&value, "all-gpt-5.5"));
}

#[test]
fn an_empty_log_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "s.yaml", SCENARIO);
    let header_only = write(
        dir.path(),
        "log.csv",
        "timestamp,model,input_tokens,output_tokens\n",
    );
    let run = common::run(&["replay", &header_only, "--scenario", &scenario]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("no rows"), "{}", run.stderr);
}

#[test]
fn a_missing_column_is_named_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "s.yaml", SCENARIO);
    let log = write(
        dir.path(),
        "log.csv",
        "timestamp,model,input_tokens,ouput_tokens\n2026-05-20T10:00:00Z,gpt-5.5,1,1\n",
    );
    let run = common::run(&["replay", &log, "--scenario", &scenario]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("no column 'output_tokens'")
            && run.stderr.contains("did you mean 'ouput_tokens'"),
        "{}",
        run.stderr
    );
    // --map names it.
    let out = json(&[
        "replay",
        &log,
        "--scenario",
        &scenario,
        "--map",
        "output_tokens=ouput_tokens",
    ]);
    assert_eq!(out["rows"]["priced"], 1);
}

#[test]
fn litellm_spend_logs_read_cached_tokens_from_metadata_and_routing_from_tags() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "s.yaml", SCENARIO);
    // LiteLLM_SpendLogs exported from PostgreSQL: startTime without a zone (UTC), prompt_tokens
    // including cached ones, cached tokens in metadata.usage_object.
    // r1: 100k prompt (40k cached) + 1k completion on GPT-5.5: 0.30 + 0.02 + 0.03 = 0.35.
    // Under mixed-flash the extraction tag sends it to Flash: 0.0084 + 0.000112 + 0.00028.
    let log = write(
        dir.path(),
        "spend.csv",
        r#"request_id,call_type,spend,total_tokens,prompt_tokens,completion_tokens,startTime,endTime,model,metadata,request_tags
a1,acompletion,0.35,101000,100000,1000,2026-05-20 10:00:00.123,2026-05-20 10:00:02.000,openai/gpt-5.5,"{""usage_object"": {""prompt_tokens"": 100000, ""completion_tokens"": 1000, ""prompt_tokens_details"": {""cached_tokens"": 40000}}}","[""task:extraction"", ""team:ops""]"
"#,
    );
    let out = json(&[
        "replay",
        &log,
        "--scenario",
        &scenario,
        "--log-format",
        "litellm",
    ]);
    assert_eq!(out["rows"]["priced"], 1, "{out}");
    assert_eq!(cost(&out, "as logged"), dec("0.35"));
    assert_eq!(cost(&out, "mixed-flash"), dec("0.008792"));
    assert_eq!(
        dec(out["reconciliation"]["by_model"][0]["difference"]
            .as_str()
            .unwrap()),
        Decimal::ZERO
    );
}

#[test]
fn openai_anthropic_and_otel_records_map_their_usage_objects() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "s.yaml", SCENARIO);
    // OpenAI: prompt_tokens 10k includes 2k cached: 8k × 5 + 2k × 0.5 + 1k × 30 per 1M = 0.071.
    let openai = write(
        dir.path(),
        "openai.jsonl",
        r#"{"id":"chatcmpl-1","object":"chat.completion","created":1779271200,"model":"gpt-5.5","service_tier":"default","usage":{"prompt_tokens":10000,"completion_tokens":1000,"total_tokens":11000,"prompt_tokens_details":{"cached_tokens":2000}}}
"#,
    );
    let out = json(&[
        "replay",
        &openai,
        "--scenario",
        &scenario,
        "--log-format",
        "openai",
    ]);
    assert_eq!(cost(&out, "as logged"), dec("0.071"));
    assert_eq!(out["first_request"], "2026-05-20T10:00Z");

    // Anthropic: input_tokens excludes the cache: 1k + 4k read + 2k written = 7k input.
    // Sonnet 4.5: 1k × 3 + 4k × 0.30 + 2k × 3.75 + 500 × 15 per 1M = 0.0192.
    let anthropic = write(
        dir.path(),
        "anthropic.jsonl",
        r#"{"timestamp":"2026-05-20T10:00:00Z","message":{"id":"msg_1","type":"message","model":"claude-sonnet-4-5","usage":{"input_tokens":1000,"cache_read_input_tokens":4000,"cache_creation_input_tokens":2000,"output_tokens":500}}}
"#,
    );
    let out = json(&[
        "replay",
        &anthropic,
        "--scenario",
        &scenario,
        "--log-format",
        "anthropic",
    ]);
    assert_eq!(cost(&out, "as logged"), dec("0.0192"));
    // Under all-gpt-5.5 the 7k input keeps its 4k cache hits and 2k writes (GPT-5.5 publishes
    // no cache-write price: its input price stands in): 1k × 5 + 4k × 0.5 + 2k × 5 + 500 × 30.
    assert_eq!(cost(&out, "all-gpt-5.5"), dec("0.032"));
    let texts: Vec<&str> = out["assumptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["text"].as_str().unwrap())
        .collect();
    assert!(
        texts.iter().any(|t| t.contains(
            "cache hits and writes logged on claude-sonnet-4-5 carry over unchanged to gpt-5.5"
        )),
        "{texts:?}"
    );

    // OTel: one export request with a GenAI span and a span that is not a request.
    // input_tokens includes the 3k cached: 7k × 5 + 3k × 0.5 + 2k × 30 per 1M = 0.0965.
    let otel = write(
        dir.path(),
        "spans.jsonl",
        r#"{"resourceSpans":[{"resource":{"attributes":[]},"scopeSpans":[{"spans":[{"traceId":"t","spanId":"s1","name":"chat gpt-5.5","startTimeUnixNano":"1779271200000000000","attributes":[{"key":"gen_ai.request.model","value":{"stringValue":"gpt-5.5"}},{"key":"gen_ai.usage.input_tokens","value":{"intValue":"10000"}},{"key":"gen_ai.usage.cache_read.input_tokens","value":{"intValue":"3000"}},{"key":"gen_ai.usage.output_tokens","value":{"intValue":"2000"}},{"key":"task","value":{"stringValue":"extraction"}}]},{"spanId":"s2","name":"db query","startTimeUnixNano":"1779271200000000000","attributes":[]}]}]}]}
"#,
    );
    let out = json(&[
        "replay",
        &otel,
        "--scenario",
        &scenario,
        "--log-format",
        "otel",
    ]);
    assert_eq!(out["rows"]["read"], 1);
    assert_eq!(cost(&out, "as logged"), dec("0.0965"));
}

const SHADOW_SCENARIO: &str = "name: Shadow test
as_of: 2026-05-20
workloads:
  - name: tickets
    task: extraction
    requests: 1k
    input_tokens_per_request: 1000
    output_tokens_per_request: 100
policies:
  - name: direct
    default: gpt-5.5
  - name: cascade
    default:
      model: deepseek-v4-flash
      fallback: [gpt-5.5]
baseline: direct
quality:
  pass_rates:
    - {model: deepseek-v4-flash, task: extraction, rate: 0.8}
    - {model: gpt-5.5, task: extraction, rate: 0.9}
";

/// Ten requests of 1,000 input and 100 output tokens, with both models' true outcomes:
/// Flash and GPT-5.5 both right 5, Flash right only 1, GPT-5.5 right only 2, both wrong 2.
fn shadow_log(dir: &Path) -> String {
    let mut text = String::from(
        "timestamp,model,task,input_tokens,output_tokens,outcome:deepseek-v4-flash,outcome:gpt-5.5\n",
    );
    let patterns = [
        ("true", "true", 5),
        ("true", "false", 1),
        ("false", "true", 2),
        ("false", "false", 2),
    ];
    let mut minute = 0;
    for (flash, gpt, count) in patterns {
        for _ in 0..count {
            text.push_str(&format!(
                "2026-05-20T10:{minute:02}:00Z,gpt-5.5,extraction,1000,100,{flash},{gpt}\n"
            ));
            minute += 1;
        }
    }
    write(dir, "shadow.csv", text)
}

#[test]
fn shadow_evaluation_replays_the_chain_on_each_requests_outcomes() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "s.yaml", SHADOW_SCENARIO);
    let log = shadow_log(dir.path());
    let out = json(&["replay", &log, "--scenario", &scenario]);
    let cascade = out["shadow"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["policy"] == "cascade")
        .unwrap();
    // Flash passes 6; of its 4 failures GPT-5.5 passes 2: 8 of 10. Independence: 0.6 + 0.4 ×
    // 0.7 = 0.88. Cost: 10 Flash calls (0.000168 each) + 4 GPT-5.5 calls (0.008 each) =
    // 0.03368, the same under both (4 requests reach GPT-5.5 either way).
    assert_eq!(
        dec(cascade["replayed"]["successes"].as_str().unwrap()),
        dec("8")
    );
    assert_eq!(
        dec(cascade["independent"]["successes"].as_str().unwrap()),
        dec("8.8")
    );
    assert_eq!(
        dec(cascade["replayed"]["cost"].as_str().unwrap()),
        dec("0.03368")
    );
    assert_eq!(
        dec(cascade["replayed"]["reworked"].as_str().unwrap()),
        dec("4")
    );
    let direct = &out["shadow"][0];
    assert_eq!(
        dec(direct["replayed"]["successes"].as_str().unwrap()),
        dec("7")
    );
}

#[test]
fn the_emitted_scenario_reproduces_the_replay_exactly() {
    let dir = tempfile::tempdir().unwrap();
    // A noisy validator, retries with half the failed answer as context, and a reviewer.
    let noisy = SHADOW_SCENARIO
        .replace("fallback: [gpt-5.5]", "fallback: [gpt-5.5, analyst]")
        .replace(
            "quality:\n",
            "quality:\n  retry_context: 50%\n  validator: {false_accept: 10%, false_reject: 5%}\n",
        );
    for (name, text) in [("perfect", SHADOW_SCENARIO.to_string()), ("noisy", noisy)] {
        let scenario = write(dir.path(), &format!("{name}.yaml"), text);
        let log = shadow_log(dir.path());
        let emitted = dir.path().join(format!("{name}-emitted.yaml"));
        let emitted = emitted.display().to_string();
        let replay = json(&[
            "replay",
            &log,
            "--scenario",
            &scenario,
            "--emit-scenario",
            &emitted,
        ]);
        let compare = json(&["compare", &emitted]);
        let workflow = compare["scenarios"][0]["workflow"]["policies"]
            .as_array()
            .unwrap()
            .clone();
        for shadow in replay["shadow"].as_array().unwrap() {
            let policy = shadow["policy"].as_str().unwrap();
            let closed = workflow.iter().find(|p| p["name"] == policy).unwrap();
            assert_eq!(
                dec(closed["expected_cost_exact"].as_str().unwrap()),
                dec(shadow["replayed"]["cost"].as_str().unwrap()),
                "{name} {policy}: expected cost"
            );
            assert_eq!(
                dec(closed["success_rate"].as_str().unwrap()),
                dec(shadow["replayed"]["success_rate"].as_str().unwrap()),
                "{name} {policy}: success"
            );
        }
        // And the first attempts: the emitted workloads price to the replay's policy totals.
        for policy in ["direct", "cascade"] {
            let first = compare["scenarios"][0]["policies"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == policy)
                .unwrap()
                .clone();
            let exact = dec(first["monthly_cost_exact"].as_str().unwrap());
            assert_eq!(
                exact,
                cost(&replay, policy),
                "{name} {policy}: first attempts"
            );
        }
    }
}

#[test]
fn json_output_matches_the_shipped_schema() {
    let shipped = std::fs::read_to_string(format!(
        "{}/schemas/replay.schema.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("schemas/replay.schema.json is shipped");
    assert_eq!(
        common::ok(&["schema", "replay"]),
        shipped,
        "regenerate it with `mixcost schema replay -o schemas/replay.schema.json`"
    );
    let schema: Value = serde_json::from_str(&shipped).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "s.yaml", SHADOW_SCENARIO);
    let log = shadow_log(dir.path());
    for extra in [&[][..], &["--by", "model"][..]] {
        let mut args = vec!["replay", log.as_str(), "--scenario", scenario.as_str()];
        args.extend_from_slice(extra);
        let instance = json(&args);
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
    }
}

#[test]
fn replay_output_in_every_format() {
    let log = "tests/fixtures/replay/log.csv";
    let scenario = "tests/fixtures/replay/scenario.yaml";
    insta::assert_snapshot!(
        "replay_table_by_model",
        common::ok(&["replay", log, "--scenario", scenario, "--by", "model"])
    );
    // CSV holds the tables; the notes (rows, assumptions, skips) go to standard error.
    let csv = common::run(&["replay", log, "--scenario", scenario, "--format", "csv"]);
    assert_eq!(csv.code, Some(0), "{}", csv.stderr);
    insta::assert_snapshot!("replay_csv", csv.stdout);
    insta::assert_snapshot!("replay_csv_notes", csv.stderr);
    insta::assert_snapshot!(
        "replay_shadow_markdown",
        common::ok(&[
            "replay",
            "tests/fixtures/replay/shadow.csv",
            "--scenario",
            "tests/fixtures/replay/shadow.yaml",
            "--format",
            "markdown"
        ])
    );
}

/// Plain lines are split in place and quoted records go through the CSV parser: the same log
/// written both ways (every field quoted in the second) must replay to the same JSON, skipped
/// rows and their line numbers included, and stop at the same line under `--strict`.
#[test]
fn plain_and_quoted_csv_logs_replay_identically() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "s.yaml", SCENARIO);
    // 70,000 rows (about 5 MB: two blocks), with a byte-order mark, CRLF and blank lines, a
    // field with a newline inside quotes, and bad rows.
    let header =
        "timestamp,model,workload,task,data_class,input_tokens,cached_tokens,output_tokens,spend";
    let mut rows: Vec<Vec<String>> = Vec::new();
    for i in 0..70_000u64 {
        let input = 1000 + (i * 7919) % 400_000;
        let mut row = vec![
            format!(
                "2026-05-{:02}T{:02}:{:02}:{:02}Z",
                1 + i % 28,
                i % 24,
                i % 60,
                i % 53
            ),
            ["gpt-5.5", "deepseek-v4-flash", "claude-sonnet-4-5"][(i % 3) as usize].to_string(),
            ["", "support"][(i % 2) as usize].to_string(),
            ["extraction", "synthesis", ""][(i % 3) as usize].to_string(),
            ["public", "internal"][(i % 2) as usize].to_string(),
            input.to_string(),
            ((i % 5) * input / 10).to_string(),
            (10 + i % 900).to_string(),
            ["", "0.01"][(i % 2) as usize].to_string(),
        ];
        match i % 10_007 {
            17 => row[5] = "12x".to_string(),
            18 => row[1] = "gpt-9".to_string(),
            19 => row[6] = (input + 1).to_string(),
            20 => row[4] = "secret".to_string(),
            _ => {}
        }
        rows.push(row);
    }
    let write_log = |name: &str, quote: bool| {
        let mut text = format!("\u{feff}{header}\r\n");
        for (i, row) in rows.iter().enumerate() {
            let fields: Vec<String> = row
                .iter()
                .enumerate()
                .map(
                    |(column, field)| match (quote, i % 25_000 == 3 && column == 2) {
                        (_, true) => format!("\"sup\nport\"{field}"),
                        (true, false) => format!("\"{field}\""),
                        (false, false) => field.clone(),
                    },
                )
                .collect();
            text.push_str(&fields.join(","));
            text.push_str(match i % 1_000 {
                5 => "\r\n",
                6 => "\n\n",
                7 => "\r\n\r\n",
                _ => "\n",
            });
        }
        let sub = dir.path().join(name);
        std::fs::create_dir(&sub).unwrap();
        write(&sub, "log.csv", text)
    };
    let plain = write_log("plain", false);
    let quoted = write_log("quoted", true);
    let replay = |log: &str, threads: &str, strict: bool| {
        let mut args = vec!["replay", log, "--scenario", &scenario, "--threads", threads];
        args.extend(["--by", "day", "--format", "json"]);
        if strict {
            args.push("--strict");
        }
        let run = common::run(&args);
        let shown = |text: &str| text.replace(log, "LOG");
        (run.code, shown(&run.stdout), shown(&run.stderr))
    };
    let expected = replay(&plain, "1", false);
    assert_eq!(expected.0, Some(0), "{}", expected.2);
    assert_eq!(replay(&quoted, "2", false), expected);
    let value: Value = serde_json::from_str(&expected.1).unwrap();
    // Rows 17–20 of each 10,007 (seven times) are bad: 28 skipped.
    assert_eq!(value["rows"]["read"], 70_000, "{value}");
    assert_eq!(value["rows"]["skipped"], 28, "{value}");

    let strict = replay(&plain, "2", true);
    assert_eq!(strict.0, Some(2));
    // The first bad row is row 17 (0-based), on line 22: the header, rows 0–16 on a line
    // each, and three more lines (row 3's quoted newline, the blank lines after rows 6 and 7).
    assert!(
        strict.2.contains("LOG:22, input_tokens, value '12x'"),
        "{}",
        strict.2
    );
    assert_eq!(replay(&quoted, "2", true), strict);
}

/// A cache-hit rate with no finite decimal (1/3 of the input tokens cached) is written rounded
/// to 12 places with a note, so `compare` can price the emitted scenario: written to 28 digits
/// it left no digits for the token counts and was refused.
#[test]
fn an_emitted_rate_with_no_finite_decimal_still_prices() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "s.yaml", SCENARIO);
    // 300,000 input tokens, 100,000 cached: a hit rate of 1/3.
    let log = write(
        dir.path(),
        "log.csv",
        "timestamp,model,task,input_tokens,cached_tokens,output_tokens\n\
         2026-05-20T10:00:00Z,gpt-5.5,extraction,150000,50000,1000\n\
         2026-05-20T11:00:00Z,gpt-5.5,extraction,150000,50000,1000\n",
    );
    let emitted = dir.path().join("emitted.yaml");
    let emitted = emitted.display().to_string();
    json(&[
        "replay",
        &log,
        "--scenario",
        &scenario,
        "--emit-scenario",
        &emitted,
    ]);
    let text = std::fs::read_to_string(&emitted).unwrap();
    assert!(text.contains("cache_hit_rate: 0.333333333333\n"), "{text}");
    assert!(
        text.contains("rounded to 12 places (100000 cached, 0 cache-write of 300000 input tokens)"),
        "{text}"
    );
    let compare = json(&["compare", &emitted]);
    // GPT-5.5 on 150,000 input tokens a request, 0.333333333333 of them cached ($0.50 per 1M)
    // and the rest at $5.00, plus 1,000 output tokens at $30.00, for 2 requests: the input is
    // 2 × (50,000 × 0.5 + 100,000 × 5) / 1M rounded by the rate's last digit.
    let total: Decimal = compare["scenarios"][0]["policies"][0]["monthly_cost_exact"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let exact = Decimal::new(111, 2); // 2 × (0.025 + 0.5 + 0.03) = 1.11
    assert!(
        (total - exact).abs() < Decimal::new(1, 9),
        "{total} vs {exact}"
    );
}
