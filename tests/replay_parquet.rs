//! `mixcost replay` over Parquet: files the tests write with the `parquet` crate, replayed to
//! the same JSON as the same log in CSV, and every kind of bad Parquet input refused clearly.

mod common;

use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::types::Int32Type;
use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, Decimal128Array, DictionaryArray, Float64Array,
    Int64Array, ListArray, RecordBatch, StringArray, StructArray, TimestampMicrosecondArray,
    TimestampMillisecondArray, UInt32Array,
};
use arrow_schema::{DataType, Field};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

/// The replay tests' scenario: all on GPT-5.5, or extraction on V4 Flash.
const SCENARIO: &str = include_str!("fixtures/replay/scenario.yaml");

/// The log of `tests/replay.rs`, priced there by hand: as logged 4.5114, all on GPT-5.5
/// 54.66, mixed-flash 3.815456.
const LOG: &str = include_str!("fixtures/replay/log.csv");

/// 2026-05-20T10:00:00Z, 11:00, and 2026-05-21T11:00:00Z in Unix seconds.
const TIMES: [i64; 3] = [1_779_271_200, 1_779_274_800, 1_779_361_200];

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path.display().to_string()
}

fn strings(values: &[&str]) -> ArrayRef {
    Arc::new(StringArray::from(values.to_vec()))
}

fn ints(values: &[Option<i64>]) -> ArrayRef {
    Arc::new(Int64Array::from(values.to_vec()))
}

/// Writes `columns` as Parquet, `rows_per_group` rows to a row group.
fn parquet(
    dir: &Path,
    name: &str,
    columns: Vec<(&str, ArrayRef)>,
    rows_per_group: usize,
) -> String {
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let path = dir.join(name);
    let properties = WriterProperties::builder()
        .set_max_row_group_row_count(Some(rows_per_group))
        .set_compression(Compression::SNAPPY)
        .build();
    let mut writer = ArrowWriter::try_new(
        std::fs::File::create(&path).unwrap(),
        batch.schema(),
        Some(properties),
    )
    .unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    path.display().to_string()
}

/// The columns of [`LOG`]: timestamps in microseconds (UTC), the model dictionary-encoded.
fn log_columns() -> Vec<(&'static str, ArrayRef)> {
    let model: DictionaryArray<Int32Type> = vec!["gpt-5.5", "gpt-5.5", "deepseek-v4-flash"]
        .into_iter()
        .collect();
    vec![
        ("request_id", strings(&["r1", "r2", "r3"])),
        (
            "timestamp",
            Arc::new(
                TimestampMicrosecondArray::from(TIMES.map(|s| s * 1_000_000).to_vec())
                    .with_timezone("UTC"),
            ),
        ),
        ("model", Arc::new(model)),
        ("task", strings(&["extraction", "synthesis", "extraction"])),
        ("data_class", strings(&["internal", "internal", "internal"])),
        (
            "input_tokens",
            ints(&[Some(100_000), Some(300_000), Some(1_000_000)]),
        ),
        (
            "cached_tokens",
            ints(&[Some(20_000), Some(0), Some(500_000)]),
        ),
        (
            "output_tokens",
            ints(&[Some(10_000), Some(10_000), Some(1_000_000)]),
        ),
        (
            "spend",
            Arc::new(Float64Array::from(vec![0.80, 3.45, 0.35])),
        ),
    ]
}

fn replace(columns: &mut [(&str, ArrayRef)], name: &str, array: ArrayRef) {
    columns.iter_mut().find(|(n, _)| *n == name).unwrap().1 = array;
}

/// `replay --format json` with the file's path replaced by `LOG`, so outputs compare whole.
fn replay_json(log: &str, scenario: &str, extra: &[&str]) -> String {
    let mut args = vec!["replay", log, "--scenario", scenario, "--format", "json"];
    args.extend(extra);
    let run = common::run(&args);
    assert_eq!(run.code, Some(0), "{args:?}: {}", run.stderr);
    run.stdout.replace(log, "LOG")
}

#[test]
fn a_parquet_log_replays_to_the_same_json_as_the_same_csv() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "s.yaml", SCENARIO);
    let csv = write(dir.path(), "log.csv", LOG);
    let reference = replay_json(&csv, &scenario, &[]);
    assert!(
        reference.contains("\"cost\": \"3.8154560000\""),
        "{reference}"
    );

    // One row group a row, two, and all three in one.
    for rows_per_group in [1, 2, 3] {
        let log = parquet(
            dir.path(),
            &format!("log-{rows_per_group}.parquet"),
            log_columns(),
            rows_per_group,
        );
        assert_eq!(replay_json(&log, &scenario, &[]), reference);
        for by in ["day", "workload", "model"] {
            assert_eq!(
                replay_json(&log, &scenario, &["--by", by, "--threads", "2"]),
                replay_json(&csv, &scenario, &["--by", by]),
                "--by {by}"
            );
        }
    }

    // Milliseconds without a zone (a naive time, read as UTC as the CSV path does), unsigned
    // tokens, the spend as DECIMAL(10,2): the same instants and the same exact amounts.
    let mut columns = log_columns();
    replace(
        &mut columns,
        "timestamp",
        Arc::new(TimestampMillisecondArray::from(
            TIMES.map(|s| s * 1000).to_vec(),
        )),
    );
    replace(
        &mut columns,
        "cached_tokens",
        Arc::new(UInt32Array::from(vec![20_000, 0, 500_000])),
    );
    replace(
        &mut columns,
        "spend",
        Arc::new(
            Decimal128Array::from(vec![80, 345, 35])
                .with_precision_and_scale(10, 2)
                .unwrap(),
        ),
    );
    let log = parquet(dir.path(), "naive.parquet", columns, 2);
    assert_eq!(replay_json(&log, &scenario, &[]), reference);

    // Timestamps as RFC 3339 strings.
    let mut columns = log_columns();
    replace(
        &mut columns,
        "timestamp",
        strings(&[
            "2026-05-20T10:00:00Z",
            "2026-05-20T12:00:00+01:00",
            "2026-05-21 11:00:00",
        ]),
    );
    let log = parquet(dir.path(), "text-times.parquet", columns, 3);
    assert_eq!(replay_json(&log, &scenario, &[]), reference);
}

#[test]
fn parquet_is_known_by_its_magic_bytes_and_mixes_with_csv_and_json_lines_in_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "s.yaml", SCENARIO);
    let reference = replay_json(&write(dir.path(), "log.csv", LOG), &scenario, &[]);
    let policies = |json: &str| -> serde_json::Value {
        serde_json::from_str::<serde_json::Value>(json).unwrap()["policies"].clone()
    };

    // A Parquet file under another name is still read as Parquet.
    let log = parquet(dir.path(), "export.parquet", log_columns(), 2);
    let renamed = dir.path().join("export.dat");
    std::fs::copy(&log, &renamed).unwrap();
    let renamed = renamed.display().to_string();
    assert_eq!(replay_json(&renamed, &scenario, &[]), reference);

    // r1 in CSV, r2 in JSON Lines, r3 in Parquet.
    let folder = dir.path().join("parts");
    std::fs::create_dir(&folder).unwrap();
    let lines: Vec<&str> = LOG.lines().collect();
    write(&folder, "a.csv", format!("{}\n{}\n", lines[0], lines[1]));
    write(
        &folder,
        "b.jsonl",
        "{\"timestamp\":\"2026-05-20T11:00:00Z\",\"model\":\"gpt-5.5\",\"task\":\"synthesis\",\"input_tokens\":300000,\"output_tokens\":10000,\"spend\":3.45}\n",
    );
    let mut columns = log_columns();
    for (_, array) in &mut columns {
        *array = array.slice(2, 1);
    }
    parquet(&folder, "c.parquet", columns, 1);
    let out = replay_json(&folder.display().to_string(), &scenario, &[]);
    assert_eq!(policies(&out), policies(&reference));
}

#[test]
fn a_null_token_count_skips_its_row_by_number_and_strict_stops_there() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "s.yaml", SCENARIO);
    let mut columns = log_columns();
    replace(
        &mut columns,
        "output_tokens",
        ints(&[Some(10_000), None, Some(1_000_000)]),
    );
    // A null cached count is none, as an empty CSV cell is.
    replace(
        &mut columns,
        "cached_tokens",
        ints(&[Some(20_000), Some(0), None]),
    );
    let log = parquet(dir.path(), "nulls.parquet", columns, 2);
    let out: serde_json::Value = serde_json::from_str(&replay_json(&log, &scenario, &[])).unwrap();
    assert_eq!(out["rows"]["read"], 3);
    assert_eq!(out["rows"]["priced"], 2);
    assert_eq!(out["rows"]["skipped"], 1);
    assert_eq!(
        out["rows"]["skipped_by_reason"][0]["first"],
        "LOG, row 2, output_tokens: no output_tokens; every request needs its token counts"
    );
    // r1 0.71 + r3 without its cached tokens on Flash: 0.14 + 0.28 = 0.42.
    let as_logged = &out["policies"][0];
    assert_eq!(as_logged["policy"], "as logged");
    assert_eq!(dec(&as_logged["cost"]), dec(&"1.13".into()));

    let run = common::run(&["replay", &log, "--scenario", &scenario, "--strict"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("nulls.parquet, row 2, output_tokens"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn columns_of_the_wrong_type_are_refused_when_the_file_opens() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "s.yaml", SCENARIO);
    let cases: [(&str, ArrayRef, &str); 3] = [
        (
            "input_tokens",
            Arc::new(BooleanArray::from(vec![true, false, true])),
            "column 'input_tokens' is Boolean, which cannot hold a token count",
        ),
        (
            "timestamp",
            Arc::new(Date32Array::from(vec![20_593, 20_593, 20_594])),
            "column 'timestamp' is a DATE: a day, not an instant",
        ),
        (
            "spend",
            Arc::new(BooleanArray::from(vec![true, false, true])),
            "column 'spend' is Boolean, which cannot hold an amount of money",
        ),
    ];
    for (column, array, expected) in cases {
        let mut columns = log_columns();
        replace(&mut columns, column, array);
        let log = parquet(dir.path(), "typed.parquet", columns, 3);
        let stderr = common::rejected(&["replay", &log, "--scenario", &scenario]);
        assert!(stderr.contains(expected), "{column}: {stderr}");
        assert!(stderr.contains("typed.parquet"), "{stderr}");
    }

    let mut columns = log_columns();
    columns.retain(|(name, _)| *name != "model");
    let log = parquet(dir.path(), "no-model.parquet", columns, 3);
    let stderr = common::rejected(&["replay", &log, "--scenario", &scenario]);
    assert!(
        stderr.contains("has no column 'model' for model"),
        "{stderr}"
    );
}

#[test]
fn a_truncated_or_foreign_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "s.yaml", SCENARIO);
    let log = parquet(dir.path(), "whole.parquet", log_columns(), 1);
    let bytes = std::fs::read(&log).unwrap();
    for (name, contents) in [
        ("cut.parquet", bytes[..bytes.len() / 2].to_vec()),
        ("cut-footer.parquet", bytes[..bytes.len() - 3].to_vec()),
        ("text.parquet", b"not parquet at all\n".to_vec()),
        ("magic-only.parquet", b"PAR1".to_vec()),
    ] {
        let path = write(dir.path(), name, contents);
        let stderr = common::rejected(&["replay", &path, "--scenario", &scenario]);
        assert!(stderr.contains(name), "{stderr}");
        assert!(stderr.contains("truncated or corrupt"), "{name}: {stderr}");
    }
}

#[test]
fn litellm_spend_logs_in_parquet_read_metadata_and_tags_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "s.yaml", SCENARIO);
    // As in tests/replay.rs: 100k prompt (40k cached) + 1k completion on GPT-5.5 = 0.35; the
    // extraction tag sends it to Flash under mixed-flash: 0.008792. Here the metadata is a
    // struct and the tags a list, as pandas writes them.
    let details = StructArray::from(vec![(
        Arc::new(Field::new("cached_tokens", DataType::Int64, true)),
        ints(&[Some(40_000)]),
    )]);
    let usage = StructArray::from(vec![
        (
            Arc::new(Field::new("prompt_tokens", DataType::Int64, true)),
            ints(&[Some(100_000)]),
        ),
        (
            Arc::new(Field::new(
                "prompt_tokens_details",
                details.data_type().clone(),
                true,
            )),
            Arc::new(details) as ArrayRef,
        ),
    ]);
    let metadata = StructArray::from(vec![(
        Arc::new(Field::new("usage_object", usage.data_type().clone(), true)),
        Arc::new(usage) as ArrayRef,
    )]);
    let mut tags = ListBuilder::new(StringBuilder::new());
    tags.values().append_value("task:extraction");
    tags.values().append_value("team:ops");
    tags.append(true);
    let tags: ListArray = tags.finish();
    let log = parquet(
        dir.path(),
        "spend.parquet",
        vec![
            ("request_id", strings(&["a1"])),
            ("spend", Arc::new(Float64Array::from(vec![0.35]))),
            ("prompt_tokens", ints(&[Some(100_000)])),
            ("completion_tokens", ints(&[Some(1000)])),
            (
                "startTime",
                Arc::new(TimestampMillisecondArray::from(vec![TIMES[0] * 1000 + 123])),
            ),
            ("model", strings(&["openai/gpt-5.5"])),
            ("metadata", Arc::new(metadata)),
            ("request_tags", Arc::new(tags)),
        ],
        1,
    );
    let out: serde_json::Value =
        serde_json::from_str(&replay_json(&log, &scenario, &["--log-format", "litellm"])).unwrap();
    assert_eq!(out["rows"]["priced"], 1, "{out}");
    let cost = |policy: &str| {
        out["policies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["policy"] == policy)
            .unwrap()["cost"]
            .clone()
    };
    assert_eq!(dec(&cost("as logged")), dec(&"0.35".into()));
    assert_eq!(dec(&cost("mixed-flash")), dec(&"0.008792".into()));
}

fn dec(value: &serde_json::Value) -> rust_decimal::Decimal {
    value.as_str().unwrap().parse().unwrap()
}
