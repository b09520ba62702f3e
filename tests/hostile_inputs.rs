//! Hostile inputs to the loaders, shared by every command: files that are missing, not YAML,
//! or carry unknown keys. Each case asserts the exit code, a located message, no crash, inputs
//! unchanged and nothing left behind (see `tests/common/hostile.rs`).

mod common;
use common::hostile::Case;

#[test]
fn missing_scenario_names_the_path() {
    Case::new("missing scenario", &["compare", "nope.yaml"])
        .mentions("nope.yaml")
        .check();
}

#[test]
fn unknown_key_is_located_and_no_report_is_written() {
    Case::new(
        "unknown key with -o",
        &["compare", "s.yaml", "-o", "out.txt"],
    )
    .file(
        "s.yaml",
        "name: x\nas_of: 2026-05-20\nworkloads:\n  - name: a\n    input_tokens: 1M\n    ouput_tokens: 1M\npolicies:\n  - name: p\n    default: gpt-5.5\nbaseline: p\n",
    )
    .mentions("s.yaml:6:5")
    .check();
}
