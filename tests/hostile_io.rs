//! Hostile input and output paths, shared by every command: `-o` onto the run's own inputs,
//! devices, FIFOs, symlinks, read-only files, missing folders and `-`; devices and FIFOs as
//! inputs; files that are not UTF-8; 5 MB lines; control characters in names; spreadsheet
//! formulas in CSV cells; and signals during a streamed `sweep -o`. Each case asserts the exit
//! code, the message, no crash, inputs unchanged and nothing left behind
//! (see `tests/common/hostile.rs`).

mod common;

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::time::{Duration, Instant};

use common::hostile::{Case, Outcome};

const SEED: &str = include_str!("../scenarios/seed.yaml");
const BASE_JSON: &str = include_str!("fixtures/ci/base.json");
const OPENAI: &str = include_str!("../pricing/openai.yaml");

/// The seed scenario with every workload 20% larger: a second version to diff against.
fn changed_seed() -> String {
    SEED.replace("100M", "120M")
}

/// A scenario whose names hold an ANSI colour code, a terminal-title sequence, a newline and
/// spreadsheet formulas.
const HOSTILE_NAMES: &str = "name: \"evil\\e[31mRED\"
as_of: 2026-05-20
workloads:
  - name: \"w\\nforged: line\"
    input_tokens: 1M
    output_tokens: 1M
  - name: \"-2+3\"
    input_tokens: 1M
    output_tokens: 1M
policies:
  - name: \"p\\e]0;title\\a\"
    default: gpt-5.5
  - name: \"=HYPERLINK(\\\"http://x\\\")\"
    default: gpt-5-mini
  - name: \"@SUM(A1)\"
    default: gpt-5-nano
baseline: \"p\\e]0;title\\a\"
";

fn read(outcome: &Outcome, path: &str) -> String {
    std::fs::read_to_string(outcome.dir.path().join(path)).expect("the output file exists")
}

fn assert_no_temporary_path(outcome: &Outcome) {
    assert!(
        !outcome.stderr.contains(".tmp") && !outcome.stderr.contains(".mixcost-"),
        "the message names the internal temporary file:\n{}",
        outcome.stderr
    );
}

// ---------------------------------------------------------------- -o naming an input

fn refuses_input_as_output(name: &str, args: &[&str]) -> Case {
    Case::new(name, args)
        .file("s.yaml", SEED)
        .file("b.yaml", changed_seed())
        .file("base.json", BASE_JSON)
        .file("prices/openai.yaml", OPENAI)
        .mentions("is also an input of this run")
}

#[test]
fn compare_refuses_to_overwrite_its_scenario() {
    refuses_input_as_output(
        "compare -o scenario",
        &["compare", "s.yaml", "-o", "s.yaml"],
    )
    .mentions("cannot write 's.yaml'")
    .check();
}

#[test]
fn sweep_csv_refuses_to_overwrite_its_scenario() {
    refuses_input_as_output(
        "sweep csv -o scenario",
        &[
            "sweep",
            "s.yaml",
            "--vary",
            "workloads.hard.volume=x1:x2:x0.5",
            "--format",
            "csv",
            "-o",
            "s.yaml",
        ],
    )
    .check();
}

#[test]
fn sweep_table_refuses_to_overwrite_its_scenario() {
    refuses_input_as_output(
        "sweep table -o scenario",
        &[
            "sweep",
            "s.yaml",
            "--vary",
            "workloads.hard.volume=x1:x2:x0.5",
            "-o",
            "s.yaml",
        ],
    )
    .check();
}

#[test]
fn whatif_refuses_to_overwrite_its_scenario() {
    refuses_input_as_output(
        "whatif -o scenario",
        &[
            "whatif",
            "s.yaml",
            "--set",
            "workloads.hard.volume=x2",
            "-o",
            "s.yaml",
        ],
    )
    .check();
}

#[test]
fn check_refuses_to_overwrite_its_base() {
    refuses_input_as_output(
        "check -o against-base",
        &[
            "check",
            "s.yaml",
            "--against",
            "base.json",
            "--max-increase",
            "10%",
            "-o",
            "base.json",
        ],
    )
    .mentions("base.json")
    .check();
}

#[test]
fn diff_refuses_to_overwrite_its_new_side() {
    refuses_input_as_output(
        "diff -o NEW",
        &[
            "diff", "s.yaml", "b.yaml", "--format", "markdown", "-o", "b.yaml",
        ],
    )
    .check();
}

#[test]
fn compare_refuses_to_overwrite_a_file_of_its_pricing_folder() {
    refuses_input_as_output(
        "compare --pricing DIR -o DIR/openai.yaml",
        &[
            "--pricing",
            "prices",
            "compare",
            "s.yaml",
            "-o",
            "prices/openai.yaml",
        ],
    )
    .check();
}

#[test]
fn simulate_refuses_to_overwrite_its_scenario_before_simulating() {
    refuses_input_as_output(
        "simulate -o scenario",
        &["simulate", "s.yaml", "--trials", "100", "-o", "s.yaml"],
    )
    .check();
}

#[test]
fn sensitivity_refuses_to_overwrite_its_scenario() {
    refuses_input_as_output(
        "sensitivity -o scenario",
        &["sensitivity", "s.yaml", "-o", "s.yaml"],
    )
    .check();
}

#[test]
fn solve_refuses_to_overwrite_its_scenario() {
    refuses_input_as_output(
        "solve -o scenario",
        &[
            "solve",
            "s.yaml",
            "--vary",
            "models.deepseek-v4-flash.output",
            "--policy",
            "mixed-flash",
            "--target",
            "cost=500",
            "-o",
            "s.yaml",
        ],
    )
    .check();
}

#[test]
fn a_symlink_to_the_scenario_is_the_scenario() {
    refuses_input_as_output(
        "compare -o link-to-scenario",
        &["compare", "s.yaml", "-o", "alias.yaml"],
    )
    .symlink("alias.yaml", "s.yaml")
    .mentions("('s.yaml')")
    .check();
    // The link itself was not replaced either: Case::check saw s.yaml unchanged.
}

// ---------------------------------------------------------------- devices, FIFOs and `-`

fn assert_dev_null_is_a_device() {
    let metadata = std::fs::symlink_metadata("/dev/null").expect("/dev/null exists");
    assert!(
        metadata.file_type().is_char_device(),
        "/dev/null is no longer a character device"
    );
}

#[test]
fn compare_to_dev_null_writes_through_it() {
    let outcome = Case::new(
        "compare -o /dev/null",
        &["compare", "s.yaml", "-o", "/dev/null"],
    )
    .file("s.yaml", SEED)
    .exit(0)
    .check();
    assert_eq!(outcome.stdout, "");
    assert_dev_null_is_a_device();
}

#[test]
fn streamed_sweep_to_dev_null_writes_through_it() {
    Case::new(
        "sweep csv -o /dev/null",
        &[
            "sweep",
            "s.yaml",
            "--vary",
            "workloads.hard.volume=x1:x2:x0.5",
            "--format",
            "csv",
            "-o",
            "/dev/null",
        ],
    )
    .file("s.yaml", SEED)
    .exit(0)
    .check();
    assert_dev_null_is_a_device();
}

#[test]
fn models_json_to_dev_null_writes_through_it() {
    Case::new(
        "models -o /dev/null",
        &["models", "--format", "json", "-o", "/dev/null"],
    )
    .exit(0)
    .check();
    assert_dev_null_is_a_device();
}

#[test]
fn dash_means_standard_output_for_compare() {
    let outcome = Case::new("compare -o -", &["compare", "s.yaml", "-o", "-"])
        .file("s.yaml", SEED)
        .exit(0)
        .check();
    assert!(outcome.stdout.contains("$469.60"), "{}", outcome.stdout);
}

#[test]
fn dash_means_standard_output_for_a_streamed_sweep() {
    let outcome = Case::new(
        "sweep csv -o -",
        &[
            "sweep",
            "s.yaml",
            "--vary",
            "workloads.hard.volume=x1:x2:x0.5",
            "--format",
            "csv",
            "-o",
            "-",
        ],
    )
    .file("s.yaml", SEED)
    .exit(0)
    .check();
    assert!(outcome
        .stdout
        .starts_with("workloads.hard.volume,policy,cost_usd,cost_usd_exact,savings_usd,savings_usd_exact,savings_pct\n"));
    assert_eq!(outcome.stdout.lines().count(), 1 + 3 * 3);
}

#[test]
fn dash_means_standard_output_for_schema() {
    let outcome = Case::new("schema -o -", &["schema", "compare", "-o", "-"])
        .exit(0)
        .check();
    assert!(outcome.stdout.contains("\"$schema\""), "{}", outcome.stdout);
}

#[test]
fn a_fifo_nobody_reads_is_refused_not_waited_on() {
    Case::new(
        "compare -o FIFO without reader",
        &["compare", "s.yaml", "-o", "pipe"],
    )
    .file("s.yaml", SEED)
    .fifo("pipe")
    .mentions("it is a FIFO and no program is reading from it")
    .check();
}

#[test]
fn a_fifo_with_a_reader_receives_the_report_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::write(dir.path().join("s.yaml"), SEED).unwrap();
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    // The reader's open blocks until the writer opens; give it a moment to start.
    std::thread::sleep(Duration::from_millis(200));
    let output = assert_cmd::Command::cargo_bin("mixcost")
        .unwrap()
        .current_dir(dir.path())
        .env_clear()
        .args(["compare", "s.yaml", "-o", "pipe"])
        .timeout(common::TIMEOUT)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let received = reader.join().unwrap();
    assert!(received.contains("$693.60"), "{received}");
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());
}

#[test]
fn a_folder_as_output_is_refused() {
    Case::new("compare -o folder", &["compare", "s.yaml", "-o", "out"])
        .file("s.yaml", SEED)
        .file("out/keep.txt", "kept")
        .mentions("cannot write 'out': it is a folder")
        .check();
}

// ---------------------------------------------------------------- regular files, links, modes

#[test]
fn a_symlink_is_followed_and_its_missing_target_created() {
    let outcome = Case::new(
        "compare -o dangling link",
        &["compare", "s.yaml", "-o", "link.txt"],
    )
    .file("s.yaml", SEED)
    .symlink("link.txt", "real.txt")
    .may_create("real.txt")
    .exit(0)
    .check();
    let link = outcome.dir.path().join("link.txt");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(read(&outcome, "real.txt").contains("$469.60"));
}

#[test]
fn a_symlink_to_an_existing_report_replaces_the_target_not_the_link() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.yaml"), SEED).unwrap();
    std::fs::create_dir(dir.path().join("reports")).unwrap();
    std::fs::write(dir.path().join("reports/real.md"), "old report").unwrap();
    std::fs::set_permissions(
        dir.path().join("reports/real.md"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    std::os::unix::fs::symlink("reports/real.md", dir.path().join("latest.md")).unwrap();
    let output = assert_cmd::Command::cargo_bin("mixcost")
        .unwrap()
        .current_dir(dir.path())
        .env_clear()
        .args([
            "compare",
            "s.yaml",
            "--format",
            "markdown",
            "-o",
            "latest.md",
        ])
        .timeout(common::TIMEOUT)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let link = dir.path().join("latest.md");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    let target = dir.path().join("reports/real.md");
    assert!(std::fs::read_to_string(&target)
        .unwrap()
        .contains("| mixed-flash |"));
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "the target kept its permissions");
    let names: Vec<_> = std::fs::read_dir(dir.path().join("reports"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(
        names,
        ["real.md"],
        "no temporary file left in the target's folder"
    );
}

#[test]
fn an_existing_report_keeps_its_permissions() {
    let outcome = Case::new(
        "compare -o existing 0600",
        &["compare", "s.yaml", "-o", "r.txt"],
    )
    .file("s.yaml", SEED)
    .file("r.txt", "old")
    .mode("r.txt", 0o600)
    .may_change("r.txt")
    .exit(0)
    .check();
    assert!(read(&outcome, "r.txt").contains("$469.60"));
    let mode = std::fs::metadata(outcome.dir.path().join("r.txt"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

fn read_only_case(name: &str, args: &[&str]) -> Case {
    Case::new(name, args)
        .file("s.yaml", SEED)
        .file("base.json", BASE_JSON)
        .file("ro.txt", "keep me")
        .mode("ro.txt", 0o444)
        .mentions("cannot write 'ro.txt': the file is read-only")
}

#[test]
fn compare_refuses_a_read_only_file() {
    read_only_case(
        "compare -o read-only",
        &["compare", "s.yaml", "-o", "ro.txt"],
    )
    .check();
}

#[test]
fn streamed_sweep_refuses_a_read_only_file() {
    read_only_case(
        "sweep csv -o read-only",
        &[
            "sweep",
            "s.yaml",
            "--vary",
            "workloads.hard.volume=x1:x2:x0.5",
            "--format",
            "csv",
            "-o",
            "ro.txt",
        ],
    )
    .check();
}

#[test]
fn check_refuses_a_read_only_file() {
    read_only_case(
        "check -o read-only",
        &[
            "check",
            "s.yaml",
            "--against",
            "base.json",
            "--max-increase",
            "10%",
            "-o",
            "ro.txt",
        ],
    )
    .check();
}

#[test]
fn models_refuses_a_read_only_file() {
    read_only_case("models -o read-only", &["models", "-o", "ro.txt"]).check();
}

fn missing_folder_case(name: &str, args: &[&str]) -> Outcome {
    let outcome = Case::new(name, args)
        .file("s.yaml", SEED)
        .file("b.yaml", changed_seed())
        .mentions("the folder 'no/such' does not exist")
        .check();
    assert_no_temporary_path(&outcome);
    outcome
}

#[test]
fn compare_into_a_missing_folder_names_the_folder() {
    missing_folder_case(
        "compare -o missing folder",
        &["compare", "s.yaml", "-o", "no/such/r.txt"],
    );
}

#[test]
fn sweep_into_a_missing_folder_names_the_folder() {
    missing_folder_case(
        "sweep -o missing folder",
        &[
            "sweep",
            "s.yaml",
            "--vary",
            "workloads.hard.volume=x1:x2:x0.5",
            "--format",
            "json",
            "-o",
            "no/such/r.json",
        ],
    );
}

#[test]
fn diff_into_a_missing_folder_names_the_folder() {
    missing_folder_case(
        "diff -o missing folder",
        &["diff", "s.yaml", "b.yaml", "-o", "no/such/d.md"],
    );
}

#[test]
fn whatif_into_a_missing_folder_names_the_folder() {
    missing_folder_case(
        "whatif -o missing folder",
        &[
            "whatif",
            "s.yaml",
            "--set",
            "workloads.hard.volume=x2",
            "-o",
            "no/such/w.txt",
        ],
    );
}

#[test]
fn simulate_writes_a_new_file_and_nothing_else() {
    let outcome = Case::new(
        "simulate -o new file",
        &[
            "simulate", "s.yaml", "--trials", "200", "--format", "json", "-o", "sim.json",
        ],
    )
    .file("s.yaml", SEED)
    .may_create("sim.json")
    .exit(0)
    .check();
    assert!(read(&outcome, "sim.json").contains("\"schema_version\""));
}

// ---------------------------------------------------------------- devices and FIFOs as inputs

#[test]
fn dev_zero_as_a_scenario_stops_at_the_cap() {
    Case::new("compare /dev/zero", &["compare", "/dev/zero"])
        .mentions("/dev/zero")
        .mentions("16777216-byte limit")
        .check();
}

#[test]
fn dev_zero_as_pricing_stops_at_the_cap() {
    Case::new(
        "--pricing /dev/zero",
        &["--pricing", "/dev/zero", "compare"],
    )
    .mentions("16777216-byte limit")
    .check();
}

#[test]
fn dev_zero_as_a_check_base_stops_at_the_cap() {
    Case::new(
        "check --against /dev/zero",
        &["check", "s.yaml", "--against", "/dev/zero"],
    )
    .file("s.yaml", SEED)
    .mentions("16777216-byte limit")
    .check();
}

#[test]
fn dev_zero_as_a_diff_side_stops_at_the_cap() {
    Case::new("diff /dev/zero", &["diff", "/dev/zero", "s.yaml"])
        .file("s.yaml", SEED)
        .mentions("16777216-byte limit")
        .check();
}

#[test]
fn a_fifo_with_no_writer_reads_as_empty_without_hanging() {
    Case::new("compare FIFO", &["compare", "pipe"])
        .fifo("pipe")
        .mentions("'pipe' is empty")
        .check();
}

#[test]
fn a_fifo_with_no_writer_as_pricing_does_not_hang() {
    Case::new("--pricing FIFO", &["--pricing", "pipe", "compare"])
        .fifo("pipe")
        .mentions("'pipe' is empty")
        .check();
}

#[test]
fn a_regular_file_over_the_cap_is_refused_by_its_size() {
    Case::new("17 MiB scenario", &["compare", "big.yaml"])
        .file("big.yaml", vec![b'#'; 17 * 1024 * 1024])
        .mentions("'big.yaml' is 17825792 bytes, more than the 16777216-byte limit")
        .check();
}

#[test]
fn standard_input_stays_usable_as_a_scenario() {
    let outcome = Case::new("compare /dev/stdin", &["compare", "/dev/stdin"])
        .stdin(SEED)
        .exit(0)
        .check();
    assert!(outcome.stdout.contains("$469.60"), "{}", outcome.stdout);
}

#[test]
fn standard_input_is_read_once_when_diff_looks_at_it_twice() {
    // diff reads each side to tell its kind, then loads it: a pipe cannot be read twice.
    let outcome = Case::new("diff /dev/stdin", &["diff", "/dev/stdin", "b.yaml"])
        .file("b.yaml", changed_seed())
        .stdin(SEED)
        .exit(0)
        .check();
    assert!(outcome.stdout.contains("repetitive"), "{}", outcome.stdout);
}

// ---------------------------------------------------------------- not UTF-8, long lines

#[test]
fn invalid_utf8_in_a_scenario_is_located_by_line_and_column() {
    let mut bytes = b"name: x\nas_of: 2026-05-20\nworkloads: caf\xc3\xa9 \xff\n".to_vec();
    bytes.extend_from_slice(b"policies: []\n");
    Case::new("scenario not UTF-8", &["compare", "s.yaml"])
        .file("s.yaml", bytes)
        .mentions("s.yaml:3:17")
        .mentions("byte 0xff at line 3, column 17")
        .check();
}

#[test]
fn invalid_utf8_in_a_price_file_is_located() {
    let mut bytes = OPENAI.as_bytes().to_vec();
    let at = OPENAI.find("models:").unwrap();
    bytes.insert(at, 0xfe);
    let line = OPENAI[..at].lines().count() + 1;
    Case::new(
        "price file not UTF-8",
        &["--pricing", "p/openai.yaml", "compare"],
    )
    .file("p/openai.yaml", bytes)
    .mentions(&format!("p/openai.yaml:{line}:1"))
    .check();
}

#[test]
fn invalid_utf8_in_a_check_base_is_located() {
    let mut bytes = BASE_JSON.as_bytes().to_vec();
    bytes.splice(2..2, [b' ', 0xc3, b'(']);
    Case::new(
        "check --against not UTF-8",
        &["check", "s.yaml", "--against", "base.json"],
    )
    .file("s.yaml", SEED)
    .file("base.json", bytes)
    .mentions("base.json:2:2")
    .check();
}

fn five_mb_line_case(name: &str, file: &str, contents: String, args: &[&str], at: &str) {
    let outcome = Case::new(name, args)
        .file(file, contents)
        .mentions(at)
        .check();
    assert!(
        outcome.stderr.len() < 4_000,
        "a 5 MB line printed {} bytes of error",
        outcome.stderr.len()
    );
    assert!(outcome.stderr.contains('…'), "the excerpt says it was cut");
}

#[test]
fn a_five_megabyte_key_prints_a_bounded_excerpt() {
    let contents = SEED.replace(
        "    output_tokens: 10M\n",
        &format!("    output_tokens: 10M\n    {}: 1\n", "k".repeat(5_000_000)),
    );
    five_mb_line_case(
        "5 MB key",
        "s.yaml",
        contents,
        &["compare", "s.yaml"],
        "s.yaml:14:5",
    );
}

#[test]
fn a_five_megabyte_value_prints_a_bounded_excerpt() {
    let contents = SEED.replace(
        "output_tokens: 10M",
        &format!("output_tokens: {}", "9".repeat(5_000_000)),
    );
    five_mb_line_case(
        "5 MB value",
        "s.yaml",
        contents,
        &["compare", "s.yaml"],
        "s.yaml:13:20",
    );
}

#[test]
fn a_five_megabyte_line_in_a_price_file_prints_a_bounded_excerpt() {
    let contents = OPENAI.replacen(
        "models:\n",
        &format!("models:\n  {}: 1\n", "m".repeat(5_000_000)),
        1,
    );
    let line = OPENAI[..OPENAI.find("models:").unwrap()].lines().count() + 2;
    five_mb_line_case(
        "5 MB price line",
        "p/openai.yaml",
        contents,
        &["--pricing", "p/openai.yaml", "models"],
        &format!("p/openai.yaml:{line}:"),
    );
}

// ---------------------------------------------------------------- control characters

fn assert_no_raw_controls(text: &str) {
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "a control character reached the terminal raw:\n{text:?}"
    );
}

#[test]
fn table_output_escapes_names() {
    let outcome = Case::new(
        "names in a table",
        &["compare", "s.yaml", "--by", "workload"],
    )
    .file("s.yaml", HOSTILE_NAMES)
    .exit(0)
    .check();
    assert_no_raw_controls(&outcome.stdout);
    assert!(outcome.stdout.starts_with("evil\\x1b[31mRED\n"));
    assert!(outcome.stdout.contains("p\\x1b]0;title\\x07"));
    assert!(outcome.stdout.contains("w\\nforged: line"));
    assert!(!outcome
        .stdout
        .lines()
        .any(|line| line.starts_with("forged")));
}

#[test]
fn markdown_output_escapes_names() {
    let outcome = Case::new(
        "names in Markdown",
        &[
            "compare", "s.yaml", "--by", "workload", "--format", "markdown",
        ],
    )
    .file("s.yaml", HOSTILE_NAMES)
    .exit(0)
    .check();
    assert_no_raw_controls(&outcome.stdout);
    assert!(outcome.stdout.contains("| w\\nforged: line |"));
}

#[test]
fn a_streamed_sweep_table_escapes_names() {
    let outcome = Case::new(
        "names in a sweep table",
        &["sweep", "s.yaml", "--vary", "workloads.-2+3.volume=x1,x2"],
    )
    .file("s.yaml", HOSTILE_NAMES)
    .exit(0)
    .check();
    assert_no_raw_controls(&outcome.stdout);
    assert!(outcome.stdout.contains("p\\x1b]0;title\\x07"));
}

#[test]
fn an_error_about_a_name_with_escapes_is_escaped() {
    let scenario = SEED.replace(
        "default: gpt-5.5\n  - name: mixed-flash",
        "default: \"gpt\\e[2J\\e[31m\"\n  - name: mixed-flash",
    );
    let outcome = Case::new("unknown model with escapes", &["compare", "s.yaml"])
        .file("s.yaml", scenario)
        .mentions("gpt\\x1b[2J\\x1b[31m")
        .check();
    assert_no_raw_controls(&outcome.stderr);
}

#[test]
fn an_error_about_a_name_with_a_newline_stays_on_its_line() {
    let scenario = SEED.replace(
        "default: gpt-5.5\n  - name: mixed-flash",
        "default: \"gpt\\nerror: forged\"\n  - name: mixed-flash",
    );
    let outcome = Case::new("unknown model with a newline", &["compare", "s.yaml"])
        .file("s.yaml", scenario)
        .shows_escapes()
        .mentions("gpt\\nerror: forged")
        .check();
    assert!(!outcome
        .stderr
        .lines()
        .any(|line| line.starts_with("error: forged")));
}

#[test]
fn a_flag_value_with_escapes_is_escaped_in_the_message() {
    let outcome = Case::new(
        "--policy with escapes",
        &["check", "s.yaml", "--policy", "x\u{1b}[2Jy"],
    )
    .file("s.yaml", SEED)
    .mentions("x\\x1b[2Jy")
    .check();
    assert_no_raw_controls(&outcome.stderr);
}

// ---------------------------------------------------------------- CSV formula injection

#[test]
fn csv_text_cells_are_neutralised_and_numbers_stay_numbers() {
    let outcome = Case::new(
        "formulas in CSV",
        &["compare", "s.yaml", "--by", "workload", "--format", "csv"],
    )
    .file("s.yaml", HOSTILE_NAMES)
    .exit(0)
    .check();
    let csv = &outcome.stdout;
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{csv}");
    assert!(csv.contains("\n'@SUM(A1),"), "{csv}");
    assert!(csv.contains(",'-2+3,"), "{csv}");
    assert_no_raw_controls(csv);
    // The savings of a cheaper policy are a negative number, written as one.
    let totals = Case::new(
        "negative numbers in CSV",
        &["compare", "s.yaml", "--format", "csv"],
    )
    .file("s.yaml", HOSTILE_NAMES)
    .exit(0)
    .check();
    assert!(
        totals
            .stdout
            .contains(",4.50,4.5,-65.50,-65.5,-93.5714285714\n"),
        "{}",
        totals.stdout
    );
}

#[test]
fn streamed_sweep_csv_cells_are_neutralised() {
    let outcome = Case::new(
        "formulas in streamed sweep CSV",
        &[
            "sweep",
            "s.yaml",
            "--vary",
            "workloads.-2+3.volume=x1,x2",
            "--format",
            "csv",
            "-o",
            "out.csv",
        ],
    )
    .file("s.yaml", HOSTILE_NAMES)
    .may_create("out.csv")
    .exit(0)
    .check();
    let csv = read(&outcome, "out.csv");
    assert!(
        csv.starts_with("workloads.-2+3.volume,policy,cost_usd,"),
        "{csv}"
    );
    assert!(csv.contains("x1,'@SUM(A1),"), "{csv}");
    assert!(csv.contains("x2,\"'=HYPERLINK("), "{csv}");
    assert_no_raw_controls(&csv);
}

// ---------------------------------------------------------------- signals

/// Starts a sweep streaming a large CSV to `out.csv`, waits for its temporary file, sends
/// `signal`, and checks the exit code and that nothing is left in the folder but the scenario.
fn signal_during_streamed_sweep(signal: i32, name: &str, code: i32) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.yaml"), SEED).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mixcost"))
        .current_dir(dir.path())
        .env_clear()
        .args([
            "sweep",
            "s.yaml",
            "--vary",
            "workloads.hard.volume=x0:x100:x0.0001",
            "--format",
            "csv",
            "-o",
            "out.csv",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("mixcost starts");
    let started = Instant::now();
    let temporary = loop {
        let found = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .find(|name| name != "s.yaml");
        if let Some(found) = found {
            break found;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the sweep ended ({status}) before its temporary file appeared");
        }
        assert!(
            started.elapsed() < common::TIMEOUT,
            "no temporary file appeared"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_ne!(
        temporary, "out.csv",
        "the output appeared before the sweep finished"
    );
    // SAFETY: kill sends a signal to the child this test started and has not yet reaped.
    assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(code), "{stderr}");
    assert!(stderr.contains(&format!("stopped by {name}")), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["s.yaml"], "left behind after {name}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("s.yaml")).unwrap(),
        SEED
    );
}

#[test]
fn sigterm_during_a_streamed_sweep_removes_the_temporary_file() {
    signal_during_streamed_sweep(libc::SIGTERM, "SIGTERM", 143);
}

#[test]
fn sighup_during_a_streamed_sweep_removes_the_temporary_file() {
    signal_during_streamed_sweep(libc::SIGHUP, "SIGHUP", 129);
}

#[test]
fn sigint_during_a_streamed_sweep_removes_the_temporary_file() {
    signal_during_streamed_sweep(libc::SIGINT, "SIGINT", 130);
}

#[test]
fn the_output_path_is_not_replaced_when_the_run_fails() {
    // A bad scenario with -o onto an existing report: the old report stays as it was.
    Case::new(
        "bad scenario keeps the old report",
        &["compare", "s.yaml", "-o", "r.txt"],
    )
    .file("s.yaml", "name: x\n")
    .file("r.txt", "the old report")
    .mentions("s.yaml")
    .check();
}

#[test]
fn a_flag_value_with_a_newline_cannot_forge_an_error_line() {
    let outcome = Case::new(
        "--policy with a newline",
        &["sensitivity", "s.yaml", "--policy", "a\nerror: forged"],
    )
    .file("s.yaml", SEED)
    .shows_escapes()
    .mentions("no policy 'a\\nerror: forged'")
    .mentions("\n  = help: its policies are:")
    .check();
    assert!(!outcome
        .stderr
        .lines()
        .any(|line| line.starts_with("error: forged")));
}

#[test]
fn every_other_command_writes_through_dev_null() {
    let commands: [&[&str]; 6] = [
        &["gap", "gpt-5.5", "gpt-5-mini"],
        &["whatif", "s.yaml", "--set", "workloads.hard.volume=x2"],
        &["simulate", "s.yaml", "--trials", "100"],
        &["diff", "s.yaml", "b.yaml"],
        &["sensitivity", "s.yaml"],
        &["check", "s.yaml", "--budget", "100000"],
    ];
    for command in commands {
        let mut args = command.to_vec();
        args.extend(["-o", "/dev/null"]);
        let outcome = Case::new(&format!("{} -o /dev/null", command[0]), &args)
            .file("s.yaml", SEED)
            .file("b.yaml", changed_seed())
            .exit(0)
            .check();
        assert_eq!(outcome.stdout, "", "{}", command[0]);
        assert_dev_null_is_a_device();
    }
}

#[test]
fn a_streamed_sweep_through_a_dangling_symlink_creates_the_target() {
    let outcome = Case::new(
        "sweep csv -o dangling link",
        &[
            "sweep",
            "s.yaml",
            "--vary",
            "workloads.hard.volume=x1,x2",
            "--format",
            "csv",
            "-o",
            "latest.csv",
        ],
    )
    .file("s.yaml", SEED)
    .file("runs/.keep", "")
    .symlink("latest.csv", "runs/today.csv")
    .may_create("runs/today.csv")
    .exit(0)
    .check();
    assert!(
        std::fs::symlink_metadata(outcome.dir.path().join("latest.csv"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(read(&outcome, "runs/today.csv").lines().count(), 1 + 2 * 3);
}

#[test]
fn whatif_and_check_treat_dash_as_standard_output() {
    for (args, code, expected) in [
        (
            &[
                "whatif",
                "s.yaml",
                "--set",
                "workloads.hard.volume=x2",
                "-o",
                "-",
            ][..],
            0,
            "workloads.hard.volume",
        ),
        (
            &["check", "s.yaml", "--budget", "100", "-o", "-"][..],
            1,
            "FAIL",
        ),
    ] {
        let outcome = Case::new(&format!("{} -o -", args[0]), args)
            .file("s.yaml", SEED)
            .exit(code)
            .check();
        assert!(outcome.stdout.contains(expected), "{}", outcome.stdout);
    }
}

#[test]
fn sensitivity_and_simulate_refuse_a_read_only_file() {
    for args in [
        &["sensitivity", "s.yaml", "-o", "ro.txt"][..],
        &["simulate", "s.yaml", "--trials", "100", "-o", "ro.txt"][..],
    ] {
        read_only_case(&format!("{} -o read-only", args[0]), args).check();
    }
}

#[test]
fn pull_request_comments_escape_names() {
    let changed = HOSTILE_NAMES.replace("input_tokens: 1M", "input_tokens: 2M");
    for (args, code) in [
        (
            &["check", "s.yaml", "--budget", "1", "--format", "markdown"][..],
            1,
        ),
        (&["diff", "s.yaml", "b.yaml", "--format", "markdown"][..], 0),
    ] {
        let outcome = Case::new(&format!("{} markdown with hostile names", args[0]), args)
            .file("s.yaml", HOSTILE_NAMES)
            .file("b.yaml", &changed)
            .exit(code)
            .check();
        assert_no_raw_controls(&outcome.stdout);
        assert!(
            outcome.stdout.contains("evil\\x1b[31mRED"),
            "{}",
            outcome.stdout
        );
        assert!(
            !outcome
                .stdout
                .lines()
                .any(|line| line.starts_with("forged")),
            "{}",
            outcome.stdout
        );
    }
}

#[test]
fn a_table_sweep_refuses_a_read_only_file() {
    // The table is written after every point is computed; `output::check` refuses the target
    // right after loading instead (the CSV path refuses it when opening its stream).
    read_only_case(
        "sweep table -o read-only",
        &[
            "sweep",
            "s.yaml",
            "--vary",
            "workloads.hard.volume=x1:x2:x0.5",
            "-o",
            "ro.txt",
        ],
    )
    .check();
}
