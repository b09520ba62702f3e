//! Hostile request logs for `mixcost replay`: rows that do not parse, unknown models, times
//! before any price, inconsistent tokens, truncated gzip, empty logs, bad mappings. Each case
//! asserts the exit code, a message naming the place, no crash, inputs unchanged and nothing
//! left behind (see `tests/common/hostile.rs`).

mod common;

use std::io::Write;

use common::hostile::Case;

const SCENARIO: &str = "name: x
as_of: 2026-05-20
workloads:
  - name: a
    task: extraction
    input_tokens: 1M
    output_tokens: 1M
policies:
  - name: p
    default: gpt-5.5
baseline: p
";

const HEADER: &str = "timestamp,model,task,input_tokens,cached_tokens,output_tokens\n";
const GOOD: &str = "2026-05-20T10:00:00Z,gpt-5.5,extraction,1000,0,100\n";

fn strict(name: &str, row: &str) -> Case {
    Case::new(
        name,
        &[
            "replay",
            "log.csv",
            "--scenario",
            "s.yaml",
            "--strict",
            "-o",
            "out.txt",
        ],
    )
    .file("s.yaml", SCENARIO)
    .file("log.csv", format!("{HEADER}{GOOD}{row}{GOOD}"))
}

#[test]
fn a_row_that_does_not_parse_names_line_column_and_value() {
    strict(
        "token count not a number",
        "2026-05-20T10:00:00Z,gpt-5.5,extraction,12k,0,100\n",
    )
    .mentions("log.csv:3, input_tokens, value '12k'")
    .mentions("not a token count")
    .check();
    strict(
        "bad timestamp",
        "20/05/2026,gpt-5.5,extraction,1000,0,100\n",
    )
    .mentions("log.csv:3, timestamp, value '20/05/2026'")
    .check();
}

#[test]
fn an_unknown_model_is_named_never_priced_at_zero() {
    strict(
        "unknown model",
        "2026-05-20T10:00:00Z,gpt-5.55,extraction,1000,0,100\n",
    )
    .mentions("log.csv:3, model, value 'gpt-5.55'")
    .check();
}

#[test]
fn a_time_before_any_price_is_named() {
    strict(
        "before the price history",
        "2019-01-01T00:00:00Z,gpt-5.5,extraction,1000,0,100\n",
    )
    .mentions("log.csv:3")
    .mentions("has no price on 2019-01-01")
    .check();
}

#[test]
fn negative_or_inconsistent_tokens_are_named() {
    strict(
        "cached above input",
        "2026-05-20T10:00:00Z,gpt-5.5,extraction,1000,2000,100\n",
    )
    .mentions("log.csv:3, cached_tokens")
    .mentions("exceed the input tokens")
    .check();
    strict(
        "negative output",
        "2026-05-20T10:00:00Z,gpt-5.5,extraction,1000,0,-100\n",
    )
    .mentions("log.csv:3, output_tokens, value '-100'")
    .check();
}

fn truncated_gzip() -> Vec<u8> {
    let mut text = String::from(HEADER);
    for _ in 0..2000 {
        text.push_str(GOOD);
    }
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gzip.write_all(text.as_bytes()).unwrap();
    let bytes = gzip.finish().unwrap();
    bytes[..bytes.len() / 2].to_vec()
}

#[test]
fn a_truncated_gzip_is_counted_and_strict_stops() {
    Case::new(
        "truncated gzip, strict",
        &["replay", "log.csv.gz", "--scenario", "s.yaml", "--strict"],
    )
    .file("s.yaml", SCENARIO)
    .file("log.csv.gz", truncated_gzip())
    .mentions("log.csv.gz")
    .mentions("truncated or corrupt")
    .check();

    let outcome = Case::new(
        "truncated gzip, default",
        &["replay", "log.csv.gz", "--scenario", "s.yaml"],
    )
    .file("s.yaml", SCENARIO)
    .file("log.csv.gz", truncated_gzip())
    .exit(0)
    .check();
    assert!(
        outcome.stdout.contains("truncated file: 1"),
        "{}",
        outcome.stdout
    );
    // Rows read = priced + skipped, whatever was lost.
    let line = outcome
        .stdout
        .lines()
        .find(|line| line.starts_with("rows read"))
        .expect("the rows line");
    let numbers: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .map(|part| part.parse().unwrap())
        .collect();
    assert_eq!(numbers[0], numbers[1] + numbers[2], "{line}");
}

#[test]
fn empty_logs_are_errors() {
    Case::new("empty file", &["replay", "log.csv", "--scenario", "s.yaml"])
        .file("s.yaml", SCENARIO)
        .file("log.csv", "")
        .mentions("log.csv")
        .mentions("empty")
        .check();
    Case::new(
        "header only",
        &["replay", "log.csv", "--scenario", "s.yaml"],
    )
    .file("s.yaml", SCENARIO)
    .file("log.csv", HEADER)
    .mentions("no rows")
    .check();
    Case::new(
        "empty JSON Lines",
        &["replay", "log.jsonl", "--scenario", "s.yaml"],
    )
    .file("s.yaml", SCENARIO)
    .file("log.jsonl", "\n\n")
    .mentions("log.jsonl")
    .check();
    Case::new("empty folder", &["replay", "logs", "--scenario", "s.yaml"])
        .file("s.yaml", SCENARIO)
        .file("logs/readme.txt", "no logs here")
        .mentions("holds no log files")
        .check();
}

#[test]
fn every_row_skipped_is_an_error_not_a_zero_bill() {
    Case::new(
        "only unknown models",
        &["replay", "log.csv", "--scenario", "s.yaml", "-o", "out.txt"],
    )
    .file("s.yaml", SCENARIO)
    .file(
        "log.csv",
        format!("{HEADER}2026-05-20T10:00:00Z,gpt-5.55,extraction,1000,0,100\n"),
    )
    .mentions("no request in the log could be priced")
    .mentions("gpt-5.55")
    .check();
}

#[test]
fn bad_mappings_and_inputs_are_named() {
    Case::new(
        "unknown mapped field",
        &[
            "replay",
            "log.csv",
            "--scenario",
            "s.yaml",
            "--map",
            "ouput_tokens=out",
        ],
    )
    .file("s.yaml", SCENARIO)
    .file("log.csv", format!("{HEADER}{GOOD}"))
    .mentions("unknown field 'ouput_tokens'")
    .mentions("did you mean 'output_tokens'")
    .check();
    Case::new(
        "missing log",
        &["replay", "nope.csv", "--scenario", "s.yaml"],
    )
    .file("s.yaml", SCENARIO)
    .mentions("nope.csv")
    .check();
    Case::new(
        "binary garbage",
        &["replay", "log.csv", "--scenario", "s.yaml"],
    )
    .file("s.yaml", SCENARIO)
    .file("log.csv", [0u8, 159, 146, 150, 255, 10, 1, 2, 3, 10])
    .mentions("log.csv")
    .check();
    Case::new(
        "JSON line that is not an object, strict",
        &["replay", "log.jsonl", "--scenario", "s.yaml", "--strict"],
    )
    .file("s.yaml", SCENARIO)
    .file(
        "log.jsonl",
        "{\"timestamp\":\"2026-05-20T10:00:00Z\",\"model\":\"gpt-5.5\",\"input_tokens\":1,\"output_tokens\":1}\n[1,2]\n",
    )
    .mentions("log.jsonl:2")
    .check();
    Case::new(
        "outcome score without a threshold, strict",
        &["replay", "log.csv", "--scenario", "s.yaml", "--strict"],
    )
    .file("s.yaml", SCENARIO)
    .file(
        "log.csv",
        "timestamp,model,input_tokens,output_tokens,outcome:gpt-5.5\n2026-05-20T10:00:00Z,gpt-5.5,1,1,0.7\n",
    )
    .mentions("log.csv:2, outcome:gpt-5.5, value '0.7'")
    .mentions("--pass-threshold")
    .check();
}

#[test]
fn an_output_naming_the_log_is_refused_and_the_log_kept() {
    for target in ["log.csv", "s.yaml"] {
        Case::new(
            "output onto an input",
            &["replay", "log.csv", "--scenario", "s.yaml", "-o", target],
        )
        .file("s.yaml", SCENARIO)
        .file("log.csv", format!("{HEADER}{GOOD}"))
        .mentions(target)
        .check();
    }
}
